// Redis over TLS (rediss://) against real redis-server processes with certificates made at
// run time (tests/support/tls_certificates.h): the engine, memoization, pipelines with large
// values, the inspection layer and the CLI over a verified connection; mutual TLS; and each
// refusal in words: an untrusted certificate, a name mismatch, an expired certificate, TLS to
// a plain port, plain to a TLS port, a client certificate required but missing.
#include <QtTest>
#include <filesystem>

#include "redis_engines.h"
#include "redis_server.h"
#include "test_support.h"
#include "tls_certificates.h"
#include "twat_cache/config.h"
#include "twat_cache/inspect.h"
#include "twat_cache/memoize.h"
#include "twat_cache/redis_engine.h"

using namespace twat_cache;
using namespace std::chrono_literals;
using test::openEngine;
using test::RedisServer;
namespace fs = std::filesystem;

namespace {

bool contains(const Status& s, std::string_view text) {
    return s.message().find(text) != std::string::npos;
}

}  // namespace

class TestRedisTls : public QObject {
    Q_OBJECT

    test::TempDir m_tmp;
    fs::path m_pki;
    std::unique_ptr<RedisServer> m_server;  // server.pem, clients need no certificate

    std::unique_ptr<RedisServer> startWith(const std::string& stem, bool authClients,
                                           std::string& error) {
        RedisServer::Options o;
        o.tls_cert = (m_pki / (stem + ".pem")).string();
        o.tls_key = (m_pki / (stem + ".key")).string();
        o.tls_ca = (m_pki / "ca.pem").string();
        o.tls_auth_clients = authClients;
        auto server = std::make_unique<RedisServer>(o);
        error = server->start();
        return server;
    }
    std::string tlsUrl(const RedisServer& s, const std::string& host = "localhost") const {
        return "rediss://" + host + ":" + std::to_string(s.tlsPort()) +
               "/0?ca=" + test::queryPath(m_pki / "ca.pem");
    }

