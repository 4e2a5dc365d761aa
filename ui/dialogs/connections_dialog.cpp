#include "dialogs/connections_dialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QMessageBox>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "dialogs/redis_dialog.h"
#include "dialogs/secret_store.h"
#include "models/saved_connection.h"
#include "models/source_tree_model.h"
#include "workers/redis_endpoint.h"

namespace twat_cache::ui {
namespace {

constexpr int kRefRole = Qt::UserRole + 1;

// The cells of `ref`'s row.
QStringList rowTexts(const SourceRef& ref) {
    QStringList cells(ConnectionsDialog::kColumnCount);
    cells[ConnectionsDialog::kName] = ref.name;
    cells[ConnectionsDialog::kSeparator] = ref.separator;
    cells[ConnectionsDialog::kProduction] =
        ref.production ? QObject::tr("yes (read-only)") : QString();
    auto endpoint = parseRedisUrl(ref.location);
    cells[ConnectionsDialog::kUrl] = endpoint.ok() ? endpoint->urlWithoutPassword() : ref.location;
    if (!endpoint.ok()) return cells;
    cells[ConnectionsDialog::kDatabase] = QString::number(endpoint->db);
    if (endpoint->tls.enabled) {
        cells[ConnectionsDialog::kTls] =
            endpoint->tls.insecure ? QObject::tr("yes, unverified") : QObject::tr("yes");
    }
    if (endpoint->ssh.enabled()) {
        cells[ConnectionsDialog::kSsh] =
            (endpoint->ssh.user.isEmpty() ? QString() : endpoint->ssh.user + QLatin1Char('@')) +
            QStringLiteral("%1:%2").arg(endpoint->ssh.host).arg(endpoint->ssh.port);
    }
    return cells;
}

}  // namespace

ConnectionsDialog::ConnectionsDialog(SourceTreeModel* sources, SecretStore* secrets,
                                     QWidget* parent)
    : QDialog(parent),
      m_sources(sources),
      m_secrets(secrets),
      m_list(new QTreeWidget(this)),
      m_edit(new QPushButton(tr("&Edit…"), this)),
      m_duplicate(new QPushButton(tr("D&uplicate"), this)),
      m_delete(new QPushButton(tr("&Delete…"), this)),
      m_connect(new QPushButton(tr("&Connect"), this)),
      m_side(new QVBoxLayout) {
    setObjectName(QStringLiteral("connectionsDialog"));
    setWindowTitle(tr("Redis Connections"));
    m_list->setObjectName(QStringLiteral("connectionsList"));
    m_list->setRootIsDecorated(false);
    m_list->setAlternatingRowColors(true);
    m_list->setHeaderLabels({tr("Name"), tr("Database"), tr("TLS"), tr("SSH"), tr("Separator"),
                             tr("Production"), tr("URL")});
    // The short columns as wide as their content; the URL takes the rest, elided in the
    // middle (its tooltip has it whole).
    m_list->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_list->header()->setSectionResizeMode(kUrl, QHeaderView::Stretch);
    m_list->setTextElideMode(Qt::ElideMiddle);

    auto* add = new QPushButton(tr("&New…"), this);
    m_side->addWidget(add);
    m_side->addWidget(m_edit);
    m_side->addWidget(m_duplicate);
    m_side->addWidget(m_delete);
    m_side->addStretch(1);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_connect, QDialogButtonBox::AcceptRole);
    m_connect->setDefault(true);
    auto* row = new QHBoxLayout;
    row->addWidget(m_list, 1);
    row->addLayout(m_side);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(row);
    layout->addWidget(buttons);
    resize(1060, 380);

    connect(add, &QPushButton::clicked, this, &ConnectionsDialog::addConnection);
    connect(m_edit, &QPushButton::clicked, this, &ConnectionsDialog::editConnection);
    connect(m_duplicate, &QPushButton::clicked, this, &ConnectionsDialog::duplicateConnection);
    connect(m_delete, &QPushButton::clicked, this, &ConnectionsDialog::deleteConnection);
    connect(buttons, &QDialogButtonBox::accepted, this, &ConnectionsDialog::connectSelected);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_list, &QTreeWidget::itemDoubleClicked, this, &ConnectionsDialog::connectSelected);
    connect(m_list, &QTreeWidget::currentItemChanged, this, &ConnectionsDialog::updateButtons);
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved}) {
        connect(m_sources, signal, this, &ConnectionsDialog::reload);
    }
    connect(m_sources, &QAbstractItemModel::dataChanged, this, &ConnectionsDialog::reload);
    reload();
}

