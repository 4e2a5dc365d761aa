// Redis URL parsing and password masking (declared in twat_cache/redis_engine.h).
#include <charconv>
#include <string>

#include "twat_cache/config.h"
#include "twat_cache/redis_engine.h"

namespace twat_cache {
namespace {

constexpr std::string_view kRedisScheme = "redis://";
constexpr std::string_view kUnixScheme = "unix://";
constexpr std::string_view kRedissScheme = "rediss://";
constexpr std::string_view kSentinelScheme = "redis+sentinel://";
constexpr std::string_view kSentinelTlsScheme = "rediss+sentinel://";
constexpr std::string_view kMask = "***";
constexpr int kDefaultSentinelPort = 26379;
constexpr int kDefaultRedisPort = 6379;

Result<int> parseInt(std::string_view text, int lo, int hi) {
    int v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || v < lo || v > hi) {
        return Status::invalidArgument("\"" + std::string(text) + "\" is not a number in " +
                                       std::to_string(lo) + ".." + std::to_string(hi));
    }
    return v;
}

int hexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// %XX decoding of user names and passwords; nullopt on a bad escape.
std::optional<std::string> percentDecode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        if (i + 2 >= text.size()) return std::nullopt;
        const int a = hexDigit(text[i + 1]);
        const int b = hexDigit(text[i + 2]);
        if (a < 0 || b < 0) return std::nullopt;
        out += static_cast<char>(a * 16 + b);
        i += 2;
    }
    return out;
}

Status parseHostPort(std::string_view hostport, std::string& host, int& port);

// Applies one of the SSH tunnel's options (RedisSshOptions).
Status applySshOption(RedisSshOptions& ssh, std::string_view name, std::string_view value) {
    auto text = percentDecode(value);
    if (!text) return Status::invalidArgument("bad %-escape in " + std::string(name));
    if (name == "ssh") {
        // user@host[:port]
        std::string_view target = *text;
        if (const auto at = target.rfind('@'); at != std::string_view::npos) {
            ssh.user = std::string(target.substr(0, at));
            target = target.substr(at + 1);
        }
        if (Status s = parseHostPort(target, ssh.host, ssh.port); !s.ok())
            return Status::invalidArgument("ssh=" + *text + ": " + s.message());
    } else if (name == "ssh_accept_new") {
        if (*text != "0" && *text != "1" && *text != "true" && *text != "false")
            return Status::invalidArgument("ssh_accept_new must be 1 or 0");
        ssh.accept_new = *text == "1" || *text == "true";
    } else if (name == "ssh_key" || name == "ssh_known_hosts") {
        if (text->empty()) {
            return Status::invalidArgument("option \"" + std::string(name) +
                                           "\" needs a value (%-escaped)");
        }
        (name == "ssh_key" ? ssh.key_file : ssh.known_hosts) = std::move(*text);
    } else {
        return Status::invalidArgument("unknown option \"" + std::string(name) +
                                       "\" (ssh, ssh_key, ssh_known_hosts, ssh_accept_new)");
    }
    return {};
}

