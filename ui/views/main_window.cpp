#include "views/main_window.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QTreeView>
#include <QVBoxLayout>
#include <QtConcurrent>
#include <utility>

#include "dialogs/redis_dialog.h"
#include "dialogs/secret_store.h"
#include "models/entries_model.h"
#include "models/namespace_model.h"
#include "models/source_tree_model.h"
#include "views/details_pane.h"
#include "views/log_panel.h"
#include "views/maintenance_runner.h"
#include "views/search_bar.h"
#include "views/sort_header.h"
#include "views/stats_panel.h"
#include "views/ui_resources.h"
#include "workers/demo_cache.h"
#include "workers/log_bridge.h"
#include "workers/source_adapter.h"
#include "workers/source_client.h"

namespace twat_cache::ui {
namespace {

constexpr qint64 kDetailValueBytes = 64 * 1024;
constexpr int kSettingsVersion = 1;
constexpr int kDefaultStatsIntervalMs = 2000;

QString clientKey(const SourceRef& ref) {
    return QString::number(static_cast<int>(ref.kind)) + QLatin1Char('|') + ref.location;
}

QDockWidget* makeDock(QMainWindow* window, const QString& title, const char* objectName,
                      QWidget* content, Qt::DockWidgetArea area) {
    auto* dock = new QDockWidget(title, window);
    dock->setObjectName(QString::fromLatin1(objectName));  // saveState() needs names
    dock->setWidget(content);
    window->addDockWidget(area, dock);
    return dock;
}

}  // namespace

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
      m_namespaces(new NamespaceModel(this)),
      m_namespaceView(new QTreeView(this)),
      m_namespaceLabel(new QLabel(this)),
      m_statsTimer(new QTimer(this)),
      m_secrets(new SecretStore(QStringLiteral("twat-cache-inspector"), this)),
      m_logBridge(new LogBridge(this)) {
    initUiResources();
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("twat-cache inspector"));
    m_demoWhenEmpty = demoWhenEmpty;
    setWindowIcon(QIcon(QStringLiteral(":/icons/twat-cache-inspector.svg")));
    registerSourceTypes();
    buildWidgets();
    buildMenusAndToolbar();
    connectActions();
    QSettings settings;
    restoreSettings(settings);
    findChild<QDockWidget*>(QStringLiteral("namespacesDock"))->hide();  // until a Redis source
    updateActionStates();
    updateStatus();
    discover();
}

MainWindow::~MainWindow() {
    m_statsTimer->stop();
    // Models and the runner reference clients; detach them before the clients go.
    m_entries->setSource(nullptr);
    delete m_runner;
    qDeleteAll(m_clients);
}

