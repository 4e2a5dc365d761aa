#include "workers/server_requests.h"

#include <algorithm>

#include "twat_cache/inspect.h"

namespace twat_cache::ui {
namespace {

QString text(const std::string& s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

}  // namespace

Result<ServerInfo> readServerInfo(Source& source) {
    auto info = source.serverInfo();
    if (!info.ok()) return info.status();
    const twat_cache::ServerInfo& i = *info;
    ServerInfo out;
    out.version = text(i.version);
    out.mode = text(i.mode);
    out.role = text(i.role);
    out.node = text(i.node);
    out.uptimeSeconds = i.uptime_seconds;
    out.connectedClients = i.connected_clients;
    out.blockedClients = i.blocked_clients;
    out.usedMemory = i.used_memory;
    out.usedMemoryPeak = i.used_memory_peak;
    out.maxmemory = i.maxmemory;
    out.maxmemoryPolicy = text(i.maxmemory_policy);
    out.rdbLastSaveTime = i.rdb_last_save_time;
    out.rdbLastBgsaveStatus = text(i.rdb_last_bgsave_status);
    out.rdbChangesSinceLastSave = i.rdb_changes_since_last_save;
    out.aofEnabled = i.aof_enabled;
    out.aofLastWriteStatus = text(i.aof_last_write_status);
    for (const auto& d : i.keyspace)
        out.keyspace << KeyspaceRow{d.db, d.keys, d.expires, d.avg_ttl_ms};
    out.databases = i.databases;
    out.db = i.db;
    return out;
}

Result<QList<SlowlogRow>> readSlowlog(Source& source, int count) {
    auto log = source.slowlog(static_cast<std::size_t>(std::max(count, 0)));
    if (!log.ok()) return log.status();
    QList<SlowlogRow> out;
    out.reserve(static_cast<qsizetype>(log->size()));
    for (const auto& e : *log) {
        SlowlogRow row{e.id, e.time_seconds, e.duration_us,
                       {},   text(e.client), text(e.client_name)};
        for (const auto& a : e.args) row.args << text(a);
        out << row;
    }
    return out;
}

void registerServerTypes() {
    qRegisterMetaType<ServerInfo>();
    qRegisterMetaType<SlowlogRow>();
}

}  // namespace twat_cache::ui
