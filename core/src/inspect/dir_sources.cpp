// JoblibSource and FolderSource: caches that are folders of files.
#include "inspect/dir_sources.h"

#include <sys/stat.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "inspect/contained_remover.h"
#include "inspect/entry_key.h"
#include "inspect/folder_walk.h"
#include "inspect/path_guard.h"
#include "inspect/pickle_reader.h"
#include "inspect/scan_deadline.h"
#include "inspect/sorted_listing.h"
#include "util/fs_util.h"

namespace twat_cache::detail {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kPreviewBytes = 2048;

struct FileTimes {
    std::optional<std::int64_t> modified_ms;
    std::optional<std::int64_t> accessed_ms;
};

FileTimes timesOf(const fs::path& p) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) return {};
    auto ms = [](const timespec& t) {
        return static_cast<std::int64_t>(t.tv_sec) * 1000 + t.tv_nsec / 1'000'000;
    };
    return {ms(st.st_mtim), ms(st.st_atim)};
}

std::int64_t msOf(const timespec& t) {
    return static_cast<std::int64_t>(t.tv_sec) * 1000 + t.tv_nsec / 1'000'000;
}

// Whether `relative` exists under the folder `dirFd` (following symlinks, like fs::exists).
bool existsAt(int dirFd, const std::string& relative) {
    struct stat st {};
    return ::fstatat(dirFd, relative.c_str(), &st, 0) == 0;
}

std::uint64_t treeBytes(const fs::path& dir) {
    std::uint64_t total = 0;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->is_regular_file(ec) && !it->is_symlink(ec)) total += it->file_size(ec);
    }
    return total;
}

// The path an entry id (escapeName() of a relative path) names, when it stays inside `root`.
Result<fs::path> entryPath(const fs::path& root, std::string_view id) {
    auto relative = unescapeName(id);
    if (!relative.ok()) return relative.status();
    if (relative->find('\0') != std::string::npos) {
        return Status::invalidArgument("bad entry id '" + std::string(id) + "': a NUL byte");
    }
    return resolveInside(root, *relative);
}

// An entry named by the relative path `relative`: its id and its (bounded) key text.
void nameEntry(EntrySummary& e, std::string_view relative) {
    e.id = escapeName(relative);
    setKeyText(e, sanitizeUtf8(keyHead(relative)), relative.size(),
               relative.size() <= kKeyReadBytes);
}

// The first `max` bytes of a value file into `d` (value_bytes, truncated); a file that is
// not a regular one (a FIFO, a symlink) or cannot be read becomes the preview and the note.
bool readValueHead(const fs::path& file, std::size_t max, EntryDetail& d) {
    auto head = readFileHead(file, max);
    if (!head.ok()) {
        d.note = head.status().message();
        d.preview = "<" + sanitizeUtf8(d.note) + ">";
        return false;
    }
    d.value_bytes = std::move(head->bytes);
    d.truncated = head->truncated;
    return true;
}

// Removes each entry (a file or a folder tree under the remover's root) through directory
// descriptors, so a sub-folder swapped for a symlink mid-way is never followed.
Source::BatchOutcome removeEntries(const fs::path& root, const std::vector<EntrySummary>& batch) {
    Source::BatchOutcome out;
    ContainedRemover remover(root);
    if (!remover.ok()) {
        out.refused.push_back(remover.status().message());
        return out;
    }
    for (const auto& e : batch) {
        // An entry that is a symlink out of the cache is refused as the listing showed it;
        // the remover below is what makes a swap after this check harmless.
        auto path = entryPath(root, e.id);
        if (!path.ok()) {
            out.refused.push_back(path.status().message());
            continue;
        }
        const std::string relative = *unescapeName(e.id);
        if (!e.fingerprint.empty()) {
            auto same = remover.unchanged(relative, e.fingerprint);
            if (!same.ok() && same.status().isNotFound()) continue;  // gone since the preview
            if (same.ok() && !*same) {
                ++out.changed;  // written anew since the preview: not what the user saw
                continue;
            }
        }
        auto n = remover.removeTree(relative);
        if (!n.ok()) {
            out.refused.push_back(n.status().message());
        } else if (*n > 0) {
            ++out.deleted;
            out.bytes += e.size;
        }
    }
    return out;
}

