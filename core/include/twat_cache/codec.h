// Codec<T>: the binary encoding of keys and values.
//
// Every argument of a memoized function and every cached value is encoded through
// Codec<T>. The encoding is:
//   * deterministic and platform-independent (fixed-width little-endian numbers, varint
//     lengths), so equal inputs give equal keys across runs, processes and machines;
//   * canonical in key mode (Writer::canonical()): unordered containers are written in sorted
//     element order, -0.0 is written as 0.0 and every NaN as one NaN;
//   * decodable without executing anything: a Reader only ever fills plain values.
//
// Supported out of the box: bool, char types, all integer types, float, double, enums,
// std::string (and std::string_view / const char* as key arguments), byte buffers
// (std::vector<std::byte>, std::vector<unsigned char>, any vector of numbers is memcpy'd),
// std::vector, std::array, std::map, std::unordered_map, std::set, std::unordered_set,
// std::optional, std::pair, std::tuple and std::chrono::duration.
//
// The customization point for your own types is a specialization of twat_cache::Codec:
//
//     template <>
//     struct twat_cache::Codec<Point> {
//         static void encode(Writer& w, const Point& p) {
//             encodeValue(w, p.x);
//             encodeValue(w, p.y);
//         }
//         static bool decode(Reader& r, Point& p) {
//             return decodeValue(r, p.x) && decodeValue(r, p.y);
//         }
//         // Optional: how the value reads in key text (default: "<signature>").
//         static void describe(std::string& out, const Point& p) { ... }
//         // Optional but recommended: a stable name; change it when the encoding changes so
//         // old cached values are treated as misses (default: the compiler's type name).
//         static void signature(std::string& out) { out += "Point/1"; }
//     };
//
// This header is the entry point of the codec API: it holds Codec<T>, the scalar codecs and the
// encode/decode/describe helpers, and includes the byte streams (codec_io.h: Writer, Reader)
// and the container codecs (codec_containers.h).
//
// Thread safety: codecs are stateless; Writer and Reader are single-threaded values.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>

#include "twat_cache/codec_io.h"
#include "twat_cache/export.h"

