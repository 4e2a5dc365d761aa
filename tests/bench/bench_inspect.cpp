// bench_inspect: timed runs of the inspection layer on large caches (see bench_inspect.sh,
// which makes the caches and prints a table; docs/BENCHMARKS.md has the results).
//
//   bench_inspect first-page <cache folder>     open + first page of 50 entries
//   bench_inspect redis <port> <keys>           load keys, enumerate names, page, delete
//
// Each mode prints "name value unit" lines and its peak RSS, for the script to tabulate.
#include <hiredis/hiredis.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "twat_cache/inspect.h"

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

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() == 2 && args[0] == "first-page") return firstPage(args[1]);
    if (args.size() == 3 && args[0] == "redis") {
        return redisBench(std::stoi(args[1]), std::stoul(args[2]));
    }
    std::fprintf(stderr, "usage: bench_inspect first-page <folder> | redis <port> <keys>\n");
    return 2;
}
