#include "redis/redis_connection.h"

#include <pthread.h>
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "redis/redis_reply_reader.h"
#include "redis/redis_sentinel.h"
#include "redis/redis_ssh_tunnel.h"
#include "redis/redis_tls.h"
#include "util/log_internal.h"

namespace twat_cache::detail {
namespace {

// hiredis writes with write(2): a peer that went away would raise SIGPIPE and kill the
// process. Block it on this thread for the duration of a call and swallow the one we caused,
// rather than changing the process-wide disposition behind the application's back.
class SigpipeGuard {
  public:
    SigpipeGuard() {
        sigemptyset(&m_pipe);
        sigaddset(&m_pipe, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &m_pipe, &m_old);
        m_wasBlocked = sigismember(&m_old, SIGPIPE) == 1;
    }
    ~SigpipeGuard() {
        if (m_wasBlocked) return;
        sigset_t pending;
        sigemptyset(&pending);
        if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1) {
            const timespec zero{};
            sigtimedwait(&m_pipe, nullptr, &zero);
        }
        pthread_sigmask(SIG_SETMASK, &m_old, nullptr);
    }
    SigpipeGuard(const SigpipeGuard&) = delete;
    SigpipeGuard& operator=(const SigpipeGuard&) = delete;

  private:
    sigset_t m_pipe{};
    sigset_t m_old{};
    bool m_wasBlocked = false;
};

timeval toTimeval(std::chrono::milliseconds ms) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
    return tv;
}

bool contains(std::string_view text, std::string_view needle) {
    return text.find(needle) != std::string_view::npos;
}

// Classifies a hiredis context error (errno may be stale by now, so the text decides).
Failure classify(int err, std::string_view text) {
    if (err == REDIS_ERR_EOF) return Failure::kClosed;
    if (err == REDIS_ERR_IO) {
        if (contains(text, "timed out") || contains(text, "temporarily unavailable") ||
            contains(text, "in progress")) {
            return Failure::kTimeout;
        }
        if (contains(text, "reset by peer") || contains(text, "Broken pipe"))
            return Failure::kClosed;
    }
    return Failure::kOther;
}

Status failureStatus(Failure f, int err, std::string_view text, std::string_view url,
                     std::chrono::milliseconds timeout, std::string_view doing) {
    const std::string where = "redis " + std::string(url) + ": " + std::string(doing) + ": ";
    switch (f) {
        case Failure::kTimeout:
            return Status::timeout(where + "no answer within " + std::to_string(timeout.count()) +
                                   " ms");
        case Failure::kClosed:
            return Status::unavailable(where + "the server closed the connection (" +
                                       std::string(text) + ")");
        case Failure::kNone:
        case Failure::kOther:
            break;
    }
    if (err == REDIS_ERR_PROTOCOL) {
        return Status::unavailable(where + "not a Redis server (" + std::string(text) + ")");
    }
    if (contains(text, "refused")) return Status::unavailable(where + "connection refused");
    return Status::unavailable(where + std::string(text));
}

}  // namespace

