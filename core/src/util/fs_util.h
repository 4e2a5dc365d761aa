// File-system helpers shared by the persistent engines (sqlite, files) and the manifest.
// (The files engine's descriptor-level helpers, tuned for its hot path, are in
// files/files_io.h and report errors through statusFromErrno too.)
//
// Every function reports failures as a Status naming the path and the operation, with the
// code chosen from errno: EACCES/EPERM/EROFS -> PermissionDenied, ENOENT -> NotFound,
// everything else -> IOError; ENOSPC/EDQUOT/EFBIG add "(no space left)" to the message. No
// function throws.
//
// Thread safety: all functions are stateless and may run on any thread. Concurrent writers
// of one path are safe with writeFileAtomic (each uses its own temporary file; the last
// rename wins).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "twat_cache/status.h"

namespace twat_cache::detail {

// A Status for a failed system call: "<what> <path>: <strerror(err)>" with the code derived
// from `err` as described above.
Status statusFromErrno(int err, std::string_view what, const std::filesystem::path& path);
Status statusFromErrno(int err, std::string_view what, std::string_view path);
inline Status statusFromErrno(int err, std::string_view what, const std::string& path) {
    return statusFromErrno(err, what, std::string_view(path));
}

// Creates `dir` and its missing parents. With `secure`, the folders this call creates get
// mode 0700; otherwise the umask applies.
Status createDirectories(const std::filesystem::path& dir, bool secure);

// Writes `data` to `path` atomically: a unique temporary file beside it, fsync'd when
// `sync`, then renamed over `path`. Readers see the old or the new content, never a
// mixture. With `secure` the file has mode 0600, else 0644 minus the umask.
Status writeFileAtomic(const std::filesystem::path& path, std::string_view data, bool secure,
                       bool sync = false);

// Reads a whole file. NotFound when it does not exist; reads at most `limit` bytes and
// fails with Corruption when the file is larger. Anything but a regular file (a FIFO, a
// device, a socket) is refused without blocking: InvalidArgument naming what it is.
Result<std::string> readFile(const std::filesystem::path& path,
                             std::uint64_t limit = std::uint64_t{1} << 32);

// The first bytes of a file that a cache names (untrusted): at most `max` of them, plus its
// size and whether it holds more. The last component is not followed when it is a symlink
// (PermissionDenied), and a FIFO, device or socket is refused without blocking
// (InvalidArgument); NotFound when it does not exist.
struct FileHead {
    std::string bytes;
    std::uint64_t size = 0;  // the file's size when it was opened
    bool truncated = false;  // it held more than `max` bytes
};
Result<FileHead> readFileHead(const std::filesystem::path& path, std::uint64_t max);
// The same for the last `max` bytes (`truncated`: the file holds more before them).
Result<FileHead> readFileTail(const std::filesystem::path& path, std::uint64_t max);

// Removes a file; a file that is already gone is not an error.
Status removeFile(const std::filesystem::path& path);

// Whether the process can write into `dir` (access(W_OK|X_OK)).
bool isWritableDir(const std::filesystem::path& dir);

}  // namespace twat_cache::detail
