// Sorted listings of the sources that list by walking folders: a native files cache (written by
// our files engine), a joblib.Memory store (written by the real joblib, run with Debian's
// python3) and a generic folder. Each has 12 entries whose key, size, stored, accessed (and, for
// the files cache, expiry) orders are different permutations fixed by construction, so every
// order, both ways, must give one exact sequence across several pages. Also a filter with an
// order, an entry deleted between pages, an entry added between pages (the snapshot is kept),
// a cursor continued by another Source, the index's size limit, and the CLI's --sort.
#include <fcntl.h>
#include <sys/stat.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>
#include <algorithm>
#include <fstream>
#include <map>

#include "test_support.h"
#include "twat_cache/codec.h"
#include "twat_cache/config.h"
#include "twat_cache/engine.h"
#include "twat_cache/inspect.h"
#include "twat_cache/key.h"

using namespace twat_cache;
using test::TempDir;
namespace fs = std::filesystem;

namespace {

constexpr int kN = 12;
constexpr std::int64_t kBaseSec = 1'700'000'000;

// Ranks of entry i in each order (each a permutation of 0..11, and all different).
int sizeRank(int i) {
    return (i * 5) % kN;
}
int storedRank(int i) {
    return (i * 7) % kN;
}
int accessedRank(int i) {
    return (i + 6) % kN;
}
// Files cache only: entries i % 3 == 0 never expire; the others expire in this rank order.
int expiresRank(int i) {
    return (i * 11) % kN;
}
std::size_t sizeOf(int i) {
    return static_cast<std::size_t>(sizeRank(i) + 1) * 100;
}

Status setTimes(const fs::path& file, std::int64_t atimeSec, std::int64_t mtimeSec) {
    timespec t[2]{};
    t[0].tv_sec = static_cast<time_t>(atimeSec);
    t[1].tv_sec = static_cast<time_t>(mtimeSec);
    if (::utimensat(AT_FDCWD, file.c_str(), t, AT_SYMLINK_NOFOLLOW) != 0) {
        return Status::ioError("utimensat " + file.string());
    }
    return {};
}

// Our files engine: keys "n00".."n11", written in stored-rank order one second apart.
std::string makeFilesCache(const fs::path& root, fs::path& folder) {
    auto clock = std::make_shared<ManualClock>(kBaseSec * 1000);
    CacheConfig config;
    config.name = "nf";
    config.cache_dir = root;
    config.clock = clock;
    auto resolved =
        resolveConfig(config, [](std::string_view) { return std::optional<std::string>(); });
    if (!resolved.ok()) return resolved.status().toString();
    folder = resolved->folder;
    auto engine = openEngine(EngineKind::kFiles, *resolved);
    if (!engine.ok()) return engine.status().toString();
    std::map<int, int> byStored;
    for (int i = 0; i < kN; ++i) byStored[storedRank(i)] = i;
    for (const auto& [rank, i] : byStored) {
        clock->advanceMs(1000);
        char text[8];
        std::snprintf(text, sizeof text, "n%02d", i);
        const std::string payload(sizeOf(i), 'v');
        Record r;
        r.key_text = text;
        r.payload = payload;
        r.type_tag = 7;
        if (i % 3 != 0) r.ttl = std::chrono::hours(expiresRank(i) + 1);
        if (Status s = (*engine)->set(makeKey("nf", std::string(text)), r); !s.ok()) {
            return s.toString();
        }
    }
    (*engine).reset();
    // The files engine keeps the access time in the file's mtime.
    std::error_code ec;
    for (fs::recursive_directory_iterator it(folder / "entries", ec), end; !ec && it != end;
         it.increment(ec)) {
        if (!it->is_regular_file()) continue;
        std::ifstream in(it->path(), std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), {});
        for (int i = 0; i < kN; ++i) {
            char text[8];
            std::snprintf(text, sizeof text, "n%02d", i);
            if (bytes.find(text) == std::string::npos) continue;
            Status s = setTimes(it->path(), kBaseSec, kBaseSec + 100 + accessedRank(i));
            if (!s.ok()) return s.toString();
        }
    }
    return {};
}

