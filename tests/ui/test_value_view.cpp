// What entries are worth, in the inspector (issue 18): the Analysis view's Value tab ranks the
// entries of a real native cache, written through the public memoize API with a manual clock so
// that every compute time and hit is known, by time saved per byte and counts those never hit;
// a python-diskcache cache (no compute times) says "not recorded". Cache ▸ Prune Least
// Valuable… asks how much to free, previews exactly the least valuable entries, removes exactly
// them, and Cancel between batches leaves the rest; it is disabled, saying why, for a source
// that records no compute time and in read-only mode.
#include <QApplication>
#include <QLabel>
#include <QProgressDialog>
#include <QPushButton>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTimer>
#include <QTreeWidget>
#include <QtTest>
#include <atomic>
#include <cmath>
#include <map>
#include <set>

#include "dialogs/prune_value_dialog.h"
#include "models/entries_model.h"
#include "models/namespace_model.h"
#include "twat_cache/inspect.h"
#include "twat_cache/memoize.h"
#include "ui_fixtures.h"
#include "views/analysis_value_tab.h"
#include "views/analysis_view.h"
#include "views/log_panel.h"
#include "views/main_window.h"
#include "workers/analysis_runner.h"
#include "workers/display_text.h"
#include "workers/source_client.h"

using namespace twat_cache::ui;
using twat_cache::test::answerNextMessageBox;
using twat_cache::test::TempDir;
namespace core = ::twat_cache;
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kMs = 1'000'000;

// A native sqlite cache `name` under `root` written by bcache with a manual clock (in 2023:
// every entry is years old for the inspector): x = 1..n, each value 2,000 bytes computed in
// cost(x) ms and hit hits(x) times.
std::string makeValuedCache(const fs::path& root, const std::string& name, int n,
                            const std::function<int(int)>& cost,
                            const std::function<int(int)>& hits) {
    auto clock = std::make_shared<core::ManualClock>();
    core::CacheConfig c;
    c.name = name;
    c.cache_dir = root;
    c.clock = clock;
    auto f = core::bcache(c, [clock, cost](int x) {
        clock->advanceMs(cost(x));
        return std::string(2000, 'v');
    });
    if (!f.ok()) return f.status().toString();
    for (int x = 1; x <= n; ++x) {
        (*f)(x);
        for (int h = 0; h < hits(x); ++h) (*f)(x);
    }
    const auto s = f->engine().flush();
    return s.ok() ? std::string() : s.toString();
}

// The cache's entries as the core lists them: key text -> x (from its compute time, cost(x)).
std::map<QString, int> keysByX(const fs::path& folder, const std::function<int(int)>& cost, int n,
                               std::uint64_t* sizeSum = nullptr,
                               std::uint64_t* statsBytes = nullptr) {
    std::map<std::uint64_t, int> xOfCost;
    for (int x = 1; x <= n; ++x) xOfCost[static_cast<std::uint64_t>(cost(x)) * kMs] = x;
    std::map<QString, int> out;
    auto info = core::Discovery::identify(folder);
    if (!info.ok()) return out;
    auto src = core::Discovery::open(*info, {});
    if (!src.ok()) return out;
    if (sizeSum) *sizeSum = 0;
    std::string cursor;
    do {
        auto page = (*src)->entries(cursor, 500, {});
        if (!page.ok()) return {};
        for (const auto& e : page->entries) {
            out[QString::fromStdString(e.key_text)] = xOfCost[e.compute_ns.value_or(0)];
            if (sizeSum) *sizeSum += e.size;
        }
        cursor = page->cursor;
    } while (!cursor.empty());
    if (statsBytes) *statsBytes = (*src)->stats()->bytes.value_or(0);
    return out;
}

