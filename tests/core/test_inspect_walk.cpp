// Natural-order paging of the sources that walk folders (generic folders and joblib stores
// written by the real joblib, run with Debian's python3): every entry exactly once, in the
// documented order (relative paths compared component by component), for several page sizes;
// entries deleted between pages (also the cursor's own entry and folder, and names inside a
// large cached folder); filters with paging and a filter that searches a huge folder; malformed,
// foreign and escaping cursors; symlinks that are listed but never followed; and the walker's cache
// of a large folder's sorted names, which must notice changes.
#include <fcntl.h>
#include <sys/stat.h>

#include <QtTest>
#include <algorithm>
#include <fstream>
#include <set>

#include "inspect/folder_walk.h"
#include "test_support.h"
#include "twat_cache/inspect.h"

using namespace twat_cache;
using test::TempDir;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> componentsOf(const std::string& relative) {
    std::vector<std::string> out;
    std::string part;
    for (char c : relative) {
        if (c == '/') {
            out.push_back(part);
            part.clear();
        } else {
            part += c;
        }
    }
    out.push_back(part);
    return out;
}

// The documented order, computed independently of the walker.
void sortWalkOrder(std::vector<std::string>& ids) {
    std::sort(ids.begin(), ids.end(), [](const std::string& a, const std::string& b) {
        const auto pa = componentsOf(a), pb = componentsOf(b);
        return std::lexicographical_compare(pa.begin(), pa.end(), pb.begin(), pb.end());
    });
}

void touch(const fs::path& file, std::size_t bytes = 3) {
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << std::string(bytes, 'x');
}

// Every page of a listing; `pages` counts them. Stops (and fails the caller) on an error or
// after `maxPages`.
Result<std::vector<std::string>> listAll(Source& src, std::size_t limit,
                                         const EntryFilter& filter = {},
                                         std::size_t* pages = nullptr,
                                         std::size_t maxPages = 100'000) {
    std::vector<std::string> ids;
    std::string cursor;
    for (std::size_t n = 1; n <= maxPages; ++n) {
        auto page = src.entries(cursor, limit, filter);
        if (!page.ok()) return page.status();
        if (page->entries.size() > limit) return Status::ioError("page over its limit");
        for (const auto& e : page->entries) ids.push_back(e.id);
        if (pages) *pages = n;
        if (page->cursor.empty()) return ids;
        cursor = page->cursor;
    }
    return Status::ioError("listing did not end");
}

// A nested folder with names whose plain string order differs from the walk order ("a-b"
// sorts before "a/..." as strings, after it in the walk), empty folders, a CACHEDIR.TAG at the
// root (not an entry) and one deeper (an entry), and a flat folder "big" of `bigCount` files.
std::vector<std::string> makeTree(const fs::path& dir, int bigCount) {
    std::vector<std::string> ids;
    auto add = [&](const std::string& rel, std::size_t bytes = 3) {
        touch(dir / rel, bytes);
        ids.push_back(rel);
    };
    touch(dir / "CACHEDIR.TAG");
    add("a-b");
    add("a/z");
    add("a/b/c/d/e.bin");
    add("a.txt");
    add("sub/CACHEDIR.TAG");
    add("zz", 0);
    fs::create_directories(dir / "empty" / "deeper");
    for (int i = 0; i < 40; ++i) {
        add("n/" + std::to_string(i % 5) + "/f" + std::to_string(i) + ".bin",
            static_cast<std::size_t>(i));
    }
    for (int i = 0; i < bigCount; ++i) add("big/" + std::to_string(i * 7919 % 100'003));
    sortWalkOrder(ids);
    return ids;
}

std::unique_ptr<Source> openFolder(const fs::path& dir) {
    auto info = Discovery::identify(dir);
    if (!info.ok()) return nullptr;
    auto src = Discovery::open(*info);
    return src.ok() ? std::move(*src) : nullptr;
}

// A real joblib store: two functions, `calls` calls of f and 12 of g.
std::string makeJoblib(const fs::path& root, int calls) {
    const fs::path script = root / "make_joblib.py";
    std::ofstream(script) << R"(
import sys, joblib
def f(x):
    return x * 2
def g(x):
    return "v" * x
mem = joblib.Memory(sys.argv[1], verbose=0)
cf, cg = mem.cache(f), mem.cache(g)
for x in range(int(sys.argv[2])):
    cf(x)
for x in range(12):
    cg(x)
)";
    auto r = test::runProcess(test::pythonInterpreter(),
                              {script.string(), (root / "store").string(), std::to_string(calls)},
                              60000);
    if (!r.finished || r.exitCode != 0) return "joblib fixture: " + r.err;
    return {};
}

// The calls of a joblib store found independently: folders holding output.pkl.
std::vector<std::string> joblibCalls(const fs::path& joblibDir) {
    std::vector<std::string> ids;
    for (const auto& e : fs::recursive_directory_iterator(joblibDir)) {
        if (e.path().filename() == "output.pkl") {
            ids.push_back(e.path().parent_path().lexically_relative(joblibDir).generic_string());
        }
    }
    sortWalkOrder(ids);
    return ids;
}

}  // namespace

