// Small POSIX file helpers of the files engine.
#include "files/files_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

namespace twat_cache::detail {
namespace {

bool isLowerHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool allHex(std::string_view s) {
    for (char c : s) {
        if (!isLowerHex(c)) return false;
    }
    return true;
}

}  // namespace

std::string tempPathFor(std::string_view folder, std::string_view name) {
    static std::atomic<std::uint64_t> sequence{0};
    std::string temp;
    temp.reserve(folder.size() + name.size() + 32);
    temp.append(folder).append("/.").append(name).append(".");
    temp.append(std::to_string(::getpid())).append("-");
    temp.append(std::to_string(sequence.fetch_add(1, std::memory_order_relaxed)));
    temp.append(kTempSuffix);
    return temp;
}

Status writeFileAtomic(const std::string& path, const std::string& temp, std::string_view bytes,
                       mode_t mode, std::int64_t mtimeMs) {
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0) return statusFromErrno(errno, "cannot create", temp);
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int err = n < 0 ? errno : ENOSPC;
            ::close(fd);
            ::unlink(temp.c_str());
            return statusFromErrno(err, "cannot write", temp);
        }
        done += static_cast<std::size_t>(n);
    }
    if (mtimeMs >= 0) {
        timespec times[2];
        times[0].tv_sec = 0;
        times[0].tv_nsec = UTIME_NOW;
        times[1].tv_sec = static_cast<time_t>(mtimeMs / 1000);
        times[1].tv_nsec = static_cast<long>((mtimeMs % 1000) * 1'000'000);
        ::futimens(fd, times);  // best effort: a wrong stamp only blurs eviction order
    }
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        return statusFromErrno(err, "cannot close", temp);
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        return statusFromErrno(err, "cannot rename to", path);
    }
    return {};
}

Status makeFolder(const std::string& path, mode_t mode) {
    if (::mkdir(path.c_str(), mode) == 0) return {};
    const int err = errno;
    struct stat st {};
    if (err == EEXIST && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return {};
    return statusFromErrno(err, "cannot create folder", path);
}

int openFolderAt(int parentFd, const char* name) {
    return ::openat(parentFd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

std::vector<std::string> listFolder(int dirFd, bool folders, bool (*accept)(std::string_view)) {
    std::vector<std::string> names;
    const int fd = ::dup(dirFd);  // fdopendir takes ownership of its descriptor
    if (fd < 0) return names;
    DIR* dir = ::fdopendir(fd);
    if (dir == nullptr) {
        ::close(fd);
        return names;
    }
    ::rewinddir(dir);  // the duplicate shares the read position with dirFd
    while (const dirent* e = ::readdir(dir)) {
        const std::string_view name(e->d_name);
        if (!accept(name)) continue;
        unsigned char type = e->d_type;
        if (type == DT_UNKNOWN) {
            struct stat st {};
            if (::fstatat(dirFd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
            type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
        }
        if (type == (folders ? DT_DIR : DT_REG)) names.emplace_back(name);
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    return names;
}

bool isFanoutName(std::string_view name) {
    return name.size() == 2 && allHex(name);
}

bool isEntryName(std::string_view name) {
    return name.size() == 32 + kEntrySuffix.size() && allHex(name.substr(0, 32)) &&
           name.substr(32) == kEntrySuffix;
}

bool isTempName(std::string_view name) {
    // ".<32 hex>.twc.<pid>-<seq>.tmp", as writeFileAtomic names them for an entry.
    constexpr std::size_t kPrefix = 1 + 32 + 4;
    if (name.size() <= kPrefix + 1 + kTempSuffix.size() || name[0] != '.') return false;
    if (!allHex(name.substr(1, 32)) || name.substr(33, 4) != kEntrySuffix) return false;
    if (name.substr(name.size() - kTempSuffix.size()) != kTempSuffix) return false;
    for (char c : name.substr(kPrefix + 1, name.size() - kPrefix - 1 - kTempSuffix.size())) {
        if (!((c >= '0' && c <= '9') || c == '-')) return false;
    }
    return name[kPrefix] == '.';
}

bool readFully(int fd, std::string& out, std::size_t size) {
    out.resize(size);
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::pread(fd, out.data() + done, size - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

Result<EnvelopeHeader> readEntryHeader(int fd, std::size_t fileSize, std::string& buf) {
    std::size_t want = std::min<std::size_t>(fileSize, 512);
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!readFully(fd, buf, want)) return Status::corruption("entry file is unreadable");
        std::size_t needed = 0;
        auto header = parseEnvelopeHeader(buf, &needed);
        if (header.ok() || needed == 0 || needed > fileSize || needed <= want) return header;
        want = needed;
    }
    return Status::corruption("entry header is truncated");
}

bool forEachEntryFile(int entriesFd, const EntryFileVisit& entry, const EntryWalk& walk) {
    const std::string_view after = walk.after;
    const std::string_view c1 = after.substr(0, std::min<std::size_t>(2, after.size()));
    const std::string_view c2 = after.size() >= 4 ? after.substr(2, 2) : "";
    for (const std::string& l1 : listFolder(entriesFd, true, isFanoutName)) {
        if (l1 < c1) continue;
        Fd d1(openFolderAt(entriesFd, l1.c_str()));
        if (!d1.ok()) continue;
        for (const std::string& l2 : listFolder(d1.get(), true, isFanoutName)) {
            if (l1 == c1 && l2 < c2) continue;
            Fd d2(openFolderAt(d1.get(), l2.c_str()));
            if (!d2.ok()) continue;
            const std::string fanout = l1 + "/" + l2;
            for (const std::string& f : listFolder(d2.get(), false, isEntryName)) {
                if (!after.empty() && std::string_view(f).substr(0, 32) <= after) continue;
                if (!entry(d2.get(), fanout, f)) return false;
            }
            if (walk.temp) {
                for (const std::string& f : listFolder(d2.get(), false, isTempName)) {
                    if (!walk.temp(d2.get(), fanout, f)) return false;
                }
            }
            if (walk.prune) ::unlinkat(d1.get(), l2.c_str(), AT_REMOVEDIR);  // fails if not empty
        }
        if (walk.prune) ::unlinkat(entriesFd, l1.c_str(), AT_REMOVEDIR);
    }
    return true;
}

}  // namespace twat_cache::detail
