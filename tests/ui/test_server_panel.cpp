// The Server dock and the sources tree's numbers, in the real window (offscreen):
//   - a real redis-server: the dock shows its version and role, its databases with their key
//     counts, and the slow log; choosing database 3 lists database 3's keys (entries and
//     namespaces follow, the status bar names database 3, a copied redis-cli command reads
//     it and Analyze counts it); the dock is hidden for other sources;
//   - a python-diskcache written by the real python-diskcache: the sources tree shows its
//     entries and size from discovery, then from the statistics samples, updated in place;
//   - a joblib store written by the real joblib: the Namespaces dock groups its calls by
//     module and function, and choosing a function lists its calls.
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDockWidget>
#include <QLabel>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTableWidget>
#include <QtTest>

#include "models/entries_model.h"
#include "models/namespace_model.h"
#include "models/source_tree_model.h"
#include "redis_commands.h"
#include "redis_server.h"
#include "ui_fixtures.h"
#include "views/analysis_view.h"
#include "views/main_window.h"
#include "views/optional_dock.h"
#include "views/server_panel.h"
#include "window_fixtures.h"
#include "workers/analysis_runner.h"
#include "workers/display_text.h"

using namespace twat_cache::ui;
using twat_cache::test::RedisServer;
using twat_cache::test::TempDir;
namespace fs = std::filesystem;

namespace {

QStringList keysShown(MainWindow& window) {
    QStringList keys;
    for (const EntryRow& row : window.entriesModel()->rows()) keys << row.key;
    keys.sort();
    return keys;
}

// The status bar's text naming a Redis source ("" when there is none).
QString statusSource(MainWindow& window) {
    for (const QLabel* label : window.statusBar()->findChildren<QLabel*>()) {
        if (label->text().startsWith(QLatin1String("redis://"))) return label->text();
    }
    return {};
}

// The sidebar row of the discovered cache named `name` (under its kind's group).
QModelIndex discoveredRow(SourceTreeModel* model, const QString& name) {
    const QModelIndex group = model->discoveredGroup();
    for (int k = 0; k < model->rowCount(group); ++k) {
        const QModelIndex kind = model->index(k, 0, group);
        for (int r = 0; r < model->rowCount(kind); ++r) {
            const QModelIndex item = model->index(r, 0, kind);
            if (item.data().toString() == name) return item;
        }
    }
    return {};
}

}  // namespace

class TestServerPanel : public QObject {
    Q_OBJECT

  private:
    TempDir m_settingsDir;
    std::unique_ptr<RedisServer> m_server;

  private slots:
    void initTestCase() {
        QVERIFY(m_settingsDir.ok());
        twat_cache::test::isolateSettings(m_settingsDir.path());
        qputenv("TWAT_CACHE_DIR", QByteArray::fromStdString(m_settingsDir.path().string()));
    }

    void init() { QSettings().clear(); }

    void serverDockShowsTheServerAndSwitchesDatabases() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        m_server = std::make_unique<RedisServer>();
        const std::string error = m_server->start();
        QVERIFY2(error.empty(), error.c_str());
        QVERIFY(twat_cache::test::runRedisCommands(
            m_server->port(), {{"SET", "zero:a", "1"},
                               {"SET", "zero:b", "1"},
                               {"SELECT", "3"},
                               {"SET", "three:a", "1"},
                               {"SET", "three:b", "1"},
                               {"SET", "three:c", "1"},
                               {"CONFIG", "SET", "slowlog-log-slower-than", "0"}}));
        MainWindow window;
        window.show();
        SourceRef ref;
        ref.kind = SourceKind::kRedis;
        ref.location = QString::fromStdString(m_server->url(0));
        ref.name = QStringLiteral("test redis");
        window.addSource(ref);
        window.entriesModel()->fetchMore({});
        QTRY_COMPARE_WITH_TIMEOUT(keysShown(window),
                                  (QStringList{QStringLiteral("zero:a"), QStringLiteral("zero:b")}),
                                  15000);
        ServerPanel* panel = window.serverPanel();
        QVERIFY(window.serverDock()->isApplicable());
        QTRY_VERIFY_WITH_TIMEOUT(
            panel->fieldText(QStringLiteral("version")).startsWith(QLatin1String("Redis 7")) ||
                panel->fieldText(QStringLiteral("version")).startsWith(QLatin1String("Redis 6")),
            15000);
        QVERIFY(panel->fieldText(QStringLiteral("version")).contains(QLatin1String("standalone")));
        QCOMPARE(panel->fieldText(QStringLiteral("role")), QStringLiteral("master"));
        QVERIFY(
            panel->fieldText(QStringLiteral("keyspace")).contains(QLatin1String("db 3: 3 keys")));
        QCOMPARE(statusSource(window), QString::fromStdString(m_server->url(0)));
        QComboBox* combo = panel->databaseCombo();
        QCOMPARE(combo->count(), 16);
        QCOMPARE(combo->currentIndex(), 0);
        QVERIFY(combo->isEnabled());
        QCOMPARE(combo->itemText(3), QStringLiteral("db 3 — 3 keys"));
        // The slow log shows commands (every command is slow with a threshold of 0).
        QTRY_VERIFY_WITH_TIMEOUT(panel->slowlogTable()->rowCount() > 0, 15000);
        QVERIFY(panel->slowlogTable()->item(0, 3) != nullptr);

