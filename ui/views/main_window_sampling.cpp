// MainWindow, continued: the periodic statistics samples, asked of the current source's
// worker so that the GUI thread only draws the answers (the statistics panel and, for a Redis
// Cluster, the Nodes panel), and the namespace panel's accessors.
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QTimer>

#include "models/entries_model.h"
#include "models/namespace_model.h"
#include "views/main_window.h"
#include "views/maintenance_controller.h"
#include "views/namespace_panel.h"
#include "views/nodes_panel.h"
#include "views/optional_dock.h"
#include "views/stats_panel.h"
#include "workers/source_client.h"

namespace twat_cache::ui {

void MainWindow::setStatsInterval(int ms) {
    m_statsTimer->setInterval(ms);
}

int MainWindow::statsInterval() const {
    return m_statsTimer->interval();
}

void MainWindow::sampleStats() {
    // One request at a time: a slow source (a long scan ahead in its queue) is not flooded.
    if (m_current == nullptr || m_statsPending || !isVisible()) return;
    m_statsPending = true;
    m_current->requestStats();
}

void MainWindow::onStats(SourceClient* client, const SourceStats& stats, const QString& error) {
    if (client != m_current) return;
    m_statsPending = false;
    if (!error.isEmpty()) {
        m_stats->showMessage(error);
        m_nodesPanel->showStatsError(error);
        // The source stopped answering: a detail that fails meanwhile is asked again later.
        if (m_detailRetry == DetailRetry::kSpent) m_detailRetry = DetailRetry::kPending;
        return;
    }
    m_stats->recordSample(m_sampleClock.elapsed(), stats);
    m_nodesDock->setApplicable(m_nodesPanel->setStats(stats));
    m_maintenance->setSourceBytes(stats.bytes);
    // The source answers (again): a detail that failed is asked for once more.
    if (m_detailRetry == DetailRetry::kPending) {
        if (const EntryRow* row = m_entries->rowAt(m_entriesView->currentIndex().row())) {
            m_current->requestDetail(row->id, kDetailValueBytes);
        }
    }
}

QString MainWindow::namespaceStatus() const {
    return m_namespacePanel->scanStatus();
}

NamespaceModel* MainWindow::namespaceModel() const {
    return m_namespacePanel->model();
}

bool MainWindow::namespaceScanComplete() const {
    return m_namespacePanel->scanComplete();
}

void MainWindow::setNamespaceBudget(quint64 keys) {
    m_namespacePanel->setBudget(keys);
}

void MainWindow::showNamespace(const QModelIndex& index) {
    if (!index.isValid()) return;
    setFilterText(m_namespacePanel->model()->filterFor(index));
}

void MainWindow::setFilterText(const QString& text) {
    m_filterEdit->setText(text);
    m_filterTimer->stop();
    m_entries->setFilter(text);
}

}  // namespace twat_cache::ui