// Applies one `name=value` query option.
Status applyOption(RedisEndpoint& ep, std::string_view name, std::string_view value) {
    auto duration = [&](std::optional<std::chrono::milliseconds>& out) -> Status {
        auto d = parseDuration(value);
        if (!d.ok())
            return Status::invalidArgument(std::string(name) + ": " + d.status().message());
        out = *d;
        return {};
    };
    if (name == "db") {
        auto db = parseInt(value, 0, 1 << 20);
        if (!db.ok()) return Status::invalidArgument("db " + db.status().message());
        ep.db = *db;
    } else if (name == "password") {
        auto p = percentDecode(value);
        if (!p) return Status::invalidArgument("bad %-escape in the password");
        ep.password = *p;
    } else if (name == "user") {
        auto u = percentDecode(value);
        if (!u) return Status::invalidArgument("bad %-escape in the user");
        ep.user = *u;
    } else if (name == "connect_timeout") {
        return duration(ep.connect_timeout);
    } else if (name == "timeout") {
        return duration(ep.command_timeout);
    } else if (name == "pool_size") {
        auto n = parseInt(value, 1, 1024);
        if (!n.ok()) return Status::invalidArgument("pool_size " + n.status().message());
        ep.pool_size = *n;
    } else if (name == "ca" || name == "cert" || name == "key" || name == "sni") {
        if (!ep.tls.enabled) {
            return Status::invalidArgument("option \"" + std::string(name) +
                                           "\" needs TLS: use rediss://");
        }
        auto text = percentDecode(value);
        if (!text || text->empty()) {
            return Status::invalidArgument("option \"" + std::string(name) +
                                           "\" needs a value (%-escaped)");
        }
        (name == "ca"     ? ep.tls.ca_file
         : name == "cert" ? ep.tls.cert_file
         : name == "key"  ? ep.tls.key_file
                          : ep.tls.sni) = std::move(*text);
    } else if (name == "sentinel_user" || name == "sentinel_password") {
        if (!ep.sentinel.enabled()) {
            return Status::invalidArgument("option \"" + std::string(name) +
                                           "\" needs a redis+sentinel:// URL");
        }
        auto text = percentDecode(value);
        if (!text) return Status::invalidArgument("bad %-escape in " + std::string(name));
        (name == "sentinel_user" ? ep.sentinel.user : ep.sentinel.password) = std::move(*text);
    } else if (name.starts_with("ssh")) {
        return applySshOption(ep.ssh, name, value);
    } else if (name == "insecure") {
        if (!ep.tls.enabled) {
            return Status::invalidArgument("option \"insecure\" needs TLS: use rediss://");
        }
        if (value != "0" && value != "1" && value != "true" && value != "false") {
            return Status::invalidArgument("insecure must be 1 or 0");
        }
        ep.tls.insecure = value == "1" || value == "true";
    } else {
        return Status::invalidArgument(
            "unknown option \"" + std::string(name) +
            "\" (db, user, password, connect_timeout, timeout, pool_size; with rediss:// also "
            "ca, cert, key, sni, insecure; with Sentinel also sentinel_user, sentinel_password; "
            "ssh, ssh_key, ssh_known_hosts, ssh_accept_new)");
    }
    return {};
}

Status parseQuery(RedisEndpoint& ep, std::string_view query) {
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view item = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (item.empty()) continue;
        const auto eq = item.find('=');
        if (eq == std::string_view::npos) {
            return Status::invalidArgument("option \"" + std::string(item) + "\" has no value");
        }
        if (Status s = applyOption(ep, item.substr(0, eq), item.substr(eq + 1)); !s.ok()) return s;
    }
    return {};
}

// Splits "[userinfo@]rest[?query]": the user and password go into `ep`.
Status takeUserinfoAndQuery(RedisEndpoint& ep, std::string_view& rest, std::string_view& query) {
    if (const auto q = rest.find('?'); q != std::string_view::npos) {
        query = rest.substr(q + 1);
        rest = rest.substr(0, q);
    }
    if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
        const std::string_view userinfo = rest.substr(0, at);
        rest = rest.substr(at + 1);
        const auto colon = userinfo.find(':');
        auto user = percentDecode(userinfo.substr(0, colon));
        if (!user) return Status::invalidArgument("bad %-escape in the user");
        ep.user = *user;
        if (colon != std::string_view::npos) {
            auto password = percentDecode(userinfo.substr(colon + 1));
            if (!password) return Status::invalidArgument("bad %-escape in the password");
            ep.password = *password;
        }
    }
    return {};
}

