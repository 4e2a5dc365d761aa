#include "redis/redis_cluster.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <thread>

#include "redis/redis_sentinel.h"
#include "util/log_internal.h"

namespace twat_cache::detail {
namespace {

using Clock = std::chrono::steady_clock;

// "host:port" or "[v6]:port" -> host, port; nullopt when it is neither.
std::optional<std::pair<std::string, int>> splitAddress(std::string_view address) {
    const auto colon = address.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    std::string_view host = address.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    int port = 0;
    const std::string_view portText = address.substr(colon + 1);
    auto [ptr, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
    if (ec != std::errc() || ptr != portText.data() + portText.size() || port <= 0 ||
        port > 65535) {
        return std::nullopt;
    }
    return std::make_pair(std::string(host), port);
}

// A MOVED or ASK redirection: "MOVED 3999 127.0.0.1:6381".
struct Redirect {
    bool ask = false;
    int slot = 0;
    std::string address;
};

std::optional<Redirect> redirectOf(const redisReply& r, const std::string& fromHost) {
    if (r.type != REDIS_REPLY_ERROR) return std::nullopt;
    const std::string_view text = replyText(r);
    Redirect out;
    std::string_view rest;
    if (text.starts_with("MOVED ")) {
        rest = text.substr(6);
    } else if (text.starts_with("ASK ")) {
        out.ask = true;
        rest = text.substr(4);
    } else {
        return std::nullopt;
    }
    const auto space = rest.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + space, out.slot);
    if (ec != std::errc() || out.slot < 0 || out.slot >= kClusterSlots) return std::nullopt;
    std::string_view address = rest.substr(space + 1);
    // Redis 7 may leave the host out (":6381") when it does not know how it is reached.
    if (address.starts_with(':')) {
        const bool v6 = fromHost.find(':') != std::string::npos;
        out.address = (v6 ? "[" + fromHost + "]" : fromHost) + std::string(address);
    } else {
        out.address = std::string(address);
    }
    if (!splitAddress(out.address)) return std::nullopt;
    return out;
}

std::optional<long long> integerOf(const redisReply& r) {
    if (r.type == REDIS_REPLY_INTEGER) return r.integer;
    return std::nullopt;
}

// host:port of a node element of CLUSTER SLOTS ([ip, port, id, ...]); an empty ip is the
// node that answered.
std::optional<std::pair<std::string, std::string>> nodeOf(const redisReply& n,
                                                          const std::string& fromHost) {
    if (n.type != REDIS_REPLY_ARRAY || n.elements < 2) return std::nullopt;
    const redisReply& ip = *n.element[0];
    auto port = integerOf(*n.element[1]);
    if (ip.type != REDIS_REPLY_STRING || !port || *port <= 0 || *port > 65535) return std::nullopt;
    std::string host(replyText(ip));
    if (host.empty() || host == "?") host = fromHost;
    std::string id;
    if (n.elements >= 3 && n.element[2]->type == REDIS_REPLY_STRING) {
        id = std::string(replyText(*n.element[2]));
    }
    return std::make_pair(hostPort(host, static_cast<int>(*port)), std::move(id));
}

}  // namespace

int ClusterMaster::slotCount() const {
    int n = 0;
    for (const auto& [from, to] : slots) n += to - from + 1;
    return n;
}

RedisCluster::RedisCluster(PoolSettings pool) : m_settings(std::move(pool)) {
    m_owner.fill(-1);
}

Result<std::unique_ptr<RedisCluster>> RedisCluster::detect(RedisConnection& conn,
                                                           const PoolSettings& pool) {
    auto reply = conn.command({"CLUSTER", "SLOTS"});
    if (!reply.ok()) return reply.status();
    const redisReply& r = **reply;
    const std::string& masked = pool.connect.masked_url;
    if (r.type == REDIS_REPLY_ERROR) {
        // "ERR This instance has cluster support disabled", an unknown or renamed command, or
        // an ACL user without the right: a plain server as far as we can tell.
        logger().debug("redis {}: not a cluster ({})", masked, replyText(r));
        return std::unique_ptr<RedisCluster>();
    }
    if (pool.connect.endpoint.db != 0) {
        return Status::invalidArgument("redis " + masked +
                                       ": this is a Redis Cluster, which has only database 0 (the "
                                       "URL asks for db " +
                                       std::to_string(pool.connect.endpoint.db) + ")");
    }
    std::unique_ptr<RedisCluster> cluster(new RedisCluster(pool));
    if (Status s = cluster->adopt(r, pool.connect.endpoint.host); !s.ok()) {
        return s.withContext("redis " + masked);
    }
    return cluster;
}

Status RedisCluster::adopt(const redisReply& r, std::string_view from) {
    if (r.type != REDIS_REPLY_ARRAY) return Status::ioError("CLUSTER SLOTS: not an array");
    if (r.elements == 0) {
        return Status::unavailable(
            "the cluster has no slots assigned yet (CLUSTER SLOTS is empty); create it first, "
            "e.g. with redis-cli --cluster create");
    }
    const std::string fromHost(from);
    std::vector<ClusterMaster> masters;
    std::array<std::int16_t, kClusterSlots> owner{};
    owner.fill(-1);
    for (std::size_t i = 0; i < r.elements; ++i) {
        const redisReply& range = *r.element[i];
        if (range.type != REDIS_REPLY_ARRAY || range.elements < 3) {
            return Status::ioError("CLUSTER SLOTS: malformed slot range");
        }
        auto first = integerOf(*range.element[0]);
        auto last = integerOf(*range.element[1]);
        auto master = nodeOf(*range.element[2], fromHost);
        if (!first || !last || !master || *first < 0 || *last >= kClusterSlots || *first > *last) {
            return Status::ioError("CLUSTER SLOTS: malformed slot range");
        }
        auto it = std::find_if(masters.begin(), masters.end(),
                               [&](const ClusterMaster& m) { return m.address == master->first; });
        if (it == masters.end()) {
            if (masters.size() >= static_cast<std::size_t>(kClusterSlots)) {
                return Status::ioError("CLUSTER SLOTS: too many masters");
            }
            ClusterMaster m;
            m.address = master->first;
            auto hp = splitAddress(m.address);
            if (!hp) return Status::ioError("CLUSTER SLOTS: bad address " + m.address);
            m.host = hp->first;
            m.port = hp->second;
            m.id = master->second;
            for (std::size_t k = 3; k < range.elements; ++k) {
                if (auto replica = nodeOf(*range.element[k], fromHost)) {
                    m.replicas.push_back(replica->first);
                }
            }
            masters.push_back(std::move(m));
            it = masters.end() - 1;
        }
        it->slots.emplace_back(static_cast<int>(*first), static_cast<int>(*last));
        const auto index = static_cast<std::int16_t>(it - masters.begin());
        for (long long s = *first; s <= *last; ++s) owner[static_cast<std::size_t>(s)] = index;
    }
    // By first slot, so that listings and reports come in a stable order.
    for (auto& m : masters) std::sort(m.slots.begin(), m.slots.end());
    std::vector<std::size_t> order(masters.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return masters[a].slots.front() < masters[b].slots.front();
    });
    std::vector<std::int16_t> renumber(masters.size());
    std::vector<ClusterMaster> sorted;
    sorted.reserve(masters.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        renumber[order[i]] = static_cast<std::int16_t>(i);
        sorted.push_back(std::move(masters[order[i]]));
    }
    for (auto& o : owner) {
        if (o >= 0) o = renumber[static_cast<std::size_t>(o)];
    }
    std::unique_lock lock(m_mapMutex);
    m_masters = std::move(sorted);
    m_owner = owner;
    m_refreshedAt = Clock::now();
    m_stale = false;
    return {};
}

