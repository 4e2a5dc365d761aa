// ucache: "just cache it" — memoize over the best engine available, with fallback.
//
// ucache tries, in order: the preferred engine (CacheConfig::preferred_engine or
// TWAT_CACHE_ENGINE) if one is set; redis when a Redis URL is configured
// (CacheConfig::redis_url or TWAT_CACHE_REDIS_URL); sqlite, then files, when the cache has
// a name and a cache root; memory last, which always works. It logs one line saying which
// engine it chose and why. A persistent engine that fails later (Redis goes down, the disk
// fills up) is bypassed by a circuit breaker: calls keep returning correct values.
//
// Try: TWAT_CACHE_REDIS_URL=redis://127.0.0.1:6379/0 ucache_auto   (with or without a server)
#include <twat_cache/log.h>
#include <twat_cache/ucache.h>

#include <cstdio>
#include <string>
#include <string_view>

namespace {

int g_calls = 0;

// Stands in for a slow remote lookup.
std::string countryOf(const std::string& city) {
    ++g_calls;
    if (city == "Lyon" || city == "Paris") return "France";
    if (city == "Porto") return "Portugal";
    return "unknown";
}

}  // namespace

int main() {
    // [ucache]
    // Show the engine choice: the core logs through one logger, silent unless asked.
    twat_cache::setLogLevel(twat_cache::LogLevel::kInfo);
    twat_cache::addLogSink([](twat_cache::LogLevel, std::string_view message) {
        std::printf("log: %.*s\n", static_cast<int>(message.size()), message.data());
    });

    // No engine named: redis if TWAT_CACHE_REDIS_URL is set and reachable, else sqlite.
    auto country = twat_cache::ucache({.name = "example_geo"}, countryOf);
    if (!country) {
        std::fprintf(stderr, "ucache: %s\n", country.status().toString().c_str());
        return 1;
    }
    std::printf("engine: %.*s\n", static_cast<int>(country->engine().kind().size()),
                country->engine().kind().data());
    const std::string lyon = (*country)("Lyon");
    // [ucache]

    const std::string again = (*country)("Lyon");
    const twat_cache::Stats stats = country->stats();
    std::printf("Lyon -> %s; function ran %d time(s), hits %llu, errors %llu\n", again.c_str(),
                g_calls, static_cast<unsigned long long>(stats.hits),
                static_cast<unsigned long long>(stats.errors));
    if (lyon != "France" || again != "France" || g_calls > 1 || stats.hits < 1) {
        std::fprintf(stderr, "ucache_auto: FAILED\n");
        return 1;
    }
    std::printf("ucache_auto ok\n");
    return 0;
}
