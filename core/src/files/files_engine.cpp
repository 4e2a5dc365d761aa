// FilesEngine (see files_engine.h).
#include "files/files_engine.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <system_error>

#include "files/files_io.h"
#include "format/envelope.h"
#include "format/manifest.h"
#include "util/engine_factories.h"
#include "util/expiry.h"
#include "util/log_internal.h"

namespace twat_cache::detail {
namespace {

constexpr std::string_view kEngineName = "files";
constexpr std::string_view kEntriesName = "entries";
// Reads above this size use a fresh buffer so that one huge value is not kept per thread.
constexpr std::size_t kKeepBufferBytes = 1 << 20;
// Temporary files older than this are leftovers of a crashed writer; a walk removes them.
constexpr std::int64_t kStaleTempMs = 3'600'000;

}  // namespace

FilesEngine::FilesEngine(const ResolvedConfig& config, mode_t dirMode, mode_t fileMode)
    : m_config(config),
      m_entries(config.folder.string() + "/" + std::string(kEntriesName)),
      m_dirMode(dirMode),
      m_fileMode(fileMode),
      m_systemClock(config.clock == Clock::system()),
      m_counters(config.folder.string(), fileMode) {}

FilesEngine::~FilesEngine() = default;

Result<std::unique_ptr<Engine>> FilesEngine::open(const ResolvedConfig& config) {
    if (config.folder.empty()) {
        return Status::invalidArgument("the files engine needs a cache folder (set a cache name)");
    }
    const mode_t dirMode = config.secure ? 0700 : 0777;
    const mode_t fileMode = config.secure ? 0600 : 0666;
    const std::string folder = config.folder.string();

    // The shared folder rule (format/manifest.h): create or adopt an empty folder, accept our
    // own manifest, refuse anything else without writing into it.
    auto manifest = openCacheFolder(config, kEngineName);
    if (!manifest.ok()) return manifest.status().withContext("cannot open files cache " + folder);
    // An existing cache may need no manifest write at all: check writability up front so
    // that a read-only folder is one clear error, not a failure on every store.
    if (::access(folder.c_str(), W_OK) != 0) {
        return statusFromErrno(errno, "cannot write into cache folder", folder);
    }
    if (config.secure) ::chmod(folder.c_str(), dirMode);
    if (Status s = makeFolder(folder + "/" + std::string(kEntriesName), dirMode); !s.ok()) {
        return s;
    }

    ResolvedConfig resolved = config;
    if (resolved.policy != Policy::kLru && resolved.policy != Policy::kNone) {
        logger().warn("files cache \"{}\": policy {} is not supported, using lru", config.name,
                      policyName(resolved.policy));
        resolved.policy = Policy::kLru;
    }
    return std::unique_ptr<Engine>(new FilesEngine(resolved, dirMode, fileMode));
}

Capabilities FilesEngine::capabilities() const {
    Capabilities c;
    c.persistent = true;
    c.cross_process = true;
    c.ttl = true;
    c.compression = true;
    c.policies = {Policy::kLru, Policy::kNone};
    return c;
}

std::string FilesEngine::leafFolder(const std::string& hex) const {
    std::string path;
    path.reserve(m_entries.size() + 8);
    path.append(m_entries).append("/").append(hex, 0, 2).append("/").append(hex, 2, 2);
    return path;
}

std::string FilesEngine::entryPath(const std::string& hex) const {
    std::string path;
    path.reserve(m_entries.size() + 48);
    path.append(m_entries).append("/").append(hex, 0, 2).append("/").append(hex, 2, 2);
    path.append("/").append(hex).append(kEntrySuffix);
    return path;
}

void FilesEngine::dropEntry(const Key& key, const std::string& path) {
    ::unlink(path.c_str());
    std::lock_guard lock(m_mutex);
    m_index.remove(key);
}

Result<StoredValue> FilesEngine::get(const Key& key) {
    const std::string hex = key.toHex();
    const std::string path = entryPath(hex);
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd.ok()) {
        const int err = errno;
        m_counters.addMiss();
        if (err == ENOENT || err == ENOTDIR) return Status::notFound("no entry " + hex);
        m_counters.addError();
        // ELOOP: a symlink where an entry belongs is never followed (nor deleted).
        return statusFromErrno(err, "cannot open entry", path);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        m_counters.addMiss();
        m_counters.addError();
        return Status::ioError("entry " + path + " is not a readable regular file");
    }
    const auto size = static_cast<std::size_t>(st.st_size);
    thread_local std::string shared;
    std::string large;
    std::string& buf = size <= kKeepBufferBytes ? shared : large;
    StoredValue value;
    Result<EnvelopeHeader> header = Status::corruption("entry file is shorter than its size");
    if (readFully(fd.get(), buf, size)) header = decodeEnvelope(buf, value.payload);
    if (!header.ok()) {
        m_counters.addMiss();
        m_counters.addError();
        logger().warn("files cache \"{}\": removing damaged entry {}: {}", m_config.name, path,
                      header.status().message());
        dropEntry(key, path);
        return header.status().withContext("damaged entry " + path + " (removed)");
    }
    const std::int64_t now = m_config.clock->nowMs();
    if (header->expires_ms != 0 && header->expires_ms <= now) {
        m_counters.addMiss();
        m_counters.addExpiration();
        dropEntry(key, path);
        return Status::notFound("entry " + hex + " expired");
    }
    if (now - mtimeMs(st) >= kTouchIntervalMs) {
        timespec times[2];
        times[0].tv_sec = 0;
        times[0].tv_nsec = UTIME_NOW;
        times[1].tv_sec = static_cast<time_t>(now / 1000);
        times[1].tv_nsec = static_cast<long>((now % 1000) * 1'000'000);
        ::futimens(fd.get(), times);  // best effort: only eviction order depends on it
    }
    value.type_tag = header->type_tag;
    value.created_ms = header->created_ms;
    value.expires_ms = header->expires_ms;
    value.compute_ns = header->compute_ns;
    m_counters.addHit(header->compute_ns.value_or(0));
    if (hasLimits()) {
        std::lock_guard lock(m_mutex);
        if (m_indexBuilt) m_index.touch(key, now);
    }
    return value;
}

