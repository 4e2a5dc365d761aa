// The sqlite engine against a real SQLite database in a temporary folder: round trips,
// overwrite, erase, TTL, limits and policies, tags, spilled values and check(fix),
// compression, scan pages, counters that survive a reopen, and the schema (access stamps in
// their own table, eviction indexes, older schema versions refused), read with sqlite3.
#include <sqlite3.h>

#include <QtTest>
#include <fstream>
#include <set>

#include "format/manifest.h"
#include "sqlite_test_util.h"
#include "test_support.h"

using namespace twat_cache;
using namespace twat_cache::test;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<SqliteEngine> openOrDie(const ResolvedConfig& config, SqliteOptions options = {}) {
    auto e = openSqliteCache(config, options);
    if (!e.ok()) qFatal("open failed: %s", e.status().toString().c_str());
    return std::move(e).value();
}

std::size_t countFiles(const fs::path& dir) {
    std::size_t n = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file()) ++n;
    }
    return n;
}

// Column `column` of the rows `sql` returns, joined by '|'; "ERROR: ..." when it fails.
std::string queryColumn(const fs::path& file, const std::string& sql, int column = 0) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        return "ERROR: cannot open";
    }
    sqlite3_stmt* st = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
        out = std::string("ERROR: ") + sqlite3_errmsg(db);
    } else {
        int rc = SQLITE_ROW;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (!out.empty()) out += '|';
            const unsigned char* t = sqlite3_column_text(st, column);
            out += t != nullptr ? reinterpret_cast<const char*>(t) : "NULL";
        }
        if (rc != SQLITE_DONE) out = std::string("ERROR: ") + sqlite3_errmsg(db);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

std::string compressible(std::size_t size) {
    std::string s;
    while (s.size() < size) s += "the quick brown fox jumps over the lazy dog; ";
    s.resize(size);
    return s;
}

}  // namespace

class TestSqliteEngine : public QObject {
    Q_OBJECT
  private slots:
    void roundTrip_data() {
        QTest::addColumn<int>("size");
        QTest::addColumn<bool>("compress");
        QTest::addColumn<bool>("text");
        QTest::addColumn<int>("files");
        QTest::newRow("empty") << 0 << false << false << 0;
        QTest::newRow("small") << 10 << false << false << 0;
        QTest::newRow("inline 20K") << 20000 << false << false << 0;
        QTest::newRow("spilled 100K") << 100000 << false << false << 1;
        QTest::newRow("compressed small") << 1000 << true << true << 0;
        QTest::newRow("compressed under threshold") << 200000 << true << true << 0;
        QTest::newRow("incompressible spilled") << 80000 << true << false << 1;
    }
    void roundTrip() {
        QFETCH(int, size);
        QFETCH(bool, compress);
        QFETCH(bool, text);
        QFETCH(int, files);
        TempDir dir;
        auto clock = std::make_shared<ManualClock>();
        auto cfg = sqliteConfig(dir.path(), {.compress = compress}, clock);
        auto engine = openOrDie(cfg);
        const auto n = static_cast<std::size_t>(size);
        const std::string payload = text ? compressible(n) : noise(3, n);
        QVERIFY(engine->set(keyOf("k"), recordOf("f(1)", payload, 42)).ok());
        auto got = engine->get(keyOf("k"));
        QVERIFY2(got.ok(), got.status().toString().c_str());
        QCOMPARE(got->payload.size(), payload.size());
        QVERIFY(got->payload == payload);
        QCOMPARE(got->type_tag, 42u);
        QCOMPARE(got->created_ms, clock->nowMs());
        QCOMPARE(got->expires_ms, 0);
        QCOMPARE(countFiles(cfg.folder / "data"), static_cast<std::size_t>(files));
        auto page = engine->scan("", 10);
        QVERIFY(page.ok());
        QCOMPARE(page->entries.size(), 1u);
        QCOMPARE(page->entries[0].key_text, std::string("f(1)"));
        if (compress && text) QVERIFY(page->entries[0].size < payload.size() / 4);
        QVERIFY(engine->get(keyOf("other")).status().isNotFound());
    }

