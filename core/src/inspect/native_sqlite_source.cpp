// NativeSqliteSource: our sqlite engine's caches, browsed read-only and maintained through
// the engine's own statements.
#include <algorithm>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "inspect/contained_remover.h"
#include "inspect/entry_key.h"
#include "inspect/native_expiry.h"
#include "inspect/native_sources.h"
#include "inspect/path_guard.h"
#include "inspect/pickle_reader.h"
#include "inspect/scan_deadline.h"
#include "inspect/value_render.h"
#include "sqlite/sqlite_format.h"
#include "util/fs_util.h"
#include "util/log_internal.h"
#include "util/zstd_util.h"

namespace twat_cache::detail {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kFilterChunk = 256;
constexpr std::size_t kPreviewBytes = 2048;
constexpr std::size_t kZstdDecodeLimit = 16 * 1024 * 1024;  // decode whole values up to this
// The size of an entry as the engine counts it towards its byte total (counters.bytes) and
// max_bytes: the stored value plus the key text. Listings, plans, prune and stats() all use it.
#define TWAT_INSPECT_ENTRY_BYTES "(e.size + length(CAST(e.key_text AS BLOB)))"
// Only a prefix of the key text is read (kKeyReadBytes characters, entry_key.h), and its
// whole length in bytes after the other columns.
#define TWAT_INSPECT_KEY_HEAD "substr(e.key_text, 1, 1024)"
#define TWAT_INSPECT_KEY_BYTES ", length(CAST(e.key_text AS BLOB))"
// The summary columns of an entry `e`. Schema version 2 keeps the access stamps in the
// `access` table; version 1 kept them in `entries` (still read, for old caches).
// The last column is the compute time: schema 4 keeps it in entries.compute_ns, older
// schemas did not record it (NULL).
constexpr const char* kSummarySelectV4 =
    "SELECT e.rowid, e.key, " TWAT_INSPECT_KEY_HEAD ", " TWAT_INSPECT_ENTRY_BYTES
    ", e.created, coalesce(a.accessed, e.created),"
    " e.expires, coalesce(a.access_count, 0), e.tag" TWAT_INSPECT_KEY_BYTES ", e.compute_ns";
constexpr const char* kSummarySelect =
    "SELECT e.rowid, e.key, " TWAT_INSPECT_KEY_HEAD ", " TWAT_INSPECT_ENTRY_BYTES
    ", e.created, coalesce(a.accessed, e.created),"
    " e.expires, coalesce(a.access_count, 0), e.tag" TWAT_INSPECT_KEY_BYTES ", NULL";
constexpr const char* kSummaryFrom = " FROM entries AS e LEFT JOIN access AS a ON a.key = e.key";
constexpr const char* kSummarySelectV1 =
    "SELECT e.rowid, e.key, " TWAT_INSPECT_KEY_HEAD ", " TWAT_INSPECT_ENTRY_BYTES
    ", e.created, e.accessed, e.expires,"
    " e.access_count, e.tag" TWAT_INSPECT_KEY_BYTES ", NULL";
static_assert(kKeyReadBytes == 1024, "TWAT_INSPECT_KEY_HEAD reads kKeyReadBytes characters");
constexpr const char* kSummaryFromV1 = " FROM entries AS e";

std::string hexOf(std::string_view blob) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (const char c : blob) {
        const auto u = static_cast<unsigned char>(c);
        out.push_back(kHex[u >> 4]);
        out.push_back(kHex[u & 0xF]);
    }
    return out;
}

Result<std::string> blobOfHex(std::string_view hex) {
    if (hex.size() != 32) return Status::invalidArgument("bad entry id '" + std::string(hex) + "'");
    std::string out;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        auto nib = [](char c) -> int {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            return -1;
        };
        const int hi = nib(hex[i]), lo = nib(hex[i + 1]);
        if (hi < 0 || lo < 0) {
            return Status::invalidArgument("bad entry id '" + std::string(hex) + "'");
        }
        out.push_back(static_cast<char>(hi * 16 + lo));
    }
    return out;
}

// An empty page that stays at `cursor` (a request for no entries).
EntryPage pageAt(std::string_view cursor) {
    EntryPage page;
    page.cursor = std::string(cursor);
    return page;
}

std::uint64_t nonNegative(std::int64_t v) {
    return static_cast<std::uint64_t>(std::max<std::int64_t>(0, v));
}

