// The cache-folder manifest, twat_cache.json, as the files engine reads and writes it:
//     {"format":"twat_cache","format_version":1,"engine":"files","name":"geo",
//      "created":1700000000000,"options":{"maxsize":0,"max_bytes":0,"ttl_ms":0,
//      "policy":"lru","compress":false,"secure":false}}
// It marks a folder as a native cache (so the CLI and the inspector find it) and keeps the
// engine from ever writing into a folder that is not its own.
//
// This is a minimal local copy of the shared manifest helper (util/manifest.h, written by the
// sqlite engine's author) with the same JSON; it is meant to be replaced by that helper.
//
// Thread safety: free functions; safe from any thread (the write is atomic by rename).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "twat_cache/config.h"
#include "twat_cache/status.h"

namespace twat_cache::detail {

inline constexpr std::string_view kManifestName = "twat_cache.json";
inline constexpr std::string_view kManifestFormat = "twat_cache";
inline constexpr int kManifestFormatVersion = 1;

struct FolderManifest {
    std::string engine;  // "files", "sqlite", ...
    std::string name;
    std::int64_t created_ms = 0;
    int format_version = 0;
};

// Reads `folder`/twat_cache.json. NotFound when there is none; Corruption naming the file
// when it is not JSON or not a twat_cache manifest.
Result<FolderManifest> readManifest(const std::string& folder);

// Writes `folder`/twat_cache.json atomically for `engine` with the options of `config`.
Status writeManifest(const std::string& folder, std::string_view engine,
                     const ResolvedConfig& config, mode_t fileMode);

}  // namespace twat_cache::detail
