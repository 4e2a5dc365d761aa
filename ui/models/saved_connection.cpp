#include "models/saved_connection.h"

#include <QColor>
#include <QCoreApplication>
#include <QPainter>
#include <QPixmap>
#include <QUuid>

#include "ui_resources.h"

namespace twat_cache::ui {

QString secretAccount(const SourceRef& ref, SecretKind kind) {
    const bool ssh = kind == SecretKind::kSshPassword;
    if (ref.id.isEmpty()) return ssh ? ref.location + QStringLiteral(" (ssh)") : ref.location;
    return QStringLiteral("connection/%1/%2")
        .arg(ref.id, ssh ? QStringLiteral("ssh") : QStringLiteral("redis"));
}

QString newConnectionId() {
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

QString uniqueName(const QString& name, const QStringList& taken) {
    if (!taken.contains(name)) return name;
    for (int n = 2;; ++n) {
        const QString candidate = QStringLiteral("%1 (%2)").arg(name).arg(n);
        if (!taken.contains(candidate)) return candidate;
    }
}

QList<QPair<QString, QString>> connectionColors() {
    const auto tr = [](const char* text) {
        return QCoreApplication::translate("SavedConnection", text);
    };
    return {{tr("None"), QString()},
            {tr("Red"), QStringLiteral("#c62828")},
            {tr("Orange"), QStringLiteral("#ef6c00")},
            {tr("Yellow"), QStringLiteral("#f9a825")},
            {tr("Green"), QStringLiteral("#2e7d32")},
            {tr("Teal"), QStringLiteral("#00838f")},
            {tr("Blue"), QStringLiteral("#1565c0")},
            {tr("Purple"), QStringLiteral("#6a1b9a")},
            {tr("Grey"), QStringLiteral("#546e7a")}};
}

QString productionColor(const SourceRef& ref) {
    return QColor::isValidColorName(ref.color) ? ref.color : QStringLiteral("#c62828");
}

QIcon colorSwatch(const QString& color, int size) {
    if (!QColor::isValidColorName(color)) return {};
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(QColor(0, 0, 0, 90), 1));
    painter.setBrush(QColor(color));
    painter.drawEllipse(QRectF(0.5, 0.5, size - 1, size - 1));
    return QIcon(pixmap);
}

QIcon connectionIcon(const SourceRef& ref) {
    initUiResources();
    const QIcon redis(QStringLiteral(":/icons/redis.svg"));
    if (!QColor::isValidColorName(ref.color)) return redis;
    constexpr int kSize = 16;
    QPixmap pixmap(kSize, kSize);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.drawPixmap(0, 0, redis.pixmap(kSize, kSize));
    // The colour as a dot in the lower right corner, outlined so it shows on any background.
    painter.setPen(QPen(Qt::white, 1.5));
    painter.setBrush(QColor(ref.color));
    painter.drawEllipse(QRectF(kSize - 9.5, kSize - 9.5, 9, 9));
    return QIcon(pixmap);
}

}  // namespace twat_cache::ui
