// Stats: the counters every cache keeps.
//
// A Stats is a plain snapshot; engines keep their live counters privately (atomics or a
// persisted row) and return a Stats copy from stats().
#pragma once

#include <cstdint>

namespace twat_cache {

struct Stats {
    std::uint64_t hits = 0;         // lookups that found a live entry
    std::uint64_t misses = 0;       // lookups that found nothing, an expired or a foreign entry
    std::uint64_t evictions = 0;    // entries removed to respect maxsize or max_bytes
    std::uint64_t expirations = 0;  // entries removed because their TTL passed
    std::uint64_t errors = 0;       // engine failures (I/O, corruption, unreachable server)
    std::uint64_t entries = 0;      // entries stored now
    std::uint64_t bytes = 0;        // bytes stored now (payload + key text, engine-estimated)

    // hits / (hits + misses), or 0 when there were no lookups.
    double hitRatio() const {
        const std::uint64_t lookups = hits + misses;
        return lookups == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(lookups);
    }

    bool operator==(const Stats&) const = default;
};

}  // namespace twat_cache
