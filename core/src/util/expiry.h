// Expiry arithmetic shared by every engine: a record's own ttl overrides the cache's, and a
// ttl of 0 (or less) means the entry never expires, stored as expiry 0.
//
// Thread safety: pure functions.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>

namespace twat_cache::detail {

// The ttl in ms a record is stored with: its own when set, else the cache's; 0: none.
inline std::int64_t effectiveTtlMs(const std::optional<std::chrono::milliseconds>& recordTtl,
                                   std::chrono::milliseconds cacheTtl) {
    return std::max<std::int64_t>(0, recordTtl.value_or(cacheTtl).count());
}

// The expiry (clock ms) of a record stored at `nowMs`; 0: it never expires.
inline std::int64_t expiryMs(const std::optional<std::chrono::milliseconds>& recordTtl,
                             std::chrono::milliseconds cacheTtl, std::int64_t nowMs) {
    const std::int64_t ttl = effectiveTtlMs(recordTtl, cacheTtl);
    return ttl > 0 ? nowMs + ttl : 0;
}

}  // namespace twat_cache::detail
