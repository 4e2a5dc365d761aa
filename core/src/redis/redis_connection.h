// RedisConnection: one hiredis connection (blocking, with timeouts) and RedisPool, the small
// set of them a RedisEngine shares between threads.
//
// A connection logs in on open (TLS handshake for rediss://, then AUTH, SELECT) and checks
// the peer with PING, in one round trip, so a port that is not Redis, a wrong password or a db
// out of range is reported at once; a Sentinel endpoint first finds its master
// (redis_sentinel.h). Transport failures mark the connection broken; the pool then drops it.
//
// Thread safety: a RedisConnection is used by one thread at a time (the pool hands it out
// through a Lease). RedisPool is thread-safe.
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <condition_variable>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "twat_cache/redis_engine.h"

namespace twat_cache::detail {

class TlsSession;
class SshTunnel;

struct ReplyDeleter {
    void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

inline std::string_view replyText(const redisReply& r) {
    return {r.str, static_cast<std::size_t>(r.len)};
}

// How a transport failure ended; kClosed failures of a reused connection are retried once.
// A master found through Sentinel that answers READONLY (a failover demoted it) counts as
// kClosed too: it is dropped and the call retried on a new connection, which asks the
// sentinels again.
enum class Failure { kNone, kClosed, kTimeout, kOther };

struct ConnectSettings {
    RedisEndpoint endpoint;
    std::string masked_url;
    std::chrono::milliseconds connect_timeout{2000};
    std::chrono::milliseconds command_timeout{2000};
    // endpoint.ssh.enabled(): the session every connection (and Sentinel query) goes through.
    std::shared_ptr<SshTunnel> ssh;
};

// Settings for `url`: the URL's timeouts, else these defaults; with ?ssh= the SSH session is
// opened here (bounded by the connect timeout), so its errors come first.
Result<ConnectSettings> connectSettings(std::string_view url,
                                        std::chrono::milliseconds connectTimeout,
                                        std::chrono::milliseconds commandTimeout,
                                        const std::string& sshPassword);

class RedisConnection {
  public:
    // With seed addresses (RedisEndpoint::seeds) the first one that can be reached is used.
    static Result<std::unique_ptr<RedisConnection>> open(const ConnectSettings& settings);
    ~RedisConnection();
    RedisConnection(const RedisConnection&) = delete;
    RedisConnection& operator=(const RedisConnection&) = delete;

    // Queues a command (binary-safe arguments); nothing is sent until a reply is read.
    void append(std::initializer_list<std::string_view> args);
    void append(const std::vector<std::string_view>& args);
    // Sends what is queued without waiting for replies (several servers then work on their
    // pipelines at once); read() and readMany() take the replies later.
    Status send(std::string_view doing = "pipeline");
    // Sends what is queued and reads the next reply. A Redis error reply is returned as a
    // reply (type REDIS_REPLY_ERROR); a transport failure as a Status, marking us broken.
    Result<ReplyPtr> read(std::string_view doing = "command");
    // Reads `n` replies (the first transport failure stops it).
    Result<std::vector<ReplyPtr>> readMany(std::size_t n, std::string_view doing = "pipeline");
    // append + read.
    Result<ReplyPtr> command(std::initializer_list<std::string_view> args);

    bool broken() const { return m_failure != Failure::kNone; }
    Failure failure() const { return m_failure; }

    // Which server this is when Sentinel chose it ("master HOST:PORT via sentinel SERVICE");
    // empty for a server named by the URL.
    const std::string& node() const { return m_node; }
    // Records node() for a master found through Sentinel; READONLY replies then break us.
    void markSentinelMaster(std::string node) { m_node = std::move(node); }

  private:
    RedisConnection(redisContext* ctx, const ConnectSettings& settings);
    // open() of one address (the endpoint's host and port; seeds are open()'s business).
    static Result<std::unique_ptr<RedisConnection>> openOne(const ConnectSettings& settings);
    Status transportError(std::string_view doing);
    // One reply within the command timeout and the reply limits (redis_reply_reader.h).
    Result<ReplyPtr> readOne(std::string_view doing);
    void appendArgv(const std::string_view* args, std::size_t count);

    redisContext* m_ctx;
    std::unique_ptr<TlsSession> m_tls;  // rediss://: the bytes go through it
    std::string m_maskedUrl;
    std::chrono::milliseconds m_timeout;
    Failure m_failure = Failure::kNone;
    std::string m_node;
};

// Maps a Redis error reply to a Status ("WRONGPASS ..." -> PermissionDenied, ...).
Status replyError(const redisReply& reply, std::string_view maskedUrl, std::string_view doing);

struct PoolSettings {
    ConnectSettings connect;
    int size = 4;
    std::chrono::milliseconds backoff_initial{50};
    std::chrono::milliseconds backoff_max{1000};
};

class RedisPool {
  public:
    explicit RedisPool(PoolSettings settings) : m_settings(std::move(settings)) {}

    // A connection on loan; returned to the pool when the lease ends, or dropped if broken.
    class Lease {
      public:
        Lease(RedisPool* pool, std::unique_ptr<RedisConnection> conn, bool reused)
            : m_pool(pool), m_conn(std::move(conn)), m_reused(reused) {}
        Lease(Lease&& o) noexcept = default;
        Lease& operator=(Lease&&) = delete;
        ~Lease();
        RedisConnection& operator*() const { return *m_conn; }
        RedisConnection* operator->() const { return m_conn.get(); }
        // Whether the connection came from the pool (it may have gone stale since).
        bool reused() const { return m_reused; }

      private:
        RedisPool* m_pool;
        std::unique_ptr<RedisConnection> m_conn;
        bool m_reused;
    };

    // An idle connection, else a new one (unless a reconnect backoff is running), else waits
    // up to the command timeout for one to come back.
    Result<Lease> acquire();

    const PoolSettings& settings() const { return m_settings; }

  private:
    void giveBack(std::unique_ptr<RedisConnection> conn);

    const PoolSettings m_settings;
    std::mutex m_mutex;
    std::condition_variable m_returned;
    std::vector<std::unique_ptr<RedisConnection>> m_idle;  // guarded by m_mutex
    int m_open = 0;                                        // guarded by m_mutex
    std::string m_node;  // node() of the newest connection (Sentinel); guarded by m_mutex
    std::chrono::milliseconds m_backoff{0};             // guarded by m_mutex
    std::chrono::steady_clock::time_point m_retryAt{};  // guarded by m_mutex
    Status m_lastError;                                 // guarded by m_mutex
};

}  // namespace twat_cache::detail
