// RedisLimit: the Lua scripts that keep a Redis cache within maxsize.
#include "redis/redis_limit.h"

namespace twat_cache::detail {

namespace {

// KEYS: index, expiry, meta. ARGV: member (32-hex), ttl ms (0: none), maxsize, policy
// ("lru", "fifo", "rr"), entry key prefix. Returns the number of live entries evicted.
// Victims whose key is already gone (expired, deleted behind our back) are dropped from the
// index without counting. Bounded: at most 1000 expired members and 100000 victims a call.
constexpr std::string_view kStoreScript = R"lua(
local idx, exp, meta = KEYS[1], KEYS[2], KEYS[3]
local member, ttl, maxsize, policy, prefix =
  ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local dead = redis.call('ZRANGEBYSCORE', exp, '-inf', '(' .. now, 'LIMIT', 0, 1000)
for _, m in ipairs(dead) do
  redis.call('ZREM', idx, m)
  redis.call('ZREM', exp, m)
end
local seq = redis.call('HINCRBY', meta, 'seq', 1)
redis.call('ZADD', idx, seq, member)
if ttl > 0 then
  redis.call('ZADD', exp, now + ttl, member)
else
  redis.call('ZREM', exp, member)
end
local evicted = 0
local rounds = 0
while rounds < 100000 and redis.call('ZCARD', idx) > maxsize do
  rounds = rounds + 1
  local victim
  if policy == 'rr' then
    local two = redis.call('ZRANDMEMBER', idx, 2)
    victim = two[1]
    if victim == member then victim = two[2] end
    redis.call('ZREM', idx, victim)
  else
    victim = redis.call('ZPOPMIN', idx)[1]
  end
  redis.call('ZREM', exp, victim)
  if redis.call('UNLINK', prefix .. victim) == 1 then evicted = evicted + 1 end
end
if evicted > 0 then redis.call('HINCRBY', meta, 'evictions', evicted) end
return evicted
)lua";

// KEYS: index, meta. ARGV: member. Re-scores a member that is still indexed (lru).
constexpr std::string_view kTouchScript = R"lua(
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], 'XX', redis.call('HINCRBY', KEYS[2], 'seq', 1), ARGV[1])
end
return 0
)lua";

std::string_view policyArg(Policy p) {
    switch (p) {
        case Policy::kFifo:
            return "fifo";
        case Policy::kRr:
            return "rr";
        default:
            return "lru";
    }
}

}  // namespace

RedisLimit::RedisLimit(std::string prefix, std::uint64_t maxsize, Policy policy)
    : m_prefix(std::move(prefix)),
      m_indexKey(m_prefix + "__index"),
      m_expiryKey(m_prefix + "__expiry"),
      m_metaKey(m_prefix + "__meta"),
      m_maxsize(std::to_string(maxsize)),
      m_policy(effectivePolicy(policy)) {}

Policy RedisLimit::effectivePolicy(Policy requested) {
    return requested == Policy::kFifo || requested == Policy::kRr ? requested : Policy::kLru;
}

void RedisLimit::appendLoad(RedisConnection& c) const {
    c.append({"SCRIPT", "LOAD", kStoreScript});
    c.append({"SCRIPT", "LOAD", kTouchScript});
}

Status RedisLimit::takeShas(const redisReply& store, const redisReply& touch,
                            std::string_view masked) {
    for (const redisReply* r : {&store, &touch}) {
        if (r->type == REDIS_REPLY_ERROR) return replyError(*r, masked, "SCRIPT LOAD");
        if (r->type != REDIS_REPLY_STRING) {
            return Status::ioError("redis " + std::string(masked) +
                                   ": unexpected SCRIPT LOAD reply");
        }
    }
    m_storeSha = std::string(replyText(store));
    m_touchSha = std::string(replyText(touch));
    return {};
}

void RedisLimit::appendStoredWith(RedisConnection& c, std::string_view verb,
                                  std::string_view script, std::string_view hex, std::int64_t ttlMs,
                                  std::deque<std::string>& scratch) const {
    const std::string& ttl = scratch.emplace_back(std::to_string(ttlMs));
    c.append({verb, script, "3", m_indexKey, m_expiryKey, m_metaKey, hex, ttl, m_maxsize,
              policyArg(m_policy), m_prefix});
}

void RedisLimit::appendStored(RedisConnection& c, std::string_view hex, std::int64_t ttlMs,
                              std::deque<std::string>& scratch) const {
    appendStoredWith(c, "EVALSHA", m_storeSha, hex, ttlMs, scratch);
}

void RedisLimit::appendStoredEval(RedisConnection& c, std::string_view hex, std::int64_t ttlMs,
                                  std::deque<std::string>& scratch) const {
    appendStoredWith(c, "EVAL", kStoreScript, hex, ttlMs, scratch);
}

bool RedisLimit::appendTouched(RedisConnection& c, std::string_view hex) const {
    if (m_policy != Policy::kLru) return false;
    c.append({"EVALSHA", m_touchSha, "2", m_indexKey, m_metaKey, hex});
    return true;
}

void RedisLimit::appendTouchedEval(RedisConnection& c, std::string_view hex) const {
    c.append({"EVAL", kTouchScript, "2", m_indexKey, m_metaKey, hex});
}

void RedisLimit::appendForget(RedisConnection& c, std::string_view hex) const {
    c.append({"ZREM", m_indexKey, hex});
    c.append({"ZREM", m_expiryKey, hex});
}

bool RedisLimit::lostScript(const redisReply& r) const {
    return r.type == REDIS_REPLY_ERROR && replyText(r).starts_with("NOSCRIPT");
}

}  // namespace twat_cache::detail
