// Renders our own stored values for inspection: the envelope's type tag names the Codec type
// when it is one of the common built-in ones, and the payload is then decoded and described
// (`42`, `"text"`, `[1, 2]`); anything else is shown as text or hex.
//
// Thread safety: pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace twat_cache::detail {

struct RenderedValue {
    std::string kind;     // "int64", "str", ... for a known type tag; "text" or "binary" else
    std::string preview;  // valid UTF-8, at most about `limit` bytes
};

// `payload` is the whole decoded (decompressed) value when `whole`, else a prefix.
RenderedValue renderStoredValue(std::uint64_t typeTag, std::string_view payload, bool whole,
                                std::size_t limit);

// Hex dump preview ("00 01 ff ...") of at most `limit` bytes of output.
std::string hexPreview(std::string_view bytes, std::size_t limit);

}  // namespace twat_cache::detail
