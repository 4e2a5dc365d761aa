// Help ▸ User Guide and Help ▸ Keyboard Shortcuts, in the real window (offscreen): the guide
// is docs/INSPECTOR.md as shipped inside the program, rendered with its screenshots; its
// "#section" links scroll to their heading, links to other shipped docs open them, Back returns;
// every image the shipped docs show is in the program; the shortcuts table is made from the
// window's own actions, so each action with keys is listed with exactly those keys.
#include <QAction>
#include <QDirIterator>
#include <QFile>
#include <QMenuBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollBar>
#include <QTableWidget>
#include <QTextBlock>
#include <QTextBrowser>
#include <QtTest>

#include "dialogs/shortcuts_dialog.h"
#include "dialogs/user_guide_dialog.h"
#include "ui_resources.h"
#include "views/actions.h"
#include "views/main_window.h"

using namespace twat_cache::ui;

namespace {

QAction* actionNamed(QWidget& window, const char* name) {
    return window.findChild<QAction*>(QString::fromLatin1(name));
}

}  // namespace

class TestHelp : public QObject {
    Q_OBJECT

  private slots:
    void userGuideShowsTheShippedGuide() {
        MainWindow window;
        window.show();
        QAction* guide = actionNamed(window, "actionUserGuide");
        QVERIFY(guide != nullptr);
        QCOMPARE(guide->shortcut(), QKeySequence(QKeySequence::HelpContents));
        guide->trigger();
        UserGuideDialog* dialog = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((dialog = window.findChild<UserGuideDialog*>()) != nullptr, 5000);
        QTextBrowser* browser = dialog->browser();
        const QString text = browser->toPlainText();
        QVERIFY2(text.startsWith(QStringLiteral("twat-cache inspector — user guide")),
                 qPrintable(text.left(80)));
        QVERIFY(!text.contains(QStringLiteral("## ")));  // rendered, not shown as source
        // The production screenshot the guide shows is loaded from the program itself.
        const QVariant image = browser->document()->resource(
            QTextDocument::ImageResource,
            QUrl(QStringLiteral("screenshots/production_connection.png")));
        QVERIFY(image.isValid() && !image.value<QImage>().isNull());
        dialog->close();
    }

    void sectionLinksScrollAndOtherDocsOpen() {
        UserGuideDialog dialog;
        dialog.resize(700, 400);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QTextBrowser* browser = dialog.browser();
        QCOMPARE(browser->verticalScrollBar()->value(), 0);
        emit browser->anchorClicked(QUrl(QStringLiteral("#connections")));
        QVERIFY(browser->verticalScrollBar()->value() > 0);
        QCOMPARE(browser->textCursor().block().text(), QStringLiteral("Connections"));
        const int atConnections = browser->verticalScrollBar()->value();
        emit browser->anchorClicked(
            QUrl(QStringLiteral("INSPECTION.md#sizes-one-definition-per-source-kind")));
        QCOMPARE(dialog.document(), QStringLiteral("INSPECTION.md"));
        QVERIFY(browser->textCursor().block().text().startsWith(QStringLiteral("Sizes")));
        QPushButton* back = dialog.findChild<QPushButton*>(QStringLiteral("userGuideBack"));
        QVERIFY(back != nullptr && back->isEnabled());
        back->click();
        QCOMPARE(dialog.document(), QStringLiteral("INSPECTOR.md"));
        QCOMPARE(browser->verticalScrollBar()->value(), atConnections);
        QCOMPARE(UserGuideDialog::anchorOf(QStringLiteral("Sizes: one definition per source kind")),
                 QStringLiteral("sizes-one-definition-per-source-kind"));
    }

