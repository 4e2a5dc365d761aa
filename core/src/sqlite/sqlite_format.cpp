// The sqlite cache format shared by the engine and inspection (see sqlite_format.h).
#include "sqlite/sqlite_format.h"

#include <memory>

#include "sqlite/sqlite_txn.h"

namespace twat_cache::detail {

namespace fs = std::filesystem;

// Big-endian hi then lo, so that blob order is toHex() order.
std::array<unsigned char, 16> keyBlob(const Key& k) {
    std::array<unsigned char, 16> b{};
    for (std::size_t i = 0; i < 8; ++i) {
        b[i] = static_cast<unsigned char>(k.hi >> (56 - 8 * i));
        b[8 + i] = static_cast<unsigned char>(k.lo >> (56 - 8 * i));
    }
    return b;
}

Key keyFromStoredBlob(std::string_view b) {
    Key k;
    for (std::size_t i = 0; i < 8; ++i) {
        k.hi = (k.hi << 8) | static_cast<unsigned char>(b[i]);
        k.lo = (k.lo << 8) | static_cast<unsigned char>(b[8 + i]);
    }
    return k;
}

bool isValidSpillName(std::string_view name) {
    auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
    if (name.size() < 10 || name.size() > 200) return false;
    if (!hex(name[0]) || !hex(name[1]) || name[2] != '/' || !hex(name[3]) || !hex(name[4]) ||
        name[5] != '/') {
        return false;
    }
    if (name.substr(name.size() - 4) != ".val" || name.find("..") != std::string_view::npos) {
        return false;
    }
    for (char c : name.substr(6, name.size() - 10)) {
        if (!hex(c) && c != '.' && c != '-') return false;
    }
    return true;
}

Result<SqliteCacheFile> openSqliteCacheFile(const fs::path& folder) {
    const fs::path file = folder / "cache.db";
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) {
        return Status::notFound("no sqlite cache database at " + file.string());
    }
    auto conn = Connection::openExisting(file, true);
    if (!conn.ok()) return conn.status();
    SqliteCacheFile out;
    {
        auto st = (*conn)->prepare(
            "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
            "('meta', 'counters', 'entries')), (SELECT user_version FROM pragma_user_version), "
            "(SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'access')");
        if (!st.ok()) return Status::corruption("not a readable sqlite cache: " + file.string());
        auto row = st->step();
        if (!row.ok() || !*row || st->int64(0) != 3) {
            return Status::corruption(
                "not a twat_cache sqlite database (no meta, counters and entries tables): " +
                file.string());
        }
        out.newer_schema = st->int64(1) > kSchemaVersion;
        out.access_table = st->int64(2) != 0;
        out.compute_columns = st->int64(1) >= 4;
    }
    out.conn = std::move(*conn);
    return out;
}

std::string rowFingerprint(std::int64_t rowid, std::int64_t created) {
    return std::to_string(rowid) + ":" + std::to_string(created);
}

Result<RemovedEntries> deleteEntriesByKey(Connection& conn, const std::vector<std::string>& keys,
                                          const std::vector<std::string>& fingerprints) {
    RemovedEntries removed;
    WriteTxn txn(conn);
    if (Status s = txn.begin(); !s.ok()) return s;
    {
        auto stmt = conn.statement(Stmt::kDeleteKey);
        if (!stmt.ok()) return stmt.status();
        sqlite3_stmt* rawCheck = nullptr;
        const int prc = sqlite3_prepare_v2(
            conn.db(), "SELECT rowid, created FROM entries WHERE key = ?1", -1, &rawCheck, nullptr);
        std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> check(rawCheck, sqlite3_finalize);
        if (prc != SQLITE_OK) return conn.error(prc, "cannot read the entries of");
        for (std::size_t i = 0; i < keys.size(); ++i) {
            const std::string& blob = keys[i];
            if (i < fingerprints.size() && !fingerprints[i].empty()) {
                // In the same write transaction: nothing can store the key in between.
                StmtScope checkScope(check.get());
                bindBlob(check.get(), 1, blob.data(), blob.size());
                const int rc = sqlite3_step(check.get());
                if (rc == SQLITE_DONE) continue;  // gone since the preview
                if (rc != SQLITE_ROW) return conn.error(rc, "cannot read the entries of");
                if (rowFingerprint(sqlite3_column_int64(check.get(), 0),
                                   sqlite3_column_int64(check.get(), 1)) != fingerprints[i]) {
                    ++removed.changed;
                    continue;
                }
            }
            StmtScope scope(*stmt);
            bindBlob(*stmt, 1, blob.data(), blob.size());
            for (;;) {
                const int rc = sqlite3_step(*stmt);
                if (rc == SQLITE_DONE) break;
                if (rc != SQLITE_ROW) return conn.error(rc, "cannot delete from");
                ++removed.count;
                removed.bytes += sqlite3_column_int64(*stmt, 0);
                if (sqlite3_column_type(*stmt, 1) != SQLITE_NULL) {
                    removed.files.emplace_back(columnText(*stmt, 1));
                }
            }
        }
    }
    if (removed.count != 0) {
        auto stmt = conn.statement(Stmt::kAddTotals);
        if (!stmt.ok()) return stmt.status();
        StmtScope scope(*stmt);
        sqlite3_bind_int64(*stmt, 1, -removed.count);
        sqlite3_bind_int64(*stmt, 2, -removed.bytes);
        int rc = SQLITE_ROW;
        while (rc == SQLITE_ROW) rc = sqlite3_step(*stmt);
        if (rc != SQLITE_DONE) return conn.error(rc, "cannot update the totals of");
    }
    if (Status s = txn.commit(); !s.ok()) return s;
    return removed;
}

}  // namespace twat_cache::detail
