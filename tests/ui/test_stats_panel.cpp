// Statistics: the panel's counters, time charts from samples and entry distribution
// (deterministic, fed by hand), and the window's periodic sampling through the worker of a real
// native cache whose counters move.
#include <QChartView>
#include <QGraphicsTextItem>
#include <QLineSeries>
#include <QSignalSpy>
#include <QtTest>

#include "models/entries_model.h"
#include "ui_fixtures.h"
#include "ui_resources.h"
#include "views/entry_distribution.h"
#include "views/main_window.h"
#include "views/stats_panel.h"
#include "workers/display_text.h"

using namespace twat_cache::ui;
using twat_cache::test::TempDir;

namespace {

SourceStats counters(quint64 hits, quint64 misses) {
    SourceStats s;
    s.entries = 10;
    s.bytes = 2048;
    s.hits = hits;
    s.misses = misses;
    s.evictions = 0;
    return s;
}

EntryRow row(const QString& key, quint64 size, qint64 expiresMs) {
    EntryRow r;
    r.key = key;
    r.size = size;
    r.expiresMs = expiresMs;
    return r;
}

}  // namespace

class TestStatsPanel : public QObject {
    Q_OBJECT

  private:
    TempDir m_settingsDir;

  private slots:
    void initTestCase() {
        QVERIFY(m_settingsDir.ok());
        twat_cache::test::isolateSettings(m_settingsDir.path());
        qputenv("TWAT_CACHE_DIR", QByteArray::fromStdString(m_settingsDir.path().string()));
        initUiResources();
    }

    // Sources are saved as soon as they are added: each test starts from empty settings.
    void init() { QSettings().clear(); }

    void countersAndTimeCharts() {
        StatsPanel panel;
        panel.recordSample(0, counters(0, 0));
        panel.recordSample(2000, counters(30, 10));  // 40 lookups in 2 s, 75 % hits
        panel.recordSample(4000, counters(30, 10));  // idle: no ratio, a gap
        panel.recordSample(6000, counters(40, 50));  // 50 lookups, 20 % hits
        QCOMPARE(panel.sampleCount(), 4);
        QVERIFY(panel.timeChartsShown());
        QCOMPARE(panel.fieldText(QStringLiteral("hits")), QStringLiteral("40"));
        QCOMPARE(panel.fieldText(QStringLiteral("ratio")), QLocale().toString(44.4, 'f', 1) + " %");
        // The idle interval is a gap between two runs: neither 0 % nor 100 % nor the ratio so far.
        QCOMPARE(panel.ratioSegments(), (QList<QList<QPointF>>{{{2.0, 75.0}}, {{6.0, 20.0}}}));
        QCOMPARE(panel.ratioPoints(), (QList<QPointF>{{2.0, 75.0}, {6.0, 20.0}}));
        // Drawn so: one line per run, on the chart.
        auto* chart = panel.findChild<QChartView*>(QStringLiteral("ratioChart"))->chart();
        QList<QList<QPointF>> drawn;
        for (QAbstractSeries* series : chart->series()) {
            const auto points = static_cast<QLineSeries*>(series)->points();
            if (!points.isEmpty()) drawn.append(points);
        }
        QCOMPARE(drawn, panel.ratioSegments());
        const QList<QPointF> ops = panel.opsPoints();
        QCOMPARE(ops, (QList<QPointF>{{2.0, 20.0}, {4.0, 0.0}, {6.0, 25.0}}));
        // Counters that went down (the cache was cleared) count from zero.
        panel.recordSample(8000, counters(4, 0));
        QCOMPARE(panel.opsPoints().constLast(), QPointF(8.0, 2.0));
        panel.resetHistory();
        QCOMPARE(panel.sampleCount(), 0);
    }

