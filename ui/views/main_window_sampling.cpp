// MainWindow, continued: the periodic statistics samples and the Redis namespace scan, both
// asked of the current source's worker so that the GUI thread only draws the answers.
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QTableView>
#include <QTimer>
#include <QTreeView>

#include "models/entries_model.h"
#include "models/namespace_model.h"
#include "views/main_window.h"
#include "views/maintenance_controller.h"
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
        // The source stopped answering: a detail that fails meanwhile is asked again later.
        if (m_detailRetry == DetailRetry::kSpent) m_detailRetry = DetailRetry::kPending;
        return;
    }
    m_stats->recordSample(m_sampleClock.elapsed(), stats);
    m_maintenance->setSourceBytes(stats.bytes);
    // The source answers (again): a detail that failed is asked for once more.
    if (m_detailRetry == DetailRetry::kPending) {
        if (const EntryRow* row = m_entries->rowAt(m_entriesView->currentIndex().row())) {
            m_current->requestDetail(row->id, kDetailValueBytes);
        }
    }
}

void MainWindow::startNamespaceScan(bool restart) {
    m_namespaceComplete = false;
    m_namespaceLabel->setText(tr("Scanning keys…"));
    m_current->requestNamespaces(m_namespaceBudget, restart);
}

void MainWindow::onNamespaces(SourceClient* client, const NamespaceReport& report,
                              const QString& error) {
    if (client != m_current) return;
    if (!error.isEmpty()) {
        m_namespaceLabel->setText(error);
        m_statusScan->clear();
        log(QStringLiteral("error"), error);
        return;
    }
    m_namespaces->setReport(report);
    m_namespaceView->expand(m_namespaces->rootIndex());
    m_namespaceComplete = report.complete;
    const QLocale locale;
    QString text =
        report.totalKeys
            ? tr("scanned %1 of ~%2 keys")
                  .arg(locale.toString(static_cast<qulonglong>(report.scanned)),
                       locale.toString(static_cast<qulonglong>(*report.totalKeys)))
            : tr("scanned %1 keys").arg(locale.toString(static_cast<qulonglong>(report.scanned)));
    if (report.complete) text += tr(" (complete)");
    m_namespaceLabel->setText(text);
    m_statusScan->setText(text);
    // The worker answers each budget separately, so the GUI thread stays free meanwhile.
    if (!report.complete) m_current->requestNamespaces(m_namespaceBudget);
}

QString MainWindow::namespaceStatus() const {
    return m_statusScan->text();
}

void MainWindow::showNamespace(const QModelIndex& index) {
    if (!index.isValid()) return;
    setFilterText(m_namespaces->filterFor(index));
}

void MainWindow::setFilterText(const QString& text) {
    m_filterEdit->setText(text);
    m_filterTimer->stop();
    m_entries->setFilter(text);
}

}  // namespace twat_cache::ui
