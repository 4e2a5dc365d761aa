// MemoryEngine: eviction order per policy, TTL, byte limits, scans, the typed fast path.
#include <QtTest>
#include <set>
#include <sstream>

#include "twat_cache/memory_engine.h"

using namespace twat_cache;

Q_DECLARE_METATYPE(twat_cache::Policy)

namespace {

// No environment: the tests see only what they set.
std::optional<std::string> noEnv(std::string_view) {
    return std::nullopt;
}

struct Setup {
    Policy policy = Policy::kLru;
    std::uint64_t maxsize = 0;
    std::uint64_t maxBytes = 0;
    std::chrono::milliseconds ttl{0};
    std::shared_ptr<Clock> clock{};
};

std::unique_ptr<MemoryEngine> makeEngine(const Setup& s) {
    CacheConfig c;
    c.name = "t";
    c.policy = s.policy;
    c.maxsize = s.maxsize;
    c.max_bytes = s.maxBytes;
    c.ttl = s.ttl;
    c.clock = s.clock;
    auto resolved = resolveConfig(c, noEnv);
    if (!resolved.ok()) qFatal("%s", resolved.status().toString().c_str());
    auto engine = MemoryEngine::create(*resolved);
    if (!engine.ok()) qFatal("%s", engine.status().toString().c_str());
    return std::move(*engine);
}

Key keyOf(int i) {
    return makeKey("t", i);
}

Status put(Engine& e, int i, std::string payload = "v",
           std::optional<std::chrono::milliseconds> ttl = std::nullopt) {
    const std::string text = "k" + std::to_string(i);
    Record r;
    r.key_text = text;
    r.type_tag = 7;
    r.payload = payload;
    r.ttl = ttl;
    return e.set(keyOf(i), r);
}

bool has(Engine& e, int i) {
    return e.contains(keyOf(i)).valueOr(false);
}

void copyInt(const void* object, void* context) {
    *static_cast<int*>(context) = *static_cast<const int*>(object);
}

}  // namespace

class TestMemoryEngine : public QObject {
    Q_OBJECT
  private slots:
    void evictionOrder_data() {
        QTest::addColumn<Policy>("policy");
        QTest::addColumn<QString>("ops");  // sN: set key N, gN: get key N
        QTest::addColumn<QString>("remaining");
        QTest::addColumn<int>("evictions");
        QTest::addColumn<int>("refused");  // sets that failed with Busy
        QTest::newRow("lru: a get protects") << Policy::kLru << "s1 s2 s3 g1 s4"
                                             << "1 3 4" << 1 << 0;
        QTest::newRow("lru: two gets") << Policy::kLru << "s1 s2 s3 g1 g2 s4 s5"
                                       << "2 4 5" << 2 << 0;
        QTest::newRow("lru: re-set is a use") << Policy::kLru << "s1 s2 s3 s1 s4"
                                              << "1 3 4" << 1 << 0;
        QTest::newRow("fifo: gets do not matter") << Policy::kFifo << "s1 s2 s3 g1 g1 s4"
                                                  << "2 3 4" << 1 << 0;
        QTest::newRow("fifo: re-set is a new store") << Policy::kFifo << "s1 s2 s3 s1 s4"
                                                     << "1 3 4" << 1 << 0;
        QTest::newRow("lfu: least used leaves") << Policy::kLfu << "s1 s2 s3 g1 g1 g2 g3 g3 g3 s4"
                                                << "1 3 4" << 1 << 0;
        QTest::newRow("lfu: new entry is least used") << Policy::kLfu << "s1 s2 s3 g1 g2 g3 s4 s5"
                                                      << "2 3 5" << 2 << 0;
        // Equal counts: the oldest store leaves. (Hits do not record their order: that would
        // be a shared write on every hit; see memory_shard.h.)
        QTest::newRow("lfu: ties go to the oldest store") << Policy::kLfu << "s1 s2 s3 g3 g1 g2 s4"
                                                          << "2 3 4" << 1 << 0;
        QTest::newRow("lfu: a re-set starts a new count")
            << Policy::kLfu << "s1 s2 s3 g1 g1 g2 g3 s1 s4"
            << "2 3 4" << 1 << 0;
        QTest::newRow("lru: second chance once per pass") << Policy::kLru << "s1 s2 s3 g1 s4 s5 s6"
                                                          << "4 5 6" << 3 << 0;
        QTest::newRow("none: refuses when full") << Policy::kNone << "s1 s2 s3 s4 s1"
                                                 << "1 2 3" << 0 << 1;
    }
    void evictionOrder() {
        QFETCH(Policy, policy);
        QFETCH(QString, ops);
        QFETCH(QString, remaining);
        QFETCH(int, evictions);
        QFETCH(int, refused);
        auto engine = makeEngine({.policy = policy, .maxsize = 3});
        QCOMPARE(engine->shardCount(), std::size_t{1});
        int busy = 0;
        for (const QString& op : ops.split(' ')) {
            const int i = op.mid(1).toInt();
            if (op.startsWith('s')) {
                Status s = put(*engine, i);
                if (s.code() == StatusCode::kBusy)
                    ++busy;
                else
                    QVERIFY2(s.ok(), s.toString().c_str());
            } else {
                QVERIFY(engine->get(keyOf(i)).ok());
            }
        }
        QStringList present;
        for (int i = 1; i <= 9; ++i) {
            if (has(*engine, i)) present << QString::number(i);
        }
        QCOMPARE(present.join(' '), remaining);
        QCOMPARE(engine->stats().evictions, static_cast<std::uint64_t>(evictions));
        QCOMPARE(busy, refused);
        QCOMPARE(*engine->size(), static_cast<std::uint64_t>(present.size()));
    }

