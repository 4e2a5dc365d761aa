// SortedListing: the in-memory sort index of folder-walking sources (see sorted_listing.h).
#include "inspect/sorted_listing.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <limits>
#include <numeric>

#include "inspect/scan_deadline.h"

namespace twat_cache::detail {
namespace {

// Snapshot numbers are unique in the process, so that a cursor of one source's index (or of a
// source since reopened) is never taken for a position in another index.
std::atomic<std::uint64_t> g_nextSnapshot{1};

bool parseNumber(std::string_view text, std::uint64_t& out) {
    if (text.empty()) return false;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

// "z<snapshot>.<position>"
bool parseCursor(std::string_view cursor, std::uint64_t& snapshot, std::uint64_t& position) {
    if (cursor.size() < 4 || cursor.front() != 'z') return false;
    const auto dot = cursor.find('.');
    if (dot == std::string_view::npos) return false;
    return parseNumber(cursor.substr(1, dot - 1), snapshot) &&
           parseNumber(cursor.substr(dot + 1), position);
}

// Nanoseconds as a signed sort value (no time comes near the limit).
std::int64_t clampedNs(std::uint64_t ns) {
    return static_cast<std::int64_t>(
        std::min<std::uint64_t>(ns, std::numeric_limits<std::int64_t>::max()));
}

}  // namespace

SortedListing::SortedListing(std::string sourceName, std::size_t maxEntries)
    : m_name(std::move(sourceName)), m_maxEntries(maxEntries) {}

std::size_t SortedListing::memoryBytes() const {
    return m_text.capacity() + m_rows.capacity() * sizeof(Row) +
           m_order.capacity() * sizeof(std::uint32_t);
}

std::string_view SortedListing::idOf(const Row& r) const {
    return std::string_view(m_text).substr(r.offset, r.idLength);
}

std::string_view SortedListing::keyOf(const Row& r) const {
    if (r.keyLength == kKeyIsId) return idOf(r);
    return std::string_view(m_text).substr(r.offset + r.idLength, r.keyLength);
}

Status SortedListing::add(const EntrySummary& e) {
    if (m_rows.size() >= m_maxEntries) {
        return Status::notSupported(
            "cannot sort " + m_name + ": more than " + std::to_string(m_maxEntries) +
            " entries to order in memory (the sort index's limit); list it unsorted, or "
            "narrow it with a filter");
    }
    if (e.id.size() >= kKeyIsId) return Status::invalidArgument("entry id too long: " + e.id);
    const bool keyIsId = e.key_text == e.id;
    const std::size_t keyLength = keyIsId ? 0 : std::min(e.key_text.size(), kKeyPrefix);
    if (m_text.size() + e.id.size() + keyLength > std::numeric_limits<std::uint32_t>::max()) {
        return Status::notSupported("cannot sort " + m_name +
                                    ": its entry ids and keys exceed the sort index's 4 GiB");
    }
    Row r;
    r.offset = static_cast<std::uint32_t>(m_text.size());
    r.idLength = static_cast<std::uint16_t>(e.id.size());
    r.keyLength = keyIsId ? kKeyIsId : static_cast<std::uint16_t>(keyLength);
    m_text += e.id;
    if (!keyIsId) m_text.append(e.key_text, 0, keyLength);
    r.size = e.size;
    r.stored = e.stored_ms.value_or(0);
    r.accessed = e.accessed_ms.value_or(0);
    r.expires = e.expires_ms.value_or(std::numeric_limits<std::int64_t>::max());
    r.compute = e.compute_ns ? clampedNs(*e.compute_ns) : -1;
    r.saved = e.saved_ns ? clampedNs(*e.saved_ns) : -1;
    m_rows.push_back(r);
    return {};
}

Status SortedListing::build(const EntryFilter& filter, const Walk& walk) {
    m_snapshot = 0;
    m_text.clear();
    m_rows.clear();
    m_order.clear();
    m_sortKey = SortKey::kNone;
    Status s = walk(
        [&](const EntrySummary& e) -> Status { return passes(filter, e) ? add(e) : Status(); });
    if (!s.ok()) {
        // Nothing half-built is kept; release the memory of an index that hit its limit.
        std::string().swap(m_text);
        std::vector<Row>().swap(m_rows);
        return s;
    }
    m_text.shrink_to_fit();
    m_rows.shrink_to_fit();
    m_glob = filter.glob;
    m_substring = filter.substring;
    m_snapshot = g_nextSnapshot.fetch_add(1);
    return {};
}

void SortedListing::sortBy(SortKey key, bool descending) {
    if (m_order.size() == m_rows.size() && key == m_sortKey && descending == m_descending) return;
    m_order.resize(m_rows.size());
    std::iota(m_order.begin(), m_order.end(), std::uint32_t{0});
    auto value = [key](const Row& r) -> std::int64_t {
        switch (key) {
            case SortKey::kSize:
                return r.size > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
                           ? std::numeric_limits<std::int64_t>::max()
                           : static_cast<std::int64_t>(r.size);
            case SortKey::kStored:
                return r.stored;
            case SortKey::kAccessed:
                return r.accessed;
            case SortKey::kExpires:
                return r.expires;
            case SortKey::kComputeTime:
                return r.compute;
            case SortKey::kTimeSaved:
                return r.saved;
            default:
                return 0;
        }
    };
    auto less = [&](std::uint32_t a, std::uint32_t b) {
        const Row& ra = m_rows[a];
        const Row& rb = m_rows[b];
        if (key == SortKey::kKey) {
            const int c = keyOf(ra).compare(keyOf(rb));
            if (c != 0) return c < 0;
        } else {
            const std::int64_t va = value(ra), vb = value(rb);
            if (va != vb) return va < vb;
        }
        return idOf(ra) < idOf(rb);
    };
    if (descending) {
        std::sort(m_order.begin(), m_order.end(),
                  [&](std::uint32_t a, std::uint32_t b) { return less(b, a); });
    } else {
        std::sort(m_order.begin(), m_order.end(), less);
    }
    m_sortKey = key;
    m_descending = descending;
}

Result<EntryPage> SortedListing::page(std::string_view cursor, std::size_t limit,
                                      const EntryFilter& filter, const Clock& clock,
                                      const Walk& walk, const Load& load) {
    std::uint64_t snapshot = 0, position = 0;
    if (!cursor.empty() && !parseCursor(cursor, snapshot, position)) {
        return Status::invalidArgument("malformed sorted cursor '" + std::string(cursor) + "'");
    }
    EntryPage page;
    if (limit == 0) {
        page.cursor = std::string(cursor);
        return page;
    }
    const bool sameFilter = filter.glob == m_glob && filter.substring == m_substring;
    if (cursor.empty() || snapshot != m_snapshot || m_snapshot == 0 || !sameFilter) {
        if (Status s = build(filter, walk); !s.ok()) return s;
    }
    sortBy(filter.order, filter.descending);
    std::size_t at = static_cast<std::size_t>(
        std::min<std::uint64_t>(position, static_cast<std::uint64_t>(m_order.size())));
    page.total = m_rows.size();
    ScanDeadline deadline(clock, filter.time_budget);
    while (at < m_order.size() && page.entries.size() < limit && !page.budget_spent) {
        ++page.scanned;
        auto e = load(idOf(m_rows[m_order[at++]]));
        // Gone since the snapshot, or (a rewritten file) no longer matching the filter.
        if (e && passes(filter, *e)) page.entries.push_back(std::move(*e));
        if (page.entries.size() < limit) page.budget_spent = deadline.expired();
    }
    if (at >= m_order.size()) page.budget_spent = false;  // it reached the end
    if (at < m_order.size()) {
        page.cursor = "z" + std::to_string(m_snapshot) + "." + std::to_string(at);
    }
    return page;
}

}  // namespace twat_cache::detail
