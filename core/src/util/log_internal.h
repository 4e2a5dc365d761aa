// The core's spdlog logger. Private: public headers never expose spdlog.
#pragma once

#include <spdlog/spdlog.h>

namespace twat_cache::detail {

// The "twat_cache" logger; its level comes from setLogLevel() or TWAT_CACHE_LOG_LEVEL.
spdlog::logger& logger();

}  // namespace twat_cache::detail
