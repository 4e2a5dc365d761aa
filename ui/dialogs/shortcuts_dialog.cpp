#include "dialogs/shortcuts_dialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QKeySequence>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QVariant>

namespace twat_cache::ui {

ShortcutsDialog::ShortcutsDialog(const QList<QAction*>& actions, QWidget* parent)
    : QDialog(parent), m_table(new QTableWidget(this)) {
    setWindowTitle(tr("Keyboard Shortcuts"));
    setObjectName(QStringLiteral("shortcutsDialog"));
    m_table->setObjectName(QStringLiteral("shortcutsTable"));
    m_table->setColumnCount(3);
    m_table->setHorizontalHeaderLabels({tr("Command"), tr("Keys"), tr("What it does")});
    m_table->verticalHeader()->setVisible(false);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(false);
    for (QAction* action : actions) {
        if (action->shortcuts().isEmpty()) continue;
        QStringList keys;
        for (const QKeySequence& k : action->shortcuts()) {
            keys << k.toString(QKeySequence::NativeText);
        }
        const int row = m_table->rowCount();
        m_table->insertRow(row);
        const QString command = action->text().remove(QLatin1Char('&')).remove(QStringLiteral("…"));
        m_table->setItem(row, 0, new QTableWidgetItem(command));
        m_table->setItem(row, 1, new QTableWidgetItem(keys.join(tr(" or "))));
        const QVariant description = action->property("description");
        m_table->setItem(row, 2,
                         new QTableWidgetItem(description.isValid() ? description.toString()
                                                                    : action->statusTip()));
    }
    m_table->resizeColumnsToContents();
    m_table->horizontalHeader()->setStretchLastSection(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_table);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    resize(640, 360);
}

}  // namespace twat_cache::ui
