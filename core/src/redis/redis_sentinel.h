// Redis Sentinel discovery: finds the master of a redis+sentinel:// URL's service by asking
// its sentinels (docs/REDIS.md, "Sentinel").
//
// RedisConnection::open() calls this for a Sentinel endpoint, so every new connection of a
// pool, of the CLI and of the inspector asks again: after a failover the next connection
// reaches the new master. Connections found this way drop themselves when the server answers
// READONLY (it was demoted), and the pool drops idle connections to a former master.
//
// Thread safety: a free function over its arguments; safe from any thread.
#pragma once

#include <memory>
#include <string>

#include "redis/redis_connection.h"

namespace twat_cache::detail {

// "host:port", with IPv6 hosts in brackets.
std::string hostPort(const std::string& host, int port);

// Asks the sentinels of settings.endpoint, in order (each bounded by the connect and command
// timeouts), `SENTINEL get-master-addr-by-name SERVICE`; opens a connection to the address
// given (TLS, AUTH, SELECT, PING as for any server) and checks with ROLE that it is a master,
// else asks the next sentinel. The connection's node() then reads
// "master HOST:PORT via sentinel SERVICE". Errors, worded for people:
//   Unavailable  "no sentinel answered (…each sentinel's failure…)"
//   NotFound     "sentinels do not know service X"
//   Unavailable  "the address sentinels gave is not a master (HOST:PORT is a slave)"
//   PermissionDenied from the sentinels' AUTH; the master's own errors otherwise.
Result<std::unique_ptr<RedisConnection>> openViaSentinel(const ConnectSettings& settings);

// `note` ("Redis 7.0.15, db 0") ending with the node `conn` is on (", master HOST:PORT via
// sentinel SERVICE"), in place of any node it named before; unchanged for a server named by
// the URL.
std::string withNode(std::string note, const RedisConnection& conn);

}  // namespace twat_cache::detail
