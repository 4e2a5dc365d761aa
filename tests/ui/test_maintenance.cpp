// Maintenance through the main window on a real python-diskcache folder: plan, preview in a
// confirmation box, execute with progress; declining or read-only mode changes nothing, and
// read-only is the core's (a runner started behind the window's back is refused with
// PermissionDenied and cache.db keeps its bytes and mtime); Cancel during a large clear stops
// between batches. The outcome is checked by python-diskcache itself. A command that finds
// nothing to do says so; counts are written with the locale's digit grouping and the right
// plural; the details pane never keeps showing a deleted entry.
#include <QApplication>
#include <QCryptographicHash>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QInputDialog>
#include <QMap>
#include <QMessageBox>
#include <QProgressDialog>
#include <QPushButton>
#include <QSemaphore>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QtTest>
#include <atomic>

#include "models/entries_model.h"
#include "twat_cache/inspect.h"
#include "ui_fixtures.h"
#include "views/details_pane.h"
#include "views/log_panel.h"
#include "views/main_window.h"
#include "views/maintenance_runner.h"
#include "workers/source_adapter.h"
#include "workers/source_client.h"

using namespace twat_cache::ui;
using twat_cache::test::TempDir;

namespace {

constexpr int kLive = 12;
constexpr int kExpired = 3;

using twat_cache::test::answerNextMessageBox;
using twat_cache::test::diskcacheKeys;

// Enters `mib` in the next size prompt (a QInputDialog) that opens and accepts it (polls every
// 10 ms, at most 5 s).
void answerNextSizePrompt(int mib) {
    auto* timer = new QTimer(qApp);
    auto tries = std::make_shared<int>(0);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, tries, mib] {
        auto* prompt = qobject_cast<QInputDialog*>(QApplication::activeModalWidget());
        if (prompt != nullptr) {
            prompt->setIntValue(mib);
            prompt->accept();
        }
        if (prompt != nullptr || ++*tries > 500) timer->deleteLater();
    });
    timer->start(10);
}

// Every file under `dir` with its size, modification time (ns) and bytes.
QMap<QString, QString> snapshot(const std::filesystem::path& dir) {
    QMap<QString, QString> out;
    QDirIterator it(QString::fromStdString(dir.string()), QDir::Files | QDir::Hidden,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QFileInfo info(path);
        QFile file(path);
        const QByteArray bytes = file.open(QIODevice::ReadOnly) ? file.readAll() : "unreadable";
        out.insert(path,
                   QStringLiteral("%1 bytes, mtime %2 ms, sha %3")
                       .arg(info.size())
                       .arg(info.lastModified().toMSecsSinceEpoch())
                       .arg(QString::fromLatin1(
                           QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex())));
    }
    return out;
}

// What changed between two snapshots, except what any SQLite reader of a WAL-mode database
// adds: an empty `-wal` and the `-shm` index beside it (a read-only connection creates them
// when they are missing and cannot remove them; the cache's own file is never touched).
QStringList changes(const QMap<QString, QString>& before, const QMap<QString, QString>& after) {
    QStringList out;
    for (auto it = before.begin(); it != before.end(); ++it) {
        if (after.value(it.key()) != it.value()) {
            out << it.key() + QStringLiteral(": ") + it.value() + QStringLiteral(" -> ") +
                       after.value(it.key(), QStringLiteral("gone"));
        }
    }
    for (auto it = after.begin(); it != after.end(); ++it) {
        if (before.contains(it.key())) continue;
        const bool walIndex = it.key().endsWith(QLatin1String(".db-shm"));
        const bool emptyWal = it.key().endsWith(QLatin1String(".db-wal")) &&
                              it.value().startsWith(QLatin1String("0 bytes"));
        if (!walIndex && !emptyWal) out << it.key() + QStringLiteral(" appeared: ") + it.value();
    }
    return out;
}

}  // namespace

