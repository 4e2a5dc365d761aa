// EntryIndex (see entry_index.h).
#include "files/entry_index.h"

namespace twat_cache::detail {

void EntryIndex::upsert(const Key& key, std::uint64_t bytes, std::int64_t accessMs) {
    const Item fresh{bytes, accessMs, ++m_seq};
    auto [it, inserted] = m_items.try_emplace(key, fresh);
    if (!inserted) {
        m_order.erase(rank(key, it->second));
        m_bytes -= it->second.bytes;
        it->second = fresh;
    }
    m_bytes += bytes;
    m_order.insert(rank(key, fresh));
}

void EntryIndex::touch(const Key& key, std::int64_t accessMs) {
    auto it = m_items.find(key);
    if (it == m_items.end()) return;
    m_order.erase(rank(key, it->second));
    it->second.access_ms = accessMs;
    it->second.seq = ++m_seq;
    m_order.insert(rank(key, it->second));
}

bool EntryIndex::remove(const Key& key) {
    auto it = m_items.find(key);
    if (it == m_items.end()) return false;
    m_order.erase(rank(key, it->second));
    m_bytes -= it->second.bytes;
    m_items.erase(it);
    return true;
}

std::optional<Key> EntryIndex::oldest() const {
    if (m_order.empty()) return std::nullopt;
    return std::get<2>(*m_order.begin());
}

void EntryIndex::clear() {
    m_items.clear();
    m_order.clear();
    m_bytes = 0;
}

}  // namespace twat_cache::detail
