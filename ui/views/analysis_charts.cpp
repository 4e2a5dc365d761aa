#include "views/analysis_charts.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QHeaderView>
#include <QHorizontalBarSeries>
#include <QTreeWidget>
#include <QValueAxis>
#include <algorithm>

#include "workers/display_text.h"

namespace twat_cache::ui {
namespace {

// The binary unit that shows `bytes` with a few digits: its name and size.
std::pair<QString, double> unitFor(double bytes) {
    static const char* kUnits[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double size = 1;
    int i = 0;
    while (i < 4 && bytes >= size * 1024 * 4) {
        size *= 1024;
        ++i;
    }
    return {QString::fromLatin1(kUnits[i]), size};
}

}  // namespace

QChartView* makeBreakdownChart(const QString& title, const char* objectName, QWidget* parent) {
    auto* chart = new QChart;
    chart->setTitle(title);
    chart->legend()->hide();
    chart->setMargins(QMargins(2, 2, 2, 2));
    chart->setBackgroundRoundness(0);
    auto* view = new QChartView(chart, parent);
    view->setObjectName(QString::fromLatin1(objectName));
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(140);
    return view;
}

void showBreakdown(QChartView* view,
                   const std::map<std::string, ::twat_cache::AnalysisCount>& counts,
                   const QStringList& order, const std::function<QString(const QString&)>& label) {
    QChart* chart = view->chart();
    chart->removeAllSeries();
    for (QAbstractAxis* axis : chart->axes()) {
        chart->removeAxis(axis);
        delete axis;
    }
    QStringList names;
    for (const QString& name : order) {
        if (counts.count(name.toStdString()) != 0) names << name;
    }
    QStringList rest;
    for (const auto& [name, count] : counts) {
        const QString text = QString::fromStdString(name);
        if (!names.contains(text)) rest << text;
    }
    std::stable_sort(rest.begin(), rest.end(), [&](const QString& a, const QString& b) {
        return counts.at(a.toStdString()).bytes > counts.at(b.toStdString()).bytes;
    });
    names << rest;
    double largest = 0;
    for (const auto& [name, count] : counts) largest = std::max(largest, double(count.bytes));
    const auto [unit, size] = unitFor(largest);
    auto* set = new QBarSet(QObject::tr("bytes"));
    QStringList labels;
    // Horizontal bars run bottom-up: the first category goes last, to be read at the top.
    for (auto it = names.crbegin(); it != names.crend(); ++it) {
        const auto& count = counts.at(it->toStdString());
        *set << static_cast<double>(count.bytes) / size;
        labels << QStringLiteral("%1<br>%2 · %3")
                      .arg(label(*it).toHtmlEscaped(),
                           countText(count.keys, QObject::tr("key"), QObject::tr("keys")),
                           bytesText(count.bytes));
    }
    auto* series = new QHorizontalBarSeries;
    series->append(set);
    chart->addSeries(series);
    auto* categories = new QBarCategoryAxis;
    categories->append(labels);
    chart->addAxis(categories, Qt::AlignLeft);
    series->attachAxis(categories);
    auto* values = new QValueAxis;
    values->setTitleText(unit);
    values->setLabelFormat(QStringLiteral("%g"));
    values->setRange(0, std::max(1.0, largest / size * 1.15));
    values->applyNiceNumbers();
    chart->addAxis(values, Qt::AlignBottom);
    series->attachAxis(values);
}

QTreeWidget* makeAnalysisTable(const QStringList& headers, const char* objectName,
                               QWidget* parent) {
    auto* table = new QTreeWidget(parent);
    table->setObjectName(QString::fromLatin1(objectName));
    table->setRootIsDecorated(false);
    table->setHeaderLabels(headers);
    table->setAlternatingRowColors(true);
    table->header()->setStretchLastSection(false);
    table->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    for (int c = 1; c < headers.size(); ++c)
        table->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    return table;
}

}  // namespace twat_cache::ui