RedisPool& RedisCluster::poolFor(const std::string& address) {
    std::lock_guard lock(m_poolMutex);
    auto& pool = m_pools[address];
    if (!pool) {
        PoolSettings node = m_settings;
        const auto hp = splitAddress(address);
        node.connect.endpoint.host = hp ? hp->first : address;
        node.connect.endpoint.port = hp ? hp->second : 0;
        node.connect.endpoint.seeds.clear();
        node.connect.masked_url = "node " + address;
        pool = std::make_unique<RedisPool>(std::move(node));
    }
    return *pool;
}

Result<RedisPool::Lease> RedisCluster::lease(const std::string& address) {
    return poolFor(address).acquire();
}

std::string RedisCluster::ownerOf(int slot) {
    std::shared_lock lock(m_mapMutex);
    const int index = m_owner[static_cast<std::size_t>(slot & (kClusterSlots - 1))];
    return index < 0 ? std::string() : m_masters[static_cast<std::size_t>(index)].address;
}

std::vector<ClusterMaster> RedisCluster::masters() {
    refreshIfDue(false);
    std::shared_lock lock(m_mapMutex);
    return m_masters;
}

std::string RedisCluster::summary() {
    std::shared_lock lock(m_mapMutex);
    return "Redis Cluster, " + std::to_string(m_masters.size()) +
           (m_masters.size() == 1 ? " master" : " masters");
}

