// Time saved in the inspector (issue 18), over real caches written by the public memoize API
// with a manual clock, so that every compute time is known: the entries table's Compute time
// and Time saved columns (human durations, sortable by the source), "not recorded" (never 0)
// where a cache records none (python-diskcache, plain Redis keys), a Redis listing that reads
// our own entries' compute times, and the statistics panel's totals and its time-saved-per-
// minute chart, sampled through the window's worker while another process scores hits.
#include <QHeaderView>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTableView>
#include <QtTest>

#include "models/entries_model.h"
#include "redis_commands.h"
#include "redis_server.h"
#include "twat_cache/memoize.h"
#include "ui_fixtures.h"
#include "views/main_window.h"
#include "views/saved_time_chart.h"
#include "views/stats_panel.h"
#include "workers/display_text.h"

using namespace twat_cache::ui;
using twat_cache::CacheConfig;
using twat_cache::EngineKind;
using twat_cache::ManualClock;
using twat_cache::test::RedisServer;
using twat_cache::test::TempDir;

namespace {

constexpr quint64 kMs = 1'000'000;

// A function whose call with `ms` "takes" `ms` milliseconds of the manual clock.
struct Slow {
    std::shared_ptr<ManualClock> clock;
    int operator()(int ms) const {
        clock->advanceMs(ms);
        return ms;
    }
};

// Opens `ref` in `window` and waits until its whole listing is in.
bool loadAll(MainWindow& window) {
    EntriesModel* model = window.entriesModel();
    QSignalSpy loaded(model, &EntriesModel::pageLoaded);
    if (model->canFetchMore({})) model->fetchMore({});
    for (int i = 0; i < 100 && (!model->isComplete() || model->isLoading()); ++i) {
        if (!loaded.wait(15000) || !model->lastError().isEmpty()) return false;
        if (model->canFetchMore({})) model->fetchMore({});
    }
    return model->isComplete() && model->rowCount() > 0;
}

bool openAndLoad(MainWindow& window, const SourceRef& ref) {
    window.addSource(ref);
    return loadAll(window);
}

// The compute times of the listed rows, in the listing's order (0: not recorded).
QList<quint64> computeColumn(const EntriesModel& model) {
    QList<quint64> out;
    for (const EntryRow& row : model.rows()) out << row.computeNs.value_or(0);
    return out;
}

QTableView* entriesView(MainWindow& window) {
    return window.findChild<QTableView*>(QStringLiteral("entriesView"));
}

}  // namespace

class TestTimeColumns : public QObject {
    Q_OBJECT

    TempDir m_settingsDir;
    TempDir m_root;
    std::shared_ptr<ManualClock> m_clock = std::make_shared<ManualClock>();

    CacheConfig config(const std::string& name) {
        CacheConfig c;
        c.name = name;
        c.cache_dir = m_root.path();
        c.clock = m_clock;
        return c;
    }

    SourceRef nativeRef(const std::string& name) {
        return folderSourceRef(QString::fromStdString((m_root.path() / name).string()));
    }

    // A cache `name` of `kind` where the call of 40 ms was hit once, the call of 5 ms three
    // times and the call of 300 ms never.
    void writeCache(EngineKind kind, const std::string& name) {
        auto f = twat_cache::memoizeWith(kind, config(name), Slow{m_clock});
        QVERIFY2(f.ok(), f.status().toString().c_str());
        for (const int ms : {40, 40, 5, 5, 5, 5, 300}) QCOMPARE((*f)(ms), ms);
        QVERIFY(f->engine().flush().ok());
    }

  private slots:
    void initTestCase() {
        QVERIFY(m_settingsDir.ok() && m_root.ok());
        twat_cache::test::isolateSettings(m_settingsDir.path());
        QCoreApplication::setOrganizationName(QStringLiteral("twat-cache-test"));
        QCoreApplication::setApplicationName(QStringLiteral("test_time_columns"));
        qputenv("TWAT_CACHE_DIR", QByteArray::fromStdString(m_settingsDir.path().string()));
        writeCache(EngineKind::kSqlite, "sq");
        writeCache(EngineKind::kFiles, "fi");
        const std::string error = twat_cache::test::makeDiskcache(m_root.path() / "dc", 3);
        QVERIFY2(error.empty(), error.c_str());
    }

