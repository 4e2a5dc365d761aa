#include "workers/redis_endpoint.h"

#include <QUrl>
#include <optional>

namespace twat_cache::ui {
namespace {

constexpr int kSentinelPort = 26379;

// Percent-encodes `value`, leaving `keep` (and the unreserved characters) as they are.
QString encode(const QString& value, const QByteArray& keep = {}) {
    return QString::fromLatin1(QUrl::toPercentEncoding(value, keep));
}

QString decode(const QString& value) {
    return QUrl::fromPercentEncoding(value.toUtf8());
}

// "host:port", bracketing an IPv6 address.
QString hostPort(const QString& host, int port) {
    const QString shown =
        host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host;
    return QStringLiteral("%1:%2").arg(shown).arg(port);
}

struct HostPort {
    QString host;
    int port = 0;
};

// "host", "host:port", "[v6]" or "[v6]:port"; nullopt when malformed.
std::optional<HostPort> parseHostPort(const QString& text, int defaultPort) {
    HostPort out{{}, defaultPort};
    QString portText;
    if (text.startsWith(QLatin1Char('['))) {
        const qsizetype close = text.indexOf(QLatin1Char(']'));
        if (close < 0) return std::nullopt;
        out.host = text.mid(1, close - 1);
        const QString tail = text.mid(close + 1);
        if (!tail.isEmpty() && !tail.startsWith(QLatin1Char(':'))) return std::nullopt;
        portText = tail.mid(1);
    } else {
        const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
        out.host = colon < 0 ? text : text.left(colon);
        if (colon >= 0) portText = text.mid(colon + 1);
    }
    if (out.host.isEmpty()) return std::nullopt;
    if (!portText.isEmpty() || text.endsWith(QLatin1Char(':'))) {
        bool ok = false;
        out.port = portText.toInt(&ok);
        if (!ok || out.port < 1 || out.port > 65535) return std::nullopt;
    }
    return out;
}

// `text` with the password of its user part, if any, replaced by "****" (for messages).
QString maskPassword(const QString& text) {
    const qsizetype start = text.indexOf(QStringLiteral("://"));
    if (start < 0) return text;
    qsizetype end = text.indexOf(QLatin1Char('/'), start + 3);
    const qsizetype query = text.indexOf(QLatin1Char('?'), start + 3);
    if (end < 0 || (query >= 0 && query < end)) end = query;
    const qsizetype at = text.lastIndexOf(QLatin1Char('@'), end < 0 ? -1 : end);
    const qsizetype colon = text.indexOf(QLatin1Char(':'), start + 3);
    if (at <= start || colon < 0 || colon > at) return text;
    return text.left(colon + 1) + QStringLiteral("****") + text.mid(at);
}

// The URL of `ep` with `extra` query options after its own.
QString buildUrl(const RedisEndpoint& ep, const QStringList& extra) {
    QStringList query;
    QString url;
    if (!ep.socketPath.isEmpty()) {
        url = QStringLiteral("unix://") + ep.socketPath;
        query << QStringLiteral("db=%1").arg(ep.db);
    } else {
        QString scheme = ep.tls.enabled ? QStringLiteral("rediss") : QStringLiteral("redis");
        if (ep.isSentinel()) scheme += QStringLiteral("+sentinel");
        const QString user = ep.user.isEmpty() ? QString() : encode(ep.user) + QLatin1Char('@');
        const QString hosts =
            ep.isSentinel() ? ep.sentinels.join(QLatin1Char(',')) : hostPort(ep.host, ep.port);
        const QString path = ep.isSentinel()
                                 ? QStringLiteral("/%1/%2").arg(encode(ep.service)).arg(ep.db)
                                 : QStringLiteral("/%1").arg(ep.db);
        url = scheme + QStringLiteral("://") + user + hosts + path;
        if (ep.tls.enabled) {
            const auto file = [&](const char* name, const QString& value) {
                if (!value.isEmpty()) query << QLatin1String(name) + encode(value, "/");
            };
            file("ca=", ep.tls.caFile);
            file("cert=", ep.tls.certFile);
            file("key=", ep.tls.keyFile);
            if (!ep.tls.serverName.isEmpty())
                query << QStringLiteral("sni=") + encode(ep.tls.serverName);
            if (ep.tls.insecure) query << QStringLiteral("insecure=1");
        }
    }
    if (ep.ssh.enabled()) {
        const QString user =
            ep.ssh.user.isEmpty() ? QString() : encode(ep.ssh.user) + QLatin1Char('@');
        const QString port = ep.ssh.port == 22 ? QString() : QStringLiteral(":%1").arg(ep.ssh.port);
        const QString host = ep.ssh.host.contains(QLatin1Char(':'))
                                 ? QLatin1Char('[') + ep.ssh.host + QLatin1Char(']')
                                 : ep.ssh.host;
        query << QStringLiteral("ssh=") + user + encode(host, "[]:") + port;
        if (!ep.ssh.keyFile.isEmpty())
            query << QStringLiteral("ssh_key=") + encode(ep.ssh.keyFile, "/");
        if (ep.ssh.acceptNew) query << QStringLiteral("ssh_accept_new=1");
    }
    query << extra;
    return query.isEmpty() ? url : url + QLatin1Char('?') + query.join(QLatin1Char('&'));
}

// Applies one `name=value` query option (value already decoded); empty when it does not apply.
QString applyOption(RedisEndpoint& ep, const QString& name, const QString& value) {
    const auto flag = [&](bool& out) {
        out = value == QLatin1String("1") || value == QLatin1String("true");
        return out || value == QLatin1String("0") || value == QLatin1String("false")
                   ? QString()
                   : QStringLiteral("option %1 takes 1 or 0, not \"%2\"").arg(name, value);
    };
    const bool tlsOption = name == QLatin1String("ca") || name == QLatin1String("cert") ||
                           name == QLatin1String("key") || name == QLatin1String("sni") ||
                           name == QLatin1String("insecure");
    if (tlsOption && !ep.tls.enabled) {
        return QStringLiteral("option %1 is a TLS option: it needs a rediss:// URL").arg(name);
    }
    if (name == QLatin1String("db")) {
        bool ok = false;
        ep.db = value.toInt(&ok);
        return ok && ep.db >= 0 ? QString()
                                : QStringLiteral("database \"%1\" is not a number").arg(value);
    }
    if (name == QLatin1String("user"))
        ep.user = value;
    else if (name == QLatin1String("password"))
        ep.password = value;
    else if (name == QLatin1String("ca"))
        ep.tls.caFile = value;
    else if (name == QLatin1String("cert"))
        ep.tls.certFile = value;
    else if (name == QLatin1String("key"))
        ep.tls.keyFile = value;
    else if (name == QLatin1String("sni"))
        ep.tls.serverName = value;
    else if (name == QLatin1String("insecure"))
        return flag(ep.tls.insecure);
    else if (name == QLatin1String("ssh_key"))
        ep.ssh.keyFile = value;
    else if (name == QLatin1String("ssh_accept_new"))
        return flag(ep.ssh.acceptNew);
    else if (name == QLatin1String("ssh")) {
        const qsizetype at = value.lastIndexOf(QLatin1Char('@'));
        ep.ssh.user = at < 0 ? QString() : value.left(at);
        const auto host = parseHostPort(value.mid(at + 1), 22);
        if (!host) return QStringLiteral("ssh=%1 is not user@host[:port]").arg(value);
        ep.ssh.host = host->host;
        ep.ssh.port = host->port;
    } else {
        return QStringLiteral(
                   "unknown option \"%1\" (db, user, ca, cert, key, sni, insecure, "
                   "ssh, ssh_key, ssh_accept_new)")
            .arg(name);
    }
    return {};
}

// Fills the address part of `ep` from `rest` (after "scheme://", before '?'); empty when it
// is well formed, else what is wrong.
QString parseAddress(RedisEndpoint& ep, const QString& scheme, const QString& rest) {
    if (scheme == QLatin1String("unix")) {
        ep.socketPath = rest;
        return rest.startsWith(QLatin1Char('/')) && rest.size() > 1
                   ? QString()
                   : QStringLiteral("needs unix:///path/to/socket[?db=N]");
    }
    const bool sentinel = scheme.endsWith(QLatin1String("+sentinel"));
    const QString base = sentinel ? scheme.chopped(9) : scheme;
    if (base != QLatin1String("redis") && base != QLatin1String("rediss")) {
        return QStringLiteral("must start with redis://, rediss://, redis+sentinel:// or unix://");
    }
    ep.tls.enabled = base == QLatin1String("rediss");
    const qsizetype slash = rest.indexOf(QLatin1Char('/'));
    QString authority = slash < 0 ? rest : rest.left(slash);
    const QStringList path =
        slash < 0 ? QStringList() : rest.mid(slash + 1).split(QLatin1Char('/'), Qt::SkipEmptyParts);
    if (const qsizetype at = authority.lastIndexOf(QLatin1Char('@')); at >= 0) {
        const QString userinfo = authority.left(at);
        const qsizetype colon = userinfo.indexOf(QLatin1Char(':'));
        ep.user = decode(userinfo.left(colon));
        if (colon >= 0) ep.password = decode(userinfo.mid(colon + 1));
        authority = authority.mid(at + 1);
    }
    if (authority.isEmpty()) return QStringLiteral("has no host");
    QString dbText;
    if (sentinel) {
        for (const QString& item : authority.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const auto node = parseHostPort(item, kSentinelPort);
            if (!node) return QStringLiteral("Sentinel \"%1\" is not host:port").arg(item);
            ep.sentinels << hostPort(node->host, node->port);
        }
        if (path.isEmpty()) return QStringLiteral("needs the Sentinel service: …/SERVICE[/db]");
        ep.service = decode(path.at(0));
        if (path.size() > 2) return QStringLiteral("has more path than /SERVICE/db");
        dbText = path.value(1);
    } else {
        const auto node = parseHostPort(authority, 6379);
        if (!node) return QStringLiteral("\"%1\" is not host:port").arg(authority);
        ep.host = node->host;
        ep.port = node->port;
        if (path.size() > 1) return QStringLiteral("has more path than /db");
        dbText = path.value(0);
    }
    if (dbText.isEmpty()) return {};
    return applyOption(ep, QStringLiteral("db"), dbText);
}

}  // namespace

QString RedisEndpoint::urlWithoutPassword() const {
    return buildUrl(*this, {});
}

QString RedisEndpoint::coreUrl(int timeoutMs) const {
    QStringList extra;
    if (!password.isEmpty()) extra << QStringLiteral("password=") + encode(password);
    if (timeoutMs > 0) extra << QStringLiteral("connect_timeout=%1ms&timeout=%1ms").arg(timeoutMs);
    return buildUrl(*this, extra);
}

QString RedisEndpoint::place() const {
    if (!socketPath.isEmpty()) return socketPath;
    if (isSentinel())
        return QStringLiteral("%1 via %2").arg(service, sentinels.join(QLatin1Char(',')));
    return hostPort(host, port);
}

Result<RedisEndpoint> parseRedisUrl(const QString& input) {
    const QString text = input.trimmed();
    const auto fail = [&](const QString& why) {
        return Status::invalidArgument(
            QStringLiteral("\"%1\" %2").arg(maskPassword(text), why).toStdString());
    };
    const qsizetype sep = text.indexOf(QStringLiteral("://"));
    if (sep <= 0) return fail(QStringLiteral("is not a Redis URL"));
    RedisEndpoint ep;
    QString rest = text.mid(sep + 3);
    QString query;
    if (const qsizetype q = rest.indexOf(QLatin1Char('?')); q >= 0) {
        query = rest.mid(q + 1);
        rest.truncate(q);
    }
    if (QString why = parseAddress(ep, text.left(sep).toLower(), rest); !why.isEmpty()) {
        return fail(why);
    }
    for (const QString& item : query.split(QLatin1Char('&'), Qt::SkipEmptyParts)) {
        const qsizetype eq = item.indexOf(QLatin1Char('='));
        if (eq <= 0) return fail(QStringLiteral("option \"%1\" has no value").arg(item));
        if (QString why = applyOption(ep, item.left(eq), decode(item.mid(eq + 1)));
            !why.isEmpty()) {
            return fail(why);
        }
    }
    return ep;
}

}  // namespace twat_cache::ui
