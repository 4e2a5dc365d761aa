#include "redis_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <QStandardPaths>
#include <QStringList>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <vector>

#include "test_support.h"

namespace twat_cache::test {
namespace {

std::string redisServerProgram() {
    if (std::filesystem::exists("/usr/bin/redis-server")) return "/usr/bin/redis-server";
    const QString onPath = QStandardPaths::findExecutable("redis-server");
    return onPath.toStdString();
}

// Sends `request` and waits up to `timeoutMs` for a reply containing `expect`.
bool exchange(int fd, const std::string& request, const std::string& expect, int timeoutMs) {
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request.size())) {
        return false;
    }
    std::string got;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    while (std::chrono::steady_clock::now() < deadline && got.find(expect) == std::string::npos) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        char buf[256];
        const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) return false;
        got.append(buf, static_cast<std::size_t>(n));
    }
    return got.find(expect) != std::string::npos;
}

}  // namespace

bool RedisServer::available() {
    return !redisServerProgram().empty();
}

std::string RedisServer::skipReason() {
    return "redis-server not found; install it with `sudo apt-get install redis-server` "
           "(scripts/dev.sh run installs every test dependency)";
}

RedisServer::RedisServer() : RedisServer(Options{}) {}

RedisServer::RedisServer(Options options) : m_options(std::move(options)) {}

RedisServer::~RedisServer() {
    if (m_process) {
        m_process->terminate();
        if (!m_process->waitForFinished(5000)) kill();
    }
}

std::string RedisServer::unixPath() const {
    return (m_dir.path() / "redis.sock").string();
}

std::string RedisServer::url(int db) const {
    const std::string auth = m_options.password.empty() ? "" : ":" + m_options.password + "@";
    return "redis://" + auth + "127.0.0.1:" + std::to_string(m_port) + "/" + std::to_string(db);
}

std::string RedisServer::unixUrl(int db) const {
    std::string u = "unix://" + unixPath() + "?db=" + std::to_string(db);
    if (!m_options.password.empty()) u += "&password=" + m_options.password;
    return u;
}

std::string RedisServer::start() {
    const std::string program = redisServerProgram();
    if (program.empty()) return skipReason();
    if (!m_dir.ok()) return "cannot create a temporary folder";
    if (m_port < 0) m_port = freeLoopbackPort();
    if (m_port < 0) return "no free loopback port";
    QStringList args{"--port",       QString::number(m_port),
                     "--bind",       "127.0.0.1",
                     "--save",       "",
                     "--appendonly", "no",
                     "--daemonize",  "no",
                     "--dir",        QString::fromStdString(m_dir.path().string())};
    if (m_options.unix_socket) {
        args << "--unixsocket" << QString::fromStdString(unixPath()) << "--unixsocketperm"
             << "700";
    }
    if (!m_options.password.empty()) {
        args << "--requirepass" << QString::fromStdString(m_options.password);
    }
    if (!m_options.tls_cert.empty()) {
        if (m_tlsPort < 0) m_tlsPort = freeLoopbackPort();
        if (m_tlsPort < 0) return "no free loopback port for TLS";
        args << "--tls-port" << QString::number(m_tlsPort) << "--tls-cert-file"
             << QString::fromStdString(m_options.tls_cert) << "--tls-key-file"
             << QString::fromStdString(m_options.tls_key) << "--tls-ca-cert-file"
             << QString::fromStdString(m_options.tls_ca) << "--tls-auth-clients"
             << (m_options.tls_auth_clients ? "yes" : "no");
    }
    for (const auto& a : m_options.extra_args) args << QString::fromStdString(a);
    m_process = std::make_unique<QProcess>();
    m_process->setStandardOutputFile(QString::fromStdString((m_dir.path() / "redis.log").string()),
                                     QIODevice::Append);
    m_process->setStandardErrorFile(QString::fromStdString((m_dir.path() / "redis.log").string()),
                                    QIODevice::Append);
    dieWithTheTest(*m_process);
    m_process->start(QString::fromStdString(program), args);
    if (!m_process->waitForStarted(10000)) return "could not start " + program;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
        if (ping()) return {};
        if (m_process->state() == QProcess::NotRunning) break;
        m_process->waitForFinished(20);  // a bounded pause that also notices an early exit
    }
    return "redis-server on port " + std::to_string(m_port) + " did not answer PING (see " +
           (m_dir.path() / "redis.log").string() + ")";
}

void RedisServer::kill() {
    if (!m_process) return;
    m_process->kill();
    m_process->waitForFinished(5000);
    m_process.reset();
}

