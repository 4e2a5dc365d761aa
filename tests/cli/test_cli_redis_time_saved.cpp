// `twat-cache stats` on a Redis server: the time saved is our caches' (their __meta counters),
// and so are the hits it names, not the server's, which count every client's reads.
#include <QtTest>

#include "redis_commands.h"
#include "redis_server.h"
#include "test_support.h"
#include "twat_cache/memoize.h"

using namespace twat_cache;
using test::RawRedis;
using test::RedisServer;

class TestCliRedisTimeSaved : public QObject {
    Q_OBJECT

  private slots:
    void savedTimeNamesOurHits() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        RedisServer server;
        const std::string error = server.start();
        QVERIFY2(error.empty(), error.c_str());
        auto clock = std::make_shared<ManualClock>();
        {
            CacheConfig c;
            c.name = "slow";
            c.redis_url = server.url();
            c.clock = clock;
            auto f = memoizeWith(EngineKind::kRedis, c, [clock](int x) {
                clock->advanceMs(80);
                return x + 1;
            });
            QVERIFY2(f.ok(), f.status().toString().c_str());
            QCOMPARE((*f)(1), 2);  // a miss of 80 ms
            QCOMPARE((*f)(1), 2);  // one hit: 80 ms saved
        }                          // the counters are flushed to __meta
        // Another client reads a plain key five times: five more hits for the server.
        RawRedis raw(server.port());
        raw.run({"SET", "plain", "v"});
        for (int i = 0; i < 5; ++i) QCOMPARE(raw.run({"GET", "plain"}), std::string("v"));

        auto r = test::runProcess(TWAT_CACHE_CLI, {"stats", server.url()});
        QVERIFY2(r.finished && r.exitCode == 0, r.err.c_str());
        QVERIFY2(r.out.find("saved 80.0 ms of compute (1 hit)") != std::string::npos,
                 r.out.c_str());
    }
};

QTEST_GUILESS_MAIN(TestCliRedisTimeSaved)
#include "test_cli_redis_time_saved.moc"