void MainWindow::buildWidgets() {
    m_sourceView->setObjectName(QStringLiteral("sourcesView"));
    m_sourceView->setModel(m_sources);
    m_sourceView->setHeaderHidden(true);
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
    m_entriesView->horizontalHeader()->setStretchLastSection(true);
    m_entriesView->horizontalHeader()->setSectionResizeMode(EntriesModel::kKey,
                                                            QHeaderView::Interactive);
    m_entriesView->verticalHeader()->setDefaultSectionSize(m_entriesView->fontMetrics().height() +
                                                           6);
    m_entriesView->setColumnWidth(EntriesModel::kKey, 280);
    bindSortHeader(m_entriesView->horizontalHeader(), m_entries);
    for (int column : {EntriesModel::kCreated, EntriesModel::kAccessed, EntriesModel::kExpires}) {
        m_entriesView->setColumnWidth(column, 150);
    }
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
    setCentralWidget(m_splitter);

    makeDock(this, tr("Sources"), "sourcesDock", m_sourceView, Qt::LeftDockWidgetArea);
    m_namespaceView->setObjectName(QStringLiteral("namespacesView"));
    m_namespaceView->setModel(m_namespaces);
    m_namespaceView->setRootIsDecorated(true);
    m_namespaceView->header()->setStretchLastSection(false);
    m_namespaceView->header()->setSectionResizeMode(NamespaceModel::kName, QHeaderView::Stretch);
    m_namespaceView->header()->setSectionResizeMode(NamespaceModel::kKeys,
                                                    QHeaderView::ResizeToContents);
    m_namespaceView->expandAll();
    m_namespaceLabel->setObjectName(QStringLiteral("namespaceStatus"));
    m_namespaceLabel->setWordWrap(true);
    m_namespaceLabel->setText(tr("Namespaces are shown for Redis sources."));
    auto* namespaceBox = new QWidget(this);
    auto* namespaceLayout = new QVBoxLayout(namespaceBox);
    namespaceLayout->setContentsMargins(0, 0, 0, 0);
    namespaceLayout->addWidget(m_namespaceLabel);
    namespaceLayout->addWidget(m_namespaceView);
    makeDock(this, tr("Namespaces"), "namespacesDock", namespaceBox, Qt::LeftDockWidgetArea);
    makeDock(this, tr("Statistics"), "statsDock", m_stats, Qt::RightDockWidgetArea);
    makeDock(this, tr("Log"), "logDock", m_log, Qt::BottomDockWidgetArea);

    statusBar()->addWidget(m_statusSource, 1);
    statusBar()->addPermanentWidget(m_statusScan);
    statusBar()->addPermanentWidget(m_statusCount);
    m_statsTimer->setInterval(kDefaultStatsIntervalMs);
    m_sampleClock.start();
}

void MainWindow::buildMenusAndToolbar() {
    const Actions& a = *m_actions;
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addActions({a.openFolder, a.newRedis, a.removeSource});
    file->addSeparator();
    file->addAction(a.quit);
    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addActions({a.refresh, a.filter});
    view->addSeparator();
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        view->addAction(dock->toggleViewAction());
    QMenu* cache = menuBar()->addMenu(tr("&Cache"));
    cache->addActions({a.deleteSelected, a.clearExpired, a.clearAll, a.prune});
    cache->addSeparator();
    cache->addAction(a.readOnly);
    menuBar()->addMenu(tr("&Help"))->addAction(a.about);

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
    connect(a.filter, &QAction::triggered, this, [this] {
        m_filterEdit->setFocus(Qt::ShortcutFocusReason);
        m_filterEdit->selectAll();
    });
    connect(a.removeSource, &QAction::triggered, this, [this] {
        const QModelIndex index = m_sourceView->currentIndex();
        const auto ref = m_sources->sourceAt(index);
        if (ref && m_sources->removeSource(index) && ref->kind == SourceKind::kRedis) {
            m_secrets->remove(ref->location);
        }
    });
    // Read-only is the core's: every open source is reopened read-only on its worker.
    connect(a.readOnly, &QAction::toggled, this, [this](bool readOnly) {
        for (SourceClient* client : std::as_const(m_clients)) client->setReadOnly(readOnly);
        updateActionStates();
    });
    connect(a.about, &QAction::triggered, this, [this] {
        QMessageBox::about(this, tr("About twat-cache inspector"),
                           tr("<b>twat-cache inspector</b> %1<p>Browse caches (twat-cache, "
                              "python-diskcache, joblib, folders, Redis), read their "
                              "statistics and clean them safely.</p>")
                               .arg(QStringLiteral(TWAT_CACHE_VERSION)));
    });
    connect(a.deleteSelected, &QAction::triggered, this, [this] {
        MaintenanceRequest request{MaintenanceKind::kDeleteSelected, {}, 0};
        for (const QModelIndex& index : m_entriesView->selectionModel()->selectedRows()) {
            request.ids << index.data(EntriesModel::kIdRole).toByteArray();
        }
        if (!request.ids.isEmpty()) runMaintenance(request);
    });
    connect(a.clearExpired, &QAction::triggered, this, [this] {
        runMaintenance({MaintenanceKind::kClearExpired, {}, 0});
    });
    connect(a.clearAll, &QAction::triggered, this, [this] {
        runMaintenance({MaintenanceKind::kClearAll, {}, 0});
    });
    connect(a.prune, &QAction::triggered, this, [this] {
        bool ok = false;
        const int mib = QInputDialog::getInt(this, tr("Prune"), tr("Keep at most (MiB):"), 100, 0,
                                             1 << 20, 1, &ok);
        if (ok) {
            runMaintenance(
                {MaintenanceKind::kPrune, {}, static_cast<quint64>(mib) * 1024U * 1024U});
        }
    });

    connect(m_sourceView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &MainWindow::onSourceActivated);
    connect(m_entriesView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::onEntryChanged);
    connect(m_entriesView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::updateActionStates);
    connect(m_entries, &EntriesModel::pageLoaded, this, &MainWindow::onPageLoaded);
    connect(m_entries, &EntriesModel::searchChanged, this, &MainWindow::updateStatus);
    connect(m_entries, &QAbstractItemModel::modelReset, m_stats, &StatsPanel::clearEntries);
    connect(m_statsTimer, &QTimer::timeout, this, &MainWindow::sampleStats);
    connect(m_namespaceView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &MainWindow::showNamespace);
    connect(m_filterEdit, &QLineEdit::textChanged, m_filterTimer, qOverload<>(&QTimer::start));
    connect(m_filterTimer, &QTimer::timeout, this,
            [this] { m_entries->setFilter(m_filterEdit->text()); });
    connect(m_logBridge, &LogBridge::lineLogged, m_log, &LogPanel::appendLine);
    connect(&m_discovery, &QFutureWatcher<DiscoveryOutcome>::finished, this,
            &MainWindow::onDiscovered);
}

