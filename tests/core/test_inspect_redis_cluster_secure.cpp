// The inspection layer on a Redis Cluster behind TLS and passwords (client ports, bus and
// replication TLS only; requirepass on every node), the common managed case: statistics of
// every node, a listing over every master and detail through rediss://, and an ACL user
// without INFO who still gets the key counts, with the refusal named per node.
#include <QtTest>
#include <set>

#include "redis_cluster.h"
#include "tls_certificates.h"
#include "twat_cache/inspect.h"

using namespace twat_cache;
using test::RedisCluster;

class TestInspectRedisClusterSecure : public QObject {
    Q_OBJECT

    test::TempDir m_tmp;
    std::unique_ptr<RedisCluster> m_cluster;
    std::string m_query;  // "?ca=<path>"
    static constexpr int kKeys = 30;

    std::unique_ptr<Source> open(const std::string& userinfo) {
        const std::string url = "rediss://" + userinfo +
                                "@127.0.0.1:" + std::to_string(m_cluster->ports()[0]) + m_query;
        auto info = Discovery::identifyUrl(url);
        if (!info.ok()) qFatal("identifyUrl: %s", info.status().toString().c_str());
        OpenOptions o;
        o.read_only = true;
        auto src = Discovery::open(*info, o);
        if (!src.ok()) qFatal("open: %s", src.status().toString().c_str());
        return std::move(*src);
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
        for (int i = 0; i < kKeys; ++i) {
            const std::string key = "tls:" + std::to_string(i);
            QCOMPARE(m_cluster->command(m_cluster->ports()[0], {"-c", "SET", key.c_str(), "v"}),
                     std::string("OK\n"));
        }
        // ACL users exist per node (a cluster does not share them): one that reads keys and
        // the slot map but may not ask INFO.
        for (int port : m_cluster->ports()) {
            QCOMPARE(m_cluster->command(port, {"ACL", "SETUSER", "noinfo", "on", ">nipw", "~*",
                                               "+@read", "+@keyspace", "+cluster|slots",
                                               "+cluster|nodes", "+ping", "-info"}),
                     std::string("OK\n"));
        }
    }

    void statsListingAndDetailOverTls() {
        auto src = open(":pw");
        auto st = src->stats();
        QVERIFY2(st.ok(), st.status().toString().c_str());
        QCOMPARE(st->entries.value_or(0), std::uint64_t{kKeys});
        QCOMPARE(st->nodes.size(), std::size_t{6});
        for (const NodeStats& n : st->nodes) {
            QVERIFY2(n.error.empty(), (n.address + ": " + n.error).c_str());
            QVERIFY(n.keys && n.memory_bytes);
        }
        std::set<std::string> keys;
        std::string cursor;
        EntryFilter filter;
        filter.time_budget = std::chrono::milliseconds(0);
        do {
            auto page = src->entries(cursor, 7, filter);
            QVERIFY2(page.ok(), page.status().toString().c_str());
            for (const auto& e : page->entries) keys.insert(e.key_text);
            cursor = page->cursor;
        } while (!cursor.empty());
        QCOMPARE(keys.size(), std::size_t{kKeys});
        for (const std::string& key : keys) {
            auto d = src->detail(key);
            QVERIFY2(d.ok(), (key + ": " + d.status().toString()).c_str());
            QCOMPARE(d->value_bytes, std::string("v"));
        }
    }

    void userWithoutInfoStillGetsTheKeyCounts() {
        auto src = open("noinfo:nipw");
        auto st = src->stats();
        QVERIFY2(st.ok(), st.status().toString().c_str());
        QCOMPARE(st->entries.value_or(0), std::uint64_t{kKeys});
        QVERIFY(!st->hits.has_value());  // not known: never a wrong number
        for (const NodeStats& n : st->nodes) {
            QVERIFY(n.keys.has_value());
            QVERIFY2(n.error.find("NOPERM") != std::string::npos, n.error.c_str());
        }
        QVERIFY2(st->note.find("did not answer INFO") != std::string::npos, st->note.c_str());
    }
};

QTEST_GUILESS_MAIN(TestInspectRedisClusterSecure)
#include "test_inspect_redis_cluster_secure.moc"