// The real joblib: calls f(0)..f(11) returning bytes of sizeOf(i); output.pkl times set.
std::string makeJoblib(const fs::path& root) {
    const fs::path script = root / "make_joblib.py";
    std::ofstream(script) << R"(
import os, sys, joblib
def f(x):
    return b"x" * (((x * 5) % 12 + 1) * 100)
mem = joblib.Memory(sys.argv[1], verbose=0)
g = mem.cache(f)
base = int(sys.argv[2])
for x in range(12):
    g(x)
    func_id, args_id = g._get_output_identifiers(x)
    out = os.path.join(sys.argv[1], "joblib", func_id, args_id, "output.pkl")
    os.utime(out, (base + 100 + (x + 6) % 12, base + (x * 7) % 12))
)";
    auto r = test::runProcess(
        test::pythonInterpreter(),
        {script.string(), (root / "store").string(), std::to_string(kBaseSec)}, 60000);
    if (!r.finished || r.exitCode != 0) return "joblib fixture: " + r.err;
    return {};
}

// A plain folder: "f00.bin".."f11.bin" ("f04.bin" and "f09.bin" in "sub/").
std::string makeFolder(const fs::path& dir) {
    fs::create_directories(dir / "sub");
    for (int i = 0; i < kN; ++i) {
        char name[16];
        std::snprintf(name, sizeof name, "%sf%02d.bin", i == 4 || i == 9 ? "sub/" : "", i);
        const fs::path file = dir / name;
        std::ofstream(file, std::ios::binary) << std::string(sizeOf(i), 'x');
        Status s = setTimes(file, kBaseSec + 100 + accessedRank(i), kBaseSec + storedRank(i));
        if (!s.ok()) return s.toString();
    }
    return {};
}

std::unique_ptr<Source> openDir(const fs::path& dir, std::size_t cap = 2'000'000) {
    auto info = Discovery::identify(dir);
    if (!info.ok()) return nullptr;
    OpenOptions o;
    o.sort_index_max_entries = cap;
    auto src = Discovery::open(*info, o);
    return src.ok() ? std::move(*src) : nullptr;
}

// Pages the whole listing, `limit` a page; `pages` counts them. Empty on an error.
std::vector<EntrySummary> pageAll(Source& source, const EntryFilter& filter, std::size_t limit,
                                  int* pages = nullptr) {
    std::vector<EntrySummary> all;
    std::string cursor;
    for (int guard = 0; guard < 100; ++guard) {
        auto page = source.entries(cursor, limit, filter);
        if (!page.ok()) {
            qWarning("entries failed: %s", page.status().toString().c_str());
            return {};
        }
        if (pages) ++*pages;
        all.insert(all.end(), page->entries.begin(), page->entries.end());
        if (page->cursor.empty()) return all;
        cursor = page->cursor;
    }
    qWarning("scan did not end");
    return {};
}

QStringList keysOf(const std::vector<EntrySummary>& entries) {
    QStringList out;
    for (const auto& e : entries) out << QString::fromStdString(e.key_text);
    return out;
}

// Key text of entry i in each kind of source.
QString keyText(const QString& kind, int i) {
    const QString n = QStringLiteral("%1").arg(i, 2, 10, QLatin1Char('0'));
    if (kind == QLatin1String("files")) return QStringLiteral("n") + n;
    if (kind == QLatin1String("joblib")) return QStringLiteral("f(x=%1)").arg(i);
    return (i == 4 || i == 9 ? QStringLiteral("sub/f") : QStringLiteral("f")) + n +
           QStringLiteral(".bin");
}

}  // namespace

class TestInspectFsort : public QObject {
    Q_OBJECT

    TempDir m_tmp;
    std::map<QString, fs::path> m_dirs;  // fixtures no test changes

    // Makes a fresh fixture of `kind` under `root`; returns its folder (empty on failure).
    static fs::path make(const QString& kind, const fs::path& root) {
        std::string error;
        fs::path folder;
        fs::create_directories(root);
        if (kind == QLatin1String("files")) {
            error = makeFilesCache(root, folder);
        } else if (kind == QLatin1String("joblib")) {
            error = makeJoblib(root);
            folder = root / "store";
        } else {
            folder = root / "plain";
            error = makeFolder(folder);
        }
        if (!error.empty()) {
            qWarning("%s fixture: %s", qPrintable(kind), error.c_str());
            return {};
        }
        return folder;
    }

