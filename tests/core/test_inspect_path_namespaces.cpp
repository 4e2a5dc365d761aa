// The namespace tree of the sources listed by walking folders (Source::namespaces): a joblib
// store written by the real joblib grouped as module → function with the number of calls and
// their bytes (the sizes the listing shows), a filter on a function's path listing its calls
// (natural and sorted order), and a cache folder's directories counted a budget at a time.
#include <QtTest>
#include <fstream>
#include <map>
#include <set>

#include "test_support.h"
#include "twat_cache/inspect.h"

using namespace twat_cache;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<Source> openPath(const fs::path& path) {
    auto info = Discovery::identify(path);
    if (!info.ok()) qFatal("identify: %s", info.status().toString().c_str());
    OpenOptions options;
    options.audit = false;
    auto src = Discovery::open(*info, options);
    if (!src.ok()) qFatal("open: %s", src.status().toString().c_str());
    return std::move(*src);
}

NamespaceReport scanAll(Source& src, std::size_t budget) {
    Result<NamespaceReport> report = src.namespaces(budget);
    for (int i = 0; i < 10'000 && report.ok() && !report->complete; ++i) {
        report = src.namespaces(budget);
    }
    if (!report.ok()) qFatal("namespaces: %s", report.status().toString().c_str());
    return *report;
}

const NamespaceReport::Node* nodeOf(const NamespaceReport& r, const std::string& prefix) {
    for (const auto& n : r.nodes) {
        if (n.prefix == prefix && !n.other) return &n;
    }
    return nullptr;
}

// The key texts and total size of the entries `filter` lists.
std::pair<std::multiset<std::string>, std::uint64_t> listed(Source& src, EntryFilter filter) {
    filter.time_budget = std::chrono::milliseconds(0);
    std::multiset<std::string> keys;
    std::uint64_t bytes = 0;
    std::string cursor;
    do {
        auto page = src.entries(cursor, 2, filter);
        if (!page.ok()) qFatal("entries: %s", page.status().toString().c_str());
        for (const auto& e : page->entries) {
            keys.insert(e.key_text);
            bytes += e.size;
        }
        cursor = page->cursor;
    } while (!cursor.empty());
    return {keys, bytes};
}

}  // namespace

class TestInspectPathNamespaces : public QObject {
    Q_OBJECT

  private:
    test::TempDir m_dir;

  private slots:
    void joblibGroupsCallsByFunction() {
        const fs::path root = m_dir.path() / "made";
        fs::create_directories(root);
        const fs::path script = test::sourceDir() / "tests" / "fixtures" / "make_caches.py";
        auto made =
            test::runProcess(test::pythonInterpreter(), {script.string(), root.string()}, 120000);
        QVERIFY2(made.finished && made.exitCode == 0, made.err.c_str());
        auto src = openPath(root / "jl");
        // joblib names a script's module "__main__--<its path>": find it on disk.
        std::string module;
        for (const auto& e : fs::directory_iterator(root / "jl" / "joblib")) {
            if (e.is_directory()) module = e.path().filename().string();
        }
        QVERIFY(!module.empty());
        const NamespaceReport r = scanAll(*src, 2);  // two calls a step
        QVERIFY(r.complete);
        QCOMPARE(r.keys_scanned, std::uint64_t{5});
        const auto* mod = nodeOf(r, module);
        const auto* square = nodeOf(r, module + "/square");
        const auto* greet = nodeOf(r, module + "/greet");
        QVERIFY(mod && square && greet);
        QCOMPARE(mod->keys, std::uint64_t{5});
        QCOMPARE(mod->leaf_keys, std::uint64_t{0});
        QCOMPARE(square->depth, std::size_t{2});
        QCOMPARE(square->leaf_keys, std::uint64_t{3});  // three calls of square
        QCOMPARE(greet->leaf_keys, std::uint64_t{2});
        QCOMPARE(r.nodes.size(), std::size_t{3});  // no node per call
        // A function's path lists its calls (the key text is "square(x=1)", the path
        // module/square/<hash>), with the bytes its node counts; so does a sorted listing.
        EntryFilter byPath;
        byPath.glob = module + "/square/*";
        const auto [calls, bytes] = listed(*src, byPath);
        QCOMPARE(calls, (std::multiset<std::string>{"square(x=1)", "square(x=2)", "square(x=3)"}));
        QCOMPARE(square->bytes, bytes);
        QVERIFY(bytes > 0);
        byPath.order = SortKey::kKey;
        QCOMPARE(listed(*src, byPath).first, calls);
        EntryFilter greetPath;
        greetPath.glob = module + "/greet/*";
        QCOMPARE(listed(*src, greetPath).second, greet->bytes);
        QCOMPARE(mod->bytes, square->bytes + greet->bytes);
        // The key text still matches as before.
        EntryFilter byKey;
        byKey.substring = "greet(";
        QCOMPARE(listed(*src, byKey).first.size(), std::size_t{2});
    }

    void folderIsADirectoryTree() {
        const fs::path root = m_dir.path() / "plain";
        fs::create_directories(root / "a" / "b");
        fs::create_directories(root / "c");
        auto write = [&](const fs::path& p, std::size_t n) {
            std::ofstream(root / p) << std::string(n, 'x');
        };
        write("top", 10);
        write("a/one", 100);
        write("a/two", 200);
        write("a/b/three", 1000);
        write("c/four", 5);
        auto src = openPath(root);
        NamespaceReport first = *src->namespaces(1);  // one file at a time: it grows
        QVERIFY(!first.complete);
        QCOMPARE(first.keys_scanned, std::uint64_t{1});
        const NamespaceReport r = scanAll(*src, 1);
        QCOMPARE(r.keys_scanned, std::uint64_t{5});
        const auto* a = nodeOf(r, "a");
        const auto* ab = nodeOf(r, "a/b");
        const auto* c = nodeOf(r, "c");
        const auto* none = nodeOf(r, "");
        QVERIFY(a && ab && c && none);
        QCOMPARE(a->keys, std::uint64_t{3});
        QCOMPARE(a->leaf_keys, std::uint64_t{2});
        QCOMPARE(a->bytes, std::uint64_t{1300});
        QCOMPARE(ab->keys, std::uint64_t{1});
        QCOMPARE(ab->bytes, std::uint64_t{1000});
        QCOMPARE(c->bytes, std::uint64_t{5});
        QCOMPARE(none->leaf_keys, std::uint64_t{1});  // "top", in no folder
        QCOMPARE(a, &r.nodes.front());                // most entries first
        EntryFilter underA;
        underA.glob = "a/*";
        QCOMPARE(listed(*src, underA).second, a->bytes);
        // The finished count is the listing's total from now on.
        auto page = src->entries("", 1, {});
        QVERIFY(page.ok());
        QCOMPARE(page->total, std::optional<std::uint64_t>(5));
    }
};

QTEST_GUILESS_MAIN(TestInspectPathNamespaces)
#include "test_inspect_path_namespaces.moc"