// Frees `bytes` in the next Prune Least Valuable dialog that opens (as KiB, the dialog's
// unit) and accepts it, or cancels it when `bytes` is 0; polls every 10 ms, at most 5 s.
void answerNextPruneDialog(double bytes) {
    auto* timer = new QTimer(qApp);
    auto tries = std::make_shared<int>(0);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, tries, bytes] {
        auto* dialog = qobject_cast<PruneValueDialog*>(QApplication::activeModalWidget());
        if (dialog != nullptr) {
            dialog->setFree(bytes / 1024.0, PruneValueDialog::kKiB);
            bytes > 0 ? dialog->accept() : dialog->reject();
        }
        if (dialog != nullptr || ++*tries > 500) timer->deleteLater();
    });
    timer->start(10);
}

}  // namespace

class TestValueView : public QObject {
    Q_OBJECT

    TempDir m_settingsDir;
    std::unique_ptr<TempDir> m_root;

    // Shows `folder` in `window` and waits for its first page and its statistics (the size
    // Prune Least Valuable takes its amount from).
    bool open(MainWindow& window, const fs::path& folder) {
        window.show();
        QSignalSpy loaded(window.entriesModel(), &EntriesModel::pageLoaded);
        window.addSource(folderSourceRef(QString::fromStdString(folder.string())));
        SourceClient* client = window.currentSource();
        if (client == nullptr) return false;
        QSignalSpy stats(client, &SourceClient::statsReady);
        window.entriesModel()->fetchMore({});
        return (loaded.count() > 0 || loaded.wait(10000)) &&
               (stats.count() > 0 || stats.wait(10000));
    }

    static AnalysisView* analyze(MainWindow& window) {
        window.actions().analysis->trigger();
        auto* view = window.findChild<AnalysisView*>();
        if (view == nullptr) return nullptr;
        view->setBudgetMs(0);
        QSignalSpy finished(view->runner(), &AnalysisRunner::finished);
        view->start();
        if (!finished.wait(30000) || !finished.first().first().toString().isEmpty()) return nullptr;
        return view;
    }

    static int cost(int x) { return x * x * 10; }
    // saved: 1: 10, 2: 80, 3: 0, 4: 160, 5: 500, 6: 0, 7: 490, 8: 1,280 ms.
    static int hits(int x) { return x % 3; }

  private slots:
    void initTestCase() {
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        QVERIFY(m_settingsDir.ok());
        twat_cache::test::isolateSettings(m_settingsDir.path());
        qputenv("TWAT_CACHE_DIR", QByteArray::fromStdString(m_settingsDir.path().string()));
    }

    void init() {
        QSettings().clear();
        m_root = std::make_unique<TempDir>();
        const std::string error = makeValuedCache(m_root->path(), "valued", 8, cost, hits);
        QVERIFY2(error.empty(), error.c_str());
    }

