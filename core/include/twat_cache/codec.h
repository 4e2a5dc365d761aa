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
// Thread safety: codecs are stateless; Writer and Reader are single-threaded values.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "twat_cache/export.h"

namespace twat_cache {

// Key text is cut to about this many bytes (an ellipsis marks the cut).
inline constexpr std::size_t kKeyTextLimit = 200;

// Appends encoded bytes to a std::string owned by the caller.
class Writer {
  public:
    explicit Writer(std::string& out, bool canonical = false)
        : m_out(&out), m_canonical(canonical) {}

    // Key mode: unordered containers sorted, floating-point values normalized.
    bool canonical() const noexcept { return m_canonical; }
    std::string& buffer() noexcept { return *m_out; }

    void putByte(std::uint8_t b) { m_out->push_back(static_cast<char>(b)); }
    void putRaw(const void* data, std::size_t n) {
        m_out->append(static_cast<const char*>(data), n);
    }
    template <class U>
    requires std::is_integral_v<U>
    void putFixed(U v) {
        using Unsigned = std::make_unsigned_t<U>;
        auto u = static_cast<Unsigned>(v);
        if constexpr (std::endian::native == std::endian::big && sizeof(U) > 1) {
            u = byteswap(u);
        }
        putRaw(&u, sizeof(u));
    }
    void putVarint(std::uint64_t v) {
        while (v >= 0x80) {
            putByte(static_cast<std::uint8_t>(v | 0x80));
            v >>= 7;
        }
        putByte(static_cast<std::uint8_t>(v));
    }
    // Length-prefixed bytes.
    void putString(std::string_view s) {
        putVarint(s.size());
        putRaw(s.data(), s.size());
    }

    template <class U>
    static U byteswap(U v) {
        U r = 0;
        for (std::size_t i = 0; i < sizeof(U); ++i) {
            r = static_cast<U>((r << 8) | ((v >> (8 * i)) & 0xFF));
        }
        return r;
    }

  private:
    std::string* m_out;
    bool m_canonical;
};

// Reads what a Writer wrote. Every get returns false, and leaves the reader failed, when the
// input is short or malformed; it never reads out of bounds.
class Reader {
  public:
    explicit Reader(std::string_view in) : m_in(in) {}

    bool failed() const noexcept { return m_failed; }
    bool atEnd() const noexcept { return m_pos == m_in.size(); }
    std::size_t remaining() const noexcept { return m_in.size() - m_pos; }
    bool fail() {
        m_failed = true;
        return false;
    }

    bool getByte(std::uint8_t& b) {
        if (remaining() < 1) return fail();
        b = static_cast<std::uint8_t>(m_in[m_pos++]);
        return true;
    }
    bool getRaw(void* data, std::size_t n) {
        if (remaining() < n) return fail();
        if (n != 0) std::memcpy(data, m_in.data() + m_pos, n);
        m_pos += n;
        return true;
    }
    bool getView(std::string_view& out, std::size_t n) {
        if (remaining() < n) return fail();
        out = m_in.substr(m_pos, n);
        m_pos += n;
        return true;
    }
    template <class U>
    requires std::is_integral_v<U>
    bool getFixed(U& v) {
        using Unsigned = std::make_unsigned_t<U>;
        Unsigned u = 0;
        if (!getRaw(&u, sizeof(u))) return false;
        if constexpr (std::endian::native == std::endian::big && sizeof(U) > 1) {
            u = Writer::byteswap(u);
        }
        v = static_cast<U>(u);
        return true;
    }
    bool getVarint(std::uint64_t& v) {
        v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            std::uint8_t b = 0;
            if (!getByte(b)) return false;
            v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return true;
        }
        return fail();
    }
    // A varint length that must fit in what is left (each element needs >= minElementBytes).
    bool getLength(std::size_t& n, std::size_t minElementBytes = 1) {
        std::uint64_t v = 0;
        if (!getVarint(v)) return false;
        if (minElementBytes != 0 && v > remaining() / minElementBytes) return fail();
        n = static_cast<std::size_t>(v);
        return true;
    }
    bool getString(std::string& s) {
        std::size_t n = 0;
        std::string_view view;
        if (!getLength(n) || !getView(view, n)) return false;
        s.assign(view);
        return true;
    }

