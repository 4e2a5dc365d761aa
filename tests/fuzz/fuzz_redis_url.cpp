// libFuzzer target: Redis URL parsing and password masking (URLs come from the environment,
// the command line and saved connections).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "twat_cache/redis_engine.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view url(reinterpret_cast<const char*>(data), size);
    (void)twat_cache::parseRedisUrl(url);
    const std::string masked = twat_cache::maskRedisUrl(url);
    (void)masked;
    return 0;
}
