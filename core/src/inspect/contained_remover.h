// Deletes files and folders inside one cache folder, and never outside it.
//
// Checking a path and then removing it by name are two steps: between them another process
// can swap a sub-folder for a symlink to somewhere else, and a removal by path string follows
// it. A ContainedRemover opens the cache folder once and reaches everything below it through
// directory descriptors (openat with O_NOFOLLOW | O_DIRECTORY, then unlinkat), one path
// component at a time, so a symlink planted at any step is refused instead of followed.
// Relative paths with "..", empty or absolute components are refused before anything opens.
//
// Thread safety: an instance is used by one thread at a time; distinct instances are
// independent.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <deque>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "files/files_io.h"  // Fd
#include "twat_cache/status.h"

namespace twat_cache::detail {

// A file's or folder's fingerprint (EntrySummary::fingerprint): device, inode, modification
// time in nanoseconds and size. Writing a file anew (or renaming another over it) changes it.
std::string fileFingerprint(const struct stat& st);

class ContainedRemover {
  public:
    // Opens `root` (not following a symlink at its last component). `ok()` says whether it
    // did; a failure is kept in `status()`.
    explicit ContainedRemover(const std::filesystem::path& root);
    ~ContainedRemover();
    ContainedRemover(const ContainedRemover&) = delete;
    ContainedRemover& operator=(const ContainedRemover&) = delete;

    bool ok() const { return m_rootFd >= 0; }
    const Status& status() const { return m_status; }

    // Removes the regular file (or symlink) at `relative`. Returns whether something was
    // removed (false when it is already gone); PermissionDenied when `relative` is not a plain
    // path inside the root or passes through a symlink; IOError for other failures. With
    // `pruneEmptyParents`, the folders on the way that became empty are removed too (never
    // the root), as diskcache does for its value files.
    Result<bool> removeFile(std::string_view relative, bool pruneEmptyParents = false);

    // Whether the file or folder at `relative` (not followed when a symlink) still has
    // `fingerprint` (fileFingerprint): checked through the same descriptors, just before a
    // removal, so a plan deletes only what its preview showed. NotFound when it is gone;
    // PermissionDenied as for removeFile.
    Result<bool> unchanged(std::string_view relative, std::string_view fingerprint);

    // Removes the file or the folder tree at `relative` (a symlink is removed, never
    // followed). Returns how many files and folders went; nested deeper than kMaxDepth is
    // refused with the part already removed gone.
    Result<std::uint64_t> removeTree(std::string_view relative);

    static constexpr int kMaxDepth = 128;

  private:
    // The folders leading to a relative path's last component, opened one by one.
    struct Path {
        std::vector<std::string> parts;
        std::deque<Fd> owned;  // the descriptors opened for it
        std::vector<int> fds;  // fds[i] is the folder holding parts[i] (fds[0]: the root)
    };
    // Fills `path`; NotFound when a folder on the way is gone, PermissionDenied when the path
    // is not plain or a step is a symlink.
    Status reach(std::string_view relative, Path& path) const;

    int m_rootFd = -1;
    Status m_status;
    std::filesystem::path m_root;
};

}  // namespace twat_cache::detail
