// The entries' bulk and copy commands through the real window (offscreen) on a real
// redis-server, checked on the server, in the clipboard and in the files written:
// Delete All Matching… (the preview counts every matching key, not only the rows loaded;
// after the confirmation exactly those keys are gone — a key added after the preview and one
// changed since are kept — and the deletion is in the audit log; it needs a filter and is
// disabled in read-only mode), Copy Key (Ctrl+C on the table), Copy Value (bounded: a larger
// value is refused with a message), Copy as redis-cli Command (run through sh and the real
// redis-cli: it reads the value, on a Redis Cluster too), and File ▸ Export Listing… (every match
// written; Cancel leaves no file).
#include <QApplication>
#include <QClipboard>
#include <QFile>
#include <QFileInfo>
#include <QMessageBox>
#include <QProgressDialog>
#include <QSignalSpy>
#include <QTableView>
#include <QTimer>
#include <QtTest>

#include "models/entries_model.h"
#include "redis_cluster.h"
#include "redis_commands.h"
#include "redis_server.h"
#include "twat_cache/audit_log.h"
#include "ui_fixtures.h"
#include "views/details_pane.h"
#include "views/entry_clipboard.h"
#include "views/listing_exporter.h"
#include "views/log_panel.h"
#include "views/main_window.h"
#include "views/value_table_view.h"
#include "window_fixtures.h"
#include "workers/redis_cli_command.h"
#include "workers/source_client.h"

using namespace twat_cache::ui;
using twat_cache::test::RawRedis;
using twat_cache::test::RedisCluster;
using twat_cache::test::RedisServer;

namespace {

constexpr int kSessions = 3000;  // more than one page of rows

}  // namespace

class TestEntryCommands : public QObject {
    Q_OBJECT

    twat_cache::test::TempDir m_settingsDir;
    std::unique_ptr<RedisServer> m_server;
    std::unique_ptr<RawRedis> m_raw;

    bool open(MainWindow& window) {
        return twat_cache::test::openRedisSource(window, m_server->url(),
                                                 QStringLiteral("commands redis"));
    }

    static bool select(MainWindow& window, const QString& key) {
        return twat_cache::test::selectKey(window, key);
    }

    static QTableView* entriesView(MainWindow& window) {
        return window.findChild<QTableView*>(QStringLiteral("entriesView"));
    }

    bool logSays(MainWindow& window, const QString& text) {
        return window.logPanel()->toPlainText().contains(text);
    }

    long long dbSize() { return std::stoll(m_raw->run({"DBSIZE"})); }

  private slots:
    void initTestCase() {
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        QVERIFY(m_settingsDir.ok());
        twat_cache::test::isolateSettings(m_settingsDir.path());
        // The audit log of this test's deletions.
        qputenv("XDG_STATE_HOME", QByteArray::fromStdString(m_settingsDir.path().string()));
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        m_server = std::make_unique<RedisServer>();
        const std::string error = m_server->start();
        QVERIFY2(error.empty(), error.c_str());
        m_raw = std::make_unique<RawRedis>(m_server->port());
    }

    void init() {
        m_raw->run({"FLUSHALL"});
        std::vector<std::pair<std::string, std::string>> keys;
        for (int i = 0; i < kSessions; ++i) keys.emplace_back("sess:" + std::to_string(i), "s");
        for (int i = 0; i < 50; ++i) keys.emplace_back("other:" + std::to_string(i), "o");
        QVERIFY(twat_cache::test::runRedisCommands(m_server->port(),
                                                   twat_cache::test::msetCommands(keys)));
        m_raw->run({"RPUSH", "sess:list", "a"});
    }

