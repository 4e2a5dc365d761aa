// EntryClipboard: the Edit menu and the entries' copy commands — Copy Key (Ctrl+C on the
// entries: the selected keys, one a line), Copy Value (the selected entry's value as text, up
// to kCopyValueBytes; a larger value is not copied and a message says how to get it) and Copy
// as redis-cli Command (Redis: a command that reads the key's value, -c on a Redis Cluster, see
// workers/redis_cli_command.h; never the password). Values and key types are fetched through
// the source's worker (SourceClient::requestValueText), never on the GUI thread. The Edit
// menu also holds Delete All Matching… (entry_editing.h).
//
// Thread safety: GUI thread only.
#pragma once

#include <QObject>
#include <QPointer>

#include "views/actions.h"
#include "workers/source_types.h"

class QMainWindow;
class QTableView;

namespace twat_cache::ui {

class MaintenanceController;
class SourceClient;

class EntryClipboard : public QObject {
    Q_OBJECT

  public:
    // The largest value Copy Value puts on the clipboard.
    static constexpr qint64 kCopyValueBytes = 64 * 1024;

    // `maintenance` says which source is shown; `window` owns this and gets the Edit menu.
    EntryClipboard(const Actions& actions, MaintenanceController* maintenance, QTableView* entries,
                   QMainWindow* window);

  signals:
    // Something was copied (`what` says what, for the status bar), or could not be.
    void copied(const QString& what);

  private:
    enum class Purpose { kValue, kRedisCli };
    void updateActions();
    void copyKey();
    void fetch(Purpose purpose);
    void onValueText(const QByteArray& id, const EntryDetail& detail, const QString& error);
    void put(const QString& text, const QString& what);
    void refuse(const QString& why);

    const Actions& m_actions;
    MaintenanceController* m_maintenance;
    QTableView* m_entries;
    QMainWindow* m_window;
    // The copy waiting for its value from the worker.
    QPointer<SourceClient> m_client;
    QByteArray m_id;
    Purpose m_purpose = Purpose::kValue;
    QMetaObject::Connection m_reply;
};

// The text Copy Value puts on the clipboard for `detail`: the value itself when it is UTF-8
// text, else the source's readable rendering (a pickle's repr, a Redis collection's members);
// nullopt with `why` set when it is larger than the bound or has no text.
std::optional<QString> copyableValueText(const EntryDetail& detail, QString* why);

}  // namespace twat_cache::ui
