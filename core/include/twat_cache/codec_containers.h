// The Codec<T> specializations of the standard containers: std::vector, std::array,
// std::pair, std::tuple, std::optional, std::chrono::duration, std::map, std::unordered_map,
// std::set and std::unordered_set (ordered and unordered twins share one encoding).
//
// Part of the public codec API; include "twat_cache/codec.h", which includes this header after
// the scalar codecs (this one includes codec.h in turn, so either order compiles).
//
// Thread safety: codecs are stateless.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "twat_cache/codec.h"

namespace twat_cache {

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

}  // namespace twat_cache
