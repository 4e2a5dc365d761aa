// LogPanel: the inspector's log — the core's log lines (through LogBridge) and the
// inspector's own messages, newest last, bounded to the last few thousand lines.
//
// Thread safety: GUI thread only.
#pragma once

#include <QPlainTextEdit>

namespace twat_cache::ui {

class LogPanel : public QPlainTextEdit {
    Q_OBJECT

  public:
    static constexpr int kMaxLines = 5000;

    explicit LogPanel(QWidget* parent = nullptr);

    void appendLine(const QString& level, const QString& message);
};

}  // namespace twat_cache::ui
