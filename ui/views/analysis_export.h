// Writing an analysis out of the inspector: the report as JSON (the very document of
// `twat-cache analyze --json`, written by the core's analysisJson()), the namespace tree as
// CSV, and a picture as PNG.
//
// Thread safety: pure functions (the PNG one grabs a widget: GUI thread only).
#pragma once

#include <QString>
#include <chrono>

#include "twat_cache/analysis.h"

class QWidget;

namespace twat_cache::ui {

// The namespace tree flattened, one line a node in tree order after a header:
// prefix,depth,keys,bytes,share,other — `share` the node's part of all bytes (0 to 1, four
// decimals), `other` whether it is a bucket of folded prefixes; RFC 4180 quoting.
QString analysisCsv(const ::twat_cache::AnalysisReport& report);

// Each writes the file at `path` whole or not at all (QSaveFile); empty on success, else why
// not in words.
QString writeAnalysisJson(const QString& path, const ::twat_cache::AnalysisReport& report,
                          const QString& source, std::chrono::microseconds budget);
QString writeAnalysisCsv(const QString& path, const ::twat_cache::AnalysisReport& report);
QString writeWidgetPng(const QString& path, QWidget* widget);

}  // namespace twat_cache::ui
