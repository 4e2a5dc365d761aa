// Redis Cluster key slots: which of the 16384 slots a key belongs to (the Redis Cluster
// specification, "Keys distribution model"): CRC16 (XMODEM) of the key modulo 16384, where a
// key holding a non-empty "{...}" hashes only what is between its first '{' and the next '}'
// (a hash tag), so that keys sharing a tag share a slot.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

namespace twat_cache::detail {

inline constexpr int kClusterSlots = 16384;

// CRC16-CCITT (XMODEM: polynomial 0x1021, initial value 0), as Redis Cluster uses.
std::uint16_t crc16(std::string_view bytes);

// The part of `key` that decides its slot: the hash tag when it has a non-empty one.
std::string_view hashTagOf(std::string_view key);

// The slot of `key`, 0..16383.
int keySlot(std::string_view key);

}  // namespace twat_cache::detail
