// The whole window on each kind of cache: a native sqlite cache written by our engine, a
// python-diskcache folder written by python-diskcache, and a real redis-server filled by
// python3-redis. For each: open it, filter, select and delete entries, clear expired ones,
// and check what is left in the store itself (our engine, python-diskcache, redis-py); then
// read-only mode, which must change nothing. Redis also shows its namespace tree with
// counts and "scanned N of ~M keys"; expanding it and choosing a node at any depth lists
// exactly the keys of that subtree. Redis's Clear All asks to type the database number;
// what Redis cannot do is disabled with the reason; the details pane recovers when the
// server comes back.
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTreeView>
#include <QtTest>

#include "dialogs/redis_dialog.h"
#include "dialogs/typed_confirm_dialog.h"
#include "models/entries_model.h"
#include "models/namespace_model.h"
#include "models/source_tree_model.h"
#include "redis_server.h"
#include "ui_fixtures.h"
#include "views/details_pane.h"
#include "views/log_panel.h"
#include "views/main_window.h"
#include "views/stats_panel.h"
#include "workers/source_client.h"

using namespace twat_cache::ui;
using twat_cache::test::answerNextMessageBox;
using twat_cache::test::RedisServer;
using twat_cache::test::TempDir;

namespace {

constexpr int kLive = 12;
constexpr int kExpired = 3;
const std::string kNativeName = "orders";

// 12 "app:item:N", 5 "session:N" with a TTL and "plain", written by redis-py.
std::string fillRedis(const std::string& url) {
    const QStringList out = twat_cache::test::redisPython(url, R"(
p = r.pipeline()
for i in range(12): p.set("app:item:%d" % i, "value %d" % i)
for i in range(5): p.set("session:%d" % i, '{"user": %d}' % i, ex=3600)
p.set("plain", "x")
p.execute()
print("ok")
)");
    return out == QStringList{QStringLiteral("ok")} ? std::string() : out.join(' ').toStdString();
}

// One cache of one kind, made fresh for each test row.
struct Store {
    QString kind;
    TempDir dir;
    std::unique_ptr<RedisServer> redis;

    std::string make() {
        if (kind == QLatin1String("native")) {
            return twat_cache::test::makeNativeCache(dir.path(), kNativeName, kLive, kExpired);
        }
        if (kind == QLatin1String("diskcache")) {
            return twat_cache::test::makeDiskcache(dir.path(), kLive, kExpired);
        }
        redis = std::make_unique<RedisServer>();
        if (std::string error = redis->start(); !error.empty()) return error;
        return fillRedis(redis->url());
    }

    SourceRef ref() const {
        if (redis) {
            SourceRef r;
            r.kind = SourceKind::kRedis;
            r.location = QString::fromStdString(redis->url());
            r.name = QStringLiteral("test redis");
            return r;
        }
        const auto folder = kind == QLatin1String("native") ? dir.path() / kNativeName : dir.path();
        return folderSourceRef(QString::fromStdString(folder.string()));
    }

    // What the store itself holds now, sorted.
    QStringList keys() const {
        if (kind == QLatin1String("native"))
            return twat_cache::test::nativeKeys(dir.path(), kNativeName);
        if (kind == QLatin1String("diskcache")) return twat_cache::test::diskcacheKeys(dir.path());
        return twat_cache::test::redisKeys(redis->url());
    }
};

// Opens `ref` in `window` and waits for the first page.
bool openAndLoad(MainWindow& window, const SourceRef& ref) {
    QSignalSpy loaded(window.entriesModel(), &EntriesModel::pageLoaded);
    window.addSource(ref);
    window.entriesModel()->fetchMore({});
    return loaded.wait(15000) && window.entriesModel()->lastError().isEmpty();
}

// Loads every page of the current listing (bounded).
void loadAll(MainWindow& window) {
    EntriesModel* model = window.entriesModel();
    for (int round = 0; round < 100 && !model->isComplete(); ++round) {
        QSignalSpy loaded(model, &EntriesModel::pageLoaded);
        model->fetchMore({});
        if (!model->isLoading() && model->isComplete()) break;
        if (!loaded.wait(15000)) return;
    }
}

// Makes the Redis `store` and shows it in `window`, its first page loaded and its commands
// known; returns what went wrong, if anything.
QString showRedis(Store& store, MainWindow& window) {
    if (std::string error = store.make(); !error.empty()) return QString::fromStdString(error);
    window.show();
    if (!openAndLoad(window, store.ref())) return QStringLiteral("the first page did not load");
    const bool opened = QTest::qWaitFor([&] { return window.actions().clearAll->isEnabled(); });
    return opened ? QString() : QStringLiteral("Clear All stayed disabled");
}

QStringList loadedKeys(MainWindow& window) {
    return twat_cache::test::loadedKeys(*window.entriesModel());
}

}  // namespace

