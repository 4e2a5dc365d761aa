// CacheConfig resolution: explicit > environment > defaults, and malformed values.
#include <QtTest>
#include <map>

#include "twat_cache/config.h"
#include "twat_cache/log.h"

using namespace twat_cache;

namespace {

EnvironmentReader fakeEnv(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(std::string(name));
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

}  // namespace

class TestConfig : public QObject {
    Q_OBJECT
  private slots:
    void defaultsWithEmptyEnvironment() {
        auto r = resolveConfig(CacheConfig{.name = "geo"}, fakeEnv({{"HOME", "/home/u"}}));
        QVERIFY2(r.ok(), r.status().toString().c_str());
        QCOMPARE(r->maxsize, 0u);
        QCOMPARE(r->ttl.count(), 0);
        QCOMPARE(r->policy, Policy::kLru);
        QCOMPARE(r->preferred_engine, EngineKind::kAuto);
        QCOMPARE(r->compress, false);
        QCOMPARE(r->cache_root.string(), std::string("/home/u/.cache/twat_cache"));
        QCOMPARE(r->folder.string(), std::string("/home/u/.cache/twat_cache/geo"));
        QVERIFY(r->clock != nullptr);
    }

    void environmentOverridesDefaults() {
        auto env = fakeEnv({{"TWAT_CACHE_DIR", "/srv/cache"},
                            {"TWAT_CACHE_TTL", "1.5h"},
                            {"TWAT_CACHE_MAXSIZE", "64K"},
                            {"TWAT_CACHE_POLICY", "LFU"},
                            {"TWAT_CACHE_ENGINE", "sqlite"},
                            {"TWAT_CACHE_COMPRESS", "yes"},
                            {"TWAT_CACHE_REDIS_URL", "redis://127.0.0.1:6390/2"}});
        auto r = resolveConfig(CacheConfig{.name = "n"}, env);
        QVERIFY2(r.ok(), r.status().toString().c_str());
        QCOMPARE(r->cache_root.string(), std::string("/srv/cache"));
        QCOMPARE(r->ttl.count(), 5'400'000);
        QCOMPARE(r->maxsize, 65536u);
        QCOMPARE(r->policy, Policy::kLfu);
        QCOMPARE(r->preferred_engine, EngineKind::kSqlite);
        QCOMPARE(r->compress, true);
        QCOMPARE(r->redis_url, std::string("redis://127.0.0.1:6390/2"));
    }

    void explicitOverridesEnvironment() {
        auto env = fakeEnv({{"TWAT_CACHE_DIR", "/srv/cache"},
                            {"TWAT_CACHE_TTL", "10"},
                            {"TWAT_CACHE_MAXSIZE", "5"},
                            {"TWAT_CACHE_POLICY", "lfu"},
                            {"TWAT_CACHE_ENGINE", "redis"},
                            {"TWAT_CACHE_COMPRESS", "1"}});
        CacheConfig c{.name = "n"};
        c.maxsize = 7;
        c.ttl = std::chrono::milliseconds(250);
        c.policy = Policy::kFifo;
        c.preferred_engine = EngineKind::kMemory;
        c.compress = false;
        c.cache_dir = "/tmp/explicit";
        auto r = resolveConfig(c, env);
        QVERIFY2(r.ok(), r.status().toString().c_str());
        QCOMPARE(r->maxsize, 7u);
        QCOMPARE(r->ttl.count(), 250);
        QCOMPARE(r->policy, Policy::kFifo);
        QCOMPARE(r->preferred_engine, EngineKind::kMemory);
        QCOMPARE(r->compress, false);
        QCOMPARE(r->cache_root.string(), std::string("/tmp/explicit"));
    }

    // A malformed explicit value is never masked by the environment, but a malformed
    // environment value is not consulted when the field is explicit.
    void explicitFieldSkipsMalformedEnvironment() {
        CacheConfig c{.name = "n"};
        c.ttl = std::chrono::milliseconds(5);
        auto r = resolveConfig(c, fakeEnv({{"TWAT_CACHE_TTL", "abc"}, {"HOME", "/h"}}));
        QVERIFY(r.ok());
    }

