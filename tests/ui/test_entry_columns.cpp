// The entries table's columns per kind of source, in the real window over real caches: a
// Redis server shows Key, Type, TTL, Length, Memory and Encoding (as the server says) and not
// Size, Stored or Accessed; a python-diskcache folder shows its Tag and Hits and no Redis
// column; widths and hidden columns are remembered per kind across a restart of the window
// (QSettings in a temporary folder); the TTL counts down on the model's clock without asking
// the server; the Type filter lists only keys of one type and is offered for Redis only.
#include <QComboBox>
#include <QHeaderView>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTableView>
#include <QtTest>

#include "models/entries_model.h"
#include "redis_commands.h"
#include "redis_server.h"
#include "ui_fixtures.h"
#include "views/entries_columns.h"
#include "views/main_window.h"
#include "workers/source_client.h"

using namespace twat_cache::ui;
using twat_cache::test::RawRedis;
using twat_cache::test::RedisServer;
using twat_cache::test::TempDir;

namespace {

constexpr int kRedisColumns[] = {EntriesModel::kKey,    EntriesModel::kType,
                                 EntriesModel::kTtl,    EntriesModel::kLength,
                                 EntriesModel::kMemory, EntriesModel::kEncoding};

QTableView* entriesView(MainWindow& window) {
    return window.findChild<QTableView*>(QStringLiteral("entriesView"));
}

// Opens `ref` in `window` and waits until its whole listing is in.
bool openAndLoad(MainWindow& window, const SourceRef& ref) {
    window.addSource(ref);
    EntriesModel* model = window.entriesModel();
    QSignalSpy loaded(model, &EntriesModel::pageLoaded);
    model->fetchMore({});
    for (int i = 0; i < 100 && !model->isComplete(); ++i) {
        if (!loaded.wait(10000) || !model->lastError().isEmpty()) return false;
        if (model->canFetchMore({})) model->fetchMore({});
    }
    return model->isComplete() && model->rowCount() > 0;
}

// The row of `key` in the model (-1: not loaded).
int rowOf(const EntriesModel& model, const QString& key) {
    for (int row = 0; row < model.rowCount(); ++row) {
        if (model.rows().at(row).key == key) return row;
    }
    return -1;
}

QString cell(const EntriesModel& model, const QString& key, int column) {
    return model.index(rowOf(model, key), column).data().toString();
}

}  // namespace

class TestEntryColumns : public QObject {
    Q_OBJECT

    TempDir m_settingsDir;
    TempDir m_cacheDir;
    std::unique_ptr<RedisServer> m_redis;
    SourceRef m_redisRef;
    SourceRef m_diskcacheRef;

  private slots:
    void initTestCase() {
        QVERIFY(m_settingsDir.ok() && m_cacheDir.ok());
        twat_cache::test::isolateSettings(m_settingsDir.path());
        QCoreApplication::setOrganizationName(QStringLiteral("twat-cache-test"));
        QCoreApplication::setApplicationName(QStringLiteral("test_entry_columns"));
        qputenv("TWAT_CACHE_DIR", QByteArray::fromStdString(m_settingsDir.path().string()));
        const std::string error = twat_cache::test::makeDiskcache(m_cacheDir.path(), 5);
        QVERIFY2(error.empty(), error.c_str());
        m_diskcacheRef = folderSourceRef(QString::fromStdString(m_cacheDir.path().string()));
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        m_redis = std::make_unique<RedisServer>();
        const std::string started = m_redis->start();
        QVERIFY2(started.empty(), started.c_str());
        QVERIFY(twat_cache::test::runRedisCommands(m_redis->port(),
                                                   {{"SET", "s:int", "12345"},
                                                    {"SET", "s:ttl", "soon", "PX", "600000"},
                                                    {"HSET", "h:small", "a", "1", "b", "2"},
                                                    {"RPUSH", "l:list", "a", "b", "c"},
                                                    {"SADD", "set:ints", "1", "2", "3"},
                                                    {"ZADD", "z:zset", "1", "one"},
                                                    {"XADD", "x:stream", "*", "f", "v"}}));
        m_redisRef.kind = SourceKind::kRedis;
        m_redisRef.location = QString::fromStdString(m_redis->url());
        m_redisRef.name = QStringLiteral("columns redis");
    }

