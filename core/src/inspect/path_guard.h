// Keeps file access inside a cache's own folder.
//
// A path read from a cache (a diskcache `filename` column, a folder found by walking) is
// trusted only when it names something inside the cache folder: absolute paths and `..`
// components are refused, and so is anything whose real location, after following symlinks,
// lies outside the folder.
//
// Thread safety: stateless free functions; safe from any thread.
#pragma once

#include <filesystem>
#include <string_view>

#include "twat_cache/status.h"

namespace twat_cache::detail {

// `root / relative` when it stays inside `root`; PermissionDenied naming the path otherwise.
Result<std::filesystem::path> resolveInside(const std::filesystem::path& root,
                                            std::string_view relative);

// OK when `path` (already under `root` lexically) really lies inside `root`.
Status checkInside(const std::filesystem::path& root, const std::filesystem::path& path);

}  // namespace twat_cache::detail