class NativeSqliteSource final : public Source {
  public:
    NativeSqliteSource(SourceInfo info, const OpenOptions& options, std::unique_ptr<Connection> db,
                       bool newerSchema, bool accessTable, bool computeColumns)
        : Source(options.read_only, options.clock),
          m_info(std::move(info)),
          m_maxValueBytes(options.max_value_bytes),
          m_db(std::move(db)),
          m_newerSchema(newerSchema),
          m_select(computeColumns ? kSummarySelectV4
                   : accessTable  ? kSummarySelect
                                  : kSummarySelectV1),
          m_from(accessTable ? kSummaryFrom : kSummaryFromV1),
          m_accessTable(accessTable),
          m_computeColumns(computeColumns) {}

    SourceInfo info() const override { return m_info; }

    Result<SourceStats> stats() override {
        auto st = m_db->prepare(
            m_computeColumns ? "SELECT hits, misses, evictions, expirations, errors, count, bytes,"
                               " compute_ns, saved_ns FROM counters WHERE id = 0"
                             : "SELECT hits, misses, evictions, expirations, errors, count, bytes,"
                               " NULL, NULL FROM counters WHERE id = 0");
        if (!st.ok()) return st.status();
        auto row = st->step();
        if (!row.ok()) return row.status().withContext(m_db->path().string());
        if (!*row) return Status::corruption("no counters row in " + m_db->path().string());
        SourceStats s;
        s.hits = nonNegative(st->int64(0));
        s.misses = nonNegative(st->int64(1));
        s.evictions = nonNegative(st->int64(2));
        s.entries = nonNegative(st->int64(5));
        s.bytes = nonNegative(st->int64(6));
        if (!st->isNull(7)) s.compute_ns = nonNegative(st->int64(7));
        if (!st->isNull(8)) s.saved_ns = nonNegative(st->int64(8));
        s.extra = {{"expirations", nonNegative(st->int64(3))},
                   {"errors", nonNegative(st->int64(4))}};
        s.note = "hits, misses and evictions are written in batches by the cache's users";
        return s;
    }

    std::vector<EntryColumn> columns() const override {
        return {EntryColumn::kKey,      EntryColumn::kSize,        EntryColumn::kStored,
                EntryColumn::kAccessed, EntryColumn::kExpires,     EntryColumn::kHits,
                EntryColumn::kTag,      EntryColumn::kComputeTime, EntryColumn::kTimeSaved};
    }

    std::vector<SortKey> sortKeys() const override {
        return {SortKey::kKey,     SortKey::kSize, SortKey::kStored,      SortKey::kAccessed,
                SortKey::kExpires, SortKey::kHits, SortKey::kComputeTime, SortKey::kTimeSaved};
    }

    Result<EntryPage> entries(std::string_view cursorText, std::size_t limit,
                              const EntryFilter& filter) override {
        if (filter.order != SortKey::kNone) return sortedEntries(cursorText, limit, filter);
        std::int64_t after = std::numeric_limits<std::int64_t>::min();
        if (!cursorText.empty()) {
            try {
                after = std::stoll(std::string(cursorText));
            } catch (const std::exception&) {
                return Status::invalidArgument("malformed cursor '" + std::string(cursorText) +
                                               "'");
            }
        }
        if (limit == 0) return pageAt(cursorText);
        return pageRows(
            limit, filter,
            [&](std::size_t want) {
                auto st = m_db->prepare(std::string(m_select) + m_from +
                                        " WHERE e.rowid > ?1 ORDER BY e.rowid LIMIT ?2");
                if (st.ok()) {
                    st->bind(1, after);
                    st->bind(2, static_cast<std::int64_t>(want));
                }
                return st;
            },
            [&](SqliteStatement& st) { after = st.int64(0); },
            [&] { return std::to_string(after); });
    }