    // The Value tab: the most and least valuable entries by time saved per byte, the entries
    // never hit with their bytes, and a click lists the key.
    void valueTabRanksAndCounts() {
        const fs::path folder = m_root->path() / "valued";
        const auto xOf = keysByX(folder, cost, 8);
        QCOMPARE(xOf.size(), std::size_t(8));
        MainWindow window;
        QVERIFY(open(window, folder));
        AnalysisView* view = analyze(window);
        QVERIFY(view);
        AnalysisValueTab* tab = view->valueTab();
        view->showTab(tab);
        auto column = [&](QTreeWidget* table) {
            QList<int> xs;
            for (int i = 0; i < table->topLevelItemCount(); ++i)
                xs << xOf.at(table->topLevelItem(i)->data(0, Qt::UserRole).toString());
            return xs;
        };
        const QList<int> most = column(tab->mostValuable());
        QCOMPARE(most.size(), 8);
        QCOMPARE(most.mid(0, 6), (QList<int>{8, 5, 7, 4, 2, 1}));
        QCOMPARE((QSet<int>{most[6], most[7]}), (QSet<int>{3, 6}));  // nothing saved yet
        const QList<int> least = column(tab->leastValuable());
        QCOMPARE((QSet<int>{least[0], least[1]}), (QSet<int>{3, 6}));
        QCOMPARE(least.mid(2), (QList<int>{1, 2, 4, 7, 5, 8}));
        // The first row reads: 1,280 ms saved (2 hits of 640 ms).
        QTreeWidgetItem* best = tab->mostValuable()->topLevelItem(0);
        QCOMPARE(best->text(2), QStringLiteral("2"));
        QCOMPARE(best->text(3), QStringLiteral("1.3 s"));
        // Never hit and stored over a day ago: 3 and 6, with their bytes.
        const auto r = view->report();
        QVERIFY(r->never_hit.has_value());
        QCOMPARE(r->never_hit->keys, 2u);
        const QString line = tab->neverHitLine()->text();
        QVERIFY2(line.contains(QStringLiteral("Never hit, stored over 1d ago: 2 entries, ") +
                               bytesText(r->never_hit->bytes)),
                 qPrintable(line));
        // A click lists the key in the entries, as the Largest list does.
        QTreeWidget* table = tab->mostValuable();
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {},
                          table->visualItemRect(table->topLevelItem(0)).center());
        QCOMPARE(window.entriesModel()->filter(),
                 NamespaceModel::escapeGlob(best->data(0, Qt::UserRole).toString()));
    }

    // A source that records no compute time says so, never zeros; its hits per entry still
    // give the never-hit count.
    void notRecordedIsSaid() {
        TempDir dc;
        const std::string made = twat_cache::test::makeDiskcache(dc.path(), 5);
        QVERIFY2(made.empty(), made.c_str());
        MainWindow window;
        QVERIFY(open(window, dc.path()));
        AnalysisView* view = analyze(window);
        QVERIFY(view);
        AnalysisValueTab* tab = view->valueTab();
        QCOMPARE(tab->mostValuable()->topLevelItemCount(), 0);
        QVERIFY(!tab->mostValuable()->isVisibleTo(tab));
        QVERIFY2(tab->neverHitLine()->text().contains(
                     QStringLiteral("Value (time saved per byte): not recorded")),
                 qPrintable(tab->neverHitLine()->text()));
        // Prune Least Valuable is disabled there, saying why.
        QAction* prune = window.actions().pruneValue;
        QVERIFY(!prune->isEnabled());
        QVERIFY2(prune->toolTip().contains(QStringLiteral("records no compute time")),
                 qPrintable(prune->toolTip()));
    }

    // Free a given amount: the preview names exactly the least valuable entries, and executing
    // removes exactly them.
    void pruneRemovesExactlyThePreview() {
        const fs::path folder = m_root->path() / "valued";
        std::uint64_t sum = 0, statsBytes = 0;
        const auto xOf = keysByX(folder, cost, 8, &sum, &statsBytes);
        QCOMPARE(xOf.size(), std::size_t(8));
        const double each = static_cast<double>(sum) / 8.0;  // equal sizes
        // Least valuable first: 3, 6 (nothing saved, oldest first), 1, 2, then 4, 7, 5, 8.
        // Free four entries' worth (half an entry less, to stand clear of rounding): the
        // plan keeps at most statsBytes - free, so the four go and no more.
        const double free =
            static_cast<double>(statsBytes) - static_cast<double>(sum) + 4 * each - each / 2;
        MainWindow window;
        QVERIFY(open(window, folder));
        QAction* prune = window.actions().pruneValue;
        QTRY_VERIFY_WITH_TIMEOUT(prune->isEnabled(), 10000);
        QString preview;
        answerNextPruneDialog(free);
        answerNextMessageBox(QMessageBox::Ok, &preview);
        prune->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(
            window.logPanel()->toPlainText().contains(QStringLiteral("Prune least valuable")) &&
                window.logPanel()->toPlainText().contains(QStringLiteral("removed")),
            20000);
        QVERIFY2(preview.contains(QStringLiteral("4 entries")), qPrintable(preview));
        std::set<int> previewed;
        for (const auto& [key, x] : xOf)
            if (preview.contains(key)) previewed.insert(x);
        QCOMPARE(previewed, (std::set<int>{1, 2, 3, 6}));
        const auto left = keysByX(folder, cost, 8);
        std::set<int> leftX;
        for (const auto& [key, x] : left) leftX.insert(x);
        QCOMPARE(leftX, (std::set<int>{4, 5, 7, 8}));
        QVERIFY2(window.logPanel()->toPlainText().contains(QStringLiteral("removed 4 entries")),
                 qPrintable(window.logPanel()->toPlainText()));
    }

    // Cancel in the progress dialog stops between batches: what was removed is among the
    // previewed (least valuable) entries, and the rest stays.
    void cancelLeavesTheRest() {
        TempDir big;
        constexpr int kMany = 1000;
        // Value x ms (one hit of x ms), equal sizes: least valuable first is x = 1, 2, ...
        auto linear = [](int x) { return x; };
        auto once = [](int) { return 1; };
        const std::string made = makeValuedCache(big.path(), "many", kMany, linear, once);
        QVERIFY2(made.empty(), made.c_str());
        const fs::path folder = big.path() / "many";
        std::uint64_t sum = 0, statsBytes = 0;
        const auto xOf = keysByX(folder, linear, kMany, &sum, &statsBytes);
        QCOMPARE(xOf.size(), std::size_t(kMany));
        const double each = static_cast<double>(sum) / kMany;
        const double free = static_cast<double>(statsBytes) - static_cast<double>(sum) +
                            600 * each - each / 2;  // x = 1..600
        MainWindow window;
        QVERIFY(open(window, folder));
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
        answerNextPruneDialog(free);
        answerNextMessageBox(QMessageBox::Ok, &preview);
        QTRY_VERIFY_WITH_TIMEOUT(window.actions().pruneValue->isEnabled(), 10000);
        window.actions().pruneValue->trigger();
        QProgressDialog* progress = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (progress = window.findChild<QProgressDialog*>()) != nullptr && progress->value() > 0,
            20000);
        QVERIFY2(preview.contains(QStringLiteral("600 entries")), qPrintable(preview));
        progress->findChild<QPushButton*>()->click();
        cancelled.release();
        QTRY_VERIFY_WITH_TIMEOUT(
            window.logPanel()->toPlainText().contains(QStringLiteral(", cancelled")), 20000);
        const auto left = keysByX(folder, linear, kMany);
        QCOMPARE(left.size(), std::size_t(kMany - 200));
        std::set<int> leftX;
        for (const auto& [key, x] : left) leftX.insert(x);
        for (int x = 601; x <= kMany; ++x) QVERIFY2(leftX.count(x), qPrintable(QString::number(x)));
    }

    // Read-only mode disables it, saying why.
    void readOnlyDisables() {
        MainWindow window;
        QVERIFY(open(window, m_root->path() / "valued"));
        QAction* prune = window.actions().pruneValue;
        QTRY_VERIFY_WITH_TIMEOUT(prune->isEnabled(), 10000);
        window.actions().readOnly->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!prune->isEnabled(), 10000);
        QVERIFY2(prune->toolTip().contains(QStringLiteral("Read-only mode")),
                 qPrintable(prune->toolTip()));
    }

    // The dialog's amounts: a percentage of the size, or bytes; never more than there is.
    void dialogAmounts() {
        PruneValueDialog dialog(QStringLiteral("c"), 10'000);
        QCOMPARE(dialog.keepBytes(), 9'000u);  // 10 % by default
        dialog.setFree(25, PruneValueDialog::kPercent);
        QCOMPARE(dialog.freeBytes(), 2'500u);
        dialog.setFree(2, PruneValueDialog::kKiB);
        QCOMPARE(dialog.keepBytes(), 10'000u - 2048u);
        dialog.setFree(5, PruneValueDialog::kGiB);
        QCOMPARE(dialog.keepBytes(), 0u);
    }
};

QTEST_MAIN(TestValueView)
#include "test_value_view.moc"
