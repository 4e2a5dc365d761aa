// Sorting by clicking a column header of the whole window's entries view: on a real
// python-diskcache folder the Size and Created (stored) columns come back in the right order,
// ascending on the first click and descending on the second, with the header's indicator
// showing it (a click on a column it cannot sort by leaves both alone); on a plain folder (a source
// that cannot sort) a click changes nothing, shows no indicator and the header's tooltip says the
// column cannot be sorted.
#include <QHeaderView>
#include <QSignalSpy>
#include <QTableView>
#include <QtTest>
#include <fstream>

#include "models/entries_model.h"
#include "ui_fixtures.h"
#include "views/main_window.h"

using namespace twat_cache::ui;
using twat_cache::test::TempDir;

namespace {

// Keys k00.. stored in this order (a few ms apart, so stored times differ) with value sizes
// that are a different permutation: size order and stored order disagree.
constexpr int kKeys = 12;
int sizeRank(int i) {
    return (i * 5) % kKeys;  // 5 is coprime with 12: a permutation of 0..11
}

std::string makeSortFixture(const std::filesystem::path& dir) {
    static const char* kScript = R"(
import sys, time, diskcache
c = diskcache.Cache(sys.argv[1])
for i in range(12):
    c.set("k%02d" % i, b"x" * (100 * ((i * 5) % 12 + 1)))
    time.sleep(0.003)  # distinct store_time values at millisecond resolution
c.close()
)";
    auto result = twat_cache::test::runProcess(twat_cache::test::pythonInterpreter(),
                                               {"-c", kScript, dir.string()}, 60000);
    if (!result.finished || result.exitCode != 0) return "diskcache fixture: " + result.err;
    return {};
}

QString keyAt(const EntriesModel& model, int row) {
    return model.rowAt(row) ? model.rowAt(row)->key : QString();
}

}  // namespace

class TestHeaderSorting : public QObject {
    Q_OBJECT

  private:
    TempDir m_settingsDir;

    // Opens `folder` in `window` and waits until its whole (small) listing is loaded.
    static bool open(MainWindow& window, const std::filesystem::path& folder, int rows) {
        QSignalSpy loaded(window.entriesModel(), &EntriesModel::pageLoaded);
        window.addSource(folderSourceRef(QString::fromStdString(folder.string())));
        window.entriesModel()->fetchMore({});
        return (loaded.count() > 0 || loaded.wait(20000)) &&
               window.entriesModel()->lastError().isEmpty() &&
               window.entriesModel()->rowCount() == rows;
    }

