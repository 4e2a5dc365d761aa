#include "twat_cache/memory_engine.h"

#include <algorithm>
#include <charconv>
#include <mutex>
#include <utility>
#include <vector>

#include "memory/memory_shard.h"
#include "util/engine_factories.h"
#include "util/expiry.h"

namespace twat_cache {

using detail::MemoryEntry;
using detail::MemoryShard;

namespace {

// Caches below these limits get one shard, so their eviction order is exact.
constexpr std::uint64_t kOneShardMaxsize = 1024;
constexpr std::uint64_t kOneShardMaxBytes = 1024 * 1024;

// Shard i's part of a limit: the limit split as evenly as possible, so the parts add up to
// exactly the limit (a plain ceil per shard, as leveldb does, could exceed it in total).
std::uint64_t shardPart(std::uint64_t limit, std::size_t shards, std::size_t i) {
    const std::uint64_t n = shards;
    return limit / n + (i < limit % n ? 1 : 0);
}

EntryInfo entryInfo(const Key& key, const MemoryEntry& e) {
    EntryInfo info;
    info.key = key;
    info.key_text = e.keyText;
    info.size = e.bytes - std::min<std::uint64_t>(e.bytes, e.keyText.size());
    info.created_ms = e.createdMs;
    info.accessed_ms = e.accessedMs.load(std::memory_order_relaxed);
    info.expires_ms = e.expiresMs;
    info.hits = e.hits.load(std::memory_order_relaxed);
    if (e.computeKnown) info.compute_ns = e.computeNs;
    return info;
}

}  // namespace

struct MemoryEngine::Impl {
    ResolvedConfig config;
    Clock* clock = nullptr;  // owned by config.clock
    bool cost = false;       // policy cost: hits refresh the entry's priority base
    std::size_t shardCount = 1;
    std::uint64_t shardMask = 0;  // shardCount - 1 (a power of two): no division on a hit
    std::unique_ptr<MemoryShard[]> shards;

    MemoryShard& shardFor(const Key& key) const noexcept {
        // The map hashes Key::lo; the shard comes from Key::hi, so the two are independent.
        return shards[static_cast<std::size_t>(key.hi & shardMask)];
    }

    std::int64_t expiryFor(const std::optional<std::chrono::milliseconds>& ttl,
                           std::int64_t nowMs) const {
        return detail::expiryMs(ttl, config.ttl, nowMs);
    }

    // Looks `key` up under the shared lock. On a live entry calls use(entry), which returns
    // whether it is a hit (false: a foreign entry, a miss); `count` says whether the lookup
    // counts as a hit or miss. An expired entry is a miss, then removed (and counted as an
    // expiration) under the exclusive lock: the shared lock never writes the map.
    template <class Use>
    bool lookup(const Key& key, bool count, Use&& use) {
        MemoryShard& s = shardFor(key);
        bool expired = false;
        std::int64_t expiredAt = 0;
        {
            detail::ReadGuard guard(s.lock, count);
            const MemoryEntry* e = s.find(key);
            if (e != nullptr) {
                // The clock is read only for an entry that can expire: reading it on every
                // hit would cost as much as the rest of the hit.
                const std::int64_t now = e->expiresMs != 0 ? clock->nowMs() : 0;
                if (!e->expiredAt(now)) {
                    const bool hit = use(*e, now);
                    if (count && !hit) guard.countMiss();
                    if (count && hit) {
                        if (e->computeNs != 0) guard.countSaved(e->computeNs);
                        if (cost) s.touchCost(*e);
                    }
                    return hit;
                }
                expired = true;
                expiredAt = now;
            }
            if (count) guard.countMiss();
        }
        if (expired) {
            std::lock_guard lock(s.lock);
            s.removeIfExpired(key, expiredAt);
        }
        return false;
    }

    // Keeps a stored entry's compute time and adds it to its shard's Stats::compute_ns.
    // Exclusive lock (called from a store's fill).
    void noteCompute(MemoryEntry& e, std::optional<std::uint64_t> computeNs) const {
        if (!computeNs) return;
        e.computeNs = *computeNs;
        e.computeKnown = true;
        shardFor(*e.key).computeNs += *computeNs;
    }

