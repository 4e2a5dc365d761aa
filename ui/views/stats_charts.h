// The small line and bar charts of the statistics panel (Qt Charts), made alike: a titled
// chart without legend, in a view that asks only for its minimum height, so that in a scroll
// area the charts share the height there is.
//
// Thread safety: GUI thread only.
#pragma once

#include <QString>
#include <QStringList>

class QBarSet;
class QChartView;
class QLineSeries;
class QValueAxis;
class QWidget;

namespace twat_cache::ui {

// A line chart over "seconds" with a value axis titled `yTitle`; returns its series and axes
// (owned by the chart, which the view owns).
QChartView* makeLineChart(const QString& title, const QString& yTitle, const char* objectName,
                          QWidget* parent, QLineSeries** series, QValueAxis** x, QValueAxis** y);

// A bar chart of `labels` with one bar set; returns the set and its value axis. The labels
// stand upright under the bars: side by side, the labels of a chart as narrow as the
// statistics dock would be elided to "…" (Qt Charts gives each label its bar's width).
QChartView* makeBarChart(const QString& title, const QStringList& labels, const char* objectName,
                         QWidget* parent, QBarSet** set, QValueAxis** yAxis);

// The top of a count axis: at least 4, so that its five ticks fall on whole numbers (a 0..1
// axis labelled "%.0f" would read 0 0 0 1 1).
double niceAxisMax(double value);

}  // namespace twat_cache::ui
