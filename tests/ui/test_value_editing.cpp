// Editing in the value pages of the real window, offscreen, on a real redis-server, checked on
// the server: Add… of a hash field (dialog, confirmation, the page loads again with it), Edit…
// of a list element by double-click, Remove (the Delete key) of a set member, a sorted-set
// score; Edit Value… of a string keeps its TTL; a value over the editor's bound is refused
// with a pointer to the command line; read-only mode disables every command with the reason.
#include <QAction>
#include <QApplication>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
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
#include "views/main_window.h"
#include "views/member_dialog.h"
#include "views/value_editing.h"
#include "views/value_table_view.h"
#include "workers/source_client.h"

using namespace twat_cache::ui;
using twat_cache::test::RawRedis;
using twat_cache::test::RedisServer;
using twat_cache::test::TempDir;

namespace {

// Fills the next MemberDialog that opens (the fields given; others as they are) and accepts.
void answerNextMemberDialog(const QString& name, const QString& value, const QString& score = {}) {
    auto* timer = new QTimer(qApp);
    auto tries = std::make_shared<int>(0);
    QObject::connect(timer, &QTimer::timeout, timer, [=] {
        auto* dialog = qobject_cast<MemberDialog*>(QApplication::activeModalWidget());
        if (dialog != nullptr) {
            if (auto* n = dialog->findChild<QLineEdit*>(QStringLiteral("memberName"));
                n != nullptr && !name.isNull() && !n->isReadOnly()) {
                n->setText(name);
            }
            if (auto* v = dialog->findChild<QPlainTextEdit*>(QStringLiteral("memberValue"));
                v != nullptr && !value.isNull()) {
                v->setPlainText(value);
            }
            if (auto* s = dialog->findChild<QLineEdit*>(QStringLiteral("memberScore"));
                s != nullptr && !score.isNull()) {
                s->setText(score);
            }
            dialog->accept();
        }
        if (dialog != nullptr || ++*tries > 500) timer->deleteLater();
    });
    timer->start(10);
}

}  // namespace

class TestValueEditing : public QObject {
    Q_OBJECT

    TempDir m_settingsDir;
    std::unique_ptr<RedisServer> m_redis;
    std::unique_ptr<RawRedis> m_raw;
    std::unique_ptr<MainWindow> m_window;

    ValueTableView* viewer() { return m_window->detailsPane()->pagesView(); }
    ValuePageModel* pages() { return viewer()->model(); }
    ValueEditing* editing() { return viewer()->editing(); }
    std::string run(const std::vector<std::string>& args) { return m_raw->run(args); }

    // Selects the entry with key `key` and waits for its first value page.
    bool select(const QString& key, bool whole = true) {
        const QList<EntryRow>& rows = m_window->entriesModel()->rows();
        int row = -1;
        for (int i = 0; i < rows.size(); ++i) {
            if (rows[i].key == key) row = i;
        }
        if (row < 0) return false;
        QSignalSpy page(m_window->currentSource(), &SourceClient::valuePageReady);
        auto* view = m_window->findChild<QTableView*>(QStringLiteral("entriesView"));
        view->setCurrentIndex({});
        view->setCurrentIndex(m_window->entriesModel()->index(row, 0));
        return page.wait(10000) && (pages()->complete() || !whole);
    }

    // The row of the value page whose first column shows `text`; -1 if none.
    int rowOf(const QString& text) {
        for (int i = 0; i < pages()->rowCount(); ++i) {
            if (pages()->index(i, 0).data().toString() == text) return i;
        }
        return -1;
    }

    // Waits until an edit ends and the page is loaded again; the edit's error.
    QString waitEdited(QSignalSpy& edited) {
        if (!edited.wait(10000)) return QStringLiteral("no answer");
        const QString error = edited.takeFirst().at(0).toString();
        if (error.isEmpty()) {
            [&] { QTRY_VERIFY_WITH_TIMEOUT(pages()->complete() && !pages()->loading(), 10000); }();
        }
        return error;
    }

