// bench_persistent: per-operation latency of the persistent engines (sqlite, files) and, when
// memoize.h is present, of fcache hits and stores.
//
// For each value size (100 B and 4 KiB by default) and each workload, the program stores
// --keys distinct keys into a fresh cache folder under --dir (timing each set), reads every
// key once to warm the page cache, then times --rounds passes of gets over all keys in a
// shuffled order. It prints one JSON array of {name, n, p50_ns, p99_ns, mean_ns} on stdout;
// run_persistent_bench.py runs it beside the Python peers (diskcache, joblib) and prints
// the comparison table. Workload names:
//   sqlite_set_<policy>_<size>, sqlite_get_<policy>_<size>   policy fifo (diskcache's default
//       "least recently stored", no access tracking) or lru (access stamps, batched)
//   files_set_<size>, files_get_<size>                         the files engine
//   fcache_store_<size>, fcache_hit_<size>                     fcache-wrapped function
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "bench_persistent_timing.h"
#include "twat_cache/codec.h"
#include "twat_cache/config.h"
#include "twat_cache/engine.h"
#include "twat_cache/key.h"
#include "twat_cache/sqlite_engine.h"

#if __has_include("twat_cache/memoize.h")
#include "twat_cache/memoize.h"
#define TWAT_CACHE_BENCH_HAVE_MEMOIZE 1
#endif

namespace tc = twat_cache;
namespace bench = twat_cache::bench;

namespace {

struct Options {
    std::filesystem::path dir;
    std::size_t keys = 2000;
    std::size_t rounds = 4;
    std::vector<std::size_t> sizes{100, 4096};
};

// The value stored for key i: `size` bytes, different per key, not trivially compressible.
std::string valueFor(std::size_t i, std::size_t size) {
    std::string v(size, '\0');
    std::uint64_t x = (i + 1) * 0x9E3779B97F4A7C15ull;
    for (auto& c : v) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        c = static_cast<char>('a' + static_cast<char>(x % 26));
    }
    return v;
}

tc::ResolvedConfig resolved(const Options& o, const std::string& name, tc::Policy policy) {
    tc::CacheConfig c;
    c.name = name;
    c.cache_dir = o.dir;
    c.policy = policy;
    // Bounded like diskcache's default size_limit, so the limit bookkeeping is live, but far
    // above what the benchmark stores: nothing is evicted.
    c.maxsize = 10'000'000;
    auto r = tc::resolveConfig(c, [](std::string_view) { return std::optional<std::string>{}; });
    if (!r.ok()) bench::die(name, r.status().toString());
    return *r;
}

// Times set of every key, then gets over shuffled passes, on one engine.
void runEngine(tc::Engine& engine, const Options& o, std::size_t size, const std::string& setName,
               const std::string& getName, std::vector<bench::Samples>& out) {
    std::vector<tc::Key> keys;
    std::vector<std::string> texts;
    std::vector<std::string> values;
    for (std::size_t i = 0; i < o.keys; ++i) {
        const auto n = static_cast<std::int64_t>(i);
        keys.push_back(tc::makeKey(setName, n));
        texts.push_back(tc::makeKeyText("bench", n));
        values.push_back(valueFor(i, size));
    }
    const std::uint64_t tag = tc::typeTag<std::string>();

    bench::Samples sets{setName, 1, {}};
    sets.ns.reserve(o.keys);
    for (std::size_t i = 0; i < o.keys; ++i) {
        tc::Record r;
        r.key_text = texts[i];
        r.type_tag = tag;
        r.payload = values[i];
        const auto t0 = bench::BenchClock::now();
        const tc::Status s = engine.set(keys[i], r);
        sets.ns.push_back(bench::elapsedNs(t0));
        if (!s.ok()) bench::die(setName, s.toString());
    }

    for (std::size_t i = 0; i < o.keys; ++i) {  // warm the page cache and the connections
        auto v = engine.get(keys[i]);
        if (!v.ok() || v->payload != values[i]) bench::die(getName, "warm-up read mismatch");
    }
    bench::Samples gets{getName, 1, {}};
    gets.ns.reserve(o.keys * o.rounds);
    for (std::size_t round = 0; round < o.rounds; ++round) {
        for (std::size_t i : bench::shuffledIndices(o.keys, 7 + round)) {
            const auto t0 = bench::BenchClock::now();
            auto v = engine.get(keys[i]);
            gets.ns.push_back(bench::elapsedNs(t0));
            if (!v.ok()) bench::die(getName, v.status().toString());
        }
    }
    out.push_back(std::move(sets));
    out.push_back(std::move(gets));
}

