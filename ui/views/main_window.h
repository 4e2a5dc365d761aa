// MainWindow: the inspector's window.
//
//   ┌ Sources (dock) ┬ filter bar ─────────────┬ Statistics (dock) ┐
//   │ caches by kind │ entries (lazy table)     │ counters, charts  │
//   │ folders, Redis ├──────── splitter ────────┤ of samples and of │
//   ├ Namespaces ────┤ details (meta + value)   │ loaded entries    │
//   └────────────────┴ Log | Nodes (docks) ─────┴───────────────────┘
//
// Each open source has its own SourceClient (a worker thread, see SourceSessions); the window
// never calls the core itself. Removing the shown source, or a source failing to open, leaves
// no source shown: the entries, details and statistics empty and every command that needs a
// source disabled. The details pane follows the entries: it empties when the rows are
// reloaded (a change, a filter, another source), and an entry whose detail failed is asked
// for again once the source answers again. While a source is shown, its statistics are
// sampled every statsInterval() (through its worker) for the statistics charts (StatsPanel);
// for Redis, the namespace tree fills in while the keyspace is scanned a budget at a time, with
// "scanned N of ~M keys" (NamespacePanel). For a Redis Cluster, the Nodes dock (NodesPanel)
// shows each server from the same statistics samples and how far the listing of the entries
// has got on each master; it is hidden, and its View-menu toggle disabled, for every other
// source (OptionalDock, which remembers whether the user closed it). View ▸ Analysis opens the
// Analysis dock (AnalysisView): a census of the shown source whose treemap filters the entries. The
// dock layout, splitter positions, window geometry, user-added folders and Redis connections
// (without passwords) and the read-only switch persist in QSettings. The Redis connections are the
// saved connections (ConnectionsDialog, main_window_connections.cpp): they can be imported and
// exported as JSON without secrets, and a production connection opens read-only and heads the
// central area with a ProductionBanner while it is shown.
//
// Thread safety: GUI thread only.
#pragma once

#include <QElapsedTimer>
#include <QMainWindow>
#include <memory>

#include "views/actions.h"
#include "views/source_discovery.h"
#include "workers/source_types.h"

class QLabel;
class QLineEdit;
class QSettings;
class QSplitter;
class QTableView;
class QTimer;
class QTreeView;

namespace twat_cache::ui {

class DetailsPane;
class EntriesModel;
class LogBridge;
class LogPanel;
class MaintenanceController;
class NamespaceModel;
class NamespacePanel;
class NodesPanel;
class OptionalDock;
class ProductionBanner;
class SecretStore;
class SourceClient;
class SourceSessions;
class SourceTreeModel;
class StatsPanel;

class MainWindow : public QMainWindow {
    Q_OBJECT

  public:
    // Bytes of an entry's value the details pane asks for.
    static constexpr qint64 kDetailValueBytes = 64 * 1024;

    // Restores the layout and sources from QSettings() and starts discovery under the
    // core's cache root. With `demoWhenEmpty`, discovery of the default root first writes a
    // small demo cache (twat_cache_demo, see demo_cache.h) when that root is missing or empty.
    explicit MainWindow(QWidget* parent = nullptr, bool demoWhenEmpty = false);
    ~MainWindow() override;

    const Actions& actions() const { return *m_actions; }
    void saveSettings(QSettings& settings) const;
    void restoreSettings(QSettings& settings);

    bool isReadOnly() const;
    void setReadOnly(bool readOnly);
    // Discovers caches under `root` (empty: the core's cache root) off the GUI thread. Asked
    // while one runs, it runs next and only its result is shown.
    void discover(const QString& root = {});
    // Adds a folder or Redis connection to the sidebar and opens it.
    void addSource(const SourceRef& ref);
    // Opens a source in its worker (reusing an open one) and shows its entries.
    void openSource(const SourceRef& ref);
    SourceClient* currentSource() const { return m_current; }
    // Closes the source selected in the sidebar and removes it from the list (user-added
    // sources only; discovered ones come back with the next discovery).
    void removeCurrentSource();

