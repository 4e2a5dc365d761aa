// The inspection layer on a real Redis Cluster (3 masters + 3 replicas, tests/support/
// redis_cluster.h), opened by the URL of one node: listings cover every master exactly once,
// statistics sum DBSIZE and report every node, detail reads a key on another node, deletes by
// pattern, by selection and Clear All reach every master, and a slot migrated in the middle
// of a listing loses no key.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>
#include <algorithm>
#include <map>
#include <set>

#include "redis_cluster.h"
#include "redis_cluster_data.h"
#include "redis_commands.h"
#include "twat_cache/analysis.h"
#include "twat_cache/inspect.h"

using namespace twat_cache;
using twat_cache::test::RedisCluster;

namespace {

constexpr int kKeys = 3000;

std::vector<std::pair<std::string, std::string>> numberedKeys(const std::string& prefix, int n) {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (int i = 0; i < n; ++i)
        pairs.emplace_back(prefix + std::to_string(i), "v" + std::to_string(i));
    return pairs;
}

}  // namespace

class TestInspectRedisCluster : public QObject {
    Q_OBJECT

    std::unique_ptr<RedisCluster> m_cluster;
    std::vector<int> m_masters;  // by first slot

    std::unique_ptr<Source> open(bool readOnly = false) {
        auto info = Discovery::identifyUrl(m_cluster->seedUrl(0));
        if (!info.ok()) qFatal("identifyUrl: %s", info.status().toString().c_str());
        OpenOptions o;
        o.read_only = readOnly;
        auto src = Discovery::open(*info, o);
        if (!src.ok()) qFatal("open: %s", src.status().toString().c_str());
        return std::move(*src);
    }

    // Every key of a listing in pages of `pageSize`; `between` runs after each page.
    std::vector<std::string> listAll(Source& src, std::size_t pageSize,
                                     const std::function<void(const EntryPage&)>& between = {}) {
        std::vector<std::string> keys;
        std::string cursor;
        EntryFilter filter;
        filter.time_budget = std::chrono::milliseconds(0);
        for (int guard = 0; guard < 10'000; ++guard) {
            auto page = src.entries(cursor, pageSize, filter);
            if (!page.ok()) qFatal("entries: %s", page.status().toString().c_str());
            for (const auto& e : page->entries) keys.push_back(e.key_text);
            if (between) between(*page);
            cursor = page->cursor;
            if (cursor.empty()) break;
        }
        return keys;
    }

    std::uint64_t keysOnMasters() {
        std::uint64_t n = 0;
        for (const int port : m_masters) n += test::nodeKeys(port).size();
        return n;
    }

  private slots:
    void initTestCase() {
        if (!RedisCluster::available()) QSKIP(RedisCluster::skipReason().c_str());
        m_cluster = std::make_unique<RedisCluster>();
        const std::string error = m_cluster->start();
        QVERIFY2(error.empty(), error.c_str());
        m_masters = test::clusterMasterPorts(*m_cluster);
        QCOMPARE(m_masters.size(), std::size_t{3});
    }

    void init() {
        for (const int port : m_masters) m_cluster->command(port, {"FLUSHALL"});
        QCOMPARE(keysOnMasters(), std::uint64_t{0});
    }