void runSqlite(const Options& o, std::size_t size, tc::Policy policy,
               std::vector<bench::Samples>& out) {
    const std::string p(tc::policyName(policy));
    const std::string suffix = p + "_" + std::to_string(size);
    auto engine = tc::openSqliteCache(resolved(o, "sqlite-" + suffix, policy));
    if (!engine.ok()) bench::die("sqlite", engine.status().toString());
    runEngine(**engine, o, size, "sqlite_set_" + suffix, "sqlite_get_" + suffix, out);
}

void runFiles(const Options& o, std::size_t size, std::vector<bench::Samples>& out) {
    const std::string suffix = std::to_string(size);
    auto engine =
        tc::openEngine(tc::EngineKind::kFiles, resolved(o, "files-" + suffix, tc::Policy::kLru));
    if (!engine.ok()) {
        std::fprintf(stderr, "files engine skipped: %s\n", engine.status().toString().c_str());
        return;
    }
    runEngine(**engine, o, size, "files_set_" + suffix, "files_get_" + suffix, out);
}

#ifdef TWAT_CACHE_BENCH_HAVE_MEMOIZE
// fcache around a function of one integer returning `size` bytes: like the joblib peer,
// a store is a miss (call + encode + write) and a hit is key + read + decode.
void runFcache(const Options& o, std::size_t size, std::vector<bench::Samples>& out) {
    const std::string suffix = std::to_string(size);
    tc::CacheConfig c;
    c.name = "fcache-" + suffix;
    c.cache_dir = o.dir;
    auto fn = tc::fcache(
        c, [size](std::int64_t i) { return valueFor(static_cast<std::size_t>(i), size); });
    if (!fn.ok()) {
        std::fprintf(stderr, "fcache skipped: %s\n", fn.status().toString().c_str());
        return;
    }
    bench::Samples stores{"fcache_store_" + suffix, 1, {}};
    for (std::size_t i = 0; i < o.keys; ++i) {
        const auto t0 = bench::BenchClock::now();
        const std::string v = (*fn)(static_cast<std::int64_t>(i));
        stores.ns.push_back(bench::elapsedNs(t0));
        if (v.size() != size) bench::die(stores.name, "wrong value size");
    }
    bench::Samples hits{"fcache_hit_" + suffix, 1, {}};
    for (std::size_t round = 0; round < o.rounds; ++round) {
        for (std::size_t i : bench::shuffledIndices(o.keys, 11 + round)) {
            const auto t0 = bench::BenchClock::now();
            const std::string v = (*fn)(static_cast<std::int64_t>(i));
            hits.ns.push_back(bench::elapsedNs(t0));
            if (v.size() != size) bench::die(hits.name, "wrong value size");
        }
    }
    if (fn->stats().hits < o.keys * o.rounds) bench::die(hits.name, "hits were not hits");
    out.push_back(std::move(stores));
    out.push_back(std::move(hits));
}
#endif

Options parseArgs(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) bench::die(a, "needs a value");
            return argv[++i];
        };
        if (a == "--dir") {
            o.dir = next();
        } else if (a == "--keys") {
            o.keys = std::stoul(next());
        } else if (a == "--rounds") {
            o.rounds = std::stoul(next());
        } else if (a == "--sizes") {
            o.sizes.clear();
            const std::string list = next();
            std::size_t pos = 0;
            while (pos < list.size()) {
                const std::size_t comma = list.find(',', pos);
                o.sizes.push_back(std::stoul(list.substr(pos, comma - pos)));
                pos = comma == std::string::npos ? list.size() : comma + 1;
            }
        } else {
            bench::die(a,
                       "usage: bench_persistent --dir DIR [--keys N] [--rounds R] "
                       "[--sizes 100,4096]");
        }
    }
    if (o.dir.empty()) bench::die("--dir", "is required (an empty scratch folder)");
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    const Options o = parseArgs(argc, argv);
    std::vector<bench::Samples> all;
    for (std::size_t size : o.sizes) {
        runSqlite(o, size, tc::Policy::kFifo, all);
        runSqlite(o, size, tc::Policy::kLru, all);
        runFiles(o, size, all);
#ifdef TWAT_CACHE_BENCH_HAVE_MEMOIZE
        runFcache(o, size, all);
#endif
    }
    bench::printAll(all);
    return 0;
}
