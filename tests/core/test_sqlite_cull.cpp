// When a sqlite set culls expired entries, with two engines on one cache (each engine knows
// only the expiries it stored, like two processes): an expiry the engine stored is culled by
// its next set after it is due; an expiry stored by the other engine is culled within 32
// sets, and always before a set over a limit evicts a live entry or refuses (policy none).
// An expired entry is a miss throughout.
#include <sqlite3.h>

#include <QtTest>

#include "sqlite_test_util.h"
#include "test_support.h"

using namespace twat_cache;
using namespace twat_cache::test;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<SqliteEngine> openOrDie(const ResolvedConfig& config) {
    auto e = openSqliteCache(config);
    if (!e.ok()) qFatal("open failed: %s", e.status().toString().c_str());
    return std::move(e).value();
}

// Rows in `entries` (expired or not), read with sqlite3.
int storedRows(const fs::path& folder) {
    sqlite3* db = nullptr;
    int n = -1;
    if (sqlite3_open((folder / "cache.db").c_str(), &db) == SQLITE_OK) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db, "SELECT count(*) FROM entries", -1, &st, nullptr) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW) {
            n = sqlite3_column_int(st, 0);
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return n;
}

Record withTtl(const char* k, std::int64_t ms) {
    Record r = recordOf(k, k);
    r.ttl = std::chrono::milliseconds(ms);
    return r;
}

}  // namespace

class TestSqliteCull : public QObject {
    Q_OBJECT
  private slots:
    void otherEnginesExpiryCulledWithinBound() {
        TempDir dir;
        auto clock = std::make_shared<ManualClock>();
        auto cfg = sqliteConfig(dir.path(), {}, clock);
        auto mine = openOrDie(cfg);
        auto other = openOrDie(cfg);
        QVERIFY(mine->set(keyOf("first"), recordOf("first", "1")).ok());  // nothing due
        QVERIFY(other->set(keyOf("a"), withTtl("a", 100)).ok());
        clock->advanceMs(100);
        QVERIFY(mine->get(keyOf("a")).status().isNotFound());
        int sets = 0;
        while (storedRows(cfg.folder) != sets + 1 && sets < 40) {  // a still stored
            QVERIFY(mine->get(keyOf("a")).status().isNotFound());
            const std::string k = "k" + std::to_string(sets);
            QVERIFY(mine->set(keyOf(k), recordOf(k, k)).ok());
            ++sets;
        }
        QVERIFY2(sets <= 32, std::to_string(sets).c_str());
        QCOMPARE(storedRows(cfg.folder), sets + 1);  // first + k0..: a is gone
        QCOMPARE(*mine->size(), static_cast<std::uint64_t>(sets + 1));
        QCOMPARE(mine->stats().expirations, 1u);
        auto report = mine->check(false);
        QVERIFY(report.ok() && !report->totals_mismatch);
    }

    // The engine that stored the expiry culls at its first set after it is due.
    void ownExpiryCulledAtNextSet() {
        TempDir dir;
        auto clock = std::make_shared<ManualClock>();
        auto engine = openOrDie(sqliteConfig(dir.path(), {}, clock));
        QVERIFY(engine->set(keyOf("a"), withTtl("a", 100)).ok());
        QVERIFY(engine->set(keyOf("b"), withTtl("b", 300)).ok());
        clock->advanceMs(99);
        QVERIFY(engine->set(keyOf("c"), recordOf("c", "c")).ok());
        QCOMPARE(*engine->size(), 3u);
        clock->advanceMs(1);
        QVERIFY(engine->set(keyOf("d"), recordOf("d", "d")).ok());
        QCOMPARE(*engine->size(), 3u);  // a culled; b is the next expiry
        clock->advanceMs(200);
        QVERIFY(engine->set(keyOf("e"), recordOf("e", "e")).ok());
        QCOMPARE(*engine->size(), 3u);  // b culled
        QCOMPARE(engine->stats().expirations, 2u);
    }

    // Over a limit, expired rows go first: no live entry is evicted and a policy-none cache
    // is not "full" while it holds expired rows.
    void expiredGoBeforeEviction_data() {
        QTest::addColumn<Policy>("policy");
        QTest::newRow("fifo") << Policy::kFifo;
        QTest::newRow("lru") << Policy::kLru;
        QTest::newRow("none") << Policy::kNone;
    }
    void expiredGoBeforeEviction() {
        QFETCH(Policy, policy);
        TempDir dir;
        auto clock = std::make_shared<ManualClock>();
        auto cfg = sqliteConfig(dir.path(), {.maxsize = 3, .policy = policy}, clock);
        auto mine = openOrDie(cfg);
        auto other = openOrDie(cfg);
        QVERIFY(mine->set(keyOf("b"), recordOf("b", "b")).ok());  // nothing due after this
        QVERIFY(other->set(keyOf("a"), withTtl("a", 100)).ok());
        clock->advanceMs(200);
        QVERIFY(mine->set(keyOf("c"), recordOf("c", "c")).ok());
        const Status s = mine->set(keyOf("d"), recordOf("d", "d"));  // 4 rows > 3: culls a
        QVERIFY2(s.ok(), s.toString().c_str());
        for (const char* k : {"b", "c", "d"}) QVERIFY(mine->get(keyOf(k)).ok());
        QVERIFY(mine->get(keyOf("a")).status().isNotFound());
        QCOMPARE(mine->stats().evictions, 0u);
        QCOMPARE(mine->stats().expirations, 1u);
        QCOMPARE(*mine->size(), 3u);
        QCOMPARE(storedRows(cfg.folder), 3);
    }
};

QTEST_GUILESS_MAIN(TestSqliteCull)
#include "test_sqlite_cull.moc"
