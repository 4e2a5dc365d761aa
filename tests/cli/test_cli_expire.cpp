// twat-cache expire and persist on a real redis-server: --match and --key, --dry-run changes
// nothing, --yes is needed off a terminal, --read-only refuses (exit 3), bad options are usage
// errors (exit 2), --json reports the updates; the server is checked after each.
#include <QtTest>
#include <nlohmann/json.hpp>

#include "redis_commands.h"
#include "redis_server.h"

using nlohmann::json;
using twat_cache::test::RawRedis;
using twat_cache::test::RedisServer;

class TestCliExpire : public QObject {
    Q_OBJECT

    std::unique_ptr<RedisServer> m_server;
    std::unique_ptr<RawRedis> m_raw;

    twat_cache::test::ProcessResult cli(const std::vector<std::string>& args) {
        return twat_cache::test::runProcess(TWAT_CACHE_CLI, args);
    }
    long long pttl(const std::string& key) { return std::stoll(m_raw->run({"PTTL", key})); }

  private slots:
    void initTestCase() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        m_server = std::make_unique<RedisServer>();
        const std::string error = m_server->start();
        QVERIFY2(error.empty(), error.c_str());
        m_raw = std::make_unique<RawRedis>(m_server->port());
    }

    void init() {
        m_raw->run({"FLUSHALL"});
        QVERIFY(twat_cache::test::runRedisCommands(
            m_server->port(),
            {{"MSET", "a:1", "x", "a:2", "y", "b:1", "z"}, {"SET", "t:1", "x", "PX", "600000"}}));
    }

    void expireByGlob() {
        auto r = cli({"expire", m_server->url(), "--match", "a:*", "--ttl", "1h", "--yes"});
        QVERIFY2(r.exitCode == 0, (r.out + r.err).c_str());
        QVERIFY2(r.out.find("updated 2 of 2") != std::string::npos, r.out.c_str());
        QVERIFY(pttl("a:1") > 3'500'000);
        QVERIFY(pttl("a:2") > 3'500'000);
        QCOMPARE(pttl("b:1"), -1LL);
    }

    void persistByKey() {
        auto r = cli({"persist", m_server->url(), "--key", "t:1", "--yes", "--json"});
        QVERIFY2(r.exitCode == 0, (r.out + r.err).c_str());
        const json j = json::parse(r.out);
        QCOMPARE(j["updated"].get<int>(), 1);
        QCOMPARE(j["deleted"].get<int>(), 0);
        QCOMPARE(pttl("t:1"), -1LL);
    }

    void dryRunChangesNothing() {
        auto r = cli({"expire", m_server->url(), "--match", "a:*", "--ttl", "5m", "--dry-run"});
        QVERIFY2(r.exitCode == 0, (r.out + r.err).c_str());
        QVERIFY2(r.out.find("would set a TTL of 5m on 2 entries") != std::string::npos,
                 r.out.c_str());
        QCOMPARE(pttl("a:1"), -1LL);
    }

    void refusals() {
        // Not a terminal and no --yes: refused, unchanged.
        auto r = cli({"expire", m_server->url(), "--match", "a:*", "--ttl", "1h"});
        QCOMPARE(r.exitCode, 3);
        QCOMPARE(pttl("a:1"), -1LL);
        r = cli({"persist", m_server->url(), "--key", "t:1", "--read-only"});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.find("nothing was changed") != std::string::npos, r.err.c_str());
        QVERIFY(pttl("t:1") > 0);
    }

    void usageErrors_data() {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("no ttl") << QStringList{"expire", "URL", "--match", "a:*"};
        QTest::newRow("bad ttl") << QStringList{"expire", "URL", "--match", "a:*", "--ttl", "soon"};
        QTest::newRow("zero ttl") << QStringList{"expire", "URL", "--match", "a:*", "--ttl", "0"};
        QTest::newRow("no selection") << QStringList{"persist", "URL"};
        QTest::newRow("both") << QStringList{"persist", "URL", "--match", "a", "--key", "b"};
    }
    void usageErrors() {
        QFETCH(QStringList, args);
        std::vector<std::string> argv;
        for (const auto& a : args) argv.push_back(a == "URL" ? m_server->url() : a.toStdString());
        argv.push_back("--yes");
        auto r = cli(argv);
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(pttl("a:1"), -1LL);
        QVERIFY(pttl("t:1") > 0);
    }
};

QTEST_GUILESS_MAIN(TestCliExpire)
#include "test_cli_expire.moc"