// "host[:port]" or "[v6]:port"; `port` keeps its value when the text has none.
Status parseHostPort(std::string_view hostport, std::string& host, int& port) {
    std::string_view portText;
    if (!hostport.empty() && hostport.front() == '[') {
        const auto close = hostport.find(']');
        if (close == std::string_view::npos) return Status::invalidArgument("unclosed [ in host");
        host = std::string(hostport.substr(1, close - 1));
        const std::string_view after = hostport.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return Status::invalidArgument("junk after ]");
            portText = after.substr(1);
            if (portText.empty()) return Status::invalidArgument("empty port");
        }
    } else {
        const auto colon = hostport.find(':');
        host = std::string(hostport.substr(0, colon));
        if (colon != std::string_view::npos) {
            portText = hostport.substr(colon + 1);
            if (portText.empty()) return Status::invalidArgument("empty port");
        }
    }
    if (host.empty()) return Status::invalidArgument("no host");
    if (!portText.empty()) {
        auto p = parseInt(portText, 1, 65535);
        if (!p.ok()) return Status::invalidArgument("port " + p.status().message());
        port = *p;
    }
    return {};
}

Status parseDb(RedisEndpoint& ep, std::string_view text) {
    auto db = parseInt(text, 0, 1 << 20);
    if (!db.ok()) return Status::invalidArgument("db " + db.status().message());
    ep.db = *db;
    return {};
}

Status parseTcp(RedisEndpoint& ep, std::string_view rest) {
    // rest: [userinfo@]host[:port][/db][?query]
    std::string_view query;
    if (Status s = takeUserinfoAndQuery(ep, rest, query); !s.ok()) return s;
    std::string_view path;
    if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
        path = rest.substr(slash + 1);
        rest = rest.substr(0, slash);
    }
    // host[:port][,host[:port]...]: further addresses of a Redis Cluster to try in turn.
    const auto comma = rest.find(',');
    if (Status s = parseHostPort(rest.substr(0, comma), ep.host, ep.port); !s.ok()) return s;
    for (std::string_view more = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
         comma != std::string_view::npos;) {
        const auto next = more.find(',');
        const std::string_view one = more.substr(0, next);
        std::pair<std::string, int> address{"", kDefaultRedisPort};
        if (one.empty()) return Status::invalidArgument("empty address in the host list");
        if (Status s = parseHostPort(one, address.first, address.second); !s.ok()) {
            return Status::invalidArgument("host \"" + std::string(one) + "\": " + s.message());
        }
        ep.seeds.push_back(std::move(address));
        if (next == std::string_view::npos) break;
        more = more.substr(next + 1);
    }
    if (!path.empty()) {
        if (Status s = parseDb(ep, path); !s.ok()) return s;
    }
    return parseQuery(ep, query);
}

Status parseSentinel(RedisEndpoint& ep, std::string_view rest) {
    // rest: [userinfo@]host[:port][,host[:port]...]/SERVICE[/db][?query]
    constexpr std::string_view kForm = " (redis+sentinel://host:port[,host:port...]/SERVICE[/db])";
    std::string_view query;
    if (Status s = takeUserinfoAndQuery(ep, rest, query); !s.ok()) return s;
    const auto slash = rest.find('/');
    std::string_view seeds = rest.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
    if (seeds.empty()) return Status::invalidArgument("no sentinel address" + std::string(kForm));
    while (true) {
        const auto comma = seeds.find(',');
        const std::string_view one = seeds.substr(0, comma);
        if (one.empty()) {
            return Status::invalidArgument("empty address in the sentinel list" +
                                           std::string(kForm));
        }
        std::pair<std::string, int> address{"", kDefaultSentinelPort};
        if (Status s = parseHostPort(one, address.first, address.second); !s.ok()) {
            return Status::invalidArgument("sentinel \"" + std::string(one) + "\": " + s.message());
        }
        ep.sentinel.addresses.push_back(std::move(address));
        if (comma == std::string_view::npos) break;
        seeds = seeds.substr(comma + 1);
    }
    const auto dbSlash = path.find('/');
    auto service = percentDecode(path.substr(0, dbSlash));
    if (!service) return Status::invalidArgument("bad %-escape in the service name");
    if (service->empty()) return Status::invalidArgument("no service name" + std::string(kForm));
    ep.sentinel.service = std::move(*service);
    if (dbSlash != std::string_view::npos && dbSlash + 1 < path.size()) {  // "SERVICE/" is db 0
        if (Status s = parseDb(ep, path.substr(dbSlash + 1)); !s.ok()) return s;
    }
    return parseQuery(ep, query);
}

