#include "views/member_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QVBoxLayout>
#include <cmath>
#include <limits>

namespace twat_cache::ui {

std::optional<double> parseScore(const QString& text) {
    const QString t = text.trimmed().toLower();
    if (t == QLatin1String("inf") || t == QLatin1String("+inf")) {
        return std::numeric_limits<double>::infinity();
    }
    if (t == QLatin1String("-inf")) return -std::numeric_limits<double>::infinity();
    bool ok = false;
    const double score = t.toDouble(&ok);
    if (!ok || std::isnan(score)) return std::nullopt;
    return score;
}

MemberDialog::MemberDialog(const Form& form, QWidget* parent)
    : QDialog(parent), m_form(form), m_problem(new QLabel(this)) {
    setObjectName(QStringLiteral("memberDialog"));
    setWindowTitle(form.title);
    auto* fields = new QFormLayout;
    if (!form.nameLabel.isEmpty()) {
        m_name = new QLineEdit(form.name, this);
        m_name->setObjectName(QStringLiteral("memberName"));
        m_name->setReadOnly(form.nameFixed);
        fields->addRow(form.nameLabel, m_name);
    }
    if (!form.scoreLabel.isEmpty()) {
        m_score = new QLineEdit(form.score, this);
        m_score->setObjectName(QStringLiteral("memberScore"));
        m_score->setToolTip(tr("A number; inf and -inf too"));
        fields->addRow(form.scoreLabel, m_score);
    }
    if (!form.valueLabel.isEmpty()) {
        m_value = new QPlainTextEdit(form.value, this);
        m_value->setObjectName(QStringLiteral("memberValue"));
        m_value->setTabChangesFocus(true);
        fields->addRow(form.valueLabel, m_value);
    }
    if (form.position) {
        m_position = new QComboBox(this);
        m_position->setObjectName(QStringLiteral("memberPosition"));
        m_position->addItems({tr("At the end (tail)"), tr("At the start (head)")});
        fields->addRow(tr("Where:"), m_position);
    }
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &MemberDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &MemberDialog::reject);
    m_problem->setObjectName(QStringLiteral("memberProblem"));
    m_problem->setWordWrap(true);
    m_problem->setVisible(false);
    auto* layout = new QVBoxLayout(this);
    if (!form.about.isEmpty()) {
        auto* about = new QLabel(form.about, this);
        about->setWordWrap(true);
        layout->addWidget(about);
    }
    layout->addLayout(fields);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
    if (m_value != nullptr && m_name == nullptr) resize(640, 420);  // a whole string's text
}

QString MemberDialog::name() const {
    return m_name != nullptr ? m_name->text() : QString();
}

QString MemberDialog::value() const {
    return m_value != nullptr ? m_value->toPlainText() : QString();
}

std::optional<double> MemberDialog::score() const {
    return m_score != nullptr ? parseScore(m_score->text()) : std::optional<double>(0.0);
}

bool MemberDialog::atHead() const {
    return m_position != nullptr && m_position->currentIndex() == 1;
}

void MemberDialog::accept() {
    QString problem;
    if (m_score != nullptr && !score()) {
        problem = tr("“%1” is not a score: give a number (inf and -inf too).").arg(m_score->text());
    } else if (m_form.json && !m_jsonWarned) {
        QJsonParseError error{};
        QJsonDocument::fromJson(value().toUtf8(), &error);
        if (error.error != QJsonParseError::NoError) {
            m_jsonWarned = true;
            // Said once: pressing OK again saves the text as it is.
            problem = tr("The value was JSON and is not any more (%1 at character %2). Press "
                         "OK again to save it anyway.")
                          .arg(error.errorString())
                          .arg(error.offset);
        }
    }
    if (!problem.isEmpty()) {
        m_problem->setText(problem);
        m_problem->setVisible(true);
        return;
    }
    QDialog::accept();
}

}  // namespace twat_cache::ui