    void manifestAndFactory() {
        TempDir dir;
        auto cfg = sqliteConfig(dir.path(), {.name = "geo", .maxsize = 10});
        auto engine = openEngine(EngineKind::kSqlite, cfg);
        QVERIFY2(engine.ok(), engine.status().toString().c_str());
        QCOMPARE((*engine)->kind(), std::string_view("sqlite"));
        QVERIFY((*engine)->capabilities().persistent);
        auto m = detail::readManifest(cfg.folder);
        QVERIFY2(m.ok(), m.status().toString().c_str());
        QCOMPARE(m->engine, std::string("sqlite"));
        QCOMPARE(m->name, std::string("geo"));
        QCOMPARE(m->maxsize, 10u);
        QCOMPARE(m->format_version, 1);
        QVERIFY(fs::exists(cfg.folder / "cache.db"));
    }

    void overwriteAndErase() {
        TempDir dir;
        auto cfg = sqliteConfig(dir.path(), {});
        auto engine = openOrDie(cfg);
        const std::string big = noise(1, 100000);
        QVERIFY(engine->set(keyOf("a"), recordOf("a", big)).ok());
        QCOMPARE(countFiles(cfg.folder / "data"), 1u);
        QVERIFY(engine->set(keyOf("a"), recordOf("a", "small", 9)).ok());
        QCOMPARE(countFiles(cfg.folder / "data"), 0u);  // the replaced file is gone
        auto got = engine->get(keyOf("a"));
        QVERIFY(got.ok());
        QCOMPARE(got->payload, std::string("small"));
        QCOMPARE(got->type_tag, 9u);
        QCOMPARE(*engine->size(), 1u);
        QCOMPARE(engine->stats().bytes, 6u);  // "small" + "a"
        QCOMPARE(*engine->erase(keyOf("a")), true);
        QCOMPARE(*engine->erase(keyOf("a")), false);
        QVERIFY(engine->get(keyOf("a")).status().isNotFound());
        QCOMPARE(*engine->contains(keyOf("a")), false);
        QCOMPARE(*engine->size(), 0u);
        QCOMPARE(engine->stats().bytes, 0u);
        QVERIFY(engine->set(keyOf("b"), recordOf("b", big)).ok());
        QVERIFY(engine->clear().ok());
        QCOMPARE(*engine->size(), 0u);
        QCOMPARE(countFiles(cfg.folder / "data"), 0u);
    }

    void ttlExpiresAndIsCulled() {
        TempDir dir;
        auto clock = std::make_shared<ManualClock>();
        auto cfg = sqliteConfig(dir.path(), {.ttl = std::chrono::milliseconds(1000)}, clock);
        auto engine = openOrDie(cfg);
        QVERIFY(engine->set(keyOf("a"), recordOf("a", "1")).ok());
        Record noExpiry = recordOf("b", "2");
        noExpiry.ttl = std::chrono::milliseconds(0);
        QVERIFY(engine->set(keyOf("b"), noExpiry).ok());
        clock->advanceMs(999);
        QVERIFY(engine->get(keyOf("a")).ok());
        QCOMPARE(engine->get(keyOf("a"))->expires_ms, clock->nowMs() + 1);
        clock->advanceMs(1);
        QVERIFY(engine->get(keyOf("a")).status().isNotFound());
        QCOMPARE(*engine->contains(keyOf("a")), false);
        QVERIFY(engine->get(keyOf("b")).ok());
        QCOMPARE(*engine->size(), 2u);  // not culled yet: gets never write
        QVERIFY(engine->set(keyOf("c"), recordOf("c", "3")).ok());
        QCOMPARE(*engine->size(), 2u);  // the set culled "a"
        QCOMPARE(engine->stats().expirations, 1u);
    }

