// EntryEditing: what the editing commands do when triggered — Set TTL… and Remove TTL… on the
// selected entries, Set TTL on All Matching… and Delete All Matching… (the filter's matches
// over the whole keyspace, on a Redis Cluster every master; Delete needs a filter) as plans
// through the MaintenanceController (preview, confirmation, progress and cancel);
// Rename… on the one selected entry through the source's worker. It puts the commands in the
// entries' context menu and the Cache menu. Whether each is available, and why not, is the
// MaintenanceController's business (they are write actions: read-only mode disables them).
// After a change the entries are loaded again (MaintenanceController::changed).
//
// Thread safety: GUI thread only.
#pragma once

#include <QObject>
#include <optional>

#include "views/actions.h"
#include "views/maintenance_controller.h"

class QLineEdit;
class QMainWindow;
class QTableView;

namespace twat_cache::ui {

class EntryEditing : public QObject {
    Q_OBJECT

  public:
    // `window` owns this and its menu bar holds the Cache menu; `filter` is the entries'
    // filter field (a glob when it has * ? or [, else a substring of the key).
    EntryEditing(const Actions& actions, MaintenanceController* maintenance, QTableView* entries,
                 QLineEdit* filter, QMainWindow* window);

  signals:
    // An entry was changed: what is shown should be loaded again.
    void changed();

  private:
    // The ids of the selected rows.
    QList<QByteArray> selectedIds() const;
    // Asks for a TTL (`about` says for what); nullopt when the user cancelled or typed
    // something that is not a duration (which is said).
    std::optional<qint64> askTtl(const QString& about);
    // The entries' Type filter (Redis: "hash", ...; "" every type): the commands over every
    // key matching the filter keep to it.
    QString typeFilter() const;
    void setTtl(bool remove);
    void setTtlMatching();
    void deleteMatching();
    void rename();

    const Actions& m_actions;
    MaintenanceController* m_maintenance;
    QTableView* m_entries;
    QLineEdit* m_filter;
    QMainWindow* m_window;
    bool m_editing = false;  // a rename is on its way to the worker
    quint64 m_request = 0;   // its number (SourceClient::requestEdit)
    QMetaObject::Connection m_answer;
};

// The key glob that matches what the filter field shows: the text itself when it is a glob,
// "*text*" for a substring, "*" when empty.
QString filterGlob(const QString& filterText);

}  // namespace twat_cache::ui
