// The Redis engine on a Redis Cluster behind TLS and passwords, the common managed case: a
// cluster whose client ports, bus and replication are TLS only (certificates made at run time),
// with requirepass on every node and ACL users. Memoization spreads over every master through
// rediss://; a wrong password and a user who may not ask for the slot map are refused in words.
#include <QtTest>

#include "redis_cluster.h"
#include "tls_certificates.h"
#include "twat_cache/memoize.h"
#include "twat_cache/redis_engine.h"

using namespace twat_cache;
using test::RedisCluster;

namespace {

int value(int x) {
    return x * 31 + 7;
}

bool contains(std::string_view text, std::string_view needle) {
    return text.find(needle) != std::string_view::npos;
}

Result<std::unique_ptr<RedisEngine>> openEngine(const std::string& url) {
    CacheConfig c;
    c.name = "secure";
    c.redis_url = url;
    auto rc = resolveConfig(c);
    if (!rc.ok()) return rc.status();
    return RedisEngine::open(*rc);
}

}  // namespace

class TestRedisClusterSecure : public QObject {
    Q_OBJECT

    test::TempDir m_tmp;
    std::unique_ptr<RedisCluster> m_cluster;
    std::string m_query;  // "?ca=<path>"

    // rediss://<userinfo>@127.0.0.1:<port of node `node`>?ca=...
    std::string url(const std::string& userinfo, int node = 0) const {
        return "rediss://" + userinfo +
               "@127.0.0.1:" + std::to_string(m_cluster->ports()[static_cast<std::size_t>(node)]) +
               m_query;
    }

  private slots:
    void initTestCase() {
        if (!RedisCluster::available()) QSKIP(RedisCluster::skipReason().c_str());
        const std::filesystem::path pki = m_tmp.path() / "pki";
        const std::string made = test::makeTestCertificates(pki);
        QVERIFY2(made.empty(), made.c_str());
        m_cluster = std::make_unique<RedisCluster>(test::tlsClusterOptions(pki, "pw"));
        const std::string error = m_cluster->start();
        QVERIFY2(error.empty(), error.c_str());
        m_query = "?ca=" + test::queryPath(pki / "ca.pem");
        // ACL users exist per node (a cluster does not share them).
        for (int port : m_cluster->ports()) {
            QCOMPARE(m_cluster->command(port, {"ACL", "SETUSER", "app", "on", ">apppw", "~*",
                                               "+@all", "-@dangerous", "+cluster|slots", "+info"}),
                     std::string("OK\n"));
            QCOMPARE(m_cluster->command(port, {"ACL", "SETUSER", "blind", "on", ">blindpw", "~*",
                                               "+@all", "-cluster"}),
                     std::string("OK\n"));
        }
    }

    void memoizesOverTlsOnEveryMaster() {
        int calls = 0;
        auto f = memoizeWith(EngineKind::kRedis, {.name = "tls", .redis_url = url(":pw", 1)},
                             [&calls](int x) {
                                 ++calls;
                                 return value(x);
                             });
        QVERIFY2(f.ok(), f.status().toString().c_str());
        for (int x = 0; x < 200; ++x) QCOMPARE((*f)(x), value(x));
        for (int x = 0; x < 200; ++x) QCOMPARE((*f)(x), value(x));
        QCOMPARE(calls, 200);
        QCOMPARE(f->stats().errors, std::uint64_t{0});
        QCOMPARE(f->stats().entries, std::uint64_t{200});
        int mastersWithEntries = 0;
        for (const auto& n : m_cluster->nodes()) {
            const std::string keys = m_cluster->command(n.port, {"DBSIZE"});
            if (n.master && !keys.empty() && std::stoll(keys) > 20) ++mastersWithEntries;
        }
        QCOMPARE(mastersWithEntries, 3);
    }

    void aclUserMemoizes() {
        int calls = 0;
        auto f = memoizeWith(EngineKind::kRedis, {.name = "acl", .redis_url = url("app:apppw", 2)},
                             [&calls](int x) {
                                 ++calls;
                                 return value(x);
                             });
        QVERIFY2(f.ok(), f.status().toString().c_str());
        for (int x = 0; x < 100; ++x) QCOMPARE((*f)(x), value(x));
        for (int x = 0; x < 100; ++x) QCOMPARE((*f)(x), value(x));
        QCOMPARE(calls, 100);
        QCOMPARE(f->stats().errors, std::uint64_t{0});
    }

    void wrongPasswordIsRefused() {
        auto engine = openEngine(url(":nope"));
        QVERIFY(!engine.ok());
        QCOMPARE(engine.status().code(), StatusCode::kPermissionDenied);
    }

    // A user who may not run CLUSTER SLOTS cannot be routed: said in words, with the remedy.
    void userWithoutClusterSlotsIsToldWhy() {
        auto engine = openEngine(url("blind:blindpw"));
        if (engine.ok()) {
            // The cache's registration keys may all live on this node: then the first key of
            // another master's slots fails.
            std::vector<KeyedRecord> batch;
            std::vector<std::string> payloads(50, "x");
            for (int i = 0; i < 50; ++i) {
                batch.push_back({hashBytes("b" + std::to_string(i)),
                                 Record{.key_text = "b", .type_tag = 1, .payload = payloads[0]}});
            }
            const Status s = (*engine)->setMany(batch);
            QVERIFY(!s.ok());
            QVERIFY2(contains(s.message(), "+cluster|slots"), s.message().c_str());
            return;
        }
        QVERIFY2(contains(engine.status().message(), "+cluster|slots"),
                 engine.status().message().c_str());
    }
};

QTEST_GUILESS_MAIN(TestRedisClusterSecure)
#include "test_redis_cluster_secure.moc"
