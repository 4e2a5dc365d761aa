#include "memory/memory_shard.h"

#include <string>

namespace twat_cache::detail {

void MemoryShard::configure(Policy policy, std::uint64_t maxEntries, std::uint64_t maxBytes) {
    m_policy = policy;
    m_maxEntries = maxEntries;
    m_maxBytes = maxBytes;
}

MemoryEntry* MemoryShard::findLive(const Key& key, const Clock& clock, std::int64_t& nowMs) {
    nowMs = 0;
    auto it = m_map.find(key);
    if (it == m_map.end()) return nullptr;
    if (it->second.expiresMs != 0) {
        nowMs = clock.nowMs();
        if (it->second.expiredAt(nowMs)) {
            removeEntry(it);
            ++expirations;
            return nullptr;
        }
    }
    return &it->second;
}

void MemoryShard::touch(MemoryEntry& e, std::int64_t nowMs) {
    if (nowMs != 0) e.accessedMs = nowMs;
    ++e.hits;
    ++hits;
    switch (m_policy) {
        case Policy::kLru:
            if (&e != m_head) {
                unlink(e);
                pushFront(e);
            }
            break;
        case Policy::kLfu: {
            // Re-keying a std::set element: take its node out, change it, put the node back
            // (no allocation).
            auto node = m_lfu.extract(&e);
            ++e.frequency;
            e.tick = ++m_tick;
            m_lfu.insert(std::move(node));
            break;
        }
        case Policy::kFifo:
        case Policy::kRr:
        case Policy::kNone:
            break;
    }
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
    e->accessedMs = 0;  // set by the caller with the expiry, when there is one
    e->expiresMs = 0;
    e->hits = 0;
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
    m_lfu.clear();
    m_slots.clear();
    bytes = 0;
}

void MemoryShard::link(MemoryEntry& e) {
    switch (m_policy) {
        case Policy::kLru:
        case Policy::kFifo:
            pushFront(e);
            break;
        case Policy::kLfu:
            e.frequency = 1;
            e.tick = ++m_tick;
            m_lfu.insert(&e);
            break;
        case Policy::kRr:
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
            (e.prev != nullptr ? e.prev->next : m_head) = e.next;
            (e.next != nullptr ? e.next->prev : m_tail) = e.prev;
            e.prev = e.next = nullptr;
            break;
        case Policy::kLfu:
            m_lfu.erase(&e);
            break;
        case Policy::kRr: {
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
        case Policy::kFifo:
            return m_tail;
        case Policy::kLfu:
            return m_lfu.empty() ? nullptr : *m_lfu.begin();
        case Policy::kRr:
            return m_slots.empty() ? nullptr : m_slots[nextRandom() % m_slots.size()];
        case Policy::kNone:
            break;
    }
    return nullptr;
}

std::uint64_t MemoryShard::nextRandom() {
    // splitmix64: tiny, good enough to pick victims, and reproducible from the fixed seed.
    std::uint64_t z = (m_random += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

}  // namespace twat_cache::detail
