// MemberDialog: asks for what a value-page edit needs (value_editing.h) — a hash field and its
// value, a list element and where it goes, a set member, a sorted-set member and its score, or
// a string's whole text — in one form that shows only the fields the edit uses. Text is taken
// as UTF-8. A field given a fixed text (the field or member being edited) is shown read-only.
//
// Thread safety: GUI thread only.
#pragma once

#include <QDialog>
#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;

namespace twat_cache::ui {

class MemberDialog : public QDialog {
    Q_OBJECT

  public:
    struct Form {
        QString title;
        QString about;  // a sentence above the fields
        // Each field is shown when its label is not empty.
        QString nameLabel, valueLabel, scoreLabel;
        QString name, value, score;  // their first texts
        bool nameFixed = false;      // the name is shown, not edited
        bool position = false;       // a head / tail choice (list pushes)
        bool json = false;           // the value was JSON: say so when it no longer parses
    };

    MemberDialog(const Form& form, QWidget* parent);

    QString name() const;
    QString value() const;
    // The score as a number; nullopt (and a message shown) when it is not one.
    std::optional<double> score() const;
    bool atHead() const;

    void accept() override;

  private:
    Form m_form;
    QLineEdit* m_name = nullptr;
    QPlainTextEdit* m_value = nullptr;
    QLineEdit* m_score = nullptr;
    QComboBox* m_position = nullptr;
    QLabel* m_problem = nullptr;
    bool m_jsonWarned = false;  // the text no longer parses as JSON, and that was said
};

// Parses a sorted-set score as Redis spells it ("1.5", "-inf", "+inf", "inf"); nullopt for
// anything else, NaN included.
std::optional<double> parseScore(const QString& text);

}  // namespace twat_cache::ui
