// libFuzzer target: the cache folder manifest (twat_cache.json), a JSON file anyone can edit.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "format/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)twat_cache::detail::parseManifest(text, "fuzz input");
    return 0;
}
