// DiskcacheSource: python-diskcache Cache and FanoutCache, read and maintained from C++.
#include "inspect/diskcache_source.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "inspect/diskcache_shard.h"
#include "inspect/entry_key.h"
#include "inspect/path_guard.h"
#include "inspect/pickle_reader.h"
#include "inspect/scan_deadline.h"
#include "sqlite/sqlite_db.h"
#include "util/fs_util.h"
#include "util/log_internal.h"

namespace twat_cache::detail {
namespace fs = std::filesystem;

namespace {

constexpr int kModeRaw = 1;
constexpr int kModeBinary = 2;
constexpr int kModeText = 3;
constexpr int kModePickle = 4;
constexpr std::size_t kFilterChunk = 256;
constexpr std::size_t kPreviewBytes = 2048;

std::int64_t secondsToMs(double s) {
    return static_cast<std::int64_t>(std::llround(s * 1000.0));
}

// SQL for the first `n` bytes of `column`. Text is cut as bytes and stays text: substr() of
// text counts characters and stops at a NUL.
std::string headExpr(const char* column, std::size_t n) {
    const std::string c = column, len = std::to_string(n);
    return "CASE typeof(" + c + ") WHEN 'text' THEN CAST(substr(CAST(" + c + " AS BLOB), 1, " +
           len + ") AS TEXT) ELSE substr(" + c + ", 1, " + len + ") END";
}
// The summary columns of an entry, the same in every query (see summaryFromRow): only a
// prefix of the key and of the tag is read (a pickled key up to what can be decoded), and the
// key's whole length in bytes (length() of a blob reads no content).
const std::string& summaryColumns() {
    static const std::string columns =
        "rowid, CASE WHEN raw THEN " + headExpr("key", kKeyReadBytes) + " ELSE " +
        headExpr("key", kKeyDecodeBytes) +
        " END, raw, store_time, expire_time, access_time, access_count, " +
        headExpr("tag", kKeyReadBytes) + ", " + kSizeExpr +
        ", CASE typeof(key) WHEN 'blob' THEN length(key) ELSE length(CAST(key AS BLOB)) END";
    return columns;
}
constexpr int kColumnsAfterSummary = 10;  // the index of the first column after them

// A raw key or tag column: text as is, numbers as written, blobs as Python bytes.
std::string renderRawColumn(const SqliteStatement& st, int col) {
    if (st.isNull(col)) return {};
    if (st.type(col) == SQLITE_BLOB) return quotedRepr(st.bytes(col), true, kKeyTextBytes);
    return sanitizeUtf8(keyHead(st.bytes(col)));  // no character cut in two
}

// The key of the row as text, bounded (see entry_key.h): raw keys as their column, pickled
// ones rendered when their whole pickle was read.
void setKey(EntrySummary& e, const SqliteStatement& st, int keyCol, int rawCol, int lengthCol) {
    const auto keyBytes =
        static_cast<std::uint64_t>(std::max<std::int64_t>(0, st.int64(lengthCol)));
    const bool whole = st.bytes(keyCol).size() >= keyBytes;
    if (st.int64(rawCol) != 0) {
        setKeyText(e, renderRawColumn(st, keyCol), keyBytes, whole);
        return;
    }
    if (!whole) {
        setKeyText(e, "<pickled key>", keyBytes, false);
        return;
    }
    auto r = renderPickle(st.bytes(keyCol), PickleRenderOptions{.max_output = kKeyTextBytes});
    if (!r.ok()) {
        setKeyText(e, "<unreadable pickled key: " + r.status().message() + ">", keyBytes, true);
        return;
    }
    const bool cut = r->size() > kKeyTextBytes;
    setKeyText(e, std::move(*r), keyBytes, !cut);
}

struct Cursor {
    std::size_t shard = 0;
    std::int64_t rowid = std::numeric_limits<std::int64_t>::min();
};

// The cursor of a sorted listing: "s" and, per shard, how many of its ordered rows were
// examined ("s12,0,7"). Offsets into each shard's order (ties broken by rowid), so pages
// neither skip nor repeat entries while the cache does not change.
Result<std::vector<std::int64_t>> parseSortedCursor(std::string_view text, std::size_t shards) {
    std::vector<std::int64_t> offsets(shards, 0);
    if (text.empty()) return offsets;
    const auto bad = [&] {
        return Status::invalidArgument("malformed cursor '" + std::string(text) + "'");
    };
    if (text.front() != 's') return bad();
    std::size_t pos = 1;
    for (std::size_t i = 0; i < shards; ++i) {
        const std::size_t end = std::min(text.find(',', pos), text.size());
        try {
            offsets[i] = std::stoll(std::string(text.substr(pos, end - pos)));
        } catch (const std::exception&) {
            return bad();
        }
        if (offsets[i] < 0) return bad();
        pos = end + 1;
    }
    if (pos != text.size() + 1) return bad();
    return offsets;
}

// The SQL value a sorted listing orders by; never NULL, so that the merge of shards in C++
// agrees with SQLite's order.
const char* sortExpr(SortKey key) {
    switch (key) {
        case SortKey::kSize:
            return kSizeExpr;
        case SortKey::kStored:
            return "COALESCE(store_time, 0)";
        case SortKey::kAccessed:
            return "COALESCE(access_time, 0)";
        case SortKey::kExpires:  // never-expiring entries after every expiring one
            return "COALESCE(expire_time, 1e300)";
        case SortKey::kHits:
            return "COALESCE(access_count, 0)";
        case SortKey::kKey:
        case SortKey::kNone:
        case SortKey::kComputeTime:  // diskcache records no compute times (not in sortKeys)
        case SortKey::kTimeSaved:
            break;
    }
    return "rowid";
}

Result<Cursor> parseCursor(std::string_view text, std::size_t shards) {
    Cursor c;
    if (text.empty()) return c;
    const auto colon = text.find(':');
    try {
        if (colon == std::string_view::npos) throw std::invalid_argument("no colon");
        c.shard = std::stoul(std::string(text.substr(0, colon)));
        c.rowid = std::stoll(std::string(text.substr(colon + 1)));
    } catch (const std::exception&) {
        return Status::invalidArgument("malformed cursor '" + std::string(text) + "'");
    }
    if (c.shard >= shards) return Status::invalidArgument("cursor names no shard");
    return c;
}

class DiskcacheSource final : public Source {
  public:
    DiskcacheSource(SourceInfo info, const OpenOptions& options, std::vector<Shard> shards)
        : Source(options.read_only, options.clock),
          m_info(std::move(info)),
          m_maxValueBytes(options.max_value_bytes),
          m_statsBudget(options.stats_time_budget),
          m_shards(std::move(shards)) {}

