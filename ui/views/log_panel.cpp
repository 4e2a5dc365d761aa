#include "views/log_panel.h"

#include <QDateTime>
#include <QFontDatabase>
#include <QScrollBar>

namespace twat_cache::ui {

LogPanel::LogPanel(QWidget* parent) : QPlainTextEdit(parent) {
    setObjectName(QStringLiteral("logPanel"));
    setReadOnly(true);
    setMaximumBlockCount(kMaxLines);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setLineWrapMode(QPlainTextEdit::NoWrap);
    QScrollBar* bar = verticalScrollBar();
    // Only the reader's own scrolling changes whether the panel follows; a resize changes
    // the range, after which a following panel goes back to the end.
    connect(bar, &QScrollBar::valueChanged, this, [this, bar](int value) {
        if (!m_scrolling) m_follow = value >= bar->maximum();
    });
    connect(bar, &QScrollBar::rangeChanged, this, [this] {
        if (m_follow) scrollToEnd();
    });
}

void LogPanel::appendLine(const QString& level, const QString& message) {
    const bool follow = m_follow;
    m_scrolling = true;
    appendPlainText(
        QStringLiteral("%1 [%2] %3")
            .arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss.zzz")), level, message));
    m_scrolling = false;
    m_follow = follow;
    if (m_follow) scrollToEnd();
}

void LogPanel::scrollToEnd() {
    m_scrolling = true;
    verticalScrollBar()->setValue(verticalScrollBar()->maximum());
    m_scrolling = false;
}

}  // namespace twat_cache::ui
