// Per-operation latency sampling for the persistent and Redis benchmark programs.
//
// Google Benchmark reports a mean per iteration; the targets of the persistent benchmarks
// are percentiles (p50, p99), which need the duration of every single operation. A Sampler
// holds one vector of nanosecond durations per workload (steady_clock around each
// operation); summarize() sorts it and prints one JSON object per workload on stdout, which
// the driver scripts (run_persistent_bench.py, run_redis_bench.py) parse.
//
// Thread safety: none; a Sampler belongs to the one thread that measures.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace twat_cache::bench {

using BenchClock = std::chrono::steady_clock;

inline std::int64_t elapsedNs(BenchClock::time_point start) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(BenchClock::now() - start).count();
}

// One workload's samples: each the duration of one operation (or of one batch of
// `items_per_sample` items, for pipelined workloads).
struct Samples {
    std::string name;
    std::size_t items_per_sample = 1;
    std::vector<std::int64_t> ns;
};

inline double percentile(const std::vector<std::int64_t>& sorted, double p) {
    if (sorted.empty()) return 0.0;
    const auto last = static_cast<double>(sorted.size() - 1);
    return static_cast<double>(sorted[static_cast<std::size_t>(p * last + 0.5)]);
}

// Prints `{"name": ..., "n": ..., "items": ..., "p50_ns": ..., "p99_ns": ..., "mean_ns": ...}`
// followed by a comma unless `last`; times are per sample (per batch for pipelines).
inline void printSummary(Samples& s, bool last) {
    std::sort(s.ns.begin(), s.ns.end());
    double sum = 0;
    for (auto v : s.ns) sum += static_cast<double>(v);
    const double mean = s.ns.empty() ? 0.0 : sum / static_cast<double>(s.ns.size());
    std::printf(
        "  {\"name\": \"%s\", \"n\": %zu, \"items\": %zu, \"p50_ns\": %.0f, \"p99_ns\": %.0f, "
        "\"mean_ns\": %.0f}%s\n",
        s.name.c_str(), s.ns.size(), s.items_per_sample, percentile(s.ns, 0.50),
        percentile(s.ns, 0.99), mean, last ? "" : ",");
}

inline void printAll(std::vector<Samples>& all) {
    std::printf("[\n");
    for (std::size_t i = 0; i < all.size(); ++i) printSummary(all[i], i + 1 == all.size());
    std::printf("]\n");
}

// Stops the program with a message when a benchmark operation fails: a benchmark of
// failing operations would measure error paths.
[[noreturn]] inline void die(std::string_view what, std::string_view why) {
    std::fprintf(stderr, "benchmark failed: %.*s: %.*s\n", static_cast<int>(what.size()),
                 what.data(), static_cast<int>(why.size()), why.data());
    std::exit(2);
}

// A deterministic permutation of 0..n-1 (xorshift shuffle), so both sides visit keys in an
// order that defeats sequential-access effects without a random seed.
inline std::vector<std::size_t> shuffledIndices(std::size_t n, std::uint64_t seed) {
    std::vector<std::size_t> idx(n);
    for (std::size_t i = 0; i < n; ++i) idx[i] = i;
    std::uint64_t x = seed | 1;
    for (std::size_t i = n; i > 1; --i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        std::swap(idx[i - 1], idx[static_cast<std::size_t>(x % i)]);
    }
    return idx;
}

}  // namespace twat_cache::bench
