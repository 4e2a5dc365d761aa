// MainWindow, continued: the saved Redis connections — the connection dialog (Ctrl+N), the
// manager (ConnectionsDialog), import and export as JSON without secrets, and the production
// flag's read-only default, which the user may lift for the session after confirming.
#include <QFile>
#include <QFileDialog>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QStatusBar>
#include <QTreeView>

#include "dialogs/connections_dialog.h"
#include "dialogs/redis_dialog.h"
#include "models/connection_file.h"
#include "models/source_tree_model.h"
#include "views/main_window.h"
#include "views/source_sessions.h"
#include "views/stats_panel.h"
#include "workers/display_text.h"
#include "workers/source_client.h"

namespace twat_cache::ui {

void MainWindow::persistSources() const {
    QSettings settings;
    m_sources->saveUserSources(settings);
}

SecretStore* MainWindow::secrets() const {
    return m_sessions->secrets();
}

void MainWindow::newRedisConnection() {
    RedisDialog dialog(m_sessions->secrets(), this);
    if (dialog.exec() != QDialog::Accepted) return;
    m_sessions->markSecretKnown(dialog.sourceRef());
    addSource(dialog.sourceRef());
}

void MainWindow::manageConnections() {
    ConnectionsDialog dialog(m_sources, m_sessions->secrets(), this);
    dialog.addFileActions({m_actions->importConnections, m_actions->exportConnections});
    connect(&dialog, &ConnectionsDialog::saveRequested, this, &MainWindow::saveConnection);
    connect(&dialog, &ConnectionsDialog::removeRequested, this, &MainWindow::removeConnection);
    connect(&dialog, &ConnectionsDialog::connectRequested, this, &MainWindow::addSource);
    dialog.exec();
}

void MainWindow::saveConnection(const SourceRef& previous, const SourceRef& connection) {
    m_sessions->markSecretKnown(connection);  // it comes from the connection dialog
    const QModelIndex index = m_sources->connectionIndex(previous.id);
    if (!index.isValid()) {
        m_sources->addSource(connection);
        m_sourceView->expandAll();
        persistSources();
        log(QStringLiteral("info"), tr("saved the connection %1").arg(connection.location));
        return;
    }
    // The edited settings take effect on a fresh session.
    const bool shown = m_current != nullptr && m_sessions->find(previous) == m_current;
    if (shown) showNoSource({});
    m_sessions->close(previous);
    if (previous.location != connection.location) {
        m_stats->forgetSource(SourceSessions::keyOf(previous));
    }
    m_sources->replaceSource(index, connection);
    persistSources();
    log(QStringLiteral("info"), tr("changed the connection %1").arg(connection.location));
    if (shown) openSource(connection);
}

void MainWindow::removeConnection(const SourceRef& connection) {
    removeSourceAt(m_sources->connectionIndex(connection.id));
}

QString MainWindow::exportConnectionsTo(const QString& path) {
    QSaveFile file(path);
    const QList<SourceRef> connections = m_sources->userSources(SourceKind::kRedis);
    if (!file.open(QIODevice::WriteOnly) || file.write(exportConnections(connections)) < 0 ||
        !file.commit()) {
        return tr("Cannot write %1: %2").arg(path, file.errorString());
    }
    const QString done = tr("Exported %1 to %2 (without passwords).")
                             .arg(countText(static_cast<quint64>(connections.size()),
                                            tr("connection"), tr("connections")),
                                  path);
    log(QStringLiteral("info"), done);
    statusBar()->showMessage(done, 15000);
    return {};
}

QString MainWindow::importConnectionsFrom(const QString& path, bool* ok) {
    if (ok) *ok = false;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return tr("Cannot read %1: %2").arg(path, file.errorString());
    }
    auto imported = importConnections(file.read(1 << 24));
    if (!imported.ok()) {
        return tr("Cannot import %1: %2")
            .arg(path, QString::fromStdString(imported.status().message()));
    }
    const ConnectionMerge merge =
        mergeConnections(m_sources->userSources(SourceKind::kRedis), *imported);
    for (const SourceRef& connection : merge.added) m_sources->addSource(connection);
    m_sourceView->expandAll();
    persistSources();
    QString done = tr("Imported %1 from %2")
                       .arg(countText(static_cast<quint64>(merge.added.size()), tr("connection"),
                                      tr("connections")),
                            path);
    if (merge.unchanged > 0) done += tr("; %1 already saved").arg(merge.unchanged);
    done += QLatin1Char('.');
    log(QStringLiteral("info"), done);
    statusBar()->showMessage(done, 15000);
    if (ok) *ok = true;
    return done;
}

void MainWindow::chooseExportFile() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Connections"),
                                                      QStringLiteral("redis-connections.json"),
                                                      tr("Connection lists (*.json)"));
    if (path.isEmpty()) return;
    if (const QString error = exportConnectionsTo(path); !error.isEmpty()) {
        QMessageBox::warning(this, tr("Export Connections"), error);
    }
}

void MainWindow::chooseImportFile() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Import Connections"), {},
                                                      tr("Connection lists (*.json)"));
    if (path.isEmpty()) return;
    bool ok = false;
    const QString outcome = importConnectionsFrom(path, &ok);
    if (!ok) {
        log(QStringLiteral("error"), outcome);
        QMessageBox::warning(this, tr("Import Connections"), outcome);
    }
}

void MainWindow::allowProductionChanges(bool allow, bool ask) {
    if (m_current == nullptr || !m_current->ref().production) return;
    const SourceRef ref = m_current->ref();
    if (allow && ask) {
        QMessageBox box(QMessageBox::Warning, tr("Allow Changes to Production?"),
                        tr("“%1” is a production connection.").arg(ref.name),
                        QMessageBox::Yes | QMessageBox::Cancel, this);
        box.setInformativeText(tr("Allowing changes lets the commands of the Cache menu delete "
                                  "keys on %1. It lasts until the inspector quits or you make "
                                  "the connection read-only again.")
                                   .arg(ref.location));
        box.button(QMessageBox::Yes)->setText(tr("Allow Changes"));
        box.setDefaultButton(QMessageBox::Cancel);
        if (box.exec() != QMessageBox::Yes) return;
    }
    m_sessions->setUnlocked(ref, allow);
    log(allow ? QStringLiteral("warn") : QStringLiteral("info"),
        allow ? tr("changes allowed on the production connection %1 for this session")
                    .arg(ref.location)
              : tr("the production connection %1 is read-only again").arg(ref.location));
    updateActionStates();
}

}  // namespace twat_cache::ui
