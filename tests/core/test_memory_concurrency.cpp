// Many threads on one memory cache: consistent counters, no lost entries, limits respected.
// Bounded work (CI runs this under ThreadSanitizer).
#include <QtTest>
#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "twat_cache/clock.h"
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

// The object type of the typed-path entries in mixedHammer: it names its key, so a reader
// can tell that what it got was stored for the key it asked for.
struct Tagged {
    int key = 0;
    std::string pad;
};

void copyTagged(const void* object, void* context) {
    *static_cast<Tagged*>(context) = *static_cast<const Tagged*>(object);
}

// "k<key>/" then a filler whose length varies with the writer and the round.
std::string payloadFor(int key, int thread, int i) {
    const auto fill = static_cast<std::size_t>((key * 7 + thread * 13 + i) % 1500);
    return "k" + std::to_string(key) + "/" + std::string(fill, static_cast<char>('a' + thread));
}

bool payloadIsOf(const std::string& payload, int key) {
    const std::string prefix = "k" + std::to_string(key) + "/";
    return payload.compare(0, prefix.size(), prefix) == 0;
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

    // Hits, stores, replacements, erasures, evictions and expirations at once, through both
    // interfaces: every value read belongs to the key asked for, the counters add up, and
    // the limits hold once the threads are done.
    void mixedHammer_data() {
        QTest::addColumn<Policy>("policy");
        QTest::addColumn<int>("maxsize");   // 0: unbounded
        QTest::addColumn<int>("maxBytes");  // 0: unbounded
        QTest::addColumn<int>("ttlMs");     // the cache's ttl; 0: none
        QTest::addColumn<int>("keys");
        QTest::newRow("lru, one shard") << Policy::kLru << 200 << 0 << 0 << 600;
        QTest::newRow("lru, sharded, ttl") << Policy::kLru << 2000 << 0 << 40 << 5000;
        QTest::newRow("lru, bytes, one shard") << Policy::kLru << 0 << 100'000 << 0 << 600;
        QTest::newRow("lfu, bytes, sharded") << Policy::kLfu << 0 << 1'100'000 << 0 << 4000;
        QTest::newRow("lfu, one shard, ttl") << Policy::kLfu << 300 << 0 << 25 << 1000;
        QTest::newRow("fifo, sharded") << Policy::kFifo << 1200 << 0 << 0 << 4000;
        QTest::newRow("rr, one shard") << Policy::kRr << 150 << 0 << 0 << 600;
    }
    void mixedHammer() {
        QFETCH(Policy, policy);
        QFETCH(int, maxsize);
        QFETCH(int, maxBytes);
        QFETCH(int, ttlMs);
        QFETCH(int, keys);
        auto clock = std::make_shared<ManualClock>();
        CacheConfig c{.name = "mixed",
                      .maxsize = static_cast<std::uint64_t>(maxsize),
                      .max_bytes = static_cast<std::uint64_t>(maxBytes),
                      .ttl = std::chrono::milliseconds(ttlMs),
                      .policy = policy,
                      .clock = clock};
        auto resolved = resolveConfig(c, noEnv);
        QVERIFY(resolved.ok());
        auto engine = MemoryEngine::create(*resolved);
        QVERIFY(engine.ok());
        MemoryEngine& e = **engine;
        constexpr std::uint64_t kTag = 42;
        constexpr int kOps = 6000;
        std::atomic<std::uint64_t> lookups{0};
        std::atomic<std::uint64_t> hits{0};
        std::atomic<int> wrong{0};
        runThreads([&](int t) {
            std::uint64_t myLookups = 0;
            std::uint64_t myHits = 0;
            for (int i = 0; i < kOps; ++i) {
                const int k = keyAt(t, i, keys);
                const Key key = makeKey("mixed", k);
                switch ((i + t) % 8) {
                    case 0:
                    case 1: {
                        const std::string payload = payloadFor(k, t, i);
                        Record r;
                        r.key_text = "k";
                        r.type_tag = kTag;
                        r.payload = payload;
                        if (!e.set(key, r).ok()) wrong.fetch_add(1);
                        break;
                    }
                    case 2: {
                        Tagged v{k, std::string(static_cast<std::size_t>(i % 300), 'o')};
                        const std::size_t bytes = v.pad.size() + sizeof(Tagged);
                        auto object = std::make_shared<const Tagged>(std::move(v));
                        if (!e.setObject(key, kTag, object, bytes, "o").ok()) wrong.fetch_add(1);
                        break;
                    }
                    case 3:
                    case 4: {
                        ++myLookups;
                        auto v = e.get(key);
                        if (v.ok()) {
                            ++myHits;
                            if (v->type_tag != kTag || !payloadIsOf(v->payload, k)) {
                                wrong.fetch_add(1);
                            }
                        } else if (!v.status().isNotFound()) {
                            wrong.fetch_add(1);
                        }
                        break;
                    }
                    case 5: {
                        ++myLookups;
                        Tagged out{-1, {}};
                        if (e.getObject(key, kTag, &copyTagged, &out)) {
                            ++myHits;
                            if (out.key != k) wrong.fetch_add(1);
                        }
                        break;
                    }
                    case 6:
                        if (!e.erase(key).ok()) wrong.fetch_add(1);
                        break;
                    default:
                        if (!e.contains(key).ok()) wrong.fetch_add(1);
                        if (t == 0 && i % 64 == 7) clock->advanceMs(3);  // entries expire
                        if (i % 1500 == 7 && !e.scan("", 20).ok()) wrong.fetch_add(1);
                }
            }
            lookups.fetch_add(myLookups);
            hits.fetch_add(myHits);
        });
        QCOMPARE(wrong.load(), 0);

        const Stats s = e.stats();
        QCOMPARE(s.hits, hits.load());
        QCOMPARE(s.hits + s.misses, lookups.load());
        QCOMPARE(s.errors, 0u);
        QCOMPARE(*e.size(), s.entries);
        if (maxsize != 0) QVERIFY(s.entries <= static_cast<std::uint64_t>(maxsize));
        if (maxBytes != 0) QVERIFY(s.bytes <= static_cast<std::uint64_t>(maxBytes));
        if (maxsize != 0 || maxBytes != 0) QVERIFY(s.evictions > 0);
        if (ttlMs != 0) QVERIFY(s.expirations > 0);

        // Quiescent: every live entry belongs to its key, and the byte count is their sum.
        std::uint64_t seen = 0;
        std::uint64_t bytes = 0;
        std::string cursor;
        int pages = 0;
        do {
            auto page = e.scan(cursor, 500);
            QVERIFY2(page.ok(), page.status().toString().c_str());
            for (const EntryInfo& info : page->entries) {
                ++seen;
                bytes += info.size + info.key_text.size();
            }
            cursor = page->cursor;
            QVERIFY(++pages < 10'000);
        } while (!cursor.empty());
        if (ttlMs == 0) {  // scan skips expired entries not yet removed; entries counts them
            QCOMPARE(seen, s.entries);
            QCOMPARE(bytes, s.bytes);
        } else {
            QVERIFY(seen <= s.entries);
        }
        for (int k = 0; k < keys; ++k) {
            const Key key = makeKey("mixed", k);
            auto v = e.get(key);
            Tagged out{-1, {}};
            if (v.ok()) {
                QVERIFY(payloadIsOf(v->payload, k));
            } else if (e.getObject(key, kTag, &copyTagged, &out)) {
                QCOMPARE(out.key, k);
            }
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
