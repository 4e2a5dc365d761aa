#include "views/main_window.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QFrame>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QTreeView>
#include <QVBoxLayout>

#include "demo_cache.h"
#include "dialogs/deletion_log_dialog.h"
#include "dialogs/shortcuts_dialog.h"
#include "dialogs/user_guide_dialog.h"
#include "models/entries_model.h"
#include "models/source_tree_model.h"
#include "ui_resources.h"
#include "views/analysis_view.h"
#include "views/details_pane.h"
#include "views/entries_columns.h"
#include "views/entry_clipboard.h"
#include "views/entry_editing.h"  // and maintenance_controller.h
#include "views/listing_exporter.h"
#include "views/log_panel.h"
#include "views/namespace_panel.h"
#include "views/nodes_panel.h"
#include "views/optional_dock.h"
#include "views/production_banner.h"
#include "views/search_bar.h"
#include "views/server_panel.h"
#include "views/sort_header.h"
#include "views/source_discovery.h"
#include "views/source_sessions.h"
#include "views/stats_panel.h"
#include "workers/display_text.h"
#include "workers/log_bridge.h"
#include "workers/source_client.h"

namespace twat_cache::ui {
namespace {

constexpr int kSettingsVersion = 1;
constexpr int kDefaultStatsIntervalMs = 2000;

}  // namespace

QDockWidget* MainWindow::makeDock(const QString& title, const char* objectName, QWidget* content,
                                  Qt::DockWidgetArea area) {
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(QString::fromLatin1(objectName));  // saveState() needs names
    dock->setWidget(content);
    addDockWidget(area, dock);
    return dock;
}

MainWindow::MainWindow(QWidget* parent, bool demoWhenEmpty)
    : QMainWindow(parent),
      m_actions(std::make_unique<Actions>(this)),
      m_sources(new SourceTreeModel(this)),
      m_sourceView(new QTreeView(this)),
      m_entries(new EntriesModel(this)),
      m_entriesView(new QTableView(this)),
      m_filterEdit(new QLineEdit(this)),
      m_entriesMessage(new QLabel(this)),
      m_filterTimer(new QTimer(this)),
      m_splitter(new QSplitter(Qt::Vertical, this)),
      m_details(new DetailsPane(this)),
      m_stats(new StatsPanel(this)),
      m_log(new LogPanel(this)),
      m_statusSource(new QLabel(this)),
      m_statusCount(new QLabel(this)),
      m_statusScan(new QLabel(this)),
      m_statusReadOnly(new QLabel(this)),
      m_namespacePanel(new NamespacePanel(this)),
      m_nodesPanel(new NodesPanel(this)),
      m_serverPanel(new ServerPanel(this)),
      m_statsTimer(new QTimer(this)),
      m_sessions(new SourceSessions(this)),
      m_logBridge(new LogBridge(this)) {
    initUiResources();
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("twat-cache inspector"));
    m_discovery = new SourceDiscovery(demoWhenEmpty, this);
    setWindowIcon(QIcon(QStringLiteral(":/icons/twat-cache-inspector.svg")));
    registerSourceTypes();
    buildWidgets();
    m_maintenance = new MaintenanceController(*m_actions, m_entriesView->selectionModel(), this);
    m_entriesView->installEventFilter(m_maintenance);
    buildMenusAndToolbar();
    connectActions();
    connectPanels();
    new EntryEditing(*m_actions, m_maintenance, m_entriesView, m_filterEdit, this);
    new EntryClipboard(*m_actions, m_maintenance, m_entriesView, this);
    new ListingExporter(*m_actions, m_maintenance, m_filterEdit, m_entries, this);
    m_details->setMaintenance(m_maintenance);  // the value pages' editing
    QSettings settings;
    restoreSettings(settings);
    showInPanels(nullptr);  // the source docks hide until a source fills them
    updateActionStates();
    updateStatus();
    discover();
}

MainWindow::~MainWindow() {
    m_statsTimer->stop();
    // The model and a running command reference clients; detach them before the clients go.
    m_entries->setSource(nullptr);
    delete m_maintenance;
    delete m_sessions;
}

