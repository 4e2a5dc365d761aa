// DiskcacheShard: counters, sizes and deletion of one diskcache database (see the header).
#include "inspect/diskcache_shard.h"

#include <algorithm>
#include <cstdio>

#include "inspect/contained_remover.h"
#include "inspect/pickle_reader.h"  // sanitizeUtf8
#include "util/log_internal.h"

namespace twat_cache::detail {
namespace fs = std::filesystem;

namespace {

// diskcache names value files "ab/cd/<28 hex digits>.val" (Disk.filename); anything else in
// the filename column is not a file this source may delete.
bool isDiskcacheValueName(std::string_view name) {
    auto hex = [](std::string_view t) {
        return std::all_of(t.begin(), t.end(), [](char ch) {
            return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
        });
    };
    return name.size() == 2 + 1 + 2 + 1 + 28 + 4 && name[2] == '/' && name[5] == '/' &&
           hex(name.substr(0, 2)) && hex(name.substr(3, 2)) && hex(name.substr(6, 28)) &&
           name.substr(34) == ".val";
}

// The first column of the single-row result of `sql`.
Result<std::int64_t> scalar(Connection& db, const std::string& sql) {
    auto st = db.prepare(sql);
    if (!st.ok()) return st.status();
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) return db.lastError(sql);
    return st->int64(0);
}

}  // namespace

Result<ShardSettings> readSettings(Shard& shard) {
    auto st = shard.db->prepare(
        "SELECT key, value FROM Settings WHERE key IN "
        "('count', 'size', 'hits', 'misses', 'statistics')");
    if (!st.ok()) return st.status();
    ShardSettings out;
    while (true) {
        auto row = st->step();
        if (!row.ok()) return row.status().withContext(shard.dir.string());
        if (!*row) break;
        const std::string_view key = st->bytes(0);
        const auto v = static_cast<std::uint64_t>(std::max<std::int64_t>(0, st->int64(1)));
        if (key == "count")
            out.count = v;
        else if (key == "size")
            out.size = v;
        else if (key == "hits")
            out.hits = v;
        else if (key == "misses")
            out.misses = v;
        else if (key == "statistics")
            out.statistics = v != 0;
    }
    return out;
}

namespace {

constexpr std::int64_t kBytesChunkRows = 65'536;

// Sums the next chunk of the walk; true when the walk has reached the last row.
Result<bool> sumChunk(Shard& shard) {
    Shard::BytesWalk& w = shard.walk;
    const std::string inner = std::string("SELECT rowid AS r, ") + kSizeExpr + " AS s FROM Cache" +
                              (w.started ? " WHERE rowid > ?1" : "") + " ORDER BY rowid LIMIT " +
                              std::to_string(kBytesChunkRows);
    const std::string sql = "SELECT COUNT(*), COALESCE(SUM(s), 0), MAX(r) FROM (" + inner + ")";
    auto st = shard.db->prepare(sql);
    if (!st.ok()) return st.status();
    if (w.started) st->bind(1, w.afterRowid);
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) return shard.db->lastError(sql);
    const std::int64_t rows = st->int64(0);
    if (rows > 0) {
        w.rows += static_cast<std::uint64_t>(rows);
        w.bytes += static_cast<std::uint64_t>(std::max<std::int64_t>(0, st->int64(1)));
        w.afterRowid = st->int64(2);
        w.started = true;
    }
    return rows < kBytesChunkRows;
}

}  // namespace

Result<std::optional<std::uint64_t>> entryBytes(
    Shard& shard, std::optional<std::chrono::steady_clock::time_point> deadline,
    std::uint64_t* progress) {
    using SteadyClock = std::chrono::steady_clock;
    auto version = scalar(*shard.db, "PRAGMA data_version");
    if (!version.ok()) return version.status().withContext(shard.dir.string());
    const std::optional<std::uint64_t> known =
        shard.bytesVersion >= 0 ? std::optional<std::uint64_t>(shard.bytes) : std::nullopt;
    Shard::BytesWalk& w = shard.walk;
    if (!w.active) {
        const auto now = SteadyClock::now();
        const bool slow = shard.bytesCost >= kSlowBytesSum;
        if (*version == shard.bytesVersion ||
            (slow && now - shard.bytesAt < 10 * shard.bytesCost)) {
            return known;
        }
        w = Shard::BytesWalk{};
        w.active = true;
        w.version = *version;
        w.at = now;
    }
    while (true) {
        const auto t0 = SteadyClock::now();
        auto last = sumChunk(shard);
        const auto t1 = SteadyClock::now();
        w.cost += t1 - t0;
        if (!last.ok()) {
            w.active = false;
            return last.status().withContext(shard.dir.string());
        }
        if (*last) break;
        if (deadline && t1 >= *deadline) {
            if (progress != nullptr) *progress = w.rows;
            return known;
        }
    }
    // A change during the walk shows as a data_version newer than w.version: summed again.
    w.active = false;
    shard.bytes = w.bytes;
    shard.bytesVersion = w.version;
    shard.bytesAt = w.at;
    shard.bytesCost = w.cost;
    return std::optional<std::uint64_t>(shard.bytes);
}

