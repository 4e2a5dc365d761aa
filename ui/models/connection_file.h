// The saved connections as a JSON file, to export and import them — never with a secret:
//
//   {"format": "twat-cache-inspector connections", "version": 1,
//    "connections": [{"name": "cache (prod)", "url": "rediss://app@h:6380/0?ca=…",
//                     "color": "#c62828", "separator": ":", "production": true}, …]}
//
// The URL is written without its password (RedisEndpoint::urlWithoutPassword); an imported
// URL that carries one loses it. Ids are not exported: each imported connection gets a fresh
// one, so importing never reaches another connection's secrets.
//
// Thread safety: pure functions.
#pragma once

#include <QByteArray>
#include <QList>

#include "twat_cache/status.h"
#include "workers/source_types.h"

namespace twat_cache::ui {

// The file's text for `connections` (Redis sources; others are left out).
QByteArray exportConnections(const QList<SourceRef>& connections);

// The connections of a file's text; a file that is not such a list (not JSON, another
// format or version, a connection without a name or with a URL that does not parse) is an
// error that says what is wrong, and nothing of it is imported.
Result<QList<SourceRef>> importConnections(const QByteArray& text);

struct ConnectionMerge {
    QList<SourceRef> added;  // to add, renamed "name (2)", … where the name was taken
    int unchanged = 0;       // already saved as they are: left out
};

// What importing `incoming` into `existing` adds.
ConnectionMerge mergeConnections(const QList<SourceRef>& existing,
                                 const QList<SourceRef>& incoming);

}  // namespace twat_cache::ui
