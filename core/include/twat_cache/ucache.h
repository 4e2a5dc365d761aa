// ucache: "just cache it" — memoization over the best engine available.
//
//     auto geo = twat_cache::ucache({.name = "geo", .redis_url = "redis://cache:6379/0"}, lookup);
//
// The engine is chosen by selectEngine() (engine_selection.h) and one line says which and
// why, e.g. `ucache "geo" selected sqlite (redis unavailable: connection refused ...)`.
// Order: the preferred engine if one is set; then redis when a Redis URL is configured; then
// sqlite and files when the cache has a name and a cache root; memory last, always.
//
// At run time a persistent engine is wrapped in a circuit breaker: when it fails (Redis
// down, a disk locked or full) calls still return correct values by computing, errors are
// counted in stats().errors, the engine is retried after a back-off (1 s doubling to 60 s),
// and the outage is logged once when it starts and once when it ends.
//
// Values are stored as Codec bytes on persistent engines, so the result type needs Codec
// encode and decode (codec.h); on the memory engine they are kept as objects.
//
// Thread safety: as for Memoized (memoize.h).
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "twat_cache/engine_selection.h"
#include "twat_cache/memoize.h"

namespace twat_cache {

template <class... Target>
Result<Memoized<detail::CallableOf<Target...>>> ucache(CacheConfig config, Target&&... target) {
    using Fn = detail::CallableOf<Target...>;
    using R = typename detail::CallSignature<Fn>::Result;
    detail::requireByteCodable<Fn>();
    static_assert(!std::is_void_v<R>, "a function returning void has nothing to cache");
    // An unnamed cache has no stable identity, so only the memory engine may hold it; it is
    // named for the registry after the choice.
    const bool unnamed = config.name.empty();
    auto resolved = resolveConfig(config);
    if (!resolved.ok()) {
        return resolved.status().withContext(unnamed ? "ucache" : "ucache \"" + config.name + "\"");
    }
    auto selection = selectEngine(*resolved);
    if (!selection.ok()) return selection.status();
    if (unnamed) resolved->name = detail::nextCacheName("ucache");
    const std::string context = "ucache \"" + resolved->name + "\"";

    auto state = std::make_shared<detail::MemoState<Fn>>(
        detail::makeCallable(std::forward<Target>(target)...));
    state->name = resolved->name;
    state->tag = typeTag<R>();
    state->clock = resolved->clock;
    if (selection->kind == EngineKind::kMemory) {
        // The memory engine cannot fail at run time: no breaker, and the typed fast path.
        state->memory = dynamic_cast<MemoryEngine*>(selection->engine.get());
        state->engine = std::move(selection->engine);
    } else {
        state->engine = guardEngine(std::move(selection->engine), context, resolved->clock);
    }
    CacheRegistry::instance().add(state);
    return Memoized<Fn>(std::move(state));
}

}  // namespace twat_cache
