// TlsSession: OpenSSL under a hiredis context (see the header).
#include "redis/redis_tls.h"

#include <arpa/inet.h>
#include <hiredis/read.h>
#include <hiredis/sds.h>  // only its inline functions: its others lack C linkage in C++
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>

namespace twat_cache::detail {

namespace {

constexpr std::size_t kReadChunk = 16 * 1024;

// Every error OpenSSL queued on this thread, oldest first, as one line.
std::string opensslErrors() {
    std::string out;
    char buf[256];
    while (const unsigned long e = ERR_get_error()) {
        ERR_error_string_n(e, buf, sizeof(buf));
        // "error:0A000086:SSL routines::certificate verify failed" -> the part after "::".
        std::string_view text(buf);
        if (const auto at = text.rfind(':'); at != std::string_view::npos) {
            text = text.substr(at + 1);
        }
        if (!out.empty()) out += "; ";
        out += text;
    }
    return out;
}

bool isIpAddress(const std::string& host) {
    unsigned char buf[sizeof(in6_addr)];
    return ::inet_pton(AF_INET, host.c_str(), buf) == 1 ||
           ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

std::string timeText(const ASN1_TIME* t) {
    if (t == nullptr) return "an unknown date";
    std::tm tm{};
    if (ASN1_TIME_to_tm(t, &tm) != 1) return "an unknown date";
    char buf[64];
    std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

std::string nameText(const X509_NAME* name) {
    if (name == nullptr) return "?";
    char buf[256];
    X509_NAME_oneline(name, buf, sizeof(buf));
    return buf;
}

// The names a certificate is for: its DNS and IP subjectAltNames, else its common name.
std::string certificateNames(X509* cert) {
    std::string out;
    auto add = [&out](std::string name) {
        if (!out.empty()) out += ", ";
        out += name;
    };
    auto* sans =
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    for (int i = 0; sans != nullptr && i < sk_GENERAL_NAME_num(sans); ++i) {
        const GENERAL_NAME* n = sk_GENERAL_NAME_value(sans, i);
        if (n->type == GEN_DNS) {
            const auto* s = n->d.dNSName;
            add(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                            static_cast<std::size_t>(ASN1_STRING_length(s))));
        } else if (n->type == GEN_IPADD) {
            const auto* s = n->d.iPAddress;
            char text[INET6_ADDRSTRLEN] = "?";
            const int family = ASN1_STRING_length(s) == 4 ? AF_INET : AF_INET6;
            ::inet_ntop(family, ASN1_STRING_get0_data(s), text, sizeof(text));
            add(text);
        }
    }
    GENERAL_NAMES_free(sans);
    if (out.empty()) {
        char cn[256] = "";
        if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof(cn)) >
            0) {
            add(cn);
        }
    }
    return out.empty() ? "no name" : out;
}

// Why the server's certificate was not accepted, and what to do.
std::string verifyFailure(long result, X509* cert, const RedisEndpoint& ep) {
    const std::string trust =
        ep.tls.ca_file.empty() ? "the system's trust store" : "the CA file " + ep.tls.ca_file;
    const std::string fix =
        "give its CA with ?ca=PATH (twat-cache --tls-ca PATH), or skip verification with "
        "?insecure=1 (--tls-insecure) on a test server only";
    switch (result) {
        case X509_V_ERR_CERT_HAS_EXPIRED:
            return "the server's certificate expired on " +
                   timeText(cert ? X509_get0_notAfter(cert) : nullptr);
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return "the server's certificate is valid only from " +
                   timeText(cert ? X509_get0_notBefore(cert) : nullptr) +
                   " (is this machine's clock right?)";
        case X509_V_ERR_HOSTNAME_MISMATCH:
        case X509_V_ERR_IP_ADDRESS_MISMATCH: {
            const std::string wanted = ep.tls.sni.empty() ? ep.host : ep.tls.sni;
            return "the server's certificate is for " +
                   (cert ? certificateNames(cert) : std::string("other names")) + ", not " +
                   wanted + " (connect by a name it is for, or name it with ?sni=NAME)";
        }
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        case X509_V_ERR_CERT_UNTRUSTED:
            return "the server's certificate (issued by " +
                   nameText(cert ? X509_get_issuer_name(cert) : nullptr) + ") is not trusted by " +
                   trust + ": " + fix;
        default:
            return std::string("the server's certificate was refused: ") +
                   X509_verify_cert_error_string(result);
    }
}

// A handshake or record error in words.
std::string tlsFailure(const std::string& errors) {
    auto has = [&errors](std::string_view s) { return errors.find(s) != std::string::npos; };
    if (has("certificate required")) {
        return "the server requires a client certificate (?cert=&key=, --tls-cert/--tls-key)";
    }
    if (has("wrong version number") || has("packet length too long") ||
        has("record layer failure") || has("unknown protocol")) {
        return "the server does not speak TLS on this port (a plain Redis port? use redis://)";
    }
    if (has("bad certificate") || has("unknown ca") || has("certificate unknown")) {
        return "the server refused this client's certificate (" + errors + ")";
    }
    return "TLS error: " + (errors.empty() ? std::string("unknown") : errors);
}

// Keeps the first certificate that failed verification (the peer's chain is not kept after
// a failed handshake), so that the error can name it.
int rememberFailure(int preverifyOk, X509_STORE_CTX* store) {
    if (preverifyOk == 1) return 1;
    auto* ssl =
        static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    if (ssl != nullptr && SSL_get_app_data(ssl) == nullptr) {
        X509* cert = X509_STORE_CTX_get_current_cert(store);
        if (cert != nullptr && X509_up_ref(cert) == 1) SSL_set_app_data(ssl, cert);
    }
    return 0;
}

void setError(redisContext* ctx, int type, std::string_view text) {
    ctx->err = type;
    const std::size_t n = std::min(text.size(), sizeof(ctx->errstr) - 1);
    std::memcpy(ctx->errstr, text.data(), n);
    ctx->errstr[n] = '\0';
}

Status handshakeError(std::string_view url, std::string text, StatusCode code) {
    std::string msg = "redis " + std::string(url) + ": TLS handshake: " + std::move(text);
    switch (code) {
        case StatusCode::kPermissionDenied:
            return Status::permissionDenied(std::move(msg));
        case StatusCode::kIOError:
            return Status::ioError(std::move(msg));
        default:
            return Status::unavailable(std::move(msg));
    }
}

}  // namespace

