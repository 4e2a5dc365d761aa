// ucache: the engine choice and its logged reason on every fallback path, and correct values
// through a Redis outage with a circuit breaker that logs once per outage.
#include <QtTest>
#include <atomic>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "redis_server.h"
#include "test_support.h"
#include "twat_cache/log.h"
#include "twat_cache/ucache.h"

using namespace twat_cache;

namespace {

// Captures the core's log lines for one test.
class LogCapture {
  public:
    LogCapture() {
        setLogLevel(LogLevel::kInfo);
        m_handle = addLogSink([this](LogLevel level, std::string_view message) {
            std::lock_guard lock(m_mutex);
            m_lines.emplace_back(std::string(logLevelName(level)) + " " + std::string(message));
        });
    }
    ~LogCapture() {
        removeLogSink(m_handle);
        setLogLevel(LogLevel::kOff);
    }
    std::vector<std::string> lines() const {
        std::lock_guard lock(m_mutex);
        return m_lines;
    }
    int count(std::string_view needle) const {
        int n = 0;
        for (const auto& line : lines()) n += line.find(needle) != std::string::npos ? 1 : 0;
        return n;
    }
    std::string all() const {
        std::string out;
        for (const auto& line : lines()) out += line + "\n";
        return out;
    }

  private:
    mutable std::mutex m_mutex;
    std::vector<std::string> m_lines;
    int m_handle = 0;
};

int cube(int x) {
    return x * x * x;
}

}  // namespace

class TestUcache : public QObject {
    Q_OBJECT
  private slots:
    void orderFollowsTheConfig() {
        ResolvedConfig c;
        c.name = "geo";
        c.cache_root = "/nonexistent-root";
        c.redis_url = "redis://127.0.0.1:1";
        QCOMPARE(engineOrder(c),
                 (std::vector<EngineKind>{EngineKind::kRedis, EngineKind::kSqlite,
                                          EngineKind::kFiles, EngineKind::kMemory}));
        c.preferred_engine = EngineKind::kFiles;
        QCOMPARE(engineOrder(c),
                 (std::vector<EngineKind>{EngineKind::kFiles, EngineKind::kRedis,
                                          EngineKind::kSqlite, EngineKind::kMemory}));
        c.name.clear();
        c.redis_url.clear();
        c.preferred_engine = EngineKind::kAuto;
        QCOMPARE(engineOrder(c), (std::vector<EngineKind>{EngineKind::kMemory}));
    }

    void unnamedCacheUsesMemory() {
        LogCapture log;
        auto f = ucache(CacheConfig{}, cube);
        QVERIFY2(f.ok(), f.status().toString().c_str());
        QCOMPARE(f->engine().kind(), std::string_view("memory"));
        QCOMPARE((*f)(3), 27);
        QCOMPARE((*f)(3), 27);
        QCOMPARE(f->stats().hits, 1u);
        QVERIFY2(log.count("selected memory (no cache name") == 1, log.all().c_str());
    }

    void namedCacheWithRootUsesSqlite() {
        test::TempDir dir;
        LogCapture log;
        CacheConfig c{.name = "geo"};
        c.cache_dir = dir.path();
        auto f = ucache(c, cube);
        QVERIFY2(f.ok(), f.status().toString().c_str());
        QCOMPARE(f->engine().kind(), std::string_view("sqlite"));
        QCOMPARE((*f)(4), 64);
        QVERIFY2(log.count("ucache \"geo\" selected sqlite") == 1, log.all().c_str());
    }

    void preferredEngineIsUsed() {
        test::TempDir dir;
        LogCapture log;
        CacheConfig c{.name = "pref"};
        c.cache_dir = dir.path();
        c.preferred_engine = EngineKind::kFiles;
        auto f = ucache(c, cube);
        QVERIFY2(f.ok(), f.status().toString().c_str());
        QCOMPARE(f->engine().kind(), std::string_view("files"));
        QVERIFY2(log.count("selected files (preferred)") == 1, log.all().c_str());
    }

