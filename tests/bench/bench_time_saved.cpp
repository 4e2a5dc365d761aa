// bench_time_saved: what the cost policy is worth, and what recording compute times costs a
// hit (docs/benchmarks/time_saved.md).
//
// 1. Policies side by side. A skewed workload: Zipf-distributed keys over `--keys` distinct
//    keys, each with a compute cost drawn log-uniformly over three orders of magnitude
//    (10 us .. 10 ms) and a value size drawn log-uniformly (64 B .. 8 KiB), independently of
//    its popularity. An mcache bounded at 10 % of the distinct keys' bytes (equal memory for
//    every policy) serves `--requests` calls; a miss "computes" by moving an injected
//    ManualClock by the key's cost, so the recorded compute time is exact and the run is
//    deterministic. Printed: hit ratio and total compute time avoided (Stats::saved_ns) by
//    cost, lru and lfu, and cost / lru.
// 2. Per-hit overhead of recording: the memory engine's typed hit (what mcache does on a hit)
//    of entries stored with a compute time (the hit adds it to saved_ns) against the same
//    hit of entries stored without one (not recorded: the add is skipped), in ABBA rounds,
//    the median of the rounds' differences; and the whole mcache hit for scale.
//
//     bench_time_saved [--keys N] [--requests N] [--zipf S] [--rounds N]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "twat_cache/memoize.h"

using namespace twat_cache;

