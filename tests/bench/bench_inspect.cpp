// bench_inspect: timed runs of the inspection layer on large caches (see bench_inspect.sh,
// which makes the caches and prints a table; docs/BENCHMARKS.md has the results).
//
//   bench_inspect first-page <cache folder>     open + first page of 50 entries
//   bench_inspect redis <port> <keys>           load keys, enumerate names, page, delete
//   bench_inspect make-files <root> <n>         a native files cache "nf" of n entries
//   bench_inspect make-folder <folder> <n>      a generic folder of n files (256 sub-folders)
//   bench_inspect sorted-page <cache folder> <order>
//                                               the first sorted page (builds the sort index),
//                                               the next one, a re-sort, the first unsorted page;
//                                               order: key, size, stored or accessed
//   bench_inspect make-flat <folder> <n>        a generic folder of n small files, all in it
//   bench_inspect make-joblib-tree <folder> <n> a joblib-like store of n calls (20 functions)
//   bench_inspect natural-pages <cache folder> [n]
//                                               the first unsorted page, the next one, then
//                                               n more pages (default 100; mean), peak RSS
//
// Each mode prints "name value unit" lines and its peak RSS, for the script to tabulate.
#include <hiredis/hiredis.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "twat_cache/config.h"
#include "twat_cache/engine.h"
#include "twat_cache/inspect.h"
#include "twat_cache/key.h"

using namespace twat_cache;
using Steady = std::chrono::steady_clock;

namespace {

double msSince(Steady::time_point t) {
    return std::chrono::duration<double, std::milli>(Steady::now() - t).count();
}

long peakRssKb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

int firstPage(const std::string& folder) {
    const auto t0 = Steady::now();
    auto info = Discovery::identify(folder);
    if (!info.ok()) return std::fprintf(stderr, "%s\n", info.status().toString().c_str()), 1;
    OpenOptions o;
    o.read_only = true;
    auto src = Discovery::open(*info, o);
    if (!src.ok()) return std::fprintf(stderr, "%s\n", src.status().toString().c_str()), 1;
    auto page = (*src)->entries("", 50);
    if (!page.ok()) return std::fprintf(stderr, "%s\n", page.status().toString().c_str()), 1;
    const double ms = msSince(t0);
    const auto t1 = Steady::now();
    auto next = (*src)->entries(page->cursor, 50);
    const double nextMs = msSince(t1);
    std::printf("first_page_ms %.2f ms\nnext_page_ms %.2f ms\nentries_shown %zu n\n", ms, nextMs,
                page->entries.size() + (next.ok() ? next->entries.size() : 0));
    std::printf("peak_rss %ld KiB\n", peakRssKb());
    return 0;
}

// Loads `n` string keys "bench:<ns>:<i>" (10 namespaces) with pipelined SETs.
bool load(redisContext* ctx, std::size_t n) {
    constexpr std::size_t kBatch = 10'000;
    for (std::size_t at = 0; at < n; at += kBatch) {
        const std::size_t end = std::min(n, at + kBatch);
        for (std::size_t i = at; i < end; ++i) {
            const std::string key = "bench:" + std::to_string(i % 10) + ":" + std::to_string(i);
            redisAppendCommand(ctx, "SET %b v", key.data(), key.size());
        }
        for (std::size_t i = at; i < end; ++i) {
            void* r = nullptr;
            if (redisGetReply(ctx, &r) != REDIS_OK) return false;
            freeReplyObject(r);
        }
    }
    return true;
}

int redisBench(int port, std::size_t n) {
    redisContext* ctx = redisConnect("127.0.0.1", port);
    if (ctx == nullptr || ctx->err != 0) return std::fprintf(stderr, "cannot connect\n"), 1;
    freeReplyObject(redisCommand(ctx, "FLUSHDB"));
    auto t = Steady::now();
    if (!load(ctx, n)) return std::fprintf(stderr, "load failed\n"), 1;
    const double loadMs = msSince(t);
    redisFree(ctx);
    std::printf("load_keys_per_s %.0f keys/s\n", static_cast<double>(n) / loadMs * 1000.0);

    auto info = Discovery::identifyUrl("redis://127.0.0.1:" + std::to_string(port) + "/0");
    OpenOptions o;
    auto src = Discovery::open(*info, o);
    if (!src.ok()) return std::fprintf(stderr, "%s\n", src.status().toString().c_str()), 1;

    t = Steady::now();
    auto page = (*src)->entries("", 50);
    std::printf("first_page_ms %.2f ms\n", msSince(t));
    if (!page.ok() || page->entries.size() != 50) return std::fprintf(stderr, "page\n"), 1;

    t = Steady::now();
    Result<NamespaceReport> ns = (*src)->namespaces(1'000'000);
    for (int i = 0; i < 1000 && ns.ok() && !ns->complete; ++i) ns = (*src)->namespaces(1'000'000);
    const double enumMs = msSince(t);
    if (!ns.ok() || !ns->complete) return std::fprintf(stderr, "namespaces\n"), 1;
    std::printf("enumerated_keys %llu n\nenumerate_keys_per_s %.0f keys/s\n",
                static_cast<unsigned long long>(ns->keys_scanned),
                static_cast<double>(ns->keys_scanned) / enumMs * 1000.0);

    PlanRequest req;
    req.action = PlanRequest::Action::kMatchGlob;
    req.glob = "bench:*";
    t = Steady::now();
    auto plan = (*src)->plan(req);
    const double planMs = msSince(t);
    if (!plan.ok()) return std::fprintf(stderr, "%s\n", plan.status().toString().c_str()), 1;
    t = Steady::now();
    auto r = (*plan)->execute();
    const double execMs = msSince(t);
    if (!r.ok()) return std::fprintf(stderr, "%s\n", r.status().toString().c_str()), 1;
    std::printf("pattern_plan_ms %.0f ms\npattern_unlink_ms %.0f ms\n", planMs, execMs);
    std::printf("delete_by_pattern_keys_per_s %.0f keys/s\n",
                static_cast<double>(r->deleted) / (planMs + execMs) * 1000.0);
    std::printf("deleted %llu n\n", static_cast<unsigned long long>(r->deleted));
    std::printf("peak_rss %ld KiB\n", peakRssKb());
    return r->deleted == n ? 0 : 1;
}

}  // namespace

