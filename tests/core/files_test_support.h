// Helpers shared by the files engine tests: a ResolvedConfig for a folder and a ManualClock,
// and direct access to entry files.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "twat_cache/clock.h"
#include "twat_cache/config.h"
#include "twat_cache/engine.h"
#include "twat_cache/key.h"

namespace twat_cache::test {

inline ResolvedConfig filesConfig(const std::filesystem::path& folder,
                                  std::shared_ptr<Clock> clock = nullptr) {
    ResolvedConfig c;
    c.name = "files_test";
    c.folder = folder;
    c.cache_root = folder.parent_path();
    c.clock = clock ? std::move(clock) : Clock::system();
    return c;
}

inline std::unique_ptr<Engine> openFiles(const ResolvedConfig& config) {
    auto engine = openEngine(EngineKind::kFiles, config);
    if (!engine.ok()) return nullptr;
    return std::move(engine).value();
}

inline Key keyOf(int i) {
    return makeKey("files_test", i);
}

// entries/ab/cd/<hex>.twc for a key.
inline std::filesystem::path entryFile(const std::filesystem::path& folder, const Key& key) {
    const std::string hex = key.toHex();
    return folder / "entries" / hex.substr(0, 2) / hex.substr(2, 2) / (hex + ".twc");
}

// A payload that differs for every key index and has a size depending on it.
inline std::string payloadOf(int i, std::size_t size = 0) {
    if (size == 0) size = 16 + static_cast<std::size_t>(i % 97) * 13;
    std::string s(size, '\0');
    for (std::size_t k = 0; k < size; ++k) {
        s[k] = static_cast<char>((static_cast<std::size_t>(i) * 131 + k * 7) & 0xFF);
    }
    return s;
}

}  // namespace twat_cache::test
