// RedisCluster: the client side of Redis Cluster (the Redis Cluster specification): which
// master serves each of the 16384 slots, a RedisPool per node, and commands routed by slot.
//
// Detection needs no flag: detect() asks the server a URL names for CLUSTER SLOTS; a server
// with cluster support disabled answers an error and stays a plain server. The slot map comes
// from CLUSTER SLOTS, asked of any node that answers (the URL's seeds first); it is read again
// after a MOVED redirection, after a node could not be reached (at most every
// kRefreshMinInterval) and every kRefreshInterval while in use.
//
// run() sends a batch of commands, each tagged with its key's slot: grouped by master, every
// group is sent before any reply is read, so the batch costs one round trip per node, in
// parallel. A MOVED reply updates that slot's owner and re-sends the command there; an ASK
// reply re-sends it to the node named, preceded by ASKING; TRYAGAIN (a multi-key command
// during a migration) waits briefly and re-sends; at most kMaxRedirects rounds. A node that
// cannot be reached fails its own commands only; a command on a reused connection that turned
// out closed is re-sent once.
//
// Messages name the node: "redis node 127.0.0.1:7001: GET: ...".
//
// Thread safety: every method may run on any thread; the slot map is guarded by a shared
// mutex, the pools are thread-safe and live as long as the RedisCluster.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

#include "redis/redis_cluster_slot.h"
#include "redis/redis_connection.h"

namespace twat_cache::detail {

// One master of the cluster as CLUSTER SLOTS describes it.
struct ClusterMaster {
    std::string address;  // "host:port" (IPv6 in brackets)
    std::string host;
    int port = 0;
    std::string id;                          // node id (empty before Redis 4)
    std::vector<std::pair<int, int>> slots;  // inclusive ranges, ascending
    std::vector<std::string> replicas;       // "host:port" of each replica
    int slotCount() const;
};

// One command of a batch: its key's slot (keySlot()) and its arguments.
struct ClusterCommand {
    int slot = 0;
    std::vector<std::string> args;
};

class RedisCluster {
  public:
    static constexpr int kMaxRedirects = 5;
    static constexpr std::chrono::milliseconds kRefreshMinInterval{100};
    static constexpr std::chrono::seconds kRefreshInterval{10};

    // Asks `conn` (logged in by the pool's settings) for CLUSTER SLOTS. A server that is not
    // a cluster node: nullptr. A cluster node: the client, with the slot map from its answer.
    // A cluster asked for a database other than 0 is InvalidArgument.
    static Result<std::unique_ptr<RedisCluster>> detect(RedisConnection& conn,
                                                        const PoolSettings& pool);

    // The replies of `commands`, in order; each a Redis reply (errors other than
    // redirections included) or the Status of its node's failure.
    std::vector<Result<ReplyPtr>> run(std::span<const ClusterCommand> commands,
                                      std::string_view doing);
    // run() of one command.
    Result<ReplyPtr> runOne(int slot, std::vector<std::string> args, std::string_view doing);

    // The masters, by first slot (a snapshot of the slot map; refreshed when stale).
    std::vector<ClusterMaster> masters();
    // A connection to the node at `address` ("host:port"), for per-node work such as SCAN.
    Result<RedisPool::Lease> lease(const std::string& address);
    // The address serving `slot` now ("" when no master covers it).
    std::string ownerOf(int slot);
    // Reads the slot map again from the first node that answers CLUSTER SLOTS.
    Status refresh();
    // "Redis Cluster, 3 masters" (masked URL-free wording for notes).
    std::string summary();

    const PoolSettings& settings() const { return m_settings; }

  private:
    explicit RedisCluster(PoolSettings pool);
    // Takes a CLUSTER SLOTS reply; InvalidArgument when it does not describe a cluster.
    Status adopt(const redisReply& slots, std::string_view from);
    RedisPool& poolFor(const std::string& address);
    // Refreshes when the map is stale (a failure or redirection asked for it) or old.
    void refreshIfDue(bool force);

    const PoolSettings m_settings;

    std::shared_mutex m_mapMutex;
    std::vector<ClusterMaster> m_masters;                 // guarded by m_mapMutex
    std::array<std::int16_t, kClusterSlots> m_owner{};    // index into m_masters, -1: none
    std::chrono::steady_clock::time_point m_refreshedAt;  // guarded by m_mapMutex
    bool m_stale = false;                                 // guarded by m_mapMutex

    std::mutex m_poolMutex;
    std::map<std::string, std::unique_ptr<RedisPool>> m_pools;  // guarded by m_poolMutex
    std::mutex m_refreshMutex;                                  // one refresh at a time
};

}  // namespace twat_cache::detail
