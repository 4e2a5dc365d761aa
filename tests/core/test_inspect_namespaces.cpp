// The Redis namespace tree (Source::namespaces) against a real redis-server: exact counts per
// node for keys nested at several depths (total and leaf keys, the depth bound, an empty
// segment, keys without a separator), the per-node and whole-tree caps folding segments into
// "(other)" with exact counts, bounded size on a high-cardinality keyspace, incremental calls
// converging to the counts of one full scan, and the CLI's indented and nested JSON output.
#include <QtTest>
#include <map>
#include <nlohmann/json.hpp>

#include "redis_commands.h"
#include "redis_server.h"
#include "twat_cache/inspect.h"

using namespace twat_cache;
using test::RedisServer;

namespace {

// Keys at several depths; counts below are derived from this list by hand.
const std::vector<std::string> kNestedKeys = {
    "app:user:1:profile",
    "app:user:1:settings",
    "app:user:2:profile",
    "app:user:count",
    "app:config",
    "app:cache:a:b:c:d:e",
    "logs:2024:01",
    "logs:2024:02",
    "logs:2025:01",
    "plain",
    "other",
    ":leading",
    "a::b",
};

struct Expect {
    std::uint64_t keys, leaf;
    std::size_t depth;
};
using ExpectMap = std::map<std::string, Expect>;  // prefix -> counts

struct Server {
    RedisServer server;
    std::string error;

    // Starts the server and SETs `keys` in database `db`.
    bool start(const std::vector<std::string>& keys, int db = 0) {
        error = server.start();
        if (!error.empty()) return false;
        std::vector<std::vector<std::string>> commands = {{"SELECT", std::to_string(db)}};
        for (const auto& k : keys) commands.push_back({"SET", k, "v"});
        if (!test::runRedisCommands(server.port(), commands)) error = "loading keys failed";
        return error.empty();
    }

    std::unique_ptr<Source> open(const OpenOptions& options, int db = 0) {
        auto info = Discovery::identifyUrl(server.url(db));
        if (!info.ok()) qFatal("identifyUrl: %s", info.status().toString().c_str());
        auto src = Discovery::open(*info, options);
        if (!src.ok()) qFatal("open: %s", src.status().toString().c_str());
        return std::move(*src);
    }
};

// Calls namespaces(budget) until complete (bounded); fails the test on an error.
NamespaceReport scanAll(Source& src, std::size_t budget) {
    Result<NamespaceReport> report = src.namespaces(budget);
    for (int i = 0; i < 100'000 && report.ok() && !report->complete; ++i) {
        report = src.namespaces(budget);
    }
    if (!report.ok()) qFatal("namespaces: %s", report.status().toString().c_str());
    return *report;
}

// The structural promises of a report: parents before children, depth = parent's + 1, the
// prefix extends the parent's, siblings ordered by keys with "(other)" last, and a parent's
// keys = its leaf keys + its children's keys (+ keys deeper than the bound at max depth).
void checkShape(const NamespaceReport& r, const std::string& sep) {
    std::vector<std::uint64_t> childSum(r.nodes.size(), 0);
    for (std::size_t i = 0; i < r.nodes.size(); ++i) {
        const auto& n = r.nodes[i];
        QVERIFY(n.keys >= n.leaf_keys);
        if (n.other) QCOMPARE(n.leaf_keys, std::uint64_t(0));
        if (n.parent == NamespaceReport::kNoParent) {
            QCOMPARE(n.depth, std::size_t(1));
            continue;
        }
        QVERIFY(n.parent < i);
        const auto& p = r.nodes[n.parent];
        QCOMPARE(n.depth, p.depth + 1);
        QVERIFY(n.depth <= r.max_depth);
        QCOMPARE(n.prefix, n.other ? p.prefix : p.prefix + sep + n.name);
        childSum[n.parent] += n.keys;
    }
    for (std::size_t i = 0; i < r.nodes.size(); ++i) {
        const auto& n = r.nodes[i];
        if (n.depth < r.max_depth && !n.other) QCOMPARE(n.leaf_keys + childSum[i], n.keys);
    }
}

ExpectMap countsOf(const NamespaceReport& r) {
    ExpectMap out;
    for (const auto& n : r.nodes) {
        out[n.other ? n.prefix + "|(other)" : n.prefix] = {n.keys, n.leaf_keys, n.depth};
    }
    return out;
}

}  // namespace

