// RedisSource: the columns of a Redis listing and its type filter (see redis_source.h).
#include <charconv>

#include "inspect/redis_own_lookups.h"
#include "inspect/redis_source.h"
#include "redis/redis_cluster_slot.h"
#include "redis/redis_info.h"

namespace twat_cache::detail {

namespace {

// Redis 6.0 added SCAN … TYPE.
constexpr int kScanTypeMajor = 6;

// The major number of a version text ("7.2.4" -> 7; 0 when there is none).
int majorVersion(std::string_view version) {
    int major = 0;
    std::from_chars(version.data(), version.data() + version.size(), major);
    return major;
}

}  // namespace

std::vector<EntryColumn> RedisSource::columns() const {
    std::vector<EntryColumn> columns = {EntryColumn::kKey,    EntryColumn::kType,
                                        EntryColumn::kTtl,    EntryColumn::kLength,
                                        EntryColumn::kMemory, EntryColumn::kEncoding};
    if (m_ownEntriesSeen) columns.push_back(EntryColumn::kComputeTime);
    return columns;
}

Result<bool> RedisSource::scanTypeSupported() {
    if (!m_scanTypeWanted) return false;
    if (m_infoRefused) return true;  // asked once: not again every page
    if (m_version.empty()) {
        Result<ReplyPtr> reply = Status::unavailable("no master");
        if (m_cluster) {
            const auto masters = m_cluster->masters();
            if (masters.empty()) return Status::unavailable("the cluster has no master");
            auto lease = m_cluster->lease(masters.front().address);
            if (!lease.ok()) return lease.status();
            reply = (*lease)->command({"INFO", "server"});
        } else {
            auto conn = connection();
            if (!conn.ok()) return conn.status();
            reply = (*conn)->command({"INFO", "server"});
        }
        if (!reply.ok()) return reply.status();
        // A server that refuses INFO has ACL users, which came with Redis 6.0 (as did TYPE).
        if ((*reply)->type == REDIS_REPLY_ERROR) {
            m_infoRefused = true;
            return true;
        }
        m_version = std::string(infoField(replyText(**reply), "redis_version"));
    }
    return majorVersion(m_version) >= kScanTypeMajor;
}

std::string RedisSource::typeFilterNote() const {
    const std::string server = !m_scanTypeWanted   ? "SCAN … TYPE is not used here"
                               : m_version.empty() ? "this server has no SCAN … TYPE"
                                                   : "Redis " + m_version + " has no SCAN … TYPE";
    return "type filter: " + server +
           ", so the type of every key scanned is asked (a full scan, one more round trip per "
           "batch of keys)";
}

Result<std::vector<std::string>> RedisSource::typesOf(const std::vector<std::string>& keys) {
    std::vector<ClusterCommand> reads;
    reads.reserve(keys.size());
    for (const auto& k : keys) reads.push_back({m_cluster ? keySlot(k) : 0, {"TYPE", k}});
    auto replies = ownReads(std::move(reads), "TYPE");
    if (!replies.ok()) return replies.status();
    std::vector<std::string> out;
    out.reserve(keys.size());
    for (const auto& r : *replies) {
        if (Status s = checkReply(*r, "TYPE"); !s.ok()) return s;
        out.emplace_back(replyText(*r));
    }
    return out;
}

}  // namespace twat_cache::detail