class TestMaintenance : public QObject {
    Q_OBJECT

  private:
    TempDir m_settingsDir;
    std::unique_ptr<TempDir> m_cache;

    QString cachePath() const { return QString::fromStdString(m_cache->path().string()); }

    // Opens the cache in `window` and waits for its first page.
    bool openCache(MainWindow& window) {
        QSignalSpy loaded(window.entriesModel(), &EntriesModel::pageLoaded);
        window.addSource(folderSourceRef(cachePath()));
        window.entriesModel()->fetchMore({});
        return loaded.wait(10000) && window.entriesModel()->lastError().isEmpty();
    }

  private slots:
    void initTestCase() {
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        QVERIFY(m_settingsDir.ok());
        twat_cache::test::isolateSettings(m_settingsDir.path());
        qputenv("TWAT_CACHE_DIR", QByteArray::fromStdString(m_settingsDir.path().string()));
    }

    void init() {
        QSettings().clear();
        m_cache = std::make_unique<TempDir>();
        const std::string error = twat_cache::test::makeDiskcache(m_cache->path(), kLive, kExpired);
        QVERIFY2(error.empty(), error.c_str());
        QCOMPARE(diskcacheKeys(m_cache->path()).size(), kLive + kExpired + 1);
    }

    void clearExpiredAfterConfirmation() {
        MainWindow window;
        window.show();
        QVERIFY(openCache(window));
        QString preview;
        answerNextMessageBox(QMessageBox::Ok, &preview);
        window.actions().clearExpired->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(
            window.logPanel()->toPlainText().contains(QStringLiteral("removed 3 entries")), 10000);
        QVERIFY2(preview.contains(QStringLiteral("3 entries")), qPrintable(preview));
        QVERIFY2(preview.contains(QStringLiteral("old-")), qPrintable(preview));
        const QStringList keys = diskcacheKeys(m_cache->path());
        QCOMPARE(keys.size(), kLive + 1);
        QVERIFY(keys.filter(QStringLiteral("old-")).isEmpty());
        // The view reloads after the change.
        QTRY_COMPARE_WITH_TIMEOUT(window.entriesModel()->rowCount(), kLive + 1, 10000);
    }

    void deleteSelectedEntries() {
        MainWindow window;
        window.show();
        QVERIFY(openCache(window));
        auto* view = window.findChild<QTableView*>(QStringLiteral("entriesView"));
        const QString first = window.entriesModel()->rowAt(0)->key;
        const QString second = window.entriesModel()->rowAt(1)->key;
        view->selectRow(0);
        view->selectionModel()->select(window.entriesModel()->index(1, 0),
                                       QItemSelectionModel::Select | QItemSelectionModel::Rows);
        QVERIFY(window.actions().deleteSelected->isEnabled());
        answerNextMessageBox(QMessageBox::Ok, nullptr);
        window.actions().deleteSelected->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(
            window.logPanel()->toPlainText().contains(QStringLiteral("removed 2 entries")), 10000);
        const QStringList keys = diskcacheKeys(m_cache->path());
        QCOMPARE(keys.size(), kLive + kExpired - 1);
        QVERIFY(!keys.contains(first));
        QVERIFY(!keys.contains(second));
    }