void ConnectionsDialog::addFileActions(const QList<QAction*>& actions) {
    for (QAction* action : actions) {
        auto* button = new QPushButton(action->text(), this);
        button->setToolTip(action->statusTip());
        connect(button, &QPushButton::clicked, action, &QAction::trigger);
        m_side->addWidget(button);
    }
}

void ConnectionsDialog::reload() {
    const QString current = selected() ? selected()->id : QString();
    m_list->clear();
    for (const SourceRef& ref : m_sources->userSources(SourceKind::kRedis)) {
        auto* item = new QTreeWidgetItem(m_list, rowTexts(ref));
        item->setIcon(kName, colorSwatch(ref.color));
        item->setData(kName, kRefRole, QVariant::fromValue(ref));
        item->setToolTip(kUrl, item->text(kUrl));
        if (ref.production) item->setForeground(kProduction, QColor(productionColor(ref)));
        if (!current.isEmpty() && ref.id == current) m_list->setCurrentItem(item);
    }
    if (m_list->currentItem() == nullptr && m_list->topLevelItemCount() > 0) {
        m_list->setCurrentItem(m_list->topLevelItem(0));
    }
    updateButtons();
}

void ConnectionsDialog::updateButtons() {
    const bool any = m_list->currentItem() != nullptr;
    for (QPushButton* button : {m_edit, m_duplicate, m_delete, m_connect}) button->setEnabled(any);
}

bool ConnectionsDialog::select(const QString& name) {
    const auto found = m_list->findItems(name, Qt::MatchExactly, kName);
    if (found.isEmpty()) return false;
    m_list->setCurrentItem(found.first());
    return true;
}

std::optional<SourceRef> ConnectionsDialog::selected() const {
    const QTreeWidgetItem* item = m_list->currentItem();
    if (item == nullptr) return std::nullopt;
    return item->data(kName, kRefRole).value<SourceRef>();
}

void ConnectionsDialog::addConnection() {
    RedisDialog dialog(m_secrets, this);
    if (dialog.exec() == QDialog::Accepted) emit saveRequested({}, dialog.sourceRef());
}

void ConnectionsDialog::editConnection() {
    const auto ref = selected();
    if (!ref) return;
    RedisDialog dialog(m_secrets, this);
    dialog.setConnection(*ref);
    if (dialog.exec() == QDialog::Accepted) emit saveRequested(*ref, dialog.sourceRef());
}

void ConnectionsDialog::duplicateConnection() {
    const auto ref = selected();
    if (!ref) return;
    SourceRef copy = *ref;
    copy.id = newConnectionId();
    QStringList taken;
    for (const SourceRef& other : m_sources->userSources(SourceKind::kRedis)) taken << other.name;
    copy.name = uniqueName(ref->name, taken);
    for (SecretKind kind : {SecretKind::kRedisPassword, SecretKind::kSshPassword}) {
        if (m_secrets == nullptr) break;
        const QString secret = m_secrets->sessionSecret(secretAccount(*ref, kind));
        if (!secret.isEmpty()) m_secrets->store(secretAccount(copy, kind), secret);
    }
    emit saveRequested({}, copy);
    select(copy.name);
}

void ConnectionsDialog::deleteConnection() {
    const auto ref = selected();
    if (!ref) return;
    QMessageBox ask(QMessageBox::Question, tr("Delete Connection"),
                    tr("Delete the connection “%1”?").arg(ref->name),
                    QMessageBox::Yes | QMessageBox::Cancel, this);
    ask.setInformativeText(tr("%1\nIts passwords are removed from the keyring. The server "
                              "itself is not changed.")
                               .arg(ref->location));
    ask.button(QMessageBox::Yes)->setText(tr("Delete"));
    ask.setDefaultButton(QMessageBox::Cancel);
    if (ask.exec() == QMessageBox::Yes) emit removeRequested(*ref);
}

void ConnectionsDialog::connectSelected() {
    const auto ref = selected();
    if (!ref) return;
    emit connectRequested(*ref);
    accept();
}

}  // namespace twat_cache::ui
