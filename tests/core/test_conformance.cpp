// Conformance: the Engine contract (engine.h) checked the same way on every local engine.
// Each test runs once per engine (a `_data()` row each: memory, sqlite, files), opened
// through openEngine() with a ManualClock in a TempDir. Where an engine legitimately differs,
// the table says so and the test checks the difference through capabilities(): nothing is
// skipped silently. (Redis runs the same contract in test_redis_engine against a real
// server.)
#include <QtTest>
#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "sqlite_test_util.h"  // noise
#include "test_support.h"
#include "twat_cache/clock.h"
#include "twat_cache/config.h"
#include "twat_cache/engine.h"
#include "twat_cache/key.h"

using namespace twat_cache;
using twat_cache::test::TempDir;

namespace {

// One opened engine with what it was opened with.
struct Subject {
    TempDir dir;
    std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
    std::unique_ptr<Engine> engine;
};

ResolvedConfig resolved(const Subject& s, CacheConfig config) {
    config.name = "conformance";
    config.cache_dir = s.dir.path();
    config.clock = s.clock;
    // The environment must not leak into the contract (e.g. TWAT_CACHE_TTL).
    auto r = resolveConfig(config, [](std::string_view) { return std::optional<std::string>(); });
    if (!r.ok()) qFatal("resolveConfig: %s", r.status().toString().c_str());
    return std::move(r).value();
}

// Opens `kind` in a fresh folder; fails the test (returns null) when it cannot.
std::unique_ptr<Subject> openSubject(EngineKind kind, CacheConfig config = {}) {
    auto s = std::make_unique<Subject>();
    auto engine = openEngine(kind, resolved(*s, std::move(config)));
    if (!engine.ok()) {
        qWarning("openEngine: %s", engine.status().toString().c_str());
        return nullptr;
    }
    s->engine = std::move(engine).value();
    return s;
}

Key keyOf(int i) {
    return makeKey("conformance", i);
}

std::string textOf(int i) {
    return "conformance(" + std::to_string(i) + ")";
}

// A distinct, incompressible payload per index.
std::string payloadOf(int i, std::size_t size = 40) {
    return twat_cache::test::noise(static_cast<std::uint64_t>(i), size);
}

Status put(Engine& e, int i, std::string_view payload, std::uint64_t tag = 11,
           std::optional<std::chrono::milliseconds> ttl = std::nullopt) {
    const std::string text = textOf(i);
    Record r;
    r.key_text = text;
    r.type_tag = tag;
    r.payload = payload;
    r.ttl = ttl;
    return e.set(keyOf(i), r);
}

// Every engine of the suite, with how it is expected to differ.
void addEngineColumns() {
    QTest::addColumn<int>("kind");
}
void addEngineRow(const char* name, EngineKind kind) {
    QTest::newRow(name) << static_cast<int>(kind);
}
void addEngineRows() {
    addEngineColumns();
    addEngineRow("memory", EngineKind::kMemory);
    addEngineRow("sqlite", EngineKind::kSqlite);
    addEngineRow("files", EngineKind::kFiles);
}

const std::vector<std::pair<const char*, EngineKind>> kEngines = {{"memory", EngineKind::kMemory},
                                                                  {"sqlite", EngineKind::kSqlite},
                                                                  {"files", EngineKind::kFiles}};

bool hasPolicy(const Capabilities& c, Policy p) {
    return std::find(c.policies.begin(), c.policies.end(), p) != c.policies.end();
}

}  // namespace

class TestConformance : public QObject {
    Q_OBJECT
  private slots:
    void capabilities_data() {
        addEngineColumns();
        QTest::addColumn<bool>("persistent");
        QTest::addColumn<bool>("crossProcess");
        QTest::newRow("memory") << int(EngineKind::kMemory) << false << false;
        QTest::newRow("sqlite") << int(EngineKind::kSqlite) << true << true;
        QTest::newRow("files") << int(EngineKind::kFiles) << true << true;
    }
    void capabilities() {
        QFETCH(int, kind);
        QFETCH(bool, persistent);
        QFETCH(bool, crossProcess);
        auto s = openSubject(EngineKind(kind));
        QVERIFY(s);
        const Capabilities c = s->engine->capabilities();
        QCOMPARE(c.persistent, persistent);
        QCOMPARE(c.cross_process, crossProcess);
        QVERIFY(c.ttl);
        QVERIFY(hasPolicy(c, Policy::kLru));  // every engine evicts lru
        QCOMPARE(std::string(s->engine->kind()), std::string(engineKindName(EngineKind(kind))));
    }