void MainWindow::buildWidgets() {
    m_sourceView->setObjectName(QStringLiteral("sourcesView"));
    m_sourceView->setModel(m_sources);
    // Names whole, then the numbers (entries, size): a narrow dock scrolls to them.
    m_sourceView->header()->setStretchLastSection(false);
    m_sourceView->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_sourceView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_sourceView->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_sourceView->addActions(
        {m_actions->refresh, m_actions->openFolder, m_actions->newRedis, m_actions->removeSource});
    m_sourceView->expandAll();

    m_entriesView->setObjectName(QStringLiteral("entriesView"));
    m_entriesView->setModel(m_entries);
    m_entriesView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_entriesView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_entriesView->setAlternatingRowColors(true);
    m_entriesView->verticalHeader()->setVisible(false);
    m_entriesView->verticalHeader()->setDefaultSectionSize(m_entriesView->fontMetrics().height() +
                                                           6);
    new EntriesColumns(m_entriesView);
    bindSortHeader(m_entriesView->horizontalHeader(), m_entries);
    m_entriesView->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_entriesView->addActions({m_actions->refresh, m_actions->filter, m_actions->deleteSelected,
                               m_actions->clearExpired, m_actions->clearAll, m_actions->prune});

    m_filterEdit->setObjectName(QStringLiteral("filterEdit"));
    m_filterEdit->setPlaceholderText(tr("Filter keys (Ctrl+F)"));
    m_filterEdit->setClearButtonEnabled(true);
    m_filterEdit->addAction(QIcon(QStringLiteral(":/icons/filter.svg")),
                            QLineEdit::LeadingPosition);
    m_filterTimer->setSingleShot(true);
    m_filterTimer->setInterval(250);  // one scan per pause in typing, not per key
    m_entriesMessage->setObjectName(QStringLiteral("entriesMessage"));
    m_entriesMessage->setWordWrap(true);
    m_entriesMessage->setVisible(false);

    auto* entriesBox = new QWidget(this);
    auto* entriesLayout = new QVBoxLayout(entriesBox);
    entriesLayout->setContentsMargins(0, 0, 0, 0);
    entriesLayout->addWidget(m_filterEdit);
    entriesLayout->addWidget(m_entriesMessage);
    entriesLayout->addWidget(new SearchBar(m_entries, this));
    entriesLayout->addWidget(m_entriesView);
    m_splitter->setObjectName(QStringLiteral("entriesSplitter"));
    m_splitter->addWidget(entriesBox);
    m_splitter->addWidget(m_details);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    auto* central = new QFrame(this);
    central->setObjectName(QStringLiteral("centralFrame"));
    auto* centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(0);
    m_banner = new ProductionBanner(central, central);
    centralLayout->addWidget(m_banner);
    centralLayout->addWidget(m_splitter, 1);
    setCentralWidget(central);

    // The side docks run the window's full height; the log sits under the entries only.
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    makeDock(tr("Sources"), "sourcesDock", m_sourceView, Qt::LeftDockWidgetArea);
    makeDock(tr("Namespaces"), "namespacesDock", m_namespacePanel, Qt::LeftDockWidgetArea);
    makeDock(tr("Statistics"), "statsDock", m_stats, Qt::RightDockWidgetArea);
    buildPanelDocks(makeDock(tr("Log"), "logDock", m_log, Qt::BottomDockWidgetArea));
    connect(AnalysisView::addDock(this, m_actions->analysis, m_entries),
            &AnalysisView::filterRequested, this, &MainWindow::setFilterText);

    statusBar()->addWidget(m_statusSource, 1);
    m_statusReadOnly->setObjectName(QStringLiteral("readOnlyIndicator"));
    m_statusReadOnly->setText(tr("Read-only mode: no cache is changed"));
    m_statusReadOnly->setToolTip(m_actions->readOnly->statusTip());
    m_statusReadOnly->setVisible(false);
    statusBar()->addPermanentWidget(m_statusReadOnly);
    statusBar()->addPermanentWidget(m_statusScan);
    statusBar()->addPermanentWidget(m_statusCount);
    m_statsTimer->setInterval(kDefaultStatsIntervalMs);
    m_sampleClock.start();
}