Result<std::uint64_t> diskUse(Shard& shard) {
    auto settings = readSettings(shard);
    if (!settings.ok()) return settings.status();
    auto pages = scalar(*shard.db, "PRAGMA page_count");
    auto pageSize = scalar(*shard.db, "PRAGMA page_size");
    if (!pages.ok() || !pageSize.ok()) return shard.db->lastError("page count");
    return settings->size + static_cast<std::uint64_t>(*pages * *pageSize);
}

std::string diskcacheFingerprint(double storeTime, std::int64_t size) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%a:%lld", storeTime, static_cast<long long>(size));
    return buf;
}

namespace {

Status openWriteDb(Shard& shard) {
    if (shard.writeDb) return {};
    auto db = Connection::openExisting(shard.dir / "cache.db", false, 2000);
    if (!db.ok()) return db.status();
    shard.writeDb = std::move(*db);
    return {};
}

}  // namespace

Status setExpireInShard(Shard& shard, const RowToDelete& row, std::optional<double> expireTime) {
    if (Status s = openWriteDb(shard); !s.ok()) return s;
    Connection& db = *shard.writeDb;
    if (Status s = db.exec("BEGIN IMMEDIATE", "cannot start a write transaction on"); !s.ok()) {
        return s;
    }
    const auto fail = [&db](Status s) {
        db.exec("ROLLBACK", "cannot roll back");
        return s;
    };
    auto sel = db.prepare(std::string("SELECT ") + kSizeExpr +
                          ", COALESCE(store_time, 0) FROM Cache WHERE rowid = ?1");
    if (!sel.ok()) return fail(sel.status());
    sel->bind(1, row.rowid);
    auto found = sel->step();
    if (!found.ok()) return fail(found.status());
    if (!*found) return fail(Status::notFound("the entry is gone (deleted, expired or culled)"));
    if (!row.fingerprint.empty() &&
        diskcacheFingerprint(sel->real(1), sel->int64(0)) != row.fingerprint) {
        return fail(Status::busy(
            "the entry was stored again since it was shown: its expiry was not changed"));
    }
    auto update = db.prepare("UPDATE Cache SET expire_time = ?2 WHERE rowid = ?1");
    if (!update.ok()) return fail(update.status());
    update->bind(1, row.rowid);
    if (expireTime) update->bind(2, *expireTime);  // unbound: NULL, never expires
    if (auto done = update->step(); !done.ok()) return fail(done.status());
    if (Status s = db.exec("COMMIT", "cannot commit to"); !s.ok()) return fail(s);
    return {};
}

Status deleteInShard(Shard& shard, const std::vector<RowToDelete>& rows,
                     Source::BatchOutcome& out) {
    if (Status s = openWriteDb(shard); !s.ok()) return s;
    Connection& db = *shard.writeDb;
    Status s = db.exec("BEGIN IMMEDIATE", "cannot start a write transaction on");
    if (!s.ok()) return s;
    auto sel = db.prepare(std::string("SELECT filename, ") + kSizeExpr +
                          ", COALESCE(store_time, 0) FROM Cache WHERE rowid = ?1");
    auto del = db.prepare("DELETE FROM Cache WHERE rowid = ?1");
    if (!sel.ok() || !del.ok()) {
        db.exec("ROLLBACK", "cannot roll back");
        return db.lastError("prepare delete");
    }
    std::vector<std::string> files;
    for (const auto& [rowid, fingerprint] : rows) {
        sel->reset();
        sel->bind(1, rowid);
        auto row = sel->step();
        if (!row.ok()) {
            db.exec("ROLLBACK", "cannot roll back");
            return row.status();
        }
        if (!*row) continue;  // gone since planning
        if (!fingerprint.empty() &&
            diskcacheFingerprint(sel->real(2), sel->int64(1)) != fingerprint) {
            ++out.changed;  // stored again since the preview: not what the user saw
            continue;
        }
        std::uint64_t freed = static_cast<std::uint64_t>(std::max<std::int64_t>(0, sel->int64(1)));
        if (!sel->isNull(0)) {
            std::string name(sel->bytes(0));
            if (isDiskcacheValueName(name)) {
                files.push_back(std::move(name));
            } else {
                // The row goes; the file it names stays: it may be the database itself, or
                // anything outside the cache.
                freed = 0;
                const std::string why = "value file name '" + sanitizeUtf8(name) +
                                        "' is not one diskcache makes (ab/cd/<hex>.val): the "
                                        "file was left in place";
                out.refused.push_back(why);
                logger().warn("diskcache {}: {}", shard.dir.string(), why);
            }
        }
        del->reset();
        del->bind(1, rowid);
        auto done = del->step();
        if (!done.ok()) {
            db.exec("ROLLBACK", "cannot roll back");
            return done.status();
        }
        out.deleted += static_cast<std::uint64_t>(db.changes());
        out.bytes += freed;
    }
    // The Settings count and size follow through diskcache's own triggers.
    s = db.exec("COMMIT", "cannot commit to");
    if (!s.ok()) {
        db.exec("ROLLBACK", "cannot roll back");
        return s;
    }
    // Like diskcache's Disk.remove: the file, then its now-empty folders up to the cache's;
    // through directory descriptors, so a swapped-in symlink is never followed.
    ContainedRemover remover(shard.dir);
    for (const auto& name : files) {
        auto removed = remover.removeFile(name, true);
        if (!removed.ok()) out.refused.push_back(removed.status().message());
    }
    return {};
}

}  // namespace twat_cache::detail
