// Test fixture for Redis Cluster: `masters` masters with `replicas_per_master` replicas each,
// real redis-server processes on free loopback ports (a client port and a cluster bus port
// per node), each node in its own folder of one temporary folder, made a cluster with
// `redis-cli --cluster create`. With TLS every node listens on its TLS port only, and the
// cluster bus and replication use TLS too, so that the nodes announce their TLS ports.
//
// The fixture talks to the nodes through redis-cli (Debian's hiredis has no TLS), one short
// process per command, each bounded in time. Nodes are named by their client port, which
// stays the same when a node is killed and restarted. Every wait is bounded: the fixture polls
// the nodes (every 50 ms) until the cluster is *settled*: every running node says
// cluster_state:ok, all agree on the role of every running node (master, or replica of which)
// and on which node serves each slot, that node is running, every running node knows every
// other one as reachable, and every running replica's link to its master is up. When redis-server
// or redis-cli is missing, available() is false and skipReason() says how to install them.
//
// Redis 7.0 behaviour worth knowing in tests:
//   - A killed master is failed over by its replica after about 2 to 3 node timeouts; until
//     the nodes agree that it is down (about 2 node timeouts), they still say cluster_state:ok.
//   - The cluster keeps no data on disk: a master restarted before its failover comes back
//     empty. Restarted after the failover, it rejoins as a replica of the new master.
//   - A master that loses its last slot (reshard) becomes a replica of the node that took it
//     (cluster-allow-replica-migration), and so do its replicas.
//
// Thread safety: none; use it from the test thread.
#pragma once

#include <QProcess>
#include <QStringList>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "test_support.h"

namespace twat_cache::test {

class RedisCluster {
  public:
    static constexpr int kSlots = 16384;

    struct Options {
        int masters = 3;              // redis-cli refuses a cluster of fewer than 3
        int replicas_per_master = 1;  // a master without replicas is never failed over
        // cluster-node-timeout: small, so that a dead master is failed over within seconds.
        int node_timeout_ms = 1000;
        std::string password{};  // requirepass and masterauth on every node when not empty
        // TLS only when `tls_cert` is set: client port, cluster bus and replication. Clients
        // need no certificate of their own; they trust `tls_ca`.
        std::string tls_cert{}, tls_key{}, tls_ca{};
        // The certificate a node presents when it connects to another: the cluster bus always
        // requires one, whatever tls-auth-clients says, and refuses a certificate made for
        // servers only (makeTestCertificates()'s client.pem fits). Empty: tls_cert.
        std::string tls_client_cert{}, tls_client_key{};
        std::vector<std::string> extra_args{};  // further redis-server arguments, every node
    };

    // A node as the cluster describes it (CLUSTER NODES).
    struct Node {
        int port = -1;  // the client port it announces (its TLS port with TLS)
        bool master = false;
        bool failed = false;  // flagged fail or fail? by the node that answered
        std::string id;
        std::string master_id{};                         // replicas: their master's id
        std::vector<std::pair<int, int>> slot_ranges{};  // masters: first..last, inclusive
    };

    // Whether redis-server and redis-cli exist.
    static bool available();
    // "redis-server or redis-cli not found; install them with ...".
    static std::string skipReason();

    RedisCluster();
    explicit RedisCluster(Options options);
    // SIGKILLs every node.
    ~RedisCluster();
    RedisCluster(const RedisCluster&) = delete;
    RedisCluster& operator=(const RedisCluster&) = delete;

    // Starts the nodes, creates the cluster and waits (at most 30 s) until it is settled.
    // Returns an empty string on success, else what went wrong. Call once.
    std::string start();

    // Every node's client port, in start order (the first `masters` start as masters).
    std::vector<int> ports() const;
    // redis://[:password@]127.0.0.1:<port of node `node` in start order>, or
    // rediss://...?ca=<tls_ca> with TLS.
    std::string seedUrl(int node = 0) const;
    // The same with every node: redis://[:password@]127.0.0.1:<p1>,127.0.0.1:<p2>,...
    std::string seedListUrl() const;

    // Runs redis-cli against the node on `port` with `args` (which may begin with redis-cli
    // options, e.g. "-c" to follow redirections) and returns its standard output, "" when it
    // could not connect. Raw output: "PONG\n", "3\n", INFO text; error replies as "ERR ...".
    // Bounded to 5 s.
    std::string command(int port, const QStringList& args) const;

