// Engines not built yet answer NotSupported. Each engine's folder replaces its line here
// with a real factory when it lands.
#include "util/engine_factories.h"

namespace twat_cache::detail {

Result<std::unique_ptr<Engine>> openMemoryEngine(const ResolvedConfig&) {
    return Status::notSupported("the memory engine is not built yet");
}
Result<std::unique_ptr<Engine>> openSqliteEngine(const ResolvedConfig&) {
    return Status::notSupported("the sqlite engine is not built yet");
}
Result<std::unique_ptr<Engine>> openRedisEngine(const ResolvedConfig&) {
    return Status::notSupported("the redis engine is not built yet");
}

}  // namespace twat_cache::detail