    // Keys over every slot range, listed in small pages: each exactly once, with per-master
    // progress that ends done on all three.
    void listsEveryKeyOnceOverAllMasters() {
        const std::string seeded = test::seedClusterKeys(*m_cluster, numberedKeys("k:", kKeys));
        QVERIFY2(seeded.empty(), seeded.c_str());
        for (const int port : m_masters) QVERIFY(test::nodeKeys(port).size() > 500);
        auto src = open(true);
        std::vector<NodeScan> last;
        std::uint64_t total = 0;
        const auto keys = listAll(*src, 97, [&](const EntryPage& page) {
            last = page.nodes;
            total = page.total.value_or(0);
        });
        QCOMPARE(keys.size(), std::size_t{kKeys});
        QCOMPARE(std::set<std::string>(keys.begin(), keys.end()).size(), std::size_t{kKeys});
        QCOMPARE(total, std::uint64_t{kKeys});
        QCOMPARE(last.size(), std::size_t{3});
        std::uint64_t scanned = 0;
        for (std::size_t i = 0; i < last.size(); ++i) {
            QCOMPARE(last[i].address, "127.0.0.1:" + std::to_string(m_masters[i]));
            QVERIFY(last[i].done);
            scanned += last[i].scanned;
        }
        QCOMPARE(scanned, std::uint64_t{kKeys});
        // A filtered listing (SCAN MATCH on every master).
        EntryFilter filter;
        filter.glob = "k:1??";
        filter.time_budget = std::chrono::milliseconds(0);
        std::set<std::string> matched;
        std::string cursor;
        std::vector<NodeScan> filtered;
        do {
            auto page = src->entries(cursor, 1000, filter);
            QVERIFY2(page.ok(), page.status().toString().c_str());
            for (const auto& e : page->entries) matched.insert(e.key_text);
            cursor = page->cursor;
            filtered = page->nodes;
        } while (!cursor.empty());
        QCOMPARE(matched.size(), std::size_t{100});
        // A finished filtered walk examined every key of each master, not just its matches.
        std::uint64_t examined = 0;
        for (const NodeScan& n : filtered) {
            QVERIFY(n.done);
            examined += n.scanned;
        }
        QCOMPARE(examined, std::uint64_t{kKeys});
        // The namespace tree counts the keys of every master.
        auto ns = src->namespaces(1'000'000);
        QVERIFY2(ns.ok(), ns.status().toString().c_str());
        QVERIFY(ns->complete);
        QCOMPARE(ns->keys_scanned, std::uint64_t{kKeys});
    }

    // A type filter on a cluster (SCAN … TYPE on every master): exactly the keys of that type,
    // wherever they live.
    void typeFilterOverAllMasters() {
        const std::string seeded = test::seedClusterKeys(*m_cluster, numberedKeys("t:s:", 600));
        QVERIFY2(seeded.empty(), seeded.c_str());
        std::set<std::string> hashes;
        for (int i = 0; i < 300; ++i) {
            const std::string key = "t:h:" + std::to_string(i);
            for (const int port : m_masters) {  // the master of its slot takes it
                test::RawRedis raw(port);
                if (raw.run({"HSET", key, "f", "v"}) == "1") hashes.insert(key);
            }
        }
        QCOMPARE(hashes.size(), std::size_t{300});
        auto src = open(true);
        EntryFilter filter;
        filter.type = "hash";
        filter.time_budget = std::chrono::milliseconds(0);
        std::set<std::string> listed;
        std::string cursor;
        do {
            auto page = src->entries(cursor, 41, filter);
            QVERIFY2(page.ok(), page.status().toString().c_str());
            QCOMPARE(page->note, std::string());  // the servers filter (Redis 6.0+)
            for (const auto& e : page->entries) {
                QCOMPARE(e.type, std::string("hash"));
                QVERIFY(!e.encoding.empty());
                listed.insert(e.key_text);
            }
            cursor = page->cursor;
        } while (!cursor.empty());
        QCOMPARE(listed, hashes);
    }

    // stats(): entries is the sum of DBSIZE over the masters; every node is listed with its
    // role, slots and counts.
    void statsSumDbsizeAndListEveryNode() {
        const std::string seeded = test::seedClusterKeys(*m_cluster, numberedKeys("s:", 1000));
        QVERIFY2(seeded.empty(), seeded.c_str());
        auto src = open(true);
        auto st = src->stats();
        QVERIFY2(st.ok(), st.status().toString().c_str());
        QCOMPARE(st->entries.value_or(0), keysOnMasters());
        QCOMPARE(st->entries.value_or(0), std::uint64_t{1000});
        QVERIFY(st->bytes.has_value() && st->hits.has_value() && st->misses.has_value());
        QCOMPARE(st->nodes.size(), std::size_t{6});
        std::uint32_t slotTotal = 0;
        std::uint64_t keys = 0, hits = 0;
        std::size_t masters = 0;
        for (const NodeStats& n : st->nodes) {
            QVERIFY2(n.error.empty(), n.error.c_str());
            QVERIFY(n.keys && n.memory_bytes && n.hits && n.misses);
            if (n.role == "master") {
                QCOMPARE(n.address, "127.0.0.1:" + std::to_string(m_masters[masters]));
                QVERIFY(n.master.empty());
                QVERIFY(!n.slot_ranges.empty());
                slotTotal += n.slot_count;
                keys += *n.keys;
                hits += *n.hits;
                ++masters;
            } else {
                QCOMPARE(n.role, std::string("replica"));
                QVERIFY(!n.master.empty());
                QVERIFY(n.slot_ranges.empty());
            }
        }
        QCOMPARE(masters, std::size_t{3});
        QCOMPARE(slotTotal, std::uint32_t{16384});
        QCOMPARE(keys, std::uint64_t{1000});
        QCOMPARE(*st->hits, hits);
        QCOMPARE(st->nodes.front().slot_ranges, std::string("0-5460"));
        QVERIFY2(src->info().note.find("cluster of 3 masters") != std::string::npos,
                 src->info().note.c_str());
        QVERIFY2(st->note.find("own reads") != std::string::npos, st->note.c_str());
    }

