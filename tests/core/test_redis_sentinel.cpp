// Redis Sentinel (redis+sentinel:// URLs) against real redis-server and redis-sentinel
// processes (tests/support/redis_sentinel.h): the engine, the inspection layer and the CLI
// find the master through the sentinels and say which node they are on; a dead sentinel
// first in the list is skipped; passwords go to the master and to the sentinels; an unknown
// service, sentinels that do not answer or refuse the login, a plain server given as a
// sentinel and an address that is not a master are errors in words; a master demoted under
// an open connection (READONLY) is left for the new one; rediss+sentinel:// speaks TLS to
// the sentinels and the master.
#include <QtTest>

#include "redis_commands.h"
#include "redis_engines.h"
#include "redis_sentinel.h"
#include "redis_server.h"
#include "test_support.h"
#include "tls_certificates.h"
#include "twat_cache/config.h"
#include "twat_cache/inspect.h"
#include "twat_cache/redis_engine.h"

using namespace twat_cache;
using test::FakeTcpServer;
using test::openEngine;
using test::RedisSentinelGroup;
using test::RedisServer;

namespace {

Record record(std::string_view payload) {
    Record r;
    r.payload = payload;
    r.key_text = "k";
    return r;
}

bool contains(std::string_view text, std::string_view needle) {
    return text.find(needle) != std::string_view::npos;
}

std::string deadPortUrlPart() {
    return "127.0.0.1:" + std::to_string(test::freeLoopbackPort());
}

}  // namespace

class TestRedisSentinel : public QObject {
    Q_OBJECT

    std::unique_ptr<RedisSentinelGroup> m_group;

    std::string node() const { return RedisSentinelGroup::nodeText(m_group->master().port()); }

  private slots:
    void initTestCase() {
        if (!RedisSentinelGroup::available()) QSKIP(RedisSentinelGroup::skipReason().c_str());
        m_group = std::make_unique<RedisSentinelGroup>();
        const std::string error = m_group->start();
        QVERIFY2(error.empty(), error.c_str());
    }

    void engineUsesTheMaster() {
        auto engine = openEngine(m_group->url(), "viasentinel");
        QVERIFY2(engine.ok(), engine.status().toString().c_str());
        const Key key = hashBytes("viasentinel-one");
        QVERIFY((*engine)->set(key, record("payload-1")).ok());
        auto got = (*engine)->get(key);
        QVERIFY2(got.ok(), got.status().toString().c_str());
        QCOMPARE(got->payload, std::string("payload-1"));
        test::RawRedis master(m_group->master().port());
        QCOMPARE(master.run({"EXISTS", "twat_cache:viasentinel:" + key.toHex()}), std::string("1"));
    }

    // A sentinel that does not answer is skipped for the next one in the list.
    void deadSentinelFirstIsSkipped() {
        const std::string url = "redis+sentinel://" + deadPortUrlPart() +
                                ",127.0.0.1:" + std::to_string(m_group->sentinelPorts()[0]) +
                                "/mymaster";
        auto engine = openEngine(url, "viasentinel");
        QVERIFY2(engine.ok(), engine.status().toString().c_str());
        QVERIFY((*engine)->size().ok());
    }

    void inspectorShowsTheNode() {
        auto info = Discovery::identifyUrl(m_group->url());
        QVERIFY2(info.ok(), info.status().toString().c_str());
        QVERIFY2(contains(info->note, "via sentinel mymaster"), info->note.c_str());
        auto src = test::openUrlSource(m_group->url());
        QVERIFY2(src.ok(), src.status().toString().c_str());
        QVERIFY2(contains((*src)->info().note, node()), (*src)->info().note.c_str());
        auto stats = (*src)->stats();
        QVERIFY2(stats.ok(), stats.status().toString().c_str());
        QVERIFY2(contains(stats->note, node()), stats->note.c_str());
        const std::string note = (*src)->info().note;
        QVERIFY2(note.starts_with("Redis ") && contains(note, ", db 0, " + node()), note.c_str());
        auto page = (*src)->entries("", 100, {});
        QVERIFY2(page.ok(), page.status().toString().c_str());
        QVERIFY(!page->entries.empty());  // engineUsesTheMaster's entry and __meta
    }

