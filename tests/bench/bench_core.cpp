// Core hot-path benchmarks: key hashing, the memory engine against a bare
// std::unordered_map::find on the same 128-bit keys, TTL on vs off, one thread vs two.
// The memoized (mcache) benchmarks live in bench_memoize.cpp. run_memory_bench.py runs this
// program with --benchmark_format=json and compares the results with Python peers.
#include <benchmark/benchmark.h>

#include <unordered_map>

#include "bench_workload.h"
#include "twat_cache/codec.h"
#include "twat_cache/config.h"

namespace twat_cache::bench {

const std::vector<Args>& workloadArgs() {
    static const std::vector<Args> args = [] {
        std::vector<Args> out;
        out.reserve(kCalls);
        for (std::size_t i = 0; i < kCalls; ++i) {
            out.emplace_back(static_cast<int>(i), static_cast<double>(i) * 0.25,
                             "key-" + std::to_string(i));
        }
        return out;
    }();
    return args;
}

const std::vector<Key>& workloadKeys() {
    static const std::vector<Key> keys = [] {
        std::vector<Key> out;
        out.reserve(kCalls);
        for (const auto& [i, d, s] : workloadArgs()) out.push_back(makeKey(kCacheName, i, d, s));
        return out;
    }();
    return keys;
}

std::string workloadPayload(std::size_t i) {
    return encodeToString(static_cast<std::int64_t>(i) * 3);
}

namespace {

struct FilledEngine {
    std::unique_ptr<Engine> engine;
    std::string why;
};

FilledEngine fillMemoryEngine(bool withTtl) {
    FilledEngine out;
    CacheConfig config;
    config.name = std::string(kCacheName);
    // Explicit either way, so that TWAT_CACHE_TTL in the environment changes nothing.
    config.ttl =
        withTtl ? std::chrono::milliseconds(std::chrono::hours(1)) : std::chrono::milliseconds(0);
    auto resolved = resolveConfig(config);
    if (!resolved.ok()) {
        out.why = resolved.status().toString();
        return out;
    }
    auto engine = openEngine(EngineKind::kMemory, *resolved);
    if (!engine.ok()) {
        out.why = engine.status().toString();
        return out;
    }
    const std::uint64_t tag = typeTag<std::int64_t>();
    for (std::size_t i = 0; i < kCalls; ++i) {
        const std::string payload = workloadPayload(i);
        Record record;
        record.key_text = "bench(...)";
        record.type_tag = tag;
        record.payload = payload;
        const Status st = (*engine)->set(workloadKeys()[i], record);
        if (!st.ok()) {
            out.why = st.toString();
            return out;
        }
    }
    out.engine = std::move(*engine);
    return out;
}

}  // namespace

Engine* filledMemoryEngine(bool withTtl, std::string* why) {
    static FilledEngine plain = fillMemoryEngine(false);
    static FilledEngine ttl = fillMemoryEngine(true);
    FilledEngine& e = withTtl ? ttl : plain;
    *why = e.why;
    return e.engine.get();
}

namespace {

// (a) baseline: the same keys and payloads in a std::unordered_map; find only.
void BM_UnorderedMapFind(benchmark::State& state) {
    static const std::unordered_map<Key, std::string, KeyHash> map = [] {
        std::unordered_map<Key, std::string, KeyHash> m;
        for (std::size_t i = 0; i < kCalls; ++i) m.emplace(workloadKeys()[i], workloadPayload(i));
        return m;
    }();
    const auto& keys = workloadKeys();
    std::size_t i = static_cast<std::size_t>(state.thread_index()) * 97;
    for (auto _ : state) {
        auto it = map.find(keys[i++ & kMask]);
        benchmark::DoNotOptimize(it);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_UnorderedMapFind);
// Control for (d): lock-free reads show how much parallelism the machine actually gives.
BENCHMARK(BM_UnorderedMapFind)->Threads(1)->Threads(2)->UseRealTime();

// The cost of turning (int, double, string) arguments into a key.
void BM_MakeKey(benchmark::State& state) {
    const auto& args = workloadArgs();
    std::size_t i = 0;
    for (auto _ : state) {
        const auto& [a, d, s] = args[i++ & kMask];
        benchmark::DoNotOptimize(makeKey(kCacheName, a, d, s));
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_MakeKey);

// (a), (c), (d): a hit in the memory engine; range(0) is 1 with a TTL set.
void BM_MemoryEngineGet(benchmark::State& state) {
    std::string why;
    Engine* engine = filledMemoryEngine(state.range(0) != 0, &why);
    if (engine == nullptr) {
        state.SkipWithError(("memory engine unavailable: " + why).c_str());
        return;
    }
    const auto& keys = workloadKeys();
    if (!engine->get(keys[0]).ok()) {
        state.SkipWithError("memory engine lost a stored key");
        return;
    }
    std::size_t i = static_cast<std::size_t>(state.thread_index()) * 97;
    for (auto _ : state) {
        auto r = engine->get(keys[i++ & kMask]);
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_MemoryEngineGet)->ArgName("ttl")->Arg(0)->Arg(1);
BENCHMARK(BM_MemoryEngineGet)->ArgName("ttl")->Arg(0)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace twat_cache::bench

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    // The build type of this program (the "library_build_type" field is Google Benchmark's).
    benchmark::AddCustomContext("twat_cache_build_type", TWAT_CACHE_BENCH_BUILD_TYPE);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
