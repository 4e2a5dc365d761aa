// The Analysis view (View ▸ Analysis) in the window, on a real redis-server with namespaced
// keys: the census runs on its own connection (the source answers meanwhile), the treemap has
// one rectangle per top namespace with an area in proportion to its bytes, a click drills down
// and lists the namespace's keys in the entries, Up goes back, the exports (JSON, CSV, PNG)
// read back as the report, Cancel stops a census with what it counted, and a Redis Cluster's
// masters are listed with their keys.
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTreeWidget>
#include <QtTest>
#include <cmath>

#include "models/entries_model.h"
#include "redis_cluster.h"
#include "redis_commands.h"
#include "redis_server.h"
#include "ui_fixtures.h"
#include "views/analysis_view.h"
#include "views/main_window.h"
#include "views/treemap_widget.h"
#include "workers/analysis_runner.h"
#include "workers/source_client.h"

using namespace twat_cache::ui;
using twat_cache::test::RedisCluster;
using twat_cache::test::RedisServer;
using twat_cache::test::TempDir;

namespace {

// Namespaces of very different sizes: "big" (with "big:a" and "big:b" below), "mid", "small".
std::vector<std::pair<std::string, std::string>> namespacedKeys() {
    std::vector<std::pair<std::string, std::string>> keys;
    for (int i = 0; i < 200; ++i)
        keys.emplace_back("big:a:" + std::to_string(i), std::string(3000, 'a'));
    for (int i = 0; i < 100; ++i)
        keys.emplace_back("big:b:" + std::to_string(i), std::string(1000, 'b'));
    for (int i = 0; i < 300; ++i)
        keys.emplace_back("mid:" + std::to_string(i), std::string(600, 'm'));
    for (int i = 0; i < 300; ++i) keys.emplace_back("small:" + std::to_string(i), "s");
    return keys;
}

// Loads every row of the model's listing (as scrolling to the end would); false on timeout.
bool loadAll(EntriesModel& model) {
    while (!model.isComplete()) {
        QSignalSpy loaded(&model, &EntriesModel::pageLoaded);
        if (model.canFetchMore({})) model.fetchMore({});
        if (!model.isComplete() && !loaded.wait(15000)) return false;
    }
    return true;
}

}  // namespace

class TestAnalysisView : public QObject {
    Q_OBJECT

  private:
    TempDir m_settingsDir;
    TempDir m_out;
    std::unique_ptr<RedisServer> m_redis;

    SourceRef redisRef() const {
        SourceRef ref;
        ref.kind = SourceKind::kRedis;
        ref.location = QString::fromStdString(m_redis->url());
        ref.name = QStringLiteral("analysis redis");
        return ref;
    }

    // The window showing the Redis source, its Analysis dock open.
    AnalysisView* openAnalysis(MainWindow& window) {
        window.show();
        QSignalSpy loaded(window.entriesModel(), &EntriesModel::pageLoaded);
        window.addSource(redisRef());
        if (!loaded.wait(15000)) return nullptr;
        window.actions().analysis->trigger();
        auto* view = window.findChild<AnalysisView*>();
        if (view == nullptr || !view->isVisible()) return nullptr;
        view->setBudgetMs(0);
        return view;
    }

    // Runs a census in `view` and waits for its report.
    static bool analyze(AnalysisView& view) {
        QSignalSpy finished(view.runner(), &AnalysisRunner::finished);
        view.start();
        return finished.wait(30000) && finished.first().first().toString().isEmpty() &&
               view.report() != nullptr;
    }

  private slots:
    void initTestCase() {
        twat_cache::test::isolateSettings(m_settingsDir.path());
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        m_redis = std::make_unique<RedisServer>();
        const std::string error = m_redis->start();
        QVERIFY2(error.empty(), error.c_str());
        QVERIFY(twat_cache::test::runRedisCommands(
            m_redis->port(), twat_cache::test::msetCommands(namespacedKeys())));
    }

    void init() { QSettings().clear(); }