// Resident set size now (not the peak), from /proc/self/statm.
long rssKb() {
    std::ifstream in("/proc/self/statm");
    long pages = 0, resident = 0;
    in >> pages >> resident;
    return resident * 4;
}

int makeFiles(const std::string& root, std::size_t n) {
    CacheConfig config;
    config.name = "nf";
    config.cache_dir = root;
    auto resolved =
        resolveConfig(config, [](std::string_view) { return std::optional<std::string>(); });
    if (!resolved.ok())
        return std::fprintf(stderr, "%s\n", resolved.status().toString().c_str()), 1;
    auto engine = openEngine(EngineKind::kFiles, *resolved);
    if (!engine.ok()) return std::fprintf(stderr, "%s\n", engine.status().toString().c_str()), 1;
    const auto t0 = Steady::now();
    for (std::size_t i = 0; i < n; ++i) {
        const std::string key = "item(" + std::to_string(i) + ")";
        const std::string payload((i * 7919) % 2000 + 1, 'v');
        Record r;
        r.key_text = key;
        r.payload = payload;
        r.type_tag = 7;
        if (Status s = (*engine)->set(makeKey("nf", static_cast<std::uint64_t>(i)), r); !s.ok()) {
            return std::fprintf(stderr, "%s\n", s.toString().c_str()), 1;
        }
    }
    std::printf("folder %s\nwrite_s %.1f s\n", resolved->folder.c_str(), msSince(t0) / 1000);
    return 0;
}

