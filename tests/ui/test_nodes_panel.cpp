// The Nodes panel of a Redis Cluster: its model (masters with their replicas under them, the
// app's number and size wording, "ok" or the node's error, the listing's progress per master),
// the dock that shows only for clusters and remembers that the user closed it, and the whole
// window against real servers: hidden for a single redis-server; for a real cluster (3 masters,
// 3 replicas) every node with its figures, refreshed with each statistics sample, the scan
// status of each master while the entries are listed, and a killed replica's row saying why.
#include <QAbstractItemModelTester>
#include <QDockWidget>
#include <QSignalSpy>
#include <QTabBar>
#include <QTreeView>
#include <QtTest>
#include <numeric>

#include "models/entries_model.h"
#include "models/nodes_model.h"
#include "redis_cluster.h"
#include "redis_server.h"
#include "ui_fixtures.h"
#include "views/main_window.h"
#include "views/nodes_panel.h"
#include "views/optional_dock.h"
#include "views/stats_panel.h"
#include "workers/display_text.h"

using namespace twat_cache::ui;
using twat_cache::test::RedisCluster;
using twat_cache::test::RedisServer;
using twat_cache::test::TempDir;

namespace {

NodeStats master(const QString& address, const QString& ranges, quint32 slotCount, quint64 keys) {
    NodeStats n;
    n.address = address;
    n.master = true;
    n.slotRanges = ranges;
    n.slotCount = slotCount;
    n.keys = keys;
    n.memoryBytes = 1536 * 1024;
    n.hits = 10;
    n.misses = 2;
    return n;
}

NodeStats replica(const QString& address, const QString& of, quint64 keys) {
    NodeStats n = master(address, {}, 0, keys);
    n.master = false;
    n.masterAddress = of;
    return n;
}

// Three masters (in the core's order) and their replicas (listed after all masters here, the
// way CLUSTER NODES may give them), one replica without its master listed.
QList<NodeStats> sixNodes() {
    return {master("10.0.0.1:7000", "0-5460", 5461, 100),
            master("10.0.0.2:7001", "5461-10922", 5462, 101),
            master("10.0.0.3:7002", "10923-16383", 5461, 99),
            replica("10.0.0.4:7003", "10.0.0.2:7001", 101),
            replica("10.0.0.5:7004", "10.0.0.1:7000", 100),
            replica("10.0.0.6:7005", "10.0.0.9:7009", 0)};
}

QString cell(const NodesModel& model, int row, int column, const QModelIndex& parent = {}) {
    return model.index(row, column, parent).data().toString();
}

// The title of the dock in front in `window`'s tabbed dock group ("" when there is none).
QString frontTab(const QMainWindow& window) {
    for (const QTabBar* bar : window.findChildren<QTabBar*>()) {
        if (bar->isVisible() && bar->count() > 1) return bar->tabText(bar->currentIndex());
    }
    return {};
}

QDockWidget* nodesDock(MainWindow& window) {
    return window.findChild<QDockWidget*>(QStringLiteral("nodesDock"));
}

// Opens `url` in `window` and waits for the first page of entries.
bool openRedis(MainWindow& window, const QString& url) {
    SourceRef ref;
    ref.kind = SourceKind::kRedis;
    ref.location = url;
    ref.name = QStringLiteral("test redis");
    QSignalSpy loaded(window.entriesModel(), &EntriesModel::pageLoaded);
    window.addSource(ref);
    window.entriesModel()->fetchMore({});
    return loaded.wait(15000) && window.entriesModel()->lastError().isEmpty();
}

// Loads every page of the current listing (bounded).
void loadAll(MainWindow& window) {
    EntriesModel* model = window.entriesModel();
    for (int round = 0; round < 200 && !model->isComplete(); ++round) {
        QSignalSpy loaded(model, &EntriesModel::pageLoaded);
        model->fetchMore({});
        if (!model->isLoading() && model->isComplete()) break;
        if (!loaded.wait(15000)) return;
    }
}

}  // namespace

class TestNodesPanel : public QObject {
    Q_OBJECT

  private:
    TempDir m_settingsDir;

  private slots:
    void initTestCase() {
        QVERIFY(m_settingsDir.ok());
        twat_cache::test::isolateSettings(m_settingsDir.path());
        qputenv("TWAT_CACHE_DIR", QByteArray::fromStdString(m_settingsDir.path().string()));
    }

    void init() { QSettings().clear(); }