    // A sorted listing. Its cursor is "o<rows examined so far>": an offset into the ordered
    // rows (ties broken by rowid), so pages neither skip nor repeat entries while the cache
    // does not change; entries stored or deleted between pages may shift it by that many.
    Result<EntryPage> sortedEntries(std::string_view cursorText, std::size_t limit,
                                    const EntryFilter& filter) {
        std::int64_t offset = 0;
        if (!cursorText.empty()) {
            try {
                if (cursorText.front() != 'o') throw std::invalid_argument("not sorted");
                offset = std::stoll(std::string(cursorText.substr(1)));
            } catch (const std::exception&) {
                return Status::invalidArgument("malformed cursor '" + std::string(cursorText) +
                                               "'");
            }
            if (offset < 0) return Status::invalidArgument("negative cursor offset");
        }
        if (limit == 0) return pageAt(cursorText);
        const char* dir = filter.descending ? " DESC" : " ASC";
        const std::string order =
            std::string(" ORDER BY ") + orderExpr(filter.order) + dir + ", e.rowid" + dir;
        return pageRows(
            limit, filter,
            [&](std::size_t want) {
                auto st =
                    m_db->prepare(std::string(m_select) + m_from + order + " LIMIT ?1 OFFSET ?2");
                if (st.ok()) {
                    st->bind(1, static_cast<std::int64_t>(want));
                    st->bind(2, offset);
                }
                return st;
            },
            [&](SqliteStatement&) { ++offset; }, [&] { return "o" + std::to_string(offset); });
    }

    // Fills a page from successive chunks of rows, for both listings: `query(want)` prepares
    // the statement for the next `want` rows, `consumed(st)` moves the cursor past a row and
    // `cursor()` spells it. A page stops, with a cursor, when it is full or the filter's time
    // budget ran out.
    template <class Query, class Consumed, class Cursor>
    Result<EntryPage> pageRows(std::size_t limit, const EntryFilter& filter, Query query,
                               Consumed consumed, Cursor cursor) {
        EntryPage page;
        auto total = entryCount();
        if (!total.ok()) return total.status();
        page.total = *total;
        ScanDeadline deadline(clock(), filter.time_budget);
        for (;;) {
            const std::size_t want = filter.empty() ? limit - page.entries.size() : kFilterChunk;
            auto st = query(want);
            if (!st.ok()) return st.status();
            std::size_t rows = 0;
            bool stop = false;
            while (!stop) {
                auto row = st->step();
                if (!row.ok()) return row.status().withContext(m_db->path().string());
                if (!*row) break;
                ++rows;
                ++page.scanned;
                consumed(*st);
                EntrySummary e = summaryFromRow(*st);
                if (filter.matches(e.key_text)) page.entries.push_back(std::move(e));
                if (page.entries.size() == limit) {
                    stop = true;
                } else if (deadline.expired()) {
                    stop = page.budget_spent = true;
                }
            }
            if (stop) {
                page.cursor = cursor();
                return page;
            }
            if (rows < want) return page;  // the end
        }
    }

    // Entries as the cache's counters row counts them (what stats() reports).
    Result<std::uint64_t> entryCount() {
        auto st = m_db->prepare("SELECT count FROM counters WHERE id = 0");
        if (!st.ok()) return st.status();
        auto row = st->step();
        if (!row.ok()) return row.status().withContext(m_db->path().string());
        if (!*row) return Status::corruption("no counters row in " + m_db->path().string());
        return nonNegative(st->int64(0));
    }

    const char* orderExpr(SortKey key) const {
        switch (key) {
            case SortKey::kKey:
                return "e.key_text";
            case SortKey::kSize:
                return TWAT_INSPECT_ENTRY_BYTES;
            case SortKey::kStored:
                return "e.created";
            case SortKey::kAccessed:
                return m_accessTable ? "coalesce(a.accessed, e.created)" : "e.accessed";
            case SortKey::kExpires:
                // Entries that never expire (0) come after every expiring one.
                return "CASE WHEN e.expires > 0 THEN e.expires ELSE 9223372036854775807 END";
            case SortKey::kHits:
                return m_accessTable ? "coalesce(a.access_count, 0)" : "e.access_count";
            // Entries that record no compute time (NULL, or a schema without the column)
            // come before every recorded one.
            case SortKey::kComputeTime:
                return m_select == kSummarySelectV4 ? "coalesce(e.compute_ns, -1)" : "-1";
            case SortKey::kTimeSaved:
                if (m_select != kSummarySelectV4) return "-1";
                return m_accessTable ? "coalesce(e.compute_ns * coalesce(a.access_count, 0), -1)"
                                     : "coalesce(e.compute_ns * e.access_count, -1)";
            case SortKey::kNone:
                break;
        }
        return "e.rowid";
    }