void MainWindow::buildMenusAndToolbar() {
    const Actions& a = *m_actions;
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addActions({a.openFolder, a.newRedis, a.manageConnections, a.removeSource});
    file->addSeparator();
    file->addActions({a.importConnections, a.exportConnections});
    file->addSeparator();
    file->addAction(a.quit);
    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addActions({a.refresh, a.filter, a.analysis});
    view->addSeparator();
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        view->addAction(dock->toggleViewAction());
    QMenu* cache = menuBar()->addMenu(tr("&Cache"));
    cache->setToolTipsVisible(true);  // a disabled command says why
    cache->addActions({a.deleteSelected, a.clearExpired, a.clearAll, a.prune, a.pruneValue});
    cache->addSeparator();
    cache->addAction(a.readOnly);
    cache->addSeparator();
    cache->addAction(a.deletionLog);
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addActions({a.userGuide, a.shortcuts});
    help->addSeparator();
    help->addAction(a.about);

    QToolBar* toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolbar"));
    toolbar->addActions({a.openFolder, a.newRedis, a.refresh});
    toolbar->addSeparator();
    toolbar->addActions({a.filter, a.deleteSelected, a.clearExpired, a.clearAll, a.prune});
    toolbar->addSeparator();
    toolbar->addAction(a.readOnly);
}

void MainWindow::connectActions() {
    const Actions& a = *m_actions;
    connect(a.quit, &QAction::triggered, this, &QWidget::close);
    connect(a.refresh, &QAction::triggered, this, &MainWindow::refresh);
    connect(a.openFolder, &QAction::triggered, this, &MainWindow::chooseFolder);
    connect(a.newRedis, &QAction::triggered, this, &MainWindow::newRedisConnection);
    connect(a.manageConnections, &QAction::triggered, this, &MainWindow::manageConnections);
    connect(a.importConnections, &QAction::triggered, this, &MainWindow::chooseImportFile);
    connect(a.exportConnections, &QAction::triggered, this, &MainWindow::chooseExportFile);
    connect(m_banner, &ProductionBanner::allowChangesRequested, this,
            [this] { allowProductionChanges(true); });
    connect(m_banner, &ProductionBanner::readOnlyRequested, this,
            [this] { allowProductionChanges(false); });
    connect(a.filter, &QAction::triggered, this, [this] {
        m_filterEdit->setFocus(Qt::ShortcutFocusReason);
        m_filterEdit->selectAll();
    });
    connect(a.removeSource, &QAction::triggered, this, &MainWindow::removeCurrentSource);
    // Read-only is the core's: every open source is reopened read-only on its worker.
    connect(a.readOnly, &QAction::toggled, this, [this](bool readOnly) {
        m_sessions->setReadOnly(readOnly);
        updateActionStates();
    });
    connect(a.deletionLog, &QAction::triggered, this, [this] {
        auto* dialog = new DeletionLogDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->show();
    });
    connect(a.userGuide, &QAction::triggered, this, [this] {
        auto* dialog = new UserGuideDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->show();
    });
    connect(a.shortcuts, &QAction::triggered, this, [this] {
        // Every action of the window, in menu order: what the keys really do.
        auto* dialog = new ShortcutsDialog(m_actions->all(), this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->show();
    });
    connect(a.about, &QAction::triggered, this, [this] {
        QMessageBox::about(this, tr("About twat-cache inspector"),
                           tr("<b>twat-cache inspector</b> %1<p>Browse caches (twat-cache, "
                              "python-diskcache, joblib, folders, Redis), read their "
                              "statistics and clean them safely.</p>")
                               .arg(QStringLiteral(TWAT_CACHE_VERSION)));
    });
    connect(m_maintenance, &MaintenanceController::logLine, this, &MainWindow::log);
    connect(m_maintenance, &MaintenanceController::statusMessage, this,
            [this](const QString& message) { statusBar()->showMessage(message, 15000); });
    connect(m_maintenance, &MaintenanceController::changed, this, &MainWindow::refresh);
    connect(m_sessions, &SourceSessions::opened, this, &MainWindow::onSourceOpened);
    connect(m_sessions, &SourceSessions::reopened, this,
            [this](SourceClient* client, bool readOnly, const QString& error) {
                if (!error.isEmpty())
                    log(QStringLiteral("error"), error);
                else if (readOnly)
                    log(QStringLiteral("info"),
                        tr("reopened %1 read-only").arg(client->ref().location));
            });
    connect(m_sessions, &SourceSessions::statsReady, this, &MainWindow::onStats);
    connect(m_sessions, &SourceSessions::namespacesReady, m_namespacePanel,
            &NamespacePanel::onReport);
    connect(m_namespacePanel, &NamespacePanel::scanStatusChanged, m_statusScan, &QLabel::setText);
    connect(m_namespacePanel, &NamespacePanel::filterRequested, this, &MainWindow::setFilterText);
    connect(m_namespacePanel, &NamespacePanel::logLine, this, &MainWindow::log);
    connect(m_sessions, &SourceSessions::detailReady, this, &MainWindow::onDetail);

    connect(m_sourceView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &MainWindow::onSourceActivated);
    // A click on the selected source opens it again after it failed or was closed.
    connect(m_sourceView, &QAbstractItemView::clicked, this, &MainWindow::onSourceActivated);
    connect(m_entriesView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::onEntryChanged);
    connect(m_entries, &EntriesModel::pageLoaded, this, &MainWindow::onPageLoaded);
    connect(m_entries, &QAbstractItemModel::modelReset, this, &MainWindow::onEntriesReset);
    connect(m_entries, &EntriesModel::searchChanged, this, &MainWindow::updateStatus);
    connect(m_entries, &EntriesModel::searchChanged, this,
            [this] { m_nodesPanel->setScans(m_entries->nodeScans()); });
    connect(m_statsTimer, &QTimer::timeout, this, &MainWindow::sampleStats);
    connect(m_filterEdit, &QLineEdit::textChanged, m_filterTimer, qOverload<>(&QTimer::start));
    connect(m_filterTimer, &QTimer::timeout, this,
            [this] { m_entries->setFilter(m_filterEdit->text()); });
    connect(m_logBridge, &LogBridge::lineLogged, m_log, &LogPanel::appendLine);
    connect(m_discovery, &SourceDiscovery::discovered, this, &MainWindow::onDiscovered);
}

void MainWindow::saveSettings(QSettings& settings) const {
    settings.beginGroup(QStringLiteral("mainWindow"));
    settings.setValue(QStringLiteral("version"), kSettingsVersion);
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("state"), saveState(kSettingsVersion));
    settings.setValue(QStringLiteral("splitter"), m_splitter->saveState());
    settings.setValue(QStringLiteral("readOnly"), isReadOnly());
    m_nodesDock->save(settings);
    m_serverDock->save(settings);
    settings.endGroup();
    m_sources->saveUserSources(settings);
}

