// OwnLookups: the keyspace hits and misses this process's own reads caused on each Redis
// server, so that the statistics it shows are the server's other clients', not its own.
//
// Redis counts a hit or a miss for most commands that read a key (TYPE, PTTL, STRLEN,
// GETRANGE, HSCAN, ...), so every page an inspector lists and every value it shows would raise
// the server's keyspace_hits. A RedisSource therefore brackets each batch of its own key
// reads with INFO stats and records here what the batch added (record()); stats() subtracts
// the total (of()). The totals are kept per server process (INFO's run_id) for the whole
// process: several sources on one server (two databases, a source reopened) share one
// server-wide counter, and a restarted server (a new run_id) starts from zero. Lookups by
// other clients that land inside a bracket (a round trip, about a millisecond) count as own.
//
// Thread safety: record() and of() may be called from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace twat_cache::detail {

struct LookupCounts {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
};

// keyspace_hits and keyspace_misses of an INFO stats reply (0 when missing).
LookupCounts keyspaceLookups(std::string_view infoStats);

// Adds what happened between two INFO stats readings of the server `runId`.
void recordOwnLookups(const std::string& runId, const LookupCounts& before,
                      const LookupCounts& after);
// Everything recorded for the server `runId`.
LookupCounts ownLookups(const std::string& runId);

}  // namespace twat_cache::detail
