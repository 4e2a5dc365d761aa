// MainWindow: construction, actions and their shortcuts, read-only mode, settings
// round-trip (isolated QSettings), and browsing a real python-diskcache folder.
#include <QAction>
#include <QDockWidget>
#include <QMenuBar>
#include <QProcess>
#include <QSignalSpy>
#include <QSplitter>
#include <QTableView>
#include <QToolBar>
#include <QtTest>
#include <thread>

#include "models/entries_model.h"
#include "models/source_tree_model.h"
#include "twat_cache/log.h"
#include "ui_fixtures.h"
#include "views/details_pane.h"
#include "views/log_panel.h"
#include "views/main_window.h"
#include "views/stats_panel.h"
#include "views/ui_resources.h"
#include "workers/source_client.h"

using namespace twat_cache::ui;
using twat_cache::test::TempDir;

class TestMainWindow : public QObject {
    Q_OBJECT

  private:
    TempDir m_settingsDir;
    TempDir m_cacheDir;
    QString m_cachePath;

  private slots:
    void initTestCase() {
        QVERIFY(m_settingsDir.ok() && m_cacheDir.ok());
        twat_cache::test::isolateSettings(m_settingsDir.path());
        QCoreApplication::setOrganizationName(QStringLiteral("twat-cache-test"));
        QCoreApplication::setApplicationName(QStringLiteral("test_main_window"));
        // Discovery looks under the cache root: point it at an empty folder of ours.
        qputenv("TWAT_CACHE_DIR", QByteArray::fromStdString(m_settingsDir.path().string()));
        initUiResources();
        const std::string error = twat_cache::test::makeDiskcache(m_cacheDir.path(), 12, 2);
        QVERIFY2(error.empty(), error.c_str());
        m_cachePath = QString::fromStdString(m_cacheDir.path().string());
    }

    void init() { QSettings().clear(); }

    void constructsWithPanels() {
        MainWindow window;
        QVERIFY(window.findChild<QTableView*>(QStringLiteral("entriesView")));
        for (const char* dock : {"sourcesDock", "statsDock", "logDock"}) {
            QVERIFY2(window.findChild<QDockWidget*>(QString::fromLatin1(dock)), dock);
        }
        QVERIFY(window.findChild<QToolBar*>(QStringLiteral("mainToolbar")));
        QVERIFY(window.menuBar()->actions().size() >= 4);
        QVERIFY(!window.windowIcon().isNull());
    }