    void getSetOverwriteErase_data() { addEngineRows(); }
    void getSetOverwriteErase() {
        QFETCH(int, kind);
        auto s = openSubject(EngineKind(kind));
        QVERIFY(s);
        Engine& e = *s->engine;
        QVERIFY(e.get(keyOf(1)).status().isNotFound());
        QCOMPARE(e.contains(keyOf(1)).value(), false);
        QCOMPARE(e.size().value(), 0u);

        QVERIFY(put(e, 1, "one").ok());
        QCOMPARE(e.get(keyOf(1))->payload, std::string("one"));
        QCOMPARE(e.contains(keyOf(1)).value(), true);
        QCOMPARE(e.size().value(), 1u);

        QVERIFY(put(e, 1, "uno", 12).ok());  // overwrite: new payload and tag, still one entry
        auto got = e.get(keyOf(1));
        QVERIFY(got.ok());
        QCOMPARE(got->payload, std::string("uno"));
        QCOMPARE(got->type_tag, 12u);
        QCOMPARE(e.size().value(), 1u);

        QCOMPARE(e.erase(keyOf(1)).value(), true);
        QCOMPARE(e.erase(keyOf(1)).value(), false);
        QCOMPARE(e.contains(keyOf(1)).value(), false);
        QVERIFY(e.get(keyOf(1)).status().isNotFound());

        for (int i = 0; i < 10; ++i) QVERIFY(put(e, i, payloadOf(i)).ok());
        QCOMPARE(e.size().value(), 10u);
        QVERIFY(e.clear().ok());
        QCOMPARE(e.size().value(), 0u);
        for (int i = 0; i < 10; ++i) QVERIFY(e.get(keyOf(i)).status().isNotFound());
        QVERIFY(put(e, 3, "after clear").ok());  // a cleared cache is still usable
        QCOMPARE(e.get(keyOf(3))->payload, std::string("after clear"));
    }

    void configTtlExpires_data() { addEngineRows(); }
    void configTtlExpires() {
        QFETCH(int, kind);
        auto s = openSubject(EngineKind(kind), {.ttl = std::chrono::milliseconds(1000)});
        QVERIFY(s);
        Engine& e = *s->engine;
        QVERIFY(e.capabilities().ttl);
        const std::int64_t t0 = s->clock->nowMs();
        QVERIFY(put(e, 1, "v").ok());
        auto got = e.get(keyOf(1));
        QVERIFY(got.ok());
        QCOMPARE(got->created_ms, t0);
        QCOMPARE(got->expires_ms, t0 + 1000);
        s->clock->advanceMs(999);
        QVERIFY(e.get(keyOf(1)).ok());
        QCOMPARE(e.contains(keyOf(1)).value(), true);
        s->clock->advanceMs(1);
        QVERIFY(e.get(keyOf(1)).status().isNotFound());
        QCOMPARE(e.contains(keyOf(1)).value(), false);
        QVERIFY(e.stats().expirations + e.stats().misses >= 1);
    }

    void recordTtlOverridesConfig_data() { addEngineRows(); }
    void recordTtlOverridesConfig() {
        QFETCH(int, kind);
        auto s = openSubject(EngineKind(kind), {.ttl = std::chrono::milliseconds(1000)});
        QVERIFY(s);
        Engine& e = *s->engine;
        QVERIFY(put(e, 1, "short", 11, std::chrono::milliseconds(100)).ok());
        QVERIFY(put(e, 2, "forever", 11, std::chrono::milliseconds(0)).ok());
        QVERIFY(put(e, 3, "config").ok());
        QCOMPARE(e.get(keyOf(2))->expires_ms, std::int64_t{0});
        s->clock->advanceMs(100);
        QVERIFY(e.get(keyOf(1)).status().isNotFound());
        QVERIFY(e.get(keyOf(3)).ok());
        s->clock->advanceMs(10'000'000);
        QVERIFY(e.get(keyOf(3)).status().isNotFound());
        QCOMPARE(e.get(keyOf(2))->payload, std::string("forever"));
    }

