#include "workers/display_text.h"

#include <QCoreApplication>
#include <QLocale>

namespace twat_cache::ui {

QString visibleText(const QString& text, bool keepLineBreaks) {
    QString out;
    out.reserve(text.size());
    for (const QChar ch : text) {
        const char16_t u = ch.unicode();
        if (keepLineBreaks && (u == u'\n' || u == u'\t')) {
            out += ch;
        } else if (u == u'\n' || u == u'\t' || u == u'\r') {
            out += u == u'\n'   ? QStringLiteral("\\n")
                   : u == u'\t' ? QStringLiteral("\\t")
                                : QStringLiteral("\\r");
        } else if (u < 0x20 || u == 0x7F) {
            out += QStringLiteral("\\x%1").arg(static_cast<uint>(u), 2, 16, QLatin1Char('0'));
        } else if (u >= 0x80 && u <= 0x9F) {
            out += QStringLiteral("\\u%1").arg(static_cast<uint>(u), 4, 16, QLatin1Char('0'));
        } else {
            out += ch;
        }
    }
    return out;
}

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
    // QLocale says "1 bytes".
    if (bytes == 1) return QCoreApplication::translate("DisplayText", "1 byte");
    return QLocale().formattedDataSize(static_cast<qint64>(bytes));
}

QString countText(quint64 n, const QString& one, const QString& many) {
    return numberText(n) + QLatin1Char(' ') + (n == 1 ? one : many);
}

QString durationText(quint64 ns) {
    constexpr quint64 kUs = 1'000, kMs = 1'000'000, kS = 1'000'000'000;
    constexpr quint64 kMin = 60 * kS, kHour = 60 * kMin, kDay = 24 * kHour;
    const QLocale locale;
    const auto two = [](quint64 n) { return QStringLiteral("%1").arg(n, 2, 10, QLatin1Char('0')); };
    const auto decimal = [&locale](quint64 n, quint64 unit) {
        const double v = static_cast<double>(n) / static_cast<double>(unit);
        return locale.toString(v, 'f', v < 10 ? 1 : 0);
    };
    if (ns >= kDay) return QStringLiteral("%1 d %2 h").arg(ns / kDay).arg(ns % kDay / kHour);
    if (ns >= kHour) {
        return QStringLiteral("%1 h %2 min").arg(ns / kHour).arg(two(ns % kHour / kMin));
    }
    if (ns >= kMin) return QStringLiteral("%1 min %2 s").arg(ns / kMin).arg(two(ns % kMin / kS));
    if (ns >= kS) return decimal(ns, kS) + QStringLiteral(" s");
    if (ns >= kMs) return decimal(ns, kMs) + QStringLiteral(" ms");
    if (ns >= kUs) return decimal(ns, kUs) + QStringLiteral(" µs");
    if (ns == 0) return QStringLiteral("0 s");  // nothing saved: no unit to pick
    return QStringLiteral("%1 ns").arg(ns);
}

QString ttlText(qint64 ms) {
    struct Unit {
        qint64 ms;
        const char* suffix;
    };
    for (const Unit unit :
         {Unit{86'400'000, "d"}, Unit{3'600'000, "h"}, Unit{60'000, "m"}, Unit{1000, "s"}}) {
        if (ms >= unit.ms && ms % unit.ms == 0) {
            return QString::number(ms / unit.ms) + QLatin1String(unit.suffix);
        }
    }
    return QString::number(ms) + QStringLiteral("ms");
}

}  // namespace twat_cache::ui