Status replyError(const redisReply& reply, std::string_view maskedUrl, std::string_view doing) {
    const std::string_view text = replyText(reply);
    const std::string msg =
        "redis " + std::string(maskedUrl) + ": " + std::string(doing) + ": " + std::string(text);
    if (text.starts_with("NOPERM")) {
        // An ACL user without the right (Redis 6+): say so in words, with the server's own.
        return Status::permissionDenied("redis " + std::string(maskedUrl) + ": " +
                                        std::string(doing) + ": not permitted by the server (" +
                                        std::string(text) + ")");
    }
    if (text.starts_with("WRONGPASS") || text.starts_with("NOAUTH") || text.starts_with("NOPERM") ||
        contains(text, "invalid password") || contains(text, "without any password") ||
        contains(text, "invalid username")) {
        return Status::permissionDenied(msg);
    }
    if (contains(text, "SELECT is not allowed in cluster mode")) {
        return Status::invalidArgument("redis " + std::string(maskedUrl) + ": " +
                                       std::string(doing) +
                                       ": this server is a Redis Cluster node, which has only "
                                       "database 0 (" + std::string(text) + ")");
    }
    if (text.starts_with("MOVED ") || text.starts_with("ASK ")) {
        // Routing handles these on a detected cluster: this one went undetected.
        return Status::unavailable(
            msg + " (a Redis Cluster node, but the cluster was not detected: the user may lack "
                  "the right to run CLUSTER SLOTS; grant it with +cluster|slots)");
    }
    if (text.starts_with("CLUSTERDOWN")) {
        return Status::unavailable(msg + " (the cluster cannot serve this key now)");
    }
    if (contains(text, "DB index is out of range") || text.starts_with("ERR invalid DB")) {
        return Status::invalidArgument(msg);
    }
    if (text.starts_with("LOADING") || text.starts_with("MASTERDOWN") ||
        text.starts_with("READONLY")) {
        return Status::unavailable(msg);
    }
    if (text.starts_with("OOM") || text.starts_with("BUSY")) return Status::busy(msg);
    return Status::ioError(msg);
}

Result<ConnectSettings> connectSettings(std::string_view url,
                                        std::chrono::milliseconds connectTimeout,
                                        std::chrono::milliseconds commandTimeout,
                                        const std::string& sshPassword) {
    auto endpoint = parseRedisUrl(url);
    if (!endpoint.ok()) return endpoint.status();
    ConnectSettings s;
    s.endpoint = std::move(*endpoint);
    s.masked_url = maskRedisUrl(url);
    s.connect_timeout = s.endpoint.connect_timeout.value_or(connectTimeout);
    s.command_timeout = s.endpoint.command_timeout.value_or(commandTimeout);
    if (s.endpoint.ssh.enabled()) {
        auto tunnel = SshTunnel::open(s.endpoint.ssh, sshPassword, s.connect_timeout);
        if (!tunnel.ok()) return tunnel.status().withContext("redis " + s.masked_url);
        s.ssh = std::move(*tunnel);
    }
    return s;
}

namespace {

// A hiredis context on a fresh connection: direct, or through the SSH tunnel.
Result<redisContext*> connectContext(const ConnectSettings& s, const timeval& connectTv) {
    const RedisEndpoint& ep = s.endpoint;
    if (s.ssh) {
        auto fd = s.ssh->connect(ep.host, ep.port, s.connect_timeout);
        if (!fd.ok()) return fd.status().withContext("redis " + s.masked_url);
        redisContext* ctx = redisConnectFd(*fd);
        if (ctx == nullptr) ::close(*fd);
        return ctx;
    }
    return ep.unix_path.empty() ? redisConnectWithTimeout(ep.host.c_str(), ep.port, connectTv)
                                : redisConnectUnixWithTimeout(ep.unix_path.c_str(), connectTv);
}

}  // namespace

Result<std::unique_ptr<RedisConnection>> RedisConnection::open(const ConnectSettings& s) {
    if (s.endpoint.sentinel.enabled()) return openViaSentinel(s);
    if (s.endpoint.seeds.empty()) return openOne(s);
    // A seed list: the first address that answers; a refusal by a server that answered
    // (password, TLS, not Redis) is final, as it would be the same at the next address.
    auto conn = openOne(s);
    std::string unreachable;
    for (const auto& [host, port] : s.endpoint.seeds) {
        const StatusCode code = conn.ok() ? StatusCode::kOk : conn.status().code();
        if (code != StatusCode::kUnavailable && code != StatusCode::kTimeout) break;
        unreachable += (unreachable.empty() ? "" : "; ") + conn.status().message();
        ConnectSettings next = s;
        next.endpoint.host = host;
        next.endpoint.port = port;
        next.endpoint.seeds.clear();
        conn = openOne(next);
    }
    if (conn.ok() || unreachable.empty()) return conn;
    return conn.status().withContext(unreachable + "; then");
}

