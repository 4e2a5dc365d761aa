// The cluster client shared by threads (run under TSan in CI): four threads memoize through one
// engine on a real Redis Cluster while the test moves a shard's slot to another master, so
// that MOVED and ASK replies update the slot map while other threads read it. Every value
// must be right and no call may fail.
#include <QtTest>
#include <atomic>
#include <thread>

#include "redis/redis_cluster_layout.h"
#include "redis/redis_cluster_slot.h"
#include "redis_cluster.h"
#include "twat_cache/memoize.h"

using namespace twat_cache;
using test::RedisCluster;

class TestRedisClusterThreads : public QObject {
    Q_OBJECT

  private slots:
    void threadsShareTheSlotMapWhileASlotMoves() {
        if (!RedisCluster::available()) QSKIP(RedisCluster::skipReason().c_str());
        RedisCluster cluster;
        const std::string error = cluster.start();
        QVERIFY2(error.empty(), error.c_str());
        std::atomic<int> calls{0};
        auto f = memoizeWith(EngineKind::kRedis,
                             {.name = "threads", .maxsize = 400, .redis_url = cluster.seedUrl()},
                             [&calls](int x) {
                                 calls.fetch_add(1, std::memory_order_relaxed);
                                 return x * 3 + 1;
                             });
        QVERIFY2(f.ok(), f.status().toString().c_str());
        constexpr int kThreads = 4;
        constexpr int kRounds = 600;
        std::atomic<int> wrong{0};
        std::atomic<bool> go{false};
        std::atomic<bool> moved{false};
        std::atomic<long> total{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                while (!go.load()) std::this_thread::yield();
                // Until the slot has moved, and a while after (bounded either way).
                for (int i = 0; i < 200'000 && (i < kRounds || !moved.load()); ++i) {
                    const int x = (i * 7 + t * 13) % 300;
                    if ((*f)(x) != x * 3 + 1) wrong.fetch_add(1);
                    total.fetch_add(1, std::memory_order_relaxed);
                }
            });
        }
        // Shard 9's slot moves while the threads run: its keys all at once (MOVED after).
        const int slot = detail::keySlot(detail::clusterShardTag(9));
        const int from = cluster.masterPortForSlot(slot);
        int to = -1;
        for (const auto& n : cluster.nodes()) {
            if (n.master && n.port != from) to = n.port;
        }
        go.store(true);
        std::string step = cluster.beginMigration(slot, to);
        if (step.empty()) step = cluster.migrateKeys(slot, 100000);
        if (step.empty()) step = cluster.finishMigration(slot);
        moved.store(true);
        for (auto& t : threads) t.join();
        QVERIFY2(step.empty(), step.c_str());
        QCOMPARE(wrong.load(), 0);
        qInfo("%ld calls, %d of the function, %llu errors", total.load(), calls.load(),
              static_cast<unsigned long long>(f->stats().errors));
        QCOMPARE(f->stats().errors, std::uint64_t{0});
        QCOMPARE(cluster.masterPortForSlot(slot), to);
        // After the move every key is served (hits) from wherever its slot lives now.
        const int before = calls.load();
        for (int x = 0; x < 300; x += 17) QCOMPARE((*f)(x), x * 3 + 1);
        QVERIFY(calls.load() - before <= 18);
    }
};

QTEST_GUILESS_MAIN(TestRedisClusterThreads)
#include "test_redis_cluster_threads.moc"
