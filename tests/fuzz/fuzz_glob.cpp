// libFuzzer target: the shell-glob matcher that filters listings and plans deletions. The
// input is "pattern\0text"; matching must stay fast and never read out of bounds.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "twat_cache/inspect.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    const std::size_t nul = all.find('\0');
    const std::string_view pattern = all.substr(0, nul);
    const std::string_view text = nul == std::string_view::npos ? all : all.substr(nul + 1);
    (void)twat_cache::globMatch(pattern, text);
    return 0;
}
