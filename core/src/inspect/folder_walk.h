// FolderWalker: a deterministic, resumable walk of a folder tree, so that sources over plain
// folders (joblib stores, generic folders) can list a page without reading the whole tree.
//
// Order: depth first, the names of each folder sorted by bytes (strcmp), a folder's contents
// visited where its name sorts. So entries come in the order of their relative paths compared
// component by component ("a/z" before "a-b", since "a" < "a-b"). A walk resumes after a
// relative path: it descends to that path's folder, listing and sorting each folder on the way
// and skipping the names up to the path's component, so a page costs the listings of the
// folders on one path plus the entries it returns, whatever the size of the tree. The memory
// of a walk is the sorted listings of the folders on the current path (one name list each).
//
// Safety: folders are opened relative to their parent with O_NOFOLLOW, and only real folders
// are descended into, so a symlink (even one named in a cursor) is never followed out of the
// root; the root itself may be a symlink.
//
// Large folders: reading and sorting a folder of a million names takes about a second, which
// every page inside it would pay. The walker therefore keeps the sorted listing of the most
// recently read folder with at least kCacheMinNames names (one folder only, and only while its
// names take at most kCacheMaxBytes), keyed by its relative path, device, inode and
// modification time. A folder that changes gets a new mtime and is read again; a change made
// within the file system's timestamp granularity of the read may go unnoticed until the next
// change. Names that vanished are skipped when visited (each visited name is lstat'ed), so
// entries deleted between pages never show; entries added between pages appear when they
// sort after the cursor and the folder was read again, and may be missed otherwise.
//
// Cursors: cursorOf() makes an opaque "w1:<relative path>" string (the path escaped like an
// entry id, entry_key.h, so that it survives JSON byte-exact); positionOf() checks one
// (version, no empty, ".", ".." or absolute components) and gives InvalidArgument otherwise.
//
// Thread safety: none; a walker belongs to one Source (one thread at a time).
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "twat_cache/status.h"

namespace twat_cache::detail {

class FolderWalker {
  public:
    // What a name found in a folder is to the walk.
    enum class Kind { kSkip, kEntry, kDescend };

    // Decides what the name `name` in the folder `dirFd` (at `depth`, 0 for the root) is;
    // `st` is its lstat. Only real folders (S_ISDIR) may be descended into; kDescend for
    // anything else is treated as kSkip.
    using Classify = std::function<Kind(int dirFd, std::string_view name, const struct stat& st,
                                        std::size_t depth)>;
    // Called for each entry in walk order with its relative path (generic, '/'-separated) and
    // lstat. Setting `stop` ends the walk after this call; a non-OK status ends it too and is
    // returned.
    using Visit =
        std::function<Status(const std::string& relative, const struct stat& st, bool& stop)>;

    // Folders with fewer names are not cached (they are cheap to read again).
    static constexpr std::size_t kCacheMinNames = 1024;
    // The cached listing holds at most this many bytes (names + 9 bytes each).
    static constexpr std::size_t kCacheMaxBytes = std::size_t{256} << 20;

    explicit FolderWalker(std::filesystem::path root);

    // Walks the entries that come after `after` ("" walks from the start). IoError when the
    // root cannot be read, or a folder in it cannot be read for another reason than vanishing.
    Status walk(std::string_view after, const Classify& classify, const Visit& visit);

    static std::string cursorOf(std::string_view relative);
    // The relative path a cursor made by cursorOf() holds; InvalidArgument otherwise.
    static Result<std::string> positionOf(std::string_view cursor);

    // Names in the cached listing (0: none), for tests and benchmarks.
    std::size_t cachedNames() const;

    // One folder's names, sorted: `order` holds the offsets of NUL-terminated names in `text`.
    struct Listing {
        std::string text;
        std::vector<std::size_t> order;
        std::size_t size() const { return order.size(); }
        const char* name(std::size_t i) const { return text.data() + order[i]; }
        std::size_t bytes() const { return text.size() + order.size() * sizeof(std::size_t); }
        // The first position whose name is not less than `name`.
        std::size_t lowerBound(const std::string& name) const;
    };

  private:
    struct CacheKey {
        std::string relative;
        dev_t dev = 0;
        ino_t ino = 0;
        std::int64_t mtimeSec = 0;
        std::int64_t mtimeNsec = 0;
        bool operator==(const CacheKey&) const = default;
    };

    Result<std::shared_ptr<const Listing>> list(int fd, const std::string& relative);

    std::filesystem::path m_root;
    CacheKey m_cacheKey;
    std::shared_ptr<const Listing> m_cached;
};

}  // namespace twat_cache::detail
