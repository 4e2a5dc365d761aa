// Discovery: tells what kind of cache a folder is, lists the caches under a root, and opens
// sources.
#include <algorithm>
#include <string>

#include "format/manifest.h"
#include "inspect/diskcache_source.h"
#include "inspect/listed_source.h"
#include "inspect/native_sources.h"
#include "inspect/redis_source.h"
#include "twat_cache/inspect.h"
#include "twat_cache/redis_engine.h"
#include "util/fs_util.h"

namespace twat_cache {
namespace fs = std::filesystem;

namespace {

std::size_t countShards(const fs::path& dir) {
    std::size_t n = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        if (name.size() == 3 && std::all_of(name.begin(), name.end(), ::isdigit) &&
            fs::is_regular_file(e.path() / "cache.db", ec)) {
            ++n;
        }
    }
    return n;
}

// Fills entries and bytes from a quick read-only look; leaves them empty on failure and says
// why in the note.
void addCounts(SourceInfo& info) {
    if (info.kind == SourceKind::kNativeSqlite) {
        detail::addNativeSqliteCounts(info);
        return;
    }
    OpenOptions options;
    options.read_only = true;
    auto src = Discovery::open(info, options);
    if (!src.ok()) {
        info.note += (info.note.empty() ? "" : "; ") + src.status().toString();
        return;
    }
    auto st = (*src)->stats();
    if (!st.ok()) {
        info.note += (info.note.empty() ? "" : "; ") + st.status().toString();
        return;
    }
    info.entries = st->entries;
    info.bytes = st->bytes;
}

}  // namespace

Result<SourceInfo> Discovery::identify(const fs::path& path) {
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (ec && ec != std::errc::no_such_file_or_directory) {
        // Say what stopped us (permission, I/O), not that nothing is there.
        return detail::statusFromErrno(ec.value(), "cannot reach the cache folder", path);
    }
    if (!fs::exists(status)) return Status::notFound("no cache folder at " + path.string());
    if (!fs::is_directory(status)) {
        return Status::invalidArgument(path.string() + " is not a folder");
    }
    SourceInfo info;
    info.path = path;
    info.name = path.filename().string();
    if (info.name.empty()) info.name = path.parent_path().filename().string();

    if (fs::is_regular_file(path / detail::kManifestFileName, ec)) {
        auto manifest = detail::readManifest(path);
        if (manifest.ok()) {
            if (manifest->engine == "sqlite" || manifest->engine == "files") {
                info.kind = manifest->engine == "sqlite" ? SourceKind::kNativeSqlite
                                                         : SourceKind::kNativeFiles;
                if (!manifest->name.empty()) info.name = manifest->name;
                return info;
            }
            info.note = "unknown engine in " + std::string(detail::kManifestFileName);
        } else {
            info.note = "malformed " + std::string(detail::kManifestFileName);
        }
    }
    if (fs::is_regular_file(path / "cache.db", ec)) {
        info.kind = SourceKind::kDiskcache;
        return info;
    }
    if (const std::size_t shards = countShards(path); shards > 0) {
        info.kind = SourceKind::kDiskcache;
        info.note = "FanoutCache, " + std::to_string(shards) + " shards";
        return info;
    }
    if (!detail::joblibDirOf(path).empty()) {
        info.kind = SourceKind::kJoblib;
        if (path.filename() == "joblib") info.name = path.parent_path().filename().string();
        return info;
    }
    info.kind = SourceKind::kFolder;
    if (fs::is_regular_file(path / "CACHEDIR.TAG", ec)) {
        info.note += (info.note.empty() ? "" : "; ") + std::string("CACHEDIR.TAG");
    }
    return info;
}

Result<std::vector<SourceInfo>> Discovery::scan(const fs::path& root) {
    auto self = identify(root);
    if (!self.ok()) return self.status();
    std::vector<SourceInfo> out;
    {
        // An unreadable root is an error, not an empty list.
        std::error_code ec;
        fs::directory_iterator probe(root, ec);
        if (ec) return detail::statusFromErrno(ec.value(), "cannot list the cache root", root);
    }
    if (self->kind != SourceKind::kFolder || self->note.find("CACHEDIR.TAG") != std::string::npos) {
        addCounts(*self);
        out.push_back(std::move(*self));
        return out;
    }
    auto childDirs = [](const fs::path& dir) {
        std::vector<fs::path> dirs;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(dir, ec)) {
            if (e.is_directory(ec) && !e.is_symlink(ec)) dirs.push_back(e.path());
        }
        std::sort(dirs.begin(), dirs.end());
        return dirs;
    };
    for (const auto& child : childDirs(root)) {
        auto info = identify(child);
        if (!info.ok()) continue;
        if (info->kind == SourceKind::kFolder &&
            info->note.find("CACHEDIR.TAG") == std::string::npos) {
            // A folder that only groups caches is looked into once.
            std::vector<SourceInfo> inner;
            for (const auto& grandchild : childDirs(child)) {
                auto g = identify(grandchild);
                if (g.ok() && g->kind != SourceKind::kFolder) {
                    g->name = info->name + "/" + g->name;
                    inner.push_back(std::move(*g));
                }
            }
            if (!inner.empty()) {
                for (auto& g : inner) {
                    addCounts(g);
                    out.push_back(std::move(g));
                }
                continue;
            }
        }
        addCounts(*info);
        out.push_back(std::move(*info));
    }
    return out;
}

bool Discovery::isUrl(std::string_view target) {
    const auto pos = target.find("://");
    if (pos == std::string_view::npos || pos == 0) return false;
    // Scheme characters (RFC 3986): letters, digits, "+" (redis+sentinel://), "-" and ".".
    return std::all_of(target.begin(), target.begin() + static_cast<std::ptrdiff_t>(pos),
                       [](char c) {
                           return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' ||
                                  c == '-' || c == '.';
                       });
}

Result<SourceInfo> Discovery::identifyUrl(std::string_view url) {
    auto endpoint = parseRedisUrl(url);
    if (!endpoint.ok()) return endpoint.status();
    SourceInfo info;
    info.kind = SourceKind::kRedis;
    info.url = std::string(url);
    info.name = maskRedisUrl(url);
    info.note = "db " + std::to_string(endpoint->db);
    if (endpoint->sentinel.enabled()) info.note += " via sentinel " + endpoint->sentinel.service;
    return info;
}

Result<std::unique_ptr<Source>> Discovery::open(const SourceInfo& info,
                                                const OpenOptions& options) {
    auto source = openKind(info, options);
    if (source.ok() && options.audit) {
        (*source)->m_auditLog = options.audit_log.empty() ? auditLogPath() : options.audit_log;
    }
    return source;
}

Result<std::unique_ptr<Source>> Discovery::openKind(const SourceInfo& info,
                                                    const OpenOptions& options) {
    switch (info.kind) {
        case SourceKind::kDiskcache:
            return detail::openDiskcacheSource(info, options);
        case SourceKind::kJoblib:
            return detail::openJoblibSource(info, options);
        case SourceKind::kFolder:
            return detail::openFolderSource(info, options);
        case SourceKind::kNativeSqlite:
            return detail::openNativeSqliteSource(info, options);
        case SourceKind::kNativeFiles:
            return detail::openNativeFilesSource(info, options);
        case SourceKind::kRedis:
            return detail::openRedisSource(info, options);
    }
    return Status::invalidArgument("unknown source kind");
}

}  // namespace twat_cache