// A source listed by walking its folder (folder_walk.h): natural-order pages resume the walk
// after the cursor's relative path, so a page costs what it returns (plus the listings of the
// folders on its path), not the whole tree; a filtered page stops on the filter's time budget.
// It keeps no counters: stats() walks everything, and its count is the `total` of later pages.
// Sorted listings go through an in-memory index built by one walk (sorted_listing.h).
class ListedSource : public Source {
  public:
    ListedSource(SourceInfo info, const OpenOptions& options, std::string statsNote, fs::path root)
        : Source(options.read_only, options.clock),
          m_info(std::move(info)),
          m_maxValueBytes(options.max_value_bytes),
          m_statsNote(std::move(statsNote)),
          m_walker(std::move(root)),
          m_sorted(std::string(sourceKindName(m_info.kind)) + " " + m_info.path.string(),
                   options.sort_index_max_entries) {}

    // Key text, size, and the stored (mtime) and accessed (atime) times of the files; these
    // folders keep no expiry and no hit count.
    std::vector<SortKey> sortKeys() const override {
        return {SortKey::kKey, SortKey::kSize, SortKey::kStored, SortKey::kAccessed};
    }

    SourceInfo info() const override { return m_info; }

    Result<SourceStats> stats() override {
        SourceStats s;
        std::uint64_t count = 0, bytes = 0;
        Status walked = forEach([&](const EntrySummary& e) {
            ++count;
            bytes += e.size;
            return Status();
        });
        if (!walked.ok()) return walked;
        s.entries = count;
        s.bytes = bytes;
        s.note = m_statsNote;
        m_lastCount = count;
        return s;
    }

    Result<EntryPage> entries(std::string_view cursor, std::size_t limit,
                              const EntryFilter& filter) override {
        const auto keys = sortKeys();
        if (std::find(keys.begin(), keys.end(), filter.order) != keys.end()) {
            return m_sorted.page(
                cursor, limit, filter, clock(),
                [this](const SortedListing::Visit& v) { return forEach(v); },
                [this](std::string_view id) { return load(id); });
        }
        std::string after;
        if (!cursor.empty()) {
            auto position = FolderWalker::positionOf(cursor);
            if (!position.ok()) return position.status();
            after = std::move(*position);
        }
        EntryPage page;
        if (limit == 0) {
            page.cursor = std::string(cursor);
            return page;
        }
        // The page ends at the first entry that does not fit (or is not examined for lack of
        // time), so a listing that ends exactly at a page's end gives no cursor.
        page.total = m_lastCount;
        ScanDeadline deadline(clock(), filter.time_budget);
        std::string last;
        bool more = false;
        Status walked = m_walker.walk(
            after,
            [this](int dirFd, std::string_view name, const struct stat& st, std::size_t depth) {
                return classify(dirFd, name, st, depth);
            },
            [&](const std::string& relative, const struct stat& st, bool& stop) {
                if (page.entries.size() >= limit) {
                    more = stop = true;
                    return Status();
                }
                if (page.scanned > 0 && deadline.expired()) {
                    more = stop = page.budget_spent = true;
                    return Status();
                }
                ++page.scanned;
                last = relative;
                auto e = summarize(relative, st);
                if (e && filter.matches(e->key_text)) page.entries.push_back(std::move(*e));
                return Status();
            });
        if (!walked.ok()) return walked;
        if (more) page.cursor = FolderWalker::cursorOf(last);
        if (cursor.empty() && !more) m_lastCount = page.scanned;  // a full walk
        return page;
    }

  protected:
    // What a name found while walking is: an entry, a folder to walk into, or nothing.
    virtual FolderWalker::Kind classify(int dirFd, std::string_view name, const struct stat& st,
                                        std::size_t depth) const = 0;
    // The summary of the entry at `relative` (its lstat is `st`); nullopt when it is gone.
    virtual std::optional<EntrySummary> summarize(const std::string& relative,
                                                  const struct stat& st) const = 0;
    // One entry read again by id; nullopt when it is gone.
    virtual std::optional<EntrySummary> load(std::string_view id) const = 0;

    // Visits every entry of the source, in walk order; stops at the first non-OK visit.
    Status forEach(const SortedListing::Visit& visit) const {
        return m_walker.walk(
            "",
            [this](int dirFd, std::string_view name, const struct stat& st, std::size_t depth) {
                return classify(dirFd, name, st, depth);
            },
            [&](const std::string& relative, const struct stat& st, bool&) {
                auto e = summarize(relative, st);
                return e ? visit(*e) : Status();
            });
    }

    const SourceInfo m_info;
    const std::size_t m_maxValueBytes;

  private:
    const std::string m_statsNote;
    std::optional<std::uint64_t> m_lastCount;  // entries of the last full walk
    // The walk keeps a cache (folder_walk.h); walking is logically const.
    mutable FolderWalker m_walker;
    SortedListing m_sorted;
};

