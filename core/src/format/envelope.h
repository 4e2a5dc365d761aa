// The value envelope: the one binary layout in which every persistent engine (files, sqlite,
// redis) stores a value, so that any engine or the inspector can read any stored value.
//
// Layout (integers little-endian; docs/FORMAT.md, "value envelope"):
//     offset  size  field
//          0     4  magic "TWC1"
//          4     1  format version (kEnvelopeVersion)
//          5     1  flags: bit 0 = payload is one zstd frame; other bits must be 0
//          6     8  type tag (u64, typeTag<V>() of the value)
//         14     8  created, Unix ms (i64)
//         22     8  expires, Unix ms (i64; 0 = never)
//         30   1-10 key text length (unsigned LEB128 varint), then the key text bytes
//          …     8  compute time, ns (u64; kComputeNotRecorded = not recorded) — version 2 only
//          …     8  stored payload length (u64)
//          …     n  stored payload (zstd frame when flag bit 0 is set)
//          …     8  checksum: XXH3-64 (seed 0) of every byte before it
// A reader checks the magic, version, flags, lengths (the envelope must end exactly after the
// checksum) and the checksum, so a truncated or overwritten envelope is Corruption, never a
// wrong value. Writers write version 2; readers read versions 1 (no compute time: not
// recorded) and 2. The fixed header (what parseEnvelopeFixed reads) is the same in both.
//
// Thread safety: pure functions; safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "twat_cache/status.h"

namespace twat_cache::detail {

inline constexpr std::string_view kEnvelopeMagic = "TWC1";
inline constexpr std::uint8_t kEnvelopeVersion = 2;
// The oldest version readers still accept (version 1 has no compute time).
inline constexpr std::uint8_t kEnvelopeOldestVersion = 1;
// The compute-time field's value for "not recorded".
inline constexpr std::uint64_t kComputeNotRecorded = ~std::uint64_t{0};
inline constexpr std::uint8_t kEnvelopeFlagZstd = 0x01;
// Bytes before the key text's varint.
inline constexpr std::size_t kEnvelopeFixedHeader = 30;
// Bytes after the payload.
inline constexpr std::size_t kEnvelopeTrailer = 8;

// What an envelope says about its value, besides the payload.
struct EnvelopeFields {
    std::string_view key_text;
    std::uint64_t type_tag = 0;
    std::int64_t created_ms = 0;
    std::int64_t expires_ms = 0;                // 0: never
    std::optional<std::uint64_t> compute_ns{};  // nullopt: not recorded
};

// A parsed header. Views point into the bytes that were parsed.
struct EnvelopeHeader {
    std::uint8_t version = 0;
    std::uint8_t flags = 0;
    std::uint64_t type_tag = 0;
    std::int64_t created_ms = 0;
    std::int64_t expires_ms = 0;
    std::string_view key_text;
    std::optional<std::uint64_t> compute_ns{};  // nullopt: version 1, or not recorded
    std::uint64_t stored_size = 0;              // payload bytes as stored (compressed when flagged)
    std::size_t payload_offset = 0;             // where the stored payload starts
    std::uint64_t envelope_size = 0;            // payload_offset + stored_size + kEnvelopeTrailer

    bool compressed() const { return (flags & kEnvelopeFlagZstd) != 0; }
};

// Appends the envelope of `payload` to `out`. With `compress`, the payload is stored as a zstd
// frame when that makes it smaller (the flag tells readers which). Fails only when zstd does.
Status encodeEnvelope(std::string& out, const EnvelopeFields& fields, std::string_view payload,
                      bool compress);

// Parses only the fixed fields (version, flags, type tag, created, expires) from the first
// kEnvelopeFixedHeader bytes: enough for an expiry check (Redis GETRANGE). key_text and the
// sizes stay empty. Corruption when the bytes are not the start of an envelope.
Result<EnvelopeHeader> parseEnvelopeFixed(std::string_view bytes);

// Parses the header from `bytes`, which may be only a prefix of the envelope (to read entry
// metadata without the payload). Corruption when the bytes are not an envelope header; when
// `bytes` is too short to hold the whole header, Corruption too, and `*needed` (if given) is
// set to the prefix length that would suffice (0 when not yet known).
Result<EnvelopeHeader> parseEnvelopeHeader(std::string_view bytes, std::size_t* needed = nullptr);

// Checks a whole envelope (lengths and checksum) and writes its uncompressed payload to
// `payload`. Corruption on any mismatch; `payload` is then unspecified.
Result<EnvelopeHeader> decodeEnvelope(std::string_view bytes, std::string& payload);

// Changes the expiry of the whole envelope `bytes` in place to `expiresMs` (0: never) and
// writes its checksum anew; every other byte stays. Corruption, leaving `bytes` as they were,
// when they are not one whole envelope with a matching checksum.
Status setEnvelopeExpiry(std::string& bytes, std::int64_t expiresMs);

}  // namespace twat_cache::detail