    // Every image and every document link of the shipped docs resolves inside the program.
    void everyShippedReferenceIsShipped() {
        initUiResources();
        QStringList docs;
        QDirIterator it(QStringLiteral(":/help"), {QStringLiteral("*.md")}, QDir::Files,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) docs << it.next().mid(QStringLiteral(":/help/").size());
        QVERIFY(docs.contains(QStringLiteral("INSPECTOR.md")));
        QVERIFY(docs.contains(QStringLiteral("benchmarks/inspector_window.md")));
        const QRegularExpression image(QStringLiteral(R"(!\[[^\]]*\]\(([^)#]+)\))"));
        const QRegularExpression doc(QStringLiteral(R"(\]\(([^):#]+\.md)(#[^)]*)?\))"));
        int images = 0, links = 0;
        for (const QString& name : docs) {
            QFile f(QStringLiteral(":/help/") + name);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QString text = QString::fromUtf8(f.readAll());
            const QUrl base(QStringLiteral("qrc:/help/") + name);
            for (const auto& m : image.globalMatch(text)) {
                const QString path = QLatin1Char(':') + base.resolved(QUrl(m.captured(1))).path();
                QVERIFY2(QFile::exists(path), qPrintable(name + ": " + m.captured(1)));
                ++images;
            }
            for (const auto& m : doc.globalMatch(text)) {
                const QString path = QLatin1Char(':') + base.resolved(QUrl(m.captured(1))).path();
                QVERIFY2(QFile::exists(path), qPrintable(name + ": " + m.captured(1)));
                ++links;
            }
        }
        QVERIFY(images > 0 && links > 0);
    }

    void linksIntoSubfoldersAndBack() {
        UserGuideDialog dialog;
        QVERIFY(dialog.showDocument(QStringLiteral("INSPECTOR.md")));
        emit dialog.browser()->anchorClicked(
            QUrl(QStringLiteral("benchmarks/inspector_window.md")));
        QCOMPARE(dialog.document(), QStringLiteral("benchmarks/inspector_window.md"));
        emit dialog.browser()->anchorClicked(QUrl(QStringLiteral("../BENCHMARKS.md")));
        QCOMPARE(dialog.document(), QStringLiteral("BENCHMARKS.md"));
    }

    void shortcutsAreTheActionsOwn() {
        MainWindow window;
        window.show();
        QAction* shortcuts = actionNamed(window, "actionShortcuts");
        QVERIFY(shortcuts != nullptr);
        shortcuts->trigger();
        ShortcutsDialog* dialog = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((dialog = window.findChild<ShortcutsDialog*>()) != nullptr, 5000);
        QTableWidget* table = dialog->table();
        // Each action of the window with keys is a row with exactly its keys.
        int withKeys = 0;
        for (QAction* a : window.findChildren<QAction*>()) {
            if (a->shortcuts().isEmpty() || a->objectName().isEmpty()) continue;
            ++withKeys;
            const QString command = a->text().remove(QLatin1Char('&')).remove(QStringLiteral("…"));
            const auto rows = table->findItems(command, Qt::MatchExactly);
            QVERIFY2(rows.size() == 1, qPrintable(command));
            QCOMPARE(table->item(rows.front()->row(), 1)->text(),
                     a->shortcut().toString(QKeySequence::NativeText));
        }
        QCOMPARE(table->rowCount(), withKeys);
        QVERIFY(withKeys >= 8);
        QVERIFY(!table->findItems(QStringLiteral("Refresh"), Qt::MatchExactly).isEmpty());
        // What an action does, even while it is disabled and its status tip says why.
        const auto del = table->findItems(QStringLiteral("Delete Selected"), Qt::MatchExactly);
        QVERIFY(!del.isEmpty());
        QCOMPARE(table->item(del.front()->row(), 2)->text(),
                 QStringLiteral("Delete the selected entries (with a preview)"));
        // The Help menu offers both.
        QMenu* help = nullptr;
        for (QAction* m : window.menuBar()->actions()) {
            if (m->text() == QStringLiteral("&Help")) help = m->menu();
        }
        QVERIFY(help != nullptr);
        QVERIFY(help->actions().contains(shortcuts));
        QVERIFY(help->actions().contains(actionNamed(window, "actionUserGuide")));
    }
};

QTEST_MAIN(TestHelp)
#include "test_help.moc"
