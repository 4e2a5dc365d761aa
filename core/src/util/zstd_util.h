// zstd compression of stored values, shared by the persistent engines.
//
// Thread safety: stateless functions (each call uses its own zstd context).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "twat_cache/status.h"

namespace twat_cache::detail {

// One zstd frame of `data` at `level`, or nullopt when compression would not make the
// value smaller (the caller then stores it raw).
std::optional<std::string> zstdCompress(std::string_view data, int level = 3);

// Decompresses one zstd frame. Corruption naming `origin` when the frame is damaged, has no
// content size, or would exceed `limit` bytes.
Result<std::string> zstdDecompress(std::string_view frame, std::string_view origin,
                                   std::uint64_t limit = std::uint64_t{1} << 32);

}  // namespace twat_cache::detail