    // The squarified layout fills its bounds with areas in proportion to the values.
    void squarifyKeepsProportions() {
        const QList<double> values = {600, 300, 60, 30, 8, 2};
        const QRectF bounds(0, 0, 400, 250);
        const QList<QRectF> rects = squarify(values, bounds);
        QCOMPARE(rects.size(), values.size());
        double area = 0;
        for (qsizetype i = 0; i < rects.size(); ++i) {
            QVERIFY(bounds.adjusted(-1e-6, -1e-6, 1e-6, 1e-6).contains(rects[i]));
            const double a = rects[i].width() * rects[i].height();
            QVERIFY(std::abs(a / (400.0 * 250.0) - values[i] / 1000.0) < 1e-9);
            area += a;
            for (qsizetype j = 0; j < i; ++j)
                QVERIFY(!rects[i].intersected(rects[j]).isValid() ||
                        rects[i].intersected(rects[j]).isEmpty());
        }
        QVERIFY(std::abs(area - 400.0 * 250.0) < 1e-6);
    }

    // One rectangle per top namespace, its area the namespace's share of the bytes; the
    // source answers while the census runs on its own connection.
    void treemapHasARectanglePerNamespaceByBytes() {
        MainWindow window;
        AnalysisView* view = openAnalysis(window);
        QVERIFY(view);
        QVERIFY(analyze(*view));
        const auto report = view->report();
        QCOMPARE(report->keys, quint64{900});
        QVERIFY(report->complete);
        TreemapWidget* treemap = view->treemap();
        QTRY_VERIFY(treemap->width() > 100 && treemap->height() > 50);
        QCOMPARE(treemap->items().size(), 3);
        QStringList names;
        for (const auto& item : treemap->items()) names << item.name;
        QCOMPARE(names, (QStringList{"big", "mid", "small"}));  // largest first
        const double widgetArea = double(treemap->width()) * treemap->height();
        double covered = 0;
        for (qsizetype i = 0; i < treemap->items().size(); ++i) {
            const TreemapItem& item = treemap->items()[i];
            // The item is the report's namespace, with its keys and bytes.
            const auto& node = report->namespaces.nodes[static_cast<std::size_t>(item.id)];
            QCOMPARE(QString::fromStdString(node.prefix), item.name);
            QCOMPARE(item.bytes, node.bytes);
            QVERIFY(item.bytes > 0);
            const QRectF r = treemap->rects()[i];
            const double share = double(item.bytes) / double(report->bytes);
            QVERIFY2(std::abs(r.width() * r.height() / widgetArea - share) < 1e-6,
                     qPrintable(item.name));
            covered += r.width() * r.height();
            QCOMPARE(treemap->itemAt(r.center()), int(i));
        }
        QVERIFY(std::abs(covered - widgetArea) < 1e-3);
        QCOMPARE(treemap->items()[0].keys, quint64{300});
        QVERIFY(treemap->toolTipFor(0).contains(QStringLiteral("300 keys")));
    }

    // A click on a namespace opens it and lists its keys; Up goes back to every key.
    void drillDownFiltersTheEntries() {
        MainWindow window;
        AnalysisView* view = openAnalysis(window);
        QVERIFY(view);
        QVERIFY(analyze(*view));
        TreemapWidget* treemap = view->treemap();
        QTRY_VERIFY(treemap->width() > 100);
        QCOMPARE(treemap->items()[0].name, QStringLiteral("big"));
        QSignalSpy loaded(window.entriesModel(), &EntriesModel::pageLoaded);
        QTest::mouseClick(treemap, Qt::LeftButton, {}, treemap->rects()[0].center().toPoint());
        QCOMPARE(window.entriesModel()->filter(), QStringLiteral("big:*"));
        QVERIFY(loadAll(*window.entriesModel()));
        const QStringList keys = twat_cache::test::loadedKeys(*window.entriesModel());
        QCOMPARE(keys.size(), 300);
        for (const QString& key : keys)
            QVERIFY2(key.startsWith(QStringLiteral("big:")), qPrintable(key));
        // The level below: big:a and big:b, a by far the larger.
        QStringList names;
        for (const auto& item : treemap->items()) names << item.name;
        QCOMPARE(names, (QStringList{"a", "b"}));
        QTest::mouseClick(treemap, Qt::LeftButton, {}, treemap->rects()[1].center().toPoint());
        QCOMPARE(window.entriesModel()->filter(), QStringLiteral("big:b:*"));
        QVERIFY(loadAll(*window.entriesModel()));
        QCOMPARE(twat_cache::test::loadedKeys(*window.entriesModel()).size(), 100);
        view->up();
        QCOMPARE(window.entriesModel()->filter(), QString());
        // A click on one of the largest keys lists it.
        auto* largest = view->findChild<QTreeWidget*>(QStringLiteral("analysisLargest"));
        QVERIFY(largest && largest->topLevelItemCount() > 0);
        view->findChild<QTabWidget*>(QStringLiteral("analysisTabs"))->setCurrentWidget(largest);
        largest->scrollToItem(largest->topLevelItem(0));
        QTest::mouseClick(largest->viewport(), Qt::LeftButton, {},
                          largest->visualItemRect(largest->topLevelItem(0)).center());
        QCOMPARE(window.entriesModel()->filter(),
                 QString::fromStdString(view->report()->top_by_bytes.front().key));
        QVERIFY(window.entriesModel()->filter().startsWith(QStringLiteral("big:a:")));
        QCOMPARE(view->level(), twat_cache::NamespaceReport::kNoParent);
        QCOMPARE(treemap->items().size(), 3);
    }

