// RedisEngine::Impl: the state behind twat_cache::RedisEngine (redis_engine.h), shared by
// redis_engine.cpp (open, get/set/erase, counters) and redis_engine_scan.cpp (clear, size and
// scan, which walk the cache's keys with SCAN). Private to the core.
//
// Thread safety: every method may run on any thread. Connections come from m_pool; pending
// counters are atomics, flushed by one thread at a time (m_flushMutex).
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "format/envelope.h"
#include "redis/redis_cluster.h"
#include "redis/redis_cluster_layout.h"
#include "redis/redis_connection.h"
#include "redis/redis_limit.h"
#include "redis/redis_scan.h"
#include "twat_cache/redis_engine.h"
#include "util/flush_schedule.h"
#include "util/log_internal.h"

namespace twat_cache {

namespace detail {
// Every key of a redis cache starts with this, then the cache's name and ':'.
inline constexpr std::string_view kRedisNamespace = "twat_cache:";
// The set of every cache's name.
inline constexpr std::string_view kRedisCacheSet = "twat_cache:__caches";

// A GET reply as a value, applying the envelope's expiry against `nowMs` (the cache clock).
Result<StoredValue> valueFromReply(const redisReply& r, const std::string& redisKey,
                                   std::int64_t nowMs, std::string_view maskedUrl);
// The SET (with PX when the entry expires) of one entry; `scratch` keeps the strings alive.
std::vector<std::string_view> setArgs(const std::string& redisKey, const Record& record,
                                      const ResolvedConfig& config, const RedisOptions& options,
                                      std::deque<std::string>& scratch);
// The first Redis error reply among `replies` as a Status, else OK.
Status checkReplies(const std::vector<ReplyPtr>& replies, std::string_view masked,
                    std::string_view doing);
// Owned arguments of a cluster command.
inline std::vector<std::string> owned(const std::vector<std::string_view>& args) {
    return {args.begin(), args.end()};
}
}  // namespace detail

class RedisEngine::Impl {
  public:
    Impl(const ResolvedConfig& config, const RedisOptions& options, detail::PoolSettings pool)
        : m_config(config),
          m_options(options),
          m_masked(pool.connect.masked_url),
          m_prefix(std::string(detail::kRedisNamespace) + config.name + ":"),
          m_metaKey(m_prefix + "__meta"),
          m_pool(std::move(pool)),
          m_schedule(options.counter_flush_ops, options.counter_flush_interval) {
        setPattern();
    }

    // On a Redis Cluster (detected at open): the cluster layout (redis_cluster_layout.h).
    void useCluster(std::unique_ptr<detail::RedisCluster> cluster) {
        m_cluster = std::move(cluster);
        setPattern();
    }

    // SCAN MATCH pattern of the cache's entry keys (with the shard tag on a cluster).
    void setPattern() {
        m_pattern = std::string(detail::kRedisNamespace) + detail::globEscape(m_config.name) + ":";
        if (m_cluster) m_pattern += "{*}";
        for (int i = 0; i < 32; ++i) m_pattern += "[0-9a-f]";
    }

    // Runs f(connection) on a pooled connection. A reused connection that turns out to have
    // been closed (server restart, idle timeout) is dropped and f retried once on a new one.
    template <class F>
    auto withConnection(F&& f) -> decltype(f(std::declval<detail::RedisConnection&>())) {
        for (int attempt = 0;; ++attempt) {
            auto lease = m_pool.acquire();
            if (!lease.ok()) return lease.status();
            auto result = f(**lease);
            if (attempt == 0 && lease->reused() &&
                (*lease)->failure() == detail::Failure::kClosed) {
                continue;
            }
            return result;
        }
    }

    std::string redisKey(const Key& key) const { return redisKeyOfHex(key.toHex()); }
    std::string redisKeyOfHex(const std::string& hex) const {
        if (!m_cluster) return m_prefix + hex;
        return m_prefix + detail::clusterShardTag(detail::clusterShardOf(hex)) + hex;
    }
    // The 32-hex member of a redis key made by redisKey().
    static std::string_view member(const std::string& rk) {
        return std::string_view(rk).substr(rk.size() < 32 ? 0 : rk.size() - 32);
    }
    // The maxsize shard of a redis key made by redisKey() (0 on a single server).
    int shardOf(const std::string& rk) const { return m_limit ? m_limit->shardOf(member(rk)) : 0; }