  private slots:
    void initTestCase() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        m_pki = m_tmp.path() / "pki";
        const std::string made = test::makeTestCertificates(m_pki);
        QVERIFY2(made.empty(), made.c_str());
        std::string error;
        m_server = startWith("server", false, error);
        QVERIFY2(error.empty(), error.c_str());
    }

    // Verified by the CA, by DNS name and by IP address; values round-trip, pipelines of
    // large values too (many TLS records per reply, some already decrypted when we poll).
    void engineOverVerifiedTls() {
        for (const char* host : {"localhost", "127.0.0.1"}) {
            auto engine = openEngine(tlsUrl(*m_server, host), std::string("tls_") + host[0]);
            QVERIFY2(engine.ok(), engine.status().toString().c_str());
            const std::string error =
                test::roundTripBatch(**engine, "tls", test::batchPayloads(300, 7, 300'000));
            QVERIFY2(error.empty(), error.c_str());
        }
    }

    void memoizationAndInspectionOverTls() {
        int calls = 0;
        auto f = memoizeWith(EngineKind::kRedis,
                             {.name = "tlsmemo", .redis_url = tlsUrl(*m_server)}, [&calls](int x) {
                                 ++calls;
                                 return x * 2;
                             });
        QVERIFY2(f.ok(), f.status().toString().c_str());
        QCOMPARE((*f)(21), 42);
        QCOMPARE((*f)(21), 42);
        QCOMPARE(calls, 1);

        auto info = Discovery::identifyUrl(tlsUrl(*m_server));
        QVERIFY2(info.ok(), info.status().toString().c_str());
        OpenOptions o;
        o.read_only = true;
        auto src = Discovery::open(*info, o);
        QVERIFY2(src.ok(), src.status().toString().c_str());
        EntryFilter filter;
        filter.glob = "twat_cache:tlsmemo:*";
        auto page = (*src)->entries("", 50, filter);
        QVERIFY2(page.ok(), page.status().toString().c_str());
        QVERIFY(!page->entries.empty());
    }

    void cliFlags() {
        const std::string plainScheme =
            "redis://localhost:" + std::to_string(m_server->tlsPort()) + "/0";
        auto ok = test::runProcess(TWAT_CACHE_CLI, {"stats", plainScheme, "--tls-ca",
                                                    (m_pki / "ca.pem").string(), "--json"});
        QVERIFY2(ok.exitCode == 0, ok.err.c_str());
        auto insecure =
            test::runProcess(TWAT_CACHE_CLI, {"stats", plainScheme, "--tls-insecure", "--json"});
        QVERIFY2(insecure.exitCode == 0, insecure.err.c_str());
        auto untrusted = test::runProcess(TWAT_CACHE_CLI, {"stats", plainScheme, "--tls-ca",
                                                           (m_pki / "stranger-ca.pem").string()});
        QVERIFY(untrusted.exitCode != 0);
        QVERIFY2(untrusted.err.find("is not trusted by the CA file") != std::string::npos,
                 untrusted.err.c_str());
    }

    void untrustedCertificate() {
        const std::string base = "rediss://localhost:" + std::to_string(m_server->tlsPort()) + "/0";
        auto system = openEngine(base, "u1");  // the system's store knows nothing of our CA
        QCOMPARE(system.status().code(), StatusCode::kPermissionDenied);
        QVERIFY2(contains(system.status(),
                          "issued by /CN=twat-cache test CA) is not trusted by "
                          "the system's trust store"),
                 system.status().message().c_str());
        QVERIFY2(contains(system.status(), "?ca=PATH"), system.status().message().c_str());
        auto stranger =
            openEngine(base + "?ca=" + test::queryPath(m_pki / "stranger-ca.pem"), "u2");
        QCOMPARE(stranger.status().code(), StatusCode::kPermissionDenied);
        QVERIFY2(contains(stranger.status(), "not trusted by the CA file"),
                 stranger.status().message().c_str());
        // Only on request, and then anything goes.
        auto insecure = openEngine(base + "?insecure=1", "u3");
        QVERIFY2(insecure.ok(), insecure.status().toString().c_str());
    }

    void hostNameMismatch() {
        std::string error;
        auto other = startWith("other", false, error);
        QVERIFY2(error.empty(), error.c_str());
        auto r = openEngine(tlsUrl(*other), "m1");
        QCOMPARE(r.status().code(), StatusCode::kPermissionDenied);
        QVERIFY2(contains(r.status(), "certificate is for other.example, not localhost"),
                 r.status().message().c_str());
        // Naming the server as its certificate does fixes it.
        auto named = openEngine(tlsUrl(*other) + "&sni=other.example", "m2");
        QVERIFY2(named.ok(), named.status().toString().c_str());
    }

    void expiredCertificate() {
        std::string error;
        auto expired = startWith("expired", false, error);
        QVERIFY2(error.empty(), error.c_str());
        auto r = openEngine(tlsUrl(*expired), "e1");
        QCOMPARE(r.status().code(), StatusCode::kPermissionDenied);
        QVERIFY2(contains(r.status(), "the server's certificate expired on 20"),
                 r.status().message().c_str());
    }

    // A plain Redis port never answers a TLS hello: the handshake is bounded by the connect
    // timeout and the error says what to check.
    void tlsToPlainPort() {
        const auto start = std::chrono::steady_clock::now();
        auto r = openEngine("rediss://localhost:" + std::to_string(m_server->port()) +
                                "/0?connect_timeout=400ms&ca=" + test::queryPath(m_pki / "ca.pem"),
                            "p1");
        QVERIFY(!r.ok());
        QVERIFY2(contains(r.status(), "TLS"), r.status().message().c_str());
        QVERIFY(std::chrono::steady_clock::now() - start < 10s);
    }

    void plainToTlsPort() {
        auto r =
            openEngine("redis://localhost:" + std::to_string(m_server->tlsPort()) + "/0", "p2");
        QCOMPARE(r.status().code(), StatusCode::kUnavailable);
        QVERIFY2(contains(r.status(), "if the server expects TLS, use rediss://"),
                 r.status().message().c_str());
    }

    void clientCertificateRequired() {
        std::string error;
        auto mutual = startWith("server", true, error);
        QVERIFY2(error.empty(), error.c_str());
        auto missing = openEngine(tlsUrl(*mutual), "c1");
        QVERIFY(!missing.ok());
        // The server's alert, or (TLS 1.3, when the reset wins the race) the closed
        // connection right after the handshake: both say what to do.
        QVERIFY2(contains(missing.status(), "require") &&
                     contains(missing.status(), "a client certificate (") &&
                     contains(missing.status(), "cert="),
                 missing.status().message().c_str());
        auto mtls = openEngine(tlsUrl(*mutual) + "&cert=" + test::queryPath(m_pki / "client.pem") +
                                   "&key=" + test::queryPath(m_pki / "client.key"),
                               "c2");
        QVERIFY2(mtls.ok(), mtls.status().toString().c_str());
        Record r;
        r.key_text = "k";
        r.type_tag = 1;
        r.payload = "over mutual TLS";
        QVERIFY((*mtls)->set(makeKey("m", 1), r).ok());
        QCOMPARE((*mtls)->get(makeKey("m", 1))->payload, std::string("over mutual TLS"));
        // A key that is not the certificate's is refused before connecting.
        auto wrongKey =
            openEngine(tlsUrl(*mutual) + "&cert=" + test::queryPath(m_pki / "client.pem") +
                           "&key=" + test::queryPath(m_pki / "server.key"),
                       "c3");
        QCOMPARE(wrongKey.status().code(), StatusCode::kInvalidArgument);
        QVERIFY2(contains(wrongKey.status(), "does not belong to the certificate"),
                 wrongKey.status().message().c_str());
    }
};

QTEST_GUILESS_MAIN(TestRedisTls)
#include "test_redis_tls.moc"
