// RedisEngine: a cache stored in a Redis server (hiredis underneath, hidden here).
//
// Layout in Redis (docs/FORMAT.md): each entry is the string key
// `twat_cache:<cache>:<32-hex key>` holding the shared value envelope (format version, type tag,
// flags, created and expiry times, key text, payload; zstd when the cache compresses), with
// the TTL set by `SET ... PX`. The hash `twat_cache:<cache>:__meta` holds format_version,
// created and the counters hits, misses and errors; the set `twat_cache:__caches` lists the
// cache names. With config.maxsize > 0 the engine keeps at most that many entries, across
// processes: the sorted set `twat_cache:<cache>:__index` orders them and a Lua script, run
// in the same round trip as each set (one per setMany), evicts atomically; policies lru,
// fifo and rr (lfu and none fall back to lru with a warning). max_bytes is not enforced
// (warning at open). Without a maxsize nothing of this exists (docs/REDIS.md).
//
// URLs: `redis://[user:password@]host[:port][,host[:port]...][/db][?options]` (further
// addresses: a Redis Cluster's seed nodes), the same with `rediss://` for TLS,
// `unix:///path/to.sock[?db=N&options]`, and for Redis Sentinel
// `redis+sentinel://[user:password@]host[:port][,host[:port]...]/SERVICE[/db][?options]`
// (`rediss+sentinel://` with TLS to the sentinels and the master; see RedisSentinelOptions).
// Options: db, user, password, connect_timeout, timeout (per command), pool_size (durations
// as in parseDuration, e.g. 250ms); with rediss:// also ca, cert, key (PEM files, %-escaped
// paths), sni and insecure (see RedisTlsOptions); with Sentinel also sentinel_user and
// sentinel_password; with any scheme but unix:// also ssh, ssh_key, ssh_known_hosts and
// ssh_accept_new (see RedisSshOptions). A password never appears in a message or a log line:
// maskRedisUrl() replaces it with ***.
//
// Counters are batched in memory and added to the __meta hash with HINCRBY every
// RedisOptions::counter_flush_ops operations, every counter_flush_interval, on flush() and on
// destruction, so that other processes and the inspector see them. size() and
// stats().entries count the cache's keys with SCAN (O(keys in the database)), because a
// maintained counter drifts as Redis expires keys on its own.
//
// Thread safety: a RedisEngine is safe to use from many threads. Each hiredis connection
// is used by one thread at a time: the engine keeps a pool of up to
// RedisOptions::pool_size connections, and a call waits (at most the command timeout) for
// a free one. A broken connection is dropped and a new one opened on demand; after a
// failed connect, new attempts are refused (Unavailable) for a backoff delay that doubles
// up to RedisOptions::reconnect_backoff_max, so a dead server costs one connect timeout per
// backoff period, not one per call.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "twat_cache/engine.h"
#include "twat_cache/export.h"

namespace twat_cache {

// TLS to the server (rediss:// URLs). The server's certificate is verified against `ca_file`
// (else the system's trust store) and must name the host (a DNS name or an IP address, as
// given in the URL) unless `insecure`. Mutual TLS: `cert_file` and `key_file`.
struct RedisTlsOptions {
    bool enabled = false;   // rediss://
    std::string ca_file;    // ?ca= : PEM file of the CA(s) to trust; empty: the system's
    std::string cert_file;  // ?cert= : this client's certificate (PEM, chain allowed)
    std::string key_file;   // ?key= : its private key (PEM); default: cert_file
    std::string sni;        // ?sni= : server name sent and checked; default: the host
    bool insecure = false;  // ?insecure=1 : no verification at all (testing only)
};

// Redis Sentinel (redis+sentinel:// and rediss+sentinel:// URLs): each new connection asks
// the sentinels, in order, `SENTINEL get-master-addr-by-name service`, connects to the
// address given and checks with ROLE that it is a master. The URL's user and password log in
// to the master; sentinel_user and sentinel_password to the sentinels.
struct RedisSentinelOptions {
    std::vector<std::pair<std::string, int>> addresses;  // host, port (default 26379)
    std::string service;   // the master's name in the sentinels' configuration
    std::string user;      // ?sentinel_user= : ACL user at the sentinels; empty: default
    std::string password;  // ?sentinel_password= : empty: no AUTH at the sentinels

    bool enabled() const { return !service.empty(); }
};

// An SSH tunnel to the server (?ssh=user@host[:port]): the connection layer logs in to the SSH
// host (a bastion) and asks it to forward each connection to the URL's host and port, as
// `ssh -L` would; TLS and Sentinel work through it (names are resolved and, with TLS,
// verified as the URL gives them, from the SSH host's side). The SSH host's key must be in
// `known_hosts` (an unknown key is refused with its SHA256 fingerprint unless `accept_new`;
// a changed key is always refused). Login: the key file, else the SSH agent and the default
// keys (~/.ssh/id_*), else RedisOptions::ssh_password / OpenOptions::ssh_password. One SSH
// session serves every connection of an engine's pool (or of an inspection source).
// ~/.ssh/config is not read.
struct RedisSshOptions {
    std::string user;         // user of ?ssh=user@host; empty: the local user
    std::string host;         // SSH host; empty: no tunnel
    int port = 22;            // SSH port
    std::string key_file;     // ?ssh_key= : private key (unencrypted; encrypted keys: agent)
    std::string known_hosts;  // ?ssh_known_hosts= : empty: ~/.ssh/known_hosts
    bool accept_new = false;  // ?ssh_accept_new=1 : trust and record an unknown host key

