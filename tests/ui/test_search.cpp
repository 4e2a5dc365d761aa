// Searching in the window: a filter (typed, or a click on a Redis namespace) whose few matches
// come after tens of thousands of other entries must list them all without any scrolling or
// refresh, show "Searching… scanned N of ~M entries" while it runs, stop on Stop and go on
// on Continue, and end with "5 matches (complete)". The caches are real: a python-diskcache
// written by python-diskcache (tests/fixtures/make_caches.py --late) and a redis-server.
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTreeView>
#include <QtTest>

#include "models/entries_model.h"
#include "models/namespace_model.h"
#include "redis_commands.h"
#include "redis_server.h"
#include "ui_fixtures.h"
#include "views/main_window.h"

using namespace twat_cache::ui;
using twat_cache::test::RedisServer;
using twat_cache::test::TempDir;

namespace {

constexpr int kFill = 25'000;
const QString kComplete = QStringLiteral("5 matches (complete)");

QStringList loadedKeys(MainWindow& window) {
    return twat_cache::test::loadedKeys(*window.entriesModel());
}

QLabel* searchStatus(MainWindow& window) {
    return window.findChild<QLabel*>(QStringLiteral("searchStatus"));
}

QString number(int n) {
    return QLocale().toString(n);
}

}  // namespace

class TestSearch : public QObject {
    Q_OBJECT

  private:
    TempDir m_settingsDir;
    TempDir m_caches;
    QString m_late;  // diskcache: kFill entries, then "rare:0".."rare:4"

    // Opens the late-matches diskcache in `window` and waits until its first page is shown.
    bool openLate(MainWindow& window) {
        QSignalSpy loaded(window.entriesModel(), &EntriesModel::pageLoaded);
        window.addSource(folderSourceRef(m_late));
        return loaded.wait(15000) && window.entriesModel()->rowCount() > 0;
    }

  private slots:
    void initTestCase() {
        twat_cache::test::isolateSettings(m_settingsDir.path());
        const auto script = twat_cache::test::sourceDir() / "tests" / "fixtures" / "make_caches.py";
        auto made = twat_cache::test::runProcess(
            twat_cache::test::pythonInterpreter(),
            {script.string(), m_caches.path().string(), "--late", std::to_string(kFill)}, 120000);
        QVERIFY2(made.finished && made.exitCode == 0, made.err.c_str());
        m_late = QString::fromStdString((m_caches.path() / "dc_late").string());
    }

    // Sources are saved as soon as they are added: each test starts from empty settings.
    void init() { QSettings().clear(); }

    // Typing the filter is all it takes: no scroll, no refresh.
    void typedFilterFindsLateMatches() {
        MainWindow window;
        window.show();
        QVERIFY(openLate(window));
        auto* edit = window.findChild<QLineEdit*>(QStringLiteral("filterEdit"));
        QVERIFY(edit);
        QTest::keyClicks(edit, QStringLiteral("rare:*"));
        QVERIFY(searchStatus(window));
        QTRY_COMPARE_WITH_TIMEOUT(searchStatus(window)->text(), kComplete, 30000);
        QVERIFY(searchStatus(window)->isVisible());
        QCOMPARE(loadedKeys(window),
                 (QStringList{"rare:0", "rare:1", "rare:2", "rare:3", "rare:4"}));
        QVERIFY(!window.findChild<QPushButton*>(QStringLiteral("searchStopButton"))->isVisible());
    }