Status FilesEngine::writeEntry(const std::string& hex, std::string_view bytes, std::int64_t nowMs) {
    const std::string leaf = leafFolder(hex);
    const std::string path = entryPath(hex);
    const std::string name = hex + std::string(kEntrySuffix);
    // With the system clock the file's own mtime already is the store time: skip a syscall.
    if (m_systemClock) nowMs = -1;
    Status s = writeFileAtomic(path, tempPathFor(leaf, name), bytes, m_fileMode, nowMs);
    if (s.isNotFound()) {
        // The fan-out folders appear on first use.
        if (s = makeFolder(leaf.substr(0, leaf.size() - 3), m_dirMode); !s.ok()) return s;
        if (s = makeFolder(leaf, m_dirMode); !s.ok()) return s;
        s = writeFileAtomic(path, tempPathFor(leaf, name), bytes, m_fileMode, nowMs);
    }
    return s;
}

Status FilesEngine::set(const Key& key, const Record& record) {
    const std::int64_t now = m_config.clock->nowMs();
    const std::int64_t expires = expiryMs(record.ttl, m_config.ttl, now);
    thread_local std::string buf;
    buf.clear();
    const EnvelopeFields fields{record.key_text, record.type_tag, now, expires, record.compute_ns};
    if (Status s = encodeEnvelope(buf, fields, record.payload, m_config.compress); !s.ok()) {
        m_counters.addError();
        return s;
    }
    const std::uint64_t bytes = buf.size();
    if (hasLimits() && m_config.policy == Policy::kNone) {
        std::lock_guard lock(m_mutex);
        ensureIndexLocked();
        const bool replaces = m_index.contains(key);
        if ((m_config.maxsize != 0 && !replaces && m_index.count() + 1 > m_config.maxsize) ||
            (m_config.max_bytes != 0 && m_index.bytes() + bytes > m_config.max_bytes)) {
            m_counters.addError();  // a refused store is a failed set (stats.h)
            return Status::busy("files cache \"" + m_config.name +
                                "\" is full and its policy is none");
        }
    }
    const std::string hex = key.toHex();
    if (Status s = writeEntry(hex, buf, now); !s.ok()) {
        m_counters.addError();
        return s.withContext("files cache \"" + m_config.name + "\"");
    }
    if (buf.capacity() > kKeepBufferBytes) std::string().swap(buf);
    if (record.compute_ns) m_counters.addCompute(*record.compute_ns);
    std::lock_guard lock(m_mutex);
    if (hasLimits()) ensureIndexLocked();
    if (m_indexBuilt) {
        m_index.upsert(key, bytes, now);
        evictLocked();
    }
    return {};
}