        // Database 3: its keys, its namespaces.
        QSignalSpy changed(panel, &ServerPanel::databaseChanged);
        combo->setCurrentIndex(3);
        emit combo->activated(3);
        QVERIFY(changed.wait(15000));
        QCOMPARE(changed.takeFirst().at(0).toInt(), 3);
        window.entriesModel()->fetchMore({});
        QTRY_COMPARE_WITH_TIMEOUT(keysShown(window),
                                  (QStringList{QStringLiteral("three:a"), QStringLiteral("three:b"),
                                               QStringLiteral("three:c")}),
                                  15000);
        QTRY_VERIFY_WITH_TIMEOUT(window.namespaceModel()->keysOf(QStringLiteral("three")) == 3,
                                 15000);
        QVERIFY(!window.namespaceModel()->indexOf(QStringLiteral("zero")).isValid());
        QTRY_COMPARE_WITH_TIMEOUT(combo->currentIndex(), 3, 15000);
        QCOMPARE(statusSource(window), QString::fromStdString(m_server->url(3)));
        // A copied redis-cli command reads database 3.
        QVERIFY(twat_cache::test::selectKey(window, QStringLiteral("three:b")));
        QTRY_VERIFY_WITH_TIMEOUT(window.actions().copyRedisCli->isEnabled(), 10000);
        QClipboard* clipboard = QGuiApplication::clipboard();
        clipboard->clear();
        window.actions().copyRedisCli->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(clipboard->text().startsWith(QLatin1String("redis-cli ")), 10000);
        QCOMPARE(
            clipboard->text(),
            QStringLiteral("redis-cli -h 127.0.0.1 -p %1 -n 3 GET three:b").arg(m_server->port()));
        auto ran = twat_cache::test::runProcess("/bin/sh", {"-c", clipboard->text().toStdString()});
        QVERIFY2(ran.finished && ran.exitCode == 0, ran.err.c_str());
        QCOMPARE(ran.out, std::string("1\n"));
        // Analyze counts database 3.
        auto* analysis = window.findChild<AnalysisView*>();
        QVERIFY(analysis != nullptr);
        QSignalSpy analyzed(analysis->runner(), &AnalysisRunner::finished);
        analysis->start();
        QVERIFY(analyzed.wait(15000));
        QCOMPARE(analyzed.takeFirst().at(0).toString(), QString());
        QCOMPARE(analysis->report()->keys, std::uint64_t{3});

        // Closed, the panel asks the server nothing on each statistics sample; reopened, it
        // reads the figures afresh.
        SourceClient* client = window.currentSource();
        QTRY_VERIFY_WITH_TIMEOUT(!panel->fieldText(QStringLiteral("role")).isEmpty(), 15000);
        window.serverDock()->dock()->hide();
        QSignalSpy infos(client, &SourceClient::serverInfoReady);
        QSignalSpy samples(client, &SourceClient::statsReady);
        QTRY_VERIFY_WITH_TIMEOUT(samples.count() >= 2, 15000);
        const int answeredBefore = infos.count();  // one asked before it closed may answer
        QVERIFY(answeredBefore <= 1);
        samples.clear();
        QTRY_VERIFY_WITH_TIMEOUT(samples.count() >= 2, 15000);
        QCOMPARE(infos.count(), answeredBefore);
        window.serverDock()->dock()->show();
        QTRY_VERIFY_WITH_TIMEOUT(infos.count() > answeredBefore, 15000);

