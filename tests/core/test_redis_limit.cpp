// maxsize on the redis engine against a real redis-server: the bound holds exactly, fifo and
// lru choose the right victims, two engines (two processes' worth of pools) share one bound,
// expired entries do not count, clear/erase keep the index right, lost scripts are reloaded,
// and a cache without limits creates no index at all.
#include <QtTest>
#include <chrono>
#include <thread>

#include "redis_commands.h"
#include "redis_server.h"
#include "twat_cache/redis_engine.h"

using namespace twat_cache;
using namespace std::chrono_literals;
using test::RawRedis;
using test::RedisServer;

namespace {

Record rec(std::string_view payload, std::optional<std::chrono::milliseconds> ttl = {}) {
    Record r;
    r.key_text = "k";
    r.type_tag = 1;
    r.payload = payload;
    r.ttl = ttl;
    return r;
}

Key keyOf(int i) {
    return hashBytes("limit-" + std::to_string(i));
}

}  // namespace

class TestRedisLimit : public QObject {
    Q_OBJECT
  private:
    std::unique_ptr<RedisServer> m_server;

    std::unique_ptr<RedisEngine> open(CacheConfig cfg) {
        cfg.redis_url = m_server->url();
        if (!cfg.clock) cfg.clock = std::make_shared<ManualClock>(Clock::system()->nowMs());
        auto resolved = resolveConfig(
            cfg, [](std::string_view) -> std::optional<std::string> { return std::nullopt; });
        if (!resolved.ok()) qFatal("%s", resolved.status().toString().c_str());
        auto engine = RedisEngine::open(*resolved);
        if (!engine.ok()) qFatal("%s", engine.status().toString().c_str());
        return std::move(*engine);
    }
    std::string zcard(const std::string& cache) {
        RawRedis raw(m_server->port());
        return raw.run({"ZCARD", "twat_cache:" + cache + ":__index"});
    }

