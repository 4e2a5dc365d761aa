// Test fixture for SSH password logins: a throwaway local account with a random password,
// for the password path of the SSH tunnel against a real sshd (ssh_server.h). OpenSSH checks
// passwords against the system's accounts (the fixture's sshd runs with UsePAM no, so against
// /etc/shadow), so there is no way to test a password login but with a real account.
//
// create() needs root (useradd, chpasswd): it adds "twc-ssh-<pid>" with no home, the shell
// /usr/sbin/nologin (a tunnel needs none) and a password of 32 random hex digits, never
// written anywhere but to chpasswd's standard input. The destructor deletes the account
// (userdel), and create() first deletes any such account a crashed run left behind. Without
// root, available() is false and skipReason() says why: tests QSKIP.
//
// Thread safety: none; use it from the test thread.
#pragma once

#include <string>

namespace twat_cache::test {

class SshPasswordAccount {
  public:
    static bool available();
    static std::string skipReason();

    SshPasswordAccount() = default;
    ~SshPasswordAccount();
    SshPasswordAccount(const SshPasswordAccount&) = delete;
    SshPasswordAccount& operator=(const SshPasswordAccount&) = delete;

    // Adds the account; "" on success, else what went wrong.
    std::string create();

    const std::string& name() const { return m_name; }
    const std::string& password() const { return m_password; }

  private:
    std::string m_name;
    std::string m_password;
    bool m_created = false;
};

}  // namespace twat_cache::test
