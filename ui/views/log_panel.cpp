#include "views/log_panel.h"

#include <QDateTime>
#include <QFontDatabase>

namespace twat_cache::ui {

LogPanel::LogPanel(QWidget* parent) : QPlainTextEdit(parent) {
    setObjectName(QStringLiteral("logPanel"));
    setReadOnly(true);
    setMaximumBlockCount(kMaxLines);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setLineWrapMode(QPlainTextEdit::NoWrap);
}

void LogPanel::appendLine(const QString& level, const QString& message) {
    appendPlainText(
        QStringLiteral("%1 [%2] %3")
            .arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss.zzz")), level, message));
}

}  // namespace twat_cache::ui
