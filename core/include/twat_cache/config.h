// CacheConfig: what a cache is asked to be, and how that request is resolved.
//
// Every field is optional. resolveConfig() applies the precedence rule
//     explicit field  >  environment variable  >  built-in default
// and reports a malformed environment value as an InvalidArgument naming the variable and
// the value (e.g. `TWAT_CACHE_TTL="abc" is not a duration`). Nothing is read from the
// environment after resolution: a ResolvedConfig is a plain value.
//
// Environment variables: TWAT_CACHE_DIR, TWAT_CACHE_TTL, TWAT_CACHE_MAXSIZE,
// TWAT_CACHE_POLICY, TWAT_CACHE_ENGINE, TWAT_CACHE_COMPRESS, TWAT_CACHE_REDIS_URL,
// TWAT_CACHE_LOG_LEVEL (the last one is read by log.h). docs/CONFIG.md lists them all.
//
// Thread safety: resolveConfig() and the parse functions are pure; they may run anywhere.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "twat_cache/clock.h"
#include "twat_cache/export.h"
#include "twat_cache/status.h"

namespace twat_cache {

// Which entry leaves first when a limit is reached.
enum class Policy {
    kLru,   // least recently used
    kLfu,   // least frequently used (ties: least recently used)
    kFifo,  // first in, first out ("least recently stored" in diskcache's words)
    kRr,    // random replacement
    // Greedy-Dual-Size-Frequency: keeps what saves the most compute time per byte. Each
    // entry's priority is H = L + hits x compute time / size, where L (the inflation value)
    // is the priority of the last entry evicted and is taken into H when the entry is stored
    // or hit, so the value of entries no longer used decays relative to newer ones. The
    // lowest H leaves first. Entries without a recorded compute time count 1 ns. Memory:
    // O(1) per hit, O(128) per eviction (the lowest of 128 sampled entries, exact up to 128
    // per shard); sqlite: an index on H, O(log n) per eviction and per batched hit stamp.
    // Redis and files fall back to lru (docs/ENGINES.md says why).
    kCost,
    kNone,  // never evict; a full cache refuses new entries (persistent engines only)
};

enum class EngineKind { kAuto, kMemory, kSqlite, kFiles, kRedis };

// Names: "lru", "lfu", "fifo" (also "least-recently-stored"), "rr" (also "random"), "cost"
// (also "gdsf"), "none".
TWAT_CACHE_EXPORT Result<Policy> parsePolicy(std::string_view text);
TWAT_CACHE_EXPORT std::string_view policyName(Policy policy);
// Names: "auto", "memory", "sqlite", "files", "redis".
TWAT_CACHE_EXPORT Result<EngineKind> parseEngineKind(std::string_view text);
TWAT_CACHE_EXPORT std::string_view engineKindName(EngineKind kind);
// Durations: a number with an optional unit: ms, s (default), m, h, d; e.g. "1.5h", "250ms",
// "30". Negative, empty and non-numeric values are errors.
TWAT_CACHE_EXPORT Result<std::chrono::milliseconds> parseDuration(std::string_view text);
// Sizes: a number with an optional unit: B (default), K/KB/KiB, M/MB/MiB, G/GB/GiB (all
// binary: 1K = 1024). Negative, empty and non-numeric values are errors.
TWAT_CACHE_EXPORT Result<std::uint64_t> parseSize(std::string_view text);
// Booleans: 1/0, true/false, yes/no, on/off (case-insensitive).
TWAT_CACHE_EXPORT Result<bool> parseBool(std::string_view text);

// What the caller asks for. Unset fields fall back to the environment, then defaults.
struct CacheConfig {
    // The cache's name: the registry key, the folder name of a persistent cache (unless
    // folder_name is set) and the Redis key namespace. Persistent caches require one.
    std::string name{};
    // Most entries kept; unset or 0 means unbounded. Env: TWAT_CACHE_MAXSIZE.
    std::optional<std::uint64_t> maxsize{};
    // Most bytes kept (payload + key text as the engine counts them); unset means unbounded.
    std::optional<std::uint64_t> max_bytes{};
    // Time to live of each entry; unset or 0 means entries never expire. Env: TWAT_CACHE_TTL.
    std::optional<std::chrono::milliseconds> ttl{};
    // Eviction policy; default lru. Env: TWAT_CACHE_POLICY.
    std::optional<Policy> policy{};
    // Folder of a persistent cache, relative to the cache root (or absolute); default: name.
    std::optional<std::string> folder_name{};
    // The engine ucache prefers; default auto. Env: TWAT_CACHE_ENGINE.
    std::optional<EngineKind> preferred_engine{};
    // zstd-compress stored values (persistent engines); default false. Env: TWAT_CACHE_COMPRESS.
    std::optional<bool> compress{};
    // Create folders 0700 and files 0600 instead of honouring the umask; default false.
    std::optional<bool> secure{};
    // Redis server, e.g. redis://user:pass@host:6379/0 or unix:///run/redis.sock?db=1.
    // Env: TWAT_CACHE_REDIS_URL.
    std::optional<std::string> redis_url{};
    // The cache root; default: TWAT_CACHE_DIR, else $XDG_CACHE_HOME/twat_cache, else
    // ~/.cache/twat_cache.
    std::optional<std::filesystem::path> cache_dir{};
    // Time source; default Clock::system(). Tests inject a ManualClock.
    std::shared_ptr<Clock> clock{};
};

// The outcome of resolution: every field has its final value.
struct ResolvedConfig {
    std::string name;
    std::uint64_t maxsize = 0;         // 0: unbounded
    std::uint64_t max_bytes = 0;       // 0: unbounded
    std::chrono::milliseconds ttl{0};  // 0: no expiry
    Policy policy = Policy::kLru;
    EngineKind preferred_engine = EngineKind::kAuto;
    bool compress = false;
    bool secure = false;
    std::string redis_url;             // empty: no Redis configured
    std::filesystem::path cache_root;  // resolved root
    std::filesystem::path folder;      // the persistent cache's folder (root / folder_name)
    std::shared_ptr<Clock> clock;      // never null
};

// Reads one environment variable; returns nullopt when unset. Injectable for tests.
using EnvironmentReader = std::function<std::optional<std::string>(std::string_view name)>;
// The process environment (getenv).
TWAT_CACHE_EXPORT EnvironmentReader processEnvironment();

TWAT_CACHE_EXPORT Result<ResolvedConfig> resolveConfig(
    const CacheConfig& config, const EnvironmentReader& env = processEnvironment());

// Every TWAT_CACHE_* variable, in the order docs/CONFIG.md lists them.
inline constexpr std::string_view kEnvironmentVariables[] = {
    "TWAT_CACHE_DIR",    "TWAT_CACHE_TTL",      "TWAT_CACHE_MAXSIZE",   "TWAT_CACHE_POLICY",
    "TWAT_CACHE_ENGINE", "TWAT_CACHE_COMPRESS", "TWAT_CACHE_REDIS_URL", "TWAT_CACHE_LOG_LEVEL",
};

// A malformed environment variable: which one, and an InvalidArgument (or NotSupported)
// status whose message names the variable and its value (a Redis password masked).
struct EnvironmentProblem {
    std::string variable;
    Status status;
};

// Checks every TWAT_CACHE_* variable that is set, whether or not the caller will use it, so
// a program can warn about the ones it ignores (resolveConfig() fails only on those it uses).
// Returns nothing when all are well-formed or unset.
TWAT_CACHE_EXPORT std::vector<EnvironmentProblem> checkEnvironment(
    const EnvironmentReader& env = processEnvironment());

// The cache root alone: TWAT_CACHE_DIR, else $XDG_CACHE_HOME/twat_cache, else
// $HOME/.cache/twat_cache. Fails when none of those variables is usable.
TWAT_CACHE_EXPORT Result<std::filesystem::path> resolveCacheRoot(
    const EnvironmentReader& env = processEnvironment());

}  // namespace twat_cache
