// EntryIndex: the files engine's in-memory view of its entries (size and last access per
// key), giving the entry count, the byte total and the least recently used entry.
//
// It is built by one walk of the folder and then kept up to date by this process; entries
// written or removed by other processes appear at the next walk. Last access comes from the
// file's mtime at the walk, then from this process's own hits.
//
// Thread safety: none; the files engine guards it with its mutex.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "twat_cache/key.h"

namespace twat_cache::detail {

class EntryIndex {
  public:
    // Adds or replaces `key`.
    void upsert(const Key& key, std::uint64_t bytes, std::int64_t accessMs);
    // Moves `key` to `accessMs` in the recency order if it is indexed.
    void touch(const Key& key, std::int64_t accessMs);
    // Forgets `key`; returns whether it was indexed.
    bool remove(const Key& key);
    // The least recently accessed key, if any.
    std::optional<Key> oldest() const;
    bool contains(const Key& key) const { return m_items.count(key) != 0; }
    // The last access recorded for `key`, if indexed.
    std::optional<std::int64_t> accessOf(const Key& key) const {
        auto it = m_items.find(key);
        if (it == m_items.end()) return std::nullopt;
        return it->second.access_ms;
    }
    void clear();

    std::uint64_t count() const { return m_items.size(); }
    std::uint64_t bytes() const { return m_bytes; }

  private:
    // Recency order: last access, then a sequence number so that entries touched within the
    // same millisecond keep the order in which they were touched.
    using Rank = std::tuple<std::int64_t, std::uint64_t, Key>;
    struct Item {
        std::uint64_t bytes = 0;
        std::int64_t access_ms = 0;
        std::uint64_t seq = 0;
    };
    Rank rank(const Key& key, const Item& item) const { return {item.access_ms, item.seq, key}; }

    std::unordered_map<Key, Item, KeyHash> m_items;
    std::set<Rank> m_order;  // oldest first
    std::uint64_t m_bytes = 0;
    std::uint64_t m_seq = 0;
};

}  // namespace twat_cache::detail
