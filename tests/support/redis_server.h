// Test fixtures for the Redis engine: a real redis-server on a free loopback port (and
// optionally a unix socket and a password), and FakeTcpServer, a listening socket that
// is not Redis (it stalls, sends garbage or hangs up) for the error-path tests.
//
// RedisServer runs /usr/bin/redis-server (else redis-server on PATH) with no persistence in
// a temporary folder, waits (bounded) until PING answers, and stops it when destroyed. It can
// be killed and started again on the same port. When redis-server is missing, available()
// is false and skipReason() says how to install it: tests QSKIP with that text.
//
// Thread safety: none; use each fixture from the test thread (FakeTcpServer runs its own
// thread internally).
#pragma once

#include <QProcess>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "test_support.h"

namespace twat_cache::test {

class RedisServer {
  public:
    struct Options {
        bool unix_socket = false;  // also listen on <tempdir>/redis.sock
        std::string password{};    // --requirepass when not empty
        // TLS on a second port (tlsPort()) when `tls_cert` is set; the plain port stays.
        // (In-class initializers: designated-initializer users need not name every field.)
        std::string tls_cert{}, tls_key{}, tls_ca{};
        bool tls_auth_clients = false;          // require a client certificate signed by tls_ca
        std::vector<std::string> extra_args{};  // further redis-server arguments
    };

    // Whether a redis-server program exists.
    static bool available();
    // "redis-server not found; install it with: sudo apt-get install redis-server ...".
    static std::string skipReason();

    RedisServer();
    explicit RedisServer(Options options);
    ~RedisServer();
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    // Starts the server (on the same port as before after a kill) and waits until it answers
    // PING, at most 10 s. Returns an empty string on success, else what went wrong.
    std::string start();
    // SIGKILLs the server and waits for it to exit.
    void kill();

    int port() const { return m_port; }
    int tlsPort() const { return m_tlsPort; }
    std::string unixPath() const;
    // redis://127.0.0.1:<port>/<db> (with the password when the server has one).
    std::string url(int db = 0) const;
    // unix://<socket>?db=<db>
    std::string unixUrl(int db = 0) const;

  private:
    bool ping() const;

    Options m_options;
    TempDir m_dir;
    int m_port = -1;
    int m_tlsPort = -1;
    std::unique_ptr<QProcess> m_process;
};

// A TCP server on a free loopback port that is not Redis.
class FakeTcpServer {
  public:
    enum class Mode {
        kStall,    // listens but never accepts nor reads: clients wait forever
        kGarbage,  // accepts and answers anything with bytes that are not RESP
        kHangUp,   // accepts and closes at once
        // Hostile Redis: PING, AUTH, SELECT and CLIENT are answered as Redis would; every
        // other command gets
        kHugeArray,  // "*2147483647\r\n" and nothing more
        kDripBulk,   // "$104857600\r\n", then one byte every 20 ms
        // A sentinel that names 127.0.0.1:`answerPort` (setAnswerPort()) as the master of any
        // service.
        kFakeSentinel,
    };
    explicit FakeTcpServer(Mode mode, int answerPort = 0);
    ~FakeTcpServer();
    FakeTcpServer(const FakeTcpServer&) = delete;
    FakeTcpServer& operator=(const FakeTcpServer&) = delete;

    bool ok() const { return m_fd >= 0; }
    void setAnswerPort(int port) { m_answerPort = port; }
    int port() const { return m_port; }
    std::string url() const { return "redis://127.0.0.1:" + std::to_string(m_port); }

  private:
    void run();

    Mode m_mode;
    std::atomic<int> m_answerPort;
    int m_fd = -1;
    int m_port = -1;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

}  // namespace twat_cache::test