    bool enabled() const { return !host.empty(); }
};

// Where a Redis server is and how to log in, as parsed from a URL.
struct RedisEndpoint {
    std::string host;  // TCP host (empty for a unix socket and for Sentinel)
    int port = 6379;   // TCP port
    // Further host:port addresses after the first (redis://h1:p1,h2:p2/...): a Redis Cluster's
    // nodes, tried in turn when the ones before cannot be reached.
    std::vector<std::pair<std::string, int>> seeds;
    std::string unix_path;  // socket path (empty for TCP)
    std::string user;       // Redis 6 ACL user; empty: the default user
    std::string password;   // empty: no AUTH
    int db = 0;             // SELECTed database
    std::optional<std::chrono::milliseconds> connect_timeout;  // from ?connect_timeout=
    std::optional<std::chrono::milliseconds> command_timeout;  // from ?timeout=
    std::optional<int> pool_size;                              // from ?pool_size=
    RedisTlsOptions tls;
    RedisSentinelOptions sentinel;  // enabled(): host and port are asked of the sentinels
    RedisSshOptions ssh;            // enabled(): every connection goes through the SSH host
};

// Parses a Redis URL (see above). InvalidArgument names the masked URL and what is wrong
// (TLS options on a redis:// or unix:// URL included).
TWAT_CACHE_EXPORT Result<RedisEndpoint> parseRedisUrl(std::string_view url);
// The URL with any password (userinfo, ?password= or ?sentinel_password=) replaced by ***.
TWAT_CACHE_EXPORT std::string maskRedisUrl(std::string_view url);

struct RedisOptions {
    // Bound on opening a TCP or unix connection (overridden by ?connect_timeout=).
    std::chrono::milliseconds connect_timeout{2000};
    // Bound on each command or pipeline read/write (overridden by ?timeout=).
    std::chrono::milliseconds command_timeout{2000};
    // Most connections open at once (overridden by ?pool_size=); at least 1.
    int pool_size = 4;
    // First delay after a failed connect before trying again; doubles on each failure.
    std::chrono::milliseconds reconnect_backoff_initial{50};
    // Largest reconnect delay.
    std::chrono::milliseconds reconnect_backoff_max{1000};
    // Counters are written to the __meta hash after this many operations ...
    std::uint32_t counter_flush_ops = 256;
    // ... or when this much time has passed since the oldest unwritten one (checked on each
    // call).
    std::chrono::milliseconds counter_flush_interval{1000};
    // Payloads shorter than this are stored uncompressed even when the cache compresses.
    std::size_t compress_min_bytes = 128;
    // Password of the SSH login when the URL asks for a tunnel (?ssh=) and neither a key nor
    // the agent is accepted. Never part of a URL (the inspector takes it from the keychain).
    std::string ssh_password;
};

// One entry of a setMany() batch.
struct KeyedRecord {
    Key key;
    Record record;
};

class TWAT_CACHE_EXPORT RedisEngine final : public Engine {
  public:
    // Connects (one connection, PING, AUTH and SELECT as the URL asks), registers the cache
    // in twat_cache:__caches and its __meta hash. config.redis_url must be set and config.name
    // non-empty. Errors: InvalidArgument (URL, db out of range), PermissionDenied (AUTH),
    // Unavailable (refused, closed, not a Redis server), Timeout (no answer in time).
    static Result<std::unique_ptr<RedisEngine>> open(const ResolvedConfig& config,
                                                     const RedisOptions& options = {});
    ~RedisEngine() override;  // flushes the counters (errors are logged)

    RedisEngine(const RedisEngine&) = delete;
    RedisEngine& operator=(const RedisEngine&) = delete;

    std::string_view kind() const override { return "redis"; }
    Capabilities capabilities() const override;
    Result<StoredValue> get(const Key& key) override;
    Status set(const Key& key, const Record& record) override;
    Result<bool> erase(const Key& key) override;
    Result<bool> contains(const Key& key) override;
    // SCAN MATCH + UNLINK in pipelined batches; other caches and __meta stay.
    Status clear() override;
    Result<std::uint64_t> size() override;
    Stats stats() override;
    // SCAN pages; each page's entries are described by PTTL, STRLEN and the envelope
    // header, fetched in one pipeline. Entries that vanish mid-scan are skipped.
    Result<ScanPage> scan(std::string_view cursor, std::size_t limit) override;
    Status flush() override;

    // One pipelined round trip for all keys; result i belongs to keys[i] (NotFound: absent).
    std::vector<Result<StoredValue>> getMany(std::span<const Key> keys);
    // One pipelined round trip for all records; the first failure is returned.
    Status setMany(std::span<const KeyedRecord> records);

    // The server URL with the password masked, for messages.
    const std::string& maskedUrl() const;

    class Impl;

  private:
    explicit RedisEngine(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace twat_cache
