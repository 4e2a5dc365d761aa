// SshTunnel: libssh session, host key check, login, and the forwarding thread (see the header).
#include "redis/redis_ssh_tunnel.h"

#include <fcntl.h>
#include <libssh/libssh.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>

#include "redis/redis_sentinel.h"
#include "util/log_internal.h"

namespace twat_cache::detail {
namespace {

constexpr std::size_t kChunk = 64 * 1024;
// Bytes read from a channel and not yet taken by the socket; beyond it the channel is not
// read, so the SSH window stops the sender.
constexpr std::size_t kBacklog = 1024 * 1024;
constexpr int kIdlePollMs = 100;

bool contains(std::string_view text, std::string_view needle) {
    return text.find(needle) != std::string_view::npos;
}

// The SSH server's key as "ssh-ed25519 key SHA256:…".
std::string hostKeyText(ssh_session ssh) {
    ssh_key key = nullptr;
    if (ssh_get_server_publickey(ssh, &key) != SSH_OK) return "an unreadable key";
    unsigned char* hash = nullptr;
    std::size_t len = 0;
    std::string out = std::string(ssh_key_type_to_char(ssh_key_type(key))) + " key";
    if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &len) == 0) {
        char* fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, len);
        if (fp != nullptr) out += " " + std::string(fp);
        ssh_string_free_char(fp);
        ssh_clean_pubkey_hash(&hash);
    }
    ssh_key_free(key);
    return out;
}

std::string acceptedMethods(ssh_session ssh) {
    const int m = ssh_userauth_list(ssh, nullptr);
    std::string out;
    auto add = [&](int bit, const char* name) {
        if ((m & bit) != 0) out += (out.empty() ? "" : ", ") + std::string(name);
    };
    add(SSH_AUTH_METHOD_PUBLICKEY, "publickey");
    add(SSH_AUTH_METHOD_PASSWORD, "password");
    add(SSH_AUTH_METHOD_INTERACTIVE, "keyboard-interactive");
    add(SSH_AUTH_METHOD_GSSAPI_MIC, "gssapi");
    return out.empty() ? "nothing it told us" : out;
}

}  // namespace

// One forwarded connection: a direct-tcpip channel and our end of the socketpair.
struct Pipe {
    ssh_channel channel = nullptr;
    int fd = -1;
    std::string toSocket;  // read from the channel, not yet written to the socket
    bool channelEof = false;
    bool dead = false;
};

struct SshTunnel::Session {
    ssh_session ssh = nullptr;
    std::vector<Pipe> pipes;

    ~Session() {
        for (Pipe& p : pipes) close(p);
        if (ssh != nullptr) {
            ssh_disconnect(ssh);
            ssh_free(ssh);
        }
    }
    static void close(Pipe& p) {
        ::close(p.fd);
        ssh_channel_close(p.channel);
        ssh_channel_free(p.channel);
    }
    // Moves what can be moved without waiting; true when some bytes moved.
    bool pump();
};

bool SshTunnel::Session::pump() {
    char buf[kChunk];
    bool moved = false;
    for (Pipe& p : pipes) {
        // Socket to channel, within the channel's window (a write beyond it would block).
        while (!p.dead) {
            const std::uint32_t window = ssh_channel_window_size(p.channel);
            if (window == 0) break;
            const ssize_t n = ::read(p.fd, buf, std::min<std::size_t>(kChunk, window));
            if (n > 0) {
                moved = true;
                if (ssh_channel_write(p.channel, buf, static_cast<std::uint32_t>(n)) != n)
                    p.dead = true;
            } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                break;
            } else {
                p.dead = true;  // the client closed its end (hiredis never half-closes)
            }
        }
        // Channel to socket, bounded by the backlog.
        while (!p.dead && !p.channelEof && p.toSocket.size() < kBacklog) {
            const int n = ssh_channel_read_nonblocking(p.channel, buf, kChunk, 0);
            if (n > 0) {
                moved = true;
                p.toSocket.append(buf, static_cast<std::size_t>(n));
            } else if (n == SSH_EOF || (n == 0 && ssh_channel_is_eof(p.channel) != 0)) {
                p.channelEof = true;
            } else if (n < 0) {
                p.dead = true;
            } else {
                break;
            }
        }
        if (!p.dead && !p.toSocket.empty()) {
            const ssize_t w = ::send(p.fd, p.toSocket.data(), p.toSocket.size(), MSG_NOSIGNAL);
            if (w > 0) {
                moved = true;
                p.toSocket.erase(0, static_cast<std::size_t>(w));
            } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
                p.dead = true;
            }
        }
        // The server closed: the client reads what is left in the socket, then the end.
        if (p.channelEof && p.toSocket.empty()) p.dead = true;
    }
    const auto firstDead =
        std::partition(pipes.begin(), pipes.end(), [](const Pipe& p) { return !p.dead; });
    for (auto it = firstDead; it != pipes.end(); ++it) close(*it);
    pipes.erase(firstDead, pipes.end());
    // Reading one channel may have buffered another's packets: they are not on the socket
    // any more, so poll() would not wake for them.
    for (const Pipe& p : pipes) {
        if (p.toSocket.size() < kBacklog && ssh_channel_poll(p.channel, 0) > 0) moved = true;
    }
    return moved;
}