    void cliStatsShowsTheNode() {
        auto stats = test::runProcess(TWAT_CACHE_CLI, {"stats", m_group->url()});
        QVERIFY2(stats.exitCode == 0, stats.err.c_str());
        QVERIFY2(contains(stats.out, node()), stats.out.c_str());
    }

    void unknownServiceIsNamed() {
        const std::string url =
            "redis+sentinel://127.0.0.1:" + std::to_string(m_group->sentinelPorts()[0]) + "/nosuch";
        auto engine = openEngine(url, "x");
        QCOMPARE(engine.status().code(), StatusCode::kNotFound);
        QVERIFY2(contains(engine.status().message(), "sentinels do not know service \"nosuch\""),
                 engine.status().message().c_str());
        // A sentinel that did not answer is named too: it might have known the service.
        const std::string dead = deadPortUrlPart();
        auto partly = openEngine("redis+sentinel://" + dead + "," + url.substr(17), "x");
        QCOMPARE(partly.status().code(), StatusCode::kNotFound);
        QVERIFY2(contains(partly.status().message(), "others did not answer (sentinel " + dead),
                 partly.status().message().c_str());
    }

    void noSentinelAnswers() {
        const std::string a = deadPortUrlPart(), b = deadPortUrlPart();
        auto engine = openEngine("redis+sentinel://" + a + "," + b + "/mymaster", "x");
        QCOMPARE(engine.status().code(), StatusCode::kUnavailable);
        const std::string msg = engine.status().message();
        QVERIFY2(contains(msg, "no sentinel answered (sentinel " + a), msg.c_str());
        QVERIFY2(contains(msg, "; sentinel " + b), msg.c_str());
        QVERIFY2(contains(msg, "connection refused"), msg.c_str());
    }

    void plainServerIsNotASentinel() {
        const std::string url =
            "redis+sentinel://127.0.0.1:" + std::to_string(m_group->master().port()) + "/mymaster";
        auto engine = openEngine(url, "x");
        QCOMPARE(engine.status().code(), StatusCode::kUnavailable);
        QVERIFY2(contains(engine.status().message(), "no sentinel answered") &&
                     contains(engine.status().message(), "unknown command"),
                 engine.status().message().c_str());
    }

    // The URL's password logs in to the master, sentinel_password to the sentinels.
    void passwordsForMasterAndSentinels() {
        RedisSentinelGroup group(
            {.sentinels = 1, .master_password = "mpw", .sentinel_password = "spw"});
        const std::string error = group.start();
        QVERIFY2(error.empty(), error.c_str());
        auto engine = openEngine(group.url(), "auth");
        QVERIFY2(engine.ok(), engine.status().toString().c_str());
        QVERIFY((*engine)->set(hashBytes("auth-k"), record("v")).ok());

        const std::string sentinels =
            "127.0.0.1:" + std::to_string(group.sentinelPorts()[0]) + "/mymaster";
        auto noSentinelPassword = openEngine("redis+sentinel://:mpw@" + sentinels, "auth");
        QCOMPARE(noSentinelPassword.status().code(), StatusCode::kPermissionDenied);
        QVERIFY2(contains(noSentinelPassword.status().message(),
                          "the sentinels refused the login (sentinel 127.0.0.1:"),
                 noSentinelPassword.status().message().c_str());
        QVERIFY2(contains(noSentinelPassword.status().message(), "sentinel_password="),
                 noSentinelPassword.status().message().c_str());

        auto wrongMaster =
            openEngine("redis+sentinel://:hunter2@" + sentinels + "?sentinel_password=spw", "auth");
        QCOMPARE(wrongMaster.status().code(), StatusCode::kPermissionDenied);
        const std::string msg = wrongMaster.status().message();
        QVERIFY2(contains(msg, "the master the sentinels named for \"mymaster\""), msg.c_str());
        QVERIFY2(!contains(msg, "hunter2") && !contains(msg, "spw"), msg.c_str());
    }