    SourceInfo info() const override { return m_info; }

    // Entries and their bytes as the listing shows them (the sum of the entries' sizes, see
    // diskcache_shard.h), so that plans and prune count the same; diskcache's own volume()
    // is in `extra` as "disk_use".
    Result<SourceStats> stats() override {
        SourceStats s;
        std::uint64_t count = 0, bytes = 0, disk = 0, hits = 0, misses = 0, summed = 0;
        bool statisticsOn = false, bytesKnown = true;
        std::optional<std::chrono::steady_clock::time_point> deadline;
        if (m_statsBudget.count() > 0) deadline = std::chrono::steady_clock::now() + m_statsBudget;
        for (auto& shard : m_shards) {
            auto settings = readSettings(shard);
            if (!settings.ok()) return settings.status();
            std::uint64_t walked = 0;
            auto entrySizes = entryBytes(shard, deadline, &walked);
            if (!entrySizes.ok()) return entrySizes.status();
            auto used = diskUse(shard);
            if (!used.ok()) return used.status();
            count += settings->count;
            bytesKnown = bytesKnown && entrySizes->has_value();
            bytes += entrySizes->value_or(0);
            summed += entrySizes->has_value() ? settings->count : walked;
            disk += *used;
            hits += settings->hits;
            misses += settings->misses;
            statisticsOn = statisticsOn || settings->statistics;
        }
        s.entries = count;
        if (bytesKnown) s.bytes = bytes;
        s.extra = {{"disk_use", disk}};
        if (statisticsOn || hits + misses > 0) {
            s.hits = hits;
            s.misses = misses;
            if (!statisticsOn) s.note = "statistics are off now; counts are from when they were on";
        } else {
            s.note = "statistics were never enabled (diskcache Cache(statistics=True))";
        }
        s.note += s.note.empty() ? "" : "; ";
        s.note +=
            "diskcache does not record evictions; size: the entries' values (disk use, with "
            "the database, in disk_use)";
        if (!bytesKnown) {
            s.extra.emplace_back("bytes_summed_entries", summed);
            s.note += "; adding up the entries' sizes: " + std::to_string(summed) + " of " +
                      std::to_string(count) + " entries so far";
        }
        return s;
    }

