// The sqlite engine's whole-cache operations: clear, evictTag, size, stats, scan and check.
#include <sys/stat.h>

#include <set>
#include <system_error>

#include "sqlite/sqlite_engine_impl.h"
#include "sqlite/sqlite_txn.h"
#include "util/fs_util.h"
#include "util/log_internal.h"

namespace twat_cache::detail {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxProblems = 100;

// A statement prepared for one use (maintenance runs too rarely to cache them).
class OneShot {
  public:
    OneShot(Connection& conn, const char* sql) : m_conn(conn) {
        m_rc = sqlite3_prepare_v2(conn.db(), sql, -1, &m_stmt, nullptr);
    }
    ~OneShot() { sqlite3_finalize(m_stmt); }
    OneShot(const OneShot&) = delete;
    OneShot& operator=(const OneShot&) = delete;
    Status status() const {
        return m_rc == SQLITE_OK ? Status() : m_conn.error(m_rc, "cannot prepare a query on");
    }
    sqlite3_stmt* get() const { return m_stmt; }

  private:
    Connection& m_conn;
    sqlite3_stmt* m_stmt = nullptr;
    int m_rc = SQLITE_OK;
};

void addProblem(SqliteCheckReport& report, std::string text) {
    if (report.problems.size() < kMaxProblems) report.problems.push_back(std::move(text));
}

}  // namespace

Status SqliteEngineImpl::clear() {
    // The totals are reset rather than decremented, so a drifted total is repaired too.
    auto removed = deleteRows(TotalsUpdate::kReset, [&](Connection& conn, Removed& out) {
        OneShot q(conn, "DELETE FROM entries RETURNING 0, filename");
        if (Status s = q.status(); !s.ok()) return s;
        return collectRemoved(conn, q.get(), out);
    });
    if (!removed.ok()) return removed.status();
    std::lock_guard lock(m_accessMutex);
    m_access.clear();
    return {};
}

Result<std::uint64_t> SqliteEngineImpl::evictTag(std::string_view tag) {
    auto removed = deleteRows(TotalsUpdate::kSubtract, [&](Connection& conn, Removed& out) {
        OneShot q(conn,
                  "DELETE FROM entries WHERE tag = ?1 RETURNING size + "
                  "length(CAST(key_text AS BLOB)), filename");
        if (Status s = q.status(); !s.ok()) return s;
        bindText(q.get(), 1, tag);
        return collectRemoved(conn, q.get(), out);
    });
    if (!removed.ok()) return removed.status();
    return static_cast<std::uint64_t>(*removed);
}

Result<std::uint64_t> SqliteEngineImpl::size() {
    auto lease = acquire();
    if (!lease.ok()) return lease.status();
    Connection& conn = **lease;
    auto stmt = conn.statement(Stmt::kReadCounters);
    if (!stmt.ok()) return stmt.status();
    StmtScope scope(*stmt);
    const int rc = sqlite3_step(*stmt);
    if (rc != SQLITE_ROW) return conn.error(rc, "cannot read the totals of");
    return static_cast<std::uint64_t>(std::max<std::int64_t>(0, sqlite3_column_int64(*stmt, 5)));
}

Stats SqliteEngineImpl::stats() {
    Stats out;
    out.hits = m_hits.load(std::memory_order_relaxed);
    out.misses = m_misses.load(std::memory_order_relaxed);
    out.evictions = m_evictions.load(std::memory_order_relaxed);
    out.expirations = m_expirations.load(std::memory_order_relaxed);
    out.errors = m_errors.load(std::memory_order_relaxed);
    out.compute_ns = m_computeNs.load(std::memory_order_relaxed);
    out.saved_ns = m_savedNs.load(std::memory_order_relaxed);
    auto lease = acquire();
    if (!lease.ok()) {
        out.errors += 1;
        return out;
    }
    Connection& conn = **lease;
    auto stmt = conn.statement(Stmt::kReadCounters);
    if (!stmt.ok()) {
        out.errors += 1;
        return out;
    }
    StmtScope scope(*stmt);
    if (sqlite3_step(*stmt) != SQLITE_ROW) {
        out.errors += 1;
        return out;
    }
    auto col = [&](int i) {
        return static_cast<std::uint64_t>(
            std::max<std::int64_t>(0, sqlite3_column_int64(*stmt, i)));
    };
    out.hits += col(0);
    out.misses += col(1);
    out.evictions += col(2);
    out.expirations += col(3);
    out.errors += col(4);
    out.entries = col(5);
    out.bytes = col(6);
    out.compute_ns += col(7);
    out.saved_ns += col(8);
    return out;
}

