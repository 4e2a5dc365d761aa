// RedisSource, continued: statistics of a Redis database (DBSIZE, INFO, the counters of our own
// caches on it), less this inspector's own lookups.
#include <string>
#include <vector>

#include "inspect/redis_own_lookups.h"
#include "inspect/redis_source.h"
#include "redis/redis_info.h"
#include "redis/redis_sentinel.h"

namespace twat_cache::detail {
namespace {

// At most this many of our own caches on the server are read for the statistics.
constexpr std::size_t kMaxCachesInStats = 200;

}  // namespace

Result<SourceStats> RedisSource::stats() {
    if (m_cluster) return clusterStats();
    auto conn = connection();
    if (!conn.ok()) return conn.status();
    (*conn)->append({"DBSIZE"});
    (*conn)->append({"INFO", "keyspace"});
    (*conn)->append({"INFO", "stats"});
    (*conn)->append({"INFO", "memory"});
    (*conn)->append({"INFO", "server"});
    auto replies = (*conn)->readMany(5, "DBSIZE/INFO");
    if (!replies.ok()) return replies.status();
    if (Status s = checkReply(*replies->front(), "DBSIZE"); !s.ok()) return s;
    SourceStats s;
    s.entries = static_cast<std::uint64_t>((*replies)[0]->integer);
    // Which server Sentinel chose ("master HOST:PORT via sentinel SERVICE"), first in the note.
    const std::string node = (*conn)->node().empty() ? "" : (*conn)->node() + "; ";
    if (noteInfoRefusal(*(*replies)[1])) {  // an ACL user without INFO: the key count only
        s.note = node + "entries: keys in db " + std::to_string(db()) +
                 " (DBSIZE); size, hits, misses and evictions: " + m_infoRefusal;
        return s;
    }
    for (const auto& r : *replies) {
        if (Status st = checkReply(*r, "DBSIZE/INFO"); !st.ok()) return st;
    }
    for (const auto& [name, value] : infoFields(replyText(*(*replies)[1]))) {
        s.extra.emplace_back(name + ".keys", keyspaceNumber(value, "keys"));
        s.extra.emplace_back(name + ".expires", keyspaceNumber(value, "expires"));
    }
    for (const auto& [name, value] : infoFields(replyText(*(*replies)[2]))) {
        if (name == "evicted_keys") s.evictions = parseCount(value);
        if (name == "expired_keys") s.extra.emplace_back("server.expired_keys", parseCount(value));
    }
    for (const auto& [name, value] : infoFields(replyText(*(*replies)[3]))) {
        if (name == "used_memory") s.bytes = parseCount(value);
    }
    // The server's version goes into info().note, where a connection test can show it.
    for (const auto& [name, value] : infoFields(replyText(*(*replies)[4]))) {
        if (name == "redis_version") {
            m_version = value;
            m_info.note = withNode("Redis " + value + ", db " + std::to_string(db()), **conn);
        }
        if (name == "run_id" && !value.empty()) m_runId = value;
    }
    if (m_runId.empty()) m_runId = m_settings.masked_url;  // as beginOwnReads() does
    // The server's lookups less this process's own (see redis_own_lookups.h), both as of the
    // INFO stats above: the reads below are recorded after it.
    const LookupCounts server = keyspaceLookups(replyText(*(*replies)[2]));
    const LookupCounts mine = ownLookups(m_runId);
    s.hits = server.hits - std::min(server.hits, mine.hits);
    s.misses = server.misses - std::min(server.misses, mine.misses);
    // Our own caches' counters, from their __meta hashes.
    if (Status st = addCacheCounters(s); !st.ok()) return st;
    s.note = node + "entries: keys in db " + std::to_string(db()) +
             " (DBSIZE); size: the server's used_memory; hits, misses and evictions: "
             "server-wide (INFO stats), without this inspector's own reads";
    return s;
}

Status RedisSource::addCacheCounters(SourceStats& s) {
    const std::string set = "twat_cache:__caches";
    auto sscan = ownReads({{keySlot(set), {"SSCAN", set, "0", "COUNT", "1000"}}}, "SSCAN");
    if (!sscan.ok()) return sscan.status();
    if (Status st = checkReply(*sscan->front(), "SSCAN"); !st.ok()) return st;
    std::vector<std::string> caches;
    const redisReply& members = *sscan->front();
    if (members.type == REDIS_REPLY_ARRAY && members.elements == 2) {
        const redisReply& names = *members.element[1];
        for (std::size_t i = 0; i < names.elements && caches.size() < kMaxCachesInStats; ++i) {
            caches.emplace_back(replyText(*names.element[i]));
        }
    }
    std::sort(caches.begin(), caches.end());
    if (!caches.empty()) {
        std::vector<ClusterCommand> reads;
        reads.reserve(caches.size());
        for (const auto& c : caches) {
            const std::string meta = "twat_cache:" + c + ":__meta";
            reads.push_back(
                {keySlot(meta),
                 {"HMGET", meta, "hits", "misses", "errors", "compute_ns", "saved_ns"}});
        }
        auto metas = ownReads(std::move(reads), "HMGET __meta");
        if (!metas.ok()) return metas.status();
        for (std::size_t i = 0; i < caches.size(); ++i) {
            const redisReply& m = *(*metas)[i];
            if (m.type != REDIS_REPLY_ARRAY || m.elements != 5) continue;
            const char* fields[] = {"hits", "misses", "errors", "compute_ns", "saved_ns"};
            for (std::size_t f = 0; f < 5; ++f) {
                const std::uint64_t v = m.element[f]->type == REDIS_REPLY_STRING
                                            ? parseCount(replyText(*m.element[f]))
                                            : 0;
                s.extra.emplace_back("cache." + renderRedisText(caches[i]) + "." + fields[f], v);
            }
            // The server's totals of time: the sums over our caches (which always record).
            auto add = [](std::optional<std::uint64_t>& total, const redisReply& r) {
                total = total.value_or(0) +
                        (r.type == REDIS_REPLY_STRING ? parseCount(replyText(r)) : 0);
            };
            add(s.compute_ns, *m.element[3]);
            add(s.saved_ns, *m.element[4]);
        }
    }
    return {};
}

}  // namespace twat_cache::detail