SshTunnel::SshTunnel(RedisSshOptions options, std::string password,
                     std::chrono::milliseconds timeout)
    : m_options(std::move(options)),
      m_password(std::move(password)),
      m_timeout(timeout),
      m_name((m_options.user.empty() ? "" : m_options.user + "@") +
             hostPort(m_options.host, m_options.port)) {}

Result<std::shared_ptr<SshTunnel>> SshTunnel::open(const RedisSshOptions& options,
                                                   std::string password,
                                                   std::chrono::milliseconds timeout) {
    std::shared_ptr<SshTunnel> tunnel(new SshTunnel(options, std::move(password), timeout));
    {
        std::lock_guard lock(tunnel->m_mutex);
        if (Status s = tunnel->establish(); !s.ok()) return s;
    }
    tunnel->m_wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (tunnel->m_wake < 0) return Status::ioError("ssh " + tunnel->m_name + ": eventfd failed");
    tunnel->m_thread = std::thread([t = tunnel.get()] { t->run(); });
    return tunnel;
}

SshTunnel::~SshTunnel() {
    m_stop = true;
    if (m_wake >= 0) {
        const std::uint64_t one = 1;
        [[maybe_unused]] auto n = ::write(m_wake, &one, sizeof(one));
    }
    if (m_thread.joinable()) m_thread.join();
    m_session.reset();
    if (m_wake >= 0) ::close(m_wake);
}

Status SshTunnel::establish() {
    const std::string where = "ssh " + m_name + ": ";
    auto session = std::make_unique<Session>();
    session->ssh = ssh_new();
    ssh_session ssh = session->ssh;
    if (ssh == nullptr) return Status::ioError(where + "out of memory");
    const unsigned int port = static_cast<unsigned int>(m_options.port);
    const long seconds = static_cast<long>(m_timeout.count() / 1000);
    const long micros = static_cast<long>((m_timeout.count() % 1000) * 1000);
    const bool readConfig = false;  // deterministic: ~/.ssh/config is not read
    ssh_options_set(ssh, SSH_OPTIONS_PROCESS_CONFIG, &readConfig);
    ssh_options_set(ssh, SSH_OPTIONS_HOST, m_options.host.c_str());
    ssh_options_set(ssh, SSH_OPTIONS_PORT, &port);
    if (!m_options.user.empty()) ssh_options_set(ssh, SSH_OPTIONS_USER, m_options.user.c_str());
    ssh_options_set(ssh, SSH_OPTIONS_TIMEOUT, &seconds);
    ssh_options_set(ssh, SSH_OPTIONS_TIMEOUT_USEC, &micros);
    if (!m_options.known_hosts.empty())
        ssh_options_set(ssh, SSH_OPTIONS_KNOWNHOSTS, m_options.known_hosts.c_str());
    const std::string knownFile =
        m_options.known_hosts.empty() ? "~/.ssh/known_hosts" : m_options.known_hosts;

    if (ssh_connect(ssh) != SSH_OK) {
        const std::string text = ssh_get_error(ssh);
        const std::string msg = where + "cannot reach the SSH host (" + text + ")";
        if (contains(text, "imeout") || contains(text, "timed out")) return Status::timeout(msg);
        return Status::unavailable(msg);
    }

    const std::string key = hostKeyText(ssh);
    switch (ssh_session_is_known_server(ssh)) {
        case SSH_KNOWN_HOSTS_OK:
            break;
        case SSH_KNOWN_HOSTS_CHANGED:
        case SSH_KNOWN_HOSTS_OTHER:
            return Status::permissionDenied(
                where + "THE SSH HOST KEY HAS CHANGED: the server now presents " + key +
                ", not the key recorded in " + knownFile +
                "; someone may be intercepting the connection. If the host was reinstalled, "
                "check the new key and remove the old line (ssh-keygen -R HOST -f FILE)");
        case SSH_KNOWN_HOSTS_NOT_FOUND:
        case SSH_KNOWN_HOSTS_UNKNOWN:
            if (!m_options.accept_new) {
                return Status::permissionDenied(
                    where + "unknown SSH host key (" + key + ", not in " + knownFile +
                    "); check the fingerprint, then trust it with --ssh-accept-new "
                    "(?ssh_accept_new=1)");
            }
            if (ssh_session_update_known_hosts(ssh) != SSH_OK) {
                return Status::ioError(where + "cannot record the host key in " + knownFile + " (" +
                                       ssh_get_error(ssh) + ")");
            }
            logger().warn("{}recorded the new SSH host key {} in {}", where, key, knownFile);
            break;
        case SSH_KNOWN_HOSTS_ERROR:
            return Status::ioError(where + "cannot check the host key against " + knownFile + " (" +
                                   ssh_get_error(ssh) + ")");
    }

    std::vector<std::string> tried;
    int rc = SSH_AUTH_DENIED;
    if (!m_options.key_file.empty()) {
        ssh_key privkey = nullptr;
        if (ssh_pki_import_privkey_file(m_options.key_file.c_str(), nullptr, nullptr, nullptr,
                                        &privkey) != SSH_OK) {
            return Status::invalidArgument(
                where + "cannot read the SSH key " + m_options.key_file +
                " (a missing file, or an encrypted key: load it into ssh-agent instead)");
        }
        rc = ssh_userauth_publickey(ssh, nullptr, privkey);
        ssh_key_free(privkey);
        tried.push_back("the key " + m_options.key_file);
    } else {
        rc = ssh_userauth_publickey_auto(ssh, nullptr, nullptr);
        tried.emplace_back("the agent and the default keys");
    }
    if (rc != SSH_AUTH_SUCCESS && rc != SSH_AUTH_ERROR && !m_password.empty()) {
        rc = ssh_userauth_password(ssh, nullptr, m_password.c_str());
        tried.emplace_back("a password");
    }
    if (rc == SSH_AUTH_ERROR) {
        return Status::unavailable(where + "the login failed (" + ssh_get_error(ssh) + ")");
    }
    if (rc != SSH_AUTH_SUCCESS) {
        std::string list;
        for (const auto& t : tried) list += (list.empty() ? "" : ", ") + t;
        return Status::permissionDenied(
            where + "authentication failed (tried " + list + "; the server accepts " +
            acceptedMethods(ssh) + ")" +
            (rc == SSH_AUTH_PARTIAL ? "; it asks for a further method" : ""));
    }
    m_session = std::move(session);
    return {};
}

