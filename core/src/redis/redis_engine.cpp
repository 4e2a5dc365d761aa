// RedisEngine: entries as enveloped strings with PX expiry, counters in a __meta hash. The
// SCAN-based walks (clear, size, scan) are in redis_engine_scan.cpp.
#include "twat_cache/redis_engine.h"

#include <algorithm>
#include <charconv>
#include <deque>

#include "format/envelope.h"
#include "redis/redis_engine_impl.h"
#include "util/engine_factories.h"
#include "util/expiry.h"

namespace twat_cache {

using detail::Failure;
using detail::RedisConnection;
using detail::ReplyPtr;

namespace {

// The Redis key schema version kept in __meta. 2: entries hold the shared envelope
// (format/envelope.h, magic "TWC1"); 1 was the engine's own "TWCE" layout. 3: the same
// entries in the cluster layout (redis_cluster_layout.h), used on a Redis Cluster.
constexpr int kRedisFormatVersion = 2;
constexpr int kRedisClusterFormatVersion = 3;

std::optional<std::int64_t> toInt(std::string_view text) {
    std::int64_t v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
    return v;
}

bool isArray(const redisReply& r, std::size_t n) {
    return r.type == REDIS_REPLY_ARRAY && r.elements == n;
}

}  // namespace

RedisEngine::RedisEngine(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

RedisEngine::~RedisEngine() {
    if (Status s = m_impl->flushCounters(); !s.ok()) {
        detail::logger().warn("cache \"{}\": counters not saved: {}", m_impl->m_config.name,
                              s.toString());
    }
}

const std::string& RedisEngine::maskedUrl() const {
    return m_impl->m_masked;
}

Result<std::unique_ptr<RedisEngine>> RedisEngine::open(const ResolvedConfig& config,
                                                       const RedisOptions& options) {
    if (config.redis_url.empty()) {
        return Status::unavailable(
            "no Redis server configured (set redis_url or TWAT_CACHE_REDIS_URL)");
    }
    if (config.name.empty()) return Status::invalidArgument("a Redis cache needs a name");
    // With ?ssh= this opens the one SSH session the whole pool shares.
    auto settings = detail::connectSettings(config.redis_url, options.connect_timeout,
                                            options.command_timeout, options.ssh_password);
    if (!settings.ok()) return settings.status();
    detail::PoolSettings pool;
    pool.connect = std::move(*settings);
    pool.size = std::max(1, pool.connect.endpoint.pool_size.value_or(options.pool_size));
    pool.backoff_initial = options.reconnect_backoff_initial;
    pool.backoff_max = options.reconnect_backoff_max;
    auto impl = std::make_unique<Impl>(config, options, std::move(pool));
    // A Redis Cluster is found by asking (CLUSTER SLOTS), never by a flag.
    {
        auto lease = impl->m_pool.acquire();
        if (!lease.ok()) return lease.status();
        auto cluster = detail::RedisCluster::detect(**lease, impl->m_pool.settings());
        if (!cluster.ok()) return cluster.status();
        if (*cluster) impl->useCluster(std::move(*cluster));
    }
    if (config.maxsize > 0) {
        impl->m_limit.emplace(impl->m_prefix, config.maxsize, config.policy,
                              impl->m_cluster != nullptr);
        if (impl->m_limit->policy() != config.policy) {
            detail::logger().warn("redis cache \"{}\": policy {} is not supported, using lru",
                                  config.name, policyName(config.policy));
        }
    }
    if (config.max_bytes > 0) {
        detail::logger().warn("redis cache \"{}\": max_bytes is not enforced (only maxsize is)",
                              config.name);
    }

    // Register the cache and check the format of an existing one, in one round trip.
    Impl& im = *impl;
    const std::string created = std::to_string(config.clock->nowMs());
    const std::string version =
        std::to_string(im.m_cluster ? kRedisClusterFormatVersion : kRedisFormatVersion);
    if (im.m_cluster) {
        if (Status s = im.clusterRegister(version, created); !s.ok()) return s;
        detail::logger().debug("redis cache \"{}\" opened at {} ({})", config.name, im.m_masked,
                               im.m_cluster->summary());
        return std::unique_ptr<RedisEngine>(new RedisEngine(std::move(impl)));
    }
    auto registered = im.withConnection([&](RedisConnection& c) -> Result<std::vector<ReplyPtr>> {
        c.append({"SADD", detail::kRedisCacheSet, config.name});
        c.append({"HSETNX", im.m_metaKey, "format_version", version});
        c.append({"HSETNX", im.m_metaKey, "created", created});
        c.append({"HGET", im.m_metaKey, "format_version"});
        if (im.m_limit) {
            c.append(detail::RedisLimit::loadStoreArgs());
            c.append(detail::RedisLimit::loadTouchArgs());
        }
        return c.readMany(im.m_limit ? 6 : 4, "register cache");
    });
    if (!registered.ok()) return registered.status();
    for (const auto& r : *registered) {
        if (r->type == REDIS_REPLY_ERROR) return detail::replyError(*r, im.m_masked, "register");
    }
    const redisReply& stored = *(*registered)[3];
    if (stored.type == REDIS_REPLY_STRING && detail::replyText(stored) != version) {
        return Status::notSupported(
            "redis " + im.m_masked + ": cache \"" + config.name + "\" has format_version " +
            std::string(detail::replyText(stored)) + "; this build reads " + version);
    }
    if (im.m_limit) {
        Status loaded = im.m_limit->takeShas(*(*registered)[4], *(*registered)[5], im.m_masked);
        if (!loaded.ok()) return loaded;
    }
    detail::logger().debug("redis cache \"{}\" opened at {}", config.name, im.m_masked);
    return std::unique_ptr<RedisEngine>(new RedisEngine(std::move(impl)));
}

Capabilities RedisEngine::capabilities() const {
    Capabilities c;
    c.persistent = true;
    c.cross_process = true;
    c.cross_host = true;
    c.ttl = true;
    c.tags = false;
    c.compression = true;
    // maxsize only (max_bytes is not enforced); lfu and none fall back to lru.
    c.policies = {Policy::kLru, Policy::kFifo, Policy::kRr};
    return c;
}

namespace detail {

// Redis expires by its own clock too; this keeps an injected clock authoritative.
Result<StoredValue> valueFromReply(const redisReply& r, const std::string& redisKey,
                                   std::int64_t nowMs, std::string_view maskedUrl) {
    if (r.type == REDIS_REPLY_NIL) return Status::notFound(redisKey);
    if (r.type == REDIS_REPLY_ERROR) return detail::replyError(r, maskedUrl, "GET " + redisKey);
    if (r.type != REDIS_REPLY_STRING) {
        return Status::corruption("redis key " + redisKey + " is not a string");
    }
    StoredValue v;
    auto h = detail::decodeEnvelope(detail::replyText(r), v.payload);
    if (!h.ok()) return h.status().withContext("redis key " + redisKey);
    if (h->expires_ms != 0 && nowMs >= h->expires_ms) {
        return Status::notFound(redisKey + " (expired)");
    }
    v.type_tag = h->type_tag;
    v.created_ms = h->created_ms;
    v.expires_ms = h->expires_ms;
    v.compute_ns = h->compute_ns;
    return v;
}

}  // namespace detail

using detail::valueFromReply;

Result<StoredValue> RedisEngine::get(const Key& key) {
    Impl& im = *m_impl;
    if (im.m_cluster) return std::move(im.clusterGetMany({&key, 1}).front());
    const std::string rk = im.redisKey(key);
    auto result = im.withConnection([&](RedisConnection& c) -> Result<StoredValue> {
        c.append({"GET", rk});
        const std::string_view hex = im.member(rk);
        const bool touched = im.m_limit && im.m_limit->policy() == Policy::kLru;
        if (touched) c.append(im.m_limit->touchedArgs(0, {&hex, 1}));
        auto replies = c.readMany(touched ? 2 : 1, "GET");
        if (!replies.ok()) return replies.status();
        if (touched) im.retouch(c, *(*replies)[1], {&hex, 1});
        return valueFromReply(*replies->front(), rk, im.m_config.clock->nowMs(), im.m_masked);
    });
    if (result.ok() && result->compute_ns) {
        im.m_pendingSavedNs.fetch_add(*result->compute_ns, std::memory_order_relaxed);
    }
    im.count(result.ok()                    ? im.m_pendingHits
             : result.status().isNotFound() ? im.m_pendingMisses
                                            : im.m_pendingErrors);
    return result;
}

std::vector<Result<StoredValue>> RedisEngine::getMany(std::span<const Key> keys) {
    Impl& im = *m_impl;
    if (im.m_cluster) return im.clusterGetMany(keys);
    std::vector<std::string> rks;
    rks.reserve(keys.size());
    for (const Key& k : keys) rks.push_back(im.redisKey(k));
    auto replies = im.withConnection([&](RedisConnection& c) -> Result<std::vector<ReplyPtr>> {
        for (const auto& rk : rks) c.append({"GET", rk});
        std::vector<std::string_view> hexes;
        if (im.m_limit) {
            for (const auto& rk : rks) hexes.push_back(im.member(rk));
        }
        const bool touched = im.m_limit && im.m_limit->policy() == Policy::kLru && !hexes.empty();
        if (touched) c.append(im.m_limit->touchedArgs(0, hexes));
        auto all = c.readMany(rks.size() + (touched ? 1 : 0), "GET (pipelined)");
        if (!all.ok() || !touched) return all;
        im.retouch(c, *all->back(), hexes);
        all->pop_back();
        return all;
    });
    std::vector<Result<StoredValue>> out;
    out.reserve(keys.size());
    const std::int64_t now = im.m_config.clock->nowMs();
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        out.push_back(replies.ok() ? valueFromReply(*(*replies)[i], rks[i], now, im.m_masked)
                                   : Result<StoredValue>(replies.status()));
        const auto& r = out.back();
        if (r.ok()) {
            ++hits;
        } else if (r.status().isNotFound()) {
            ++misses;
        }
    }
    // Counted once per batch: the flush check reads the clock.
    im.noteSaved(out);
    im.count(im.m_pendingHits, hits);
    im.count(im.m_pendingMisses, misses);
    im.count(im.m_pendingErrors, keys.size() - hits - misses);
    return out;
}

namespace detail {

std::vector<std::string_view> setArgs(const std::string& rk, const Record& record,
                                      const ResolvedConfig& config, const RedisOptions& options,
                                      std::deque<std::string>& scratch) {
    const std::int64_t now = config.clock->nowMs();
    const std::int64_t ttl = effectiveTtlMs(record.ttl, config.ttl);
    const std::int64_t expires = expiryMs(record.ttl, config.ttl, now);
    std::string& envelope = scratch.emplace_back();
    const EnvelopeFields fields{record.key_text, record.type_tag, now, expires, record.compute_ns};
    const bool compress = config.compress && record.payload.size() >= options.compress_min_bytes;
    if (!encodeEnvelope(envelope, fields, record.payload, compress).ok()) {
        // Only zstd can fail: store the value uncompressed rather than not at all.
        envelope.clear();
        (void)encodeEnvelope(envelope, fields, record.payload, false);
    }
    if (ttl > 0) {
        scratch.push_back(std::to_string(ttl));
        return {"SET", rk, envelope, "PX", scratch.back()};
    }
    return {"SET", rk, envelope};
}

Status checkReplies(const std::vector<ReplyPtr>& replies, std::string_view masked,
                    std::string_view doing) {
    for (const auto& r : replies) {
        if (r->type == REDIS_REPLY_ERROR) return replyError(*r, masked, doing);
    }
    return {};
}

}  // namespace detail

using detail::checkReplies;

Status RedisEngine::set(const Key& key, const Record& record) {
    KeyedRecord one{key, record};
    return setMany(std::span<const KeyedRecord>(&one, 1));
}

Status RedisEngine::setMany(std::span<const KeyedRecord> records) {
    Impl& im = *m_impl;
    if (im.m_cluster) {
        Status status = im.clusterSetMany(records);
        if (!status.ok()) im.count(im.m_pendingErrors);
        if (status.ok()) im.noteComputed(records);
        return status;
    }
    Status status = im.withConnection([&](RedisConnection& c) -> Status {
        std::deque<std::string> scratch;  // stable addresses while commands are appended
        std::vector<std::string_view> hexes;
        std::vector<std::int64_t> ttls;
        for (const auto& kr : records) {
            scratch.push_back(im.redisKey(kr.key));
            const std::string& rk = scratch.back();
            c.append(detail::setArgs(rk, kr.record, im.m_config, im.m_options, scratch));
            if (!im.m_limit) continue;
            hexes.push_back(im.member(rk));
            ttls.push_back(detail::effectiveTtlMs(kr.record.ttl, im.m_config.ttl));
        }
        // The bound: index the batch and evict, atomically, right behind its SETs.
        if (im.m_limit) c.append(im.m_limit->storedArgs(0, hexes, ttls, scratch));
        auto replies = c.readMany(records.size() + (im.m_limit ? 1 : 0), "SET (pipelined)");
        if (!replies.ok()) return replies.status();
        if (im.m_limit && detail::RedisLimit::lostScript(*replies->back())) {
            c.append(im.m_limit->storedArgs(0, hexes, ttls, scratch, true));
            auto redone = c.read("EVAL store");
            if (!redone.ok()) return redone.status();
            replies->back() = std::move(*redone);
        }
        return checkReplies(*replies, im.m_masked, "SET");
    });
    if (!status.ok()) im.count(im.m_pendingErrors);
    if (status.ok()) im.noteComputed(records);
    return status;
}

Result<bool> RedisEngine::erase(const Key& key) {
    Impl& im = *m_impl;
    if (im.m_cluster) {
        Result<bool> removed = im.clusterErase(key);
        if (!removed.ok()) im.count(im.m_pendingErrors);
        return removed;
    }
    const std::string rk = im.redisKey(key);
    Result<bool> removed = im.withConnection([&](RedisConnection& c) -> Result<bool> {
        c.append({"UNLINK", rk});
        if (im.m_limit) {
            c.append(im.m_limit->forgetIndexArgs(0, im.member(rk)));
            c.append(im.m_limit->forgetExpiryArgs(0, im.member(rk)));
        }
        auto replies = c.readMany(im.m_limit ? 3 : 1, "UNLINK");
        if (!replies.ok()) return replies.status();
        if (Status s = checkReplies(*replies, im.m_masked, "UNLINK " + rk); !s.ok()) return s;
        const redisReply& r = *replies->front();
        return r.type == REDIS_REPLY_INTEGER && r.integer > 0;
    });
    if (!removed.ok()) im.count(im.m_pendingErrors);
    return removed;
}

Result<bool> RedisEngine::contains(const Key& key) {
    Impl& im = *m_impl;
    const std::string rk = im.redisKey(key);
    const std::string last = std::to_string(detail::kEnvelopeFixedHeader - 1);
    auto reply = im.one(rk, {"GETRANGE", rk, "0", last}, "GETRANGE");
    if (!reply.ok()) return reply.status();
    const redisReply& r = **reply;
    if (r.type == REDIS_REPLY_ERROR) return detail::replyError(r, im.m_masked, "GETRANGE " + rk);
    if (r.type != REDIS_REPLY_STRING || r.len == 0) return false;
    auto h = detail::parseEnvelopeFixed(detail::replyText(r));
    if (!h.ok()) return h.status().withContext("redis key " + rk);
    return h->expires_ms == 0 || im.m_config.clock->nowMs() < h->expires_ms;
}

Status RedisEngine::flush() {
    return m_impl->flushCounters();
}

Stats RedisEngine::stats() {
    Impl& im = *m_impl;
    Stats s;
    const Status flushed = im.flushCounters();
    auto counters = im.one(
        im.m_metaKey,
        {"HMGET", im.m_metaKey, "hits", "misses", "errors", "evictions", "compute_ns", "saved_ns"},
        "HMGET counters");
    if (counters.ok() && isArray(**counters, 6)) {
        std::uint64_t* fields[] = {&s.hits,      &s.misses,     &s.errors,
                                   &s.evictions, &s.compute_ns, &s.saved_ns};
        for (std::size_t i = 0; i < 6; ++i) {
            const redisReply& e = *(*counters)->element[i];
            if (e.type != REDIS_REPLY_STRING) continue;
            if (auto v = toInt(detail::replyText(e)); v && *v > 0) {
                *fields[i] = static_cast<std::uint64_t>(*v);
            }
        }
    }
    // What could not be written yet is still ours to report.
    s.hits += im.m_pendingHits.load(std::memory_order_relaxed);
    s.misses += im.m_pendingMisses.load(std::memory_order_relaxed);
    s.errors += im.m_pendingErrors.load(std::memory_order_relaxed);
    s.evictions += im.m_pendingEvictions.load(std::memory_order_relaxed);
    s.compute_ns += im.m_pendingComputeNs.load(std::memory_order_relaxed);
    s.saved_ns += im.m_pendingSavedNs.load(std::memory_order_relaxed);
    if (auto n = size(); n.ok()) s.entries = *n;
    if (!flushed.ok() || !counters.ok()) {
        detail::logger().debug("cache \"{}\": stats from this process only: {}", im.m_config.name,
                               (!flushed.ok() ? flushed : counters.status()).toString());
    }
    return s;
}

namespace detail {

Result<std::unique_ptr<Engine>> openRedisEngine(const ResolvedConfig& config) {
    auto engine = RedisEngine::open(config);
    if (!engine.ok()) return engine.status();
    return std::unique_ptr<Engine>(std::move(*engine));
}

}  // namespace detail
}  // namespace twat_cache