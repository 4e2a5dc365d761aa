#include "models/connection_file.h"

#include <QColor>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>

#include "models/saved_connection.h"
#include "workers/redis_endpoint.h"

namespace twat_cache::ui {
namespace {

const QString kFormat = QStringLiteral("twat-cache-inspector connections");
constexpr int kVersion = 1;

Status malformed(const QString& why) {
    return Status::invalidArgument(
        QStringLiteral("not a connection list of the inspector: %1").arg(why).toStdString());
}

// The same connection as far as a file can tell (ids and secrets are not in files).
bool sameSettings(const SourceRef& a, const SourceRef& b) {
    return a.name == b.name && a.location == b.location && a.separator == b.separator &&
           a.color == b.color && a.production == b.production;
}

}  // namespace

QByteArray exportConnections(const QList<SourceRef>& connections) {
    QJsonArray list;
    for (const SourceRef& ref : connections) {
        if (ref.kind != SourceKind::kRedis) continue;
        auto endpoint = parseRedisUrl(ref.location);
        QJsonObject item;
        item.insert(QStringLiteral("name"), ref.name);
        item.insert(QStringLiteral("url"),
                    endpoint.ok() ? endpoint->urlWithoutPassword() : ref.location);
        item.insert(QStringLiteral("color"), ref.color);
        item.insert(QStringLiteral("separator"), ref.separator);
        item.insert(QStringLiteral("production"), ref.production);
        list.append(item);
    }
    QJsonObject root;
    root.insert(QStringLiteral("format"), kFormat);
    root.insert(QStringLiteral("version"), kVersion);
    root.insert(QStringLiteral("connections"), list);
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

Result<QList<SourceRef>> importConnections(const QByteArray& text) {
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError) {
        return malformed(QStringLiteral("invalid JSON at byte %1 (%2)")
                             .arg(error.offset)
                             .arg(error.errorString()));
    }
    const QJsonObject root = document.object();
    if (!document.isObject() || root.value(QStringLiteral("format")).toString() != kFormat) {
        return malformed(QStringLiteral("its \"format\" is not \"%1\"").arg(kFormat));
    }
    if (root.value(QStringLiteral("version")).toInt() != kVersion) {
        return malformed(QStringLiteral("version %1 is not %2")
                             .arg(root.value(QStringLiteral("version")).toVariant().toString())
                             .arg(kVersion));
    }
    if (!root.value(QStringLiteral("connections")).isArray()) {
        return malformed(QStringLiteral("\"connections\" is not a list"));
    }
    QList<SourceRef> out;
    int number = 0;
    for (const QJsonValue& value : root.value(QStringLiteral("connections")).toArray()) {
        ++number;
        const QJsonObject item = value.toObject();
        SourceRef ref;
        ref.kind = SourceKind::kRedis;
        ref.name = item.value(QStringLiteral("name")).toString().trimmed();
        if (!value.isObject() || ref.name.isEmpty()) {
            return malformed(QStringLiteral("connection %1 has no name").arg(number));
        }
        auto endpoint = parseRedisUrl(item.value(QStringLiteral("url")).toString());
        if (!endpoint.ok()) {
            return malformed(
                QStringLiteral("connection “%1”: %2")
                    .arg(ref.name, QString::fromStdString(endpoint.status().message())));
        }
        ref.location = endpoint->urlWithoutPassword();  // a password in the file stays there
        const QString color = item.value(QStringLiteral("color")).toString();
        ref.color = QColor::isValidColorName(color) ? color : QString();
        const QString separator = item.value(QStringLiteral("separator")).toString();
        if (!separator.isEmpty()) ref.separator = separator.left(8);
        ref.production = item.value(QStringLiteral("production")).toBool();
        ref.id = newConnectionId();
        out << ref;
    }
    return out;
}

ConnectionMerge mergeConnections(const QList<SourceRef>& existing,
                                 const QList<SourceRef>& incoming) {
    ConnectionMerge merge;
    QStringList taken;
    for (const SourceRef& ref : existing) taken << ref.name;
    for (const SourceRef& ref : incoming) {
        const auto same = [&](const SourceRef& other) { return sameSettings(other, ref); };
        if (std::any_of(existing.begin(), existing.end(), same) ||
            std::any_of(merge.added.begin(), merge.added.end(), same)) {
            ++merge.unchanged;
            continue;
        }
        SourceRef added = ref;
        added.name = uniqueName(ref.name, taken);
        taken << added.name;
        merge.added << added;
    }
    return merge;
}

}  // namespace twat_cache::ui
