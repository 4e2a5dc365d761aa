// The Redis Cluster fixture (tests/support/redis_cluster.h), proved against real redis-server
// processes before the cluster client relies on it: the cluster starts with every slot
// covered by its masters, a SIGKILLed master is failed over by its replica within 15 s and
// rejoins when restarted, a slot migrates in steps with its keys, and a cluster on TLS only
// starts and answers.
#include <QElapsedTimer>
#include <QtTest>
#include <algorithm>
#include <set>

#include "redis_cluster.h"
#include "tls_certificates.h"

using namespace std::chrono_literals;
using twat_cache::test::RedisCluster;

namespace {

// Slots served by masters, each counted once; -1 if two masters claim the same slot.
int coveredSlots(const std::vector<RedisCluster::Node>& nodes) {
    std::vector<bool> seen(RedisCluster::kSlots, false);
    int covered = 0;
    for (const RedisCluster::Node& node : nodes) {
        for (const auto& [first, last] : node.slot_ranges) {
            for (int s = first; s <= last; ++s) {
                if (seen[static_cast<std::size_t>(s)]) return -1;
                seen[static_cast<std::size_t>(s)] = true;
                ++covered;
            }
        }
    }
    return covered;
}

// The slots the node on `port` serves, ascending.
std::vector<int> slotsOf(const std::vector<RedisCluster::Node>& nodes, int port) {
    std::vector<int> owned;
    for (const RedisCluster::Node& node : nodes) {
        if (node.port != port) continue;
        for (const auto& [first, last] : node.slot_ranges) {
            for (int s = first; s <= last; ++s) owned.push_back(s);
        }
    }
    std::sort(owned.begin(), owned.end());
    return owned;
}

const RedisCluster::Node* nodeOn(const std::vector<RedisCluster::Node>& nodes, int port) {
    for (const RedisCluster::Node& node : nodes) {
        if (node.port == port) return &node;
    }
    return nullptr;
}

}  // namespace

class TestRedisClusterFixture : public QObject {
    Q_OBJECT

  private slots:
    void init() {
        if (!RedisCluster::available()) QSKIP(RedisCluster::skipReason().c_str());
    }

    void startsWithEverySlotCovered_data() {
        QTest::addColumn<QString>("password");
        QTest::newRow("no password") << QString();
        QTest::newRow("password") << QString("s3cret:/@");  // needs %-escapes in URLs
    }
    void startsWithEverySlotCovered() {
        QFETCH(QString, password);
        QElapsedTimer timer;
        timer.start();
        RedisCluster cluster({.password = password.toStdString()});
        const std::string error = cluster.start();
        QVERIFY2(error.empty(), error.c_str());
        qInfo("cluster of 6 started and settled in %lld ms", timer.elapsed());

        const std::vector<RedisCluster::Node> nodes = cluster.nodes();
        QCOMPARE(nodes.size(), std::size_t{6});
        QCOMPARE(coveredSlots(nodes), RedisCluster::kSlots);
        std::set<std::string> masterIds;
        for (const auto& node : nodes) {
            QVERIFY(!node.failed);
            if (node.master) masterIds.insert(node.id);
        }
        QCOMPARE(masterIds.size(), std::size_t{3});
        for (const auto& node : nodes) {  // one replica per master
            if (!node.master) QVERIFY(masterIds.count(node.master_id) == 1);
            if (!node.master) masterIds.erase(node.master_id);
        }
        QVERIFY(masterIds.empty());

        const std::vector<int> ports = cluster.ports();
        for (const int slot : {0, 5000, RedisCluster::kSlots - 1}) {
            const int port = cluster.masterPortForSlot(slot);
            const RedisCluster::Node* owner = nodeOn(nodes, port);
            QVERIFY2(owner != nullptr && owner->master, std::to_string(slot).c_str());
        }
        for (const int port : ports) QCOMPARE(cluster.command(port, {"PING"}), "PONG\n");
        QCOMPARE(cluster.command(ports[0], {"-c", "SET", "greeting", "hello"}), "OK\n");
        QCOMPARE(cluster.command(ports[5], {"-c", "GET", "greeting"}), "hello\n");

        const std::string auth = password.isEmpty() ? "" : ":s3cret%3A%2F%40@";
        QCOMPARE(cluster.seedUrl(1), "redis://" + auth + "127.0.0.1:" + std::to_string(ports[1]));
        std::string list = "redis://" + auth;
        for (std::size_t i = 0; i < ports.size(); ++i) {
            list += (i == 0 ? "127.0.0.1:" : ",127.0.0.1:") + std::to_string(ports[i]);
        }
        QCOMPARE(cluster.seedListUrl(), list);
    }

