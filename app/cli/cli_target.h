// Shared pieces of the twat-cache subcommands: JSON output, errors as exit codes, and
// TARGET resolution (a Redis URL, a path to a cache folder, or a cache's name under the root).
//
// Thread safety: used by main() on one thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "commands.h"
#include "twat_cache/inspect.h"

namespace twat_cache::cli {

nlohmann::json optionalJson(const std::optional<std::uint64_t>& v);
nlohmann::json optionalJson(const std::optional<double>& v);
nlohmann::json timeJson(const std::optional<std::int64_t>& ms);
// Prints `j` indented; text that is not UTF-8 is replaced rather than failing.
void printJson(const nlohmann::json& j);
// Prints the status on stderr and returns its exit code (PermissionDenied: refused).
int fail(const Status& s);

// The cache root: --root, else the environment (a malformed TWAT_CACHE_DIR is the error).
Result<std::filesystem::path> rootOf(const CliState& state);
// TARGET: a Redis URL, a path to a cache folder, or the name of a cache under the root.
Result<SourceInfo> resolveTarget(const CliState& state, const std::string& target);
// Opens TARGET; `namespaceDepth` bounds Source::namespaces() (0: the default depth).
Result<std::unique_ptr<Source>> openTarget(const CliState& state, const std::string& target,
                                           bool readOnly, std::size_t namespaceDepth = 0);

}  // namespace twat_cache::cli