void MainWindow::saveSettings(QSettings& settings) const {
    settings.beginGroup(QStringLiteral("mainWindow"));
    settings.setValue(QStringLiteral("version"), kSettingsVersion);
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("state"), saveState(kSettingsVersion));
    settings.setValue(QStringLiteral("splitter"), m_splitter->saveState());
    settings.setValue(QStringLiteral("readOnly"), isReadOnly());
    settings.endGroup();
    settings.beginWriteArray(QStringLiteral("sources"));
    int i = 0;
    for (SourceKind kind : {SourceKind::kFolder, SourceKind::kRedis}) {
        for (const SourceRef& ref : m_sources->userSources(kind)) {
            settings.setArrayIndex(i++);
            settings.setValue(QStringLiteral("kind"), static_cast<int>(ref.kind));
            settings.setValue(QStringLiteral("location"), ref.location);
            settings.setValue(QStringLiteral("name"), ref.name);
            settings.setValue(QStringLiteral("separator"), ref.separator);
        }
    }
    settings.endArray();
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
                    {260, 240}, Qt::Horizontal);
        resizeDocks({findChild<QDockWidget*>(QStringLiteral("logDock"))}, {130}, Qt::Vertical);
    }
    setReadOnly(settings.value(QStringLiteral("readOnly"), false).toBool());
    settings.endGroup();
    const int count = settings.beginReadArray(QStringLiteral("sources"));
    for (int i = 0; i < count; ++i) {
        settings.setArrayIndex(i);
        SourceRef ref;
        const int kind = settings.value(QStringLiteral("kind")).toInt();
        ref.kind =
            kind == static_cast<int>(SourceKind::kRedis) ? SourceKind::kRedis : SourceKind::kFolder;
        ref.location = settings.value(QStringLiteral("location")).toString();
        ref.name = settings.value(QStringLiteral("name")).toString();
        ref.separator = settings.value(QStringLiteral("separator"), QStringLiteral(":")).toString();
        if (!ref.location.isEmpty()) m_sources->addSource(ref);
    }
    settings.endArray();
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
    if (m_discovery.isRunning()) {
        m_nextDiscovery = root;
        return;
    }
    const bool demo = m_demoWhenEmpty && root.isEmpty();
    m_discovery.setFuture(QtConcurrent::run([root, demo] {
        DiscoveryOutcome outcome;
        outcome.root = root.isEmpty() ? defaultCacheRoot() : root;
        if (demo) {
            auto wrote = ensureDemoCache(outcome.root);
            if (!wrote.ok()) {
                outcome.error = QString::fromStdString(wrote.status().toString());
                return outcome;
            }
            outcome.wroteDemo = *wrote;
        }
        auto found = discoverSources(outcome.root);
        if (found.ok()) {
            outcome.sources = *found;
        } else {
            outcome.error = QString::fromStdString(found.status().toString());
        }
        return outcome;
    }));
}