    // analyze(): the census covers every master and gives each one's keys and bytes, which add
    // up to the totals; each master's keys are its DBSIZE. `analyze --json` lists them.
    void analysisTotalsPerMaster() {
        const std::string seeded = test::seedClusterKeys(*m_cluster, numberedKeys("a:", 2000));
        QVERIFY2(seeded.empty(), seeded.c_str());
        auto src = open(true);
        AnalysisOptions options;
        options.budget = std::chrono::microseconds{0};
        options.page_limit = 150;
        auto report = analyze(*src, options);
        QVERIFY2(report.ok(), report.status().toString().c_str());
        QVERIFY(report->complete);
        QCOMPARE(report->keys, std::uint64_t{2000});
        QCOMPARE(report->nodes.size(), std::size_t{3});
        std::uint64_t keys = 0, bytes = 0;
        for (const AnalysisNode& n : report->nodes) {
            const auto master = std::find_if(m_masters.begin(), m_masters.end(), [&](int port) {
                return n.address == "127.0.0.1:" + std::to_string(port);
            });
            QVERIFY2(master != m_masters.end(), n.address.c_str());
            const auto dbsize = m_cluster->command(*master, {"DBSIZE"});
            QCOMPARE(QString::number(n.count.keys), QString::fromStdString(dbsize).trimmed());
            QVERIFY(n.count.keys > 500 && n.count.bytes > 0);
            keys += n.count.keys;
            bytes += n.count.bytes;
        }
        QCOMPARE(keys, report->keys);
        QCOMPARE(bytes, report->bytes);
        const auto document = QJsonDocument::fromJson(
            QByteArray::fromStdString(analysisJson(*report, "cluster", options.budget)));
        const QJsonArray nodes = document.object().value("nodes").toArray();
        QCOMPARE(nodes.size(), 3);
        QCOMPARE(nodes.at(0).toObject().value("address").toString().toStdString(),
                 report->nodes.front().address);
        QCOMPARE(nodes.at(0).toObject().value("keys").toInteger(),
                 static_cast<qint64>(report->nodes.front().count.keys));
    }

    // detail() of keys served by other masters than the one the URL names.
    void detailOfKeysOnOtherNodes() {
        const std::string seeded = test::seedClusterKeys(*m_cluster, numberedKeys("d:", 300));
        QVERIFY2(seeded.empty(), seeded.c_str());
        auto src = open(true);
        const std::string seedPort = std::to_string(m_cluster->ports()[0]);
        int elsewhere = 0;
        for (const int port : m_masters) {
            if (std::to_string(port) == seedPort) continue;
            const std::string key = test::nodeKeys(port, "d:*").front();
            auto d = src->detail(key);
            QVERIFY2(d.ok(), (key + ": " + d.status().toString()).c_str());
            QCOMPARE(d->summary.type, std::string("string"));
            QCOMPARE(d->value_bytes, "v" + key.substr(2));
            ++elsewhere;
        }
        QCOMPARE(elsewhere, 2);
        QCOMPARE(src->detail("d:nosuch").status().code(), StatusCode::kNotFound);
    }

