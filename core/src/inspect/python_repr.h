// Python-style text of untrusted bytes: repr() of str and bytes, UTF-8 checks and escapes.
// Shared by the pickle reader and every source that shows keys, names or values.
//
// Thread safety: pure functions; safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace twat_cache::detail {

// Python repr() of a str given as UTF-8 (invalid sequences shown as \x escapes), and of bytes.
std::string pythonStrRepr(std::string_view utf8);
std::string pythonBytesRepr(std::string_view bytes);

// `text` when it is valid UTF-8, else with each invalid byte replaced by \xNN.
std::string sanitizeUtf8(std::string_view text);

// repr() of `s` as str (UTF-8) or bytes; stops once the output passes `maxOutput` bytes
// (the result then has no closing quote), so a huge string costs only what is shown.
std::string quotedRepr(std::string_view s, bool isBytes, std::size_t maxOutput = std::string::npos);

// Length of the valid UTF-8 sequence at `s[i]`, or 0 when it is invalid (or cut off).
std::size_t utf8SequenceLength(std::string_view s, std::size_t i);
// Appends "\xNN" (lower-case hex).
void appendHexEscape(std::string& out, unsigned char c);
// Appends the UTF-8 encoding of the code point `cp` (at most U+10FFFF).
void appendCodepointUtf8(std::string& out, std::uint32_t cp);

}  // namespace twat_cache::detail