  private slots:
    void initTestCase() {
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        twat_cache::test::isolateSettings(m_settingsDir.path());
        m_redis = std::make_unique<RedisServer>();
        const std::string error = m_redis->start();
        QVERIFY2(error.empty(), error.c_str());
        m_raw = std::make_unique<RawRedis>(m_redis->port());
        QVERIFY(twat_cache::test::runRedisCommands(
            m_redis->port(),
            {{"HSET", "e:hash", "a", "1"},
             {"RPUSH", "e:list", "x", "y", "z"},
             {"SADD", "e:set", "m1", "m2"},
             {"ZADD", "e:zset", "1", "one"},
             {"SET", "e:json", R"({"n": 1})", "PX", "600000"},
             {"SET", "e:big", std::string(ValueEditing::kMaxEditBytes + 1, 'b')}}));
        m_window = std::make_unique<MainWindow>();
        m_window->show();
        SourceRef ref;
        ref.kind = SourceKind::kRedis;
        ref.location = QString::fromStdString(m_redis->url());
        ref.name = QStringLiteral("edits");
        QSignalSpy loaded(m_window->entriesModel(), &EntriesModel::pageLoaded);
        m_window->addSource(ref);
        QVERIFY(loaded.wait(15000));
        QTRY_COMPARE_WITH_TIMEOUT(m_window->entriesModel()->rowCount(), 6, 10000);
    }

    void addAHashField() {
        QVERIFY(select(QStringLiteral("e:hash")));
        QTRY_VERIFY_WITH_TIMEOUT(editing()->addAction()->isEnabled(), 10000);
        QSignalSpy edited(editing(), &ValueEditing::edited);
        answerNextMemberDialog(QStringLiteral("b"), QStringLiteral("two"));
        QString confirm;
        twat_cache::test::answerNextMessageBox(QMessageBox::Ok, &confirm);
        editing()->addAction()->trigger();
        QCOMPARE(waitEdited(edited), QString());
        QVERIFY2(confirm.contains(QStringLiteral("Set field “b” of “e:hash” to “two”")),
                 qPrintable(confirm));
        QCOMPARE(run({"HGET", "e:hash", "b"}), std::string("two"));
        QVERIFY(rowOf(QStringLiteral("b")) >= 0);  // the page shows it
    }

    void editAListElementByDoubleClick() {
        QVERIFY(select(QStringLiteral("e:list")));
        const int row = rowOf(QStringLiteral("1"));
        QVERIFY(row >= 0);
        viewer()->table()->setCurrentIndex(pages()->index(row, 1));
        QTRY_VERIFY_WITH_TIMEOUT(editing()->editAction()->isEnabled(), 10000);
        QSignalSpy edited(editing(), &ValueEditing::edited);
        answerNextMemberDialog({}, QStringLiteral("Y"));
        twat_cache::test::answerNextMessageBox(QMessageBox::Ok, nullptr);
        emit viewer()->table()->doubleClicked(pages()->index(row, 1));
        QCOMPARE(waitEdited(edited), QString());
        QCOMPARE(run({"LINDEX", "e:list", "1"}), std::string("Y"));
        QCOMPARE(run({"LLEN", "e:list"}), std::string("3"));
    }