    void mastersCarryTheirReplicas() {
        NodesModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setNodes(sixNodes());
        // Three masters, then the replica whose master is not listed.
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(cell(model, 0, NodesModel::kNode), QStringLiteral("10.0.0.1:7000"));
        QCOMPARE(cell(model, 3, NodesModel::kNode), QStringLiteral("10.0.0.6:7005"));
        QCOMPARE(cell(model, 3, NodesModel::kRole), QStringLiteral("replica"));
        const QModelIndex first = model.index(0, 0);
        QCOMPARE(model.rowCount(first), 1);
        QCOMPARE(cell(model, 0, NodesModel::kNode, first), QStringLiteral("10.0.0.5:7004"));
        QCOMPARE(model.rowCount(model.index(1, 0)), 1);
        QCOMPARE(cell(model, 0, NodesModel::kNode, model.index(1, 0)),
                 QStringLiteral("10.0.0.4:7003"));
        QCOMPARE(model.rowCount(model.index(2, 0)), 0);
        QCOMPARE(model.masterCount(), 3);
        QCOMPARE(model.replicaCount(), 3);
        // The app's wording of numbers and sizes.
        QCOMPARE(cell(model, 0, NodesModel::kSlots),
                 QStringLiteral("0-5460 (%1)").arg(numberText(5461)));
        QCOMPARE(cell(model, 0, NodesModel::kMemory), bytesText(1536 * 1024));
        QCOMPARE(cell(model, 0, NodesModel::kKeys), numberText(100));
        QCOMPARE(cell(model, 0, NodesModel::kStatus), QStringLiteral("ok"));
        QVERIFY(cell(model, 0, NodesModel::kSlots, first).isEmpty());
    }

