#include "views/saved_time_chart.h"

#include <QChartView>
#include <QLabel>
#include <QLineSeries>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>

#include "views/stats_charts.h"
#include "workers/display_text.h"

namespace twat_cache::ui {
namespace {

// A unit of the value axis: nanoseconds per unit and its title.
struct Unit {
    double ns;
    const char* title;
};

// The unit in which `topNs` (the largest point) reads as a number of at least 1.
Unit unitFor(double topNs) {
    if (topNs >= 60e9) return {60e9, QT_TR_NOOP("min/min")};
    if (topNs >= 1e9) return {1e9, QT_TR_NOOP("s/min")};
    return {1e6, QT_TR_NOOP("ms/min")};
}

}  // namespace

SavedTimeChart::SavedTimeChart(QWidget* parent) : QWidget(parent), m_note(new QLabel(this)) {
    setObjectName(QStringLiteral("savedTimeChart"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_note->setWordWrap(true);
    m_note->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_note->setObjectName(QStringLiteral("savedNote"));
    layout->addWidget(m_note);
    m_view =
        makeLineChart(tr("Time saved per minute"), {}, "savedChart", this, &m_series, &m_x, &m_y);
    m_series->setPointsVisible(true);  // one interval is a dot
    m_y->setLabelFormat(QStringLiteral("%g"));
    layout->addWidget(m_view, 1);
    redraw();
}

void SavedTimeChart::setSamples(const QList<Sample>& samples, std::optional<bool> recorded) {
    m_samples = samples;
    m_recorded = recorded;
    redraw();
}

QList<QPointF> SavedTimeChart::pointsOf(const QList<Sample>& samples) {
    QList<QPointF> points;
    for (qsizetype i = 1; i < samples.size(); ++i) {
        const Sample& a = samples.at(i - 1);
        const Sample& b = samples.at(i);
        const double x = static_cast<double>(b.atMs - samples.constFirst().atMs) / 1000.0;
        const double minutes = std::max(1e-6, static_cast<double>(b.atMs - a.atMs) / 60'000.0);
        const quint64 saved = b.savedNs >= a.savedNs ? b.savedNs - a.savedNs : b.savedNs;
        points.append({x, static_cast<double>(saved) / minutes});
    }
    return points;
}

QString SavedTimeChart::noteText() const {
    return m_note->text();
}

bool SavedTimeChart::chartShown() const {
    return !m_view->isHidden();
}

QString SavedTimeChart::unitText() const {
    return m_y->titleText();
}

void SavedTimeChart::redraw() {
    const bool recorded = m_recorded.value_or(false);
    m_view->setHidden(!recorded);
    // Without the chart, only the note's height: the note stays under the panel's others
    // rather than alone in the middle of the space the chart would take.
    setSizePolicy(QSizePolicy::Preferred, recorded ? QSizePolicy::Preferred : QSizePolicy::Maximum);
    m_note->setHidden(!m_recorded.has_value());
    if (!m_recorded) {
        m_note->clear();
        return;
    }
    if (!recorded) {
        m_note->setText(
            tr("Time saved per minute: not recorded (this cache keeps no compute "
               "times of its hits)."));
        return;
    }
    // The chart's title says what it is; the note only while there is nothing to draw yet.
    m_note->setText(m_samples.size() < 2
                        ? tr("Time saved per minute fills in while the window is open.")
                        : QString());
    m_note->setHidden(m_note->text().isEmpty());
    const QList<QPointF> perMinute = points();
    double top = 0;
    for (const QPointF& p : perMinute) top = std::max(top, p.y());
    const Unit unit = unitFor(top);
    QList<QPointF> scaled;
    scaled.reserve(perMinute.size());
    for (const QPointF& p : perMinute) scaled.append({p.x(), p.y() / unit.ns});
    m_series->replace(scaled);
    m_y->setTitleText(tr(unit.title));
    m_x->setRange(0, perMinute.isEmpty() ? 60.0 : std::max(1.0, perMinute.constLast().x()));
    m_x->applyNiceNumbers();
    m_y->setRange(0, niceAxisMax(top / unit.ns));
    m_y->applyNiceNumbers();
}

}  // namespace twat_cache::ui
