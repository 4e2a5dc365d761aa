// The Analysis view's breakdown charts: keys and bytes per category (Redis type, time to
// live, age, tag) as horizontal bars of bytes, one bar per category, in Qt Charts as the
// Statistics panel's charts are.
//
// Thread safety: GUI thread only.
#pragma once

#include <QString>
#include <functional>
#include <map>
#include <string>

#include "twat_cache/analysis.h"

class QChartView;
class QTreeWidget;
class QWidget;

namespace twat_cache::ui {

// An empty breakdown chart titled `title`.
QChartView* makeBreakdownChart(const QString& title, const char* objectName, QWidget* parent);

// Shows `counts` in `view` (made by makeBreakdownChart), in `order` where it names a
// category (the others follow, largest first), each labelled by `label` (its name as the core gives
// it) and its key count.
void showBreakdown(QChartView* view,
                   const std::map<std::string, ::twat_cache::AnalysisCount>& counts,
                   const QStringList& order, const std::function<QString(const QString&)>& label);

// A table of the Analysis view (the largest keys, a cluster's masters, the value ranking):
// `headers`, the first column stretched and the others fitted to their contents.
QTreeWidget* makeAnalysisTable(const QStringList& headers, const char* objectName, QWidget* parent);

}  // namespace twat_cache::ui
