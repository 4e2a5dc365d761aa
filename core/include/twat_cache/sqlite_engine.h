// SqliteEngine: the disk cache engine (diskcache-like) and its engine-specific operations.
//
// One cache is one folder: a manifest `twat_cache.json`, a SQLite database `cache.db` in
// WAL mode, and `data/ab/cd/<key hex>.<nonce>.val` files holding values too large to keep
// inline. docs/FORMAT.md describes the layout. Values may be zstd-compressed (per entry
// flag); limits by items and bytes are enforced on set with the configured policy (fifo =
// least recently stored, lru, lfu, rr, none = refuse new entries when full); expired
// entries are removed lazily in bounded batches.
//
// Hit/miss counters and lru/lfu access stamps are kept in memory and written in batches
// (every SqliteOptions::flush_ops operations, every flush_interval, and on flush() or
// destruction), so a get never opens a write transaction by itself. The lru/lfu order
// therefore lags real use by at most one batch.
//
// Thread safety: an engine may be used from many threads at once; each call borrows a
// connection of its own from a small pool. Several processes may share one cache folder
// (SQLite locking; writers wait up to busy_timeout). An engine object must not be used
// across fork(): the child detects the fork and opens fresh connections, abandoning the
// parent's without closing them.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "twat_cache/config.h"
#include "twat_cache/engine.h"
#include "twat_cache/export.h"
#include "twat_cache/status.h"

namespace twat_cache {

// Tuning of the sqlite engine beyond CacheConfig. The defaults suit most caches.
struct SqliteOptions {
    // synchronous=FULL instead of NORMAL: a committed set survives a power loss, at the
    // price of an fsync per write. Either way a crash of the process loses nothing committed.
    bool durable = false;
    // Stored values (after compression) of at least this many bytes go to a file of their
    // own instead of a row. Measured on a dev machine: inline gets cost 17 us at 32 KiB,
    // 27 us at 64 KiB, 52 us at 128 KiB, spilled ones 13-21 us; spilled sets cost 0.3-1 ms
    // (file create + rename) against 65-160 us inline, hence 64 KiB.
    std::size_t spill_threshold = 64 * 1024;
    // How long a writer waits for another connection's lock before failing with Busy.
    std::chrono::milliseconds busy_timeout{10'000};
    // Batched counters and access stamps are written after this many operations...
    std::uint32_t flush_ops = 512;
    // ...or when this much time has passed since the oldest unwritten one (checked on the next
    // operation).
    std::chrono::milliseconds flush_interval{1000};
};

// What check() found (and, with fix, repaired).
struct SqliteCheckReport {
    bool integrity_ok = true;           // PRAGMA integrity_check said "ok"
    std::uint64_t orphan_files = 0;     // value files no row refers to
    std::uint64_t missing_files = 0;    // rows whose value file is gone or has the wrong size
    std::uint64_t bad_rows = 0;         // rows that break the schema's rules (bad key, path)
    bool totals_mismatch = false;       // the stored entry/byte totals disagreed with the rows
    bool fixed = false;                 // fix was requested and the problems were repaired
    std::vector<std::string> problems;  // readable descriptions (at most 100)

    // Whether nothing was found (after a fix, whether nothing was left).
    bool clean() const {
        return integrity_ok && orphan_files == 0 && missing_files == 0 && bad_rows == 0 &&
               !totals_mismatch;
    }
};

class TWAT_CACHE_EXPORT SqliteEngine : public Engine {
  public:
    // Removes every entry stored with `tag`; returns how many were removed.
    virtual Result<std::uint64_t> evictTag(std::string_view tag) = 0;
    // Checks the database (PRAGMA integrity_check), the stored totals and the value files.
    // With `fix`: deletes orphan files and rows whose file is missing, and rewrites the
    // totals. Holds the write lock while reconciling, so concurrent writers wait.
    virtual Result<SqliteCheckReport> check(bool fix) = 0;
    // The cache folder.
    virtual const std::filesystem::path& folder() const = 0;
};

// Opens (creating when missing) the sqlite cache in `config.folder`. Fails with a clear
// Status when the folder belongs to something else, the database is damaged (Corruption),
// the folder is not writable (PermissionDenied) or the disk refuses writes (IOError).
TWAT_CACHE_EXPORT Result<std::unique_ptr<SqliteEngine>> openSqliteCache(
    const ResolvedConfig& config, const SqliteOptions& options = {});

}  // namespace twat_cache
