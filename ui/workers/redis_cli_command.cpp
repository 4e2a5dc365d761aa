#include "workers/redis_cli_command.h"

#include <QStringDecoder>
#include <QStringList>
#include <algorithm>

namespace twat_cache::ui {
namespace {

bool isSafeShellChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           QByteArrayView("@%+=:,./_-").contains(c);
}

bool isPrintableUtf8(const QByteArray& text) {
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString decoded = decoder.decode(text);
    if (decoder.hasError()) return false;
    for (const QChar c : decoded) {
        if (c.category() == QChar::Other_Control) return false;
    }
    return true;
}

}  // namespace

QString shellQuote(const QByteArray& text) {
    if (!text.isEmpty() && std::all_of(text.begin(), text.end(), isSafeShellChar)) {
        return QString::fromLatin1(text);
    }
    if (isPrintableUtf8(text)) {
        QString out = QString::fromUtf8(text);
        out.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
        return QLatin1Char('\'') + out + QLatin1Char('\'');
    }
    QString out = QStringLiteral("$'");
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\'' || c == '\\') {
            out += QLatin1Char('\\');
            out += QLatin1Char(c);
        } else if (byte >= 0x20 && byte < 0x7f) {
            out += QLatin1Char(c);
        } else {
            out += QStringLiteral("\\x%1").arg(byte, 2, 16, QLatin1Char('0'));
        }
    }
    return out + QLatin1Char('\'');
}

Result<QByteArray> redisKeyOfId(const QByteArray& id) {
    if (id.startsWith("long:")) {
        return Status::invalidArgument("the key is too long to put on a command line");
    }
    if (!id.startsWith("hex:")) return id;
    const QByteArray bytes = QByteArray::fromHex(id.mid(4));  // skips the spaces
    if (bytes.isEmpty() && id.size() > 4) return Status::invalidArgument("a malformed key id");
    return bytes;
}

QString redisCliCommand(const RedisEndpoint& endpoint, bool hasPassword, const QByteArray& key,
                        const QString& type, bool cluster) {
    QStringList words = {QStringLiteral("redis-cli")};
    const auto word = [](const QString& text) { return shellQuote(text.toUtf8()); };
    if (!endpoint.socketPath.isEmpty()) {
        words << QStringLiteral("-s") << word(endpoint.socketPath);
    } else if (!endpoint.isSentinel()) {
        words << QStringLiteral("-h") << word(endpoint.host) << QStringLiteral("-p")
              << QString::number(endpoint.port);
    }
    if (cluster) words << QStringLiteral("-c");
    if (endpoint.db != 0) words << QStringLiteral("-n") << QString::number(endpoint.db);
    if (!endpoint.user.isEmpty()) words << QStringLiteral("--user") << word(endpoint.user);
    if (hasPassword || !endpoint.password.isEmpty() || !endpoint.user.isEmpty()) {
        words << QStringLiteral("--askpass");
    }
    const RedisTls& tls = endpoint.tls;
    if (tls.enabled) {
        words << QStringLiteral("--tls");
        if (!tls.caFile.isEmpty()) words << QStringLiteral("--cacert") << word(tls.caFile);
        if (!tls.certFile.isEmpty()) words << QStringLiteral("--cert") << word(tls.certFile);
        if (!tls.keyFile.isEmpty()) words << QStringLiteral("--key") << word(tls.keyFile);
        if (!tls.serverName.isEmpty()) words << QStringLiteral("--sni") << word(tls.serverName);
        if (tls.insecure) words << QStringLiteral("--insecure");
    }
    static const QList<QPair<QString, QString>> kReads = {
        {QStringLiteral("string"), QStringLiteral("GET %1")},
        {QStringLiteral("hash"), QStringLiteral("HGETALL %1")},
        {QStringLiteral("list"), QStringLiteral("LRANGE %1 0 -1")},
        {QStringLiteral("set"), QStringLiteral("SMEMBERS %1")},
        {QStringLiteral("zset"), QStringLiteral("ZRANGE %1 0 -1 WITHSCORES")},
        {QStringLiteral("stream"), QStringLiteral("XRANGE %1 - +")}};
    QString read = QStringLiteral("TYPE %1");
    for (const auto& [name, command] : kReads) {
        if (name == type) read = command;
    }
    QString line = words.join(QLatin1Char(' ')) + QLatin1Char(' ') + read.arg(shellQuote(key));
    if (endpoint.isSentinel()) {
        line += QStringLiteral("  # add -h/-p of the current master of %1 (Sentinels: %2)")
                    .arg(endpoint.service, endpoint.sentinels.join(QLatin1Char(',')));
    } else if (endpoint.ssh.enabled()) {
        line += QStringLiteral("  # run on %1, the server is reached through that SSH host")
                    .arg(endpoint.ssh.host);
    }
    return line;
}

}  // namespace twat_cache::ui
