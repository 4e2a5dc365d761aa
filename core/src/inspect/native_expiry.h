// Changing the expiry of one entry of our own caches in place, in each engine's format
// (docs/FORMAT.md), safely beside the engine's writers in other processes:
//
// * sqlite: the `expires` column of the entry's row, in one write transaction (BEGIN
//   IMMEDIATE), so it is ordered with every store and read.
// * files: the envelope's expiry field and checksum, written to a temporary file beside the
//   entry (the engine's own temporary name) and renamed over it, so a reader sees the old file
//   or the new one. The entry is read, rewritten and renamed through the fan-out folders'
//   descriptors (never following a symlink); it is renamed only while the file still is the
//   one read (same inode, size and modification time), and keeps that modification time
//   (the engine's last access). A store of the same key landing in the microseconds between
//   that check and the rename is replaced by the entry as read, with its new expiry: a value
//   the cache held for that key, never a torn or wrong one.
//
// Both refuse (Busy, nothing changed) when `fingerprint` is not empty and the entry's
// EntrySummary::fingerprint differs: it was stored again since it was shown.
//
// Thread safety: free functions without shared state.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "twat_cache/status.h"

namespace twat_cache::detail {

class Connection;

// Sets the expiry (Unix ms; 0: never) of the row whose 16-byte key blob is `key`, on the
// read-write connection `conn`. NotFound when there is no such row.
Status setSqliteEntryExpiry(Connection& conn, std::string_view key, std::int64_t expiresMs,
                            std::string_view fingerprint);

// Sets the expiry (Unix ms; 0: never) of the entry file `hex` (32 hex digits) below the files
// cache's `entries` folder. NotFound when it is gone; Corruption when it is damaged.
Status setFilesEntryExpiry(const std::filesystem::path& entries, const std::string& hex,
                           std::int64_t expiresMs, std::string_view fingerprint);

}  // namespace twat_cache::detail
