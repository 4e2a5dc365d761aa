// Sorted listings through the inspection layer: a python-diskcache FanoutCache (made by the
// real library) and a native sqlite cache are paged in size and store-time order; the order
// must hold across page boundaries and every entry must appear exactly once.
#include <QtTest>
#include <map>
#include <set>

#include "sqlite_test_util.h"
#include "test_support.h"
#include "twat_cache/codec.h"
#include "twat_cache/inspect.h"
#include "util/engine_factories.h"

using namespace twat_cache;
using test::TempDir;

namespace {

constexpr int kEntries = 60;

// Entry i holds a value of ((i * 37) % 23) * 40 bytes plus a little, so sizes repeat (ties)
// and are not in insertion order.
int payloadLength(int i) {
    return ((i * 37) % 23) * 40 + 1;
}

std::unique_ptr<Source> openDir(const std::filesystem::path& dir) {
    auto info = Discovery::identify(dir);
    if (!info.ok()) return nullptr;
    auto src = Discovery::open(*info, {});
    return src.ok() ? std::move(*src) : nullptr;
}

// Pages `source` with `limit` entries a page; fails the test on an error or a runaway scan.
std::vector<EntrySummary> pageAll(Source& source, const EntryFilter& filter, std::size_t limit,
                                  int& pages) {
    std::vector<EntrySummary> all;
    std::string cursor;
    pages = 0;
    for (int guard = 0; guard < 1000; ++guard) {
        auto page = source.entries(cursor, limit, filter);
        if (!page.ok()) {
            qWarning("entries failed: %s", page.status().toString().c_str());
            return {};
        }
        ++pages;
        all.insert(all.end(), page->entries.begin(), page->entries.end());
        if (page->cursor.empty()) return all;
        cursor = page->cursor;
    }
    qWarning("scan did not end");
    return {};
}

bool hasKey(const std::vector<SortKey>& keys, SortKey key) {
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

}  // namespace

class TestInspectSort : public QObject {
    Q_OBJECT

    TempDir m_tmp;
    std::filesystem::path m_diskcache, m_native;

    // Checks `all` is exactly the source's natural listing (each entry once) and ordered.
    void checkSorted(Source& source, SortKey order, bool descending, std::size_t limit) {
        int naturalPages = 0;
        const auto natural = pageAll(source, {}, 1000, naturalPages);
        QCOMPARE(natural.size(), std::size_t{kEntries});
        EntryFilter filter;
        filter.order = order;
        filter.descending = descending;
        int pages = 0;
        const auto all = pageAll(source, filter, limit, pages);
        QVERIFY(pages > 2);  // really across page boundaries
        std::multiset<std::string> seen, expected;
        for (const auto& e : all) seen.insert(e.id);
        for (const auto& e : natural) expected.insert(e.id);
        QCOMPARE(seen.size(), expected.size());
        QVERIFY(seen == expected);
        QCOMPARE(std::set<std::string>(seen.begin(), seen.end()).size(), seen.size());
        const auto value = [&](const EntrySummary& e) -> std::int64_t {
            return order == SortKey::kSize ? static_cast<std::int64_t>(e.size)
                                           : e.stored_ms.value_or(0);
        };
        for (std::size_t i = 1; i < all.size(); ++i) {
            const auto a = value(all[i - 1]), b = value(all[i]);
            QVERIFY2(descending ? a >= b : a <= b,
                     qPrintable(QStringLiteral("rows %1 and %2 out of order: %3, %4")
                                    .arg(i - 1)
                                    .arg(i)
                                    .arg(a)
                                    .arg(b)));
        }
        QVERIFY(value(all.front()) != value(all.back()));
    }

