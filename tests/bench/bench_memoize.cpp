// Memoized-hit benchmarks (workloads b, c, d): an mcache-wrapped (int, double, string)
// function called with arguments it has already seen, with TTL off and on, from one and two
// threads. Built only when the memoization header (twat_cache/memoize.h) exists.
#include <benchmark/benchmark.h>

#if __has_include("twat_cache/memoize.h")

#include <cstdint>
#include <string>

#include "bench_workload.h"
#include "twat_cache/memoize.h"

namespace twat_cache::bench {
namespace {

// The memoized function: cheap, so that the benchmark measures the cache, not the work.
std::int64_t work(int i, double d, const std::string& s) {
    return static_cast<std::int64_t>(i) * 3 + static_cast<std::int64_t>(d) +
           static_cast<std::int64_t>(s.size());
}

using Memo = decltype(mcache(CacheConfig{}, &work));

// An mcache wrapper that has seen every workload call once; nullptr when it cannot be built.
const Memo* warmedMcache(bool withTtl) {
    static const auto build = [](bool ttl) {
        CacheConfig config;
        config.name = ttl ? "bench-mcache-ttl" : "bench-mcache";
        config.ttl =
            ttl ? std::chrono::milliseconds(std::chrono::hours(1)) : std::chrono::milliseconds(0);
        auto memo = mcache(config, &work);
        if (memo.ok()) {
            for (const auto& [i, d, s] : workloadArgs()) benchmark::DoNotOptimize((*memo)(i, d, s));
        }
        return memo;
    };
    static const Memo plain = build(false);
    static const Memo ttl = build(true);
    const Memo& m = withTtl ? ttl : plain;
    return m.ok() ? &m : nullptr;
}

// (b), (c), (d): a memoized hit; range(0) is 1 with a TTL set.
void BM_McacheHit(benchmark::State& state) {
    const Memo* memo = warmedMcache(state.range(0) != 0);
    if (memo == nullptr) {
        state.SkipWithError("mcache could not be built");
        return;
    }
    const auto& fn = **memo;
    const auto& args = workloadArgs();
    const auto hitsBefore = fn.stats().hits;
    std::size_t i = static_cast<std::size_t>(state.thread_index()) * 97;
    for (auto _ : state) {
        const auto& [a, d, s] = args[i++ & kMask];
        benchmark::DoNotOptimize(fn(a, d, s));
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    if (state.thread_index() == 0 && fn.stats().hits == hitsBefore) {
        state.SkipWithError("the calls were not cache hits");
    }
}
BENCHMARK(BM_McacheHit)->ArgName("ttl")->Arg(0)->Arg(1);
BENCHMARK(BM_McacheHit)->ArgName("ttl")->Arg(0)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace twat_cache::bench

#endif