    // The expected key sequence of `kind` in `order`, built from the ranks above.
    static QStringList expected(const QString& kind, SortKey order, bool descending) {
        std::vector<std::pair<std::string, int>> rows;  // (sort value as text, entry)
        for (int i = 0; i < kN; ++i) {
            int rank = 0;
            switch (order) {
                case SortKey::kSize:
                    rank = sizeRank(i);
                    break;
                case SortKey::kStored:
                    rank = storedRank(i);
                    break;
                case SortKey::kAccessed:
                    rank = accessedRank(i);
                    break;
                case SortKey::kExpires:
                    rank = expiresRank(i);
                    if (i % 3 == 0) continue;
                    break;
                default:
                    break;
            }
            const std::string k =
                order == SortKey::kKey
                    ? keyText(kind, i).toStdString()
                    : QStringLiteral("%1").arg(rank, 2, 10, QLatin1Char('0')).toStdString();
            rows.emplace_back(k, i);
        }
        std::sort(rows.begin(), rows.end());
        QStringList out;
        for (const auto& [value, i] : rows) out << keyText(kind, i);
        // Entries that never expire (kExpires) come last in id order: see expiresOrder().
        if (descending) std::reverse(out.begin(), out.end());
        return out;
    }

  private slots:
    void initTestCase() {
        QVERIFY(m_tmp.ok());
        for (const char* kind : {"files", "joblib", "folder"}) {
            const QString k = QString::fromLatin1(kind);
            const fs::path folder = make(k, m_tmp.path() / kind);
            QVERIFY2(!folder.empty(), kind);
            m_dirs[k] = folder;
        }
    }

    void sortKeysAdvertised() {
        for (const auto& [kind, dir] : m_dirs) {
            auto source = openDir(dir);
            QVERIFY(source);
            const auto keys = source->sortKeys();
            for (SortKey k : {SortKey::kKey, SortKey::kSize, SortKey::kStored, SortKey::kAccessed})
                QVERIFY2(std::find(keys.begin(), keys.end(), k) != keys.end(), qPrintable(kind));
            const bool expires =
                std::find(keys.begin(), keys.end(), SortKey::kExpires) != keys.end();
            QCOMPARE(expires, kind == QLatin1String("files"));
            QVERIFY(std::find(keys.begin(), keys.end(), SortKey::kHits) == keys.end());
        }
    }

