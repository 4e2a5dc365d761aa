// SSH tunnels (?ssh=user@host[:port]) through a real sshd on a loopback port
// (tests/support/ssh_server.h) to real redis-servers bound to 127.0.0.1: the engine with
// large pipelined values, the inspection layer, TLS verified against the URL's host name
// through the tunnel, Sentinel through the tunnel, the CLI's --ssh* flags, and each refusal in
// words: unknown host key (with its fingerprint; recorded with ssh_accept_new), changed host
// key, a key the server does not accept (and a wrong password tried after it, given outside
// the URL), forwarding disabled on the server, a Redis server the SSH host cannot reach, an
// SSH host that does not answer; and a session opened again after the SSH host restarts.
#include <QtTest>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "redis_engines.h"
#include "redis_sentinel.h"
#include "redis_server.h"
#include "ssh_password_account.h"
#include "ssh_server.h"
#include "test_support.h"
#include "tls_certificates.h"
#include "twat_cache/config.h"
#include "twat_cache/inspect.h"
#include "twat_cache/redis_engine.h"

using namespace twat_cache;
using test::openEngine;
using test::RedisServer;
using test::SshServer;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& text, std::string_view needle) {
    return text.find(needle) != std::string::npos;
}

std::string readFile(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// A record viewing `payload` (which must outlive it).
Record record(std::string_view payload) {
    Record r;
    r.key_text = "k";
    r.type_tag = 1;
    r.payload = payload;
    return r;
}

}  // namespace

class TestRedisSsh : public QObject {
    Q_OBJECT

    test::TempDir m_tmp;
    std::unique_ptr<SshServer> m_ssh;
    std::unique_ptr<RedisServer> m_redis;

    std::string url(int redisPort, const std::string& host = "127.0.0.1") const {
        return "redis://" + host + ":" + std::to_string(redisPort) + "/0?" + m_ssh->query();
    }
    // The Redis server through m_ssh, logging in with `key`, checking against `knownHosts`.
    std::string urlWith(const fs::path& key, const fs::path& knownHosts) const {
        return "redis://127.0.0.1:" + std::to_string(m_redis->port()) +
               "/0?ssh=" + m_ssh->target() + "&ssh_key=" + test::queryPath(key) +
               "&ssh_known_hosts=" + test::queryPath(knownHosts);
    }