    void payloadRoundTrip_data() {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<bool>("compress");
        QByteArray binary;
        for (int i = 0; i < 256; ++i) binary.append(char(i));
        binary.append(binary);
        const QByteArray big = QByteArray::fromStdString(payloadOf(7, std::size_t{1} << 20));
        const QByteArray repetitive(1 << 20, 'z');
        for (const auto& [name, kind] : kEngines) {
            const std::string n = name;
            QTest::newRow((n + " empty").c_str()) << int(kind) << QByteArray() << false;
            QTest::newRow((n + " binary").c_str()) << int(kind) << binary << false;
            QTest::newRow((n + " 1 MiB").c_str()) << int(kind) << big << false;
            QTest::newRow((n + " 1 MiB compressed").c_str()) << int(kind) << repetitive << true;
            QTest::newRow((n + " empty compressed").c_str()) << int(kind) << QByteArray() << true;
        }
    }
    void payloadRoundTrip() {
        QFETCH(int, kind);
        QFETCH(QByteArray, payload);
        QFETCH(bool, compress);
        auto s = openSubject(EngineKind(kind), {.compress = compress});
        QVERIFY(s);
        Engine& e = *s->engine;
        const std::string bytes = payload.toStdString();
        const std::uint64_t tag = 0xFEDCBA9876543210ULL;  // high bit set: no signed truncation
        QVERIFY(put(e, 5, bytes, tag).ok());
        auto got = e.get(keyOf(5));
        QVERIFY2(got.ok(), got.status().toString().c_str());
        QCOMPARE(got->payload.size(), bytes.size());
        QVERIFY(got->payload == bytes);
        QCOMPARE(got->type_tag, tag);
        // The key text travels with the entry.
        auto page = e.scan("", 10);
        QVERIFY(page.ok());
        QCOMPARE(page->entries.size(), std::size_t{1});
        QCOMPARE(page->entries[0].key, keyOf(5));
        QCOMPARE(page->entries[0].key_text, textOf(5));
    }

    void scanListsEveryEntryOnce_data() {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("limit");
        for (const auto& [name, kind] : kEngines) {
            for (int limit : {1, 7, 100}) {
                QTest::newRow((std::string(name) + " limit " + std::to_string(limit)).c_str())
                    << int(kind) << limit;
            }
        }
    }
    void scanListsEveryEntryOnce() {
        QFETCH(int, kind);
        QFETCH(int, limit);
        auto s = openSubject(EngineKind(kind));
        QVERIFY(s);
        Engine& e = *s->engine;
        constexpr int kCount = 57;
        std::map<Key, int> expected;
        for (int i = 0; i < kCount; ++i) {
            QVERIFY(put(e, i, payloadOf(i)).ok());
            expected[keyOf(i)] = i;
        }
        std::map<Key, int> seen;
        std::string cursor;
        int pages = 0;
        do {
            auto page = e.scan(cursor, static_cast<std::size_t>(limit));
            QVERIFY2(page.ok(), page.status().toString().c_str());
            QVERIFY(page->entries.size() <= static_cast<std::size_t>(limit));
            for (const EntryInfo& info : page->entries) {
                QVERIFY2(expected.count(info.key) == 1, "scan returned a key never stored");
                QCOMPARE(info.key_text, textOf(expected[info.key]));
                ++seen[info.key];
            }
            cursor = page->cursor;
            QVERIFY(++pages <= kCount + 2);  // bounded: a cursor that never ends fails here
        } while (!cursor.empty());
        QCOMPARE(seen.size(), expected.size());
        for (const auto& [key, times] : seen) QCOMPARE(times, 1);
    }

    void statsAfterKnownSequence_data() { addEngineRows(); }
    void statsAfterKnownSequence() {
        QFETCH(int, kind);
        auto s = openSubject(EngineKind(kind));
        QVERIFY(s);
        Engine& e = *s->engine;
        for (int i = 0; i < 3; ++i) QVERIFY(put(e, i, payloadOf(i)).ok());
        QVERIFY(e.get(keyOf(0)).ok());
        QVERIFY(e.get(keyOf(1)).ok());
        QVERIFY(e.get(keyOf(2)).ok());
        QVERIFY(e.get(keyOf(50)).status().isNotFound());
        QVERIFY(e.get(keyOf(51)).status().isNotFound());
        QVERIFY(e.contains(keyOf(0)).value());  // neither a hit nor a miss
        QVERIFY(e.erase(keyOf(2)).value());
        QVERIFY(e.flush().ok());
        const Stats st = e.stats();
        QCOMPARE(st.hits, 3u);
        QCOMPARE(st.misses, 2u);
        QCOMPARE(st.errors, 0u);
        QCOMPARE(st.evictions, 0u);
        QCOMPARE(st.expirations, 0u);
        QCOMPARE(st.entries, 2u);
        QVERIFY(st.bytes > 0);
        QCOMPARE(st.hitRatio(), 0.6);
    }

