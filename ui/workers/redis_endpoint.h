// Redis connection settings as the Redis dialog edits them: host/port/db, a unix socket or a
// list of Sentinels, a user and a password, TLS and SSH tunnel options — parsed from and
// turned into the URLs of the core's connection layer:
//
//   redis[s]://[user@]host:port/db[?options]
//   redis[s]+sentinel://[user@]h1:p1[,h2:p2…]/SERVICE[/db][?options]
//   unix:///path?db=N[&options]
//
// with the options ca=PATH, cert=PATH, key=PATH, sni=NAME, insecure=1 (TLS; `rediss` schemes)
// and ssh=user@host[:port], ssh_key=PATH, ssh_accept_new=1 (SSH tunnel); paths are
// percent-encoded. Secrets never enter a URL that is shown or stored: the Redis password only
// goes into coreUrl() (handed to the core, never kept), and the SSH password or key
// passphrase into no URL at all. The GUI only writes these options; TLS and SSH themselves are
// the core's. Nothing here talks to a server (the test is testRedisConnection, in
// source_adapter.h).
//
// Thread safety: the structs are values; the functions are pure.
#pragma once

#include <QString>
#include <QStringList>

#include "twat_cache/status.h"

namespace twat_cache::ui {

// TLS options of a connection (scheme rediss://).
struct RedisTls {
    bool enabled = false;
    QString caFile;         // ca=: CA bundle to verify the server with (empty: the system's)
    QString certFile;       // cert=: client certificate (mutual TLS)
    QString keyFile;        // key=: the client certificate's private key
    QString serverName;     // sni=: name to ask for and verify (empty: the host)
    bool insecure = false;  // insecure=1: skip verifying the server's certificate

    bool operator==(const RedisTls&) const = default;
};

// An SSH tunnel to reach the server through (ssh=user@host:port).
struct RedisSsh {
    QString user;
    QString host;  // empty: no tunnel
    int port = 22;
    QString keyFile;         // ssh_key=: private key (empty: the agent's or the defaults)
    bool acceptNew = false;  // ssh_accept_new=1: trust a host key not seen before

    bool enabled() const { return !host.isEmpty(); }
    bool operator==(const RedisSsh&) const = default;
};

struct RedisEndpoint {
    QString host = QStringLiteral("127.0.0.1");
    int port = 6379;
    QString socketPath;  // set: connect over this unix socket instead of TCP
    // Set: ask these Sentinels ("host:port" each) for the master of `service`.
    QStringList sentinels;
    QString service;
    int db = 0;
    QString user;
    QString password;
    RedisTls tls;
    RedisSsh ssh;

    bool isSentinel() const { return !sentinels.isEmpty(); }
    // The URL shown and stored: every option but the password.
    QString urlWithoutPassword() const;
    // The same URL for the core (twat_cache::parseRedisUrl), with the password (percent-
    // encoded) and, when `timeoutMs` > 0, both timeouts as query options. Never shown nor
    // stored.
    QString coreUrl(int timeoutMs = 0) const;
    // "127.0.0.1:6379", the socket's path, or "SERVICE via h1:p1,h2:p2", for messages.
    QString place() const;

    bool operator==(const RedisEndpoint&) const = default;
};

// Parses the URLs above (and a password in the user part); options it does not know are
// errors that name them.
Result<RedisEndpoint> parseRedisUrl(const QString& url);

}  // namespace twat_cache::ui
