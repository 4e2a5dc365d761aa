// ConnectionsDialog: the saved Redis connections (File ▸ Manage Connections…), as RedisInsight
// and RESP.app list them: name with its colour, URL (never a password), database, TLS, SSH,
// separator and the production flag; New, Edit, Duplicate, Delete and Connect, and the
// window's Import/Export actions. The list is the sidebar's (SourceTreeModel's Redis group),
// shown as it changes; the dialog changes nothing itself but asks the window to, by signals,
// so that an edited or deleted connection that is open is closed properly.
//
// Thread safety: GUI thread only.
#pragma once

#include <QDialog>
#include <optional>

#include "workers/source_types.h"

class QAction;
class QPushButton;
class QTreeWidget;
class QVBoxLayout;

namespace twat_cache::ui {

class SecretStore;
class SourceTreeModel;

class ConnectionsDialog : public QDialog {
    Q_OBJECT

  public:
    // The URL last: it takes the width the short columns leave.
    enum Column { kName, kDatabase, kTls, kSsh, kSeparator, kProduction, kUrl, kColumnCount };

    // `secrets` may be null (then New and Edit keep passwords in the connection only).
    ConnectionsDialog(SourceTreeModel* sources, SecretStore* secrets, QWidget* parent = nullptr);

    // Buttons for the window's Import and Export actions.
    void addFileActions(const QList<QAction*>& actions);

    QTreeWidget* list() const { return m_list; }
    // Selects the connection named `name`; false if there is none.
    bool select(const QString& name);
    std::optional<SourceRef> selected() const;

  signals:
    // Save `connection`; `previous` is the connection it replaces (an empty id: a new one).
    void saveRequested(const twat_cache::ui::SourceRef& previous,
                       const twat_cache::ui::SourceRef& connection);
    void removeRequested(const twat_cache::ui::SourceRef& connection);
    void connectRequested(const twat_cache::ui::SourceRef& connection);

  public slots:
    void addConnection();
    void editConnection();
    // Saves a copy named "name (2)", … with its own id and a copy of the session's secrets.
    void duplicateConnection();
    // Asks, then removes the selected connection (and its secrets).
    void deleteConnection();
    void connectSelected();

  private:
    void reload();
    void updateButtons();

    SourceTreeModel* m_sources;
    SecretStore* m_secrets;
    QTreeWidget* m_list;
    QPushButton* m_edit;
    QPushButton* m_duplicate;
    QPushButton* m_delete;
    QPushButton* m_connect;
    QVBoxLayout* m_side;
};

}  // namespace twat_cache::ui
