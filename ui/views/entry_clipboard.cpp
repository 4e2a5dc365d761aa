#include "views/entry_clipboard.h"

#include <QApplication>
#include <QClipboard>
#include <QItemSelectionModel>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QStringDecoder>
#include <QTableView>

#include "models/entries_model.h"
#include "views/maintenance_controller.h"
#include "workers/display_text.h"
#include "workers/redis_cli_command.h"
#include "workers/redis_endpoint.h"
#include "workers/source_client.h"

namespace twat_cache::ui {

std::optional<QString> copyableValueText(const EntryDetail& detail, QString* why) {
    if (detail.truncated) {
        *why = QObject::tr(
                   "The value is larger than %1, too large to copy: save it to a file "
                   "(Save Value… below the value) or read it page by page.")
                   .arg(bytesText(static_cast<quint64>(EntryClipboard::kCopyValueBytes)));
        return std::nullopt;
    }
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = decoder.decode(detail.value);
    if (!decoder.hasError() && !text.contains(QChar(0))) return text;
    if (!detail.preview.isEmpty()) return detail.preview;
    *why = QObject::tr("The value is binary (%1), not text: save it to a file instead.")
               .arg(detail.valueKind);
    return std::nullopt;
}

EntryClipboard::EntryClipboard(const Actions& actions, MaintenanceController* maintenance,
                               QTableView* entries, QMainWindow* window)
    : QObject(window),
      m_actions(actions),
      m_maintenance(maintenance),
      m_entries(entries),
      m_window(window) {
    // Ctrl+C copies keys only while the entries have the focus: elsewhere (the filter, the
    // value) it copies their own text.
    actions.copyKey->setShortcutContext(Qt::WidgetShortcut);
    auto* separator = new QAction(this);
    separator->setSeparator(true);
    m_entries->addActions({separator, actions.copyKey, actions.copyValue, actions.copyRedisCli});
    // The Edit menu, after the File menu.
    auto* edit = new QMenu(tr("&Edit"), window);
    edit->setObjectName(QStringLiteral("editMenu"));
    edit->addActions({actions.copyKey, actions.copyValue, actions.copyRedisCli});
    edit->addSeparator();
    edit->addAction(actions.deleteMatching);
    const auto menus = window->menuBar()->actions();
    window->menuBar()->insertMenu(menus.size() > 1 ? menus[1] : nullptr, edit);

    connect(actions.copyKey, &QAction::triggered, this, &EntryClipboard::copyKey);
    connect(actions.copyValue, &QAction::triggered, this, [this] { fetch(Purpose::kValue); });
    connect(actions.copyRedisCli, &QAction::triggered, this, [this] { fetch(Purpose::kRedisCli); });
    connect(maintenance, &MaintenanceController::actionsUpdated, this,
            &EntryClipboard::updateActions);
    connect(m_entries->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &EntryClipboard::updateActions);
    // A reset empties the selection without selectionChanged().
    connect(m_entries->model(), &QAbstractItemModel::modelReset, this,
            &EntryClipboard::updateActions);
    connect(this, &EntryClipboard::copied, maintenance, [maintenance](const QString& what) {
        maintenance->report(QStringLiteral("info"), what);
    });
    updateActions();
}

void EntryClipboard::updateActions() {
    const qsizetype selected = m_entries->selectionModel()->selectedRows().size();
    const SourceClient* client = m_maintenance->source();
    const bool open = client != nullptr && client->state() == SourceClient::State::kOpen;
    m_actions.copyKey->setEnabled(selected > 0);
    m_actions.copyValue->setEnabled(open && selected == 1);
    m_actions.copyRedisCli->setEnabled(open && selected == 1 &&
                                       client->ref().kind == SourceKind::kRedis);
}

void EntryClipboard::copyKey() {
    QStringList keys;
    for (const QModelIndex& index : m_entries->selectionModel()->selectedRows()) {
        keys << index.data(Qt::DisplayRole).toString();
    }
    if (keys.isEmpty()) return;
    put(keys.join(QLatin1Char('\n')),
        tr("Copied %1").arg(countText(static_cast<quint64>(keys.size()), tr("key"), tr("keys"))));
}

void EntryClipboard::fetch(Purpose purpose) {
    SourceClient* client = m_maintenance->source();
    const QModelIndexList rows = m_entries->selectionModel()->selectedRows();
    if (client == nullptr || rows.size() != 1) return;
    m_id = rows.front().data(EntriesModel::kIdRole).toByteArray();
    m_purpose = purpose;
    if (m_client != client) {
        disconnect(m_reply);
        m_reply =
            connect(client, &SourceClient::valueTextReady, this, &EntryClipboard::onValueText);
        m_client = client;
    }
    emit copied(tr("Reading the value to copy…"));
    client->requestValueText(m_id, kCopyValueBytes);
}

void EntryClipboard::onValueText(const QByteArray& id, const EntryDetail& detail,
                                 const QString& error) {
    if (id != m_id || m_client == nullptr) return;
    if (!error.isEmpty()) {
        refuse(tr("Nothing copied: %1").arg(error));
        return;
    }
    if (m_purpose == Purpose::kValue) {
        QString why;
        if (const auto text = copyableValueText(detail, &why)) {
            put(*text, tr("Copied the value of “%1” (%2)")
                           .arg(detail.row.key, bytesText(static_cast<quint64>(text->size()))));
        } else {
            refuse(why);
        }
        return;
    }
    const auto endpoint = parseRedisUrl(m_client->location());  // the database listed now
    const auto key = redisKeyOfId(id);
    if (!endpoint.ok() || !key.ok()) {
        refuse(tr("Nothing copied: %1")
                   .arg(QString::fromStdString(
                       (endpoint.ok() ? key.status() : endpoint.status()).message())));
        return;
    }
    put(redisCliCommand(*endpoint, !m_client->ref().password.isEmpty(), *key, detail.valueType,
                        !detail.row.node.isEmpty()),
        tr("Copied a redis-cli command that reads “%1”").arg(detail.row.key));
}

void EntryClipboard::put(const QString& text, const QString& what) {
    QGuiApplication::clipboard()->setText(text);
    emit copied(what);
}

void EntryClipboard::refuse(const QString& why) {
    emit copied(why);
    auto* box =
        new QMessageBox(QMessageBox::Information, tr("Copy"), why, QMessageBox::Ok, m_window);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setObjectName(QStringLiteral("copyRefused"));
    box->open();  // not modal to the code: the GUI thread does not wait
}

}  // namespace twat_cache::ui