    // rediss+sentinel://: TLS to the sentinels and to the master they name, verified by the CA.
    void tlsToSentinelsAndMaster() {
        test::TempDir tmp;
        const std::string made = test::makeTestCertificates(tmp.path() / "pki");
        QVERIFY2(made.empty(), made.c_str());
        RedisSentinelGroup group({.tls_pki = tmp.path() / "pki"});
        const std::string error = group.start();
        QVERIFY2(error.empty(), error.c_str());
        QVERIFY(group.url().starts_with("rediss+sentinel://"));
        auto engine = openEngine(group.url(), "tls");
        QVERIFY2(engine.ok(), engine.status().toString().c_str());
        const Key key = hashBytes("tls-k");
        QVERIFY((*engine)->set(key, record("over tls")).ok());
        auto got = (*engine)->get(key);
        QVERIFY2(got.ok(), got.status().toString().c_str());
        QCOMPARE(got->payload, std::string("over tls"));
        test::RawRedis master(group.master().port());
        QCOMPARE(master.run({"EXISTS", "twat_cache:tls:" + key.toHex()}), std::string("1"));

        auto src = test::openUrlSource(group.url());
        QVERIFY2(src.ok(), src.status().toString().c_str());
        const std::string tlsNode = RedisSentinelGroup::nodeText(group.master().tlsPort());
        QVERIFY2(contains((*src)->info().note, tlsNode), (*src)->info().note.c_str());

        // The CLI's --tls-ca turns a redis+sentinel:// target into rediss+sentinel://.
        const std::string plainScheme =
            "redis+sentinel://127.0.0.1:" + std::to_string(group.sentinelTlsPorts()[0]) +
            "/mymaster";
        auto stats = test::runProcess(TWAT_CACHE_CLI, {"stats", plainScheme, "--tls-ca",
                                                       (tmp.path() / "pki" / "ca.pem").string()});
        QVERIFY2(stats.exitCode == 0, stats.err.c_str());
        QVERIFY2(contains(stats.out, tlsNode), stats.out.c_str());
    }

    // A sentinel that names a replica: refused after ROLE, and the next sentinel is asked.
    void replicaIsNotAMaster() {
        FakeTcpServer liar(FakeTcpServer::Mode::kFakeSentinel, m_group->replica().port());
        QVERIFY(liar.ok());
        const std::string lie = "redis+sentinel://127.0.0.1:" + std::to_string(liar.port());
        auto engine = openEngine(lie + "/mymaster", "x");
        QCOMPARE(engine.status().code(), StatusCode::kUnavailable);
        QVERIFY2(contains(engine.status().message(),
                          "the address sentinels gave is not a master (127.0.0.1:" +
                              std::to_string(m_group->replica().port()) + " is a slave)"),
                 engine.status().message().c_str());
        auto fine = openEngine(
            lie + ",127.0.0.1:" + std::to_string(m_group->sentinelPorts()[0]) + "/mymaster", "x");
        QVERIFY2(fine.ok(), fine.status().toString().c_str());
    }

    // A master demoted while the engine holds a connection to it answers READONLY: the
    // connection is dropped and the call retried on a new one, which asks the sentinel again.
    void readOnlyFollowsTheNewMaster() {
        RedisServer a;
        RedisServer b({.extra_args = {"--repl-diskless-sync-delay", "0"}});  // a syncs at once
        QVERIFY(a.start().empty());
        QVERIFY(b.start().empty());
        FakeTcpServer sentinel(FakeTcpServer::Mode::kFakeSentinel, a.port());
        QVERIFY(sentinel.ok());
        auto engine = openEngine(
            "redis+sentinel://127.0.0.1:" + std::to_string(sentinel.port()) + "/svc?pool_size=1",
            "demoted");
        QVERIFY2(engine.ok(), engine.status().toString().c_str());
        const Key key = hashBytes("demoted-k");
        QVERIFY((*engine)->set(key, record("before")).ok());
        // b becomes the master, a its replica (the engine's connection to a stays open).
        test::RawRedis rawA(a.port());
        QCOMPARE(rawA.run({"REPLICAOF", "127.0.0.1", std::to_string(b.port())}), std::string("OK"));
        sentinel.setAnswerPort(b.port());
        const Status s = (*engine)->set(key, record("after"));
        QVERIFY2(s.ok(), s.toString().c_str());
        test::RawRedis rawB(b.port());
        QCOMPARE(rawB.run({"EXISTS", "twat_cache:demoted:" + key.toHex()}), std::string("1"));
        auto got = (*engine)->get(key);
        QVERIFY2(got.ok(), got.status().toString().c_str());
        QCOMPARE(got->payload, std::string("after"));
    }
};

QTEST_GUILESS_MAIN(TestRedisSentinel)
#include "test_redis_sentinel.moc"
