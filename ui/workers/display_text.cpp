#include "workers/display_text.h"

#include <QCoreApplication>
#include <QLocale>

namespace twat_cache::ui {

QString notRecordedText() {
    return QCoreApplication::translate("DisplayText", "not recorded");
}

QString notRecordedMark() {
    return QStringLiteral("—");
}

QString numberText(quint64 n) {
    return QLocale().toString(static_cast<qulonglong>(n));
}

QString bytesText(quint64 bytes) {
    return QLocale().formattedDataSize(static_cast<qint64>(bytes));
}

QString countText(quint64 n, const QString& one, const QString& many) {
    return numberText(n) + QLatin1Char(' ') + (n == 1 ? one : many);
}

}  // namespace twat_cache::ui
