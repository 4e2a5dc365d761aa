// The redis engine used from several threads through a small connection pool: values stay
// right, and the batched counters add up exactly. Bounded for ThreadSanitizer runs.
#include <QtTest>
#include <atomic>
#include <thread>

#include "redis_server.h"
#include "twat_cache/redis_engine.h"

using namespace twat_cache;
using test::RedisServer;

namespace {

Record rec(std::string_view payload) {
    Record r;
    r.payload = payload;
    return r;
}

Key keyOf(int i) {
    return hashBytes("key-" + std::to_string(i));
}

}  // namespace

class TestRedisConcurrency : public QObject {
    Q_OBJECT
  private slots:
    void threadsShareThePool() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        RedisServer server;
        const std::string error = server.start();
        QVERIFY2(error.empty(), error.c_str());
        CacheConfig cfg{.name = "threads", .redis_url = server.url()};
        auto resolved = resolveConfig(cfg, [](std::string_view name) -> std::optional<std::string> {
            if (name == "HOME") return std::string("/nonexistent");
            return std::nullopt;
        });
        QVERIFY(resolved.ok());
        RedisOptions options;
        options.pool_size = 2;
        options.counter_flush_ops = 16;  // many concurrent flushes
        auto opened = RedisEngine::open(*resolved, options);
        QVERIFY2(opened.ok(), opened.status().toString().c_str());
        RedisEngine& engine = **opened;

        constexpr int kThreads = 6;
        constexpr int kOps = 150;
        std::atomic<int> failures{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < kOps; ++i) {
                    const Key k = keyOf(t * 1000 + i);
                    const std::string v = std::to_string(t * 1000 + i);
                    if (!engine.set(k, rec(v)).ok()) ++failures;
                    auto got = engine.get(k);  // a hit
                    if (!got.ok() || got->payload != v) ++failures;
                    if (!engine.get(keyOf(-1 - t)).status().isNotFound()) ++failures;  // a miss
                }
            });
        }
        for (auto& th : threads) th.join();
        QCOMPARE(failures.load(), 0);
        const Stats s = engine.stats();
        QCOMPARE(s.hits, static_cast<std::uint64_t>(kThreads * kOps));
        QCOMPARE(s.misses, static_cast<std::uint64_t>(kThreads * kOps));
        QCOMPARE(s.errors, 0u);
        QCOMPARE(s.entries, static_cast<std::uint64_t>(kThreads * kOps));
    }
};

QTEST_GUILESS_MAIN(TestRedisConcurrency)
#include "test_redis_concurrency.moc"
