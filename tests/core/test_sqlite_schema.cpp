// The sqlite engine's schema versions, against real SQLite files: a version-2 cache (built
// here from the version-2 schema SQL, as the engine of that version wrote it) is migrated
// in place to version 3, then 4, on open and keeps every entry, its totals and its access stamps; a
// newer version is refused and left untouched; schema 3 writes access rows only for lru/lfu
// and evicts fifo in store order.
#include <sqlite3.h>

#include <QtTest>

#include "sqlite_test_util.h"
#include "test_support.h"

using namespace twat_cache;
using namespace twat_cache::test;
namespace fs = std::filesystem;

namespace {

// The schema a version-2 engine created (kept verbatim: it is the fixture's definition).
constexpr const char* kVersion2Sql = R"sql(
CREATE TABLE meta(name TEXT PRIMARY KEY NOT NULL, value) WITHOUT ROWID;
CREATE TABLE counters(
    id INTEGER PRIMARY KEY CHECK (id = 0),
    hits INTEGER NOT NULL DEFAULT 0, misses INTEGER NOT NULL DEFAULT 0,
    evictions INTEGER NOT NULL DEFAULT 0, expirations INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    count INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT 0);
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
    filename TEXT);
CREATE INDEX entries_expires ON entries(expires) WHERE expires > 0;
CREATE INDEX entries_tag ON entries(tag) WHERE tag IS NOT NULL;
CREATE TABLE access(
    key BLOB PRIMARY KEY NOT NULL,
    accessed INTEGER NOT NULL,
    access_count INTEGER NOT NULL) WITHOUT ROWID;
CREATE TRIGGER entries_insert AFTER INSERT ON entries BEGIN
    INSERT OR REPLACE INTO access(key, accessed, access_count) VALUES(new.key, new.created, 0);
END;
CREATE TRIGGER entries_delete AFTER DELETE ON entries BEGIN
    DELETE FROM access WHERE key = old.key;
END;
INSERT INTO meta(name, value) VALUES('format', 'twat_cache'), ('engine', 'sqlite'),
    ('schema_version', 2);
CREATE INDEX entries_created ON entries(created);
PRAGMA user_version = 2;
)sql";

class Db {
  public:
    explicit Db(const fs::path& file) {
        if (sqlite3_open(file.c_str(), &m_db) != SQLITE_OK) qFatal("cannot open %s", file.c_str());
    }
    ~Db() { sqlite3_close(m_db); }
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;
    void exec(const std::string& sql) {
        char* err = nullptr;
        if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
            const std::string message = err != nullptr ? err : "?";
            sqlite3_free(err);
            qFatal("%s: %s", sql.c_str(), message.c_str());
        }
    }
    // The first column of every row, joined by '|'.
    std::string column(const std::string& sql) {
        sqlite3_stmt* st = nullptr;
        std::string out;
        if (sqlite3_prepare_v2(m_db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
            return std::string("ERROR: ") + sqlite3_errmsg(m_db);
        }
        while (sqlite3_step(st) == SQLITE_ROW) {
            if (!out.empty()) out += '|';
            const unsigned char* t = sqlite3_column_text(st, 0);
            out += t != nullptr ? reinterpret_cast<const char*>(t) : "NULL";
        }
        sqlite3_finalize(st);
        return out;
    }
    // Inserts one inline entry the way a version-2 engine stored it (the trigger stamps it).
    void insertEntry(const std::string& keyText, const std::string& value, std::int64_t created) {
        const Key k = keyOf(keyText);
        unsigned char blob[16];
        for (int i = 0; i < 8; ++i) {
            blob[i] = static_cast<unsigned char>(k.hi >> (56 - 8 * i));
            blob[8 + i] = static_cast<unsigned char>(k.lo >> (56 - 8 * i));
        }
        sqlite3_stmt* st = nullptr;
        sqlite3_prepare_v2(m_db,
                           "INSERT INTO entries(key, key_text, type_tag, flags, created, expires,"
                           " size, value) VALUES(?1, ?2, 7, 0, ?3, 0, ?4, ?5)",
                           -1, &st, nullptr);
        sqlite3_bind_blob(st, 1, blob, 16, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, keyText.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, created);
        sqlite3_bind_int64(st, 4, static_cast<std::int64_t>(value.size()));
        sqlite3_bind_blob(st, 5, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE) qFatal("insert: %s", sqlite3_errmsg(m_db));
        sqlite3_finalize(st);
        exec("UPDATE counters SET count = count + 1, bytes = bytes + " +
             std::to_string(value.size() + keyText.size()) + " WHERE id = 0");
    }

  private:
    sqlite3* m_db = nullptr;
};

