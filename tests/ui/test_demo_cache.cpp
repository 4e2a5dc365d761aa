// The first-run demo cache: written into a missing or empty cache root only, as a native
// sqlite cache that discovery finds and the inspection layer lists (with an expired entry,
// JSON values and counters); a root that holds anything is left alone. Also the window's
// discovery with demoWhenEmpty, and `twat-cache-inspector --write-demo` without a display.
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QtTest>

#include "demo_cache.h"
#include "models/source_tree_model.h"
#include "ui_fixtures.h"
#include "views/main_window.h"
#include "workers/source_adapter.h"

using namespace twat_cache::ui;
using twat_cache::test::TempDir;

class TestDemoCache : public QObject {
    Q_OBJECT

  private:
    TempDir m_settingsDir;

  private slots:
    void initTestCase() {
        QVERIFY(m_settingsDir.ok());
        twat_cache::test::isolateSettings(m_settingsDir.path());
    }

    void emptiness() {
        TempDir dir;
        const QString root = QString::fromStdString(dir.path().string());
        QVERIFY(cacheRootIsEmpty(root));
        QVERIFY(cacheRootIsEmpty(root + QStringLiteral("/missing")));
        QFile file(root + QStringLiteral("/.keep"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        QVERIFY(!cacheRootIsEmpty(root));
    }

    void writesADiscoverableNativeCache() {
        TempDir dir;
        const QString root = QString::fromStdString((dir.path() / "fresh" / "root").string());
        auto wrote = ensureDemoCache(root);
        QVERIFY2(wrote.ok(), wrote.status().toString().c_str());
        QVERIFY(*wrote);
        auto found = discoverSources(root);
        QVERIFY(found.ok());
        QCOMPARE(found->size(), 1);
        QCOMPARE(found->at(0).kind, SourceKind::kNative);
        QCOMPARE(found->at(0).name, QLatin1String(kDemoCacheName));

        SourceAdapter adapter;
        QVERIFY(adapter.open(found->at(0)).ok());
        auto page = adapter.page({}, {}, 500);
        QVERIFY(page.ok());
        QVERIFY(page->complete);
        QCOMPARE(page->rows.size(), 3 + 30 + 6 + 3);
        auto weather = adapter.page({}, QStringLiteral("weather"), 500);
        QVERIFY(weather.ok());
        QCOMPARE(weather->rows.size(), 3);
        for (const EntryRow& row : weather->rows) {
            QVERIFY(row.expiresMs > 0 && row.expiresMs < QDateTime::currentMSecsSinceEpoch());
        }
        auto stats = adapter.stats();
        QVERIFY(stats.ok());
        QCOMPARE(stats->hits, std::optional<quint64>(12));
        QCOMPARE(stats->misses, std::optional<quint64>(4));

        // Not empty any more: a second call writes nothing.
        auto again = ensureDemoCache(root);
        QVERIFY(again.ok());
        QVERIFY(!*again);
    }

    void windowWritesItIntoAnEmptyRoot() {
        TempDir dir;
        qputenv("TWAT_CACHE_DIR", QByteArray::fromStdString(dir.path().string()));
        MainWindow window(nullptr, /*demoWhenEmpty=*/true);
        SourceTreeModel* model = window.sourcesModel();
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(model->discoveredGroup()), 1, 15000);
        const QModelIndex kind = model->index(0, 0, model->discoveredGroup());
        QCOMPARE(kind.data().toString(), QStringLiteral("twat-cache"));
        QCOMPARE(model->sourceAt(model->index(0, 0, kind))->name, QLatin1String(kDemoCacheName));
    }

    void inspectorWritesItWithoutADisplay() {
        TempDir dir;
        QProcess inspector;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}) {
            env.remove(QString::fromLatin1(name));
        }
        env.insert(QStringLiteral("TWAT_CACHE_DIR"), QString::fromStdString(dir.path().string()));
        inspector.setProcessEnvironment(env);
        inspector.start(QStringLiteral(TWAT_CACHE_INSPECTOR_EXE), {QStringLiteral("--write-demo")});
        QVERIFY(inspector.waitForFinished(30000));
        QCOMPARE(inspector.exitCode(), 0);
        QVERIFY(QDir(QString::fromStdString((dir.path() / kDemoCacheName).string())).exists());
        QVERIFY(inspector.readAllStandardError().contains("wrote the demo cache"));
    }
};

QTEST_MAIN(TestDemoCache)
#include "test_demo_cache.moc"
