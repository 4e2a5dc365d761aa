// Listing export: every entry of a source that matches a filter, written as CSV or JSON Lines,
// page by page (Source::entries), so memory stays bounded whatever the size of the keyspace.
// The CLI (`twat-cache inspect TARGET --all --json-lines|--csv`) and the inspector's File ▸
// Export Listing… both write through it.
//
// One row per entry, with the columns of listingColumns():
//   key, id, size, type, length, expires_ms, stored_ms, accessed_ms, hits, tag
// Times are Unix milliseconds; a value the source does not keep is empty in CSV and null in
// JSON. `key` is the entry's key text as the listing shows it (valid UTF-8; bytes that are not
// are escaped, see EntrySummary), `id` the entry's stable id (what `inspect --entry` and the
// deletion commands take). CSV follows RFC 4180: a header line, CRLF line ends, a field with a
// comma, a quote, CR or LF quoted and its quotes doubled. JSON Lines: one object per line,
// keys as above, LF line ends.
//
// A Redis SCAN may return a key twice while the server resizes its table; a listing then
// shows it twice, and so does an export (docs/INSPECTION.md, "Exporting a listing").
//
// Thread safety: the functions are stateless; the Source is used as inspect.h says (one thread
// at a time). The cancel flag may be set from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "twat_cache/export.h"
#include "twat_cache/inspect.h"
#include "twat_cache/status.h"

namespace twat_cache {

enum class ListingFormat {
    kCsv,        // RFC 4180, with a header line
    kJsonLines,  // one JSON object per line
};

// How an export lists. `filter` is matched as Source::entries() matches it (its order too,
// where the source supports it); its time_budget bounds each page's search, so a sparse
// filter over a large keyspace still reports progress and notices `cancel` between pages.
struct ListingExportOptions {
    ListingFormat format = ListingFormat::kJsonLines;
    EntryFilter filter{};
    std::size_t page_size = 1000;  // entries asked for per page
};

struct ListingExportResult {
    std::uint64_t written = 0;  // entries written
    bool cancelled = false;     // stopped between pages because `cancel` was set
};

// Progress after each page: entries written so far, and about how many entries the listing
// examines in all (EntryPage::total; nullopt when not known) with how many it has examined.
using ListingProgress = std::function<void(std::uint64_t written, std::uint64_t scanned,
                                           std::optional<std::uint64_t> total)>;

// The column names, in order.
TWAT_CACHE_EXPORT const std::vector<std::string_view>& listingColumns();
// One CSV field quoted as RFC 4180 asks (only when it holds a comma, a quote, CR or LF).
TWAT_CACHE_EXPORT std::string csvField(std::string_view text);
// The CSV header line and one entry's row, each ending in CRLF.
TWAT_CACHE_EXPORT std::string listingCsvHeader();
TWAT_CACHE_EXPORT std::string listingCsvRow(const EntrySummary& entry);
// One entry as a JSON object on one line, ending in LF.
TWAT_CACHE_EXPORT std::string listingJsonLine(const EntrySummary& entry);

// Writes every matching entry to `out` (a CSV export starts with the header line), page by
// page, calling `progress` after each page and stopping before the next once `cancel` is set.
// Fails with the source's error, or IOError when `out` fails; what was written stays written
// (use exportListing() for a file that appears only when complete).
TWAT_CACHE_EXPORT Result<ListingExportResult> writeListing(
    Source& source, const ListingExportOptions& options, std::ostream& out,
    const ListingProgress& progress = {}, const std::atomic<bool>* cancel = nullptr);

// The same into the file `path`, which appears only when the export completes: it is written
// to a temporary file beside it, then renamed over it; a file it replaces keeps its
// permissions, a new one gets an ordinary file's (0666 less the umask). A cancelled or failed
// export removes the temporary file and leaves `path` as it was (ListingExportResult::cancelled;
// nothing written to `path`).
TWAT_CACHE_EXPORT Result<ListingExportResult> exportListing(
    Source& source, const ListingExportOptions& options, const std::filesystem::path& path,
    const ListingProgress& progress = {}, const std::atomic<bool>* cancel = nullptr);

}  // namespace twat_cache
