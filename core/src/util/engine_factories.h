// Factories of the concrete engines, one per engine folder. openEngine() dispatches to them.
#pragma once

#include <memory>

#include "twat_cache/engine.h"

namespace twat_cache::detail {

Result<std::unique_ptr<Engine>> openMemoryEngine(const ResolvedConfig& config);
Result<std::unique_ptr<Engine>> openSqliteEngine(const ResolvedConfig& config);
Result<std::unique_ptr<Engine>> openFilesEngine(const ResolvedConfig& config);
Result<std::unique_ptr<Engine>> openRedisEngine(const ResolvedConfig& config);

}  // namespace twat_cache::detail
