// SavedTimeChart: the statistics panel's "Time saved per minute" chart.
//
// It draws what the periodic statistics samples of a source say of its time saved
// (SourceStats::savedNs, the compute time its hits avoided): each interval between two
// successive samples is one point, the time saved in it scaled to one minute of wall time, in
// the unit that suits the largest (ms, s or min saved per minute: "ms/min", "s/min",
// "min/min"). A counter that went down
// (the cache was cleared) counts from zero. A source that records no time saved (python-
// diskcache, joblib, plain folders, a Redis server without our caches) shows a note saying
// "not recorded" instead of a line of zeros.
//
// Thread safety: GUI thread only.
#pragma once

#include <QList>
#include <QPointF>
#include <QWidget>
#include <optional>

class QChartView;
class QLabel;
class QLineSeries;
class QValueAxis;

namespace twat_cache::ui {

class SavedTimeChart : public QWidget {
    Q_OBJECT

  public:
    struct Sample {
        qint64 atMs = 0;      // any monotonic milliseconds
        quint64 savedNs = 0;  // the source's time saved then
    };

    explicit SavedTimeChart(QWidget* parent = nullptr);

    // Shows `samples` (oldest first). `recorded`: whether the source records its time saved;
    // nullopt while its statistics are not known (nothing is shown).
    void setSamples(const QList<Sample>& samples, std::optional<bool> recorded);

    // (seconds since the first sample, nanoseconds saved per minute), one point per sample
    // after the first.
    static QList<QPointF> pointsOf(const QList<Sample>& samples);
    QList<QPointF> points() const { return pointsOf(m_samples); }
    // The line above the chart: why there is no chart (not recorded), or that it fills in
    // while fewer than two samples were taken; empty while it draws.
    QString noteText() const;
    bool chartShown() const;
    // The value axis's title ("ms/min", "s/min", "min/min"), for tests.
    QString unitText() const;

  private:
    void redraw();

    QLabel* m_note;
    QChartView* m_view;
    QLineSeries* m_series = nullptr;
    QValueAxis* m_x = nullptr;
    QValueAxis* m_y = nullptr;
    QList<Sample> m_samples;
    std::optional<bool> m_recorded;
};

}  // namespace twat_cache::ui
