#include "dialogs/user_guide_dialog.h"

#include <QAbstractTextDocumentLayout>
#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QFile>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollBar>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextDocument>
#include <QVBoxLayout>

#include "ui_resources.h"

namespace twat_cache::ui {
namespace {

const QString kRoot = QStringLiteral("qrc:/help/");
const QString kHome = QStringLiteral("INSPECTOR.md");

}  // namespace

UserGuideDialog::UserGuideDialog(QWidget* parent)
    : QDialog(parent),
      m_browser(new QTextBrowser(this)),
      m_note(new QLabel(this)),
      m_back(new QPushButton(tr("&Back"), this)) {
    initUiResources();
    setWindowTitle(tr("twat-cache inspector — User Guide"));
    setObjectName(QStringLiteral("userGuideDialog"));
    resize(860, 700);
    m_browser->setOpenLinks(false);  // follow() decides where each link goes
    m_browser->setObjectName(QStringLiteral("userGuideBrowser"));
    m_note->setWordWrap(true);
    m_note->setVisible(false);
    auto* contents = new QPushButton(tr("&Contents"), this);
    m_back->setEnabled(false);
    m_back->setObjectName(QStringLiteral("userGuideBack"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto* bar = new QHBoxLayout;
    bar->addWidget(m_back);
    bar->addWidget(contents);
    bar->addStretch(1);
    bar->addWidget(buttons);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_browser, 1);
    layout->addWidget(m_note);
    layout->addLayout(bar);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_browser, &QTextBrowser::anchorClicked, this, &UserGuideDialog::follow);
    connect(contents, &QPushButton::clicked, this, [this] {
        m_history.append({m_document, m_browser->verticalScrollBar()->value()});
        m_back->setEnabled(true);
        showDocument(kHome);
    });
    connect(m_back, &QPushButton::clicked, this, [this] {
        if (m_history.isEmpty()) return;
        const Place place = m_history.takeLast();
        showDocument(place.document);
        m_browser->verticalScrollBar()->setValue(place.scroll);
        m_back->setEnabled(!m_history.isEmpty());
    });
    showDocument(kHome);
}

bool UserGuideDialog::showDocument(const QString& name, const QString& anchor) {
    if (!QFile::exists(QStringLiteral(":/help/") + name)) return false;
    if (name != m_document) {
        // Relative image paths ("screenshots/x.png") resolve against the document's URL.
        m_browser->setSource(QUrl(kRoot + name), QTextDocument::MarkdownResource);
        m_document = name;
    }
    m_note->setVisible(false);
    if (anchor.isEmpty()) {
        m_browser->verticalScrollBar()->setValue(0);
        return true;
    }
    return scrollToAnchor(anchor);
}

QString UserGuideDialog::anchorOf(const QString& heading) {
    QString out;
    for (const QChar c : heading.trimmed().toLower()) {
        if (c.isLetterOrNumber() || c == QLatin1Char('-') || c == QLatin1Char('_')) {
            out += c;
        } else if (c == QLatin1Char(' ')) {
            out += QLatin1Char('-');
        }
    }
    return out;
}

bool UserGuideDialog::scrollToAnchor(const QString& anchor) {
    QTextDocument* doc = m_browser->document();
    for (QTextBlock block = doc->begin(); block.isValid(); block = block.next()) {
        if (block.blockFormat().headingLevel() == 0 || anchorOf(block.text()) != anchor) continue;
        QTextCursor cursor(block);
        m_browser->setTextCursor(cursor);
        // The heading at the top of the view, not just somewhere visible.
        m_browser->verticalScrollBar()->setValue(
            static_cast<int>(doc->documentLayout()->blockBoundingRect(block).top()));
        return true;
    }
    return false;
}

void UserGuideDialog::follow(const QUrl& link) {
    const QString scheme = link.scheme();
    if (scheme == QLatin1String("http") || scheme == QLatin1String("https") ||
        scheme == QLatin1String("mailto")) {
        QDesktopServices::openUrl(link);
        return;
    }
    // "#anchor", "OTHER.md#anchor", "benchmarks/x.md", "../BENCHMARKS.md": resolved against
    // the current document, as on GitHub.
    const QUrl resolved = QUrl(kRoot + m_document).resolved(link);
    QString name = resolved.path();
    if (!name.startsWith(QLatin1String("/help/"))) {
        name.clear();
    } else {
        name = name.mid(6);
    }
    const QString anchor = link.fragment();
    if (link.path().isEmpty()) name = m_document;
    const Place here{m_document, m_browser->verticalScrollBar()->value()};
    if (!showDocument(name, anchor)) {
        m_note->setText(tr("%1 is not part of the guide shipped with the app; it is in the "
                           "project's docs/ folder.")
                            .arg(link.toString()));
        m_note->setVisible(true);
        return;
    }
    m_history.append(here);
    m_back->setEnabled(true);
}

}  // namespace twat_cache::ui
