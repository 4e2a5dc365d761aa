// Sorting by clicking a column header of the whole window's entries view: on a real
// python-diskcache folder the Size and Created (stored) columns come back in the right order,
// ascending on the first click and descending on the second, with the header's indicator
// showing it (a click on a column it cannot sort by leaves both alone); on a Redis server (a
// source that cannot sort: SCAN order only) a click changes nothing, shows no indicator and the
// header's tooltip says the column cannot be sorted. A native files cache (no database: the core
// sorts it through an in-memory index) sorts by header click too, and toggling read-only (which
// reopens the source) reloads the entries from the first page in the same filter and order.
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTableView>
#include <QtTest>
#include <fstream>

#include "models/entries_model.h"
#include "redis_server.h"
#include "ui_fixtures.h"
#include "views/main_window.h"

using namespace twat_cache::ui;
using twat_cache::test::RedisServer;
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

// A native files cache "nf" under `root`, written by our files engine: keys n00..n11 whose
// value sizes follow sizeRank(). Returns its folder, or empty on failure (with a warning).
std::filesystem::path makeFilesCache(const std::filesystem::path& root) {
    twat_cache::CacheConfig config;
    config.name = "nf";
    config.cache_dir = root;
    auto resolved = twat_cache::resolveConfig(
        config, [](std::string_view) { return std::optional<std::string>(); });
    if (!resolved.ok()) return {};
    auto engine = twat_cache::openEngine(twat_cache::EngineKind::kFiles, *resolved);
    if (!engine.ok()) {
        qWarning("files engine: %s", engine.status().toString().c_str());
        return {};
    }
    for (int i = 0; i < kKeys; ++i) {
        const std::string key = QStringLiteral("n%1").arg(i, 2, 10, QLatin1Char('0')).toStdString();
        const std::string payload(static_cast<std::size_t>(100 * (sizeRank(i) + 1)), 'v');
        twat_cache::Record r;
        r.key_text = key;
        r.payload = payload;
        r.type_tag = 7;
        if (!(*engine)->set(twat_cache::makeKey("nf", key), r).ok()) return {};
    }
    return resolved->folder;
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
        return open(window, folderSourceRef(QString::fromStdString(folder.string())), rows);
    }
    static bool open(MainWindow& window, const SourceRef& ref, int rows) {
        QSignalSpy loaded(window.entriesModel(), &EntriesModel::pageLoaded);
        window.addSource(ref);
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

    // The files engine's cache has no database to sort in; the core's sort index does it.
    void nativeFilesCacheSortsByHeader() {
        TempDir root;
        const auto folder = makeFilesCache(root.path());
        QVERIFY(!folder.empty());
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(open(window, folder, kKeys));
        EntriesModel& model = *window.entriesModel();
        QHeaderView* header =
            window.findChild<QTableView*>(QStringLiteral("entriesView"))->horizontalHeader();
        for (int column :
             {int(EntriesModel::kKey), int(EntriesModel::kSize), int(EntriesModel::kCreated),
              int(EntriesModel::kAccessed), int(EntriesModel::kExpires)}) {
            QVERIFY2(model.isSortable(column), qPrintable(QString::number(column)));
        }
        QVERIFY(!model.isSortable(EntriesModel::kHits));
        QStringList bySize;
        for (int i = 0; i < kKeys; ++i) bySize << QString();
        for (int i = 0; i < kKeys; ++i)
            bySize[sizeRank(i)] = QStringLiteral("n%1").arg(i, 2, 10, QLatin1Char('0'));
        for (const Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
            clickHeader(window, EntriesModel::kSize);
            QCOMPARE(model.sortOrder(), order);
            QCOMPARE(header->sortIndicatorSection(), static_cast<int>(EntriesModel::kSize));
            QVERIFY(reloaded(model, kKeys));
            QStringList keys;
            for (int row = 0; row < kKeys; ++row) keys << keyAt(model, row);
            QStringList want = bySize;
            if (order == Qt::DescendingOrder) std::reverse(want.begin(), want.end());
            QCOMPARE(keys, want);
        }
        clickHeader(window, EntriesModel::kKey);
        QVERIFY(reloaded(model, kKeys));
        for (int row = 0; row < kKeys; ++row)
            QCOMPARE(keyAt(model, row), QStringLiteral("n%1").arg(row, 2, 10, QLatin1Char('0')));
    }

    // Beyond the core's sort index limit (set small through the inspector's advanced setting)
    // a click cannot sort: the view lists in the natural order and says why.
    void sortBeyondIndexLimitFallsBack() {
        QSettings().setValue(QStringLiteral("sortIndexMaxEntries"), 5);
        TempDir root;
        const auto folder = makeFilesCache(root.path());
        QVERIFY(!folder.empty());
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(open(window, folder, kKeys));
        EntriesModel& model = *window.entriesModel();
        QStringList natural;
        for (int row = 0; row < kKeys; ++row) natural << keyAt(model, row);
        QHeaderView* header =
            window.findChild<QTableView*>(QStringLiteral("entriesView"))->horizontalHeader();
        QSignalSpy sortChanged(&model, &EntriesModel::sortChanged);
        clickHeader(window, EntriesModel::kSize);
        QVERIFY(QTest::qWaitFor([&] { return sortChanged.count() == 2; }, 10000));
        QCOMPARE(model.sortColumn(), -1);
        QVERIFY(!header->isSortIndicatorShown());
        QVERIFY(reloaded(model, kKeys));
        QStringList keys;
        for (int row = 0; row < kKeys; ++row) keys << keyAt(model, row);
        QCOMPARE(keys, natural);
        auto* message = window.findChild<QLabel*>(QStringLiteral("entriesMessage"));
        QVERIFY(message);
        QVERIFY(message->isVisible());
        QVERIFY2(message->text().contains(QLatin1String("more than 5 entries")),
                 qPrintable(message->text()));
        QVERIFY(message->text().contains(QLatin1String("natural order")));
        QVERIFY(model.notice() == message->text());
    }

    // Toggling read-only reopens the source on its worker; the entries view then starts again
    // from the first page, keeping its filter and order (not the old source's cursor).
    void reopenReloadsFromFirstPage() {
        TempDir root;
        const auto folder = makeFilesCache(root.path());
        QVERIFY(!folder.empty());
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(open(window, folder, kKeys));
        EntriesModel& model = *window.entriesModel();
        model.setPageSize(2);
        auto* filterEdit = window.findChild<QLineEdit*>(QStringLiteral("filterEdit"));
        QVERIFY(filterEdit);
        filterEdit->setText(QStringLiteral("1"));  // n01, n10, n11
        QVERIFY(QTest::qWaitFor([&] { return model.filter() == QLatin1String("1"); }, 5000));
        clickHeader(window, EntriesModel::kSize);
        clickHeader(window, EntriesModel::kSize);  // descending
        QCOMPARE(model.sortOrder(), Qt::DescendingOrder);
        // Expected: the three matching keys by size, largest first.
        QStringList want = {QStringLiteral("n01"), QStringLiteral("n10"), QStringLiteral("n11")};
        std::sort(want.begin(), want.end(), [](const QString& a, const QString& b) {
            return sizeRank(a.mid(1).toInt()) > sizeRank(b.mid(1).toInt());
        });
        QVERIFY(reloaded(model, 3));
        QVERIFY(model.isComplete());
        for (int row = 0; row < 3; ++row) QCOMPARE(keyAt(model, row), want.at(row));

        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy loaded(&model, &EntriesModel::pageLoaded);
        window.setReadOnly(true);
        QVERIFY(reset.wait(10000));
        // The first page again (two rows), before anything asks for more.
        QVERIFY(QTest::qWaitFor(
            [&] {
                if (model.rowCount() == 0 && !model.isLoading()) model.fetchMore({});
                return model.rowCount() == 2;
            },
            10000));
        QCOMPARE(keyAt(model, 0), want.at(0));
        QCOMPARE(keyAt(model, 1), want.at(1));
        QVERIFY(!model.isComplete());
        QCOMPARE(model.filter(), QStringLiteral("1"));
        QCOMPARE(model.sortColumn(), static_cast<int>(EntriesModel::kSize));
        QCOMPARE(model.sortOrder(), Qt::DescendingOrder);
        QVERIFY(reloaded(model, 3));
        QCOMPARE(keyAt(model, 2), want.at(2));
        QVERIFY(model.source()->isReadOnly());
    }

    // Redis lists in SCAN order only (ordering would need the whole keyspace).
    void unsortableSourceSaysSo() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        RedisServer redis;
        const std::string error = redis.start();
        QVERIFY2(error.empty(), error.c_str());
        const QStringList out = twat_cache::test::redisPython(redis.url(), R"(
for i, n in enumerate([30, 10, 20]): r.set("file%d" % i, "x" * n)
print("ok")
)");
        QCOMPARE(out, QStringList{QStringLiteral("ok")});
        SourceRef ref;
        ref.kind = SourceKind::kRedis;
        ref.location = QString::fromStdString(redis.url());
        ref.name = QStringLiteral("unsortable redis");
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(open(window, ref, 3));
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
