// Helpers shared by the sqlite engine tests: a config rooted in a temporary folder with a
// ManualClock, records and keys built from short strings.
#pragma once

#include <QtTest>
#include <memory>
#include <string>

#include "twat_cache/config.h"
#include "twat_cache/engine.h"
#include "twat_cache/key.h"
#include "twat_cache/sqlite_engine.h"

namespace twat_cache::test {

inline ResolvedConfig sqliteConfig(const std::filesystem::path& root, CacheConfig config,
                                   std::shared_ptr<Clock> clock = nullptr) {
    if (config.name.empty()) config.name = "t";
    config.cache_dir = root;
    config.clock = clock ? std::move(clock) : std::make_shared<ManualClock>();
    auto r = resolveConfig(config, [](std::string_view) { return std::optional<std::string>(); });
    if (!r.ok()) qFatal("resolveConfig failed: %s", r.status().toString().c_str());
    return std::move(r).value();
}

inline Key keyOf(const std::string& s) {
    return hashBytes(s);
}

inline Record recordOf(std::string_view keyText, std::string_view payload,
                       std::uint64_t typeTag = 7, std::string_view tag = {}) {
    Record r;
    r.key_text = keyText;
    r.payload = payload;
    r.type_tag = typeTag;
    r.tag = tag;
    return r;
}

// A payload that differs per (seed, size) and does not compress.
inline std::string noise(std::uint64_t seed, std::size_t size) {
    std::string out(size, '\0');
    std::uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;
    for (auto& c : out) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        c = static_cast<char>(x & 0xff);
    }
    return out;
}

}  // namespace twat_cache::test
