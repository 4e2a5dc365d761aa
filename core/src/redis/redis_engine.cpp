// RedisEngine: entries as enveloped strings with PX expiry, counters in a __meta hash.
#include "twat_cache/redis_engine.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <deque>

#include "redis/redis_connection.h"
#include "redis/redis_limit.h"
#include "util/engine_factories.h"
#include "util/envelope.h"
#include "util/log_internal.h"

namespace twat_cache {

using detail::Failure;
using detail::RedisConnection;
using detail::ReplyPtr;

namespace {

constexpr std::string_view kNamespace = "twat_cache:";
constexpr std::string_view kCacheSet = "twat_cache:__caches";
// The Redis key schema version kept in __meta. 2: entries hold the shared envelope
// (util/envelope.h, magic "TWC1"); 1 was the engine's own "TWCE" layout.
constexpr int kRedisFormatVersion = 2;
// GETRANGE bytes that describe an entry in scan(): the fixed header, the key text's varint and
// a key text of kKeyTextLimit bytes (memoization cuts key texts to about that), with slack.
constexpr std::size_t kHeaderPrefixBytes =
    detail::kEnvelopeFixedHeader + 10 + kKeyTextLimit + 64 + 8;
constexpr std::size_t kScanBatch = 1000;
// SCAN calls one scan() page may make before returning a short page (sparse databases).
constexpr int kScanCallsPerPage = 64;
// SCAN calls clear() and size() may make; far beyond any real database.
constexpr std::uint64_t kScanCallLimit = 100'000'000;

// Escapes the glob characters of a cache name for SCAN MATCH.
std::string globEscape(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

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

class RedisEngine::Impl {
  public:
    Impl(const ResolvedConfig& config, const RedisOptions& options, detail::PoolSettings pool)
        : m_config(config),
          m_options(options),
          m_masked(pool.connect.masked_url),
          m_prefix(std::string(kNamespace) + config.name + ":"),
          m_metaKey(m_prefix + "__meta"),
          m_pattern(std::string(kNamespace) + globEscape(config.name) + ":"),
          m_pool(std::move(pool)),
          m_lastFlush(std::chrono::steady_clock::now().time_since_epoch().count()) {
        for (int i = 0; i < 32; ++i) m_pattern += "[0-9a-f]";
    }

    // Runs f(connection) on a pooled connection. A reused connection that turns out to have
    // been closed (server restart, idle timeout) is dropped and f retried once on a new one.
    template <class F>
    auto withConnection(F&& f) -> decltype(f(std::declval<RedisConnection&>())) {
        for (int attempt = 0;; ++attempt) {
            auto lease = m_pool.acquire();
            if (!lease.ok()) return lease.status();
            auto result = f(**lease);
            if (attempt == 0 && lease->reused() && (*lease)->failure() == Failure::kClosed) {
                continue;
            }
            return result;
        }
    }

    std::string redisKey(const Key& key) const { return m_prefix + key.toHex(); }
    // The 32-hex member of a redis key made by redisKey().
    std::string_view member(const std::string& rk) const {
        return std::string_view(rk).substr(m_prefix.size());
    }

    // After a pipelined lru touch failed with NOSCRIPT (Redis restarted or flushed its
    // scripts): re-runs it with EVAL. Other failures only cost recency, never the value.
    void retouch(RedisConnection& c, const redisReply& r, std::span<const std::string_view> hexes) {
        if (detail::RedisLimit::lostScript(r)) {
            m_limit->appendTouched(c, hexes, true);
            (void)c.read("EVAL touch");
        } else if (r.type == REDIS_REPLY_ERROR) {
            detail::logger().debug("cache \"{}\": lru touch failed: {}", m_config.name,
                                   detail::replyText(r));
        }
    }

    // Adds `n` operations to `pending`; flushes the counters when a batch is due.
    void count(std::atomic<std::uint64_t>& pending, std::uint64_t n = 1) {
        if (n == 0) return;
        pending.fetch_add(n, std::memory_order_relaxed);
        const auto ops =
            m_opsSinceFlush.fetch_add(static_cast<std::uint32_t>(n), std::memory_order_relaxed) + n;
        const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
        const auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                  m_options.counter_flush_interval)
                                  .count();
        if (ops >= m_options.counter_flush_ops ||
            now - m_lastFlush.load(std::memory_order_relaxed) >= interval) {
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
        m_opsSinceFlush.store(0, std::memory_order_relaxed);
        m_lastFlush.store(std::chrono::steady_clock::now().time_since_epoch().count(),
                          std::memory_order_relaxed);
        struct Field {
            std::string_view name;
            std::atomic<std::uint64_t>* pending;
            std::uint64_t taken;
        };
        Field fields[] = {{"hits", &m_pendingHits, 0},
                          {"misses", &m_pendingMisses, 0},
                          {"errors", &m_pendingErrors, 0}};
        bool any = false;
        for (auto& f : fields) {
            f.taken = f.pending->exchange(0, std::memory_order_relaxed);
            any = any || f.taken != 0;
        }
        if (!any) return {};
        // HINCRBY is not idempotent, so no retry here: a failed flush is re-sent whole later.
        auto lease = m_pool.acquire();
        Status status = lease.status();
        if (lease.ok()) {
            RedisConnection& conn = **lease;
            std::vector<std::string> amounts;
            amounts.reserve(3);
            std::size_t sent = 0;
            for (const auto& f : fields) {
                if (f.taken == 0) continue;
                amounts.push_back(std::to_string(f.taken));
                conn.append({"HINCRBY", m_metaKey, f.name, amounts.back()});
                ++sent;
            }
            auto replies = conn.readMany(sent, "HINCRBY counters");
            status = replies.status();
            if (replies.ok()) {
                for (const auto& r : *replies) {
                    if (r->type == REDIS_REPLY_ERROR) {
                        status = detail::replyError(*r, m_masked, "HINCRBY counters");
                    }
                }
                // Error replies mean nothing was added; a transport error leaves it unknown,
                // and re-sending could count twice, which we prefer to losing counts.
            }
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
    detail::RedisPool m_pool;
    std::optional<detail::RedisLimit> m_limit;  // set when maxsize > 0

    std::atomic<std::uint64_t> m_pendingHits{0};
    std::atomic<std::uint64_t> m_pendingMisses{0};
    std::atomic<std::uint64_t> m_pendingErrors{0};
    std::atomic<std::uint32_t> m_opsSinceFlush{0};
    std::atomic<std::chrono::steady_clock::rep> m_lastFlush;
    std::mutex m_flushMutex;  // one counter flush at a time
};

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
    auto endpoint = parseRedisUrl(config.redis_url);
    if (!endpoint.ok()) return endpoint.status();
    detail::PoolSettings pool;
    pool.connect.endpoint = *endpoint;
    pool.connect.masked_url = maskRedisUrl(config.redis_url);
    pool.connect.connect_timeout = endpoint->connect_timeout.value_or(options.connect_timeout);
    pool.connect.command_timeout = endpoint->command_timeout.value_or(options.command_timeout);
    pool.size = std::max(1, endpoint->pool_size.value_or(options.pool_size));
    pool.backoff_initial = options.reconnect_backoff_initial;
    pool.backoff_max = options.reconnect_backoff_max;
    auto impl = std::make_unique<Impl>(config, options, std::move(pool));
    if (config.maxsize > 0) {
        impl->m_limit.emplace(impl->m_prefix, config.maxsize, config.policy);
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
    const std::string version = std::to_string(kRedisFormatVersion);
    auto registered = im.withConnection([&](RedisConnection& c) -> Result<std::vector<ReplyPtr>> {
        c.append({"SADD", kCacheSet, config.name});
        c.append({"HSETNX", im.m_metaKey, "format_version", version});
        c.append({"HSETNX", im.m_metaKey, "created", created});
        c.append({"HGET", im.m_metaKey, "format_version"});
        if (im.m_limit) im.m_limit->appendLoad(c);
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

namespace {

// Turns a GET reply into a value, applying the envelope's expiry against the cache clock
// (Redis expires by its own clock too; this keeps an injected clock authoritative).
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
    return v;
}

}  // namespace

Result<StoredValue> RedisEngine::get(const Key& key) {
    Impl& im = *m_impl;
    const std::string rk = im.redisKey(key);
    auto result = im.withConnection([&](RedisConnection& c) -> Result<StoredValue> {
        c.append({"GET", rk});
        const std::string_view hex = im.member(rk);
        const bool touched = im.m_limit && im.m_limit->appendTouched(c, {&hex, 1});
        auto replies = c.readMany(touched ? 2 : 1, "GET");
        if (!replies.ok()) return replies.status();
        if (touched) im.retouch(c, *(*replies)[1], {&hex, 1});
        return valueFromReply(*replies->front(), rk, im.m_config.clock->nowMs(), im.m_masked);
    });
    im.count(result.ok()                    ? im.m_pendingHits
             : result.status().isNotFound() ? im.m_pendingMisses
                                            : im.m_pendingErrors);
    return result;
}

std::vector<Result<StoredValue>> RedisEngine::getMany(std::span<const Key> keys) {
    Impl& im = *m_impl;
    std::vector<std::string> rks;
    rks.reserve(keys.size());
    for (const Key& k : keys) rks.push_back(im.redisKey(k));
    auto replies = im.withConnection([&](RedisConnection& c) -> Result<std::vector<ReplyPtr>> {
        for (const auto& rk : rks) c.append({"GET", rk});
        std::vector<std::string_view> hexes;
        if (im.m_limit) {
            for (const auto& rk : rks) hexes.push_back(im.member(rk));
        }
        const bool touched = im.m_limit && im.m_limit->appendTouched(c, hexes);
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
    im.count(im.m_pendingHits, hits);
    im.count(im.m_pendingMisses, misses);
    im.count(im.m_pendingErrors, keys.size() - hits - misses);
    return out;
}

namespace {

// Appends the SET of one entry; `scratch` keeps the strings alive until the read.
void appendSet(RedisConnection& c, const std::string& rk, const Record& record,
               const ResolvedConfig& config, const RedisOptions& options,
               std::deque<std::string>& scratch) {
    const std::int64_t now = config.clock->nowMs();
    const std::chrono::milliseconds ttl = record.ttl.value_or(config.ttl);
    const std::int64_t expires = ttl.count() > 0 ? now + ttl.count() : 0;
    std::string& envelope = scratch.emplace_back();
    const detail::EnvelopeFields fields{record.key_text, record.type_tag, now, expires};
    const bool compress = config.compress && record.payload.size() >= options.compress_min_bytes;
    if (!detail::encodeEnvelope(envelope, fields, record.payload, compress).ok()) {
        // Only zstd can fail: store the value uncompressed rather than not at all.
        envelope.clear();
        (void)detail::encodeEnvelope(envelope, fields, record.payload, false);
    }
    if (ttl.count() > 0) {
        scratch.push_back(std::to_string(ttl.count()));
        c.append({"SET", rk, envelope, "PX", scratch.back()});
    } else {
        c.append({"SET", rk, envelope});
    }
}

// The TTL of a stored record in ms; 0: none.
std::int64_t ttlOf(const Record& record, const ResolvedConfig& config) {
    return std::max<std::int64_t>(0, record.ttl.value_or(config.ttl).count());
}

Status checkReplies(const std::vector<ReplyPtr>& replies, std::string_view masked,
                    std::string_view doing) {
    for (const auto& r : replies) {
        if (r->type == REDIS_REPLY_ERROR) return detail::replyError(*r, masked, doing);
    }
    return {};
}

}  // namespace

Status RedisEngine::set(const Key& key, const Record& record) {
    KeyedRecord one{key, record};
    return setMany(std::span<const KeyedRecord>(&one, 1));
}

Status RedisEngine::setMany(std::span<const KeyedRecord> records) {
    Impl& im = *m_impl;
    Status status = im.withConnection([&](RedisConnection& c) -> Status {
        std::deque<std::string> scratch;  // stable addresses while commands are appended
        std::vector<std::string_view> hexes;
        std::vector<std::int64_t> ttls;
        for (const auto& kr : records) {
            scratch.push_back(im.redisKey(kr.key));
            const std::string& rk = scratch.back();
            appendSet(c, rk, kr.record, im.m_config, im.m_options, scratch);
            if (!im.m_limit) continue;
            hexes.push_back(im.member(rk));
            ttls.push_back(ttlOf(kr.record, im.m_config));
        }
        // The bound: index the batch and evict, atomically, right behind its SETs.
        if (im.m_limit) im.m_limit->appendStored(c, hexes, ttls, scratch);
        auto replies = c.readMany(records.size() + (im.m_limit ? 1 : 0), "SET (pipelined)");
        if (!replies.ok()) return replies.status();
        if (im.m_limit && detail::RedisLimit::lostScript(*replies->back())) {
            im.m_limit->appendStored(c, hexes, ttls, scratch, true);
            auto redone = c.read("EVAL store");
            if (!redone.ok()) return redone.status();
            replies->back() = std::move(*redone);
        }
        return checkReplies(*replies, im.m_masked, "SET");
    });
    if (!status.ok()) im.count(im.m_pendingErrors);
    return status;
}

Result<bool> RedisEngine::erase(const Key& key) {
    Impl& im = *m_impl;
    const std::string rk = im.redisKey(key);
    Result<bool> removed = im.withConnection([&](RedisConnection& c) -> Result<bool> {
        c.append({"UNLINK", rk});
        if (im.m_limit) im.m_limit->appendForget(c, im.member(rk));
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
    return im.withConnection([&](RedisConnection& c) -> Result<bool> {
        auto reply = c.command({"GETRANGE", rk, "0", last});
        if (!reply.ok()) return reply.status();
        const redisReply& r = **reply;
        if (r.type == REDIS_REPLY_ERROR)
            return detail::replyError(r, im.m_masked, "GETRANGE " + rk);
        if (r.type != REDIS_REPLY_STRING || r.len == 0) return false;
        auto h = detail::parseEnvelopeFixed(detail::replyText(r));
        if (!h.ok()) return h.status().withContext("redis key " + rk);
        return h->expires_ms == 0 || im.m_config.clock->nowMs() < h->expires_ms;
    });
}

namespace {

// One SCAN reply: the next cursor and the keys.
struct ScanReply {
    std::string cursor;
    std::vector<std::string> keys;
};

Result<ScanReply> parseScan(const redisReply& r, std::string_view masked) {
    if (r.type == REDIS_REPLY_ERROR) return detail::replyError(r, masked, "SCAN");
    if (!isArray(r, 2) || r.element[0]->type != REDIS_REPLY_STRING ||
        r.element[1]->type != REDIS_REPLY_ARRAY) {
        return Status::ioError("redis " + std::string(masked) + ": unexpected SCAN reply");
    }
    ScanReply out;
    out.cursor = std::string(detail::replyText(*r.element[0]));
    const redisReply& keys = *r.element[1];
    out.keys.reserve(keys.elements);
    for (std::size_t i = 0; i < keys.elements; ++i) {
        out.keys.emplace_back(detail::replyText(*keys.element[i]));
    }
    return out;
}

}  // namespace

Status RedisEngine::clear() {
    Impl& im = *m_impl;
    const std::string count = std::to_string(kScanBatch);
    return im.withConnection([&](RedisConnection& c) -> Status {
        // Each round trip carries the UNLINK of one batch and the SCAN of the next.
        c.append({"SCAN", "0", "MATCH", im.m_pattern, "COUNT", count});
        std::uint64_t removed = 0;
        for (std::uint64_t calls = 0; calls < kScanCallLimit; ++calls) {
            auto reply = c.read("SCAN");
            if (!reply.ok()) return reply.status();
            auto page = parseScan(**reply, im.m_masked);
            if (!page.ok()) return page.status();
            const bool more = page->cursor != "0";
            if (!page->keys.empty()) {
                std::vector<std::string_view> args{"UNLINK"};
                args.insert(args.end(), page->keys.begin(), page->keys.end());
                c.append(args);
            }
            if (more) c.append({"SCAN", page->cursor, "MATCH", im.m_pattern, "COUNT", count});
            if (!page->keys.empty()) {
                auto unlinked = c.read("UNLINK");
                if (!unlinked.ok()) return unlinked.status();
                if ((*unlinked)->type == REDIS_REPLY_ERROR) {
                    return detail::replyError(**unlinked, im.m_masked, "UNLINK");
                }
                removed += static_cast<std::uint64_t>(std::max<long long>(0, (*unlinked)->integer));
            }
            if (!more) {
                // The maxsize index goes too (an unlimited engine clears a limited cache).
                auto index =
                    c.command({"UNLINK", im.m_prefix + "__index", im.m_prefix + "__expiry"});
                if (!index.ok()) return index.status();
                detail::logger().debug("cache \"{}\": cleared {} entries", im.m_config.name,
                                       removed);
                return {};
            }
        }
        return Status::ioError("redis " + im.m_masked + ": SCAN did not finish");
    });
}

Result<std::uint64_t> RedisEngine::size() {
    Impl& im = *m_impl;
    const std::string count = std::to_string(kScanBatch);
    return im.withConnection([&](RedisConnection& c) -> Result<std::uint64_t> {
        std::uint64_t total = 0;
        std::string cursor = "0";
        for (std::uint64_t calls = 0; calls < kScanCallLimit; ++calls) {
            auto reply = c.command({"SCAN", cursor, "MATCH", im.m_pattern, "COUNT", count});
            if (!reply.ok()) return reply.status();
            auto page = parseScan(**reply, im.m_masked);
            if (!page.ok()) return page.status();
            total += page->keys.size();
            if (page->cursor == "0") return total;
            cursor = std::move(page->cursor);
        }
        return Status::ioError("redis " + im.m_masked + ": SCAN did not finish");
    });
}

Status RedisEngine::flush() {
    return m_impl->flushCounters();
}

Stats RedisEngine::stats() {
    Impl& im = *m_impl;
    Stats s;
    const Status flushed = im.flushCounters();
    auto counters = im.withConnection([&](RedisConnection& c) -> Result<ReplyPtr> {
        return c.command({"HMGET", im.m_metaKey, "hits", "misses", "errors", "evictions"});
    });
    if (counters.ok() && isArray(**counters, 4)) {
        std::uint64_t* fields[] = {&s.hits, &s.misses, &s.errors, &s.evictions};
        for (std::size_t i = 0; i < 4; ++i) {
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
    if (auto n = size(); n.ok()) s.entries = *n;
    if (!flushed.ok() || !counters.ok()) {
        detail::logger().debug("cache \"{}\": stats from this process only: {}", im.m_config.name,
                               (!flushed.ok() ? flushed : counters.status()).toString());
    }
    return s;
}

namespace {

// scan() cursors: "<redis cursor or e>|<32-hex keys found but not yet returned>".
struct ScanCursor {
    std::string redis = "0";  // "e": Redis finished its scan
    std::vector<std::string> pending;
};

Result<ScanCursor> parseCursor(std::string_view text) {
    ScanCursor c;
    if (text.empty()) return c;
    const auto bar = text.find('|');
    const std::string_view head = text.substr(0, bar);
    const std::string_view tail = bar == std::string_view::npos ? "" : text.substr(bar + 1);
    const bool numeric = !head.empty() && std::all_of(head.begin(), head.end(), [](char ch) {
        return ch >= '0' && ch <= '9';
    });
    if ((!numeric && head != "e") || tail.size() % 32 != 0) {
        return Status::invalidArgument("\"" + std::string(text.substr(0, 80)) +
                                       "\" is not a redis scan cursor");
    }
    c.redis = std::string(head);
    for (std::size_t i = 0; i < tail.size(); i += 32) c.pending.emplace_back(tail.substr(i, 32));
    return c;
}

}  // namespace

Result<ScanPage> RedisEngine::scan(std::string_view cursorText, std::size_t limit) {
    Impl& im = *m_impl;
    limit = std::max<std::size_t>(limit, 1);
    auto cursor = parseCursor(cursorText);
    if (!cursor.ok()) return cursor.status();
    return im.withConnection([&](RedisConnection& c) -> Result<ScanPage> {
        std::vector<std::string> hexes = cursor->pending;
        std::string next = cursor->redis;
        const std::string count = std::to_string(std::max(limit, std::size_t{100}));
        for (int calls = 0; next != "e" && hexes.size() < limit && calls < kScanCallsPerPage;
             ++calls) {
            auto reply = c.command({"SCAN", next, "MATCH", im.m_pattern, "COUNT", count});
            if (!reply.ok()) return reply.status();
            auto page = parseScan(**reply, im.m_masked);
            if (!page.ok()) return page.status();
            for (auto& k : page->keys) hexes.push_back(k.substr(im.m_prefix.size()));
            next = page->cursor == "0" ? "e" : page->cursor;
        }
        const std::size_t take = std::min(limit, hexes.size());
        // Describe the page: PTTL, STRLEN and the envelope header of each key, pipelined.
        const std::string last = std::to_string(kHeaderPrefixBytes - 1);
        std::vector<std::string> rks;
        rks.reserve(take);
        for (std::size_t i = 0; i < take; ++i) {
            rks.push_back(im.m_prefix + hexes[i]);
            c.append({"PTTL", rks.back()});
            c.append({"STRLEN", rks.back()});
            c.append({"GETRANGE", rks.back(), "0", last});
        }
        auto replies = c.readMany(3 * take, "describe scan page");
        if (!replies.ok()) return replies.status();
        ScanPage out;
        const std::int64_t now = im.m_config.clock->nowMs();
        for (std::size_t i = 0; i < take; ++i) {
            const redisReply& pttl = *(*replies)[3 * i];
            const redisReply& len = *(*replies)[3 * i + 1];
            const redisReply& head = *(*replies)[3 * i + 2];
            if (pttl.type != REDIS_REPLY_INTEGER || pttl.integer == -2) continue;  // gone
            auto key = Key::fromHex(hexes[i]);
            if (!key.ok()) continue;
            EntryInfo e;
            e.key = *key;
            if (len.type == REDIS_REPLY_INTEGER) e.size = static_cast<std::uint64_t>(len.integer);
            if (pttl.integer > 0) e.expires_ms = now + pttl.integer;
            if (head.type == REDIS_REPLY_STRING) {
                const std::string_view prefix = detail::replyText(head);
                std::size_t needed = 0;
                auto h = detail::parseEnvelopeHeader(prefix, &needed);
                if (!h.ok() && needed > prefix.size()) {
                    // A key text longer than the prefix (set directly, not by memoization).
                    h = detail::parseEnvelopeFixed(prefix);
                    if (h.ok()) e.key_text = "(key text longer than the scanned prefix)";
                } else if (h.ok()) {
                    e.key_text = std::string(h->key_text);
                }
                if (h.ok()) {
                    e.created_ms = h->created_ms;
                    if (h->expires_ms != 0) e.expires_ms = h->expires_ms;
                } else {
                    e.key_text = "(" + h.status().message() + ")";
                }
            }
            out.entries.push_back(std::move(e));
        }
        if (next != "e" || hexes.size() > take) {
            out.cursor = next + "|";
            for (std::size_t i = take; i < hexes.size(); ++i) out.cursor += hexes[i];
        }
        return out;
    });
}

namespace detail {

Result<std::unique_ptr<Engine>> openRedisEngine(const ResolvedConfig& config) {
    auto engine = RedisEngine::open(config);
    if (!engine.ok()) return engine.status();
    return std::unique_ptr<Engine>(std::move(*engine));
}

}  // namespace detail
}  // namespace twat_cache
