// ServerPanel: a Redis server's own figures, in the window's Server dock.
//
//   Database [db 0 — 12 keys ▾]                                     [Refresh]
//   ┌ Server ─┬ Slow Log ┐
//   │ Version   Redis 7.0.15 (standalone)     │ ID  Time  Duration  Command  Client
//   │ Role      master                        │
//   │ Uptime, Clients, Memory, Max memory, RDB, AOF, Keyspace (one line per database)
//
// The panel asks the shown Redis source's worker for the server information and the slow log
// (SourceClient::requestServerInfo / requestSlowlog) when the source is shown, with each of
// its statistics samples (the information only), and on Refresh. The Database combo lists the
// server's databases (CONFIG GET databases, else Redis's 16) with their key counts from INFO
// keyspace; choosing one switches the source to it (requestSelectDatabase) and then announces
// databaseChanged(), for the window to list the entries and namespaces again. A cluster has
// only database 0: the combo is disabled and says so. For other sources, or none, the panel
// says that it is for Redis sources (the window hides its dock then, see OptionalDock).
//
// Thread safety: GUI thread only.
#pragma once

#include <QMap>
#include <QPointer>
#include <QWidget>

#include "workers/server_requests.h"

class QComboBox;
class QFormLayout;
class QLabel;
class QPushButton;
class QTableWidget;
class QTabWidget;

namespace twat_cache::ui {

class SourceClient;

class ServerPanel : public QWidget {
    Q_OBJECT

  public:
    static constexpr int kSlowlogEntries = 128;  // slow log entries asked for

    explicit ServerPanel(QWidget* parent = nullptr);

    // Shows the server of `client` (nullptr, or a source other than Redis: nothing).
    void showSource(SourceClient* client);
    // Asks for the server information and the slow log again.
    void refresh();
    // The text shown for a field: "version", "role", "node", "uptime", "clients", "memory",
    // "maxmemory", "rdb", "aof", "keyspace" ("" before the first answer).
    QString fieldText(const QString& field) const;
    QComboBox* databaseCombo() const { return m_databases; }
    QTableWidget* slowlogTable() const { return m_slowlog; }
    // The line above the tabs: an error, or what the panel is for.
    QString messageText() const;
    // Low: the first time the dock shows it takes this height from the entries.
    QSize sizeHint() const override;

  signals:
    // The shown source lists database `db` now: its entries and namespaces are to be listed
    // again.
    void databaseChanged(int db);
    void logLine(const QString& level, const QString& message);

  protected:
    // Shown again (its dock reopened): the figures are read afresh, as they were not sampled
    // while hidden.
    void showEvent(QShowEvent* event) override;

  private:
    void requestInfo();  // the figures, unless a request is already on its way
    void onInfo(const ServerInfo& info, const QString& error);
    void onSlowlog(const QList<SlowlogRow>& rows, const QString& error);
    void onDatabaseSelected(int db, const QString& error);
    void chooseDatabase(int index);
    void fillDatabases(const ServerInfo& info);
    void setMessage(const QString& text);

    QPointer<SourceClient> m_client;
    QList<QMetaObject::Connection> m_connections;
    bool m_infoPending = false;
    int m_db = 0;              // the database the source lists
    bool m_switching = false;  // a database switch is under way
    QLabel* m_message;
    QComboBox* m_databases;
    QPushButton* m_refresh;
    QTabWidget* m_tabs;
    QFormLayout* m_form;
    QMap<QString, QLabel*> m_fields;
    QTableWidget* m_slowlog;
};

}  // namespace twat_cache::ui