    // JSON (analyze --json's document), CSV and PNG, read back.
    void exportsReadBackAsTheReport() {
        MainWindow window;
        AnalysisView* view = openAnalysis(window);
        QVERIFY(view);
        QVERIFY(analyze(*view));
        const auto report = view->report();
        const QString json = QString::fromStdString((m_out.path() / "report.json").string());
        QCOMPARE(view->exportJson(json), QString());
        QFile jsonFile(json);
        QVERIFY(jsonFile.open(QIODevice::ReadOnly));
        const QJsonObject doc = QJsonDocument::fromJson(jsonFile.readAll()).object();
        QCOMPARE(doc.value("source").toString(), QStringLiteral("analysis redis"));
        QCOMPARE(doc.value("keys").toInteger(), qint64(report->keys));
        QCOMPARE(doc.value("bytes").toInteger(), qint64(report->bytes));
        QCOMPARE(doc.value("complete").toBool(), true);
        QCOMPARE(doc.value("types").toObject().value("string").toObject().value("keys").toInteger(),
                 qint64{900});
        const QJsonArray top = doc.value("namespaces").toArray();
        QCOMPARE(top.size(), 3);
        for (const QJsonValue& value : top) {
            const QJsonObject node = value.toObject();
            const std::string prefix = node.value("prefix").toString().toStdString();
            const auto it =
                std::find_if(report->namespaces.nodes.begin(), report->namespaces.nodes.end(),
                             [&](const auto& n) { return n.prefix == prefix; });
            QVERIFY(it != report->namespaces.nodes.end());
            QCOMPARE(node.value("keys").toInteger(), qint64(it->keys));
            QCOMPARE(node.value("bytes").toInteger(), qint64(it->bytes));
        }
        QCOMPARE(doc.value("top_by_bytes").toArray().first().toObject().value("key").toString(),
                 QString::fromStdString(report->top_by_bytes.front().key));

        const QString csv = QString::fromStdString((m_out.path() / "namespaces.csv").string());
        QCOMPARE(view->exportCsv(csv), QString());
        QFile csvFile(csv);
        QVERIFY(csvFile.open(QIODevice::ReadOnly));
        const QStringList lines =
            QString::fromUtf8(csvFile.readAll()).split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
        QCOMPARE(lines.first(), QStringLiteral("prefix,depth,keys,bytes,share,other"));
        QCOMPARE(lines.size() - 1, qsizetype(report->namespaces.nodes.size()));
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QStringList f = lines[i].split(QLatin1Char(','));
            const auto& node = report->namespaces.nodes[std::size_t(i - 1)];
            QCOMPARE(f.size(), 6);
            QCOMPARE(f[0].toStdString(), node.prefix);
            QCOMPARE(f[1].toULongLong(), quint64(node.depth));
            QCOMPARE(f[2].toULongLong(), quint64(node.keys));
            QCOMPARE(f[3].toULongLong(), quint64(node.bytes));
            QVERIFY(std::abs(f[4].toDouble() - double(node.bytes) / double(report->bytes)) < 1e-4);
        }