void MainWindow::onDiscovered() {
    if (m_nextDiscovery) {
        // A newer request supersedes this result.
        const QString root = *std::exchange(m_nextDiscovery, std::nullopt);
        discover(root);
        return;
    }
    const DiscoveryOutcome outcome = m_discovery.result();
    m_sources->setDiscovered(outcome.root, outcome.sources, outcome.error);
    if (outcome.wroteDemo) {
        log(QStringLiteral("info"), tr("%1 was empty: wrote the demo cache %2 there")
                                        .arg(outcome.root, QLatin1String(kDemoCacheName)));
    }
    m_sourceView->expandAll();
    if (outcome.error.isEmpty()) {
        log(QStringLiteral("info"),
            tr("found %n caches under %1", nullptr, static_cast<int>(outcome.sources.size()))
                .arg(outcome.root));
    } else {
        log(QStringLiteral("warn"), tr("discovery under %1: %2").arg(outcome.root, outcome.error));
    }
}

void MainWindow::addSource(const SourceRef& ref) {
    const QModelIndex index = m_sources->addSource(ref);
    m_sourceView->expandAll();
    m_sourceView->setCurrentIndex(index);  // opens it through onSourceActivated
    if (m_current == nullptr || m_current->ref().location != ref.location) openSource(ref);
}

void MainWindow::openSource(const SourceRef& ref) {
    const QString key = clientKey(ref);
    SourceClient* client = m_clients.value(key);
    if (client == nullptr) {
        SourceRef withSecret = ref;
        if (ref.kind == SourceKind::kRedis && withSecret.password.isEmpty()) {
            withSecret.password = m_secrets->sessionSecret(ref.location);
        }
        client = new SourceClient(withSecret, this, isReadOnly());
        m_clients.insert(key, client);
        connect(client, &SourceClient::opened, this, [this, client](const QString& error) {
            if (!error.isEmpty())
                log(QStringLiteral("error"), error);
            else
                log(QStringLiteral("info"), tr("opened %1").arg(client->ref().location));
        });
        connect(client, &SourceClient::reopened, this,
                [this, client](bool readOnly, const QString& error) {
                    if (!error.isEmpty())
                        log(QStringLiteral("error"), error);
                    else if (readOnly)
                        log(QStringLiteral("info"),
                            tr("reopened %1 read-only").arg(client->ref().location));
                });
        connect(client, &SourceClient::statsReady, this,
                [this, client](const SourceStats& stats, const QString& error) {
                    if (client != m_current) return;
                    m_statsPending = false;
                    if (error.isEmpty())
                        m_stats->recordSample(m_sampleClock.elapsed(), stats);
                    else
                        m_stats->showMessage(error);
                });
        connect(client, &SourceClient::namespacesReady, this,
                [this, client](const NamespaceReport& report, const QString& error) {
                    if (client == m_current) onNamespaces(report, error);
                });
        connect(client, &SourceClient::detailReady, this,
                [this, client](const EntryDetail& detail, const QString& error) {
                    if (client != m_current) return;
                    if (error.isEmpty())
                        m_details->setDetail(detail);
                    else
                        m_details->showMessage(error);
                });
        client->open();
    }
    m_current = client;
    m_entriesMessage->setVisible(false);
    m_entries->setSource(client);
    m_details->showMessage(tr("Select an entry to see its metadata and value."));
    m_stats->showMessage(tr("Loading…"));
    m_stats->resetHistory();
    m_statsPending = true;
    client->requestStats();
    m_statsTimer->start();
    m_namespaces->reset(ref.separator);
    m_namespaceView->expandAll();
    m_namespaceComplete = false;
    // The namespace tree only means something for Redis: its dock shows for Redis sources.
    if (auto* dock = findChild<QDockWidget*>(QStringLiteral("namespacesDock"))) {
        dock->setVisible(ref.kind == SourceKind::kRedis);
    }
    if (ref.kind == SourceKind::kRedis) {
        startNamespaceScan(false);
    } else {
        m_namespaceLabel->setText(tr("Namespaces are shown for Redis sources."));
        m_statusScan->clear();
    }
    updateActionStates();
    updateStatus();
}