Result<std::unique_ptr<RedisConnection>> RedisConnection::openOne(const ConnectSettings& s) {
    const RedisEndpoint& ep = s.endpoint;
    const timeval connectTv = toTimeval(s.connect_timeout);
    auto connected = connectContext(s, connectTv);
    if (!connected.ok()) return connected.status();
    redisContext* ctx = *connected;
    if (ctx == nullptr) return Status::unavailable("redis " + s.masked_url + ": out of memory");
    if (ctx->err != 0) {
        const std::string text = ctx->errstr;
        const int err = ctx->err;
        redisFree(ctx);
        const Failure f = classify(err, text);
        return failureStatus(f, err, text, s.masked_url, s.connect_timeout, "connect");
    }
    std::unique_ptr<TlsSession> tls;
    if (ep.tls.enabled) {
        // The handshake is bounded by the connect timeout, on the blocking socket.
        if (redisSetTimeout(ctx, connectTv) != REDIS_OK) {
            redisFree(ctx);
            return Status::unavailable("redis " + s.masked_url + ": cannot set the socket timeout");
        }
        SigpipeGuard guard;
        auto session = TlsSession::start(ctx, ep, s.masked_url, s.connect_timeout);
        if (!session.ok()) {
            redisFree(ctx);
            return session.status();
        }
        tls = std::move(*session);
    }
    if (redisSetTimeout(ctx, toTimeval(s.command_timeout)) != REDIS_OK) {
        tls.reset();
        redisFree(ctx);
        return Status::unavailable("redis " + s.masked_url + ": cannot set the socket timeout");
    }
    if (ep.unix_path.empty() && !s.ssh) redisEnableKeepAlive(ctx);  // not on a socketpair
    boundReplyReader(ctx);
    std::unique_ptr<RedisConnection> conn(new RedisConnection(ctx, s));
    conn->m_tls = std::move(tls);

    // AUTH, SELECT and PING in one round trip.
    std::vector<std::string_view> steps;
    // A user without a password still logs in as that user (an ACL user with `nopass`
    // accepts any password): never silently as the default user.
    if (!ep.password.empty() || !ep.user.empty()) {
        if (ep.user.empty())
            conn->append({"AUTH", ep.password});
        else
            conn->append({"AUTH", ep.user, ep.password});
        steps.emplace_back("AUTH");
    }
    const std::string db = std::to_string(ep.db);
    if (ep.db != 0) {
        conn->append({"SELECT", db});
        steps.emplace_back("SELECT");
    }
    conn->append({"PING"});
    steps.emplace_back("PING");
    auto replies = conn->readMany(steps.size(), "handshake");
    if (!replies.ok()) {
        if (!ep.tls.enabled && conn->failure() == Failure::kClosed) {
            // A TLS-only port drops a plain client at its first bytes.
            return Status::unavailable(replies.status().message() +
                                       "; if the server expects TLS, use rediss://");
        }
        if (ep.tls.enabled && ep.tls.cert_file.empty() && conn->failure() == Failure::kClosed) {
            // TLS 1.3 finishes the client's side of the handshake before the server checks
            // for a client certificate; its refusal arrives as a closed connection.
            return Status::unavailable(
                replies.status().message() +
                " right after the TLS handshake: the server may require a client certificate "
                "(give one with ?cert=PATH&key=PATH, or twat-cache --tls-cert PATH --tls-key "
                "PATH)");
        }
        return replies.status();
    }
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const redisReply& r = *(*replies)[i];
        if (r.type == REDIS_REPLY_ERROR) {
            std::string doing = std::string(steps[i]);
            if (steps[i] == "AUTH") doing += ep.user.empty() ? "" : " as user " + ep.user;
            if (steps[i] == "SELECT") doing += " db " + db;
            return replyError(r, s.masked_url, doing);
        }
    }
    const redisReply& pong = *(*replies).back();
    if (pong.type != REDIS_REPLY_STATUS || replyText(pong) != "PONG") {
        return Status::unavailable("redis " + s.masked_url +
                                   ": not a Redis server (PING was not answered with PONG)");
    }
    return conn;
}