bool RedisServer::ping() const {
    const int fd = connectLoopback(m_port);
    if (fd < 0) return false;
    std::string request;
    if (!m_options.password.empty()) request += "AUTH " + m_options.password + "\r\n";
    request += "PING\r\n";
    const bool ok = exchange(fd, request, "+PONG", 1000);
    ::close(fd);
    return ok;
}

FakeTcpServer::FakeTcpServer(Mode mode, int answerPort) : m_mode(mode), m_answerPort(answerPort) {
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (m_fd < 0) return;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(m_fd, 16) != 0 ||
        ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        ::close(m_fd);
        m_fd = -1;
        return;
    }
    m_port = ntohs(addr.sin_port);
    // A stalling server needs no thread: the kernel completes handshakes into the backlog
    // and nobody ever reads.
    if (m_mode != Mode::kStall) m_thread = std::thread([this] { run(); });
}

FakeTcpServer::~FakeTcpServer() {
    m_stop = true;
    if (m_thread.joinable()) m_thread.join();
    if (m_fd >= 0) ::close(m_fd);
}

namespace {

// Splits whole RESP commands (arrays of bulk strings, as clients send them) off the front of
// `in`, returning the upper-cased command names.
std::vector<std::string> takeCommands(std::string& in) {
    std::vector<std::string> names;
    std::size_t pos = 0;
    while (pos < in.size() && in[pos] == '*') {
        std::size_t at = pos;
        auto line = [&](std::string& out) {
            const std::size_t end = in.find("\r\n", at);
            if (end == std::string::npos) return false;
            out = in.substr(at, end - at);
            at = end + 2;
            return true;
        };
        std::string header;
        if (!line(header)) break;
        const long count = std::strtol(header.c_str() + 1, nullptr, 10);
        std::string first;
        bool whole = true;
        for (long i = 0; i < count && whole; ++i) {
            std::string lenLine;
            if (!line(lenLine) || lenLine.empty() || lenLine[0] != '$') {
                whole = false;
                break;
            }
            const std::size_t len = std::strtoul(lenLine.c_str() + 1, nullptr, 10);
            if (in.size() < at + len + 2) {
                whole = false;
                break;
            }
            if (i == 0) first = in.substr(at, len);
            at += len + 2;
        }
        if (!whole) break;
        for (char& ch : first) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        names.push_back(first);
        pos = at;
    }
    in.erase(0, pos);
    return names;
}

}  // namespace

void FakeTcpServer::run() {
    struct Client {
        int fd;
        std::string in;
        bool dripping = false;
    };
    std::vector<Client> clients;
    auto send = [](int fd, std::string_view bytes) {
        ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    };
    const bool hostile =
        m_mode == Mode::kHugeArray || m_mode == Mode::kDripBulk || m_mode == Mode::kFakeSentinel;
    auto address = [this] {
        const std::string port = std::to_string(m_answerPort.load());
        return "*2\r\n$9\r\n127.0.0.1\r\n$" + std::to_string(port.size()) + "\r\n" + port + "\r\n";
    };
    while (!m_stop) {
        pollfd p{m_fd, POLLIN, 0};
        if (::poll(&p, 1, 20) > 0) {
            const int c = ::accept(m_fd, nullptr, nullptr);
            if (c >= 0 && m_mode == Mode::kHangUp) {
                ::close(c);
            } else if (c >= 0) {
                clients.push_back({c, {}, false});
            }
        }
        for (Client& c : clients) {
            if (c.dripping) send(c.fd, "x");  // one byte per 20 ms round
            pollfd q{c.fd, POLLIN, 0};
            if (::poll(&q, 1, 0) <= 0) continue;
            char buf[4096];
            const ssize_t n = ::recv(c.fd, buf, sizeof(buf), MSG_DONTWAIT);
            if (n <= 0) continue;
            if (!hostile) {
                send(c.fd, "HTTP/1.0 400 Bad Request\r\n\r\n");
                continue;
            }
            c.in.append(buf, static_cast<std::size_t>(n));
            for (const std::string& name : takeCommands(c.in)) {
                if (name == "PING") {
                    send(c.fd, "+PONG\r\n");
                } else if (name == "AUTH" || name == "SELECT" || name == "CLIENT") {
                    send(c.fd, "+OK\r\n");
                } else if (m_mode == Mode::kFakeSentinel) {
                    send(c.fd, name == "SENTINEL" ? address() : "-ERR unknown command\r\n");
                } else if (m_mode == Mode::kHugeArray) {
                    send(c.fd, "*2147483647\r\n");
                } else {
                    send(c.fd, "$104857600\r\n");
                    c.dripping = true;
                }
            }
        }
    }
    for (const Client& c : clients) ::close(c.fd);
}

}  // namespace twat_cache::test
