#include "memory/memory_shard.h"

#include <algorithm>
#include <string>

namespace twat_cache::detail {

namespace {

std::atomic<std::size_t> g_nextStripe{0};

}  // namespace

std::size_t ShardLock::nextStripe() noexcept {
    return g_nextStripe.fetch_add(1, std::memory_order_relaxed) & (kStripes - 1);
}

void MemoryShard::configure(Policy policy, std::uint64_t maxEntries, std::uint64_t maxBytes) {
    m_policy = policy;
    m_maxEntries = maxEntries;
    m_maxBytes = maxBytes;
}

void MemoryShard::removeIfExpired(const Key& key, std::int64_t nowMs) {
    auto it = m_map.find(key);
    // Another thread may have replaced or removed it since the caller saw it expire.
    if (it == m_map.end() || !it->second.expiredAt(nowMs)) return;
    removeEntry(it);
    ++expirations;
}

Result<MemoryEntry*> MemoryShard::prepareStore(const Key& key, std::uint64_t newBytes,
                                               std::int64_t nowMs) {
    if (m_maxBytes != 0 && newBytes > m_maxBytes) {
        return Status::busy("an entry of " + std::to_string(newBytes) +
                            " bytes is larger than the memory cache's byte limit (" +
                            std::to_string(m_maxBytes) + " bytes per shard)");
    }
    auto it = m_map.find(key);
    const bool replacing = it != m_map.end();
    const std::uint64_t freed = replacing ? it->second.bytes : 0;
    const std::uint64_t count = m_map.size() + (replacing ? 0 : 1);
    if (m_policy == Policy::kNone && ((m_maxEntries != 0 && count > m_maxEntries) ||
                                      (m_maxBytes != 0 && bytes - freed + newBytes > m_maxBytes))) {
        return Status::busy("the memory cache is full and its policy is none (no eviction)");
    }
    if (replacing) {
        // The old value leaves the order and the byte count; the new one comes back as a
        // fresh store, and the eviction loop below can never pick it.
        unlink(it->second);
        bytes -= freed;
    }
    for (;;) {
        const bool overCount =
            m_maxEntries != 0 && m_map.size() + (replacing ? 0 : 1) > m_maxEntries;
        const bool overBytes = m_maxBytes != 0 && bytes + newBytes > m_maxBytes;
        if (!overCount && !overBytes) break;
        MemoryEntry* v = victim();
        if (v == nullptr) break;
        if (m_policy == Policy::kCost) m_inflation = std::max(m_inflation, costPriority(*v));
        removeEntry(m_map.find(*v->key));
        ++evictions;
    }
    MemoryEntry* e = nullptr;
    if (replacing) {
        e = &m_map.find(key)->second;  // `it` may have been invalidated by the evictions
        e->object.reset();
        e->payload.clear();
    } else {
        auto [pos, inserted] = m_map.try_emplace(key);
        e = &pos->second;
        e->key = &pos->first;
    }
    e->bytes = newBytes;
    e->createdMs = nowMs;
    e->expiresMs = 0;
    // No reader holds the lock: relaxed stores are ordered by its release.
    e->accessedMs.store(0, std::memory_order_relaxed);  // the caller sets it with the expiry
    e->hits.store(0, std::memory_order_relaxed);
    e->costBase.store(m_inflation, std::memory_order_relaxed);
    e->computeNs = 0;
    e->computeKnown = false;
    bytes += newBytes;
    link(*e);
    return e;
}

bool MemoryShard::erase(const Key& key) {
    auto it = m_map.find(key);
    if (it == m_map.end()) return false;
    removeEntry(it);
    return true;
}

void MemoryShard::clear() {
    m_map.clear();
    m_head = m_tail = nullptr;
    m_slots.clear();
    bytes = 0;
}

void MemoryShard::link(MemoryEntry& e) {
    switch (m_policy) {
        case Policy::kLru:
        case Policy::kFifo:
            e.seenHits = 0;  // a store is a use: the entry starts at the front, unreferenced
            pushFront(e);
            break;
        case Policy::kLfu:
        case Policy::kRr:
        case Policy::kCost:
            e.seq = ++m_seq;
            e.slot = m_slots.size();
            m_slots.push_back(&e);
            break;
        case Policy::kNone:
            break;
    }
}

void MemoryShard::unlink(MemoryEntry& e) {
    switch (m_policy) {
        case Policy::kLru:
        case Policy::kFifo:
            unlinkQueue(e);
            break;
        case Policy::kLfu:
        case Policy::kRr:
        case Policy::kCost: {
            MemoryEntry* last = m_slots.back();
            m_slots[e.slot] = last;
            last->slot = e.slot;
            m_slots.pop_back();
            break;
        }
        case Policy::kNone:
            break;
    }
}

void MemoryShard::unlinkQueue(MemoryEntry& e) {
    (e.prev != nullptr ? e.prev->next : m_head) = e.next;
    (e.next != nullptr ? e.next->prev : m_tail) = e.prev;
    e.prev = e.next = nullptr;
}

void MemoryShard::pushFront(MemoryEntry& e) {
    e.prev = nullptr;
    e.next = m_head;
    if (m_head != nullptr) m_head->prev = &e;
    m_head = &e;
    if (m_tail == nullptr) m_tail = &e;
}

void MemoryShard::removeEntry(Map::iterator it) {
    unlink(it->second);
    bytes -= it->second.bytes;
    m_map.erase(it);
}

MemoryEntry* MemoryShard::victim() {
    switch (m_policy) {
        case Policy::kLru:
            return lruVictim();
        case Policy::kFifo:
            return m_tail;
        case Policy::kLfu:
            return lfuVictim();
        case Policy::kRr:
            return m_slots.empty() ? nullptr : m_slots[nextRandom() % m_slots.size()];
        case Policy::kCost:
            return costVictim();
        case Policy::kNone:
            break;
    }
    return nullptr;
}

MemoryEntry* MemoryShard::lruVictim() {
    // Second chance: an entry hit since it was last queued at the front goes back to the
    // front. Each pass clears one entry's mark, so after one lap of the queue the tail is
    // unmarked: the loop is bounded by the queue's length.
    for (std::size_t lap = 0; m_tail != nullptr && lap < m_map.size(); ++lap) {
        MemoryEntry* t = m_tail;
        const std::uint64_t h = t->hits.load(std::memory_order_relaxed);
        if (h == t->seenHits) return t;
        t->seenHits = h;
        unlinkQueue(*t);
        pushFront(*t);
    }
    return m_tail;
}

MemoryEntry* MemoryShard::lfuVictim() {
    const std::size_t n = m_slots.size();
    if (n == 0) return nullptr;
    const bool every = n <= kLfuSamples;
    MemoryEntry* best = nullptr;
    std::uint64_t bestHits = 0;
    for (std::size_t i = 0; i < (every ? n : kLfuSamples); ++i) {
        MemoryEntry* c = m_slots[every ? i : static_cast<std::size_t>(nextRandom() % n)];
        const std::uint64_t h = c->hits.load(std::memory_order_relaxed);
        if (best == nullptr || h < bestHits || (h == bestHits && c->seq < best->seq)) {
            best = c;
            bestHits = h;
        }
    }
    return best;
}

double MemoryShard::costPriority(const MemoryEntry& e) noexcept {
    // An entry without a recorded compute time counts 1 ns: worth least, but still ordered
    // by hits and size among its kind.
    const double cost =
        e.computeKnown ? static_cast<double>(std::max<std::uint64_t>(e.computeNs, 1)) : 1.0;
    const double hits = static_cast<double>(e.hits.load(std::memory_order_relaxed)) + 1.0;
    const double size = static_cast<double>(std::max<std::uint64_t>(e.bytes, 1));
    return e.costBase.load(std::memory_order_relaxed) + hits * cost / size;
}

MemoryEntry* MemoryShard::costVictim() {
    const std::size_t n = m_slots.size();
    if (n == 0) return nullptr;
    const bool every = n <= kCostSamples;
    MemoryEntry* best = nullptr;
    double bestH = 0;
    for (std::size_t i = 0; i < (every ? n : kCostSamples); ++i) {
        MemoryEntry* c = m_slots[every ? i : static_cast<std::size_t>(nextRandom() % n)];
        const double h = costPriority(*c);
        if (best == nullptr || h < bestH || (h == bestH && c->seq < best->seq)) {
            best = c;
            bestH = h;
        }
    }
    return best;
}

std::uint64_t MemoryShard::nextRandom() {
    // splitmix64: tiny, good enough to pick victims, and reproducible from the fixed seed.
    std::uint64_t z = (m_random += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

}  // namespace twat_cache::detail
