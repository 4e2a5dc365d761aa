// RedisSource: what the server says about itself (INFO, CONFIG GET databases), its slow log
// (SLOWLOG GET), and switching the database listed (SELECT).
#include <algorithm>
#include <charconv>
#include <string>
#include <vector>

#include "inspect/redis_source.h"
#include "redis/redis_info.h"
#include "redis/redis_sentinel.h"

namespace twat_cache::detail {

namespace {

template <class T>
std::optional<T> number(std::string_view text) {
    T v{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return v;
}

// The fields of INFO's reply, by name, into `out`.
void readInfo(std::string_view text, ServerInfo& out) {
    out.fields = infoFields(text);
    for (const auto& [name, value] : out.fields) {
        const std::string_view v = value;
        if (name == "redis_version") out.version = value;
        if (name == "redis_mode") out.mode = value;
        if (name == "role") out.role = value == "slave" ? "replica" : value;
        if (name == "uptime_in_seconds") out.uptime_seconds = number<std::uint64_t>(v);
        if (name == "connected_clients") out.connected_clients = number<std::uint64_t>(v);
        if (name == "blocked_clients") out.blocked_clients = number<std::uint64_t>(v);
        if (name == "used_memory") out.used_memory = number<std::uint64_t>(v);
        if (name == "used_memory_peak") out.used_memory_peak = number<std::uint64_t>(v);
        if (name == "maxmemory") out.maxmemory = number<std::uint64_t>(v);
        if (name == "maxmemory_policy") out.maxmemory_policy = value;
        if (name == "rdb_last_save_time") out.rdb_last_save_time = number<std::int64_t>(v);
        if (name == "rdb_last_bgsave_status") out.rdb_last_bgsave_status = value;
        if (name == "rdb_changes_since_last_save") {
            out.rdb_changes_since_last_save = number<std::uint64_t>(v);
        }
        if (name == "aof_enabled") out.aof_enabled = value == "1";
        if (name == "aof_last_write_status") out.aof_last_write_status = value;
        // Keyspace lines: "db3" -> "keys=12,expires=3,avg_ttl=5000".
        if (name.size() > 2 && name.starts_with("db")) {
            if (const auto db = number<int>(std::string_view(name).substr(2))) {
                out.keyspace.push_back({*db, keyspaceNumber(v, "keys"),
                                        keyspaceNumber(v, "expires"),
                                        keyspaceNumber(v, "avg_ttl")});
            }
        }
    }
    if (out.aof_enabled == false) out.aof_last_write_status.clear();  // about no file
    std::sort(out.keyspace.begin(), out.keyspace.end(),
              [](const KeyspaceDb& a, const KeyspaceDb& b) { return a.db < b.db; });
}

}  // namespace

Result<ServerInfo> RedisSource::serverInfo() {
    auto conn = connection();
    if (!conn.ok()) return conn.status();
    (*conn)->append({"INFO"});  // the default sections: server ... replication, keyspace
    (*conn)->append({"CONFIG", "GET", "databases"});
    auto replies = (*conn)->readMany(2, "INFO/CONFIG GET databases");
    if (!replies.ok()) return replies.status();
    if (Status s = checkReply(*(*replies)[0], "INFO"); !s.ok()) return s;
    ServerInfo out;
    readInfo(replyText(*(*replies)[0]), out);
    // CONFIG is an admin command: a user without it (or a managed server) leaves it unknown.
    const redisReply& config = *(*replies)[1];
    if (config.type == REDIS_REPLY_ARRAY && config.elements == 2) {
        out.databases = number<int>(replyText(*config.element[1]));
    }
    if (m_cluster) out.databases = 1;
    out.db = db();
    if (!(*conn)->node().empty()) {
        out.node = (*conn)->node();
    } else if (!m_settings.endpoint.unix_path.empty()) {
        out.node = m_settings.endpoint.unix_path;
    } else {
        const std::string& host = m_settings.endpoint.host;
        out.node = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                   std::to_string(m_settings.endpoint.port);
    }
    return out;
}

Result<std::vector<SlowlogEntry>> RedisSource::slowlog(std::size_t n) {
    n = std::min(n, kMaxSlowlogEntries);
    std::vector<SlowlogEntry> out;
    if (n == 0) return out;
    auto conn = connection();
    if (!conn.ok()) return conn.status();
    auto reply = (*conn)->command({"SLOWLOG", "GET", std::to_string(n)});
    if (!reply.ok()) return reply.status();
    if (Status s = checkReply(**reply, "SLOWLOG GET"); !s.ok()) return s;
    const redisReply& list = **reply;
    if (list.type != REDIS_REPLY_ARRAY) {
        return Status::corruption("redis " + m_settings.masked_url +
                                  ": SLOWLOG GET: the reply is not a list");
    }
    for (std::size_t i = 0; i < list.elements && out.size() < n; ++i) {
        const redisReply& e = *list.element[i];
        // [id, unix time, microseconds, [args...], client address, client name] (the last two
        // since Redis 4).
        if (e.type != REDIS_REPLY_ARRAY || e.elements < 4) continue;
        SlowlogEntry entry;
        auto integer = [&](std::size_t at) {
            return e.element[at]->type == REDIS_REPLY_INTEGER ? e.element[at]->integer : 0;
        };
        entry.id = static_cast<std::uint64_t>(std::max<long long>(0, integer(0)));
        entry.time_seconds = integer(1);
        entry.duration_us = static_cast<std::uint64_t>(std::max<long long>(0, integer(2)));
        const redisReply& args = *e.element[3];
        for (std::size_t a = 0; args.type == REDIS_REPLY_ARRAY && a < args.elements; ++a) {
            entry.args.push_back(renderRedisText(replyText(*args.element[a])));
        }
        if (e.elements >= 6) {
            entry.client = renderRedisText(replyText(*e.element[4]));
            entry.client_name = renderRedisText(replyText(*e.element[5]));
        }
        out.push_back(std::move(entry));
    }
    return out;
}

Status RedisSource::selectDatabase(int number) {
    if (m_cluster) {
        return Status::notSupported("redis " + m_settings.masked_url +
                                    ": a cluster has only database 0");
    }
    if (number < 0) {
        return Status::invalidArgument("there is no database " + std::to_string(number) +
                                       ": databases are numbered from 0");
    }
    if (number == db()) return {};
    auto conn = connection();
    if (!conn.ok()) return conn.status();
    auto reply = (*conn)->command({"SELECT", std::to_string(number)});
    if (!reply.ok()) return reply.status();
    if ((*reply)->type == REDIS_REPLY_ERROR) {
        const std::string_view text = replyText(**reply);
        if (text.find("out of range") != std::string_view::npos) {
            return Status::invalidArgument("redis " + m_settings.masked_url +
                                           ": the server has no database " +
                                           std::to_string(number) + " (" + std::string(text) + ")");
        }
        return checkReply(**reply, "SELECT");
    }
    // A reconnect selects it again; listings, namespaces and stats start over in it.
    m_settings.endpoint.db = number;
    m_batch = Batch{};
    m_nsCursor = "0";
    m_nsStarted = m_nsDone = false;
    m_nsScanned = 0;
    m_nsTree = NamespaceTree(m_nsTree.separator(), m_nsTree.limits());
    m_info.note = withNode("db " + std::to_string(number), **conn);
    m_info.name =
        number == m_urlDb ? m_urlName : m_urlName + " (db " + std::to_string(number) + ")";
    return {};
}

}  // namespace twat_cache::detail