void MainWindow::restoreSettings(QSettings& settings) {
    settings.beginGroup(QStringLiteral("mainWindow"));
    if (settings.value(QStringLiteral("version")).toInt() == kSettingsVersion) {
        restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray());
        restoreState(settings.value(QStringLiteral("state")).toByteArray(), kSettingsVersion);
        m_splitter->restoreState(settings.value(QStringLiteral("splitter")).toByteArray());
    } else {
        resize(1200, 760);
        resizeDocks({findChild<QDockWidget*>(QStringLiteral("sourcesDock")),
                     findChild<QDockWidget*>(QStringLiteral("statsDock"))},
                    {200, 220}, Qt::Horizontal);
        resizeDocks({findChild<QDockWidget*>(QStringLiteral("logDock"))}, {130}, Qt::Vertical);
    }
    setReadOnly(settings.value(QStringLiteral("readOnly"), false).toBool());
    m_nodesDock->restore(settings);   // after restoreState: shown only for a cluster
    m_serverDock->restore(settings);  // shown only for Redis
    settings.endGroup();
    m_sources->restoreUserSources(settings);
    m_sourceView->expandAll();
}

bool MainWindow::isReadOnly() const {
    return m_actions->readOnly->isChecked();
}

void MainWindow::setReadOnly(bool readOnly) {
    m_actions->readOnly->setChecked(readOnly);  // toggled() reopens the open sources
    updateActionStates();
}

void MainWindow::closeEvent(QCloseEvent* event) {
    m_statsTimer->stop();
    QSettings settings;
    saveSettings(settings);
    event->accept();
}

void MainWindow::discover(const QString& root) {
    m_discovery->discover(root);
}

void MainWindow::onDiscovered(const SourceDiscovery::Outcome& outcome) {
    m_sources->setDiscovered(outcome.root, outcome.sources, outcome.error);
    if (outcome.wroteDemo) {
        log(QStringLiteral("info"), tr("%1 was empty: wrote the demo cache %2 there")
                                        .arg(outcome.root, QLatin1String(kDemoCacheName)));
    }
    m_sourceView->expandAll();
    if (outcome.error.isEmpty()) {
        log(QStringLiteral("info"), tr("found %1 under %2")
                                        .arg(countText(static_cast<quint64>(outcome.sources.size()),
                                                       tr("cache"), tr("caches")),
                                             outcome.root));
    } else {
        log(QStringLiteral("warn"), tr("discovery under %1: %2").arg(outcome.root, outcome.error));
    }
}