        // Another kind of source: the dock hides.
        TempDir folder;
        fs::create_directories(folder.path() / "f");
        window.addSource(folderSourceRef(QString::fromStdString((folder.path() / "f").string())));
        QVERIFY(!window.serverDock()->isApplicable());
        QVERIFY(!window.serverDock()->dock()->isVisible());
        QVERIFY(panel->messageText().contains(QLatin1String("Redis")));
    }

    void sourcesTreeShowsEntriesAndSize() {
        TempDir root;
        const fs::path cache = root.path() / "numbers";
        QVERIFY(twat_cache::test::makeDiskcache(cache, 12).empty());  // and "json-doc"
        MainWindow window;
        window.show();
        SourceTreeModel* model = window.sourcesModel();
        window.discover(QString::fromStdString(root.path().string()));
        QTRY_VERIFY_WITH_TIMEOUT(discoveredRow(model, QStringLiteral("numbers")).isValid(), 15000);
        const QModelIndex item = discoveredRow(model, QStringLiteral("numbers"));
        const QModelIndex entries = item.siblingAtColumn(SourceTreeModel::kEntries);
        const QModelIndex size = item.siblingAtColumn(SourceTreeModel::kSize);
        // Discovery's cheap counts.
        QCOMPARE(entries.data().toString(), numberText(13));
        QVERIFY(!size.data().toString().isEmpty());
        QCOMPARE(model->sourceAt(entries)->name, QStringLiteral("numbers"));

        // One more entry; opening the source samples its statistics: the row follows, in place.
        QVERIFY(twat_cache::test::makeDiskcache(cache, 13).empty());  // key-012 is new
        QSignalSpy reset(model, &QAbstractItemModel::modelReset);
        QSignalSpy removed(model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(model, &QAbstractItemModel::dataChanged);
        window.openSource(*model->sourceAt(item));
        QTRY_COMPARE_WITH_TIMEOUT(entries.data().toString(), numberText(14), 15000);
        QVERIFY(entries.isValid());  // the same row, never rebuilt
        QCOMPARE(reset.count(), 0);
        QCOMPARE(removed.count(), 0);
        QVERIFY(!changed.isEmpty());
    }

    void joblibCallsGroupedByFunction() {
        TempDir root;
        const fs::path made = root.path() / "made";
        fs::create_directories(made);
        const fs::path script =
            twat_cache::test::sourceDir() / "tests" / "fixtures" / "make_caches.py";
        auto run = twat_cache::test::runProcess(twat_cache::test::pythonInterpreter(),
                                                {script.string(), made.string()}, 120000);
        QVERIFY2(run.finished && run.exitCode == 0, run.err.c_str());
        QString module;
        for (const auto& e : fs::directory_iterator(made / "jl" / "joblib")) {
            if (e.is_directory()) module = QString::fromStdString(e.path().filename().string());
        }
        MainWindow window;
        window.show();
        window.addSource(folderSourceRef(QString::fromStdString((made / "jl").string())));
        auto* dock = window.findChild<QDockWidget*>(QStringLiteral("namespacesDock"));
        QTRY_VERIFY_WITH_TIMEOUT(dock->isVisible(), 15000);  // once open: a joblib store
        NamespaceModel* ns = window.namespaceModel();
        QTRY_VERIFY_WITH_TIMEOUT(window.namespaceScanComplete(), 15000);
        QCOMPARE(ns->keysOf(module), quint64{5});
        const QModelIndex square = ns->indexOf(module + QStringLiteral("/square"));
        QVERIFY(square.isValid());
        QCOMPARE(square.data(NamespaceModel::kLeafCountRole).toULongLong(), quint64{3});
        QCOMPARE(square.data().toString(), QStringLiteral("square/"));
        QVERIFY(square.data(NamespaceModel::kBytesRole).toULongLong() > 0);
        QCOMPARE(ns->keysOf(module + QStringLiteral("/greet")), quint64{2});
        QCOMPARE(window.namespaceStatus(), QStringLiteral("counted 5 entries (complete)"));
        // Choosing the function lists its calls.
        window.showNamespace(square);
        window.entriesModel()->fetchMore({});
        QTRY_COMPARE_WITH_TIMEOUT(
            keysShown(window),
            (QStringList{QStringLiteral("square(x=1)"), QStringLiteral("square(x=2)"),
                         QStringLiteral("square(x=3)")}),
            15000);
    }
};

QTEST_MAIN(TestServerPanel)
#include "test_server_panel.moc"