    void randomReplacementKeepsTheLimitAndIsReproducible() {
        std::vector<std::set<int>> survivors;
        for (int run = 0; run < 2; ++run) {
            auto engine = makeEngine({.policy = Policy::kRr, .maxsize = 10});
            for (int i = 0; i < 100; ++i) {
                QVERIFY(put(*engine, i).ok());
                QVERIFY(has(*engine, i));  // the entry just stored is never the victim
            }
            const Stats s = engine->stats();
            QCOMPARE(s.entries, 10u);
            QCOMPARE(s.evictions, 90u);
            std::set<int> alive;
            for (int i = 0; i < 100; ++i) {
                if (has(*engine, i)) alive.insert(i);
            }
            QCOMPARE(alive.size(), std::size_t{10});
            survivors.push_back(alive);
        }
        QCOMPARE(survivors[0], survivors[1]);
        // Random, not FIFO: some early key survives or some late key left.
        QVERIFY(survivors[0] != (std::set<int>{90, 91, 92, 93, 94, 95, 96, 97, 98, 99}));
    }

    void ttlExpiresOnAccess() {
        auto clock = std::make_shared<ManualClock>();
        auto engine = makeEngine({.ttl = std::chrono::milliseconds(1000), .clock = clock});
        const std::int64_t start = clock->nowMs();
        QVERIFY(put(*engine, 1).ok());
        auto v = engine->get(keyOf(1));
        QVERIFY(v.ok());
        QCOMPARE(v->created_ms, start);
        QCOMPARE(v->expires_ms, start + 1000);
        clock->advanceMs(999);
        QVERIFY(engine->get(keyOf(1)).ok());
        clock->advanceMs(1);
        QCOMPARE(engine->get(keyOf(1)).status().code(), StatusCode::kNotFound);
        const Stats s = engine->stats();
        QCOMPARE(s.hits, 2u);
        QCOMPARE(s.misses, 1u);
        QCOMPARE(s.expirations, 1u);
        QCOMPARE(s.entries, 0u);
        QCOMPARE(s.bytes, 0u);
    }