class JoblibSource final : public ListedSource {
  public:
    JoblibSource(SourceInfo info, const OpenOptions& options, fs::path dir)
        : ListedSource(std::move(info), options, "joblib does not record hits, misses or evictions",
                       dir),
          m_dir(std::move(dir)) {}

    Result<EntryDetail> detail(std::string_view entryId) override {
        auto callDir = entryPath(m_dir, entryId);
        if (!callDir.ok()) return callDir.status();
        std::error_code ec;
        if (!fs::is_directory(*callDir, ec))
            return Status::notFound("no call " + std::string(entryId));
        EntryDetail d;
        d.summary = summaryOf(*callDir);
        const fs::path output = *callDir / "output.pkl";
        d.value_file = output;
        d.value_kind = "pickle";
        if (!readValueHead(output, m_maxValueBytes, d)) {
            // d.preview says why
        } else if (d.truncated) {
            d.preview = "<pickle larger than the preview bound>";
        } else {
            auto r = renderPickle(d.value_bytes, PickleRenderOptions{.max_output = kPreviewBytes});
            d.preview = r.ok() ? *r : "<unreadable pickle: " + r.status().message() + ">";
        }
        auto meta = readMetadata(*callDir);
        if (meta.is_object() && meta.contains("duration") && meta["duration"].is_number()) {
            d.note = "computed in " + std::to_string(meta["duration"].get<double>()) + " s";
        }
        return d;
    }

    Result<BatchOutcome> deleteBatch(const std::vector<EntrySummary>& batch) override {
        if (Status s = refuseIfReadOnly(); !s.ok()) return s;
        return removeEntries(m_dir, batch);
    }

  private:
    // joblib's metadata.json: small; a larger one, a FIFO or a symlink is treated as absent.
    static nlohmann::ordered_json readMetadata(const fs::path& callDir) {
        auto head = readFileHead(callDir / "metadata.json", kMaxMetadataBytes);
        if (!head.ok() || head->truncated) return {};
        return nlohmann::ordered_json::parse(head->bytes, nullptr, false);
    }
    static constexpr std::size_t kMaxMetadataBytes = 1 << 20;

    EntrySummary summaryOf(const fs::path& callDir) const {
        EntrySummary e;
        e.id = escapeName(callDir.lexically_relative(m_dir).generic_string());
        const fs::path funcDir = callDir.parent_path();
        e.tag = sanitizeUtf8(funcDir.parent_path().lexically_relative(m_dir).generic_string());
        std::string args;
        auto meta = readMetadata(callDir);
        if (meta.is_object() && meta.contains("input_args") && meta["input_args"].is_object()) {
            for (const auto& [name, repr] : meta["input_args"].items()) {
                if (!args.empty()) args += ", ";
                args += name + "=" + (repr.is_string() ? repr.get<std::string>() : repr.dump());
            }
        } else {
            args = "?";
        }
        const std::string call = funcDir.filename().string() + "(" + args + ")";
        setKeyText(e, sanitizeUtf8(keyHead(call)), call.size(), call.size() <= kKeyReadBytes);
        e.size = treeBytes(callDir);
        if (struct stat st {}; ::lstat(callDir.c_str(), &st) == 0) e.fingerprint = fileFingerprint(st);
        fs::path stamp = callDir / "output.pkl";
        std::error_code ec;
        if (!fs::exists(stamp, ec)) stamp = callDir / "metadata.json";
        const auto t = timesOf(stamp);
        e.stored_ms = t.modified_ms;
        e.accessed_ms = t.accessed_ms;
        return e;
    }

    // Calls are folders with output.pkl or metadata.json inside function folders (those with
    // func_code.py); every other real folder is walked into (symlinked ones are not).
    FolderWalker::Kind classify(int dirFd, std::string_view name, const struct stat& st,
                                std::size_t /*depth*/) const override {
        if (!S_ISDIR(st.st_mode)) return FolderWalker::Kind::kSkip;
        const std::string n(name);
        if (existsAt(dirFd, n + "/func_code.py")) return FolderWalker::Kind::kDescend;
        if (existsAt(dirFd, "func_code.py") &&
            (existsAt(dirFd, n + "/output.pkl") || existsAt(dirFd, n + "/metadata.json"))) {
            return FolderWalker::Kind::kEntry;
        }
        return FolderWalker::Kind::kDescend;
    }

    std::optional<EntrySummary> summarize(const std::string& relative,
                                          const struct stat& /*st*/) const override {
        return summaryOf(m_dir / relative);
    }

