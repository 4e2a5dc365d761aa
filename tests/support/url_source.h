// Opening an inspection Source on a URL (a Redis server's) for a test. A failure ends the
// test process (qFatal): nothing after it could run.
//
// Thread safety: call from the test's thread.
#pragma once

#include <QtGlobal>
#include <memory>
#include <string>

#include "twat_cache/inspect.h"

namespace twat_cache::test {

inline std::unique_ptr<Source> openUrlSource(const std::string& url,
                                             const OpenOptions& options = {}) {
    auto info = Discovery::identifyUrl(url);
    if (!info.ok()) qFatal("identifyUrl: %s", info.status().toString().c_str());
    auto src = Discovery::open(*info, options);
    if (!src.ok()) qFatal("open: %s", src.status().toString().c_str());
    return std::move(*src);
}

}  // namespace twat_cache::test