  private slots:
    void initTestCase() {
        QVERIFY(m_tmp.ok());
        // A FanoutCache of 3 shards. diskcache stamps entries with time.time(), which the
        // script replaces by a fake clock: two entries a second, so store times tie in pairs.
        m_diskcache = m_tmp.path() / "fanout";
        auto r = test::runProcess(test::pythonInterpreter(),
                                  {"-c",
                                   "import sys, time, diskcache\n"
                                   "c = diskcache.FanoutCache(sys.argv[1], shards=3)\n"
                                   "for i in range(int(sys.argv[2])):\n"
                                   "    time.time = lambda i=i: 1.7e9 + i // 2\n"
                                   "    c.set('key-%03d' % i, b'x' * (((i * 37) % 23) * 40 + 1))\n"
                                   "c.close()\n",
                                   m_diskcache.string(), std::to_string(kEntries)},
                                  60000);
        QVERIFY2(r.finished && r.exitCode == 0, r.err.c_str());

        auto clock = std::make_shared<ManualClock>();
        CacheConfig c;
        c.name = "sorted";
        auto cfg = test::sqliteConfig(m_tmp.path() / "native", c, clock);
        m_native = cfg.folder;
        auto engine = openSqliteCache(cfg);
        QVERIFY2(engine.ok(), engine.status().toString().c_str());
        for (int i = 0; i < kEntries; ++i) {
            const std::string key = "k" + std::to_string(i);
            // Every other entry shares its store time with the one before (ties on stored).
            if (i % 2 == 0) clock->advanceMs(10);
            const std::string value = std::string(static_cast<std::size_t>(payloadLength(i)), 'v');
            QVERIFY((*engine)->set(test::keyOf(key), test::recordOf(key, value)).ok());
        }
    }

    void sortedPages_data() {
        QTest::addColumn<QString>("cache");
        QTest::addColumn<int>("order");
        QTest::addColumn<bool>("descending");
        QTest::addColumn<int>("limit");
        for (const char* cache : {"diskcache", "native"}) {
            for (int limit : {7, 10}) {
                QTest::addRow("%s size desc, %d a page", cache, limit)
                    << QString::fromLatin1(cache) << static_cast<int>(SortKey::kSize) << true
                    << limit;
                QTest::addRow("%s stored asc, %d a page", cache, limit)
                    << QString::fromLatin1(cache) << static_cast<int>(SortKey::kStored) << false
                    << limit;
            }
        }
    }

    void sortedPages() {
        QFETCH(QString, cache);
        QFETCH(int, order);
        QFETCH(bool, descending);
        QFETCH(int, limit);
        auto source = openDir(cache == QLatin1String("native") ? m_native : m_diskcache);
        QVERIFY(source);
        QVERIFY(hasKey(source->sortKeys(), static_cast<SortKey>(order)));
        checkSorted(*source, static_cast<SortKey>(order), descending,
                    static_cast<std::size_t>(limit));
    }

    // A filter on a sorted listing keeps the order and returns only the matches, once each.
    void sortedWithFilter() {
        for (const auto& dir : {m_diskcache, m_native}) {
            auto source = openDir(dir);
            QVERIFY(source);
            EntryFilter filter;
            filter.glob = "*1*";
            int naturalPages = 0;
            const auto natural = pageAll(*source, filter, 1000, naturalPages);
            filter.order = SortKey::kSize;
            int pages = 0;
            const auto sorted = pageAll(*source, filter, 3, pages);
            QVERIFY(!natural.empty());
            QCOMPARE(sorted.size(), natural.size());
            std::set<std::string> a, b;
            for (const auto& e : natural) a.insert(e.id);
            for (const auto& e : sorted) b.insert(e.id);
            QVERIFY(a == b);
            for (std::size_t i = 1; i < sorted.size(); ++i) {
                QVERIFY(sorted[i - 1].size <= sorted[i].size);
            }
        }
    }

    void badSortedCursorIsRejected() {
        auto source = openDir(m_diskcache);
        QVERIFY(source);
        EntryFilter filter;
        filter.order = SortKey::kSize;
        for (const char* bad : {"0:5", "s1,2", "sx,1,2", "s1,2,3,4", "s-1,0,0"}) {
            auto page = source->entries(bad, 5, filter);
            QVERIFY2(!page.ok(), bad);
            QCOMPARE(page.status().code(), StatusCode::kInvalidArgument);
        }
        auto native = openDir(m_native);
        QVERIFY(native);
        QVERIFY(!native->entries("12", 5, filter).ok());
        QVERIFY(native->entries("o12", 5, filter).ok());
    }

    // Sources list what they can sort by; diskcache keys are pickles, so no key order there.
    void sortKeysAdvertised() {
        auto disk = openDir(m_diskcache);
        auto native = openDir(m_native);
        QVERIFY(disk && native);
        QVERIFY(!hasKey(disk->sortKeys(), SortKey::kKey));
        QVERIFY(hasKey(native->sortKeys(), SortKey::kKey));
        QVERIFY(hasKey(native->sortKeys(), SortKey::kHits));
    }
};

QTEST_GUILESS_MAIN(TestInspectSort)
#include "test_inspect_sort.moc"