  private slots:
    void initTestCase() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        m_ssh = std::make_unique<SshServer>();
        if (const std::string why = m_ssh->start(); !why.empty()) QSKIP(why.c_str());
        m_redis = std::make_unique<RedisServer>();
        const std::string error = m_redis->start();
        QVERIFY2(error.empty(), error.c_str());
    }

    // Values of many sizes in pipelines (flow control of the SSH window both ways), and a
    // pool of connections sharing one session.
    void engineThroughTunnel() {
        auto engine = openEngine(url(m_redis->port()), "ssh_engine");
        QVERIFY2(engine.ok(), engine.status().toString().c_str());
        const std::string error =
            test::roundTripBatch(**engine, "ssh", test::batchPayloads(200, 20, 3'000'000));
        QVERIFY2(error.empty(), error.c_str());
        std::vector<std::thread> threads;
        std::atomic<int> failures{0};
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < 50; ++i) {
                    const Key k = makeKey("thread", t * 100 + i);
                    const std::string value = std::to_string(i);
                    if (!(*engine)->set(k, record(value)).ok()) ++failures;
                    auto v = (*engine)->get(k);
                    if (!v.ok() || v->payload != std::to_string(i)) ++failures;
                }
            });
        }
        for (auto& th : threads) th.join();
        QCOMPARE(failures.load(), 0);
    }

    void inspectionThroughTunnel() {
        {
            auto engine = openEngine(url(m_redis->port()), "ssh_listed");
            QVERIFY2(engine.ok(), engine.status().toString().c_str());
            QVERIFY((*engine)->set(makeKey("listed", 1), record("v")).ok());
        }
        auto src = test::openUrlSource(url(m_redis->port()));
        QVERIFY2(src.ok(), src.status().toString().c_str());
        EntryFilter filter;
        filter.glob = "twat_cache:ssh_listed:*";
        auto page = (*src)->entries("", 50, filter);
        QVERIFY2(page.ok(), page.status().toString().c_str());
        QCOMPARE(page->entries.size(), std::size_t{2});  // the entry and __meta
    }

    // TLS runs end to end through the tunnel and verifies the URL's host name.
    void tlsThroughTunnel() {
        const fs::path pki = m_tmp.path() / "pki";
        fs::create_directories(pki);
        const std::string made = test::makeTestCertificates(pki);
        QVERIFY2(made.empty(), made.c_str());
        RedisServer tls({.tls_cert = (pki / "server.pem").string(),
                         .tls_key = (pki / "server.key").string(),
                         .tls_ca = (pki / "ca.pem").string()});
        const std::string error = tls.start();
        QVERIFY2(error.empty(), error.c_str());
        const std::string base = "rediss://localhost:" + std::to_string(tls.tlsPort()) + "/0?";
        auto engine = openEngine(
            base + "ca=" + test::queryPath(pki / "ca.pem") + "&" + m_ssh->query(), "ssh_tls");
        QVERIFY2(engine.ok(), engine.status().toString().c_str());
        QVERIFY((*engine)->set(makeKey("tls", 1), record("secret")).ok());
        QCOMPARE((*engine)->get(makeKey("tls", 1))->payload, std::string("secret"));
        // Checked against "other.example", the certificate (localhost, 127.0.0.1) is refused.
        auto wrongName = openEngine(
            base + "ca=" + test::queryPath(pki / "ca.pem") + "&sni=other.example&" + m_ssh->query(),
            "ssh_tls");
        QVERIFY(!wrongName.ok());
        QVERIFY2(contains(wrongName.status().message(), "not other.example"),
                 wrongName.status().toString().c_str());
        auto untrusted = openEngine(
            base + "ca=" + test::queryPath(pki / "stranger-ca.pem") + "&" + m_ssh->query(),
            "ssh_tls");
        QVERIFY(!untrusted.ok());
        QCOMPARE(untrusted.status().code(), StatusCode::kPermissionDenied);
    }

    // The sentinels and the master they name are all reached through the one session.
    void sentinelThroughTunnel() {
        if (!test::RedisSentinelGroup::available())
            QSKIP(test::RedisSentinelGroup::skipReason().c_str());
        test::RedisSentinelGroup group;
        const std::string error = group.start();
        QVERIFY2(error.empty(), error.c_str());
        auto engine = openEngine(group.url() + "?" + m_ssh->query(), "ssh_sentinel");
        QVERIFY2(engine.ok(), engine.status().toString().c_str());
        QVERIFY((*engine)->set(makeKey("sentinel", 1), record("x")).ok());
        auto src = test::openUrlSource(group.url() + "?" + m_ssh->query());
        QVERIFY2(src.ok(), src.status().toString().c_str());
        QVERIFY2(contains((*src)->info().note,
                          test::RedisSentinelGroup::nodeText(group.master().port())),
                 (*src)->info().note.c_str());
        // Proof that the sentinels are asked through the tunnel: an SSH server that does not
        // forward leaves none of them answering.
        SshServer closed({.allow_forwarding = false});
        const std::string why = closed.start();
        QVERIFY2(why.empty(), why.c_str());
        auto refused = openEngine(group.url() + "?" + closed.query(), "ssh_sentinel");
        QVERIFY(!refused.ok());
        QVERIFY2(contains(refused.status().message(), "no sentinel answered") &&
                     contains(refused.status().message(), "refused to forward"),
                 refused.status().toString().c_str());
    }

    // The SSH host goes away under an open engine: calls fail, then, once it is back, the
    // pool's next connection opens a new session.
    void sessionReopensAfterTheSshHostRestarts() {
        SshServer bastion;
        const std::string why = bastion.start();
        QVERIFY2(why.empty(), why.c_str());
        auto engine = openEngine(
            "redis://127.0.0.1:" + std::to_string(m_redis->port()) + "/0?" + bastion.query(),
            "ssh_restart");
        QVERIFY2(engine.ok(), engine.status().toString().c_str());
        const std::string value = "before";
        QVERIFY((*engine)->set(makeKey("restart", 1), record(value)).ok());
        bastion.kill();
        QVERIFY(!(*engine)->get(makeKey("restart", 1)).ok());
        const std::string again = bastion.start();
        QVERIFY2(again.empty(), again.c_str());
        Result<StoredValue> got = Status::unavailable("not tried");
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!got.ok() && std::chrono::steady_clock::now() < deadline) {
            got = (*engine)->get(makeKey("restart", 1));
            if (!got.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        QVERIFY2(got.ok(), got.status().toString().c_str());
        QCOMPARE(got->payload, value);
    }

    void unknownHostKeyRefusedThenAccepted() {
        const fs::path known = m_tmp.path() / "fresh" / "known_hosts";
        const std::string base = urlWith(m_ssh->clientKey(), known);
        auto refused = openEngine(base, "ssh_known");
        QVERIFY(!refused.ok());
        QCOMPARE(refused.status().code(), StatusCode::kPermissionDenied);
        QVERIFY2(contains(refused.status().message(), "unknown SSH host key"),
                 refused.status().toString().c_str());
        QVERIFY2(contains(refused.status().message(), m_ssh->fingerprint()),
                 refused.status().toString().c_str());
        QVERIFY(contains(refused.status().message(), "--ssh-accept-new"));
        QVERIFY(!fs::exists(known));

        auto accepted = openEngine(base + "&ssh_accept_new=1", "ssh_known");
        QVERIFY2(accepted.ok(), accepted.status().toString().c_str());
        QVERIFY2(contains(readFile(known), "[127.0.0.1]:" + std::to_string(m_ssh->port())),
                 readFile(known).c_str());
        auto again = openEngine(base, "ssh_known");  // now known
        QVERIFY2(again.ok(), again.status().toString().c_str());
    }

    void changedHostKeyRefused() {
        const fs::path known = m_tmp.path() / "changed_known_hosts";
        std::ofstream(known) << m_ssh->wrongKnownHostsLine();
        const std::string u = urlWith(m_ssh->clientKey(), known) + "&ssh_accept_new=1";
        auto refused = openEngine(u, "ssh_changed");
        QVERIFY(!refused.ok());
        QCOMPARE(refused.status().code(), StatusCode::kPermissionDenied);
        QVERIFY2(contains(refused.status().message(), "HOST KEY HAS CHANGED"),
                 refused.status().toString().c_str());
        QVERIFY(contains(refused.status().message(), m_ssh->fingerprint()));
    }

    void wrongKeyRefused() {
        const std::string u = urlWith(m_ssh->strangerKey(), m_ssh->knownHosts());
        auto refused = openEngine(u, "ssh_wrongkey");
        QVERIFY(!refused.ok());
        QCOMPARE(refused.status().code(), StatusCode::kPermissionDenied);
        QVERIFY2(contains(refused.status().message(), "authentication failed (tried the key"),
                 refused.status().toString().c_str());
        QVERIFY(contains(refused.status().message(), "accepts publickey"));
    }

    // Without ssh_key the SSH agent logs in: a real ssh-agent holding the fixture's key, in a
    // HOME without keys of its own.
    void agentLogsIn() {
        const fs::path sock = m_tmp.path() / "agent.sock";
        const fs::path home = m_tmp.path() / "agent-home";
        fs::create_directories(home);
        QProcess agent;
        agent.start("ssh-agent", {"-D", "-a", QString::fromStdString(sock.string())});
        QVERIFY2(agent.waitForStarted(5000), "ssh-agent (openssh-client) did not start");
        for (int i = 0; i < 200 && !fs::exists(sock); ++i) QTest::qWait(10);
        const QByteArray oldSock = qgetenv("SSH_AUTH_SOCK");
        const QByteArray oldHome = qgetenv("HOME");
        qputenv("SSH_AUTH_SOCK", QByteArray::fromStdString(sock.string()));
        qputenv("HOME", QByteArray::fromStdString(home.string()));
        const std::string u = "redis://127.0.0.1:" + std::to_string(m_redis->port()) +
                              "/0?ssh=" + m_ssh->target() +
                              "&ssh_known_hosts=" + test::queryPath(m_ssh->knownHosts());
        // An empty agent: refused, naming what was tried.
        auto refused = openEngine(u, "ssh_agent");
        QProcess add;
        add.start("ssh-add", {QString::fromStdString(m_ssh->clientKey().string())});
        const bool added = add.waitForFinished(5000) && add.exitCode() == 0;
        auto engine = added
                          ? openEngine(u, "ssh_agent")
                          : Result<std::unique_ptr<RedisEngine>>(Status::ioError("ssh-add failed"));
        qputenv("SSH_AUTH_SOCK", oldSock);
        qputenv("HOME", oldHome);
        agent.kill();
        agent.waitForFinished(5000);
        QVERIFY(!refused.ok());
        QVERIFY2(contains(refused.status().message(), "tried the agent and the default keys"),
                 refused.status().toString().c_str());
        QVERIFY2(added, add.readAllStandardError().constData());
        QVERIFY2(engine.ok(), engine.status().toString().c_str());
        QVERIFY((*engine)->set(makeKey("agent", 1), record("via the agent")).ok());
        auto v = (*engine)->get(makeKey("agent", 1));
        QVERIFY(v.ok());
        QCOMPARE(v->payload, std::string("via the agent"));
    }

    // A password login for real: a throwaway account (ssh_password_account.h), no key, no
    // agent; the password reaches the core outside the URL (RedisOptions::ssh_password).
    void passwordLogsIn() {
        if (!test::SshPasswordAccount::available()) {
            QSKIP(test::SshPasswordAccount::skipReason().c_str());
        }
        test::SshPasswordAccount account;
        const std::string made = account.create();
        QVERIFY2(made.empty(), made.c_str());
        SshServer withPasswords({.password_auth = true});
        const std::string why = withPasswords.start();
        QVERIFY2(why.empty(), why.c_str());
        const fs::path home = m_tmp.path() / "password-home";
        fs::create_directories(home);
        const QByteArray oldSock = qgetenv("SSH_AUTH_SOCK");
        const QByteArray oldHome = qgetenv("HOME");
        qunsetenv("SSH_AUTH_SOCK");
        qputenv("HOME", QByteArray::fromStdString(home.string()));
        CacheConfig c;
        c.name = "ssh_password_login";
        c.redis_url = "redis://127.0.0.1:" + std::to_string(m_redis->port()) +
                      "/0?ssh=" + account.name() +
                      "@127.0.0.1:" + std::to_string(withPasswords.port()) +
                      "&ssh_known_hosts=" + test::queryPath(withPasswords.knownHosts());
        auto cfg = resolveConfig(c, [](std::string_view) { return std::optional<std::string>(); });
        RedisOptions wrong;
        wrong.ssh_password = "wrong-" + account.password();
        auto refused = cfg.ok() ? RedisEngine::open(*cfg, wrong)
                                : Result<std::unique_ptr<RedisEngine>>(cfg.status());
        RedisOptions right;
        right.ssh_password = account.password();
        auto engine = cfg.ok() ? RedisEngine::open(*cfg, right)
                               : Result<std::unique_ptr<RedisEngine>>(cfg.status());
        if (oldSock.isNull()) {
            qunsetenv("SSH_AUTH_SOCK");
        } else {
            qputenv("SSH_AUTH_SOCK", oldSock);
        }
        qputenv("HOME", oldHome);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.status().code(), StatusCode::kPermissionDenied);
        QVERIFY2(contains(refused.status().message(), "a password"),
                 refused.status().toString().c_str());
        QVERIFY2(engine.ok(), engine.status().toString().c_str());
        QVERIFY((*engine)->set(makeKey("password", 1), record("by password")).ok());
        auto v = (*engine)->get(makeKey("password", 1));
        QVERIFY(v.ok());
        QCOMPARE(v->payload, std::string("by password"));
    }

    // The password (never in the URL) is tried after the key; a wrong one is named as tried.
    void passwordTriedAfterTheKey() {
        SshServer withPasswords({.password_auth = true});
        const std::string why = withPasswords.start();
        QVERIFY2(why.empty(), why.c_str());
        CacheConfig c;
        c.name = "ssh_password";
        c.redis_url = "redis://127.0.0.1:" + std::to_string(m_redis->port()) +
                      "/0?ssh=" + withPasswords.target() +
                      "&ssh_key=" + test::queryPath(withPasswords.strangerKey()) +
                      "&ssh_known_hosts=" + test::queryPath(withPasswords.knownHosts());
        auto cfg = resolveConfig(c, [](std::string_view) { return std::optional<std::string>(); });
        QVERIFY(cfg.ok());
        RedisOptions options;
        options.ssh_password = "not-the-password";
        auto refused = RedisEngine::open(*cfg, options);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.status().code(), StatusCode::kPermissionDenied);
        const std::string& msg = refused.status().message();
        QVERIFY2(contains(msg, "tried the key") && contains(msg, ", a password;") &&
                     contains(msg, "accepts publickey, password"),
                 msg.c_str());
        QVERIFY(!contains(msg, "not-the-password"));
    }

    void forwardingDisabledRefused() {
        SshServer closed({.allow_forwarding = false});
        const std::string why = closed.start();
        QVERIFY2(why.empty(), why.c_str());
        const std::string u =
            "redis://127.0.0.1:" + std::to_string(m_redis->port()) + "/0?" + closed.query();
        auto refused = openEngine(u, "ssh_noforward");
        QVERIFY(!refused.ok());
        QCOMPARE(refused.status().code(), StatusCode::kPermissionDenied);
        QVERIFY2(contains(refused.status().message(), "refused to forward"),
                 refused.status().toString().c_str());
        QVERIFY(contains(refused.status().message(), "AllowTcpForwarding"));
    }

    void unreachableEnds() {
        const int nothing = test::freeLoopbackPort();
        auto redisGone = openEngine(url(nothing), "ssh_gone");
        QVERIFY(!redisGone.ok());
        QCOMPARE(redisGone.status().code(), StatusCode::kUnavailable);
        QVERIFY2(contains(redisGone.status().message(), "cannot reach the Redis server"),
                 redisGone.status().toString().c_str());
        const std::string noSsh = "redis://127.0.0.1:" + std::to_string(m_redis->port()) +
                                  "/0?ssh=127.0.0.1:" + std::to_string(nothing);
        auto sshGone = openEngine(noSsh, "ssh_gone");
        QVERIFY(!sshGone.ok());
        QCOMPARE(sshGone.status().code(), StatusCode::kUnavailable);
        QVERIFY2(contains(sshGone.status().message(), "cannot reach the SSH host"),
                 sshGone.status().toString().c_str());
    }

    void cliFlags() {
        const std::string target = "redis://127.0.0.1:" + std::to_string(m_redis->port()) + "/0";
        const std::vector<std::string> flags{"--ssh", m_ssh->target(), "--ssh-key",
                                             m_ssh->clientKey().string()};
        std::vector<std::string> args{"stats", target, "--json", "--ssh-known-hosts",
                                      m_ssh->knownHosts().string()};
        args.insert(args.end(), flags.begin(), flags.end());
        auto ok = test::runProcess(TWAT_CACHE_CLI, args);
        QVERIFY2(ok.exitCode == 0, ok.err.c_str());

        const fs::path fresh = m_tmp.path() / "cli_known_hosts";
        std::vector<std::string> unknown{"stats", target, "--ssh-known-hosts", fresh.string()};
        unknown.insert(unknown.end(), flags.begin(), flags.end());
        auto refused = test::runProcess(TWAT_CACHE_CLI, unknown);
        QCOMPARE(refused.exitCode, 3);  // PermissionDenied: refused
        QVERIFY2(contains(refused.err, m_ssh->fingerprint()), refused.err.c_str());
        unknown.push_back("--ssh-accept-new");
        auto accepted = test::runProcess(TWAT_CACHE_CLI, unknown);
        QVERIFY2(accepted.exitCode == 0, accepted.err.c_str());
        QVERIFY(fs::exists(fresh));
    }
};

QTEST_GUILESS_MAIN(TestRedisSsh)
#include "test_redis_ssh.moc"