Result<std::unique_ptr<TlsSession>> TlsSession::start(redisContext* ctx, const RedisEndpoint& ep,
                                                      std::string_view maskedUrl,
                                                      std::chrono::milliseconds timeout) {
    ERR_clear_error();
    SSL_CTX* sslCtx = SSL_CTX_new(TLS_client_method());
    if (sslCtx == nullptr) return handshakeError(maskedUrl, opensslErrors(), StatusCode::kIOError);
    std::unique_ptr<TlsSession> session(new TlsSession(sslCtx, nullptr));
    SSL_CTX_set_min_proto_version(sslCtx, TLS1_2_VERSION);
    // One read(2) takes in whatever arrived (header and body of a record, and the records
    // after it), not two per record: a reply costs one system call, as over plain TCP.
    SSL_CTX_set_read_ahead(sslCtx, 1);
    const auto& tls = ep.tls;
    if (tls.insecure) {
        SSL_CTX_set_verify(sslCtx, SSL_VERIFY_NONE, nullptr);
    } else {
        SSL_CTX_set_verify(sslCtx, SSL_VERIFY_PEER, rememberFailure);
        const int loaded = tls.ca_file.empty() ? SSL_CTX_set_default_verify_paths(sslCtx)
                                               : SSL_CTX_load_verify_locations(
                                                     sslCtx, tls.ca_file.c_str(), nullptr);
        if (loaded != 1) {
            return Status::invalidArgument("redis " + std::string(maskedUrl) +
                                           ": cannot read the CA file " + tls.ca_file + " (" +
                                           opensslErrors() + ")");
        }
    }
    if (!tls.cert_file.empty()) {
        if (SSL_CTX_use_certificate_chain_file(sslCtx, tls.cert_file.c_str()) != 1) {
            return Status::invalidArgument("redis " + std::string(maskedUrl) +
                                           ": cannot read the client certificate " + tls.cert_file +
                                           " (" + opensslErrors() + ")");
        }
        const bool keyRead =
            SSL_CTX_use_PrivateKey_file(sslCtx, tls.key_file.c_str(), SSL_FILETYPE_PEM) == 1;
        const std::string keyErrors = keyRead ? std::string() : opensslErrors();
        if (!keyRead && keyErrors.find("mismatch") == std::string::npos) {
            return Status::invalidArgument("redis " + std::string(maskedUrl) +
                                           ": cannot read the client key " + tls.key_file + " (" +
                                           keyErrors + ")");
        }
        if (!keyRead || SSL_CTX_check_private_key(sslCtx) != 1) {
            return Status::invalidArgument("redis " + std::string(maskedUrl) + ": the key " +
                                           tls.key_file + " does not belong to the certificate " +
                                           tls.cert_file);
        }
    }
    SSL* ssl = SSL_new(sslCtx);
    if (ssl == nullptr) return handshakeError(maskedUrl, opensslErrors(), StatusCode::kIOError);
    session->m_ssl = ssl;
    SSL_set_fd(ssl, ctx->fd);
    const std::string& name = tls.sni.empty() ? ep.host : tls.sni;
    if (!isIpAddress(name)) {  // SNI carries host names only (SSL_set_tlsext_host_name)
        SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(name.c_str()));
    }
    if (!tls.insecure) {
        const bool ok = isIpAddress(name)
                            ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str()) == 1
                            : SSL_set1_host(ssl, name.c_str()) == 1;
        if (!ok) {
            return Status::invalidArgument("redis " + std::string(maskedUrl) +
                                           ": cannot check the server's name against " + name);
        }
    }
    errno = 0;
    const int rc = SSL_connect(ssl);
    if (rc == 1) return session;

    const int err = SSL_get_error(ssl, rc);
    const int sysErr = errno;
    session->m_dead = true;
    const long verify = SSL_get_verify_result(ssl);
    if (!tls.insecure && verify != X509_V_OK) {
        X509* cert = static_cast<X509*>(SSL_get_app_data(ssl));
        if (cert == nullptr) cert = SSL_get1_peer_certificate(ssl);
        SSL_set_app_data(ssl, nullptr);
        std::string why = verifyFailure(verify, cert, ep);
        X509_free(cert);
        ERR_clear_error();
        return handshakeError(maskedUrl, std::move(why), StatusCode::kPermissionDenied);
    }
    const std::string errors = opensslErrors();
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE || sysErr == EAGAIN ||
        sysErr == EWOULDBLOCK) {
        return Status::timeout("redis " + std::string(maskedUrl) + ": no TLS handshake within " +
                               std::to_string(timeout.count()) +
                               " ms (is the server speaking TLS on this port?)");
    }
    if (err == SSL_ERROR_SYSCALL && errors.empty()) {
        return handshakeError(maskedUrl,
                              sysErr == 0 ? "the server closed the connection (is this a TLS "
                                            "port? does it accept this client?)"
                                          : std::string(std::strerror(sysErr)),
                              StatusCode::kUnavailable);
    }
    return handshakeError(maskedUrl, tlsFailure(errors), StatusCode::kUnavailable);
}

