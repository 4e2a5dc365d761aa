// CacheRegistry (twat_cache/registry.h): the live memoized caches of every engine, by name.
#include "twat_cache/registry.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <utility>

namespace twat_cache {

RegisteredCache::~RegisteredCache() = default;

struct CacheRegistry::Impl {
    struct Slot {
        const RegisteredCache* raw;  // identity, still valid while the cache is destroyed
        std::weak_ptr<RegisteredCache> cache;
        std::uint64_t order;
    };
    mutable std::mutex mutex;
    std::vector<Slot> slots;      // guarded by mutex
    std::uint64_t nextOrder = 0;  // guarded by mutex

    // Live caches (strong references, taken under the lock, used without it), optionally
    // only those called `name`, sorted by name then creation.
    std::vector<std::shared_ptr<RegisteredCache>> live(const std::string_view* name) const {
        std::vector<std::pair<std::uint64_t, std::shared_ptr<RegisteredCache>>> found;
        {
            std::lock_guard lock(mutex);
            for (const Slot& s : slots) {
                if (auto c = s.cache.lock()) found.emplace_back(s.order, std::move(c));
            }
        }
        // The strong references may be the last ones: they are dropped outside the lock, so
        // a cache's destructor (which calls remove()) never runs under it.
        std::vector<std::shared_ptr<RegisteredCache>> out;
        std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
            const int byName = a.second->cacheName().compare(b.second->cacheName());
            return byName != 0 ? byName < 0 : a.first < b.first;
        });
        for (auto& [order, c] : found) {
            if (name == nullptr || c->cacheName() == *name) out.push_back(std::move(c));
        }
        return out;
    }
};

CacheRegistry::CacheRegistry() : m_impl(std::make_unique<Impl>()) {}
CacheRegistry::~CacheRegistry() = default;

CacheRegistry& CacheRegistry::instance() {
    static CacheRegistry* const registry = new CacheRegistry();  // never destroyed, by design
    return *registry;
}

void CacheRegistry::add(const std::shared_ptr<RegisteredCache>& cache) {
    if (!cache) return;
    std::lock_guard lock(m_impl->mutex);
    m_impl->slots.push_back({cache.get(), cache, m_impl->nextOrder++});
}

void CacheRegistry::remove(const RegisteredCache* cache) noexcept {
    std::lock_guard lock(m_impl->mutex);
    auto& slots = m_impl->slots;
    slots.erase(std::remove_if(slots.begin(), slots.end(),
                               [cache](const Impl::Slot& s) { return s.raw == cache; }),
                slots.end());
}

std::vector<CacheInfo> CacheRegistry::list() const {
    std::vector<CacheInfo> out;
    for (const auto& c : m_impl->live(nullptr)) {
        out.push_back({c->cacheName(), std::string(c->cacheKind()), c->cacheStats()});
    }
    return out;
}

Result<Stats> CacheRegistry::stats(std::string_view name) const {
    const auto caches = m_impl->live(&name);
    if (caches.empty()) {
        return Status::notFound("no live cache is called \"" + std::string(name) + "\"");
    }
    Stats total;
    for (const auto& c : caches) {
        const Stats s = c->cacheStats();
        total.hits += s.hits;
        total.misses += s.misses;
        total.evictions += s.evictions;
        total.expirations += s.expirations;
        total.errors += s.errors;
        total.entries += s.entries;
        total.bytes += s.bytes;
    }
    return total;
}

Status CacheRegistry::clear(std::string_view name) {
    const auto caches = m_impl->live(&name);
    if (caches.empty()) {
        return Status::notFound("no live cache is called \"" + std::string(name) + "\"");
    }
    Status first;
    for (const auto& c : caches) {
        Status s = c->cacheClear();
        if (!s.ok() && first.ok())
            first = s.withContext("clearing cache \"" + c->cacheName() + "\"");
    }
    return first;
}

Status CacheRegistry::clearAll() {
    Status first;
    for (const auto& c : m_impl->live(nullptr)) {
        Status s = c->cacheClear();
        if (!s.ok() && first.ok())
            first = s.withContext("clearing cache \"" + c->cacheName() + "\"");
    }
    return first;
}

namespace detail {

std::string nextCacheName(std::string_view prefix) {
    static std::atomic<std::uint64_t> counter{0};
    return std::string(prefix) + "#" + std::to_string(counter.fetch_add(1) + 1);
}

}  // namespace detail
}  // namespace twat_cache