class TestInspectWalk : public QObject {
    Q_OBJECT

  private slots:
    void folderEveryEntryOnceInOrder_data() {
        QTest::addColumn<int>("limit");
        QTest::newRow("1") << 1;
        QTest::newRow("7") << 7;
        QTest::newRow("1000") << 1000;
    }
    void folderEveryEntryOnceInOrder() {
        QFETCH(int, limit);
        TempDir tmp;
        const auto expected = makeTree(tmp.path() / "c", 1500);
        auto src = openFolder(tmp.path() / "c");
        QVERIFY(src);
        QCOMPARE(src->info().kind, SourceKind::kFolder);
        std::size_t pages = 0;
        auto ids = listAll(*src, static_cast<std::size_t>(limit), {}, &pages);
        QVERIFY2(ids.ok(), ids.status().toString().c_str());
        QCOMPARE(*ids, expected);
        // Pages are full until the last, and a listing that ends on a page's end has no
        // extra empty page.
        QCOMPARE(pages, (expected.size() + static_cast<std::size_t>(limit) - 1) /
                            static_cast<std::size_t>(limit));
        auto stats = src->stats();
        QVERIFY(stats.ok());
        QCOMPARE(*stats->entries, expected.size());
    }

    void joblibEveryCallOnceInOrder_data() {
        QTest::addColumn<int>("limit");
        QTest::newRow("1") << 1;
        QTest::newRow("7") << 7;
        QTest::newRow("1000") << 1000;
    }
    void joblibEveryCallOnceInOrder() {
        QFETCH(int, limit);
        TempDir tmp;
        const std::string err = makeJoblib(tmp.path(), 30);
        QVERIFY2(err.empty(), err.c_str());
        const auto expected = joblibCalls(tmp.path() / "store" / "joblib");
        QCOMPARE(expected.size(), std::size_t(42));
        auto src = openFolder(tmp.path() / "store");
        QVERIFY(src);
        QCOMPARE(src->info().kind, SourceKind::kJoblib);
        auto ids = listAll(*src, static_cast<std::size_t>(limit));
        QVERIFY2(ids.ok(), ids.status().toString().c_str());
        QCOMPARE(*ids, expected);
        // Key texts are the calls, e.g. f(x=3).
        EntryFilter byKey;
        byKey.substring = "g(x=11)";
        auto page = src->entries("", 1000, byKey);
        QVERIFY(page.ok());
        QCOMPARE(page->entries.size(), std::size_t(1));
        QCOMPARE(page->entries[0].key_text.substr(page->entries[0].key_text.size() - 7),
                 std::string("g(x=11)"));
    }

    void deletionsBetweenPages() {
        TempDir tmp;
        const fs::path dir = tmp.path() / "c";
        auto expected = makeTree(dir, 1500);
        auto src = openFolder(dir);
        QVERIFY(src);
        // Stop inside "big" (cached: more than kCacheMinNames names), then delete the entry
        // the cursor names, some entries after it in "big" and the whole "n" folder ahead.
        std::vector<std::string> seen;
        std::string cursor;
        while (seen.size() < 300) {
            auto page = src->entries(cursor, 100, {});
            QVERIFY(page.ok());
            for (const auto& e : page->entries) seen.push_back(e.id);
            cursor = page->cursor;
            QVERIFY(!cursor.empty());
        }
        QVERIFY(seen.back().rfind("big/", 0) == 0);
        std::set<std::string> gone{seen.back()};
        for (std::size_t i = 300; i < 900; i += 3) gone.insert(expected[i]);
        for (const auto& id : expected) {
            if (id.rfind("n/", 0) == 0) gone.insert(id);
        }
        for (const auto& id : gone) QVERIFY(fs::remove(dir / id));
        fs::remove_all(dir / "n");
        for (int pageNo = 0; pageNo < 1000 && !cursor.empty(); ++pageNo) {
            auto page = src->entries(cursor, 100, {});
            QVERIFY2(page.ok(), page.status().toString().c_str());
            for (const auto& e : page->entries) seen.push_back(e.id);
            cursor = page->cursor;
        }
        QVERIFY(cursor.empty());
        std::vector<std::string> want;
        for (std::size_t i = 0; i < expected.size(); ++i) {
            if (i < 300 || !gone.count(expected[i])) want.push_back(expected[i]);
        }
        QCOMPARE(seen, want);
    }

