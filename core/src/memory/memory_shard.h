// MemoryShard: one lock's worth of the memory engine (see memory_engine.h).
//
// A shard owns a hash map of entries, the eviction order of its policy and its counters.
// Every member, and every method, requires the caller to hold `mutex` (the engine locks; the
// shard never does), which keeps the hit path to one lock and a handful of pointer moves.
// The lock is a SpinMutex: critical sections are a lookup and a few pointer moves (a store
// adds one allocation), so spinning beats sleeping.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "memory/spin_mutex.h"
#include "twat_cache/config.h"
#include "twat_cache/key.h"
#include "twat_cache/stats.h"

namespace twat_cache::detail {

struct MemoryEntry {
    std::uint64_t typeTag = 0;
    std::shared_ptr<const void> object;  // set for entries stored with setObject()
    std::string payload;                 // the encoded value of byte entries
    std::string keyText;
    std::uint64_t bytes = 0;  // what this entry counts against max_bytes
    std::int64_t createdMs = 0;
    std::int64_t accessedMs = 0;  // tracked for entries that expire; 0 for the others
    std::int64_t expiresMs = 0;   // 0: never
    std::uint64_t hits = 0;

    // Eviction bookkeeping.
    MemoryEntry* prev = nullptr;  // lru/fifo list, newest at the head
    MemoryEntry* next = nullptr;
    std::uint64_t frequency = 0;  // lfu: uses
    std::uint64_t tick = 0;       // lfu: shard-local time of the last use (breaks ties)
    std::size_t slot = 0;         // rr: index in MemoryShard::m_slots
    const Key* key = nullptr;     // the map's key of this entry

    bool expiredAt(std::int64_t nowMs) const noexcept {
        return expiresMs != 0 && nowMs >= expiresMs;
    }
};

// Shard sizes are cache-line multiples so two shards never share a line.
class alignas(64) MemoryShard {
  public:
    using Map = std::unordered_map<Key, MemoryEntry, KeyHash>;

    MemoryShard() = default;
    MemoryShard(const MemoryShard&) = delete;
    MemoryShard& operator=(const MemoryShard&) = delete;

    // Sets the policy and this shard's limits (0: unbounded); called once, before any use.
    void configure(Policy policy, std::uint64_t maxEntries, std::uint64_t maxBytes);

    SpinMutex mutex;

    // A live entry of `key`, or null. An expired entry is removed (and counted) first. The
    // clock is read only for an entry that can expire (nowMs gets the time, else 0): reading
    // it on every hit would cost as much as the rest of the hit.
    MemoryEntry* findLive(const Key& key, const Clock& clock, std::int64_t& nowMs);
    // Records a use of `e` (a hit) for the policy; nowMs 0 leaves e.accessedMs alone.
    void touch(MemoryEntry& e, std::int64_t nowMs);

    // Makes room for an entry of `bytes` under `key` and returns the slot to fill, already
    // linked into the policy order; Busy when it cannot (policy none and full, or too big).
    // A replaced entry keeps its place in the map but counts as a new store.
    Result<MemoryEntry*> prepareStore(const Key& key, std::uint64_t bytes, std::int64_t nowMs);

    bool erase(const Key& key);
    void clear();

    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::uint64_t evictions = 0;
    std::uint64_t expirations = 0;
    std::uint64_t errors = 0;  // refused stores (full with policy none, or too big)
    std::uint64_t bytes = 0;

    const Map& entries() const noexcept { return m_map; }

  private:
    struct LfuLess {
        bool operator()(const MemoryEntry* a, const MemoryEntry* b) const noexcept {
            if (a->frequency != b->frequency) return a->frequency < b->frequency;
            return a->tick < b->tick;
        }
    };

    void link(MemoryEntry& e);    // adds e to the policy order as a new store
    void unlink(MemoryEntry& e);  // removes e from the policy order
    void pushFront(MemoryEntry& e);
    void removeEntry(Map::iterator it);
    MemoryEntry* victim();
    std::uint64_t nextRandom();

    Policy m_policy = Policy::kLru;
    std::uint64_t m_maxEntries = 0;  // 0: unbounded
    std::uint64_t m_maxBytes = 0;    // 0: unbounded
    Map m_map;
    MemoryEntry* m_head = nullptr;  // lru/fifo: most recently used/stored
    MemoryEntry* m_tail = nullptr;  // lru/fifo: the next victim
    std::set<MemoryEntry*, LfuLess> m_lfu;
    std::vector<MemoryEntry*> m_slots;  // rr
    std::uint64_t m_tick = 0;
    std::uint64_t m_random = 0x9E3779B97F4A7C15ULL;  // fixed seed: reproducible rr runs
};

}  // namespace twat_cache::detail
