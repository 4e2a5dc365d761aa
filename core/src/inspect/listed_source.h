// ListedSource: the base of the sources whose cache is a folder walked for its entries —
// joblib.Memory stores (joblib_source.cpp, one entry per cached call) and generic cache
// folders (folder_source.cpp, one entry per file) — and the file helpers they share.
//
// Listing pages through a resumable walk in path order (folder_walk.h), or through the sort
// index for an order (sorted_listing.h); deletion removes a call folder or a file only after
// checking that it lies inside the store (no `..`, no symlink pointing out), through
// directory descriptors (contained_remover.h).
//
// Thread safety: one thread at a time (see Source).
#pragma once

#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inspect/entry_key.h"
#include "inspect/folder_walk.h"
#include "inspect/namespace_tree.h"
#include "inspect/scan_deadline.h"
#include "inspect/sorted_listing.h"
#include "twat_cache/inspect.h"

namespace twat_cache::detail {

// `info.path` is the folder that holds `joblib/`, or `joblib/` itself.
Result<std::unique_ptr<Source>> openJoblibSource(const SourceInfo& info,
                                                 const OpenOptions& options);
Result<std::unique_ptr<Source>> openFolderSource(const SourceInfo& info,
                                                 const OpenOptions& options);

// The `joblib` folder of a store at `path`, or empty when `path` is no joblib store.
std::filesystem::path joblibDirOf(const std::filesystem::path& path);

inline constexpr std::size_t kPreviewBytes = 2048;

struct FileTimes {
    std::optional<std::int64_t> modified_ms;
    std::optional<std::int64_t> accessed_ms;
};
// The modification and access times of `p` (not following a final symlink).
FileTimes timesOf(const std::filesystem::path& p);
std::int64_t msOf(const timespec& t);
// Whether `relative` exists under the folder `dirFd` (following symlinks, like fs::exists).
bool existsAt(int dirFd, const std::string& relative);
// The bytes of the regular files under `dir`.
std::uint64_t treeBytes(const std::filesystem::path& dir);
// The path an entry id (escapeName() of a relative path) names, when it stays inside `root`.
Result<std::filesystem::path> entryPath(const std::filesystem::path& root, std::string_view id);
// An entry named by the relative path `relative`: its id and its (bounded) key text.
void nameEntry(EntrySummary& e, std::string_view relative);
// The first `max` bytes of a value file into `d` (value_bytes, truncated); a file that is
// not a regular one (a FIFO, a symlink) or cannot be read becomes the preview and the note.
bool readValueHead(const std::filesystem::path& file, std::size_t max, EntryDetail& d);
// Removes each entry (a file or a folder tree under the remover's root) through directory
// descriptors, so a sub-folder swapped for a symlink mid-way is never followed; an entry
// whose fingerprint changed since the preview is kept and counted.
Source::BatchOutcome removeEntries(const std::filesystem::path& root,
                                   const std::vector<EntrySummary>& batch);

// A source listed by walking its folder (folder_walk.h): natural-order pages resume the walk
// after the cursor's relative path, so a page costs what it returns (plus the listings of the
// folders on its path), not the whole tree; a filtered page stops on the filter's time budget.
// It keeps no counters: stats() walks everything, and its count is the `total` of later pages.
// namespaces() is the tree of the entries' paths, counted by a walk of its own a budget at a
// time (a joblib store's module/function folders, a folder's directories).
// Sorted listings go through an in-memory index built by one walk (sorted_listing.h).
class ListedSource : public Source {
  public:
    // With `matchPaths` a glob filter matches an entry's path (its id) as well as its key text.
    ListedSource(SourceInfo info, const OpenOptions& options, std::string statsNote,
                 std::filesystem::path root, bool matchPaths = false)
        : Source(options.read_only, options.clock),
          m_info(std::move(info)),
          m_maxValueBytes(options.max_value_bytes),
          m_statsNote(std::move(statsNote)),
          m_walker(std::move(root)),
          m_sorted(std::string(sourceKindName(m_info.kind)) + " " + m_info.path.string(),
                   options.sort_index_max_entries),
          m_nsTree("/", {options.namespace_max_depth, options.namespace_max_children,
                         options.namespace_max_nodes}) {
        m_sorted.setMatchIds(matchPaths);
    }

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
            // Compute times where entries record them (joblib's "duration"); none: unknown.
            if (e.compute_ns) s.compute_ns = s.compute_ns.value_or(0) + *e.compute_ns;
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
                if (e && m_sorted.passes(filter, *e)) page.entries.push_back(std::move(*e));
                return Status();
            });
        if (!walked.ok()) return walked;
        if (more) page.cursor = FolderWalker::cursorOf(last);
        if (cursor.empty() && !more) m_lastCount = page.scanned;  // a full walk
        return page;
    }

    // The tree of the entries' paths ("/" separates folders; a joblib call's path is
    // module/function/hash, so a function's calls are the leaf keys of its node), with their
    // bytes. Each call walks on from where the last one stopped, for up to `budget` entries.
    Result<NamespaceReport> namespaces(std::size_t budget) override {
        std::size_t examined = 0;
        std::string last;
        bool more = false;
        Status walked =
            m_nsDone ? Status()
                     : m_walker.walk(
                           m_nsAfter,
                           [this](int dirFd, std::string_view name, const struct stat& st,
                                  std::size_t depth) { return classify(dirFd, name, st, depth); },
                           [&](const std::string& relative, const struct stat& st, bool& stop) {
                               if (examined >= std::max<std::size_t>(budget, 1)) {
                                   more = stop = true;
                                   return Status();
                               }
                               ++examined;
                               last = relative;
                               if (auto e = summarize(relative, st))
                                   m_nsTree.add(relative, e->size);
                               return Status();
                           });
        if (!walked.ok()) return walked;
        if (!m_nsDone) {
            m_nsScanned += examined;
            if (more) {
                m_nsAfter = last;
            } else {
                m_nsDone = true;
                m_lastCount = m_nsScanned;  // a full walk
            }
        }
        NamespaceReport report;
        report.keys_scanned = m_nsScanned;
        report.complete = m_nsDone;
        m_nsTree.fill(report, [](std::string_view segment) { return escapeName(segment); });
        return report;
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
    // Namespace counting state: the path walked up to, and the tree so far.
    std::string m_nsAfter;
    bool m_nsDone = false;
    std::uint64_t m_nsScanned = 0;
    NamespaceTree m_nsTree;
};

}  // namespace twat_cache::detail