    void actionsHaveShortcuts_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QKeySequence>("shortcut");
        QTest::newRow("refresh") << "actionRefresh" << QKeySequence(Qt::Key_F5);
        QTest::newRow("delete") << "actionDeleteSelected" << QKeySequence(Qt::Key_Delete);
        QTest::newRow("filter") << "actionFilter" << QKeySequence(Qt::CTRL | Qt::Key_F);
        QTest::newRow("open folder") << "actionOpenFolder" << QKeySequence(Qt::CTRL | Qt::Key_O);
        QTest::newRow("new redis") << "actionNewRedis" << QKeySequence(Qt::CTRL | Qt::Key_N);
        QTest::newRow("quit") << "actionQuit" << QKeySequence(Qt::CTRL | Qt::Key_Q);
        QTest::newRow("read-only") << "actionReadOnly" << QKeySequence();
    }

    void actionsHaveShortcuts() {
        QFETCH(QString, name);
        QFETCH(QKeySequence, shortcut);
        MainWindow window;
        auto* action = window.findChild<QAction*>(name);
        QVERIFY(action);
        QCOMPARE(action->shortcut(), shortcut);
        QVERIFY(!action->statusTip().isEmpty());
        // Defined once: the window owns exactly one action of that name.
        QCOMPARE(window.findChildren<QAction*>(name).size(), 1);
    }

    void readOnlyDisablesWriteActions() {
        MainWindow window;
        window.openSource(folderSourceRef(m_cachePath));
        QVERIFY(window.actions().clearAll->isEnabled());
        window.setReadOnly(true);
        for (QAction* action : window.actions().writeActions()) {
            QVERIFY2(!action->isEnabled(), qPrintable(action->objectName()));
        }
        window.actions().readOnly->trigger();  // the toggle itself turns it off again
        QVERIFY(!window.isReadOnly());
        QVERIFY(window.actions().clearExpired->isEnabled());
    }

    void layoutRoundTripsThroughSettings() {
        QByteArray state;
        QByteArray splitter;
        {
            MainWindow window;
            window.resize(1000, 700);
            window.findChild<QDockWidget*>(QStringLiteral("statsDock"))->hide();
            window.findChild<QSplitter*>(QStringLiteral("entriesSplitter"))->setSizes({500, 150});
            window.setReadOnly(true);
            window.addSource(folderSourceRef(m_cachePath));
            QSettings settings;
            window.saveSettings(settings);
            state = window.saveState(1);
            splitter = window.findChild<QSplitter*>(QStringLiteral("entriesSplitter"))->saveState();
        }
        MainWindow restored;  // reads QSettings() in its constructor
        QVERIFY(restored.isReadOnly());
        QVERIFY(restored.findChild<QDockWidget*>(QStringLiteral("statsDock"))->isHidden());
        QCOMPARE(restored.saveState(1), state);
        QCOMPARE(restored.findChild<QSplitter*>(QStringLiteral("entriesSplitter"))->saveState(),
                 splitter);
        const auto folders = restored.sourcesModel()->userSources(SourceKind::kFolder);
        QCOMPARE(folders.size(), 1);
        QCOMPARE(folders.at(0).location, m_cachePath);
    }

    void passwordsNeverReachSettings() {
        {
            MainWindow window;
            window.addSource({SourceKind::kRedis,
                              QStringLiteral("redis://127.0.0.1:1/0"),
                              QStringLiteral("nowhere"),
                              QStringLiteral("hunter2"),
                              {}});
            QSettings settings;
            window.saveSettings(settings);
        }
        QSettings settings;
        for (const QString& key : settings.allKeys()) {
            QVERIFY2(!settings.value(key).toString().contains(QLatin1String("hunter2")),
                     qPrintable(key));
        }
    }

    void browsesARealCache() {
        MainWindow window;
        QSignalSpy loaded(window.entriesModel(), &EntriesModel::pageLoaded);
        window.addSource(folderSourceRef(m_cachePath));
        QVERIFY(window.currentSource());
        auto* view = window.findChild<QTableView*>(QStringLiteral("entriesView"));
        window.entriesModel()->fetchMore({});
        QVERIFY(loaded.wait(10000));
        QCOMPARE(window.entriesModel()->rowCount(), 12 + 2 + 1);
        // Selecting an entry shows its detail; the stats panel shows the source's counters.
        QSignalSpy details(window.currentSource(), &SourceClient::detailReady);
        view->setCurrentIndex(window.entriesModel()->index(0, 0));
        QVERIFY(details.wait(10000));
        QVERIFY(!window.detailsPane()->valueText().isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(window.statsPanel()->fieldText(QStringLiteral("entries")),
                                  QStringLiteral("15"), 10000);
    }
    void logPanelShowsCoreLinesFromAnyThread() {
        MainWindow window;
        twat_cache::setLogLevel(twat_cache::LogLevel::kInfo);
        std::thread worker(
            [] { twat_cache::logMessage(twat_cache::LogLevel::kWarn, "from a worker thread"); });
        worker.join();
        // The sink only posted the line; it shows once the GUI thread's event loop runs.
        QTRY_VERIFY_WITH_TIMEOUT(window.logPanel()->toPlainText().contains(
                                     QStringLiteral("[warn] from a worker thread")),
                                 10000);
        twat_cache::setLogLevel(twat_cache::LogLevel::kOff);
    }

    void discoveryFillsTheSidebarByKind() {
        TempDir root;
        for (const char* name : {"alpha", "beta"}) {
            const std::string error = twat_cache::test::makeDiskcache(root.path() / name, 2);
            QVERIFY2(error.empty(), error.c_str());
        }
        MainWindow window;
        SourceTreeModel* model = window.sourcesModel();
        window.discover(QString::fromStdString(root.path().string()));
        const QModelIndex group = model->discoveredGroup();
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(group), 1, 10000);
        const QModelIndex kind = model->index(0, 0, group);
        QCOMPARE(kind.data().toString(), QStringLiteral("python-diskcache"));
        QCOMPARE(model->rowCount(kind), 2);
        QCOMPARE(model->sourceAt(model->index(1, 0, kind))->name, QStringLiteral("beta"));
    }

    void inspectorWithoutDisplayExitsWith3() {
        QProcess inspector;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}) {
            env.remove(QString::fromLatin1(name));
        }
        inspector.setProcessEnvironment(env);
        inspector.start(QStringLiteral(TWAT_CACHE_INSPECTOR_EXE), {});
        QVERIFY(inspector.waitForFinished(30000));
        QCOMPARE(inspector.exitStatus(), QProcess::NormalExit);
        QCOMPARE(inspector.exitCode(), 3);
        QVERIFY(inspector.readAllStandardError().contains("needs a display"));
    }

    // The inspector takes --read-only (it opens every source read-only through the core).
    void readOnlyFlagIsOffered() {
        QProcess inspector;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        inspector.setProcessEnvironment(env);
        inspector.start(QStringLiteral(TWAT_CACHE_INSPECTOR_EXE), {QStringLiteral("--help")});
        QVERIFY(inspector.waitForFinished(30000));
        QCOMPARE(inspector.exitCode(), 0);
        const QByteArray help = inspector.readAllStandardOutput();
        QVERIFY2(help.contains("--read-only"), help.constData());
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
