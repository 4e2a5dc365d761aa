// TlsSession: TLS (OpenSSL) under a hiredis connection, for rediss:// URLs.
//
// Debian 12's hiredis 0.14 has no TLS, but it lets us keep everything above the socket: its
// command formatter fills the context's output buffer and its reply reader parses what is
// fed to it. A TlsSession takes the context's connected TCP socket, performs the handshake,
// and then moves those bytes through SSL_write / SSL_read instead of write(2) / read(2)
// (ReplyTransport, redis_reply_reader.h), so timeouts, deadlines, reply limits and
// pipelining work exactly as for plain TCP.
//
// Verification: the server's certificate must chain to `ca_file` (else the system's trust
// store) and name the host the URL gives (a DNS name, or an IP address in its subjectAltName),
// unless `insecure`. Failures are explained in a person's words: an untrusted certificate, a
// name mismatch, an expired certificate, a port that does not speak TLS, a server that wants
// a client certificate.
//
// Thread safety: a session belongs to one connection, used by one thread at a time.
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "redis/redis_reply_reader.h"
#include "twat_cache/redis_engine.h"
#include "twat_cache/status.h"

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace twat_cache::detail {

class TlsSession final : public ReplyTransport {
  public:
    // Handshakes over ctx->fd (a connected, blocking socket) within `timeout`, verifying the
    // server as the endpoint's TLS options say. Unavailable or PermissionDenied naming
    // `maskedUrl` and the cause.
    static Result<std::unique_ptr<TlsSession>> start(redisContext* ctx,
                                                     const RedisEndpoint& endpoint,
                                                     std::string_view maskedUrl,
                                                     std::chrono::milliseconds timeout);
    ~TlsSession() override;
    TlsSession(const TlsSession&) = delete;
    TlsSession& operator=(const TlsSession&) = delete;

    int write(redisContext* ctx, int* done) override;
    int read(redisContext* ctx) override;
    bool buffered() const override;

    // The negotiated protocol and cipher, e.g. "TLSv1.3 TLS_AES_256_GCM_SHA384".
    std::string description() const;

  private:
    TlsSession(SSL_CTX* ctx, SSL* ssl) : m_ctx(ctx), m_ssl(ssl) {}
    // Records an SSL failure in ctx->err / ctx->errstr as hiredis records its own.
    int fail(redisContext* ctx, int rc, std::string_view doing);

    SSL_CTX* m_ctx;
    SSL* m_ssl;
    bool m_dead = false;  // a fatal error: no close_notify may be sent
};

}  // namespace twat_cache::detail
