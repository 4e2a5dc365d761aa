// What a cache server says about itself: the figures of Source::serverInfo() and the entries
// of Source::slowlog() (twat_cache/inspect.h). Only Redis sources have them; every other
// source answers NotSupported.
//
// Every figure comes from the server's own INFO (sections server, clients, memory,
// persistence, replication, keyspace), read in one round trip; a figure the server did not
// report is nullopt (or "" for text), never 0. On a Redis Cluster they are the figures of the
// node the source is connected to (`node` names it); the Nodes of SourceStats cover the rest.
//
// Thread safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace twat_cache {

// One line of INFO keyspace: "db3:keys=12,expires=3,avg_ttl=5000".
struct KeyspaceDb {
    int db = 0;
    std::uint64_t keys = 0;
    std::uint64_t expires = 0;     // keys with a TTL
    std::uint64_t avg_ttl_ms = 0;  // the server's estimate of their mean TTL; 0: none or unknown
};

struct ServerInfo {
    std::string version;  // redis_version, e.g. "7.0.11"
    std::string mode;     // redis_mode: "standalone", "sentinel" or "cluster"
    std::string role;     // "master" or "replica" (INFO replication; "slave" reads "replica")
    std::string node;     // the server answering ("host:port"; Sentinel's choice; a cluster node)
    std::optional<std::uint64_t> uptime_seconds;
    std::optional<std::uint64_t> connected_clients;
    std::optional<std::uint64_t> blocked_clients;
    std::optional<std::uint64_t> used_memory;       // bytes
    std::optional<std::uint64_t> used_memory_peak;  // bytes
    std::optional<std::uint64_t> maxmemory;         // bytes; 0: no limit
    std::string maxmemory_policy;                   // e.g. "noeviction", "allkeys-lru"
    // Persistence: RDB snapshots and the append-only file.
    std::optional<std::int64_t> rdb_last_save_time;  // Unix seconds of the last good save
    std::string rdb_last_bgsave_status;              // "ok" or "err"
    std::optional<std::uint64_t> rdb_changes_since_last_save;
    std::optional<bool> aof_enabled;
    std::string aof_last_write_status;  // "ok" or "err"; "" when AOF is off
    // The databases holding keys, by number (INFO keyspace lists no empty database).
    std::vector<KeyspaceDb> keyspace;
    // How many databases the server has (CONFIG GET databases); nullopt when the server
    // does not say (CONFIG refused to this user, or a managed server): 16 is Redis's default.
    std::optional<int> databases;
    int db = 0;  // the database the source lists (Source::selectDatabase)
    // Every "name:value" line of the INFO sections read, in the server's order.
    std::vector<std::pair<std::string, std::string>> fields;
};

// One entry of the slow log (SLOWLOG GET): a command that took longer than the server's
// slowlog-log-slower-than.
struct SlowlogEntry {
    std::uint64_t id = 0;           // the server's, increasing
    std::int64_t time_seconds = 0;  // Unix seconds when it ran
    std::uint64_t duration_us = 0;  // its execution time, microseconds
    // The command and its arguments as the server kept them (Redis keeps at most 32, each
    // cut at 128 bytes, and says so in the last one); non-printable bytes in Python notation.
    std::vector<std::string> args;
    std::string client;       // "ip:port" of the client (Redis 4+), "" when not reported
    std::string client_name;  // CLIENT SETNAME of the client, "" when none
};

}  // namespace twat_cache