    void declinedPlanChangesNothing() {
        MainWindow window;
        window.show();
        QVERIFY(openCache(window));
        QString preview;
        answerNextMessageBox(QMessageBox::Cancel, &preview);
        window.actions().clearAll->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!preview.isEmpty(), 10000);
        QVERIFY2(preview.contains(QStringLiteral("%1 entries").arg(kLive + kExpired + 1)),
                 qPrintable(preview));
        QTRY_VERIFY_WITH_TIMEOUT(window.actions().clearAll->isEnabled(), 10000);
        QCOMPARE(diskcacheKeys(m_cache->path()).size(), kLive + kExpired + 1);
    }

    // The window's guard is bypassed: a MaintenanceRunner is started on the current source
    // directly. The core refuses (PermissionDenied), whether the window was read-only before
    // the source was opened or switched while it was open (the worker reopens it).
    void readOnlyIsEnforcedByTheCore_data() {
        QTest::addColumn<bool>("switchWhileOpen");
        QTest::newRow("read-only from the start") << false;
        QTest::newRow("switched while open") << true;
    }
    void readOnlyIsEnforcedByTheCore() {
        QFETCH(bool, switchWhileOpen);
        MainWindow window;
        window.show();
        if (!switchWhileOpen) window.setReadOnly(true);
        QVERIFY(openCache(window));
        SourceClient* client = window.currentSource();
        QVERIFY(client != nullptr);
        if (switchWhileOpen) {
            QVERIFY(!client->isReadOnly());
            QSignalSpy reopened(client, &SourceClient::reopened);
            window.setReadOnly(true);
            QVERIFY(client->isReadOnly());
            QVERIFY(reopened.wait(10000));
            QCOMPARE(reopened.at(0).at(0).toBool(), true);
            QCOMPARE(reopened.at(0).at(1).toString(), QString());
            QVERIFY(window.logPanel()->toPlainText().contains(QStringLiteral("read-only")));
        }
        QVERIFY(client->isReadOnly());
        const auto before = snapshot(m_cache->path());
        QVERIFY(before.size() >= 1);

        MaintenanceRunner runner(client, &window);
        QSignalSpy finished(&runner, &MaintenanceRunner::finished);
        answerNextMessageBox(QMessageBox::Ok, nullptr);  // the plan itself is allowed
        runner.start({MaintenanceKind::kClearAll, {}, 0});
        QVERIFY(finished.wait(20000));
        const QString error = finished.at(0).at(1).toString();
        QVERIFY2(error.startsWith(QLatin1String("permission denied")), qPrintable(error));
        QVERIFY2(error.contains(QLatin1String("read-only")), qPrintable(error));
        QCOMPARE(finished.at(0).at(2).toBool(), false);

        // Nothing on disk changed: same files, bytes and modification times (cache.db too:
        // the core reads it through a SQLITE_OPEN_READONLY, query_only connection).
        QVERIFY(before.contains(cachePath() + QStringLiteral("/cache.db")));
        const QStringList changed = changes(before, snapshot(m_cache->path()));
        QVERIFY2(changed.isEmpty(), qPrintable(changed.join(QLatin1Char('\n'))));
        QCOMPARE(diskcacheKeys(m_cache->path()).size(), kLive + kExpired + 1);
    }

    // The same refusal one level down, on the worker's adapter with no window at all.
    void adapterOpenedReadOnlyRefuses() {
        const auto before = snapshot(m_cache->path());
        QCOMPARE(before.size(), 1);  // cache.db alone: python-diskcache closed it cleanly
        SourceAdapter adapter;
        QVERIFY(adapter.open(folderSourceRef(cachePath()), /*readOnly=*/true).ok());
        auto plan = adapter.plan({MaintenanceKind::kClearAll, {}, 0});
        QVERIFY(plan.ok());
        QCOMPARE(plan->count, quint64{kLive + kExpired + 1});
        std::atomic<bool> cancel{false};
        auto executed = adapter.execute(plan->planId, {}, cancel);
        QVERIFY(!executed.ok());
        QCOMPARE(executed.status().code(), twat_cache::StatusCode::kPermissionDenied);
        // Writable again: the adapter reopens the source and a fresh plan may run.
        QVERIFY(adapter.setReadOnly(false).ok());
        auto again = adapter.plan({MaintenanceKind::kClearExpired, {}, 0});
        QVERIFY(again.ok());
        QVERIFY(adapter.setReadOnly(true).ok());  // the plan is dropped with the old source
        QCOMPARE(adapter.execute(again->planId, {}, cancel).status().code(),
                 twat_cache::StatusCode::kNotFound);
        const QStringList changed = changes(before, snapshot(m_cache->path()));
        QVERIFY2(changed.isEmpty(), qPrintable(changed.join(QLatin1Char('\n'))));
    }

    // The deepest bypass: deleteBatch() called on a read-only core source without any plan.
    void coreSourceRefusesWithoutAPlan() {
        const auto before = snapshot(m_cache->path());
        auto info = twat_cache::Discovery::identify(m_cache->path());
        QVERIFY(info.ok());
        QCOMPARE(info->kind, twat_cache::SourceKind::kDiskcache);
        twat_cache::OpenOptions options;
        options.read_only = true;
        auto source = twat_cache::Discovery::open(*info, options);
        QVERIFY(source.ok());
        auto page = (*source)->entries("", 100);
        QVERIFY(page.ok());
        QCOMPARE(page->entries.size(), std::size_t{kLive + kExpired + 1});
        auto deleted = (*source)->deleteBatch(page->entries);
        QCOMPARE(deleted.status().code(), twat_cache::StatusCode::kPermissionDenied);
        source->reset();
        const QStringList changed = changes(before, snapshot(m_cache->path()));
        QVERIFY2(changed.isEmpty(), qPrintable(changed.join(QLatin1Char('\n'))));
    }

    // A clear of a cache needing several batches (200 entries each) is cancelled from the
    // progress dialog after the first batch: the result says cancelled, some but not all
    // entries are gone, and the entries view shows what is left.
    void cancelStopsBetweenBatches() {
        constexpr int kMany = 1000;  // + json-doc: 1001 entries, six batches
        TempDir big;
        const std::string made = twat_cache::test::makeDiskcache(big.path(), kMany);
        QVERIFY2(made.empty(), made.c_str());
        MainWindow window;
        window.show();
        window.entriesModel()->setPageSize(5000);  // one page holds the whole listing
        QSignalSpy loaded(window.entriesModel(), &EntriesModel::pageLoaded);
        window.addSource(folderSourceRef(QString::fromStdString(big.path().string())));
        window.entriesModel()->fetchMore({});
        QVERIFY(loaded.wait(20000));
        QCOMPARE(window.entriesModel()->rowCount(), kMany + 1);

        // The worker waits after its first batch until the dialog's Cancel was clicked, so
        // the cancel lands between batches however fast the disk is (bounded: 20 s).
        SourceClient* client = window.currentSource();
        QSemaphore cancelled;
        std::atomic<int> batches{0};
        connect(
            client, &SourceClient::batchDone, client,
            [&](quint64, quint64, quint64) {
                if (batches.fetch_add(1) == 0) cancelled.tryAcquire(1, 20000);
            },
            Qt::DirectConnection);

        QString preview;
        answerNextMessageBox(QMessageBox::Ok, &preview);
        window.actions().clearAll->trigger();
        QProgressDialog* progress = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (progress = window.findChild<QProgressDialog*>()) != nullptr && progress->value() > 0,
            20000);
        QCOMPARE(progress->value(), 200);
        auto* cancel = progress->findChild<QPushButton*>();
        QVERIFY(cancel != nullptr);
        cancel->click();
        cancelled.release();

        QTRY_VERIFY_WITH_TIMEOUT(
            window.logPanel()->toPlainText().contains(QStringLiteral(", cancelled")), 20000);
        // Counts read as everywhere else in the window: grouped digits, as the locale says.
        QVERIFY2(preview.contains(QStringLiteral("1,001 entries")), qPrintable(preview));
        QVERIFY2(window.logPanel()->toPlainText().contains(QStringLiteral("removed 200 entries")),
                 qPrintable(window.logPanel()->toPlainText()));
        QCOMPARE(batches.load(), 1);
        const QStringList left = diskcacheKeys(big.path());
        QCOMPARE(left.size(), kMany + 1 - 200);
        // The view reloads to the new state.
        QTRY_VERIFY_WITH_TIMEOUT((window.entriesModel()->fetchMore({}),
                                  !window.entriesModel()->isLoading() &&
                                      window.entriesModel()->rowCount() == kMany + 1 - 200),
                                 20000);
        QVERIFY(window.actions().clearAll->isEnabled());
    }

    // Every command ends with something the user sees: here there is nothing to remove.
    void nothingToDoIsSaid() {
        MainWindow window;
        window.show();
        QVERIFY(openCache(window));
        QString said;
        answerNextSizePrompt(100);  // far more than the cache holds
        answerNextMessageBox(QMessageBox::Ok, &said);
        window.actions().prune->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!said.isEmpty(), 10000);
        QVERIFY2(said.contains(QLatin1String("Nothing to prune")), qPrintable(said));
        QVERIFY2(said.contains(QLatin1String("already fits in 100")), qPrintable(said));
        QTRY_VERIFY_WITH_TIMEOUT(window.actions().prune->isEnabled(), 10000);
        QVERIFY(window.statusBar()->currentMessage().contains(QLatin1String("Nothing to prune")));

        // Clear expired twice: the second finds nothing and says so.
        answerNextMessageBox(QMessageBox::Ok, nullptr);
        window.actions().clearExpired->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(
            window.logPanel()->toPlainText().contains(QStringLiteral("removed 3 entries")), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(window.actions().clearExpired->isEnabled(), 10000);
        said.clear();
        answerNextMessageBox(QMessageBox::Ok, &said);
        window.actions().clearExpired->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!said.isEmpty(), 10000);
        QVERIFY2(said.contains(QLatin1String("Nothing to clear")), qPrintable(said));
        QCOMPARE(diskcacheKeys(m_cache->path()).size(), kLive + 1);
    }

    void titlesCountInWords() {
        QCOMPARE(maintenanceTitle({MaintenanceKind::kDeleteSelected, {"a"}, 0}),
                 QStringLiteral("Delete 1 selected entry"));
        QCOMPARE(maintenanceTitle({MaintenanceKind::kDeleteSelected, {"a", "b"}, 0}),
                 QStringLiteral("Delete 2 selected entries"));
    }

    // The details pane drops an entry once it is deleted.
    void deletedEntryLeavesTheDetails() {
        MainWindow window;
        window.show();
        QVERIFY(openCache(window));
        auto* view = window.findChild<QTableView*>(QStringLiteral("entriesView"));
        const QString key = window.entriesModel()->rowAt(0)->key;
        QSignalSpy details(window.currentSource(), &SourceClient::detailReady);
        view->selectRow(0);
        QVERIFY(details.wait(10000));
        QCOMPARE(window.detailsPane()->metadataValue(QStringLiteral("Key")), key);
        answerNextMessageBox(QMessageBox::Ok, nullptr);
        window.actions().deleteSelected->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(
            window.logPanel()->toPlainText().contains(QStringLiteral("removed 1 ")), 10000);
        QVERIFY(!diskcacheKeys(m_cache->path()).contains(key));
        QTRY_VERIFY_WITH_TIMEOUT(
            window.detailsPane()->metadataValue(QStringLiteral("Key")).isEmpty(), 10000);
    }

    void readOnlyTouchesNothing() {
        MainWindow window;
        window.show();
        QVERIFY(openCache(window));
        window.setReadOnly(true);
        QVERIFY(!window.actions().clearAll->isEnabled());
        window.actions().clearAll->trigger();  // a disabled action does nothing, synchronously
        QVERIFY(QApplication::activeModalWidget() == nullptr);
        QVERIFY(!window.logPanel()->toPlainText().contains(QStringLiteral("planning")));
        QCOMPARE(diskcacheKeys(m_cache->path()).size(), kLive + kExpired + 1);
    }
};

QTEST_MAIN(TestMaintenance)
#include "test_maintenance.moc"
