// MainWindow: construction, actions and their shortcuts, read-only mode (shown, and Del
// saying why), settings round-trip (isolated QSettings), browsing a real python-diskcache
// folder; a removed or unopenable source leaves nothing shown; the details pane follows
// the entries; the window works at 1024×700; one wording for what a cache does not record;
// the log keeps following; chart history per source.
#include <QAction>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QProcess>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QTreeView>
#include <QtTest>
#include <thread>

#include "models/entries_model.h"
#include "models/source_tree_model.h"
#include "twat_cache/log.h"
#include "ui_fixtures.h"
#include "ui_resources.h"
#include "views/details_pane.h"
#include "views/log_panel.h"
#include "views/main_window.h"
#include "views/stats_panel.h"
#include "workers/source_client.h"

using namespace twat_cache::ui;
using twat_cache::test::TempDir;

namespace {

// Opens `ref` in `window` and waits for its first page.
bool openAndLoad(MainWindow& window, const SourceRef& ref) {
    QSignalSpy loaded(window.entriesModel(), &EntriesModel::pageLoaded);
    window.addSource(ref);
    window.entriesModel()->fetchMore({});
    return loaded.wait(10000) && window.entriesModel()->lastError().isEmpty();
}

// Selects `row` of the entries view and waits for its detail.
bool showDetail(MainWindow& window, int row) {
    auto* view = window.findChild<QTableView*>(QStringLiteral("entriesView"));
    QSignalSpy details(window.currentSource(), &SourceClient::detailReady);
    view->setCurrentIndex(window.entriesModel()->index(row, 0));
    return details.wait(10000);
}

}  // namespace

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
        // Available once the source is open (its worker says what it can do).
        QTRY_VERIFY_WITH_TIMEOUT(window.actions().clearAll->isEnabled(), 10000);
        window.setReadOnly(true);
        for (QAction* action : window.actions().writeActions()) {
            QVERIFY2(!action->isEnabled(), qPrintable(action->objectName()));
            QVERIFY2(action->toolTip().contains(QLatin1String("Read-only mode is on")),
                     qPrintable(action->toolTip()));
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
    // A source's statistics can take seconds (the byte sum of ten million diskcache rows):
    // the first rows are asked of its worker before them, without waiting for a view to ask.
    void firstRowsComeBeforeStatistics() {
        MainWindow window;
        QStringList order;
        window.addSource(folderSourceRef(m_cachePath));
        SourceClient* client = window.currentSource();
        QVERIFY(client);
        connect(client, &SourceClient::pageReady, this, [&] { order << QStringLiteral("page"); });
        connect(client, &SourceClient::statsReady, this, [&] { order << QStringLiteral("stats"); });
        QTRY_VERIFY_WITH_TIMEOUT(order.size() >= 2, 10000);
        QCOMPARE(order.first(), QStringLiteral("page"));
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
        QTRY_VERIFY(window.logPanel()->toPlainText().contains(QLatin1String("found 2 caches")));

        // One cache is "1 cache".
        TempDir single;
        QVERIFY(twat_cache::test::makeDiskcache(single.path() / "only", 1).empty());
        window.discover(QString::fromStdString(single.path().string()));
        QTRY_VERIFY2_WITH_TIMEOUT(
            window.logPanel()->toPlainText().contains(QLatin1String("found 1 cache under")),
            qPrintable(window.logPanel()->toPlainText()), 10000);
    }

    // File ▸ Remove Source on the shown source: nothing stays shown, nothing can act on it.
    void removingTheShownSourceEmptiesTheWindow() {
        MainWindow window;
        window.show();
        QVERIFY(openAndLoad(window, folderSourceRef(m_cachePath)));
        QVERIFY(showDetail(window, 0));
        QVERIFY(window.actions().clearAll->isEnabled());
        QVERIFY(window.actions().removeSource->isEnabled());
        window.actions().removeSource->trigger();
        QCOMPARE(window.sourcesModel()->rowCount(window.sourcesModel()->foldersGroup()), 0);
        QVERIFY(window.currentSource() == nullptr);
        QCOMPARE(window.entriesModel()->rowCount(), 0);
        QVERIFY(window.detailsPane()->metadataValue(QStringLiteral("Key")).isEmpty());
        for (QAction* action : window.actions().writeActions()) {
            QVERIFY2(!action->isEnabled(), qPrintable(action->objectName()));
        }
        QVERIFY(!window.actions().removeSource->isEnabled());
        QVERIFY2(window.actions().clearAll->toolTip().contains(QLatin1String("No source")),
                 qPrintable(window.actions().clearAll->toolTip()));
        QVERIFY2(window.statsPanel()->noteText().contains(QLatin1String("Select a source")),
                 qPrintable(window.statsPanel()->noteText()));
        // A trigger past the disabled action changes nothing and opens no dialog.
        window.actions().clearAll->trigger();
        QVERIFY(QApplication::activeModalWidget() == nullptr);
        QCOMPARE(twat_cache::test::diskcacheKeys(m_cacheDir.path()).size(), 12 + 2 + 1);
    }

    // A source that cannot be opened (its folder went away) says so and leaves nothing shown;
    // once it is back, choosing it again opens it.
    void aSourceThatFailsToOpenLeavesNothingShown() {
        TempDir parent;
        const QString gone = QString::fromStdString((parent.path() / "gone").string());
        MainWindow window;
        window.show();
        window.addSource(folderSourceRef(gone));
        auto* message = window.findChild<QLabel*>(QStringLiteral("entriesMessage"));
        QTRY_VERIFY_WITH_TIMEOUT(window.currentSource() == nullptr, 10000);
        QVERIFY2(message->isVisible() && message->text().startsWith(QLatin1String("Cannot open")),
                 qPrintable(message->text()));
        for (QAction* action : window.actions().writeActions()) {
            QVERIFY2(!action->isEnabled(), qPrintable(action->objectName()));
        }
        QCOMPARE(window.entriesModel()->rowCount(), 0);
        // Refresh (F5) tries the selected source again.
        QVERIFY(QDir().mkpath(gone));
        QFile file(gone + QStringLiteral("/a.bin"));
        QVERIFY(file.open(QIODevice::WriteOnly) && file.write("x") == 1);
        file.close();
        QSignalSpy loaded(window.entriesModel(), &EntriesModel::pageLoaded);
        window.actions().refresh->trigger();
        QVERIFY(window.currentSource() != nullptr);
        window.entriesModel()->fetchMore({});
        QVERIFY(loaded.wait(10000));
        QCOMPARE(window.entriesModel()->rowCount(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(window.actions().clearAll->isEnabled(), 10000);
    }

    // The details pane never shows an entry the list no longer shows.
    void detailsFollowTheFilter() {
        MainWindow window;
        window.show();
        QVERIFY(openAndLoad(window, folderSourceRef(m_cachePath)));
        QVERIFY(showDetail(window, 0));
        const QString key = window.entriesModel()->rowAt(0)->key;
        QCOMPARE(window.detailsPane()->metadataValue(QStringLiteral("Key")), key);
        window.setFilterText(QStringLiteral("no-such-key"));
        QVERIFY(window.detailsPane()->metadataValue(QStringLiteral("Key")).isEmpty());
        QVERIFY2(window.detailsPane()->messageText().startsWith(QLatin1String("Select an entry")),
                 qPrintable(window.detailsPane()->messageText()));
    }

    // At 1024×700 the window keeps that size and the keys get a sensible width; at the
    // default 1200×760 every column fits beside the docks. Keys are elided in the middle.
    void worksAt1024x700() {
        MainWindow window;
        window.resize(1024, 700);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.size(), QSize(1024, 700));
        QVERIFY(openAndLoad(window, folderSourceRef(m_cachePath)));
        auto* view = window.findChild<QTableView*>(QStringLiteral("entriesView"));
        QCOMPARE(view->textElideMode(), Qt::ElideMiddle);
        QVERIFY(!view->wordWrap());  // a wrapped key is cut at its first hyphen
        QTRY_VERIFY(view->columnWidth(EntriesModel::kKey) >= 200);
        window.resize(1200, 760);
        QTRY_VERIFY2(view->horizontalHeader()->length() <= view->viewport()->width(),
                     qPrintable(QStringLiteral("%1 > %2")
                                    .arg(view->horizontalHeader()->length())
                                    .arg(view->viewport()->width())));

        // Narrower, the columns scroll; the next source starts at the left again.
        window.resize(700, 700);
        QTRY_VERIFY(view->horizontalScrollBar()->maximum() > 0);
        view->horizontalScrollBar()->setValue(view->horizontalScrollBar()->maximum());
        TempDir other;
        QVERIFY(twat_cache::test::makeDiskcache(other.path(), 3).empty());
        QVERIFY(
            openAndLoad(window, folderSourceRef(QString::fromStdString(other.path().string()))));
        QCOMPARE(view->horizontalScrollBar()->value(), 0);
    }

    // One wording for a figure a cache does not record, in the table, the details and the
    // statistics (a plain folder records no hits).
    void notRecordedIsSaidOneWay() {
        TempDir folder;
        QFile file(QString::fromStdString((folder.path() / "a.bin").string()));
        QVERIFY(file.open(QIODevice::WriteOnly) && file.write("abc") == 3);
        file.close();
        MainWindow window;
        window.show();
        QVERIFY(
            openAndLoad(window, folderSourceRef(QString::fromStdString(folder.path().string()))));
        const QModelIndex hits = window.entriesModel()->index(0, EntriesModel::kHits);
        QCOMPARE(hits.data().toString(), QStringLiteral("—"));
        QCOMPARE(hits.data(Qt::ToolTipRole).toString(), QStringLiteral("not recorded"));
        QVERIFY(showDetail(window, 0));
        QCOMPARE(window.detailsPane()->metadataValue(QStringLiteral("Hits")),
                 QStringLiteral("not recorded"));
        QTRY_COMPARE_WITH_TIMEOUT(window.statsPanel()->fieldText(QStringLiteral("hits")),
                                  QStringLiteral("not recorded"), 10000);
    }

    // Read-only mode shows in the status bar and the title; Del then says why it deletes
    // nothing.
    void readOnlyIsShownAndDelSaysWhy() {
        MainWindow window;
        window.show();
        QVERIFY(openAndLoad(window, folderSourceRef(m_cachePath)));
        auto* indicator = window.findChild<QLabel*>(QStringLiteral("readOnlyIndicator"));
        QVERIFY(indicator != nullptr);
        QVERIFY(!indicator->isVisible());
        window.setReadOnly(true);
        QVERIFY(indicator->isVisible());
        QVERIFY(window.windowTitle().contains(QLatin1String("read-only")));
        auto* view = window.findChild<QTableView*>(QStringLiteral("entriesView"));
        view->selectRow(0);
        view->setFocus();
        QTest::keyClick(view, Qt::Key_Delete);
        QVERIFY2(window.statusBar()->currentMessage().contains(QLatin1String("Read-only")),
                 qPrintable(window.statusBar()->currentMessage()));
        QCOMPARE(twat_cache::test::diskcacheKeys(m_cacheDir.path()).size(), 12 + 2 + 1);
    }

    // Before any source is chosen the statistics ask for one (and claim nothing of a cache).
    void firstLaunchAsksForASource() {
        MainWindow window;
        QVERIFY(window.statsPanel()->noteText().contains(QLatin1String("Select a source")));
        QVERIFY2(!window.statsPanel()->timeNoteText().contains(QLatin1String("does not record")),
                 qPrintable(window.statsPanel()->timeNoteText()));
    }

    // Going back to a source shows the chart samples taken while it was shown before.
    void chartHistoryIsKeptPerSource() {
        TempDir root;
        QVERIFY(twat_cache::test::makeNativeCache(root.path(), "a", 3, 0).empty());
        QVERIFY(twat_cache::test::makeNativeCache(root.path(), "b", 3, 0).empty());
        const auto a = folderSourceRef(QString::fromStdString((root.path() / "a").string()));
        const auto b = folderSourceRef(QString::fromStdString((root.path() / "b").string()));
        MainWindow window;
        window.setStatsInterval(20);
        window.show();
        window.openSource(a);
        QTRY_VERIFY_WITH_TIMEOUT(window.statsPanel()->sampleCount() >= 4, 10000);
        const int samples = window.statsPanel()->sampleCount();
        window.openSource(b);
        QTRY_VERIFY_WITH_TIMEOUT(window.statsPanel()->sampleCount() >= 1, 10000);
        window.openSource(a);
        QVERIFY2(window.statsPanel()->sampleCount() >= samples,
                 qPrintable(QString::number(window.statsPanel()->sampleCount())));
    }

    // Once the view was resized (a dock dragged), new lines still scroll into view.
    void logKeepsFollowingAfterAResize() {
        LogPanel log;
        log.resize(500, 300);
        log.show();
        QVERIFY(QTest::qWaitForWindowExposed(&log));
        for (int i = 0; i < 200; ++i) log.appendLine(QStringLiteral("info"), QString::number(i));
        QScrollBar* bar = log.verticalScrollBar();
        QCOMPARE(bar->value(), bar->maximum());
        log.resize(500, 120);
        QCoreApplication::processEvents();
        log.appendLine(QStringLiteral("info"), QStringLiteral("after the resize"));
        QCoreApplication::processEvents();
        QCOMPARE(bar->value(), bar->maximum());
        // A reader who scrolled up stays where they are.
        bar->setValue(0);
        log.appendLine(QStringLiteral("info"), QStringLiteral("later"));
        QCOMPARE(bar->value(), 0);
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