    void untrackedCountersSayWhy() {
        StatsPanel panel;
        SourceStats s;
        s.entries = 3;
        s.note = QStringLiteral("joblib keeps no counters");
        panel.recordSample(0, s);
        panel.recordSample(2000, s);
        QCOMPARE(panel.sampleCount(), 0);
        QVERIFY(!panel.timeChartsShown());
        QCOMPARE(panel.fieldText(QStringLiteral("hits")), QStringLiteral("not recorded"));
        QVERIFY(panel.noteText().contains(QStringLiteral("does not record hits and misses")));
        QVERIFY(panel.noteText().contains(QStringLiteral("joblib keeps no counters"),
                                          Qt::CaseInsensitive));
    }

    // A big diskcache whose byte sum is still going on over samples: the size says how far
    // it got, never "not recorded"; the finished sum replaces it.
    void sizeBeingAddedUpSaysHowFar() {
        StatsPanel panel;
        SourceStats s;
        s.entries = 10'000'000;
        s.extra.append({QStringLiteral("disk_use"), 900'000'000});
        s.extra.append({QStringLiteral("bytes_summed_entries"), 2'500'000});
        panel.recordSample(0, s);
        const QString text = panel.fieldText(QStringLiteral("bytes"));
        QVERIFY2(text.startsWith(QStringLiteral("adding up")), qPrintable(text));
        QVERIFY2(text.contains(QLocale().toString(2'500'000)), qPrintable(text));
        QVERIFY2(text.contains(QLocale().toString(10'000'000)), qPrintable(text));
        s.extra.removeLast();
        s.bytes = 2048;
        panel.recordSample(2000, s);
        QCOMPARE(panel.fieldText(QStringLiteral("bytes")), bytesText(2048));
    }

    // A Redis user whose ACL refuses INFO: the server keeps counters but will not show them;
    // the panel says so instead of "does not record" or zeros.
    void refusedCountersSayWhy() {
        StatsPanel panel;
        SourceStats s;
        s.entries = 62;
        s.note = QStringLiteral(
            "entries: keys in db 0 (DBSIZE); size, hits, misses and evictions: not permitted by "
            "the server (NOPERM this user has no permissions to run the 'info' command)");
        panel.recordSample(0, s);
        QVERIFY(!panel.timeChartsShown());
        QCOMPARE(panel.fieldText(QStringLiteral("entries")), QStringLiteral("62"));
        QCOMPARE(panel.fieldText(QStringLiteral("hits")), QStringLiteral("not permitted"));
        QCOMPARE(panel.fieldText(QStringLiteral("ratio")), QStringLiteral("not permitted"));
        QVERIFY2(!panel.noteText().contains(QStringLiteral("does not record")),
                 qPrintable(panel.noteText()));
        QVERIFY2(panel.noteText().contains(QStringLiteral("not permitted by the server (NOPERM")),
                 qPrintable(panel.noteText()));
        QVERIFY2(!panel.timeNoteText().contains(QStringLiteral("does not record")),
                 qPrintable(panel.timeNoteText()));
        QVERIFY2(panel.timeNoteText().contains(QStringLiteral("does not let this user")),
                 qPrintable(panel.timeNoteText()));
        // The next source that simply keeps no counters says that again.
        SourceStats plain;
        plain.entries = 3;
        panel.recordSample(2000, plain);
        QVERIFY(panel.noteText().contains(QStringLiteral("does not record hits and misses")));
        QVERIFY(panel.timeNoteText().contains(QStringLiteral("does not record hits and misses")));
        QCOMPARE(panel.fieldText(QStringLiteral("hits")), QStringLiteral("not recorded"));
    }

    void sizeBuckets_data() {
        QTest::addColumn<quint64>("bytes");
        QTest::addColumn<int>("bucket");
        QTest::newRow("0") << quint64{0} << 0;
        QTest::newRow("63") << quint64{63} << 0;
        QTest::newRow("64") << quint64{64} << 1;
        QTest::newRow("1023") << quint64{1023} << 1;
        QTest::newRow("1 KiB") << quint64{1024} << 2;
        QTest::newRow("255 KiB") << quint64{255 * 1024} << 3;
        QTest::newRow("4 MiB - 1") << quint64{4 * 1024 * 1024 - 1} << 4;
    }
    void sizeBuckets() {
        QFETCH(quint64, bytes);
        QFETCH(int, bucket);
        QCOMPARE(EntryDistribution::sizeBucket(bytes), bucket);
        QCOMPARE(EntryDistribution::sizeBucket(quint64{1} << 30),
                 EntryDistribution::kSizeBuckets - 1);
    }

