// Many threads on one memory cache: consistent counters, no lost entries, limits respected.
// Bounded work (CI runs this under ThreadSanitizer).
#include <QtTest>
#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "twat_cache/memoize.h"

using namespace twat_cache;

Q_DECLARE_METATYPE(twat_cache::Policy)

namespace {

constexpr int kThreads = 8;
constexpr int kCallsPerThread = 20'000;

std::optional<std::string> noEnv(std::string_view) {
    return std::nullopt;
}

template <class Body>
void runThreads(Body body) {
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t) threads.emplace_back(body, t);
    for (auto& th : threads) th.join();
}

// A cheap deterministic key sequence per thread.
int keyAt(int thread, int i, int keys) {
    const auto mixed =
        static_cast<unsigned>(i) * 2654435761u + static_cast<unsigned>(thread) * 40503u;
    return static_cast<int>((mixed >> 7) % static_cast<unsigned>(keys));
}

}  // namespace

class TestMemoryConcurrency : public QObject {
    Q_OBJECT
  private slots:
    void memoizedHammer_data() {
        QTest::addColumn<Policy>("policy");
        QTest::addColumn<int>("maxsize");  // 0: unbounded
        QTest::addColumn<int>("keys");
        QTest::newRow("unbounded lru") << Policy::kLru << 0 << 1000;
        QTest::newRow("bounded lru, one shard") << Policy::kLru << 100 << 1000;
        QTest::newRow("bounded lru, sharded") << Policy::kLru << 1500 << 5000;
        QTest::newRow("bounded lfu") << Policy::kLfu << 100 << 1000;
        QTest::newRow("bounded fifo, sharded") << Policy::kFifo << 1100 << 5000;
        QTest::newRow("bounded rr") << Policy::kRr << 100 << 1000;
    }
    void memoizedHammer() {
        QFETCH(Policy, policy);
        QFETCH(int, maxsize);
        QFETCH(int, keys);
        std::atomic<std::uint64_t> calls{0};
        auto f =
            mcache(CacheConfig{.maxsize = static_cast<std::uint64_t>(maxsize), .policy = policy},
                   [&calls](int x, const std::string& tag) {
                       calls.fetch_add(1, std::memory_order_relaxed);
                       return tag + std::to_string(x * 3);
                   });
        QVERIFY(f.ok());
        std::atomic<int> wrong{0};
        runThreads([&](int t) {
            for (int i = 0; i < kCallsPerThread; ++i) {
                const int k = keyAt(t, i, keys);
                if ((*f)(k, "v") != "v" + std::to_string(k * 3)) wrong.fetch_add(1);
            }
        });
        QCOMPARE(wrong.load(), 0);
        const Stats s = f->stats();
        QCOMPARE(s.hits + s.misses, static_cast<std::uint64_t>(kThreads) * kCallsPerThread);
        QCOMPARE(s.misses, calls.load());  // each miss ran the function exactly once
        QCOMPARE(s.errors, 0u);
        if (maxsize == 0) {
            std::set<int> distinct;
            for (int t = 0; t < kThreads; ++t) {
                for (int i = 0; i < kCallsPerThread; ++i) distinct.insert(keyAt(t, i, keys));
            }
            QCOMPARE(s.entries, static_cast<std::uint64_t>(distinct.size()));  // nothing lost
            QCOMPARE(s.evictions, 0u);
        } else {
            QVERIFY(s.entries <= static_cast<std::uint64_t>(maxsize));
            QVERIFY(s.evictions > 0);
            // Every miss stored an entry (or replaced one another thread stored for the same
            // key at the same time), which is still there or was evicted.
            QVERIFY(s.entries + s.evictions <= s.misses);
        }
    }

    void byteInterfaceHammer() {
        CacheConfig c{.name = "bytes", .maxsize = 2000, .policy = Policy::kLru};
        auto resolved = resolveConfig(c, noEnv);
        QVERIFY(resolved.ok());
        auto engine = MemoryEngine::create(*resolved);
        QVERIFY(engine.ok());
        MemoryEngine& e = **engine;
        std::atomic<std::uint64_t> gets{0};
        std::atomic<int> wrong{0};
        runThreads([&](int t) {
            for (int i = 0; i < kCallsPerThread / 4; ++i) {
                const int k = keyAt(t, i, 4000);
                const Key key = makeKey("bytes", k);
                const std::string payload = encodeToString(k);
                switch (i % 4) {
                    case 0: {
                        Record r;
                        r.key_text = "k";
                        r.type_tag = 1;
                        r.payload = payload;
                        if (!e.set(key, r).ok()) wrong.fetch_add(1);
                        break;
                    }
                    case 1:
                    case 2: {
                        gets.fetch_add(1, std::memory_order_relaxed);
                        auto v = e.get(key);
                        if (v.ok() && v->payload != payload) wrong.fetch_add(1);
                        break;
                    }
                    default:
                        (void)e.erase(key);
                }
                if (i % 1000 == 0) {
                    auto page = e.scan("", 50);
                    if (!page.ok()) wrong.fetch_add(1);
                }
            }
        });
        QCOMPARE(wrong.load(), 0);
        const Stats s = e.stats();
        QCOMPARE(s.hits + s.misses, gets.load());
        QVERIFY(s.entries <= 2000u);
        QCOMPARE(*e.size(), s.entries);
    }
};

QTEST_GUILESS_MAIN(TestMemoryConcurrency)
#include "test_memory_concurrency.moc"
