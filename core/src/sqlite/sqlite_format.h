// The on-disk format of a sqlite cache (docs/FORMAT.md), as the engine and inspection both
// read it: entry flags, the schema version, the 16-byte key blob, spill file names, the
// read-only open of an existing cache and the deletion of entries by key. The engine
// (sqlite_engine_impl.h) and the inspector (inspect/native_sqlite_source.cpp) go through this
// header rather than one another.
//
// Thread safety: free functions without shared state; a Connection is the caller's, used by
// one thread at a time.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sqlite/sqlite_db.h"
#include "twat_cache/key.h"
#include "twat_cache/status.h"

namespace twat_cache::detail {

// Entry flags (the `flags` column).
inline constexpr std::int64_t kFlagZstd = 1;     // the stored value is one zstd frame
inline constexpr std::int64_t kFlagSpilled = 2;  // the value is in data/<filename>
inline constexpr std::int64_t kKnownFlags = kFlagZstd | kFlagSpilled;
// 2: access stamps moved from `entries` to the small `access` table (see docs/FORMAT.md).
// 3: no insert trigger (only lru/lfu writers stamp new entries), fifo evicts in rowid order
//    without the `entries_created` index. Version 2 files are migrated in place on open.
// 4: compute times: entries.compute_ns, counters.compute_ns and saved_ns, access.priority
//    (policy cost) and the meta row 'cost_inflation'. Versions 2 and 3 are migrated on open.
inline constexpr int kSchemaVersion = 4;

// Whether `name` is a spill file name this engine could have written ("ab/cd/<...>.val",
// lower-case hex, dots and dashes only, no "..").
bool isValidSpillName(std::string_view name);

// The 16-byte `key` column: hi then lo, big-endian, so blob order is Key::toHex() order.
std::array<unsigned char, 16> keyBlob(const Key& key);
// The inverse of keyBlob; `blob` must hold 16 bytes.
Key keyFromStoredBlob(std::string_view blob);

// An existing cache's database, opened for reading.
struct SqliteCacheFile {
    std::unique_ptr<Connection> conn;  // read-only (mode=ro, query_only)
    bool newer_schema = false;         // written by a newer build: read, never change
    bool access_table = false;         // schema >= 2: access stamps in the `access` table
    bool compute_columns = false;      // schema >= 4: entries.compute_ns, counters.saved_ns
};

// Opens `folder`/cache.db read-only and checks that it is one of ours: NotFound without the
// file, Corruption without the meta, counters and entries tables.
Result<SqliteCacheFile> openSqliteCacheFile(const std::filesystem::path& folder);

// An entry's fingerprint (EntrySummary::fingerprint): its row and creation time. Storing a
// key again replaces its row (a new rowid, a new time; the rowid alone may be reused).
std::string rowFingerprint(std::int64_t rowid, std::int64_t created);

// What deleteEntriesByKey removed.
struct RemovedEntries {
    std::uint64_t changed = 0;  // rows kept: their fingerprint no longer matched
    std::int64_t count = 0;
    std::int64_t bytes = 0;          // as the engine counts them (value + key text)
    std::vector<std::string> files;  // spill names of the removed rows, not yet deleted
};

// Deletes the rows whose 16-byte key blobs are `keys` and subtracts them from the totals, in
// one write transaction on `conn` (a read-write connection). With `fingerprints` (one per
// key; "" for none), a row is deleted only while it still has its fingerprint. The caller
// deletes the spill files afterwards (checking each with isValidSpillName).
Result<RemovedEntries> deleteEntriesByKey(Connection& conn, const std::vector<std::string>& keys,
                                          const std::vector<std::string>& fingerprints = {});

}  // namespace twat_cache::detail