    void ttlBuckets_data() {
        QTest::addColumn<qint64>("expires");
        QTest::addColumn<int>("bucket");
        const qint64 now = 1'000'000'000;
        QTest::newRow("never") << qint64{0} << 5;
        QTest::newRow("expired") << now - 1 << 0;
        QTest::newRow("now") << now << 0;
        QTest::newRow("30 s") << now + 30'000 << 1;
        QTest::newRow("59 min") << now + 59 * 60'000 << 2;
        QTest::newRow("23 h") << now + 23 * 3'600'000LL << 3;
        QTest::newRow("2 days") << now + 48 * 3'600'000LL << 4;
    }
    void ttlBuckets() {
        QFETCH(qint64, expires);
        QFETCH(int, bucket);
        QCOMPARE(EntryDistribution::ttlBucket(expires, 1'000'000'000), bucket);
    }

    void distributionKeepsTheLargest() {
        EntryDistribution d;
        QList<EntryRow> rows;
        for (int i = 0; i < 20; ++i) rows << row(QString::number(i), quint64(i) * 100, 0);
        d.add(rows.mid(0, 7), 0);
        d.add(rows.mid(7), 0);
        QCOMPARE(d.count(), quint64{20});
        QCOMPARE(d.largest().size(), EntryDistribution::kTopCount);
        QCOMPARE(d.largest().constFirst().key, QStringLiteral("19"));
        QCOMPARE(d.largest().constLast().key, QStringLiteral("12"));
        quint64 sum = 0;
        for (quint64 n : d.sizeCounts()) sum += n;
        QCOMPARE(sum, quint64{20});
        QCOMPARE(d.ttlCounts()[5], quint64{20});
    }

    // At the window's default size, the histograms' labels are readable, not elided to "…".
    void entryChartLabelsAreReadable() {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.statsPanel()->showTab(1);
        for (const char* name : {"sizeChart", "ttlChart"}) {
            auto* view = window.statsPanel()->findChild<QChartView*>(QLatin1String(name));
            QVERIFY(view);
            QVERIFY(view->isVisible());
            const QStringList wanted = QLatin1String(name) == QLatin1String("sizeChart")
                                           ? EntryDistribution::sizeLabels()
                                           : EntryDistribution::ttlLabels();
            // The axis labels are text items of the chart's scene, as drawn.
            QStringList shown;
            auto allShown = [&] {
                view->grab();  // lays the chart out at its current size
                shown.clear();
                for (QGraphicsItem* item : view->scene()->items()) {
                    auto* text = dynamic_cast<QGraphicsTextItem*>(item);
                    if (text != nullptr && text->isVisible()) shown << text->toPlainText();
                }
                return std::all_of(wanted.begin(), wanted.end(),
                                   [&](const QString& w) { return shown.contains(w); });
            };
            QTRY_VERIFY2_WITH_TIMEOUT(allShown(), qPrintable(shown.join(QLatin1Char('|'))), 5000);
            for (const QString& text : shown) {
                QVERIFY2(!text.contains(QChar(0x2026)), qPrintable(shown.join(QLatin1Char('|'))));
            }
        }
    }

    // The Entries tab says exactly which entries its figures cover: the first N of the list,
    // the smallest ones when the list is sorted smallest first, the cache's largest when it is
    // sorted largest first, all of them when the list is complete.
    void largestSaysWhatItCovers() {
        TempDir root;
        const std::string error = twat_cache::test::makeNativeCache(root.path(), "sizes", 120, 0);
        QVERIFY2(error.empty(), error.c_str());
        MainWindow window;
        window.show();
        EntriesModel* model = window.entriesModel();
        model->setPageSize(30);
        StatsPanel* panel = window.statsPanel();
        auto waitPage = [&] {
            QSignalSpy loaded(model, &EntriesModel::pageLoaded);
            model->fetchMore({});
            return loaded.wait(15000) && model->rowCount() > 0;
        };
        window.addSource(folderSourceRef(QString::fromStdString((root.path() / "sizes").string())));
        QVERIFY(waitPage());
        const QString total = QLocale().toString(121);
        QTRY_COMPARE_WITH_TIMEOUT(panel->largestTitle(), QStringLiteral("Largest of the 30 loaded"),
                                  5000);
        QVERIFY2(panel->entriesCaption().startsWith(
                     QStringLiteral("The first 30 entries of the list, of ~") + total),
                 qPrintable(panel->entriesCaption()));
        QVERIFY(panel->entriesCaption().contains(QStringLiteral("Sort the list by Size")));

        model->sort(EntriesModel::kSize, Qt::AscendingOrder);
        QVERIFY(waitPage());
        QTRY_VERIFY_WITH_TIMEOUT(panel->entriesCaption().contains(QStringLiteral("smallest first")),
                                 5000);
        QCOMPARE(panel->largestTitle(), QStringLiteral("Largest of the 30 loaded"));

        model->sort(EntriesModel::kSize, Qt::DescendingOrder);
        QVERIFY(waitPage());
        QTRY_COMPARE_WITH_TIMEOUT(panel->largestTitle(), QStringLiteral("Largest in the cache"),
                                  5000);
        // The JSON document is the largest value of the cache.
        QTRY_COMPARE_WITH_TIMEOUT(panel->distribution().largest().constFirst().key,
                                  QStringLiteral("doc(1)"), 5000);

        window.setFilterText(QStringLiteral("item(1?)"));
        QTRY_VERIFY_WITH_TIMEOUT(model->isComplete() && model->rowCount() == 10, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(panel->entriesCaption(),
                                  QStringLiteral("All 10 entries matching the filter."), 5000);
        QCOMPARE(panel->largestTitle(), QStringLiteral("Largest entries"));
    }

    void windowSamplesThroughTheWorker() {
        TempDir root;
        const std::string error = twat_cache::test::makeNativeCache(root.path(), "polled", 4, 0);
        QVERIFY2(error.empty(), error.c_str());
        MainWindow window;
        window.setStatsInterval(50);
        window.show();
        QSignalSpy loaded(window.entriesModel(), &EntriesModel::pageLoaded);
        window.addSource(
            folderSourceRef(QString::fromStdString((root.path() / "polled").string())));
        window.entriesModel()->fetchMore({});
        QVERIFY(loaded.wait(15000));
        QTRY_VERIFY_WITH_TIMEOUT(window.statsPanel()->sampleCount() >= 2, 15000);
        QCOMPARE(window.statsPanel()->fieldText(QStringLiteral("hits")), QStringLiteral("1"));
        // Another process (here: our engine) looks up entries; the next samples show it.
        {
            auto engine = twat_cache::test::openNative(root.path(), "polled");
            QVERIFY(engine.ok());
            for (int i = 0; i < 9; ++i) {
                QVERIFY((*engine)->get(twat_cache::makeKey("item", std::int64_t{i % 4})).ok());
            }
            QVERIFY((*engine)->flush().ok());
        }
        QTRY_COMPARE_WITH_TIMEOUT(window.statsPanel()->fieldText(QStringLiteral("hits")),
                                  QStringLiteral("10"), 15000);
        QVERIFY(window.statsPanel()->timeChartsShown());
        double lookups = 0;
        for (const QPointF& p : window.statsPanel()->opsPoints()) lookups += p.y();
        QVERIFY(lookups > 0);
        // The loaded entries feed the distribution (4 items and the JSON document).
        QTRY_COMPARE_WITH_TIMEOUT(window.statsPanel()->distribution().count(), quint64{5}, 15000);
    }
};

QTEST_MAIN(TestStatsPanel)
#include "test_stats_panel.moc"
