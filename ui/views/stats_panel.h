// StatsPanel: a source's statistics.
//
//   Counters tab: entries, bytes, hits, misses, hit ratio, evictions, compute time and time
//   saved (each "not recorded" when the source does not keep it, with a clear note when hits
//   and misses are missing: python-diskcache without statistics, joblib, plain folders), then
//   three charts drawn from the periodic samples the window takes while it is open: the hit
//   ratio per interval (an interval without lookups has no ratio: a gap in the line), lookups
//   (hits + misses) per second, and time saved per minute (SavedTimeChart). The samples are kept
//   per source while the panel lives, so going back to a source shows its charts again. Entries
//   tab: of the entries loaded so far, a size histogram, expiry (TTL) buckets and the largest
//   entries, with a caption that says exactly which entries they cover (the first N of the list;
//   all of them once the list is complete; the largest of the cache when the list is sorted by
//   size, largest first).
//
// The panel never asks a source for anything: the window feeds it samples (recordSample)
// and loaded rows (addEntries). Redrawing the entry charts waits for a short timer, so a
// fast scroll costs one redraw per pause rather than one per page.
//
// Thread safety: GUI thread only.
#pragma once

#include <QList>
#include <QMap>
#include <QPointF>
#include <QWidget>
#include <optional>

#include "views/entry_distribution.h"
#include "workers/source_types.h"

class QLabel;
class QTabWidget;
class QTimer;
class QTreeWidget;
class QChartView;
class QLineSeries;
class QBarSet;
class QValueAxis;

namespace twat_cache::ui {

class EntriesModel;
class SavedTimeChart;

class StatsPanel : public QWidget {
    Q_OBJECT

  public:
    // Samples kept for the time charts (10 minutes at one sample every 2 s).
    static constexpr int kMaxSamples = 300;

    explicit StatsPanel(QWidget* parent = nullptr);

    // Shows `stats`'s counters (not a chart sample).
    void setStats(const SourceStats& stats);
    // Shows `stats` and adds a sample taken at `atMs` (any monotonic milliseconds) to the
    // history of the shown source.
    void recordSample(qint64 atMs, const SourceStats& stats);
    // Empties the counters and shows `message` instead (loading, an error, no source).
    void showMessage(const QString& message);
    // Shows the source `key` (any stable text; empty: no source, and the panel asks to
    // select one): its samples so far, "Loading…" until its counters arrive, no entries.
    void showSource(const QString& key);
    QString sourceKey() const { return m_sourceKey; }
    // Drops the samples of the source `key` (it was removed).
    void forgetSource(const QString& key);
    // Forgets the shown source's samples and the loaded entries.
    void resetHistory();
    void clearEntries();
    // Counts rows that were just loaded; expiry relative to `nowMs` (Unix ms).
    void addEntries(const QList<EntryRow>& rows, qint64 nowMs);
    // What the loaded rows are of `model`'s listing (complete, filtered, sorted by size), for
    // the caption of the Entries tab.
    void setCoverage(const EntriesModel& model);
    // The Entries tab's caption and the title of its "largest" list.
    QString entriesCaption() const;
    QString largestTitle() const;

    // The text shown for a field ("entries", "bytes", "hits", "misses", "ratio",
    // "evictions", "compute", "saved") and the note.
    QString fieldText(const QString& field) const;
    QString noteText() const;
    // The line above the charts ("12 samples", why there are no charts, ...).
    QString timeNoteText() const;
    // Chart points: (seconds since the first sample, hit ratio in %) for each interval with
    // lookups, as runs of consecutive such intervals (each drawn as one line; the intervals
    // without lookups between runs are gaps); and (seconds, lookups per second), one point per
    // sample after the first.
    QList<QList<QPointF>> ratioSegments() const;
    QList<QPointF> ratioPoints() const;  // every run's points, in order
    QList<QPointF> opsPoints() const;
    int sampleCount() const { return static_cast<int>(m_samples.size()); }
    bool timeChartsShown() const;
    const EntryDistribution& distribution() const { return m_distribution; }
    const SavedTimeChart& savedChart() const { return *m_savedChart; }
    // Shows the Counters (0) or Entries (1) tab, e.g. for a screenshot.
    void showTab(int index);

  private:
    struct Sample {
        qint64 atMs = 0;
        quint64 hits = 0;
        quint64 misses = 0;
        std::optional<quint64> savedNs{};  // nullopt: not recorded
    };

    QWidget* buildCountersTab();
    QWidget* buildEntriesTab();
    void redrawTimeCharts();
    void redrawSavedChart();
    void redrawEntryCharts();

    QTabWidget* m_tabs;
    QMap<QString, QLabel*> m_fields;
    QLabel* m_note;
    QLabel* m_timeNote;
    QChartView* m_ratioView = nullptr;
    QChartView* m_opsView = nullptr;
    QList<QLineSeries*> m_ratioSeries;  // one per run of the ratio line; never fewer than one
    QLineSeries* m_opsSeries = nullptr;
    QValueAxis* m_ratioX = nullptr;
    QValueAxis* m_ratioY = nullptr;
    QValueAxis* m_opsX = nullptr;
    QValueAxis* m_opsY = nullptr;
    SavedTimeChart* m_savedChart = nullptr;
    // Whether the shown source records its time saved; nullopt: no statistics shown.
    std::optional<bool> m_savedRecorded;
    QList<Sample> m_samples;                 // of the shown source
    QMap<QString, QList<Sample>> m_history;  // of the other sources, by key
    QString m_sourceKey;
    // Whether the shown counters include hits and misses; nullopt: no counters shown.
    std::optional<bool> m_countersTracked;
    bool m_countersRefused = false;  // the server refused to show them (no INFO)

    EntryDistribution m_distribution;
    QLabel* m_entriesCaption;
    QBarSet* m_sizeSet = nullptr;
    QBarSet* m_ttlSet = nullptr;
    QValueAxis* m_sizeY = nullptr;
    QValueAxis* m_ttlY = nullptr;
    QTreeWidget* m_largest;
    QTimer* m_redrawTimer;
    // What the loaded rows cover (setCoverage).
    bool m_complete = false;
    bool m_filtered = false;
    std::optional<quint64> m_total;
    bool m_canSortBySize = false;
    int m_sizeOrder = 0;  // 0: not sorted by size; 1: smallest first; -1: largest first
};

}  // namespace twat_cache::ui
