// ValueEditing: the editing commands of the value pages (value_table_view.h) — for a hash,
// list, set or sorted set: Add…, Edit… (also a double-click on a row) and Remove (also the
// Delete key) on the current row; for a string: Edit Value…, a text editor for values up to
// kMaxEditBytes of text or JSON (larger or binary values are refused with a pointer to
// `twat-cache set-value --file`), which keeps the key's TTL. Each change asks what it needs
// (MemberDialog), is confirmed, goes to the source's worker (SourceClient::requestEdit: the
// core names the type it expects, so a key changed meanwhile is never touched, and records
// the change in the audit log), and the page is loaded again.
//
// The commands are disabled, their tooltip saying why, while no change can be made
// (MaintenanceController::whyNotWritable: read-only mode, a production connection, ...), where
// the source cannot (its limits), for rows cut short in the view, and while an edit runs.
//
// Thread safety: GUI thread only.
#pragma once

#include <QObject>
#include <QPointer>

#include "workers/source_types.h"

class QAction;
class QBoxLayout;
class QModelIndex;

namespace twat_cache::ui {

class MaintenanceController;
class SourceClient;
class ValueTableView;

class ValueEditing : public QObject {
    Q_OBJECT

  public:
    // Strings longer than this are not edited in the window.
    static constexpr int kMaxEditBytes = 64 * 1024;

    // Puts its buttons in `bar` and its commands on `view`'s table.
    ValueEditing(ValueTableView* view, QBoxLayout* bar);

    // Where to ask whether changes can be made now, and to report them.
    void setMaintenance(MaintenanceController* maintenance);
    // Enables the commands for what the view shows now.
    void update();

    QAction* addAction() const { return m_add; }
    QAction* editAction() const { return m_edit; }
    QAction* removeAction() const { return m_remove; }
    QAction* editValueAction() const { return m_editValue; }

    // Del on the value table removes the current row (and never reaches the window's Delete
    // Selected, which deletes whole entries).
    bool eventFilter(QObject* watched, QEvent* event) override;

  signals:
    // An edit ended: `error` empty on success (the page is then loaded again).
    void edited(const QString& error);

  private:
    // Why `kind` cannot be made now ("" when it can); `row` is the current row or nullptr.
    QString whyNot(EditKind kind, const ValueRow* row, bool needsRow) const;
    const ValueRow* currentRow() const;
    void add();
    void edit();
    void remove();
    void editValue();
    // Asks to confirm `what`, then sends `request` to the worker.
    void send(const EntryEdit& request, const QString& what);
    void report(const QString& level, const QString& message);

    ValueTableView* m_view;
    QPointer<MaintenanceController> m_maintenance;
    QAction* m_add;
    QAction* m_edit;
    QAction* m_remove;
    QAction* m_editValue;
    QPointer<SourceClient> m_busy;  // the source an edit is on its way to; null: none
    QMetaObject::Connection m_answer;
    quint64 m_request = 0;  // the number of that edit's request (SourceClient::requestEdit)
};

}  // namespace twat_cache::ui
