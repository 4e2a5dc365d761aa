// A minimal RAII wrapper over one SQLite connection and its statements, for inspection.
//
// Connections are opened through a `file:` URI, read-only (`mode=ro` with
// SQLITE_OPEN_READONLY, and `PRAGMA query_only`) unless a change is wanted, with a short busy
// timeout so that a live cache being written by its owner makes us wait briefly and then report
// Busy rather than hang. Each page is one short statement: no long read transaction keeps the
// owner's WAL from checkpointing.
//
// Thread safety: a SqliteHandle and its statements belong to one thread at a time.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "twat_cache/status.h"

namespace twat_cache::detail {

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

class SqliteHandle {
  public:
    // Opens `file` (which must exist). `what` names the database in error messages.
    static Result<std::unique_ptr<SqliteHandle>> open(const std::filesystem::path& file,
                                                      bool readOnly, int busyTimeoutMs = 250);
    ~SqliteHandle();
    SqliteHandle(const SqliteHandle&) = delete;
    SqliteHandle& operator=(const SqliteHandle&) = delete;

    Result<SqliteStatement> prepare(std::string_view sql);
    Status exec(std::string_view sql);
    // Status for the last error, naming the database.
    Status error(std::string_view doing) const;
    const std::filesystem::path& file() const { return m_file; }
    std::int64_t changes() const { return sqlite3_changes64(m_db); }

  private:
    SqliteHandle(sqlite3* db, std::filesystem::path file) : m_db(db), m_file(std::move(file)) {}
    sqlite3* m_db;
    std::filesystem::path m_file;
};

}  // namespace twat_cache::detail