RedisConnection::RedisConnection(redisContext* ctx, const ConnectSettings& settings)
    : m_ctx(ctx), m_maskedUrl(settings.masked_url), m_timeout(settings.command_timeout) {}

RedisConnection::~RedisConnection() {
    m_tls.reset();  // before the socket it runs on closes
    redisFree(m_ctx);
}

void RedisConnection::append(std::initializer_list<std::string_view> args) {
    // Straight from the list: a pipeline appends one command per key, and a temporary
    // vector here was one heap allocation per key.
    appendArgv(args.begin(), args.size());
}

void RedisConnection::append(const std::vector<std::string_view>& args) {
    appendArgv(args.data(), args.size());
}

void RedisConnection::appendArgv(const std::string_view* args, std::size_t count) {
    constexpr std::size_t kInline = 8;
    const char* argvInline[kInline];
    std::size_t lenInline[kInline];
    std::vector<const char*> argvHeap;
    std::vector<std::size_t> lenHeap;
    const char** argv = argvInline;
    std::size_t* lens = lenInline;
    if (count > kInline) {
        argvHeap.resize(count);
        lenHeap.resize(count);
        argv = argvHeap.data();
        lens = lenHeap.data();
    }
    for (std::size_t i = 0; i < count; ++i) {
        argv[i] = args[i].data();
        lens[i] = args[i].size();
    }
    // Only fails on out-of-memory, which the next read reports through m_ctx->err.
    redisAppendCommandArgv(m_ctx, static_cast<int>(count), argv, lens);
}

Status RedisConnection::transportError(std::string_view doing) {
    const std::string text = m_ctx->errstr;
    m_failure = classify(m_ctx->err, text);
    if (m_failure == Failure::kNone) m_failure = Failure::kOther;
    return failureStatus(m_failure, m_ctx->err, text, m_maskedUrl, m_timeout, doing);
}

Result<ReplyPtr> RedisConnection::readOne(std::string_view doing) {
    void* raw = nullptr;
    std::string detail;
    // Each reply has the whole command timeout, however the server paces its bytes.
    const auto deadline = std::chrono::steady_clock::now() + m_timeout;
    switch (readReply(m_ctx, deadline, ReplyLimits{}, &raw, detail, m_tls.get())) {
        case ReadOutcome::kReply: {
            ReplyPtr reply(static_cast<redisReply*>(raw));
            // A master Sentinel chose that a failover demoted since: drop us once the pipeline
            // is read, so that the pool's next connection asks the sentinels again.
            if (!m_node.empty() && reply->type == REDIS_REPLY_ERROR &&
                replyText(*reply).starts_with("READONLY")) {
                m_failure = Failure::kClosed;
            }
            return reply;
        }
        case ReadOutcome::kTimeout:
            m_failure = Failure::kTimeout;
            return Status::timeout(
                "redis " + m_maskedUrl + ": " + std::string(doing) +
                (detail.empty() ? ": no answer within " : ": no complete answer within ") +
                std::to_string(m_timeout.count()) + " ms" +
                (detail.empty() ? "" : " (" + detail + ")"));
        case ReadOutcome::kTooLarge:
            m_failure = Failure::kOther;
            return Status::corruption("redis " + m_maskedUrl + ": " + std::string(doing) + ": " +
                                      detail + "; refused (a broken or hostile server?)");
        case ReadOutcome::kTransport:
            break;
    }
    return transportError(doing);
}

Status RedisConnection::send(std::string_view doing) {
    if (broken()) return Status::unavailable("redis " + m_maskedUrl + ": connection is broken");
    SigpipeGuard guard;
    std::string detail;
    switch (writePending(m_ctx, std::chrono::steady_clock::now() + m_timeout, detail, m_tls.get())) {
        case ReadOutcome::kReply:
            return {};
        case ReadOutcome::kTimeout:
            m_failure = Failure::kTimeout;
            return Status::timeout("redis " + m_maskedUrl + ": " + std::string(doing) + ": " + detail);
        default:
            return transportError(doing);
    }
}