    void init() { QSettings().clear(); }

    // Redis: the Redis columns, filled in as the server says; not Size, Stored or Accessed.
    void redisShowsRedisColumns() {
        MainWindow window;
        QVERIFY(openAndLoad(window, m_redisRef));
        QTableView* view = entriesView(window);
        EntriesModel* model = window.entriesModel();
        for (const int column : kRedisColumns)
            QVERIFY2(!view->isColumnHidden(column), qPrintable(QString::number(column)));
        for (const int column :
             {EntriesModel::kSize, EntriesModel::kCreated, EntriesModel::kAccessed,
              EntriesModel::kExpires, EntriesModel::kHits, EntriesModel::kTag}) {
            QVERIFY(view->isColumnHidden(column));
        }
        QCOMPARE(model->headerData(EntriesModel::kTtl, Qt::Horizontal).toString(),
                 QStringLiteral("TTL"));
        RawRedis raw(m_redis->port());
        for (const char* key :
             {"s:int", "s:ttl", "h:small", "l:list", "set:ints", "z:zset", "x:stream"}) {
            const QString k = QString::fromLatin1(key);
            QCOMPARE(cell(*model, k, EntriesModel::kType),
                     QString::fromStdString(raw.run({"TYPE", key})));
            QCOMPARE(cell(*model, k, EntriesModel::kEncoding),
                     QString::fromStdString(raw.run({"OBJECT", "ENCODING", key})));
        }
        QCOMPARE(cell(*model, QStringLiteral("l:list"), EntriesModel::kLength),
                 QStringLiteral("3"));
        QCOMPARE(cell(*model, QStringLiteral("s:int"), EntriesModel::kTtl),
                 QStringLiteral("no TTL"));
        // 600 s less the time since the listing read it.
        const QString ttl = cell(*model, QStringLiteral("s:ttl"), EntriesModel::kTtl);
        QVERIFY2(QRegularExpression(QStringLiteral("^(10m 00s|9m \\d\\ds)$")).match(ttl).hasMatch(),
                 qPrintable(ttl));
        // The Type filter is offered for Redis.
        QVERIFY(window.findChild<QComboBox*>(QStringLiteral("typeFilter"))->isVisibleTo(&window));
    }

    // A python-diskcache folder: its own columns, Tag among them; no Redis column.
    void diskcacheShowsTag() {
        MainWindow window;
        QVERIFY(openAndLoad(window, m_diskcacheRef));
        QTableView* view = entriesView(window);
        for (const int column : {EntriesModel::kKey, EntriesModel::kSize, EntriesModel::kCreated,
                                 EntriesModel::kAccessed, EntriesModel::kExpires,
                                 EntriesModel::kHits, EntriesModel::kTag}) {
            QVERIFY(!view->isColumnHidden(column));
        }
        for (const int column : {EntriesModel::kType, EntriesModel::kTtl, EntriesModel::kLength,
                                 EntriesModel::kMemory, EntriesModel::kEncoding}) {
            QVERIFY(view->isColumnHidden(column));
        }
        QCOMPARE(
            window.entriesModel()->headerData(EntriesModel::kCreated, Qt::Horizontal).toString(),
            QStringLiteral("Stored"));
        QVERIFY(!window.findChild<QComboBox*>(QStringLiteral("typeFilter"))->isVisibleTo(&window));
    }

