// Thin RAII layer over the SQLite C API, the one used by the sqlite engine and by inspection
// (native sqlite caches, python-diskcache): a connection that owns its cached prepared
// statements, ad-hoc statements, a scoped statement use that resets on exit, and the one
// mapping of SQLite result codes to Status values that name the database file.
//
// Thread safety: a Connection and its statements are used by one thread at a time (it is
// opened with SQLITE_OPEN_NOMUTEX); the engine's pool hands each connection to one caller at
// a time, and an inspector's worker thread owns its connections.
#pragma once

#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "twat_cache/status.h"

namespace twat_cache::detail {

// A Status for SQLite result code `rc` (primary or extended): Corruption for a damaged or
// foreign file, PermissionDenied for read-only / access errors (also a failed open or I/O
// whose system error is EACCES, EPERM or EROFS), Busy for lock timeouts, IOError otherwise.
// A database that is not there is never NotFound here (that would read as a cache miss);
// openExisting() checks for the file first. The message is "<what> <path>: <sqlite
// message>" (without the path when it is empty).
Status sqliteStatus(sqlite3* db, int rc, std::string_view what, const std::filesystem::path& path);

// The statements the engine prepares once per connection.
enum class Stmt : std::size_t {
    kGet,
    kContains,
    kInsert,
    kStamp,
    kAddTotals,
    kCullExpired,
    kDeleteKey,
    kNextExpiry,
    kVictimsFifo,
    kVictimsLru,
    kVictimsLfu,
    kVictimsRr,
    kVictimsCost,
    kCostInflate,
    kStampCost,
    kTouchCost,
    kTouch,
    kAddCounters,
    kReadCounters,
    kScan,
    kBegin,
    kCommit,
    kRollback,
    kCount,  // number of statements, not a statement
};

// A statement prepared for one use (inspection queries); finalized when destroyed.
class SqliteStatement {
  public:
    SqliteStatement() = default;
    explicit SqliteStatement(sqlite3_stmt* stmt) : m_stmt(stmt) {}
    // Binds (1-based) and steps. step() returns true while a row is available.
    void bind(int index, std::int64_t v) { sqlite3_bind_int64(m_stmt.get(), index, v); }
    void bind(int index, double v) { sqlite3_bind_double(m_stmt.get(), index, v); }
    void bindBlob(int index, std::string_view v) {
        sqlite3_bind_blob64(m_stmt.get(), index, v.data(), static_cast<sqlite3_uint64>(v.size()),
                            SQLITE_TRANSIENT);
    }
    Result<bool> step();
    void reset() {
        sqlite3_reset(m_stmt.get());
        sqlite3_clear_bindings(m_stmt.get());
    }

    int type(int col) const { return sqlite3_column_type(m_stmt.get(), col); }
    bool isNull(int col) const { return type(col) == SQLITE_NULL; }
    std::int64_t int64(int col) const { return sqlite3_column_int64(m_stmt.get(), col); }
    double real(int col) const { return sqlite3_column_double(m_stmt.get(), col); }
    // Bytes of a TEXT or BLOB column (valid until the next step).
    std::string_view bytes(int col) const;

  private:
    struct Finalize {
        void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
    };
    std::unique_ptr<sqlite3_stmt, Finalize> m_stmt;
};

class Connection {
  public:
    // Opens `path` read-write (creating it when missing), applies the connection pragmas.
    static Result<std::unique_ptr<Connection>> open(const std::filesystem::path& path, bool durable,
                                                    int busyTimeoutMs);
    // Opens an existing database `path` for inspection (NotFound when it is not a regular
    // file) through a file: URI, with a short busy timeout so that a live cache being written
    // by its owner makes us wait briefly and then report Busy rather than hang. `readOnly`:
    // mode=ro and PRAGMA query_only, so no statement of ours can change the file; else
    // read-write, never creating it.
    static Result<std::unique_ptr<Connection>> openExisting(const std::filesystem::path& path,
                                                            bool readOnly, int busyTimeoutMs = 250);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Forgets the handle without closing it. Used in a forked child: closing a parent's
    // connection there could disturb the parent's locks and WAL.
    void abandon() { m_db = nullptr; }

    sqlite3* db() const { return m_db; }
    const std::filesystem::path& path() const { return m_path; }

    // The cached prepared statement `id` (prepared on first use), reset and unbound.
    Result<sqlite3_stmt*> statement(Stmt id);
    // A statement prepared for one use.
    Result<SqliteStatement> prepare(std::string_view sql);
    // Runs SQL with no results (several statements allowed).
    Status exec(std::string_view sql, std::string_view what);
    Status error(int rc, std::string_view what) const {
        return sqliteStatus(m_db, rc, what, m_path);
    }
    // The Status of the connection's last error.
    Status lastError(std::string_view what) const {
        return error(sqlite3_extended_errcode(m_db), what);
    }
    // Rows changed by the last INSERT, UPDATE or DELETE.
    std::int64_t changes() const { return sqlite3_changes64(m_db); }

  private:
    Connection(sqlite3* db, std::filesystem::path path) : m_db(db), m_path(std::move(path)) {}

    sqlite3* m_db = nullptr;
    std::filesystem::path m_path;
    std::array<sqlite3_stmt*, static_cast<std::size_t>(Stmt::kCount)> m_statements{};
};

// Resets (and unbinds) a statement when the scope ends, so that a cached statement never
// holds a read transaction open between calls.
class StmtScope {
  public:
    explicit StmtScope(sqlite3_stmt* s) : m_stmt(s) {}
    ~StmtScope() {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }
    StmtScope(const StmtScope&) = delete;
    StmtScope& operator=(const StmtScope&) = delete;
    sqlite3_stmt* get() const { return m_stmt; }

  private:
    sqlite3_stmt* m_stmt;
};

// Binding and column helpers (bounds are the caller's business; they never throw).
inline int bindBlob(sqlite3_stmt* s, int i, const void* data, std::size_t n) {
    return sqlite3_bind_blob64(s, i, data, static_cast<sqlite3_uint64>(n), SQLITE_STATIC);
}
inline int bindText(sqlite3_stmt* s, int i, std::string_view t) {
    return sqlite3_bind_text64(s, i, t.data(), static_cast<sqlite3_uint64>(t.size()), SQLITE_STATIC,
                               SQLITE_UTF8);
}
inline std::string_view columnText(sqlite3_stmt* s, int i) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
    return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(s, i)))
             : std::string_view();
}
inline std::string_view columnBlob(sqlite3_stmt* s, int i) {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(s, i));
    return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(s, i)))
             : std::string_view();
}

}  // namespace twat_cache::detail
