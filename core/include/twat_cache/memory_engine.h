// MemoryEngine: the in-process cache engine behind mcache.
//
// Entries live in a sharded hash table. Each shard is cache-line aligned and owns its lock,
// its hash map, its eviction structure (a queue for lru/fifo, an entry array for lfu/rr) and
// its counters. A hit takes the shard's lock *shared*, and writes nothing another reader
// reads: the lock keeps one reader slot per thread stripe (each on its own cache line, which
// also holds that stripe's hit/miss counters), and the entry's recency/frequency are relaxed
// atomics in the entry itself. Stores, erasures and evictions take the lock exclusively.
// stats() sums the shards and their slots.
//
// Sharding: a cache with a small limit (maxsize < 1024, or max_bytes < 1 MiB) has one shard,
// so its eviction order is exact and predictable. Larger or unbounded caches have
// kManyShards shards; each shard holds an even part of the limit (limit / shards, the
// remainder spread over the first shards, so the parts add up to the limit exactly), much as
// leveldb's ShardedLRUCache does. The eviction order is exact per shard, approximate overall,
// and a shard may evict (or, with policy none, refuse) while others still have room.
//
// Policies: lru, lfu, fifo, rr (a fixed-seed generator per shard, so runs are reproducible),
// cost (GreedyDual-Size-Frequency over the compute times recorded, 128 samples) and none
// (nothing is evicted: a full cache refuses new keys with Busy). Because hits do not reorder
// anything, lru and lfu are approximations decided at eviction time:
//   * lru is CLOCK (second chance): the victim is the oldest-queued entry not hit since it
//     was last queued; an entry that was hit is queued again instead. An entry hit since
//     its last pass is "recent" however long ago that hit was within the pass.
//   * lfu evicts the entry with the fewest hits, ties going to the oldest store; a shard of
//     more than 16 entries compares 16 random entries (like Redis's approximated lfu).
//     Hit counts are approximate under concurrency (two simultaneous hits of one entry may
//     count once); Stats::hits is exact.
// A TTL applies to any policy; expiry is checked on access with the config's Clock (the
// coarse system clock by default). A hit on an expired entry is a miss; the entry is then
// removed under the exclusive lock and counted as an expiration.
//
// Two interfaces:
//   * the byte Engine interface (payload + type tag), shared with the persistent engines;
//   * a typed fast path for mcache, which stores the C++ object itself (no encoding) and
//     copies it out under the shard's shared lock, so a hit costs no allocation and no
//     refcount traffic. An entry stored through one interface is a miss through the other.
//
// Times: a hit reads the clock only for an entry that can expire, so EntryInfo::accessed_ms
// is tracked for expiring entries and 0 ("not tracked") for the others.
//
// Time saved: each entry keeps the compute time it was stored with; a hit adds it to
// Stats::saved_ns in the reader's own lock slot (one relaxed add on a line the hit writes
// anyway), a store adds it to Stats::compute_ns.
//
// Sizes: a byte entry counts payload + key text bytes; an object entry counts the size its
// setter declares + key text bytes.
//
// Thread safety: every method may be called from many threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "twat_cache/engine.h"
#include "twat_cache/export.h"

namespace twat_cache {

class TWAT_CACHE_EXPORT MemoryEngine final : public Engine {
  public:
    // Shards of a large or unbounded cache.
    static constexpr std::size_t kManyShards = 16;

    // Creates an engine for a resolved config (name, maxsize, max_bytes, ttl, policy, clock).
    static Result<std::unique_ptr<MemoryEngine>> create(const ResolvedConfig& config);

    ~MemoryEngine() override;
    MemoryEngine(const MemoryEngine&) = delete;
    MemoryEngine& operator=(const MemoryEngine&) = delete;

    std::string_view kind() const override { return "memory"; }
    Capabilities capabilities() const override;

    // Byte interface. get() of an entry stored with setObject() is a miss (NotFound).
    Result<StoredValue> get(const Key& key) override;
    // Busy when policy none and the cache is full, or when the entry alone exceeds the
    // cache's (per-shard) byte limit.
    Status set(const Key& key, const Record& record) override;
    Result<bool> erase(const Key& key) override;
    Result<bool> contains(const Key& key) override;
    Status clear() override;
    Result<std::uint64_t> size() override;
    Stats stats() override;
    // Pages in key order, shard by shard. Each page costs O(entries of the shards it
    // visits): fine for inspection, not meant for hot paths. Expired entries are skipped.
    Result<ScanPage> scan(std::string_view cursor, std::size_t limit) override;

    // ---- typed fast path (used by mcache) ----

    // Called with the stored object while the shard's shared lock is held, possibly by
    // several threads at once: copy it out (reading only), do not keep the pointer, do not
    // call back into the engine.
    using CopyOut = void (*)(const void* object, void* context);

    // On a hit (live entry stored by setObject() with the same typeTag), calls
    // copyOut(object, context) and returns true. A missing, expired or foreign entry is a miss.
    bool getObject(const Key& key, std::uint64_t typeTag, CopyOut copyOut, void* context);
    // Stores `object` (which the engine shares until the entry leaves) as the value of `key`;
    // `bytes` is the value's estimated size, for max_bytes; `computeNs` how long the value
    // took to compute (Record::compute_ns; nullopt: not recorded). Fails as set() does.
    Status setObject(const Key& key, std::uint64_t typeTag, std::shared_ptr<const void> object,
                     std::size_t bytes, std::string keyText,
                     std::optional<std::uint64_t> computeNs = std::nullopt);

    // The number of shards chosen for this cache's limits.
    std::size_t shardCount() const noexcept;
    const ResolvedConfig& config() const noexcept;

  private:
    struct Impl;
    explicit MemoryEngine(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace twat_cache
