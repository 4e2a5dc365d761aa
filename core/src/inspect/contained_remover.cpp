#include "inspect/contained_remover.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <string>
#include <vector>

#include "files/files_io.h"  // Fd, openFolderAt
#include "util/fs_util.h"    // statusFromErrno

namespace twat_cache::detail {
namespace {

// Splits "a/b/c" into its components; false for an absolute path or a component that is
// empty, "." or "..".
bool splitPlain(std::string_view relative, std::vector<std::string>& parts) {
    if (relative.empty() || relative.front() == '/') return false;
    std::size_t start = 0;
    while (true) {
        std::size_t slash = relative.find('/', start);
        if (slash == std::string_view::npos) slash = relative.size();
        const std::string_view part = relative.substr(start, slash - start);
        if (part.empty() || part == "." || part == "..") return false;
        parts.emplace_back(part);
        if (slash == relative.size()) return true;
        start = slash + 1;
    }
}

bool isLinkOrNotFolder(int err) {
    return err == ELOOP || err == ENOTDIR;
}

// The names in the folder `dirFd`, without "." and "..".
Result<std::vector<std::string>> namesIn(int dirFd, const std::string& where) {
    const int fd = ::dup(dirFd);  // fdopendir takes ownership of its descriptor
    if (fd < 0) return statusFromErrno(errno, "cannot list", where);
    DIR* dir = ::fdopendir(fd);
    if (dir == nullptr) {
        const int err = errno;
        ::close(fd);
        return statusFromErrno(err, "cannot list", where);
    }
    std::vector<std::string> names;
    while (const dirent* e = ::readdir(dir)) {
        const std::string_view n(e->d_name);
        if (n != "." && n != "..") names.emplace_back(n);
    }
    ::closedir(dir);
    return names;
}

// Empties the folder `dirFd` (named `where` in messages), folders first-depth-first.
Status removeContents(int dirFd, const std::string& where, int depth, std::uint64_t& count) {
    if (depth > ContainedRemover::kMaxDepth) {
        return Status::permissionDenied("folders nested deeper than " +
                                        std::to_string(ContainedRemover::kMaxDepth) + " under " +
                                        where + ": refused");
    }
    auto names = namesIn(dirFd, where);
    if (!names.ok()) return names.status();
    for (const std::string& name : *names) {
        const std::string path = where + "/" + name;
        struct stat st {};
        if (::fstatat(dirFd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno == ENOENT) continue;
            return statusFromErrno(errno, "cannot inspect", path);
        }
        if (S_ISDIR(st.st_mode)) {
            Fd sub(openFolderAt(dirFd, name.c_str()));
            if (sub.ok()) {
                if (Status s = removeContents(sub.get(), path, depth + 1, count); !s.ok()) return s;
                if (::unlinkat(dirFd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
                    return statusFromErrno(errno, "cannot remove", path);
                }
                ++count;
                continue;
            }
            if (!isLinkOrNotFolder(errno)) return statusFromErrno(errno, "cannot open", path);
            // Swapped for a symlink since the fstatat: remove the link, never follow it.
        }
        if (::unlinkat(dirFd, name.c_str(), 0) == 0) {
            ++count;
        } else if (errno != ENOENT) {
            return statusFromErrno(errno, "cannot remove", path);
        }
    }
    return {};
}

}  // namespace

ContainedRemover::ContainedRemover(const std::filesystem::path& root) : m_root(root) {
    m_rootFd = openFolderAt(AT_FDCWD, root.c_str());
    if (m_rootFd < 0) m_status = statusFromErrno(errno, "cannot open the cache folder", root);
}

ContainedRemover::~ContainedRemover() {
    if (m_rootFd >= 0) ::close(m_rootFd);
}

namespace {

// The descriptors of the folders leading to the last component of `parts` (the first is
// the root's, borrowed). PermissionDenied when a step is a symlink or not a folder; NotFound
// when a step is gone.
Status openParents(int rootFd, const std::filesystem::path& root,
                   const std::vector<std::string>& parts, std::deque<Fd>& owned,
                   std::vector<int>& fds) {
    fds.push_back(rootFd);
    std::string where = root.string();
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        where += "/" + parts[i];
        owned.emplace_back(openFolderAt(fds.back(), parts[i].c_str()));
        if (!owned.back().ok()) {
            if (errno == ENOENT) return Status::notFound(where);
            if (isLinkOrNotFolder(errno)) {
                return Status::permissionDenied(where +
                                                " is a symlink or not a folder: not followed");
            }
            return statusFromErrno(errno, "cannot open", where);
        }
        fds.push_back(owned.back().get());
    }
    return {};
}

Status refusedPath(const std::filesystem::path& root, std::string_view relative) {
    return Status::permissionDenied("'" + std::string(relative) + "' is not a plain path inside " +
                                    root.string() + ": refused");
}

}  // namespace

Status ContainedRemover::reach(std::string_view relative, Path& path) const {
    if (!ok()) return m_status;
    if (!splitPlain(relative, path.parts)) return refusedPath(m_root, relative);
    return openParents(m_rootFd, m_root, path.parts, path.owned, path.fds);
}

Result<bool> ContainedRemover::removeFile(std::string_view relative, bool pruneEmptyParents) {
    Path path;
    Status s = reach(relative, path);
    if (s.isNotFound()) return false;
    if (!s.ok()) return s;
    const auto& parts = path.parts;
    const auto& fds = path.fds;
    if (::unlinkat(fds.back(), parts.back().c_str(), 0) != 0) {
        if (errno == ENOENT) return false;
        return statusFromErrno(errno, "cannot remove", (m_root / std::string(relative)).string());
    }
    if (pruneEmptyParents) {
        // fds[i] holds parts[i]; stop at the first folder that is not empty.
        for (std::size_t i = parts.size() - 1; i-- > 0;) {
            if (::unlinkat(fds[i], parts[i].c_str(), AT_REMOVEDIR) != 0) break;
        }
    }
    return true;
}

std::string fileFingerprint(const struct stat& st) {
    return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" +
           std::to_string(static_cast<long long>(st.st_mtim.tv_sec) * 1'000'000'000LL +
                          st.st_mtim.tv_nsec) +
           ":" + std::to_string(st.st_size);
}

Result<bool> ContainedRemover::unchanged(std::string_view relative, std::string_view fingerprint) {
    Path path;
    if (Status s = reach(relative, path); !s.ok()) return s;
    struct stat st {};
    if (::fstatat(path.fds.back(), path.parts.back().c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        return statusFromErrno(errno, "cannot examine", (m_root / std::string(relative)).string());
    }
    return fileFingerprint(st) == fingerprint;
}

Result<std::uint64_t> ContainedRemover::removeTree(std::string_view relative) {
    Path path;
    Status s = reach(relative, path);
    if (s.isNotFound()) return std::uint64_t{0};
    if (!s.ok()) return s;
    const int parent = path.fds.back();
    const char* name = path.parts.back().c_str();
    const std::string where = (m_root / std::string(relative)).string();
    std::uint64_t count = 0;
    Fd folder(openFolderAt(parent, name));
    if (folder.ok()) {
        if (Status r = removeContents(folder.get(), where, 1, count); !r.ok()) return r;
        if (::unlinkat(parent, name, AT_REMOVEDIR) != 0 && errno != ENOENT) {
            return statusFromErrno(errno, "cannot remove", where);
        }
        return count + 1;
    }
    if (errno == ENOENT) return count;
    if (!isLinkOrNotFolder(errno)) return statusFromErrno(errno, "cannot open", where);
    if (::unlinkat(parent, name, 0) != 0) {
        if (errno == ENOENT) return count;
        return statusFromErrno(errno, "cannot remove", where);
    }
    return count + 1;
}

}  // namespace twat_cache::detail
