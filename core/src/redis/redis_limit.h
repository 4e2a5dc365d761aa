// RedisLimit: maxsize enforcement for a Redis cache, shared by every process using it.
//
// Only a cache opened with maxsize > 0 has one. It keeps two sorted sets beside the entries
// (docs/FORMAT.md, "Redis key schema"): `twat_cache:<cache>:__index` (member: the 32-hex key,
// score: a sequence number from the __meta field `seq`, taken at each store for fifo and at
// each store and hit for lru) and `twat_cache:<cache>:__expiry` (member: the 32-hex key of
// an entry stored with a TTL, score: when Redis expires it, in server milliseconds). A store
// (or a setMany batch) is the usual SETs followed, in the same pipeline, by one EVALSHA of a
// Lua script that drops index members whose keys Redis expired, adds the members and, while
// the index holds more than maxsize members, removes victims (lowest score, or random for
// rr) and UNLINKs their keys. Redis runs a script atomically, so the bound holds across
// processes. Under lru a read pipelines one EVALSHA that re-scores the members it asked for
// (ZADD XX) with its GETs.
//
// On a Redis Cluster the same holds per shard (redis_cluster_layout.h): a batch's stores are
// recorded by one script call per shard it touches, each within one slot.
//
// Thread safety: immutable after takeShas(); the methods only build command arguments.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "redis/redis_connection.h"
#include "twat_cache/config.h"

namespace twat_cache::detail {

class RedisLimit {
  public:
    // `prefix` is "twat_cache:<cache>:"; `policy` one of lru, fifo, rr (see effectivePolicy).
    // With `cluster`, the cache uses the cluster layout (redis_cluster_layout.h): one index
    // per shard, each holding its share of maxsize (maxsize / kClusterShards, the remainder
    // spread over the first shards), so that the bound holds exactly over the whole cluster.
    RedisLimit(std::string prefix, std::uint64_t maxsize, Policy policy, bool cluster = false);

    // The policy the engine enforces for `requested`: lru, fifo and rr as asked; lfu and none
    // fall back to lru (the caller logs a warning).
    static Policy effectivePolicy(Policy requested);

    // SCRIPT LOAD of both scripts (two commands, in this order); takeShas() reads the replies.
    static std::vector<std::string_view> loadStoreArgs();
    static std::vector<std::string_view> loadTouchArgs();
    // Keeps the SHA1s of the loaded scripts; an error reply becomes a Status.
    Status takeShas(const redisReply& store, const redisReply& touch, std::string_view masked);

    // The one script call that records the stores of `hexes` (all of `shard`; ttlsMs[i] 0: no
    // expiry) and evicts; its reply is the number of entries evicted. With `eval`, the script
    // text goes along (EVAL): the retry after NOSCRIPT, which also caches it again. `scratch`
    // keeps strings alive until the command is sent.
    std::vector<std::string_view> storedArgs(int shard, std::span<const std::string_view> hexes,
                                             std::span<const std::int64_t> ttlsMs,
                                             std::deque<std::string>& scratch,
                                             bool eval = false) const;
    // The one lru re-scoring call of `hexes` (of `shard`) after a read (ZADD XX: members no
    // longer indexed are left alone). fifo and rr read nothing: empty, no command to send.
    std::vector<std::string_view> touchedArgs(int shard, std::span<const std::string_view> hexes,
                                              bool eval = false) const;
    // The two ZREMs that forget `hex` (erase).
    std::vector<std::string_view> forgetIndexArgs(int shard, std::string_view hex) const;
    std::vector<std::string_view> forgetExpiryArgs(int shard, std::string_view hex) const;
    // Whether a script reply says Redis lost the scripts (restart, SCRIPT FLUSH).
    static bool lostScript(const redisReply& r);

    // The shard of an entry's 32-hex key (0 on a single server), and the number of shards.
    int shardOf(std::string_view hex) const;
    int shards() const { return static_cast<int>(m_shards.size()); }
    // The index, expiry and (on a cluster) per-shard meta keys of `shard`.
    const std::string& indexKey(int shard = 0) const { return m_shards[index(shard)].index; }
    const std::string& expiryKey(int shard = 0) const { return m_shards[index(shard)].expiry; }
    const std::string& shardMetaKey(int shard = 0) const { return m_shards[index(shard)].meta; }
    Policy policy() const { return m_policy; }

  private:
    struct Shard {
        std::string prefix;  // entry keys: prefix + 32-hex key
        std::string index, expiry, meta, maxsize;
    };
    std::size_t index(int shard) const { return static_cast<std::size_t>(shard) % m_shards.size(); }

    std::vector<Shard> m_shards;
    Policy m_policy;
    std::string m_storeSha;
    std::string m_touchSha;
};

}  // namespace twat_cache::detail