    void malformedEnvironment_data() {
        QTest::addColumn<QString>("variable");
        QTest::addColumn<QString>("value");
        QTest::newRow("ttl not a number") << "TWAT_CACHE_TTL"
                                          << "abc";
        QTest::newRow("ttl negative") << "TWAT_CACHE_TTL"
                                      << "-5";
        QTest::newRow("ttl bad unit") << "TWAT_CACHE_TTL"
                                      << "5 fortnights";
        QTest::newRow("maxsize not a number") << "TWAT_CACHE_MAXSIZE"
                                              << "many";
        QTest::newRow("maxsize negative") << "TWAT_CACHE_MAXSIZE"
                                          << "-1";
        QTest::newRow("policy bogus") << "TWAT_CACHE_POLICY"
                                      << "bogus";
        QTest::newRow("engine bogus") << "TWAT_CACHE_ENGINE"
                                      << "floppy";
        QTest::newRow("compress bogus") << "TWAT_CACHE_COMPRESS"
                                        << "maybe";
    }
    void malformedEnvironment() {
        QFETCH(QString, variable);
        QFETCH(QString, value);
        auto r =
            resolveConfig(CacheConfig{.name = "n"},
                          fakeEnv({{variable.toStdString(), value.toStdString()}, {"HOME", "/h"}}));
        QVERIFY(!r.ok());
        QCOMPARE(r.status().code(), StatusCode::kInvalidArgument);
        const std::string message = r.status().message();
        QVERIFY2(message.find(variable.toStdString()) != std::string::npos, message.c_str());
        QVERIFY2(message.find(value.toStdString()) != std::string::npos, message.c_str());
    }

    // Every set variable is checked, used or not, so programs can warn (issue 11).
    void checkEnvironmentNamesEachMalformedVariable() {
        QVERIFY(checkEnvironment(fakeEnv({})).empty());
        QVERIFY(checkEnvironment(fakeEnv({{"TWAT_CACHE_TTL", "5m"},
                                          {"TWAT_CACHE_LOG_LEVEL", "debug"},
                                          {"TWAT_CACHE_REDIS_URL", "redis://127.0.0.1:6379/0"}}))
                    .empty());
        auto problems = checkEnvironment(fakeEnv({{"TWAT_CACHE_TTL", "abc"},
                                                  {"TWAT_CACHE_LOG_LEVEL", "bogus"},
                                                  {"TWAT_CACHE_REDIS_URL", "redis://:s3cret@h:x/0"},
                                                  {"TWAT_CACHE_POLICY", "lru"}}));
        QCOMPARE(problems.size(), std::size_t(3));
        for (const auto& p : problems) {
            const std::string m = p.status.message();
            QVERIFY2(m.find(p.variable) != std::string::npos, m.c_str());
            QVERIFY2(m.find("s3cret") == std::string::npos, m.c_str());
        }
        QCOMPARE(problems[0].variable, std::string("TWAT_CACHE_TTL"));
        QVERIFY(problems[0].status.message().find("\"abc\"") != std::string::npos);
    }

    // A malformed Redis URL fails resolution (ucache must not fall back), password masked.
    void malformedRedisUrlIsAnError() {
        auto fromEnv = resolveConfig(
            CacheConfig{.name = "n"},
            fakeEnv({{"TWAT_CACHE_REDIS_URL", "redis://:s3cret@host:notaport/0"}, {"HOME", "/h"}}));
        QVERIFY(!fromEnv.ok());
        QCOMPARE(fromEnv.status().code(), StatusCode::kInvalidArgument);
        QVERIFY(fromEnv.status().message().find("TWAT_CACHE_REDIS_URL") != std::string::npos);
        QVERIFY(fromEnv.status().message().find("s3cret") == std::string::npos);
        CacheConfig explicitUrl{.name = "n"};
        explicitUrl.redis_url = "http://example.invalid/";
        QVERIFY(!resolveConfig(explicitUrl, fakeEnv({{"HOME", "/h"}})).ok());
    }