void MainWindow::addSource(const SourceRef& ref) {
    const QModelIndex index = m_sources->addSource(ref);
    m_sourceView->expandAll();
    persistSources();
    m_sourceView->setCurrentIndex(index);  // opens it through onSourceActivated
    if (m_current == nullptr || m_sessions->find(ref) != m_current) openSource(ref);
}

void MainWindow::openSource(const SourceRef& ref) {
    // Its keyring lookup is under way (addSource asks twice): the answer opens it, with the
    // password, rather than this call without.
    if (!m_pendingOpen.isEmpty() && m_pendingOpen == SourceSessions::keyOf(ref)) return;
    m_pendingOpen.clear();
    if (m_sessions->needsSecretLookup(ref)) {
        // Its password may be in the keyring: read it first (once a session), then open.
        showNoSource(tr("Reading the password of %1 from the keyring…").arg(ref.name));
        m_pendingOpen = SourceSessions::keyOf(ref);
        m_sessions->lookUpSecret(ref, [this, ref] {
            if (m_pendingOpen != SourceSessions::keyOf(ref)) return;  // another was chosen
            m_pendingOpen.clear();
            openSource(ref);
        });
        return;
    }
    SourceClient* client = m_sessions->client(ref);
    m_current = client;
    m_entriesMessage->setVisible(false);
    m_entriesView->horizontalScrollBar()->setValue(0);  // each source starts at its keys
    m_entries->setSource(client);
    m_maintenance->setSource(client);
    m_stats->showSource(SourceSessions::keyOf(ref));
    m_statsPending = true;
    client->requestStats();
    m_statsTimer->start();
    showInPanels(client);
    updateActionStates();
    updateStatus();
}

void MainWindow::showNoSource(const QString& message) {
    m_pendingOpen.clear();
    m_current = nullptr;
    m_statsTimer->stop();
    m_statsPending = false;
    m_entries->setSource(nullptr);
    m_maintenance->setSource(nullptr);
    m_stats->showSource({});
    showInPanels(nullptr);
    m_entriesMessage->setText(message);
    m_entriesMessage->setVisible(!message.isEmpty());
    updateActionStates();
    updateStatus();
}

void MainWindow::onSourceOpened(SourceClient* client, const QString& error) {
    const SourceRef ref = client->ref();
    if (error.isEmpty()) {
        log(QStringLiteral("info"), tr("opened %1").arg(ref.location));
        if (client == m_current) updateActionStates();
        return;
    }
    QString message = tr("Cannot open %1: %2").arg(ref.name, error);
    if (!ref.id.isEmpty() && ref.password.isEmpty() && error.contains(QLatin1String("password"))) {
        // A saved connection whose password was kept for an earlier session only.
        message += QStringLiteral(" — ") +
                   tr("enter it with File ▸ Manage Connections… ▸ Edit (no password is known "
                      "for this session)");
    }
    log(QStringLiteral("error"), message);
    if (client == m_current) showNoSource(message);
    m_sessions->close(ref);  // choosing it again tries again
}

void MainWindow::removeCurrentSource() {
    removeSourceAt(m_sourceView->currentIndex());
}

void MainWindow::removeSourceAt(const QModelIndex& index) {
    const auto ref = m_sources->sourceAt(index);
    if (!ref) return;
    // Nothing may stay current: a neighbour must not open in its place.
    if (index == m_sourceView->currentIndex()) {
        m_sourceView->selectionModel()->clearCurrentIndex();
    }
    if (!m_sources->removeSource(index)) return;
    persistSources();
    SourceClient* client = m_sessions->find(*ref);
    if (client != nullptr && client == m_current) showNoSource({});
    m_sessions->forget(*ref);
    m_stats->forgetSource(SourceSessions::keyOf(*ref));
    log(QStringLiteral("info"), tr("removed %1 from the sources").arg(ref->location));
    statusBar()->showMessage(tr("Removed %1.").arg(ref->name), 15000);
    updateActionStates();
}

