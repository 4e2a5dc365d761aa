#include "twat_cache/engine_selection.h"

#include <algorithm>

#include "util/log_internal.h"

namespace twat_cache {

std::vector<EngineKind> engineOrder(const ResolvedConfig& config) {
    std::vector<EngineKind> order;
    if (config.preferred_engine != EngineKind::kAuto) order.push_back(config.preferred_engine);
    auto add = [&order](EngineKind k) {
        if (std::find(order.begin(), order.end(), k) == order.end()) order.push_back(k);
    };
    if (!config.redis_url.empty()) add(EngineKind::kRedis);
    if (!config.name.empty() && !config.cache_root.empty()) {
        add(EngineKind::kSqlite);
        add(EngineKind::kFiles);
    }
    add(EngineKind::kMemory);
    return order;
}

Result<EngineSelection> selectEngine(const ResolvedConfig& config) {
    std::string failures;
    Status last;
    for (EngineKind kind : engineOrder(config)) {
        auto engine = openEngine(kind, config);
        if (engine.ok()) {
            EngineSelection selection;
            selection.engine = std::move(*engine);
            selection.kind = kind;
            if (!failures.empty()) {
                selection.reason = failures;
            } else if (kind == config.preferred_engine) {
                selection.reason = "preferred";
            } else if (kind == EngineKind::kRedis) {
                selection.reason = "redis URL configured";
            } else if (kind == EngineKind::kMemory) {
                selection.reason = config.name.empty() ? "no cache name for a persistent engine"
                                                       : "no cache root for a persistent engine";
            } else {
                selection.reason = "first available persistent engine";
            }
            detail::logger().info("ucache \"{}\" selected {} ({})",
                                  config.name.empty() ? "(unnamed)" : config.name,
                                  engineKindName(kind), selection.reason);
            return selection;
        }
        if (!failures.empty()) failures += "; ";
        failures +=
            std::string(engineKindName(kind)) + " unavailable: " + engine.status().message();
        last = engine.status();
    }
    return last.withContext("ucache \"" + config.name + "\": no engine could be opened");
}

}  // namespace twat_cache
