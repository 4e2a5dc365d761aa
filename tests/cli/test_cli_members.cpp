// The one-entry edits of twat-cache on a real redis-server, each checked on the server
// afterwards: rename, set-value (--value, --file; the TTL stays), hset/hdel, lpush/rpush/lset/
// lrem, sadd/srem, zadd/zrem; --yes is needed off a terminal, --dry-run and --read-only change
// nothing, a key of another type is refused, bad arguments are usage errors (exit 2).
#include <QtTest>
#include <fstream>
#include <nlohmann/json.hpp>

#include "redis_commands.h"
#include "redis_server.h"

using nlohmann::json;
using twat_cache::test::RawRedis;
using twat_cache::test::RedisServer;

namespace {

constexpr const char* kJoinList = "return table.concat(redis.call('LRANGE', KEYS[1], 0, -1), ',')";

}  // namespace

class TestCliMembers : public QObject {
    Q_OBJECT

    std::unique_ptr<RedisServer> m_server;
    std::unique_ptr<RawRedis> m_raw;
    twat_cache::test::TempDir m_dir;

    // twat-cache COMMAND URL args... --yes
    twat_cache::test::ProcessResult edit(const std::string& command, std::vector<std::string> args,
                                         bool yes = true) {
        if (yes) args.insert(args.begin(), "--yes");
        args.insert(args.begin(), {command, m_server->url()});
        return twat_cache::test::runProcess(TWAT_CACHE_CLI, args);
    }
    std::string run(const std::vector<std::string>& args) { return m_raw->run(args); }

  private slots:
    void initTestCase() {
        // The audit log of the children (auditLogPath()) goes to this test's folder.
        qputenv("XDG_STATE_HOME", QByteArray::fromStdString(m_dir.path().string()));
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        m_server = std::make_unique<RedisServer>();
        const std::string error = m_server->start();
        QVERIFY2(error.empty(), error.c_str());
        m_raw = std::make_unique<RawRedis>(m_server->port());
    }

    void init() {
        run({"FLUSHALL"});
        QVERIFY(twat_cache::test::runRedisCommands(m_server->port(),
                                                   {{"SET", "s", "old", "PX", "600000"},
                                                    {"HSET", "h", "a", "1"},
                                                    {"RPUSH", "l", "a", "b", "c"},
                                                    {"SADD", "set", "x"},
                                                    {"ZADD", "z", "1", "one"}}));
    }