    // Stores under the exclusive lock; `fill` moves the value into the prepared entry.
    template <class Fill>
    Status store(const Key& key, std::uint64_t bytes, Fill&& fill) {
        const std::int64_t now = clock->nowMs();
        MemoryShard& s = shardFor(key);
        std::lock_guard lock(s.lock);
        auto slot = s.prepareStore(key, bytes, now);
        if (!slot.ok()) {
            ++s.errors;  // the engine counts its own refusals (stats.h)
            return slot.status();
        }
        fill(**slot, now);
        return {};
    }
};

MemoryEngine::MemoryEngine(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
MemoryEngine::~MemoryEngine() = default;

Result<std::unique_ptr<MemoryEngine>> MemoryEngine::create(const ResolvedConfig& config) {
    if (!config.clock) return Status::invalidArgument("memory engine: the config has no clock");
    auto impl = std::make_unique<Impl>();
    impl->config = config;
    impl->clock = impl->config.clock.get();
    impl->cost = config.policy == Policy::kCost;
    const bool small = (config.maxsize != 0 && config.maxsize < kOneShardMaxsize) ||
                       (config.max_bytes != 0 && config.max_bytes < kOneShardMaxBytes);
    static_assert((kManyShards & (kManyShards - 1)) == 0, "shard counts are powers of two");
    impl->shardCount = small ? 1 : kManyShards;
    impl->shardMask = impl->shardCount - 1;
    impl->shards = std::make_unique<MemoryShard[]>(impl->shardCount);
    for (std::size_t i = 0; i < impl->shardCount; ++i) {
        impl->shards[i].configure(config.policy, shardPart(config.maxsize, impl->shardCount, i),
                                  shardPart(config.max_bytes, impl->shardCount, i));
    }
    return std::unique_ptr<MemoryEngine>(new MemoryEngine(std::move(impl)));
}

Capabilities MemoryEngine::capabilities() const {
    Capabilities c;
    c.ttl = true;
    c.policies = {Policy::kLru, Policy::kLfu,  Policy::kFifo,
                  Policy::kRr,  Policy::kCost, Policy::kNone};
    return c;
}

std::size_t MemoryEngine::shardCount() const noexcept {
    return m_impl->shardCount;
}
const ResolvedConfig& MemoryEngine::config() const noexcept {
    return m_impl->config;
}

bool MemoryEngine::getObject(const Key& key, std::uint64_t typeTag, CopyOut copyOut,
                             void* context) {
    return m_impl->lookup(key, true, [&](const MemoryEntry& e, std::int64_t now) {
        if (!e.object || e.typeTag != typeTag) return false;
        MemoryShard::touch(e, now);
        copyOut(e.object.get(), context);
        return true;
    });
}

Status MemoryEngine::setObject(const Key& key, std::uint64_t typeTag,
                               std::shared_ptr<const void> object, std::size_t bytes,
                               std::string keyText, std::optional<std::uint64_t> computeNs) {
    if (!object) return Status::invalidArgument("memory engine: setObject needs an object");
    const std::uint64_t charged = bytes + keyText.size();
    return m_impl->store(key, charged, [&](MemoryEntry& e, std::int64_t now) {
        e.typeTag = typeTag;
        e.object = std::move(object);
        e.keyText = std::move(keyText);
        m_impl->noteCompute(e, computeNs);
        e.expiresMs = m_impl->expiryFor(std::nullopt, now);
        if (e.expiresMs != 0) e.accessedMs.store(now, std::memory_order_relaxed);
    });
}

Result<StoredValue> MemoryEngine::get(const Key& key) {
    // The value is built in the returned Result (one return: NRVO), so a hit copies the
    // payload once; building a StoredValue and converting it would move it twice more.
    Result<StoredValue> out = StoredValue{};
    bool object = false;
    const bool hit = m_impl->lookup(key, true, [&](const MemoryEntry& e, std::int64_t now) {
        if (e.object) {
            object = true;
            return false;
        }
        MemoryShard::touch(e, now);
        StoredValue& v = *out;
        v.payload = e.payload;
        v.type_tag = e.typeTag;
        v.created_ms = e.createdMs;
        v.expires_ms = e.expiresMs;
        if (e.computeKnown) v.compute_ns = e.computeNs;
        return true;
    });
    if (!hit) {
        out = Status::notFound(object ? "the entry holds an in-process object (mcache)"
                                      : "no live entry for this key");
    }
    return out;
}

Status MemoryEngine::set(const Key& key, const Record& record) {
    // Copies are made before the lock is taken, so the critical section only moves.
    std::string payload(record.payload);
    std::string keyText(record.key_text);
    const std::uint64_t charged = payload.size() + keyText.size();
    return m_impl->store(key, charged, [&](MemoryEntry& e, std::int64_t now) {
        e.typeTag = record.type_tag;
        e.payload = std::move(payload);
        e.keyText = std::move(keyText);
        m_impl->noteCompute(e, record.compute_ns);
        e.expiresMs = m_impl->expiryFor(record.ttl, now);
        if (e.expiresMs != 0) e.accessedMs.store(now, std::memory_order_relaxed);
    });
}

Result<bool> MemoryEngine::erase(const Key& key) {
    MemoryShard& s = m_impl->shardFor(key);
    std::lock_guard lock(s.lock);
    return s.erase(key);
}

Result<bool> MemoryEngine::contains(const Key& key) {
    return m_impl->lookup(key, false, [](const MemoryEntry&, std::int64_t) { return true; });
}

Status MemoryEngine::clear() {
    for (std::size_t i = 0; i < m_impl->shardCount; ++i) {
        MemoryShard& s = m_impl->shards[i];
        std::lock_guard lock(s.lock);
        s.clear();
    }
    return {};
}

Result<std::uint64_t> MemoryEngine::size() {
    std::uint64_t n = 0;
    for (std::size_t i = 0; i < m_impl->shardCount; ++i) {
        MemoryShard& s = m_impl->shards[i];
        detail::ReadGuard guard(s.lock);
        n += s.entries().size();
    }
    return n;
}

Stats MemoryEngine::stats() {
    Stats total;
    for (std::size_t i = 0; i < m_impl->shardCount; ++i) {
        MemoryShard& s = m_impl->shards[i];
        detail::ReadGuard guard(s.lock);
        // Misses first: each is counted after its lookup, so lookups >= misses (the min
        // guards a snapshot against relaxed reordering).
        const std::uint64_t misses = s.lock.misses();
        const std::uint64_t lookups = s.lock.lookups();
        total.hits += lookups - std::min(misses, lookups);
        total.misses += misses;
        total.evictions += s.evictions;
        total.expirations += s.expirations;
        total.errors += s.errors;
        total.entries += s.entries().size();
        total.bytes += s.bytes;
        total.compute_ns += s.computeNs;
        total.saved_ns += s.lock.saved();
    }
    return total;
}

// Cursor: "<shard>:<hex of the last key returned>" or "<shard>:" at the start of a shard.
Result<ScanPage> MemoryEngine::scan(std::string_view cursor, std::size_t limit) {
    limit = std::max<std::size_t>(limit, 1);
    std::size_t shard = 0;
    // A plain flag, not std::optional<Key>: GCC 12 warns (falsely) about the latter.
    bool hasAfter = false;
    Key after;
    if (!cursor.empty()) {
        const auto colon = cursor.find(':');
        auto bad = [&] {
            return Status::invalidArgument("\"" + std::string(cursor.substr(0, 80)) +
                                           "\" is not a memory-engine scan cursor");
        };
        if (colon == std::string_view::npos) return bad();
        auto [ptr, ec] = std::from_chars(cursor.data(), cursor.data() + colon, shard);
        if (ec != std::errc() || ptr != cursor.data() + colon || shard >= m_impl->shardCount) {
            return bad();
        }
        if (colon + 1 < cursor.size()) {
            auto key = Key::fromHex(cursor.substr(colon + 1));
            if (!key.ok()) return bad();
            after = *key;
            hasAfter = true;
        }
    }

    ScanPage page;
    const std::int64_t now = m_impl->clock->nowMs();
    std::vector<std::pair<const Key*, const MemoryEntry*>> picked;
    while (shard < m_impl->shardCount && page.entries.size() < limit) {
        const std::size_t need = limit - page.entries.size();
        bool more = false;
        {
            MemoryShard& s = m_impl->shards[shard];
            detail::ReadGuard guard(s.lock);
            picked.clear();
            for (const auto& [k, e] : s.entries()) {
                if (hasAfter && !(after < k)) continue;
                if (e.expiredAt(now)) continue;
                picked.emplace_back(&k, &e);
            }
            auto byKey = [](const auto& a, const auto& b) { return *a.first < *b.first; };
            if (picked.size() > need) {
                more = true;
                const auto mid = picked.begin() + static_cast<std::ptrdiff_t>(need);
                std::nth_element(picked.begin(), mid, picked.end(), byKey);
                picked.resize(need);
            }
            std::sort(picked.begin(), picked.end(), byKey);
            for (const auto& [k, e] : picked) page.entries.push_back(entryInfo(*k, *e));
        }
        if (more) {
            page.cursor = std::to_string(shard) + ":" + page.entries.back().key.toHex();
            return page;
        }
        ++shard;
        hasAfter = false;
    }
    if (shard < m_impl->shardCount) page.cursor = std::to_string(shard) + ":";
    return page;
}

namespace detail {

Result<std::unique_ptr<Engine>> openMemoryEngine(const ResolvedConfig& config) {
    auto engine = MemoryEngine::create(config);
    if (!engine.ok()) return engine.status();
    return std::unique_ptr<Engine>(std::move(*engine));
}

}  // namespace detail
}  // namespace twat_cache
