// Uses the installed public API only, as a user project would: key and config functions of
// the shared library, and the header-only memoization templates (mcache, Memoized) that
// instantiate against it and register with its CacheRegistry.
#include <twat_cache/config.h>
#include <twat_cache/key.h>
#include <twat_cache/memoize.h>
#include <twat_cache/registry.h>

#include <cstdio>
#include <string>

namespace {

int g_calls = 0;

int twice(int n) {
    ++g_calls;
    return 2 * n;
}

}  // namespace

int main() {
    const auto a = twat_cache::makeKey("geo", 42, std::string("x"));
    const auto b = twat_cache::makeKey("geo", 42, std::string("x"));
    if (!(a == b)) {
        std::fprintf(stderr, "equal inputs gave different keys\n");
        return 1;
    }
    twat_cache::CacheConfig config{.name = "geo"};
    config.maxsize = 10;
    auto resolved = twat_cache::resolveConfig(config);
    if (!resolved.ok()) {
        std::fprintf(stderr, "%s\n", resolved.status().toString().c_str());
        return 1;
    }

    auto memo = twat_cache::mcache({.name = "consumer_twice", .maxsize = 8}, twice);
    if (!memo.ok()) {
        std::fprintf(stderr, "mcache: %s\n", memo.status().toString().c_str());
        return 1;
    }
    const twat_cache::Memoized<int (*)(int)>& fn = *memo;
    const int first = fn(21);
    const int second = fn(21);
    auto stats = twat_cache::CacheRegistry::instance().stats("consumer_twice");
    if (first != 42 || second != 42 || g_calls != 1 || !stats.ok() || stats->hits != 1 ||
        stats->misses != 1) {
        std::fprintf(stderr, "memoization through the installed library misbehaved\n");
        return 1;
    }
    std::printf("consumer ok: key %s, maxsize %llu, memoized %d with %llu hit\n", a.toHex().c_str(),
                static_cast<unsigned long long>(resolved->maxsize), second,
                static_cast<unsigned long long>(stats->hits));
    return 0;
}
