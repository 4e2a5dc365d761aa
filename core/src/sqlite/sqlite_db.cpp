// SQLite connection, statement cache and error mapping (see sqlite_db.h). The SQL of every
// cached statement lives here, beside the enum that names it.
#include "sqlite/sqlite_db.h"

#include <cerrno>

#include "sqlite/sqlite_vfs.h"

namespace twat_cache::detail {

namespace fs = std::filesystem;

namespace {

// Bytes an entry counts for: its stored value plus its key text (in bytes, not characters).
#define TWAT_ENTRY_BYTES "size + length(CAST(key_text AS BLOB))"

constexpr std::array<const char*, static_cast<std::size_t>(Stmt::kCount)> kSql = {
    // kGet
    "SELECT type_tag, flags, created, expires, value, filename, size, compute_ns FROM entries"
    " WHERE key = ?1",
    // kContains
    "SELECT expires FROM entries WHERE key = ?1",
    // kInsert (fails on an existing key: set() then deletes the old row and inserts again)
    "INSERT INTO entries(key, key_text, type_tag, flags, created, expires, size, tag,"
    " value, filename, compute_ns) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    // kStamp: the access row of a new entry, written only by lru/lfu engines (schema 3: a
    // trigger would make every writer pay for a row that fifo, rr and none never read).
    "INSERT OR REPLACE INTO access(key, accessed, access_count) VALUES(?1, ?2, 0)",
    // kAddTotals
    // (no RETURNING: it costs a set about 2 us; the new totals are read with kReadCounters)
    "UPDATE counters SET count = count + ?1, bytes = bytes + ?2 WHERE id = 0",
    // kCullExpired
    "DELETE FROM entries WHERE rowid IN (SELECT rowid FROM entries WHERE expires > 0 AND"
    " expires <= ?1 LIMIT ?2) RETURNING " TWAT_ENTRY_BYTES ", filename",
    // kDeleteKey
    "DELETE FROM entries WHERE key = ?1 RETURNING " TWAT_ENTRY_BYTES ", filename",
    // kNextExpiry: the earliest expiry stored, from the partial index (NULL: none).
    "SELECT min(expires) FROM entries WHERE expires > 0",
    // kVictimsFifo: rowid order is store order (a set deletes the old row and inserts a new
    // one, which gets max(rowid) + 1), so no index on `created` is needed.
    "DELETE FROM entries WHERE rowid IN (SELECT rowid FROM entries WHERE key <> ?1 ORDER BY"
    " rowid LIMIT ?2) RETURNING " TWAT_ENTRY_BYTES ", filename",
    // kVictimsLru
    "DELETE FROM entries WHERE key IN (SELECT key FROM access WHERE key <> ?1 ORDER BY"
    " accessed LIMIT ?2) RETURNING " TWAT_ENTRY_BYTES ", filename",
    // kVictimsLfu
    "DELETE FROM entries WHERE key IN (SELECT key FROM access WHERE key <> ?1 ORDER BY"
    " access_count, accessed LIMIT ?2) RETURNING " TWAT_ENTRY_BYTES ", filename",
    // kVictimsRr: rows from a random rowid on; an empty answer falls back to fifo.
    "DELETE FROM entries WHERE rowid IN (SELECT rowid FROM entries WHERE key <> ?1 AND rowid >="
    " (abs(random()) % (SELECT max(rowid) FROM entries)) LIMIT ?2) RETURNING " TWAT_ENTRY_BYTES
    ", filename",
    // kVictimsCost: the lowest cost priorities (schema 4; docs/ENGINES.md, policy cost).
    "DELETE FROM entries WHERE key IN (SELECT key FROM access WHERE key <> ?1 ORDER BY"
    " priority, accessed LIMIT ?2) RETURNING " TWAT_ENTRY_BYTES ", filename",
    // kCostInflate: L becomes the highest priority among the victims kVictimsCost is about to
    // take (same arguments), never lower than before.
    "INSERT OR REPLACE INTO meta(name, value) SELECT 'cost_inflation', max(coalesce((SELECT"
    " value FROM meta WHERE name = 'cost_inflation'), 0), coalesce(max(priority), 0)) FROM"
    " (SELECT priority FROM access WHERE key <> ?1 ORDER BY priority, accessed LIMIT ?2)",
    // kStampCost: a new entry's access row under policy cost: H = L + density (one use).
    "INSERT OR REPLACE INTO access(key, accessed, access_count, priority) VALUES(?1, ?2, 0,"
    " coalesce((SELECT value FROM meta WHERE name = 'cost_inflation'), 0) + ?3)",
    // kTouchCost: as kTouch, and H = L + (hits + 1) x density.
    "UPDATE access SET accessed = max(accessed, ?2), access_count = access_count + ?3,"
    " priority = coalesce((SELECT value FROM meta WHERE name = 'cost_inflation'), 0) +"
    " (access_count + ?3 + 1) * ?4 WHERE key = ?1",
    // kTouch
    // A small row of its own: the entry's row, with the value, is not rewritten.
    "UPDATE access SET accessed = max(accessed, ?2), access_count = access_count + ?3 WHERE"
    " key = ?1",
    // kAddCounters
    "UPDATE counters SET hits = hits + ?1, misses = misses + ?2, evictions = evictions + ?3,"
    " expirations = expirations + ?4, errors = errors + ?5, compute_ns = compute_ns + ?6,"
    " saved_ns = saved_ns + ?7 WHERE id = 0",
    // kReadCounters
    "SELECT hits, misses, evictions, expirations, errors, count, bytes, compute_ns, saved_ns"
    " FROM counters WHERE id = 0",
    // kScan
    "SELECT e.key, e.key_text, e.size, e.created, coalesce(a.accessed, e.created), e.expires,"
    " coalesce(a.access_count, 0), e.tag, e.compute_ns FROM entries AS e LEFT JOIN access AS a"
    " ON a.key = e.key WHERE e.key > ?1 ORDER BY e.key LIMIT ?2",
    // kBegin
    "BEGIN IMMEDIATE",
    // kCommit
    "COMMIT",
    // kRollback
    "ROLLBACK",
};

#undef TWAT_ENTRY_BYTES
// One SQL text per Stmt, in enum order: a missing one would leave a null slot.
static_assert(
    [] {
        for (const char* sql : kSql) {
            if (sql == nullptr) return false;
        }
        return true;
    }(),
    "kSql needs one statement per Stmt");

}  // namespace

Status sqliteStatus(sqlite3* db, int rc, std::string_view what, const fs::path& path) {
    std::string message(what);
    if (!path.empty()) message.append(" ").append(path.string());
    message.append(": ");
    message.append(db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    const int sysErr = db != nullptr ? sqlite3_system_errno(db) : 0;
    switch (rc & 0xff) {
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
        case SQLITE_FORMAT:
        case SQLITE_SCHEMA:
            return Status::corruption(std::move(message));
        case SQLITE_PERM:
        case SQLITE_READONLY:
        case SQLITE_AUTH:
            return Status::permissionDenied(std::move(message));
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return Status::busy(std::move(message));
        case SQLITE_CANTOPEN:
        case SQLITE_IOERR:
            if (sysErr == EACCES || sysErr == EPERM || sysErr == EROFS) {
                return Status::permissionDenied(std::move(message));
            }
            return Status::ioError(std::move(message));
        case SQLITE_FULL:
        default:
            return Status::ioError(std::move(message));
    }
}

Result<std::unique_ptr<Connection>> Connection::open(const fs::path& path, bool durable,
                                                     int busyTimeoutMs) {
    sqlite3* db = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    // The default VFS with WAL frame writes coalesced (sqlite_vfs.h): one write per frame.
    const int rc = sqlite3_open_v2(path.c_str(), &db, flags, coalescingVfsName());
    if (rc != SQLITE_OK) {
        Status s = sqliteStatus(db, rc, "cannot open", path);
        sqlite3_close(db);
        return s;
    }
    std::unique_ptr<Connection> conn(new Connection(db, path));
    sqlite3_extended_result_codes(db, 1);
    // A file the process may not write is opened read-only by SQLite without an error.
    if (sqlite3_db_readonly(db, "main") == 1) {
        return Status::permissionDenied("cannot open " + path.string() +
                                        " for writing (read-only file or folder)");
    }
    sqlite3_busy_timeout(db, busyTimeoutMs);
    // journal_mode is persistent in the file, so only the first opener pays for the switch.
    Status s = conn->exec("PRAGMA journal_mode = WAL", "cannot enable WAL on");
    if (!s.ok()) return s;
    s = conn->exec(durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
                   "cannot configure");
    if (!s.ok()) return s;
    // Spilled values live in files; the page cache only needs the index and small rows.
    // Reads go through a 64 MiB memory map, as diskcache's do: a get of a row with overflow
    // pages then needs no pread per page (4 KiB values: p50 6.0 -> 4.8 us, see
    // docs/BENCHMARKS.md). SQLite writes through the WAL either way; the map is read-only.
    s = conn->exec(
        "PRAGMA cache_size = -4096; PRAGMA temp_store = MEMORY; PRAGMA mmap_size = 67108864",
        "cannot configure");
    if (!s.ok()) return s;
    return conn;
}

namespace {

// Percent-encodes the characters that a file: URI gives meaning to.
std::string uriPath(const fs::path& p) {
    std::string out;
    for (const char c : p.string()) {
        if (c == '%' || c == '?' || c == '#') {
            static constexpr char kHex[] = "0123456789ABCDEF";
            const auto u = static_cast<unsigned char>(c);
            out.push_back('%');
            out.push_back(kHex[u >> 4]);
            out.push_back(kHex[u & 0xF]);
        } else {
            out.push_back(c);
        }
    }
    return out;
}

}  // namespace

Result<std::unique_ptr<Connection>> Connection::openExisting(const fs::path& path, bool readOnly,
                                                             int busyTimeoutMs) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        return Status::notFound("no database file " + path.string());
    const std::string uri = "file:" + uriPath(path) + (readOnly ? "?mode=ro" : "?mode=rw");
    sqlite3* db = nullptr;
    const int flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_URI |
                      SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(uri.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
        Status s = sqliteStatus(db, rc, "cannot open", path);
        sqlite3_close(db);
        return s;
    }
    std::unique_ptr<Connection> conn(new Connection(db, path));
    sqlite3_busy_timeout(db, busyTimeoutMs);
    sqlite3_extended_result_codes(db, 1);
    if (readOnly) {
        // mode=ro already refuses writes to the file; query_only also refuses them at the
        // statement level, so no code path of ours can change a cache it only reads.
        sqlite3_exec(db, "PRAGMA query_only = 1", nullptr, nullptr, nullptr);
    }
    return conn;
}

Connection::~Connection() {
    if (m_db == nullptr) return;
    for (sqlite3_stmt* s : m_statements) sqlite3_finalize(s);
    sqlite3_close_v2(m_db);
}

Result<sqlite3_stmt*> Connection::statement(Stmt id) {
    sqlite3_stmt*& slot = m_statements[static_cast<std::size_t>(id)];
    if (slot == nullptr) {
        const int rc = sqlite3_prepare_v3(m_db, kSql[static_cast<std::size_t>(id)], -1,
                                          SQLITE_PREPARE_PERSISTENT, &slot, nullptr);
        if (rc != SQLITE_OK) {
            sqlite3_finalize(slot);
            slot = nullptr;
            return error(rc, "cannot prepare a statement on");
        }
    }
    return slot;
}

Result<SqliteStatement> Connection::prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    const int rc =
        sqlite3_prepare_v2(m_db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        return error(rc, "cannot prepare a statement on");
    }
    return SqliteStatement(stmt);
}

Result<bool> SqliteStatement::step() {
    const int rc = sqlite3_step(m_stmt.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return sqliteStatus(sqlite3_db_handle(m_stmt.get()), rc, "cannot read", {});
}

std::string_view SqliteStatement::bytes(int col) const {
    const void* p = type(col) == SQLITE_BLOB ? sqlite3_column_blob(m_stmt.get(), col)
                                             : sqlite3_column_text(m_stmt.get(), col);
    const int n = sqlite3_column_bytes(m_stmt.get(), col);
    if (p == nullptr || n <= 0) return {};
    return {static_cast<const char*>(p), static_cast<std::size_t>(n)};
}

Status Connection::exec(std::string_view sql, std::string_view what) {
    const std::string text(sql);
    const int rc = sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return error(rc, what);
    return {};
}

}  // namespace twat_cache::detail