    // Clicks the header section of `column`, as a user does.
    static void clickHeader(MainWindow& window, int column) {
        auto* view = window.findChild<QTableView*>(QStringLiteral("entriesView"));
        QHeaderView* header = view->horizontalHeader();
        const QPoint at(header->sectionViewportPosition(column) + header->sectionSize(column) / 2,
                        header->height() / 2);
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, at);
    }

    // Waits until the restarted scan has loaded `rows` rows again.
    static bool reloaded(EntriesModel& model, int rows) {
        return QTest::qWaitFor(
            [&] {
                model.fetchMore({});
                return !model.isLoading() && model.rowCount() == rows;
            },
            20000);
    }

  private slots:
    void initTestCase() {
        QVERIFY(m_settingsDir.ok());
        twat_cache::test::isolateSettings(m_settingsDir.path());
        qputenv("TWAT_CACHE_DIR", QByteArray::fromStdString(m_settingsDir.path().string()));
    }

    void init() { QSettings().clear(); }

    void clickSortsBothWays_data() {
        QTest::addColumn<int>("column");
        QTest::newRow("size") << static_cast<int>(EntriesModel::kSize);
        QTest::newRow("stored") << static_cast<int>(EntriesModel::kCreated);
    }

    void clickSortsBothWays() {
        QFETCH(int, column);
        TempDir cache;
        const std::string made = makeSortFixture(cache.path());
        QVERIFY2(made.empty(), made.c_str());
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(open(window, cache.path(), kKeys));
        EntriesModel& model = *window.entriesModel();
        QHeaderView* header =
            window.findChild<QTableView*>(QStringLiteral("entriesView"))->horizontalHeader();
        QVERIFY(model.isSortable(column));
        QVERIFY(!header->isSortIndicatorShown());
        QVERIFY(model.headerData(column, Qt::Horizontal, Qt::ToolTipRole)
                    .toString()
                    .startsWith(QLatin1String("Click to sort")));

        // Expected key orders, ascending.
        QStringList expected;
        for (int i = 0; i < kKeys; ++i) expected << QString();
        for (int i = 0; i < kKeys; ++i) {
            const int rank = column == EntriesModel::kSize ? sizeRank(i) : i;
            expected[rank] = QStringLiteral("k%1").arg(i, 2, 10, QLatin1Char('0'));
        }

        for (const Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
            clickHeader(window, column);
            QCOMPARE(model.sortColumn(), column);
            QCOMPARE(model.sortOrder(), order);
            QVERIFY(header->isSortIndicatorShown());
            QCOMPARE(header->sortIndicatorSection(), column);
            QCOMPARE(header->sortIndicatorOrder(), order);
            QVERIFY(reloaded(model, kKeys));
            QStringList keys;
            for (int row = 0; row < kKeys; ++row) {
                keys << keyAt(model, row);
                if (row == 0) continue;
                const EntryRow& a = *model.rowAt(row - 1);
                const EntryRow& b = *model.rowAt(row);
                const bool inOrder =
                    column == EntriesModel::kSize
                        ? (order == Qt::AscendingOrder ? a.size < b.size : a.size > b.size)
                        : (order == Qt::AscendingOrder ? a.createdMs < b.createdMs
                                                       : a.createdMs > b.createdMs);
                QVERIFY2(inOrder, qPrintable(keys.join(QLatin1Char(' '))));
            }
            QStringList want = expected;
            if (order == Qt::DescendingOrder) std::reverse(want.begin(), want.end());
            QCOMPARE(keys, want);
        }

        // A column this source cannot sort by (Tag): the click changes nothing, and the
        // indicator stays on the order in effect.
        QVERIFY(!model.isSortable(EntriesModel::kTag));
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        clickHeader(window, EntriesModel::kTag);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(model.sortColumn(), column);
        QCOMPARE(header->sortIndicatorSection(), column);
        QCOMPARE(header->sortIndicatorOrder(), Qt::DescendingOrder);
    }

    void unsortableSourceSaysSo() {
        TempDir folder;
        const int sizes[] = {30, 10, 20};
        for (int i = 0; i < 3; ++i) {
            std::ofstream(folder.path() / ("file" + std::to_string(i) + ".bin"))
                << std::string(static_cast<std::size_t>(sizes[i]), 'x');
        }
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(open(window, folder.path(), 3));
        EntriesModel& model = *window.entriesModel();
        QHeaderView* header =
            window.findChild<QTableView*>(QStringLiteral("entriesView"))->horizontalHeader();
        QStringList before;
        for (int row = 0; row < 3; ++row) before << keyAt(model, row);
        QVERIFY(!model.isSortable(EntriesModel::kSize));
        const QString tip =
            model.headerData(EntriesModel::kSize, Qt::Horizontal, Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(QLatin1String("cannot sort by Size")), qPrintable(tip));

        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy sortChanged(&model, &EntriesModel::sortChanged);
        for (int column : {EntriesModel::kSize, EntriesModel::kCreated, EntriesModel::kKey}) {
            clickHeader(window, column);
            QCOMPARE(model.sortColumn(), -1);
            QVERIFY(!header->isSortIndicatorShown());
        }
        QCOMPARE(reset.count(), 0);  // no pretend re-scan
        QCOMPARE(sortChanged.count(), 0);
        QStringList after;
        for (int row = 0; row < 3; ++row) after << keyAt(model, row);
        QCOMPARE(after, before);
    }
};

QTEST_MAIN(TestHeaderSorting)
#include "test_header_sorting.moc"