    void stringsAndNames() {
        auto r = edit("set-value", {"s", "--value", "new text"});
        QVERIFY2(r.exitCode == 0, (r.out + r.err).c_str());
        QCOMPARE(run({"GET", "s"}), std::string("new text"));
        QVERIFY(std::stoll(run({"PTTL", "s"})) > 0);
        const auto file = m_dir.path() / "value.bin";
        std::ofstream(file, std::ios::binary) << std::string("bin\0ary", 7);
        r = edit("set-value", {"s", "--file", file.string()});
        QVERIFY2(r.exitCode == 0, (r.out + r.err).c_str());
        QCOMPARE(run({"GET", "s"}), std::string("bin\0ary", 7));
        r = edit("rename", {"s", "s2", "--json"});
        QVERIFY2(r.exitCode == 0, (r.out + r.err).c_str());
        QCOMPARE(json::parse(r.out)["id"].get<std::string>(), std::string("s2"));
        QCOMPARE(run({"EXISTS", "s"}), std::string("0"));
        r = edit("rename", {"s2", "h"});  // never over an existing key
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.find("exists already") != std::string::npos, r.err.c_str());
    }

    void members() {
        auto r = edit("hset", {"h", "b", "2"});
        QVERIFY2(r.exitCode == 0, (r.out + r.err).c_str());
        QVERIFY2(r.out.find("done: set field 'b' of 'h'") != std::string::npos, r.out.c_str());
        QCOMPARE(run({"HGET", "h", "b"}), std::string("2"));
        QCOMPARE(edit("hdel", {"h", "a"}).exitCode, 0);
        QCOMPARE(run({"HEXISTS", "h", "a"}), std::string("0"));

        QCOMPARE(edit("lpush", {"l", "first"}).exitCode, 0);
        QCOMPARE(edit("rpush", {"l", "last"}).exitCode, 0);
        QCOMPARE(edit("lset", {"l", "1", "A", "--expect", "a"}).exitCode, 0);
        QCOMPARE(edit("lset", {"l", "1", "X", "--expect", "a"}).exitCode, 1);  // changed
        QCOMPARE(edit("lrem", {"l", "b"}).exitCode, 0);
        QCOMPARE(edit("lrem", {"l", "--index", "-1"}).exitCode, 0);
        QCOMPARE(run({"EVAL", kJoinList, "1", "l"}), std::string("first,A,c"));

        QCOMPARE(edit("sadd", {"set", "y"}).exitCode, 0);
        QCOMPARE(run({"SISMEMBER", "set", "y"}), std::string("1"));
        QCOMPARE(edit("srem", {"set", "x"}).exitCode, 0);
        QCOMPARE(run({"SISMEMBER", "set", "x"}), std::string("0"));
        QCOMPARE(edit("zadd", {"z", "2.5", "two"}).exitCode, 0);
        QCOMPARE(run({"ZSCORE", "z", "two"}), std::string("2.5"));
        QCOMPARE(edit("zadd", {"z", "--", "-inf", "one"}).exitCode, 0);
        QCOMPARE(run({"ZSCORE", "z", "one"}), std::string("-inf"));
        QCOMPARE(edit("zrem", {"z", "two"}).exitCode, 0);
        QCOMPARE(run({"ZCARD", "z"}), std::string("1"));
        // A key of another type: refused, unchanged.
        r = edit("sadd", {"h", "m"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.find("holds a hash, not a set") != std::string::npos, r.err.c_str());
        QCOMPARE(run({"TYPE", "h"}), std::string("hash"));
        // Each change is in the audit log.
        auto log = twat_cache::test::runProcess(TWAT_CACHE_CLI, {"log"});
        QVERIFY2(log.out.find("hset") != std::string::npos, log.out.c_str());
        QVERIFY2(log.out.find("zrem") != std::string::npos, log.out.c_str());
    }

    void refusals() {
        auto r = edit("hset", {"h", "b", "2"}, /*yes=*/false);  // not a terminal
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.find("without --yes") != std::string::npos, r.err.c_str());
        r = edit("hset", {"h", "b", "2", "--read-only"});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.find("read-only") != std::string::npos, r.err.c_str());
        r = edit("hset", {"h", "b", "2", "--dry-run"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.find("would set field 'b' of 'h'") != std::string::npos, r.out.c_str());
        QCOMPARE(run({"HEXISTS", "h", "b"}), std::string("0"));
    }

    // --file naming something that cannot be read (a folder) is an error in words, and the
    // value stays; it used to end the program with an uncaught exception.
    void anUnreadableValueFileChangesNothing() {
        auto r = edit("set-value", {"s", "--file", m_dir.path().string()});
        QVERIFY2(r.exitCode == 2, (r.out + r.err).c_str());
        QVERIFY2(r.err.find("cannot read") != std::string::npos, r.err.c_str());
        QCOMPARE(run({"GET", "s"}), std::string("old"));
    }

    void usageErrors_data() {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("no value") << QStringList{"set-value", "s"};
        QTest::newRow("both values")
            << QStringList{"set-value", "s", "--value", "a", "--file", "f"};
        QTest::newRow("bad score") << QStringList{"zadd", "z", "high", "m"};
        QTest::newRow("nan score") << QStringList{"zadd", "z", "nan", "m"};
        QTest::newRow("lrem nothing") << QStringList{"lrem", "l"};
        QTest::newRow("lrem both") << QStringList{"lrem", "l", "a", "--index", "0"};
        QTest::newRow("lset no index") << QStringList{"lset", "l", "x"};
        QTest::newRow("hset no value") << QStringList{"hset", "h", "f"};
    }
    void usageErrors() {
        QFETCH(QStringList, args);
        std::vector<std::string> argv;
        for (const auto& a : args.mid(1)) argv.push_back(a.toStdString());
        auto r = edit(args.front().toStdString(), argv);
        QVERIFY2(r.exitCode == 2, (r.out + r.err).c_str());
        QCOMPARE(run({"GET", "s"}), std::string("old"));
        QCOMPARE(run({"ZCARD", "z"}), std::string("1"));
    }
};

QTEST_GUILESS_MAIN(TestCliMembers)
#include "test_cli_members.moc"
