#include "ssh_server.h"

#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "test_support.h"

namespace twat_cache::test {
namespace fs = std::filesystem;
namespace {

constexpr const char* kSshd = "/usr/sbin/sshd";  // sshd insists on an absolute path
constexpr const char* kInstall =
    "; install it with `sudo apt-get install openssh-server` (scripts/dev.sh run installs "
    "every test dependency)";

std::string readFile(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string keygen(const fs::path& file) {
    auto r = runProcess(
        "ssh-keygen",
        {"-q", "-t", "ed25519", "-N", "", "-C", "twat-cache-test", "-f", file.string()}, 20000);
    if (!r.finished || r.exitCode != 0) return "ssh-keygen failed: " + r.err + kInstall;
    return {};
}

// Whether the server at `port` sends an SSH banner within 200 ms.
bool banner(int port) {
    const int fd = connectLoopback(port);
    if (fd < 0) return false;
    pollfd p{fd, POLLIN, 0};
    char buf[16] = {};
    const bool ok = ::poll(&p, 1, 200) == 1 && ::recv(fd, buf, sizeof(buf) - 1, 0) > 4 &&
                    std::string_view(buf).starts_with("SSH-");
    ::close(fd);
    return ok;
}

}  // namespace

SshServer::SshServer() : SshServer(Options{}) {}

void SshServer::kill() {
    if (!m_process) return;
    const auto pid = static_cast<pid_t>(m_process->processId());
    // The session processes are sshd's children: find them by their parent in /proc.
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/proc", ec)) {
        std::ifstream stat(entry.path() / "stat");
        std::string line;
        if (!std::getline(stat, line)) continue;
        const auto close = line.rfind(')');  // "pid (comm) state ppid ..."
        if (close == std::string::npos) continue;
        std::istringstream rest(line.substr(close + 1));
        std::string state;
        pid_t ppid = 0;
        rest >> state >> ppid;
        if (ppid == pid) ::kill(static_cast<pid_t>(std::stoi(entry.path().filename())), SIGKILL);
    }
    m_process->kill();
    m_process->waitForFinished(5000);
    m_process.reset();
}
SshServer::SshServer(Options options) : m_options(options) {}

SshServer::~SshServer() {
    if (m_process) {
        m_process->terminate();
        if (!m_process->waitForFinished(5000)) {
            m_process->kill();
            m_process->waitForFinished(5000);
        }
    }
}

std::string SshServer::target() const {
    const passwd* pw = ::getpwuid(::geteuid());
    return std::string(pw != nullptr ? pw->pw_name : "root") +
           "@127.0.0.1:" + std::to_string(m_port);
}

std::string SshServer::query() const {
    return "ssh=" + target() + "&ssh_key=" + queryPath(clientKey()) +
           "&ssh_known_hosts=" + queryPath(knownHosts());
}

std::string SshServer::wrongKnownHostsLine() const {
    // The stranger's public key stands in for another host key of the same type.
    return "[127.0.0.1]:" + std::to_string(m_port) + " " + readFile(m_dir.path() / "stranger.pub");
}

std::string SshServer::start() {
    if (!fs::exists(kSshd)) return std::string("sshd not found") + kInstall;
    if (!m_dir.ok()) return "cannot create a temporary folder";
    const fs::path dir = m_dir.path();
    for (const char* name : {"host", "client", "stranger"}) {
        if (fs::exists(dir / name)) continue;  // a restart keeps the keys
        if (std::string e = keygen(dir / name); !e.empty()) return e;
    }
    std::error_code ec;
    fs::copy_file(dir / "client.pub", dir / "authorized_keys", fs::copy_options::skip_existing, ec);
    fs::create_directories("/run/sshd", ec);  // privilege separation (root only; else exists)
    if (m_port < 0) m_port = freeLoopbackPort();
    if (m_port < 0) return "no free loopback port";
    {
        std::ofstream known(knownHosts());
        known << "[127.0.0.1]:" << m_port << " " << readFile(dir / "host.pub");
        std::ofstream conf(dir / "sshd_config");
        conf << "ListenAddress 127.0.0.1\n"
             << "HostKey " << (dir / "host").string() << "\n"
             << "AuthorizedKeysFile " << (dir / "authorized_keys").string() << "\n"
             << "PidFile none\nStrictModes no\nUsePAM no\nPermitRootLogin prohibit-password\n"
             << "PasswordAuthentication " << (m_options.password_auth ? "yes" : "no")
             << "\nKbdInteractiveAuthentication no\n"
             << "AllowTcpForwarding " << (m_options.allow_forwarding ? "yes" : "no") << "\n"
             << "LogLevel VERBOSE\n";
    }
    auto fp = runProcess("ssh-keygen", {"-l", "-E", "sha256", "-f", (dir / "host.pub").string()});
    // "256 SHA256:xxxx comment (ED25519)"
    std::istringstream words(fp.out);
    std::string bits;
    words >> bits >> m_fingerprint;
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    dieWithTheTest(*m_process);
    m_process->start(
        kSshd, {"-f", QString::fromStdString((dir / "sshd_config").string()), "-D", "-e", "-p",
                QString::number(m_port), "-h", QString::fromStdString((dir / "host").string())});
    if (!m_process->waitForStarted(5000)) return std::string("sshd did not start") + kInstall;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
        if (m_process->state() != QProcess::Running) {
            m_process->waitForFinished(1000);
            return "sshd cannot run here: " + m_process->readAll().toStdString();
        }
        if (banner(m_port)) return {};
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return "sshd did not answer within 10 s: " + m_process->readAll().toStdString();
}

}  // namespace twat_cache::test