Status RedisCluster::refresh() {
    std::lock_guard one(m_refreshMutex);
    // Known masters, then their replicas (one of which may have been promoted), then the URL.
    std::vector<std::string> candidates;
    {
        std::unique_lock lock(m_mapMutex);
        m_refreshedAt = Clock::now();  // failed or not: the next try waits its turn
        for (const auto& m : m_masters) candidates.push_back(m.address);
        for (const auto& m : m_masters) {
            candidates.insert(candidates.end(), m.replicas.begin(), m.replicas.end());
        }
    }
    const RedisEndpoint& ep = m_settings.connect.endpoint;
    candidates.push_back(hostPort(ep.host, ep.port));
    for (const auto& [host, port] : ep.seeds) candidates.push_back(hostPort(host, port));
    std::string failures;
    for (const auto& address : candidates) {
        auto conn = lease(address);
        Result<ReplyPtr> reply =
            conn.ok() ? (*conn)->command({"CLUSTER", "SLOTS"}) : Result<ReplyPtr>(conn.status());
        if (reply.ok() && (*reply)->type == REDIS_REPLY_ARRAY && (*reply)->elements > 0) {
            const auto hp = splitAddress(address);
            if (Status s = adopt(**reply, hp ? hp->first : address); s.ok()) return s;
        }
        if (!reply.ok()) failures += (failures.empty() ? "" : "; ") + reply.status().message();
    }
    {
        std::unique_lock lock(m_mapMutex);
        m_stale = true;
    }
    return Status::unavailable("redis " + m_settings.connect.masked_url +
                               ": no cluster node answered CLUSTER SLOTS (" + failures + ")");
}

void RedisCluster::refreshIfDue(bool force) {
    {
        std::shared_lock lock(m_mapMutex);
        const auto age = Clock::now() - m_refreshedAt;
        if (age < kRefreshMinInterval) return;
        if (!force && !m_stale && age < kRefreshInterval) return;
    }
    std::unique_lock busy(m_refreshMutex, std::try_to_lock);
    if (!busy.owns_lock()) return;  // another thread is at it
    busy.unlock();
    if (Status s = refresh(); !s.ok()) logger().debug("{}", s.toString());
}

Result<ReplyPtr> RedisCluster::runOne(int slot, std::vector<std::string> args,
                                      std::string_view doing) {
    ClusterCommand command{slot, std::move(args)};
    return std::move(run({&command, 1}, doing).front());
}