Result<int> SshTunnel::connect(const std::string& host, int port,
                               std::chrono::milliseconds timeout) {
    const std::string target = hostPort(host, port);
    const std::string where = "ssh " + m_name + ": ";
    std::lock_guard lock(m_mutex);
    if (!m_session || ssh_is_connected(m_session->ssh) == 0) {
        m_session.reset();  // its pipes are dead too
        if (Status s = establish(); !s.ok()) return s;
        logger().info("{}SSH session opened again", where);
    }
    ssh_session ssh = m_session->ssh;
    const long seconds = static_cast<long>(timeout.count() / 1000);
    const long micros = static_cast<long>((timeout.count() % 1000) * 1000);
    ssh_options_set(ssh, SSH_OPTIONS_TIMEOUT, &seconds);
    ssh_options_set(ssh, SSH_OPTIONS_TIMEOUT_USEC, &micros);
    ssh_channel channel = ssh_channel_new(ssh);
    if (channel == nullptr) return Status::unavailable(where + "cannot open a channel");
    const int rc = ssh_channel_open_forward(channel, host.c_str(), port, "127.0.0.1", 0);
    if (rc != SSH_OK) {
        const std::string text = ssh_get_error(ssh);
        ssh_channel_free(channel);
        if (rc == SSH_AGAIN) {
            return Status::timeout(where + "the SSH host did not connect to " + target +
                                   " within " + std::to_string(timeout.count()) + " ms");
        }
        if (contains(text, "error (1)")) {
            return Status::permissionDenied(
                where + "the SSH server refused to forward to " + target +
                " (administratively prohibited: AllowTcpForwarding may be off in its "
                "sshd_config, or the user may not forward)");
        }
        if (contains(text, "Channel opening failure")) {
            return Status::unavailable(where + "the SSH host cannot reach the Redis server " +
                                       target + " (" + text + ")");
        }
        return Status::unavailable(where + "the SSH session failed (" + text + ")");
    }
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
        ssh_channel_close(channel);
        ssh_channel_free(channel);
        return Status::ioError(where + "socketpair failed");
    }
    ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    Pipe pipe;
    pipe.channel = channel;
    pipe.fd = fds[0];
    m_session->pipes.push_back(std::move(pipe));
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(m_wake, &one, sizeof(one));
    return fds[1];
}

void SshTunnel::run() {
    std::vector<pollfd> fds;
    bool busy = false;
    while (!m_stop) {
        fds.clear();
        fds.push_back({m_wake, POLLIN, 0});
        {
            std::lock_guard lock(m_mutex);
            if (m_session && !m_session->pipes.empty()) {
                fds.push_back({ssh_get_fd(m_session->ssh), POLLIN, 0});
                for (const Pipe& p : m_session->pipes) {
                    short events = 0;
                    if (ssh_channel_window_size(p.channel) > 0) events |= POLLIN;
                    if (!p.toSocket.empty()) events |= POLLOUT;
                    fds.push_back({p.fd, events, 0});
                }
            }
        }
        ::poll(fds.data(), fds.size(), busy ? 0 : kIdlePollMs);
        std::uint64_t count = 0;
        [[maybe_unused]] auto n = ::read(m_wake, &count, sizeof(count));
        std::lock_guard lock(m_mutex);
        if (!m_session) continue;
        if (ssh_is_connected(m_session->ssh) == 0) {
            // The SSH host went away: the clients see their connections close.
            for (Pipe& p : m_session->pipes) Session::close(p);
            m_session->pipes.clear();
            busy = false;
            continue;
        }
        busy = m_session->pump();
    }
}

}  // namespace twat_cache::detail