        const QString png = QString::fromStdString((m_out.path() / "treemap.png").string());
        QCOMPARE(view->exportPng(png), QString());
        const QImage image(png);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), view->treemap()->size() * view->treemap()->devicePixelRatio());
        // Painted: the first rectangle's colour is not the background's.
        const QPoint inside = view->treemap()->rects()[0].center().toPoint();
        QVERIFY(image.pixelColor(inside) != view->treemap()->palette().base().color());
    }

    // A Redis Cluster: every master is counted, and the Nodes tab lists each one's keys, which
    // are its DBSIZE and add up to the total.
    void clusterMastersInTheNodesTab() {
        if (!RedisCluster::available()) QSKIP(RedisCluster::skipReason().c_str());
        RedisCluster cluster;
        const std::string started = cluster.start();
        QVERIFY2(started.empty(), started.c_str());
        constexpr int kKeys = 60;
        for (int i = 0; i < kKeys; ++i) {
            QCOMPARE(
                cluster.command(cluster.ports()[0], {"-c", "set", QStringLiteral("c:%1").arg(i),
                                                     QStringLiteral("v%1").arg(i)}),
                std::string("OK\n"));
        }
        MainWindow window;
        window.show();
        SourceRef ref = redisRef();
        ref.location = QString::fromStdString(cluster.seedUrl());
        QSignalSpy loaded(window.entriesModel(), &EntriesModel::pageLoaded);
        window.addSource(ref);
        QVERIFY(loaded.wait(15000));
        window.actions().analysis->trigger();
        auto* view = window.findChild<AnalysisView*>();
        QVERIFY(view);
        view->setBudgetMs(0);
        QVERIFY(analyze(*view));
        const auto report = view->report();
        QCOMPARE(report->keys, quint64{kKeys});
        QCOMPARE(report->nodes.size(), std::size_t{3});
        quint64 keys = 0;
        for (const auto& node : report->nodes) {
            const int port = std::stoi(node.address.substr(node.address.rfind(':') + 1));
            QCOMPARE(QString::number(node.count.keys),
                     QString::fromStdString(cluster.command(port, {"DBSIZE"})).trimmed());
            keys += node.count.keys;
        }
        QCOMPARE(keys, report->keys);
        auto* tabs = view->findChild<QTabWidget*>(QStringLiteral("analysisTabs"));
        auto* table = view->findChild<QTreeWidget*>(QStringLiteral("analysisNodes"));
        QVERIFY(tabs && table);
        QVERIFY(tabs->isTabVisible(tabs->indexOf(table)));
        QCOMPARE(table->topLevelItemCount(), 3);
        QCOMPARE(table->topLevelItem(0)->text(0), QString::fromStdString(report->nodes[0].address));
    }

    // Paused, the census holds while the source answers on its own connection; Cancel ends it
    // with what it counted, not complete.
    void cancelStopsTheCensus() {
        std::vector<std::pair<std::string, std::string>> many;
        for (int i = 0; i < 30000; ++i) many.emplace_back("bulk:" + std::to_string(i), "v");
        QVERIFY(twat_cache::test::runRedisCommands(m_redis->port(),
                                                   twat_cache::test::msetCommands(many)));
        MainWindow window;
        AnalysisView* view = openAnalysis(window);
        QVERIFY(view);
        view->setBudgetMs(2);
        QSignalSpy finished(view->runner(), &AnalysisRunner::finished);
        view->start();
        view->setPaused(true);
        QVERIFY(view->isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(view->runner()->lastProgress().paused, 15000);
        QVERIFY(view->progressText().contains(QStringLiteral("paused")));
        // The shown source is not held up by the census.
        SourceClient* client = window.currentSource();
        QSignalSpy stats(client, &SourceClient::statsReady);
        client->requestStats();
        QVERIFY(stats.wait(10000));
        QVERIFY(finished.isEmpty());
        view->cancel();
        QVERIFY(finished.wait(15000));
        QCOMPARE(finished.first().first().toString(), QString());
        QVERIFY(!view->isRunning());
        QVERIFY(view->report());
        QVERIFY(!view->report()->complete);
        QVERIFY(view->report()->keys < 30900);
        QVERIFY(view->progressText().contains(QStringLiteral("cancelled")));
    }
};

QTEST_MAIN(TestAnalysisView)
#include "test_analysis_view.moc"
