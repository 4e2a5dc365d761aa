#include "workers/redis_probe.h"

#include <hiredis/hiredis.h>

#include <QUrl>
#include <QUrlQuery>
#include <memory>

namespace twat_cache::ui {
namespace {

struct ContextFree {
    void operator()(redisContext* context) const { redisFree(context); }
};
struct ReplyFree {
    void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextFree>;
using ReplyPtr = std::unique_ptr<redisReply, ReplyFree>;

timeval toTimeval(int ms) {
    timeval tv{};
    tv.tv_sec = ms / 1000;
    tv.tv_usec = (ms % 1000) * 1000;
    return tv;
}

// Runs one command given as separate arguments (no format-string parsing of user data).
Result<ReplyPtr> command(redisContext* context, const QList<QByteArray>& args) {
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const QByteArray& arg : args) {
        argv.push_back(arg.constData());
        lengths.push_back(static_cast<size_t>(arg.size()));
    }
    ReplyPtr reply(static_cast<redisReply*>(
        redisCommandArgv(context, static_cast<int>(argv.size()), argv.data(), lengths.data())));
    if (!reply) {
        return Status::unavailable(std::string("redis: ") + context->errstr);
    }
    if (reply->type == REDIS_REPLY_ERROR) {
        return Status::permissionDenied(
            "redis " + args.front().toStdString() + ": " +
            std::string(reply->str, static_cast<std::size_t>(reply->len)));
    }
    return reply;
}

QString replyText(const redisReply& reply) {
    return QString::fromUtf8(reply.str, static_cast<qsizetype>(reply.len));
}

}  // namespace

QString RedisEndpoint::urlWithoutPassword() const {
    if (!socketPath.isEmpty()) {
        return QStringLiteral("unix://%1?db=%2").arg(socketPath).arg(db);
    }
    const QString userPart = user.isEmpty() ? QString() : user + QLatin1Char('@');
    return QStringLiteral("redis://%1%2:%3/%4").arg(userPart, host).arg(port).arg(db);
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

Result<QString> probeRedis(const RedisEndpoint& endpoint, int timeoutMs) {
    const timeval tv = toTimeval(timeoutMs);
    const QByteArray where =
        endpoint.socketPath.isEmpty()
            ? (endpoint.host + QLatin1Char(':') + QString::number(endpoint.port)).toUtf8()
            : endpoint.socketPath.toUtf8();
    ContextPtr context(
        endpoint.socketPath.isEmpty()
            ? redisConnectWithTimeout(endpoint.host.toUtf8().constData(), endpoint.port, tv)
            : redisConnectUnixWithTimeout(where.constData(), tv));
    if (!context) return Status::unavailable("redis " + where.toStdString() + ": out of memory");
    if (context->err != 0) {
        return Status::unavailable("redis " + where.toStdString() + ": " + context->errstr);
    }
    redisSetTimeout(context.get(), tv);
    if (!endpoint.password.isEmpty()) {
        QList<QByteArray> auth{QByteArrayLiteral("AUTH")};
        if (!endpoint.user.isEmpty()) auth << endpoint.user.toUtf8();
        auth << endpoint.password.toUtf8();
        auto reply = command(context.get(), auth);
        if (!reply.ok()) return reply.status();
    }
    if (endpoint.db != 0) {
        auto reply =
            command(context.get(), {QByteArrayLiteral("SELECT"), QByteArray::number(endpoint.db)});
        if (!reply.ok()) return reply.status();
    }
    auto pong = command(context.get(), {QByteArrayLiteral("PING")});
    if (!pong.ok()) return pong.status();
    QString version = QStringLiteral("?");
    auto info = command(context.get(), {QByteArrayLiteral("INFO"), QByteArrayLiteral("server")});
    if (info.ok() && (*info)->type == REDIS_REPLY_STRING) {
        for (const QString& line : replyText(**info).split(QLatin1Char('\n'))) {
            if (line.startsWith(QLatin1String("redis_version:"))) {
                version = line.mid(14).trimmed();
            }
        }
    }
    qlonglong keys = -1;
    auto size = command(context.get(), {QByteArrayLiteral("DBSIZE")});
    if (size.ok() && (*size)->type == REDIS_REPLY_INTEGER) keys = (*size)->integer;
    return QStringLiteral("%1 from Redis %2, %3 keys in db %4")
        .arg(replyText(**pong), version)
        .arg(keys)
        .arg(endpoint.db);
}

}  // namespace twat_cache::ui
