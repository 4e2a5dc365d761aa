// SourceClient and its worker thread: a real worker thread over a real python-diskcache folder;
// replies to invalidated requests are dropped, current ones are delivered.
#include <QSignalSpy>
#include <QtTest>

#include "ui_fixtures.h"
#include "workers/source_client.h"

using namespace twat_cache::ui;
using twat_cache::test::TempDir;

class TestSourceWorker : public QObject {
    Q_OBJECT

  private:
    TempDir m_dir;
    SourceRef m_ref;
    static constexpr int kEntries = 30;

  private slots:
    void initTestCase() {
        QVERIFY(m_dir.ok());
        const std::string error = twat_cache::test::makeDiskcache(m_dir.path(), kEntries);
        QVERIFY2(error.empty(), error.c_str());
        m_ref = folderSourceRef(QString::fromStdString(m_dir.path().string()));
    }

    void openAnswersOnTheWorkerThread() {
        SourceClient client(m_ref);
        QSignalSpy opened(&client, &SourceClient::opened);
        client.open();
        QVERIFY(opened.wait(10000));
        const QString error = opened.at(0).at(0).toString();
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void currentPageIsDelivered() {
        SourceClient client(m_ref);
        QSignalSpy pages(&client, &SourceClient::pageReady);
        client.open();
        client.requestPage({}, {}, 1000);
        QVERIFY(pages.wait(10000));
        QCOMPARE(client.droppedReplies(), 0u);
        const auto page = pages.at(0).at(0).value<EntryPage>();
        const QString error = pages.at(0).at(1).toString();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(page.rows.size(), kEntries + 1);  // + "json-doc"
        QVERIFY(page.complete);
    }

    void invalidatedPageIsDropped() {
        SourceClient client(m_ref);
        QSignalSpy pages(&client, &SourceClient::pageReady);
        QSignalSpy dropped(&client, &SourceClient::staleReplyDropped);
        client.open();
        client.requestPage({}, {}, 10);
        // Replies are queued to this thread, so none can be handled before the event loop
        // runs: this invalidation always precedes the reply's arrival.
        client.invalidate(SourceClient::Channel::kEntries);
        QVERIFY(dropped.wait(10000));
        QCOMPARE(dropped.at(0).at(0).value<SourceClient::Channel>(),
                 SourceClient::Channel::kEntries);
        QCOMPARE(pages.count(), 0);
        QCOMPARE(client.droppedReplies(), 1u);

        // The next request of the new generation gets through.
        client.requestPage({}, {}, 10);
        QVERIFY(pages.wait(10000));
        QCOMPARE(client.droppedReplies(), 1u);
        QCOMPARE(pages.at(0).at(0).value<EntryPage>().rows.size(), 10);
    }

    void onlyTheLatestDetailCounts_data() {
        QTest::addColumn<int>("requests");
        QTest::newRow("two") << 2;
        QTest::newRow("ten") << 10;
    }

    void onlyTheLatestDetailCounts() {
        QFETCH(int, requests);
        SourceClient client(m_ref);
        QSignalSpy details(&client, &SourceClient::detailReady);
        QSignalSpy dropped(&client, &SourceClient::staleReplyDropped);
        client.open();
        for (int i = 0; i < requests; ++i) client.requestDetail(QByteArray::number(i), 1024);
        QVERIFY(details.wait(10000));
        QTRY_COMPARE_WITH_TIMEOUT(dropped.count(), requests - 1, 10000);
        QCOMPARE(details.count(), 1);
        QCOMPARE(client.droppedReplies(), static_cast<quint64>(requests - 1));
    }

    void statsAreDelivered() {
        SourceClient client(m_ref);
        QSignalSpy stats(&client, &SourceClient::statsReady);
        client.open();
        client.requestStats();
        QVERIFY(stats.wait(10000));
        const auto value = stats.at(0).at(0).value<SourceStats>();
        const QString error = stats.at(0).at(1).toString();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(value.entries.has_value());
        QCOMPARE(*value.entries, static_cast<quint64>(kEntries + 1));
    }
};

QTEST_GUILESS_MAIN(TestSourceWorker)
#include "test_source_worker.moc"
