#include "views/listing_exporter.h"

#include <QFileDialog>
#include <QLineEdit>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressDialog>
#include <algorithm>
#include <limits>

#include "models/entries_model.h"
#include "views/maintenance_controller.h"
#include "workers/display_text.h"
#include "workers/source_client.h"

namespace twat_cache::ui {

ListingExporter::ListingExporter(const Actions& actions, MaintenanceController* maintenance,
                                 QLineEdit* filter, const EntriesModel* entries,
                                 QMainWindow* window)
    : QObject(window),
      m_actions(actions),
      m_maintenance(maintenance),
      m_filter(filter),
      m_entries(entries),
      m_window(window) {
    // In the File menu, after Export Connections….
    for (QAction* menuAction : window->menuBar()->actions()) {
        QMenu* menu = menuAction->menu();
        if (menu == nullptr || !menu->actions().contains(actions.exportConnections)) continue;
        const auto items = menu->actions();
        const qsizetype after = items.indexOf(actions.exportConnections) + 1;
        menu->insertAction(after < items.size() ? items[after] : nullptr, actions.exportListing);
    }
    connect(actions.exportListing, &QAction::triggered, this, &ListingExporter::chooseFile);
    connect(maintenance, &MaintenanceController::actionsUpdated, this,
            &ListingExporter::updateAction);
    updateAction();
}

void ListingExporter::updateAction() {
    const SourceClient* client = m_maintenance->source();
    QString why;
    if (client == nullptr) {
        why = tr("No source is open: select one in the Sources list.");
    } else if (client->state() != SourceClient::State::kOpen) {
        why = tr("The source is not open.");
    } else if (m_client != nullptr) {
        why = tr("An export is running.");
    }
    m_actions.exportListing->setEnabled(why.isEmpty());
    const QString tip = m_actions.exportListing->property("description").toString();
    m_actions.exportListing->setStatusTip(why.isEmpty() ? tip : why);
}

void ListingExporter::chooseFile() {
    if (m_maintenance->source() == nullptr || m_client != nullptr) return;
    const QString csvFilter = tr("CSV (*.csv)"), jsonFilter = tr("JSON Lines (*.jsonl)");
    QString chosenFilter = csvFilter;
    QString path =
        QFileDialog::getSaveFileName(m_window, tr("Export Listing"), QStringLiteral("listing.csv"),
                                     csvFilter + QStringLiteral(";;") + jsonFilter, &chosenFilter);
    if (path.isEmpty()) return;
    const bool csv = path.endsWith(QStringLiteral(".csv"), Qt::CaseInsensitive) ||
                     (!path.endsWith(QStringLiteral(".jsonl"), Qt::CaseInsensitive) &&
                      chosenFilter == csvFilter);
    exportTo(path, csv);
}

void ListingExporter::exportTo(const QString& path, bool csv) {
    SourceClient* client = m_maintenance->source();
    if (client == nullptr || m_client != nullptr) return;
    m_client = client;
    m_path = path;
    const QString filter = m_filter->text();
    const QString type = m_entries->typeFilter();
    QString what =
        filter.isEmpty() ? tr("every entry") : tr("the entries matching “%1”").arg(filter);
    if (!type.isEmpty()) what += tr(" of type %1").arg(type);
    m_maintenance->report(QStringLiteral("info"),
                          tr("Export %1 of %2 to %3").arg(what, client->ref().name, path));
    m_progress = new QProgressDialog(tr("Exporting the listing of “%1”…").arg(client->ref().name),
                                     tr("Cancel"), 0, 0, m_window);
    m_progress->setObjectName(QStringLiteral("exportProgress"));
    m_progress->setWindowTitle(tr("Export Listing"));
    m_progress->setWindowModality(Qt::WindowModal);
    m_progress->setMinimumDuration(0);
    m_progress->setAutoClose(false);
    m_progress->setAutoReset(false);
    connect(m_progress, &QProgressDialog::canceled, this, [this] {
        if (m_progress) m_progress->setLabelText(tr("Stopping after the current page…"));
        if (m_client) m_client->cancelExport();
    });
    m_connections = {
        connect(client, &SourceClient::exportProgress, this, &ListingExporter::onProgress),
        connect(client, &SourceClient::listingExported, this, &ListingExporter::onExported),
        // A source closed meanwhile never answers.
        connect(client, &QObject::destroyed, this,
                [this] { onExported(0, false, tr("the source was closed")); })};
    client->requestExportListing(filter, type, csv, path);
    m_progress->show();
    updateAction();
}

void ListingExporter::onProgress(quint64 written, quint64 scanned, quint64 total) {
    if (!m_progress) return;
    constexpr quint64 kIntMax = static_cast<quint64>(std::numeric_limits<int>::max());
    const QString of = total > 0 ? tr(" of ~%1").arg(numberText(total)) : QString();
    m_progress->setLabelText(
        tr("%1 written (%2 examined%3)")
            .arg(countText(written, tr("entry"), tr("entries")), numberText(scanned), of));
    if (total > 0) {
        m_progress->setMaximum(static_cast<int>(std::min(total, kIntMax)));
        m_progress->setValue(static_cast<int>(std::min(std::min(scanned, total), kIntMax)));
    }
}

void ListingExporter::onExported(quint64 written, bool cancelled, const QString& error) {
    for (const auto& c : std::as_const(m_connections)) disconnect(c);
    m_connections.clear();
    delete m_progress;
    m_client = nullptr;
    updateAction();
    if (!error.isEmpty()) {
        m_maintenance->report(QStringLiteral("error"), tr("Export failed: %1").arg(error));
        QMessageBox::warning(m_window, tr("Export Listing"), error);
    } else if (cancelled) {
        m_maintenance->report(QStringLiteral("info"), tr("Export cancelled: no file was written"));
    } else {
        m_maintenance->report(
            QStringLiteral("info"),
            tr("Exported %1 to %2").arg(countText(written, tr("entry"), tr("entries")), m_path));
    }
    emit finished(m_path, written, cancelled, error);
}

}  // namespace twat_cache::ui
