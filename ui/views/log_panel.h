// LogPanel: the inspector's log — the core's log lines (through LogBridge) and the
// inspector's own messages, newest last, bounded to the last few thousand lines. While the
// reader is at the end it keeps following new lines, also after the view was resized (a
// dock dragged); a reader who scrolled up stays where they are until they scroll back down.
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

  private:
    void scrollToEnd();

    bool m_follow = true;      // the reader is at the end
    bool m_scrolling = false;  // this panel moves the scroll bar itself
};

}  // namespace twat_cache::ui
