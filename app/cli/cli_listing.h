// The entries of a listing on the command line: a table of the columns the source keeps
// (Source::columns) and their names for --json.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "twat_cache/inspect.h"

namespace twat_cache::cli {

// A key's table cell: a long key keeps its real length in view, though the table cuts cells.
std::string keyCell(const EntrySummary& e);

// The names of the columns `src` fills in (entryColumnName), in display order.
nlohmann::json columnsJson(const Source& src);

// One cell of a listing's table: times relative to `now`, a TTL as the time left ("no TTL",
// "expired").
std::string columnCell(const EntrySummary& e, EntryColumn column, std::int64_t now);

// Prints `entries` as a table of the columns `src` keeps; local sources add each entry's ID
// (a Redis key is its own ID).
void printListing(const Source& src, const std::vector<EntrySummary>& entries, std::int64_t now);

}  // namespace twat_cache::cli
