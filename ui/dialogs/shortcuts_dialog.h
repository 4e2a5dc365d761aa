// ShortcutsDialog: Help ▸ Keyboard Shortcuts. The table is generated from the window's
// actions themselves (their text, every shortcut each one has, and what they do: the
// "description" property Actions sets, else the status tip), so it cannot drift from what the
// keys really do.
//
// Thread safety: GUI thread only.
#pragma once

#include <QDialog>
#include <QList>

class QAction;
class QTableWidget;

namespace twat_cache::ui {

class ShortcutsDialog : public QDialog {
    Q_OBJECT

  public:
    // Lists those of `actions` that have a shortcut, in the order given.
    ShortcutsDialog(const QList<QAction*>& actions, QWidget* parent = nullptr);

    QTableWidget* table() const { return m_table; }

  private:
    QTableWidget* m_table;
};

}  // namespace twat_cache::ui
