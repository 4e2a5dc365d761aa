// A Redis server's own figures in the inspector's types, read on the worker thread: the
// server information (Source::serverInfo), the slow log (Source::slowlog). They are plain
// Qt values that cross threads in queued calls, like those of source_types.h.
//
// The read functions block on the source's I/O: SourceAdapter runs them on its client's
// worker thread.
//
// Thread safety: the types are plain values; use a Source from one thread at a time.
#pragma once

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <optional>

#include "twat_cache/status.h"

namespace twat_cache {
class Source;
}

namespace twat_cache::ui {

// One database of INFO keyspace (twat_cache::KeyspaceDb).
struct KeyspaceRow {
    int db = 0;
    quint64 keys = 0;
    quint64 expires = 0;
    quint64 avgTtlMs = 0;  // 0: none or unknown
};

// What the server says about itself (twat_cache::ServerInfo); nullopt: not reported.
struct ServerInfo {
    QString version, mode, role, node;
    std::optional<quint64> uptimeSeconds;
    std::optional<quint64> connectedClients, blockedClients;
    std::optional<quint64> usedMemory, usedMemoryPeak, maxmemory;  // maxmemory 0: no limit
    QString maxmemoryPolicy;
    std::optional<qint64> rdbLastSaveTime;  // Unix seconds
    QString rdbLastBgsaveStatus;
    std::optional<quint64> rdbChangesSinceLastSave;
    std::optional<bool> aofEnabled;
    QString aofLastWriteStatus;
    QList<KeyspaceRow> keyspace;   // the databases holding keys
    std::optional<int> databases;  // nullopt: the server did not say (16 is Redis's default)
    int db = 0;                    // the database listed
};

// One slow log entry (twat_cache::SlowlogEntry).
struct SlowlogRow {
    quint64 id = 0;
    qint64 timeSeconds = 0;
    quint64 durationUs = 0;
    QStringList args;
    QString client, clientName;
};

Result<ServerInfo> readServerInfo(Source& source);
Result<QList<SlowlogRow>> readSlowlog(Source& source, int count);

// Registers the types above for queued connections.
void registerServerTypes();

}  // namespace twat_cache::ui

Q_DECLARE_METATYPE(twat_cache::ui::ServerInfo)
Q_DECLARE_METATYPE(twat_cache::ui::SlowlogRow)
