// mcache: memoize a function in memory.
//
// The first call with given arguments runs the function and keeps the result; later calls
// with equal arguments are answered from the cache. The cache lives in this process only.
// Run: mcache_basics (no files are written).
#include <twat_cache/memoize.h>

#include <cstdint>
#include <cstdio>
#include <string>

namespace {

int g_calls = 0;  // how often the real function ran, to show what the cache saved

// Stands in for an expensive computation: the n-th Fibonacci number.
std::uint64_t slowFib(std::uint64_t n) {
    ++g_calls;
    std::uint64_t a = 0;
    std::uint64_t b = 1;
    for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint64_t next = a + b;
        a = b;
        b = next;
    }
    return a;
}

int check(bool ok, const char* what) {
    if (!ok) std::fprintf(stderr, "mcache_basics: FAILED: %s\n", what);
    return ok ? 0 : 1;
}

}  // namespace

int main() {
    // [mcache]
    // A factory returns Result<Memoized<...>>: a malformed TWAT_CACHE_* variable or a bad
    // limit comes back as an error instead of an exception.
    auto fib = twat_cache::mcache({.name = "fib", .maxsize = 1000}, slowFib);
    if (!fib) {
        std::fprintf(stderr, "mcache: %s\n", fib.status().toString().c_str());
        return 1;
    }
    const std::uint64_t first = (*fib)(80);   // computes and stores
    const std::uint64_t second = (*fib)(80);  // answered from the cache
    const twat_cache::Stats stats = fib->stats();
    std::printf("fib(80) = %llu, hits %llu, misses %llu, entries %llu\n",
                static_cast<unsigned long long>(second),
                static_cast<unsigned long long>(stats.hits),
                static_cast<unsigned long long>(stats.misses),
                static_cast<unsigned long long>(stats.entries));
    // [mcache]

    // Lambdas work too. mcache keeps the result as a C++ object, so the result type needs
    // no Codec (only the arguments do: they make the key).
    auto greet = twat_cache::mcache({.name = "greet", .ttl = std::chrono::minutes(5)},
                                    [](const std::string& who) { return "hello, " + who; });
    if (!greet) return 1;
    const std::string hello = (*greet)("world");

    // [erase]
    // Forget one call, or everything.
    auto erased = fib->erase(80);  // Result<bool>: whether there was an entry
    const twat_cache::Status cleared = fib->clear();
    // [erase]

    int failures = 0;
    failures += check(first == 23416728348467685ULL && second == first, "fib(80) value");
    failures += check(stats.hits == 1 && stats.misses == 1, "one miss then one hit");
    failures += check(hello == "hello, world", "lambda result");
    failures += check(erased.ok() && *erased, "erase found the entry");
    failures += check(cleared.ok() && fib->stats().entries == 0, "clear emptied the cache");
    failures += check(g_calls == 1, "the function ran once");
    if (failures == 0) std::printf("mcache_basics ok\n");
    return failures == 0 ? 0 : 1;
}