    // A search longer than one request shows its progress; Stop stops it where it is, with the
    // count so far; Continue finishes it.
    void progressStopAndContinue() {
        MainWindow window;
        window.show();
        QVERIFY(openLate(window));
        EntriesModel* model = window.entriesModel();
        model->setTimeBudget(1);  // each request searches ~1 ms: many requests for 25 000 rows
        auto* stop = window.findChild<QPushButton*>(QStringLiteral("searchStopButton"));
        QVERIFY(stop);
        QStringList seen;
        bool clicked = false;
        // The bar refreshes first (it connected first), then this records what it said and
        // presses Stop the first time a search is under way.
        QObject watcher;  // ends the connection before the window goes
        connect(model, &EntriesModel::searchChanged, &watcher, [&] {
            seen << searchStatus(window)->text();
            if (!clicked && model->isLoading() && model->scanned() > 0) {
                clicked = true;
                QVERIFY(stop->isVisible());
                QCOMPARE(stop->text(), QStringLiteral("Stop"));
                stop->click();
            }
        });
        window.setFilterText(QStringLiteral("rare:?"));
        QTRY_VERIFY_WITH_TIMEOUT(clicked && !model->isLoading(), 30000);
        QVERIFY(model->isStopped());
        QVERIFY(model->rowCount() < 5);
        const QString total = number(kFill + 5);
        const QRegularExpression searching(QStringLiteral("^Searching… scanned [0-9.,  ]+ of ~") +
                                           QRegularExpression::escape(total) +
                                           QStringLiteral(" entries, 0 matches so far$"));
        QVERIFY2(!seen.filter(searching).isEmpty(), qPrintable(seen.join(QLatin1Char('\n'))));
        const QString stopped = searchStatus(window)->text();
        QVERIFY2(stopped.startsWith(QStringLiteral("Search stopped: ")), qPrintable(stopped));
        QVERIFY2(stopped.endsWith(QStringLiteral(" of ~") + total + QStringLiteral(" entries")),
                 qPrintable(stopped));
        QCOMPARE(stop->text(), QStringLiteral("Continue"));

        stop->click();
        QTRY_COMPARE_WITH_TIMEOUT(searchStatus(window)->text(), kComplete, 30000);
        QCOMPARE(loadedKeys(window),
                 (QStringList{"rare:0", "rare:1", "rare:2", "rare:3", "rare:4"}));
        QCOMPARE(model->scanned(), quint64{kFill + 5});
    }

    // Stop pressed while the reply that ends the search is on its way: the search is
    // complete, not stopped.
    void stopJustBeforeTheEnd() {
        MainWindow window;
        window.show();
        QVERIFY(openLate(window));
        EntriesModel* model = window.entriesModel();
        model->setTimeBudget(60'000);  // one request scans the whole cache
        window.setFilterText(QStringLiteral("rare:*"));
        QSignalSpy loaded(model, &EntriesModel::pageLoaded);
        model->fetchMore({});
        QVERIFY(model->isLoading());
        model->stopSearch();
        QVERIFY(model->isStopped());
        QVERIFY(loaded.wait(30000));
        QVERIFY(model->isComplete());
        QVERIFY(!model->isStopped());
        QCOMPARE(searchStatus(window)->text(), kComplete);
        QVERIFY(!window.findChild<QPushButton*>(QStringLiteral("searchStopButton"))->isVisible());
    }

    // A click on a Redis namespace whose keys hide among many others lists them all.
    void redisNamespaceClick() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        RedisServer redis;
        const std::string error = redis.start();
        QVERIFY2(error.empty(), error.c_str());
        std::vector<std::pair<std::string, std::string>> keys;
        for (int i = 0; i < kFill; ++i) keys.emplace_back("fill:" + std::to_string(i), "v");
        for (int i = 0; i < 5; ++i) keys.emplace_back("events:" + std::to_string(i), "e");
        QVERIFY(
            twat_cache::test::runRedisCommands(redis.port(), twat_cache::test::msetCommands(keys)));

        MainWindow window;
        window.show();
        SourceRef ref;
        ref.kind = SourceKind::kRedis;
        ref.location = QString::fromStdString(redis.url());
        ref.name = QStringLiteral("search redis");
        window.addSource(ref);
        QTRY_VERIFY_WITH_TIMEOUT(window.namespaceScanComplete(), 30000);
        NamespaceModel* namespaces = window.namespaceModel();
        QCOMPARE(namespaces->keysOf(QStringLiteral("events")), quint64{5});
        auto* tree = window.findChild<QTreeView*>(QStringLiteral("namespacesView"));
        tree->setCurrentIndex(namespaces->indexOf(QStringLiteral("events")));
        QCOMPARE(window.entriesModel()->filter(), QStringLiteral("events:*"));
        QTRY_COMPARE_WITH_TIMEOUT(searchStatus(window)->text(), kComplete, 30000);
        QCOMPARE(loadedKeys(window),
                 (QStringList{"events:0", "events:1", "events:2", "events:3", "events:4"}));
    }
};

QTEST_MAIN(TestSearch)
#include "test_search.moc"
