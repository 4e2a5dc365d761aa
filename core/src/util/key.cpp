// Hashing (XXH3), key hex forms and the text helpers used by codec.h.
#define XXH_INLINE_ALL
#include "twat_cache/key.h"

#include <xxhash.h>

#include <charconv>
#include <cmath>
#include <cstdio>

#include "twat_cache/codec.h"

namespace twat_cache {

Key hashBytes(std::string_view bytes) {
    const XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
    return Key{h.high64, h.low64};
}

std::string Key::toHex() const {
    // Hand-rolled rather than snprintf: Redis builds a key name per operation, and the
    // formatted version cost about as much as the rest of a pipelined GET's client work.
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(32, '0');
    for (int i = 15; i >= 0; --i) {
        out[static_cast<std::size_t>(15 - i)] = kDigits[(hi >> (4 * i)) & 0xF];
        out[static_cast<std::size_t>(31 - i)] = kDigits[(lo >> (4 * i)) & 0xF];
    }
    return out;
}

Result<Key> Key::fromHex(std::string_view hex) {
    Key k;
    auto parse = [](std::string_view part, std::uint64_t& out) {
        if (part.size() != 16) return false;
        for (char c : part) {
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
        }
        auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), out, 16);
        return ec == std::errc() && ptr == part.data() + part.size();
    };
    if (hex.size() != 32 || !parse(hex.substr(0, 16), k.hi) || !parse(hex.substr(16), k.lo)) {
        return Status::invalidArgument("\"" + std::string(hex.substr(0, 64)) +
                                       "\" is not a key (32 lower-case hex digits)");
    }
    return k;
}

namespace detail {

std::string& keyScratch() {
    thread_local std::string buffer;
    return buffer;
}

std::uint64_t hash64(std::string_view bytes) {
    return XXH3_64bits(bytes.data(), bytes.size());
}

void appendEscaped(std::string& out, std::string_view text, std::size_t limit) {
    std::size_t written = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        if (written >= limit) {
            out += "...";
            return;
        }
        const auto c = static_cast<unsigned char>(text[i]);
        // Keep well-formed UTF-8 sequences; escape control bytes and invalid bytes.
        std::size_t len = 0;
        if (c >= 0x20 && c < 0x7F)
            len = 1;
        else if (c >= 0xC2 && c <= 0xDF)
            len = 2;
        else if (c >= 0xE0 && c <= 0xEF)
            len = 3;
        else if (c >= 0xF0 && c <= 0xF4)
            len = 4;
        bool valid = len > 0 && i + len <= text.size();
        for (std::size_t k = 1; valid && k < len; ++k) {
            valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
        }
        if (valid) {
            if (c == '"' || c == '\\') out += '\\';
            out.append(text.substr(i, len));
            i += len;
            written += len;
            continue;
        }
        char buf[8];
        switch (c) {
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                std::snprintf(buf, sizeof(buf), "\\x%02x", c);
                out += buf;
        }
        ++i;
        written += 2;
    }
}

void appendDouble(std::string& out, double v) {
    if (std::isnan(v)) {
        out += "nan";
        return;
    }
    if (std::isinf(v)) {
        out += v > 0 ? "inf" : "-inf";
        return;
    }
    char buf[32];
    auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), v);
    if (ec == std::errc()) out.append(buf, ptr);
}

}  // namespace detail
}  // namespace twat_cache
