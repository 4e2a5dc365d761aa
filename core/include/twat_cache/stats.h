// Stats: the counters every cache keeps.
//
// A Stats is a plain snapshot; engines keep their live counters privately (atomics or a
// persisted row) and return a Stats copy from stats().
//
// Error counting rule: every failure is counted exactly once, by the layer that detects it.
//   * An engine counts each failed get, set and erase it returns (any code but NotFound, a
//     store refused because the cache is full with policy none or the entry is too big
//     included). Persistent engines persist the count, so other processes and the inspector
//     see it. contains/size/scan/clear/flush failures are returned, not counted.
//   * The memoization layer (memoize.h) adds only what no engine can see: a stored value of
//     its own type tag that its Codec cannot decode. It never re-counts an engine failure.
//   * ucache's circuit breaker (engine_selection.h) adds nothing: calls it refuses while the
//     engine is paused are not failures of their own. While paused it cannot ask the engine,
//     so its stats() then reports the failures it saw (the same ones, not more).
// A miss, an expired entry or a value of a foreign type tag is not an error.
//
// Time: a memoization wrapper times each miss (Clock::steadyNs) and stores the compute time
// with the entry (Record::compute_ns). compute_ns sums the compute times of the entries
// stored; saved_ns sums, over hits, the compute time of the entry that answered: the time
// the cache spared its callers. An entry stored without a compute time (a plain Engine::set,
// or an entry written before the envelope recorded it) adds nothing to either. Persistent
// engines persist both with the other counters.
#pragma once

#include <cstdint>

namespace twat_cache {

struct Stats {
    std::uint64_t hits = 0;         // lookups that found a live entry
    std::uint64_t misses = 0;       // lookups that found nothing, an expired or a foreign entry
    std::uint64_t evictions = 0;    // entries removed to respect maxsize or max_bytes
    std::uint64_t expirations = 0;  // entries removed because their TTL passed
    std::uint64_t errors = 0;       // failures (I/O, corruption, unreachable server); see above
    std::uint64_t entries = 0;      // entries stored now
    std::uint64_t bytes = 0;        // bytes stored now (payload + key text, engine-estimated)
    std::uint64_t compute_ns = 0;   // compute time of the misses stored, in nanoseconds
    std::uint64_t saved_ns = 0;     // compute time of the entries that answered hits, in ns

    // hits / (hits + misses), or 0 when there were no lookups.
    double hitRatio() const {
        const std::uint64_t lookups = hits + misses;
        return lookups == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(lookups);
    }

    bool operator==(const Stats&) const = default;
};

}  // namespace twat_cache
