// The redis engine against a real redis-server: round trips, TTLs, pipelines, counters
// seen from another connection, clear() of 100k keys, scan pages, unix sockets.
#include <QtTest>
#include <chrono>
#include <set>
#include <thread>

#include "redis_commands.h"
#include "redis_server.h"
#include "twat_cache/memoize.h"
#include "twat_cache/redis_engine.h"

using namespace twat_cache;
using namespace std::chrono_literals;
using test::RawRedis;
using test::RedisServer;

namespace {

// A Record without designated initializers (Record's fields have no default initializers).
Record rec(std::string_view payload, std::string_view text = {}, std::uint64_t tag = 0,
           std::optional<std::chrono::milliseconds> ttl = std::nullopt) {
    Record r;
    r.key_text = text;
    r.type_tag = tag;
    r.payload = payload;
    r.ttl = ttl;
    return r;
}

EnvironmentReader emptyEnv() {
    return [](std::string_view name) -> std::optional<std::string> {
        if (name == "HOME") return std::string("/nonexistent");
        return std::nullopt;
    };
}

Key keyOf(int i) {
    return hashBytes("key-" + std::to_string(i));
}

}  // namespace

class TestRedisEngine : public QObject {
    Q_OBJECT
  private:
    std::unique_ptr<RedisServer> m_server;

    std::unique_ptr<RedisEngine> open(CacheConfig cfg, const RedisOptions& options = {}) {
        if (!cfg.redis_url) cfg.redis_url = m_server->url();
        auto resolved = resolveConfig(cfg, emptyEnv());
        if (!resolved.ok()) qFatal("%s", resolved.status().toString().c_str());
        auto engine = RedisEngine::open(*resolved, options);
        if (!engine.ok()) qFatal("%s", engine.status().toString().c_str());
        return std::move(*engine);
    }

