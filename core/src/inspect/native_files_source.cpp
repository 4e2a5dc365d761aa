// NativeFilesSource: our files engine's caches (entries/ab/cd/<hex>.twc envelopes), listed by
// reading envelope headers only, in key order, and maintained by unlinking entry files.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "files/files_io.h"
#include "format/envelope.h"
#include "inspect/contained_remover.h"
#include "inspect/entry_key.h"
#include "inspect/native_expiry.h"
#include "inspect/native_sources.h"
#include "inspect/path_guard.h"
#include "inspect/pickle_reader.h"
#include "inspect/scan_deadline.h"
#include "inspect/sorted_listing.h"
#include "inspect/value_render.h"

namespace twat_cache::detail {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kPreviewBytes = 2048;
constexpr std::size_t kDecodeLimit = 16 * 1024 * 1024;

// Reads up to `n` bytes from the start of `fd`.
std::string readPrefix(int fd, std::size_t n) {
    std::string out(n, '\0');
    std::size_t done = 0;
    while (done < n) {
        const ssize_t r = ::pread(fd, out.data() + done, n - done, static_cast<off_t>(done));
        if (r <= 0) break;
        done += static_cast<std::size_t>(r);
    }
    out.resize(done);
    return out;
}

bool isHexId(std::string_view id) {
    return id.size() == 32 && std::all_of(id.begin(), id.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

class NativeFilesSource final : public Source {
  public:
    NativeFilesSource(SourceInfo info, const OpenOptions& options)
        : Source(options.read_only, options.clock),
          m_info(std::move(info)),
          m_entries(m_info.path / "entries"),
          m_maxValueBytes(options.max_value_bytes),
          m_sorted("files cache " + m_info.path.string(), options.sort_index_max_entries) {}

    SourceInfo info() const override { return m_info; }

    Result<SourceStats> stats() override {
        SourceStats s;
        std::uint64_t count = 0, bytes = 0;
        // Entry totals are not persisted by the files engine: count the files (one walk).
        Fd top(openFolderAt(AT_FDCWD, m_entries.c_str()));
        if (top.ok()) {
            forEachEntryFile(top.get(), [&](int dirFd, std::string_view, const std::string& f) {
                struct stat st {};
                if (::fstatat(dirFd, f.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
                    ++count;
                    bytes += static_cast<std::uint64_t>(st.st_size);
                }
                return true;
            });
        }
        s.entries = count;
        s.bytes = bytes;
        m_lastCount = count;
        // Bounded, and never a FIFO or a symlink planted in the cache's place.
        auto text = readFileHead(m_info.path / "stats.json", 1 << 20);
        const auto doc = text.ok() && !text->truncated
                             ? nlohmann::json::parse(text->bytes, nullptr, false)
                             : nlohmann::json();
        auto field = [&](const char* name) -> std::uint64_t {
            return doc.is_object() && doc.contains(name) && doc[name].is_number_unsigned()
                       ? doc[name].get<std::uint64_t>()
                       : 0;
        };
        s.hits = field("hits");
        s.misses = field("misses");
        s.evictions = field("evictions");
        s.extra = {{"expirations", field("expirations")}, {"errors", field("errors")}};
        // Written since envelope version 2; an older stats.json did not record them.
        if (doc.is_object() && doc.contains("compute_ns")) s.compute_ns = field("compute_ns");
        if (doc.is_object() && doc.contains("saved_ns")) s.saved_ns = field("saved_ns");
        s.note = doc.is_object() ? "hits, misses and evictions are written in batches"
                                 : "no stats.json yet: nothing was counted";
        return s;
    }

    std::vector<EntryColumn> columns() const override {
        return {EntryColumn::kKey,      EntryColumn::kSize,    EntryColumn::kStored,
                EntryColumn::kAccessed, EntryColumn::kExpires, EntryColumn::kComputeTime};
    }

    // Every field of an entry file's header, through the in-memory index (sorted_listing.h);
    // the files engine counts no hits.
    std::vector<SortKey> sortKeys() const override {
        return {SortKey::kKey,      SortKey::kSize,    SortKey::kStored,
                SortKey::kAccessed, SortKey::kExpires, SortKey::kComputeTime};
    }

    Result<EntryPage> entries(std::string_view cursor, std::size_t limit,
                              const EntryFilter& filter) override {
        const auto keys = sortKeys();
        if (std::find(keys.begin(), keys.end(), filter.order) != keys.end()) {
            return m_sorted.page(
                cursor, limit, filter, clock(),
                [this](const SortedListing::Visit& v) { return walk(v); },
                [this](std::string_view id) { return load(id); });
        }
        if (!cursor.empty() && !isHexId(cursor)) {
            return Status::invalidArgument("malformed cursor '" + std::string(cursor) + "'");
        }
        EntryPage page;
        if (limit == 0) {
            page.cursor = std::string(cursor);
            return page;
        }
        page.total = m_lastCount;
        ScanDeadline deadline(clock(), filter.time_budget);
        Status walked = walkFrom(
            cursor, [&](const std::string& hex, std::optional<EntrySummary>& e, bool& stop) {
                ++page.scanned;
                if (e && filter.matches(e->key_text)) page.entries.push_back(std::move(*e));
                if (page.entries.size() == limit) {
                    stop = true;
                } else if (deadline.expired()) {
                    stop = page.budget_spent = true;
                }
                if (stop) page.cursor = hex;
                return Status();
            });
        if (!walked.ok()) return walked;
        if (cursor.empty() && page.cursor.empty()) m_lastCount = page.scanned;  // a full walk
        return page;
    }

    Result<EntryDetail> detail(std::string_view entryId) override {
        if (!isHexId(entryId)) {
            return Status::invalidArgument("bad entry id '" + std::string(entryId) + "'");
        }
        const fs::path file = pathOf(entryId);
        Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
        struct stat st {};
        if (!fd.ok() || ::fstat(fd.get(), &st) != 0) {
            return Status::notFound("no entry " + std::string(entryId));
        }
        const auto fileSize = static_cast<std::size_t>(st.st_size);
        std::string buf;
        auto header = readEntryHeader(fd.get(), fileSize, buf);
        if (!header.ok()) return header.status().withContext(file.string());
        EntryDetail d;
        d.summary = summaryFrom(std::string(entryId), *header, st);
        d.summary.fingerprint = fileFingerprint(st);
        d.value_file = file;
        std::string payload;
        bool whole = false;
        if (fileSize <= kDecodeLimit) {
            const std::string bytes = readPrefix(fd.get(), fileSize);
            auto decoded = decodeEnvelope(bytes, payload);
            if (!decoded.ok()) {
                d.note = decoded.status().message();
                d.value_kind = "corrupt";
                d.preview = "<" + sanitizeUtf8(d.note) + ">";
                return d;
            }
            whole = true;
            if (header->compressed()) d.note = "zstd-compressed; shown decompressed";
        } else {
            d.note = "value larger than the preview bound";
            payload = readPrefix(fd.get(), header->payload_offset + m_maxValueBytes)
                          .substr(header->payload_offset);
        }
        if (payload.size() > m_maxValueBytes) {
            payload.resize(m_maxValueBytes);
            whole = false;
        }
        d.truncated = !whole;
        const RenderedValue rv = renderStoredValue(header->type_tag, payload, whole, kPreviewBytes);
        d.value_kind = rv.kind;
        d.preview = rv.preview;
        d.value_bytes = std::move(payload);
        return d;
    }

    Result<BatchOutcome> deleteBatch(const std::vector<EntrySummary>& batch) override {
        if (Status s = refuseIfReadOnly(); !s.ok()) return s;
        BatchOutcome out;
        // Through directory descriptors: a fan-out folder swapped for a symlink is refused.
        ContainedRemover remover(m_entries);
        if (!remover.ok()) return remover.status();
        for (const auto& e : batch) {
            if (!isHexId(e.id)) return Status::invalidArgument("bad entry id " + e.id);
            const fs::path file = pathOf(e.id);
            struct stat st {};
            if (::lstat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;  // gone
            const std::string relative = file.lexically_relative(m_entries).string();
            if (!e.fingerprint.empty()) {
                auto same = remover.unchanged(relative, e.fingerprint);
                if (!same.ok() && same.status().isNotFound()) continue;  // gone
                if (same.ok() && !*same) {
                    ++out.changed;  // stored again since the preview
                    continue;
                }
            }
            auto removed = remover.removeFile(relative);
            if (!removed.ok()) {
                out.refused.push_back(removed.status().message());
            } else if (*removed) {
                ++out.deleted;
                out.bytes += static_cast<std::uint64_t>(st.st_size);
            }
        }
        return out;
    }

    // Only the expiry can change in place: the envelope's (native_expiry.h).
    Status supportsEdit(EditAction action) const override {
        return isExpiryEdit(action) ? Status() : Source::supportsEdit(action);
    }

  protected:
    Result<EntrySummary> applyEdit(const EditRequest& request) override {
        if (Status s = supportsEdit(request.action); !s.ok()) return s;
        if (!isHexId(request.entry_id)) {
            return Status::invalidArgument("bad entry id '" + request.entry_id + "'");
        }
        if (Status s = setFilesEntryExpiry(m_entries, request.entry_id, expiryOf(request),
                                           request.fingerprint);
            !s.ok()) {
            return s;
        }
        auto changed = load(request.entry_id);
        if (!changed) return Status::notFound("entry " + request.entry_id + " is gone");
        return std::move(*changed);
    }

  private:
    // Called for each entry file with its id and summary (nullopt: it vanished while walking);
    // setting `stop` ends the walk.
    using FileVisit =
        std::function<Status(const std::string& hex, std::optional<EntrySummary>& e, bool& stop)>;

    // Visits the entry files whose id sorts after `after` ("": all), in id order.
    Status walkFrom(std::string_view after, const FileVisit& visit) const {
        Fd top(openFolderAt(AT_FDCWD, m_entries.c_str()));
        if (!top.ok()) return {};  // no entries yet
        std::string buf;
        Status status;
        EntryWalk walk;
        walk.after = after;
        forEachEntryFile(
            top.get(),
            [&](int dirFd, std::string_view, const std::string& f) {
                const std::string hex = f.substr(0, 32);
                auto e = summaryAt(dirFd, f, buf);
                bool stop = false;
                status = visit(hex, e, stop);
                return status.ok() && !stop;
            },
            walk);
        return status;
    }

    // Visits every entry file's summary, in id order.
    Status walk(const SortedListing::Visit& visit) const {
        return walkFrom("", [&](const std::string&, std::optional<EntrySummary>& e, bool&) {
            return e ? visit(*e) : Status();  // a file that vanished while walking is skipped
        });
    }

    // One entry read again by id; nullopt when its file is gone.
    std::optional<EntrySummary> load(std::string_view id) const {
        if (!isHexId(id)) return std::nullopt;
        std::string buf;
        return summaryAt(AT_FDCWD, pathOf(id).string(), buf);
    }

    fs::path pathOf(std::string_view hex) const {
        return m_entries / std::string(hex.substr(0, 2)) / std::string(hex.substr(2, 2)) /
               (std::string(hex) + std::string(kEntrySuffix));
    }

    EntrySummary summaryFrom(std::string id, const EnvelopeHeader& h, const struct stat& st) const {
        EntrySummary e;
        e.id = std::move(id);
        const std::string_view key = h.key_text;
        setKeyText(e, sanitizeUtf8(keyHead(key)), key.size(), key.size() <= kKeyReadBytes);
        // The entry file's size: what stats() adds up and deleting it frees.
        e.size = static_cast<std::uint64_t>(st.st_size);
        e.stored_ms = h.created_ms;
        e.compute_ns = h.compute_ns;  // no per-entry hits: saved_ns stays unknown
        e.accessed_ms = mtimeMs(st);
        if (h.expires_ms > 0) e.expires_ms = h.expires_ms;
        return e;
    }

    // The summary of the entry file `name` in `dirFd` (or a path, with AT_FDCWD).
    std::optional<EntrySummary> summaryAt(int dirFd, const std::string& name,
                                          std::string& buf) const {
        const std::size_t slash = name.rfind('/');
        const std::string id = name.substr(slash == std::string::npos ? 0 : slash + 1, 32);
        Fd fd(::openat(dirFd, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
        struct stat st {};
        if (!fd.ok() || ::fstat(fd.get(), &st) != 0) return std::nullopt;
        auto header = readEntryHeader(fd.get(), static_cast<std::size_t>(st.st_size), buf);
        if (!header.ok()) {
            EntrySummary e;  // a damaged entry is still listed, so that it can be deleted
            e.id = id;
            e.key_text = "<damaged entry: " + header.status().message() + ">";
            e.size = static_cast<std::uint64_t>(st.st_size);
            e.fingerprint = fileFingerprint(st);
            return e;
        }
        EntrySummary e = summaryFrom(id, *header, st);
        e.fingerprint = fileFingerprint(st);
        return e;
    }

    SourceInfo m_info;
    fs::path m_entries;
    std::size_t m_maxValueBytes;
    SortedListing m_sorted;
    std::optional<std::uint64_t> m_lastCount;  // entries of the last full walk
};

}  // namespace

Result<std::unique_ptr<Source>> openNativeFilesSource(const SourceInfo& info,
                                                      const OpenOptions& options) {
    std::error_code ec;
    if (!fs::is_directory(info.path, ec)) {
        return Status::notFound("no files cache folder at " + info.path.string());
    }
    return std::unique_ptr<Source>(new NativeFilesSource(info, options));
}

}  // namespace twat_cache::detail
