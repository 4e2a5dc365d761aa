// Grabs PNG screenshots into <build>/tests/ui/screenshots/, for review: the main window
// (empty; browsing a python-diskcache folder; browsing the native demo cache with a JSON
// value in the details pane; a Redis server's namespace tree), the statistics panel with its
// charts filled by real samples, a Redis server's Server panel, the Redis dialog, the saved
// connections' manager and a production connection under its banner.
#include <QDir>
#include <QDockWidget>
#include <QSignalSpy>
#include <QTableView>
#include <QTableWidget>
#include <QTreeView>
#include <QtTest>

#include "demo_cache.h"
#include "dialogs/connections_dialog.h"
#include "dialogs/redis_dialog.h"
#include "models/entries_model.h"
#include "models/namespace_model.h"
#include "models/saved_connection.h"
#include "redis_server.h"
#include "ui_fixtures.h"
#include "ui_resources.h"
#include "views/details_pane.h"
#include "views/main_window.h"
#include "views/optional_dock.h"
#include "views/server_panel.h"
#include "views/stats_panel.h"
#include "workers/source_client.h"

using namespace twat_cache::ui;
using twat_cache::test::TempDir;

class TestScreenshots : public QObject {
    Q_OBJECT

  private:
    TempDir m_settingsDir;
    TempDir m_cacheDir;
    QDir m_out;

    void save(QWidget& widget, const QString& name) {
        const QPixmap pixmap = widget.grab();
        QVERIFY(!pixmap.isNull());
        QCOMPARE(pixmap.size(), widget.size());
        const QString path = m_out.filePath(name + QStringLiteral(".png"));
        QVERIFY2(pixmap.save(path, "PNG"), qPrintable(path));
        const QImage reread(path);
        QCOMPARE(reread.size(), widget.size());
        qInfo("screenshot: %s", qPrintable(path));
    }

    // The window on the demo cache under `root`, its entries loaded.
    bool openDemo(MainWindow& window, const QString& root) {
        const QString folder = root + QLatin1Char('/') + QLatin1String(kDemoCacheName);
        QSignalSpy loaded(window.entriesModel(), &EntriesModel::pageLoaded);
        window.addSource(folderSourceRef(folder));
        window.entriesModel()->fetchMore({});
        return loaded.wait(10000);
    }

  private slots:
    void initTestCase() {
        QVERIFY(m_settingsDir.ok() && m_cacheDir.ok());
        twat_cache::test::isolateSettings(m_settingsDir.path());
        qputenv("TWAT_CACHE_DIR", QByteArray::fromStdString(m_settingsDir.path().string()));
        initUiResources();
        m_out = QDir(QCoreApplication::applicationDirPath());
        QVERIFY(m_out.mkpath(QStringLiteral("screenshots")));
        QVERIFY(m_out.cd(QStringLiteral("screenshots")));
        const std::string error = twat_cache::test::makeDiskcache(m_cacheDir.path(), 40, 2);
        QVERIFY2(error.empty(), error.c_str());
    }

    // Sources are saved as soon as they are added: each test starts from empty settings.
    void init() { QSettings().clear(); }

    void emptyWindow() {
        MainWindow window;
        window.resize(1200, 760);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        save(window, QStringLiteral("main_window_empty"));
    }

    void browsingACache() {
        MainWindow window;
        window.resize(1200, 760);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy loaded(window.entriesModel(), &EntriesModel::pageLoaded);
        window.addSource(folderSourceRef(QString::fromStdString(m_cacheDir.path().string())));
        QVERIFY(loaded.wait(10000));
        auto* view = window.findChild<QTableView*>(QStringLiteral("entriesView"));
        QSignalSpy details(window.currentSource(), &SourceClient::detailReady);
        view->setCurrentIndex(window.entriesModel()->index(0, 0));
        QVERIFY(details.wait(10000));
        save(window, QStringLiteral("main_window_cache"));
    }

    void nativeCacheWithJsonDetails() {
        TempDir root;
        const QString rootPath = QString::fromStdString(root.path().string());
        QVERIFY(createDemoCache(rootPath).ok());
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(openDemo(window, rootPath));
        int json = -1;
        for (int row = 0; row < window.entriesModel()->rowCount(); ++row) {
            if (window.entriesModel()->rowAt(row)->key.startsWith(QLatin1String("profile(2")))
                json = row;
        }
        QVERIFY(json >= 0);
        auto* view = window.findChild<QTableView*>(QStringLiteral("entriesView"));
        QSignalSpy details(window.currentSource(), &SourceClient::detailReady);
        view->setCurrentIndex(window.entriesModel()->index(json, 0));
        QVERIFY(details.wait(10000));
        QVERIFY(window.detailsPane()->valueText().contains(QLatin1String("roles")));
        QTRY_VERIFY_WITH_TIMEOUT(
            window.statsPanel()->fieldText(QStringLiteral("hits")) == QLatin1String("12"), 10000);
        save(window, QStringLiteral("native_cache_json_details"));
    }

