// WriteTxn: a BEGIN IMMEDIATE transaction that rolls back unless committed.
//
// IMMEDIATE takes the write lock up front, so two writers never deadlock upgrading a read
// lock; a writer waits up to the connection's busy timeout for the lock.
//
// Thread safety: used by the one thread holding the connection.
#pragma once

#include "sqlite/sqlite_db.h"
#include "sqlite/sqlite_vfs.h"

namespace twat_cache::detail {

class WriteTxn {
  public:
    explicit WriteTxn(Connection& conn) : m_conn(conn) {}
    ~WriteTxn() {
        if (m_open) rollback();
    }
    WriteTxn(const WriteTxn&) = delete;
    WriteTxn& operator=(const WriteTxn&) = delete;

    Status begin() { return run(Stmt::kBegin, "cannot start a write transaction on", true); }
    Status commit() {
        if (Status s = run(Stmt::kCommit, "cannot commit to", false); !s.ok()) return s;
        const int rc = flushWalWrites(m_conn.db());
        if (rc != SQLITE_OK) return m_conn.error(rc, "cannot write the log of");
        return {};
    }
    void rollback() {
        if (!m_open) return;
        m_open = false;
        auto stmt = m_conn.statement(Stmt::kRollback);
        if (stmt.ok()) {
            StmtScope scope(*stmt);
            sqlite3_step(*stmt);
        }
    }

  private:
    Status run(Stmt id, const char* what, bool opening) {
        auto stmt = m_conn.statement(id);
        if (!stmt.ok()) return stmt.status();
        StmtScope scope(*stmt);
        const int rc = sqlite3_step(*stmt);
        if (rc != SQLITE_DONE) return m_conn.error(rc, what);
        m_open = opening;
        return {};
    }

    Connection& m_conn;
    bool m_open = false;
};

}  // namespace twat_cache::detail
