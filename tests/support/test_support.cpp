#include "test_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QProcess>
#include <QStringList>
#include <csignal>
#include <cstdlib>

namespace twat_cache::test {

int freeLoopbackPort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    int port = -1;
    socklen_t len = sizeof(addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
        port = ntohs(addr.sin_port);
    }
    ::close(fd);
    return port;
}

std::string queryPath(const std::filesystem::path& p) {
    std::string out;
    for (const char c : p.string()) out += c == '/' ? std::string("%2F") : std::string(1, c);
    return out;
}

int connectLoopback(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

std::string pythonInterpreter() {
    const char* p = std::getenv("TWAT_CACHE_TEST_PYTHON");
    return (p != nullptr && *p != '\0') ? std::string(p) : std::string("python3");
}

std::filesystem::path sourceDir() {
    const char* p = std::getenv("TWAT_CACHE_SOURCE_DIR");
    return (p != nullptr && *p != '\0') ? std::filesystem::path(p)
                                        : std::filesystem::current_path();
}

ProcessResult runProcess(const std::string& program, const std::vector<std::string>& args,
                         int timeoutMs, const std::string& stdinData) {
    QProcess process;
    QStringList qargs;
    for (const auto& a : args) qargs << QString::fromStdString(a);
    process.start(QString::fromStdString(program), qargs);
    ProcessResult result;
    if (!process.waitForStarted(10000)) {
        result.err = "could not start " + program;
        return result;
    }
    if (!stdinData.empty()) process.write(stdinData.data(), static_cast<qint64>(stdinData.size()));
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
        result.err = program + " ran past " + std::to_string(timeoutMs) + " ms and was killed";
        return result;
    }
    result.finished = true;
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = process.readAllStandardOutput().toStdString();
    result.err = process.readAllStandardError().toStdString();
    return result;
}

void dieWithTheTest(QProcess& process) {
    // Runs in the child between fork and exec.
    process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
}

}  // namespace twat_cache::test
