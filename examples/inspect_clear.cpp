// Inspecting and clearing caches from code.
//
// Two views of "the caches":
//   1. In this process: every memoized wrapper is listed in the CacheRegistry by name, with
//      its engine and counters; clear(name) empties it.
//   2. On disk: Discovery finds the caches under a root (ours, python-diskcache, joblib,
//      plain folders) and opens each as a Source: pages of entries, statistics, and
//      deletion as plan -> preview -> execute.
//
// This example writes a small folder cache of its own under the cache root
// (TWAT_CACHE_DIR, else the XDG cache folder), inspects it, and removes it again.
#include <twat_cache/inspect.h>
#include <twat_cache/memoize.h>
#include <twat_cache/registry.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;

namespace {

int square(int n) {
    return n * n;
}

int fail(const char* what, const twat_cache::Status& status = {}) {
    std::fprintf(stderr, "inspect_clear: FAILED: %s %s\n", what, status.toString().c_str());
    return 1;
}

// A folder cache as another program might leave it: a few files, some of them stale.
bool writeFolderCache(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    for (const char* name : {"a.png", "b.png", "c.png", "old-1.tmp", "old-2.tmp"}) {
        std::ofstream(dir / name) << "thumbnail bytes of " << name;
    }
    return !ec && fs::is_regular_file(dir / "a.png");
}

}  // namespace

int main() {
    // ---- 1. caches of this process -------------------------------------------------------
    auto sq = twat_cache::mcache({.name = "example_square"}, square);
    if (!sq) return fail("mcache", sq.status());
    for (int i = 0; i < 5; ++i) (*sq)(i % 3);  // 3 misses, 2 hits

    // [registry]
    auto& registry = twat_cache::CacheRegistry::instance();
    for (const twat_cache::CacheInfo& cache : registry.list()) {
        std::printf("%-16s %-7s hits %llu misses %llu entries %llu\n", cache.name.c_str(),
                    cache.kind.c_str(), static_cast<unsigned long long>(cache.stats.hits),
                    static_cast<unsigned long long>(cache.stats.misses),
                    static_cast<unsigned long long>(cache.stats.entries));
    }
    const twat_cache::Status cleared = registry.clear("example_square");  // NotFound if none
    // [registry]
    if (!cleared.ok() || sq->stats().entries != 0) return fail("registry clear", cleared);

    // ---- 2. caches on disk ---------------------------------------------------------------
    auto root = twat_cache::resolveCacheRoot();
    if (!root) return fail("cache root", root.status());
    const fs::path folder = *root / "example_thumbnails";
    if (!writeFolderCache(folder)) return fail("cannot write the example folder cache");

    // [discovery]
    // Every cache directly under the root, with its kind and, where cheap, its size.
    auto found = twat_cache::Discovery::scan(*root);
    if (!found) return fail("scan", found.status());
    for (const twat_cache::SourceInfo& info : *found) {
        std::printf("found %-20s %-14s %s\n", info.name.c_str(),
                    std::string(twat_cache::sourceKindName(info.kind)).c_str(),
                    info.entries ? std::to_string(*info.entries).c_str() : "-");
    }

    // Open one cache. read_only = true would refuse every change with PermissionDenied.
    auto info = twat_cache::Discovery::identify(folder);
    if (!info) return fail("identify", info.status());
    auto source = twat_cache::Discovery::open(*info);
    if (!source) return fail("open", source.status());

    // Entries come a page at a time; an empty cursor means the listing is complete.
    std::string cursor;
    int pages = 0;
    do {
        auto page = (*source)->entries(cursor, /*limit=*/2);
        if (!page) return fail("entries", page.status());
        for (const twat_cache::EntrySummary& e : page->entries)
            std::printf("  entry %-12s %llu bytes\n", e.key_text.c_str(),
                        static_cast<unsigned long long>(e.size));
        cursor = page->cursor;
    } while (!cursor.empty() && ++pages < 100);

    // Deleting is plan -> preview -> execute: nothing changes until execute().
    twat_cache::PlanRequest request;
    request.action = twat_cache::PlanRequest::Action::kMatchGlob;
    request.glob = "*.tmp";
    auto plan = (*source)->plan(request);
    if (!plan) return fail("plan", plan.status());
    std::printf("would delete %llu entries (%llu bytes)\n",
                static_cast<unsigned long long>((*plan)->preview().count),
                static_cast<unsigned long long>((*plan)->preview().bytes));
    auto done = (*plan)->execute([](std::uint64_t n, std::uint64_t total) {
        std::printf("  deleted %llu of %llu\n", static_cast<unsigned long long>(n),
                    static_cast<unsigned long long>(total));
    });
    if (!done) return fail("execute", done.status());
    // [discovery]

    auto stats = (*source)->stats();
    const bool ok = done->deleted == 2 && done->refused.empty() && stats.ok() &&
                    stats->entries == 3u && !fs::exists(folder / "old-1.tmp") &&
                    fs::exists(folder / "a.png");
    std::error_code ec;
    fs::remove_all(folder, ec);  // leave the cache root as we found it
    if (!ok) return fail("the plan did not delete exactly the two .tmp files");
    std::printf("inspect_clear ok\n");
    return 0;
}
