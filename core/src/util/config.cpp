#include "twat_cache/config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "twat_cache/log.h"
#include "twat_cache/redis_engine.h"

namespace twat_cache {
namespace {

std::string lowerTrimmed(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// Splits "1.5h" into 1.5 and "h". Fails on an empty or non-numeric number part.
bool splitNumber(const std::string& text, double& number, std::string& unit) {
    const char* begin = text.data();
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(begin, end, number);
    if (ec != std::errc() || ptr == begin || !std::isfinite(number)) return false;
    unit.assign(ptr, end);
    while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
    return true;
}

std::string quoteText(std::string_view text) {
    return "\"" + std::string(text) + "\"";
}

// Wraps a parse error so it names the environment variable: TWAT_CACHE_TTL="abc": ...
template <class T>
Result<T> fromEnv(std::string_view var, const std::string& value, Result<T> parsed) {
    if (parsed.ok()) return parsed;
    return Status::invalidArgument(std::string(var) + "=" + quoteText(value) + ": " +
                                   parsed.status().message());
}

std::optional<std::string> nonEmptyEnv(const EnvironmentReader& env, std::string_view name) {
    auto v = env(name);
    if (v && !v->empty()) return v;
    return std::nullopt;
}

}  // namespace

Result<Policy> parsePolicy(std::string_view text) {
    const std::string t = lowerTrimmed(text);
    if (t == "lru") return Policy::kLru;
    if (t == "lfu") return Policy::kLfu;
    if (t == "fifo" || t == "least-recently-stored" || t == "lrs") return Policy::kFifo;
    if (t == "rr" || t == "random") return Policy::kRr;
    if (t == "cost" || t == "gdsf") return Policy::kCost;
    if (t == "none") return Policy::kNone;
    return Status::invalidArgument(quoteText(text) +
                                   " is not a policy (lru, lfu, fifo, rr, cost, none)");
}

std::string_view policyName(Policy policy) {
    switch (policy) {
        case Policy::kLru:
            return "lru";
        case Policy::kLfu:
            return "lfu";
        case Policy::kFifo:
            return "fifo";
        case Policy::kRr:
            return "rr";
        case Policy::kCost:
            return "cost";
        case Policy::kNone:
            return "none";
    }
    return "lru";
}

Result<EngineKind> parseEngineKind(std::string_view text) {
    const std::string t = lowerTrimmed(text);
    if (t == "auto") return EngineKind::kAuto;
    if (t == "memory" || t == "mem") return EngineKind::kMemory;
    if (t == "sqlite" || t == "disk") return EngineKind::kSqlite;
    if (t == "files" || t == "file") return EngineKind::kFiles;
    if (t == "redis") return EngineKind::kRedis;
    return Status::invalidArgument(quoteText(text) +
                                   " is not an engine (auto, memory, sqlite, files, redis)");
}

std::string_view engineKindName(EngineKind kind) {
    switch (kind) {
        case EngineKind::kAuto:
            return "auto";
        case EngineKind::kMemory:
            return "memory";
        case EngineKind::kSqlite:
            return "sqlite";
        case EngineKind::kFiles:
            return "files";
        case EngineKind::kRedis:
            return "redis";
    }
    return "auto";
}

Result<std::chrono::milliseconds> parseDuration(std::string_view text) {
    const std::string t = lowerTrimmed(text);
    double number = 0;
    std::string unit;
    if (t.empty() || !splitNumber(t, number, unit)) {
        return Status::invalidArgument(quoteText(text) +
                                       " is not a duration (e.g. 30, 250ms, 1.5h, 7d)");
    }
    if (number < 0) return Status::invalidArgument(quoteText(text) + " is negative");
    double factor = 0;
    if (unit.empty() || unit == "s" || unit == "sec" || unit == "secs")
        factor = 1000;
    else if (unit == "ms")
        factor = 1;
    else if (unit == "m" || unit == "min" || unit == "mins")
        factor = 60'000;
    else if (unit == "h" || unit == "hour" || unit == "hours")
        factor = 3'600'000;
    else if (unit == "d" || unit == "day" || unit == "days")
        factor = 86'400'000;
    else {
        return Status::invalidArgument(quoteText(text) + " has an unknown unit \"" + unit +
                                       "\" (ms, s, m, h, d)");
    }
    const double ms = number * factor;
    if (ms > 9.0e15) return Status::invalidArgument(quoteText(text) + " is too long");
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(ms)));
}