    void exactOrderAcrossPages_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("order");
        QTest::addColumn<bool>("descending");
        const std::pair<const char*, SortKey> orders[] = {{"key", SortKey::kKey},
                                                          {"size", SortKey::kSize},
                                                          {"stored", SortKey::kStored},
                                                          {"accessed", SortKey::kAccessed}};
        for (const char* kind : {"files", "joblib", "folder"}) {
            for (const auto& [name, key] : orders) {
                for (bool desc : {false, true}) {
                    QTest::addRow("%s %s %s", kind, name, desc ? "desc" : "asc")
                        << QString::fromLatin1(kind) << static_cast<int>(key) << desc;
                }
            }
        }
    }

    void exactOrderAcrossPages() {
        QFETCH(QString, kind);
        QFETCH(int, order);
        QFETCH(bool, descending);
        auto source = openDir(m_dirs[kind]);
        QVERIFY(source);
        EntryFilter filter;
        filter.order = static_cast<SortKey>(order);
        filter.descending = descending;
        int pages = 0;
        const auto all = pageAll(*source, filter, 5, &pages);
        QCOMPARE(pages, 3);
        QCOMPARE(keysOf(all), expected(kind, filter.order, descending));
    }

    // Expiry order (files cache only): expiring entries in expiry order, then the ones that
    // never expire, ties by id; descending is the exact reverse.
    void expiresOrder() {
        auto source = openDir(m_dirs[QStringLiteral("files")]);
        QVERIFY(source);
        EntryFilter filter;
        filter.order = SortKey::kExpires;
        const auto asc = pageAll(*source, filter, 4);
        QCOMPARE(asc.size(), std::size_t{kN});
        QStringList want = expected(QStringLiteral("files"), SortKey::kExpires, false);
        std::vector<std::pair<std::string, std::string>> never;  // (id, key)
        for (const auto& e : asc) {
            if (!e.expires_ms) never.emplace_back(e.id, e.key_text);
        }
        QCOMPARE(never.size(), std::size_t{4});
        std::sort(never.begin(), never.end());
        for (const auto& [id, key] : never) want << QString::fromStdString(key);
        QCOMPARE(keysOf(asc), want);
        filter.descending = true;
        std::reverse(want.begin(), want.end());
        QCOMPARE(keysOf(pageAll(*source, filter, 4)), want);
    }

    void filterWithOrder_data() {
        QTest::addColumn<QString>("kind");
        for (const char* kind : {"files", "joblib", "folder"}) QTest::newRow(kind) << kind;
    }

    void filterWithOrder() {
        QFETCH(QString, kind);
        auto source = openDir(m_dirs[kind]);
        QVERIFY(source);
        EntryFilter filter;
        filter.order = SortKey::kSize;
        filter.descending = true;
        filter.substring = "1";
        QStringList want;
        for (const QString& k : expected(kind, SortKey::kSize, true)) {
            if (k.contains(QLatin1Char('1'))) want << k;
        }
        QVERIFY(want.size() >= 3);
        int pages = 0;
        QCOMPARE(keysOf(pageAll(*source, filter, 2, &pages)), want);
        QVERIFY(pages >= 2);
    }

    void deletedBetweenPagesIsSkipped_data() { filterWithOrder_data(); }

    void deletedBetweenPagesIsSkipped() {
        QFETCH(QString, kind);
        TempDir dir;
        const fs::path folder = make(kind, dir.path());
        QVERIFY(!folder.empty());
        auto source = openDir(folder);
        QVERIFY(source);
        EntryFilter filter;
        filter.order = SortKey::kStored;
        auto first = source->entries("", 5, filter);
        QVERIFY2(first.ok(), first.status().toString().c_str());
        QCOMPARE(first->entries.size(), std::size_t{5});
        // Delete what would be the next page's first entry, by the source's own plan.
        QStringList want = expected(kind, SortKey::kStored, false);
        const QString victimKey = want.at(5);
        const auto natural = pageAll(*source, {}, 100);
        std::string victim;
        for (const auto& e : natural) {
            if (QString::fromStdString(e.key_text) == victimKey) victim = e.id;
        }
        QVERIFY(!victim.empty());
        auto plan = source->plan(
            PlanRequest{.action = PlanRequest::Action::kDeleteEntries, .entry_ids = {victim}});
        QVERIFY(plan.ok());
        auto done = (*plan)->execute();
        QVERIFY(done.ok());
        QCOMPARE(done->deleted, std::uint64_t{1});
        std::vector<EntrySummary> all = first->entries;
        std::string cursor = first->cursor;
        for (int guard = 0; guard < 10 && !cursor.empty(); ++guard) {
            auto page = source->entries(cursor, 5, filter);
            QVERIFY2(page.ok(), page.status().toString().c_str());
            all.insert(all.end(), page->entries.begin(), page->entries.end());
            cursor = page->cursor;
        }
        QVERIFY(cursor.empty());
        want.removeAt(5);
        QCOMPARE(keysOf(all), want);
    }

    // Pages of one listing come from one snapshot: an entry added meanwhile shows on the next
    // listing, not in the middle of this one.
    void addedBetweenPagesWaitsForNextListing() {
        TempDir dir;
        const fs::path folder = make(QStringLiteral("folder"), dir.path());
        QVERIFY(!folder.empty());
        auto source = openDir(folder);
        QVERIFY(source);
        EntryFilter filter;
        filter.order = SortKey::kKey;
        auto first = source->entries("", 5, filter);
        QVERIFY(first.ok() && !first->cursor.empty());
        std::ofstream(folder / "a-new.bin") << "new";   // sorts first by key
        std::ofstream(folder / "zz-new.bin") << "new";  // sorts last by key
        std::vector<EntrySummary> all = first->entries;
        std::string cursor = first->cursor;
        for (int guard = 0; guard < 10 && !cursor.empty(); ++guard) {
            auto page = source->entries(cursor, 5, filter);
            QVERIFY(page.ok());
            all.insert(all.end(), page->entries.begin(), page->entries.end());
            cursor = page->cursor;
        }
        QCOMPARE(keysOf(all), expected(QStringLiteral("folder"), SortKey::kKey, false));
        const auto again = keysOf(pageAll(*source, filter, 5));
        QCOMPARE(again.size(), kN + 2);
        QCOMPARE(again.front(), QStringLiteral("a-new.bin"));
        QCOMPARE(again.back(), QStringLiteral("zz-new.bin"));
    }

    // A cursor handed to another Source (a reopened source, or the CLI's next run) continues
    // at its position in a fresh snapshot.
    void cursorContinuesInAnotherSource() {
        for (const auto& [kind, folder] : m_dirs) {
            auto a = openDir(folder);
            auto b = openDir(folder);
            QVERIFY(a && b);
            EntryFilter filter;
            filter.order = SortKey::kSize;
            auto first = a->entries("", 5, filter);
            QVERIFY(first.ok());
            auto second = b->entries(first->cursor, 5, filter);
            QVERIFY2(second.ok(), second.status().toString().c_str());
            QCOMPARE(keysOf(second->entries), expected(kind, SortKey::kSize, false).mid(5, 5));
        }
    }

    void badSortedCursorIsRejected() {
        auto source = openDir(m_dirs[QStringLiteral("folder")]);
        QVERIFY(source);
        EntryFilter filter;
        filter.order = SortKey::kSize;
        for (const char* bad : {"f00.bin", "z", "z1", "z1.", "zx.2", "z1.2.3", "z-1.2"}) {
            auto page = source->entries(bad, 5, filter);
            QVERIFY2(!page.ok(), bad);
            QCOMPARE(page.status().code(), StatusCode::kInvalidArgument);
        }
    }

    // The index holds at most sort_index_max_entries entries matching the filter: beyond, the
    // sorted listing fails with NotSupported naming the limit (in words, not the option's name);
    // the unsorted one still works.
    void capIsEnforced_data() { filterWithOrder_data(); }

    void capIsEnforced() {
        QFETCH(QString, kind);
        auto small = openDir(m_dirs[kind], 11);
        QVERIFY(small);
        EntryFilter filter;
        filter.order = SortKey::kSize;
        auto page = small->entries("", 5, filter);
        QVERIFY(!page.ok());
        QCOMPARE(page.status().code(), StatusCode::kNotSupported);
        QVERIFY2(page.status().message().find("more than 11 entries") != std::string::npos,
                 page.status().message().c_str());
        QVERIFY(page.status().message().find("the sort index's limit") != std::string::npos);
        // Said for a user: no name of the API in it.
        QVERIFY(page.status().message().find("::") == std::string::npos);
        QCOMPARE(pageAll(*small, {}, 5).size(), std::size_t{kN});
        // A filter that leaves few enough entries sorts.
        filter.substring = "1";
        QStringList want;
        for (const QString& k : expected(kind, SortKey::kSize, false)) {
            if (k.contains(QLatin1Char('1'))) want << k;
        }
        QCOMPARE(keysOf(pageAll(*small, filter, 5)), want);
        // Exactly at the limit is fine.
        auto exact = openDir(m_dirs[kind], kN);
        QVERIFY(exact);
        filter.substring.clear();
        QCOMPARE(keysOf(pageAll(*exact, filter, 5)), expected(kind, SortKey::kSize, false));
    }

    // The CLI: --sort/--desc, the same order across --cursor runs; an order the source does
    // not keep is refused with the ones it does.
    void cli() {
        const std::string folder = m_dirs[QStringLiteral("folder")].string();
        QStringList keys;
        std::string cursor;
        for (int guard = 0; guard < 10; ++guard) {
            std::vector<std::string> args = {"inspect", folder,   "--sort",  "size",
                                             "--desc",  "--json", "--limit", "5"};
            if (!cursor.empty()) {
                args.push_back("--cursor");
                args.push_back(cursor);
            }
            auto r = test::runProcess(TWAT_CACHE_CLI, args, 30000);
            QVERIFY2(r.finished && r.exitCode == 0, r.err.c_str());
            const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(r.out)).object();
            for (const auto& e : doc[QStringLiteral("entries")].toArray())
                keys << e.toObject()[QStringLiteral("key")].toString();
            if (doc[QStringLiteral("cursor")].isNull()) break;
            cursor = doc[QStringLiteral("cursor")].toString().toStdString();
        }
        QCOMPARE(keys, expected(QStringLiteral("folder"), SortKey::kSize, true));
        auto r = test::runProcess(TWAT_CACHE_CLI, {"inspect", folder, "--sort", "hits"}, 30000);
        QVERIFY(r.finished);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.find("cannot sort by hits") != std::string::npos, r.err.c_str());
        QVERIFY2(r.err.find("key, size, stored, accessed") != std::string::npos, r.err.c_str());
    }
};

QTEST_GUILESS_MAIN(TestInspectFsort)
#include "test_inspect_fsort.moc"
