// acache: asynchronous memoization with single flight.
//
// A call returns a std::shared_future at once; the lookup, the function and the store run
// on an executor (a process-wide pool by default). Concurrent calls with equal arguments
// share one computation. A caller may stop waiting (waitFor's timeout) without affecting
// the others: the computation finishes and its value is cached.
#include <twat_cache/acache.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <vector>

namespace {

std::atomic<int> g_calls{0};
std::promise<void> g_release;                              // lets the example decide when
std::shared_future<void> g_gate = g_release.get_future();  // the slow function finishes

// Stands in for a slow computation (a rendering, a remote call): waits for the gate.
long long slowSquare(int n) {
    g_calls.fetch_add(1);
    g_gate.wait();
    return static_cast<long long>(n) * n;
}

}  // namespace

int main() {
    // [acache]
    // A memory cache made asynchronous. acache(*bcache(...)) or acache(*ucache(...)) wrap
    // persistent caches the same way.
    auto square = twat_cache::acache({.name = "example_square"}, slowSquare);
    if (!square) {
        std::fprintf(stderr, "acache: %s\n", square.status().toString().c_str());
        return 1;
    }
    // Four callers ask for the same value while it is being computed: one computation.
    std::vector<std::shared_future<long long>> futures;
    for (int i = 0; i < 4; ++i) futures.push_back((*square)(12));

    // A caller with a deadline gets Timeout while the function is still running...
    auto early = twat_cache::waitFor(futures[0], std::chrono::milliseconds(10));
    if (!early) std::printf("not yet: %s\n", early.status().toString().c_str());

    g_release.set_value();  // ...the computation completes...
    auto late = twat_cache::waitFor(futures[1], std::chrono::seconds(30));  // ...and all get it
    // [acache]

    if (!late) {
        std::fprintf(stderr, "acache_async: FAILED: %s\n", late.status().toString().c_str());
        return 1;
    }
    bool same = true;
    for (auto& f : futures) same = same && f.get() == 144;
    const long long cached = (*square)(12).get();  // answered from the cache
    std::printf("12^2 = %lld, function ran %d time(s), hits %llu\n", *late, g_calls.load(),
                static_cast<unsigned long long>(square->stats().hits));
    if (early.ok() || !same || cached != 144 || g_calls.load() != 1) {
        std::fprintf(stderr, "acache_async: FAILED\n");
        return 1;
    }
    std::printf("acache_async ok\n");
    return 0;
}