Result<ScanPage> SqliteEngineImpl::scan(std::string_view cursor, std::size_t limit) {
    std::array<unsigned char, 16> after{};
    std::size_t afterSize = 0;
    if (!cursor.empty()) {
        auto key = Key::fromHex(cursor);
        if (!key.ok())
            return Status::invalidArgument("bad scan cursor \"" + std::string(cursor) + "\"");
        after = keyBlob(*key);
        afterSize = after.size();
    }
    auto lease = acquire();
    if (!lease.ok()) return lease.status();
    Connection& conn = **lease;
    auto stmt = conn.statement(Stmt::kScan);
    if (!stmt.ok()) return stmt.status();
    StmtScope scope(*stmt);
    // An empty blob sorts before every key, so "" starts at the beginning.
    bindBlob(*stmt, 1, after.data(), afterSize);
    sqlite3_bind_int64(*stmt, 2, static_cast<std::int64_t>(std::max<std::size_t>(limit, 1)));
    ScanPage page;
    for (;;) {
        const int rc = sqlite3_step(*stmt);
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) return conn.error(rc, "cannot scan");
        const std::string_view blob = columnBlob(*stmt, 0);
        if (blob.size() != 16) continue;  // a garbage row; check() reports it
        EntryInfo e;
        e.key = keyFromStoredBlob(blob);
        e.key_text = std::string(columnText(*stmt, 1));
        e.size =
            static_cast<std::uint64_t>(std::max<std::int64_t>(0, sqlite3_column_int64(*stmt, 2)));
        e.created_ms = sqlite3_column_int64(*stmt, 3);
        e.accessed_ms = sqlite3_column_int64(*stmt, 4);
        e.expires_ms = sqlite3_column_int64(*stmt, 5);
        e.hits =
            static_cast<std::uint64_t>(std::max<std::int64_t>(0, sqlite3_column_int64(*stmt, 6)));
        e.tag = std::string(columnText(*stmt, 7));
        if (sqlite3_column_type(*stmt, 8) != SQLITE_NULL) {
            e.compute_ns = static_cast<std::uint64_t>(
                std::max<std::int64_t>(0, sqlite3_column_int64(*stmt, 8)));
        }
        page.entries.push_back(std::move(e));
    }
    if (page.entries.size() >= std::max<std::size_t>(limit, 1)) {
        page.cursor = page.entries.back().key.toHex();
    }
    return page;
}

Status SqliteEngineImpl::checkFiles(Connection& conn, bool fix, SqliteCheckReport& report,
                                    std::vector<std::int64_t>& badRowids,
                                    std::vector<std::string>& toRemove) {
    std::set<std::string> referenced;
    {
        OneShot q(conn, "SELECT rowid, key, flags, size, filename, value IS NULL FROM entries");
        if (Status s = q.status(); !s.ok()) return s;
        for (;;) {
            const int rc = sqlite3_step(q.get());
            if (rc == SQLITE_DONE) break;
            if (rc != SQLITE_ROW) return conn.error(rc, "cannot read the entries of");
            const std::int64_t rowid = sqlite3_column_int64(q.get(), 0);
            const std::size_t keySize = columnBlob(q.get(), 1).size();
            const std::int64_t flags = sqlite3_column_int64(q.get(), 2);
            const std::int64_t size = sqlite3_column_int64(q.get(), 3);
            const std::string name(columnText(q.get(), 4));
            const bool valueNull = sqlite3_column_int(q.get(), 5) != 0;
            const bool spilled = (flags & kFlagSpilled) != 0;
            const bool rowOk = keySize == 16 && (flags & ~kKnownFlags) == 0 && size >= 0 &&
                               (spilled ? isValidSpillName(name) : (name.empty() && !valueNull));
            if (!rowOk) {
                report.bad_rows += 1;
                addProblem(report, "bad row " + std::to_string(rowid));
                badRowids.push_back(rowid);
                continue;
            }
            if (!spilled) continue;
            referenced.insert(name);
            struct stat st {};
            const fs::path path = spillPath(name);
            if (::stat(path.c_str(), &st) != 0 || st.st_size != size) {
                report.missing_files += 1;
                addProblem(report,
                           "value file " + path.string() + " is missing or has the wrong size");
                badRowids.push_back(rowid);
                toRemove.push_back(name);
            }
        }
    }
    // Files nobody refers to: left by a crash between writing a value and committing it, or
    // between committing a removal and deleting the file.
    std::error_code ec;
    fs::recursive_directory_iterator it(m_dataDir, ec);
    if (ec) return statusFromErrno(ec.value(), "cannot list", m_dataDir);
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) return statusFromErrno(ec.value(), "cannot list", m_dataDir);
        if (!it->is_regular_file(ec)) continue;
        const std::string rel = fs::relative(it->path(), m_dataDir, ec).generic_string();
        if (referenced.count(rel) != 0) continue;
        report.orphan_files += 1;
        addProblem(report, "orphan file " + it->path().string());
        if (fix) {
            // Temporary files have no valid spill name; they are removed here directly.
            Status s = removeFile(it->path());
            if (!s.ok()) return s;
        }
    }
    return {};
}