    // A cursor whose entry and folders are gone continues with the next name that remains.
    void cursorIntoVanishedFolder() {
        TempDir tmp;
        const fs::path dir = tmp.path() / "c";
        const auto expected = makeTree(dir, 0);
        auto src = openFolder(dir);
        QVERIFY(src);
        const auto at = std::find(expected.begin(), expected.end(), "a/b/c/d/e.bin");
        QVERIFY(at != expected.end());
        auto page = src->entries("", static_cast<std::size_t>(at - expected.begin()) + 1, {});
        QVERIFY(page.ok());
        QCOMPARE(page->entries.back().id, std::string("a/b/c/d/e.bin"));
        fs::remove_all(dir / "a" / "b");
        auto next = src->entries(page->cursor, 1, {});
        QVERIFY(next.ok());
        QCOMPARE(next->entries.size(), std::size_t(1));
        QCOMPARE(next->entries[0].id, *(at + 1));
    }

    // A filter whose one match comes after 21 000 other files finds it in the first call: a
    // page keeps searching until it is full or the listing ends (within its time budget).
    void filterSearchesHugeFolder() {
        TempDir tmp;
        const fs::path dir = tmp.path() / "c";
        const std::size_t n = detail::FolderWalker::kCacheMinNames + 20'100;
        for (std::size_t i = 0; i < n; ++i) touch(dir / ("f" + std::to_string(i)), 0);
        touch(dir / "zz_match", 1);
        auto src = openFolder(dir);
        QVERIFY(src);
        EntryFilter filter;
        filter.substring = "match";
        filter.time_budget = std::chrono::milliseconds(0);  // no limit: a slow disk must pass
        auto first = src->entries("", 10, filter);
        QVERIFY(first.ok());
        QCOMPARE(first->entries.size(), std::size_t(1));
        QCOMPARE(first->entries[0].id, std::string("zz_match"));
        QVERIFY(first->complete());
        QCOMPARE(first->scanned, std::uint64_t(n + 1));
    }

    void badCursors_data() {
        QTest::addColumn<QByteArray>("cursor");
        QTest::newRow("garbage") << QByteArray("garbage");
        QTest::newRow("sorted cursor") << QByteArray("z1.5");
        QTest::newRow("old id cursor") << QByteArray("a/z");
        QTest::newRow("no position") << QByteArray("w1:");
        QTest::newRow("other version") << QByteArray("w9:a");
        QTest::newRow("absolute") << QByteArray("w1:/etc/passwd");
        QTest::newRow("climbs out") << QByteArray("w1:../outside");
        QTest::newRow("climbs out deeper") << QByteArray("w1:a/../../b");
        QTest::newRow("empty component") << QByteArray("w1:a//b");
        QTest::newRow("dot") << QByteArray("w1:./a");
        QTest::newRow("nul") << QByteArray("w1:a\0b", 6);
    }
    void badCursors() {
        QFETCH(QByteArray, cursor);
        TempDir tmp;
        makeTree(tmp.path() / "c", 0);
        const std::string err = makeJoblib(tmp.path(), 2);
        QVERIFY2(err.empty(), err.c_str());
        for (const fs::path& dir : {tmp.path() / "c", tmp.path() / "store"}) {
            auto src = openFolder(dir);
            QVERIFY(src);
            auto page = src->entries(
                std::string_view(cursor.constData(), static_cast<std::size_t>(cursor.size())), 10,
                {});
            QVERIFY(!page.ok());
            QCOMPARE(page.status().code(), StatusCode::kInvalidArgument);
        }
    }

    // A well-formed cursor naming nothing continues after where it would sort.
    void cursorOfMissingPath() {
        TempDir tmp;
        const auto expected = makeTree(tmp.path() / "c", 0);
        auto src = openFolder(tmp.path() / "c");
        QVERIFY(src);
        auto page = src->entries("w1:n/2/zzz/deeper", 1000, {});
        QVERIFY(page.ok());
        std::vector<std::string> want;
        for (const auto& id : expected) {
            if (componentsOf(id) > componentsOf("n/2/zzz/deeper")) want.push_back(id);
        }
        std::vector<std::string> got;
        for (const auto& e : page->entries) got.push_back(e.id);
        QCOMPARE(got, want);
    }

