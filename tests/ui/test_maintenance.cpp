// Maintenance through the main window on a real python-diskcache folder: plan, preview in a
// confirmation box, execute with progress; declining or read-only mode changes nothing.
// The outcome is checked by python-diskcache itself.
#include <QApplication>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTimer>
#include <QtTest>

#include "models/entries_model.h"
#include "ui_fixtures.h"
#include "views/log_panel.h"
#include "views/main_window.h"

using namespace twat_cache::ui;
using twat_cache::test::TempDir;

namespace {

constexpr int kLive = 12;
constexpr int kExpired = 3;

// Keys python-diskcache sees in `dir`, sorted, one per line.
QStringList diskcacheKeys(const std::filesystem::path& dir) {
    auto result =
        twat_cache::test::runProcess(twat_cache::test::pythonInterpreter(),
                                     {"-c",
                                      "import sys, diskcache\nc = diskcache.Cache(sys.argv[1])\n"
                                      "print('\\n'.join(sorted(str(k) for k in c.iterkeys())))",
                                      dir.string()});
    if (!result.finished || result.exitCode != 0) return {QStringLiteral("ERROR")};
    return QString::fromStdString(result.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

// Clicks `button` in the next message box that opens (polls the modal widget, bounded).
void answerNextMessageBox(QMessageBox::StandardButton button, QString* text) {
    auto* timer = new QTimer(qApp);
    auto tries = std::make_shared<int>(0);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, tries, button, text] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (box != nullptr) {
            if (text) *text = box->text() + QLatin1Char('\n') + box->informativeText();
            box->button(button)->click();
        }
        if (box != nullptr || ++*tries > 500) timer->deleteLater();
    });
    timer->start(10);
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