    // A killed master's replica takes its slots (automatic failover, no CLUSTER FAILOVER), and
    // the restarted master rejoins as a replica of the new one.
    void failsOverAKilledMaster() {
        RedisCluster cluster({.password = "pw"});
        const std::string error = cluster.start();
        QVERIFY2(error.empty(), error.c_str());
        const int slot = cluster.keySlot("survivor");
        const int oldMaster = cluster.masterPortForSlot(slot);
        QVERIFY(oldMaster > 0);
        QCOMPARE(cluster.command(oldMaster, {"SET", "survivor", "1"}), "OK\n");
        QCOMPARE(cluster.command(oldMaster, {"WAIT", "1", "5000"}), "1\n");  // on the replica

        QElapsedTimer timer;
        timer.start();
        cluster.killNode(oldMaster);
        const std::string failover = cluster.waitForFailover(oldMaster, 15s);
        QVERIFY2(failover.empty(), failover.c_str());
        qInfo("failover took %lld ms (cluster-node-timeout 1000 ms)", timer.elapsed());
        const int newMaster = cluster.masterPortForSlot(slot);
        QVERIFY(newMaster > 0 && newMaster != oldMaster);
        QCOMPARE(cluster.command(newMaster, {"GET", "survivor"}), "1\n");
        QCOMPARE(coveredSlots(cluster.nodes()), RedisCluster::kSlots);

        timer.restart();
        const std::string restarted = cluster.restartNode(oldMaster);
        QVERIFY2(restarted.empty(), restarted.c_str());
        qInfo("the old master rejoined in %lld ms", timer.elapsed());
        const std::vector<RedisCluster::Node> nodes = cluster.nodes();
        const RedisCluster::Node* rejoined = nodeOn(nodes, oldMaster);
        QVERIFY(rejoined != nullptr && !rejoined->master && !rejoined->failed);
        QCOMPARE(rejoined->master_id, nodeOn(nodes, newMaster)->id);
        QCOMPARE(cluster.masterPortForSlot(slot), newMaster);
    }