int makeFolder(const std::string& folder, std::size_t n) {
    namespace fs = std::filesystem;
    const auto t0 = Steady::now();
    for (int d = 0; d < 256; ++d) fs::create_directories(fs::path(folder) / std::to_string(d));
    for (std::size_t i = 0; i < n; ++i) {
        const fs::path file =
            fs::path(folder) / std::to_string(i % 256) / ("file-" + std::to_string(i) + ".bin");
        std::ofstream(file, std::ios::binary) << std::string((i * 7919) % 2000 + 1, 'x');
    }
    std::printf("write_s %.1f s\n", msSince(t0) / 1000);
    return 0;
}

int makeFlat(const std::string& folder, std::size_t n) {
    namespace fs = std::filesystem;
    const auto t0 = Steady::now();
    fs::create_directories(folder);
    for (std::size_t i = 0; i < n; ++i) {
        const fs::path file = fs::path(folder) / ("file-" + std::to_string(i) + ".bin");
        std::ofstream(file, std::ios::binary) << std::string(i % 64 + 1, 'x');
    }
    std::printf("write_s %.1f s\n", msSince(t0) / 1000);
    return 0;
}

// joblib's layout without joblib: joblib/<module>/f<k>/func_code.py and one folder per call
// holding output.pkl (a pickled int).
int makeJoblibTree(const std::string& folder, std::size_t n) {
    namespace fs = std::filesystem;
    const auto t0 = Steady::now();
    constexpr std::size_t kFunctions = 20;
    const std::string pickle("\x80\x04K\x07.", 5);  // protocol 4, the int 7
    for (std::size_t f = 0; f < kFunctions; ++f) {
        const fs::path funcDir =
            fs::path(folder) / "joblib" / "bench_mod" / ("f" + std::to_string(f));
        fs::create_directories(funcDir);
        std::ofstream(funcDir / "func_code.py") << "# first line: 1\ndef f(x): return 7\n";
    }
    for (std::size_t i = 0; i < n; ++i) {
        char hash[33];
        std::snprintf(hash, sizeof hash, "%016zx%016zx", i * 0x9E3779B97F4A7C15u, i);
        const fs::path call = fs::path(folder) / "joblib" / "bench_mod" /
                              ("f" + std::to_string(i % kFunctions)) / hash;
        fs::create_directory(call);
        std::ofstream(call / "output.pkl", std::ios::binary) << pickle;
    }
    std::printf("write_s %.1f s\n", msSince(t0) / 1000);
    return 0;
}

int naturalPages(const std::string& folder, int laterPages) {
    auto info = Discovery::identify(folder);
    if (!info.ok()) return std::fprintf(stderr, "%s\n", info.status().toString().c_str()), 1;
    OpenOptions o;
    o.read_only = true;
    auto src = Discovery::open(*info, o);
    if (!src.ok()) return std::fprintf(stderr, "%s\n", src.status().toString().c_str()), 1;
    auto t = Steady::now();
    auto page = (*src)->entries("", 50);
    if (!page.ok()) return std::fprintf(stderr, "%s\n", page.status().toString().c_str()), 1;
    std::printf("first_page_ms %.1f ms\n", msSince(t));
    std::printf("first_page_rss %ld KiB\n", peakRssKb());
    std::size_t shown = page->entries.size();
    std::string cursor = page->cursor;
    t = Steady::now();
    auto next = (*src)->entries(cursor, 50);
    if (!next.ok()) return std::fprintf(stderr, "%s\n", next.status().toString().c_str()), 1;
    std::printf("next_page_ms %.2f ms\n", msSince(t));
    shown += next->entries.size();
    cursor = next->cursor;
    int pages = 0;
    t = Steady::now();
    for (; pages < laterPages && !cursor.empty(); ++pages) {
        auto more = (*src)->entries(cursor, 50);
        if (!more.ok()) return std::fprintf(stderr, "%s\n", more.status().toString().c_str()), 1;
        shown += more->entries.size();
        cursor = more->cursor;
    }
    std::printf("later_page_mean_ms %.2f ms\n", pages > 0 ? msSince(t) / pages : 0.0);
    std::printf("entries_shown %zu n\npeak_rss %ld KiB\n", shown, peakRssKb());
    return 0;
}

