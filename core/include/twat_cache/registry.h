// CacheRegistry: the process-wide list of live caches, by name.
//
// Every memoized wrapper (mcache, bcache, fcache, memoizeWith) registers itself when it is
// created and leaves when the last copy of it is destroyed; the registry only keeps weak
// references, so it never extends a cache's life. Several live caches may share a name (two
// mcache wrappers both named "geo"): list() shows each, and stats(name) / clear(name) act on
// all of them together.
//
// Thread safety: every method may be called from any thread. The registry's lock is never
// held while a cache is queried or cleared, so caches may be created and destroyed
// concurrently with list() or clearAll().
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "twat_cache/export.h"
#include "twat_cache/stats.h"
#include "twat_cache/status.h"

namespace twat_cache {

// One live cache as list() reports it.
struct CacheInfo {
    std::string name;
    std::string kind;  // the engine: "memory", "sqlite", "files" or "redis"
    Stats stats;
};

// What the registry needs of a cache. The memoization wrappers implement it.
class TWAT_CACHE_EXPORT RegisteredCache {
  public:
    virtual ~RegisteredCache();
    virtual const std::string& cacheName() const = 0;
    virtual std::string_view cacheKind() const = 0;
    virtual Stats cacheStats() = 0;
    virtual Status cacheClear() = 0;
};

class TWAT_CACHE_EXPORT CacheRegistry {
  public:
    // The process's registry. It lives until the process ends (never destroyed, so caches
    // in static storage may unregister at exit in any order).
    static CacheRegistry& instance();

    // The live caches, sorted by name (then by creation order).
    std::vector<CacheInfo> list() const;
    // Statistics of the caches called `name` (summed when several share it); NotFound when
    // no live cache has that name.
    Result<Stats> stats(std::string_view name) const;
    // Clears every cache called `name`; NotFound when there is none.
    Status clear(std::string_view name);
    // Clears every live cache; returns the first failure, after trying them all.
    Status clearAll();

    // Registration, for cache wrappers: add() keeps a weak reference; remove() is called from
    // the cache's destructor (it is a no-op for a cache that was never added).
    void add(const std::shared_ptr<RegisteredCache>& cache);
    void remove(const RegisteredCache* cache) noexcept;

    CacheRegistry(const CacheRegistry&) = delete;
    CacheRegistry& operator=(const CacheRegistry&) = delete;

  private:
    CacheRegistry();
    ~CacheRegistry();
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

namespace detail {
// "<prefix>#<n>" with a process-wide counter: the names of unnamed caches.
TWAT_CACHE_EXPORT std::string nextCacheName(std::string_view prefix);
}  // namespace detail

}  // namespace twat_cache