    // One command about `key`: on its node in a cluster, else on a pooled connection.
    Result<detail::ReplyPtr> one(const std::string& key, std::vector<std::string_view> args,
                                 std::string_view doing) {
        if (m_cluster) return m_cluster->runOne(detail::keySlot(key), detail::owned(args), doing);
        return withConnection([&](detail::RedisConnection& c) -> Result<detail::ReplyPtr> {
            c.append(args);
            return c.read(doing);
        });
    }

    // GETRANGE bytes that describe an entry in scan(): the fixed header, the key text's varint
    // and a key text of kKeyTextLimit bytes (memoization cuts key texts to about that).
    static constexpr std::size_t kHeaderPrefixBytes =
        detail::kEnvelopeFixedHeader + 10 + kKeyTextLimit + 64 + 8;
    // A scan() entry from the PTTL, STRLEN and GETRANGE (kHeaderPrefixBytes) replies of its key;
    // nullopt when the key is gone.
    static std::optional<EntryInfo> entryFrom(const std::string& hex, const redisReply& pttl,
                                              const redisReply& len, const redisReply& head,
                                              std::int64_t now);

    // ---- cluster paths (redis_engine_cluster.cpp) ----
    std::vector<Result<StoredValue>> clusterGetMany(std::span<const Key> keys);
    Status clusterSetMany(std::span<const KeyedRecord> records);
    Result<bool> clusterErase(const Key& key);
    Status clusterRegister(const std::string& version, const std::string& created);
    // `added[i]`: whether amounts[i] was added for certain (its HINCRBY answered a number).
    Status clusterFlush(std::span<const std::pair<std::string_view, std::string>> amounts,
                        std::vector<bool>& added);
    Result<std::uint64_t> clusterClear();
    Result<std::uint64_t> clusterSize();
    Result<ScanPage> clusterScan(std::string_view cursor, std::size_t limit);
    // SCANs every master with MATCH m_pattern; `page` gets each node's keys (false stops).
    Status forEachClusterKey(const std::function<bool(std::vector<std::string>& keys)>& page);

    // After a pipelined lru touch failed with NOSCRIPT (Redis restarted or flushed its
    // scripts): re-runs it with EVAL. Other failures only cost recency, never the value.
    void retouch(detail::RedisConnection& c, const redisReply& r,
                 std::span<const std::string_view> hexes) {
        if (detail::RedisLimit::lostScript(r)) {
            c.append(m_limit->touchedArgs(0, hexes, true));
            (void)c.read("EVAL touch");
        } else if (r.type == REDIS_REPLY_ERROR) {
            detail::logger().debug("cache \"{}\": lru touch failed: {}", m_config.name,
                                   detail::replyText(r));
        }
    }

    // Adds the compute times of hit values to the pending saved time.
    void noteSaved(const std::vector<Result<StoredValue>>& values) {
        std::uint64_t ns = 0;
        for (const auto& v : values) {
            if (v.ok()) ns += v->compute_ns.value_or(0);
        }
        if (ns != 0) m_pendingSavedNs.fetch_add(ns, std::memory_order_relaxed);
    }
    // Adds the compute times of stored records to the pending compute time.
    void noteComputed(std::span<const KeyedRecord> records) {
        std::uint64_t ns = 0;
        for (const auto& kr : records) ns += kr.record.compute_ns.value_or(0);
        if (ns != 0) m_pendingComputeNs.fetch_add(ns, std::memory_order_relaxed);
    }

    // Adds `n` operations to `pending`; flushes the counters when a batch is due.
    void count(std::atomic<std::uint64_t>& pending, std::uint64_t n = 1) {
        if (n == 0) return;
        pending.fetch_add(n, std::memory_order_relaxed);
        if (m_schedule.note(n)) {
            // Another thread flushing already: leave it to that one.
            std::unique_lock lock(m_flushMutex, std::try_to_lock);
            if (lock.owns_lock()) flushCountersLocked();
        }
    }

    Status flushCounters() {
        std::lock_guard lock(m_flushMutex);
        return flushCountersLocked();
    }

