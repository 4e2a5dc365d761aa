#include "views/entry_editing.h"

#include <QInputDialog>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QTableView>
#include <optional>

#include "models/entries_model.h"
#include "views/maintenance_controller.h"
#include "workers/display_text.h"
#include "workers/source_adapter.h"
#include "workers/source_client.h"

namespace twat_cache::ui {

QString filterGlob(const QString& filterText) {
    if (filterText.isEmpty()) return QStringLiteral("*");
    if (filterText.contains(QLatin1Char('*')) || filterText.contains(QLatin1Char('?')) ||
        filterText.contains(QLatin1Char('['))) {
        return filterText;
    }
    // A substring: a backslash in it is itself, not a glob escape.
    return QLatin1Char('*') +
           QString(filterText).replace(QLatin1Char('\\'), QStringLiteral("\\\\")) +
           QLatin1Char('*');
}

EntryEditing::EntryEditing(const Actions& actions, MaintenanceController* maintenance,
                           QTableView* entries, QLineEdit* filter, QMainWindow* window)
    : QObject(window),
      m_actions(actions),
      m_maintenance(maintenance),
      m_entries(entries),
      m_filter(filter),
      m_window(window) {
    const QList<QAction*> commands = {actions.setTtl, actions.removeTtl, actions.rename,
                                      actions.setTtlMatching};
    m_entries->addActions(commands);
    m_entries->addAction(actions.deleteMatching);  // in the Edit menu (entry_commands.h)
    // In the Cache menu: after the deleting commands, before read-only mode.
    for (QAction* menuAction : window->menuBar()->actions()) {
        QMenu* menu = menuAction->menu();
        if (menu == nullptr || !menu->actions().contains(actions.pruneValue)) continue;
        const auto items = menu->actions();
        const qsizetype after = items.indexOf(actions.pruneValue) + 1;
        QAction* before = after < items.size() ? items[after] : nullptr;
        menu->insertSeparator(before);
        menu->insertActions(before, commands);
    }
    connect(this, &EntryEditing::changed, maintenance, &MaintenanceController::changed);
    connect(actions.setTtl, &QAction::triggered, this, [this] { setTtl(false); });
    connect(actions.removeTtl, &QAction::triggered, this, [this] { setTtl(true); });
    connect(actions.setTtlMatching, &QAction::triggered, this, &EntryEditing::setTtlMatching);
    connect(actions.rename, &QAction::triggered, this, &EntryEditing::rename);
    connect(actions.deleteMatching, &QAction::triggered, this, &EntryEditing::deleteMatching);
    connect(filter, &QLineEdit::textChanged, maintenance,
            [maintenance](const QString& text) { maintenance->setFilterSet(!text.isEmpty()); });
    maintenance->setFilterSet(!filter->text().isEmpty());
}

QList<QByteArray> EntryEditing::selectedIds() const {
    QList<QByteArray> ids;
    for (const QModelIndex& index : m_entries->selectionModel()->selectedRows()) {
        ids << index.data(EntriesModel::kIdRole).toByteArray();
    }
    return ids;
}

QString EntryEditing::typeFilter() const {
    const auto* model = qobject_cast<const EntriesModel*>(m_entries->model());
    return model == nullptr ? QString() : model->typeFilter();
}

std::optional<qint64> EntryEditing::askTtl(const QString& about) {
    bool ok = false;
    const QString text = QInputDialog::getText(
        m_window, tr("Set TTL"),
        about + QLatin1Char('\n') + tr("Time to live (e.g. 90s, 5m, 1h, 7d):"), QLineEdit::Normal,
        QStringLiteral("1h"), &ok);
    if (!ok) return std::nullopt;
    auto ttl = parseTtl(text);
    if (!ttl.ok()) {
        QMessageBox::warning(m_window, tr("Set TTL"),
                             tr("“%1” is not a time to live: %2")
                                 .arg(text, QString::fromStdString(ttl.status().message())));
        return std::nullopt;
    }
    return *ttl;
}

void EntryEditing::setTtl(bool remove) {
    MaintenanceRequest request{MaintenanceKind::kSetTtl, selectedIds(), 0};
    if (request.ids.isEmpty()) return;
    if (!remove) {
        request.ttlMs = askTtl(countText(static_cast<quint64>(request.ids.size()),
                                         tr("selected entry"), tr("selected entries")));
        if (!request.ttlMs) return;
    }
    m_maintenance->run(request);  // previews and asks before changing anything
}

void EntryEditing::setTtlMatching() {
    MaintenanceRequest request{MaintenanceKind::kSetTtl, {}, 0};
    request.glob = filterGlob(m_filter->text());
    request.type = typeFilter();  // the Type box: only keys of that type
    const QString ofType = request.type.isEmpty() ? QString() : tr(" of type %1").arg(request.type);
    request.ttlMs = askTtl(tr("Every key matching “%1”%2, over the whole keyspace (not only the "
                              "rows loaded).")
                               .arg(request.glob, ofType));
    if (request.ttlMs) m_maintenance->run(request);
}

void EntryEditing::deleteMatching() {
    if (m_filter->text().isEmpty() || !m_actions.deleteMatching->isEnabled()) return;
    MaintenanceRequest request{MaintenanceKind::kDeleteMatching, {}, 0};
    request.glob = filterGlob(m_filter->text());
    request.type = typeFilter();  // the Type box: only keys of that type
    m_maintenance->run(request);  // previews and asks before deleting anything
}

void EntryEditing::rename() {
    SourceClient* client = m_maintenance->source();
    const QModelIndexList rows = m_entries->selectionModel()->selectedRows();
    if (client == nullptr || rows.size() != 1 || m_editing || !m_actions.rename->isEnabled()) {
        return;
    }
    const QByteArray id = rows.front().data(EntriesModel::kIdRole).toByteArray();
    const QString oldKey = rows.front().data(Qt::DisplayRole).toString();
    // A key shown as it is has itself as its id; one shown escaped or shortened does not, and
    // its shown text must not become the new name by a small edit.
    const bool shownExactly = id == oldKey.toUtf8();
    bool ok = false;
    const QString newKey = QInputDialog::getText(
        m_window, tr("Rename"),
        shownExactly ? tr("New key name of “%1”:").arg(oldKey)
                     : tr("New key name of “%1” (shown escaped or shortened; type the whole new "
                          "name):")
                           .arg(oldKey),
        QLineEdit::Normal, shownExactly ? oldKey : QString(), &ok);
    if (!ok || newKey.isEmpty() || (shownExactly && newKey == oldKey)) return;
    EntryEdit edit;
    edit.kind = EditKind::kRename;
    edit.id = id;
    edit.newKey = newKey.toUtf8();
    m_editing = true;
    m_maintenance->report(QStringLiteral("info"),
                          tr("Rename “%1” to “%2” in %3").arg(oldKey, newKey, client->ref().name));
    // Another edit (the value pages') may answer first: only this request's answer counts.
    m_answer = connect(client, &SourceClient::edited, this,
                       [this, oldKey, newKey](quint64 number, const QByteArray&, const EntryRow&,
                                              const QString& error) {
                           if (number != m_request) return;
                           disconnect(m_answer);
                           m_editing = false;
                           if (!error.isEmpty()) {
                               m_maintenance->report(QStringLiteral("error"),
                                                     tr("Rename failed: %1").arg(error));
                               QMessageBox::warning(m_window, tr("Rename"), error);
                               return;
                           }
                           m_maintenance->report(QStringLiteral("info"),
                                                 tr("Renamed “%1” to “%2”").arg(oldKey, newKey));
                           emit changed();
                       });
    // A source closed meanwhile never answers.
    connect(client, &QObject::destroyed, this, [this] { m_editing = false; });
    m_request = client->requestEdit(edit);
}

}  // namespace twat_cache::ui
