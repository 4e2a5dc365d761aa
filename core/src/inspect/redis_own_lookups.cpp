// OwnLookups: this process's own keyspace hits and misses per Redis server (see the header).
#include "inspect/redis_own_lookups.h"

#include <map>
#include <mutex>

#include "inspect/redis_source.h"
#include "redis/redis_info.h"

namespace twat_cache::detail {
namespace {

std::mutex g_mutex;
std::map<std::string, LookupCounts, std::less<>> g_own;  // GUARDED_BY(g_mutex)

}  // namespace

LookupCounts keyspaceLookups(std::string_view infoStats) {
    return {infoNumber(infoStats, "keyspace_hits"), infoNumber(infoStats, "keyspace_misses")};
}

void recordOwnLookups(const std::string& runId, const LookupCounts& before,
                      const LookupCounts& after) {
    // Counters that went down were reset (CONFIG RESETSTAT): what came after the reset.
    const LookupCounts delta{
        after.hits >= before.hits ? after.hits - before.hits : after.hits,
        after.misses >= before.misses ? after.misses - before.misses : after.misses};
    if (delta.hits == 0 && delta.misses == 0) return;
    std::lock_guard lock(g_mutex);
    LookupCounts& own = g_own[runId];
    own.hits += delta.hits;
    own.misses += delta.misses;
}

LookupCounts ownLookups(const std::string& runId) {
    std::lock_guard lock(g_mutex);
    const auto it = g_own.find(runId);
    return it == g_own.end() ? LookupCounts{} : it->second;
}

// ---- RedisSource's brackets around its own key reads ----

bool RedisSource::noteInfoRefusal(const redisReply& reply) {
    if (reply.type != REDIS_REPLY_ERROR || !replyText(reply).starts_with("NOPERM")) return false;
    m_infoRefusal = "not permitted by the server (" + std::string(replyText(reply)) + ")";
    return true;
}

Result<RedisConnection*> RedisSource::beginOwnReads() {
    auto conn = connection();
    if (!conn.ok()) return conn.status();
    if (!m_infoRefusal.empty()) return conn;  // no INFO: nothing to bracket with
    if (m_runId.empty()) {
        auto r = (*conn)->command({"INFO", "server"});
        if (!r.ok()) return r.status();
        if (noteInfoRefusal(**r)) return conn;
        if (Status s = checkReply(**r, "INFO server"); !s.ok()) return s;
        m_runId = std::string(infoField(replyText(**r), "run_id"));
        if (m_runId.empty()) m_runId = m_settings.masked_url;  // a server without run_id
    }
    (*conn)->append({"INFO", "stats"});
    return conn;
}

Result<std::vector<ReplyPtr>> RedisSource::endOwnReads(RedisConnection& conn, std::size_t n,
                                                       std::string_view doing) {
    if (!m_infoRefusal.empty()) return conn.readMany(n, doing);
    conn.append({"INFO", "stats"});
    auto replies = conn.readMany(n + 2, doing);
    if (!replies.ok()) return replies.status();
    for (const std::size_t at : {std::size_t{0}, n + 1}) {
        if (Status s = checkReply(*(*replies)[at], "INFO stats"); !s.ok()) return s;
    }
    recordOwnLookups(m_runId, keyspaceLookups(replyText(*replies->front())),
                     keyspaceLookups(replyText(*replies->back())));
    replies->pop_back();
    replies->erase(replies->begin());
    return replies;
}

Result<std::vector<ReplyPtr>> RedisSource::ownReads(std::vector<ClusterCommand> commands,
                                                    std::string_view doing) {
    std::vector<ReplyPtr> out;
    if (m_cluster) {  // no brackets on a cluster (see redis_source.h)
        for (auto& r : m_cluster->run(commands, doing)) {
            if (!r.ok()) return r.status();
            out.push_back(std::move(*r));
        }
        return out;
    }
    auto conn = beginOwnReads();
    if (!conn.ok()) return conn.status();
    for (const auto& c : commands) {
        (*conn)->append(std::vector<std::string_view>(c.args.begin(), c.args.end()));
    }
    return endOwnReads(**conn, commands.size(), doing);
}

}  // namespace twat_cache::detail
