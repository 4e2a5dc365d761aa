// Writer and Reader: the byte streams Codec<T> encodes into and decodes from.
//
// Part of the public codec API; include "twat_cache/codec.h", which includes this header.
// The format they write is fixed-width little-endian numbers and LEB128 varint lengths, so it
// is the same on every platform (see codec.h and docs/FORMAT.md).
//
// Thread safety: Writer and Reader are single-threaded values.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

namespace twat_cache {

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

}  // namespace twat_cache
