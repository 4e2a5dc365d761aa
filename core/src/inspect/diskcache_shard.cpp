// DiskcacheShard: counters, sizes and deletion of one diskcache database (see the header).
#include "inspect/diskcache_shard.h"

#include <algorithm>

#include "inspect/path_guard.h"
#include "util/log_internal.h"

namespace twat_cache::detail {
namespace fs = std::filesystem;

namespace {

// Like diskcache's Disk.remove: the file, then its now-empty folders up to the cache's.
void removeFileAndEmptyParents(const fs::path& root, const fs::path& file) {
    std::error_code ec;
    fs::remove(file, ec);
    const fs::path realRoot = fs::weakly_canonical(root, ec);
    for (fs::path dir = file.parent_path(); !dir.empty(); dir = dir.parent_path()) {
        if (fs::weakly_canonical(dir, ec) == realRoot || !fs::is_empty(dir, ec) || ec) break;
        if (!fs::remove(dir, ec)) break;
    }
}

// The first column of the single-row result of `sql`.
Result<std::int64_t> scalar(SqliteHandle& db, const std::string& sql) {
    auto st = db.prepare(sql);
    if (!st.ok()) return st.status();
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) return db.error(sql);
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

Result<std::uint64_t> entryBytes(Shard& shard) {
    auto version = scalar(*shard.db, "PRAGMA data_version");
    if (!version.ok()) return version.status().withContext(shard.dir.string());
    if (*version != shard.bytesVersion) {
        auto sum =
            scalar(*shard.db, std::string("SELECT COALESCE(SUM(") + kSizeExpr + "), 0) FROM Cache");
        if (!sum.ok()) return sum.status().withContext(shard.dir.string());
        shard.bytes = static_cast<std::uint64_t>(std::max<std::int64_t>(0, *sum));
        shard.bytesVersion = *version;
    }
    return shard.bytes;
}

Result<std::uint64_t> diskUse(Shard& shard) {
    auto settings = readSettings(shard);
    if (!settings.ok()) return settings.status();
    auto pages = scalar(*shard.db, "PRAGMA page_count");
    auto pageSize = scalar(*shard.db, "PRAGMA page_size");
    if (!pages.ok() || !pageSize.ok()) return shard.db->error("page count");
    return settings->size + static_cast<std::uint64_t>(*pages * *pageSize);
}

Status deleteInShard(Shard& shard, const std::vector<std::int64_t>& rowids,
                     Source::BatchOutcome& out) {
    if (!shard.writeDb) {
        auto db = SqliteHandle::open(shard.dir / "cache.db", false, 2000);
        if (!db.ok()) return db.status();
        shard.writeDb = std::move(*db);
    }
    SqliteHandle& db = *shard.writeDb;
    Status s = db.exec("BEGIN IMMEDIATE");
    if (!s.ok()) return s;
    auto sel =
        db.prepare(std::string("SELECT filename, ") + kSizeExpr + " FROM Cache WHERE rowid = ?1");
    auto del = db.prepare("DELETE FROM Cache WHERE rowid = ?1");
    if (!sel.ok() || !del.ok()) {
        db.exec("ROLLBACK");
        return db.error("prepare delete");
    }
    std::vector<fs::path> files;
    for (const auto rowid : rowids) {
        sel->reset();
        sel->bind(1, rowid);
        auto row = sel->step();
        if (!row.ok()) {
            db.exec("ROLLBACK");
            return row.status();
        }
        if (!*row) continue;  // gone since planning
        std::uint64_t freed = static_cast<std::uint64_t>(std::max<std::int64_t>(0, sel->int64(1)));
        if (!sel->isNull(0)) {
            const std::string name(sel->bytes(0));
            auto file = resolveInside(shard.dir, name);
            if (file.ok()) {
                files.push_back(*file);
            } else {
                freed = 0;  // the row goes, the file it names outside stays
                out.refused.push_back(file.status().message());
                logger().warn("diskcache {}: {}", shard.dir.string(), file.status().message());
            }
        }
        del->reset();
        del->bind(1, rowid);
        auto done = del->step();
        if (!done.ok()) {
            db.exec("ROLLBACK");
            return done.status();
        }
        out.deleted += static_cast<std::uint64_t>(db.changes());
        out.bytes += freed;
    }
    // The Settings count and size follow through diskcache's own triggers.
    s = db.exec("COMMIT");
    if (!s.ok()) {
        db.exec("ROLLBACK");
        return s;
    }
    for (const auto& f : files) removeFileAndEmptyParents(shard.dir, f);
    return {};
}

}  // namespace twat_cache::detail
