// libFuzzer target: the non-executing pickle reader on arbitrary bytes (diskcache and joblib
// keys and values are untrusted). Any crash, leak, sanitizer report or time-out is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "inspect/pickle_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    auto rendered = twat_cache::detail::renderPickle(
        bytes, twat_cache::detail::PickleRenderOptions{.max_output = 512});
    (void)rendered;
    (void)twat_cache::detail::sanitizeUtf8(bytes);
    return 0;
}