TlsSession::~TlsSession() {
    if (m_ssl != nullptr) {
        X509_free(static_cast<X509*>(SSL_get_app_data(m_ssl)));
        if (!m_dead) SSL_shutdown(m_ssl);  // close_notify; the peer's answer is not awaited
        SSL_free(m_ssl);
    }
    SSL_CTX_free(m_ctx);
}

int TlsSession::fail(redisContext* ctx, int rc, std::string_view doing) {
    const int sysErr = errno;
    const int err = SSL_get_error(m_ssl, rc);
    const std::string errors = opensslErrors();
    switch (err) {
        case SSL_ERROR_ZERO_RETURN:
            setError(ctx, REDIS_ERR_EOF, "Server closed the connection");
            return REDIS_ERR;
        case SSL_ERROR_WANT_READ:
        case SSL_ERROR_WANT_WRITE:
            // The socket's timeout expired (a blocking socket with SO_RCVTIMEO / SO_SNDTIMEO).
            setError(ctx, REDIS_ERR_IO, "Resource temporarily unavailable");
            return REDIS_ERR;
        case SSL_ERROR_SYSCALL:
            m_dead = true;
            if (errors.empty()) {
                if (sysErr == 0) {
                    setError(ctx, REDIS_ERR_EOF, "Server closed the connection");
                } else {
                    setError(ctx, REDIS_ERR_IO, std::strerror(sysErr));
                }
                return REDIS_ERR;
            }
            break;
        default:
            m_dead = true;
            break;
    }
    setError(ctx, REDIS_ERR_IO, std::string(doing) + ": " + tlsFailure(errors));
    return REDIS_ERR;
}

int TlsSession::write(redisContext* ctx, int* done) {
    if (ctx->err != 0) return REDIS_ERR;
    const std::size_t len = sdslen(ctx->obuf);
    if (len > 0) {
        ERR_clear_error();
        errno = 0;
        const int n =
            SSL_write(m_ssl, ctx->obuf, static_cast<int>(std::min<std::size_t>(len, INT_MAX)));
        if (n <= 0) return fail(ctx, n, "TLS write");
        // What is left moves to the front, in place (the buffer keeps its allocation).
        const std::size_t left = len - static_cast<std::size_t>(n);
        std::memmove(ctx->obuf, ctx->obuf + n, left);
        sdssetlen(ctx->obuf, left);
        ctx->obuf[left] = '\0';
    }
    if (done != nullptr) *done = sdslen(ctx->obuf) == 0 ? 1 : 0;
    return REDIS_OK;
}

int TlsSession::read(redisContext* ctx) {
    if (ctx->err != 0) return REDIS_ERR;
    char buf[kReadChunk];
    ERR_clear_error();
    errno = 0;
    const int n = SSL_read(m_ssl, buf, sizeof(buf));
    if (n <= 0) return fail(ctx, n, "TLS read");
    if (redisReaderFeed(ctx->reader, buf, static_cast<std::size_t>(n)) != REDIS_OK) {
        setError(ctx, ctx->reader->err, ctx->reader->errstr);
        return REDIS_ERR;
    }
    return REDIS_OK;
}

bool TlsSession::buffered() const {
    // With read-ahead, bytes read from the socket but not yet decrypted count too.
    return SSL_has_pending(m_ssl) == 1;
}

std::string TlsSession::description() const {
    return std::string(SSL_get_version(m_ssl)) + " " + SSL_get_cipher_name(m_ssl);
}

}  // namespace twat_cache::detail