    // diskcache keeps every column: store and access times, expiry, access count and tag.
    std::vector<EntryColumn> columns() const override {
        return {EntryColumn::kKey,      EntryColumn::kSize,    EntryColumn::kStored,
                EntryColumn::kAccessed, EntryColumn::kExpires, EntryColumn::kHits,
                EntryColumn::kTag};
    }

    // Keys are pickles in general, whose bytes do not sort like their text: no key order.
    std::vector<SortKey> sortKeys() const override {
        return {SortKey::kSize, SortKey::kStored, SortKey::kAccessed, SortKey::kExpires,
                SortKey::kHits};
    }

    Result<EntryPage> entries(std::string_view cursorText, std::size_t limit,
                              const EntryFilter& filter) override {
        if (filter.order != SortKey::kNone && filter.order != SortKey::kKey) {
            return sortedEntries(cursorText, limit, filter);
        }
        auto cur = parseCursor(cursorText, m_shards.size());
        if (!cur.ok()) return cur.status();
        Cursor c = *cur;
        EntryPage page;
        if (limit == 0) {
            page.cursor = std::string(cursorText);
            return page;
        }
        auto total = entryCount();
        if (!total.ok()) return total.status();
        page.total = *total;
        ScanDeadline deadline(clock(), filter.time_budget);
        while (c.shard < m_shards.size()) {
            Shard& shard = m_shards[c.shard];
            const std::size_t want = filter.empty() ? limit - page.entries.size() : kFilterChunk;
            auto st = shard.db->prepare("SELECT " + summaryColumns() +
                                        " FROM Cache WHERE rowid > ?1 ORDER BY rowid LIMIT ?2");
            if (!st.ok()) return st.status();
            st->bind(1, c.rowid);
            st->bind(2, static_cast<std::int64_t>(want));
            std::size_t rows = 0;
            bool stop = false;
            while (!stop) {
                auto row = st->step();
                if (!row.ok()) return row.status().withContext(shard.dir.string());
                if (!*row) break;
                ++rows;
                ++page.scanned;
                c.rowid = st->int64(0);
                EntrySummary e = summaryFromRow(*st, c.shard);
                if (filter.matches(e.key_text)) page.entries.push_back(std::move(e));
                if (page.entries.size() == limit) {
                    stop = true;
                } else if (deadline.expired()) {
                    stop = page.budget_spent = true;
                }
            }
            if (stop) {
                page.cursor = std::to_string(c.shard) + ":" + std::to_string(c.rowid);
                return page;
            }
            if (rows < want) {  // this shard is done
                ++c.shard;
                c.rowid = std::numeric_limits<std::int64_t>::min();
            }
        }
        return page;
    }