Result<std::uint64_t> parseSize(std::string_view text) {
    const std::string t = lowerTrimmed(text);
    double number = 0;
    std::string unit;
    if (t.empty() || !splitNumber(t, number, unit)) {
        return Status::invalidArgument(quoteText(text) + " is not a size (e.g. 1000, 64K, 1.5GiB)");
    }
    if (number < 0) return Status::invalidArgument(quoteText(text) + " is negative");
    double factor = 0;
    if (unit.empty() || unit == "b")
        factor = 1;
    else if (unit == "k" || unit == "kb" || unit == "kib")
        factor = 1024.0;
    else if (unit == "m" || unit == "mb" || unit == "mib")
        factor = 1024.0 * 1024;
    else if (unit == "g" || unit == "gb" || unit == "gib")
        factor = 1024.0 * 1024 * 1024;
    else if (unit == "t" || unit == "tb" || unit == "tib")
        factor = 1024.0 * 1024 * 1024 * 1024;
    else {
        return Status::invalidArgument(quoteText(text) + " has an unknown unit \"" + unit +
                                       "\" (B, K, M, G, T)");
    }
    const double bytes = number * factor;
    if (bytes > 1.8e19) return Status::invalidArgument(quoteText(text) + " is too large");
    return static_cast<std::uint64_t>(std::llround(bytes));
}

Result<bool> parseBool(std::string_view text) {
    const std::string t = lowerTrimmed(text);
    if (t == "1" || t == "true" || t == "yes" || t == "on") return true;
    if (t == "0" || t == "false" || t == "no" || t == "off") return false;
    return Status::invalidArgument(quoteText(text) +
                                   " is not a boolean (1/0, true/false, yes/no, on/off)");
}

EnvironmentReader processEnvironment() {
    return [](std::string_view name) -> std::optional<std::string> {
        const char* value = std::getenv(std::string(name).c_str());
        if (value == nullptr) return std::nullopt;
        return std::string(value);
    };
}

Result<std::filesystem::path> resolveCacheRoot(const EnvironmentReader& env) {
    auto nonEmpty = [&env](std::string_view name) { return nonEmptyEnv(env, name); };
    if (auto dir = nonEmpty("TWAT_CACHE_DIR")) return std::filesystem::path(*dir);
    if (auto xdg = nonEmpty("XDG_CACHE_HOME")) {
        // The XDG spec says relative paths are invalid and must be ignored.
        if (std::filesystem::path(*xdg).is_absolute()) {
            return std::filesystem::path(*xdg) / "twat_cache";
        }
    }
    if (auto home = nonEmpty("HOME")) return std::filesystem::path(*home) / ".cache" / "twat_cache";
    return Status::invalidArgument("no cache root: set TWAT_CACHE_DIR (or XDG_CACHE_HOME or HOME)");
}