    void evictionPolicy_data() {
        QTest::addColumn<Policy>("policy");
        QTest::addColumn<QString>("victim");
        QTest::newRow("fifo") << Policy::kFifo << "a";
        QTest::newRow("lru") << Policy::kLru << "b";
        QTest::newRow("lfu") << Policy::kLfu << "c";
        QTest::newRow("none") << Policy::kNone << "";
    }
    void evictionPolicy() {
        QFETCH(Policy, policy);
        QFETCH(QString, victim);
        TempDir dir;
        auto clock = std::make_shared<ManualClock>();
        auto cfg = sqliteConfig(dir.path(), {.maxsize = 3, .policy = policy}, clock);
        auto engine = openOrDie(cfg);
        for (const char* k : {"a", "b", "c"}) {
            QVERIFY(engine->set(keyOf(k), recordOf(k, k)).ok());
            clock->advanceMs(10);
        }
        // a: stored first, used last; b: used least recently; c: used least often.
        for (const char* k : {"b", "b", "c", "a", "a"}) {
            QVERIFY(engine->get(keyOf(k)).ok());
            clock->advanceMs(10);
        }
        const Status s = engine->set(keyOf("d"), recordOf("d", "d"));
        if (victim.isEmpty()) {
            QCOMPARE(s.code(), StatusCode::kUnavailable);
            QVERIFY(s.message().find("full") != std::string::npos);
            QVERIFY(engine->get(keyOf("d")).status().isNotFound());
            for (const char* k : {"a", "b", "c"}) QVERIFY(engine->get(keyOf(k)).ok());
            QCOMPARE(engine->stats().evictions, 0u);
            // Replacing an existing entry does not grow the cache: allowed.
            QVERIFY(engine->set(keyOf("a"), recordOf("a", "A")).ok());
            return;
        }
        QVERIFY2(s.ok(), s.toString().c_str());
        QCOMPARE(*engine->size(), 3u);
        for (const char* k : {"a", "b", "c", "d"}) {
            const bool expectGone = victim == QLatin1String(k);
            QCOMPARE(engine->get(keyOf(k)).status().isNotFound(), expectGone);
        }
        QCOMPARE(engine->stats().evictions, 1u);
    }

    void byteLimit() {
        TempDir dir;
        auto clock = std::make_shared<ManualClock>();
        auto cfg = sqliteConfig(dir.path(), {.max_bytes = 1000, .policy = Policy::kFifo}, clock);
        auto engine = openOrDie(cfg);
        for (int i = 0; i < 20; ++i) {
            const std::string k = "k" + std::to_string(i);
            QVERIFY(
                engine->set(keyOf(k), recordOf(k, noise(static_cast<std::uint64_t>(i), 200))).ok());
            clock->advanceMs(1);
            QVERIFY(engine->stats().bytes <= 1000u);
        }
        QCOMPARE(*engine->size(), 4u);  // 4 x (200 + 2..3) bytes fit
        QVERIFY(engine->get(keyOf("k19")).ok());
        QVERIFY(engine->get(keyOf("k15")).status().isNotFound());
        const Status tooBig = engine->set(keyOf("x"), recordOf("x", noise(1, 2000)));
        QCOMPARE(tooBig.code(), StatusCode::kInvalidArgument);
    }

    void tags() {
        TempDir dir;
        auto engine = openOrDie(sqliteConfig(dir.path(), {}));
        QVERIFY(engine->set(keyOf("x1"), recordOf("x1", "1", 7, "t")).ok());
        QVERIFY(engine->set(keyOf("x2"), recordOf("x2", noise(2, 80000), 7, "t")).ok());
        QVERIFY(engine->set(keyOf("y"), recordOf("y", "3", 7, "u")).ok());
        auto page = engine->scan("", 10);
        QVERIFY(page.ok());
        std::set<std::string> tagsSeen;
        for (const auto& e : page->entries) tagsSeen.insert(e.tag);
        QCOMPARE(tagsSeen, (std::set<std::string>{"t", "u"}));
        QCOMPARE(*engine->evictTag("t"), 2u);
        QCOMPARE(*engine->evictTag("t"), 0u);
        QVERIFY(engine->get(keyOf("x1")).status().isNotFound());
        QVERIFY(engine->get(keyOf("y")).ok());
        QCOMPARE(*engine->size(), 1u);
        QCOMPARE(countFiles(engine->folder() / "data"), 0u);
    }