int sortedPage(const std::string& folder, const std::string& orderName) {
    const std::pair<const char*, SortKey> kOrders[] = {{"key", SortKey::kKey},
                                                       {"size", SortKey::kSize},
                                                       {"stored", SortKey::kStored},
                                                       {"accessed", SortKey::kAccessed}};
    EntryFilter filter;
    for (const auto& [name, key] : kOrders) {
        if (orderName == name) filter.order = key;
    }
    if (filter.order == SortKey::kNone) return std::fprintf(stderr, "unknown order\n"), 2;
    auto info = Discovery::identify(folder);
    if (!info.ok()) return std::fprintf(stderr, "%s\n", info.status().toString().c_str()), 1;
    OpenOptions o;
    o.read_only = true;
    auto src = Discovery::open(*info, o);
    if (!src.ok()) return std::fprintf(stderr, "%s\n", src.status().toString().c_str()), 1;
    // The sorted page first, so that its RSS growth is the index's own (an unsorted folder
    // listing before it would leave freed heap for the index to reuse).
    const long before = rssKb();
    auto t = Steady::now();
    auto page = (*src)->entries("", 50, filter);
    if (!page.ok()) return std::fprintf(stderr, "%s\n", page.status().toString().c_str()), 1;
    std::printf("sorted_first_page_ms %.1f ms\n", msSince(t));
    std::printf("index_rss_kib %ld KiB\n", rssKb() - before);
    t = Steady::now();
    auto next = (*src)->entries(page->cursor, 50, filter);
    std::printf("sorted_next_page_ms %.2f ms\n", msSince(t));
    filter.descending = true;
    t = Steady::now();
    auto again = (*src)->entries("", 50, filter);
    std::printf("sorted_restart_desc_ms %.1f ms\n", msSince(t));
    t = Steady::now();
    auto plain = (*src)->entries("", 50);
    std::printf("unsorted_first_page_ms %.1f ms\n", msSince(t));
    std::printf("entries_shown %zu n\npeak_rss %ld KiB\n",
                page->entries.size() + (next.ok() ? next->entries.size() : 0) +
                    (plain.ok() ? plain->entries.size() : 0) +
                    (again.ok() ? again->entries.size() : 0),
                peakRssKb());
    return 0;
}

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // lines survive a run cut short
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() == 2 && args[0] == "first-page") return firstPage(args[1]);
    if (args.size() == 3 && args[0] == "make-files") return makeFiles(args[1], std::stoul(args[2]));
    if (args.size() == 3 && args[0] == "make-folder") {
        return makeFolder(args[1], std::stoul(args[2]));
    }
    if (args.size() == 3 && args[0] == "make-flat") return makeFlat(args[1], std::stoul(args[2]));
    if (args.size() == 3 && args[0] == "make-joblib-tree") {
        return makeJoblibTree(args[1], std::stoul(args[2]));
    }
    if ((args.size() == 2 || args.size() == 3) && args[0] == "natural-pages") {
        return naturalPages(args[1], args.size() == 3 ? std::stoi(args[2]) : 100);
    }
    if (args.size() == 3 && args[0] == "sorted-page") return sortedPage(args[1], args[2]);
    if (args.size() == 3 && args[0] == "redis") {
        return redisBench(std::stoi(args[1]), std::stoul(args[2]));
    }
    std::fprintf(stderr,
                 "usage: bench_inspect first-page <folder> | redis <port> <keys> | make-files "
                 "<root> <n> | make-folder <folder> <n> | sorted-page <folder> <order> | make-flat "
                 "<folder> <n> | make-joblib-tree <folder> <n> | natural-pages <folder>\n");
    return 2;
}