  private:
    std::string_view m_in;
    std::size_t m_pos = 0;
    bool m_failed = false;
};

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

namespace detail {
template <class T>
inline constexpr bool kMemcpyElement = (std::is_arithmetic_v<T> && !std::is_same_v<T, bool> &&
                                        !std::is_floating_point_v<T>) ||
                                       std::is_same_v<T, std::byte>;

template <class Container>
void describeSequence(std::string& out, const Container& c, char open, char close) {
    out += open;
    bool first = true;
    for (const auto& e : c) {
        if (!first) out += ", ";
        first = false;
        if (textFull(out)) {
            out += "...";
            break;
        }
        describeValue(out, e);
    }
    out += close;
}

// One element of a container; a map's std::pair<const K, V> is written as its key and value
// (there is no Codec for const K).
template <class E>
void encodeElement(Writer& w, const E& e) {
    encodeValue(w, e);
}
template <class K, class V>
void encodeElement(Writer& w, const std::pair<const K, V>& e) {
    encodeValue(w, e.first);
    encodeValue(w, e.second);
}

template <class Container>
void encodeSequence(Writer& w, const Container& c) {
    w.putVarint(c.size());
    for (const auto& e : c) encodeElement(w, e);
}

// Unordered containers: in key mode the elements are encoded one by one and written in
// sorted byte order, so iteration order never changes a key.
template <class Container>
void encodeUnordered(Writer& w, const Container& c) {
    if (!w.canonical()) {
        encodeSequence(w, c);
        return;
    }
    std::vector<std::string> parts;
    parts.reserve(c.size());
    for (const auto& e : c) {
        std::string part;
        Writer pw(part, true);
        encodeElement(pw, e);
        parts.push_back(std::move(part));
    }
    std::sort(parts.begin(), parts.end());
    w.putVarint(parts.size());
    for (const auto& p : parts) w.putRaw(p.data(), p.size());
}
}  // namespace detail

template <class T, class A>
struct Codec<std::vector<T, A>, std::enable_if_t<Encodable<T>>> {
    static void encode(Writer& w, const std::vector<T, A>& v) {
        if constexpr (detail::kMemcpyElement<T>) {
            w.putVarint(v.size());
            if constexpr (std::endian::native == std::endian::little || sizeof(T) == 1) {
                w.putRaw(v.data(), v.size() * sizeof(T));
            } else {
                for (const auto& e : v) encodeValue(w, e);
            }
        } else {
            detail::encodeSequence(w, v);
        }
    }
    static bool decode(Reader& r, std::vector<T, A>& v) requires Decodable<T> {
        std::size_t n = 0;
        if constexpr (detail::kMemcpyElement<T> &&
                      (std::endian::native == std::endian::little || sizeof(T) == 1)) {
            if (!r.getLength(n, sizeof(T))) return false;
            v.resize(n);
            return r.getRaw(v.data(), n * sizeof(T));
        } else {
            // Every element takes at least one byte, so a length larger than the input is
            // malformed and never allocates.
            if (!r.getLength(n, 1)) return false;
            v.clear();
            v.reserve(n);
            for (std::size_t i = 0; i < n; ++i) {
                T e{};
                if (!decodeValue(r, e)) return false;
                v.push_back(std::move(e));
            }
            return true;
        }
    }
    static void describe(std::string& out, const std::vector<T, A>& v) {
        if constexpr (std::is_same_v<T, std::byte> || std::is_same_v<T, unsigned char>) {
            out += "bytes[" + std::to_string(v.size()) + "]";
        } else {
            detail::describeSequence(out, v, '[', ']');
        }
    }
    static void signature(std::string& out) {
        out += "vec<";
        appendSignature<T>(out);
        out += '>';
    }
};