    // A sorted listing: each shard is read in order from its offset and the shards are merged
    // (equal values: lower shard first), so a FanoutCache lists as one ordered cache.
    Result<EntryPage> sortedEntries(std::string_view cursorText, std::size_t limit,
                                    const EntryFilter& filter) {
        auto parsed = parseSortedCursor(cursorText, m_shards.size());
        if (!parsed.ok()) return parsed.status();
        std::vector<std::int64_t> offsets = std::move(*parsed);
        EntryPage page;
        if (limit == 0) {
            page.cursor = std::string(cursorText);
            return page;
        }
        const char* dir = filter.descending ? " DESC" : " ASC";
        const std::string sql = "SELECT " + summaryColumns() + ", " + sortExpr(filter.order) +
                                " AS sortv FROM Cache ORDER BY sortv" + dir + ", rowid" + dir +
                                " LIMIT ?1 OFFSET ?2";
        struct Row {
            double value;
            EntrySummary entry;
        };
        auto total = entryCount();
        if (!total.ok()) return total.status();
        page.total = *total;
        ScanDeadline deadline(clock(), filter.time_budget);
        for (;;) {
            const std::size_t want = filter.empty() ? limit - page.entries.size() : kFilterChunk;
            std::vector<std::vector<Row>> buffers(m_shards.size());
            std::vector<bool> exhausted(m_shards.size(), false);
            for (std::size_t i = 0; i < m_shards.size(); ++i) {
                auto st = m_shards[i].db->prepare(sql);
                if (!st.ok()) return st.status();
                st->bind(1, static_cast<std::int64_t>(want));
                st->bind(2, offsets[i]);
                while (true) {
                    auto row = st->step();
                    if (!row.ok()) return row.status().withContext(m_shards[i].dir.string());
                    if (!*row) break;
                    buffers[i].push_back(
                        Row{st->real(kColumnsAfterSummary), summaryFromRow(*st, i)});
                }
                exhausted[i] = buffers[i].size() < want;
            }
            std::vector<std::size_t> pos(m_shards.size(), 0);
            bool needMore = false;
            while (page.entries.size() < limit && !page.budget_spent) {
                std::size_t best = m_shards.size();
                for (std::size_t i = 0; i < m_shards.size(); ++i) {
                    if (pos[i] == buffers[i].size()) {
                        if (!exhausted[i]) needMore = true;
                        continue;
                    }
                    if (best == m_shards.size()) {
                        best = i;
                        continue;
                    }
                    const double v = buffers[i][pos[i]].value;
                    const double b = buffers[best][pos[best]].value;
                    if (filter.descending ? v > b : v < b) best = i;
                }
                if (needMore) break;                       // that shard's next row is not read yet
                if (best == m_shards.size()) return page;  // every shard is done
                Row& r = buffers[best][pos[best]++];
                ++offsets[best];
                ++page.scanned;
                if (filter.matches(r.entry.key_text)) page.entries.push_back(std::move(r.entry));
                if (page.entries.size() < limit) page.budget_spent = deadline.expired();
            }
            if (page.entries.size() == limit || page.budget_spent) {
                page.cursor = "s";
                for (std::size_t i = 0; i < offsets.size(); ++i) {
                    page.cursor += (i == 0 ? "" : ",") + std::to_string(offsets[i]);
                }
                return page;
            }
        }
    }

