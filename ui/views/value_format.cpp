#include "views/value_format.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QStringDecoder>

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

QString valueAsHexDump(const QByteArray& value) {
    constexpr qsizetype kPerLine = 16;
    QString out;
    out.reserve(value.size() * 4 + (value.size() / kPerLine + 1) * 12);
    for (qsizetype offset = 0; offset < value.size(); offset += kPerLine) {
        const QByteArray line = value.mid(offset, kPerLine);
        out += QStringLiteral("%1  ").arg(offset, 8, 16, QLatin1Char('0'));
        for (qsizetype i = 0; i < kPerLine; ++i) {
            out += i < line.size() ? QStringLiteral("%1 ").arg(static_cast<uchar>(line.at(i)), 2,
                                                               16, QLatin1Char('0'))
                                   : QStringLiteral("   ");
            if (i == 7) out += QLatin1Char(' ');
        }
        out += QStringLiteral(" |");
        for (const char c : line) {
            const auto byte = static_cast<uchar>(c);
            out += (byte >= 0x20 && byte < 0x7f) ? QLatin1Char(c) : QLatin1Char('.');
        }
        out += QStringLiteral("|\n");
    }
    return out;
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
