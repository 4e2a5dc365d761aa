// Redis connection settings as the Redis dialog edits them: host/port/db, a unix socket, a
// user and a password, parsed from and turned into URLs. The connection test itself is the
// core's (testRedisConnection in source_adapter.h); nothing here talks to a server.
//
// Thread safety: RedisEndpoint is a value; the functions are pure.
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
    // The same URL for the core (twat_cache::parseRedisUrl), with the password (percent-
    // encoded) and both timeouts as query options. Never shown nor stored.
    QString coreUrl(int timeoutMs) const;
};

// Parses redis://[user[:password]@]host[:port][/db] and unix:///path[?db=N].
Result<RedisEndpoint> parseRedisUrl(const QString& url);

}  // namespace twat_cache::ui