class TestInspectorSources : public QObject {
    Q_OBJECT

  private:
    TempDir m_settingsDir;

    static void addRows() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("total");
        QTest::addColumn<QString>("filter");
        QTest::addColumn<QStringList>("filtered");
        QTest::addColumn<int>("expired");
        QTest::newRow("native") << "native" << kLive + kExpired + 1 << "item(1"
                                << QStringList{"item(1)", "item(10)", "item(11)"} << kExpired;
        QTest::newRow("diskcache") << "diskcache" << kLive + kExpired + 1 << "key-01"
                                   << QStringList{"key-010", "key-011"} << kExpired;
        // Redis expires keys itself: nothing is ever left for "clear expired".
        QTest::newRow("redis") << "redis" << kLive + 5 + 1 << "app:item:1*"
                               << QStringList{"app:item:1", "app:item:10", "app:item:11"} << 0;
    }

  private slots:
    void initTestCase() {
        QVERIFY(m_settingsDir.ok());
        twat_cache::test::isolateSettings(m_settingsDir.path());
        qputenv("TWAT_CACHE_DIR", QByteArray::fromStdString(m_settingsDir.path().string()));
    }

    void init() { QSettings().clear(); }

    void filterDeleteAndClearExpired_data() { addRows(); }
    void filterDeleteAndClearExpired() {
        QFETCH(QString, kind);
        QFETCH(int, total);
        QFETCH(QString, filter);
        QFETCH(QStringList, filtered);
        QFETCH(int, expired);
        if (kind == QLatin1String("redis") && !RedisServer::available()) {
            QSKIP(RedisServer::skipReason().c_str());
        }
        Store store{kind, {}, {}};
        const std::string error = store.make();
        QVERIFY2(error.empty(), error.c_str());
        QCOMPARE(store.keys().size(), total);

        MainWindow window;
        window.show();
        QVERIFY(openAndLoad(window, store.ref()));
        loadAll(window);
        QCOMPARE(window.entriesModel()->rowCount(), total);

        // Filter: only the matching keys are listed.
        QSignalSpy filteredPage(window.entriesModel(), &EntriesModel::pageLoaded);
        window.setFilterText(filter);
        window.entriesModel()->fetchMore({});
        QVERIFY(filteredPage.wait(15000));
        loadAll(window);
        QCOMPARE(loadedKeys(window), filtered);

        // Select the first two and delete them after the confirmation.
        auto* view = window.findChild<QTableView*>(QStringLiteral("entriesView"));
        view->selectRow(0);
        view->selectionModel()->select(window.entriesModel()->index(1, 0),
                                       QItemSelectionModel::Select | QItemSelectionModel::Rows);
        const QString first = window.entriesModel()->rowAt(0)->key;
        const QString second = window.entriesModel()->rowAt(1)->key;
        answerNextMessageBox(QMessageBox::Ok, nullptr);
        window.actions().deleteSelected->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(
            window.logPanel()->toPlainText().contains(QStringLiteral("removed 2 entries")), 15000);
        QStringList left = store.keys();
        QCOMPARE(left.size(), total - 2);
        QVERIFY(!left.contains(first) && !left.contains(second));

        // Clear expired: exactly the expired entries go (Redis expires keys itself: the
        // command is disabled there, see redisCommandsItCannotDoAreDisabled).
        window.setFilterText({});
        if (expired > 0) {
            QTRY_VERIFY_WITH_TIMEOUT(window.actions().clearExpired->isEnabled(), 15000);
            answerNextMessageBox(QMessageBox::Ok, nullptr);
            window.actions().clearExpired->trigger();
            QTRY_VERIFY_WITH_TIMEOUT(window.logPanel()->toPlainText().contains(
                                         QStringLiteral("removed %1 entries").arg(expired)),
                                     15000);
            QTRY_VERIFY_WITH_TIMEOUT(window.actions().clearExpired->isEnabled(), 15000);
        }
        left = store.keys();
        QCOMPARE(left.size(), total - 2 - expired);
        QVERIFY(left.filter(QStringLiteral("old")).isEmpty());
        // The view reloads after the change and shows what is left.
        QTRY_VERIFY_WITH_TIMEOUT(!window.entriesModel()->isLoading(), 15000);
        loadAll(window);
        QCOMPARE(loadedKeys(window), left);
    }

    void readOnlyRefusesChanges_data() { addRows(); }
    void readOnlyRefusesChanges() {
        QFETCH(QString, kind);
        QFETCH(int, total);
        if (kind == QLatin1String("redis") && !RedisServer::available()) {
            QSKIP(RedisServer::skipReason().c_str());
        }
        Store store{kind, {}, {}};
        const std::string error = store.make();
        QVERIFY2(error.empty(), error.c_str());
        MainWindow window;
        window.show();
        window.setReadOnly(true);
        QVERIFY(openAndLoad(window, store.ref()));
        auto* view = window.findChild<QTableView*>(QStringLiteral("entriesView"));
        view->selectRow(0);
        for (QAction* action : window.actions().writeActions()) {
            QVERIFY2(!action->isEnabled(), qPrintable(action->objectName()));
            action->trigger();  // disabled: does nothing
        }
        window.actions().deleteSelected->trigger();
        QVERIFY(QApplication::activeModalWidget() == nullptr);
        QVERIFY(!window.logPanel()->toPlainText().contains(QStringLiteral("planning")));
        QCOMPARE(store.keys().size(), total);
    }

    void redisConnectionFromTheDialog() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        Store store{QStringLiteral("redis"), {}, {}};
        const std::string error = store.make();
        QVERIFY2(error.empty(), error.c_str());
        MainWindow window;
        window.show();
        // Fill in the modal dialog when it opens (polled every 10 ms, at most 5 s), press OK.
        const int port = store.redis->port();
        auto* timer = new QTimer(&window);
        auto tries = std::make_shared<int>(0);
        connect(timer, &QTimer::timeout, timer, [timer, tries, port] {
            auto* dialog = qobject_cast<RedisDialog*>(QApplication::activeModalWidget());
            if (dialog != nullptr) {
                dialog->setHost(QStringLiteral("127.0.0.1"), port, 0);
                dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->click();
            }
            if (dialog != nullptr || ++*tries > 500) timer->deleteLater();
        });
        timer->start(10);
        QSignalSpy loaded(window.entriesModel(), &EntriesModel::pageLoaded);
        window.actions().newRedis->trigger();  // returns when the dialog closed
        SourceTreeModel* sources = window.sourcesModel();
        QCOMPARE(sources->rowCount(sources->redisGroup()), 1);
        QCOMPARE(sources->sourceAt(sources->index(0, 0, sources->redisGroup()))->location,
                 QStringLiteral("redis://127.0.0.1:%1/0").arg(port));
        QVERIFY(window.currentSource());
        QCOMPARE(window.currentSource()->ref().kind, SourceKind::kRedis);
        window.entriesModel()->fetchMore({});
        QVERIFY(loaded.wait(15000));
        loadAll(window);
        QCOMPARE(loadedKeys(window), store.keys());
        QTRY_VERIFY_WITH_TIMEOUT(window.namespaceScanComplete(), 15000);
        QCOMPARE(window.namespaceModel()->keysOf(QStringLiteral("app")), quint64{12});
    }

    // Clear All on Redis empties the whole database: the user types its number first (the
    // button stays disabled until then), and then it is done — no refusal, no API names.
    void redisClearAllAsksToTypeTheDatabase() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        Store store{QStringLiteral("redis"), {}, {}};
        MainWindow window;
        const QString shown = showRedis(store, window);
        QVERIFY2(shown.isEmpty(), qPrintable(shown));

        // Answers the typed confirmation when it opens; any other box is recorded and closed
        // (so that a missing confirmation fails the test instead of blocking it).
        struct Seen {
            bool typedDialog = false, disabledBeforeTyping = false, disabledWhenWrong = false;
            QString text, otherBoxes;
        };
        auto seen = std::make_shared<Seen>();
        auto* timer = new QTimer(&window);
        connect(timer, &QTimer::timeout, timer, [seen] {
            QWidget* modal = QApplication::activeModalWidget();
            if (auto* dialog = qobject_cast<TypedConfirmDialog*>(modal)) {
                seen->typedDialog = true;
                seen->text = dialog->findChild<QLabel*>(QStringLiteral("confirmText"))->text();
                seen->disabledBeforeTyping = !dialog->confirmButton()->isEnabled();
                dialog->input()->setText(QStringLiteral("1"));
                seen->disabledWhenWrong = !dialog->confirmButton()->isEnabled();
                dialog->input()->setText(QStringLiteral("0"));
                dialog->confirmButton()->click();
            } else if (auto* box = qobject_cast<QMessageBox*>(modal)) {
                seen->otherBoxes += box->text() + QLatin1Char('\n') + box->informativeText();
                QAbstractButton* answer = box->defaultButton();
                (answer != nullptr ? answer : box->button(QMessageBox::Ok))->click();
            }
        });
        timer->start(10);
        window.actions().clearAll->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(seen->typedDialog || !seen->otherBoxes.isEmpty(), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(window.actions().clearAll->isEnabled(), 15000);
        timer->stop();
        QVERIFY2(seen->typedDialog, qPrintable(seen->otherBoxes));
        QVERIFY(seen->disabledBeforeTyping);
        QVERIFY(seen->disabledWhenWrong);
        QVERIFY2(seen->text.contains(QLatin1String("18 entries")), qPrintable(seen->text));
        QVERIFY2(seen->text.contains(QLatin1String("every key of database 0")),
                 qPrintable(seen->text));
        QVERIFY2(seen->otherBoxes.isEmpty(), qPrintable(seen->otherBoxes));
        QTRY_VERIFY_WITH_TIMEOUT(
            window.logPanel()->toPlainText().contains(QStringLiteral("removed 18 entries")), 15000);
        QCOMPARE(store.keys(), QStringList());
        const QString log = window.logPanel()->toPlainText();
        QVERIFY2(!log.contains(QLatin1String("::")) && !log.contains(QLatin1String("PlanRequest")),
                 qPrintable(log));
    }

    // What Redis cannot do is disabled, and the tooltip says why; Delete and Clear All stay.
    void redisCommandsItCannotDoAreDisabled() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        Store store{QStringLiteral("redis"), {}, {}};
        MainWindow window;
        const QString shown = showRedis(store, window);
        QVERIFY2(shown.isEmpty(), qPrintable(shown));
        QVERIFY(!window.actions().prune->isEnabled());
        QVERIFY2(window.actions().prune->toolTip().contains(QLatin1String("no storage time")),
                 qPrintable(window.actions().prune->toolTip()));
        QVERIFY(!window.actions().clearExpired->isEnabled());
        QVERIFY2(window.actions().clearExpired->toolTip().contains(
                     QLatin1String("expired keys by itself")),
                 qPrintable(window.actions().clearExpired->toolTip()));
        window.actions().prune->trigger();  // disabled: no size prompt
        QVERIFY(QApplication::activeModalWidget() == nullptr);
        // Another kind of source can again.
        Store disk{QStringLiteral("diskcache"), {}, {}};
        QVERIFY(disk.make().empty());
        QVERIFY(openAndLoad(window, disk.ref()));
        QTRY_VERIFY_WITH_TIMEOUT(window.actions().prune->isEnabled(), 15000);
        QVERIFY(window.actions().clearExpired->isEnabled());
    }

    // A detail that failed while the server was down is shown once the server answers again.
    void detailsRecoverWhenTheServerIsBack() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        Store store{QStringLiteral("redis"), {}, {}};
        MainWindow window;
        window.setStatsInterval(3600 * 1000);  // samples only when this test asks
        const QString shown = showRedis(store, window);
        QVERIFY2(shown.isEmpty(), qPrintable(shown));
        QTRY_COMPARE_WITH_TIMEOUT(window.statsPanel()->fieldText(QStringLiteral("entries")),
                                  QStringLiteral("18"), 15000);
        store.redis->kill();
        auto* view = window.findChild<QTableView*>(QStringLiteral("entriesView"));
        const QString key = window.entriesModel()->rowAt(1)->key;
        view->setCurrentIndex(window.entriesModel()->index(1, 0));
        // The first request after the kill finds the connection closed; later ones are refused.
        QTRY_VERIFY2_WITH_TIMEOUT(
            window.detailsPane()->messageText().contains(QLatin1String("closed the connection")) ||
                window.detailsPane()->messageText().contains(QLatin1String("refused")),
            qPrintable(window.detailsPane()->messageText()), 15000);
        const std::string restarted = store.redis->start();
        QVERIFY2(restarted.empty(), restarted.c_str());
        QVERIFY(fillRedis(store.redis->url()).empty());
        window.setStatsInterval(50);
        QTRY_COMPARE_WITH_TIMEOUT(window.detailsPane()->metadataValue(QStringLiteral("Key")), key,
                                  15000);
        QVERIFY(window.detailsPane()->messageText().isEmpty());
    }

    void redisNamespaceTree() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        Store store{QStringLiteral("redis"), {}, {}};
        const std::string error = store.make();
        QVERIFY2(error.empty(), error.c_str());
        MainWindow window;
        window.setNamespaceBudget(5);  // several scan steps even for 18 keys
        window.show();
        QVERIFY(openAndLoad(window, store.ref()));
        QTRY_VERIFY_WITH_TIMEOUT(window.namespaceScanComplete(), 15000);
        NamespaceModel* model = window.namespaceModel();
        QCOMPARE(model->keysOf(QStringLiteral("app")), quint64{12});
        QCOMPARE(model->keysOf(QStringLiteral("session")), quint64{5});
        QCOMPARE(model->keysOf(QString()), quint64{1});
        QCOMPARE(model->rowCount(model->rootIndex()), 3);
        // Most keys first.
        QCOMPARE(
            model->index(0, 0, model->rootIndex()).data(NamespaceModel::kPrefixRole).toString(),
            QStringLiteral("app"));
        QCOMPARE(window.namespaceStatus(), QStringLiteral("scanned 18 of ~18 keys (complete)"));
        QCOMPARE(window.findChild<QLabel*>(QStringLiteral("namespaceStatus"))->text(),
                 window.namespaceStatus());

        // Choosing a namespace lists its keys.
        auto* tree = window.findChild<QTreeView*>(QStringLiteral("namespacesView"));
        QModelIndex session;
        for (int row = 0; row < model->rowCount(model->rootIndex()); ++row) {
            const QModelIndex index = model->index(row, 0, model->rootIndex());
            if (index.data(NamespaceModel::kPrefixRole).toString() == QLatin1String("session"))
                session = index;
        }
        QVERIFY(session.isValid());
        QSignalSpy loaded(window.entriesModel(), &EntriesModel::pageLoaded);
        tree->setCurrentIndex(session);
        QCOMPARE(window.entriesModel()->filter(), QStringLiteral("session:*"));
        window.entriesModel()->fetchMore({});
        QVERIFY(loaded.wait(15000));
        loadAll(window);
        QCOMPARE(loadedKeys(window),
                 (QStringList{"session:0", "session:1", "session:2", "session:3", "session:4"}));
        // Keys with a TTL land in the "< 1 h" expiry bucket of the statistics.
        QTRY_COMPARE_WITH_TIMEOUT(window.statsPanel()->distribution().ttlCounts()[2], quint64{5},
                                  15000);
    }

    void redisNamespaceSubtree() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        RedisServer redis;
        const std::string error = redis.start();
        QVERIFY2(error.empty(), error.c_str());
        const QStringList out = twat_cache::test::redisPython(redis.url(), R"(
p = r.pipeline()
for k in ["app:user:1:profile", "app:user:1:settings", "app:user:2:profile", "app:user:count",
          "app:config", "app:cache:x", "odd[1]:a", "odd[1]:b", "odd1:c", "plain"]:
    p.set(k, "v")
p.execute()
print("ok")
)");
        QCOMPARE(out, QStringList{QStringLiteral("ok")});
        MainWindow window;
        window.setNamespaceBudget(3);  // the tree grows over several reports
        window.show();
        SourceRef ref;
        ref.kind = SourceKind::kRedis;
        ref.location = QString::fromStdString(redis.url());
        ref.name = QStringLiteral("nested redis");
        QVERIFY(openAndLoad(window, ref));
        QTRY_VERIFY_WITH_TIMEOUT(window.namespaceScanComplete(), 15000);
        QCOMPARE(window.namespaceStatus(), QStringLiteral("scanned 10 of ~10 keys (complete)"));
        NamespaceModel* model = window.namespaceModel();
        auto* tree = window.findChild<QTreeView*>(QStringLiteral("namespacesView"));
        const QModelIndex app = model->indexOf(QStringLiteral("app"));
        const QModelIndex user = model->indexOf(QStringLiteral("app:user"));
        QVERIFY(app.isValid() && user.isValid());
        QCOMPARE(user.parent(), app);
        QCOMPARE(model->keysOf(QStringLiteral("app")), quint64{6});
        QCOMPARE(model->keysOf(QStringLiteral("app:user")), quint64{4});
        QCOMPARE(model->keysOf(QStringLiteral("app:user:1")), quint64{2});
        QCOMPARE(user.data(NamespaceModel::kLeafCountRole).toULongLong(), quint64{1});

        // Expand app and choose app ▸ user: the entries view lists that subtree only.
        tree->expand(app);
        QVERIFY(tree->isExpanded(app));
        QVERIFY(tree->visualRect(user).isValid());
        auto choose = [&](const QModelIndex& index) {
            QSignalSpy loaded(window.entriesModel(), &EntriesModel::pageLoaded);
            tree->setCurrentIndex(index);
            window.entriesModel()->fetchMore({});
            if (!loaded.wait(15000)) return false;
            loadAll(window);
            return true;
        };
        QVERIFY(choose(user));
        QCOMPARE(window.entriesModel()->filter(), QStringLiteral("app:user:*"));
        QCOMPARE(loadedKeys(window), (QStringList{"app:user:1:profile", "app:user:1:settings",
                                                  "app:user:2:profile", "app:user:count"}));
        // One level deeper.
        tree->expand(user);
        QVERIFY(choose(model->indexOf(QStringLiteral("app:user:1"))));
        QCOMPARE(loadedKeys(window), (QStringList{"app:user:1:profile", "app:user:1:settings"}));
        QVERIFY(tree->isExpanded(app));
        // Glob characters in a prefix are matched literally.
        QVERIFY(choose(model->indexOf(QStringLiteral("odd[1]"))));
        QCOMPARE(window.entriesModel()->filter(), QStringLiteral("odd\\[1\\]:*"));
        QCOMPARE(loadedKeys(window), (QStringList{"odd[1]:a", "odd[1]:b"}));
    }
};

QTEST_MAIN(TestInspectorSources)
#include "test_inspector_sources.moc"
