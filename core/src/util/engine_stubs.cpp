// Engines not built yet answer NotSupported. Each engine's folder replaces its line here
// with a real factory when it lands.
#include "util/engine_factories.h"

namespace twat_cache::detail {

Result<std::unique_ptr<Engine>> openFilesEngine(const ResolvedConfig&) {
    return Status::notSupported("the files engine is not built yet");
}

}  // namespace twat_cache::detail
