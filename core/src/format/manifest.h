// The manifest of a native cache folder: `twat_cache.json`, the file that says "this folder
// is a twat_cache cache of engine X, format version N", so that the CLI and the inspector
// discover caches and engines never write into a folder that is not theirs.
//
//     {"format": "twat_cache", "format_version": 1, "engine": "sqlite", "name": "geo",
//      "created": "2024-05-01T12:00:00.000Z",
//      "options": {"maxsize": 0, "max_bytes": 0, "ttl_ms": 0, "policy": "lru",
//                  "compress": false}}
//
// docs/FORMAT.md is the reference. Compatibility rule: a manifest whose format_version is
// newer than kManifestFormatVersion is refused read-write (NotSupported); unknown fields are
// ignored and kept out of rewrites.
//
// Thread safety: stateless functions; concurrent openers of one folder are safe (the
// manifest is written atomically and temporary manifests are not counted as foreign files).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "twat_cache/config.h"
#include "twat_cache/status.h"

namespace twat_cache::detail {

inline constexpr std::string_view kManifestFileName = "twat_cache.json";
inline constexpr std::string_view kManifestFormat = "twat_cache";
inline constexpr int kManifestFormatVersion = 1;

struct Manifest {
    int format_version = kManifestFormatVersion;
    std::string engine;   // "sqlite", "files"
    std::string name;     // the cache's name
    std::string created;  // ISO 8601 UTC, millisecond precision, e.g. 2024-05-01T12:00:00.000Z
    // The options the cache was last opened with.
    std::uint64_t maxsize = 0;
    std::uint64_t max_bytes = 0;
    std::int64_t ttl_ms = 0;
    Policy policy = Policy::kLru;
    bool compress = false;

    bool operator==(const Manifest&) const = default;
};

// The manifest describing `config` for `engine`, created now (by config.clock).
Manifest manifestFor(std::string_view engine, const ResolvedConfig& config);

// Serializes / parses a manifest. parseManifest fails with Corruption naming `origin` when
// the text is not a twat_cache manifest (bad JSON, wrong "format", missing fields).
std::string serializeManifest(const Manifest& manifest);
Result<Manifest> parseManifest(std::string_view text, std::string_view origin);

// Reads `folder`/twat_cache.json. NotFound when there is none; Corruption when unreadable.
Result<Manifest> readManifest(const std::filesystem::path& folder);
// Writes `folder`/twat_cache.json atomically (0600 when `secure`).
Status writeManifest(const std::filesystem::path& folder, const Manifest& manifest, bool secure);

// Opens `config.folder` for read-write use by `engine`, creating it when missing:
//   * missing or empty folder: created (0700 when secure) and given a fresh manifest;
//   * folder with a manifest of `engine`: accepted; the options are updated to `config`'s
//     (name and created are kept);
//   * manifest of another engine or not a twat_cache manifest: InvalidArgument / Corruption;
//   * manifest with a newer format_version: NotSupported (never written by this build);
//   * non-empty folder without a manifest: InvalidArgument ("not a twat_cache cache"),
//     so that a user's folder is never written into.
// Returns the manifest now on disk.
Result<Manifest> openCacheFolder(const ResolvedConfig& config, std::string_view engine);

}  // namespace twat_cache::detail