    // One slot with five keys moves in steps; in the middle the keys are split between the
    // two masters and each is still readable (redis-cli -c follows ASK); then a reshard moves
    // whole slots.
    void migratesASlotWithItsKeys() {
        RedisCluster cluster;
        const std::string error = cluster.start();
        QVERIFY2(error.empty(), error.c_str());
        const int slot = cluster.keySlot("{moving}");
        const int from = cluster.masterPortForSlot(slot);
        int to = -1;
        for (const auto& node : cluster.nodes()) {
            if (node.master && node.port != from) to = node.port;
        }
        QVERIFY(from > 0 && to > 0);
        // Binary-safe: a key with a newline, a quote and a comma moves like the others.
        const QStringList keys{"{moving}a", "{moving}b", "{moving}c", "{moving}d",
                               "{moving}new\nline \"quoted\", too"};
        for (const QString& key : keys) {
            QCOMPARE(cluster.command(from, {"-c", "SET", key, "v-" + key}), "OK\n");
        }
        const QStringList count{"CLUSTER", "COUNTKEYSINSLOT", QString::number(slot)};

        QElapsedTimer timer;
        timer.start();
        std::string step = cluster.beginMigration(slot, to);
        QVERIFY2(step.empty(), step.c_str());
        std::size_t moved = 0;
        step = cluster.migrateKeys(slot, 2, &moved);
        QVERIFY2(step.empty(), step.c_str());
        QCOMPARE(moved, std::size_t{2});
        QCOMPARE(cluster.command(from, count), "3\n");
        QCOMPARE(cluster.command(to, count), "2\n");
        for (const QString& key : keys) {  // ASK for the moved ones
            QCOMPARE(cluster.command(from, {"-c", "GET", key}), ("v-" + key + "\n").toStdString());
        }
        step = cluster.migrateKeys(slot, 100, &moved);
        QVERIFY2(step.empty(), step.c_str());
        QCOMPARE(moved, std::size_t{3});
        step = cluster.finishMigration(slot);
        QVERIFY2(step.empty(), step.c_str());
        qInfo("one slot with %lld keys migrated in %lld ms", static_cast<long long>(keys.size()),
              timer.elapsed());
        QCOMPARE(cluster.masterPortForSlot(slot), to);
        QCOMPARE(cluster.command(from, count), "0\n");
        QCOMPARE(cluster.command(to, count), "5\n");
        for (const QString& key : keys) {
            QCOMPARE(cluster.command(from, {"-c", "GET", key}), ("v-" + key + "\n").toStdString());
        }

        const std::vector<int> before = slotsOf(cluster.nodes(), to);
        timer.restart();
        step = cluster.reshard(to, from, 20);
        QVERIFY2(step.empty(), step.c_str());
        qInfo("20 slots resharded in %lld ms", timer.elapsed());
        const std::vector<RedisCluster::Node> after = cluster.nodes();
        QCOMPARE(coveredSlots(after), RedisCluster::kSlots);
        QCOMPARE(slotsOf(after, to), std::vector<int>(before.begin(), before.end() - 20));
        const std::vector<int> gained = slotsOf(after, from);
        for (auto s = before.end() - 20; s != before.end(); ++s) {  // the highest 20
            QVERIFY(std::binary_search(gained.begin(), gained.end(), *s));
        }
        for (const QString& key : keys) {
            QCOMPARE(cluster.command(to, {"-c", "GET", key}), ("v-" + key + "\n").toStdString());
        }
    }

    // TLS only: client port, bus and replication; the nodes announce their TLS ports.
    void startsAndAnswersOnTls() {
        twat_cache::test::TempDir tmp;
        const std::filesystem::path pki = tmp.path() / "pki";
        const std::string made = twat_cache::test::makeTestCertificates(pki);
        QVERIFY2(made.empty(), made.c_str());
        QElapsedTimer timer;
        timer.start();
        RedisCluster cluster({.password = "pw",
                              .tls_cert = (pki / "server.pem").string(),
                              .tls_key = (pki / "server.key").string(),
                              .tls_ca = (pki / "ca.pem").string(),
                              .tls_client_cert = (pki / "client.pem").string(),
                              .tls_client_key = (pki / "client.key").string()});
        const std::string error = cluster.start();
        QVERIFY2(error.empty(), error.c_str());
        qInfo("TLS cluster started and settled in %lld ms", timer.elapsed());

        const std::vector<int> ports = cluster.ports();
        const std::vector<RedisCluster::Node> nodes = cluster.nodes();
        QCOMPARE(nodes.size(), ports.size());
        for (const int port : ports) QVERIFY(nodeOn(nodes, port) != nullptr);  // TLS ports
        QCOMPARE(coveredSlots(nodes), RedisCluster::kSlots);
        QCOMPARE(cluster.command(ports[0], {"-c", "SET", "secure", "yes"}), "OK\n");
        QCOMPARE(cluster.command(ports[4], {"-c", "GET", "secure"}), "yes\n");
        QVERIFY(cluster.seedUrl().starts_with("rediss://:pw@127.0.0.1:"));
        QVERIFY(cluster.seedUrl().ends_with("?ca=" + twat_cache::test::queryPath(pki / "ca.pem")));
    }
};

QTEST_GUILESS_MAIN(TestRedisClusterFixture)
#include "test_redis_cluster_fixture.moc"
