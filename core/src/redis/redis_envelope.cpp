#include "redis/redis_envelope.h"

#include <zstd.h>

#include <bit>
#include <cstring>

namespace twat_cache::detail {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the envelope writer assumes little-endian");

constexpr char kMagic[4] = {'T', 'W', 'C', 'E'};
// A stored payload never claims to inflate beyond this (guards against a hostile header).
constexpr unsigned long long kMaxPayload = 1ULL << 31;

template <class T>
void put(std::string& out, T v) {
    char buf[sizeof(T)];
    std::memcpy(buf, &v, sizeof(T));
    out.append(buf, sizeof(T));
}

template <class T>
T get(std::string_view bytes, std::size_t at) {
    T v;
    std::memcpy(&v, bytes.data() + at, sizeof(T));
    return v;
}

Status bad(std::string_view what, std::string_view why) {
    return Status::corruption(std::string(what) +
                              " is not a twat_cache entry: " + std::string(why));
}

}  // namespace

std::string encodeEnvelope(const Record& record, std::int64_t createdMs, std::int64_t expiresMs,
                           bool compress, std::size_t compressMinBytes) {
    std::string compressed;
    std::uint16_t flags = 0;
    if (compress && record.payload.size() >= compressMinBytes) {
        compressed.resize(ZSTD_compressBound(record.payload.size()));
        const std::size_t n = ZSTD_compress(compressed.data(), compressed.size(),
                                            record.payload.data(), record.payload.size(), 3);
        if (!ZSTD_isError(n) && n < record.payload.size()) {
            compressed.resize(n);
            flags |= kEnvelopeFlagZstd;
        }
    }
    const std::string_view payload = (flags & kEnvelopeFlagZstd) ? compressed : record.payload;
    std::string out;
    out.reserve(kEnvelopeFixedSize + record.key_text.size() + 4 + payload.size());
    out.append(kMagic, sizeof(kMagic));
    put<std::uint16_t>(out, kEnvelopeVersion);
    put<std::uint16_t>(out, flags);
    put<std::uint64_t>(out, record.type_tag);
    put<std::int64_t>(out, createdMs);
    put<std::int64_t>(out, expiresMs);
    put<std::uint32_t>(out, static_cast<std::uint32_t>(record.key_text.size()));
    out.append(record.key_text);
    put<std::uint32_t>(out, static_cast<std::uint32_t>(payload.size()));
    out.append(payload);
    return out;
}

Result<EnvelopeHeader> decodeEnvelopeHeader(std::string_view prefix, std::string_view what) {
    if (prefix.size() < kEnvelopeFixedSize) return bad(what, "too short");
    if (std::memcmp(prefix.data(), kMagic, sizeof(kMagic)) != 0) return bad(what, "bad magic");
    EnvelopeHeader h;
    h.version = get<std::uint16_t>(prefix, 4);
    if (h.version != kEnvelopeVersion) {
        return bad(what, "format version " + std::to_string(h.version) + " (this build reads " +
                             std::to_string(kEnvelopeVersion) + ")");
    }
    h.flags = get<std::uint16_t>(prefix, 6);
    if ((h.flags & ~kEnvelopeFlagZstd) != 0)
        return bad(what, "unknown flags " + std::to_string(h.flags));
    h.type_tag = get<std::uint64_t>(prefix, 8);
    h.created_ms = get<std::int64_t>(prefix, 16);
    h.expires_ms = get<std::int64_t>(prefix, 24);
    const auto keyLen = get<std::uint32_t>(prefix, 32);
    const std::string_view rest = prefix.substr(kEnvelopeFixedSize);
    h.key_text = std::string(rest.substr(0, keyLen));
    return h;
}

Result<StoredValue> decodeEnvelope(std::string_view bytes, std::string_view what) {
    auto header = decodeEnvelopeHeader(bytes, what);
    if (!header.ok()) return header.status();
    const std::size_t keyLen = header->key_text.size();
    const std::size_t declaredKeyLen = get<std::uint32_t>(bytes, 32);
    if (keyLen != declaredKeyLen || bytes.size() - kEnvelopeFixedSize - keyLen < 4) {
        return bad(what, "truncated key text");
    }
    const std::size_t payloadAt = kEnvelopeFixedSize + keyLen + 4;
    const auto payloadLen = get<std::uint32_t>(bytes, payloadAt - 4);
    if (bytes.size() - payloadAt != payloadLen) return bad(what, "payload length mismatch");
    const std::string_view payload = bytes.substr(payloadAt);
    StoredValue v;
    v.type_tag = header->type_tag;
    v.created_ms = header->created_ms;
    v.expires_ms = header->expires_ms;
    if (header->flags & kEnvelopeFlagZstd) {
        const unsigned long long size = ZSTD_getFrameContentSize(payload.data(), payload.size());
        if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN ||
            size > kMaxPayload) {
            return bad(what, "bad zstd frame");
        }
        v.payload.resize(static_cast<std::size_t>(size));
        const std::size_t n =
            ZSTD_decompress(v.payload.data(), v.payload.size(), payload.data(), payload.size());
        if (ZSTD_isError(n) || n != size) return bad(what, "zstd payload does not decompress");
    } else {
        v.payload = std::string(payload);
    }
    return v;
}

}  // namespace twat_cache::detail