    void ttlPerRecordOverridesTheCache() {
        auto clock = std::make_shared<ManualClock>();
        auto engine = makeEngine({.ttl = std::chrono::milliseconds(1000), .clock = clock});
        QVERIFY(put(*engine, 1, "v", std::chrono::milliseconds(5000)).ok());
        QVERIFY(put(*engine, 2, "v", std::chrono::milliseconds(0)).ok());  // never expires
        QVERIFY(put(*engine, 3).ok());                                     // cache ttl
        clock->advanceMs(1000);
        QVERIFY(has(*engine, 1));
        QVERIFY(has(*engine, 2));
        QVERIFY(!has(*engine, 3));  // contains() culls and counts the expired entry
        clock->advanceMs(4000);
        QVERIFY(!has(*engine, 1));
        clock->advanceMs(1'000'000'000);
        QVERIFY(has(*engine, 2));
        QCOMPARE(engine->stats().expirations, 2u);
    }

    void ttlAppliesToObjects() {
        auto clock = std::make_shared<ManualClock>();
        auto engine = makeEngine(
            {.policy = Policy::kLfu, .ttl = std::chrono::milliseconds(10), .clock = clock});
        QVERIFY(engine->setObject(keyOf(1), 5, std::make_shared<const int>(42), sizeof(int), "k1")
                    .ok());
        int out = 0;
        QVERIFY(engine->getObject(keyOf(1), 5, &copyInt, &out));
        QCOMPARE(out, 42);
        clock->advanceMs(10);
        QVERIFY(!engine->getObject(keyOf(1), 5, &copyInt, &out));
        QCOMPARE(engine->stats().expirations, 1u);
    }

    void byteLimitEvicts() {
        // Each entry counts payload (20) + key text ("kN": 2) = 22 bytes.
        auto engine = makeEngine({.maxBytes = 100});
        for (int i = 1; i <= 4; ++i) QVERIFY(put(*engine, i, std::string(20, 'x')).ok());
        QCOMPARE(engine->stats().bytes, 88u);
        QVERIFY(put(*engine, 5, std::string(20, 'x')).ok());
        Stats s = engine->stats();
        QCOMPARE(s.entries, 4u);
        QCOMPARE(s.bytes, 88u);
        QCOMPARE(s.evictions, 1u);
        QVERIFY(!has(*engine, 1));
        // One big entry pushes out as many as it needs.
        QVERIFY(put(*engine, 6, std::string(60, 'x')).ok());
        s = engine->stats();
        QCOMPARE(s.bytes, 62u + 22u);
        QCOMPARE(s.entries, 2u);
        // Larger than the whole cache: refused, nothing lost.
        const Status big = put(*engine, 7, std::string(200, 'x'));
        QCOMPARE(big.code(), StatusCode::kBusy);
        QVERIFY(big.message().find("byte limit") != std::string::npos);
        QCOMPARE(engine->stats().entries, 2u);
    }

    void replacingAdjustsBytes() {
        auto engine = makeEngine({});
        QVERIFY(put(*engine, 1, std::string(10, 'a')).ok());
        QVERIFY(put(*engine, 1, std::string(30, 'b')).ok());
        const Stats s = engine->stats();
        QCOMPARE(s.entries, 1u);
        QCOMPARE(s.bytes, 32u);
        QCOMPARE(engine->get(keyOf(1))->payload, std::string(30, 'b'));
    }

    void scanPagesCoverEveryEntryOnce_data() {
        QTest::addColumn<int>("maxsize");
        QTest::addColumn<int>("pageSize");
        QTest::newRow("one shard, page 1") << 500 << 1;
        QTest::newRow("one shard, page 7") << 500 << 7;
        QTest::newRow("sharded, page 7") << 0 << 7;
        QTest::newRow("sharded, page 100") << 0 << 100;
        QTest::newRow("sharded, page 1000") << 0 << 1000;
    }
    void scanPagesCoverEveryEntryOnce() {
        QFETCH(int, maxsize);
        QFETCH(int, pageSize);
        auto clock = std::make_shared<ManualClock>();
        auto engine = makeEngine({.maxsize = static_cast<std::uint64_t>(maxsize),
                                  .ttl = std::chrono::milliseconds(60'000),
                                  .clock = clock});
        constexpr int kEntries = 250;
        for (int i = 0; i < kEntries; ++i) QVERIFY(put(*engine, i, std::string(3, 'p')).ok());
        QVERIFY(engine->get(keyOf(0)).ok());
        std::multiset<std::string> seen;
        std::string cursor;
        int pages = 0;
        do {
            auto page = engine->scan(cursor, static_cast<std::size_t>(pageSize));
            QVERIFY2(page.ok(), page.status().toString().c_str());
            QVERIFY(page->entries.size() <= static_cast<std::size_t>(pageSize));
            for (const EntryInfo& e : page->entries) {
                seen.insert(e.key_text);
                QCOMPARE(e.size, 3u);
                QCOMPARE(e.created_ms, clock->nowMs());
                QCOMPARE(e.expires_ms, clock->nowMs() + 60'000);
                QCOMPARE(e.hits, e.key_text == "k0" ? 1u : 0u);
                QCOMPARE(e.key, keyOf(std::stoi(e.key_text.substr(1))));
            }
            cursor = page->cursor;
            QVERIFY(++pages <= kEntries + 20);
        } while (!cursor.empty());
        QCOMPARE(seen.size(), std::size_t{kEntries});
        for (int i = 0; i < kEntries; ++i) QCOMPARE(seen.count("k" + std::to_string(i)), 1u);
    }

    void scanRejectsForeignCursors() {
        auto engine = makeEngine({});
        for (const char* bad : {"x", "99:", "0:zz", "-1:"}) {
            QCOMPARE(engine->scan(bad, 10).status().code(), StatusCode::kInvalidArgument);
        }
    }

    void eraseContainsClearSize() {
        auto engine = makeEngine({});
        for (int i = 0; i < 50; ++i) QVERIFY(put(*engine, i).ok());
        QCOMPARE(*engine->size(), 50u);
        QCOMPARE(*engine->erase(keyOf(3)), true);
        QCOMPARE(*engine->erase(keyOf(3)), false);
        QVERIFY(!has(*engine, 3));
        QVERIFY(has(*engine, 4));
        QCOMPARE(*engine->size(), 49u);
        const Stats before = engine->stats();
        QCOMPARE(before.hits + before.misses, 0u);  // contains() is not a lookup
        QVERIFY(engine->clear().ok());
        QCOMPARE(*engine->size(), 0u);
        QCOMPARE(engine->stats().bytes, 0u);
        QVERIFY(put(*engine, 3).ok());
        QVERIFY(has(*engine, 3));
    }

    void typedAndByteEntriesDoNotMix() {
        auto engine = makeEngine({});
        QVERIFY(engine->setObject(keyOf(1), 5, std::make_shared<const int>(42), sizeof(int), "k1")
                    .ok());
        QVERIFY(put(*engine, 2).ok());
        int out = 0;
        QVERIFY(!engine->getObject(keyOf(1), 6, &copyInt, &out));  // foreign tag
        QVERIFY(!engine->getObject(keyOf(2), 7, &copyInt, &out));  // a byte entry
        QCOMPARE(engine->get(keyOf(1)).status().code(), StatusCode::kNotFound);
        QVERIFY(engine->getObject(keyOf(1), 5, &copyInt, &out));
        QCOMPARE(out, 42);
        const Stats s = engine->stats();
        QCOMPARE(s.hits, 1u);
        QCOMPARE(s.misses, 3u);
        QCOMPARE(s.bytes, sizeof(int) + 2 + 1 + 2);
    }

    void shardCountFollowsTheLimits_data() {
        QTest::addColumn<int>("maxsize");
        QTest::addColumn<int>("maxBytes");
        QTest::addColumn<int>("shards");
        QTest::newRow("small") << 1023 << 0 << 1;
        QTest::newRow("small bytes") << 0 << 1000 << 1;
        QTest::newRow("large") << 1024 << 0 << 16;
        QTest::newRow("unbounded") << 0 << 0 << 16;
    }
    void shardCountFollowsTheLimits() {
        QFETCH(int, maxsize);
        QFETCH(int, maxBytes);
        QFETCH(int, shards);
        auto engine = makeEngine({.maxsize = static_cast<std::uint64_t>(maxsize),
                                  .maxBytes = static_cast<std::uint64_t>(maxBytes)});
        QCOMPARE(engine->shardCount(), static_cast<std::size_t>(shards));
    }

    void shardedLimitIsExact() {
        // 1030 = 16 * 64 + 6: the parts must add up to the limit, not 16 * 65.
        auto engine = makeEngine({.maxsize = 1030});
        for (int i = 0; i < 5000; ++i) QVERIFY(put(*engine, i).ok());
        QCOMPARE(engine->stats().entries, 1030u);
        QCOMPARE(engine->stats().evictions, 5000u - 1030u);
    }

    void openEngineBuildsTheMemoryEngine() {
        auto resolved = resolveConfig(CacheConfig{.name = "x"}, noEnv);
        QVERIFY(resolved.ok());
        auto engine = openEngine(EngineKind::kMemory, *resolved);
        QVERIFY2(engine.ok(), engine.status().toString().c_str());
        QCOMPARE((*engine)->kind(), std::string_view("memory"));
        QVERIFY(!(*engine)->capabilities().persistent);
    }
};

QTEST_GUILESS_MAIN(TestMemoryEngine)
#include "test_memory_engine.moc"
