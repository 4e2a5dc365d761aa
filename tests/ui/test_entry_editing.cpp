// Editing through the real window (offscreen) on a real redis-server, checked on the server:
// Set TTL… and Remove TTL… on the selected row (prompt, preview, confirmation), Rename… (the
// row reloads under its new name), Set TTL on All Matching… over the whole keyspace (more
// keys than the rows loaded; only matching keys change), and read-only mode disabling them
// with the reason. A rename takes its own answer, not that of a value edit asked before it.
#include <QApplication>
#include <QInputDialog>
#include <QMessageBox>
#include <QSignalSpy>
#include <QTableView>
#include <QTimer>
#include <QtTest>

#include "models/entries_model.h"
#include "models/value_page_model.h"
#include "redis_commands.h"
#include "redis_server.h"
#include "ui_fixtures.h"
#include "views/details_pane.h"
#include "views/log_panel.h"
#include "views/main_window.h"
#include "views/value_editing.h"
#include "views/value_table_view.h"
#include "window_fixtures.h"
#include "workers/source_client.h"

using namespace twat_cache::ui;
using twat_cache::test::answerNextTextPrompt;
using twat_cache::test::RawRedis;
using twat_cache::test::RedisServer;

namespace {

constexpr int kSessions = 3000;  // more than one page of rows

}  // namespace

class TestEntryEditing : public QObject {
    Q_OBJECT

    twat_cache::test::TempDir m_settingsDir;
    std::unique_ptr<RedisServer> m_server;
    std::unique_ptr<RawRedis> m_raw;

    long long pttl(const std::string& key) { return std::stoll(m_raw->run({"PTTL", key})); }

    bool open(MainWindow& window) {
        return twat_cache::test::openRedisSource(window, m_server->url(),
                                                 QStringLiteral("edit redis"));
    }

    static bool select(MainWindow& window, const QString& key) {
        return twat_cache::test::selectKey(window, key);
    }

    bool logSays(MainWindow& window, const QString& text) {
        return window.logPanel()->toPlainText().contains(text);
    }

  private slots:
    void initTestCase() {
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        QVERIFY(m_settingsDir.ok());
        twat_cache::test::isolateSettings(m_settingsDir.path());
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
    }

    void setAndRemoveTtlOfTheSelectedRow() {
        MainWindow window;
        window.show();
        QVERIFY(open(window));
        QVERIFY(select(window, QStringLiteral("other:7")));
        QTRY_VERIFY_WITH_TIMEOUT(window.actions().setTtl->isEnabled(), 10000);
        answerNextTextPrompt(QStringLiteral("2h"));
        QString preview;
        twat_cache::test::answerNextMessageBox(QMessageBox::Ok, &preview);
        window.actions().setTtl->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(logSays(window, QStringLiteral("updated 1 entry")), 10000);
        QVERIFY2(preview.contains(QStringLiteral("Set TTL 2h")), qPrintable(preview));
        QVERIFY(pttl("other:7") > 7'000'000);
        QCOMPARE(pttl("other:8"), -1LL);

        QVERIFY(select(window, QStringLiteral("other:7")));
        twat_cache::test::answerNextMessageBox(QMessageBox::Ok, &preview);
        window.actions().removeTtl->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(pttl("other:7"), -1LL, 10000);
        QVERIFY2(preview.contains(QStringLiteral("Remove TTL")), qPrintable(preview));
    }

    void renameReloadsTheRow() {
        MainWindow window;
        window.show();
        QVERIFY(open(window));
        QVERIFY(select(window, QStringLiteral("other:3")));
        QTRY_VERIFY_WITH_TIMEOUT(window.actions().rename->isEnabled(), 10000);
        answerNextTextPrompt(QStringLiteral("renamed:3"));
        window.actions().rename->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(logSays(window, QStringLiteral("Renamed")), 10000);
        QCOMPARE(m_raw->run({"EXISTS", "other:3"}), std::string("0"));
        QCOMPARE(m_raw->run({"GET", "renamed:3"}), std::string("o"));
        QVERIFY(select(window, QStringLiteral("renamed:3")));  // the view reloaded
    }