    void spillCheckFix() {
        TempDir dir;
        auto cfg = sqliteConfig(dir.path(), {});
        auto engine = openOrDie(cfg);
        for (int i = 0; i < 3; ++i) {
            const std::string k = "s" + std::to_string(i);
            QVERIFY(engine->set(keyOf(k), recordOf(k, noise(static_cast<std::uint64_t>(i), 70000)))
                        .ok());
        }
        auto clean = engine->check(false);
        QVERIFY2(clean.ok(), clean.status().toString().c_str());
        QVERIFY(clean->clean());
        // Damage: an orphan value file, a stale temporary file and a missing value file.
        const fs::path data = cfg.folder / "data";
        fs::create_directories(data / "aa" / "bb");
        { std::ofstream(data / "aa" / "bb" / "orphan.val") << "x"; }
        { std::ofstream(data / "aa" / "bb" / "x.val.tmp.1.2") << "y"; }
        std::vector<fs::path> valueFiles;
        for (auto& e : fs::recursive_directory_iterator(data)) {
            if (e.is_regular_file() &&
                e.path().filename().string().rfind(keyOf("s1").toHex(), 0) == 0) {
                valueFiles.push_back(e.path());
            }
        }
        QCOMPARE(valueFiles.size(), 1u);
        fs::remove(valueFiles[0]);
        const auto missing = engine->get(keyOf("s1"));
        QCOMPARE(missing.status().code(), StatusCode::kCorruption);
        QVERIFY(missing.status().message().find("missing") != std::string::npos);

        auto report = engine->check(false);
        QVERIFY(report.ok());
        QCOMPARE(report->orphan_files, 2u);
        QCOMPARE(report->missing_files, 1u);
        QVERIFY(!report->clean());
        QVERIFY(fs::exists(data / "aa" / "bb" / "orphan.val"));  // no fix: untouched
        auto fixed = engine->check(true);
        QVERIFY(fixed.ok());
        QVERIFY(fixed->fixed);
        QVERIFY(!fs::exists(data / "aa" / "bb" / "orphan.val"));
        auto after = engine->check(false);
        QVERIFY(after.ok());
        QVERIFY2(after->clean(), after->problems.empty() ? "" : after->problems[0].c_str());
        QVERIFY(engine->get(keyOf("s1")).status().isNotFound());
        QVERIFY(engine->get(keyOf("s0"))->payload == noise(0, 70000));
        QCOMPARE(engine->stats().entries, 2u);
    }

    void scanPages() {
        TempDir dir;
        auto engine = openOrDie(sqliteConfig(dir.path(), {}));
        std::set<std::string> expected;
        for (int i = 0; i < 25; ++i) {
            const std::string k = "k" + std::to_string(i);
            expected.insert(k);
            QVERIFY(engine->set(keyOf(k), recordOf(k, "v")).ok());
        }
        std::set<std::string> seen;
        std::string cursor;
        int pages = 0;
        do {
            auto page = engine->scan(cursor, 10);
            QVERIFY2(page.ok(), page.status().toString().c_str());
            QVERIFY(page->entries.size() <= 10);
            for (const auto& e : page->entries) {
                QCOMPARE(e.key, keyOf(e.key_text));
                QVERIFY(seen.insert(e.key_text).second);
            }
            cursor = page->cursor;
            ++pages;
        } while (!cursor.empty() && pages < 10);
        QCOMPARE(pages, 3);
        QCOMPARE(seen, expected);
        QCOMPARE(engine->scan("zz", 10).status().code(), StatusCode::kInvalidArgument);
    }