    // Symlinks are entries of a folder, never walked into, also when a cursor names a path
    // through one; a joblib store does not follow a symlink to a function folder elsewhere.
    void symlinksNotFollowed() {
        TempDir tmp;
        const fs::path dir = tmp.path() / "c";
        const fs::path outside = tmp.path() / "outside";
        touch(outside / "secret.bin");
        touch(dir / "plain.bin");
        fs::create_directory_symlink(outside, dir / "link_dir");
        fs::create_symlink(outside / "secret.bin", dir / "link_file");
        auto src = openFolder(dir);
        QVERIFY(src);
        auto ids = listAll(*src, 1);
        QVERIFY(ids.ok());
        QCOMPARE(*ids, (std::vector<std::string>{"link_dir", "link_file", "plain.bin"}));
        auto page = src->entries("w1:link_dir/secret.bin", 10, {});
        QVERIFY(page.ok());
        QCOMPARE(page->entries.size(), std::size_t(2));
        QCOMPARE(page->entries[0].id, std::string("link_file"));

        const std::string err = makeJoblib(tmp.path(), 3);
        QVERIFY2(err.empty(), err.c_str());
        const fs::path store = tmp.path() / "store" / "joblib";
        const auto calls = joblibCalls(store);
        QCOMPARE(calls.size(), std::size_t(15));
        // Move one function folder out and link it back in: its calls are no longer listed.
        const fs::path funcDir = (store / calls.front()).parent_path();
        fs::rename(funcDir, tmp.path() / "moved_func");
        fs::create_directory_symlink(tmp.path() / "moved_func", funcDir);
        auto jl = openFolder(tmp.path() / "store");
        QVERIFY(jl);
        auto jids = listAll(*jl, 4);
        QVERIFY(jids.ok());
        QVERIFY(!jids->empty());
        std::vector<std::string> kept;
        for (const auto& c : calls) {
            if ((store / c).parent_path() != funcDir) kept.push_back(c);
        }
        QVERIFY(kept.size() < calls.size());
        QCOMPARE(*jids, kept);
    }

    // The walker keeps the sorted names of a large folder and reads it again once it changed.
    void walkerCacheFollowsChanges() {
        TempDir tmp;
        const fs::path dir = tmp.path() / "c";
        const std::size_t n = detail::FolderWalker::kCacheMinNames + 10;
        for (std::size_t i = 0; i < n; ++i) touch(dir / ("f" + std::to_string(1000 + i)), 0);
        detail::FolderWalker walker(dir);
        auto classify = [](int, std::string_view, const struct stat& st, std::size_t) {
            return S_ISDIR(st.st_mode) ? detail::FolderWalker::Kind::kDescend
                                       : detail::FolderWalker::Kind::kEntry;
        };
        auto firstAfter = [&](const std::string& after) {
            std::string found;
            Status s = walker.walk(after, classify,
                                   [&](const std::string& rel, const struct stat&, bool& stop) {
                                       found = rel;
                                       stop = true;
                                       return Status();
                                   });
            return s.ok() ? found : "error: " + s.toString();
        };
        QCOMPARE(firstAfter(""), std::string("f1000"));
        QCOMPARE(walker.cachedNames(), n);
        // A name added after the cursor shows once the folder's mtime moved on.
        touch(dir / "f1000a", 0);
        timespec times[2]{};
        times[0].tv_nsec = UTIME_OMIT;
        times[1].tv_sec = 2'000'000'000;
        QCOMPARE(::utimensat(AT_FDCWD, dir.c_str(), times, 0), 0);
        QCOMPARE(firstAfter("f1000"), std::string("f1000a"));
        QCOMPARE(walker.cachedNames(), n + 1);
        // A deleted name is skipped even while the cached listing still holds it.
        QVERIFY(fs::remove(dir / "f1000a"));
        QCOMPARE(::utimensat(AT_FDCWD, dir.c_str(), times, 0), 0);  // same mtime as cached
        QCOMPARE(firstAfter("f1000"), std::string("f1001"));
        QCOMPARE(walker.cachedNames(), n + 1);
    }

    void filterWithPaging_data() {
        QTest::addColumn<int>("limit");
        QTest::newRow("1") << 1;
        QTest::newRow("7") << 7;
        QTest::newRow("1000") << 1000;
    }
    void filterWithPaging() {
        QFETCH(int, limit);
        TempDir tmp;
        const auto all = makeTree(tmp.path() / "c", 1500);
        std::vector<std::string> expected;
        for (const auto& id : all) {
            if (id.find('7') != std::string::npos) expected.push_back(id);
        }
        auto src = openFolder(tmp.path() / "c");
        QVERIFY(src);
        EntryFilter filter;
        filter.glob = "*7*";
        auto ids = listAll(*src, static_cast<std::size_t>(limit), filter);
        QVERIFY2(ids.ok(), ids.status().toString().c_str());
        QCOMPARE(*ids, expected);
    }
};

QTEST_GUILESS_MAIN(TestInspectWalk)
#include "test_inspect_walk.moc"
