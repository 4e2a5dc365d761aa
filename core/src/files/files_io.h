// Small POSIX file helpers of the files engine: descriptor-level atomic writes (with a set
// mtime, no fsync), folder walking, and the entry naming pattern. Errors are reported with
// statusFromErrno (util/fs_util.h).
//
// Thread safety: free functions without shared state; safe from any thread.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "format/envelope.h"
#include "twat_cache/status.h"
#include "util/fs_util.h"  // statusFromErrno

namespace twat_cache::detail {

// Owns a file descriptor and closes it when it goes out of scope.
class Fd {
  public:
    explicit Fd(int fd) : m_fd(fd) {}
    ~Fd() {
        if (m_fd >= 0) ::close(m_fd);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return m_fd; }
    bool ok() const { return m_fd >= 0; }

  private:
    int m_fd;
};

// A file's modification time in Unix milliseconds.
inline std::int64_t mtimeMs(const struct stat& st) {
    return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
}

// The temporary name beside `folder/name` used while writing it: "folder/.name.<pid>-<n>.tmp".
std::string tempPathFor(std::string_view folder, std::string_view name);

// Writes `bytes` to `path` through `tempPath` (in the same folder) and a rename, so that
// readers see the old file or the new one, never a part. `mode` is the new file's mode
// (subject to the umask); `mtimeMs` >= 0 sets its modification time. No fsync: a crash may
// lose the write but never tear it. NotFound when the folder does not exist.
Status writeFileAtomic(const std::string& path, const std::string& tempPath, std::string_view bytes,
                       mode_t mode, std::int64_t mtimeMs = -1);

// Reads `size` bytes from the start of `fd` into `out`; false on a short read or an error.
bool readFully(int fd, std::string& out, std::size_t size);
// Reads only the envelope header of an open entry file of `fileSize` bytes into `buf` (a
// second read when the key text is longer than the first guess). Corruption when the file
// is unreadable or its header damaged.
Result<EnvelopeHeader> readEntryHeader(int fd, std::size_t fileSize, std::string& buf);

// Creates a folder with `mode`; an existing folder is fine.
Status makeFolder(const std::string& path, mode_t mode);

// Whether `name` is two lower-case hex digits (a fan-out folder).
bool isFanoutName(std::string_view name);
// Whether `name` is an entry file: 32 lower-case hex digits then ".twc".
bool isEntryName(std::string_view name);
// Whether `name` is one of our temporary files: "." + 32 hex + "." ... ".tmp".
bool isTempName(std::string_view name);

// Opens the folder `name` inside `parentFd` (or the path `name` when parentFd is AT_FDCWD)
// without following a symlink at its last component. Returns -1 (errno set) on failure.
int openFolderAt(int parentFd, const char* name);

// The sorted names in the folder `dirFd` that pass `accept`: sub-folders when `folders`, else
// regular files. Symlinks and other kinds are never listed. `dirFd` stays open and owned by
// the caller.
std::vector<std::string> listFolder(int dirFd, bool folders, bool (*accept)(std::string_view));

// A visitor of forEachEntryFile: the open fan-out folder, its path below entries/ ("ab/cd")
// and the name of a file in it. Returns false to stop the walk.
using EntryFileVisit =
    std::function<bool(int folderFd, std::string_view fanout, const std::string& name)>;

// Options of forEachEntryFile.
struct EntryWalk {
    // Only entry files whose 32-hex id sorts after this ("": all); fan-out folders before it
    // are not opened.
    std::string_view after;
    // When set, also called for our temporary files (isTempName) of each fan-out folder,
    // after its entry files.
    EntryFileVisit temp;
    // Removes each fan-out folder that its visit left empty (clear()).
    bool prune = false;
};

// The one walk over a files cache's entries/ab/cd/<32 hex>.twc layout: calls `entry` for each
// entry file below the open entries folder `entriesFd`, in id order (names sort like keys).
// Only fan-out folders and entry names are visited, through folder descriptors that never
// follow a symlink, so nothing outside the cache folder is reached. Returns false when a
// visit stopped the walk.
bool forEachEntryFile(int entriesFd, const EntryFileVisit& entry, const EntryWalk& walk = {});

inline constexpr std::string_view kEntrySuffix = ".twc";
inline constexpr std::string_view kTempSuffix = ".tmp";

}  // namespace twat_cache::detail
