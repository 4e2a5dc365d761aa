// The file helpers of the folder-walking sources (see listed_source.h).
#include "inspect/listed_source.h"

#include "inspect/contained_remover.h"
#include "inspect/entry_key.h"
#include "inspect/path_guard.h"
#include "inspect/pickle_reader.h"
#include "util/fs_util.h"

namespace twat_cache::detail {
namespace fs = std::filesystem;

std::int64_t msOf(const timespec& t) {
    return static_cast<std::int64_t>(t.tv_sec) * 1000 + t.tv_nsec / 1'000'000;
}

FileTimes timesOf(const fs::path& p) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) return {};
    return {msOf(st.st_mtim), msOf(st.st_atim)};
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

}  // namespace twat_cache::detail
