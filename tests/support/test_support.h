// Shared test helpers. Deterministic by design: temp folders per test, ports chosen by the
// kernel, child processes waited for with a bound.
#pragma once

#include <QString>
#include <QTemporaryDir>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

class QProcess;

namespace twat_cache::test {

// A fresh temporary folder, removed when the object goes away.
class TempDir {
  public:
    TempDir() : m_dir(QDir::tempPath() + "/twat_cache_test_XXXXXX") {}
    bool ok() const { return m_dir.isValid(); }
    std::filesystem::path path() const { return std::filesystem::path(m_dir.path().toStdString()); }

  private:
    QTemporaryDir m_dir;
};

// A TCP port on 127.0.0.1 that was free a moment ago (the kernel picked it).
int freeLoopbackPort();
// `p` with its slashes "%2F"-escaped, for a Redis URL's query (?ca=, ?ssh_key=, ...).
std::string queryPath(const std::filesystem::path& p);
// A socket connected to 127.0.0.1:`port` (the caller closes it), or -1.
int connectLoopback(int port);

// Debian's python3 (where python3-diskcache and python3-joblib are installed), from
// TWAT_CACHE_TEST_PYTHON, else "python3".
std::string pythonInterpreter();

// The project's source folder (for fixtures), from TWAT_CACHE_SOURCE_DIR.
std::filesystem::path sourceDir();

struct ProcessResult {
    int exitCode = -1;
    bool finished = false;
    std::string out;
    std::string err;
};
// Runs a program with arguments, waits at most timeoutMs; kills it if it runs longer.
ProcessResult runProcess(const std::string& program, const std::vector<std::string>& args,
                         int timeoutMs = 60000, const std::string& stdinData = {});

// Makes the server `process` starts next die with this test process (PR_SET_PDEATHSIG), even
// when the test crashes or is killed, so that no fixture outlives its test.
void dieWithTheTest(QProcess& process);

}  // namespace twat_cache::test