void MainWindow::onSourceActivated(const QModelIndex& index) {
    const auto ref = m_sources->sourceAt(index);
    if (ref && (m_current == nullptr || m_sessions->find(*ref) != m_current)) openSource(*ref);
    updateActionStates();
}

void MainWindow::onEntryChanged(const QModelIndex& current) {
    m_detailRetry = DetailRetry::kNone;
    const EntryRow* row = m_entries->rowAt(current.row());
    if (m_current == nullptr || row == nullptr) return;
    m_details->showMessage(tr("Loading %1…").arg(row->key));
    m_current->requestDetail(row->id, kDetailValueBytes);
}

void MainWindow::onDetail(SourceClient* client, const EntryDetail& detail, const QString& error) {
    if (client != m_current) return;
    if (error.isEmpty()) {
        m_detailRetry = DetailRetry::kNone;
        m_details->setDetail(detail, client);
        return;
    }
    // Asked again once the source answers again (see onStats); a second failure stays.
    m_detailRetry =
        m_detailRetry == DetailRetry::kNone ? DetailRetry::kPending : DetailRetry::kSpent;
    m_details->showMessage(error);
}

void MainWindow::onEntriesReset() {
    // The rows are gone (another source, filter or order, or a reload after a change): so is
    // the entry the details showed, and an answer still on its way.
    if (m_current) m_current->invalidate(SourceClient::Channel::kDetail);
    m_detailRetry = DetailRetry::kNone;
    m_details->showMessage(tr("Select an entry to see its metadata and value."));
    m_stats->clearEntries();
    updateStatus();
}

void MainWindow::onPageLoaded(int rowsAdded, const QString& error) {
    if (rowsAdded > 0) {
        const QList<EntryRow>& rows = m_entries->rows();
        m_stats->addEntries(rows.mid(rows.size() - rowsAdded), QDateTime::currentMSecsSinceEpoch());
    }
    m_stats->setCoverage(*m_entries);
    // A sort the source could not give stays explained while its fallback order is shown.
    const QString message = error.isEmpty() ? m_entries->notice() : error;
    m_entriesMessage->setVisible(!message.isEmpty());
    m_entriesMessage->setText(message);
    if (!error.isEmpty()) log(QStringLiteral("error"), error);
    updateStatus();
}

void MainWindow::refresh() {
    discover();
    if (m_current == nullptr) {
        // The selected source failed to open (or was closed): try it again.
        if (const auto ref = m_sources->sourceAt(m_sourceView->currentIndex())) openSource(*ref);
        return;
    }
    m_entries->reload();
    m_statsPending = true;
    m_current->requestStats();
    m_namespacePanel->rescan();
}

void MainWindow::chooseFolder() {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Open Cache Folder"));
    if (folder.isEmpty()) return;
    addSource(folderSourceRef(folder));
}

void MainWindow::updateActionStates() {
    m_maintenance->updateActions();
    const QModelIndex index = m_sourceView->currentIndex();
    m_actions->removeSource->setEnabled(m_sources->sourceAt(index).has_value() &&
                                        index.parent().parent() == QModelIndex() &&
                                        index.parent() != m_sources->discoveredGroup());
    m_actions->filter->setEnabled(m_current != nullptr);
    m_filterEdit->setEnabled(m_current != nullptr);
    // Read-only mode, or a production connection that opens read-only by itself.
    const bool sourceReadOnly = m_current != nullptr && m_current->isReadOnly();
    m_statusReadOnly->setVisible(isReadOnly() || sourceReadOnly);
    m_statusReadOnly->setText(isReadOnly() ? tr("Read-only mode: no cache is changed")
                                           : tr("Production connection: read-only"));
    m_banner->showFor(m_current ? &m_current->ref() : nullptr,
                      m_current != nullptr && m_current->isReadOnly(), isReadOnly());
    setWindowTitle(isReadOnly() ? tr("twat-cache inspector (read-only)")
                                : tr("twat-cache inspector"));
}

void MainWindow::updateStatus() {
    m_statusSource->setText(m_current ? m_current->ref().location : tr("No source selected"));
    m_statusCount->setText(SearchBar::loadedText(*m_entries));
}

void MainWindow::log(const QString& level, const QString& message) {
    m_log->appendLine(level, message);
}

}  // namespace twat_cache::ui