void MainWindow::onSourceActivated(const QModelIndex& index) {
    const auto ref = m_sources->sourceAt(index);
    if (ref) openSource(*ref);
    updateActionStates();
}

void MainWindow::onEntryChanged(const QModelIndex& current) {
    const EntryRow* row = m_entries->rowAt(current.row());
    if (m_current == nullptr || row == nullptr) return;
    m_details->showMessage(tr("Loading %1…").arg(row->key));
    m_current->requestDetail(row->id, kDetailValueBytes);
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
    if (m_current) {
        m_entries->reload();
        m_statsPending = true;
        m_current->requestStats();
        if (m_current->ref().kind == SourceKind::kRedis) {
            m_namespaces->reset(m_current->ref().separator);
            m_namespaceView->expandAll();
            startNamespaceScan(true);
        }
    }
}

void MainWindow::chooseFolder() {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Open Cache Folder"));
    if (folder.isEmpty()) return;
    addSource(folderSourceRef(folder));
}

void MainWindow::newRedisConnection() {
    RedisDialog dialog(m_secrets, this);
    if (dialog.exec() != QDialog::Accepted) return;
    addSource(dialog.sourceRef());
}

void MainWindow::runMaintenance(const MaintenanceRequest& request) {
    if (isReadOnly() || m_current == nullptr || m_runner != nullptr) return;
    log(QStringLiteral("info"),
        tr("%1 in %2: planning").arg(maintenanceTitle(request), m_current->ref().location));
    m_runner = new MaintenanceRunner(m_current, this, this);
    connect(m_runner, &MaintenanceRunner::finished, this,
            [this, request](const ExecuteResult& result, const QString& error, bool executed) {
                if (!error.isEmpty()) {
                    log(QStringLiteral("error"), error);
                    QMessageBox::warning(this, maintenanceTitle(request), error);
                } else if (executed) {
                    log(QStringLiteral("info"),
                        tr("%1: removed %2 entries (%3)%4")
                            .arg(maintenanceTitle(request))
                            .arg(result.removed)
                            .arg(QLocale().formattedDataSize(static_cast<qint64>(result.bytes)))
                            .arg(result.cancelled ? tr(", cancelled") : QString()));
                    for (const QString& refused : result.refused) {
                        log(QStringLiteral("warn"), tr("left alone for safety: %1").arg(refused));
                    }
                    refresh();
                }
                m_runner->deleteLater();
                m_runner = nullptr;
                updateActionStates();
            });
    m_runner->start(request);
    updateActionStates();
}

void MainWindow::updateActionStates() {
    const bool writable = !isReadOnly() && m_current != nullptr && m_runner == nullptr;
    for (QAction* action : m_actions->writeActions()) action->setEnabled(writable);
    const bool hasSelection = m_entriesView->selectionModel()->hasSelection();
    m_actions->deleteSelected->setEnabled(writable && hasSelection);
    m_actions->removeSource->setEnabled(
        m_sources->sourceAt(m_sourceView->currentIndex()).has_value() &&
        m_sourceView->currentIndex().parent().parent() == QModelIndex() &&
        m_sourceView->currentIndex().parent() != m_sources->discoveredGroup());
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