std::vector<Result<ReplyPtr>> RedisCluster::run(std::span<const ClusterCommand> commands,
                                                std::string_view doing) {
    refreshIfDue(false);
    struct Item {
        std::size_t index;
        bool asking;
    };
    std::vector<Result<ReplyPtr>> results;
    results.reserve(commands.size());
    for (std::size_t i = 0; i < commands.size(); ++i) {
        results.emplace_back(Status::unavailable("redis: not sent"));
    }
    std::map<std::string, std::vector<Item>> pending;
    {
        std::shared_lock lock(m_mapMutex);
        for (std::size_t i = 0; i < commands.size(); ++i) {
            const int owner =
                m_owner[static_cast<std::size_t>(commands[i].slot) & (kClusterSlots - 1)];
            if (owner < 0) {
                results[i] = Status::unavailable(
                    "redis " + m_settings.connect.masked_url + ": no master serves slot " +
                    std::to_string(commands[i].slot) + " (is the cluster down?)");
                continue;
            }
            pending[m_masters[static_cast<std::size_t>(owner)].address].push_back({i, false});
        }
    }
    bool stale = false;
    for (int round = 0; round <= kMaxRedirects && !pending.empty(); ++round) {
        struct Group {
            std::string address;
            std::vector<Item> items;
            std::optional<RedisPool::Lease> lease;
        };
        std::vector<Group> groups;
        for (auto& [address, items] : pending) groups.push_back({address, std::move(items), {}});
        pending.clear();
        // Send every node its pipeline before reading any reply.
        for (Group& g : groups) {
            auto conn = lease(g.address);
            if (!conn.ok()) {
                for (const Item& it : g.items) results[it.index] = conn.status();
                stale = true;
                continue;
            }
            RedisConnection& c = **conn;
            std::vector<std::string_view> argv;
            for (const Item& it : g.items) {
                if (it.asking) c.append({"ASKING"});
                const auto& args = commands[it.index].args;
                argv.assign(args.begin(), args.end());
                c.append(argv);
            }
            if (Status s = c.send(doing); !s.ok()) {
                for (const Item& it : g.items) results[it.index] = s;
                stale = true;
                continue;
            }
            g.lease.emplace(std::move(*conn));
        }
        bool tryAgain = false;
        for (Group& g : groups) {
            if (!g.lease) continue;
            RedisConnection& c = **g.lease;
            const auto hp = splitAddress(g.address);
            const std::string host = hp ? hp->first : std::string();
            for (std::size_t k = 0; k < g.items.size(); ++k) {
                const Item& it = g.items[k];
                Result<ReplyPtr> reply =
                    it.asking ? c.read("ASKING") : Result<ReplyPtr>(ReplyPtr());
                if (reply.ok()) reply = c.read(doing);
                if (!reply.ok()) {
                    // A reused connection the node had closed: everything from here once more.
                    const bool retry =
                        round == 0 && g.lease->reused() && c.failure() == Failure::kClosed;
                    for (std::size_t j = k; j < g.items.size(); ++j) {
                        if (retry) {
                            pending[g.address].push_back(g.items[j]);
                        } else {
                            results[g.items[j].index] = reply.status();
                        }
                    }
                    stale = true;
                    break;
                }
                const redisReply& r = **reply;
                if (auto redirect = redirectOf(r, host)) {
                    if (!redirect->ask) {
                        // MOVED: the slot has a new owner for good.
                        std::unique_lock lock(m_mapMutex);
                        auto at = std::find_if(
                            m_masters.begin(), m_masters.end(),
                            [&](const ClusterMaster& m) { return m.address == redirect->address; });
                        if (at == m_masters.end()) {
                            ClusterMaster m;
                            m.address = redirect->address;
                            if (auto nhp = splitAddress(m.address)) {
                                m.host = nhp->first;
                                m.port = nhp->second;
                            }
                            m_masters.push_back(std::move(m));
                            at = m_masters.end() - 1;
                        }
                        m_owner[static_cast<std::size_t>(redirect->slot)] =
                            static_cast<std::int16_t>(at - m_masters.begin());
                        m_stale = true;
                        stale = true;
                    }
                    pending[redirect->address].push_back({it.index, redirect->ask});
                    continue;
                }
                if (r.type == REDIS_REPLY_ERROR && replyText(r).starts_with("TRYAGAIN")) {
                    pending[g.address].push_back({it.index, it.asking});
                    tryAgain = true;
                    continue;
                }
                results[it.index] = std::move(*reply);
            }
        }
        if (stale) {
            std::unique_lock lock(m_mapMutex);
            m_stale = true;
        }
        if (!pending.empty() && tryAgain) {
            // The keys of a multi-key command are being migrated: the move takes moments.
            std::this_thread::sleep_for(std::chrono::milliseconds(10 * (round + 1)));
        }
    }
    for (auto& [address, items] : pending) {
        for (const Item& it : items) {
            results[it.index] = Status::unavailable(
                "redis node " + address + ": " + std::string(doing) + ": slot " +
                std::to_string(commands[it.index].slot) + " still redirected after " +
                std::to_string(kMaxRedirects) + " tries (the cluster is being resharded?)");
        }
    }
    if (stale) refreshIfDue(true);
    return results;
}

}  // namespace twat_cache::detail
