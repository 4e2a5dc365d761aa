// Fixtures for the UI tests: real caches made by real peers, and an isolated QSettings.
//
// Caches are written by Debian's python3 with python-diskcache (TWAT_CACHE_TEST_PYTHON),
// never faked.
#pragma once

#include <QSettings>
#include <QStandardPaths>
#include <filesystem>
#include <string>

#include "test_support.h"

namespace twat_cache::test {

// A python-diskcache Cache in `dir` with `count` entries "key-000" → "value-0", ...; plus
// `expired` entries "old-0", ... that expired an hour ago and a JSON bytes value under
// "json-doc". Returns an empty string on success, else what went wrong.
inline std::string makeDiskcache(const std::filesystem::path& dir, int count, int expired = 0) {
    static const char* kScript = R"(
import sys, diskcache
c = diskcache.Cache(sys.argv[1], cull_limit=0)  # keep expired entries on disk
for i in range(int(sys.argv[2])):
    c.set("key-%03d" % i, "value-%d" % i)
for i in range(int(sys.argv[3])):
    c.set("old-%d" % i, "stale", expire=-3600)
c.set("json-doc", b'{"name": "geo", "points": [1, 2, 3]}')
c.close()
)";
    auto result = runProcess(
        pythonInterpreter(),
        {"-c", kScript, dir.string(), std::to_string(count), std::to_string(expired)}, 60000);
    if (!result.finished || result.exitCode != 0) {
        return "python-diskcache fixture failed: " + result.err;
    }
    return {};
}

// Points QSettings (all formats, user scope) at `dir` and turns on QStandardPaths' test
// mode, so a test never reads or writes the user's real settings.
inline void isolateSettings(const std::filesystem::path& dir) {
    QStandardPaths::setTestModeEnabled(true);
    const QString path = QString::fromStdString(dir.string());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, path);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, path);
}

}  // namespace twat_cache::test