Result<SqliteCheckReport> SqliteEngineImpl::check(bool fix) {
    auto lease = acquire();
    if (!lease.ok()) return lease.status();
    Connection& conn = **lease;
    SqliteCheckReport report;
    {
        OneShot q(conn, "PRAGMA integrity_check(100)");
        if (Status s = q.status(); !s.ok()) {
            if (s.code() != StatusCode::kCorruption) return s;
            report.integrity_ok = false;
            addProblem(report, s.message());
            return report;
        }
        for (;;) {
            const int rc = sqlite3_step(q.get());
            if (rc == SQLITE_DONE) break;
            if (rc != SQLITE_ROW) {
                Status s = conn.error(rc, "cannot check");
                if (s.code() != StatusCode::kCorruption) return s;
                report.integrity_ok = false;
                addProblem(report, s.message());
                break;
            }
            const std::string_view line = columnText(q.get(), 0);
            if (line != "ok") {
                report.integrity_ok = false;
                addProblem(report, std::string(line));
            }
        }
    }
    if (!report.integrity_ok) return report;  // a damaged database is not repaired here

    std::vector<std::string> toRemove;
    std::vector<std::int64_t> badRowids;
    WriteTxn txn(conn);
    if (Status s = txn.begin(); !s.ok()) return s;
    if (Status s = checkFiles(conn, fix, report, badRowids, toRemove); !s.ok()) return s;
    {
        OneShot q(conn,
                  "SELECT count(*) = (SELECT count FROM counters WHERE id = 0) AND "
                  "coalesce(sum(size + length(CAST(key_text AS BLOB))), 0) = "
                  "(SELECT bytes FROM counters WHERE id = 0) FROM entries");
        if (Status s = q.status(); !s.ok()) return s;
        const int rc = sqlite3_step(q.get());
        if (rc != SQLITE_ROW) return conn.error(rc, "cannot count the entries of");
        if (sqlite3_column_int(q.get(), 0) == 0) {
            report.totals_mismatch = true;
            addProblem(report, "the stored entry and byte totals disagree with the entries");
        }
    }
    if (fix) {
        OneShot del(conn, "DELETE FROM entries WHERE rowid = ?1");
        if (Status s = del.status(); !s.ok()) return s;
        for (std::int64_t rowid : badRowids) {
            sqlite3_bind_int64(del.get(), 1, rowid);
            const int rc = sqlite3_step(del.get());
            sqlite3_reset(del.get());
            if (rc != SQLITE_DONE) return conn.error(rc, "cannot delete from");
        }
        if (Status s = conn.exec(
                "UPDATE counters SET count = (SELECT count(*) FROM entries), bytes = (SELECT "
                "coalesce(sum(size + length(CAST(key_text AS BLOB))), 0) FROM entries) WHERE id = "
                "0",
                "cannot update the totals of");
            !s.ok()) {
            return s;
        }
        // The triggers keep one access row per entry; a database edited by hand may not.
        if (Status s = conn.exec("DELETE FROM access WHERE key NOT IN (SELECT key FROM entries);"
                                 " INSERT INTO access(key, accessed, access_count) SELECT key,"
                                 " created, 0 FROM entries WHERE key NOT IN (SELECT key FROM"
                                 " access)",
                                 "cannot repair the access stamps of");
            !s.ok()) {
            return s;
        }
    }
    if (fix) {
        if (Status s = txn.commit(); !s.ok()) return s;
        removeFiles(toRemove);
        report.fixed = true;
    } else {
        txn.rollback();
    }
    return report;
}

}  // namespace twat_cache::detail