    std::optional<EntrySummary> load(std::string_view id) const override {
        auto callDir = entryPath(m_dir, id);
        std::error_code ec;
        if (!callDir.ok() || !fs::is_directory(*callDir, ec) || fs::is_symlink(*callDir, ec))
            return std::nullopt;
        return summaryOf(*callDir);
    }

    fs::path m_dir;
};

class FolderSource final : public ListedSource {
  public:
    FolderSource(const SourceInfo& info, const OpenOptions& options)
        : ListedSource(info, options, "a plain folder does not record hits, misses or evictions",
                       info.path) {}

    Result<EntryDetail> detail(std::string_view entryId) override {
        auto file = entryPath(m_info.path, entryId);
        if (!file.ok()) return file.status();
        // A listed FIFO, socket or device gets a detail that says what it is (readValueHead).
        std::error_code ec;
        const auto status = fs::symlink_status(*file, ec);
        if (ec || !fs::exists(status) || fs::is_directory(status))
            return Status::notFound("no file " + std::string(entryId));
        EntryDetail d;
        d.summary = summaryOf(*file);
        d.value_file = *file;
        d.value_kind = "file";
        if (!readValueHead(*file, m_maxValueBytes, d)) return d;
        const std::string_view head = std::string_view(d.value_bytes)
                                          .substr(0, std::min(kPreviewBytes, d.value_bytes.size()));
        d.preview = sanitizeUtf8(head);
        return d;
    }

    Result<BatchOutcome> deleteBatch(const std::vector<EntrySummary>& batch) override {
        if (Status s = refuseIfReadOnly(); !s.ok()) return s;
        return removeEntries(m_info.path, batch);
    }

  private:
    EntrySummary summaryOf(const fs::path& file) const {
        EntrySummary e;
        nameEntry(e, file.lexically_relative(m_info.path).generic_string());
        std::error_code ec;
        if (!fs::is_symlink(file, ec)) e.size = fs::file_size(file, ec);
        if (ec) e.size = 0;
        if (struct stat st {}; ::lstat(file.c_str(), &st) == 0) e.fingerprint = fileFingerprint(st);
        const auto t = timesOf(file);
        e.stored_ms = t.modified_ms;
        e.accessed_ms = t.accessed_ms;
        return e;
    }

    // Every file (and symlink, not followed) at any depth is an entry, except the root's
    // CACHEDIR.TAG; real folders are walked into.
    FolderWalker::Kind classify(int /*dirFd*/, std::string_view name, const struct stat& st,
                                std::size_t depth) const override {
        if (S_ISDIR(st.st_mode)) return FolderWalker::Kind::kDescend;
        if (depth == 0 && name == "CACHEDIR.TAG") return FolderWalker::Kind::kSkip;
        return FolderWalker::Kind::kEntry;
    }

    std::optional<EntrySummary> summarize(const std::string& relative,
                                          const struct stat& st) const override {
        EntrySummary e;
        nameEntry(e, relative);
        e.size = S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0;
        e.stored_ms = msOf(st.st_mtim);
        e.accessed_ms = msOf(st.st_atim);
        e.fingerprint = fileFingerprint(st);
        return e;
    }

    std::optional<EntrySummary> load(std::string_view id) const override {
        auto file = entryPath(m_info.path, id);
        std::error_code ec;
        if (!file.ok()) return std::nullopt;
        const auto status = fs::symlink_status(*file, ec);
        if (ec || !fs::exists(status) || fs::is_directory(status)) return std::nullopt;
        return summaryOf(*file);
    }
};

}  // namespace

fs::path joblibDirOf(const fs::path& path) {
    std::error_code ec;
    if (path.filename() == "joblib" && fs::is_directory(path, ec)) return path;
    if (fs::is_directory(path / "joblib", ec)) return path / "joblib";
    return {};
}

Result<std::unique_ptr<Source>> openJoblibSource(const SourceInfo& info,
                                                 const OpenOptions& options) {
    fs::path dir = joblibDirOf(info.path);
    if (dir.empty()) return Status::notFound("no joblib store at " + info.path.string());
    return std::unique_ptr<Source>(new JoblibSource(info, options, std::move(dir)));
}

Result<std::unique_ptr<Source>> openFolderSource(const SourceInfo& info,
                                                 const OpenOptions& options) {
    std::error_code ec;
    if (!fs::is_directory(info.path, ec))
        return Status::notFound("no folder " + info.path.string());
    return std::unique_ptr<Source>(new FolderSource(info, options));
}

}  // namespace twat_cache::detail