Status parseUnix(RedisEndpoint& ep, std::string_view rest) {
    // rest: /path/to.sock[?query]  (unix:///path: the authority is empty)
    std::string_view query;
    if (const auto q = rest.find('?'); q != std::string_view::npos) {
        query = rest.substr(q + 1);
        rest = rest.substr(0, q);
    }
    if (rest.empty() || rest.front() != '/') {
        return Status::invalidArgument("a unix socket URL needs an absolute path (unix:///path)");
    }
    ep.unix_path = std::string(rest);
    Status s = parseQuery(ep, query);
    if (s.ok() && ep.ssh.enabled())
        return Status::invalidArgument("an SSH tunnel reaches TCP servers only, not unix sockets");
    return s;
}

}  // namespace

std::string maskRedisUrl(std::string_view url) {
    std::string out(url);
    // userinfo password: scheme://user:PASSWORD@...
    const auto scheme = out.find("://");
    if (scheme != std::string::npos) {
        const std::size_t start = scheme + 3;
        const std::size_t end = out.find_first_of("/?", start);
        const std::size_t at = out.rfind('@', end == std::string::npos ? out.size() : end);
        if (at != std::string::npos && at >= start) {
            const std::size_t colon = out.find(':', start);
            if (colon != std::string::npos && colon < at)
                out.replace(colon + 1, at - colon - 1, kMask);
        }
    }
    // ?password=... or &password=..., and the same of sentinel_password
    for (std::size_t pos = 0; (pos = out.find("password=", pos)) != std::string::npos;) {
        const std::size_t name =
            pos >= 9 && out.compare(pos - 9, 9, "sentinel_") == 0 ? pos - 9 : pos;
        const bool isOption = name > 0 && (out[name - 1] == '?' || out[name - 1] == '&');
        pos += 9;
        if (!isOption) continue;
        const std::size_t end = out.find('&', pos);
        out.replace(pos, (end == std::string::npos ? out.size() : end) - pos, kMask);
        pos += kMask.size();
    }
    return out;
}

Result<RedisEndpoint> parseRedisUrl(std::string_view url) {
    RedisEndpoint ep;
    Status s;
    if (url.starts_with(kRedisScheme)) {
        s = parseTcp(ep, url.substr(kRedisScheme.size()));
    } else if (url.starts_with(kSentinelScheme)) {
        s = parseSentinel(ep, url.substr(kSentinelScheme.size()));
    } else if (url.starts_with(kUnixScheme)) {
        s = parseUnix(ep, url.substr(kUnixScheme.size()));
    } else if (url.starts_with(kRedissScheme) || url.starts_with(kSentinelTlsScheme)) {
        ep.tls.enabled = true;
        s = url.starts_with(kRedissScheme)
                ? parseTcp(ep, url.substr(kRedissScheme.size()))
                : parseSentinel(ep, url.substr(kSentinelTlsScheme.size()));
        if (s.ok() && !ep.tls.cert_file.empty() && ep.tls.key_file.empty()) {
            ep.tls.key_file = ep.tls.cert_file;  // a PEM file holding both
        }
        if (s.ok() && ep.tls.cert_file.empty() && !ep.tls.key_file.empty()) {
            s = Status::invalidArgument("option \"key\" needs \"cert\" too");
        }
    } else {
        s = Status::invalidArgument(
            "the scheme must be redis://, rediss://, unix://, redis+sentinel:// or "
            "rediss+sentinel://");
    }
    if (s.ok() && !ep.ssh.enabled() &&
        (!ep.ssh.key_file.empty() || !ep.ssh.known_hosts.empty() || ep.ssh.accept_new)) {
        s = Status::invalidArgument("ssh_key, ssh_known_hosts and ssh_accept_new need ssh=");
    }
    if (!s.ok()) {
        return Status::invalidArgument("\"" + maskRedisUrl(url) +
                                       "\" is not a Redis URL: " + s.message());
    }
    return ep;
}

}  // namespace twat_cache
