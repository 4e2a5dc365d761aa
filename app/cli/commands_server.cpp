// info and slowlog: what a Redis server says about itself, and its slow log (read-only).
#include <cstdio>
#include <memory>
#include <string>

#include "cli_format.h"
#include "cli_target.h"
#include "commands.h"
#include "twat_cache/clock.h"

namespace twat_cache::cli {
using nlohmann::json;

namespace {

json keyspaceJson(const std::vector<KeyspaceDb>& dbs) {
    json out = json::array();
    for (const auto& d : dbs) {
        out.push_back(
            {{"db", d.db}, {"keys", d.keys}, {"expires", d.expires}, {"avg_ttl_ms", d.avg_ttl_ms}});
    }
    return out;
}

template <class T>
json orNull(const std::optional<T>& v) {
    return v ? json(*v) : json(nullptr);
}

int runInfo(const CliState& state, const std::string& target) {
    auto src = openTarget(state, target, true);
    if (!src.ok()) return fail(src.status());
    auto info = (*src)->serverInfo();
    if (!info.ok()) return fail(info.status());
    const ServerInfo& i = *info;
    if (state.json) {
        json fields = json::object();
        for (const auto& [name, value] : i.fields) fields[name] = value;
        printJson({{"version", i.version},
                   {"mode", i.mode},
                   {"role", i.role},
                   {"node", i.node},
                   {"db", i.db},
                   {"databases", orNull(i.databases)},
                   {"uptime_seconds", orNull(i.uptime_seconds)},
                   {"connected_clients", orNull(i.connected_clients)},
                   {"blocked_clients", orNull(i.blocked_clients)},
                   {"used_memory", orNull(i.used_memory)},
                   {"used_memory_peak", orNull(i.used_memory_peak)},
                   {"maxmemory", orNull(i.maxmemory)},
                   {"maxmemory_policy", i.maxmemory_policy},
                   {"rdb_last_save_time", orNull(i.rdb_last_save_time)},
                   {"rdb_last_bgsave_status", i.rdb_last_bgsave_status},
                   {"rdb_changes_since_last_save", orNull(i.rdb_changes_since_last_save)},
                   {"aof_enabled", orNull(i.aof_enabled)},
                   {"aof_last_write_status", i.aof_last_write_status},
                   {"keyspace", keyspaceJson(i.keyspace)},
                   {"fields", fields}});
        return kExitOk;
    }
    auto size = [](const std::optional<std::uint64_t>& v) {
        return v ? humanSize(*v) : std::string("-");
    };
    auto count = [](const std::optional<std::uint64_t>& v) {
        return v ? humanCount(*v) : std::string("-");
    };
    Table t({"FIELD", "VALUE"});
    t.add({"server", "Redis " + i.version + " (" + i.mode + ", " + i.role + ") at " + i.node});
    t.add({"uptime", i.uptime_seconds
                         ? humanSpan(static_cast<std::int64_t>(*i.uptime_seconds) * 1000)
                         : "-"});
    t.add({"clients",
           count(i.connected_clients) + " connected, " + count(i.blocked_clients) + " blocked"});
    t.add({"memory", size(i.used_memory) + " used, " + size(i.used_memory_peak) + " peak"});
    t.add({"maxmemory",
           (i.maxmemory && *i.maxmemory > 0 ? humanSize(*i.maxmemory) : std::string("no limit")) +
               (i.maxmemory_policy.empty() ? "" : ", " + i.maxmemory_policy)});
    t.add({"rdb", (i.rdb_last_save_time ? "last saved " + isoTimeUtc(*i.rdb_last_save_time * 1000)
                                        : std::string("-")) +
                      (i.rdb_last_bgsave_status.empty() ? "" : ", " + i.rdb_last_bgsave_status) +
                      (i.rdb_changes_since_last_save
                           ? ", " + humanCount(*i.rdb_changes_since_last_save) + " changes since"
                           : "")});
    t.add(
        {"aof", !i.aof_enabled ? "-"
                : *i.aof_enabled
                    ? "on" + (i.aof_last_write_status.empty() ? "" : ", " + i.aof_last_write_status)
                    : "off"});
    t.add({"databases", (i.databases ? std::to_string(*i.databases) : std::string("not said")) +
                            ", listing db " + std::to_string(i.db)});
    t.print(stdout);
    std::printf("\n");
    Table dbs({"DB", "KEYS", "EXPIRES", "AVG TTL"}, {true, true, true, true});
    for (const auto& d : i.keyspace) {
        dbs.add({std::to_string(d.db), humanCount(d.keys), humanCount(d.expires),
                 d.avg_ttl_ms > 0 ? humanSpan(static_cast<std::int64_t>(d.avg_ttl_ms)) : "-"});
    }
    if (i.keyspace.empty()) {
        std::printf("No database holds keys.\n");
    } else {
        dbs.print(stdout);
    }
    return kExitOk;
}

int runSlowlog(const CliState& state, const std::string& target, std::size_t n) {
    auto src = openTarget(state, target, true);
    if (!src.ok()) return fail(src.status());
    auto log = (*src)->slowlog(n);
    if (!log.ok()) return fail(log.status());
    if (state.json) {
        json entries = json::array();
        for (const auto& e : *log) {
            entries.push_back({{"id", e.id},
                               {"time", isoTimeUtc(e.time_seconds * 1000)},
                               {"time_seconds", e.time_seconds},
                               {"duration_us", e.duration_us},
                               {"args", e.args},
                               {"client", e.client},
                               {"client_name", e.client_name}});
        }
        printJson({{"entries", entries}});
        return kExitOk;
    }
    if (log->empty()) {
        std::printf("The slow log is empty.\n");
        return kExitOk;
    }
    Table t({"ID", "TIME", "DURATION", "COMMAND", "CLIENT"}, {true, false, true, false, false});
    for (const auto& e : *log) {
        std::string command;
        for (const auto& a : e.args) command += (command.empty() ? "" : " ") + a;
        t.add({std::to_string(e.id), isoTimeUtc(e.time_seconds * 1000),
               humanCount(e.duration_us) + " µs", command,
               e.client + (e.client_name.empty() ? "" : " (" + e.client_name + ")")});
    }
    t.print(stdout);
    return kExitOk;
}

}  // namespace

void addServerCommands(CLI::App& app, CliState& state) {
    auto infoTarget = std::make_shared<std::string>();
    auto* info =
        app.add_subcommand("info",
                           "What a Redis server says about itself: version, role, memory, clients, "
                           "keyspace per database, uptime, persistence");
    info->add_option("TARGET", *infoTarget, "Redis URL")->required();
    info->callback([&state, infoTarget] { state.exit_code = runInfo(state, *infoTarget); });

    auto slowTarget = std::make_shared<std::string>();
    auto count = std::make_shared<std::size_t>(10);
    auto* slowlog = app.add_subcommand(
        "slowlog", "A Redis server's slow log, newest first (SLOWLOG GET; read-only)");
    slowlog->add_option("TARGET", *slowTarget, "Redis URL")->required();
    slowlog->add_option("-n,--count", *count, "Entries to show (default 10, at most 1000)")
        ->check(CLI::Range(std::size_t{1}, Source::kMaxSlowlogEntries));
    slowlog->callback(
        [&state, slowTarget, count] { state.exit_code = runSlowlog(state, *slowTarget, *count); });
}

}  // namespace twat_cache::cli
