// The sqlite engine: open, get/set/erase/contains and the batching of counters.
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <bit>
#include <chrono>
#include <random>

#include "format/manifest.h"
#include "sqlite/sqlite_engine_impl.h"
#include "sqlite/sqlite_txn.h"
#include "util/engine_factories.h"
#include "util/fs_util.h"
#include "util/log_internal.h"
#include "util/zstd_util.h"

namespace twat_cache {

namespace fs = std::filesystem;
using detail::Connection;
using detail::Stmt;
using detail::StmtScope;

namespace detail {

namespace {

// getpid() is a system call (about 140 ns on the benchmark machine) and the fork check runs
// twice per operation, so the pid is read once per process: the first call in a process
// reads it, and a pthread_atfork handler refreshes it in the child of every later fork()
// (the handler runs in the child before fork() returns).
pid_t processId() {
    static std::atomic<pid_t> pid{::getpid()};
    static const bool registered = ::pthread_atfork(nullptr, nullptr, [] {
                                       pid.store(::getpid(), std::memory_order_relaxed);
                                   }) == 0;
    return registered ? pid.load(std::memory_order_relaxed) : ::getpid();
}

bool hasLimits(const ResolvedConfig& c) {
    return c.maxsize != 0 || c.max_bytes != 0;
}

const char* policyIndexSql(Policy policy) {
    switch (policy) {
        case Policy::kLru:
            return "CREATE INDEX IF NOT EXISTS access_lru ON access(accessed)";
        case Policy::kLfu:
            return "CREATE INDEX IF NOT EXISTS access_lfu ON access(access_count, accessed)";
        case Policy::kCost:
            return "CREATE INDEX IF NOT EXISTS access_cost ON access(priority, accessed)";
        case Policy::kFifo:  // evicts in rowid order (schema 3)
        case Policy::kRr:
        case Policy::kNone:
            break;
    }
    return nullptr;
}

constexpr const char* kSchemaSql = R"sql(
CREATE TABLE meta(name TEXT PRIMARY KEY NOT NULL, value) WITHOUT ROWID;
CREATE TABLE counters(
    id INTEGER PRIMARY KEY CHECK (id = 0),
    hits INTEGER NOT NULL DEFAULT 0, misses INTEGER NOT NULL DEFAULT 0,
    evictions INTEGER NOT NULL DEFAULT 0, expirations INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    count INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT 0,
    compute_ns INTEGER NOT NULL DEFAULT 0, saved_ns INTEGER NOT NULL DEFAULT 0);
INSERT INTO counters(id) VALUES(0);
CREATE TABLE entries(
    key BLOB PRIMARY KEY NOT NULL,
    key_text TEXT NOT NULL,
    type_tag INTEGER NOT NULL,
    flags INTEGER NOT NULL,
    created INTEGER NOT NULL,
    expires INTEGER NOT NULL,
    size INTEGER NOT NULL,
    tag TEXT,
    value BLOB,
    filename TEXT,
    compute_ns INTEGER);
CREATE INDEX entries_expires ON entries(expires) WHERE expires > 0;
CREATE INDEX entries_tag ON entries(tag) WHERE tag IS NOT NULL;
CREATE TABLE access(
    key BLOB PRIMARY KEY NOT NULL,
    accessed INTEGER NOT NULL,
    access_count INTEGER NOT NULL,
    priority REAL NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE TRIGGER entries_delete AFTER DELETE ON entries BEGIN
    DELETE FROM access WHERE key = old.key;
END;
INSERT INTO meta(name, value) VALUES('format', 'twat_cache'), ('engine', 'sqlite'),
    ('schema_version', 4);
PRAGMA user_version = 4;
)sql";

// Version 2 -> 3, in the write transaction that checked the version: the data is unchanged.
// The insert trigger and the fifo index cost every set a page write; lru/lfu engines now
// write the access row themselves and fifo evicts in rowid order.
constexpr const char* kMigrate2To3Sql = R"sql(
DROP TRIGGER IF EXISTS entries_insert;
DROP INDEX IF EXISTS entries_created;
INSERT OR REPLACE INTO meta(name, value) VALUES('schema_version', 3);
PRAGMA user_version = 3;
)sql";

// Version 3 -> 4: compute times (NULL for the entries stored before: not recorded), the
// counters of compute and saved time, and the priority column of policy cost.
constexpr const char* kMigrate3To4Sql = R"sql(
ALTER TABLE entries ADD COLUMN compute_ns INTEGER;
ALTER TABLE counters ADD COLUMN compute_ns INTEGER NOT NULL DEFAULT 0;
ALTER TABLE counters ADD COLUMN saved_ns INTEGER NOT NULL DEFAULT 0;
ALTER TABLE access ADD COLUMN priority REAL NOT NULL DEFAULT 0;
INSERT OR REPLACE INTO meta(name, value) VALUES('schema_version', 4);
PRAGMA user_version = 4;
)sql";

Result<std::int64_t> queryInt(Connection& conn, const char* sql) {
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v2(conn.db(), sql, -1, &s, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(s);
        return conn.error(rc, "cannot read");
    }
    rc = sqlite3_step(s);
    std::int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return conn.error(rc, "cannot read");
    return v;
}

// Schema 3: only lru/lfu engines write access rows. A writer of another policy leaves the
// meta row 'unstamped' (once per cache); the next lru/lfu opener stamps every entry that has
// no access row (accessed = created, count 0) and removes the marker, so that entries
// stored under fifo are not exempt from lru/lfu eviction later. Stamps are never needed for
// correctness: a missing row reads as accessed = created and eviction falls back to fifo.
Status markOrStampUnstamped(Connection& conn, const ResolvedConfig& config) {
    const bool tracking = config.policy == Policy::kLru || config.policy == Policy::kLfu ||
                          config.policy == Policy::kCost;
    auto marked = queryInt(conn, "SELECT count(*) FROM meta WHERE name = 'unstamped'");
    if (!marked.ok()) return marked.status();
    if (!tracking) {
        if (*marked != 0) return {};
        return conn.exec("INSERT OR IGNORE INTO meta(name, value) VALUES('unstamped', 1)",
                         "cannot write to");
    }
    if (*marked == 0) return {};
    WriteTxn txn(conn);
    if (Status s = txn.begin(); !s.ok()) return s;
    if (Status s = conn.exec(
            "INSERT OR IGNORE INTO access(key, accessed, access_count) SELECT key, created, 0"
            " FROM entries WHERE NOT EXISTS (SELECT 1 FROM access WHERE access.key ="
            " entries.key); DELETE FROM meta WHERE name = 'unstamped'",
            "cannot write access stamps to");
        !s.ok()) {
        return s;
    }
    return txn.commit();
}

}  // namespace

