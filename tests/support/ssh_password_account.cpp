#include "ssh_password_account.h"

#include <unistd.h>

#include <QProcess>
#include <filesystem>
#include <fstream>
#include <random>

namespace twat_cache::test {
namespace {

constexpr const char* kPrefix = "twc-ssh-";

// Runs `program args`, feeding `input` to its standard input; "" or what went wrong.
std::string run(const QString& program, const QStringList& args, const QByteArray& input = {}) {
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    if (!p.waitForStarted(5000)) return program.toStdString() + " did not start";
    if (!input.isEmpty()) p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(20000) || p.exitCode() != 0) {
        return program.toStdString() + " failed: " + p.readAll().trimmed().toStdString();
    }
    return {};
}

std::string randomHex(std::size_t digits) {
    std::ifstream urandom("/dev/urandom", std::ios::binary);
    std::string out;
    static constexpr char kHex[] = "0123456789abcdef";
    while (out.size() < digits && urandom) {
        const auto byte = static_cast<unsigned char>(urandom.get());
        out += kHex[byte >> 4];
        out += kHex[byte & 15];
    }
    return out.substr(0, digits);
}

// Deletes the accounts of earlier runs whose process is gone.
void removeLeftovers() {
    std::ifstream passwd("/etc/passwd");
    std::string line;
    while (std::getline(passwd, line)) {
        if (!line.starts_with(kPrefix)) continue;
        const std::string name = line.substr(0, line.find(':'));
        const std::string pid = name.substr(std::string(kPrefix).size());
        if (!std::filesystem::exists("/proc/" + pid)) {
            (void)run(QStringLiteral("userdel"), {QString::fromStdString(name)});
        }
    }
}

}  // namespace

bool SshPasswordAccount::available() {
    return ::geteuid() == 0 && std::filesystem::exists("/usr/sbin/useradd") &&
           std::filesystem::exists("/usr/sbin/chpasswd");
}

std::string SshPasswordAccount::skipReason() {
    return "an SSH password login needs a throwaway local account: run the tests as root "
           "(useradd, chpasswd)";
}

std::string SshPasswordAccount::create() {
    if (!available()) return skipReason();
    removeLeftovers();
    m_name = kPrefix + std::to_string(::getpid());
    m_password = randomHex(32);
    if (std::string e = run(QStringLiteral("useradd"),
                            {QStringLiteral("-M"), QStringLiteral("-s"),
                             QStringLiteral("/usr/sbin/nologin"), QString::fromStdString(m_name)});
        !e.empty()) {
        return e;
    }
    m_created = true;
    return run(QStringLiteral("chpasswd"), {},
               QByteArray::fromStdString(m_name + ":" + m_password + "\n"));
}

SshPasswordAccount::~SshPasswordAccount() {
    if (m_created) (void)run(QStringLiteral("userdel"), {QString::fromStdString(m_name)});
}

}  // namespace twat_cache::test