  private slots:
    void initTestCase() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        m_server = std::make_unique<RedisServer>();
        const std::string error = m_server->start();
        QVERIFY2(error.empty(), error.c_str());
    }

    void roundTrip_data() {
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<bool>("compress");
        QTest::newRow("empty") << QByteArray() << false;
        QTest::newRow("small") << QByteArray("hello") << false;
        QTest::newRow("binary") << QByteArray("\0\x01\xff\r\n", 5) << false;
        QTest::newRow("1 MiB") << QByteArray(1 << 20, 'q') << false;
        QTest::newRow("1 MiB zstd") << QByteArray(1 << 20, 'q') << true;
    }
    void roundTrip() {
        QFETCH(QByteArray, payload);
        QFETCH(bool, compress);
        auto engine = open({.name = "round", .compress = compress});
        const std::string p(payload.constData(), static_cast<std::size_t>(payload.size()));
        const Key k = keyOf(1);
        QVERIFY(engine->set(k, rec(p, "f(1)", 7)).ok());
        auto v = engine->get(k);
        QVERIFY2(v.ok(), v.status().toString().c_str());
        QCOMPARE(v->payload, p);
        QCOMPARE(v->type_tag, 7u);
        QCOMPARE(v->expires_ms, 0);
        QVERIFY(std::abs(v->created_ms - Clock::system()->nowMs()) < 60'000);
        RawRedis raw(m_server->port());
        const std::string stored = raw.run({"STRLEN", "twat_cache:round:" + k.toHex()});
        if (compress) QVERIFY2(std::stoull(stored) < 10'000, stored.c_str());
        QCOMPARE(engine->capabilities().cross_host, true);
        QCOMPARE(engine->kind(), std::string_view("redis"));
    }

    void overwriteAndErase() {
        auto engine = open({.name = "ow"});
        const Key k = keyOf(2);
        QVERIFY(engine->set(k, rec("first", {}, 1)).ok());
        QVERIFY(engine->set(k, rec("second", {}, 2)).ok());
        auto v = engine->get(k);
        QVERIFY(v.ok());
        QCOMPARE(v->payload, std::string("second"));
        QCOMPARE(v->type_tag, 2u);
        QCOMPARE(*engine->contains(k), true);
        QCOMPARE(*engine->erase(k), true);
        QCOMPARE(*engine->erase(k), false);
        QCOMPARE(*engine->contains(k), false);
        QVERIFY(engine->get(k).status().isNotFound());
    }

    void ttlExpiresInRedis() {
        auto engine = open({.name = "ttl", .ttl = 200ms});
        const Key k = keyOf(3);
        const Key lasting = keyOf(4);
        QVERIFY(engine->set(k, rec("soon gone")).ok());
        QVERIFY(engine->set(lasting, rec("stays", {}, 0, 0ms)).ok());
        RawRedis raw(m_server->port());
        const long long pttl = std::stoll(raw.run({"PTTL", "twat_cache:ttl:" + k.toHex()}));
        QVERIFY2(pttl > 0 && pttl <= 200, std::to_string(pttl).c_str());
        QCOMPARE(raw.run({"PTTL", "twat_cache:ttl:" + lasting.toHex()}), std::string("-1"));
        auto v = engine->get(k);
        QVERIFY(v.ok());
        QVERIFY(v->expires_ms >= v->created_ms + 200);
        // Redis removes the key by itself: poll, bounded.
        bool gone = false;
        for (int i = 0; i < 200 && !gone; ++i) {
            gone = raw.run({"EXISTS", "twat_cache:ttl:" + k.toHex()}) == "0";
            if (!gone) std::this_thread::sleep_for(25ms);
        }
        QVERIFY(gone);
        QVERIFY(engine->get(k).status().isNotFound());
        QVERIFY(engine->get(lasting).ok());
    }

    void injectedClockDecidesExpiry() {
        auto clock = std::make_shared<ManualClock>(Clock::system()->nowMs());
        auto engine = open({.name = "manual", .ttl = 1h, .clock = clock});
        const Key k = keyOf(5);
        QVERIFY(engine->set(k, rec("v")).ok());
        QVERIFY(engine->get(k).ok());
        clock->advanceMs(2 * 3'600'000);
        QVERIFY(engine->get(k).status().isNotFound());
        QCOMPARE(*engine->contains(k), false);
    }

    void getManySetMany() {
        auto engine = open({.name = "many"});
        std::vector<std::string> payloads;
        std::vector<KeyedRecord> records;
        for (int i = 0; i < 500; ++i) payloads.push_back("value " + std::to_string(i));
        for (int i = 0; i < 500; ++i) {
            records.push_back({keyOf(i), rec(payloads[i], "k", 3)});
        }
        QVERIFY(engine->setMany(records).ok());
        std::vector<Key> keys;
        for (int i = 0; i < 510; ++i) keys.push_back(keyOf(i));
        auto values = engine->getMany(keys);
        QCOMPARE(values.size(), keys.size());
        for (int i = 0; i < 510; ++i) {
            if (i < 500) {
                QVERIFY(values[i].ok());
                QCOMPARE(values[i]->payload, payloads[i]);
            } else {
                QVERIFY(values[i].status().isNotFound());
            }
        }
        QCOMPARE(*engine->size(), 500u);
    }

    void countersVisibleToOtherClients() {
        RedisOptions batched;
        batched.counter_flush_ops = 1'000'000;
        batched.counter_flush_interval = 1h;
        auto engine = open({.name = "counted"}, batched);
        RawRedis raw(m_server->port());
        QCOMPARE(raw.run({"SISMEMBER", "twat_cache:__caches", "counted"}), std::string("1"));
        QCOMPARE(raw.run({"HGET", "twat_cache:counted:__meta", "format_version"}),
                 std::string("2"));
        QVERIFY(engine->set(keyOf(1), rec("x")).ok());
        for (int i = 0; i < 3; ++i) QVERIFY(engine->get(keyOf(1)).ok());
        for (int i = 0; i < 2; ++i) QVERIFY(engine->get(keyOf(99)).status().isNotFound());
        // Batched: nothing written yet ...
        QCOMPARE(raw.run({"HGET", "twat_cache:counted:__meta", "hits"}), std::string("(nil)"));
        QVERIFY(engine->flush().ok());
        // ... and after flush() any client sees them.
        QCOMPARE(raw.run({"HGET", "twat_cache:counted:__meta", "hits"}), std::string("3"));
        QCOMPARE(raw.run({"HGET", "twat_cache:counted:__meta", "misses"}), std::string("2"));

        // A second engine (another process, as far as Redis knows) sees and adds to them.
        RedisOptions eager;
        eager.counter_flush_ops = 4;
        auto other = open({.name = "counted"}, eager);
        for (int i = 0; i < 4; ++i) QVERIFY(other->get(keyOf(1)).ok());
        QCOMPARE(raw.run({"HGET", "twat_cache:counted:__meta", "hits"}), std::string("7"));
        const Stats s = engine->stats();
        QCOMPARE(s.hits, 7u);
        QCOMPARE(s.misses, 2u);
        QCOMPARE(s.entries, 1u);
    }

    void clearRemovesOnlyThisCache() {
        auto big = open({.name = "big"});
        auto other = open({.name = "other"});
        auto lookalike = open({.name = "big:x"});  // its keys start with "twat_cache:big:"
        const std::string payload(16, 'p');
        constexpr int kBig = 100'000;
        std::vector<KeyedRecord> batch;
        for (int i = 0; i < kBig; ++i) {
            batch.push_back({keyOf(i), rec(payload)});
            if (batch.size() == 10'000) {
                QVERIFY(big->setMany(batch).ok());
                batch.clear();
            }
        }
        for (int i = 0; i < 100; ++i) QVERIFY(other->set(keyOf(i), rec(payload)).ok());
        for (int i = 0; i < 10; ++i) QVERIFY(lookalike->set(keyOf(i), rec(payload)).ok());
        RawRedis raw(m_server->port());
        QCOMPARE(raw.run({"SET", "twat_cache:big:not-an-entry", "keep"}), std::string("OK"));
        QCOMPARE(*big->size(), static_cast<std::uint64_t>(kBig));

        QElapsedTimer timer;
        timer.start();
        QVERIFY(big->clear().ok());
        const qint64 ms = timer.elapsed();
        qInfo("clear() of %d keys took %lld ms", kBig, static_cast<long long>(ms));
        QVERIFY2(ms < 20'000, std::to_string(ms).c_str());
        QCOMPARE(*big->size(), 0u);
        QCOMPARE(*other->size(), 100u);
        QCOMPARE(*lookalike->size(), 10u);
        QCOMPARE(raw.run({"GET", "twat_cache:big:not-an-entry"}), std::string("keep"));
        QCOMPARE(raw.run({"HGET", "twat_cache:big:__meta", "format_version"}), std::string("2"));
    }

    void scanPagesCoverEveryEntry() {
        auto engine = open({.name = "scanned", .ttl = 1h});
        constexpr int kCount = 250;
        for (int i = 0; i < kCount; ++i) {
            const std::string text = "f(" + std::to_string(i) + ")";
            QVERIFY(engine->set(keyOf(i), rec("v", text)).ok());
        }
        std::set<Key> seen;
        std::string cursor;
        int pages = 0;
        do {
            auto page = engine->scan(cursor, 40);
            QVERIFY2(page.ok(), page.status().toString().c_str());
            QVERIFY(page->entries.size() <= 40);
            for (const auto& e : page->entries) {
                seen.insert(e.key);
                QVERIFY(e.key_text.starts_with("f("));
                QVERIFY(e.size > 0);
                QVERIFY(e.expires_ms > e.created_ms);
            }
            cursor = page->cursor;
        } while (!cursor.empty() && ++pages < 1000);
        QCOMPARE(seen.size(), static_cast<std::size_t>(kCount));
        for (int i = 0; i < kCount; ++i) QVERIFY(seen.count(keyOf(i)) == 1);
        QCOMPARE(engine->scan("not a cursor", 10).status().code(), StatusCode::kInvalidArgument);
    }

    void unixSocketUrl() {
        RedisServer server(RedisServer::Options{.unix_socket = true, .password = "pw"});
        const std::string error = server.start();
        QVERIFY2(error.empty(), error.c_str());
        auto engine = open({.name = "sock", .redis_url = server.unixUrl(3)});
        QVERIFY(engine->set(keyOf(1), rec("over a socket")).ok());
        QCOMPARE(engine->get(keyOf(1))->payload, std::string("over a socket"));
        QVERIFY(engine->maskedUrl().find("pw") == std::string::npos);
    }

    // stats.h: one failure is counted once. A value that is not an envelope makes get() fail;
    // the engine counts that, and the memoize layer, which then computes, does not again.
    void damagedEntryCountsOneError() {
        int calls = 0;
        auto f = memoizeWith(EngineKind::kRedis, {.name = "damaged", .redis_url = m_server->url()},
                             [&calls](int x) {
                                 ++calls;
                                 return x * 3;
                             });
        QVERIFY2(f.ok(), f.status().toString().c_str());
        QCOMPARE((*f)(5), 15);
        RawRedis raw(m_server->port());
        const std::string rk = "twat_cache:damaged:" + makeKey("damaged", 5).toHex();
        QCOMPARE(raw.run({"SET", rk, "not an envelope"}), std::string("OK"));
        const std::uint64_t before = f->stats().errors;
        QCOMPARE((*f)(5), 15);
        QCOMPARE(calls, 2);
        QCOMPARE(f->stats().errors, before + 1);
        QCOMPARE((*f)(5), 15);  // the damaged value was replaced by a good one
        QCOMPARE(calls, 2);
        QCOMPARE(f->stats().errors, before + 1);
    }

    // Key schema 1 held the engine's own envelope; this build refuses it rather than
    // misreading it (docs/FORMAT.md, compatibility rule).
    void otherKeySchemaVersionIsRefused() {
        RawRedis raw(m_server->port());
        QCOMPARE(raw.run({"HSET", "twat_cache:old:__meta", "format_version", "1"}),
                 std::string("1"));
        CacheConfig cfg{.name = "old", .redis_url = m_server->url()};
        auto engine = RedisEngine::open(resolveConfig(cfg, emptyEnv()).value(), {});
        QVERIFY(!engine.ok());
        QCOMPARE(engine.status().code(), StatusCode::kNotSupported);
        QVERIFY2(engine.status().message().find("format_version 1") != std::string::npos,
                 engine.status().toString().c_str());
    }
};

QTEST_GUILESS_MAIN(TestRedisEngine)
#include "test_redis_engine.moc"