    // Adds the pending counters to the __meta hash; on failure they stay pending.
    Status flushCountersLocked() {
        m_schedule.restart();
        struct Field {
            std::string_view name;
            std::atomic<std::uint64_t>* pending;
            std::uint64_t taken;
        };
        Field fields[] = {{"hits", &m_pendingHits, 0},
                          {"misses", &m_pendingMisses, 0},
                          {"errors", &m_pendingErrors, 0},
                          {"evictions", &m_pendingEvictions, 0},
                          {"compute_ns", &m_pendingComputeNs, 0},
                          {"saved_ns", &m_pendingSavedNs, 0}};
        bool any = false;
        for (auto& f : fields) {
            f.taken = f.pending->exchange(0, std::memory_order_relaxed);
            any = any || f.taken != 0;
        }
        if (!any) return {};
        if (m_cluster) {
            std::vector<std::pair<std::string_view, std::string>> amounts;
            std::vector<Field*> sent;  // the field of each amount
            for (auto& f : fields) {
                if (f.taken == 0) continue;
                amounts.emplace_back(f.name, std::to_string(f.taken));
                sent.push_back(&f);
            }
            std::vector<bool> added;
            Status status = clusterFlush(amounts, added);
            if (!status.ok()) {
                // Only what was not added goes back (see below).
                for (std::size_t i = 0; i < sent.size() && i < added.size(); ++i) {
                    if (added[i]) sent[i]->taken = 0;
                }
                for (const auto& f : fields) {
                    f.pending->fetch_add(f.taken, std::memory_order_relaxed);
                }
            }
            return status;
        }
        // HINCRBY is not idempotent, so no retry here: a failed flush is re-sent whole later.
        auto lease = m_pool.acquire();
        Status status = lease.status();
        if (lease.ok()) {
            detail::RedisConnection& conn = **lease;
            std::vector<std::string> amounts;
            amounts.reserve(std::size(fields));
            std::vector<Field*> sent;  // the field of each HINCRBY, in order
            for (auto& f : fields) {
                if (f.taken == 0) continue;
                amounts.push_back(std::to_string(f.taken));
                conn.append({"HINCRBY", m_metaKey, f.name, amounts.back()});
                sent.push_back(&f);
            }
            auto replies = conn.readMany(sent.size(), "HINCRBY counters");
            status = replies.status();
            if (replies.ok()) {
                // An error reply added nothing to its field (e.g. saved_ns would pass 64
                // bits): only that field's amount is put back; the others were added, and
                // re-sending them would count them twice at every flush.
                for (std::size_t i = 0; i < sent.size(); ++i) {
                    const redisReply& r = *(*replies)[i];
                    if (r.type == REDIS_REPLY_ERROR) {
                        status = detail::replyError(r, m_masked, "HINCRBY counters");
                    } else {
                        sent[i]->taken = 0;
                    }
                }
            }
            // A transport error leaves it unknown what was added, and re-sending could count
            // twice, which we prefer to losing counts.
        }
        if (!status.ok()) {
            for (const auto& f : fields) f.pending->fetch_add(f.taken, std::memory_order_relaxed);
        }
        return status;
    }

    const ResolvedConfig m_config;
    const RedisOptions m_options;
    const std::string m_masked;
    const std::string m_prefix;   // "twat_cache:<cache>:"
    const std::string m_metaKey;  // "twat_cache:<cache>:__meta"
    std::string m_pattern;        // SCAN MATCH pattern of the cache's entry keys
    detail::RedisPool m_pool;     // the server the URL names (a seed, on a cluster)
    std::unique_ptr<detail::RedisCluster> m_cluster;  // set on a Redis Cluster
    std::optional<detail::RedisLimit> m_limit;        // set when maxsize > 0

    std::atomic<std::uint64_t> m_pendingHits{0};
    std::atomic<std::uint64_t> m_pendingMisses{0};
    std::atomic<std::uint64_t> m_pendingErrors{0};
    // Evictions the cluster scripts reported (a single server's script counts them itself).
    std::atomic<std::uint64_t> m_pendingEvictions{0};
    // Stats::compute_ns of the values stored and saved_ns of the hits, not yet in __meta:
    // they ride along with the next flush of the counters above.
    std::atomic<std::uint64_t> m_pendingComputeNs{0};
    std::atomic<std::uint64_t> m_pendingSavedNs{0};
    detail::FlushSchedule m_schedule;
    std::mutex m_flushMutex;  // one counter flush at a time
};

}  // namespace twat_cache