namespace twat_cache {

// Key text is cut to about this many bytes (an ellipsis marks the cut).
inline constexpr std::size_t kKeyTextLimit = 200;

// The primary template is deliberately undefined: a type without a Codec does not compile as
// a key argument or a cached value. Specialize it (see the top of this file).
template <class T, class Enable = void>
struct Codec;

template <class T>
concept Encodable = requires(Writer& w, const T& v) {
    Codec<T>::encode(w, v);
};
template <class T>
concept Decodable = requires(Reader& r, T& v) {
    { Codec<T>::decode(r, v) } -> std::convertible_to<bool>;
};

namespace detail {
TWAT_CACHE_EXPORT void appendEscaped(std::string& out, std::string_view text, std::size_t limit);
TWAT_CACHE_EXPORT void appendDouble(std::string& out, double v);
TWAT_CACHE_EXPORT std::uint64_t hash64(std::string_view bytes);
inline bool textFull(const std::string& out) {
    return out.size() >= kKeyTextLimit;
}
}  // namespace detail

template <Encodable T>
void encodeValue(Writer& w, const T& v) {
    Codec<T>::encode(w, v);
}
template <Decodable T>
bool decodeValue(Reader& r, T& v) {
    return Codec<T>::decode(r, v);
}

template <class T>
void describeValue(std::string& out, const T& v);
template <class T>
void appendSignature(std::string& out);

// A stable name of T's encoding, e.g. "vec<str>"; part of every stored value's type tag.
template <class T>
std::string typeSignature() {
    std::string s;
    appendSignature<T>(s);
    return s;
}
// 64-bit tag of typeSignature<T>(); a stored value whose tag differs is never returned.
template <class T>
std::uint64_t typeTag() {
    static const std::uint64_t tag = detail::hash64(typeSignature<T>());
    return tag;
}

// Encodes one value into a fresh string (value mode).
template <Encodable T>
std::string encodeToString(const T& v) {
    std::string out;
    Writer w(out);
    encodeValue(w, v);
    return out;
}
// Decodes a whole buffer; false when malformed or when bytes are left over.
template <Decodable T>
bool decodeFromString(std::string_view bytes, T& v) {
    Reader r(bytes);
    return decodeValue(r, v) && r.atEnd();
}

// ---- built-in codecs ----------------------------------------------------------------------

template <>
struct Codec<bool> {
    static void encode(Writer& w, bool v) { w.putByte(v ? 1 : 0); }
    static bool decode(Reader& r, bool& v) {
        std::uint8_t b = 0;
        if (!r.getByte(b) || b > 1) return r.fail();
        v = b == 1;
        return true;
    }
    static void describe(std::string& out, bool v) { out += v ? "true" : "false"; }
    static void signature(std::string& out) { out += "bool"; }
};

template <class T>
struct Codec<T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>> {
    static void encode(Writer& w, T v) { w.putFixed(v); }
    static bool decode(Reader& r, T& v) { return r.getFixed(v); }
    static void describe(std::string& out, T v) {
        if constexpr (std::is_same_v<T, char>) {
            out += '\'';
            detail::appendEscaped(out, std::string_view(&v, 1), 8);
            out += '\'';
        } else if constexpr (std::is_signed_v<T>) {
            out += std::to_string(static_cast<long long>(v));
        } else {
            out += std::to_string(static_cast<unsigned long long>(v));
        }
    }
    static void signature(std::string& out) {
        if constexpr (std::is_same_v<T, char>) {
            out += "char";
        } else {
            out += std::is_signed_v<T> ? 'i' : 'u';
            out += std::to_string(sizeof(T) * 8);
        }
    }
};

template <class T>
struct Codec<T, std::enable_if_t<std::is_floating_point_v<T> && sizeof(T) <= 8>> {
    using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
    static void encode(Writer& w, T v) {
        if (w.canonical()) {
            if (v == T(0)) v = T(0);  // -0.0 and 0.0 compare equal: one key
            if (v != v) v = std::numeric_limits<T>::quiet_NaN();
        }
        w.putFixed(std::bit_cast<Bits>(v));
    }
    static bool decode(Reader& r, T& v) {
        Bits b = 0;
        if (!r.getFixed(b)) return false;
        v = std::bit_cast<T>(b);
        return true;
    }
    static void describe(std::string& out, T v) {
        detail::appendDouble(out, static_cast<double>(v));
    }
    static void signature(std::string& out) { out += sizeof(T) == 4 ? "f32" : "f64"; }
};

template <class T>
struct Codec<T, std::enable_if_t<std::is_enum_v<T>>> {
    using U = std::underlying_type_t<T>;
    static void encode(Writer& w, T v) { Codec<U>::encode(w, static_cast<U>(v)); }
    static bool decode(Reader& r, T& v) {
        U u{};
        if (!Codec<U>::decode(r, u)) return false;
        v = static_cast<T>(u);
        return true;
    }
    static void describe(std::string& out, T v) { Codec<U>::describe(out, static_cast<U>(v)); }
    static void signature(std::string& out) {
        out += "enum:";
        Codec<U>::signature(out);
    }
};

template <>
struct Codec<std::string> {
    static void encode(Writer& w, const std::string& v) { w.putString(v); }
    static bool decode(Reader& r, std::string& v) { return r.getString(v); }
    static void describe(std::string& out, const std::string& v) {
        out += '"';
        detail::appendEscaped(out, v, kKeyTextLimit);
        out += '"';
    }
    static void signature(std::string& out) { out += "str"; }
};

// Key arguments only: encodes exactly like std::string.
template <>
struct Codec<std::string_view> {
    static void encode(Writer& w, std::string_view v) { w.putString(v); }
    static void describe(std::string& out, std::string_view v) {
        out += '"';
        detail::appendEscaped(out, v, kKeyTextLimit);
        out += '"';
    }
    static void signature(std::string& out) { out += "str"; }
};
// A string literal passed straight to makeKey/makeKeyText: the characters up to the first NUL,
// so that f("abc") and f(std::string("abc")) give one key.
template <std::size_t N>
struct Codec<char[N]> {
    static std::string_view view(const char (&v)[N]) {
        return {v, static_cast<std::size_t>(std::find(v, v + N, '\0') - v)};
    }
    static void encode(Writer& w, const char (&v)[N]) { w.putString(view(v)); }
    static void describe(std::string& out, const char (&v)[N]) {
        Codec<std::string_view>::describe(out, view(v));
    }
    static void signature(std::string& out) { out += "str"; }
};
template <>
struct Codec<const char*> {
    static void encode(Writer& w, const char* v) { w.putString(v ? std::string_view(v) : ""); }
    static void describe(std::string& out, const char* v) {
        Codec<std::string_view>::describe(out, v ? std::string_view(v) : "");
    }
    static void signature(std::string& out) { out += "str"; }
};

// ---- describe / signature with defaults for user codecs -----------------------------------

template <class T>
void appendSignature(std::string& out) {
    if constexpr (requires(std::string & s) { Codec<T>::signature(s); }) {
        Codec<T>::signature(out);
    } else {
        out += "user:";
        out += typeid(T).name();
    }
}

template <class T>
void describeValue(std::string& out, const T& v) {
    if constexpr (requires(std::string & s, const T& x) { Codec<T>::describe(s, x); }) {
        Codec<T>::describe(out, v);
    } else {
        out += '<';
        appendSignature<T>(out);
        out += '>';
    }
}

}  // namespace twat_cache

// The container codecs (std::vector, std::map, ...).
#include "twat_cache/codec_containers.h"