Result<ReplyPtr> RedisConnection::read(std::string_view doing) {
    if (broken()) return Status::unavailable("redis " + m_maskedUrl + ": connection is broken");
    SigpipeGuard guard;
    return readOne(doing);
}

Result<std::vector<ReplyPtr>> RedisConnection::readMany(std::size_t n, std::string_view doing) {
    if (broken()) return Status::unavailable("redis " + m_maskedUrl + ": connection is broken");
    SigpipeGuard guard;
    std::vector<ReplyPtr> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        auto reply = readOne(doing);
        if (!reply.ok()) return reply.status();
        out.push_back(std::move(*reply));
    }
    return out;
}

Result<ReplyPtr> RedisConnection::command(std::initializer_list<std::string_view> args) {
    append(args);
    return read(*args.begin());
}

RedisPool::Lease::~Lease() {
    if (m_pool != nullptr && m_conn) m_pool->giveBack(std::move(m_conn));
}

void RedisPool::giveBack(std::unique_ptr<RedisConnection> conn) {
    {
        std::lock_guard lock(m_mutex);
        if (conn->broken() || conn->node() != m_node) {  // broken, or on a former master
            --m_open;
        } else {
            m_idle.push_back(std::move(conn));
        }
    }
    m_returned.notify_one();
}

Result<RedisPool::Lease> RedisPool::acquire() {
    using Clock = std::chrono::steady_clock;
    std::unique_lock lock(m_mutex);
    const auto deadline = Clock::now() + m_settings.connect.command_timeout;
    while (true) {
        if (!m_idle.empty()) {
            auto conn = std::move(m_idle.back());
            m_idle.pop_back();
            return Lease(this, std::move(conn), true);
        }
        if (m_open < m_settings.size) break;
        if (m_returned.wait_until(lock, deadline) == std::cv_status::timeout && m_idle.empty() &&
            m_open >= m_settings.size) {
            return Status::timeout("redis " + m_settings.connect.masked_url + ": all " +
                                   std::to_string(m_settings.size) +
                                   " connections stayed busy past the command timeout");
        }
    }
    const auto now = Clock::now();
    if (now < m_retryAt) {
        const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(m_retryAt - now);
        return m_lastError.withContext("not reconnecting for another " +
                                       std::to_string(wait.count()) + " ms after");
    }
    ++m_open;
    lock.unlock();
    auto conn = RedisConnection::open(m_settings.connect);
    lock.lock();
    if (!conn.ok()) {
        --m_open;
        m_backoff = m_backoff.count() == 0 ? m_settings.backoff_initial
                                           : std::min(2 * m_backoff, m_settings.backoff_max);
        m_retryAt = Clock::now() + m_backoff;
        if (m_lastError.code() != conn.status().code()) {
            logger().warn("{} (retrying in {} ms at the earliest)", conn.status().toString(),
                          m_backoff.count());
        }
        m_lastError = conn.status();
        lock.unlock();
        m_returned.notify_one();
        return conn.status();
    }
    if (m_backoff.count() != 0)
        logger().info("redis {}: reconnected", m_settings.connect.masked_url);
    if ((*conn)->node() != m_node) {
        // Sentinel named another master: idle connections to the former one go.
        if (!m_node.empty()) {
            logger().info("redis {}: now on the {} (was the {})", m_settings.connect.masked_url,
                          (*conn)->node(), m_node);
        }
        m_open -= static_cast<int>(m_idle.size());
        m_idle.clear();
        m_node = (*conn)->node();
    }
    m_backoff = std::chrono::milliseconds{0};
    m_retryAt = {};
    m_lastError = Status();
    return Lease(this, std::move(*conn), false);
}

}  // namespace twat_cache::detail
