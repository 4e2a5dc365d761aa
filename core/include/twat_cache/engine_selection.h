// Engine selection and the run-time guard that ucache puts around the chosen engine.
//
// selectEngine() picks an engine for a resolved config:
//   * preferred_engine set (memory, sqlite, files, redis): that engine, and if it cannot be
//     opened, the automatic order below, skipping it;
//   * auto: redis when a Redis URL is configured, then sqlite and files when the cache has a
//     name and a root, then memory, which always opens.
// It returns the open engine with a one-line reason, and logs one line at info level, e.g.
//   ucache "geo" selected sqlite (redis unavailable: connection refused 127.0.0.1:6379)
//
// guardEngine() wraps an engine in a circuit breaker: after a failure the engine is left
// alone for a back-off period (1 s, doubling to 60 s) during which get() answers Unavailable
// at once and set() does nothing, so a dead server is not hammered; memoized calls compute
// their values meanwhile. One warning is logged when an outage starts and one info line when
// it ends, never one per call. Failures are counted by the engine itself, once; calls the
// guard refuses while paused are not counted (stats.h).
//
// Thread safety: selectEngine may run on any thread; a guarded engine is as thread-safe as
// the engine it wraps (the breaker state is atomic).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "twat_cache/config.h"
#include "twat_cache/engine.h"
#include "twat_cache/export.h"

namespace twat_cache {

struct EngineSelection {
    std::unique_ptr<Engine> engine;
    EngineKind kind = EngineKind::kMemory;
    // Why this engine: "preferred", "redis URL configured", or the failures that led here.
    std::string reason;
};

// Opens the best available engine for `config` (see the file comment). Fails only when even
// the memory engine cannot be opened (e.g. an invalid limit).
TWAT_CACHE_EXPORT Result<EngineSelection> selectEngine(const ResolvedConfig& config);

// The order selectEngine() tries for `config`, for display and tests.
TWAT_CACHE_EXPORT std::vector<EngineKind> engineOrder(const ResolvedConfig& config);

struct GuardOptions {
    std::chrono::milliseconds initial_backoff{1000};
    std::chrono::milliseconds max_backoff{60000};
};

// Wraps `inner` in a circuit breaker (see the file comment). `label` names the cache in logs.
TWAT_CACHE_EXPORT std::unique_ptr<Engine> guardEngine(std::unique_ptr<Engine> inner,
                                                      std::string label,
                                                      std::shared_ptr<Clock> clock,
                                                      GuardOptions options = {});

}  // namespace twat_cache
