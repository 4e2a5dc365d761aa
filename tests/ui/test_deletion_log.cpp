// The Deletion Log dialog (Cache ▸ Deletion Log…): the audit log's last records, newest first,
// read on a pool thread through readAuditLog(); a missing log says none was recorded; the
// entries kept because they changed since the preview show in the Removed cell ("2 of 3, 1
// changed", as `twat-cache log` says it) and in full in its tooltip; the window's
// Cache menu offers it.
#include <QAction>
#include <QMenu>
#include <QMenuBar>
#include <QSignalSpy>
#include <QTableWidget>
#include <QtTest>

#include "dialogs/deletion_log_dialog.h"
#include "twat_cache/audit_log.h"
#include "ui_fixtures.h"
#include "views/actions.h"

using namespace twat_cache::ui;
using twat_cache::AuditRecord;
using twat_cache::test::TempDir;

namespace {

AuditRecord record(const std::string& source, std::int64_t timeMs, std::uint64_t deleted,
                   std::uint64_t changed) {
    AuditRecord r;
    r.time_ms = timeMs;
    r.user = "ann";
    r.program = "twat-cache-inspector";
    r.pid = 42;
    r.host = "box";
    r.source = source;
    r.kind = "redis";
    r.location = "redis://127.0.0.1:6379/0";
    r.action = "delete_entries";
    r.what = "3 named entries: 'a', 'b', 'c'";
    r.matched = 3;
    r.deleted = deleted;
    r.bytes = 216;
    r.changed = changed;
    return r;
}

}  // namespace

class TestDeletionLog : public QObject {
    Q_OBJECT

  private:
    TempDir m_dir;

  private slots:
    void showsTheLastRecordsNewestFirst() {
        QVERIFY(m_dir.ok());
        const auto path = m_dir.path() / "deletions.jsonl";
        QVERIFY(
            twat_cache::appendAuditRecord(path, record("orders", 1'700'000'000'000, 3, 0)).ok());
        QVERIFY(
            twat_cache::appendAuditRecord(path, record("tls-local", 1'700'000'060'000, 2, 1)).ok());
        DeletionLogDialog dialog(nullptr, path);
        QSignalSpy loaded(&dialog, &DeletionLogDialog::loaded);
        QVERIFY(loaded.count() == 1 || loaded.wait(10000));
        QCOMPARE(dialog.recordCount(), 2);
        QVERIFY2(dialog.statusText().contains(QStringLiteral("The last 2 deletions")),
                 qPrintable(dialog.statusText()));
        QTableWidget* table = dialog.table();
        QCOMPARE(table->item(0, 1)->text(), QStringLiteral("tls-local"));  // newest first
        QCOMPARE(table->item(0, 2)->text(), QStringLiteral("Delete selected"));
        QCOMPARE(table->item(0, 4)->text(), QStringLiteral("2 of 3, 1 changed"));
        QVERIFY2(table->item(0, 4)->toolTip().contains(
                     QStringLiteral("kept 1 entry that changed since the preview")),
                 qPrintable(table->item(0, 4)->toolTip()));
        QCOMPARE(table->item(1, 1)->text(), QStringLiteral("orders"));
        QCOMPARE(table->item(1, 4)->text(), QStringLiteral("3 of 3"));
        QVERIFY(table->item(0, 0)->toolTip().contains(QStringLiteral("redis://127.0.0.1:6379/0")));
        QCOMPARE(table->editTriggers(), QAbstractItemView::NoEditTriggers);

        // Refresh reads it again.
        QVERIFY(twat_cache::appendAuditRecord(path, record("third", 1'700'000'120'000, 1, 0)).ok());
        dialog.reload();
        QVERIFY(loaded.wait(10000));
        QCOMPARE(dialog.recordCount(), 3);
        QCOMPARE(dialog.table()->item(0, 1)->text(), QStringLiteral("third"));
    }

    void aMissingLogSaysSo() {
        DeletionLogDialog dialog(nullptr, m_dir.path() / "none" / "deletions.jsonl");
        QSignalSpy loaded(&dialog, &DeletionLogDialog::loaded);
        QVERIFY(loaded.count() == 1 || loaded.wait(10000));
        QCOMPARE(dialog.recordCount(), 0);
        QVERIFY2(dialog.statusText().startsWith(QStringLiteral("No deletion recorded yet")),
                 qPrintable(dialog.statusText()));
    }

    void isACommandOfItsOwn() {
        QWidget owner;
        Actions actions(&owner);
        QCOMPARE(actions.deletionLog->text(), QStringLiteral("Deletion &Log…"));
        QVERIFY(!actions.writeActions().contains(actions.deletionLog));  // works read-only
        QVERIFY(actions.all().contains(actions.deletionLog));
    }
};

QTEST_MAIN(TestDeletionLog)
#include "test_deletion_log.moc"