    // A key shown escaped (a tab) or shortened is not offered as the new name: editing the
    // shown text would rename the key to the escape sequence. The prompt starts empty and says
    // why; a key shown as it is starts with itself.
    void renameOffersOnlyTheRealKey() {
        m_raw->run({"SET", std::string("tab\tkey"), "t"});
        MainWindow window;
        window.show();
        QVERIFY(open(window));
        EntriesModel* model = window.entriesModel();
        auto* view = window.findChild<QTableView*>(QStringLiteral("entriesView"));
        QModelIndex tabRow;
        for (int attempt = 0; attempt < 200 && !tabRow.isValid(); ++attempt) {
            for (int row = 0; row < model->rowCount(); ++row) {
                const QModelIndex i = model->index(row, 0);
                if (i.data(EntriesModel::kIdRole).toByteArray().startsWith("hex:")) tabRow = i;
            }
            if (!tabRow.isValid() && model->canFetchMore({})) model->fetchMore({});
            QTest::qWait(20);
        }
        QVERIFY(tabRow.isValid());
        view->selectionModel()->select(
            tabRow, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QTRY_VERIFY_WITH_TIMEOUT(window.actions().rename->isEnabled(), 10000);
        QString prefill = QStringLiteral("(no prompt)"), label;
        auto* timer = new QTimer(this);
        connect(timer, &QTimer::timeout, this, [&prefill, &label, timer] {
            auto* prompt = qobject_cast<QInputDialog*>(QApplication::activeModalWidget());
            if (prompt == nullptr) return;
            prefill = prompt->textValue();
            label = prompt->labelText();
            prompt->setTextValue(QStringLiteral("renamed:tab"));
            prompt->accept();
            timer->deleteLater();
        });
        timer->start(10);
        window.actions().rename->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(logSays(window, QStringLiteral("Renamed")), 10000);
        QVERIFY2(prefill.isEmpty(), qPrintable(prefill));
        QVERIFY2(label.contains(QStringLiteral("whole new name")), qPrintable(label));
        QCOMPARE(m_raw->run({"GET", "renamed:tab"}), std::string("t"));
        QCOMPARE(m_raw->run({"EXISTS", std::string("tab\tkey")}), std::string("0"));
    }

    // A value edit asked before the rename answers first: the rename waits for its own answer
    // (here a refusal, the new name being taken) and does not report the edit's as its own.
    void renameTakesItsOwnAnswer() {
        m_raw->run({"SADD", "set:1", "m1", "m2"});
        m_raw->run({"SET", "taken", "t"});
        MainWindow window;
        window.show();
        QVERIFY(open(window));
        // The set's members in the value pages, the first one current.
        QVERIFY(select(window, QStringLiteral("set:1")));
        auto* entries = window.findChild<QTableView*>(QStringLiteral("entriesView"));
        ValueTableView* pages = window.detailsPane()->pagesView();
        QSignalSpy page(window.currentSource(), &SourceClient::valuePageReady);
        entries->setCurrentIndex(entries->selectionModel()->selectedRows().front());
        QVERIFY(page.wait(10000));
        QTRY_COMPARE_WITH_TIMEOUT(pages->model()->rowCount(), 2, 10000);
        pages->table()->setCurrentIndex(pages->model()->index(0, 0));
        QAction* remove = pages->editing()->removeAction();
        QTRY_VERIFY_WITH_TIMEOUT(remove->isEnabled(), 10000);
        const QString member = pages->model()->index(0, 0).data().toString();
        // The row to rename selected (the value pages still show the set).
        QVERIFY(select(window, QStringLiteral("other:3")));
        QTRY_VERIFY_WITH_TIMEOUT(window.actions().rename->isEnabled(), 10000);
        QVERIFY(remove->isEnabled());

        // The server holds writes back: the removal waits in the worker, the rename behind it.
        m_raw->run({"CLIENT", "PAUSE", "10000", "WRITE"});
        QString confirm;
        twat_cache::test::answerNextMessageBox(QMessageBox::Ok, &confirm);
        remove->trigger();
        QVERIFY2(confirm.contains(QStringLiteral("Remove member")), qPrintable(confirm));
        answerNextTextPrompt(QStringLiteral("taken"));
        window.actions().rename->trigger();
        QString warning;
        twat_cache::test::answerNextMessageBox(QMessageBox::Ok, &warning);
        m_raw->run({"CLIENT", "UNPAUSE"});

        QTRY_VERIFY_WITH_TIMEOUT(warning.contains(QLatin1String("exists already")), 10000);
        QVERIFY(logSays(window, QStringLiteral("Rename failed")));
        QVERIFY(!logSays(window, QStringLiteral("Renamed")));
        QCOMPARE(m_raw->run({"SISMEMBER", "set:1", member.toStdString()}), std::string("0"));
        QCOMPARE(m_raw->run({"GET", "other:3"}), std::string("o"));
        QCOMPARE(m_raw->run({"GET", "taken"}), std::string("t"));
    }

    void setTtlOnAllMatchingCoversTheWholeKeyspace() {
        MainWindow window;
        window.show();
        QVERIFY(open(window));
        window.setFilterText(QStringLiteral("sess:*"));
        QTRY_VERIFY_WITH_TIMEOUT(window.actions().setTtlMatching->isEnabled(), 10000);
        QVERIFY(window.entriesModel()->rowCount() < kSessions);  // not every row is loaded
        answerNextTextPrompt(QStringLiteral("1h"));
        QString preview;
        twat_cache::test::answerNextMessageBox(QMessageBox::Ok, &preview);
        window.actions().setTtlMatching->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(logSays(window, QStringLiteral("updated 3,000 entries")), 20000);
        QVERIFY2(preview.contains(QStringLiteral("3,000 entries")), qPrintable(preview));
        for (int i = 0; i < kSessions; i += 97) QVERIFY(pttl("sess:" + std::to_string(i)) > 0);
        QVERIFY(pttl("sess:" + std::to_string(kSessions - 1)) > 0);
        for (int i = 0; i < 50; ++i) QCOMPARE(pttl("other:" + std::to_string(i)), -1LL);
    }

    void readOnlyDisablesEditing() {
        MainWindow window;
        window.show();
        QVERIFY(open(window));
        QVERIFY(select(window, QStringLiteral("other:1")));
        QTRY_VERIFY_WITH_TIMEOUT(window.actions().rename->isEnabled(), 10000);
        window.setReadOnly(true);
        for (QAction* action : {window.actions().setTtl, window.actions().removeTtl,
                                window.actions().rename, window.actions().setTtlMatching}) {
            QVERIFY2(!action->isEnabled(), qPrintable(action->objectName()));
            QVERIFY2(action->toolTip().contains(QLatin1String("Read-only mode is on")),
                     qPrintable(action->toolTip()));
            action->trigger();  // disabled: does nothing
        }
        QVERIFY(QApplication::activeModalWidget() == nullptr);
        QCOMPARE(pttl("other:1"), -1LL);
        QCOMPARE(m_raw->run({"EXISTS", "other:1"}), std::string("1"));
    }
};

QTEST_MAIN(TestEntryEditing)
#include "test_entry_editing.moc"
