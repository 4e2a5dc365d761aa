// Time saved on Redis: a memoized miss stores its compute time in the envelope, hits add it to
// the saved time, and both counters live in the cache's __meta hash, so that a new process (a
// new engine) and the inspector read them; scans, inspection listings and entry details show
// the per-entry time.
#include <QtTest>

#include "redis_commands.h"
#include "redis_server.h"
#include "twat_cache/inspect.h"
#include "twat_cache/memoize.h"

using namespace twat_cache;
using test::RedisServer;

namespace {

constexpr std::uint64_t kMs = 1'000'000;

struct Slow {
    std::shared_ptr<ManualClock> clock;
    std::int64_t ms;
    int operator()(int x) const {
        clock->advanceMs(ms);
        return x + 1;
    }
};

}  // namespace

class TestRedisTimeSaved : public QObject {
    Q_OBJECT

    std::unique_ptr<RedisServer> m_server;

    CacheConfig config(std::shared_ptr<ManualClock> clock) {
        CacheConfig c;
        c.name = "slow";
        c.redis_url = m_server->url();
        c.clock = std::move(clock);
        return c;
    }

  private slots:
    void initTestCase() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        m_server = std::make_unique<RedisServer>();
        const std::string error = m_server->start();
        QVERIFY2(error.empty(), error.c_str());
    }

    void recordedPersistedAndInspected() {
        auto clock = std::make_shared<ManualClock>();
        {
            auto f = memoizeWith(EngineKind::kRedis, config(clock), Slow{clock, 80});
            QVERIFY2(f.ok(), f.status().toString().c_str());
            QCOMPARE((*f)(1), 2);  // 80 ms
            QCOMPARE((*f)(1), 2);  // saves 80 ms
            const Stats s = f->stats();
            QCOMPARE(s.compute_ns, 80 * kMs);
            QCOMPARE(s.saved_ns, 80 * kMs);
        }
        // Another engine (as another process would): the entry's time comes from the envelope.
        auto g = memoizeWith(EngineKind::kRedis, config(clock), Slow{clock, 5000});
        QVERIFY(g.ok());
        QCOMPARE((*g)(1), 2);
        const Stats s = g->stats();
        QCOMPARE(s.compute_ns, 80 * kMs);
        QCOMPARE(s.saved_ns, 160 * kMs);
        auto page = g->engine().scan("", 10);
        QVERIFY(page.ok());
        QCOMPARE(page->entries.size(), std::size_t(1));
        QCOMPARE(page->entries[0].compute_ns.value_or(0), 80 * kMs);

        auto info = Discovery::identifyUrl(m_server->url());
        QVERIFY(info.ok());
        auto src = Discovery::open(*info, {});
        QVERIFY(src.ok());
        auto st = (*src)->stats();
        QVERIFY(st.ok());
        QCOMPARE(st->compute_ns.value_or(0), 80 * kMs);
        QCOMPARE(st->saved_ns.value_or(0), 160 * kMs);
        auto listed = (*src)->entries("", 10, {});
        QVERIFY(listed.ok());
        std::string id;
        for (const auto& e : listed->entries) {
            if (e.key_text.find("__meta") == std::string::npos &&
                e.key_text.find("__caches") == std::string::npos) {
                id = e.id;
                // The listing itself reads the envelope's compute time (no hits per entry).
                QCOMPARE(e.compute_ns.value_or(0), 80 * kMs);
                QVERIFY(!e.saved_ns);
            } else {
                QVERIFY(!e.compute_ns);  // not an entry of ours: not recorded
            }
        }
        QVERIFY(!id.empty());
        const auto columns = (*src)->columns();
        QVERIFY(std::find(columns.begin(), columns.end(), EntryColumn::kComputeTime) !=
                columns.end());
        auto d = (*src)->detail(id);
        QVERIFY(d.ok());
        QCOMPARE(d->summary.compute_ns.value_or(0), 80 * kMs);
    }

    // A counter the server refuses to add to (saved_ns would pass 64 bits) does not make the
    // others count again: their HINCRBYs were applied, so a later flush must not resend them.
    void aRefusedCounterDoesNotRecountTheOthers() {
        auto clock = std::make_shared<ManualClock>();
        CacheConfig c = config(clock);
        c.name = "full";
        auto f = memoizeWith(EngineKind::kRedis, c, Slow{clock, 80});
        QVERIFY2(f.ok(), f.status().toString().c_str());
        QCOMPARE((*f)(1), 2);  // a miss
        QVERIFY(f->engine().flush().ok());
        test::RawRedis raw(m_server->port());
        raw.run({"HSET", "twat_cache:full:__meta", "saved_ns", "9223372036854775000"});
        QCOMPARE((*f)(1), 2);  // a hit, saving 80 ms that the server cannot add
        (void)f->engine().flush();
        (void)f->engine().flush();
        QCOMPARE(raw.run({"HGET", "twat_cache:full:__meta", "hits"}), std::string("1"));
        QCOMPARE(raw.run({"HGET", "twat_cache:full:__meta", "misses"}), std::string("1"));
    }
};

QTEST_GUILESS_MAIN(TestRedisTimeSaved)
#include "test_redis_time_saved.moc"