template <class T, std::size_t N>
struct Codec<std::array<T, N>, std::enable_if_t<Encodable<T>>> {
    static void encode(Writer& w, const std::array<T, N>& v) {
        for (const auto& e : v) encodeValue(w, e);
    }
    static bool decode(Reader& r, std::array<T, N>& v) requires Decodable<T> {
        for (auto& e : v) {
            if (!decodeValue(r, e)) return false;
        }
        return true;
    }
    static void describe(std::string& out, const std::array<T, N>& v) {
        detail::describeSequence(out, v, '[', ']');
    }
    static void signature(std::string& out) {
        out += "arr" + std::to_string(N) + "<";
        appendSignature<T>(out);
        out += '>';
    }
};

template <class A, class B>
struct Codec<std::pair<A, B>, std::enable_if_t<Encodable<A> && Encodable<B>>> {
    static void encode(Writer& w, const std::pair<A, B>& v) {
        encodeValue(w, v.first);
        encodeValue(w, v.second);
    }
    static bool decode(Reader& r, std::pair<A, B>& v) requires Decodable<A> && Decodable<B> {
        return decodeValue(r, v.first) && decodeValue(r, v.second);
    }
    static void describe(std::string& out, const std::pair<A, B>& v) {
        out += '(';
        describeValue(out, v.first);
        out += ", ";
        describeValue(out, v.second);
        out += ')';
    }
    static void signature(std::string& out) {
        out += "pair<";
        appendSignature<A>(out);
        out += ',';
        appendSignature<B>(out);
        out += '>';
    }
};

template <class... Ts>
struct Codec<std::tuple<Ts...>, std::enable_if_t<(Encodable<Ts> && ...)>> {
    static void encode(Writer& w, const std::tuple<Ts...>& v) {
        std::apply([&w](const auto&... e) { (encodeValue(w, e), ...); }, v);
    }
    static bool decode(Reader& r, std::tuple<Ts...>& v) requires(Decodable<Ts>&&...) {
        return std::apply([&r](auto&... e) { return (decodeValue(r, e) && ...); }, v);
    }
    static void describe(std::string& out, const std::tuple<Ts...>& v) {
        out += '(';
        bool first = true;
        std::apply(
            [&](const auto&... e) {
                ((out += first ? "" : ", ", first = false, describeValue(out, e)), ...);
            },
            v);
        out += ')';
    }
    static void signature(std::string& out) {
        out += "tuple<";
        bool first = true;
        ((out += first ? "" : ",", first = false, appendSignature<Ts>(out)), ...);
        out += '>';
    }
};

template <class T>
struct Codec<std::optional<T>, std::enable_if_t<Encodable<T>>> {
    static void encode(Writer& w, const std::optional<T>& v) {
        w.putByte(v ? 1 : 0);
        if (v) encodeValue(w, *v);
    }
    static bool decode(Reader& r, std::optional<T>& v) requires Decodable<T> {
        std::uint8_t flag = 0;
        if (!r.getByte(flag) || flag > 1) return r.fail();
        if (flag == 0) {
            v.reset();
            return true;
        }
        T inner{};
        if (!decodeValue(r, inner)) return false;
        v = std::move(inner);
        return true;
    }
    static void describe(std::string& out, const std::optional<T>& v) {
        if (v) {
            describeValue(out, *v);
        } else {
            out += "None";
        }
    }
    static void signature(std::string& out) {
        out += "opt<";
        appendSignature<T>(out);
        out += '>';
    }
};

