// Redis connection settings and a connection test, as the Redis dialog needs them.
//
// probeRedis() connects, authenticates, selects the database and sends PING, with a
// timeout; it blocks, so callers run it off the GUI thread (QtConcurrent::run).
//
// Thread safety: RedisEndpoint is a value; probeRedis() may run on any thread.
#pragma once

#include <QString>

#include "twat_cache/status.h"

namespace twat_cache::ui {

struct RedisEndpoint {
    QString host = QStringLiteral("127.0.0.1");
    int port = 6379;
    QString socketPath;  // set: connect over this unix socket instead of TCP
    int db = 0;
    QString user;
    QString password;

    // redis://[user@]host:port/db or unix:///path?db=N; the password is never included.
    QString urlWithoutPassword() const;
};

// Parses redis://[user[:password]@]host[:port][/db] and unix:///path[?db=N].
Result<RedisEndpoint> parseRedisUrl(const QString& url);

// Connects and pings within `timeoutMs`; returns a one-line description of the server
// (e.g. "PONG from Redis 7.0.11, 12 keys in db 0").
Result<QString> probeRedis(const RedisEndpoint& endpoint, int timeoutMs = 3000);

}  // namespace twat_cache::ui
