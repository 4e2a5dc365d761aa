// SshTunnel: one SSH session (libssh) through which Redis connections reach their server, as
// `ssh -L` would (RedisSshOptions in twat_cache/redis_engine.h, docs/REDIS.md "SSH tunnels").
//
// open() connects to the SSH host, checks its key against known_hosts (an unknown key is
// refused with its SHA256 fingerprint unless accept_new records it; a changed key is always
// refused) and logs in: the key file, else the agent and default keys, else the password.
// connect(host, port) then asks the SSH server for a direct-tcpip channel to host:port and
// returns one end of a socketpair for hiredis (redisConnectFd); a thread owned by the tunnel
// moves the bytes between the other end and the channel. A session found closed (the SSH
// host restarted) is opened again by the next connect().
//
// Thread safety: thread-safe. The libssh session is used under m_mutex only; the forwarding
// thread holds it while it moves bytes, connect() while it opens a channel (one round trip to
// the SSH host, which in turn connects to the target). The destructor stops the thread (it
// wakes at least every 100 ms) and closes every channel.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "twat_cache/redis_engine.h"
#include "twat_cache/status.h"

namespace twat_cache::detail {

class SshTunnel {
  public:
    // Opens and authenticates the session, each step bounded by `timeout`. Errors in words:
    // Unavailable (SSH host unreachable), Timeout, PermissionDenied (unknown or changed host
    // key, login refused: names the methods tried), InvalidArgument (unreadable key file).
    static Result<std::shared_ptr<SshTunnel>> open(const RedisSshOptions& options,
                                                   std::string password,
                                                   std::chrono::milliseconds timeout);
    ~SshTunnel();
    SshTunnel(const SshTunnel&) = delete;
    SshTunnel& operator=(const SshTunnel&) = delete;

    // A connected stream socket (the caller owns it) whose bytes travel through the SSH host
    // to host:port. PermissionDenied when the SSH server refuses to forward
    // (AllowTcpForwarding no), Unavailable when it cannot reach host:port.
    Result<int> connect(const std::string& host, int port, std::chrono::milliseconds timeout);

    // "user@host:port" for messages.
    const std::string& name() const { return m_name; }

  private:
    struct Session;  // the libssh session and its forwarded channels
    SshTunnel(RedisSshOptions options, std::string password, std::chrono::milliseconds timeout);
    // Connects, checks the host key and logs in (under m_mutex).
    Status establish();
    void run();  // the forwarding thread

    const RedisSshOptions m_options;
    const std::string m_password;
    const std::chrono::milliseconds m_timeout;
    const std::string m_name;
    std::mutex m_mutex;
    std::unique_ptr<Session> m_session;  // guarded by m_mutex
    int m_wake = -1;                     // eventfd: new channel or stop
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

}  // namespace twat_cache::detail