Q_DECLARE_METATYPE(ExpectMap)

class TestInspectNamespaces : public QObject {
    Q_OBJECT

  private slots:
    void init() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
    }

    void nestedKeysCountPerNode_data() {
        QTest::addColumn<int>("maxDepth");
        QTest::addColumn<ExpectMap>("expected");
        const ExpectMap top = {
            {"", {3, 3, 1}},          // plain, other, :leading
            {"app", {6, 1, 1}},       // app:config
            {"logs", {3, 0, 1}},      //
            {"a", {1, 0, 1}},         //
            {"app:user", {4, 1, 2}},  // app:user:count
            {"app:cache", {1, 0, 2}}, {"logs:2024", {2, 2, 2}}, {"logs:2025", {1, 1, 2}},
            {"a:", {1, 1, 2}},  // an empty segment is a namespace of its own
        };
        ExpectMap deep = top;
        deep.insert({{"app:user:1", {2, 2, 3}},
                     {"app:user:2", {1, 1, 3}},
                     {"app:cache:a", {1, 0, 3}},
                     {"app:cache:a:b", {1, 0, 4}},
                     {"app:cache:a:b:c", {1, 0, 5}},
                     {"app:cache:a:b:c:d", {1, 1, 6}}});
        ExpectMap shallow = top;
        shallow["app:user"] = {4, 1, 2};  // app:user:1:* and app:user:2:* lie deeper
        QTest::newRow("default depth") << 0 << deep;
        QTest::newRow("depth 2") << 2 << shallow;
        ExpectMap one = {
            {"", {3, 3, 1}}, {"app", {6, 1, 1}}, {"logs", {3, 0, 1}}, {"a", {1, 0, 1}}};
        QTest::newRow("depth 1") << 1 << one;
    }

    void nestedKeysCountPerNode() {
        QFETCH(int, maxDepth);
        QFETCH(ExpectMap, expected);
        Server fx;
        QVERIFY2(fx.start(kNestedKeys), fx.error.c_str());
        OpenOptions o;
        if (maxDepth > 0) o.namespace_max_depth = static_cast<std::size_t>(maxDepth);
        auto src = fx.open(o);
        const NamespaceReport r = scanAll(*src, 1000);
        QVERIFY(r.complete);
        QCOMPARE(r.keys_scanned, std::uint64_t(kNestedKeys.size()));
        QCOMPARE(r.max_depth, maxDepth > 0 ? std::size_t(maxDepth) : std::size_t(8));
        QCOMPARE(r.folded_keys, std::uint64_t(0));
        checkShape(r, ":");
        const ExpectMap got = countsOf(r);
        for (const auto& [prefix, want] : expected) {
            auto it = got.find(prefix);
            QVERIFY2(it != got.end(), prefix.c_str());
            QCOMPARE(it->second.keys, want.keys);
            QCOMPARE(it->second.leaf, want.leaf);
            QCOMPARE(it->second.depth, want.depth);
        }
        QCOMPARE(got.size(), expected.size());
        // Most keys first at the top: app (6), then "" and logs (3, by name), then a.
        QCOMPARE(r.nodes.front().prefix, std::string("app"));
    }

    void capsFoldIntoOther_data() {
        QTest::addColumn<std::size_t>("maxChildren");
        QTest::addColumn<std::size_t>("maxNodes");
        QTest::addColumn<std::uint64_t>("realChildren");
        // 50 keys session:<i>:state: one "session" node, then as many children as the caps
        // allow.
        QTest::newRow("children per node")
            << std::size_t(10) << std::size_t(50'000) << std::uint64_t(10);
        QTest::newRow("nodes in the tree")
            << std::size_t(1000) << std::size_t(12) << std::uint64_t(11);
        QTest::newRow("no cap reached")
            << std::size_t(1000) << std::size_t(50'000) << std::uint64_t(50);
    }

    void capsFoldIntoOther() {
        QFETCH(std::size_t, maxChildren);
        QFETCH(std::size_t, maxNodes);
        QFETCH(std::uint64_t, realChildren);
        std::vector<std::string> keys;
        for (int i = 0; i < 50; ++i) keys.push_back("session:" + std::to_string(i) + ":state");
        Server fx;
        QVERIFY2(fx.start(keys, 1), fx.error.c_str());
        OpenOptions o;
        o.namespace_max_children = maxChildren;
        o.namespace_max_nodes = maxNodes;
        auto src = fx.open(o, 1);
        const NamespaceReport r = scanAll(*src, 7);
        checkShape(r, ":");
        QCOMPARE(r.folded_keys, 50 - realChildren);
        QCOMPARE(r.nodes.front().prefix, std::string("session"));
        QCOMPARE(r.nodes.front().keys, std::uint64_t(50));
        std::uint64_t real = 0, other = 0, others = 0;
        for (const auto& n : r.nodes) {
            if (n.depth != 2) continue;
            if (n.other) {
                ++others;
                other += n.keys;
                QCOMPARE(n.name, std::string("(other)"));
            } else {
                QCOMPARE(n.keys, std::uint64_t(1));
                ++real;
            }
        }
        QCOMPARE(real, realChildren);
        QCOMPARE(other, 50 - realChildren);
        QCOMPARE(others, realChildren == 50 ? std::uint64_t(0) : std::uint64_t(1));
        if (others == 1) QCOMPARE(r.nodes.back().name, std::string("(other)"));
    }

    void highCardinalityStaysBounded() {
        // 20 000 distinct session ids as namespaces ("session:<id>:state"): the default caps
        // keep 1000 of them.
        constexpr int kKeys = 20'000;
        std::vector<std::string> keys;
        char id[40];
        for (int i = 0; i < kKeys; ++i) {
            const auto n = static_cast<unsigned>(i);
            std::snprintf(id, sizeof(id), "session:%08x-%04x:state", n * 2654435761u, n & 0xffffu);
            keys.push_back(id);
        }
        Server fx;
        QVERIFY2(fx.start(keys), fx.error.c_str());
        auto src = fx.open({});
        const NamespaceReport r = scanAll(*src, 5000);
        checkShape(r, ":");
        QCOMPARE(r.keys_scanned, std::uint64_t(kKeys));
        QCOMPARE(r.nodes.size(), std::size_t(1 + 1000 + 1));
        QCOMPARE(r.folded_keys, std::uint64_t(kKeys - 1000));
        QVERIFY(r.nodes.back().other);
        QCOMPARE(r.nodes.back().keys, std::uint64_t(kKeys - 1000));
    }

    void incrementalCallsConverge() {
        std::vector<std::string> keys = kNestedKeys;
        for (int i = 0; i < 3000; ++i) {
            keys.push_back("bulk:" + std::to_string(i % 7) + ":" + std::to_string(i));
        }
        Server fx;
        QVERIFY2(fx.start(keys), fx.error.c_str());
        auto whole = fx.open({});
        const NamespaceReport full = scanAll(*whole, 1'000'000);
        QVERIFY(full.complete);
        QCOMPARE(full.keys_scanned, std::uint64_t(keys.size()));

        auto src = fx.open({});
        ExpectMap previous;
        std::uint64_t scanned = 0;
        int calls = 0;
        Result<NamespaceReport> report = src->namespaces(100);
        for (; calls < 10'000 && report.ok(); ++calls) {
            QVERIFY(report->keys_scanned >= scanned);
            scanned = report->keys_scanned;
            checkShape(*report, ":");
            // Counts only grow from one call to the next.
            const ExpectMap now = countsOf(*report);
            for (const auto& [prefix, before] : previous) {
                QVERIFY2(now.count(prefix) == 1, prefix.c_str());
                QVERIFY(now.at(prefix).keys >= before.keys);
            }
            previous = now;
            if (report->complete) break;
            report = src->namespaces(100);
        }
        QVERIFY(report.ok() && report->complete);
        QVERIFY2(calls > 3, "the scan took several bounded steps");
        QCOMPARE(report->keys_scanned, full.keys_scanned);
        const ExpectMap a = countsOf(*report), b = countsOf(full);
        QCOMPARE(a.size(), b.size());
        for (const auto& [prefix, want] : b) {
            QVERIFY2(a.count(prefix) == 1, prefix.c_str());
            QCOMPARE(a.at(prefix).keys, want.keys);
            QCOMPARE(a.at(prefix).leaf, want.leaf);
        }
        QCOMPARE(b.at("bulk").keys, std::uint64_t(3000));
        QCOMPARE(b.at("bulk:3").keys, std::uint64_t(3000 / 7 + 1));  // i % 7 == 3
    }

    void cliPrintsTheTree() {
        Server fx;
        QVERIFY2(fx.start(kNestedKeys), fx.error.c_str());
        const std::string url = fx.server.url();
        auto json = test::runProcess(TWAT_CACHE_CLI, {"inspect", url, "--namespaces", "--json"});
        QCOMPARE(json.exitCode, 0);
        const auto j = nlohmann::json::parse(json.out);
        QCOMPARE(j["complete"].get<bool>(), true);
        QCOMPARE(j["max_depth"].get<std::size_t>(), std::size_t(8));
        const auto& app = j["namespaces"][0];
        QCOMPARE(app["name"].get<std::string>(), std::string("app"));
        QCOMPARE(app["keys"].get<std::uint64_t>(), std::uint64_t(6));
        const auto& user = app["children"][0];
        QCOMPARE(user["prefix"].get<std::string>(), std::string("app:user"));
        QCOMPARE(user["leaf_keys"].get<std::uint64_t>(), std::uint64_t(1));
        QCOMPARE(user["children"][0]["prefix"].get<std::string>(), std::string("app:user:1"));
        QCOMPARE(user["children"][0]["keys"].get<std::uint64_t>(), std::uint64_t(2));

        auto shallow = test::runProcess(TWAT_CACHE_CLI,
                                        {"inspect", url, "--namespaces", "--depth", "2", "--json"});
        QCOMPARE(shallow.exitCode, 0);
        const auto s = nlohmann::json::parse(shallow.out);
        QCOMPARE(s["max_depth"].get<std::size_t>(), std::size_t(2));
        QVERIFY(s["namespaces"][0]["children"][0]["children"].empty());

        auto text =
            test::runProcess(TWAT_CACHE_CLI, {"inspect", url, "--namespaces", "--depth", "3"});
        QCOMPARE(text.exitCode, 0);
        const QStringList lines = QString::fromStdString(text.out).split('\n');
        auto row = [&](const QString& label) {
            for (const QString& line : lines) {
                if (line.startsWith(label + ' ')) return line.simplified();
            }
            return QString();
        };
        QCOMPARE(row(QStringLiteral("app:")), QStringLiteral("app: 6 1"));
        QCOMPARE(row(QStringLiteral("  user:")), QStringLiteral("user: 4 1"));
        QCOMPARE(row(QStringLiteral("    1:")), QStringLiteral("1: 2 2"));
        QCOMPARE(row(QStringLiteral("  cache:")), QStringLiteral("cache: 1 0"));
        QCOMPARE(row(QStringLiteral("      b:")), QString());  // depth 4: beyond --depth 3
        QCOMPARE(row(QStringLiteral("(no namespace)")), QStringLiteral("(no namespace) 3 3"));
        QVERIFY(text.out.find("scanned 13 keys (complete), depth 3") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestInspectNamespaces)
#include "test_inspect_namespaces.moc"