    // maxsize under lru: the least recently used entry leaves first, the limit always holds.
    void maxsizeUnderLru_data() { addEngineRows(); }
    void maxsizeUnderLru() {
        QFETCH(int, kind);
        auto s = openSubject(EngineKind(kind), {.maxsize = 5, .policy = Policy::kLru});
        QVERIFY(s);
        Engine& e = *s->engine;
        for (int i = 0; i < 5; ++i) {
            QVERIFY(put(e, i, payloadOf(i)).ok());
            s->clock->advanceMs(1);  // distinct access times on every engine
        }
        QVERIFY(e.get(keyOf(0)).ok());  // 0 becomes the most recent; 1 is now the oldest
        s->clock->advanceMs(1);
        QVERIFY(put(e, 5, payloadOf(5)).ok());
        QCOMPARE(e.size().value(), 5u);
        QVERIFY(e.get(keyOf(0)).ok());
        QVERIFY(e.get(keyOf(1)).status().isNotFound());
        for (int i = 6; i < 40; ++i) {
            s->clock->advanceMs(1);
            QVERIFY(put(e, i, payloadOf(i)).ok());
            QVERIFY(e.size().value() <= 5u);
        }
        QCOMPARE(e.size().value(), 5u);
        for (int i = 35; i < 40; ++i) QVERIFY(e.get(keyOf(i)).ok());  // the newest stayed
        QCOMPARE(e.stats().evictions, 35u);
    }

    // Every policy in the table: supported ones honour maxsize (none refuses, and counts each
    // refusal as one error); unsupported ones are explicit here and fall back to lru.
    void policies_data() {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("policy");
        QTest::addColumn<bool>("supported");
        const Policy all[] = {Policy::kLru, Policy::kLfu, Policy::kFifo, Policy::kRr,
                              Policy::kNone};
        for (const auto& [name, kind] : kEngines) {
            for (Policy p : all) {
                // The files engine keeps only recency (file mtimes): lru and none.
                const bool supported =
                    kind != EngineKind::kFiles || p == Policy::kLru || p == Policy::kNone;
                QTest::newRow((std::string(name) + " " + std::string(policyName(p))).c_str())
                    << int(kind) << int(p) << supported;
            }
        }
    }
    void policies() {
        QFETCH(int, kind);
        QFETCH(int, policy);
        QFETCH(bool, supported);
        auto s = openSubject(EngineKind(kind), {.maxsize = 4, .policy = Policy(policy)});
        QVERIFY(s);  // an unsupported policy is not an open error
        Engine& e = *s->engine;
        QCOMPARE(hasPolicy(e.capabilities(), Policy(policy)), supported);
        int stored = 0;
        for (int i = 0; i < 12; ++i) {
            s->clock->advanceMs(1);
            const Stats before = e.stats();
            const Status st = put(e, i, payloadOf(i));
            if (st.ok()) {
                ++stored;
            } else {
                QCOMPARE(Policy(policy), Policy::kNone);  // only none may refuse a store
                QCOMPARE(e.stats().errors, before.errors + 1);
            }
            QVERIFY(e.size().value() <= 4u);
        }
        if (Policy(policy) == Policy::kNone) {
            QCOMPARE(stored, 4);
            for (int i = 0; i < 4; ++i) QVERIFY(e.get(keyOf(i)).ok());  // nothing evicted
            QCOMPARE(e.stats().evictions, 0u);
        } else {
            QCOMPARE(stored, 12);
            QCOMPARE(e.size().value(), 4u);
            QCOMPARE(e.stats().evictions, 8u);
        }
        if (!supported) {
            // The fallback is lru: the newest entries are the ones left.
            for (int i = 8; i < 12; ++i) QVERIFY(e.get(keyOf(i)).ok());
        }
    }

    void distinctCachesDoNotShareEntries_data() { addEngineRows(); }
    void distinctCachesDoNotShareEntries() {
        QFETCH(int, kind);
        Subject s;
        CacheConfig a{.name = "a", .cache_dir = s.dir.path(), .clock = s.clock};
        CacheConfig b{.name = "b", .cache_dir = s.dir.path(), .clock = s.clock};
        auto none = [](std::string_view) { return std::optional<std::string>(); };
        auto ea = openEngine(EngineKind(kind), resolveConfig(a, none).value());
        auto eb = openEngine(EngineKind(kind), resolveConfig(b, none).value());
        QVERIFY(ea.ok() && eb.ok());
        QVERIFY(put(**ea, 1, "in a").ok());
        QVERIFY((*eb)->get(keyOf(1)).status().isNotFound());
        QVERIFY((*eb)->clear().ok());
        QCOMPARE((*ea)->get(keyOf(1))->payload, std::string("in a"));
    }
};

QTEST_GUILESS_MAIN(TestConformance)
#include "test_conformance.moc"
