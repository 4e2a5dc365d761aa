// StatsPanel: a source's counters (entries, bytes, hits, misses, evictions, expirations,
// errors, hit ratio), with a clear note when the source does not track hits and misses
// (python-diskcache without statistics enabled, joblib, plain folders).
//
// Thread safety: GUI thread only.
#pragma once

#include <QMap>
#include <QWidget>

#include "workers/source_types.h"

class QLabel;

namespace twat_cache::ui {

class StatsPanel : public QWidget {
    Q_OBJECT

  public:
    explicit StatsPanel(QWidget* parent = nullptr);

    void setStats(const SourceStats& stats);
    void showMessage(const QString& message);
    // The text shown for a field ("entries", "bytes", "hits", "misses", "evictions",
    // "expirations", "errors", "ratio") and the note.
    QString fieldText(const QString& field) const;
    QString noteText() const;

  private:
    QMap<QString, QLabel*> m_fields;
    QLabel* m_note;
};

}  // namespace twat_cache::ui
