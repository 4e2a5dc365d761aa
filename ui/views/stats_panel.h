// StatsPanel: a source's counters (entries, bytes, hits, misses, hit ratio, evictions), each
// shown as "not tracked" when the source does not keep it, with a clear note when hits and
// misses are missing (python-diskcache without statistics enabled, joblib, plain folders).
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
    // The text shown for a field ("entries", "bytes", "hits", "misses", "ratio",
    // "evictions") and the note.
    QString fieldText(const QString& field) const;
    QString noteText() const;

  private:
    QMap<QString, QLabel*> m_fields;
    QLabel* m_note;
};

}  // namespace twat_cache::ui
