// Sources over our own persistent caches, found by their manifest (twat_cache.json):
// the sqlite engine's folder (cache.db + data/) and the files engine's (entries/ab/cd/<hex>.twc
// envelopes; headers are read for listings, totals come from a walk, counters from stats.json).
//
// Browsing opens the database read-only (`mode=ro`, short busy timeout) and runs one short
// statement per page, so a cache in use by its owner is never blocked for long. Changes go
// through the engine's own statements (sqlite_db.h: DELETE ... RETURNING, counters totals)
// in batched write transactions, so the cache's entry and byte totals stay exact; spilled
// value files are deleted after the commit, and only when they lie inside data/.
//
// Thread safety: one thread at a time (see Source).
#pragma once

#include <memory>

#include "twat_cache/inspect.h"

namespace twat_cache::detail {

Result<std::unique_ptr<Source>> openNativeSqliteSource(const SourceInfo& info,
                                                       const OpenOptions& options);

Result<std::unique_ptr<Source>> openNativeFilesSource(const SourceInfo& info,
                                                      const OpenOptions& options);

// Quick entry and byte totals of a native sqlite cache (for listings); nullopt fields when
// the database cannot be read.
void addNativeSqliteCounts(SourceInfo& info);

}  // namespace twat_cache::detail
