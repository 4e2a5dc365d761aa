// MemoryShard: one lock's worth of the memory engine (see memory_engine.h).
//
// A shard owns a hash map of entries, the eviction order of its policy and its counters,
// guarded by `lock`, a reader/writer lock with per-thread reader slots (shard_lock.h).
//
// Hits take the shared lock and write nothing the shard's other readers read: recency and
// frequency live in the entry itself as relaxed atomics (its hit count, and the access time
// of an entry that can expire), and the hit/miss counters in the reader's own lock slot.
// Everything that reorders, inserts or removes — stores, erasures, evictions, and the removal
// of expired entries — takes the exclusive lock. The eviction order is therefore computed at
// eviction time from what hits left behind:
//   * lru is CLOCK (second chance): entries queue in store order; the victim is the oldest
//     entry not hit since it last reached the front, and an entry that was hit goes back to
//     the front instead. It approximates lru (an entry hit once after its last pass counts
//     as recent as one hit many times), as the CLOCK algorithm of operating systems does.
//   * lfu picks the entry with the fewest hits (ties: the oldest store) among all entries
//     when the shard holds at most kLfuSamples, else among kLfuSamples random ones, as
//     Redis's approximated lfu does (maxmemory-samples).
//   * cost (GreedyDual-Size-Frequency) picks the entry of lowest priority
//     H = base + (hits + 1) x compute / bytes among kCostSamples entries, where `base` is
//     the shard's inflation value L when the entry was stored or last hit, and L becomes the
//     H of each victim: entries not hit for a while fall behind newer ones. A hit refreshes
//     the entry's base with a relaxed store only when L moved since (touchCost).
//   * fifo, rr and none do not look at hits.
// Hit counts are incremented with a relaxed load and store, not a read-modify-write: two
// threads hitting the same entry at the same instant may count one hit for two. The counts
// serve eviction and inspection, not accounting; Stats::hits is exact.
//
// Thread safety: members marked "exclusive" require `lock` held exclusively; the others
// say what they need. The shard never locks by itself; the engine does.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "memory/shard_lock.h"
#include "twat_cache/config.h"
#include "twat_cache/key.h"
#include "twat_cache/stats.h"

namespace twat_cache::detail {

struct MemoryEntry {
    // Written under the exclusive lock only; read under either lock.
    std::uint64_t typeTag = 0;
    std::shared_ptr<const void> object;  // set for entries stored with setObject()
    std::string payload;                 // the encoded value of byte entries
    std::string keyText;
    std::uint64_t bytes = 0;  // what this entry counts against max_bytes
    std::int64_t createdMs = 0;
    std::int64_t expiresMs = 0;   // 0: never
    std::uint64_t computeNs = 0;  // Record::compute_ns (0 with computeKnown false)
    bool computeKnown = false;

    // Written by hits under the shared lock (relaxed; see above).
    mutable std::atomic<std::uint64_t> hits{0};
    mutable std::atomic<std::int64_t> accessedMs{0};  // tracked for entries that expire; else 0
    mutable std::atomic<double> costBase{0};          // cost: L when stored or last hit

    // Eviction bookkeeping (exclusive).
    MemoryEntry* prev = nullptr;  // lru/fifo queue, newest at the head
    MemoryEntry* next = nullptr;
    std::uint64_t seenHits = 0;  // lru: `hits` when last queued at the front
    std::uint64_t seq = 0;       // lfu/cost: store sequence number (older stores leave first)
    std::size_t slot = 0;        // lfu/rr/cost: index in MemoryShard::m_slots
    const Key* key = nullptr;    // the map's key of this entry

    bool expiredAt(std::int64_t nowMs) const noexcept {
        return expiresMs != 0 && nowMs >= expiresMs;
    }
};

// Shard sizes are cache-line multiples so two shards never share a line.
class alignas(64) MemoryShard {
  public:
    using Map = std::unordered_map<Key, MemoryEntry, KeyHash>;

    // lfu considers every entry of a shard up to this size, a random sample of this many
    // above it.
    static constexpr std::size_t kLfuSamples = 16;
    // cost considers every entry of a shard up to this size, a random sample above it: its
    // priorities spread over orders of magnitude, so a wider sample pays (evictions follow
    // misses, which compute; docs/benchmarks/time_saved.md).
    static constexpr std::size_t kCostSamples = 128;

