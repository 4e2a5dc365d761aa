#include "views/analysis_export.h"

#include <QBuffer>
#include <QObject>
#include <QPixmap>
#include <QSaveFile>
#include <QWidget>

namespace twat_cache::ui {
namespace {

QString csvField(const QString& text) {
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
        !text.contains(QLatin1Char('\n')) && !text.contains(QLatin1Char('\r'))) {
        return text;
    }
    return QLatin1Char('"') + QString(text).replace(QStringLiteral("\""), QStringLiteral("\"\"")) +
           QLatin1Char('"');
}

QString writeBytes(const QString& path, const QByteArray& bytes) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        return QObject::tr("Cannot write %1: %2").arg(path, file.errorString());
    }
    return {};
}

}  // namespace

QString analysisCsv(const ::twat_cache::AnalysisReport& report) {
    QString out = QStringLiteral("prefix,depth,keys,bytes,share,other\r\n");
    for (const auto& node : report.namespaces.nodes) {
        const double share =
            report.bytes == 0 ? 0.0
                              : static_cast<double>(node.bytes) / static_cast<double>(report.bytes);
        out += csvField(QString::fromStdString(node.prefix)) + QLatin1Char(',') +
               QString::number(node.depth) + QLatin1Char(',') + QString::number(node.keys) +
               QLatin1Char(',') + QString::number(node.bytes) + QLatin1Char(',') +
               QString::number(share, 'f', 4) + QLatin1Char(',') +
               (node.other ? QStringLiteral("true") : QStringLiteral("false")) +
               QStringLiteral("\r\n");
    }
    return out;
}

QString writeAnalysisJson(const QString& path, const ::twat_cache::AnalysisReport& report,
                          const QString& source, std::chrono::microseconds budget) {
    const std::string json = ::twat_cache::analysisJson(report, source.toStdString(), budget);
    return writeBytes(path, QByteArray::fromStdString(json + "\n"));
}

QString writeAnalysisCsv(const QString& path, const ::twat_cache::AnalysisReport& report) {
    return writeBytes(path, analysisCsv(report).toUtf8());
}

QString writeWidgetPng(const QString& path, QWidget* widget) {
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (!widget->grab().save(&buffer, "PNG")) {
        return QObject::tr("Cannot draw the picture for %1").arg(path);
    }
    return writeBytes(path, bytes);
}

}  // namespace twat_cache::ui