    void statisticsWithCharts() {
        TempDir root;
        const QString rootPath = QString::fromStdString(root.path().string());
        QVERIFY(createDemoCache(rootPath).ok());
        MainWindow window;
        window.setStatsInterval(200);
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(openDemo(window, rootPath));
        // Real lookups between samples, with a changing mix of hits and misses.
        for (int round = 0; round < 8; ++round) {
            {
                auto engine = twat_cache::test::openNative(root.path(), kDemoCacheName);
                QVERIFY(engine.ok());
                for (int i = 0; i < 10 + 4 * round; ++i) {
                    const std::int64_t n = 10 + (i * (round + 1)) % (20 + 6 * round);
                    (void)(*engine)->get(twat_cache::makeKey("fib", n));
                }
                QVERIFY((*engine)->flush().ok());
            }
            const int before = window.statsPanel()->sampleCount();
            QTRY_VERIFY_WITH_TIMEOUT(window.statsPanel()->sampleCount() > before + 1, 10000);
        }
        StatsPanel* panel = window.statsPanel();
        panel->showTab(0);
        // The statistics dock, floated at a readable size.
        auto* dock = window.findChild<QDockWidget*>(QStringLiteral("statsDock"));
        QVERIFY(dock);
        dock->setFloating(true);
        dock->resize(480, 780);
        QVERIFY(QTest::qWaitForWindowExposed(dock));
        QVERIFY(panel->timeChartsShown());
        save(*dock, QStringLiteral("statistics_charts"));
        panel->showTab(1);
        QTRY_VERIFY_WITH_TIMEOUT(panel->distribution().count() > 0, 10000);
        QTest::qWait(400);  // the entry charts redraw behind a 300 ms timer
        save(*dock, QStringLiteral("statistics_entries"));
    }

    void redisNamespaceTree() {
        if (!twat_cache::test::RedisServer::available()) {
            QSKIP(twat_cache::test::RedisServer::skipReason().c_str());
        }
        twat_cache::test::RedisServer redis;
        const std::string error = redis.start();
        QVERIFY2(error.empty(), error.c_str());
        const QStringList out = twat_cache::test::redisPython(redis.url(), R"(
p = r.pipeline()
for i in range(400): p.set("user:%d:profile" % i, '{"id": %d, "name": "user %d"}' % (i, i))
for i in range(250): p.set("session:%032x" % i, "token", ex=1800)
for i in range(120): p.hset("cart:%d" % i, mapping={"items": i % 7, "total": i * 3})
for i in range(60): p.rpush("queue:jobs:%d" % (i % 6), "job-%d" % i)
for i in range(30): p.set("twat_cache:geo:%016x" % i, "x" * (i * 40), ex=86400)
p.set("config", "on")
p.execute()
print("ok")
)");
        QCOMPARE(out, QStringList{QStringLiteral("ok")});
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        SourceRef ref;
        ref.kind = SourceKind::kRedis;
        ref.location = QString::fromStdString(redis.url());
        ref.name = QStringLiteral("local redis");
        QSignalSpy loaded(window.entriesModel(), &EntriesModel::pageLoaded);
        window.addSource(ref);
        window.entriesModel()->fetchMore({});
        QVERIFY(loaded.wait(10000));
        QTRY_VERIFY_WITH_TIMEOUT(window.namespaceScanComplete(), 10000);
        auto* tree = window.findChild<QTreeView*>(QStringLiteral("namespacesView"));
        NamespaceModel* model = window.namespaceModel();
        QSignalSpy filtered(window.entriesModel(), &EntriesModel::pageLoaded);
        // Show the tree's depth: two namespaces opened a level down.
        const QModelIndex users = model->index(0, 0, model->rootIndex());
        for (const QString& prefix : {QStringLiteral("queue"), QStringLiteral("twat_cache")}) {
            const QModelIndex node = model->indexOf(prefix);
            QVERIFY2(node.isValid(), qPrintable(prefix));
            tree->expand(node);
        }
        tree->setCurrentIndex(users);
        window.entriesModel()->fetchMore({});
        QVERIFY(filtered.wait(10000));
        auto* view = window.findChild<QTableView*>(QStringLiteral("entriesView"));
        QSignalSpy details(window.currentSource(), &SourceClient::detailReady);
        view->setCurrentIndex(window.entriesModel()->index(0, 0));
        QVERIFY(details.wait(10000));
        save(window, QStringLiteral("redis_namespaces"));
    }

