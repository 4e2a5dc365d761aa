// Manifest read/write with nlohmann-json, and the folder-ownership rule (see manifest.h).
#include "format/manifest.h"

#include <nlohmann/json.hpp>
#include <system_error>

#include "util/fs_util.h"

namespace twat_cache::detail {

namespace fs = std::filesystem;
using nlohmann::json;

Manifest manifestFor(std::string_view engine, const ResolvedConfig& config) {
    Manifest m;
    m.engine = std::string(engine);
    m.name = config.name;
    m.created = isoTimeUtc(config.clock ? config.clock->nowMs() : Clock::system()->nowMs());
    m.maxsize = config.maxsize;
    m.max_bytes = config.max_bytes;
    m.ttl_ms = config.ttl.count();
    m.policy = config.policy;
    m.compress = config.compress;
    return m;
}

std::string serializeManifest(const Manifest& m) {
    json j = {
        {"format", kManifestFormat},
        {"format_version", m.format_version},
        {"engine", m.engine},
        {"name", m.name},
        {"created", m.created},
        {"options",
         {{"maxsize", m.maxsize},
          {"max_bytes", m.max_bytes},
          {"ttl_ms", m.ttl_ms},
          {"policy", policyName(m.policy)},
          {"compress", m.compress}}},
    };
    return j.dump(2) + "\n";
}

Result<Manifest> parseManifest(std::string_view text, std::string_view origin) {
    const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    auto bad = [&](std::string_view why) {
        return Status::corruption(std::string(origin) + ": not a twat_cache manifest (" +
                                  std::string(why) + ")");
    };
    if (j.is_discarded() || !j.is_object()) return bad("invalid JSON");
    const auto format = j.find("format");
    if (format == j.end() || !format->is_string() ||
        format->get<std::string>() != kManifestFormat) {
        return bad("\"format\" is not \"twat_cache\"");
    }
    Manifest m;
    const auto version = j.find("format_version");
    if (version == j.end() || !version->is_number_integer()) return bad("no format_version");
    m.format_version = version->get<int>();
    const auto engine = j.find("engine");
    if (engine == j.end() || !engine->is_string()) return bad("no engine");
    m.engine = engine->get<std::string>();
    if (auto it = j.find("name"); it != j.end() && it->is_string()) m.name = it->get<std::string>();
    if (auto it = j.find("created"); it != j.end() && it->is_string()) {
        m.created = it->get<std::string>();
    }
    if (auto opts = j.find("options"); opts != j.end() && opts->is_object()) {
        if (auto it = opts->find("maxsize"); it != opts->end() && it->is_number_unsigned()) {
            m.maxsize = it->get<std::uint64_t>();
        }
        if (auto it = opts->find("max_bytes"); it != opts->end() && it->is_number_unsigned()) {
            m.max_bytes = it->get<std::uint64_t>();
        }
        if (auto it = opts->find("ttl_ms"); it != opts->end() && it->is_number_integer()) {
            m.ttl_ms = it->get<std::int64_t>();
        }
        if (auto it = opts->find("policy"); it != opts->end() && it->is_string()) {
            auto p = parsePolicy(it->get<std::string>());
            if (!p.ok()) return bad("unknown policy");
            m.policy = *p;
        }
        if (auto it = opts->find("compress"); it != opts->end() && it->is_boolean()) {
            m.compress = it->get<bool>();
        }
    }
    return m;
}

Result<Manifest> readManifest(const fs::path& folder) {
    const fs::path path = folder / kManifestFileName;
    auto text = readFile(path, 1 << 20);
    if (!text.ok()) return text.status();
    return parseManifest(*text, path.string());
}

Status writeManifest(const fs::path& folder, const Manifest& manifest, bool secure) {
    return writeFileAtomic(folder / kManifestFileName, serializeManifest(manifest), secure,
                           /*sync=*/true);
}

namespace {

// Whether `folder` holds anything besides temporary manifests of a concurrent opener.
Result<bool> hasForeignContent(const fs::path& folder) {
    std::error_code ec;
    fs::directory_iterator it(folder, ec);
    if (ec) return statusFromErrno(ec.value(), "cannot list", folder);
    const std::string tempPrefix = std::string(kManifestFileName) + ".tmp.";
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        if (ec) return statusFromErrno(ec.value(), "cannot list", folder);
        const std::string name = it->path().filename().string();
        if (name.rfind(tempPrefix, 0) == 0) continue;
        return true;
    }
    return false;
}

}  // namespace

Result<Manifest> openCacheFolder(const ResolvedConfig& config, std::string_view engine) {
    const fs::path& folder = config.folder;
    if (folder.empty()) return Status::invalidArgument("the cache has no folder (set a name)");
    std::error_code ec;
    const bool existed = fs::exists(folder, ec);
    if (existed && !fs::is_directory(folder, ec)) {
        return Status::invalidArgument("cache folder " + folder.string() + " is not a folder");
    }
    if (!existed) {
        Status s = createDirectories(folder, config.secure);
        if (!s.ok()) return s;
    }

    auto current = readManifest(folder);
    if (current.ok()) {
        Manifest m = std::move(current).value();
        if (m.engine != engine) {
            return Status::invalidArgument("cache folder " + folder.string() +
                                           " belongs to the \"" + m.engine + "\" engine, not \"" +
                                           std::string(engine) + "\"");
        }
        if (m.format_version > kManifestFormatVersion) {
            return Status::notSupported(
                "cache folder " + folder.string() + " has format_version " +
                std::to_string(m.format_version) + "; this build writes version " +
                std::to_string(kManifestFormatVersion) + " and will not modify it");
        }
        Manifest wanted = manifestFor(engine, config);
        wanted.name = m.name.empty() ? config.name : m.name;
        wanted.created = m.created;
        wanted.format_version = m.format_version;
        if (wanted != m) {
            Status s = writeManifest(folder, wanted, config.secure);
            if (!s.ok()) return s;
        }
        return wanted;
    }
    if (!current.status().isNotFound()) return current.status();

    auto foreign = hasForeignContent(folder);
    if (!foreign.ok()) return foreign.status();
    if (*foreign) {
        return Status::invalidArgument(
            "folder " + folder.string() + " is not a twat_cache cache (it has files but no " +
            std::string(kManifestFileName) + "); refusing to write into it");
    }
    Manifest fresh = manifestFor(engine, config);
    Status s = writeManifest(folder, fresh, config.secure);
    if (!s.ok()) return s;
    return fresh;
}

}  // namespace twat_cache::detail
