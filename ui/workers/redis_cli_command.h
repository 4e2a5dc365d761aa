// A redis-cli command line that reads one key's value, for the clipboard (Edit ▸ Copy as
// redis-cli Command): the connection's host and port (or unix socket), database, user and TLS
// options, then the read command for the key's type, every argument quoted for a POSIX shell.
//
//   redis-cli -h 127.0.0.1 -p 6379 -n 2 --askpass HGETALL 'user:1'
//
// A password never enters the command: a connection with one (or with an ACL user) gets
// --askpass, so redis-cli asks for it. A Sentinel or SSH-tunnelled connection cannot be
// reached by redis-cli alone: the command then says so in a trailing shell comment.
//
// Thread safety: pure functions.
#pragma once

#include <QByteArray>
#include <QString>

#include "twat_cache/status.h"
#include "workers/redis_endpoint.h"

namespace twat_cache::ui {

// `text` as one POSIX shell word: unchanged when it holds only characters no shell treats
// specially, else in single quotes ('it'\''s'); bytes that are not printable UTF-8 (a newline,
// \xff) make it an ANSI-C quoted $'…' word with \xNN escapes (bash, zsh, ksh, POSIX 2024).
QString shellQuote(const QByteArray& text);

// The key an inspector entry id names (Redis ids are the key, or "hex:6e 65 …" for keys that
// are not printable UTF-8); InvalidArgument for a long key's id ("long:…"), which names a
// key too long to put on a command line.
Result<QByteArray> redisKeyOfId(const QByteArray& id);

// The command reading `key` of Redis `type` ("string" GET, "hash" HGETALL, "list" LRANGE 0 -1,
// "set" SMEMBERS, "zset" ZRANGE 0 -1 WITHSCORES, "stream" XRANGE - +; other types TYPE) on
// `endpoint`; `hasPassword`: the connection authenticates (its password is not in `endpoint`);
// `cluster`: the server is a Redis Cluster node (-c: redis-cli follows its redirections).
QString redisCliCommand(const RedisEndpoint& endpoint, bool hasPassword, const QByteArray& key,
                        const QString& type, bool cluster = false);

}  // namespace twat_cache::ui