// A version-2 cache at cfg.folder holding k0..k<n-1> (created one ms apart, k0 first).
void makeVersion2Cache(const ResolvedConfig& cfg, int n, std::int64_t t0) {
    {
        auto e = openSqliteCache(cfg);  // the folder and its manifest
        if (!e.ok()) qFatal("%s", e.status().toString().c_str());
    }
    const fs::path file = cfg.folder / "cache.db";
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(file.string() + suffix);
    Db db(file);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec(kVersion2Sql);
    for (int i = 0; i < n; ++i) {
        const std::string k = "k" + std::to_string(i);
        db.insertEntry(k, "value of " + k, t0 + i);
    }
}

std::string objectNamed(const fs::path& file, const std::string& name) {
    Db db(file);
    return db.column("SELECT type FROM sqlite_master WHERE name = '" + name + "'");
}

}  // namespace

class TestSqliteSchema : public QObject {
    Q_OBJECT
  private slots:
    void migratesVersion2InPlace_data() {
        QTest::addColumn<Policy>("policy");
        QTest::addColumn<QString>("victim");  // evicted by the first set over the limit
        QTest::newRow("fifo") << Policy::kFifo << "k0";
        QTest::newRow("lru") << Policy::kLru << "k1";  // k0 is read after the migration
        QTest::newRow("none") << Policy::kNone << "";
    }
    void migratesVersion2InPlace() {
        QFETCH(Policy, policy);
        QFETCH(QString, victim);
        TempDir dir;
        auto clock = std::make_shared<ManualClock>();
        auto cfg = sqliteConfig(dir.path(), {.maxsize = 5, .policy = policy}, clock);
        makeVersion2Cache(cfg, 5, clock->nowMs() - 100);
        const fs::path file = cfg.folder / "cache.db";
        QCOMPARE(objectNamed(file, "entries_insert"), std::string("trigger"));

        auto opened = openSqliteCache(cfg);
        QVERIFY2(opened.ok(), opened.status().toString().c_str());
        auto& engine = **opened;
        {
            Db db(file);
            // Migrated through version 3 to 4 (compute times) in one opening.
            QCOMPARE(db.column("PRAGMA user_version"), std::string("4"));
            QCOMPARE(db.column("SELECT value FROM meta WHERE name = 'schema_version'"),
                     std::string("4"));
        }
        QCOMPARE(objectNamed(file, "entries_insert"), std::string());
        QCOMPARE(objectNamed(file, "entries_created"), std::string());
        QCOMPARE(objectNamed(file, "entries_delete"), std::string("trigger"));
        QCOMPARE(*engine.size(), 5u);
        for (int i = 0; i < 5; ++i) {
            const std::string k = "k" + std::to_string(i);
            auto v = engine.get(keyOf(k));
            QVERIFY2(v.ok(), v.status().toString().c_str());
            QCOMPARE(v->payload, "value of " + k);
            QCOMPARE(v->type_tag, 7u);
            QVERIFY(!v->compute_ns);  // stored before compute times: not recorded
        }
        auto report = engine.check(false);
        QVERIFY(report.ok());
        QVERIFY(report->integrity_ok);
        QVERIFY(!report->totals_mismatch);
        QCOMPARE(report->bad_rows, 0u);

        // The limit still holds, with the policy's victim, on the migrated data.
        clock->advanceMs(10);
        for (int i = 1; i < 5; ++i) {
            QVERIFY(engine.get(keyOf("k" + std::to_string(i))).ok());
            clock->advanceMs(1);
        }
        QVERIFY(engine.get(keyOf("k0")).ok());  // lru: k0 is now the most recently used
        const Status s = engine.set(keyOf("new"), recordOf("new", "n"));
        if (victim.isEmpty()) {
            QCOMPARE(s.code(), StatusCode::kUnavailable);
            return;
        }
        QVERIFY2(s.ok(), s.toString().c_str());
        QCOMPARE(*engine.size(), 5u);
        QVERIFY(engine.get(keyOf(victim.toStdString())).status().isNotFound());
        QVERIFY(engine.get(keyOf("new")).ok());
        report = engine.check(false);
        QVERIFY(report.ok() && !report->totals_mismatch);
    }