    Result<EntryDetail> detail(std::string_view entryId) override {
        auto blob = blobOfHex(entryId);
        if (!blob.ok()) return blob.status();
        auto st =
            m_db->prepare(std::string(m_select) + ", e.type_tag, e.flags, e.value, e.filename" +
                          m_from + " WHERE e.key = ?1");
        if (!st.ok()) return st.status();
        st->bindBlob(1, *blob);
        auto row = st->step();
        if (!row.ok()) return row.status().withContext(m_db->path().string());
        if (!*row) return Status::notFound("no entry " + std::string(entryId));
        EntryDetail d;
        d.summary = summaryFromRow(*st);
        const auto typeTag = static_cast<std::uint64_t>(st->int64(11));
        const std::int64_t flags = st->int64(12);
        std::string stored;
        bool whole = true;
        if (!st->isNull(14)) {
            const std::string name(st->bytes(14));
            if (!isValidSpillName(name)) {
                d.note = "refused value file name '" + sanitizeUtf8(name) + "'";
                d.value_kind = "file";
                d.preview = "<" + d.note + ">";
                return d;
            }
            auto file = resolveInside(m_info.path / "data", name);
            if (!file.ok()) {
                d.note = file.status().message();
                d.preview = "<value file refused: " + sanitizeUtf8(d.note) + ">";
                return d;
            }
            d.value_file = *file;
            // A compressed value is read whole (bounded) so that it can be decoded.
            const std::size_t cap =
                (flags & kFlagZstd) != 0 ? kZstdDecodeLimit : m_maxValueBytes + 1;
            auto head = readFileHead(*file, cap);
            if (!head.ok()) {
                d.note = head.status().isNotFound() ? "value file missing: " + file->string()
                                                    : head.status().message();
                d.preview = "<" + sanitizeUtf8(d.note) + ">";
                return d;
            }
            stored = std::move(head->bytes);
            whole = stored.size() >= d.summary.size;
        } else {
            stored = std::string(st->bytes(13));
        }
        std::string payload = std::move(stored);
        if ((flags & kFlagZstd) != 0) {
            if (!whole) {
                d.note = "compressed value larger than the preview bound";
                d.value_kind = "zstd";
                d.preview = "<zstd frame of " + std::to_string(d.summary.size) + " bytes>";
                return d;
            }
            auto raw = zstdDecompress(payload, m_db->path().string(), kZstdDecodeLimit);
            if (!raw.ok()) {
                d.note = raw.status().message();
                d.value_kind = "zstd";
                d.preview = "<" + sanitizeUtf8(d.note) + ">";
                return d;
            }
            payload = std::move(*raw);
            d.note = "zstd-compressed; shown decompressed";
        }
        if (payload.size() > m_maxValueBytes) {
            whole = false;
            payload.resize(m_maxValueBytes);
        }
        d.truncated = !whole;
        const RenderedValue rv = renderStoredValue(typeTag, payload, whole, kPreviewBytes);
        d.value_kind = rv.kind;
        d.preview = rv.preview;
        d.value_bytes = std::move(payload);
        return d;
    }

    Result<BatchOutcome> deleteBatch(const std::vector<EntrySummary>& batch) override {
        if (Status s = refuseIfReadOnly(); !s.ok()) return s;
        if (m_newerSchema) {
            return Status::notSupported("cache " + m_info.path.string() +
                                        " has a newer schema; it can only be read");
        }
        if (Status s = openWriter(); !s.ok()) return s;
        std::vector<std::string> keys, fingerprints;
        keys.reserve(batch.size());
        for (const auto& e : batch) {
            auto blob = blobOfHex(e.id);
            if (!blob.ok()) return blob.status();
            keys.push_back(std::move(*blob));
            fingerprints.push_back(e.fingerprint);
        }
        auto removed = deleteEntriesByKey(*m_writer, keys, fingerprints);
        if (!removed.ok()) return removed.status();
        BatchOutcome out;
        out.changed = removed->changed;
        out.deleted = static_cast<std::uint64_t>(removed->count);
        out.bytes = nonNegative(removed->bytes);
        ContainedRemover remover(m_info.path / "data");
        for (const auto& name : removed->files) {
            auto gone = isValidSpillName(name) ? remover.removeFile(name)
                                               : Result<bool>(Status::permissionDenied(
                                                     "bad value file name " + sanitizeUtf8(name)));
            if (!gone.ok()) {
                out.refused.push_back(gone.status().message());
                logger().warn("sqlite cache {}: {}", m_info.path.string(), gone.status().message());
            }
        }
        return out;
    }

