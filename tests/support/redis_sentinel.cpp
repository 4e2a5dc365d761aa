#include "redis_sentinel.h"

#include <hiredis/hiredis.h>

#include <QStandardPaths>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <thread>

#include "test_support.h"

namespace twat_cache::test {
namespace {

using Clock = std::chrono::steady_clock;

struct ReplyDeleter {
    void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

std::string sentinelProgram() {
    if (std::filesystem::exists("/usr/bin/redis-sentinel")) return "/usr/bin/redis-sentinel";
    return QStandardPaths::findExecutable("redis-sentinel").toStdString();
}

// One command to 127.0.0.1:`port` (after AUTH `password` unless empty), each step bounded
// by 1 s; null on any failure.
Reply query(int port, const std::vector<std::string>& args, const std::string& password = {}) {
    const timeval second{1, 0};
    redisContext* ctx = redisConnectWithTimeout("127.0.0.1", port, second);
    if (ctx == nullptr) return nullptr;
    Reply reply;
    if (ctx->err == 0 && redisSetTimeout(ctx, second) == REDIS_OK && !password.empty()) {
        freeReplyObject(redisCommand(ctx, "AUTH %s", password.c_str()));
    }
    if (ctx->err == 0) {
        std::vector<const char*> argv;
        std::vector<std::size_t> lens;
        for (const auto& a : args) {
            argv.push_back(a.data());
            lens.push_back(a.size());
        }
        reply.reset(static_cast<redisReply*>(
            redisCommandArgv(ctx, static_cast<int>(args.size()), argv.data(), lens.data())));
    }
    redisFree(ctx);
    return reply;
}

std::string_view text(const redisReply& r) {
    return {r.str, static_cast<std::size_t>(r.len)};
}

// The value of `field` in a flat [name, value, ...] array reply, or "".
std::string_view field(const redisReply& pairs, std::string_view name) {
    for (std::size_t i = 0; i + 1 < pairs.elements; i += 2) {
        if (pairs.element[i]->type == REDIS_REPLY_STRING && text(*pairs.element[i]) == name &&
            pairs.element[i + 1]->type == REDIS_REPLY_STRING) {
            return text(*pairs.element[i + 1]);
        }
    }
    return {};
}

// Polls `done` every 50 ms until it holds or `timeout` passes.
template <class F>
bool waitFor(F&& done, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (true) {
        if (done()) return true;
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // poll interval
    }
}

}  // namespace

bool RedisSentinelGroup::available() {
    return RedisServer::available() && !sentinelProgram().empty();
}

std::string RedisSentinelGroup::skipReason() {
    return "redis-server or redis-sentinel not found; install them with `sudo apt-get install "
           "redis-server redis-sentinel` (scripts/dev.sh run installs every test dependency)";
}

RedisSentinelGroup::RedisSentinelGroup() : RedisSentinelGroup(Options{}) {}

RedisSentinelGroup::RedisSentinelGroup(Options options) : m_options(std::move(options)) {}

RedisSentinelGroup::~RedisSentinelGroup() {
    // Sentinels first, so that they do not fail over while the servers stop.
    for (auto& p : m_sentinels) {
        p->terminate();
        if (!p->waitForFinished(5000)) {
            p->kill();
            p->waitForFinished(5000);
        }
    }
}

std::string RedisSentinelGroup::url(int db) const {
    const bool tls = !m_options.tls_pki.empty();
    std::string u = tls ? "rediss+sentinel://" : "redis+sentinel://";
    if (!m_options.master_password.empty()) u += ":" + m_options.master_password + "@";
    const std::vector<int>& ports = tls ? m_sentinelTlsPorts : m_sentinelPorts;
    for (std::size_t i = 0; i < ports.size(); ++i) {
        u += (i == 0 ? "" : ",") + std::string("127.0.0.1:") + std::to_string(ports[i]);
    }
    u += "/" + std::string(kService) + "/" + std::to_string(db);
    char sep = '?';
    if (!m_options.sentinel_password.empty()) {
        u += sep + std::string("sentinel_password=") + m_options.sentinel_password;
        sep = '&';
    }
    if (tls) u += sep + ("ca=" + (m_options.tls_pki / "ca.pem").string());
    return u;
}

std::string RedisSentinelGroup::nodeText(int port) {
    return "master 127.0.0.1:" + std::to_string(port) + " via sentinel " + kService;
}

Result<std::unique_ptr<Source>> openUrlSource(const std::string& url) {
    auto info = Discovery::identifyUrl(url);
    if (!info.ok()) return info.status();
    OpenOptions o;
    o.audit = false;
    return Discovery::open(*info, o);
}

int RedisSentinelGroup::monitoredPort(const RedisServer& server) const {
    return m_options.tls_pki.empty() ? server.port() : server.tlsPort();
}

std::string RedisSentinelGroup::start() {
    if (!available()) return skipReason();
    RedisServer::Options o;
    o.password = m_options.master_password;
    // Redis 7 waits 5 s for more replicas before a diskless full sync; one is all there is.
    o.extra_args = {"--repl-diskless-sync-delay", "0"};
    if (!o.password.empty()) o.extra_args.insert(o.extra_args.end(), {"--masterauth", o.password});
    if (!m_options.tls_pki.empty()) {
        o.tls_cert = (m_options.tls_pki / "server.pem").string();
        o.tls_key = (m_options.tls_pki / "server.key").string();
        o.tls_ca = (m_options.tls_pki / "ca.pem").string();
        o.extra_args.insert(o.extra_args.end(), {"--tls-replication", "yes"});
    }
    m_master = std::make_unique<RedisServer>(o);
    if (std::string e = m_master->start(); !e.empty()) return "master: " + e;
    o.extra_args.insert(o.extra_args.end(),
                        {"--replicaof", "127.0.0.1", std::to_string(monitoredPort(*m_master))});
    m_replica = std::make_unique<RedisServer>(o);
    if (std::string e = m_replica->start(); !e.empty()) return "replica: " + e;
    const bool synced = waitFor(
        [&] {
            Reply r = query(m_replica->port(), {"INFO", "replication"}, o.password);
            return r && r->type == REDIS_REPLY_STRING &&
                   text(*r).find("master_link_status:up") != std::string_view::npos;
        },
        std::chrono::seconds(10));
    if (!synced) return "the replica did not sync with the master within 10 s";
    for (int i = 0; i < m_options.sentinels; ++i) {
        if (std::string e = startSentinel(static_cast<std::size_t>(i)); !e.empty()) return e;
    }
    for (const int port : m_sentinelPorts) {
        if (!waitFor([&] { return sentinelKnowsReplica(port); }, std::chrono::seconds(10))) {
            return "sentinel on port " + std::to_string(port) +
                   " did not see the replica within 10 s";
        }
        // A failover needs the votes of a majority: each sentinel must know the others (they
        // meet through the master's hello channel, every 2 s).
        const auto others = static_cast<std::size_t>(m_options.sentinels - 1);
        const bool met = waitFor(
            [&] {
                Reply r =
                    query(port, {"SENTINEL", "sentinels", kService}, m_options.sentinel_password);
                return r && r->type == REDIS_REPLY_ARRAY && r->elements == others;
            },
            std::chrono::seconds(10));
        if (!met) {
            return "sentinel on port " + std::to_string(port) +
                   " did not meet the other sentinels within 10 s";
        }
    }
    return {};
}

std::string RedisSentinelGroup::startSentinel(std::size_t i) {
    m_dirs.push_back(std::make_unique<TempDir>());
    const TempDir& dir = *m_dirs.back();
    if (!dir.ok()) return "cannot create a temporary folder";
    const int port = freeLoopbackPort();
    const int tlsPort = m_options.tls_pki.empty() ? 0 : freeLoopbackPort();
    if (port < 0 || tlsPort < 0) return "no free loopback port";
    const std::filesystem::path conf = dir.path() / "sentinel.conf";
    {
        std::ofstream out(conf);
        out << "port " << port << "\nbind 127.0.0.1\ndaemonize no\ndir " << dir.path().string()
            << "\nsentinel monitor " << kService << " 127.0.0.1 " << monitoredPort(*m_master)
            << " 1\nsentinel down-after-milliseconds " << kService
            << " 1000\nsentinel failover-timeout " << kService << " 5000\n";
        if (!m_options.master_password.empty())
            out << "sentinel auth-pass " << kService << " " << m_options.master_password << "\n";
        if (!m_options.sentinel_password.empty())
            out << "requirepass " << m_options.sentinel_password << "\n";
        if (!m_options.tls_pki.empty()) {  // the plain port stays, for the fixture's checks
            const std::filesystem::path& pki = m_options.tls_pki;
            out << "tls-port " << tlsPort << "\ntls-cert-file " << (pki / "server.pem").string()
                << "\ntls-key-file " << (pki / "server.key").string() << "\ntls-ca-cert-file "
                << (pki / "ca.pem").string() << "\ntls-auth-clients no\ntls-replication yes\n";
        }
        if (!out) return "cannot write " + conf.string();
    }
    auto process = std::make_unique<QProcess>();
    const QString log = QString::fromStdString((dir.path() / "sentinel.log").string());
    process->setStandardOutputFile(log, QIODevice::Append);
    process->setStandardErrorFile(log, QIODevice::Append);
    dieWithTheTest(*process);
    process->start(QString::fromStdString(sentinelProgram()),
                   {QString::fromStdString(conf.string())});
    if (!process->waitForStarted(10000)) return "could not start redis-sentinel";
    m_sentinels.push_back(std::move(process));
    m_sentinelPorts.push_back(port);
    if (tlsPort != 0) m_sentinelTlsPorts.push_back(tlsPort);
    const bool up = waitFor(
        [&] {
            Reply r = query(port, {"PING"}, m_options.sentinel_password);
            return r && r->type == REDIS_REPLY_STATUS && text(*r) == "PONG";
        },
        std::chrono::seconds(10));
    if (!up) {
        return "sentinel " + std::to_string(i) + " on port " + std::to_string(port) +
               " did not answer PING (see " + log.toStdString() + ")";
    }
    return {};
}

bool RedisSentinelGroup::sentinelKnowsReplica(int sentinelPort) const {
    Reply r = query(sentinelPort, {"SENTINEL", "replicas", kService}, m_options.sentinel_password);
    if (!r || r->type != REDIS_REPLY_ARRAY) return false;
    const std::string replicaPort = std::to_string(monitoredPort(*m_replica));
    for (std::size_t i = 0; i < r->elements; ++i) {
        const redisReply& one = *r->element[i];
        if (one.type == REDIS_REPLY_ARRAY && field(one, "port") == replicaPort &&
            field(one, "flags") == "slave" && field(one, "master-link-status") == "ok") {
            return true;
        }
    }
    return false;
}

int RedisSentinelGroup::reportedMasterPort() const {
    for (const int port : m_sentinelPorts) {
        Reply r = query(port, {"SENTINEL", "get-master-addr-by-name", kService},
                        m_options.sentinel_password);
        if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
            r->element[1]->type == REDIS_REPLY_STRING) {
            return std::stoi(std::string(text(*r->element[1])));
        }
    }
    return -1;
}

int RedisSentinelGroup::waitForMasterOtherThan(int port, std::chrono::milliseconds timeout) const {
    int now = -1;
    waitFor(
        [&] {
            now = reportedMasterPort();
            return now > 0 && now != port;
        },
        timeout);
    return now > 0 && now != port ? now : -1;
}

}  // namespace twat_cache::test