    // Value pages of keys held by other masters than the one the source connected to: each
    // command goes to the master of the key's slot (a wrong node would answer MOVED).
    void valuePagesOfKeysOnOtherNodes() {
        const std::string seeded = test::seedClusterKeys(*m_cluster, numberedKeys("p:", 300));
        QVERIFY2(seeded.empty(), seeded.c_str());
        auto src = open(true);
        int checked = 0;
        for (const int port : m_masters) {
            // A hash and a list in the slot of a key this master holds (hash tags).
            const std::string tag = "{" + test::nodeKeys(port, "p:*").front() + "}";
            QStringList hset = {"HSET", QString::fromStdString(tag + ":h")};
            QStringList rpush = {"RPUSH", QString::fromStdString(tag + ":l")};
            for (int i = 0; i < 2500; ++i) {
                hset << QStringLiteral("f%1").arg(i) << QStringLiteral("v%1").arg(i);
                rpush << QStringLiteral("e%1").arg(i);
            }
            QCOMPARE(m_cluster->command(port, hset), std::string("2500\n"));
            QCOMPARE(m_cluster->command(port, rpush), std::string("2500\n"));
            ValueQuery q;
            q.limit = 300;
            std::set<std::string> fields;
            for (int guard = 0; guard < 100; ++guard) {
                auto page = src->valuePage(tag + ":h", q);
                QVERIFY2(page.ok(), page.status().toString().c_str());
                QVERIFY(page->rows.size() <= q.limit);
                for (const auto& r : page->rows) fields.insert(r.name.bytes);
                if (page->complete()) break;
                q.cursor = page->cursor;
            }
            QCOMPARE(fields.size(), std::size_t{2500});
            q = {};
            q.cursor = "2400";
            auto list = src->valuePage(tag + ":l", q);
            QVERIFY2(list.ok(), list.status().toString().c_str());
            QCOMPARE(list->rows.size(), std::size_t{100});
            QCOMPARE(list->rows.front().value.bytes, std::string("e2400"));
            QCOMPARE(list->total.value_or(0), std::uint64_t{2500});
            ++checked;
        }
        QCOMPARE(checked, 3);
    }

    // clear --match: only the matching keys go, on every master; keys of many slots in one
    // plan (UNLINK grouped by slot, never CROSSSLOT).
    void clearMatchDeletesOnEveryNode() {
        std::string seeded = test::seedClusterKeys(*m_cluster, numberedKeys("del:", 1500));
        QVERIFY2(seeded.empty(), seeded.c_str());
        seeded = test::seedClusterKeys(*m_cluster, numberedKeys("keep:", 500));
        QVERIFY2(seeded.empty(), seeded.c_str());
        std::map<int, std::size_t> keptBefore;
        for (const int port : m_masters) {
            QVERIFY(!test::nodeKeys(port, "del:*").empty());
            keptBefore[port] = test::nodeKeys(port, "keep:*").size();
        }
        auto src = open();
        PlanRequest req;
        req.action = PlanRequest::Action::kMatchGlob;
        req.glob = "del:*";
        auto plan = src->plan(req);
        QVERIFY2(plan.ok(), plan.status().toString().c_str());
        QCOMPARE((*plan)->preview().count, std::uint64_t{1500});
        auto done = (*plan)->execute();
        QVERIFY2(done.ok(), done.status().toString().c_str());
        QCOMPARE(done->deleted, std::uint64_t{1500});
        for (const int port : m_masters) {
            QVERIFY(test::nodeKeys(port, "del:*").empty());
            QCOMPARE(test::nodeKeys(port, "keep:*").size(), keptBefore[port]);
        }
        // Selected entries on several nodes, checked by the fingerprint script per slot.
        req = PlanRequest{};
        req.action = PlanRequest::Action::kDeleteEntries;
        for (int i = 0; i < 40; ++i) req.entry_ids.push_back("keep:" + std::to_string(i));
        plan = src->plan(req);
        QVERIFY2(plan.ok(), plan.status().toString().c_str());
        QCOMPARE((*plan)->preview().count, std::uint64_t{40});
        done = (*plan)->execute();
        QVERIFY2(done.ok(), done.status().toString().c_str());
        QCOMPARE(done->deleted, std::uint64_t{40});
        QCOMPARE(done->changed, std::uint64_t{0});
        QCOMPARE(keysOnMasters(), std::uint64_t{460});
    }

    // Clear All: refused unconfirmed; confirmed, it empties every master.
    void clearAllEmptiesEveryMaster() {
        const std::string seeded = test::seedClusterKeys(*m_cluster, numberedKeys("all:", 2000));
        QVERIFY2(seeded.empty(), seeded.c_str());
        auto src = open();
        PlanRequest req;
        req.action = PlanRequest::Action::kClearAll;
        auto plan = src->plan(req);
        QVERIFY2(plan.ok(), plan.status().toString().c_str());
        QCOMPARE((*plan)->preview().count, std::uint64_t{2000});
        QVERIFY((*plan)->preview().needs_confirmation);
        QCOMPARE((*plan)->execute().status().code(), StatusCode::kPermissionDenied);
        QCOMPARE(keysOnMasters(), std::uint64_t{2000});
        req.confirmed = true;
        plan = src->plan(req);
        QVERIFY2(plan.ok(), plan.status().toString().c_str());
        QVERIFY2((*plan)->preview().note.find("3 masters") != std::string::npos,
                 (*plan)->preview().note.c_str());
        auto done = (*plan)->execute();
        QVERIFY2(done.ok(), done.status().toString().c_str());
        QCOMPARE(done->deleted, std::uint64_t{2000});
        for (const int port : m_masters) QVERIFY(test::nodeKeys(port).empty());
    }

