// SortedListing: sorted entry listings for sources that list by walking folders (native files
// caches, joblib stores, generic folders), which have no database to ORDER BY.
//
// A sorted listing needs the whole set, so the first sorted page (empty cursor) walks the
// source once and builds an in-memory index of the entries that pass the filter: per entry,
// its id and a bounded prefix of its key text in one shared text buffer, plus its size,
// stored / accessed / expiry times and compute / saved times (about 56 bytes + the id and key
// text; no EntrySummary is kept). The index holds at most `maxEntries` entries
// (OpenOptions::sort_index_max_entries); beyond that the sorted request fails with NotSupported
// saying so, and nothing is kept.
//
// The cursor of a sorted page is "z<snapshot>.<position>": the position in the ordered index
// and the number of the snapshot (index build) it belongs to. Later pages of the same
// snapshot reuse the index (a different order re-sorts it, without a walk). Each listed entry
// is read again from disk, so entries deleted since the snapshot are skipped and the shown
// values are current; entries added since appear on the next first page. A cursor of another
// snapshot (e.g. the source was reopened, or a CLI run continues an earlier one) makes a fresh
// snapshot and continues at its position, like the offset cursors of the sqlite sources.
//
// Order: by the chosen value, ties by id, so that a descending listing is exactly the reverse
// of the ascending one. Keys compare by their first kKeyPrefix bytes. A missing stored or
// accessed time counts as 0; a missing expiry ("never") comes after every expiring entry; a
// compute or saved time not recorded comes before every recorded one.
//
// Thread safety: none; it belongs to one Source (one thread at a time).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "twat_cache/inspect.h"

namespace twat_cache::detail {

class SortedListing {
  public:
    // Key bytes kept in the index for ordering by key.
    static constexpr std::size_t kKeyPrefix = 256;
    // Called by a walk for each entry; a non-OK status stops the walk and is returned by it.
    using Visit = std::function<Status(const EntrySummary&)>;
    // Visits every entry of the source, in any order.
    using Walk = std::function<Status(const Visit&)>;
    // Reads one entry again by id; nullopt when it is gone.
    using Load = std::function<std::optional<EntrySummary>(std::string_view id)>;

    // `sourceName` names the source in errors.
    SortedListing(std::string sourceName, std::size_t maxEntries);

    // A page of the listing ordered by `filter.order` (not kNone); see the header comment.
    // Reading entries back stops on the filter's time budget (on `clock`), so that a page
    // after a mass deletion still returns promptly, with a cursor. The page's `total` is the
    // size of the index and `scanned` the entries read back (those that vanished count).
    Result<EntryPage> page(std::string_view cursor, std::size_t limit, const EntryFilter& filter,
                           const Clock& clock, const Walk& walk, const Load& load);

    // Whether a glob filter also matches an entry's id (a joblib call's path,
    // module/function/hash), not only its key text; a substring matches the key text only, so
    // typing "1" does not find every call whose hash has a 1.
    void setMatchIds(bool matchIds) { m_matchIds = matchIds; }
    bool passes(const EntryFilter& filter, const EntrySummary& e) const {
        return filter.matches(e.key_text) ||
               (m_matchIds && !filter.glob.empty() && filter.matches(e.id));
    }

    // Entries in the current index, and the bytes it holds (for benchmarks and tests).
    std::size_t indexedEntries() const { return m_rows.size(); }
    std::size_t memoryBytes() const;

  private:
    struct Row {
        std::uint32_t offset = 0;  // id bytes start here in m_text; the key prefix follows
        std::uint16_t idLength = 0;
        std::uint16_t keyLength = 0;  // kKeyIsId: the key text is the id
        std::uint64_t size = 0;
        std::int64_t stored = 0;
        std::int64_t accessed = 0;
        std::int64_t expires = 0;
        std::int64_t compute = -1;  // compute_ns; -1: not recorded
        std::int64_t saved = -1;    // saved_ns; -1: not recorded
    };
    static constexpr std::uint16_t kKeyIsId = 0xFFFF;

    Status build(const EntryFilter& filter, const Walk& walk);
    Status add(const EntrySummary& e);
    void sortBy(SortKey key, bool descending);
    std::string_view idOf(const Row& r) const;
    std::string_view keyOf(const Row& r) const;

    std::string m_name;
    std::size_t m_maxEntries;
    std::uint64_t m_snapshot = 0;     // 0: no index
    std::string m_glob, m_substring;  // the filter the index was built with
    std::string m_text;
    std::vector<Row> m_rows;
    std::vector<std::uint32_t> m_order;  // row numbers in the current order
    SortKey m_sortKey = SortKey::kNone;
    bool m_descending = false;
    bool m_matchIds = false;
};

}  // namespace twat_cache::detail
