// Shared pieces of the twat-cache subcommands: JSON output, errors as exit codes, and TARGET
// resolution (see cli_target.h).
#include "cli_target.h"

#include <cctype>
#include <cstdio>
#include <utility>
#include <vector>

#include "cli_format.h"
#include "twat_cache/clock.h"
#include "twat_cache/config.h"

namespace twat_cache::cli {
namespace fs = std::filesystem;
using nlohmann::json;

json optionalJson(const std::optional<std::uint64_t>& v) {
    return v ? json(*v) : json(nullptr);
}

json optionalJson(const std::optional<double>& v) {
    return v ? json(*v) : json(nullptr);
}

json timeJson(const std::optional<std::int64_t>& ms) {
    return ms ? json(isoTimeUtc(*ms)) : json(nullptr);
}

void printJson(const json& j) {
    // Key texts are valid UTF-8 already; replace anything else rather than fail.
    std::printf("%s\n", j.dump(2, ' ', false, json::error_handler_t::replace).c_str());
}

int fail(const Status& s) {
    std::fprintf(stderr, "twat-cache: %s\n", terminalSafe(s.toString()).c_str());
    if (s.code() == StatusCode::kPermissionDenied) return kExitRefused;
    return kExitError;
}

Result<fs::path> rootOf(const CliState& state) {
    if (!state.root.empty()) return fs::path(state.root);
    // A malformed TWAT_CACHE_DIR is the cause to name, not the folder it fails to be.
    for (auto& problem : checkEnvironment()) {
        if (problem.variable == "TWAT_CACHE_DIR") return problem.status;
    }
    return resolveCacheRoot();
}

namespace {

// %-escapes what a URL query value may not hold as is.
std::string queryEscape(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) != 0 || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
            out += c;
        } else {
            out += '%';
            out += kHex[u >> 4];
            out += kHex[u & 15];
        }
    }
    return out;
}

using QueryOptions = std::vector<std::pair<std::string_view, std::string>>;

// The URL options the --tls-* flags ask for (plain paths made absolute).
QueryOptions tlsOptions(const CliState& state) {
    QueryOptions out;
    if (!state.tls_ca.empty()) out.emplace_back("ca", fs::absolute(state.tls_ca).string());
    if (!state.tls_cert.empty()) out.emplace_back("cert", fs::absolute(state.tls_cert).string());
    if (!state.tls_key.empty()) out.emplace_back("key", fs::absolute(state.tls_key).string());
    if (state.tls_insecure) out.emplace_back("insecure", "1");
    return out;
}

// The URL options the --ssh* flags ask for.
QueryOptions sshOptions(const CliState& state) {
    QueryOptions out;
    if (!state.ssh.empty()) out.emplace_back("ssh", state.ssh);
    if (!state.ssh_key.empty()) out.emplace_back("ssh_key", fs::absolute(state.ssh_key).string());
    if (!state.ssh_known_hosts.empty()) {
        out.emplace_back("ssh_known_hosts", fs::absolute(state.ssh_known_hosts).string());
    }
    if (state.ssh_accept_new) out.emplace_back("ssh_accept_new", "1");
    return out;
}

}  // namespace

// `url` with the options of the --tls-* flags (which make redis:// rediss://) and of the
// --ssh* flags.
Result<std::string> withUrlFlags(const CliState& state, const std::string& url) {
    const QueryOptions tls = tlsOptions(state);
    const QueryOptions ssh = sshOptions(state);
    std::string out = url;
    if (!tls.empty()) {
        if (out.starts_with("redis://") || out.starts_with("redis+sentinel://")) {
            out.insert(5, "s");  // rediss:// or rediss+sentinel://
        } else if (!out.starts_with("rediss://") && !out.starts_with("rediss+sentinel://")) {
            return Status::invalidArgument(
                "--tls-ca, --tls-cert, --tls-key and --tls-insecure "
                "apply to redis://, rediss:// and Sentinel URLs only");
        }
    }
    if (!ssh.empty() && out.starts_with("unix://")) {
        return Status::invalidArgument("--ssh options apply to TCP Redis URLs, not unix://");
    }
    char sep = out.find('?') == std::string::npos ? '?' : '&';
    for (const auto* options : {&tls, &ssh}) {
        for (const auto& [name, value] : *options) {
            out += sep;
            out += name;
            out += '=';
            out += queryEscape(value);
            sep = '&';
        }
    }
    return out;
}

Result<SourceInfo> resolveTarget(const CliState& state, const std::string& target) {
    if (Discovery::isUrl(target)) {
        auto url = withUrlFlags(state, target);
        if (!url.ok()) return url.status();
        return Discovery::identifyUrl(*url);
    }
    if (!tlsOptions(state).empty() || !sshOptions(state).empty()) {
        return Status::invalidArgument("--tls-* and --ssh* options apply to Redis URLs, not to " +
                                       target);
    }
    std::error_code ec;
    if (fs::is_directory(target, ec)) return Discovery::identify(fs::absolute(target));
    // A path we may not reach (permissions, I/O) says so, rather than "no cache named …".
    if (ec && ec != std::errc::no_such_file_or_directory) {
        return Discovery::identify(fs::absolute(target));
    }
    auto root = rootOf(state);
    if (!root.ok()) return root.status();
    if (fs::is_directory(*root / target, ec)) return Discovery::identify(*root / target);
    auto all = Discovery::scan(*root);
    if (all.ok()) {
        for (auto& info : *all) {
            if (info.name == target) return info;
        }
    }
    return Status::notFound("no cache named or at '" + target + "' (root " + root->string() + ")");
}

Result<std::unique_ptr<Source>> openTarget(const CliState& state, const std::string& target,
                                           bool readOnly, std::size_t namespaceDepth) {
    auto info = resolveTarget(state, target);
    if (!info.ok()) return info.status();
    OpenOptions options;
    options.read_only = readOnly;
    options.separator = state.separator;
    if (namespaceDepth > 0) options.namespace_max_depth = namespaceDepth;
    return Discovery::open(*info, options);
}

}  // namespace twat_cache::cli