    void cacheRootFallbacks() {
        QCOMPARE(resolveCacheRoot(fakeEnv({{"XDG_CACHE_HOME", "/x"}, {"HOME", "/h"}}))->string(),
                 std::string("/x/twat_cache"));
        // A relative XDG_CACHE_HOME is ignored, as the XDG spec requires.
        QCOMPARE(resolveCacheRoot(fakeEnv({{"XDG_CACHE_HOME", "rel"}, {"HOME", "/h"}}))->string(),
                 std::string("/h/.cache/twat_cache"));
        QCOMPARE(resolveCacheRoot(fakeEnv({{"TWAT_CACHE_DIR", "/d"}, {"XDG_CACHE_HOME", "/x"}}))
                     ->string(),
                 std::string("/d"));
        QVERIFY(!resolveCacheRoot(fakeEnv({})).ok());
    }

    void folderNameMayNotEscapeRoot() {
        CacheConfig c{.name = "n"};
        c.folder_name = "../elsewhere";
        QVERIFY(!resolveConfig(c, fakeEnv({{"HOME", "/h"}})).ok());
    }

    void parsers_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("ms");
        QTest::newRow("plain seconds") << "30" << qint64(30'000);
        QTest::newRow("ms") << "250ms" << qint64(250);
        QTest::newRow("minutes") << "2m" << qint64(120'000);
        QTest::newRow("fraction hours") << "1.5h" << qint64(5'400'000);
        QTest::newRow("days") << "7d" << qint64(604'800'000);
        QTest::newRow("spaces") << " 3 s " << qint64(3'000);
    }
    void parsers() {
        QFETCH(QString, text);
        QFETCH(qint64, ms);
        auto d = parseDuration(text.toStdString());
        QVERIFY2(d.ok(), d.status().toString().c_str());
        QCOMPARE(qint64(d->count()), ms);
    }

    void sizesAndBooleans() {
        QCOMPARE(*parseSize("1.5GiB"), 1610612736u);
        QCOMPARE(*parseSize("64k"), 65536u);
        QCOMPARE(*parseSize("12"), 12u);
        QVERIFY(!parseSize("").ok());
        QVERIFY(!parseSize("12 parsecs").ok());
        QCOMPARE(*parseBool("ON"), true);
        QCOMPARE(*parseBool("0"), false);
        QVERIFY(!parseBool("2").ok());
    }

    void policyAndEngineNamesRoundTrip() {
        for (Policy p : {Policy::kLru, Policy::kLfu, Policy::kFifo, Policy::kRr, Policy::kCost,
                         Policy::kNone}) {
            QCOMPARE(*parsePolicy(policyName(p)), p);
        }
        QCOMPARE(*parsePolicy("least-recently-stored"), Policy::kFifo);
        QCOMPARE(*parsePolicy("GDSF"), Policy::kCost);
        // From the environment, like the other policies.
        auto resolved =
            resolveConfig(CacheConfig{.name = "p"},
                          fakeEnv({{"HOME", "/home/u"}, {"TWAT_CACHE_POLICY", "cost"}}));
        QVERIFY2(resolved.ok(), resolved.status().toString().c_str());
        QCOMPARE(resolved->policy, Policy::kCost);
        for (EngineKind k : {EngineKind::kAuto, EngineKind::kMemory, EngineKind::kSqlite,
                             EngineKind::kFiles, EngineKind::kRedis}) {
            QCOMPARE(*parseEngineKind(engineKindName(k)), k);
        }
    }

    void logLevels() {
        QCOMPARE(*parseLogLevel("WARNING"), LogLevel::kWarn);
        QVERIFY(!parseLogLevel("loud").ok());
        QString captured;
        const int handle = addLogSink([&captured](LogLevel, std::string_view m) {
            captured = QString::fromUtf8(m.data(), qsizetype(m.size()));
        });
        setLogLevel(LogLevel::kOff);
        logMessage(LogLevel::kError, "silent");
        QVERIFY(captured.isEmpty());
        setLogLevel(LogLevel::kInfo);
        logMessage(LogLevel::kInfo, "heard");
        QCOMPARE(captured, QString("heard"));
        removeLogSink(handle);
        setLogLevel(LogLevel::kOff);
    }
};

QTEST_GUILESS_MAIN(TestConfig)
#include "test_config.moc"
