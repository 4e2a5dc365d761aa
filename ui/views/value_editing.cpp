#include "views/value_editing.h"

#include <QAction>
#include <QBoxLayout>
#include <QItemSelectionModel>
#include <QJsonDocument>
#include <QKeyEvent>
#include <QMessageBox>
#include <QTableView>
#include <QToolButton>

#include "models/value_page_model.h"
#include "views/maintenance_controller.h"
#include "views/member_dialog.h"
#include "views/value_table_view.h"
#include "workers/display_text.h"
#include "workers/source_client.h"

namespace twat_cache::ui {
namespace {

constexpr qsizetype kShownBytes = 80;

// Bytes as a message shows them: visible and bounded.
QString quoted(const QByteArray& bytes) {
    QString text = visibleText(QString::fromUtf8(bytes.left(kShownBytes)));
    if (bytes.size() > kShownBytes) text += QStringLiteral("…");
    return QStringLiteral("“%1”").arg(text);
}

// Whether `bytes` are UTF-8 text, so that an editor shows them as they are.
bool isText(const QByteArray& bytes) {
    return QString::fromUtf8(bytes).toUtf8() == bytes;
}

bool cutShort(const ValueRow& row) {
    return static_cast<quint64>(row.name.size()) < row.nameLength;
}

bool valueCutShort(const ValueRow& row) {
    return static_cast<quint64>(row.value.size()) < row.valueLength;
}

struct Kinds {
    std::optional<EditKind> add, edit, remove;
};

Kinds kindsOf(const QString& type) {
    if (type == QLatin1String("hash")) {
        return {EditKind::kHashSet, EditKind::kHashSet, EditKind::kHashDelete};
    }
    if (type == QLatin1String("list")) {
        return {EditKind::kListPushTail, EditKind::kListSet, EditKind::kListRemove};
    }
    if (type == QLatin1String("set"))
        return {EditKind::kSetAdd, std::nullopt, EditKind::kSetRemove};
    if (type == QLatin1String("zset")) {
        return {EditKind::kZsetAdd, EditKind::kZsetAdd, EditKind::kZsetRemove};
    }
    return {};
}

}  // namespace

ValueEditing::ValueEditing(ValueTableView* view, QBoxLayout* bar)
    : QObject(view),
      m_view(view),
      m_add(new QAction(tr("Add…"), this)),
      m_edit(new QAction(tr("Edit…"), this)),
      m_remove(new QAction(tr("Remove"), this)),
      m_editValue(new QAction(tr("Edit Value…"), this)) {
    m_add->setObjectName(QStringLiteral("valueAdd"));
    m_edit->setObjectName(QStringLiteral("valueEdit"));
    m_remove->setObjectName(QStringLiteral("valueRemove"));
    m_editValue->setObjectName(QStringLiteral("valueEditValue"));
    // Del is handled by eventFilter(), not as the action's shortcut: the window's Delete
    // Selected owns that shortcut (and the Keyboard Shortcuts list).
    QTableView* table = view->table();
    table->installEventFilter(this);
    table->addActions({m_add, m_edit, m_remove});
    table->setContextMenuPolicy(Qt::ActionsContextMenu);
    for (QAction* action : {m_add, m_edit, m_remove, m_editValue}) {
        auto* button = new QToolButton(view);
        button->setDefaultAction(action);
        button->setObjectName(action->objectName() + QStringLiteral("Button"));
        bar->addWidget(button);
        connect(action, &QAction::changed, button,
                [button, action] { button->setVisible(action->isVisible()); });
    }
    connect(m_add, &QAction::triggered, this, &ValueEditing::add);
    connect(m_edit, &QAction::triggered, this, &ValueEditing::edit);
    connect(m_remove, &QAction::triggered, this, &ValueEditing::remove);
    connect(m_editValue, &QAction::triggered, this, &ValueEditing::editValue);
    connect(table, &QTableView::doubleClicked, this, [this] {
        if (m_edit->isEnabled()) edit();
    });
    connect(table->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &ValueEditing::update);
    update();
}

bool ValueEditing::eventFilter(QObject* watched, QEvent* event) {
    const bool override = event->type() == QEvent::ShortcutOverride;
    if ((override || event->type() == QEvent::KeyPress) && m_remove->isVisible() &&
        static_cast<QKeyEvent*>(event)->matches(QKeySequence::Delete)) {
        if (override) {
            event->accept();  // the table takes the key: no window shortcut runs
        } else if (m_remove->isEnabled()) {
            remove();
        } else if (m_maintenance) {
            m_maintenance->report(QStringLiteral("info"),
                                  tr("Nothing removed: %1").arg(m_remove->statusTip()));
        }
        return true;
    }
    return QObject::eventFilter(watched, event);
}

void ValueEditing::setMaintenance(MaintenanceController* maintenance) {
    m_maintenance = maintenance;
    connect(maintenance, &MaintenanceController::actionsUpdated, this, &ValueEditing::update);
    update();
}

QString ValueEditing::whyNot(EditKind kind, const ValueRow* row, bool needsRow) const {
    SourceClient* client = m_view->client();
    if (client == nullptr) return tr("No value is shown.");
    if (m_maintenance) {
        if (QString reason = m_maintenance->whyNotWritable(); !reason.isEmpty()) return reason;
    } else if (client->isReadOnly()) {
        return tr("The source is open read-only.");
    }
    if (QString reason = client->limits().whyNot(kind); !reason.isEmpty()) {
        return tr("Not available for this source: %1.").arg(reason);
    }
    if (m_busy) return tr("An edit is on its way to the source.");
    if (needsRow && row == nullptr) return tr("Select a row first.");
    if (row != nullptr && cutShort(*row)) {
        return tr("This row's name is cut short in the view (%1): change it with the "
                  "twat-cache command line.")
            .arg(countText(row->nameLength, tr("byte"), tr("bytes")));
    }
    return {};
}

const ValueRow* ValueEditing::currentRow() const {
    const QModelIndex current = m_view->table()->selectionModel()->currentIndex();
    return current.isValid() ? m_view->model()->rowAt(current.row()) : nullptr;
}

void ValueEditing::update() {
    const QString type = m_view->valueType();
    const Kinds kinds = kindsOf(type);
    const bool members = kinds.add.has_value();
    const ValueRow* row = currentRow();
    const auto set = [this](QAction* action, const QString& why) {
        const QString tip =
            action == m_remove ? tr("Remove the current row (Del)") : action->text();
        action->setEnabled(why.isEmpty());
        action->setToolTip(why.isEmpty() ? tip : tip + u'\n' + why);
        action->setStatusTip(why);
    };
    m_add->setVisible(members);
    m_edit->setVisible(members);
    m_remove->setVisible(members);
    m_editValue->setVisible(type == QLatin1String("string"));
    if (members) {
        set(m_add, whyNot(*kinds.add, nullptr, false));
        set(m_edit, kinds.edit ? whyNot(*kinds.edit, row, true)
                               : tr("A set member has no value to edit: remove it and add "
                                    "another."));
        set(m_remove, whyNot(*kinds.remove, row, true));
    }
    if (m_editValue->isVisible()) {
        QString why = whyNot(EditKind::kSetValue, nullptr, false);
        const auto total = m_view->model()->total();
        if (why.isEmpty() && total && *total > static_cast<quint64>(kMaxEditBytes)) {
            why = tr("The value is %1; the editor takes values up to %2. Use "
                     "“twat-cache set-value TARGET KEY --file F” instead.")
                      .arg(bytesText(*total), bytesText(kMaxEditBytes));
        } else if (why.isEmpty() && !m_view->model()->wholeString()) {
            why = tr("The value is still loading.");
        }
        set(m_editValue, why);
    }
}

void ValueEditing::add() {
    const QString type = m_view->valueType();
    const QString key = quoted(m_view->entryId());
    MemberDialog::Form form;
    EntryEdit request;
    request.id = m_view->entryId();
    if (type == QLatin1String("hash")) {
        form.title = tr("Add Field");
        form.about = tr("A field of %1 (a field of that name gets the new value).").arg(key);
        form.nameLabel = tr("Field:");
        form.valueLabel = tr("Value:");
        request.kind = EditKind::kHashSet;
    } else if (type == QLatin1String("list")) {
        form.title = tr("Add Element");
        form.about = tr("An element of %1.").arg(key);
        form.valueLabel = tr("Element:");
        form.position = true;
    } else if (type == QLatin1String("set")) {
        form.title = tr("Add Member");
        form.about = tr("A member of %1.").arg(key);
        form.nameLabel = tr("Member:");
        request.kind = EditKind::kSetAdd;
    } else {
        form.title = tr("Add Member");
        form.about = tr("A member of %1 (a member of that name gets the new score).").arg(key);
        form.nameLabel = tr("Member:");
        form.scoreLabel = tr("Score:");
        form.score = QStringLiteral("0");
        request.kind = EditKind::kZsetAdd;
    }
    MemberDialog dialog(form, m_view);
    if (dialog.exec() != QDialog::Accepted) return;
    request.member = dialog.name().toUtf8();
    request.value = dialog.value().toUtf8();
    request.score = dialog.score().value_or(0);
    QString what;
    if (type == QLatin1String("hash")) {
        what =
            tr("Set field %1 of %2 to %3").arg(quoted(request.member), key, quoted(request.value));
    } else if (type == QLatin1String("list")) {
        request.kind = dialog.atHead() ? EditKind::kListPushHead : EditKind::kListPushTail;
        what = (dialog.atHead() ? tr("Insert %1 at the start of %2") : tr("Append %1 to %2"))
                   .arg(quoted(request.value), key);
    } else if (type == QLatin1String("set")) {
        what = tr("Add %1 to %2").arg(quoted(request.member), key);
    } else {
        what = tr("Add %1 to %2 with score %3")
                   .arg(quoted(request.member), key, QString::number(request.score, 'g', 17));
    }
    send(request, what);
}

void ValueEditing::edit() {
    const ValueRow* row = currentRow();
    const QString type = m_view->valueType();
    if (row == nullptr || !m_edit->isEnabled()) return;
    const QString key = quoted(m_view->entryId());
    if (type != QLatin1String("zset") && (valueCutShort(*row) || !isText(row->value))) {
        QMessageBox::information(
            m_view, tr("Edit"),
            tr("This value is %1 and cannot be edited here. Use the twat-cache command line "
               "(hset, lset).")
                .arg(valueCutShort(*row) ? tr("cut short in the view") : tr("binary")));
        return;
    }
    EntryEdit request;
    request.id = m_view->entryId();
    MemberDialog::Form form;
    QString what;
    if (type == QLatin1String("hash")) {
        form.title = tr("Edit Field");
        form.about = tr("Field of %1.").arg(key);
        form.nameLabel = tr("Field:");
        form.valueLabel = tr("Value:");
        form.name = QString::fromUtf8(row->name);
        form.value = QString::fromUtf8(row->value);
        form.nameFixed = true;
        request.kind = EditKind::kHashSet;
        request.member = row->name;
    } else if (type == QLatin1String("list")) {
        form.title = tr("Edit Element");
        form.about = tr("Element %1 of %2.").arg(QString::fromUtf8(row->name), key);
        form.valueLabel = tr("Element:");
        form.value = QString::fromUtf8(row->value);
        request.kind = EditKind::kListSet;
        request.index = row->name.toLongLong();
        request.expected = row->value;  // refused if the list changed meanwhile
    } else {
        form.title = tr("Edit Score");
        form.about = tr("Member of %1.").arg(key);
        form.nameLabel = tr("Member:");
        form.scoreLabel = tr("Score:");
        form.name = QString::fromUtf8(row->name);
        form.score = QString::fromUtf8(row->value);
        form.nameFixed = true;
        request.kind = EditKind::kZsetAdd;
        request.member = row->name;
    }
    MemberDialog dialog(form, m_view);
    if (dialog.exec() != QDialog::Accepted) return;
    request.value = dialog.value().toUtf8();
    request.score = dialog.score().value_or(0);
    if (type == QLatin1String("hash")) {
        what = tr("Set field %1 of %2 to %3").arg(quoted(row->name), key, quoted(request.value));
    } else if (type == QLatin1String("list")) {
        what = tr("Set element %1 of %2 to %3")
                   .arg(QString::fromUtf8(row->name), key, quoted(request.value));
    } else {
        what = tr("Give %1 of %2 the score %3")
                   .arg(quoted(row->name), key, QString::number(request.score, 'g', 17));
    }
    send(request, what);
}

void ValueEditing::remove() {
    const ValueRow* row = currentRow();
    const Kinds kinds = kindsOf(m_view->valueType());
    if (row == nullptr || !kinds.remove || !m_remove->isEnabled()) return;
    const QString key = quoted(m_view->entryId());
    EntryEdit request;
    request.id = m_view->entryId();
    request.kind = *kinds.remove;
    QString what;
    if (request.kind == EditKind::kListRemove) {
        request.index = row->name.toLongLong();
        // Only while the element there is still the one shown (when it is shown whole).
        if (!valueCutShort(*row)) request.expected = row->value;
        what = tr("Remove element %1 (%2) from %3")
                   .arg(QString::fromUtf8(row->name), quoted(row->value), key);
    } else {
        request.member = row->name;
        what = tr("Remove %1 %2 from %3")
                   .arg(request.kind == EditKind::kHashDelete ? tr("field") : tr("member"),
                        quoted(row->name), key);
    }
    send(request, what);
}

void ValueEditing::editValue() {
    if (!m_editValue->isEnabled()) return;
    const std::optional<QByteArray> bytes = m_view->model()->wholeString();
    if (!bytes) return;
    if (!isText(*bytes)) {
        QMessageBox::information(m_view, tr("Edit Value"),
                                 tr("This value is binary, not text. Use “twat-cache set-value "
                                    "TARGET KEY --file F” to replace it."));
        return;
    }
    const QString key = quoted(m_view->entryId());
    MemberDialog::Form form;
    form.title = tr("Edit Value");
    form.about = tr("The value of %1 (%2). Its TTL stays.")
                     .arg(key, bytesText(static_cast<quint64>(bytes->size())));
    form.valueLabel = tr("Value:");
    form.value = QString::fromUtf8(*bytes);
    const QByteArray trimmed = bytes->trimmed();
    form.json = (trimmed.startsWith('{') || trimmed.startsWith('[')) &&
                !QJsonDocument::fromJson(*bytes).isNull();
    MemberDialog dialog(form, m_view);
    if (dialog.exec() != QDialog::Accepted) return;
    EntryEdit request;
    request.kind = EditKind::kSetValue;
    request.id = m_view->entryId();
    request.value = dialog.value().toUtf8();
    if (request.value == *bytes) return;  // nothing changed
    send(request, tr("Replace the value of %1 (%2) with %3 (its TTL stays)")
                      .arg(key, bytesText(static_cast<quint64>(bytes->size())),
                           bytesText(static_cast<quint64>(request.value.size()))));
}

void ValueEditing::send(const EntryEdit& request, const QString& what) {
    SourceClient* client = m_view->client();
    if (client == nullptr || m_busy) return;
    QMessageBox confirm(QMessageBox::Question, tr("Confirm Change"), what + QLatin1Char('?'),
                        QMessageBox::Ok | QMessageBox::Cancel, m_view);
    confirm.setInformativeText(tr("The change is recorded in the audit log."));
    if (confirm.exec() != QMessageBox::Ok) return;
    m_busy = client;
    update();
    report(QStringLiteral("info"), tr("%1 in %2").arg(what, client->ref().name));
    m_answer = connect(
        client, &SourceClient::edited, this,
        [this, what](quint64 number, const QByteArray&, const EntryRow&, const QString& error) {
            if (number != m_request) return;  // another edit's answer (a rename's)
            disconnect(m_answer);
            m_busy = nullptr;
            if (error.isEmpty()) {
                report(QStringLiteral("info"), tr("Done: %1").arg(what));
                m_view->reload();
            } else {
                report(QStringLiteral("error"), tr("Not changed: %1").arg(error));
                QMessageBox::warning(m_view, tr("Not Changed"), error);
            }
            update();
            emit edited(error);
        });
    // A source closed meanwhile never answers: m_busy (a QPointer) then clears by itself.
    connect(client, &QObject::destroyed, this, &ValueEditing::update,
            Qt::ConnectionType(Qt::QueuedConnection | Qt::UniqueConnection));
    m_request = client->requestEdit(request);
}

void ValueEditing::report(const QString& level, const QString& message) {
    if (m_maintenance) m_maintenance->report(level, message);
}

}  // namespace twat_cache::ui
