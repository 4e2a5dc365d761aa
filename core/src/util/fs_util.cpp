// File-system helpers: POSIX calls wrapped into Status values (see fs_util.h).
#include "util/fs_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

Result<std::string> readFile(const fs::path& path, std::uint64_t limit) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return statusFromErrno(errno, "cannot open", path);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        return statusFromErrno(err, "cannot stat", path);
    }
    if (static_cast<std::uint64_t>(st.st_size) > limit) {
        ::close(fd);
        return Status::corruption("file too large: " + path.string());
    }
    std::string out(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t n = ::read(fd, out.data() + done, out.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            return statusFromErrno(err, "cannot read", path);
        }
        if (n == 0) break;  // shrank while reading
        done += static_cast<std::size_t>(n);
    }
    ::close(fd);
    out.resize(done);
    return out;
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
