// The value envelope (see envelope.h for the layout).
#include "format/envelope.h"

#define XXH_INLINE_ALL
#include <xxhash.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace twat_cache::detail {
namespace {

// zstd level 3 is zstd's default: a good ratio at a few hundred MB/s.
constexpr int kZstdLevel = 3;
// A stored frame may claim any content size; refuse to inflate beyond this.
constexpr unsigned long long kMaxPayload = 1ULL << 32;

void putU64(std::string& out, std::uint64_t v) {
    char buf[8];
    for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
    out.append(buf, 8);
}

std::uint64_t getU64(const char* p) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}

void putVarint(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7F) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

}  // namespace

Status encodeEnvelope(std::string& out, const EnvelopeFields& fields, std::string_view payload,
                      bool compress) {
    const std::size_t start = out.size();
    out.reserve(start + kEnvelopeFixedHeader + 10 + fields.key_text.size() + 16 + payload.size() +
                kEnvelopeTrailer);
    out.append(kEnvelopeMagic);
    out.push_back(static_cast<char>(kEnvelopeVersion));
    const std::size_t flagsAt = out.size();
    out.push_back(0);
    putU64(out, fields.type_tag);
    putU64(out, static_cast<std::uint64_t>(fields.created_ms));
    putU64(out, static_cast<std::uint64_t>(fields.expires_ms));
    putVarint(out, fields.key_text.size());
    out.append(fields.key_text);
    putU64(out, fields.compute_ns ? std::min(*fields.compute_ns, kComputeNotRecorded - 1)
                                  : kComputeNotRecorded);

    bool stored = false;
    if (compress && !payload.empty()) {
        const std::size_t lengthAt = out.size();
        const std::size_t bound = ZSTD_compressBound(payload.size());
        out.resize(lengthAt + 8 + bound);
        const std::size_t n = ZSTD_compress(out.data() + lengthAt + 8, bound, payload.data(),
                                            payload.size(), kZstdLevel);
        if (ZSTD_isError(n)) {
            out.resize(start);
            return Status::ioError(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
        }
        if (n < payload.size()) {
            out.resize(lengthAt + 8 + n);
            for (int i = 0; i < 8; ++i) {
                out[lengthAt + static_cast<std::size_t>(i)] =
                    static_cast<char>((static_cast<std::uint64_t>(n) >> (8 * i)) & 0xFF);
            }
            out[flagsAt] = static_cast<char>(kEnvelopeFlagZstd);
            stored = true;
        } else {
            out.resize(lengthAt);  // incompressible: store as is
        }
    }
    if (!stored) {
        putU64(out, payload.size());
        out.append(payload);
    }
    putU64(out, XXH3_64bits(out.data() + start, out.size() - start));
    return {};
}

Result<EnvelopeHeader> parseEnvelopeFixed(std::string_view bytes) {
    if (bytes.size() >= 4 && bytes.substr(0, 4) != kEnvelopeMagic) {
        return Status::corruption("not a twat_cache envelope (bad magic)");
    }
    if (bytes.size() < kEnvelopeFixedHeader) {
        return Status::corruption("envelope truncated in its header (" +
                                  std::to_string(bytes.size()) + " bytes)");
    }
    EnvelopeHeader h;
    h.version = static_cast<std::uint8_t>(bytes[4]);
    h.flags = static_cast<std::uint8_t>(bytes[5]);
    if (h.version < kEnvelopeOldestVersion || h.version > kEnvelopeVersion) {
        return Status::corruption("unsupported envelope version " + std::to_string(h.version));
    }
    if ((h.flags & ~kEnvelopeFlagZstd) != 0) {
        return Status::corruption("unknown envelope flags " + std::to_string(h.flags));
    }
    h.type_tag = getU64(bytes.data() + 6);
    h.created_ms = static_cast<std::int64_t>(getU64(bytes.data() + 14));
    h.expires_ms = static_cast<std::int64_t>(getU64(bytes.data() + 22));
    return h;
}

Result<EnvelopeHeader> parseEnvelopeHeader(std::string_view bytes, std::size_t* needed) {
    if (needed != nullptr) *needed = 0;
    auto shortBy = [&](std::size_t want) -> Status {
        if (needed != nullptr) *needed = want;
        return Status::corruption("envelope truncated in its header (" +
                                  std::to_string(bytes.size()) + " bytes)");
    };
    auto fixed = parseEnvelopeFixed(bytes);
    if (!fixed.ok()) {
        const bool badMagic = bytes.size() >= 4 && bytes.substr(0, 4) != kEnvelopeMagic;
        if (!badMagic && bytes.size() < kEnvelopeFixedHeader) {
            return shortBy(kEnvelopeFixedHeader + 1);
        }
        return fixed.status();
    }
    EnvelopeHeader& h = *fixed;

    std::size_t pos = kEnvelopeFixedHeader;
    std::uint64_t keyLength = 0;
    for (int shift = 0;; shift += 7) {
        if (shift > 63) return Status::corruption("envelope key length is not a varint");
        if (pos >= bytes.size()) return shortBy(pos + 10);
        const auto b = static_cast<unsigned char>(bytes[pos++]);
        keyLength |= static_cast<std::uint64_t>(b & 0x7F) << shift;
        if ((b & 0x80) == 0) break;
    }
    if (keyLength > (1U << 20)) return Status::corruption("envelope key text is implausibly long");
    std::size_t keyEnd = pos + static_cast<std::size_t>(keyLength);
    const std::size_t computeBytes = h.version >= 2 ? 8 : 0;
    if (keyEnd + computeBytes + 8 > bytes.size()) return shortBy(keyEnd + computeBytes + 8);
    h.key_text = bytes.substr(pos, static_cast<std::size_t>(keyLength));
    if (computeBytes != 0) {
        const std::uint64_t ns = getU64(bytes.data() + keyEnd);
        if (ns != kComputeNotRecorded) h.compute_ns = ns;
        keyEnd += computeBytes;
    }
    h.stored_size = getU64(bytes.data() + keyEnd);
    h.payload_offset = keyEnd + 8;
    if (h.stored_size > kMaxPayload) return Status::corruption("envelope payload length too big");
    h.envelope_size = h.payload_offset + h.stored_size + kEnvelopeTrailer;
    return h;
}

Status setEnvelopeExpiry(std::string& bytes, std::int64_t expiresMs) {
    auto header = parseEnvelopeHeader(bytes);
    if (!header.ok()) return header.status();
    if (header->envelope_size != bytes.size()) {
        return Status::corruption("envelope is " + std::to_string(bytes.size()) +
                                  " bytes, its header says " +
                                  std::to_string(header->envelope_size));
    }
    const std::size_t body = bytes.size() - kEnvelopeTrailer;
    if (XXH3_64bits(bytes.data(), body) != getU64(bytes.data() + body)) {
        return Status::corruption("envelope checksum mismatch");
    }
    constexpr std::size_t kExpiresAt = 22;  // docs/FORMAT.md, "Value envelope"
    std::string patched;
    putU64(patched, static_cast<std::uint64_t>(expiresMs));
    bytes.replace(kExpiresAt, 8, patched);
    patched.clear();
    putU64(patched, XXH3_64bits(bytes.data(), body));
    bytes.replace(body, kEnvelopeTrailer, patched);
    return {};
}

Result<EnvelopeHeader> decodeEnvelope(std::string_view bytes, std::string& payload) {
    auto header = parseEnvelopeHeader(bytes);
    if (!header.ok()) return header.status();
    const EnvelopeHeader& h = *header;
    if (h.envelope_size != bytes.size()) {
        return Status::corruption("envelope is " + std::to_string(bytes.size()) +
                                  " bytes, its header says " + std::to_string(h.envelope_size));
    }
    const std::size_t body = bytes.size() - kEnvelopeTrailer;
    if (XXH3_64bits(bytes.data(), body) != getU64(bytes.data() + body)) {
        return Status::corruption("envelope checksum mismatch");
    }
    const std::string_view stored = bytes.substr(h.payload_offset, h.stored_size);
    if (!h.compressed()) {
        payload.assign(stored);
        return header;
    }
    const unsigned long long size = ZSTD_getFrameContentSize(stored.data(), stored.size());
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > kMaxPayload) {
        return Status::corruption("envelope payload is not a sized zstd frame");
    }
    payload.resize(static_cast<std::size_t>(size));
    const std::size_t n =
        ZSTD_decompress(payload.data(), payload.size(), stored.data(), stored.size());
    if (ZSTD_isError(n) || n != size) {
        return Status::corruption(std::string("envelope payload does not decompress: ") +
                                  (ZSTD_isError(n) ? ZSTD_getErrorName(n) : "size mismatch"));
    }
    return header;
}

}  // namespace twat_cache::detail