    void deleteAllMatchingDeletesWhatThePreviewShowed() {
        MainWindow window;
        window.show();
        QVERIFY(open(window));
        QAction* deleteMatching = window.actions().deleteMatching;
        QVERIFY(!deleteMatching->isEnabled());  // no filter: it would delete everything
        QVERIFY2(deleteMatching->toolTip().contains(QLatin1String("Type a filter first")),
                 qPrintable(deleteMatching->toolTip()));
        QVERIFY(entriesView(window)->actions().contains(deleteMatching));  // context menu
        window.setFilterText(QStringLiteral("sess:*"));
        QTRY_VERIFY_WITH_TIMEOUT(deleteMatching->isEnabled(), 10000);
        QVERIFY(window.entriesModel()->rowCount() < kSessions);  // not every row is loaded

        // While the preview is shown: a key is added and a matching one changes.
        QString preview;
        auto* timer = new QTimer(this);
        connect(timer, &QTimer::timeout, this, [&, timer] {
            auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
            if (box == nullptr) return;
            timer->deleteLater();
            preview = box->text() + QLatin1Char('\n') + box->informativeText();
            m_raw->run({"SET", "sess:new", "n"});
            m_raw->run({"RPUSH", "sess:list", "b"});
            box->button(QMessageBox::Ok)->click();
        });
        timer->start(10);
        deleteMatching->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(logSays(window, QStringLiteral("removed 3,000 entries")), 20000);
        QVERIFY2(preview.contains(QStringLiteral("3,001 entries")), qPrintable(preview));
        QVERIFY2(preview.contains(QStringLiteral("sess:")), qPrintable(preview));  // a sample
        QVERIFY(logSays(window, QStringLiteral("kept 1 entry that changed since the preview")));
        for (int i = 0; i < kSessions; i += 97) {
            QCOMPARE(m_raw->run({"EXISTS", "sess:" + std::to_string(i)}), std::string("0"));
        }
        QCOMPARE(m_raw->run({"EXISTS", "sess:new"}), std::string("1"));
        QCOMPARE(m_raw->run({"LLEN", "sess:list"}), std::string("2"));
        QCOMPARE(dbSize(), 52LL);  // other:0..49, sess:new, sess:list

        auto log = twat_cache::readAuditLog(twat_cache::auditLogPath(), 10);
        QVERIFY2(log.ok(), log.status().toString().c_str());
        QVERIFY(!log->records.empty());
        const auto& record = log->records.back();
        QCOMPARE(record.action, std::string("match_glob"));
        QVERIFY2(record.what.find("sess:*") != std::string::npos, record.what.c_str());
        QCOMPARE(record.deleted, std::uint64_t{kSessions});
        QCOMPARE(record.changed, std::uint64_t{1});
    }

    void deleteAllMatchingIsOffInReadOnlyMode() {
        MainWindow window;
        window.show();
        QVERIFY(open(window));
        window.setFilterText(QStringLiteral("sess:*"));
        QTRY_VERIFY_WITH_TIMEOUT(window.actions().deleteMatching->isEnabled(), 10000);
        window.setReadOnly(true);
        QVERIFY(!window.actions().deleteMatching->isEnabled());
        QVERIFY(window.actions().deleteMatching->toolTip().contains(
            QLatin1String("Read-only mode is on")));
        window.actions().deleteMatching->trigger();  // disabled: does nothing
        QVERIFY(QApplication::activeModalWidget() == nullptr);
        QCOMPARE(dbSize(), kSessions + 51LL);
    }