    // A Redis server's Server panel: its figures, databases 0 and 3 holding keys, the Slow Log.
    void redisServerPanel() {
        if (!twat_cache::test::RedisServer::available()) {
            QSKIP(twat_cache::test::RedisServer::skipReason().c_str());
        }
        twat_cache::test::RedisServer redis;
        const std::string error = redis.start();
        QVERIFY2(error.empty(), error.c_str());
        const QStringList out = twat_cache::test::redisPython(redis.url(), R"(
p = r.pipeline()
for i in range(300): p.set("user:%d:profile" % i, '{"id": %d}' % i)
for i in range(120): p.set("session:%032x" % i, "token", ex=1800)
p.execute()
r.select(3)
for i in range(42): r.set("report:%d" % i, "x" * 100, ex=86400)
r.config_set("slowlog-log-slower-than", 0)
r.hset("cart:1", mapping={"items": 3, "total": 9})
r.get("user:1:profile")
print("ok")
)");
        QCOMPARE(out, QStringList{QStringLiteral("ok")});
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        SourceRef ref;
        ref.kind = SourceKind::kRedis;
        ref.location = QString::fromStdString(redis.url());
        ref.name = QStringLiteral("local redis");
        QSignalSpy loaded(window.entriesModel(), &EntriesModel::pageLoaded);
        window.addSource(ref);
        window.entriesModel()->fetchMore({});
        QVERIFY(loaded.wait(10000));
        ServerPanel* panel = window.serverPanel();
        QTRY_VERIFY_WITH_TIMEOUT(!panel->fieldText(QStringLiteral("version")).isEmpty(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(panel->slowlogTable()->rowCount() > 0, 10000);
        QDockWidget* dock = window.serverDock()->dock();
        dock->raise();
        QTest::qWait(200);                                // let the dock tab come to the front
        window.resizeDocks({dock}, {420}, Qt::Vertical);  // every line of the form
        QTest::qWait(100);
        save(*dock, QStringLiteral("server_panel"));
    }

    // The saved connections: the manager with a production, a TLS + SSH and a plain one; and
    // the window showing the production one, read-only under its banner.
    void savedConnections() {
        if (!twat_cache::test::RedisServer::available()) {
            QSKIP(twat_cache::test::RedisServer::skipReason().c_str());
        }
        twat_cache::test::RedisServer redis;
        const std::string error = redis.start();
        QVERIFY2(error.empty(), error.c_str());
        QCOMPARE(
            twat_cache::test::redisPython(
                redis.url(), "for i in range(30): r.set('shop:order:%d' % i, 'v')\nprint('ok')"),
            QStringList{QStringLiteral("ok")});
        MainWindow window;
        window.resize(1280, 800);
        const auto saved = [&](const QString& name, const QString& url, const QString& color,
                               bool production) {
            SourceRef ref;
            ref.kind = SourceKind::kRedis;
            ref.name = name;
            ref.location = url;
            ref.color = color;
            ref.production = production;
            ref.id = newConnectionId();
            window.saveConnection({}, ref);
            return ref;
        };
        const SourceRef prod =
            saved(QStringLiteral("shop (production)"), QString::fromStdString(redis.url()),
                  QStringLiteral("#c62828"), true);
        saved(QStringLiteral("cache (staging)"),
              QStringLiteral("rediss://app@cache.staging.example:6380/2?ca=/etc/ssl/ca.pem"
                             "&ssh=deploy@bastion.example:2222"),
              QStringLiteral("#2e7d32"), false);
        saved(QStringLiteral("local"), QStringLiteral("redis://127.0.0.1:6379/0"), {}, false);
        ConnectionsDialog manager(window.sourcesModel(), nullptr, &window);
        manager.show();
        QVERIFY(QTest::qWaitForWindowExposed(&manager));
        save(manager, QStringLiteral("connections_manager"));
        manager.close();

        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy loaded(window.entriesModel(), &EntriesModel::pageLoaded);
        window.addSource(prod);
        window.entriesModel()->fetchMore({});
        QVERIFY(loaded.wait(10000));
        QTRY_VERIFY_WITH_TIMEOUT(window.namespaceScanComplete(), 10000);
        save(window, QStringLiteral("production_connection"));
    }

    void redisDialog() {
        RedisDialog dialog(nullptr);
        dialog.setHost(QStringLiteral("127.0.0.1"), 6379, 0);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        save(dialog, QStringLiteral("redis_dialog"));
    }
};

QTEST_MAIN(TestScreenshots)
#include "test_screenshots.moc"
