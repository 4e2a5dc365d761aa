// File-system helpers: POSIX calls wrapped into Status values (see fs_util.h).
#include "util/fs_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace twat_cache::detail {

namespace fs = std::filesystem;

Status statusFromErrno(int err, std::string_view what, std::string_view path) {
    std::string message;
    message.reserve(what.size() + path.size() + 56);
    message.append(what).append(" ").append(path).append(": ").append(std::strerror(err));
    switch (err) {
        case EACCES:
        case EPERM:
        case EROFS:
            return Status::permissionDenied(std::move(message));
        case ENOENT:
            return Status::notFound(std::move(message));
        case ENOSPC:
        case EDQUOT:
        case EFBIG:
            return Status::ioError(std::move(message) + " (no space left)");
        default:
            return Status::ioError(std::move(message));
    }
}

Status statusFromErrno(int err, std::string_view what, const fs::path& path) {
    return statusFromErrno(err, what, std::string_view(path.native()));
}

Status createDirectories(const fs::path& dir, bool secure) {
    std::error_code ec;
    if (fs::is_directory(dir, ec)) return {};
    if (dir.has_parent_path() && dir.parent_path() != dir) {
        Status parent = createDirectories(dir.parent_path(), secure);
        if (!parent.ok()) return parent;
    }
    const mode_t mode = secure ? 0700 : 0777;
    if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) {
        return statusFromErrno(errno, "cannot create folder", dir);
    }
    if (!fs::is_directory(dir, ec)) {
        return Status::ioError("not a folder: " + dir.string());
    }
    return {};
}

namespace {

std::string tempNameFor(const fs::path& path) {
    static std::atomic<std::uint64_t> counter{0};
    return path.string() + ".tmp." + std::to_string(::getpid()) + "." +
           std::to_string(counter.fetch_add(1, std::memory_order_relaxed));
}

}  // namespace

Status writeFileAtomic(const fs::path& path, std::string_view data, bool secure, bool sync) {
    const fs::path temp = tempNameFor(path);
    const int fd =
        ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, secure ? 0600 : 0644);
    if (fd < 0) return statusFromErrno(errno, "cannot create", temp);
    const char* p = data.data();
    std::size_t left = data.size();
    Status status;
    while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            status = statusFromErrno(errno, "cannot write", temp);
            break;
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    if (status.ok() && sync && ::fsync(fd) != 0) {
        status = statusFromErrno(errno, "cannot sync", temp);
    }
    if (::close(fd) != 0 && status.ok()) status = statusFromErrno(errno, "cannot close", temp);
    if (status.ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
        status = statusFromErrno(errno, "cannot rename onto", path);
    }
    if (!status.ok()) ::unlink(temp.c_str());
    return status;
}

namespace {

std::string_view fileKindName(mode_t mode) {
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISDIR(mode)) return "a folder";
    return "not a regular file";
}

// Opens `path` for reading without blocking (a FIFO opens at once) and checks that it is a
// regular file. Returns the descriptor; `st` receives its status.
Result<int> openRegularFile(const fs::path& path, bool followLink, struct stat& st) {
    const int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (followLink ? 0 : O_NOFOLLOW);
    const int fd = ::open(path.c_str(), flags);
    if (fd < 0) {
        if (errno == ELOOP && !followLink) {
            return Status::permissionDenied(path.string() + " is a symlink: not followed");
        }
        return statusFromErrno(errno, "cannot open", path);
    }
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        return statusFromErrno(err, "cannot stat", path);
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        return Status::invalidArgument(path.string() + " is " +
                                       std::string(fileKindName(st.st_mode)) +
                                       ", not a regular file: not read");
    }
    return fd;
}

// Reads up to `count` bytes from `fd` into `out` (resized to what was read).
Status readUpTo(int fd, std::size_t count, std::string& out, const fs::path& path) {
    out.assign(count, '\0');
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t n = ::read(fd, out.data() + done, out.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return statusFromErrno(errno, "cannot read", path);
        }
        if (n == 0) break;  // shorter than announced, or shrank while reading
        done += static_cast<std::size_t>(n);
    }
    out.resize(done);
    return {};
}

}  // namespace

Result<std::string> readFile(const fs::path& path, std::uint64_t limit) {
    struct stat st {};
    auto fd = openRegularFile(path, true, st);
    if (!fd.ok()) return fd.status();
    if (static_cast<std::uint64_t>(st.st_size) > limit) {
        ::close(*fd);
        return Status::corruption("file too large: " + path.string());
    }
    std::string out;
    Status s = readUpTo(*fd, static_cast<std::size_t>(st.st_size), out, path);
    ::close(*fd);
    if (!s.ok()) return s;
    return out;
}

Result<FileHead> readFileHead(const fs::path& path, std::uint64_t max) {
    struct stat st {};
    auto fd = openRegularFile(path, false, st);
    if (!fd.ok()) return fd.status();
    FileHead head;
    head.size = static_cast<std::uint64_t>(st.st_size);
    // One byte more than asked tells a file of exactly `max` bytes from a longer one.
    const std::uint64_t want = std::min<std::uint64_t>(max + 1, head.size + 1);
    Status s = readUpTo(*fd, static_cast<std::size_t>(want), head.bytes, path);
    ::close(*fd);
    if (!s.ok()) return s;
    head.truncated = head.bytes.size() > max;
    if (head.truncated) head.bytes.resize(static_cast<std::size_t>(max));
    return head;
}

Result<FileHead> readFileTail(const fs::path& path, std::uint64_t max) {
    struct stat st {};
    auto fd = openRegularFile(path, false, st);
    if (!fd.ok()) return fd.status();
    FileHead tail;
    tail.size = static_cast<std::uint64_t>(st.st_size);
    tail.truncated = tail.size > max;
    if (tail.truncated && ::lseek(*fd, static_cast<off_t>(tail.size - max), SEEK_SET) < 0) {
        const int err = errno;
        ::close(*fd);
        return statusFromErrno(err, "cannot seek in", path);
    }
    Status s = readUpTo(*fd, static_cast<std::size_t>(std::min(max, tail.size)), tail.bytes, path);
    ::close(*fd);
    if (!s.ok()) return s;
    return tail;
}

Status removeFile(const fs::path& path) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
        return statusFromErrno(errno, "cannot remove", path);
    }
    return {};
}

bool isWritableDir(const fs::path& dir) {
    return ::access(dir.c_str(), W_OK | X_OK) == 0;
}

}  // namespace twat_cache::detail
