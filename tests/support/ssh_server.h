// Test fixture for SSH tunnels: a real OpenSSH sshd on a free loopback port, with a host key,
// an authorized client key and a second, unauthorized key, all generated at run time with
// ssh-keygen in a temporary folder (nothing secret is committed).
//
// sshd runs in the foreground (-D -e) with a generated configuration: ListenAddress
// 127.0.0.1, AuthorizedKeysFile in the folder, StrictModes no, UsePAM no, password logins
// off, and AllowTcpForwarding as the Options say. It needs an absolute program path and the
// privilege separation folder /run/sshd, created here when missing. When sshd or ssh-keygen
// is missing or cannot run here, start() says why and tests QSKIP with that text.
//
// Thread safety: none; use it from the test thread.
#pragma once

#include <QProcess>
#include <filesystem>
#include <memory>
#include <string>

#include "test_support.h"

namespace twat_cache::test {

class SshServer {
  public:
    struct Options {
        bool allow_forwarding = true;  // AllowTcpForwarding yes / no
        bool password_auth = false;    // PasswordAuthentication yes / no
    };

    SshServer();
    explicit SshServer(Options options);
    ~SshServer();
    SshServer(const SshServer&) = delete;
    SshServer& operator=(const SshServer&) = delete;

    // Makes the keys, starts sshd and waits (at most 10 s) for its banner. Returns an empty
    // string on success, else what went wrong (including how to install openssh-server).
    std::string start();
    // SIGKILLs sshd and every session process it forked (the SSH host "goes away"); start()
    // then brings it back on the same port with the same keys.
    void kill();

    int port() const { return m_port; }
    // "user@127.0.0.1:port" for ?ssh= and --ssh, as the user running the tests.
    std::string target() const;
    std::filesystem::path clientKey() const { return m_dir.path() / "client"; }
    std::filesystem::path strangerKey() const { return m_dir.path() / "stranger"; }
    // A known_hosts file that lists this server's host key.
    std::filesystem::path knownHosts() const { return m_dir.path() / "known_hosts"; }
    // The host key's "SHA256:…" fingerprint.
    const std::string& fingerprint() const { return m_fingerprint; }
    // The known_hosts line of this server with another key (for "host key changed").
    std::string wrongKnownHostsLine() const;
    // ?ssh=...&ssh_key=...&ssh_known_hosts=... (key and known_hosts %-escaped).
    std::string query() const;

  private:
    Options m_options;
    TempDir m_dir;
    int m_port = -1;
    std::string m_fingerprint;
    std::unique_ptr<QProcess> m_process;
};

}  // namespace twat_cache::test
