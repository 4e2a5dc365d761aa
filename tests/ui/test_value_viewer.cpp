// The value viewer in the real window, offscreen, on a real redis-server: a hash of 100,000
// fields shows its first page only and loads more as the table scrolls; the search box
// (MATCH) and the zset score range ask the server anew; a binary string shows as a hex dump
// with offsets and is saved to a file page by page (and a cancelled save leaves no file);
// a page for a key no longer shown is dropped.
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QtTest>

#include "models/entries_model.h"
#include "models/value_page_model.h"
#include "redis_commands.h"
#include "redis_server.h"
#include "ui_fixtures.h"
#include "views/details_pane.h"
#include "views/main_window.h"
#include "views/value_table_view.h"
#include "workers/source_client.h"

using namespace twat_cache::ui;
using twat_cache::test::RedisServer;
using twat_cache::test::TempDir;

namespace {

constexpr int kHashFields = 100'000;
constexpr int kStringBytes = 3 << 20;

QByteArray binaryString() {
    QByteArray b(kStringBytes, '\0');
    for (int i = 0; i < b.size(); ++i) b[i] = static_cast<char>((i * 13 + i / 256) & 0xff);
    return b;
}

}  // namespace

class TestValueViewer : public QObject {
    Q_OBJECT

    TempDir m_settingsDir;
    TempDir m_files;
    std::unique_ptr<RedisServer> m_redis;
    std::unique_ptr<MainWindow> m_window;

    ValueTableView* viewer() { return m_window->detailsPane()->pagesView(); }
    ValuePageModel* pages() { return viewer()->model(); }

    // Selects the entry with key `key` and waits for its first value page.
    bool select(const QString& key) {
        const QList<EntryRow>& rows = m_window->entriesModel()->rows();
        int row = -1;
        for (int i = 0; i < rows.size(); ++i) {
            if (rows[i].key == key) row = i;
        }
        if (row < 0) return false;
        QSignalSpy detail(m_window->currentSource(), &SourceClient::detailReady);
        QSignalSpy page(m_window->currentSource(), &SourceClient::valuePageReady);
        auto* view = m_window->findChild<QTableView*>(QStringLiteral("entriesView"));
        view->setCurrentIndex({});  // so that selecting the same key again loads it again
        view->setCurrentIndex(m_window->entriesModel()->index(row, 0));
        if (!detail.wait(10000)) return false;
        return page.count() > 0 || page.wait(10000);
    }

  private slots:
    void initTestCase() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        twat_cache::test::isolateSettings(m_settingsDir.path());
        m_redis = std::make_unique<RedisServer>();
        const std::string error = m_redis->start();
        QVERIFY2(error.empty(), error.c_str());
        std::vector<std::vector<std::string>> c;
        for (int from = 0; from < kHashFields; from += 1000) {
            std::vector<std::string> hset = {"HSET", "big:hash"};
            for (int i = from; i < from + 1000; ++i) {
                hset.push_back("f" + std::to_string(i));
                hset.push_back("v" + std::to_string(i));
            }
            c.push_back(std::move(hset));
        }
        std::vector<std::string> zadd = {"ZADD", "big:zset"};
        for (int i = 0; i < 1000; ++i) {
            zadd.push_back(std::to_string(i));
            zadd.push_back("m" + std::to_string(i));
        }
        c.push_back(std::move(zadd));
        std::vector<std::string> rpush = {"RPUSH", "big:list"};
        for (int i = 0; i < 5000; ++i) rpush.push_back("e" + std::to_string(i));
        c.push_back(std::move(rpush));
        const QByteArray s = binaryString();
        c.push_back({"SET", "big:string", std::string(s.constData(), s.size())});
        QVERIFY(twat_cache::test::runRedisCommands(m_redis->port(), c));

