// The cache-folder manifest (see files_manifest.h).
#include "directory/files_manifest.h"

#include <nlohmann/json.hpp>

#include "directory/files_io.h"

namespace twat_cache::detail {

Result<FolderManifest> readManifest(const std::string& folder) {
    const std::string path = folder + "/" + std::string(kManifestName);
    std::string text;
    if (Status s = readWholeFile(path, text); !s.ok()) return s;
    const nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) {
        return Status::corruption(path + " is not valid JSON");
    }
    const auto format = doc.find("format");
    if (format == doc.end() || !format->is_string() || *format != kManifestFormat) {
        return Status::corruption(path + " is not a twat_cache manifest (no \"format\": \"" +
                                  std::string(kManifestFormat) + "\")");
    }
    FolderManifest m;
    const auto version = doc.find("format_version");
    const auto engine = doc.find("engine");
    if (version == doc.end() || !version->is_number_integer() || engine == doc.end() ||
        !engine->is_string()) {
        return Status::corruption(path + " lacks \"format_version\" or \"engine\"");
    }
    m.format_version = version->get<int>();
    m.engine = engine->get<std::string>();
    if (auto it = doc.find("name"); it != doc.end() && it->is_string()) {
        m.name = it->get<std::string>();
    }
    if (auto it = doc.find("created"); it != doc.end() && it->is_number_integer()) {
        m.created_ms = it->get<std::int64_t>();
    }
    return m;
}

Status writeManifest(const std::string& folder, std::string_view engine,
                     const ResolvedConfig& config, mode_t fileMode) {
    nlohmann::json doc = {
        {"format", kManifestFormat},
        {"format_version", kManifestFormatVersion},
        {"engine", engine},
        {"name", config.name},
        {"created", config.clock->nowMs()},
        {"options",
         {{"maxsize", config.maxsize},
          {"max_bytes", config.max_bytes},
          {"ttl_ms", config.ttl.count()},
          {"policy", policyName(config.policy)},
          {"compress", config.compress},
          {"secure", config.secure}}},
    };
    const std::string text = doc.dump(2) + "\n";
    return writeFileAtomic(folder + "/" + std::string(kManifestName),
                           tempPathFor(folder, kManifestName), text, fileMode);
}

}  // namespace twat_cache::detail
