// RedisEngine on a Redis Cluster: the operations of redis_engine.cpp and redis_engine_scan.cpp
// in the cluster layout (redis_cluster_layout.h), each command sent to the master of its key's
// slot through RedisCluster::run(), so that a batch costs one round trip per node, in parallel.
#include <algorithm>
#include <charconv>
#include <map>

#include "redis/redis_cluster_keys.h"
#include "redis/redis_engine_impl.h"
#include "util/expiry.h"

namespace twat_cache {

using detail::ClusterCommand;
using detail::keySlot;
using detail::owned;
using detail::ReplyPtr;

namespace {

constexpr std::size_t kScanBatch = 1000;
constexpr int kScanCallsPerPage = 64;
constexpr std::uint64_t kScanCallLimit = 100'000'000;
constexpr std::size_t kUnlinkKeys = 1000;

// Members grouped by shard, in first-seen order of the shards.
struct ShardGroups {
    std::map<int, std::vector<std::size_t>> items;  // shard -> indices into the batch
};

Status firstFailure(std::vector<Result<ReplyPtr>>& replies, std::string_view masked,
                    std::string_view doing) {
    for (auto& r : replies) {
        if (!r.ok()) return r.status();
        if ((*r)->type == REDIS_REPLY_ERROR) return detail::replyError(**r, masked, doing);
    }
    return {};
}

}  // namespace

Status RedisEngine::Impl::clusterRegister(const std::string& version, const std::string& created) {
    const int metaSlot = keySlot(m_metaKey);
    std::vector<ClusterCommand> cmds;
    cmds.push_back({keySlot(detail::kRedisCacheSet),
                    {"SADD", std::string(detail::kRedisCacheSet), m_config.name}});
    cmds.push_back({metaSlot, {"HSETNX", m_metaKey, "format_version", version}});
    cmds.push_back({metaSlot, {"HSETNX", m_metaKey, "created", created}});
    cmds.push_back({metaSlot, {"HGET", m_metaKey, "format_version"}});
    if (m_limit) {
        // Every master gets the scripts (a master that lost them answers NOSCRIPT: EVAL then).
        for (const auto& m : m_cluster->masters()) {
            const int slot = m.slots.empty() ? 0 : m.slots.front().first;
            cmds.push_back({slot, owned(detail::RedisLimit::loadStoreArgs())});
            cmds.push_back({slot, owned(detail::RedisLimit::loadTouchArgs())});
        }
    }
    auto replies = m_cluster->run(cmds, "register cache");
    if (Status s = firstFailure(replies, m_masked, "register"); !s.ok()) return s;
    const redisReply& stored = **replies[3];
    if (stored.type == REDIS_REPLY_STRING && detail::replyText(stored) != version) {
        return Status::notSupported("redis " + m_masked + ": cache \"" + m_config.name +
                                    "\" has format_version " +
                                    std::string(detail::replyText(stored)) + "; this build reads " +
                                    version + " on a Redis Cluster");
    }
    if (m_limit && replies.size() >= 6)
        return m_limit->takeShas(**replies[4], **replies[5], m_masked);
    return {};
}

std::vector<Result<StoredValue>> RedisEngine::Impl::clusterGetMany(std::span<const Key> keys) {
    std::vector<std::string> rks;
    rks.reserve(keys.size());
    std::vector<ClusterCommand> cmds;
    cmds.reserve(keys.size() + detail::kClusterShards);
    for (const Key& k : keys) {
        rks.push_back(redisKey(k));
        cmds.push_back({keySlot(rks.back()), {"GET", rks.back()}});
    }
    // lru: one re-scoring script per shard the batch read from, in the same round trip.
    std::vector<std::pair<int, std::vector<std::string_view>>> touches;
    if (m_limit && m_limit->policy() == Policy::kLru) {
        ShardGroups groups;
        for (std::size_t i = 0; i < rks.size(); ++i) groups.items[shardOf(rks[i])].push_back(i);
        for (const auto& [shard, items] : groups.items) {
            std::vector<std::string_view> hexes;
            for (std::size_t i : items) hexes.push_back(member(rks[i]));
            cmds.push_back(
                {keySlot(m_limit->indexKey(shard)), owned(m_limit->touchedArgs(shard, hexes))});
            touches.emplace_back(shard, std::move(hexes));
        }
    }
    auto replies = m_cluster->run(cmds, "GET");
    for (std::size_t t = 0; t < touches.size(); ++t) {
        const auto& reply = replies[keys.size() + t];
        if (!reply.ok()) continue;  // only recency is lost
        const auto& [shard, hexes] = touches[t];
        if (detail::RedisLimit::lostScript(**reply)) {
            (void)m_cluster->runOne(keySlot(m_limit->indexKey(shard)),
                                    owned(m_limit->touchedArgs(shard, hexes, true)), "EVAL touch");
        }
    }
    std::vector<Result<StoredValue>> out;
    out.reserve(keys.size());
    const std::int64_t now = m_config.clock->nowMs();
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        out.push_back(replies[i].ok() ? detail::valueFromReply(**replies[i], rks[i], now, m_masked)
                                      : Result<StoredValue>(replies[i].status()));
        if (out.back().ok()) {
            ++hits;
        } else if (out.back().status().isNotFound()) {
            ++misses;
        }
    }
    noteSaved(out);
    count(m_pendingHits, hits);
    count(m_pendingMisses, misses);
    count(m_pendingErrors, keys.size() - hits - misses);
    return out;
}