    void statsPersistAcrossReopen() {
        TempDir dir;
        auto cfg = sqliteConfig(dir.path(), {});
        {
            auto engine = openOrDie(cfg);
            QVERIFY(engine->set(keyOf("a"), recordOf("a", "1")).ok());
            for (int i = 0; i < 3; ++i) QVERIFY(engine->get(keyOf("a")).ok());
            for (int i = 0; i < 2; ++i) QVERIFY(!engine->get(keyOf("b")).ok());
            // A second engine (as another process would) sees the counters after flush().
            auto other = openOrDie(cfg);
            QCOMPARE(other->stats().hits, 0u);
            QVERIFY(engine->flush().ok());
            QCOMPARE(other->stats().hits, 3u);
            QVERIFY(!other->get(keyOf("c")).ok());
        }
        auto engine = openOrDie(cfg);
        const Stats s = engine->stats();
        QCOMPARE(s.hits, 3u);
        QCOMPARE(s.misses, 3u);
        QCOMPARE(s.entries, 1u);
        QCOMPARE(s.bytes, 2u);
    }

    void getIsNotAWrite() {
        TempDir dir;
        auto cfg = sqliteConfig(dir.path(), {.maxsize = 100, .policy = Policy::kLru});
        SqliteOptions options;
        options.flush_interval = std::chrono::hours(1);
        auto engine = openOrDie(cfg, options);
        QVERIFY(engine->set(keyOf("a"), recordOf("a", "1")).ok());
        QVERIFY(engine->flush().ok());
        const fs::path wal = cfg.folder / "cache.db-wal";
        const auto before = fs::file_size(wal);
        for (int i = 0; i < 200; ++i) QVERIFY(engine->get(keyOf("a")).ok());
        QCOMPARE(fs::file_size(wal), before);
        QVERIFY(engine->flush().ok());
        QVERIFY(fs::file_size(wal) > before);  // the batch went out in one transaction
        auto page = engine->scan("", 1);
        QCOMPARE(page->entries[0].hits, 200u);
    }

    // The batched access stamps live in `access`, not in the row holding the value; an lru
    // engine keeps one stamp row per entry through set, replace, erase and eviction.
    void accessStampsApartFromValues() {
        TempDir dir;
        auto clock = std::make_shared<ManualClock>();
        auto cfg = sqliteConfig(dir.path(), {.maxsize = 3, .policy = Policy::kLru}, clock);
        auto engine = openOrDie(cfg);
        const fs::path db = cfg.folder / "cache.db";
        QCOMPARE(queryColumn(db,
                             "SELECT name FROM pragma_table_info('entries') WHERE name IN "
                             "('accessed', 'access_count')"),
                 std::string());
        QCOMPARE(queryColumn(db, "PRAGMA user_version"), std::string("4"));
        const std::int64_t t0 = clock->nowMs();
        for (const char* k : {"a", "b", "c"}) QVERIFY(engine->set(keyOf(k), recordOf(k, k)).ok());
        clock->advanceMs(50);
        QVERIFY(engine->get(keyOf("a")).ok());
        QVERIFY(engine->get(keyOf("a")).ok());
        QVERIFY(engine->flush().ok());
        QCOMPARE(queryColumn(db,
                             "SELECT access_count FROM access ORDER BY access_count DESC, "
                             "accessed"),
                 std::string("2|0|0"));
        QCOMPARE(queryColumn(db, "SELECT accessed FROM access ORDER BY accessed DESC LIMIT 1"),
                 std::to_string(t0 + 50));
        auto page = engine->scan("", 10);
        QVERIFY(page.ok());
        QCOMPARE(page->entries.size(), 3u);
        for (const auto& e : page->entries) {
            const bool isA = e.key == keyOf("a");
            QCOMPARE(e.hits, isA ? 2u : 0u);
            QCOMPARE(e.accessed_ms, isA ? t0 + 50 : t0);
            QCOMPARE(e.created_ms, t0);
        }
        // Replace resets the stamps; erase and eviction drop them.
        QVERIFY(engine->set(keyOf("a"), recordOf("a", "A")).ok());
        QCOMPARE(queryColumn(db,
                             "SELECT access_count FROM access WHERE key = (SELECT key FROM "
                             "entries WHERE key_text = 'a')"),
                 std::string("0"));
        QVERIFY(*engine->erase(keyOf("b")));
        QVERIFY(engine->set(keyOf("d"), recordOf("d", "d")).ok());
        QVERIFY(engine->set(keyOf("e"), recordOf("e", "e")).ok());  // evicts one
        QCOMPARE(engine->stats().evictions, 1u);
        QCOMPARE(queryColumn(db, "SELECT count(*) FROM entries"), std::string("3"));
        QCOMPARE(queryColumn(db, "SELECT count(*) FROM access"), std::string("3"));
        QCOMPARE(queryColumn(db,
                             "SELECT count(*) FROM access WHERE key NOT IN (SELECT key FROM "
                             "entries)"),
                 std::string("0"));
        QVERIFY(engine->clear().ok());
        QCOMPARE(queryColumn(db, "SELECT count(*) FROM access"), std::string("0"));
    }

