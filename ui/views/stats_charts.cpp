#include "views/stats_charts.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QLineSeries>
#include <QValueAxis>

namespace twat_cache::ui {
namespace {

QChart* makeChart(const QString& title) {
    auto* chart = new QChart;
    chart->setTitle(title);
    chart->legend()->hide();
    chart->setMargins(QMargins(2, 2, 2, 2));
    chart->setBackgroundRoundness(0);
    return chart;
}

// A chart view that asks only for its minimum height: in the panel's scroll area (whose
// wrapped notes make it size the page by its preferred height) the charts then share the
// height there is, and scroll only below that minimum.
class CompactChartView : public QChartView {
  public:
    using QChartView::QChartView;
    QSize sizeHint() const override { return {QChartView::sizeHint().width(), minimumHeight()}; }
};

QChartView* makeView(QChart* chart, const char* objectName, QWidget* parent) {
    auto* view = new CompactChartView(chart, parent);
    view->setObjectName(QString::fromLatin1(objectName));
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(170);
    return view;
}

}  // namespace

QChartView* makeBarChart(const QString& title, const QStringList& labels, const char* objectName,
                         QWidget* parent, QBarSet** set, QValueAxis** yAxis) {
    QChart* chart = makeChart(title);
    *set = new QBarSet(title);
    for (int i = 0; i < labels.size(); ++i) **set << 0;
    auto* series = new QBarSeries;
    series->append(*set);
    chart->addSeries(series);
    auto* x = new QBarCategoryAxis;
    x->append(labels);
    QFont small = x->labelsFont();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    x->setLabelsFont(small);
    x->setLabelsAngle(-90);
    chart->addAxis(x, Qt::AlignBottom);
    series->attachAxis(x);
    *yAxis = new QValueAxis;
    (*yAxis)->setLabelFormat(QStringLiteral("%.0f"));
    (*yAxis)->setRange(0, 1);
    chart->addAxis(*yAxis, Qt::AlignLeft);
    series->attachAxis(*yAxis);
    return makeView(chart, objectName, parent);
}

QChartView* makeLineChart(const QString& title, const QString& yTitle, const char* objectName,
                          QWidget* parent, QLineSeries** series, QValueAxis** x, QValueAxis** y) {
    QChart* chart = makeChart(title);
    *series = new QLineSeries;
    chart->addSeries(*series);
    *x = new QValueAxis;
    (*x)->setTitleText(QObject::tr("seconds"));
    (*x)->setLabelFormat(QStringLiteral("%.0f"));
    (*x)->setRange(0, 60);
    chart->addAxis(*x, Qt::AlignBottom);
    (*series)->attachAxis(*x);
    *y = new QValueAxis;
    (*y)->setTitleText(yTitle);
    (*y)->setLabelFormat(QStringLiteral("%.0f"));
    chart->addAxis(*y, Qt::AlignLeft);
    (*series)->attachAxis(*y);
    return makeView(chart, objectName, parent);
}

double niceAxisMax(double value) {
    return value <= 4.0 ? 4.0 : value * 1.15;
}

}  // namespace twat_cache::ui
