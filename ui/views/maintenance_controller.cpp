#include "views/maintenance_controller.h"

#include <QInputDialog>
#include <QItemSelectionModel>
#include <QKeyEvent>
#include <QLocale>
#include <QMap>
#include <QMessageBox>

#include "dialogs/prune_value_dialog.h"
#include "models/entries_model.h"
#include "views/maintenance_runner.h"
#include "workers/display_text.h"
#include "workers/source_client.h"

namespace twat_cache::ui {
namespace {}  // namespace

MaintenanceController::MaintenanceController(const Actions& actions, QItemSelectionModel* selection,
                                             QWidget* window)
    : QObject(window), m_actions(actions), m_selection(selection), m_window(window) {
    for (const QAction* action : m_actions.writeActions()) {
        m_tips.insert(action, {action->toolTip(), action->statusTip()});
    }
    connect(actions.deleteSelected, &QAction::triggered, this,
            &MaintenanceController::deleteSelected);
    connect(actions.clearExpired, &QAction::triggered, this, [this] {
        run({MaintenanceKind::kClearExpired, {}, 0});
    });
    connect(actions.clearAll, &QAction::triggered, this, [this] {
        run({MaintenanceKind::kClearAll, {}, 0});
    });
    connect(actions.prune, &QAction::triggered, this, &MaintenanceController::prune);
    connect(actions.pruneValue, &QAction::triggered, this, &MaintenanceController::pruneValue);
    connect(m_selection, &QItemSelectionModel::selectionChanged, this,
            &MaintenanceController::updateActions);
}

MaintenanceController::~MaintenanceController() {
    delete m_runner;
}

void MaintenanceController::setSource(SourceClient* client) {
    m_client = client;
    m_sourceBytes.reset();
    updateActions();
}

QString MaintenanceController::whyNotWritable() const {
    if (m_actions.readOnly->isChecked()) {
        return tr("Read-only mode is on (Cache ▸ Read-Only Mode): no cache is changed.");
    }
    if (m_client == nullptr) return tr("No source is open: select one in the Sources list.");
    if (m_client->isReadOnly()) {
        return tr("“%1” is a production connection and opens read-only: allow changes in the "
                  "banner above the entries first.")
            .arg(m_client->ref().name);
    }
    if (m_client->state() == SourceClient::State::kOpening) return tr("The source is opening.");
    if (m_client->state() == SourceClient::State::kFailed) {
        return tr("The source could not be opened.");
    }
    if (m_runner != nullptr) return tr("Another change is running.");
    return {};
}

QString MaintenanceController::whyNot(const QAction* action) const {
    if (QString reason = whyNotWritable(); !reason.isEmpty()) return reason;
    const QMap<const QAction*, MaintenanceKind> kinds = {
        {m_actions.deleteSelected, MaintenanceKind::kDeleteSelected},
        {m_actions.clearExpired, MaintenanceKind::kClearExpired},
        {m_actions.clearAll, MaintenanceKind::kClearAll},
        {m_actions.prune, MaintenanceKind::kPrune},
        {m_actions.pruneValue, MaintenanceKind::kPruneValue},
        {m_actions.setTtl, MaintenanceKind::kSetTtl},
        {m_actions.removeTtl, MaintenanceKind::kSetTtl},
        {m_actions.setTtlMatching, MaintenanceKind::kSetTtl},
        {m_actions.deleteMatching, MaintenanceKind::kDeleteMatching}};
    const QMap<const QAction*, EditKind> edits = {{m_actions.rename, EditKind::kRename}};
    QString reason;
    if (const auto kind = kinds.find(action); kind != kinds.end()) {
        reason = m_client->limits().whyNot(*kind);
    } else if (const auto edit = edits.find(action); edit != edits.end()) {
        reason = m_client->limits().whyNot(*edit);
    }
    if (!reason.isEmpty()) return tr("Not available for this source: %1.").arg(reason);
    const qsizetype selected = m_selection->selectedRows().size();
    if (action == m_actions.deleteSelected && selected == 0) {
        return tr("Select the entries to delete first.");
    }
    if ((action == m_actions.setTtl || action == m_actions.removeTtl) && selected == 0) {
        return tr("Select the entries to change first.");
    }
    if (action == m_actions.deleteMatching && !m_filterSet) {
        return tr("Type a filter first (Ctrl+F): this deletes every key it matches.");
    }
    if (action == m_actions.rename && selected != 1) {
        return tr("Select the one entry to rename.");
    }
    return {};
}

void MaintenanceController::setFilterSet(bool set) {
    m_filterSet = set;
    updateActions();
}

void MaintenanceController::updateActions() {
    for (QAction* action : m_actions.writeActions()) {
        const QString reason = whyNot(action);
        action->setEnabled(reason.isEmpty());
        const Tips tips = m_tips.value(action);
        action->setToolTip(reason.isEmpty() ? tips.tool : tips.tool + QLatin1Char('\n') + reason);
        action->setStatusTip(reason.isEmpty() ? tips.status : reason);
    }
    emit actionsUpdated();
}

bool MaintenanceController::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::KeyPress &&
        static_cast<QKeyEvent*>(event)->matches(QKeySequence::Delete) &&
        !m_actions.deleteSelected->isEnabled()) {
        emit statusMessage(tr("Nothing deleted: %1").arg(whyNot(m_actions.deleteSelected)));
        return true;
    }
    return QObject::eventFilter(watched, event);
}