    Result<EntryDetail> detail(std::string_view entryId) override {
        auto id = parseCursor(entryId, m_shards.size());
        if (!id.ok() || entryId.empty())
            return Status::invalidArgument("bad entry id '" + std::string(entryId) + "'");
        Shard& shard = m_shards[id->shard];
        auto st = shard.db->prepare("SELECT " + summaryColumns() +
                                    ", mode, filename, value FROM Cache WHERE rowid = ?1");
        if (!st.ok()) return st.status();
        st->bind(1, id->rowid);
        auto row = st->step();
        if (!row.ok()) return row.status().withContext(shard.dir.string());
        if (!*row) return Status::notFound("no entry " + std::string(entryId));
        EntryDetail d;
        d.summary = summaryFromRow(*st, id->shard);
        constexpr int kMode = kColumnsAfterSummary, kFilename = kMode + 1, kValue = kMode + 2;
        const auto mode = st->int64(kMode);
        bool haveAll = true;
        if (!st->isNull(kFilename)) {
            auto file = resolveInside(shard.dir, st->bytes(kFilename));
            if (!file.ok()) {
                d.note = file.status().message();
                d.value_kind = "file";
                d.preview = "<value file refused: " + sanitizeUtf8(d.note) + ">";
                return d;
            }
            d.value_file = *file;
            auto head = readFileHead(*file, m_maxValueBytes + 1);
            if (!head.ok()) {
                d.note = head.status().isNotFound() ? "value file missing: " + file->string()
                                                    : head.status().message();
                d.preview = "<" + sanitizeUtf8(d.note) + ">";
                return d;
            }
            d.value_bytes = std::move(head->bytes);
        } else {
            d.value_bytes = std::string(st->bytes(kValue));
        }
        if (d.value_bytes.size() > m_maxValueBytes) {
            d.value_bytes.resize(m_maxValueBytes);
            d.truncated = true;
            haveAll = false;
        }
        const std::string_view head = std::string_view(d.value_bytes)
                                          .substr(0, std::min(d.value_bytes.size(), kPreviewBytes));
        switch (mode) {
            case kModeRaw:
                d.value_kind = "raw";
                if (st->type(kValue) == SQLITE_TEXT)
                    d.preview = pythonStrRepr(head);
                else if (st->type(kValue) == SQLITE_BLOB)
                    d.preview = pythonBytesRepr(head);
                else
                    d.preview = sanitizeUtf8(head);
                break;
            case kModeBinary:
                d.value_kind = "binary";
                d.preview = pythonBytesRepr(head);
                break;
            case kModeText:
                d.value_kind = "text";
                d.preview = sanitizeUtf8(head);
                break;
            case kModePickle: {
                d.value_kind = "pickle";
                if (!haveAll) {
                    d.preview = "<pickle of " + std::to_string(d.summary.size) +
                                " bytes, larger than the preview bound>";
                    break;
                }
                auto r =
                    renderPickle(d.value_bytes, PickleRenderOptions{.max_output = kPreviewBytes});
                d.preview = r.ok() ? *r : "<unreadable pickle: " + r.status().message() + ">";
                break;
            }
            default:
                d.value_kind = "unknown";
                d.preview = pythonBytesRepr(head);
        }
        if (head.size() < d.value_bytes.size() && mode != kModePickle) d.preview += "...";
        return d;
    }

    Result<BatchOutcome> deleteBatch(const std::vector<EntrySummary>& batch) override {
        if (Status s = refuseIfReadOnly(); !s.ok()) return s;
        std::map<std::size_t, std::vector<RowToDelete>> byShard;
        for (const auto& e : batch) {
            auto id = parseCursor(e.id, m_shards.size());
            if (!id.ok() || e.id.empty()) return Status::invalidArgument("bad entry id " + e.id);
            byShard[id->shard].push_back({id->rowid, e.fingerprint});
        }
        BatchOutcome out;
        for (auto& [index, rowids] : byShard) {
            Status s = deleteInShard(m_shards[index], rowids, out);
            if (!s.ok()) return s;
        }
        return out;
    }

    // diskcache keeps an entry's expiry in its row (expire_time), where its own touch()
    // changes it; nothing else may be changed here.
    Status supportsEdit(EditAction action) const override {
        return isExpiryEdit(action) ? Status() : Source::supportsEdit(action);
    }

  protected:
    Result<EntrySummary> applyEdit(const EditRequest& request) override {
        if (Status s = supportsEdit(request.action); !s.ok()) return s;
        auto id = parseCursor(request.entry_id, m_shards.size());
        if (!id.ok() || request.entry_id.empty()) {
            return Status::invalidArgument("bad entry id '" + request.entry_id + "'");
        }
        std::optional<double> expireTime;  // seconds, as diskcache keeps it; none: never
        if (const std::int64_t ms = expiryOf(request); ms != 0) {
            expireTime = static_cast<double>(ms) / 1000.0;
        }
        Status s =
            setExpireInShard(m_shards[id->shard], {id->rowid, request.fingerprint}, expireTime);
        if (!s.ok()) return s.withContext("entry " + request.entry_id);
        auto changed = detail(request.entry_id);
        if (!changed.ok()) return changed.status();
        return std::move(changed->summary);
    }

