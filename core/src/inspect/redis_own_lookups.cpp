// OwnLookups: this process's own keyspace hits and misses per Redis server (see the header).
#include "inspect/redis_own_lookups.h"

#include <charconv>
#include <map>
#include <mutex>

#include "inspect/redis_source.h"

namespace twat_cache::detail {
namespace {

std::mutex g_mutex;
std::map<std::string, LookupCounts, std::less<>> g_own;  // GUARDED_BY(g_mutex)

// The value of the "name:value" line `name` of an INFO reply ("" when missing).
std::string_view fieldOf(std::string_view info, std::string_view name) {
    std::size_t at = 0;
    while ((at = info.find(name, at)) != std::string_view::npos) {
        const bool lineStart = at == 0 || info[at - 1] == '\n';
        const std::size_t colon = at + name.size();
        if (lineStart && colon < info.size() && info[colon] == ':') {
            const std::size_t end = info.find_first_of("\r\n", colon + 1);
            return info.substr(colon + 1, end == std::string_view::npos ? end : end - colon - 1);
        }
        at = colon;
    }
    return {};
}

std::uint64_t numberOf(std::string_view info, std::string_view name) {
    const std::string_view text = fieldOf(info, name);
    std::uint64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

}  // namespace

LookupCounts keyspaceLookups(std::string_view infoStats) {
    return {numberOf(infoStats, "keyspace_hits"), numberOf(infoStats, "keyspace_misses")};
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
        m_runId = std::string(fieldOf(replyText(**r), "run_id"));
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

}  // namespace twat_cache::detail