    // Only the expiry can change in place: the row's `expires` (native_expiry.h).
    Status supportsEdit(EditAction action) const override {
        if (!isExpiryEdit(action)) return Source::supportsEdit(action);
        if (m_newerSchema) {
            return Status::notSupported("cache " + m_info.path.string() +
                                        " has a newer schema; it can only be read");
        }
        return {};
    }

  protected:
    Result<EntrySummary> applyEdit(const EditRequest& request) override {
        if (Status s = supportsEdit(request.action); !s.ok()) return s;
        if (Status s = openWriter(); !s.ok()) return s;
        auto blob = blobOfHex(request.entry_id);
        if (!blob.ok()) return blob.status();
        if (Status s =
                setSqliteEntryExpiry(*m_writer, *blob, expiryOf(request), request.fingerprint);
            !s.ok()) {
            return s.withContext("entry " + request.entry_id);
        }
        auto changed = detail(request.entry_id);
        if (!changed.ok()) return changed.status();
        return std::move(changed->summary);
    }

  private:
    // The read-write connection of changes, opened on first use.
    Status openWriter() {
        if (m_writer) return {};
        auto conn = Connection::open(m_info.path / "cache.db", false, 2000);
        if (!conn.ok()) return conn.status();
        m_writer = std::move(*conn);
        return {};
    }

    EntrySummary summaryFromRow(const SqliteStatement& st) const {
        EntrySummary e;
        e.id = hexOf(st.bytes(1));
        const std::uint64_t keyBytes = nonNegative(st.int64(9));
        setKeyText(e, sanitizeUtf8(st.bytes(2)), keyBytes, st.bytes(2).size() >= keyBytes);
        e.size = nonNegative(st.int64(3));
        e.stored_ms = st.int64(4);
        e.accessed_ms = st.int64(5);
        if (st.int64(6) > 0) e.expires_ms = st.int64(6);
        e.hits = nonNegative(st.int64(7));
        if (!st.isNull(8)) e.tag = sanitizeUtf8(st.bytes(8));
        if (!st.isNull(10)) {
            e.compute_ns = nonNegative(st.int64(10));
            // hits x compute time, saturating: it may pass 64 bits (an hour hit 5 million times).
            const std::uint64_t hits = *e.hits, ns = *e.compute_ns;
            e.saved_ns = hits != 0 && ns > std::numeric_limits<std::uint64_t>::max() / hits
                             ? std::numeric_limits<std::uint64_t>::max()
                             : ns * hits;
        }
        e.fingerprint = rowFingerprint(st.int64(0), st.int64(4));
        return e;
    }

    SourceInfo m_info;
    std::size_t m_maxValueBytes;
    std::unique_ptr<Connection> m_db;  // read-only
    std::unique_ptr<Connection> m_writer;
    bool m_newerSchema;
    const char* m_select;  // kSummarySelectV4, kSummarySelect or kSummarySelectV1
    const char* m_from;
    bool m_accessTable;     // schema version 2: access stamps in the `access` table
    bool m_computeColumns;  // schema version 4: compute times and saved time recorded
};

}  // namespace

Result<std::unique_ptr<Source>> openNativeSqliteSource(const SourceInfo& info,
                                                       const OpenOptions& options) {
    auto file = openSqliteCacheFile(info.path);
    if (!file.ok()) return file.status();
    return std::unique_ptr<Source>(new NativeSqliteSource(info, options, std::move(file->conn),
                                                          file->newer_schema, file->access_table,
                                                          file->compute_columns));
}

void addNativeSqliteCounts(SourceInfo& info) {
    auto file = openSqliteCacheFile(info.path);
    if (!file.ok()) {
        info.note += (info.note.empty() ? "" : "; ") + file.status().toString();
        return;
    }
    auto st = file->conn->prepare("SELECT count, bytes FROM counters WHERE id = 0");
    if (!st.ok()) return;
    auto row = st->step();
    if (!row.ok() || !*row) return;
    info.entries = nonNegative(st->int64(0));
    info.bytes = nonNegative(st->int64(1));
}

}  // namespace twat_cache::detail