    void aFailedNodeSaysWhy() {
        NodesModel model;
        QList<NodeStats> nodes = sixNodes();
        nodes[1].keys.reset();
        nodes[1].memoryBytes.reset();
        nodes[1].error = QStringLiteral("redis node 10.0.0.2:7001: connect: connection refused");
        nodes[2].error = QStringLiteral("timeout after 3000 ms");
        model.setNodes(nodes);
        QCOMPARE(model.failedCount(), 2);
        // The row names the node: the status says what went wrong; the tooltip says it all.
        QCOMPARE(cell(model, 1, NodesModel::kStatus), QStringLiteral("connection refused"));
        QCOMPARE(model.index(1, NodesModel::kStatus).data(Qt::ToolTipRole).toString(),
                 nodes[1].error);
        QCOMPARE(cell(model, 2, NodesModel::kStatus), QStringLiteral("timeout after 3000 ms"));
        QCOMPARE(cell(model, 1, NodesModel::kKeys), notRecordedMark());
        QVERIFY(model.index(1, NodesModel::kKeys)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QLatin1String("connection refused")));
        QVERIFY(model.index(1, 0).data(NodesModel::kFailedRole).toBool());
        // Many ranges (a resharded master) are cut short in the cell, whole in the tooltip.
        nodes[0].slotRanges = QStringLiteral("0-100,200-300,400-500,600-700");
        model.setNodes(nodes);
        QCOMPARE(cell(model, 0, NodesModel::kSlots),
                 QStringLiteral("0-100,200-300,… (%1)").arg(numberText(5461)));
        QVERIFY(model.index(0, NodesModel::kSlots)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QLatin1String("600-700")));
    }

    // A new sample of the same cluster updates the rows in place: the view keeps its state.
    void sameShapeUpdatesInPlace() {
        NodesModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setNodes(sixNodes());
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);
        QList<NodeStats> next = sixNodes();
        next[0].keys = 150;
        model.setNodes(next);
        QCOMPARE(resets.count(), 0);
        QVERIFY(changes.count() > 0);
        QCOMPARE(cell(model, 0, NodesModel::kKeys), numberText(150));
        // A failover changes the shape: the rows are rebuilt.
        next[0].master = false;
        next[0].masterAddress = QStringLiteral("10.0.0.5:7004");
        next[4].master = true;
        next[4].masterAddress.clear();
        model.setNodes(next);
        QCOMPARE(resets.count(), 1);
    }

    void scanStatusPerMaster() {
        NodesPanel panel;
        SourceStats stats;
        stats.nodes = sixNodes();
        QVERIFY(panel.setStats(stats));
        NodesModel* model = panel.model();
        QVERIFY(cell(*model, 0, NodesModel::kScan).isEmpty());  // no listing yet
        panel.setScans({{QStringLiteral("10.0.0.1:7000"), 100, true},
                        {QStringLiteral("10.0.0.2:7001"), 40, false},
                        {QStringLiteral("10.0.0.3:7002"), 0, false}});
        QCOMPARE(cell(*model, 0, NodesModel::kScan), QStringLiteral("done (100 keys)"));
        QCOMPARE(cell(*model, 1, NodesModel::kScan), QStringLiteral("scanned 40 keys"));
        QCOMPARE(cell(*model, 2, NodesModel::kScan), QStringLiteral("not started"));
        QVERIFY(cell(*model, 0, NodesModel::kScan, model->index(0, 0)).isEmpty());  // replica
        QCOMPARE(panel.captionText(),
                 QStringLiteral("3 masters, 3 replicas · listing: done on 1 of 3 masters"));
        panel.showStatsError(QStringLiteral("timeout"));
        QVERIFY(panel.captionText().contains(QLatin1String("timeout")));
        QCOMPARE(model->rowCount(), 4);  // the last rows stay
        SourceStats single;
        QVERIFY(!panel.setStats(single));
        QCOMPARE(model->rowCount(), 0);
    }

    // The dock shows only where it applies and remembers that the user closed it.
    void dockRemembersTheUsersChoice() {
        QMainWindow window;
        auto* log = new QDockWidget(QStringLiteral("Log"), &window);
        window.addDockWidget(Qt::BottomDockWidgetArea, log);
        window.resize(800, 600);
        window.setCentralWidget(new QWidget(&window));
        auto* dock = new QDockWidget(QStringLiteral("Nodes"), &window);
        dock->setWidget(new NodesPanel(dock));
        window.addDockWidget(Qt::BottomDockWidgetArea, dock);
        window.resizeDocks({dock}, {40}, Qt::Vertical);
        OptionalDock optional(dock, QStringLiteral("nodesPanel"));
        optional.setShareWith(log);
        window.show();
        QVERIFY(dock->isHidden());
        QVERIFY(!dock->toggleViewAction()->isEnabled());
        optional.setApplicable(true);
        QVERIFY(dock->isVisible());
        QVERIFY(dock->toggleViewAction()->isEnabled());
        // Its first showing puts it in a tab beside the log, in front, with room for the content
        // (a cluster's six nodes).
        QVERIFY(window.tabifiedDockWidgets(dock).contains(log));
        QVERIFY(optional.isPlaced());
        QTRY_VERIFY2(dock->widget()->height() >= dock->widget()->sizeHint().height(),
                     qPrintable(QStringLiteral("%1 < %2")
                                    .arg(dock->widget()->height())
                                    .arg(dock->widget()->sizeHint().height())));
        dock->close();  // the dock's close button
        QVERIFY(!optional.isWanted());
        optional.setApplicable(false);
        optional.setApplicable(true);
        QVERIFY(dock->isHidden());
        dock->toggleViewAction()->trigger();  // View ▸ Nodes: shown, and its tab in front
        QVERIFY(optional.isWanted());
        QTRY_COMPARE(frontTab(window), QStringLiteral("Nodes"));
        // Hiding it for a source it does not apply to is not the user's choice.
        optional.setApplicable(false);
        QVERIFY(optional.isWanted());
        QSettings settings;
        optional.setWanted(false);
        optional.save(settings);
        OptionalDock restored(dock, QStringLiteral("nodesPanel"));
        restored.restore(settings);
        QVERIFY(!restored.isWanted());
        QVERIFY(restored.isPlaced());  // placed once: the saved layout keeps it from now on
    }

    void hiddenForASingleServer() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        RedisServer redis;
        const std::string started = redis.start();
        QVERIFY2(started.empty(), started.c_str());
        MainWindow window;
        window.setStatsInterval(100);
        window.show();
        QVERIFY(openRedis(window, QString::fromStdString(redis.url())));
        // Several samples have arrived: none made it a cluster.
        QTRY_VERIFY_WITH_TIMEOUT(window.statsPanel()->sampleCount() >= 3, 15000);
        QVERIFY(!nodesDock(window)->isVisible());
        QVERIFY(!nodesDock(window)->toggleViewAction()->isEnabled());
        QCOMPARE(window.nodesPanel()->model()->rowCount(), 0);
        QVERIFY(window.entriesModel()->nodeScans().isEmpty());
    }

    void clusterNodesAndScanStatus() {
        if (!RedisCluster::available()) QSKIP(RedisCluster::skipReason().c_str());
        RedisCluster cluster;
        const std::string started = cluster.start();
        QVERIFY2(started.empty(), started.c_str());
        const std::vector<int> ports = cluster.ports();
        constexpr int kKeys = 90;
        for (int i = 0; i < kKeys; ++i) {
            const QString key = QStringLiteral("app:item:%1").arg(i);
            QCOMPARE(cluster.command(ports[0], {"-c", "set", key, QStringLiteral("v%1").arg(i)}),
                     std::string("OK\n"));
        }
        MainWindow window;
        window.setStatsInterval(200);
        window.entriesModel()->setPageSize(10);  // the listing stops midway, on some master
        window.show();
        QVERIFY(openRedis(window, QString::fromStdString(cluster.seedUrl())));

        // The dock shows itself once the statistics say it is a cluster.
        QTRY_VERIFY_WITH_TIMEOUT(nodesDock(window)->isVisible(), 15000);
        QVERIFY(nodesDock(window)->toggleViewAction()->isEnabled());
        NodesModel* model = window.nodesPanel()->model();
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 3, 15000);
        for (int row = 0; row < 3; ++row) {
            const QModelIndex master = model->index(row, 0);
            QCOMPARE(model->rowCount(master), 1);  // its replica, under it
            QCOMPARE(cell(*model, row, NodesModel::kRole), QStringLiteral("master"));
            QCOMPARE(cell(*model, row, NodesModel::kStatus), QStringLiteral("ok"));
            QCOMPARE(cell(*model, 0, NodesModel::kStatus, master), QStringLiteral("ok"));
            QVERIFY(cell(*model, row, NodesModel::kKeys) != notRecordedMark());
            QVERIFY(cell(*model, row, NodesModel::kMemory) != notRecordedMark());
        }
        const QList<NodeStats>& nodes = model->nodes();
        quint64 masterKeys = 0;
        quint32 slotTotal = 0;
        for (const NodeStats& node : nodes) {
            if (!node.master) continue;
            masterKeys += node.keys.value_or(0);
            slotTotal += node.slotCount;
        }
        QCOMPARE(masterKeys, quint64{kKeys});
        QCOMPARE(slotTotal, quint32{RedisCluster::kSlots});
        QVERIFY(
            window.nodesPanel()->captionText().startsWith(QLatin1String("3 masters, 3 replicas")));

        // The first page of 10 keys stopped midway: some master is not done yet.
        QTRY_COMPARE_WITH_TIMEOUT(window.entriesModel()->nodeScans().size(), qsizetype{3}, 15000);
        const QList<NodeScan> partial = window.entriesModel()->nodeScans();
        QVERIFY(
            std::any_of(partial.begin(), partial.end(), [](const NodeScan& s) { return !s.done; }));
        bool scannedShown = false;
        for (int row = 0; row < 3; ++row) {
            const QString scan = cell(*model, row, NodesModel::kScan);
            scannedShown |=
                scan.startsWith(QLatin1String("scanned")) || scan == QLatin1String("not started");
        }
        QVERIFY(scannedShown);

        loadAll(window);
        QVERIFY(window.entriesModel()->isComplete());
        QCOMPARE(window.entriesModel()->rowCount(), kKeys);
        QTRY_VERIFY_WITH_TIMEOUT(window.nodesPanel()->captionText().contains(
                                     QLatin1String("listing: done on every master")),
                                 5000);
        for (int row = 0; row < 3; ++row) {
            QVERIFY2(cell(*model, row, NodesModel::kScan).startsWith(QLatin1String("done (")),
                     qPrintable(cell(*model, row, NodesModel::kScan)));
        }
        const QList<NodeScan> done = window.entriesModel()->nodeScans();
        const quint64 scanned =
            std::accumulate(done.begin(), done.end(), quint64{0},
                            [](quint64 sum, const NodeScan& s) { return sum + s.scanned; });
        QVERIFY(scanned >= quint64{kKeys});

        // Refreshed with the statistics: keys written now show up without any click.
        for (int i = 0; i < 30; ++i) {
            cluster.command(ports[0], {"-c", "set", QStringLiteral("late:%1").arg(i), "x"});
        }
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                quint64 sum = 0;
                for (const NodeStats& node : model->nodes())
                    if (node.master) sum += node.keys.value_or(0);
                return sum == kKeys + 30;
            }(),
            15000);

        // A killed replica stays listed, its status saying why it did not answer.
        const std::vector<RedisCluster::Node> described = cluster.nodes();
        const auto replicaNode = std::find_if(described.begin(), described.end(),
                                              [](const auto& n) { return !n.master; });
        QVERIFY(replicaNode != described.end());
        const QString address = QStringLiteral("127.0.0.1:%1").arg(replicaNode->port);
        cluster.killNode(replicaNode->port);
        const auto statusOf = [&] {
            for (const NodeStats& node : model->nodes()) {
                if (node.address == address) return NodesModel::statusText(node);
            }
            return QStringLiteral("(not listed)");
        };
        QTRY_VERIFY2_WITH_TIMEOUT(
            model->failedCount() == 1 && (statusOf().contains(QLatin1String("refused")) ||
                                          statusOf().contains(QLatin1String("closed"))),
            qPrintable(statusOf()), 20000);
        QVERIFY(window.nodesPanel()->captionText().contains(QLatin1String("1 node with an error")));
        QVERIFY(nodesDock(window)->isVisible());

        // Another source that is no cluster hides the panel again.
        window.openSource(folderSourceRef(QString::fromStdString(m_settingsDir.path().string())));
        QVERIFY(!nodesDock(window)->isVisible());
    }
};

QTEST_MAIN(TestNodesPanel)
#include "test_nodes_panel.moc"