void FilesEngine::evictLocked() {
    while ((m_config.maxsize != 0 && m_index.count() > m_config.maxsize) ||
           (m_config.max_bytes != 0 && m_index.bytes() > m_config.max_bytes)) {
        const std::optional<Key> victim = m_index.oldest();
        if (!victim) break;
        const std::string path = entryPath(victim->toHex());
        if (::unlink(path.c_str()) == 0) m_counters.addEviction();
        m_index.remove(*victim);
    }
}

Result<bool> FilesEngine::erase(const Key& key) {
    const std::string path = entryPath(key.toHex());
    bool removed = true;
    if (::unlink(path.c_str()) != 0) {
        if (errno != ENOENT && errno != ENOTDIR) {
            m_counters.addError();
            return statusFromErrno(errno, "cannot remove entry", path);
        }
        removed = false;
    }
    std::lock_guard lock(m_mutex);
    m_index.remove(key);
    return removed;
}

Result<bool> FilesEngine::contains(const Key& key) {
    const std::string path = entryPath(key.toHex());
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd.ok()) {
        // A symlink (ELOOP) where an entry belongs is not an entry.
        if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) return false;
        return statusFromErrno(errno, "cannot open entry", path);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
    std::string buf;
    auto header = readEntryHeader(fd.get(), static_cast<std::size_t>(st.st_size), buf);
    if (!header.ok() || header->envelope_size != static_cast<std::uint64_t>(st.st_size)) {
        return false;
    }
    return header->expires_ms == 0 || header->expires_ms > m_config.clock->nowMs();
}

Status FilesEngine::clear() {
    Fd entries(openFolderAt(AT_FDCWD, m_entries.c_str()));
    if (!entries.ok()) {
        if (errno == ENOENT) return {};
        return statusFromErrno(errno, "cannot open", m_entries);
    }
    Status result;
    auto removeFile = [&](int dirFd, const std::string& name, const std::string& where) {
        if (::unlinkat(dirFd, name.c_str(), 0) != 0 && errno != ENOENT && result.ok()) {
            result = statusFromErrno(errno, "cannot remove", where + "/" + name);
        }
    };
    // Only our fan-out folders and our file names (forEachEntryFile never follows a symlink).
    const EntryFileVisit remove = [&](int dirFd, std::string_view fanout, const std::string& name) {
        removeFile(dirFd, name, m_entries + "/" + std::string(fanout));
        return true;
    };
    EntryWalk walk;
    walk.temp = remove;
    walk.prune = true;
    forEachEntryFile(entries.get(), remove, walk);
    std::lock_guard lock(m_mutex);
    m_index.clear();
    m_indexBuilt = false;  // rebuilt on demand, so concurrent writers are counted again
    return result;
}

