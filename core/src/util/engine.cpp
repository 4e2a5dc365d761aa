#include "twat_cache/engine.h"

#include "util/engine_factories.h"

namespace twat_cache {

Engine::~Engine() = default;

Result<std::unique_ptr<Engine>> openEngine(EngineKind kind, const ResolvedConfig& config) {
    switch (kind) {
        case EngineKind::kMemory:
            return detail::openMemoryEngine(config);
        case EngineKind::kSqlite:
            return detail::openSqliteEngine(config);
        case EngineKind::kFiles:
            return detail::openFilesEngine(config);
        case EngineKind::kRedis:
            return detail::openRedisEngine(config);
        case EngineKind::kAuto:
            break;
    }
    return Status::invalidArgument("openEngine needs a concrete engine, not auto (see ucache)");
}

}  // namespace twat_cache
