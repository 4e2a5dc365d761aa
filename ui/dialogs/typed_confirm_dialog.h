// TypedConfirmDialog: the confirmation careful tools ask before an operation that cannot be
// undone and reaches beyond what the user may think (emptying a whole Redis database): the
// preview, then "Type 0 to confirm"; the destructive button stays disabled until the typed
// text matches exactly.
//
// Thread safety: GUI thread only.
#pragma once

#include <QDialog>

class QLineEdit;
class QPushButton;

namespace twat_cache::ui {

class TypedConfirmDialog : public QDialog {
    Q_OBJECT

  public:
    // `text`: what will happen; `details`: more (a sample of keys), may be empty;
    // `expected`: what the user must type (a database number, a source's name);
    // `what`: how to name it in the prompt ("the database number"); `action`: the button's
    // label ("Remove").
    TypedConfirmDialog(const QString& title, const QString& text, const QString& details,
                       const QString& expected, const QString& what, const QString& action,
                       QWidget* parent = nullptr);

    QLineEdit* input() const { return m_input; }
    QPushButton* confirmButton() const { return m_confirm; }

  private:
    QString m_expected;
    QLineEdit* m_input;
    QPushButton* m_confirm;
};

}  // namespace twat_cache::ui
