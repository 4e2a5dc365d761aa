// Key: the 128-bit identity of one cached call.
//
// A key is XXH3-128 of the canonical encoding (codec.h, key mode) of the cache name followed
// by the call's arguments. Equal inputs give equal keys in every run, process and machine;
// the order in which an unordered container was filled never matters. makeKeyText() gives
// the readable form kept for display, e.g. `fib(42)`, cut to about kKeyTextLimit bytes.
//
// Thread safety: all functions are pure; makeKey uses a thread-local scratch buffer.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "twat_cache/codec.h"
#include "twat_cache/export.h"
#include "twat_cache/status.h"

namespace twat_cache {

struct Key {
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;

    bool operator==(const Key&) const = default;
    auto operator<=>(const Key&) const = default;

    // 32 lower-case hex digits, hi first: the form used in file names and Redis keys.
    TWAT_CACHE_EXPORT std::string toHex() const;
    // Parses toHex()'s output; InvalidArgument otherwise.
    TWAT_CACHE_EXPORT static Result<Key> fromHex(std::string_view hex);
};

struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept { return static_cast<std::size_t>(k.lo); }
};

// XXH3-128 of the given bytes.
TWAT_CACHE_EXPORT Key hashBytes(std::string_view bytes);

namespace detail {
TWAT_CACHE_EXPORT std::string& keyScratch();
}

// The key of a call of cache `cacheName` with `args`.
template <class... Args>
Key makeKey(std::string_view cacheName, const Args&... args) {
    std::string& buf = detail::keyScratch();
    buf.clear();
    Writer w(buf, /*canonical=*/true);
    w.putString(cacheName);
    (encodeValue(w, args), ...);
    return hashBytes(buf);
}

// The readable key text of a call, e.g. `area(3, 4.5, "m")`.
template <class... Args>
std::string makeKeyText(std::string_view cacheName, const Args&... args) {
    std::string out;
    out.reserve(32);
    out.append(cacheName.substr(0, kKeyTextLimit / 2));
    out += '(';
    bool first = true;
    ((out += first ? "" : ", ", first = false, describeValue(out, args)), ...);
    out += ')';
    if (out.size() > kKeyTextLimit + 8) {
        out.resize(kKeyTextLimit);
        // Do not leave half a UTF-8 sequence behind the cut.
        while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80)
            out.pop_back();
        if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
        out += "...)";
    }
    return out;
}

}  // namespace twat_cache

template <>
struct std::hash<twat_cache::Key> {
    std::size_t operator()(const twat_cache::Key& k) const noexcept {
        return static_cast<std::size_t>(k.lo);
    }
};