    void deadRedisFallsBackToSqliteWithTheReason() {
        test::TempDir dir;
        LogCapture log;
        CacheConfig c{.name = "fallback"};
        c.cache_dir = dir.path();
        c.redis_url = "redis://127.0.0.1:" + std::to_string(test::freeLoopbackPort()) + "/0";
        auto f = ucache(c, cube);
        QVERIFY2(f.ok(), f.status().toString().c_str());
        QCOMPARE(f->engine().kind(), std::string_view("sqlite"));
        QVERIFY2(log.count("selected sqlite (redis unavailable:") == 1, log.all().c_str());
        QCOMPARE((*f)(5), 125);
    }

    // A folder that belongs to someone else is refused by both persistent engines; the
    // memory engine takes over and the reason names both refusals.
    void foreignFolderFallsBackToMemory() {
        test::TempDir dir;
        std::filesystem::create_directories(dir.path() / "theirs");
        std::ofstream(dir.path() / "theirs" / "data.txt") << "not a cache";
        LogCapture log;
        CacheConfig c{.name = "theirs"};
        c.cache_dir = dir.path();
        auto f = ucache(c, cube);
        QVERIFY2(f.ok(), f.status().toString().c_str());
        QCOMPARE(f->engine().kind(), std::string_view("memory"));
        QVERIFY2(log.count("selected memory (sqlite unavailable:") == 1, log.all().c_str());
        QVERIFY2(log.count("files unavailable:") == 1, log.all().c_str());
        QCOMPARE((*f)(2), 8);
        // The foreign file is untouched.
        QVERIFY(std::filesystem::exists(dir.path() / "theirs" / "data.txt"));
    }

    void malformedEnvironmentIsAnError() {
        qputenv("TWAT_CACHE_POLICY", "bogus");
        auto f = ucache(CacheConfig{.name = "env"}, cube);
        qunsetenv("TWAT_CACHE_POLICY");
        QVERIFY(!f.ok());
        QVERIFY2(f.status().message().find("TWAT_CACHE_POLICY") != std::string::npos,
                 f.status().message().c_str());
    }

    // Redis dies mid-run: values stay correct, errors are counted, the breaker stops the
    // hammering, and the outage is logged once; after a restart the cache works again.
    void redisOutageKeepsValuesCorrect() {
        if (!test::RedisServer::available()) QSKIP(test::RedisServer::skipReason().c_str());
        test::RedisServer server;
        const std::string startError = server.start();
        QVERIFY2(startError.empty(), startError.c_str());
        auto clock = std::make_shared<ManualClock>();
        std::atomic<int> calls{0};
        auto counted = [&calls](int x) {
            calls.fetch_add(1);
            return x * 3;
        };
        LogCapture log;
        CacheConfig c{.name = "outage"};
        c.redis_url = server.url(0);
        c.clock = clock;
        auto f = ucache(c, counted);
        QVERIFY2(f.ok(), f.status().toString().c_str());
        QCOMPARE(f->engine().kind(), std::string_view("redis"));
        QCOMPARE((*f)(1), 3);
        QCOMPARE((*f)(1), 3);
        QCOMPARE(calls.load(), 1);

        server.kill();
        for (int i = 0; i < 50; ++i) QCOMPARE((*f)(i % 5), (i % 5) * 3);
        QVERIFY(f->stats().errors >= 1);
        QVERIFY2(log.count("computing without the cache") == 1, log.all().c_str());
        // While the breaker is open, calls do not touch the engine: 50 calls, and far fewer
        // errors than calls (only the first failure, before the breaker opened).
        const int callsDuringOutage = calls.load();
        QVERIFY(callsDuringOutage >= 50);

        const std::string restartError = server.start();
        QVERIFY2(restartError.empty(), restartError.c_str());
        // Let the back-off pass (manual clock) and the engine reconnect (bounded retries).
        bool recovered = false;
        for (int attempt = 0; attempt < 100 && !recovered; ++attempt) {
            clock->advanceMs(120'000);
            QCOMPARE((*f)(100 + attempt), (100 + attempt) * 3);
            recovered = log.count("engine recovered") == 1;
            if (!recovered) QTest::qWait(50);
        }
        QVERIFY2(recovered, log.all().c_str());
        const int before = calls.load();
        QCOMPARE((*f)(7), 21);
        QCOMPARE((*f)(7), 21);
        QCOMPARE(calls.load(), before + 1);  // cached again
        QCOMPARE(log.count("computing without the cache"), 1);
    }
};

QTEST_GUILESS_MAIN(TestUcache)
#include "test_ucache.moc"