Status RedisEngine::Impl::clusterSetMany(std::span<const KeyedRecord> records) {
    std::deque<std::string> scratch;  // stable addresses while arguments are gathered
    std::vector<ClusterCommand> cmds;
    cmds.reserve(records.size() + detail::kClusterShards);
    ShardGroups groups;
    std::vector<const std::string*> rks;
    for (std::size_t i = 0; i < records.size(); ++i) {
        const std::string& rk = scratch.emplace_back(redisKey(records[i].key));
        rks.push_back(&rk);
        cmds.push_back({keySlot(rk), owned(detail::setArgs(rk, records[i].record, m_config,
                                                           m_options, scratch))});
        if (m_limit) groups.items[shardOf(rk)].push_back(i);
    }
    // The bound: each shard indexes its part of the batch and evicts, right behind the SETs.
    struct Store {
        int shard;
        std::vector<std::string_view> hexes;
        std::vector<std::int64_t> ttls;
    };
    std::vector<Store> stores;
    for (const auto& [shard, items] : groups.items) {
        Store st{shard, {}, {}};
        for (std::size_t i : items) {
            st.hexes.push_back(member(*rks[i]));
            st.ttls.push_back(detail::effectiveTtlMs(records[i].record.ttl, m_config.ttl));
        }
        cmds.push_back({keySlot(m_limit->indexKey(shard)),
                        owned(m_limit->storedArgs(shard, st.hexes, st.ttls, scratch))});
        stores.push_back(std::move(st));
    }
    auto replies = m_cluster->run(cmds, "SET");
    for (std::size_t s = 0; s < stores.size(); ++s) {
        auto& reply = replies[records.size() + s];
        if (reply.ok() && detail::RedisLimit::lostScript(**reply)) {
            const Store& st = stores[s];
            reply = m_cluster->runOne(
                keySlot(m_limit->indexKey(st.shard)),
                owned(m_limit->storedArgs(st.shard, st.hexes, st.ttls, scratch, true)),
                "EVAL store");
        }
        if (reply.ok() && (*reply)->type == REDIS_REPLY_INTEGER && (*reply)->integer > 0) {
            count(m_pendingEvictions, static_cast<std::uint64_t>((*reply)->integer));
        }
    }
    return firstFailure(replies, m_masked, "SET");
}

Result<bool> RedisEngine::Impl::clusterErase(const Key& key) {
    const std::string rk = redisKey(key);
    const int slot = keySlot(rk);
    std::vector<ClusterCommand> cmds{{slot, {"UNLINK", rk}}};
    if (m_limit) {
        const int shard = shardOf(rk);
        cmds.push_back({slot, owned(m_limit->forgetIndexArgs(shard, member(rk)))});
        cmds.push_back({slot, owned(m_limit->forgetExpiryArgs(shard, member(rk)))});
    }
    auto replies = m_cluster->run(cmds, "UNLINK");
    if (Status s = firstFailure(replies, m_masked, "UNLINK " + rk); !s.ok()) return s;
    const redisReply& r = **replies.front();
    return r.type == REDIS_REPLY_INTEGER && r.integer > 0;
}

Status RedisEngine::Impl::clusterFlush(
    std::span<const std::pair<std::string_view, std::string>> amounts, std::vector<bool>& added) {
    const int slot = keySlot(m_metaKey);
    std::vector<ClusterCommand> cmds;
    for (const auto& [field, amount] : amounts) {
        cmds.push_back({slot, {"HINCRBY", m_metaKey, std::string(field), amount}});
    }
    // HINCRBY is not idempotent: run() re-sends only what a closed connection never answered.
    auto replies = m_cluster->run(cmds, "HINCRBY counters");
    added.clear();
    for (const auto& r : replies) added.push_back(r.ok() && (*r)->type != REDIS_REPLY_ERROR);
    return firstFailure(replies, m_masked, "HINCRBY counters");
}

Status RedisEngine::Impl::forEachClusterKey(
    const std::function<bool(std::vector<std::string>& keys)>& page) {
    std::optional<detail::ClusterScanCursor> at = detail::ClusterScanCursor{};
    for (std::uint64_t calls = 0; at; ++calls) {
        if (calls == kScanCallLimit)
            return Status::ioError("redis " + m_masked + ": SCAN did not finish");
        auto step = detail::scanClusterStep(*m_cluster, *at, m_pattern, kScanBatch);
        if (!step.ok()) return step.status();
        if (!step->keys.empty() && !page(step->keys)) return {};
        at = std::move(step->next);
    }
    return {};
}

