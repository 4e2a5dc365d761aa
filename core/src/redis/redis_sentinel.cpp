#include "redis/redis_sentinel.h"

#include <algorithm>
#include <charconv>
#include <vector>

namespace twat_cache::detail {
namespace {

// What the sentinels said, gathered over one pass through them.
struct Findings {
    std::vector<std::string> silent;  // "sentinel h:p: why" for each that gave no answer
    Status denied;                    // the first AUTH refusal by a sentinel
    bool answered = false;            // some sentinel answered the question
    std::string notMaster;            // "h:p is a slave", when an address given was not one
    Status masterError;               // the last failure to reach an address given
};

ConnectSettings sentinelSettings(const ConnectSettings& s, const std::string& host, int port) {
    ConnectSettings out;
    out.endpoint.host = host;
    out.endpoint.port = port;
    out.endpoint.user = s.endpoint.sentinel.user;
    out.endpoint.password = s.endpoint.sentinel.password;
    out.endpoint.tls = s.endpoint.tls;
    out.masked_url = "sentinel " + hostPort(host, port);
    out.connect_timeout = s.connect_timeout;
    out.command_timeout = s.command_timeout;
    out.ssh = s.ssh;
    return out;
}

// Drops the "redis " that RedisConnection puts before every message.
std::string withoutPrefix(const std::string& message) {
    return message.starts_with("redis ") ? message.substr(6) : message;
}

// The master's address from one sentinel, or nullopt (recorded in `found`).
std::optional<std::pair<std::string, int>> askOne(const ConnectSettings& s,
                                                  const std::pair<std::string, int>& sentinel,
                                                  Findings& found) {
    const ConnectSettings one = sentinelSettings(s, sentinel.first, sentinel.second);
    auto conn = RedisConnection::open(one);
    Result<ReplyPtr> reply =
        conn.ok()
            ? (*conn)->command({"SENTINEL", "get-master-addr-by-name", s.endpoint.sentinel.service})
            : Result<ReplyPtr>(conn.status());
    if (!reply.ok()) {
        // The sentinel's refusal, not the SSH tunnel's (whose messages name "ssh USER@HOST").
        if (reply.status().code() == StatusCode::kPermissionDenied && found.denied.ok() &&
            reply.status().message().find(": ssh ") == std::string::npos) {
            found.denied = reply.status();
        }
        found.silent.push_back(withoutPrefix(reply.status().message()));
        return std::nullopt;
    }
    const redisReply& r = **reply;
    if (r.type == REDIS_REPLY_NIL) {  // a sentinel that does not monitor this service
        found.answered = true;
        return std::nullopt;
    }
    if (r.type == REDIS_REPLY_ARRAY && r.elements == 2 &&
        r.element[0]->type == REDIS_REPLY_STRING && r.element[1]->type == REDIS_REPLY_STRING) {
        const std::string_view portText = replyText(*r.element[1]);
        int port = 0;
        auto [ptr, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
        if (ec == std::errc() && ptr == portText.data() + portText.size() && port > 0 &&
            port < 65536) {
            found.answered = true;
            return std::make_pair(std::string(replyText(*r.element[0])), port);
        }
    }
    // An error reply (a plain Redis server: "unknown command 'SENTINEL'") or nonsense.
    const std::string what = r.type == REDIS_REPLY_ERROR ? std::string(replyText(r))
                                                         : "an answer that is not an address";
    found.silent.push_back(one.masked_url + ": " + what);
    return std::nullopt;
}

// Connects to the address a sentinel gave; the connection if ROLE says it is a master.
std::unique_ptr<RedisConnection> openMaster(const ConnectSettings& s, const std::string& host,
                                            int port, Findings& found) {
    ConnectSettings master = s;
    master.endpoint.host = host;
    master.endpoint.port = port;
    master.endpoint.sentinel = {};
    master.masked_url = s.masked_url + " (master " + hostPort(host, port) + ")";
    auto conn = RedisConnection::open(master);
    if (!conn.ok()) {
        found.masterError = conn.status();
        return nullptr;
    }
    auto role = (*conn)->command({"ROLE"});
    if (!role.ok()) {
        found.masterError = role.status();
        return nullptr;
    }
    const redisReply& r = **role;
    // An ACL user without ROLE (an error reply) trusts the sentinel.
    if (r.type == REDIS_REPLY_ARRAY && r.elements > 0 && r.element[0]->type == REDIS_REPLY_STRING &&
        replyText(*r.element[0]) != "master") {
        found.notMaster = hostPort(host, port) + " is a " + std::string(replyText(*r.element[0]));
        return nullptr;
    }
    (*conn)->markSentinelMaster("master " + hostPort(host, port) + " via sentinel " +
                                s.endpoint.sentinel.service);
    return std::move(*conn);
}

std::string joined(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
    return out;
}

}  // namespace

std::string hostPort(const std::string& host, int port) {
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string withNode(std::string note, const RedisConnection& conn) {
    if (conn.node().empty()) return note;
    if (const auto at = note.find(", master "); at != std::string::npos) note.resize(at);
    return note + ", " + conn.node();
}

Result<std::unique_ptr<RedisConnection>> openViaSentinel(const ConnectSettings& s) {
    const RedisSentinelOptions& sentinel = s.endpoint.sentinel;
    Findings found;
    std::vector<std::pair<std::string, int>> tried;  // each address given is tried once
    for (const auto& address : sentinel.addresses) {
        auto master = askOne(s, address, found);
        if (!master || std::find(tried.begin(), tried.end(), *master) != tried.end()) continue;
        tried.push_back(*master);
        if (auto conn = openMaster(s, master->first, master->second, found)) return conn;
    }
    const std::string where = "redis " + s.masked_url + ": ";
    if (!found.notMaster.empty()) {
        return Status::unavailable(where + "the address sentinels gave is not a master (" +
                                   found.notMaster + "); a failover may be under way");
    }
    if (!found.masterError.ok()) {
        return found.masterError.withContext("the master the sentinels named for \"" +
                                             sentinel.service + "\"");
    }
    if (found.answered) {
        const std::string others =
            found.silent.empty() ? "" : "; others did not answer (" + joined(found.silent) + ")";
        return Status::notFound(where + "sentinels do not know service \"" + sentinel.service +
                                "\" (check the name in their `sentinel monitor` lines)" + others);
    }
    if (!found.denied.ok()) {
        return Status::permissionDenied(where + "the sentinels refused the login (" +
                                        joined(found.silent) +
                                        "); give sentinel_user= and sentinel_password=");
    }
    return Status::unavailable(where + "no sentinel answered (" + joined(found.silent) + ")");
}

}  // namespace twat_cache::detail