template <class Rep, class Period>
struct Codec<std::chrono::duration<Rep, Period>, std::enable_if_t<Encodable<Rep>>> {
    using D = std::chrono::duration<Rep, Period>;
    static void encode(Writer& w, const D& v) { encodeValue(w, v.count()); }
    static bool decode(Reader& r, D& v) {
        Rep count{};
        if (!decodeValue(r, count)) return false;
        v = D(count);
        return true;
    }
    static void describe(std::string& out, const D& v) {
        describeValue(out, v.count());
        if constexpr (std::is_same_v<Period, std::nano>)
            out += "ns";
        else if constexpr (std::is_same_v<Period, std::micro>)
            out += "us";
        else if constexpr (std::is_same_v<Period, std::milli>)
            out += "ms";
        else if constexpr (std::is_same_v<Period, std::ratio<1>>)
            out += "s";
        else if constexpr (std::is_same_v<Period, std::ratio<60>>)
            out += "min";
        else if constexpr (std::is_same_v<Period, std::ratio<3600>>)
            out += "h";
        else
            out += "*" + std::to_string(Period::num) + "/" + std::to_string(Period::den) + "s";
    }
    static void signature(std::string& out) {
        out += "dur<";
        appendSignature<Rep>(out);
        out += "," + std::to_string(Period::num) + "/" + std::to_string(Period::den) + ">";
    }
};

namespace detail {
template <class Map>
struct MapCodec {
    using K = typename Map::key_type;
    using V = typename Map::mapped_type;
    // Ordered containers are sorted by encoded bytes in key mode too (not by their
    // comparator), so a std::map and its unordered twin give one key.
    static void encode(Writer& w, const Map& m) { encodeUnordered(w, m); }
    static bool decode(Reader& r, Map& m) {
        std::size_t n = 0;
        if (!r.getLength(n)) return false;
        m.clear();
        for (std::size_t i = 0; i < n; ++i) {
            K k{};
            V v{};
            if (!decodeValue(r, k) || !decodeValue(r, v)) return false;
            m.insert_or_assign(std::move(k), std::move(v));
        }
        return true;
    }
    static void describe(std::string& out, const Map& m) {
        out += '{';
        bool first = true;
        for (const auto& [k, v] : m) {
            if (!first) out += ", ";
            first = false;
            if (textFull(out)) {
                out += "...";
                break;
            }
            describeValue(out, k);
            out += ": ";
            describeValue(out, v);
        }
        out += '}';
    }
    static void signature(std::string& out) {
        out += "map<";
        appendSignature<K>(out);
        out += ',';
        appendSignature<V>(out);
        out += '>';
    }
};
template <class Set>
struct SetCodec {
    using K = typename Set::key_type;
    // Ordered containers are sorted by encoded bytes in key mode too (not by their
    // comparator), so a std::set and its unordered twin give one key.
    static void encode(Writer& w, const Set& s) { encodeUnordered(w, s); }
    static bool decode(Reader& r, Set& s) {
        std::size_t n = 0;
        if (!r.getLength(n)) return false;
        s.clear();
        for (std::size_t i = 0; i < n; ++i) {
            K k{};
            if (!decodeValue(r, k)) return false;
            s.insert(std::move(k));
        }
        return true;
    }
    static void describe(std::string& out, const Set& s) { describeSequence(out, s, '{', '}'); }
    static void signature(std::string& out) {
        out += "set<";
        appendSignature<K>(out);
        out += '>';
    }
};
}  // namespace detail

// Ordered and unordered maps share one encoding (and signature), so a key built from a
// std::map equals the key built from a std::unordered_map with the same contents.
template <class K, class V, class C, class A>
struct Codec<std::map<K, V, C, A>, std::enable_if_t<Encodable<K> && Encodable<V>>>
    : detail::MapCodec<std::map<K, V, C, A>> {};
template <class K, class V, class H, class E, class A>
struct Codec<std::unordered_map<K, V, H, E, A>, std::enable_if_t<Encodable<K> && Encodable<V>>>
    : detail::MapCodec<std::unordered_map<K, V, H, E, A>> {};
template <class K, class C, class A>
struct Codec<std::set<K, C, A>, std::enable_if_t<Encodable<K>>>
    : detail::SetCodec<std::set<K, C, A>> {};
template <class K, class H, class E, class A>
struct Codec<std::unordered_set<K, H, E, A>, std::enable_if_t<Encodable<K>>>
    : detail::SetCodec<std::unordered_set<K, H, E, A>> {};

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