Result<std::uint64_t> RedisEngine::Impl::clusterClear() {
    std::uint64_t removed = 0;
    Status failed;
    Status walked = forEachClusterKey([&](std::vector<std::string>& keys) {
        // UNLINK takes keys of one slot per command.
        std::vector<ClusterCommand> cmds;
        for (const auto& batch : detail::slotBatches(keys, kUnlinkKeys)) {
            ClusterCommand c{batch.slot, {"UNLINK"}};
            for (const std::size_t i : batch.items) c.args.push_back(std::move(keys[i]));
            cmds.push_back(std::move(c));
        }
        auto replies = m_cluster->run(cmds, "UNLINK");
        failed = firstFailure(replies, m_masked, "UNLINK");
        for (auto& r : replies) {
            if (r.ok() && (*r)->type == REDIS_REPLY_INTEGER) {
                removed += static_cast<std::uint64_t>(std::max<long long>(0, (*r)->integer));
            }
        }
        return failed.ok();
    });
    if (!walked.ok()) return walked;
    if (!failed.ok()) return failed;
    // The maxsize indexes go too (an unlimited engine clears a limited cache).
    std::vector<ClusterCommand> cmds;
    for (int shard = 0; shard < detail::kClusterShards; ++shard) {
        const std::string base = m_prefix + detail::clusterShardTag(shard);
        cmds.push_back({keySlot(base), {"UNLINK", base + "__index", base + "__expiry"}});
    }
    auto replies = m_cluster->run(cmds, "UNLINK index");
    if (Status s = firstFailure(replies, m_masked, "UNLINK index"); !s.ok()) return s;
    detail::logger().debug("cache \"{}\": cleared {} entries", m_config.name, removed);
    return removed;
}

Result<std::uint64_t> RedisEngine::Impl::clusterSize() {
    std::uint64_t total = 0;
    Status walked = forEachClusterKey([&](std::vector<std::string>& keys) {
        total += keys.size();
        return true;
    });
    if (!walked.ok()) return walked;
    return total;
}

// Cursors: a walk's cursor (redis_cluster_keys.h) then "|<32-hex keys found but not yet
// returned>"; "|" and the keys alone once every master has been scanned.
Result<ScanPage> RedisEngine::Impl::clusterScan(std::string_view cursorText, std::size_t limit) {
    std::optional<detail::ClusterScanCursor> at = detail::ClusterScanCursor{};
    std::vector<std::string> hexes;
    if (!cursorText.empty()) {
        const auto bar = cursorText.find('|');
        const std::string_view tail =
            bar == std::string_view::npos ? "" : cursorText.substr(bar + 1);
        const std::string_view walk = cursorText.substr(0, bar);
        at = detail::ClusterScanCursor::parse(walk);
        if (bar == std::string_view::npos || (!at && !walk.empty()) || tail.size() % 32 != 0) {
            return Status::invalidArgument("\"" + std::string(cursorText.substr(0, 80)) +
                                           "\" is not a redis cluster scan cursor");
        }
        for (std::size_t i = 0; i < tail.size(); i += 32) hexes.emplace_back(tail.substr(i, 32));
    }
    const std::size_t count = std::max(limit, std::size_t{100});
    for (int calls = 0; at && hexes.size() < limit && calls < kScanCallsPerPage; ++calls) {
        auto page = detail::scanClusterStep(*m_cluster, *at, m_pattern, count);
        if (!page.ok()) return page.status();
        for (const auto& k : page->keys) hexes.emplace_back(member(k));
        at = std::move(page->next);
    }
    const std::size_t take = std::min(limit, hexes.size());
    const std::string last = std::to_string(kHeaderPrefixBytes - 1);
    std::vector<ClusterCommand> cmds;
    for (std::size_t i = 0; i < take; ++i) {
        const std::string rk = redisKeyOfHex(hexes[i]);
        const int slot = keySlot(rk);
        cmds.push_back({slot, {"PTTL", rk}});
        cmds.push_back({slot, {"STRLEN", rk}});
        cmds.push_back({slot, {"GETRANGE", rk, "0", last}});
    }
    auto replies = m_cluster->run(cmds, "describe scan page");
    ScanPage out;
    const std::int64_t now = m_config.clock->nowMs();
    for (std::size_t i = 0; i < take; ++i) {
        if (!replies[3 * i].ok()) return replies[3 * i].status();
        if (!replies[3 * i + 1].ok() || !replies[3 * i + 2].ok()) continue;
        auto e =
            entryFrom(hexes[i], **replies[3 * i], **replies[3 * i + 1], **replies[3 * i + 2], now);
        if (e) out.entries.push_back(std::move(*e));
    }
    if (at || hexes.size() > take) {
        out.cursor = (at ? at->toString() : std::string()) + "|";
        for (std::size_t i = take; i < hexes.size(); ++i) out.cursor += hexes[i];
    }
    return out;
}

}  // namespace twat_cache