    void init() { QSettings().clear(); }

    void durations_data() {
        QTest::addColumn<quint64>("ns");
        QTest::addColumn<QString>("text");
        const QLocale locale;
        QTest::newRow("ns") << quint64{850} << QStringLiteral("850 ns");
        QTest::newRow("zero") << quint64{0} << QStringLiteral("0 s");
        QTest::newRow("us") << quint64{12'000} << locale.toString(12.0, 'f', 0) + " µs";
        QTest::newRow("ms") << 1'200'000ULL << locale.toString(1.2, 'f', 1) + " ms";
        QTest::newRow("s") << 4'500'000'000ULL << locale.toString(4.5, 'f', 1) + " s";
        QTest::newRow("min") << 425'000'000'000ULL << QStringLiteral("7 min 05 s");
        QTest::newRow("h") << (3 * 3600 + 12 * 60) * 1'000'000'000ULL
                           << QStringLiteral("3 h 12 min");
        QTest::newRow("d") << (2 * 86400 + 4 * 3600) * 1'000'000'000ULL
                           << QStringLiteral("2 d 4 h");
    }
    void durations() {
        QFETCH(quint64, ns);
        QFETCH(QString, text);
        QCOMPARE(durationText(ns), text);
    }

    // Our sqlite cache: both columns, per entry, as human durations; sorted by the source.
    void sqliteShowsAndSortsTimes() {
        MainWindow window;
        QVERIFY(openAndLoad(window, nativeRef("sq")));
        EntriesModel* model = window.entriesModel();
        QTableView* view = entriesView(window);
        QVERIFY(!view->isColumnHidden(EntriesModel::kComputeTime));
        QVERIFY(!view->isColumnHidden(EntriesModel::kTimeSaved));
        QCOMPARE(model->headerData(EntriesModel::kComputeTime, Qt::Horizontal).toString(),
                 QStringLiteral("Compute time"));
        QCOMPARE(model->headerData(EntriesModel::kTimeSaved, Qt::Horizontal).toString(),
                 QStringLiteral("Time saved"));
        QCOMPARE(model->rowCount(), 3);
        QVERIFY(model->isSortable(EntriesModel::kComputeTime));
        QVERIFY(model->isSortable(EntriesModel::kTimeSaved));

        model->sort(EntriesModel::kComputeTime, Qt::AscendingOrder);
        QVERIFY(loadAll(window));
        QCOMPARE(computeColumn(*model), (QList<quint64>{5 * kMs, 40 * kMs, 300 * kMs}));
        const QLocale locale;
        QCOMPARE(model->index(0, EntriesModel::kComputeTime).data().toString(),
                 locale.toString(5.0, 'f', 1) + " ms");
        QCOMPARE(model->index(2, EntriesModel::kComputeTime).data().toString(),
                 QStringLiteral("300 ms"));
        // Time saved: hits x compute time (the 5 ms call was hit three times).
        for (const EntryRow& row : model->rows()) {
            QVERIFY(row.hits && row.savedNs);
            QCOMPARE(*row.savedNs, *row.hits * *row.computeNs);
        }
        QCOMPARE(model->rows().at(0).savedNs.value_or(0), 15 * kMs);
        QCOMPARE(model->index(0, EntriesModel::kTimeSaved).data().toString(),
                 QStringLiteral("15 ms"));
        QCOMPARE(model->index(0, EntriesModel::kTimeSaved, {}).data(Qt::TextAlignmentRole),
                 QVariant(Qt::AlignRight | Qt::AlignVCenter));

        model->sort(EntriesModel::kTimeSaved, Qt::DescendingOrder);
        QVERIFY(loadAll(window));
        QList<quint64> saved;
        for (const EntryRow& row : model->rows()) saved << row.savedNs.value_or(0);
        QCOMPARE(saved, (QList<quint64>{40 * kMs, 15 * kMs, 0}));
        QCOMPARE(view->horizontalHeader()->sortIndicatorSection(), int(EntriesModel::kTimeSaved));
    }

    // A layout remembered before these columns existed (a header state of 12 columns) still
    // shows them, at a readable width.
    void olderLayoutShowsTheNewColumns() {
        QStandardItemModel old(0, 12);
        QTableView oldView;
        oldView.setModel(&old);
        oldView.setColumnWidth(EntriesModel::kSize, 123);
        QSettings().setValue(QStringLiteral("entries/columns/native/state"),
                             oldView.horizontalHeader()->saveState());
        MainWindow window;
        QVERIFY(openAndLoad(window, nativeRef("sq")));
        QTableView* view = entriesView(window);
        for (const int column : {int(EntriesModel::kComputeTime), int(EntriesModel::kTimeSaved)}) {
            QVERIFY(!view->isColumnHidden(column));
            QVERIFY2(view->columnWidth(column) >=
                         view->fontMetrics().horizontalAdvance(QStringLiteral("Compute")),
                     qPrintable(QString::number(view->columnWidth(column))));
        }
    }

    // Our files cache records compute times but no hits per entry: Compute time only, sorted
    // through the core's sort index.
    void filesShowComputeTime() {
        MainWindow window;
        QVERIFY(openAndLoad(window, nativeRef("fi")));
        EntriesModel* model = window.entriesModel();
        QVERIFY(!entriesView(window)->isColumnHidden(EntriesModel::kComputeTime));
        QVERIFY(entriesView(window)->isColumnHidden(EntriesModel::kTimeSaved));
        model->sort(EntriesModel::kComputeTime, Qt::DescendingOrder);
        QVERIFY(loadAll(window));
        QCOMPARE(computeColumn(*model), (QList<quint64>{300 * kMs, 40 * kMs, 5 * kMs}));
    }

    // python-diskcache records no compute time: "not recorded", never 0, in the cells and
    // in the statistics panel, and no chart of zeros.
    void diskcacheSaysNotRecorded() {
        MainWindow window;
        window.show();
        QVERIFY(openAndLoad(
            window, folderSourceRef(QString::fromStdString((m_root.path() / "dc").string()))));
        EntriesModel* model = window.entriesModel();
        QVERIFY(!model->isColumnKept(EntriesModel::kComputeTime));
        QVERIFY(entriesView(window)->isColumnHidden(EntriesModel::kTimeSaved));
        for (const int column : {int(EntriesModel::kComputeTime), int(EntriesModel::kTimeSaved)}) {
            const QModelIndex cell = model->index(0, column);
            QCOMPARE(cell.data().toString(), notRecordedMark());
            QVERIFY(
                cell.data(Qt::ToolTipRole).toString().startsWith(QStringLiteral("Not recorded")));
            QVERIFY(!cell.data().toString().contains(QLatin1Char('0')));
        }
        QVERIFY(!model->isSortable(EntriesModel::kComputeTime));
        StatsPanel* panel = window.statsPanel();
        QTRY_COMPARE_WITH_TIMEOUT(panel->fieldText(QStringLiteral("compute")),
                                  QStringLiteral("not recorded"), 15000);
        QCOMPARE(panel->fieldText(QStringLiteral("saved")), QStringLiteral("not recorded"));
        QVERIFY(!panel->savedChart().chartShown());
        QVERIFY(panel->savedChart().noteText().contains(QStringLiteral("not recorded")));
    }

    // The per-minute chart: one point per interval between samples, scaled to a minute.
    void savedPerMinutePoints() {
        const QList<SavedTimeChart::Sample> samples = {
            {0, 0}, {30'000, 1'000'000'000}, {60'000, 1'000'000'000}, {90'000, 500}};
        QCOMPARE(SavedTimeChart::pointsOf(samples),
                 (QList<QPointF>{{30.0, 2e9}, {60.0, 0.0}, {90.0, 1000.0}}));
        SavedTimeChart chart;
        chart.setSamples(samples, true);
        QVERIFY(chart.chartShown());
        QCOMPARE(chart.unitText(), QStringLiteral("s/min"));
        chart.setSamples({}, false);
        QVERIFY(!chart.chartShown());
        QVERIFY(chart.noteText().contains(QStringLiteral("not recorded")));
    }

    // The statistics panel: totals of our sqlite cache, and time saved per minute from the
    // window's samples while another process (here: another wrapper) scores hits.
    void statsPanelTotalsAndChart() {
        MainWindow window;
        window.setStatsInterval(50);
        window.show();
        QVERIFY(openAndLoad(window, nativeRef("sq")));
        StatsPanel* panel = window.statsPanel();
        // 345 ms computed; 40 + 3 x 5 = 55 ms saved.
        QTRY_COMPARE_WITH_TIMEOUT(panel->fieldText(QStringLiteral("compute")),
                                  QStringLiteral("345 ms"), 15000);
        QCOMPARE(panel->fieldText(QStringLiteral("saved")), QStringLiteral("55 ms"));
        QTRY_VERIFY_WITH_TIMEOUT(panel->sampleCount() >= 2, 15000);
        {
            auto f = twat_cache::memoizeWith(EngineKind::kSqlite, config("sq"), Slow{m_clock});
            QVERIFY(f.ok());
            QCOMPARE((*f)(300), 300);  // a hit: saves 300 ms
            QVERIFY(f->engine().flush().ok());
        }
        QTRY_COMPARE_WITH_TIMEOUT(panel->fieldText(QStringLiteral("saved")),
                                  QStringLiteral("355 ms"), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(panel->savedChart().chartShown(), 5000);
        double top = 0;
        for (const QPointF& p : panel->savedChart().points()) top = std::max(top, p.y());
        QVERIFY2(top > 0, "the hit's 300 ms show as time saved per minute");
    }

    // Redis: the listing reads the compute time of our own cache's entries (from their
    // envelopes, in the page's pipeline); plain keys say "not recorded".
    void redisListingFillsComputeTime() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        RedisServer server;
        const std::string started = server.start();
        QVERIFY2(started.empty(), started.c_str());
        CacheConfig c = config("slow");
        c.redis_url = server.url();
        {
            auto f = twat_cache::memoizeWith(EngineKind::kRedis, c, Slow{m_clock});
            QVERIFY2(f.ok(), f.status().toString().c_str());
            QCOMPARE((*f)(80), 80);
            QCOMPARE((*f)(80), 80);
            QVERIFY(f->engine().flush().ok());
        }
        QVERIFY(twat_cache::test::runRedisCommands(server.port(), {{"SET", "plain", "1"}}));
        SourceRef ref;
        ref.kind = SourceKind::kRedis;
        ref.location = QString::fromStdString(server.url());
        ref.name = QStringLiteral("time redis");
        MainWindow window;
        QVERIFY(openAndLoad(window, ref));
        EntriesModel* model = window.entriesModel();
        QVERIFY(!entriesView(window)->isColumnHidden(EntriesModel::kComputeTime));
        int ours = 0;
        for (int row = 0; row < model->rowCount(); ++row) {
            const EntryRow& r = model->rows().at(row);
            const QModelIndex cell = model->index(row, EntriesModel::kComputeTime);
            if (r.key.startsWith(QStringLiteral("twat_cache:slow:")) &&
                !r.key.contains(QStringLiteral("__"))) {
                ++ours;
                QCOMPARE(r.computeNs.value_or(0), 80 * kMs);
                QCOMPARE(cell.data().toString(), QStringLiteral("80 ms"));
            } else {
                QVERIFY2(!r.computeNs, qPrintable(r.key));
                QCOMPARE(cell.data().toString(), notRecordedMark());
            }
        }
        QCOMPARE(ours, 1);
    }
};

QTEST_MAIN(TestTimeColumns)
#include "test_time_columns.moc"
