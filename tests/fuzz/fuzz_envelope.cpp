// libFuzzer target: the value envelope shared by the persistent engines (files on disk and
// Redis values are untrusted): header parsing and whole decoding, zstd included.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "format/envelope.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    std::size_t needed = 0;
    (void)twat_cache::detail::parseEnvelopeFixed(bytes);
    (void)twat_cache::detail::parseEnvelopeHeader(bytes, &needed);
    std::string payload;
    (void)twat_cache::detail::decodeEnvelope(bytes, payload);
    return 0;
}
