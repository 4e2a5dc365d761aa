// Test fixture for Redis Sentinel: a master redis-server, a replica of it and `sentinels`
// redis-sentinel processes monitoring the master as service kService, all on free loopback
// ports, each in its own temporary folder (a sentinel rewrites its configuration file).
//
// start() returns once the replica is in sync and every sentinel knows the replica, so that a
// test may kill the master and expect a failover (down-after 1 s, failover timeout 5 s). When
// redis-server or redis-sentinel is missing, available() is false and skipReason() says how
// to install them.
//
// Thread safety: none; use it from the test thread.
#pragma once

#include <QProcess>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "redis_server.h"
#include "test_support.h"
#include "twat_cache/inspect.h"

namespace twat_cache::test {

class RedisSentinelGroup {
  public:
    static constexpr const char* kService = "mymaster";

    static bool available();
    static std::string skipReason();

    struct Options {
        int sentinels = 1;
        std::string master_password{};    // requirepass of master and replica (masterauth)
        std::string sentinel_password{};  // requirepass of the sentinels
        // A folder made by makeTestCertificates(): master, replica and sentinels also listen
        // with TLS (server.pem), replicate and monitor over TLS, and url() is
        // rediss+sentinel:// to the sentinels' TLS ports, trusting ca.pem.
        std::filesystem::path tls_pki{};
    };

    RedisSentinelGroup();
    explicit RedisSentinelGroup(Options options);
    ~RedisSentinelGroup();
    RedisSentinelGroup(const RedisSentinelGroup&) = delete;
    RedisSentinelGroup& operator=(const RedisSentinelGroup&) = delete;

    // Starts everything and waits (bounded, about 20 s at most) until the replica is in sync
    // and the sentinels know it. Returns an empty string on success, else what went wrong.
    std::string start();

    RedisServer& master() { return *m_master; }    // the first master
    RedisServer& replica() { return *m_replica; }  // promoted by a failover
    const std::vector<int>& sentinelPorts() const { return m_sentinelPorts; }
    const std::vector<int>& sentinelTlsPorts() const { return m_sentinelTlsPorts; }
    // "master 127.0.0.1:<port> via sentinel mymaster": how the engine, the inspector and the
    // CLI name the node they are on.
    static std::string nodeText(int port);
    // The port the sentinels know a server by (its TLS port with tls_pki).
    int monitoredPort(const RedisServer& server) const;
    // redis+sentinel://[:master_password@]127.0.0.1:<port>[,...]/mymaster/<db>
    // [?sentinel_password=...], with the passwords of the Options (rediss+sentinel://, the
    // TLS ports and ?ca= with tls_pki).
    std::string url(int db = 0) const;

    // The master's port as the first sentinel that answers reports it; -1 if none does.
    int reportedMasterPort() const;
    // Polls the sentinels until they report a master other than `port` (at most `timeout`);
    // returns its port, or -1.
    int waitForMasterOtherThan(int port, std::chrono::milliseconds timeout) const;

  private:
    std::string startSentinel(std::size_t i);
    bool sentinelKnowsReplica(int sentinelPort) const;

    Options m_options;
    std::unique_ptr<RedisServer> m_master;
    std::unique_ptr<RedisServer> m_replica;
    std::vector<std::unique_ptr<TempDir>> m_dirs;
    std::vector<int> m_sentinelPorts;
    std::vector<int> m_sentinelTlsPorts;  // with tls_pki
    std::vector<std::unique_ptr<QProcess>> m_sentinels;
};

// An inspection source on `url` as the CLI and the inspector open one (no audit log).
Result<std::unique_ptr<Source>> openUrlSource(const std::string& url);

}  // namespace twat_cache::test