    // The nodes as the first running node that answers describes them, in its order; empty
    // when none answers.
    std::vector<Node> nodes() const;
    // The port of the master that serves `slot` (per nodes()), or -1.
    int masterPortForSlot(int slot) const;
    // The slot of `key` (CLUSTER KEYSLOT on a running node), or -1.
    int keySlot(const std::string& key) const;

    // SIGKILLs the node on `port` and waits for it to exit.
    void killNode(int port);
    // Waits, at most `limit`, until the cluster is settled again after the node on `deadPort`
    // was killed: a replica has taken over its slots if it was a master. Returns "" or what
    // still was not right when time ran out.
    std::string waitForFailover(int deadPort, std::chrono::milliseconds limit);
    // Starts the node on `port` again (killing it first if it runs), on the same ports and
    // with its cluster state, and waits (at most 30 s) until the cluster is settled with it.
    std::string restartNode(int port);
    // Waits, at most `limit`, until the cluster is settled; "" or what was not right.
    std::string waitUntilSettled(std::chrono::milliseconds limit) const;

    // Slot migration in steps, so that a test can act in the middle (redis_cluster_migration
    // .cpp). beginMigration marks `slot` importing on the master on `toPort` and migrating on
    // its current master; migrateKeys moves at most `maxKeys` of its keys (MIGRATE, with AUTH
    // when there is a password) and says how many in `*moved`; finishMigration assigns the slot
    // to the new master on every master (the source must hold no more keys of it) and waits
    // (at most 10 s) until the cluster is settled. Each returns "" or what went wrong.
    std::string beginMigration(int slot, int toPort);
    std::string migrateKeys(int slot, std::size_t maxKeys, std::size_t* moved = nullptr);
    std::string finishMigration(int slot);
    // Moves `slotCount` whole slots (the highest) with their keys from the master on
    // `fromPort` to the master on `toPort`, then waits (at most 30 s) until settled. Each slot
    // costs about ten redis-cli runs: some 40 ms for a slot with few keys.
    std::string reshard(int fromPort, int toPort, int slotCount);

  private:
    struct NodeProcess {
        int port = -1;
        int bus_port = -1;
        std::filesystem::path dir;
        std::string id;  // its cluster node id, kept across restarts in nodes.conf
        std::unique_ptr<QProcess> process;
    };
    struct Migration {
        int from_port = -1;
        int to_port = -1;
    };

    static std::string cliProgram();  // redis-cli
    bool tls() const { return !m_options.tls_cert.empty(); }
    // redis-cli's connection options: TLS and password.
    std::vector<std::string> cliOptions() const;
    // The URL prefix ("redis://[:password@]") and suffix ("?ca=..." or "").
    std::string urlScheme() const;
    std::string urlQuery() const;
    NodeProcess* nodeOn(int port);
    const NodeProcess* nodeOn(int port) const;
    bool running(const NodeProcess& node) const;
    std::string launch(NodeProcess& node) const;
    std::string waitForPing(const NodeProcess& node) const;
    // What keeps the cluster from being settled, or "".
    std::string unsettled() const;
    // Sends `args` as one line to redis-cli's standard input and parses its --csv reply into
    // `items`: binary-safe both ways, for keys. Returns "" or what went wrong.
    std::string csvCommand(int port, const std::vector<std::string>& args,
                           std::vector<std::string>& items) const;
    // Runs `args` on `port` and expects "OK".
    std::string expectOk(int port, const QStringList& args) const;
    // SETSLOT NODE on the new master, the old one, then every other running master.
    std::string assignMigratedSlot(int slot);

    Options m_options;
    TempDir m_dir;
    std::vector<NodeProcess> m_nodes;
    std::map<int, Migration> m_migrations;  // by slot, between begin and finish
};

// Options of a TLS-only cluster with `password` on every node, from the PEM files
// makeTestCertificates() wrote into `pki` (server.pem for the nodes, client.pem for the bus).
RedisCluster::Options tlsClusterOptions(const std::filesystem::path& pki, std::string password);

}  // namespace twat_cache::test
