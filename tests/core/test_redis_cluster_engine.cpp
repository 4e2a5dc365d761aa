// The Redis engine on a real Redis Cluster (tests/support/redis_cluster.h: 3 masters, 3
// replicas on loopback): detection with no flag, entries spread over every master, seed lists,
// db 0 only, the maxsize bound over the whole cluster, a slot migrated while in use (ASK, then
// MOVED), a master killed under a memoization loop, and the same over TLS.
#include <QtTest>
#include <chrono>
#include <set>
#include <thread>

#include "redis/redis_cluster_layout.h"
#include "redis/redis_cluster_slot.h"
#include "redis_cluster.h"
#include "tls_certificates.h"
#include "twat_cache/memoize.h"
#include "twat_cache/redis_engine.h"

using namespace twat_cache;
using test::RedisCluster;
using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

long long msSince(SteadyClock::time_point t) {
    return std::chrono::duration_cast<milliseconds>(SteadyClock::now() - t).count();
}

int value(int x) {
    return x * 7919 + 13;
}

long long dbsize(const RedisCluster& cluster, int port) {
    const std::string out = cluster.command(port, {"DBSIZE"});
    return out.empty() ? -1 : std::stoll(out);
}

std::vector<int> masterPorts(const RedisCluster& cluster) {
    std::vector<int> out;
    for (const auto& n : cluster.nodes()) {
        if (n.master && !n.failed) out.push_back(n.port);
    }
    return out;
}

Result<std::unique_ptr<RedisEngine>> openEngine(const std::string& url, std::uint64_t maxsize = 0,
                                                Policy policy = Policy::kLru) {
    CacheConfig c;
    c.name = "cl";
    c.redis_url = url;
    c.maxsize = maxsize;
    c.policy = policy;
    auto rc = resolveConfig(c);
    if (!rc.ok()) return rc.status();
    return RedisEngine::open(*rc);
}

// Stores `n` distinct entries through `engine` in batches of 100.
Status fill(RedisEngine& engine, int from, int n) {
    for (int at = from; at < from + n; at += 100) {
        std::vector<std::string> payloads;
        std::vector<KeyedRecord> batch;
        for (int i = at; i < std::min(from + n, at + 100); ++i) {
            payloads.push_back("value " + std::to_string(i));
        }
        for (int i = at; i < std::min(from + n, at + 100); ++i) {
            batch.push_back({hashBytes("k" + std::to_string(i)),
                             Record{.key_text = "k",
                                    .type_tag = 1,
                                    .payload = payloads[static_cast<std::size_t>(i - at)]}});
        }
        if (Status s = engine.setMany(batch); !s.ok()) return s;
    }
    return {};
}

}  // namespace

class TestRedisClusterEngine : public QObject {
    Q_OBJECT

    std::unique_ptr<RedisCluster> m_cluster;

  private slots:
    void initTestCase() {
        if (!RedisCluster::available()) QSKIP(RedisCluster::skipReason().c_str());
        m_cluster = std::make_unique<RedisCluster>();
        const std::string error = m_cluster->start();
        QVERIFY2(error.empty(), error.c_str());
    }

    void init() {
        // Each test starts from an empty cluster.
        for (int port : masterPorts(*m_cluster)) m_cluster->command(port, {"FLUSHALL"});
    }

    void memoizesAcrossEveryMaster() {
        int calls = 0;
        auto f =
            memoizeWith(EngineKind::kRedis, {.name = "spread", .redis_url = m_cluster->seedUrl()},
                        [&calls](int x) {
                            ++calls;
                            return value(x);
                        });
        QVERIFY2(f.ok(), f.status().toString().c_str());
        for (int x = 0; x < 300; ++x) QCOMPARE((*f)(x), value(x));
        for (int x = 0; x < 300; ++x) QCOMPARE((*f)(x), value(x));
        QCOMPARE(calls, 300);  // the second round were all hits
        const Stats s = f->stats();
        QCOMPARE(s.hits, std::uint64_t{300});
        QCOMPARE(s.errors, std::uint64_t{0});
        QCOMPARE(s.entries, std::uint64_t{300});
        // Without the cluster client every key of another master's slots was a MOVED error;
        // with it the entries lie on every master.
        long long total = 0;
        for (int port : masterPorts(*m_cluster)) {
            const long long n = dbsize(*m_cluster, port);
            QVERIFY2(n > 30,
                     ("master " + std::to_string(port) + " holds " + std::to_string(n)).c_str());
            total += n;
        }
        QVERIFY(total >= 300);
    }