        m_window = std::make_unique<MainWindow>();
        m_window->show();
        SourceRef ref;
        ref.kind = SourceKind::kRedis;
        ref.location = QString::fromStdString(m_redis->url());
        ref.name = QStringLiteral("values");
        QSignalSpy loaded(m_window->entriesModel(), &EntriesModel::pageLoaded);
        m_window->addSource(ref);
        QVERIFY(loaded.wait(15000));
        QTRY_COMPARE_WITH_TIMEOUT(m_window->entriesModel()->rowCount(), 4, 10000);
    }

    void hashRowsLoadOnDemand() {
        QVERIFY(select(QStringLiteral("big:hash")));
        QVERIFY(m_window->detailsPane()->pagesShown());
        QCOMPARE(pages()->kind(), QStringLiteral("hash"));
        QCOMPARE(pages()->rowCount(), ValueTableView::kRowsPerPage);
        QCOMPARE(pages()->total().value_or(0), quint64(kHashFields));
        QCOMPARE(pages()->headerData(0, Qt::Horizontal).toString(), QStringLiteral("Field"));
        const QString field = pages()->index(0, 0).data().toString();
        QCOMPARE(pages()->index(0, 1).data().toString(), QLatin1Char('v') + field.mid(1));
        // Nothing more arrives until the table scrolls to its end.
        QTest::qWait(300);
        QCOMPARE(pages()->rowCount(), ValueTableView::kRowsPerPage);
        QSignalSpy page(m_window->currentSource(), &SourceClient::valuePageReady);
        viewer()->table()->scrollToBottom();
        QTRY_COMPARE_WITH_TIMEOUT(pages()->rowCount(), 2 * ValueTableView::kRowsPerPage, 10000);
        QVERIFY(pages()->rowCount() < kHashFields);
    }

    void hashSearchAsksTheServer() {
        QVERIFY(select(QStringLiteral("big:hash")));
        auto* search = viewer()->findChild<QLineEdit*>(QStringLiteral("valueSearch"));
        QVERIFY(search->isVisibleTo(viewer()));
        search->setText(QStringLiteral("f4242*"));
        QTRY_VERIFY_WITH_TIMEOUT(pages()->complete() && !pages()->loading(), 15000);
        QStringList fields;
        for (int i = 0; i < pages()->rowCount(); ++i)
            fields << pages()->index(i, 0).data().toString();
        fields.sort();
        QStringList expect = {QStringLiteral("f4242")};
        for (int i = 0; i < 10; ++i) expect << QStringLiteral("f4242%1").arg(i);
        expect.sort();
        QCOMPARE(fields, expect);
    }

    void zsetByScore() {
        QVERIFY(select(QStringLiteral("big:zset")));
        QCOMPARE(pages()->headerData(1, Qt::Horizontal).toString(), QStringLiteral("Score"));
        QCOMPARE(pages()->index(0, 0).data().toString(), QStringLiteral("m0"));
        auto* order = viewer()->findChild<QComboBox*>(QStringLiteral("valueOrder"));
        auto edits = viewer()->findChildren<QLineEdit*>();
        QLineEdit* min = nullptr;
        QLineEdit* max = nullptr;
        for (QLineEdit* e : edits) {
            if (e->text() == QLatin1String("-inf")) min = e;
            if (e->text() == QLatin1String("+inf")) max = e;
        }
        QVERIFY(min && max);
        min->setText(QStringLiteral("500"));
        max->setText(QStringLiteral("(510"));
        order->setCurrentIndex(1);  // by score: asks again with the range
        QTRY_VERIFY_WITH_TIMEOUT(pages()->complete() && !pages()->loading(), 10000);
        QCOMPARE(pages()->rowCount(), 10);
        QCOMPARE(pages()->index(0, 0).data().toString(), QStringLiteral("m500"));
        QCOMPARE(pages()->index(9, 1).data().toString(), QStringLiteral("509"));
        order->setCurrentIndex(0);
    }

    void stringHexDumpAndSave() {
        QVERIFY(select(QStringLiteral("big:string")));
        QCOMPARE(pages()->kind(), QStringLiteral("string"));
        QCOMPARE(pages()->rowCount(), ValueTableView::kStringBytesPerPage / 16);
        QCOMPARE(pages()->index(1, 0).data().toString(),
                 QStringLiteral("00000010  d0 dd ea f7 04 11 1e 2b  38 45 52 5f 6c 79 86 93  "
                                "|.......+8ER_ly..|"));
        const QString path = QString::fromStdString((m_files.path() / "value.bin").string());
        QSignalSpy saved(viewer(), &ValueTableView::saveFinished);
        QSignalSpy progress(m_window->currentSource(), &SourceClient::saveProgress);
        viewer()->saveTo(path);
        QVERIFY(saved.wait(30000));
        QCOMPARE(saved.first().at(1).toString(), QString());
        QCOMPARE(saved.first().at(0).toULongLong(), quint64(kStringBytes));
        QCOMPARE(progress.count(), 3);  // one per MiB page
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(file.readAll() == binaryString());
    }

    void cancelledSaveLeavesNoFile() {
        QVERIFY(select(QStringLiteral("big:string")));
        const QString path = QString::fromStdString((m_files.path() / "cancelled.bin").string());
        QSignalSpy saved(viewer(), &ValueTableView::saveFinished);
        // Cancelled on the worker between two pages, as Cancel in the progress dialog does.
        SourceClient* client = m_window->currentSource();
        int pagesWritten = 0;
        const auto cancelling = connect(
            client, &SourceClient::saveProgress, client,
            [client, &pagesWritten] {
                ++pagesWritten;
                client->cancelSave();
            },
            Qt::DirectConnection);
        viewer()->saveTo(path);
        QVERIFY(saved.wait(30000));
        disconnect(cancelling);
        QCOMPARE(pagesWritten, 1);
        QVERIFY(!saved.first().at(1).toString().isEmpty());
        QVERIFY(!QFile::exists(path));
    }

    void staleReplyIsDropped() {
        QSignalSpy dropped(m_window->currentSource(), &SourceClient::staleReplyDropped);
        QVERIFY(select(QStringLiteral("big:hash")));
        // Ask for the next page, then show another key before it arrives.
        pages()->fetchMore();
        QVERIFY(select(QStringLiteral("big:list")));
        QTRY_VERIFY_WITH_TIMEOUT(!dropped.isEmpty(), 10000);
        QCOMPARE(pages()->kind(), QStringLiteral("list"));
        QCOMPARE(pages()->headerData(0, Qt::Horizontal).toString(), QStringLiteral("Index"));
        QCOMPARE(pages()->index(3, 1).data().toString(), QStringLiteral("e3"));
        QCOMPARE(pages()->rowCount(), ValueTableView::kRowsPerPage);
    }

    void cleanupTestCase() { m_window.reset(); }
};

QTEST_MAIN(TestValueViewer)
#include "test_value_viewer.moc"
