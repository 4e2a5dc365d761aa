// The python-diskcache source: a Cache directory (cache.db) or a FanoutCache (shard folders
// 000, 001, ... each a Cache), shown as one cache.
//
// Reads the diskcache 5.x schema: the Settings table (count, size, hits, misses,
// statistics) and the Cache table (rowid, key, raw, store_time, expire_time, access_time,
// access_count, tag, size, mode, filename, value). Keys and values are rendered with the
// non-executing pickle reader. Listing is rowid-ordered with LIMIT, one short statement per
// page on a read-only connection; deletion uses a separate read-write connection, short
// write transactions per batch, and removes spilled value files only inside the folder.
//
// Thread safety: one thread at a time (see Source).
#pragma once

#include <memory>

#include "twat_cache/inspect.h"

namespace twat_cache::detail {

Result<std::unique_ptr<Source>> openDiskcacheSource(const SourceInfo& info,
                                                    const OpenOptions& options);

// Whether `db` is a diskcache database (it has Settings and Cache tables).
bool looksLikeDiskcacheDb(const std::filesystem::path& db);

}  // namespace twat_cache::detail