    void copyKeyValueAndRedisCliCommand() {
        const std::string weird = "we'ird key, \"quoted\"";
        m_raw->run({"SET", weird, "the value\nline 2"});
        m_raw->run({"HSET", "h:1", "field", "v1"});
        m_raw->run({"SET", "big", std::string(EntryClipboard::kCopyValueBytes + 10, 'x')});
        MainWindow window;
        window.show();
        QVERIFY(open(window));
        QClipboard* clipboard = QGuiApplication::clipboard();

        // Ctrl+C on the table copies the selected key.
        QVERIFY(select(window, QStringLiteral("other:7")));
        QTableView* view = entriesView(window);
        view->setFocus();
        QTRY_VERIFY(view->hasFocus());
        clipboard->clear();
        QTest::keyClick(view, Qt::Key_C, Qt::ControlModifier);
        QCOMPARE(clipboard->text(), QStringLiteral("other:7"));
        // Every selected key, one a line (the view's own Ctrl+C copies one cell).
        const QModelIndex current = view->selectionModel()->selectedRows().front();
        const QModelIndex next = current.siblingAtRow(current.row() + 1);
        view->selectionModel()->select(next,
                                       QItemSelectionModel::Select | QItemSelectionModel::Rows);
        QTest::keyClick(view, Qt::Key_C, Qt::ControlModifier);
        QCOMPARE(clipboard->text(), QStringLiteral("other:7\n") + next.data().toString());

        // Copy Value: fetched through the worker.
        QVERIFY(select(window, QString::fromStdString(weird)));
        QTRY_VERIFY(window.actions().copyValue->isEnabled());
        window.actions().copyValue->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(clipboard->text(), QStringLiteral("the value\nline 2"), 10000);

        // Copy as redis-cli Command: the real redis-cli reads the same value with it.
        window.actions().copyRedisCli->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(clipboard->text().startsWith(QLatin1String("redis-cli ")), 10000);
        const QString command = clipboard->text();
        QCOMPARE(command, QStringLiteral("redis-cli -h 127.0.0.1 -p %1 GET 'we'\\''ird key, "
                                         "\"quoted\"'")
                              .arg(m_server->port()));
        auto ran = twat_cache::test::runProcess("/bin/sh", {"-c", command.toStdString()});
        QVERIFY2(ran.finished && ran.exitCode == 0, ran.err.c_str());
        QCOMPARE(ran.out, std::string("the value\nline 2\n"));

        QVERIFY(select(window, QStringLiteral("h:1")));
        QTRY_VERIFY(window.actions().copyRedisCli->isEnabled());
        window.actions().copyRedisCli->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(
            clipboard->text(),
            QStringLiteral("redis-cli -h 127.0.0.1 -p %1 HGETALL h:1").arg(m_server->port()),
            10000);

        // A value over the bound is not copied; a message says why.
        QVERIFY(select(window, QStringLiteral("big")));
        clipboard->setText(QStringLiteral("before"));
        window.actions().copyValue->trigger();
        QMessageBox* refused = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (refused = window.findChild<QMessageBox*>(QStringLiteral("copyRefused"))) != nullptr,
            10000);
        QVERIFY2(refused->text().contains(QLatin1String("too large to copy")),
                 qPrintable(refused->text()));
        refused->accept();
        QCOMPARE(clipboard->text(), QStringLiteral("before"));
    }

    // On a Redis Cluster the command follows the cluster's redirections (-c): it reads a key
    // that another master than the one in the connection's URL serves.
    void copyRedisCliCommandOfAClusterKey() {
        if (!RedisCluster::available()) QSKIP(RedisCluster::skipReason().c_str());
        RedisCluster::Options options;
        options.replicas_per_master = 0;
        RedisCluster cluster(options);
        const std::string started = cluster.start();
        QVERIFY2(started.empty(), started.c_str());
        const int seed = cluster.ports().front();
        std::string key;
        for (int i = 0; i < 100 && key.empty(); ++i) {
            const std::string candidate = "user:" + std::to_string(i);
            if (cluster.masterPortForSlot(cluster.keySlot(candidate)) != seed) key = candidate;
        }
        QVERIFY(!key.empty());
        const QString name = QString::fromStdString(key);
        QCOMPARE(cluster.command(seed, {"-c", "SET", name, "cluster value"}), std::string("OK\n"));

        MainWindow window;
        window.show();
        QVERIFY(twat_cache::test::openRedisSource(window, cluster.seedUrl(),
                                                  QStringLiteral("commands cluster")));
        QVERIFY(select(window, name));
        QTRY_VERIFY_WITH_TIMEOUT(window.actions().copyRedisCli->isEnabled(), 10000);
        QClipboard* clipboard = QGuiApplication::clipboard();
        clipboard->clear();
        window.actions().copyRedisCli->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(clipboard->text().startsWith(QLatin1String("redis-cli ")), 10000);
        const QString command = clipboard->text();
        QCOMPARE(command,
                 QStringLiteral("redis-cli -h 127.0.0.1 -p %1 -c GET %2").arg(seed).arg(name));
        auto ran = twat_cache::test::runProcess("/bin/sh", {"-c", command.toStdString()});
        QVERIFY2(ran.finished && ran.exitCode == 0, ran.err.c_str());
        QCOMPARE(ran.out, std::string("cluster value\n"));
    }

    void redisCliCommandNeverHoldsThePassword() {
        auto endpoint = parseRedisUrl(QStringLiteral(
            "rediss://alice:s3cret@cache.example:6380/2?ca=%2Fetc%2Fca%20dir%2Fca.pem"));
        QVERIFY(endpoint.ok());
        const QString line =
            redisCliCommand(*endpoint, true, QByteArray("bin\xff\n", 5), QStringLiteral("zset"));
        QVERIFY2(!line.contains(QLatin1String("s3cret")), qPrintable(line));
        QCOMPARE(line, QStringLiteral("redis-cli -h cache.example -p 6380 -n 2 --user alice "
                                      "--askpass --tls --cacert '/etc/ca dir/ca.pem' "
                                      "ZRANGE $'bin\\xff\\x0a' 0 -1 WITHSCORES"));
        QCOMPARE(redisKeyOfId("hex:62 69 6e ff 0a").value(), QByteArray("bin\xff\n", 5));
        QVERIFY(!redisKeyOfId("long:2000:ab:start").ok());
    }

    void exportListingWritesEveryMatch() {
        MainWindow window;
        window.show();
        QVERIFY(open(window));
        window.setFilterText(QStringLiteral("sess:*"));
        auto* exporter = window.findChild<ListingExporter*>();
        QVERIFY(exporter != nullptr);
        QTRY_VERIFY_WITH_TIMEOUT(window.actions().exportListing->isEnabled(), 10000);
        const QString path =
            QString::fromStdString((m_settingsDir.path() / "listing.csv").string());
        QSignalSpy finished(exporter, &ListingExporter::finished);
        exporter->exportTo(path, true);
        QVERIFY(exporter->progressDialog() != nullptr);
        QVERIFY(finished.wait(20000));
        QCOMPARE(finished.at(0).at(1).toULongLong(), quint64{kSessions + 1});
        QVERIFY(finished.at(0).at(3).toString().isEmpty());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().split('\n');
        QCOMPARE(lines.size(), kSessions + 3);  // header, rows, and the empty end
        QVERIFY(lines.front().startsWith("key,id,size,type"));
        QVERIFY(exporter->progressDialog() == nullptr);
        QVERIFY(logSays(window, QStringLiteral("Exported 3,001 entries")));
    }

    // With the Type box on "list": the export holds only the list, and Delete All Matching
    // deletes only the list (the strings and the hash matching the filter stay); with it on
    // "string", Set TTL on All Matching gives only the strings a TTL.
    void typeFilterIsHonoured() {
        m_raw->run({"HSET", "sess:hash", "f", "v"});
        MainWindow window;
        window.show();
        QVERIFY(open(window));
        window.setFilterText(QStringLiteral("sess:*"));
        window.entriesModel()->setTypeFilter(QStringLiteral("list"));
        QTRY_COMPARE_WITH_TIMEOUT(window.entriesModel()->rowCount(), 1, 10000);
        auto* exporter = window.findChild<ListingExporter*>();
        QTRY_VERIFY_WITH_TIMEOUT(window.actions().exportListing->isEnabled(), 10000);
        const QString path =
            QString::fromStdString((m_settingsDir.path() / "lists.jsonl").string());
        QSignalSpy finished(exporter, &ListingExporter::finished);
        exporter->exportTo(path, false);
        QVERIFY(finished.wait(20000));
        QCOMPARE(finished.at(0).at(1).toULongLong(), quint64{1});
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(file.readAll().contains("\"sess:list\""));

        QTRY_VERIFY_WITH_TIMEOUT(window.actions().deleteMatching->isEnabled(), 10000);
        QString preview;
        twat_cache::test::answerNextMessageBox(QMessageBox::Ok, &preview);
        window.actions().deleteMatching->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(logSays(window, QStringLiteral("removed 1 entry")), 20000);
        QVERIFY2(preview.contains(QLatin1String("of type list")), qPrintable(preview));
        QVERIFY2(preview.contains(QLatin1String("1 entry")), qPrintable(preview));
        QCOMPARE(m_raw->run({"EXISTS", "sess:list"}), std::string("0"));
        QCOMPARE(m_raw->run({"EXISTS", "sess:hash"}), std::string("1"));
        QCOMPARE(dbSize(), kSessions + 51LL);  // the strings and the hash stay

        window.entriesModel()->setTypeFilter(QStringLiteral("string"));
        QTRY_VERIFY_WITH_TIMEOUT(window.actions().setTtlMatching->isEnabled(), 10000);
        twat_cache::test::answerNextTextPrompt(QStringLiteral("1h"));
        twat_cache::test::answerNextMessageBox(QMessageBox::Ok, &preview);
        window.actions().setTtlMatching->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(logSays(window, QStringLiteral("updated 3,000 entries")), 20000);
        QVERIFY2(preview.contains(QLatin1String("of type string")), qPrintable(preview));
        QVERIFY(std::stoll(m_raw->run({"PTTL", "sess:7"})) > 0);
        QCOMPARE(m_raw->run({"PTTL", "sess:hash"}), std::string("-1"));
        QCOMPARE(m_raw->run({"PTTL", "other:7"}), std::string("-1"));
    }

    // Save Value… and Export Listing… at once: each ends with its own answer (the save is not
    // dropped for the export asked after it).
    void saveValueAndExportListingBothFinish() {
        m_raw->run({"SET", "big:value", std::string(300'000, 'v')});
        MainWindow window;
        window.show();
        QVERIFY(open(window));
        QVERIFY(select(window, QStringLiteral("big:value")));
        QTableView* view = entriesView(window);
        QSignalSpy page(window.currentSource(), &SourceClient::valuePageReady);
        view->setCurrentIndex(view->selectionModel()->selectedRows().front());
        QVERIFY(page.wait(10000));
        QTRY_VERIFY_WITH_TIMEOUT(window.actions().exportListing->isEnabled(), 10000);
        const QString value = QString::fromStdString((m_settingsDir.path() / "value.bin").string());
        const QString listing = QString::fromStdString((m_settingsDir.path() / "all.csv").string());
        QSignalSpy saved(window.currentSource(), &SourceClient::valueSaved);
        auto* exporter = window.findChild<ListingExporter*>();
        QSignalSpy exported(exporter, &ListingExporter::finished);
        window.detailsPane()->pagesView()->saveTo(value);
        exporter->exportTo(listing, true);
        QTRY_COMPARE_WITH_TIMEOUT(saved.count(), 1, 20000);
        QCOMPARE(saved.first().at(1).toString(), QString());
        QCOMPARE(QFileInfo(value).size(), qint64{300'000});
        QTRY_COMPARE_WITH_TIMEOUT(exported.count(), 1, 20000);
        QCOMPARE(exported.first().at(3).toString(), QString());
        QVERIFY(QFileInfo::exists(listing));
    }

    void cancelledExportLeavesNoFile() {
        MainWindow window;
        window.show();
        QVERIFY(open(window));
        auto* exporter = window.findChild<ListingExporter*>();
        auto* client = window.findChild<SourceClient*>();
        QVERIFY(client != nullptr);
        QTRY_VERIFY_WITH_TIMEOUT(window.actions().exportListing->isEnabled(), 10000);
        // Cancel after the first page, on the worker thread, between two pages.
        connect(
            client, &SourceClient::exportProgress, client, [client] { client->cancelExport(); },
            Qt::DirectConnection);
        const QString path =
            QString::fromStdString((m_settingsDir.path() / "cancelled.jsonl").string());
        QSignalSpy finished(exporter, &ListingExporter::finished);
        exporter->exportTo(path, false);
        QVERIFY(finished.wait(20000));
        QVERIFY(finished.at(0).at(2).toBool());  // cancelled
        QVERIFY(!QFile::exists(path));
        QVERIFY(logSays(window, QStringLiteral("Export cancelled: no file was written")));
        const QStringList left =
            QDir(QString::fromStdString(m_settingsDir.path().string()))
                .entryList({QStringLiteral(".cancelled*")}, QDir::Files | QDir::Hidden);
        QVERIFY2(left.isEmpty(), qPrintable(left.join(QLatin1Char(' '))));
    }
};

QTEST_MAIN(TestEntryCommands)
#include "test_entry_commands.moc"
