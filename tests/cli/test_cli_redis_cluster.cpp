// The twat-cache command line on a real Redis Cluster (tests/support/redis_cluster.h), given
// the URL of one node: stats prints the totals and a table of every node (and a "nodes" array
// with --json), inspect lists the keys of every master, clear --match and clear --all delete on
// every master; no command answers with a MOVED redirection.
#include <QtTest>
#include <nlohmann/json.hpp>
#include <set>

#include "redis_cluster.h"
#include "redis_cluster_data.h"

using nlohmann::json;
using twat_cache::test::RedisCluster;

namespace {

std::vector<std::pair<std::string, std::string>> numberedKeys(const std::string& prefix, int n) {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (int i = 0; i < n; ++i) pairs.emplace_back(prefix + std::to_string(i), "v");
    return pairs;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

class TestCliRedisCluster : public QObject {
    Q_OBJECT

    std::unique_ptr<RedisCluster> m_cluster;
    std::vector<int> m_masters;  // by first slot
    std::string m_url;

    // Runs the CLI; checks that it succeeded and never printed a redirection.
    twat_cache::test::ProcessResult cli(const std::vector<std::string>& args) {
        auto r = twat_cache::test::runProcess(TWAT_CACHE_CLI, args);
        if (r.exitCode != 0 || contains(r.out + r.err, "MOVED")) {
            qWarning("twat-cache failed (%d): %s%s", r.exitCode, r.out.c_str(), r.err.c_str());
        }
        return r;
    }

    std::size_t keysOnMasters(const std::string& pattern = "*") {
        std::size_t n = 0;
        for (const int port : m_masters) n += twat_cache::test::nodeKeys(port, pattern).size();
        return n;
    }

  private slots:
    void initTestCase() {
        if (!RedisCluster::available()) QSKIP(RedisCluster::skipReason().c_str());
        m_cluster = std::make_unique<RedisCluster>();
        const std::string error = m_cluster->start();
        QVERIFY2(error.empty(), error.c_str());
        m_masters = twat_cache::test::clusterMasterPorts(*m_cluster);
        QCOMPARE(m_masters.size(), std::size_t{3});
        m_url = m_cluster->seedUrl(0);
    }

    void init() {
        for (const int port : m_masters) m_cluster->command(port, {"FLUSHALL"});
        const std::string seeded =
            twat_cache::test::seedClusterKeys(*m_cluster, numberedKeys("cli:", 1200));
        QVERIFY2(seeded.empty(), seeded.c_str());
    }

    void statsPrintsTotalsAndEveryNode() {
        auto text = cli({"stats", m_url});
        QCOMPARE(text.exitCode, 0);
        QVERIFY2(contains(text.out, "1200"), text.out.c_str());
        QVERIFY2(contains(text.out, "cluster of 3 masters"), text.out.c_str());
        for (const char* column : {"NODE", "ROLE", "SLOTS", "KEYS", "MEMORY", "HITS", "MISSES"}) {
            QVERIFY2(contains(text.out, column), text.out.c_str());
        }
        for (const int port : m_cluster->ports()) {
            QVERIFY2(contains(text.out, "127.0.0.1:" + std::to_string(port)), text.out.c_str());
        }
        QVERIFY2(contains(text.out, "0-5460 (5461)"), text.out.c_str());
        QVERIFY2(contains(text.out, "replica of 127.0.0.1:"), text.out.c_str());
    }

    void statsJsonHasANodesArray() {
        auto out = cli({"stats", m_url, "--json"});
        QCOMPARE(out.exitCode, 0);
        const json j = json::parse(out.out);
        QCOMPARE(j["entries"].get<std::uint64_t>(), std::uint64_t{1200});
        const json& nodes = j["nodes"];
        QVERIFY(nodes.is_array());
        QCOMPARE(nodes.size(), std::size_t{6});
        std::uint64_t keys = 0, hits = 0;
        std::size_t masters = 0;
        for (const json& n : nodes) {
            for (const char* field : {"address", "role", "master", "slots", "slot_count", "keys",
                                      "memory", "hits", "misses", "error"}) {
                QVERIFY2(n.contains(field), (n.dump() + " lacks " + field).c_str());
            }
            QVERIFY2(n["error"].is_null(), n.dump().c_str());
            QVERIFY(n["memory"].get<std::uint64_t>() > 0);
            if (n["role"] == "master") {
                QCOMPARE(n["address"].get<std::string>(),
                         "127.0.0.1:" + std::to_string(m_masters[masters]));
                keys += n["keys"].get<std::uint64_t>();
                hits += n["hits"].get<std::uint64_t>();
                ++masters;
            } else {
                QCOMPARE(n["role"].get<std::string>(), std::string("replica"));
                QVERIFY(n["master"].is_string());
            }
        }
        QCOMPARE(masters, std::size_t{3});
        QCOMPARE(keys, std::uint64_t{1200});
        QCOMPARE(j["hits"].get<std::uint64_t>(), hits);
    }

    void inspectListsEveryMaster() {
        auto out = cli({"inspect", m_url, "--limit", "5000", "--budget", "0", "--json"});
        QCOMPARE(out.exitCode, 0);
        const json j = json::parse(out.out);
        std::set<std::string> keys;
        for (const json& e : j["entries"]) keys.insert(e["key"].get<std::string>());
        QCOMPARE(keys.size(), std::size_t{1200});
        QVERIFY(j["complete"].get<bool>());
        QCOMPARE(j["nodes"].size(), std::size_t{3});
        // Page by page through --cursor, each page a new process.
        std::set<std::string> paged;
        std::string cursor;
        for (int guard = 0; guard < 100; ++guard) {
            std::vector<std::string> args = {"inspect",  m_url, "--limit", "500",
                                             "--budget", "0",   "--json"};
            if (!cursor.empty()) {
                args.push_back("--cursor");
                args.push_back(cursor);
            }
            auto page = cli(args);
            QCOMPARE(page.exitCode, 0);
            const json p = json::parse(page.out);
            for (const json& e : p["entries"]) paged.insert(e["key"].get<std::string>());
            if (p["cursor"].is_null()) break;
            cursor = p["cursor"].get<std::string>();
        }
        QCOMPARE(paged.size(), std::size_t{1200});
        auto ns = cli({"inspect", m_url, "--namespaces", "--json"});
        QCOMPARE(ns.exitCode, 0);
        QCOMPARE(json::parse(ns.out)["namespaces"][0]["keys"].get<std::uint64_t>(),
                 std::uint64_t{1200});
        // A key on another node than the one the URL names, in detail.
        const std::string key = twat_cache::test::nodeKeys(m_masters.back(), "cli:*").front();
        auto detail = cli({"inspect", m_url, "--entry", key, "--json"});
        QCOMPARE(detail.exitCode, 0);
    }

    void clearMatchAndClearAllReachEveryMaster() {
        auto cleared = cli({"clear", m_url, "--match", "cli:1*", "--yes", "--json"});
        QCOMPARE(cleared.exitCode, 0);
        // cli:1, cli:10-19, cli:100-199, cli:1000-1199
        QCOMPARE(json::parse(cleared.out)["deleted"].get<std::uint64_t>(), std::uint64_t{311});
        QCOMPARE(keysOnMasters("cli:1*"), std::size_t{0});
        QCOMPARE(keysOnMasters(), std::size_t{1200 - 311});
        auto refused = twat_cache::test::runProcess(TWAT_CACHE_CLI, {"clear", m_url, "--all"});
        QCOMPARE(refused.exitCode, 3);
        QCOMPARE(keysOnMasters(), std::size_t{1200 - 311});
        auto all = cli({"clear", m_url, "--all", "--yes", "--json"});
        QCOMPARE(all.exitCode, 0);
        QCOMPARE(json::parse(all.out)["deleted"].get<std::uint64_t>(), std::uint64_t{1200 - 311});
        QCOMPARE(keysOnMasters(), std::size_t{0});
    }
};

QTEST_GUILESS_MAIN(TestCliRedisCluster)
#include "test_cli_redis_cluster.moc"
