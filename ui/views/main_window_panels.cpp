// MainWindow, continued: the panels that follow the shown source — the namespace tree (Redis
// keys, joblib functions, folders), the Nodes dock (a Redis Cluster's servers), the Server
// dock (a Redis server's figures, database switch and slow log) — and the sources tree's
// entry and size numbers, updated from every statistics sample.
#include <QDockWidget>
#include <QLabel>
#include <QTableView>
#include <QTreeView>

#include "models/entries_model.h"
#include "models/source_tree_model.h"
#include "views/main_window.h"
#include "views/namespace_panel.h"
#include "views/nodes_panel.h"
#include "views/optional_dock.h"
#include "views/server_panel.h"
#include "views/source_sessions.h"
#include "workers/source_client.h"

namespace twat_cache::ui {

void MainWindow::buildPanelDocks(QDockWidget* logDock) {
    // The node table and the slow log need the width under the entries: each takes a tab
    // beside the log.
    QDockWidget* nodesDock =
        makeDock(tr("Nodes"), "nodesDock", m_nodesPanel, Qt::BottomDockWidgetArea);
    nodesDock->toggleViewAction()->setStatusTip(
        tr("The servers of a Redis Cluster (offered for cluster sources only)"));
    m_nodesDock = new OptionalDock(nodesDock, QStringLiteral("nodesPanel"), this);
    m_nodesDock->setShareWith(logDock);
    QDockWidget* serverDock =
        makeDock(tr("Server"), "serverDock", m_serverPanel, Qt::BottomDockWidgetArea);
    serverDock->toggleViewAction()->setStatusTip(
        tr("A Redis server's version, memory, clients, keyspace and slow log; its databases "
           "(offered for Redis sources only)"));
    m_serverDock = new OptionalDock(serverDock, QStringLiteral("serverPanel"), this);
    m_serverDock->setShareWith(logDock);
}

void MainWindow::connectPanels() {
    // Group rows ("Caches under …", a kind, "Redis") span the numbers' columns, so their long
    // titles do not widen the names' column.
    auto span = [this](const QModelIndex& parent, int first, int last) {
        for (int row = first; row <= last; ++row) {
            if (!m_sources->sourceAt(m_sources->index(row, 0, parent)))
                m_sourceView->setFirstColumnSpanned(row, parent, true);
        }
    };
    span({}, 0, m_sources->rowCount() - 1);
    connect(m_sources, &QAbstractItemModel::rowsInserted, this, span);
    // Another database of the same server: its entries, namespaces and figures.
    connect(m_serverPanel, &ServerPanel::databaseChanged, this, [this] {
        m_entries->reload();
        m_namespacePanel->rescan();
        if (m_current == nullptr) return;
        m_statsPending = true;
        m_current->requestStats();
    });
    connect(m_serverPanel, &ServerPanel::logLine, this, &MainWindow::log);
    // A folder is known to be a joblib store, a plain folder (which have namespaces) or another
    // cache only once it is open.
    connect(m_sessions, &SourceSessions::opened, this,
            [this](SourceClient* client, const QString& error) {
                if (error.isEmpty() && client == m_current &&
                    client->ref().kind == SourceKind::kFolder) {
                    showInPanels(client);
                }
            });
    connect(m_sessions, &SourceSessions::statsReady, this,
            [this](SourceClient* client, const SourceStats& stats, const QString& error) {
                if (error.isEmpty())
                    m_sources->setCounts(client->ref(), stats.entries, stats.bytes);
            });
}

void MainWindow::showInPanels(SourceClient* client) {
    const bool redis = client != nullptr && client->ref().kind == SourceKind::kRedis;
    // A folder's kind is known once it is open (then this runs again).
    const std::optional<SourceKind> kind = client == nullptr      ? std::nullopt
                                           : client->openedKind() ? client->openedKind()
                                           : client->ref().kind == SourceKind::kFolder
                                               ? std::nullopt
                                               : std::optional(client->ref().kind);
    const bool namespaces = kind && NamespacePanel::appliesTo(*kind);
    m_namespacePanel->showSource(namespaces ? client : nullptr);
    findChild<QDockWidget*>(QStringLiteral("namespacesDock"))->setVisible(namespaces);
    // Whether a Redis source is a cluster is known from its statistics (onStats).
    m_nodesPanel->clear(redis ? tr("Loading…") : QString());
    if (!redis) m_nodesDock->setApplicable(false);
    m_serverPanel->showSource(client);
    m_serverDock->setApplicable(redis);
}

}  // namespace twat_cache::ui
