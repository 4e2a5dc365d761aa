// RedisSource on a Redis Cluster: the walk over every master, DBSIZE summed over the masters
// and the statistics of every node (see redis_source.h).
#include <algorithm>
#include <charconv>
#include <optional>

#include "inspect/redis_own_lookups.h"
#include "inspect/redis_source.h"
#include "redis/redis_cluster_keys.h"
#include "redis/redis_info.h"
#include "redis/redis_sentinel.h"

namespace twat_cache::detail {

namespace {

// Walks whose slot owners are remembered; an older walk ends without the moved-slot pass.
constexpr std::size_t kWalksKept = 8;
// Keys asked of one moved slot at its end (CLUSTER GETKEYSINSLOT).
constexpr std::size_t kMovedSlotKeys = 1'000'000;

// "0-5460" or "0-99,5000,6000-6100".
std::string rangesText(const std::vector<std::pair<int, int>>& ranges) {
    std::string out;
    for (const auto& [from, to] : ranges) {
        if (!out.empty()) out += ",";
        out += std::to_string(from);
        if (to != from) out += "-" + std::to_string(to);
    }
    return out;
}

// The address serving each slot ("" where none does).
std::vector<std::string> ownerAddresses(const std::vector<ClusterMaster>& masters) {
    std::vector<std::string> out(kClusterSlots);
    const std::vector<int> owners = slotOwners(masters);
    for (std::size_t s = 0; s < owners.size(); ++s) {
        if (owners[s] >= 0) out[s] = masters[static_cast<std::size_t>(owners[s])].address;
    }
    return out;
}

// The replies to `commands`, asked of every node of `addresses` at once (each node's
// pipeline is sent before any reply is read), or why a node could not answer.
std::vector<Result<std::vector<ReplyPtr>>> askNodes(
    RedisCluster& cluster, const std::vector<std::string>& addresses,
    std::initializer_list<std::string_view> commands, std::string_view doing) {
    std::vector<std::optional<RedisPool::Lease>> leases(addresses.size());
    std::vector<Result<std::vector<ReplyPtr>>> out;
    out.reserve(addresses.size());
    for (std::size_t i = 0; i < addresses.size(); ++i)
        out.emplace_back(Status::unavailable("not asked"));
    for (std::size_t i = 0; i < addresses.size(); ++i) {
        auto lease = cluster.lease(addresses[i]);
        if (!lease.ok()) {
            out[i] = lease.status();
            continue;
        }
        for (const std::string_view command : commands) {
            // "INFO stats" -> {"INFO", "stats"}
            const auto space = command.find(' ');
            if (space == std::string_view::npos) {
                (*lease)->append({command});
            } else {
                (*lease)->append({command.substr(0, space), command.substr(space + 1)});
            }
        }
        if (Status s = (*lease)->send(doing); !s.ok()) {
            out[i] = s;
            continue;
        }
        leases[i].emplace(std::move(*lease));
    }
    for (std::size_t i = 0; i < addresses.size(); ++i) {
        if (leases[i]) out[i] = (**leases[i]).readMany(commands.size(), doing);
    }
    return out;
}

// The replicas of `master`: those CLUSTER NODES (`nodes`, "" when unknown) names, else those
// CLUSTER SLOTS did; by address.
std::vector<std::string> replicasOf(const ClusterMaster& master, std::string_view nodes) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (!master.id.empty() && pos < nodes.size()) {
        std::size_t end = nodes.find('\n', pos);
        if (end == std::string_view::npos) end = nodes.size();
        // <id> <ip:port@cport[,hostname]> <flags> <master id> ...
        std::vector<std::string_view> fields;
        for (std::size_t at = pos; at < end && fields.size() < 4;) {
            std::size_t space = nodes.find(' ', at);
            if (space == std::string_view::npos || space > end) space = end;
            fields.push_back(nodes.substr(at, space - at));
            at = space + 1;
        }
        pos = end + 1;
        if (fields.size() < 4 || fields[3] != master.id) continue;
        if (fields[2].find("noaddr") != std::string_view::npos) continue;
        std::string_view address = fields[1].substr(0, fields[1].find('@'));
        const auto colon = address.rfind(':');
        if (colon == std::string_view::npos) continue;
        std::string host(address.substr(0, colon));
        if (host.empty()) host = master.host;  // Redis 7 may leave out its own address
        int port = 0;
        std::from_chars(address.data() + colon + 1, address.data() + address.size(), port);
        if (port > 0) out.push_back(hostPort(host, port));
    }
    if (out.empty()) out = master.replicas;
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

std::size_t RedisSource::masterCount() const {
    return m_cluster ? m_cluster->masters().size() : 1;
}

// Cursors of a walk: "w<walk number>." and the walk's cursor (redis_cluster_keys.h), or
// "w<walk number>.m" for the moved-slot pass after the last master; "0" at the end. A walk this
// source did not begin (or has forgotten) goes on without the moved-slot pass.
Result<RedisSource::ScanStep> RedisSource::clusterScanOnce(const std::string& cursor,
                                                           const std::string& match,
                                                           std::size_t count,
                                                           const std::string& type) {
    const bool adaptive = count == 0;
    const std::string pattern = match == "*" ? std::string() : match;
    std::uint64_t number = 0;
    std::optional<ClusterScanCursor> at;
    bool movedPass = false;
    if (cursor == "0") {  // a new walk: remember who serves each slot now
        if (Status s = m_cluster->refresh(); !s.ok()) return s;
        const auto masters = m_cluster->masters();
        Walk walk{m_nextWalk++, ownerAddresses(masters), {}, {}};
        for (const auto& m : masters) walk.nodes.push_back({m.address, 0, false});
        number = walk.number;
        if (m_walks.size() == kWalksKept) m_walks.erase(m_walks.begin());
        m_walks.push_back(std::move(walk));
        at = ClusterScanCursor{0, "0", {}};
    } else {
        const auto dot = cursor.find('.');
        const char* end = cursor.data() + (dot == std::string::npos ? 0 : dot);
        auto [ptr, ec] =
            std::from_chars(cursor.data() + std::min<std::size_t>(1, cursor.size()), end, number);
        const std::string rest = dot == std::string::npos ? "" : cursor.substr(dot + 1);
        movedPass = rest == "m";
        if (!movedPass) at = ClusterScanCursor::parse(rest);
        if (!cursor.starts_with('w') || ec != std::errc() || ptr != end || (!movedPass && !at)) {
            return Status::invalidArgument("malformed cluster cursor '" + cursor.substr(0, 80) +
                                           "'");
        }
    }
    auto walk = std::find_if(m_walks.begin(), m_walks.end(),
                             [&](const Walk& w) { return w.number == number; });
    m_lastWalk = number;
    const std::string prefix = "w" + std::to_string(number) + ".";
    if (movedPass) {
        ScanStep out{"0", {}};
        if (walk == m_walks.end()) return out;
        auto keys = movedSlotKeys(*m_cluster, walk->moved, kMovedSlotKeys);
        if (!keys.ok()) return keys.status();
        for (auto& k : *keys) {
            if (pattern.empty() || globMatch(pattern, k)) out.keys.push_back(std::move(k));
        }
        walk->moved.clear();
        return out;
    }
    const auto start = std::chrono::steady_clock::now();
    auto step = scanClusterStep(*m_cluster, *at, pattern, adaptive ? m_count : count, type);
    const bool serverFilters = !pattern.empty() || !type.empty();
    if (!step.ok()) return step.status();
    if (adaptive) adapt(std::chrono::steady_clock::now() - start);
    if (walk != m_walks.end()) {
        for (auto& n : walk->nodes) {
            if (n.address != step->address) continue;
            // With MATCH or TYPE the server examines about COUNT keys and returns the matches.
            n.scanned += !serverFilters ? step->keys.size() : (adaptive ? m_count : count);
            n.done = step->node_done;
            if (n.done && serverFilters) {
                // A finished SCAN has examined every key of the node: say how many that is.
                if (auto lease = m_cluster->lease(n.address); lease.ok()) {
                    auto size = (*lease)->command({"DBSIZE"});
                    if (size.ok() && (*size)->type == REDIS_REPLY_INTEGER) {
                        n.scanned =
                            static_cast<std::uint64_t>(std::max<long long>(0, (*size)->integer));
                    }
                }
            }
        }
    }
    ScanStep out{"0", std::move(step->keys)};
    if (step->next) {
        out.cursor = prefix + step->next->toString();
        return out;
    }
    if (walk == m_walks.end()) return out;
    // Every master scanned: the slots that changed master since the walk began may hold keys
    // that moved from a master not yet scanned to one already scanned.
    if (Status s = m_cluster->refresh(); !s.ok()) return s;
    const std::vector<std::string> now = ownerAddresses(m_cluster->masters());
    for (int s = 0; s < kClusterSlots; ++s) {
        const auto i = static_cast<std::size_t>(s);
        if (walk->owners[i] != now[i] && !now[i].empty()) walk->moved.push_back(s);
    }
    if (!walk->moved.empty()) out.cursor = prefix + "m";
    return out;
}

std::vector<NodeScan> RedisSource::walkProgress(std::uint64_t walkNumber) const {
    for (const auto& w : m_walks) {
        if (w.number == walkNumber) return w.nodes;
    }
    return {};
}

Result<std::uint64_t> RedisSource::clusterDbSize() {
    std::vector<std::string> addresses;
    for (const auto& m : m_cluster->masters()) addresses.push_back(m.address);
    std::uint64_t total = 0;
    auto answers = askNodes(*m_cluster, addresses, {"DBSIZE"}, "DBSIZE");
    for (std::size_t i = 0; i < answers.size(); ++i) {
        if (!answers[i].ok()) return answers[i].status();
        const redisReply& r = *answers[i]->front();
        if (r.type != REDIS_REPLY_INTEGER) {
            return replyError(r, "node " + addresses[i], "DBSIZE");
        }
        total += static_cast<std::uint64_t>(r.integer);
    }
    return total;
}

Result<SourceStats> RedisSource::clusterStats() {
    const auto masters = m_cluster->masters();
    SourceStats s;
    // CLUSTER SLOTS leaves out replicas that have not replicated anything yet and failed ones;
    // CLUSTER NODES (of the first master that answers) names them all.
    std::string nodesText;
    for (const auto& m : masters) {
        auto lease = m_cluster->lease(m.address);
        if (!lease.ok()) continue;
        auto reply = (*lease)->command({"CLUSTER", "NODES"});
        if (reply.ok() && (*reply)->type == REDIS_REPLY_STRING) {
            nodesText = std::string(replyText(**reply));
            break;
        }
    }
    std::vector<std::string> addresses;
    for (const auto& m : masters) {
        NodeStats node;
        node.address = m.address;
        node.role = "master";
        node.slot_ranges = rangesText(m.slots);
        node.slot_count = static_cast<std::uint32_t>(m.slotCount());
        s.nodes.push_back(std::move(node));
        for (const auto& r : replicasOf(m, nodesText)) {
            NodeStats replica;
            replica.address = r;
            replica.role = "replica";
            replica.master = m.address;
            s.nodes.push_back(std::move(replica));
        }
    }
    for (const auto& n : s.nodes) addresses.push_back(n.address);
    auto answers = askNodes(*m_cluster, addresses,
                            {"DBSIZE", "INFO stats", "INFO memory", "INFO server"}, "DBSIZE/INFO");
    std::string version;
    // Masters whose DBSIZE, and whose INFO, are known: a total is given only over all of them.
    std::size_t mastersCounted = 0, mastersInfo = 0;
    std::uint64_t entries = 0, bytes = 0, hits = 0, misses = 0, evictions = 0, expired = 0;
    for (std::size_t i = 0; i < s.nodes.size(); ++i) {
        NodeStats& node = s.nodes[i];
        const bool master = node.role == "master";
        if (!answers[i].ok()) {
            node.error = answers[i].status().message();
            continue;
        }
        const auto& replies = *answers[i];
        const redisReply& dbsize = *replies[0];
        if (dbsize.type == REDIS_REPLY_INTEGER) {
            node.keys = static_cast<std::uint64_t>(dbsize.integer);
            if (master) {
                ++mastersCounted;
                entries += *node.keys;
            }
        } else {
            node.error = replyError(dbsize, "node " + node.address, "DBSIZE").message();
        }
        bool info = true;
        for (std::size_t r = 1; r < replies.size(); ++r) {
            if (replies[r]->type != REDIS_REPLY_ERROR) continue;
            info = false;  // e.g. an ACL user without INFO: the key count only
            if (node.error.empty()) {
                node.error = replyError(*replies[r], "node " + node.address, "INFO").message();
            }
        }
        if (!info) continue;
        const std::string_view stats = replyText(*replies[1]);
        node.hits = infoNumber(stats, "keyspace_hits");
        node.misses = infoNumber(stats, "keyspace_misses");
        node.memory_bytes = infoNumber(replyText(*replies[2]), "used_memory");
        if (version.empty()) version = infoField(replyText(*replies[3]), "redis_version");
        if (!master) continue;
        ++mastersInfo;
        bytes += *node.memory_bytes;
        hits += *node.hits;
        misses += *node.misses;
        evictions += infoNumber(stats, "evicted_keys");
        expired += infoNumber(stats, "expired_keys");
    }
    const std::string cluster = "cluster of " + std::to_string(masters.size()) +
                                (masters.size() == 1 ? " master" : " masters");
    m_info.note = (version.empty() ? "Redis" : "Redis " + version) + ", " + cluster;
    std::string partial;
    if (mastersCounted == masters.size()) {
        s.entries = entries;
    } else {
        partial += "; " + std::to_string(masters.size() - mastersCounted) + " of " +
                   std::to_string(masters.size()) +
                   " masters did not give their key count (see the nodes): entries not known";
    }
    if (mastersInfo == masters.size()) {
        s.bytes = bytes;
        s.hits = hits;
        s.misses = misses;
        s.evictions = evictions;
        s.extra.emplace_back("server.expired_keys", expired);
    } else {
        partial += "; " + std::to_string(masters.size() - mastersInfo) + " of " +
                   std::to_string(masters.size()) +
                   " masters did not answer INFO (see the nodes): size, hits, misses and "
                   "evictions not known";
    }
    if (Status st = addCacheCounters(s); !st.ok()) {
        partial += "; cache counters: " + st.message();
    }
    s.note = m_info.note +
             "; entries: keys over all masters (DBSIZE); size: used_memory summed over the "
             "masters; hits, misses and evictions: summed over the masters (INFO stats), "
             "including this inspector's own reads (not subtracted on a cluster)" +
             partial;
    return s;
}

}  // namespace twat_cache::detail
