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
// Thread safety: immutable after construction; the methods only append to a connection the
// caller holds.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>

#include "redis/redis_connection.h"
#include "twat_cache/config.h"

namespace twat_cache::detail {

class RedisLimit {
  public:
    // `prefix` is "twat_cache:<cache>:"; `policy` one of lru, fifo, rr (see effectivePolicy).
    RedisLimit(std::string prefix, std::uint64_t maxsize, Policy policy);

    // The policy the engine enforces for `requested`: lru, fifo and rr as asked; lfu and none
    // fall back to lru (the caller logs a warning).
    static Policy effectivePolicy(Policy requested);

    // SCRIPT LOAD of both scripts; reads 2 replies with takeShas().
    void appendLoad(RedisConnection& c) const;
    // Keeps the SHA1s of the loaded scripts; an error reply becomes a Status.
    Status takeShas(const redisReply& store, const redisReply& touch, std::string_view masked);

    // Appends the one script call that records the stores of `hexes` (ttlsMs[i] 0: no
    // expiry) and evicts; its reply is the number of entries evicted. With `eval`, the
    // script text goes along (EVAL): the retry after NOSCRIPT, which also caches it again.
    // `scratch` keeps strings alive until the read.
    void appendStored(RedisConnection& c, std::span<const std::string_view> hexes,
                      std::span<const std::int64_t> ttlsMs, std::deque<std::string>& scratch,
                      bool eval = false) const;
    // Appends the one lru re-scoring call of `hexes` after a read (ZADD XX: members no longer
    // indexed are left alone). fifo and rr read nothing: returns false, no reply to read.
    bool appendTouched(RedisConnection& c, std::span<const std::string_view> hexes,
                       bool eval = false) const;
    // Appends the two ZREMs that forget `hex` (erase); two replies.
    void appendForget(RedisConnection& c, std::string_view hex) const;
    // Whether a script reply says Redis lost the scripts (restart, SCRIPT FLUSH).
    static bool lostScript(const redisReply& r);

    const std::string& indexKey() const { return m_indexKey; }
    const std::string& expiryKey() const { return m_expiryKey; }
    Policy policy() const { return m_policy; }

  private:
    std::string m_prefix;
    std::string m_indexKey;
    std::string m_expiryKey;
    std::string m_metaKey;
    std::string m_maxsize;
    Policy m_policy;
    std::string m_storeSha;
    std::string m_touchSha;
};

}  // namespace twat_cache::detail