Status SqliteEngineImpl::ensureSchema(Connection& conn, const ResolvedConfig& config) {
    auto version = queryInt(conn, "PRAGMA user_version");
    if (!version.ok()) return version.status();
    if (*version > kSchemaVersion) {
        return Status::notSupported(conn.path().string() + " has schema version " +
                                    std::to_string(*version) + "; this build knows version " +
                                    std::to_string(kSchemaVersion) + " and will not modify it");
    }
    if (*version != 0 && *version < 2) {
        return Status::notSupported(
            conn.path().string() + " has schema version " + std::to_string(*version) +
            " (written by an older twat_cache); this build needs version " +
            std::to_string(kSchemaVersion) +
            " and will not convert it: remove the cache folder to start an empty cache");
    }
    if (*version < kSchemaVersion) {
        WriteTxn txn(conn);
        if (Status s = txn.begin(); !s.ok()) return s;
        version = queryInt(conn, "PRAGMA user_version");  // another process may have won
        if (!version.ok()) return version.status();
        if (*version == 2 || *version == 3) {
            auto tables = queryInt(conn,
                                   "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                                   "name IN ('meta', 'counters', 'entries', 'access')");
            if (!tables.ok()) return tables.status();
            if (*tables != 4) {
                return Status::corruption(conn.path().string() +
                                          " lacks the twat_cache tables (damaged database)");
            }
            if (*version == 2) {
                if (Status s = conn.exec(kMigrate2To3Sql, "cannot migrate to schema version 3");
                    !s.ok()) {
                    return s;
                }
            }
            if (Status s = conn.exec(kMigrate3To4Sql, "cannot migrate to schema version 4");
                !s.ok()) {
                return s;
            }
            logger().info("sqlite cache \"{}\": migrated {} from schema version {} to {}",
                          config.name, conn.path().string(), *version, kSchemaVersion);
        } else if (*version == 0) {
            auto objects = queryInt(conn, "SELECT count(*) FROM sqlite_master");
            if (!objects.ok()) return objects.status();
            if (*objects != 0) {
                return Status::corruption(conn.path().string() +
                                          " is a SQLite database of something else (tables but "
                                          "no twat_cache schema)");
            }
            if (Status s = conn.exec(kSchemaSql, "cannot create the schema in"); !s.ok()) return s;
        }
        if (Status s = txn.commit(); !s.ok()) return s;
    }
    auto tables = queryInt(conn,
                           "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                           "('meta', 'counters', 'entries', 'access')");
    if (!tables.ok()) return tables.status();
    auto counters = queryInt(conn, "SELECT count(*) FROM counters WHERE id = 0");
    if (*tables != 4 || !counters.ok() || *counters != 1) {
        return Status::corruption(conn.path().string() +
                                  " lacks the twat_cache tables (damaged database)");
    }
    if (Status s = markOrStampUnstamped(conn, config); !s.ok()) return s;
    if (hasLimits(config)) {
        if (const char* sql = policyIndexSql(config.policy)) {
            if (Status s = conn.exec(sql, "cannot create an index in"); !s.ok()) return s;
        }
    }
    return {};
}

SqliteEngineImpl::SqliteEngineImpl(ResolvedConfig config, SqliteOptions options,
                                   std::unique_ptr<Connection> first)
    : m_config(std::move(config)),
      m_options(options),
      m_dbPath(m_config.folder / "cache.db"),
      m_dataDir(m_config.folder / "data"),
      m_trackAccess(m_config.policy == Policy::kLru || m_config.policy == Policy::kLfu ||
                    m_config.policy == Policy::kCost),
      m_pid(processId()),
      m_flushSchedule(m_options.flush_ops, m_options.flush_interval) {
    m_idle.push_back(std::move(first));
}

SqliteEngineImpl::~SqliteEngineImpl() {
    Status s = flush();
    if (!s.ok())
        logger().warn("sqlite cache \"{}\": final flush failed: {}", m_config.name, s.toString());
    std::lock_guard lock(m_poolMutex);
    if (m_pid != processId()) {
        for (auto& c : m_idle) c->abandon();
    }
    m_idle.clear();
}

Capabilities SqliteEngineImpl::capabilities() const {
    Capabilities c;
    c.persistent = true;
    c.cross_process = true;
    c.ttl = true;
    c.tags = true;
    c.compression = true;
    c.policies = {Policy::kLru, Policy::kLfu,  Policy::kFifo,
                  Policy::kRr,  Policy::kCost, Policy::kNone};
    return c;
}

Result<SqliteEngineImpl::Lease> SqliteEngineImpl::acquire() {
    {
        std::lock_guard lock(m_poolMutex);
        const pid_t pid = processId();
        if (pid != m_pid) {
            // Forked: the parent's connections and counters are not ours.
            for (auto& c : m_idle) c->abandon();
            m_idle.clear();
            m_pid = pid;
            m_hits = m_misses = m_evictions = m_expirations = m_errors = 0;
            m_flushSchedule.restart();
            std::lock_guard accessLock(m_accessMutex);
            m_access.clear();
        }
        if (!m_idle.empty()) {
            std::unique_ptr<Connection> c = std::move(m_idle.back());
            m_idle.pop_back();
            return Lease(this, std::move(c));
        }
    }
    auto conn = Connection::open(m_dbPath, m_options.durable,
                                 static_cast<int>(m_options.busy_timeout.count()));
    if (!conn.ok()) return conn.status();
    return Lease(this, std::move(conn).value());
}

void SqliteEngineImpl::release(std::unique_ptr<Connection> conn) {
    std::lock_guard lock(m_poolMutex);
    if (m_pid != processId()) {
        conn->abandon();
        return;
    }
    m_idle.push_back(std::move(conn));
}

void SqliteEngineImpl::noteError(const Status& status) {
    m_errors.fetch_add(1, std::memory_order_relaxed);
    logger().warn("sqlite cache \"{}\": {}", m_config.name, status.toString());
}

Result<StoredValue> SqliteEngineImpl::get(const Key& key) {
    auto lease = acquire();
    if (!lease.ok()) {
        noteError(lease.status());
        return lease.status();
    }
    Connection& conn = **lease;
    auto stmt = conn.statement(Stmt::kGet);
    if (!stmt.ok()) {
        noteError(stmt.status());
        return stmt.status();
    }
    const auto blob = keyBlob(key);
    StoredValue out;
    std::int64_t flags = 0;
    std::int64_t size = 0;
    std::string filename;
    {
        StmtScope scope(*stmt);
        bindBlob(*stmt, 1, blob.data(), blob.size());
        const int rc = sqlite3_step(*stmt);
        if (rc == SQLITE_DONE) {
            m_misses.fetch_add(1, std::memory_order_relaxed);
            noteOp(conn);
            return Status::notFound("no entry");
        }
        if (rc != SQLITE_ROW) {
            Status s = conn.error(rc, "cannot read from");
            noteError(s);
            return s;
        }
        out.type_tag = std::bit_cast<std::uint64_t>(sqlite3_column_int64(*stmt, 0));
        flags = sqlite3_column_int64(*stmt, 1);
        out.created_ms = sqlite3_column_int64(*stmt, 2);
        out.expires_ms = sqlite3_column_int64(*stmt, 3);
        size = sqlite3_column_int64(*stmt, 6);
        if (sqlite3_column_type(*stmt, 7) != SQLITE_NULL) {
            out.compute_ns = static_cast<std::uint64_t>(
                std::max<std::int64_t>(0, sqlite3_column_int64(*stmt, 7)));
        }
        if (out.expires_ms != 0 && out.expires_ms <= m_config.clock->nowMs()) {
            m_misses.fetch_add(1, std::memory_order_relaxed);
            noteOp(conn);
            return Status::notFound("entry expired");
        }
        if ((flags & ~kKnownFlags) != 0) {
            Status s = Status::corruption(m_dbPath.string() + ": entry " + key.toHex() +
                                          " has unknown flags " + std::to_string(flags));
            noteError(s);
            return s;
        }
        if ((flags & kFlagSpilled) != 0) {
            filename = std::string(columnText(*stmt, 5));
        } else {
            out.payload = std::string(columnBlob(*stmt, 4));
        }
    }
    if ((flags & kFlagSpilled) != 0) {
        if (!isValidSpillName(filename)) {
            Status s = Status::corruption(m_dbPath.string() + ": entry " + key.toHex() +
                                          " names an invalid value file \"" + filename + "\"");
            noteError(s);
            return s;
        }
        auto data = readFile(spillPath(filename));
        if (!data.ok()) {
            Status s = data.status().isNotFound()
                           ? Status::corruption("value file " + spillPath(filename).string() +
                                                " of entry " + key.toHex() + " is missing")
                           : data.status();
            noteError(s);
            return s;
        }
        out.payload = std::move(data).value();
    }
    if (static_cast<std::int64_t>(out.payload.size()) != size) {
        Status s = Status::corruption(m_dbPath.string() + ": value of entry " + key.toHex() +
                                      " has " + std::to_string(out.payload.size()) +
                                      " bytes, expected " + std::to_string(size));
        noteError(s);
        return s;
    }
    if ((flags & kFlagZstd) != 0) {
        auto plain = zstdDecompress(out.payload, m_dbPath.string() + " entry " + key.toHex());
        if (!plain.ok()) {
            noteError(plain.status());
            return plain.status();
        }
        out.payload = std::move(plain).value();
    }
    m_hits.fetch_add(1, std::memory_order_relaxed);
    if (out.compute_ns) m_savedNs.fetch_add(*out.compute_ns, std::memory_order_relaxed);
    if (m_trackAccess) {
        const std::int64_t now = m_config.clock->nowMs();
        std::lock_guard lock(m_accessMutex);
        Access& a = m_access[key];
        a.accessed = std::max(a.accessed, now);
        a.count += 1;
        a.density = costDensity(out.compute_ns, size);
    }
    noteOp(conn);
    return out;
}

Result<bool> SqliteEngineImpl::contains(const Key& key) {
    auto lease = acquire();
    if (!lease.ok()) return lease.status();
    Connection& conn = **lease;
    auto stmt = conn.statement(Stmt::kContains);
    if (!stmt.ok()) return stmt.status();
    const auto blob = keyBlob(key);
    StmtScope scope(*stmt);
    bindBlob(*stmt, 1, blob.data(), blob.size());
    const int rc = sqlite3_step(*stmt);
    if (rc == SQLITE_DONE) return false;
    if (rc != SQLITE_ROW) return conn.error(rc, "cannot read from");
    const std::int64_t expires = sqlite3_column_int64(*stmt, 0);
    return expires == 0 || expires > m_config.clock->nowMs();
}

std::string SqliteEngineImpl::newSpillName(const Key& key) {
    // pid + counter + random: unique across threads, processes and forks, so that a file is
    // never replaced under a row that still names it.
    static std::atomic<std::uint64_t> counter{0};
    thread_local std::mt19937_64 rng{std::random_device{}()};
    char suffix[64];
    std::snprintf(suffix, sizeof(suffix), ".%x-%llx-%08llx.val", static_cast<unsigned>(::getpid()),
                  static_cast<unsigned long long>(counter.fetch_add(1, std::memory_order_relaxed)),
                  static_cast<unsigned long long>(rng() & 0xffffffffULL));
    const std::string hex = key.toHex();
    return hex.substr(0, 2) + "/" + hex.substr(2, 2) + "/" + hex + suffix;
}

void SqliteEngineImpl::removeFiles(const std::vector<std::string>& names) {
    for (const std::string& name : names) {
        if (!isValidSpillName(name)) continue;  // never delete outside data/
        Status s = removeFile(spillPath(name));
        if (!s.ok()) logger().warn("sqlite cache \"{}\": {}", m_config.name, s.toString());
    }
}

}  // namespace detail

namespace {

Result<std::unique_ptr<detail::SqliteEngineImpl>> openImpl(const ResolvedConfig& config,
                                                           const SqliteOptions& options) {
    if (config.name.empty() && config.folder.empty()) {
        return Status::invalidArgument("a sqlite cache needs a name");
    }
    auto manifest = detail::openCacheFolder(config, "sqlite");
    if (!manifest.ok()) return manifest.status();
    if (Status s = detail::createDirectories(config.folder / "data", config.secure); !s.ok()) {
        return s;
    }
    const fs::path dbPath = config.folder / "cache.db";
    if (config.secure) {
        // Create the file 0600 before SQLite does (its -wal and -shm files copy the mode).
        const int fd = ::open(dbPath.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0) return detail::statusFromErrno(errno, "cannot create", dbPath);
        ::close(fd);
    }
    auto conn =
        Connection::open(dbPath, options.durable, static_cast<int>(options.busy_timeout.count()));
    if (!conn.ok()) return conn.status();
    if (Status s = detail::SqliteEngineImpl::ensureSchema(**conn, config); !s.ok()) return s;
    return std::make_unique<detail::SqliteEngineImpl>(config, options, std::move(conn).value());
}

}  // namespace

Result<std::unique_ptr<SqliteEngine>> openSqliteCache(const ResolvedConfig& config,
                                                      const SqliteOptions& options) {
    auto engine = openImpl(config, options);
    if (!engine.ok()) return engine.status();
    return std::unique_ptr<SqliteEngine>(std::move(engine).value());
}

namespace detail {

Result<std::unique_ptr<Engine>> openSqliteEngine(const ResolvedConfig& config) {
    auto engine = openImpl(config, SqliteOptions{});
    if (!engine.ok()) return engine.status();
    return std::unique_ptr<Engine>(std::move(engine).value());
}

}  // namespace detail

}  // namespace twat_cache
