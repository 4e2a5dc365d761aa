// UserGuideDialog: Help ▸ User Guide. Shows docs/INSPECTOR.md as the app ships it (compiled
// into the program from resources/help.qrc, with the other docs it links to and its
// screenshots), rendered by QTextBrowser from Markdown.
//
// Links: "#section" scrolls to the heading whose GitHub-style anchor it names (lower case,
// punctuation dropped, spaces as '-'), "OTHER.md#section" (relative to the document, as on
// GitHub: "benchmarks/x.md", "../BENCHMARKS.md") opens that shipped document there,
// web links open in the desktop's browser; Back and Contents move through what was read.
//
// Thread safety: GUI thread only; everything it reads is in the program's resources.
#pragma once

#include <QDialog>
#include <QUrl>

class QLabel;
class QPushButton;
class QTextBrowser;

namespace twat_cache::ui {

class UserGuideDialog : public QDialog {
    Q_OBJECT

  public:
    explicit UserGuideDialog(QWidget* parent = nullptr);

    // Shows the shipped document `name` ("INSPECTOR.md") at the heading `anchor` ("" for its
    // top). False when no such document is shipped.
    bool showDocument(const QString& name, const QString& anchor = {});
    // Scrolls to the heading of the current document whose anchor is `anchor`; false when
    // none has it.
    bool scrollToAnchor(const QString& anchor);
    // The GitHub-style anchor of a heading text: "Keys & namespaces" -> "keys--namespaces".
    static QString anchorOf(const QString& heading);

    QTextBrowser* browser() const { return m_browser; }
    const QString& document() const { return m_document; }

  private:
    void follow(const QUrl& link);

    QTextBrowser* m_browser;
    QLabel* m_note;
    QPushButton* m_back;
    QString m_document;
    struct Place {
        QString document;
        int scroll = 0;
    };
    QList<Place> m_history;
};

}  // namespace twat_cache::ui