namespace {

struct Options {
    std::size_t keys = 20'000;
    std::size_t requests = 400'000;
    double zipf = 0.9;
    int rounds = 7;
};

struct Workload {
    std::vector<std::int64_t> costNs;  // per key
    std::vector<std::size_t> bytes;    // per key
    std::vector<std::uint32_t> calls;  // the request sequence
    std::uint64_t totalBytes = 0;
};

Workload makeWorkload(const Options& o) {
    Workload w;
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (std::size_t k = 0; k < o.keys; ++k) {
        w.costNs.push_back(static_cast<std::int64_t>(1e4 * std::pow(1000.0, unit(rng))));
        w.bytes.push_back(static_cast<std::size_t>(64.0 * std::pow(128.0, unit(rng))));
        w.totalBytes += w.bytes.back();
    }
    // Zipf over ranks; rank r is key perm[r], so popularity is independent of cost and size.
    std::vector<double> cdf(o.keys);
    double sum = 0;
    for (std::size_t r = 0; r < o.keys; ++r) {
        sum += 1.0 / std::pow(static_cast<double>(r + 1), o.zipf);
        cdf[r] = sum;
    }
    std::vector<std::uint32_t> perm(o.keys);
    for (std::size_t i = 0; i < o.keys; ++i) perm[i] = static_cast<std::uint32_t>(i);
    std::shuffle(perm.begin(), perm.end(), rng);
    for (std::size_t i = 0; i < o.requests; ++i) {
        const double u = unit(rng) * sum;
        const auto r =
            static_cast<std::size_t>(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
        w.calls.push_back(perm[std::min(r, o.keys - 1)]);
    }
    return w;
}

struct PolicyResult {
    Stats stats;
    double seconds = 0;
};

PolicyResult runPolicy(const Workload& w, Policy policy) {
    auto clock = std::make_shared<ManualClock>();
    CacheConfig c;
    c.name = "bench_time_saved";
    c.policy = policy;
    c.max_bytes = w.totalBytes / 10;
    c.clock = clock;
    auto fn = [&w, clock](std::uint32_t key) {
        clock->advanceNs(w.costNs[key]);
        return std::string(w.bytes[key], 'x');
    };
    auto memo = mcache(c, fn);
    if (!memo.ok()) {
        std::fprintf(stderr, "mcache: %s\n", memo.status().toString().c_str());
        std::exit(1);
    }
    const auto start = std::chrono::steady_clock::now();
    std::size_t sink = 0;
    for (std::uint32_t key : w.calls) sink += (*memo)(key).size();
    PolicyResult r;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.stats = memo->stats();
    if (sink == 0) std::printf(" ");
    return r;
}

// ns per typed hit over `keys` entries stored with (or without) a compute time.
double hitNs(MemoryEngine& engine, const std::vector<Key>& keys, std::uint64_t tag) {
    struct Out {
        std::int64_t v = 0;
    } out;
    auto copy = [](const void* object, void* context) {
        static_cast<Out*>(context)->v += *static_cast<const std::int64_t*>(object);
    };
    constexpr int kPasses = 50;
    const auto start = std::chrono::steady_clock::now();
    for (int p = 0; p < kPasses; ++p) {
        for (const Key& k : keys) (void)engine.getObject(k, tag, copy, &out);
    }
    const double ns =
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    if (out.v == 42) std::printf(" ");
    return ns / (kPasses * static_cast<double>(keys.size()));
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

std::string seconds(std::uint64_t ns) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.1f s", static_cast<double>(ns) / 1e9);
    return buf;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        const char* v = argv[i + 1];
        if (a == "--keys")
            o.keys = std::strtoull(v, nullptr, 10);
        else if (a == "--requests")
            o.requests = std::strtoull(v, nullptr, 10);
        else if (a == "--zipf")
            o.zipf = std::strtod(v, nullptr);
        else if (a == "--rounds")
            o.rounds = std::atoi(v);
    }
    const Workload w = makeWorkload(o);
    std::uint64_t allCompute = 0;
    for (std::uint32_t key : w.calls) allCompute += static_cast<std::uint64_t>(w.costNs[key]);
    std::printf(
        "workload: %zu keys, %zu requests, zipf %.2f, cost 10 us..10 ms, size 64 B..8 KiB;"
        " cache max_bytes %.1f MiB (10%% of %.1f MiB); compute without a cache %s\n\n",
        o.keys, o.requests, o.zipf, static_cast<double>(w.totalBytes / 10) / 1048576.0,
        static_cast<double>(w.totalBytes) / 1048576.0, seconds(allCompute).c_str());

    const Policy policies[] = {Policy::kCost, Policy::kLru, Policy::kLfu};
    std::vector<PolicyResult> results;
    for (Policy p : policies) results.push_back(runPolicy(w, p));
    const double lruSaved = static_cast<double>(results[1].stats.saved_ns);
    std::printf(
        "| policy | hit ratio | compute time avoided | of all compute | vs lru | entries "
        "kept | run time |\n|---|---:|---:|---:|---:|---:|---:|\n");
    for (std::size_t i = 0; i < results.size(); ++i) {
        const Stats& s = results[i].stats;
        std::printf("| %s | %.1f %% | %s | %.1f %% | %.2fx | %llu | %.2f s |\n",
                    std::string(policyName(policies[i])).c_str(), s.hitRatio() * 100.0,
                    seconds(s.saved_ns).c_str(),
                    100.0 * static_cast<double>(s.saved_ns) / static_cast<double>(allCompute),
                    lruSaved > 0 ? static_cast<double>(s.saved_ns) / lruSaved : 0.0,
                    static_cast<unsigned long long>(s.entries), results[i].seconds);
    }

    // Per-hit overhead of recording.
    CacheConfig c;
    c.name = "bench_hit";
    auto resolved = resolveConfig(c);
    auto recorded = MemoryEngine::create(*resolved);
    auto plain = MemoryEngine::create(*resolved);
    if (!recorded.ok() || !plain.ok()) return 1;
    const std::uint64_t tag = typeTag<std::int64_t>();
    std::vector<Key> keys;
    for (int i = 0; i < 4096; ++i) {
        keys.push_back(makeKey("bench_hit", i));
        auto v = std::make_shared<const std::int64_t>(i);
        (void)(*recorded)->setObject(keys.back(), tag, v, 8, "k", 1'000'000);
        (void)(*plain)->setObject(keys.back(), tag, v, 8, "k", std::nullopt);
    }
    auto memo = mcache(CacheConfig{.name = "bench_hit_mcache"}, [](int x) { return x * 2; });
    for (int i = 0; i < 4096; ++i) (void)(*memo)(i);
    // ABBA order in each round (not recorded, recorded, recorded, not recorded) cancels a
    // drift of the machine within the round; the overhead is the median of the per-round
    // differences, so a round disturbed by a neighbour does not decide it.
    std::vector<double> rec, nor, diff, full;
    for (int r = 0; r < o.rounds; ++r) {
        const double a1 = hitNs(**plain, keys, tag);
        const double b1 = hitNs(**recorded, keys, tag);
        const double b2 = hitNs(**recorded, keys, tag);
        const double a2 = hitNs(**plain, keys, tag);
        nor.push_back((a1 + a2) / 2);
        rec.push_back((b1 + b2) / 2);
        diff.push_back(rec.back() - nor.back());
        const auto start = std::chrono::steady_clock::now();
        long sink = 0;
        for (int p = 0; p < 50; ++p) {
            for (int i = 0; i < 4096; ++i) sink += (*memo)(i);
        }
        full.push_back(
            std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start)
                .count() /
            (50.0 * 4096.0));
        if (sink == 1) std::printf(" ");
    }
    const double mRec = median(rec), mNor = median(nor), mDiff = median(diff);
    const double mFull = median(full);
    std::printf("\n| hit path (median of %d rounds) | ns per hit |\n|---|---:|\n", o.rounds);
    std::printf("| engine typed hit, not recorded (no saved_ns add) | %.1f |\n", mNor);
    std::printf("| engine typed hit, recorded (adds to saved_ns) | %.1f |\n", mRec);
    std::printf("| difference (median of the rounds' differences) | %.1f |\n", mDiff);
    std::printf("| whole mcache hit (key hashing + typed hit, recorded) | %.1f |\n", mFull);
    std::printf("| recording overhead on an mcache hit | %.1f %% |\n", 100.0 * mDiff / mFull);
    return 0;
}