    // With a limit, the victim query of each policy walks an index instead of scanning.
    void evictionUsesIndex_data() {
        QTest::addColumn<Policy>("policy");
        QTest::addColumn<QString>("victimSql");
        QTest::addColumn<QString>("index");
        // fifo walks the rowid table in order: no index, no sort.
        QTest::newRow("fifo") << Policy::kFifo
                              << "SELECT rowid FROM entries WHERE key <> x'00' ORDER BY rowid "
                                 "LIMIT 8"
                              << "";
        QTest::newRow("lru") << Policy::kLru
                             << "SELECT key FROM access WHERE key <> x'00' ORDER BY accessed "
                                "LIMIT 8"
                             << "access_lru";
        QTest::newRow("lfu") << Policy::kLfu
                             << "SELECT key FROM access WHERE key <> x'00' ORDER BY "
                                "access_count, accessed LIMIT 8"
                             << "access_lfu";
    }
    void evictionUsesIndex() {
        QFETCH(Policy, policy);
        QFETCH(QString, victimSql);
        QFETCH(QString, index);
        TempDir dir;
        auto cfg = sqliteConfig(dir.path(), {.maxsize = 1000, .policy = policy});
        auto engine = openOrDie(cfg);
        QVERIFY(engine->set(keyOf("a"), recordOf("a", "1")).ok());
        const std::string plan =
            queryColumn(cfg.folder / "cache.db", "EXPLAIN QUERY PLAN " + victimSql.toStdString(),
                        3);  // 3: detail
        QVERIFY2(index.isEmpty() ||
                     plan.find("USING INDEX " + index.toStdString()) != std::string::npos ||
                     plan.find("USING COVERING INDEX " + index.toStdString()) != std::string::npos,
                 plan.c_str());
        QVERIFY2(plan.find("TEMP B-TREE") == std::string::npos, plan.c_str());
    }

    void olderSchemaRefused() {
        TempDir dir;
        auto cfg = sqliteConfig(dir.path(), {});
        {
            auto engine = openOrDie(cfg);
            QVERIFY(engine->set(keyOf("a"), recordOf("a", "1")).ok());
        }
        QCOMPARE(queryColumn(cfg.folder / "cache.db", "PRAGMA user_version = 1"), std::string());
        auto e = openSqliteCache(cfg);
        QVERIFY(!e.ok());
        QCOMPARE(e.status().code(), StatusCode::kNotSupported);
        const std::string& m = e.status().message();
        QVERIFY2(m.find("schema version 1") != std::string::npos, m.c_str());
        QVERIFY2(m.find("remove the cache folder") != std::string::npos, m.c_str());
        QVERIFY2(m.find("cache.db") != std::string::npos, m.c_str());
    }
};

QTEST_GUILESS_MAIN(TestSqliteEngine)
#include "test_sqlite_engine.moc"
