// Engine: the one interface every cache store implements (memory, sqlite, files, redis).
//
// An engine maps a Key to a stored value: an opaque payload (the Codec encoding of the
// value, possibly zstd-compressed by the engine) with the value's type tag, its key text and
// its times. Persistent engines write these fields in the shared envelope described in
// docs/FORMAT.md. Engines know nothing of C++ value types: the memoization layer encodes,
// decodes and compares type tags, and treats a foreign tag as a miss.
//
// Errors: get() returns NotFound for a missing or expired entry, and another code for a real
// failure. The engine counts each failed get/set/erase in its Stats::errors (the rule is in
// stats.h); the memoization layer then computes the value without counting it again.
//
// Thread safety: every engine is safe to use from many threads at once; each documents how
// (e.g. sharded locks, a connection per thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "twat_cache/config.h"
#include "twat_cache/export.h"
#include "twat_cache/key.h"
#include "twat_cache/stats.h"
#include "twat_cache/status.h"

namespace twat_cache {

// What set() stores. Views must stay valid for the duration of the call.
struct Record {
    std::string_view key_text{};  // readable key, for display
    std::uint64_t type_tag = 0;   // typeTag<V>() of the encoded value
    std::string_view payload{};   // Codec encoding of the value (uncompressed)
    // Overrides the cache's ttl for this entry when set (0: never expires).
    std::optional<std::chrono::milliseconds> ttl{};
    std::string_view tag{};  // optional grouping tag (engines with capabilities().tags)
    // How long the value took to compute, in nanoseconds, when the caller measured it (the
    // memoization wrappers do). The engine keeps it with the entry, adds it to
    // Stats::compute_ns, and adds it to Stats::saved_ns on each hit of the entry; the cost
    // policy weighs entries by it. Unset: not recorded (adds nothing anywhere).
    std::optional<std::uint64_t> compute_ns{};
};

// What get() returns.
struct StoredValue {
    std::string payload;  // uncompressed Codec encoding
    std::uint64_t type_tag = 0;
    std::int64_t created_ms = 0;                // Unix ms
    std::int64_t expires_ms = 0;                // Unix ms; 0: never
    std::optional<std::uint64_t> compute_ns{};  // Record::compute_ns; nullopt: not recorded
};

// One entry as inspection sees it.
struct EntryInfo {
    Key key;
    std::string key_text;
    std::uint64_t size = 0;        // stored bytes of the value
    std::int64_t created_ms = 0;   // Unix ms
    std::int64_t accessed_ms = 0;  // Unix ms; 0: not tracked
    std::int64_t expires_ms = 0;   // Unix ms; 0: never
    std::uint64_t hits = 0;        // hits of this entry, where tracked
    std::string tag;
    std::optional<std::uint64_t> compute_ns{};  // Record::compute_ns; nullopt: not recorded
};

// A page of a cursor scan. `cursor` is opaque; pass it back to continue. An empty cursor
// means the scan is complete. Entries changed during a scan may be seen once, twice or not
// at all, but entries present throughout are seen at least once.
struct ScanPage {
    std::vector<EntryInfo> entries;
    std::string cursor;
};

struct Capabilities {
    bool persistent = false;     // survives the process
    bool cross_process = false;  // several processes may share it
    bool cross_host = false;     // several machines may share it
    bool ttl = true;
    bool tags = false;
    bool compression = false;
    std::vector<Policy> policies;  // eviction policies supported
};

class TWAT_CACHE_EXPORT Engine {
  public:
    virtual ~Engine();

    // "memory", "sqlite", "files" or "redis".
    virtual std::string_view kind() const = 0;
    virtual Capabilities capabilities() const = 0;

    // The live value of `key`; NotFound when absent or expired.
    virtual Result<StoredValue> get(const Key& key) = 0;
    // Stores (or replaces) the value of `key`, evicting as the limits require.
    virtual Status set(const Key& key, const Record& record) = 0;
    // Removes `key`; returns whether an entry was removed.
    virtual Result<bool> erase(const Key& key) = 0;
    // Whether a live entry exists (does not count as a hit or miss).
    virtual Result<bool> contains(const Key& key) = 0;
    // Removes every entry of this cache (and nothing else).
    virtual Status clear() = 0;
    // Number of live entries (expired ones not yet culled may be counted).
    virtual Result<std::uint64_t> size() = 0;
    // Counters; persistent engines include what other processes recorded.
    virtual Stats stats() = 0;
    // Up to `limit` entries after `cursor` ("" starts a scan).
    virtual Result<ScanPage> scan(std::string_view cursor, std::size_t limit) = 0;
    // Writes batched counters to where other processes can read them (no-op by default).
    virtual Status flush() { return {}; }
};

// Creates the engine `kind` for a resolved config (kAuto is not an engine: see ucache).
TWAT_CACHE_EXPORT Result<std::unique_ptr<Engine>> openEngine(EngineKind kind,
                                                             const ResolvedConfig& config);

}  // namespace twat_cache
