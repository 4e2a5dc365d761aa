// DiskcacheShard: one python-diskcache database — a Cache, or one shard of a FanoutCache — as
// the diskcache source reads and changes it: the counters diskcache keeps in its Settings
// table, the sizes of its entries, its disk use, and deletion the way diskcache deletes.
//
// The size of an entry is the stored bytes of its value: the value file's size for a spilled
// value, else the inline value's length (kSizeExpr). It is what a listing shows, what plans
// preview and prune count, and, summed (entryBytes), what stats() reports as the cache's
// bytes; diskcache's own volume() (database pages plus value files) is diskUse().
//
// Thread safety: one thread at a time (the source's).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sqlite/sqlite_db.h"
#include "twat_cache/inspect.h"

namespace twat_cache::detail {

// SQL for the size of an entry of the Cache table (see above).
inline constexpr const char* kSizeExpr =
    "CASE WHEN filename IS NULL THEN COALESCE(length(CAST(value AS BLOB)), 0) ELSE size END";

struct Shard {
    std::string label;  // "" for a plain Cache, "000".. for FanoutCache shards
    std::filesystem::path dir;
    std::unique_ptr<Connection> db;       // read-only
    std::unique_ptr<Connection> writeDb;  // opened on first change
    // entryBytes() of the database as of `bytesVersion` (PRAGMA data_version; -1: none yet),
    // summed by a walk that started at `bytesAt` and worked for `bytesCost` in all.
    std::int64_t bytesVersion = -1;
    std::uint64_t bytes = 0;
    std::chrono::steady_clock::time_point bytesAt{};
    std::chrono::steady_clock::duration bytesCost{};
    // The byte sum under way (entryBytes() with a deadline goes on from here next time).
    struct BytesWalk {
        bool active = false;
        std::int64_t version = -1;  // data_version when it started
        std::int64_t afterRowid = 0;
        bool started = false;  // false: from the first row (rowids may be negative)
        std::uint64_t rows = 0, bytes = 0;
        std::chrono::steady_clock::time_point at{};
        std::chrono::steady_clock::duration cost{};
    } walk{};
};

// The counters diskcache keeps in a shard's Settings table.
struct ShardSettings {
    std::uint64_t count = 0, size = 0, hits = 0, misses = 0;
    bool statistics = false;
};

Result<ShardSettings> readSettings(Shard& shard);
// The sum of the entries' sizes. Summed again only when the database changed since the last
// sum (PRAGMA data_version), so that periodic statistics cost one pragma when idle. A sum
// that took longer than kSlowBytesSum (about a million rows) is not started again before ten
// times its own time has passed, so that a busy big cache does not keep its source's one
// thread summing (the figure then lags the cache by up to that long). The sum walks the rows
// in rowid chunks: with a `deadline` it stops after the chunk that passes it and goes on
// from there in the next call, returning the last finished sum meanwhile, or nullopt before
// the first (then `progress`, when given, is set to the rows summed so far).
inline constexpr std::chrono::milliseconds kSlowBytesSum{100};
Result<std::optional<std::uint64_t>> entryBytes(
    Shard& shard, std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt,
    std::uint64_t* progress = nullptr);
// diskcache's volume(): the database's pages plus its value files (Settings 'size').
Result<std::uint64_t> diskUse(Shard& shard);
// An entry's fingerprint (EntrySummary::fingerprint): its store time, exactly, and its size.
// diskcache stores a key again in the same row with a new store time.
std::string diskcacheFingerprint(double storeTime, std::int64_t size);

// A row a plan deletes, and its fingerprint then ("" deletes whatever the row holds).
struct RowToDelete {
    std::int64_t rowid = 0;
    std::string fingerprint;
};
// Deletes the rows (those still there and unchanged; a changed one is counted in
// `out.changed`) in one write transaction, then their value files inside the shard's folder;
// a file named outside is refused and reported in `out`.
Status deleteInShard(Shard& shard, const std::vector<RowToDelete>& rows, Source::BatchOutcome& out);

// Sets the expire_time of the row `row.rowid` to `expireTime` (seconds since the epoch, as
// diskcache keeps it; nullopt: never) in one write transaction, as diskcache's own touch()
// does. NotFound when the row is gone; Busy, nothing changed, when `row.fingerprint` is not
// empty and the row's differs (stored again since it was shown).
Status setExpireInShard(Shard& shard, const RowToDelete& row, std::optional<double> expireTime);

}  // namespace twat_cache::detail