    // A slot moves from the last master (not scanned yet) to the first (already scanned) in
    // the middle of a listing: every key is still listed.
    void slotMigratedDuringAListingLosesNoKey() {
        std::string seeded = test::seedClusterKeys(*m_cluster, numberedKeys("m:", kKeys));
        QVERIFY2(seeded.empty(), seeded.c_str());
        // 200 keys of one slot served by the last master.
        std::string tag;
        for (int i = 0; tag.empty() && i < 100; ++i) {
            const std::string t = "t" + std::to_string(i);
            if (m_cluster->masterPortForSlot(m_cluster->keySlot(t)) == m_masters.back()) tag = t;
        }
        QVERIFY(!tag.empty());
        const int slot = m_cluster->keySlot(tag);
        seeded = test::seedClusterKeys(*m_cluster, numberedKeys("mig{" + tag + "}:", 200));
        QVERIFY2(seeded.empty(), seeded.c_str());
        auto src = open(true);
        bool migrated = false;
        const auto keys = listAll(*src, 100, [&](const EntryPage& page) {
            if (migrated || page.nodes.empty() || !page.nodes.front().done) return;
            migrated = true;
            std::size_t moved = 0;
            std::string e = m_cluster->beginMigration(slot, m_masters.front());
            if (e.empty()) e = m_cluster->migrateKeys(slot, 1000, &moved);
            if (e.empty()) e = m_cluster->finishMigration(slot);
            if (!e.empty()) qFatal("migration: %s", e.c_str());
            if (moved < 200) qFatal("moved %zu keys", moved);
        });
        QVERIFY(migrated);
        QCOMPARE(test::nodeKeys(m_masters.front(), "mig{*").size(), std::size_t{200});
        const std::set<std::string> seen(keys.begin(), keys.end());
        QCOMPARE(seen.size(), std::size_t{kKeys + 200});  // repeats allowed, no key missing
        // Give the slot back for the tests after this one.
        std::size_t moved = 0;
        std::string e = m_cluster->beginMigration(slot, m_masters.back());
        if (e.empty()) e = m_cluster->migrateKeys(slot, 1000, &moved);
        if (e.empty()) e = m_cluster->finishMigration(slot);
        QVERIFY2(e.empty(), e.c_str());
    }

    // A replica that does not answer gets an error of its own; the masters still report and
    // the totals (over the masters) stay known. Last: it kills a node.
    void statsReportANodeThatDoesNotAnswer() {
        std::vector<int> replicas;
        for (const int port : m_cluster->ports()) {
            if (std::find(m_masters.begin(), m_masters.end(), port) == m_masters.end()) {
                replicas.push_back(port);
            }
        }
        QCOMPARE(replicas.size(), std::size_t{3});
        m_cluster->killNode(replicas.front());
        auto src = open(true);
        auto st = src->stats();
        QVERIFY2(st.ok(), st.status().toString().c_str());
        QCOMPARE(st->nodes.size(), std::size_t{6});
        std::size_t failed = 0;
        for (const NodeStats& n : st->nodes) {
            if (n.address == "127.0.0.1:" + std::to_string(replicas.front())) {
                QVERIFY(!n.error.empty());
                QVERIFY(!n.keys.has_value());
                ++failed;
            } else {
                QVERIFY2(n.error.empty(), n.error.c_str());
                QVERIFY(n.keys.has_value());
            }
        }
        QCOMPARE(failed, std::size_t{1});
        QVERIFY(st->entries.has_value() && st->hits.has_value());
    }

    // A database other than 0 on a cluster is a clear error.
    void otherDatabaseIsRefused() {
        auto info = Discovery::identifyUrl(m_cluster->seedUrl(0) + "/2");
        QVERIFY2(info.ok(), info.status().toString().c_str());
        auto src = Discovery::open(*info, OpenOptions{});
        QCOMPARE(src.status().code(), StatusCode::kInvalidArgument);
        QVERIFY2(src.status().message().find("only database 0") != std::string::npos,
                 src.status().message().c_str());
    }
};

QTEST_GUILESS_MAIN(TestInspectRedisCluster)
#include "test_inspect_redis_cluster.moc"