namespace {

// The precedence ladder of one setting: the explicit value, else the environment variable
// parsed by `parse`, else `out` keeps its default. A malformed variable is the error.
template <class T, class Parse>
Status settle(const std::optional<T>& given, std::string_view var, Parse parse,
              const EnvironmentReader& env, T& out) {
    if (given) {
        out = *given;
        return {};
    }
    auto v = nonEmptyEnv(env, var);
    if (!v) return {};
    auto parsed = fromEnv(var, *v, parse(*v));
    if (!parsed.ok()) return parsed.status();
    out = *parsed;
    return {};
}

// Each variable with its parser, for checkEnvironment(); resolveConfig() uses the same ones.
Status checkVariable(const EnvironmentReader& env, std::string_view var) {
    auto v = nonEmptyEnv(env, var);
    if (!v) return {};
    auto named = [&](const Status& s) -> Status {
        if (s.ok()) return s;
        return Status::invalidArgument(std::string(var) + "=" + quoteText(*v) + ": " + s.message());
    };
    if (var == "TWAT_CACHE_MAXSIZE") return named(parseSize(*v).status());
    if (var == "TWAT_CACHE_TTL") return named(parseDuration(*v).status());
    if (var == "TWAT_CACHE_POLICY") return named(parsePolicy(*v).status());
    if (var == "TWAT_CACHE_ENGINE") return named(parseEngineKind(*v).status());
    if (var == "TWAT_CACHE_COMPRESS") return named(parseBool(*v).status());
    if (var == "TWAT_CACHE_LOG_LEVEL") return named(parseLogLevel(*v).status());
    if (var == "TWAT_CACHE_REDIS_URL") {
        auto url = parseRedisUrl(*v);
        if (url.ok()) return {};
        // parseRedisUrl's message names the masked URL already; never print the password.
        return url.status().withContext("TWAT_CACHE_REDIS_URL");
    }
    if (var == "TWAT_CACHE_DIR") {
        std::error_code ec;
        const std::filesystem::path dir(*v);
        if (std::filesystem::exists(dir, ec) && !std::filesystem::is_directory(dir, ec)) {
            return Status::invalidArgument("TWAT_CACHE_DIR=" + quoteText(*v) +
                                           ": exists and is not a folder");
        }
    }
    return {};
}

}  // namespace

std::vector<EnvironmentProblem> checkEnvironment(const EnvironmentReader& env) {
    std::vector<EnvironmentProblem> problems;
    for (std::string_view var : kEnvironmentVariables) {
        Status s = checkVariable(env, var);
        if (!s.ok()) problems.push_back({std::string(var), std::move(s)});
    }
    return problems;
}

Result<ResolvedConfig> resolveConfig(const CacheConfig& config, const EnvironmentReader& env) {
    ResolvedConfig out;
    out.name = config.name;
    out.clock = config.clock ? config.clock : Clock::system();

    if (config.ttl && config.ttl->count() < 0) {
        return Status::invalidArgument("ttl must not be negative");
    }
    for (Status s : {
             settle(config.maxsize, "TWAT_CACHE_MAXSIZE", parseSize, env, out.maxsize),
             settle(config.ttl, "TWAT_CACHE_TTL", parseDuration, env, out.ttl),
             settle(config.policy, "TWAT_CACHE_POLICY", parsePolicy, env, out.policy),
             settle(config.preferred_engine, "TWAT_CACHE_ENGINE", parseEngineKind, env,
                    out.preferred_engine),
             settle(config.compress, "TWAT_CACHE_COMPRESS", parseBool, env, out.compress),
         }) {
        if (!s.ok()) return s;
    }
    // A malformed Redis URL is an error, never a reason to fall back to another engine: only
    // a valid server that is unavailable is. (Its message masks the password.)
    if (config.redis_url) {
        out.redis_url = *config.redis_url;
        if (!out.redis_url.empty()) {
            if (Status s = parseRedisUrl(out.redis_url).status(); !s.ok()) {
                return s.withContext("redis_url");
            }
        }
    } else if (auto v = nonEmptyEnv(env, "TWAT_CACHE_REDIS_URL")) {
        if (Status s = checkVariable(env, "TWAT_CACHE_REDIS_URL"); !s.ok()) return s;
        out.redis_url = *v;
    }
    if (config.max_bytes) out.max_bytes = *config.max_bytes;
    out.secure = config.secure.value_or(false);

    if (config.cache_dir) {
        out.cache_root = *config.cache_dir;
    } else {
        auto root = resolveCacheRoot(env);
        if (root.ok()) out.cache_root = *root;
        // A memory cache needs no root; engines that do report the missing root themselves.
    }

    const std::string folder = config.folder_name.value_or(config.name);
    if (!folder.empty()) {
        const std::filesystem::path p(folder);
        if (!p.is_absolute()) {
            for (const auto& part : p) {
                if (part == "..") {
                    return Status::invalidArgument("folder_name \"" + folder +
                                                   "\" must not contain '..'");
                }
            }
        }
        out.folder = p.is_absolute() ? p : out.cache_root / p;
    }
    return out;
}

}  // namespace twat_cache
