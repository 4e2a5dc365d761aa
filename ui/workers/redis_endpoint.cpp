#include "workers/redis_endpoint.h"

#include <QUrl>
#include <QUrlQuery>

namespace twat_cache::ui {
QString RedisEndpoint::urlWithoutPassword() const {
    if (!socketPath.isEmpty()) {
        return QStringLiteral("unix://%1?db=%2").arg(socketPath).arg(db);
    }
    const QString userPart = user.isEmpty() ? QString() : user + QLatin1Char('@');
    return QStringLiteral("redis://%1%2:%3/%4").arg(userPart, host).arg(port).arg(db);
}

QString RedisEndpoint::coreUrl(int timeoutMs) const {
    QString url = urlWithoutPassword();
    url += url.contains(QLatin1Char('?')) ? QLatin1Char('&') : QLatin1Char('?');
    if (!password.isEmpty()) {
        url += QStringLiteral("password=") +
               QString::fromLatin1(QUrl::toPercentEncoding(password)) + QLatin1Char('&');
    }
    return url + QStringLiteral("connect_timeout=%1ms&timeout=%1ms").arg(timeoutMs);
}

Result<RedisEndpoint> parseRedisUrl(const QString& text) {
    const QUrl url(text.trimmed(), QUrl::StrictMode);
    if (!url.isValid()) {
        return Status::invalidArgument("\"" + text.toStdString() + "\" is not a Redis URL");
    }
    RedisEndpoint endpoint;
    endpoint.user = url.userName();
    endpoint.password = url.password();
    if (url.scheme() == QLatin1String("unix")) {
        endpoint.socketPath = url.path();
        const QString db = QUrlQuery(url).queryItemValue(QStringLiteral("db"));
        bool ok = true;
        endpoint.db = db.isEmpty() ? 0 : db.toInt(&ok);
        if (!ok || endpoint.socketPath.isEmpty()) {
            return Status::invalidArgument("\"" + text.toStdString() +
                                           "\" needs unix:///path/to/socket[?db=N]");
        }
        return endpoint;
    }
    if (url.scheme() != QLatin1String("redis")) {
        return Status::invalidArgument("\"" + text.toStdString() +
                                       "\" must start with redis:// or unix://");
    }
    if (url.host().isEmpty()) {
        return Status::invalidArgument("\"" + text.toStdString() + "\" has no host");
    }
    endpoint.host = url.host();
    endpoint.port = url.port(6379);
    QString path = url.path();
    if (path.startsWith(QLatin1Char('/'))) path.remove(0, 1);
    bool ok = true;
    endpoint.db = path.isEmpty() ? 0 : path.toInt(&ok);
    if (!ok || endpoint.db < 0) {
        return Status::invalidArgument("\"" + text.toStdString() + "\": database \"" +
                                       path.toStdString() + "\" is not a number");
    }
    return endpoint;
}

}  // namespace twat_cache::ui