    // A counter the cluster refuses to add to (saved_ns would pass 64 bits) does not make the
    // others count again at every flush: their HINCRBYs were applied.
    void aRefusedCounterDoesNotRecountTheOthers() {
        const int port = masterPorts(*m_cluster).front();
        auto clock = std::make_shared<ManualClock>();
        CacheConfig config;
        config.name = "full";
        config.redis_url = m_cluster->seedUrl();
        config.clock = clock;
        auto f = memoizeWith(EngineKind::kRedis, config, [clock](int x) {
            clock->advanceMs(5);  // its compute time
            return value(x);
        });
        QVERIFY2(f.ok(), f.status().toString().c_str());
        QCOMPARE((*f)(1), value(1));  // a miss
        QVERIFY(f->engine().flush().ok());
        const QString meta = "twat_cache:full:__meta";
        m_cluster->command(port, {"-c", "HSET", meta, "saved_ns", "9223372036854775807"});
        QCOMPARE((*f)(1), value(1));  // a hit, whose saved time the server cannot add
        (void)f->engine().flush();
        (void)f->engine().flush();
        QCOMPARE(m_cluster->command(port, {"-c", "HGET", meta, "hits"}), std::string("1\n"));
        QCOMPARE(m_cluster->command(port, {"-c", "HGET", meta, "misses"}), std::string("1\n"));
    }

    void engineCallsOnEveryNode() {
        auto engine = openEngine(m_cluster->seedUrl(1));
        QVERIFY2(engine.ok(), engine.status().toString().c_str());
        QVERIFY(fill(**engine, 0, 1000).ok());
        std::vector<Key> keys;
        for (int i = 0; i < 1000; ++i) keys.push_back(hashBytes("k" + std::to_string(i)));
        auto got = (*engine)->getMany(keys);
        for (int i = 0; i < 1000; ++i) {
            QVERIFY2(got[static_cast<std::size_t>(i)].ok(),
                     got[static_cast<std::size_t>(i)].status().toString().c_str());
            QCOMPARE(got[static_cast<std::size_t>(i)]->payload, "value " + std::to_string(i));
        }
        QCOMPARE((*engine)->size().valueOr(0), std::uint64_t{1000});
        // scan() walks every master once.
        std::set<std::string> seen;
        std::string cursor;
        do {
            auto page = (*engine)->scan(cursor, 128);
            QVERIFY2(page.ok(), page.status().toString().c_str());
            for (const auto& e : page->entries) QVERIFY(seen.insert(e.key.toHex()).second);
            cursor = page->cursor;
        } while (!cursor.empty());
        QCOMPARE(seen.size(), std::size_t{1000});
        QCOMPARE((*engine)->erase(keys[7]).valueOr(false), true);
        QCOMPARE((*engine)->contains(keys[7]).valueOr(true), false);
        QCOMPARE((*engine)->contains(keys[8]).valueOr(false), true);
        QVERIFY((*engine)->clear().ok());
        QCOMPARE((*engine)->size().valueOr(1), std::uint64_t{0});
    }

    void seedListSkipsDeadAddresses() {
        // The first seed is a port nobody listens on; the second is a node.
        const std::string seed = m_cluster->seedUrl(2);
        const std::string url =
            "redis://127.0.0.1:1," + seed.substr(std::string("redis://").size());
        auto engine = openEngine(url);
        QVERIFY2(engine.ok(), engine.status().toString().c_str());
        QVERIFY(fill(**engine, 0, 10).ok());
        QCOMPARE((*engine)->size().valueOr(0), std::uint64_t{10});
    }

    void otherDatabaseIsAnError() {
        auto engine = openEngine(m_cluster->seedUrl() + "/3");
        QVERIFY(!engine.ok());
        QCOMPARE(engine.status().code(), StatusCode::kInvalidArgument);
        QVERIFY2(engine.status().message().find("only database 0") != std::string::npos,
                 engine.status().message().c_str());
    }

    void maxsizeHoldsOverTheCluster() {
        for (Policy policy : {Policy::kLru, Policy::kFifo, Policy::kRr}) {
            init();
            auto engine = openEngine(m_cluster->seedUrl(), 1000, policy);
            QVERIFY2(engine.ok(), engine.status().toString().c_str());
            QVERIFY(fill(**engine, 0, 5000).ok());
            const std::uint64_t n = (*engine)->size().valueOr(0);
            // The bound is exact (each shard keeps its share); uniform keys fill every share.
            QVERIFY2(n <= 1000 && n >= 990, std::to_string(n).c_str());
            QCOMPARE((*engine)->stats().evictions, std::uint64_t{5000} - n);
            for (int port : masterPorts(*m_cluster)) QVERIFY(dbsize(*m_cluster, port) > 100);
        }
    }

