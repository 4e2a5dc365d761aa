// Grabs PNG screenshots of the main window (empty, and browsing a real python-diskcache
// folder) and of the Redis dialog into <build>/tests/ui/screenshots/, for review.
#include <QDir>
#include <QSignalSpy>
#include <QTableView>
#include <QtTest>

#include "dialogs/redis_dialog.h"
#include "models/entries_model.h"
#include "ui_fixtures.h"
#include "views/main_window.h"
#include "views/ui_resources.h"
#include "workers/source_client.h"

using namespace twat_cache::ui;
using twat_cache::test::TempDir;

class TestScreenshots : public QObject {
    Q_OBJECT

  private:
    TempDir m_settingsDir;
    TempDir m_cacheDir;
    QDir m_out;

    void save(QWidget& widget, const QString& name) {
        const QPixmap pixmap = widget.grab();
        QVERIFY(!pixmap.isNull());
        QCOMPARE(pixmap.size(), widget.size());
        const QString path = m_out.filePath(name + QStringLiteral(".png"));
        QVERIFY2(pixmap.save(path, "PNG"), qPrintable(path));
        const QImage reread(path);
        QCOMPARE(reread.size(), widget.size());
        qInfo("screenshot: %s", qPrintable(path));
    }

  private slots:
    void initTestCase() {
        QVERIFY(m_settingsDir.ok() && m_cacheDir.ok());
        twat_cache::test::isolateSettings(m_settingsDir.path());
        qputenv("TWAT_CACHE_DIR", QByteArray::fromStdString(m_settingsDir.path().string()));
        initUiResources();
        m_out = QDir(QCoreApplication::applicationDirPath());
        QVERIFY(m_out.mkpath(QStringLiteral("screenshots")));
        QVERIFY(m_out.cd(QStringLiteral("screenshots")));
        const std::string error = twat_cache::test::makeDiskcache(m_cacheDir.path(), 40, 2);
        QVERIFY2(error.empty(), error.c_str());
    }

    void emptyWindow() {
        MainWindow window;
        window.resize(1200, 760);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        save(window, QStringLiteral("main_window_empty"));
    }

    void browsingACache() {
        MainWindow window;
        window.resize(1200, 760);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy loaded(window.entriesModel(), &EntriesModel::pageLoaded);
        window.addSource(folderSourceRef(QString::fromStdString(m_cacheDir.path().string())));
        QVERIFY(loaded.wait(10000));
        auto* view = window.findChild<QTableView*>(QStringLiteral("entriesView"));
        QSignalSpy details(window.currentSource(), &SourceClient::detailReady);
        view->setCurrentIndex(window.entriesModel()->index(0, 0));
        QVERIFY(details.wait(10000));
        save(window, QStringLiteral("main_window_cache"));
    }

    void redisDialog() {
        RedisDialog dialog(nullptr);
        dialog.setHost(QStringLiteral("127.0.0.1"), 6379, 0);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        save(dialog, QStringLiteral("redis_dialog"));
    }
};

QTEST_MAIN(TestScreenshots)
#include "test_screenshots.moc"
