// RedisLimit: the Lua scripts that keep a Redis cache within maxsize.
#include "redis/redis_limit.h"

#include <vector>

#include "redis/redis_cluster_layout.h"

namespace twat_cache::detail {

namespace {

// KEYS: index, expiry, meta. ARGV: maxsize, policy ("lru", "fifo", "rr"), entry key prefix,
// then (member, ttl ms) pairs, ttl 0: none. Returns the number of live entries evicted.
// Victims whose key is already gone (expired, deleted behind our back) leave the index
// without counting. Bounded: at most 1000 expired members and 100000 eviction rounds (of up
// to 1000 victims, one for rr) a call.
constexpr std::string_view kStoreScript = R"lua(
local idx, exp, meta = KEYS[1], KEYS[2], KEYS[3]
local maxsize, policy, prefix = tonumber(ARGV[1]), ARGV[2], ARGV[3]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local hasExp = redis.call('EXISTS', exp) == 1
if hasExp then
  local dead = redis.call('ZRANGEBYSCORE', exp, '-inf', '(' .. now, 'LIMIT', 0, 1000)
  for _, m in ipairs(dead) do
    redis.call('ZREM', idx, m)
    redis.call('ZREM', exp, m)
  end
end
local n = (#ARGV - 3) / 2
local seq = redis.call('HINCRBY', meta, 'seq', n) - n
local scored = {}
local newest
for i = 1, n do
  local member, ttl = ARGV[2 + 2 * i], tonumber(ARGV[3 + 2 * i])
  scored[#scored + 1] = seq + i
  scored[#scored + 1] = member
  if #scored >= 2000 then
    redis.call('ZADD', idx, unpack(scored))
    scored = {}
  end
  if ttl > 0 then
    redis.call('ZADD', exp, now + ttl, member)
    hasExp = true
  elseif hasExp then
    redis.call('ZREM', exp, member)
  end
  newest = member
end
if #scored > 0 then redis.call('ZADD', idx, unpack(scored)) end
local evicted = 0
for round = 1, 100000 do
  local over = redis.call('ZCARD', idx) - maxsize
  if over <= 0 then break end
  local victims = {}
  if policy == 'rr' then
    local two = redis.call('ZRANDMEMBER', idx, 2)
    victims[1] = two[1]
    if victims[1] == newest then victims[1] = two[2] end
    redis.call('ZREM', idx, victims[1])
  else
    local popped = redis.call('ZPOPMIN', idx, math.min(over, 1000))
    for i = 1, #popped, 2 do victims[#victims + 1] = popped[i] end
  end
  for _, victim in ipairs(victims) do
    if hasExp then redis.call('ZREM', exp, victim) end
    if redis.call('UNLINK', prefix .. victim) == 1 then evicted = evicted + 1 end
  end
end
if evicted > 0 then redis.call('HINCRBY', meta, 'evictions', evicted) end
return evicted
)lua";

// KEYS: index, meta. ARGV: members. Re-scores the members still indexed (lru), in order.
constexpr std::string_view kTouchScript = R"lua(
local n = #ARGV
local seq = redis.call('HINCRBY', KEYS[2], 'seq', n) - n
local args = {}
for i = 1, n do
  args[#args + 1] = seq + i
  args[#args + 1] = ARGV[i]
  if #args >= 2000 or i == n then
    redis.call('ZADD', KEYS[1], 'XX', unpack(args))
    args = {}
  end
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

RedisLimit::RedisLimit(std::string prefix, std::uint64_t maxsize, Policy policy, bool cluster)
    : m_policy(effectivePolicy(policy)) {
    const int n = cluster ? kClusterShards : 1;
    const auto shards = static_cast<std::uint64_t>(n);
    for (int i = 0; i < n; ++i) {
        Shard s;
        s.prefix = cluster ? prefix + clusterShardTag(i) : prefix;
        s.index = s.prefix + "__index";
        s.expiry = s.prefix + "__expiry";
        s.meta = s.prefix + "__meta";
        const std::uint64_t share =
            maxsize / shards + (static_cast<std::uint64_t>(i) < maxsize % shards ? 1U : 0U);
        s.maxsize = std::to_string(share);
        m_shards.push_back(std::move(s));
    }
}

Policy RedisLimit::effectivePolicy(Policy requested) {
    return requested == Policy::kFifo || requested == Policy::kRr ? requested : Policy::kLru;
}

int RedisLimit::shardOf(std::string_view hex) const {
    return m_shards.size() == 1 ? 0 : clusterShardOf(hex);
}

std::vector<std::string_view> RedisLimit::loadStoreArgs() {
    return {"SCRIPT", "LOAD", kStoreScript};
}

std::vector<std::string_view> RedisLimit::loadTouchArgs() {
    return {"SCRIPT", "LOAD", kTouchScript};
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

std::vector<std::string_view> RedisLimit::storedArgs(int shard,
                                                     std::span<const std::string_view> hexes,
                                                     std::span<const std::int64_t> ttlsMs,
                                                     std::deque<std::string>& scratch,
                                                     bool eval) const {
    const Shard& s = m_shards[index(shard)];
    std::vector<std::string_view> args{eval ? "EVAL" : "EVALSHA",
                                       eval ? kStoreScript : std::string_view(m_storeSha),
                                       "3",
                                       s.index,
                                       s.expiry,
                                       s.meta,
                                       s.maxsize,
                                       policyArg(m_policy),
                                       s.prefix};
    args.reserve(args.size() + 2 * hexes.size());
    for (std::size_t i = 0; i < hexes.size(); ++i) {
        args.push_back(hexes[i]);
        args.push_back(scratch.emplace_back(std::to_string(ttlsMs[i])));
    }
    return args;
}

std::vector<std::string_view> RedisLimit::touchedArgs(int shard,
                                                      std::span<const std::string_view> hexes,
                                                      bool eval) const {
    if (m_policy != Policy::kLru || hexes.empty()) return {};
    const Shard& s = m_shards[index(shard)];
    std::vector<std::string_view> args{eval ? "EVAL" : "EVALSHA",
                                       eval ? kTouchScript : std::string_view(m_touchSha), "2",
                                       s.index, s.meta};
    args.insert(args.end(), hexes.begin(), hexes.end());
    return args;
}

std::vector<std::string_view> RedisLimit::forgetIndexArgs(int shard, std::string_view hex) const {
    return {"ZREM", m_shards[index(shard)].index, hex};
}

std::vector<std::string_view> RedisLimit::forgetExpiryArgs(int shard, std::string_view hex) const {
    return {"ZREM", m_shards[index(shard)].expiry, hex};
}

bool RedisLimit::lostScript(const redisReply& r) {
    return r.type == REDIS_REPLY_ERROR && replyText(r).starts_with("NOSCRIPT");
}

}  // namespace twat_cache::detail