  private:
    // Entries of every shard, as diskcache counts them (Settings 'count').
    Result<std::uint64_t> entryCount() {
        std::uint64_t count = 0;
        for (auto& shard : m_shards) {
            auto settings = readSettings(shard);
            if (!settings.ok()) return settings.status();
            count += settings->count;
        }
        return count;
    }

    EntrySummary summaryFromRow(const SqliteStatement& st, std::size_t shard) const {
        EntrySummary e;
        e.id = std::to_string(shard) + ":" + std::to_string(st.int64(0));
        setKey(e, st, 1, 2, 9);
        if (!st.isNull(3)) e.stored_ms = secondsToMs(st.real(3));
        if (!st.isNull(4)) e.expires_ms = secondsToMs(st.real(4));
        if (!st.isNull(5)) e.accessed_ms = secondsToMs(st.real(5));
        e.hits = static_cast<std::uint64_t>(std::max<std::int64_t>(0, st.int64(6)));
        e.tag = renderRawColumn(st, 7);
        e.size = static_cast<std::uint64_t>(std::max<std::int64_t>(0, st.int64(8)));
        e.fingerprint = diskcacheFingerprint(st.isNull(3) ? 0.0 : st.real(3), st.int64(8));
        return e;
    }

    SourceInfo m_info;
    std::size_t m_maxValueBytes;
    std::chrono::milliseconds m_statsBudget;
    std::vector<Shard> m_shards;
};

bool isShardName(const std::string& name) {
    return name.size() == 3 &&
           std::all_of(name.begin(), name.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

}  // namespace

bool looksLikeDiskcacheDb(const fs::path& db) {
    auto h = Connection::openExisting(db, true);
    if (!h.ok()) return false;
    auto st = (*h)->prepare(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('Settings', "
        "'Cache')");
    if (!st.ok()) return false;
    auto row = st->step();
    return row.ok() && *row && st->int64(0) == 2;
}

Result<std::unique_ptr<Source>> openDiskcacheSource(const SourceInfo& info,
                                                    const OpenOptions& options) {
    std::vector<Shard> shards;
    std::error_code ec;
    if (fs::is_regular_file(info.path / "cache.db", ec)) {
        shards.push_back(Shard{"", info.path, nullptr, nullptr, -1, 0});
    } else {
        for (const auto& entry : fs::directory_iterator(info.path, ec)) {
            const std::string name = entry.path().filename().string();
            if (isShardName(name) && fs::is_regular_file(entry.path() / "cache.db", ec)) {
                shards.push_back(Shard{name, entry.path(), nullptr, nullptr, -1, 0});
            }
        }
        std::sort(shards.begin(), shards.end(),
                  [](const Shard& a, const Shard& b) { return a.label < b.label; });
    }
    if (shards.empty()) {
        return Status::notFound("no diskcache database (cache.db) in " + info.path.string());
    }
    for (auto& shard : shards) {
        const fs::path file = shard.dir / "cache.db";
        auto db = Connection::openExisting(file, true);
        if (!db.ok()) return db.status();
        auto st = (*db)->prepare(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('Settings', "
            "'Cache')");
        if (!st.ok()) {
            return Status::corruption("not a readable diskcache database: " + file.string() + " (" +
                                      st.status().message() + ")");
        }
        auto row = st->step();
        if (!row.ok()) {
            return Status::corruption("not a readable diskcache database: " + file.string() + " (" +
                                      row.status().message() + ")");
        }
        if (!*row || st->int64(0) != 2) {
            return Status::corruption("not a diskcache database (no Settings and Cache tables): " +
                                      file.string());
        }
        shard.db = std::move(*db);
    }
    return std::unique_ptr<Source>(new DiskcacheSource(info, options, std::move(shards)));
}

}  // namespace twat_cache::detail