    // Widths and hidden columns are remembered per kind of source, across a restart.
    void layoutRememberedPerKind() {
        {
            MainWindow window;
            QVERIFY(openAndLoad(window, m_redisRef));
            QTableView* view = entriesView(window);
            view->horizontalHeader()->resizeSection(EntriesModel::kMemory, 173);
            view->findChild<EntriesColumns*>()->setColumnShown(EntriesModel::kEncoding, false);
            QVERIFY(view->isColumnHidden(EntriesModel::kEncoding));
            QVERIFY(openAndLoad(window, m_diskcacheRef));
            QVERIFY(!view->isColumnHidden(EntriesModel::kSize));
            view->horizontalHeader()->resizeSection(EntriesModel::kSize, 151);
            view->horizontalHeader()->resizeSection(EntriesModel::kTag, 222);
        }
        MainWindow window;  // a new session
        QTableView* view = entriesView(window);
        QVERIFY(openAndLoad(window, m_diskcacheRef));
        QCOMPARE(view->columnWidth(EntriesModel::kSize), 151);
        QCOMPARE(view->columnWidth(EntriesModel::kTag), 222);
        QVERIFY(!view->isColumnHidden(EntriesModel::kTag));
        QVERIFY(openAndLoad(window, m_redisRef));
        QCOMPARE(view->columnWidth(EntriesModel::kMemory), 173);
        QVERIFY(view->isColumnHidden(EntriesModel::kEncoding));  // hidden by the user
        QVERIFY(!view->isColumnHidden(EntriesModel::kLength));
        // And back: the diskcache layout again, not Redis's.
        QVERIFY(openAndLoad(window, m_diskcacheRef));
        QCOMPARE(view->columnWidth(EntriesModel::kSize), 151);
    }

    // The TTL counts down on the model's clock, redrawn every second without a server call.
    void ttlCountsDown() {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(openAndLoad(window, m_redisRef));
        EntriesModel* model = window.entriesModel();
        const int row = rowOf(*model, QStringLiteral("s:ttl"));
        QVERIFY(row >= 0);
        const qint64 expires = model->rows().at(row).expiresMs;
        QVERIFY(expires > 0);
        auto now = std::make_shared<qint64>(expires - 65'000);
        model->setClock([now] { return *now; });
        QCOMPARE(cell(*model, QStringLiteral("s:ttl"), EntriesModel::kTtl),
                 QStringLiteral("1m 05s"));
        QSignalSpy changed(model, &QAbstractItemModel::dataChanged);
        QSignalSpy pages(window.currentSource(), &SourceClient::pageReady);
        *now = expires - 9'000;
        QVERIFY(changed.wait(3000));  // the countdown's timer
        const QModelIndex first = changed.last().at(0).value<QModelIndex>();
        QCOMPARE(first.column(), int(EntriesModel::kTtl));
        QCOMPARE(cell(*model, QStringLiteral("s:ttl"), EntriesModel::kTtl), QStringLiteral("9s"));
        *now = expires + 1;
        QVERIFY(changed.wait(3000));
        QCOMPARE(cell(*model, QStringLiteral("s:ttl"), EntriesModel::kTtl),
                 QStringLiteral("expired"));
        QCOMPARE(cell(*model, QStringLiteral("s:int"), EntriesModel::kTtl),
                 QStringLiteral("no TTL"));
        QCOMPARE(pages.size(), 0);  // the server was not asked again
    }

    // The Type filter lists only the keys of one type.
    void typeFilterListsOneType() {
        MainWindow window;
        QVERIFY(openAndLoad(window, m_redisRef));
        EntriesModel* model = window.entriesModel();
        auto* combo = window.findChild<QComboBox*>(QStringLiteral("typeFilter"));
        const int hash = combo->findData(QStringLiteral("hash"));
        QVERIFY(hash > 0);
        combo->setCurrentIndex(hash);
        emit combo->activated(hash);
        QCOMPARE(model->typeFilter(), QStringLiteral("hash"));
        model->fetchMore({});
        QTRY_VERIFY_WITH_TIMEOUT(model->isComplete() && !model->isLoading(), 10000);
        QCOMPARE(twat_cache::test::loadedKeys(*model), QStringList{QStringLiteral("h:small")});
        // Another kind of source has no types: the filter goes.
        QVERIFY(openAndLoad(window, m_diskcacheRef));
        QCOMPARE(model->typeFilter(), QString());
    }
};

QTEST_MAIN(TestEntryColumns)
#include "test_entry_columns.moc"
