// Discovery: tells what kind of cache a folder is, lists the caches under a root, and opens
// sources.
#include <algorithm>
#include <string>

#include "inspect/dir_sources.h"
#include "inspect/diskcache_source.h"
#include "twat_cache/inspect.h"
#include "util/manifest.h"

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
    if (info.kind == SourceKind::kNativeSqlite || info.kind == SourceKind::kNativeFiles) return;
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
    if (!fs::is_directory(path, ec)) return Status::notFound("no cache folder at " + path.string());
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

Result<std::unique_ptr<Source>> Discovery::open(const SourceInfo& info,
                                                const OpenOptions& options) {
    switch (info.kind) {
        case SourceKind::kDiskcache:
            return detail::openDiskcacheSource(info, options);
        case SourceKind::kJoblib:
            return detail::openJoblibSource(info, options);
        case SourceKind::kFolder:
            return detail::openFolderSource(info, options);
        case SourceKind::kNativeSqlite:
        case SourceKind::kNativeFiles:
            return Status::notSupported("reading native " + std::string(sourceKindName(info.kind)) +
                                        " caches is not available yet: " + info.path.string());
        case SourceKind::kRedis:
            return Status::notSupported("Redis sources are not available yet: " + info.url);
    }
    return Status::invalidArgument("unknown source kind");
}

}  // namespace twat_cache