  private slots:
    void initTestCase() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        m_server = std::make_unique<RedisServer>();
        const std::string error = m_server->start();
        QVERIFY2(error.empty(), error.c_str());
    }

    void boundHoldsExactly_data() {
        QTest::addColumn<int>("policy");
        QTest::newRow("lru") << int(Policy::kLru);
        QTest::newRow("fifo") << int(Policy::kFifo);
        QTest::newRow("rr") << int(Policy::kRr);
    }
    void boundHoldsExactly() {
        QFETCH(int, policy);
        const std::string name = "bound-" + std::string(policyName(Policy(policy)));
        auto e = open({.name = name, .maxsize = 10, .policy = Policy(policy)});
        for (int i = 0; i < 200; ++i) {
            QVERIFY(e->set(keyOf(i), rec("v" + std::to_string(i))).ok());
            QVERIFY(e->size().value() <= 10u);
        }
        // setMany goes through the same script, one per record, in one pipeline.
        std::vector<std::string> payloads(50, "batch");
        std::vector<KeyedRecord> batch;
        for (int i = 200; i < 250; ++i) batch.push_back({keyOf(i), rec(payloads[0])});
        QVERIFY(e->setMany(batch).ok());
        QCOMPARE(e->size().value(), 10u);
        QCOMPARE(zcard(name), std::string("10"));
        QCOMPARE(e->stats().evictions, 240u);
        QVERIFY(e->get(keyOf(249)).ok());  // the newest is never the victim
        QCOMPARE(e->capabilities().policies,
                 (std::vector<Policy>{Policy::kLru, Policy::kFifo, Policy::kRr}));
    }

    // The same sequence under fifo and lru: only lru keeps the entry read in between.
    void fifoAndLruVictims_data() {
        QTest::addColumn<int>("policy");
        QTest::addColumn<int>("victim");
        QTest::newRow("fifo evicts the oldest store") << int(Policy::kFifo) << 0;
        QTest::newRow("lru evicts the least recently read") << int(Policy::kLru) << 1;
        QTest::newRow("lfu falls back to lru") << int(Policy::kLfu) << 1;
    }
    void fifoAndLruVictims() {
        QFETCH(int, policy);
        QFETCH(int, victim);
        const std::string name = "victim-" + std::string(policyName(Policy(policy)));
        auto e = open({.name = name, .maxsize = 5, .policy = Policy(policy)});
        for (int i = 0; i < 5; ++i) QVERIFY(e->set(keyOf(i), rec("v")).ok());
        QVERIFY(e->get(keyOf(0)).ok());
        std::vector<Key> two{keyOf(2), keyOf(3)};
        for (const auto& r : e->getMany(two)) QVERIFY(r.ok());  // getMany touches too
        QVERIFY(e->set(keyOf(5), rec("v")).ok());
        QCOMPARE(e->size().value(), 5u);
        QVERIFY(e->get(keyOf(victim)).status().isNotFound());
        for (int i = 0; i < 6; ++i) {
            if (i != victim) QVERIFY2(e->get(keyOf(i)).ok(), std::to_string(i).c_str());
        }
        // Under lru the batch read saved 2 and 3: the next two victims are 4 and 5 (or 0).
        QVERIFY(e->set(keyOf(6), rec("v")).ok());
        QCOMPARE(e->size().value(), 5u);
    }

    // The conformance contract of maxsizeUnderLru, on Redis.
    void contractMaxsizeUnderLru() {
        auto e = open({.name = "contract", .maxsize = 5, .policy = Policy::kLru});
        for (int i = 0; i < 5; ++i) QVERIFY(e->set(keyOf(i), rec("p")).ok());
        QVERIFY(e->get(keyOf(0)).ok());
        QVERIFY(e->set(keyOf(5), rec("p")).ok());
        QVERIFY(e->get(keyOf(0)).ok());
        QVERIFY(e->get(keyOf(1)).status().isNotFound());
        for (int i = 6; i < 40; ++i) QVERIFY(e->set(keyOf(i), rec("p")).ok());
        QCOMPARE(e->size().value(), 5u);
        for (int i = 35; i < 40; ++i) QVERIFY(e->get(keyOf(i)).ok());
        QCOMPARE(e->stats().evictions, 35u);
    }

    // Two engines with their own pools (as two processes would have) writing at once.
    void twoEnginesShareTheBound() {
        auto a = open({.name = "shared", .maxsize = 20, .policy = Policy::kFifo});
        auto b = open({.name = "shared", .maxsize = 20, .policy = Policy::kFifo});
        std::atomic<int> failures{0};
        auto writer = [&](RedisEngine& e, int from) {
            for (int i = from; i < from + 300; ++i) {
                if (!e.set(keyOf(i), rec("w")).ok()) ++failures;
            }
        };
        std::thread ta(writer, std::ref(*a), 0);
        std::thread tb(writer, std::ref(*b), 1000);
        ta.join();
        tb.join();
        QCOMPARE(failures.load(), 0);
        QCOMPARE(a->size().value(), 20u);
        QCOMPARE(zcard("shared"), std::string("20"));
        QCOMPARE(a->stats().evictions, 580u);
    }

    // Entries Redis expired leave the index on the next store: they neither count against
    // the bound (the older live entries stay) nor count as evictions.
    void expiredEntriesDoNotCount() {
        auto e = open({.name = "expiring", .maxsize = 4});
        for (int i = 0; i < 2; ++i) QVERIFY(e->set(keyOf(i), rec("lasting")).ok());
        for (int i = 2; i < 4; ++i) QVERIFY(e->set(keyOf(i), rec("short", 100ms)).ok());
        RawRedis raw(m_server->port());
        QCOMPARE(raw.run({"ZCARD", "twat_cache:expiring:__expiry"}), std::string("2"));
        bool gone = false;
        for (int i = 0; i < 200 && !gone; ++i) {  // Redis expires by its own clock: poll
            gone = raw.run({"EXISTS", "twat_cache:expiring:" + keyOf(2).toHex(),
                            "twat_cache:expiring:" + keyOf(3).toHex()}) == "0";
            if (!gone) std::this_thread::sleep_for(25ms);
        }
        QVERIFY(gone);
        for (int i = 10; i < 12; ++i) QVERIFY(e->set(keyOf(i), rec("new")).ok());
        for (int i : {0, 1, 10, 11}) QVERIFY2(e->get(keyOf(i)).ok(), std::to_string(i).c_str());
        QCOMPARE(e->stats().evictions, 0u);
        QCOMPARE(zcard("expiring"), std::string("4"));
        QCOMPARE(raw.run({"ZCARD", "twat_cache:expiring:__expiry"}), std::string("0"));
    }

    void clearAndEraseKeepTheIndex() {
        auto e = open({.name = "ce", .maxsize = 5});
        for (int i = 0; i < 5; ++i) QVERIFY(e->set(keyOf(i), rec("v")).ok());
        QCOMPARE(e->erase(keyOf(0)).value(), true);
        QCOMPARE(zcard("ce"), std::string("4"));
        QVERIFY(e->set(keyOf(5), rec("v")).ok());  // room left by the erase: no eviction
        QCOMPARE(e->stats().evictions, 0u);
        QVERIFY(e->set(keyOf(6), rec("v")).ok());
        QCOMPARE(e->stats().evictions, 1u);
        QVERIFY(e->clear().ok());
        RawRedis raw(m_server->port());
        QCOMPARE(raw.run({"EXISTS", "twat_cache:ce:__index", "twat_cache:ce:__expiry"}),
                 std::string("0"));
        for (int i = 10; i < 15; ++i) QVERIFY(e->set(keyOf(i), rec("v")).ok());
        QCOMPARE(e->stats().evictions, 1u);
        QCOMPARE(e->size().value(), 5u);
    }

    // SCRIPT FLUSH (or a restart) loses the cached scripts: stores and reads still work.
    void lostScriptsAreReloaded() {
        auto e = open({.name = "flushed", .maxsize = 3, .policy = Policy::kLru});
        for (int i = 0; i < 3; ++i) QVERIFY(e->set(keyOf(i), rec("v")).ok());
        RawRedis raw(m_server->port());
        QCOMPARE(raw.run({"SCRIPT", "FLUSH"}), std::string("OK"));
        QVERIFY(e->get(keyOf(0)).ok());  // touch re-run with EVAL
        QCOMPARE(raw.run({"SCRIPT", "FLUSH"}), std::string("OK"));
        QVERIFY(e->set(keyOf(3), rec("v")).ok());
        QCOMPARE(e->size().value(), 3u);
        QVERIFY(e->get(keyOf(0)).ok());
        QVERIFY(e->get(keyOf(1)).status().isNotFound());
        // The batch calls too: getMany's touch and setMany's store.
        QCOMPARE(raw.run({"SCRIPT", "FLUSH"}), std::string("OK"));
        std::vector<Key> read{keyOf(2), keyOf(0)};
        for (const auto& r : e->getMany(read)) QVERIFY(r.ok());
        QCOMPARE(raw.run({"SCRIPT", "FLUSH"}), std::string("OK"));
        std::vector<KeyedRecord> batch{{keyOf(4), rec("b")}, {keyOf(5), rec("b")}};
        QVERIFY(e->setMany(batch).ok());
        QCOMPARE(e->size().value(), 3u);
        QVERIFY(e->get(keyOf(3)).status().isNotFound());  // 2 and 0 were read after 3
        QVERIFY(e->get(keyOf(0)).ok());
    }

    void noLimitCreatesNoIndex() {
        auto e = open({.name = "unbounded"});
        for (int i = 0; i < 20; ++i) QVERIFY(e->set(keyOf(i), rec("v", 1h)).ok());
        QVERIFY(e->get(keyOf(1)).ok());
        QCOMPARE(e->erase(keyOf(2)).value(), true);
        QCOMPARE(e->size().value(), 19u);
        RawRedis raw(m_server->port());
        QCOMPARE(
            raw.run({"EXISTS", "twat_cache:unbounded:__index", "twat_cache:unbounded:__expiry"}),
            std::string("0"));
        QCOMPARE(raw.run({"HGET", "twat_cache:unbounded:__meta", "seq"}), std::string("(nil)"));
    }
};

QTEST_GUILESS_MAIN(TestRedisLimit)
#include "test_redis_limit.moc"
