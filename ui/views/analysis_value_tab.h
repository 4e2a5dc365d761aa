// AnalysisValueTab: the Analysis view's "Value" tab — what the shown source's entries are worth
// (issue 18, "time saved"):
//
//   Never hit, stored over 1 day ago: 1,204 entries, 38.2 MiB
//   Most valuable (time saved per byte)      Key | Bytes | Hits | Saved | Per KiB
//   Least valuable (pruned first)            Key | Bytes | Hits | Saved | Per KiB
//
// It shows the report's value lists (AnalysisReport::top_by_value, least_by_value: an entry's
// value is the time it saved, or where the source counts no hits its compute time) and its count
// of the
// entries never hit. A source that records no compute time, or counts no hits per entry, says
// "not recorded" there, never 0. Clicking a key lists it in the entries (keyActivated), as the
// Largest list does.
//
// Thread safety: GUI thread only.
#pragma once

#include <QWidget>

#include "twat_cache/analysis.h"

class QLabel;
class QTreeWidget;

namespace twat_cache::ui {

class AnalysisValueTab : public QWidget {
    Q_OBJECT

  public:
    explicit AnalysisValueTab(QWidget* parent = nullptr);

    // Shows `report` (nullptr: no report yet).
    void showReport(const ::twat_cache::AnalysisReport* report);

    QLabel* neverHitLine() const { return m_neverHit; }
    QTreeWidget* mostValuable() const { return m_most; }
    QTreeWidget* leastValuable() const { return m_least; }

  signals:
    // A key of a list was clicked: the entries should list it (the key as the report names it).
    void keyActivated(const QString& key);

  private:
    void fill(QTreeWidget* table, const std::vector<::twat_cache::AnalysisEntry>& entries);

    QLabel* m_neverHit;
    QLabel* m_mostTitle;
    QLabel* m_leastTitle;
    QTreeWidget* m_most;
    QTreeWidget* m_least;
};

}  // namespace twat_cache::ui
