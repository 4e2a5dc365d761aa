#include "workers/failure_text.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace twat_cache::ui {
namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("FailureText", text);
}

bool has(const QString& text, const char* part) {
    return text.contains(QLatin1String(part), Qt::CaseInsensitive);
}

// The core's URL errors quote the whole URL, options and timeouts included
// ("\"rediss://h:6380/0?…\" is not a Redis URL: …"): name the
// server instead and keep what the core found wrong.
QString describeUrlFailure(const QString& message, const RedisEndpoint& endpoint,
                           const Status& status) {
    static const QRegularExpression kQuoted(QStringLiteral("^\"[^\"]*\":? (.*)$"),
                                            QRegularExpression::DotMatchesEverythingOption);
    const QRegularExpressionMatch quoted = kQuoted.match(message);
    if (!quoted.hasMatch()) return QString::fromStdString(status.toString());
    QString what = quoted.captured(1);
    static const QLatin1String kNotUrl("is not a Redis URL: ");
    if (what.startsWith(kNotUrl)) {
        what = tr("this build does not take the URL: %1").arg(what.mid(kNotUrl.size()));
    }
    return tr("%1: %2").arg(endpoint.place(), what);
}

// The core's TLS advice names URL options and CLI flags ("give its CA with ?ca=PATH
// (twat-cache --tls-ca PATH), or ..."); in the inspector these are fields of the connection's
// TLS tab, so the advice names those instead. Unknown advice stays as the core says it.
QString tlsAdviceForTheDialog(QString what) {
    struct Advice {
        const char* core;
        const char* dialog;
    };
    static const Advice kAdvice[] = {
        {"give its CA with ?ca=PATH (twat-cache --tls-ca PATH), or skip verification with "
         "?insecure=1 (--tls-insecure) on a test server only",
         QT_TRANSLATE_NOOP("FailureText",
                           "give its CA certificate in the TLS tab, or, on a test server only, "
                           "do not verify the server's certificate")},
        {"or name it with ?sni=NAME",
         QT_TRANSLATE_NOOP("FailureText", "or give one as the server name (SNI) in the TLS tab")},
        {"(?cert=&key=, --tls-cert/--tls-key)",
         QT_TRANSLATE_NOOP("FailureText", "(a client certificate and key in the TLS tab)")},
        {"(a plain Redis port? use redis://)",
         QT_TRANSLATE_NOOP("FailureText", "(a plain Redis port? turn off Use TLS)")},
        {"if the server expects TLS, use rediss://",
         QT_TRANSLATE_NOOP("FailureText", "if the server expects TLS, turn on Use TLS")},
    };
    for (const Advice& advice : kAdvice) {
        what.replace(QLatin1String(advice.core), tr(advice.dialog));
    }
    return what;
}

// "the server closed the connection (Connection reset by peer); if the server expects
// TLS, ..." keeps its advice after the plain words.
QString withAdvice(const QString& plain, const QString& what) {
    const qsizetype semicolon = what.indexOf(QLatin1String("; "));
    if (semicolon < 0) return plain;
    return plain + tlsAdviceForTheDialog(what.mid(semicolon));
}

}  // namespace

QString describeRedisFailure(const Status& status, const RedisEndpoint& endpoint) {
    const QString message = QString::fromStdString(status.message());
    // The connection layer says "redis <url>: <step>: <what happened>", or without a step
    // ("redis <url>: no TLS handshake within 3000 ms (...)", "...: cannot read the CA file
    // /etc/ca.pem (...)"): a step has no path nor parenthesis in it.
    static const QRegularExpression kLayer(QStringLiteral("^redis \\S+: (?:([^:/()]*): )?(.*)$"),
                                           QRegularExpression::DotMatchesEverythingOption);
    const QRegularExpressionMatch match = kLayer.match(message);
    if (!match.hasMatch()) return describeUrlFailure(message, endpoint, status);
    const QString what = match.captured(2);
    const QString place = endpoint.place();
    // A refused TLS handshake says why (an untrusted or expired certificate, a name
    // mismatch, a client certificate required) and what to do: keep all of it, of the server.
    if (match.captured(1) == QLatin1String("TLS handshake")) {
        return tr("TLS handshake with %1: %2").arg(place, tlsAdviceForTheDialog(what));
    }
    switch (status.code()) {
        case StatusCode::kTimeout: {
            static const QRegularExpression kWithin(QStringLiteral("within (\\d+) ms"));
            const QRegularExpressionMatch ms = kWithin.match(what);
            if (has(what, "no TLS handshake") && ms.hasMatch()) {
                return tr("No TLS handshake with %1 within %2 ms (is the server speaking TLS on "
                          "this port?)")
                    .arg(place, ms.captured(1));
            }
            return ms.hasMatch() ? tr("No answer from %1 within %2 ms").arg(place, ms.captured(1))
                                 : tr("No answer from %1").arg(place);
        }
        case StatusCode::kPermissionDenied:
            if (has(what, "NOAUTH")) return tr("%1 needs a password").arg(place);
            if (has(what, "without any password")) {
                return tr("%1 has no password set, but one was given").arg(place);
            }
            if (has(what, "NOPERM")) return tr("The user may not do this on %1").arg(place);
            return tr("Wrong user name or password for %1").arg(place);
        case StatusCode::kInvalidArgument:
            if (has(what, "DB index")) {
                return tr("Database %1 does not exist on %2").arg(endpoint.db).arg(place);
            }
            break;
        default:
            break;
    }
    if (has(what, "not known") || has(what, "name resolution") ||
        has(what, "no address associated") || has(what, "nodename nor servname")) {
        return tr("No such host: %1").arg(endpoint.host);
    }
    if (has(what, "refused")) return tr("Connection refused by %1").arg(place);
    if (has(what, "No such file") && !endpoint.socketPath.isEmpty()) {
        return tr("No socket at %1").arg(place);
    }
    if (has(what, "closed the connection")) {
        return withAdvice(tr("%1 closed the connection").arg(place), what);
    }
    if (has(what, "not a Redis server")) return tr("%1 is not a Redis server").arg(place);
    if (has(what, "network is unreachable") || has(what, "no route to host")) {
        return tr("Cannot reach %1 (no route to it)").arg(place);
    }
    QString detail = what;
    // "Timeout reading" reads on as "timeout reading"; a server's word in capitals ("MOVED",
    // "NOAUTH") stays as the server said it.
    if (detail.size() > 1 && detail[1].isLower()) detail[0] = detail[0].toLower();
    return tr("%1: %2").arg(place, detail);
}

QString describeFailure(const Status& status, const SourceRef& ref) {
    if (ref.kind == SourceKind::kRedis) {
        auto endpoint = parseRedisUrl(ref.location);
        if (endpoint.ok()) return describeRedisFailure(status, *endpoint);
    }
    return QString::fromStdString(status.toString());
}

}  // namespace twat_cache::ui