    // Saves a Redis connection: adds it, or replaces `previous` (same id) and reopens it if
    // it was shown.
    void saveConnection(const SourceRef& previous, const SourceRef& connection);
    // Deletes a saved connection and its secrets (closing it if it is open).
    void removeConnection(const SourceRef& connection);
    // Writes the saved connections (no secret) to `path`; empty on success, else why not.
    QString exportConnectionsTo(const QString& path);
    // Adds the connections of the file at `path`; returns what happened, or the error of a
    // malformed file (then nothing is added) with `ok` false.
    QString importConnectionsFrom(const QString& path, bool* ok = nullptr);
    // Allows changes to the shown production connection for this session (after asking, when
    // `ask`), or makes it read-only again.
    void allowProductionChanges(bool allow, bool ask = true);
    ProductionBanner* productionBanner() const { return m_banner; }
    // The passwords of the window's connections (session and keyring).
    SecretStore* secrets() const;

    // Statistics sampling period (default 2000 ms); takes effect at once.
    void setStatsInterval(int ms);
    int statsInterval() const;
    // Keys examined per namespace-scan request (default 20000).
    void setNamespaceBudget(quint64 keys);
    NamespaceModel* namespaceModel() const;
    // "scanned N of ~M keys" while a Redis keyspace is scanned; empty for other sources.
    QString namespaceStatus() const;
    bool namespaceScanComplete() const;
    // Shows the keys of the namespace at `index` of namespaceModel() (sets the filter).
    void showNamespace(const QModelIndex& index);
    void setFilterText(const QString& text);

    SourceTreeModel* sourcesModel() const { return m_sources; }
    EntriesModel* entriesModel() const { return m_entries; }
    LogPanel* logPanel() const { return m_log; }
    StatsPanel* statsPanel() const { return m_stats; }
    DetailsPane* detailsPane() const { return m_details; }
    NodesPanel* nodesPanel() const { return m_nodesPanel; }
    // The Nodes dock: shown for Redis Cluster sources (when the user has not closed it).
    OptionalDock* nodesDock() const { return m_nodesDock; }

  protected:
    void closeEvent(QCloseEvent* event) override;

  private:
    void buildWidgets();
    void buildMenusAndToolbar();
    void connectActions();
    // Nothing shown: the views empty, `message` (if any) above the entries.
    void showNoSource(const QString& message);
    void onSourceActivated(const QModelIndex& index);
    void onSourceOpened(SourceClient* client, const QString& error);
    void onEntryChanged(const QModelIndex& current);
    void onEntriesReset();
    void onDetail(SourceClient* client, const EntryDetail& detail, const QString& error);
    void onStats(SourceClient* client, const SourceStats& stats, const QString& error);
    void onPageLoaded(int rowsAdded, const QString& error);
    void onDiscovered(const SourceDiscovery::Outcome& outcome);
    void sampleStats();
    void refresh();
    void chooseFolder();
    void newRedisConnection();
    void manageConnections();
    void chooseImportFile();
    void chooseExportFile();
    // Removes the user-added source at `index` of the sidebar, closing it if it is open.
    void removeSourceAt(const QModelIndex& index);
    // Writes the user-added sources to QSettings now (a saved connection outlives a crash).
    void persistSources() const;
    void updateActionStates();
    void updateStatus();
    void log(const QString& level, const QString& message);

    std::unique_ptr<Actions> m_actions;
    SourceTreeModel* m_sources;
    QTreeView* m_sourceView;
    EntriesModel* m_entries;
    QTableView* m_entriesView;
    QLineEdit* m_filterEdit;
    QLabel* m_entriesMessage;
    QTimer* m_filterTimer;
    QSplitter* m_splitter;
    DetailsPane* m_details;
    StatsPanel* m_stats;
    LogPanel* m_log;
    QLabel* m_statusSource;
    QLabel* m_statusCount;
    QLabel* m_statusScan;
    QLabel* m_statusReadOnly;
    NamespacePanel* m_namespacePanel;
    NodesPanel* m_nodesPanel;
    OptionalDock* m_nodesDock = nullptr;
    QTimer* m_statsTimer;
    QElapsedTimer m_sampleClock;
    bool m_statsPending = false;
    SourceSessions* m_sessions;
    LogBridge* m_logBridge;
    SourceClient* m_current = nullptr;  // the source shown (owned by m_sessions)
    MaintenanceController* m_maintenance = nullptr;
    // A failed detail: kPending asks again at the next good statistics sample; kSpent (the
    // retry failed too) waits for the source to fail and answer again first.
    enum class DetailRetry { kNone, kPending, kSpent };
    DetailRetry m_detailRetry = DetailRetry::kNone;
    SourceDiscovery* m_discovery = nullptr;
    ProductionBanner* m_banner = nullptr;
    // The source waiting for its password from the keyring (SourceSessions::keyOf).
    QString m_pendingOpen;
};

}  // namespace twat_cache::ui
