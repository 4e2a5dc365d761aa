// Sources over plain folders: joblib.Memory stores (one entry per cached call) and generic
// cache folders (one entry per file).
//
// Listing pages through a resumable walk in path order (folder_walk.h), or through the sort
// index for an order (sorted_listing.h); deletion removes a call folder or a file only after
// checking that it lies inside the store (no `..`, no symlink pointing out).
//
// Thread safety: one thread at a time (see Source).
#pragma once

#include <memory>

#include "twat_cache/inspect.h"

namespace twat_cache::detail {

// `info.path` is the folder that holds `joblib/`, or `joblib/` itself.
Result<std::unique_ptr<Source>> openJoblibSource(const SourceInfo& info,
                                                 const OpenOptions& options);
Result<std::unique_ptr<Source>> openFolderSource(const SourceInfo& info,
                                                 const OpenOptions& options);

// The `joblib` folder of a store at `path`, or empty when `path` is no joblib store.
std::filesystem::path joblibDirOf(const std::filesystem::path& path);

}  // namespace twat_cache::detail
