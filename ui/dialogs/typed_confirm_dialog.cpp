#include "dialogs/typed_confirm_dialog.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

namespace twat_cache::ui {

TypedConfirmDialog::TypedConfirmDialog(const QString& title, const QString& text,
                                       const QString& details, const QString& expected,
                                       const QString& what, const QString& action, QWidget* parent)
    : QDialog(parent), m_expected(expected), m_input(new QLineEdit(this)) {
    setObjectName(QStringLiteral("typedConfirmDialog"));
    setWindowTitle(title);
    auto* icon = new QLabel(this);
    const int side = style()->pixelMetric(QStyle::PM_MessageBoxIconSize, nullptr, this);
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning).pixmap(side, side));
    icon->setAlignment(Qt::AlignTop);
    auto* message = new QLabel(text, this);
    message->setObjectName(QStringLiteral("confirmText"));
    message->setWordWrap(true);
    auto* more = new QLabel(details, this);
    more->setWordWrap(true);
    more->setVisible(!details.isEmpty());
    auto* prompt =
        new QLabel(tr("Type %1, <b>%2</b>, to confirm:").arg(what, expected.toHtmlEscaped()), this);
    prompt->setWordWrap(true);
    prompt->setBuddy(m_input);
    m_input->setObjectName(QStringLiteral("confirmInput"));

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_confirm = buttons->addButton(action, QDialogButtonBox::DestructiveRole);
    m_confirm->setObjectName(QStringLiteral("confirmButton"));
    m_confirm->setEnabled(false);
    m_confirm->setAutoDefault(false);
    buttons->button(QDialogButtonBox::Cancel)->setDefault(true);

    auto* texts = new QVBoxLayout;
    texts->addWidget(message);
    texts->addWidget(more);
    texts->addWidget(prompt);
    texts->addWidget(m_input);
    auto* top = new QHBoxLayout;
    top->addWidget(icon);
    top->addLayout(texts, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(buttons);
    setMinimumWidth(420);

    connect(m_input, &QLineEdit::textChanged, this,
            [this](const QString& typed) { m_confirm->setEnabled(typed.trimmed() == m_expected); });
    connect(m_confirm, &QPushButton::clicked, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

}  // namespace twat_cache::ui