    void removeASetMemberWithTheDeleteKey() {
        QVERIFY(select(QStringLiteral("e:set")));
        const int row = rowOf(QStringLiteral("m2"));
        QVERIFY(row >= 0);
        viewer()->table()->setFocus();
        viewer()->table()->setCurrentIndex(pages()->index(row, 0));
        QTRY_VERIFY_WITH_TIMEOUT(editing()->removeAction()->isEnabled(), 10000);
        QVERIFY(!editing()->editAction()->isEnabled());  // a set member has no value
        QSignalSpy edited(editing(), &ValueEditing::edited);
        QString confirm;
        twat_cache::test::answerNextMessageBox(QMessageBox::Ok, &confirm);
        QTest::keyClick(viewer()->table(), Qt::Key_Delete);
        QCOMPARE(waitEdited(edited), QString());
        QVERIFY2(confirm.contains(QStringLiteral("Remove member “m2”")), qPrintable(confirm));
        QCOMPARE(run({"SISMEMBER", "e:set", "m2"}), std::string("0"));
        QCOMPARE(run({"SISMEMBER", "e:set", "m1"}), std::string("1"));
        QCOMPARE(m_window->entriesModel()->rowCount(), 6);  // Del never deletes the entry
        QCOMPARE(run({"EXISTS", "e:set"}), std::string("1"));
    }

    void changeASortedSetScore() {
        QVERIFY(select(QStringLiteral("e:zset")));
        viewer()->table()->setCurrentIndex(pages()->index(rowOf(QStringLiteral("one")), 0));
        QTRY_VERIFY_WITH_TIMEOUT(editing()->editAction()->isEnabled(), 10000);
        QSignalSpy edited(editing(), &ValueEditing::edited);
        answerNextMemberDialog({}, {}, QStringLiteral("2.5"));
        twat_cache::test::answerNextMessageBox(QMessageBox::Ok, nullptr);
        editing()->editAction()->trigger();
        QCOMPARE(waitEdited(edited), QString());
        QCOMPARE(run({"ZSCORE", "e:zset", "one"}), std::string("2.5"));
    }

    void editAStringValueKeepsItsTtl() {
        QVERIFY(select(QStringLiteral("e:json")));
        QTRY_VERIFY_WITH_TIMEOUT(editing()->editValueAction()->isEnabled(), 10000);
        QSignalSpy edited(editing(), &ValueEditing::edited);
        answerNextMemberDialog({}, QStringLiteral(R"({"n": 2})"));
        twat_cache::test::answerNextMessageBox(QMessageBox::Ok, nullptr);
        editing()->editValueAction()->trigger();
        QCOMPARE(waitEdited(edited), QString());
        QCOMPARE(run({"GET", "e:json"}), std::string(R"({"n": 2})"));
        QVERIFY(std::stoll(run({"PTTL", "e:json"})) > 0);
    }

    void aValueOverTheBoundIsRefused() {
        QVERIFY(select(QStringLiteral("e:big"), /*whole=*/false));
        QTRY_VERIFY_WITH_TIMEOUT(!pages()->loading(), 10000);
        QVERIFY(editing()->editValueAction()->isVisible());
        QVERIFY(!editing()->editValueAction()->isEnabled());
        QVERIFY2(editing()->editValueAction()->toolTip().contains(QLatin1String("--file")),
                 qPrintable(editing()->editValueAction()->toolTip()));
    }

    void readOnlyModeDisablesEditing() {
        QVERIFY(select(QStringLiteral("e:hash")));
        viewer()->table()->setCurrentIndex(pages()->index(0, 0));
        QTRY_VERIFY_WITH_TIMEOUT(editing()->removeAction()->isEnabled(), 10000);
        m_window->setReadOnly(true);
        for (QAction* a :
             {editing()->addAction(), editing()->editAction(), editing()->removeAction()}) {
            QTRY_VERIFY_WITH_TIMEOUT(!a->isEnabled(), 10000);
            QVERIFY2(a->toolTip().contains(QLatin1String("Read-only mode is on")),
                     qPrintable(a->toolTip()));
            a->trigger();  // disabled: does nothing
        }
        QVERIFY(QApplication::activeModalWidget() == nullptr);
        QCOMPARE(run({"HLEN", "e:hash"}), std::string("2"));
        m_window->setReadOnly(false);
    }
};

QTEST_MAIN(TestValueEditing)
#include "test_value_editing.moc"
