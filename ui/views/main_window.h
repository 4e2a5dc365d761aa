// MainWindow: the inspector's window.
//
//   ┌ Sources (dock) ┬ filter bar ─────────────┬ Statistics (dock) ┐
//   │ caches by kind │ entries (lazy table)     │                   │
//   │ folders, Redis ├──────── splitter ────────┤                   │
//   │                │ details (meta + value)   │                   │
//   └────────────────┴ Log (dock) ──────────────┴───────────────────┘
//
// Each open source has its own SourceClient (a worker thread); the window never calls the
// core itself. The dock layout, splitter positions, window geometry, user-added folders and
// Redis connections (without passwords) and the read-only switch persist in QSettings.
//
// Thread safety: GUI thread only.
#pragma once

#include <QFutureWatcher>
#include <QMainWindow>
#include <QMap>
#include <memory>
#include <optional>

#include "views/actions.h"
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
class MaintenanceRunner;
class SecretStore;
class SourceClient;
class SourceTreeModel;
class StatsPanel;

class MainWindow : public QMainWindow {
    Q_OBJECT

  public:
    // Restores the layout and sources from QSettings() and starts discovery under the
    // core's cache root.
    explicit MainWindow(QWidget* parent = nullptr);
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

    SourceTreeModel* sourcesModel() const { return m_sources; }
    EntriesModel* entriesModel() const { return m_entries; }
    LogPanel* logPanel() const { return m_log; }
    StatsPanel* statsPanel() const { return m_stats; }
    DetailsPane* detailsPane() const { return m_details; }

  protected:
    void closeEvent(QCloseEvent* event) override;

  private:
    struct DiscoveryOutcome {
        QString root;
        QList<SourceRef> sources;
        QString error;
    };

    void buildWidgets();
    void buildMenusAndToolbar();
    void connectActions();
    void onSourceActivated(const QModelIndex& index);
    void onEntryChanged(const QModelIndex& current);
    void onPageLoaded(int rowsAdded, const QString& error);
    void onDiscovered();
    void refresh();
    void chooseFolder();
    void newRedisConnection();
    void runMaintenance(const MaintenanceRequest& request);
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
    SecretStore* m_secrets;
    LogBridge* m_logBridge;
    QMap<QString, SourceClient*> m_clients;  // by kind + location; children of this window
    SourceClient* m_current = nullptr;
    MaintenanceRunner* m_runner = nullptr;
    QFutureWatcher<DiscoveryOutcome> m_discovery;
    std::optional<QString> m_nextDiscovery;  // asked for while a discovery was running
};

}  // namespace twat_cache::ui
