// The binary envelope a Redis entry holds (docs/FORMAT.md, "Redis entries").
//
// Same field list as the shared envelope planned for every persistent engine (magic, format
// version, flags, type tag, created, expires, key text, payload), so the two can be unified.
// Layout, little-endian:
//     0  magic "TWCE" (4)      4  format version u16    6  flags u16 (bit 0: zstd payload)
//     8  type tag u64         16  created ms i64       24  expires ms i64 (0: never)
//    32  key text length u32  36  key text             ..  payload length u32, payload
// A reader can describe an entry from its first kEnvelopeHeaderMax bytes (GETRANGE).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "twat_cache/codec.h"
#include "twat_cache/engine.h"

namespace twat_cache::detail {

inline constexpr std::uint16_t kEnvelopeVersion = 1;
inline constexpr std::uint16_t kEnvelopeFlagZstd = 1;
inline constexpr std::size_t kEnvelopeFixedSize = 36;  // up to and including key text length
// Enough to read the fixed fields and a key text cut to kKeyTextLimit (plus slack).
inline constexpr std::size_t kEnvelopeHeaderMax = kEnvelopeFixedSize + kKeyTextLimit + 64;

struct EnvelopeHeader {
    std::uint16_t version = 0;
    std::uint16_t flags = 0;
    std::uint64_t type_tag = 0;
    std::int64_t created_ms = 0;
    std::int64_t expires_ms = 0;
    std::string key_text;
};

// Encodes an entry; compresses the payload with zstd when `compress` and it pays off.
std::string encodeEnvelope(const Record& record, std::int64_t createdMs, std::int64_t expiresMs,
                           bool compress, std::size_t compressMinBytes);

// Decodes a whole envelope; Corruption (naming `what`) on a bad magic, version or length.
Result<StoredValue> decodeEnvelope(std::string_view bytes, std::string_view what);

// Decodes the header from a prefix of an envelope (the key text may be cut short).
Result<EnvelopeHeader> decodeEnvelopeHeader(std::string_view prefix, std::string_view what);

}  // namespace twat_cache::detail