    MemoryShard() = default;
    MemoryShard(const MemoryShard&) = delete;
    MemoryShard& operator=(const MemoryShard&) = delete;

    // Sets the policy and this shard's limits (0: unbounded); called once, before any use.
    void configure(Policy policy, std::uint64_t maxEntries, std::uint64_t maxBytes);

    ShardLock lock;

    // The entry of `key`, live or expired, or null. Shared lock.
    const MemoryEntry* find(const Key& key) const {
        auto it = m_map.find(key);
        return it == m_map.end() ? nullptr : &it->second;
    }
    // Records a hit on `e` (relaxed atomics only); nowMs 0 leaves e.accessedMs alone.
    // Shared lock.
    static void touch(const MemoryEntry& e, std::int64_t nowMs) noexcept {
        // Load and store, not fetch_add: no locked instruction on the hit path.
        e.hits.store(e.hits.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        // The clock is coarse: most hits find the time already stored and write nothing.
        if (nowMs != 0 && e.accessedMs.load(std::memory_order_relaxed) != nowMs) {
            e.accessedMs.store(nowMs, std::memory_order_relaxed);
        }
    }
    // Records a hit on `e` under policy cost: the entry's priority restarts from the current
    // inflation value. Shared lock.
    void touchCost(const MemoryEntry& e) const noexcept {
        if (e.costBase.load(std::memory_order_relaxed) != m_inflation) {
            e.costBase.store(m_inflation, std::memory_order_relaxed);
        }
    }
    // The cost policy's priority of `e` (see above).
    static double costPriority(const MemoryEntry& e) noexcept;
    // Exclusive to write, shared to read.
    std::uint64_t computeNs = 0;  // Stats::compute_ns of the entries stored here

    // Removes the entry of `key` when it is expired at nowMs, counting an expiration.
    // Exclusive.
    void removeIfExpired(const Key& key, std::int64_t nowMs);

    // Makes room for an entry of `bytes` under `key` and returns the slot to fill, already
    // linked into the policy order; Busy when it cannot (policy none and full, or too big).
    // A replaced entry keeps its place in the map but counts as a new store. Exclusive.
    Result<MemoryEntry*> prepareStore(const Key& key, std::uint64_t bytes, std::int64_t nowMs);

    bool erase(const Key& key);  // exclusive
    void clear();                // exclusive

    // Exclusive to write, shared to read. Hits and misses are counted in `lock`'s slots.
    std::uint64_t evictions = 0;
    std::uint64_t expirations = 0;
    std::uint64_t errors = 0;  // refused stores (full with policy none, or too big)
    std::uint64_t bytes = 0;

    const Map& entries() const noexcept { return m_map; }  // shared lock

  private:
    void link(MemoryEntry& e);    // adds e to the policy order as a new store
    void unlink(MemoryEntry& e);  // removes e from the policy order
    void pushFront(MemoryEntry& e);
    void unlinkQueue(MemoryEntry& e);
    void removeEntry(Map::iterator it);
    MemoryEntry* victim();
    MemoryEntry* lruVictim();
    MemoryEntry* lfuVictim();
    MemoryEntry* costVictim();
    std::uint64_t nextRandom();

    // All exclusive.
    Policy m_policy = Policy::kLru;
    std::uint64_t m_maxEntries = 0;  // 0: unbounded
    std::uint64_t m_maxBytes = 0;    // 0: unbounded
    Map m_map;
    MemoryEntry* m_head = nullptr;      // lru/fifo: most recently stored (or given a chance)
    MemoryEntry* m_tail = nullptr;      // lru/fifo: the next candidate
    std::vector<MemoryEntry*> m_slots;  // lfu/rr/cost: every entry, for O(1) random picks
    double m_inflation = 0;             // cost: L, the priority of the last victim
    std::uint64_t m_seq = 0;
    std::uint64_t m_random = 0x9E3779B97F4A7C15ULL;  // fixed seed: reproducible rr runs
};

}  // namespace twat_cache::detail