void MaintenanceController::deleteSelected() {
    MaintenanceRequest request{MaintenanceKind::kDeleteSelected, {}, 0};
    for (const QModelIndex& index : m_selection->selectedRows()) {
        request.ids << index.data(EntriesModel::kIdRole).toByteArray();
    }
    if (!request.ids.isEmpty()) run(request);
}

void MaintenanceController::prune() {
    if (m_client == nullptr) return;
    const QString now =
        m_sourceBytes
            ? tr("“%1” holds %2 now.").arg(m_client->ref().name, bytesText(*m_sourceBytes))
            : QString();
    bool ok = false;
    const int mib = QInputDialog::getInt(
        m_window, tr("Prune"),
        (now.isEmpty() ? QString() : now + QLatin1Char('\n')) + tr("Keep at most (MiB):"), 100, 0,
        1 << 20, 1, &ok);
    if (ok) run({MaintenanceKind::kPrune, {}, static_cast<quint64>(mib) * 1024U * 1024U});
}

void MaintenanceController::pruneValue() {
    if (m_client == nullptr) return;
    const QString title = tr("Prune Least Valuable");
    if (!m_sourceBytes) {
        QMessageBox::information(m_window, title,
                                 tr("The size of “%1” is not known yet: wait for its statistics "
                                    "(View ▸ Refresh) and try again.")
                                     .arg(m_client->ref().name));
        return;
    }
    PruneValueDialog dialog(m_client->ref().name, *m_sourceBytes, m_window);
    if (dialog.exec() != QDialog::Accepted) return;
    run({MaintenanceKind::kPruneValue, {}, dialog.keepBytes()});
}

void MaintenanceController::run(const MaintenanceRequest& request) {
    if (m_actions.readOnly->isChecked() || m_client == nullptr || m_client->isReadOnly() ||
        m_runner != nullptr) {
        return;
    }
    report(QStringLiteral("info"),
           tr("%1 in %2: planning").arg(maintenanceTitle(request), m_client->ref().location));
    m_runner = new MaintenanceRunner(m_client, m_window, this);
    connect(m_runner, &MaintenanceRunner::nothingToDo, this, [this](const QString& why) {
        report(QStringLiteral("info"), why);
        QMessageBox::information(m_window, tr("Nothing to do"), why);
    });
    connect(m_runner, &MaintenanceRunner::finished, this,
            [this, request](const ExecuteResult& result, const QString& error, bool executed) {
                onFinished(request, result, error, executed);
            });
    // A source closed meanwhile never answers: forget the run.
    connect(m_client, &QObject::destroyed, m_runner, [this] {
        m_runner->deleteLater();
        m_runner = nullptr;
        updateActions();
    });
    m_runner->start(request);
    updateActions();
}

void MaintenanceController::onFinished(const MaintenanceRequest& request,
                                       const ExecuteResult& result, const QString& error,
                                       bool executed) {
    const QString title = maintenanceTitle(request);
    if (!error.isEmpty()) {
        report(QStringLiteral("error"), tr("%1 failed: %2").arg(title, error));
        QMessageBox::warning(m_window, title, error);
    } else if (executed && request.kind == MaintenanceKind::kSetTtl) {
        report(QStringLiteral("info"),
               tr("%1: updated %2%3")
                   .arg(title, countText(result.updated, tr("entry"), tr("entries")),
                        result.cancelled ? tr(", cancelled") : QString()));
    } else if (executed) {
        report(QStringLiteral("info"),
               tr("%1: removed %2 (%3)%4")
                   .arg(title, countText(result.removed, tr("entry"), tr("entries")),
                        result.bytesKnown ? bytesText(result.bytes) : tr("size not measured"),
                        result.cancelled ? tr(", cancelled") : QString()));
        for (const QString& refused : result.refused) {
            emit logLine(QStringLiteral("warn"), tr("left alone for safety: %1").arg(refused));
        }
    }
    if (executed && error.isEmpty()) {
        if (result.changed > 0) {
            emit logLine(QStringLiteral("info"),
                         tr("kept %1 that changed since the preview")
                             .arg(countText(result.changed, tr("entry"), tr("entries"))));
        }
        if (!result.auditError.isEmpty()) {
            emit logLine(QStringLiteral("warn"),
                         tr("not recorded in the audit log: %1").arg(result.auditError));
        }
    }
    m_runner->deleteLater();
    m_runner = nullptr;
    updateActions();
    if (executed) emit changed();
}

void MaintenanceController::report(const QString& level, const QString& message) {
    emit logLine(level, message);
    emit statusMessage(message);
}

}  // namespace twat_cache::ui
