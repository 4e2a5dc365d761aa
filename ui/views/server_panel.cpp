#include "views/server_panel.h"

#include <QComboBox>
#include <QDateTime>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include "workers/display_text.h"
#include "workers/source_client.h"

namespace twat_cache::ui {
namespace {

constexpr int kDefaultDatabases = 16;  // Redis's default when the server does not say

QString notRedisText() {
    return ServerPanel::tr("Server information is shown for Redis sources.");
}

// "3 d 4 h", "2 h 5 min", "4 min 10 s", "12 s".
QString spanText(quint64 seconds) {
    const quint64 d = seconds / 86400, h = seconds % 86400 / 3600, m = seconds % 3600 / 60,
                  s = seconds % 60;
    if (d > 0) return ServerPanel::tr("%1 d %2 h").arg(d).arg(h);
    if (h > 0) return ServerPanel::tr("%1 h %2 min").arg(h).arg(m);
    if (m > 0) return ServerPanel::tr("%1 min %2 s").arg(m).arg(s);
    return ServerPanel::tr("%1 s").arg(s);
}

QString orMark(const std::optional<quint64>& v, QString (*format)(quint64)) {
    return v ? format(*v) : notRecordedMark();
}

QString timeText(qint64 unixSeconds) {
    return QDateTime::fromSecsSinceEpoch(unixSeconds)
        .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

}  // namespace

ServerPanel::ServerPanel(QWidget* parent)
    : QWidget(parent),
      m_message(new QLabel(this)),
      m_databases(new QComboBox(this)),
      m_refresh(new QPushButton(tr("Refresh"), this)),
      m_tabs(new QTabWidget(this)),
      m_form(new QFormLayout),
      m_slowlog(new QTableWidget(0, 5, this)) {
    setObjectName(QStringLiteral("serverPanel"));
    m_message->setObjectName(QStringLiteral("serverMessage"));
    m_message->setWordWrap(true);
    m_databases->setObjectName(QStringLiteral("databaseCombo"));
    m_databases->setToolTip(tr("The database of this server the entries are listed from"));
    m_databases->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_refresh->setObjectName(QStringLiteral("serverRefresh"));
    m_refresh->setToolTip(tr("Read the server information and the slow log again"));

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Database"), this));
    top->addWidget(m_databases);
    top->addStretch(1);
    top->addWidget(m_refresh);

    auto* info = new QWidget(this);
    info->setLayout(m_form);
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    const std::pair<const char*, QString> rows[] = {
        {"version", tr("Version")},      {"role", tr("Role")},
        {"node", tr("Server")},          {"uptime", tr("Uptime")},
        {"clients", tr("Clients")},      {"memory", tr("Memory")},
        {"maxmemory", tr("Max memory")}, {"rdb", tr("RDB snapshots")},
        {"aof", tr("Append-only file")}, {"keyspace", tr("Keyspace")},
    };
    for (const auto& [field, label] : rows) {
        auto* value = new QLabel(this);
        value->setObjectName(QStringLiteral("server_") + QLatin1String(field));
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        value->setWordWrap(true);
        m_form->addRow(label, value);
        m_fields.insert(QLatin1String(field), value);
    }
    // The form scrolls, so the dock may stay low under the entries.
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(info);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_tabs->addTab(scroll, tr("Server"));

    m_slowlog->setObjectName(QStringLiteral("slowlogTable"));
    m_slowlog->setHorizontalHeaderLabels(
        {tr("ID"), tr("Time"), tr("Duration"), tr("Command"), tr("Client")});
    m_slowlog->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_slowlog->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_slowlog->verticalHeader()->setVisible(false);
    m_slowlog->horizontalHeader()->setStretchLastSection(false);
    m_slowlog->horizontalHeader()->setSectionResizeMode(3, QHeaderView::Stretch);
    m_tabs->addTab(m_slowlog, tr("Slow Log"));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addWidget(m_message);
    layout->addWidget(m_tabs, 1);

    connect(m_refresh, &QPushButton::clicked, this, &ServerPanel::refresh);
    connect(m_databases, &QComboBox::activated, this, &ServerPanel::chooseDatabase);
    showSource(nullptr);
}

void ServerPanel::showSource(SourceClient* client) {
    for (const auto& c : m_connections) disconnect(c);
    m_connections.clear();
    const bool redis = client != nullptr && client->ref().kind == SourceKind::kRedis;
    m_client = redis ? client : nullptr;
    m_infoPending = false;
    m_switching = false;
    m_db = 0;
    for (QLabel* value : std::as_const(m_fields)) value->clear();
    m_slowlog->setRowCount(0);
    m_databases->clear();
    m_databases->setEnabled(false);
    m_refresh->setEnabled(redis);
    if (!redis) {
        setMessage(notRedisText());
        return;
    }
    setMessage(tr("Reading the server's information…"));
    m_connections << connect(client, &SourceClient::serverInfoReady, this, &ServerPanel::onInfo)
                  << connect(client, &SourceClient::slowlogReady, this, &ServerPanel::onSlowlog)
                  << connect(client, &SourceClient::databaseSelected, this,
                             &ServerPanel::onDatabaseSelected)
                  // Each statistics sample refreshes the figures (not the slow log) while the
                  // panel is shown: a hidden one asks the server nothing.
                  << connect(client, &SourceClient::statsReady, this, [this] {
                         if (isVisible()) requestInfo();
                     });
    refresh();
}

void ServerPanel::requestInfo() {
    if (!m_client || m_infoPending) return;
    m_infoPending = true;
    m_client->requestServerInfo();
}

void ServerPanel::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    requestInfo();
}

void ServerPanel::refresh() {
    if (!m_client) return;
    m_infoPending = true;
    m_client->requestServerInfo();
    m_client->requestSlowlog(kSlowlogEntries);
}

QSize ServerPanel::sizeHint() const {
    // High enough for the database line and a few lines of the form or the slow log.
    return {QWidget::sizeHint().width(), 8 * fontMetrics().height() + 60};
}

QString ServerPanel::fieldText(const QString& field) const {
    const QLabel* value = m_fields.value(field);
    return value ? value->text() : QString();
}

QString ServerPanel::messageText() const {
    return m_message->isVisible() || !m_message->text().isEmpty() ? m_message->text() : QString();
}

void ServerPanel::setMessage(const QString& text) {
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
}

void ServerPanel::onInfo(const ServerInfo& info, const QString& error) {
    m_infoPending = false;
    if (!error.isEmpty()) {
        setMessage(error);
        return;
    }
    setMessage({});
    m_db = info.db;
    auto set = [this](const char* field, const QString& text) {
        m_fields.value(QLatin1String(field))->setText(text);
    };
    set("version", tr("Redis %1 (%2)").arg(info.version, info.mode));
    set("role", info.role);
    set("node", info.node);
    set("uptime", info.uptimeSeconds ? spanText(*info.uptimeSeconds) : notRecordedMark());
    set("clients", tr("%1 connected, %2 blocked")
                       .arg(orMark(info.connectedClients, numberText),
                            orMark(info.blockedClients, numberText)));
    set("memory",
        tr("%1 used, %2 at most so far")
            .arg(orMark(info.usedMemory, bytesText), orMark(info.usedMemoryPeak, bytesText)));
    const QString limit = !info.maxmemory   ? notRecordedMark()
                          : *info.maxmemory ? bytesText(*info.maxmemory)
                                            : tr("no limit");
    set("maxmemory", info.maxmemoryPolicy.isEmpty()
                         ? limit
                         : tr("%1, eviction policy %2").arg(limit, info.maxmemoryPolicy));
    QString rdb = info.rdbLastSaveTime ? tr("last saved %1").arg(timeText(*info.rdbLastSaveTime))
                                       : tr("never saved");
    if (!info.rdbLastBgsaveStatus.isEmpty())
        rdb += tr(" (last save: %1)").arg(info.rdbLastBgsaveStatus);
    if (info.rdbChangesSinceLastSave) {
        rdb += tr(", %1 since")
                   .arg(countText(*info.rdbChangesSinceLastSave, tr("change"), tr("changes")));
    }
    set("rdb", rdb);
    set("aof", !info.aofEnabled   ? notRecordedMark()
               : *info.aofEnabled ? tr("on (last write: %1)").arg(info.aofLastWriteStatus)
                                  : tr("off"));
    QStringList keyspace;
    for (const KeyspaceRow& row : info.keyspace) {
        QString line =
            tr("db %1: %2, %3 with a TTL")
                .arg(row.db)
                .arg(countText(row.keys, tr("key"), tr("keys")), numberText(row.expires));
        if (row.avgTtlMs > 0)
            line += tr(" (about %1 left on average)").arg(spanText(row.avgTtlMs / 1000));
        keyspace << line;
    }
    set("keyspace",
        keyspace.isEmpty() ? tr("no database holds keys") : keyspace.join(QLatin1Char('\n')));
    fillDatabases(info);
}

void ServerPanel::fillDatabases(const ServerInfo& info) {
    const QSignalBlocker blocker(m_databases);
    const bool cluster = info.mode == QLatin1String("cluster");
    const int count =
        cluster ? 1 : std::max(info.databases.value_or(kDefaultDatabases), info.db + 1);
    if (m_databases->count() != count) {
        m_databases->clear();
        for (int db = 0; db < count; ++db) m_databases->addItem(QString(), db);
    }
    for (int db = 0; db < count; ++db) {
        quint64 keys = 0;
        for (const KeyspaceRow& row : info.keyspace) {
            if (row.db == db) keys = row.keys;
        }
        m_databases->setItemText(
            db, tr("db %1 — %2").arg(db).arg(countText(keys, tr("key"), tr("keys"))));
    }
    if (m_switching) return;  // the switch under way decides the choice and the state
    m_databases->setCurrentIndex(info.db);
    m_databases->setEnabled(!cluster);
    m_databases->setToolTip(cluster
                                ? tr("A cluster has only database 0")
                                : tr("The database of this server the entries are listed from"));
}

void ServerPanel::onSlowlog(const QList<SlowlogRow>& rows, const QString& error) {
    m_slowlog->setRowCount(0);
    if (!error.isEmpty()) {
        // An ACL user without SLOWLOG: the rest of the panel still works.
        m_slowlog->setRowCount(1);
        auto* item = new QTableWidgetItem(error);
        item->setToolTip(error);
        m_slowlog->setItem(0, 3, item);
        emit logLine(QStringLiteral("warn"), error);
        return;
    }
    m_slowlog->setRowCount(static_cast<int>(rows.size()));
    for (int r = 0; r < rows.size(); ++r) {
        const SlowlogRow& row = rows[r];
        const QString command = visibleText(row.args.join(QLatin1Char(' ')));
        const QString client = row.clientName.isEmpty()
                                   ? row.client
                                   : tr("%1 (%2)").arg(row.client, visibleText(row.clientName));
        const QStringList cells = {QString::number(row.id), timeText(row.timeSeconds),
                                   tr("%1 µs").arg(numberText(row.durationUs)), command, client};
        for (int c = 0; c < cells.size(); ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            if (c == 0 || c == 2) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            if (c == 3) item->setToolTip(command);
            m_slowlog->setItem(r, c, item);
        }
    }
    m_slowlog->resizeColumnToContents(1);
}

void ServerPanel::chooseDatabase(int index) {
    if (!m_client || index < 0 || index == m_db) return;
    m_databases->setEnabled(false);
    m_switching = true;
    setMessage(tr("Switching to database %1…").arg(index));
    m_client->requestSelectDatabase(index);
}

void ServerPanel::onDatabaseSelected(int db, const QString& error) {
    m_switching = false;
    m_databases->setEnabled(true);
    if (!error.isEmpty()) {
        setMessage(error);
        const QSignalBlocker blocker(m_databases);
        m_databases->setCurrentIndex(m_db);
        emit logLine(QStringLiteral("error"), error);
        return;
    }
    setMessage({});
    m_db = db;
    emit logLine(QStringLiteral("info"), tr("listing database %1").arg(db));
    emit databaseChanged(db);
    refresh();
}

}  // namespace twat_cache::ui
