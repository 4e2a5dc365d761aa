#include "views/value_format.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QStringDecoder>

#include "twat_cache/value_page.h"

namespace twat_cache::ui {

QString valueAsText(const QByteArray& value) {
    return QString::fromUtf8(value);
}

std::optional<QString> valueAsPrettyJson(const QByteArray& value) {
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(value, &error);
    if (error.error != QJsonParseError::NoError || document.isNull()) return std::nullopt;
    return QString::fromUtf8(document.toJson(QJsonDocument::Indented));
}

QString valueAsHexDump(const QByteArray& value, quint64 offset) {
    return QString::fromStdString(hexDump(
        std::string_view(value.constData(), static_cast<std::size_t>(value.size())), offset));
}

QImage valueAsImage(const QByteArray& value) {
    return QImage::fromData(value);
}

ValueView guessValueView(const QByteArray& value) {
    if (value.isEmpty()) return ValueView::kText;
    if (!valueAsImage(value).isNull()) return ValueView::kImage;
    if (valueAsPrettyJson(value)) return ValueView::kJson;
    QStringDecoder decoder(QStringDecoder::Utf8);
    const QString text = decoder.decode(value);
    if (decoder.hasError()) return ValueView::kHex;
    for (const QChar c : text) {
        if (c.category() == QChar::Other_Control && c != QLatin1Char('\n') &&
            c != QLatin1Char('\t') && c != QLatin1Char('\r')) {
            return ValueView::kHex;
        }
    }
    return ValueView::kText;
}

}  // namespace twat_cache::ui