void FilesEngine::ensureIndexLocked() {
    if (m_indexBuilt && steadyNowMs() - m_indexBuiltAtMs < kRescanIntervalMs) return;
    // A rescan keeps what this process knows of recency: a hit here may be newer than the
    // file's mtime, which hits refresh only every kTouchIntervalMs.
    EntryIndex previous = std::move(m_index);
    m_index = EntryIndex();
    const auto nowReal = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
    Fd entries(openFolderAt(AT_FDCWD, m_entries.c_str()));
    if (entries.ok()) {
        EntryWalk walk;
        walk.temp = [&](int dirFd, std::string_view, const std::string& f) {
            struct stat st {};
            if (::fstatat(dirFd, f.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                nowReal - mtimeMs(st) > kStaleTempMs) {
                ::unlinkat(dirFd, f.c_str(), 0);
            }
            return true;
        };
        forEachEntryFile(
            entries.get(),
            [&](int dirFd, std::string_view, const std::string& f) {
                struct stat st {};
                if (::fstatat(dirFd, f.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return true;
                auto key = Key::fromHex(std::string_view(f).substr(0, 32));
                if (key.ok()) {
                    const std::int64_t access =
                        std::max(mtimeMs(st), previous.accessOf(*key).value_or(0));
                    m_index.upsert(*key, static_cast<std::uint64_t>(st.st_size), access);
                }
                return true;
            },
            walk);
    }
    m_indexBuilt = true;
    m_indexBuiltAtMs = steadyNowMs();
}

Result<std::uint64_t> FilesEngine::size() {
    std::lock_guard lock(m_mutex);
    ensureIndexLocked();
    return m_index.count();
}

Stats FilesEngine::stats() {
    Stats s = m_counters.read();
    std::lock_guard lock(m_mutex);
    ensureIndexLocked();
    s.entries = m_index.count();
    s.bytes = m_index.bytes();
    return s;
}

Status FilesEngine::flush() {
    return m_counters.flush();
}

Result<ScanPage> FilesEngine::scan(std::string_view cursor, std::size_t limit) {
    if (!cursor.empty() && !Key::fromHex(cursor).ok()) {
        return Status::invalidArgument("bad scan cursor \"" + std::string(cursor.substr(0, 64)) +
                                       "\" for files cache " + m_config.folder.string());
    }
    if (limit == 0) return Status::invalidArgument("scan needs a limit above 0");
    ScanPage page;
    Fd entries(openFolderAt(AT_FDCWD, m_entries.c_str()));
    if (!entries.ok()) {
        if (errno == ENOENT) return page;
        return statusFromErrno(errno, "cannot open", m_entries);
    }
    std::string buf;
    EntryWalk walk;
    walk.after = cursor;
    forEachEntryFile(
        entries.get(),
        [&](int dirFd, std::string_view, const std::string& f) {
            const std::string_view hex = std::string_view(f).substr(0, 32);
            Fd fd(::openat(dirFd, f.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
            struct stat st {};
            if (!fd.ok() || ::fstat(fd.get(), &st) != 0) return true;
            auto header = readEntryHeader(fd.get(), static_cast<std::size_t>(st.st_size), buf);
            auto key = Key::fromHex(hex);
            if (!header.ok() || !key.ok()) return true;  // damaged: get() will remove it
            EntryInfo info;
            info.key = *key;
            info.key_text = std::string(header->key_text);
            info.size = header->stored_size;
            info.created_ms = header->created_ms;
            info.accessed_ms = mtimeMs(st);
            info.expires_ms = header->expires_ms;
            info.compute_ns = header->compute_ns;
            page.entries.push_back(std::move(info));
            if (page.entries.size() < limit) return true;
            page.cursor = std::string(hex);
            return false;
        },
        walk);
    return page;
}

Result<std::unique_ptr<Engine>> openFilesEngine(const ResolvedConfig& config) {
    return FilesEngine::open(config);
}

}  // namespace twat_cache::detail