    void slotMigratedWhileInUse() {
        auto engine = openEngine(m_cluster->seedUrl(), 0);
        QVERIFY2(engine.ok(), engine.status().toString().c_str());
        QVERIFY(fill(**engine, 0, 2000).ok());
        std::vector<Key> keys;
        for (int i = 0; i < 2000; ++i) keys.push_back(hashBytes("k" + std::to_string(i)));
        auto checkAll = [&]() -> int {
            int bad = 0;
            auto got = (*engine)->getMany(keys);
            for (int i = 0; i < 2000; ++i) {
                const auto& r = got[static_cast<std::size_t>(i)];
                if (!r.ok() || r->payload != "value " + std::to_string(i)) ++bad;
            }
            return bad;
        };
        // Shard 5's slot moves to another master, half of its keys first (ASK), then all
        // (MOVED).
        const int slot = detail::keySlot(detail::clusterShardTag(5));
        const int from = m_cluster->masterPortForSlot(slot);
        int to = -1;
        for (int port : masterPorts(*m_cluster)) {
            if (port != from) to = port;
        }
        QVERIFY(from > 0 && to > 0);
        std::string step = m_cluster->beginMigration(slot, to);
        QVERIFY2(step.empty(), step.c_str());
        std::size_t moved = 0;
        step = m_cluster->migrateKeys(slot, 60, &moved);
        QVERIFY2(step.empty(), step.c_str());
        QVERIFY(moved > 0);
        QCOMPARE(checkAll(), 0);
        QVERIFY(fill(**engine, 2000, 200).ok());  // stores during the migration too
        step = m_cluster->migrateKeys(slot, 100000, &moved);
        QVERIFY2(step.empty(), step.c_str());
        step = m_cluster->finishMigration(slot);
        QVERIFY2(step.empty(), step.c_str());
        QCOMPARE(m_cluster->masterPortForSlot(slot), to);
        QCOMPARE(checkAll(), 0);
        QCOMPARE((*engine)->stats().errors, std::uint64_t{0});
        QCOMPARE((*engine)->size().valueOr(0), std::uint64_t{2200});
    }

    // Last: it leaves the cluster with a promoted replica.
    void masterKilledUnderLoad() {
        constexpr int kKeys = 200;
        int calls = 0;
        auto f =
            memoizeWith(EngineKind::kRedis,
                        {.name = "failover", .redis_url = m_cluster->seedUrl() + "?timeout=500ms"},
                        [&calls](int x) {
                            ++calls;
                            return value(x);
                        });
        QVERIFY2(f.ok(), f.status().toString().c_str());
        for (int x = 0; x < kKeys; ++x) QCOMPARE((*f)(x), value(x));
        // The master of shard 3's slot dies, with every write on its replica.
        const int victim =
            m_cluster->masterPortForSlot(detail::keySlot(detail::clusterShardTag(3)));
        QCOMPARE(m_cluster->command(victim, {"WAIT", "1", "5000"}), std::string("1\n"));
        m_cluster->killNode(victim);
        const auto killed = SteadyClock::now();
        std::string settled;
        long long okMs = -1;
        std::thread watcher([&] {
            settled = m_cluster->waitForFailover(victim, milliseconds(30'000));
            okMs = msSince(killed);
        });
        int wrong = 0, total = 0;
        long long servedMs = -1;
        int hitsAfterOk = 0;
        while (msSince(killed) < 40'000 && hitsAfterOk < 2 * kKeys) {
            const int x = total % kKeys;
            const int before = calls;
            if ((*f)(x) != value(x)) ++wrong;
            ++total;
            if (okMs >= 0 && calls == before && servedMs < 0) servedMs = msSince(killed);
            if (okMs >= 0 && calls == before) ++hitsAfterOk;
            std::this_thread::sleep_for(milliseconds(1));  // paces the loop
        }
        watcher.join();
        QVERIFY2(settled.empty(), settled.c_str());
        qInfo(
            "cluster failover: %d calls, %d wrong; cluster ok after %lld ms, served again "
            "%lld ms after the kill; %llu errors counted",
            total, wrong, okMs, servedMs, static_cast<unsigned long long>(f->stats().errors));
        QCOMPARE(wrong, 0);
        QVERIFY2(servedMs >= 0, "calls were never served after the failover");
        QVERIFY2(servedMs - okMs <= 10'000, std::to_string(servedMs - okMs).c_str());
        // Every key is a hit again: the promoted replica serves the dead master's slots.
        const int callsBefore = calls;
        for (int x = 0; x < kKeys; ++x) QCOMPARE((*f)(x), value(x));
        QCOMPARE(calls, callsBefore);
    }
};

QTEST_GUILESS_MAIN(TestRedisClusterEngine)
#include "test_redis_cluster_engine.moc"