    // A second opener of a migrated (or new) cache finds version 4 and changes nothing.
    void reopenKeepsVersion4() {
        TempDir dir;
        auto clock = std::make_shared<ManualClock>();
        auto cfg = sqliteConfig(dir.path(), {}, clock);
        makeVersion2Cache(cfg, 3, clock->nowMs());
        { QVERIFY(openSqliteCache(cfg).ok()); }
        auto again = openSqliteCache(cfg);
        QVERIFY2(again.ok(), again.status().toString().c_str());
        QCOMPARE((*again)->get(keyOf("k2"))->payload, std::string("value of k2"));
        Db db(cfg.folder / "cache.db");
        QCOMPARE(db.column("PRAGMA user_version"), std::string("4"));
    }

    void newerVersionRefused() {
        TempDir dir;
        auto cfg = sqliteConfig(dir.path(), {});
        {
            auto e = openSqliteCache(cfg);
            QVERIFY(e.ok());
            QVERIFY((*e)->set(keyOf("a"), recordOf("a", "1")).ok());
        }
        const fs::path file = cfg.folder / "cache.db";
        { Db(file).exec("PRAGMA user_version = 5"); }
        auto e = openSqliteCache(cfg);
        QVERIFY(!e.ok());
        QCOMPARE(e.status().code(), StatusCode::kNotSupported);
        const std::string& m = e.status().message();
        QVERIFY2(m.find("schema version 5") != std::string::npos, m.c_str());
        QVERIFY2(m.find("cache.db") != std::string::npos, m.c_str());
        QCOMPARE(Db(file).column("PRAGMA user_version"), std::string("5"));
    }

    // Only the policies that read access stamps write them.
    void accessRowsOnlyForLruAndLfu_data() {
        QTest::addColumn<Policy>("policy");
        QTest::addColumn<int>("rows");
        QTest::newRow("fifo") << Policy::kFifo << 0;
        QTest::newRow("rr") << Policy::kRr << 0;
        QTest::newRow("none") << Policy::kNone << 0;
        QTest::newRow("lru") << Policy::kLru << 2;
        QTest::newRow("lfu") << Policy::kLfu << 2;
    }
    void accessRowsOnlyForLruAndLfu() {
        QFETCH(Policy, policy);
        QFETCH(int, rows);
        TempDir dir;
        auto clock = std::make_shared<ManualClock>();
        auto cfg = sqliteConfig(dir.path(), {.maxsize = 100, .policy = policy}, clock);
        auto engine = openSqliteCache(cfg);
        QVERIFY(engine.ok());
        for (const char* k : {"a", "b"}) QVERIFY((*engine)->set(keyOf(k), recordOf(k, k)).ok());
        QVERIFY((*engine)->set(keyOf("a"), recordOf("a", "A")).ok());  // replace
        Db db(cfg.folder / "cache.db");
        QCOMPARE(db.column("SELECT count(*) FROM access"), std::to_string(rows));
        QCOMPARE(db.column("SELECT count(*) FROM access WHERE accessed <> " +
                           std::to_string(clock->nowMs())),
                 std::string("0"));
        auto page = (*engine)->scan("", 10);
        QVERIFY(page.ok());
        QCOMPARE(page->entries.size(), 2u);
        for (const auto& e : page->entries) QCOMPARE(e.accessed_ms, e.created_ms);
    }

