// RedisEngine helpers for the transport tests (TLS, SSH tunnels): an engine opened on a URL
// with no environment, and a pipelined round trip of many values, some large enough to span
// many TLS records or SSH windows.
//
// Thread safety: as the engine's (setMany/getMany are thread-safe).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "twat_cache/config.h"
#include "twat_cache/key.h"
#include "twat_cache/redis_engine.h"

namespace twat_cache::test {

// An engine for cache `name` at `url`, with the defaults (the environment is not read).
inline Result<std::unique_ptr<RedisEngine>> openEngine(const std::string& url,
                                                       const std::string& name) {
    CacheConfig c;
    c.name = name;
    c.redis_url = url;
    auto cfg = resolveConfig(c, [](std::string_view) { return std::optional<std::string>(); });
    if (!cfg.ok()) return cfg.status();
    return RedisEngine::open(*cfg);
}

// `count` payloads: every `largeEvery`-th one `largeBytes` long, the others 40 bytes, each
// filled with its own letter.
inline std::vector<std::string> batchPayloads(int count, int largeEvery, std::size_t largeBytes) {
    std::vector<std::string> out;
    out.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
        out.emplace_back(i % largeEvery == 0 ? largeBytes : 40, static_cast<char>('a' + i % 26));
    }
    return out;
}

// Stores payloads[i] under makeKey(prefix, i) with one setMany, reads them back with one
// getMany. Returns "" when every value came back unchanged, else what went wrong.
inline std::string roundTripBatch(RedisEngine& engine, std::string_view prefix,
                                  const std::vector<std::string>& payloads) {
    std::vector<KeyedRecord> batch;
    std::vector<Key> keys;
    for (std::size_t i = 0; i < payloads.size(); ++i) {
        Record r;
        r.key_text = "k";
        r.type_tag = 1;
        r.payload = payloads[i];
        batch.push_back({makeKey(prefix, static_cast<int>(i)), r});
        keys.push_back(batch.back().key);
    }
    if (Status s = engine.setMany(batch); !s.ok()) return "setMany: " + s.toString();
    auto got = engine.getMany(keys);
    if (got.size() != keys.size()) return "getMany returned another number of values";
    for (std::size_t i = 0; i < got.size(); ++i) {
        if (!got[i].ok()) return "value " + std::to_string(i) + ": " + got[i].status().toString();
        if (got[i]->payload != payloads[i]) return "value " + std::to_string(i) + " differs";
    }
    return {};
}

}  // namespace twat_cache::test