    // fifo evicts in store order even when the clock steps back between two stores (schema
    // 3 orders by rowid, not by `created`); a re-store counts as a new store.
    void fifoEvictsInStoreOrder() {
        TempDir dir;
        auto clock = std::make_shared<ManualClock>();
        auto cfg = sqliteConfig(dir.path(), {.maxsize = 3, .policy = Policy::kFifo}, clock);
        auto engine = openSqliteCache(cfg);
        QVERIFY(engine.ok());
        auto& e = **engine;
        QVERIFY(e.set(keyOf("a"), recordOf("a", "a")).ok());
        clock->advanceMs(-1000);
        QVERIFY(e.set(keyOf("b"), recordOf("b", "b")).ok());
        QVERIFY(e.set(keyOf("c"), recordOf("c", "c")).ok());
        QVERIFY(e.set(keyOf("a"), recordOf("a", "A")).ok());  // a is now the newest
        QVERIFY(e.set(keyOf("d"), recordOf("d", "d")).ok());  // evicts b
        QVERIFY(e.get(keyOf("b")).status().isNotFound());
        QVERIFY(e.set(keyOf("f"), recordOf("f", "f")).ok());  // evicts c
        QVERIFY(e.get(keyOf("c")).status().isNotFound());
        for (const char* k : {"a", "d", "f"}) QVERIFY(e.get(keyOf(k)).ok());
        QCOMPARE(e.stats().evictions, 2u);
    }

    // A cache written by a fifo opener (no access rows) and then opened by an lru opener:
    // the lru opener stamps the unstamped entries (accessed = created) once, so they are
    // evicted in lru order with the others and the limit holds.
    void lruOpenerStampsFifoWrittenEntries() {
        TempDir dir;
        auto clock = std::make_shared<ManualClock>();
        auto fifo = sqliteConfig(dir.path(), {.maxsize = 4, .policy = Policy::kFifo}, clock);
        {
            auto e = openSqliteCache(fifo);
            QVERIFY(e.ok());
            for (const char* k : {"a", "b", "c", "d"}) {
                QVERIFY((*e)->set(keyOf(k), recordOf(k, k)).ok());
                clock->advanceMs(10);
            }
        }
        const fs::path file = fifo.folder / "cache.db";
        QCOMPARE(Db(file).column("SELECT count(*) FROM access"), std::string("0"));
        QCOMPARE(Db(file).column("SELECT value FROM meta WHERE name = 'unstamped'"),
                 std::string("1"));
        auto lru = sqliteConfig(dir.path(), {.maxsize = 4, .policy = Policy::kLru}, clock);
        auto e = openSqliteCache(lru);
        QVERIFY(e.ok());
        QCOMPARE(Db(file).column("SELECT count(*) FROM access"), std::string("4"));
        QCOMPARE(Db(file).column("SELECT count(*) FROM meta WHERE name = 'unstamped'"),
                 std::string("0"));
        QVERIFY((*e)->get(keyOf("a")).ok());  // a becomes the most recently used
        QVERIFY((*e)->flush().ok());
        QVERIFY((*e)->set(keyOf("e"), recordOf("e", "e")).ok());  // evicts b
        QVERIFY((*e)->get(keyOf("b")).status().isNotFound());
        QVERIFY((*e)->set(keyOf("f"), recordOf("f", "f")).ok());  // evicts c
        QVERIFY((*e)->get(keyOf("c")).status().isNotFound());
        QCOMPARE((*e)->size().value(), 4u);
        auto report = (*e)->check(false);
        QVERIFY(report.ok() && !report->totals_mismatch);
    }
};

QTEST_GUILESS_MAIN(TestSqliteSchema)
#include "test_sqlite_schema.moc"
