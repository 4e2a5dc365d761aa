// MaintenanceController: the window's commands that change a cache — Delete Selected, Clear
// Expired, Clear All, Prune, Prune Least Valuable (by time saved per byte), and the editing
// commands (Set TTL, Remove TTL, Rename, Set TTL on All Matching; triggered through
// entry_editing.h). It decides which are available for the current source (a disabled one's tooltip
// says why: read-only mode, a source that cannot do it, in the core's words, no selection, another
// change running), asks what a command needs (the selected entries, a size), runs it through a
// MaintenanceRunner and says how it ended: in the log and the status bar always, and in a message
// box when there was nothing to do or it failed. Del pressed while Delete Selected is disabled says
// why in the status bar.
//
// Thread safety: GUI thread only.
#pragma once

#include <QHash>
#include <QObject>
#include <QPointer>
#include <optional>

#include "views/actions.h"
#include "workers/source_types.h"

class QItemSelectionModel;

namespace twat_cache::ui {

class MaintenanceRunner;
class SourceClient;

class MaintenanceController : public QObject {
    Q_OBJECT

  public:
    // `selection`: the entries view's (its rows carry EntriesModel::kIdRole); `window`: the
    // parent of the dialogs; it also receives Del key presses (see eventFilter).
    MaintenanceController(const Actions& actions, QItemSelectionModel* selection, QWidget* window);
    ~MaintenanceController() override;

    // The source the commands act on (nullptr: none).
    void setSource(SourceClient* client);
    // The current size of the source, when known (shown when asking for a prune size).
    void setSourceBytes(std::optional<quint64> bytes) { m_sourceBytes = bytes; }
    // Whether the entries' filter is set: Delete All Matching needs one (else it would
    // delete everything).
    void setFilterSet(bool set);
    bool isRunning() const { return m_runner != nullptr; }
    SourceClient* source() const { return m_client; }

    // Plans `request`, then asks, executes with progress and reports (see MaintenanceRunner).
    void run(const MaintenanceRequest& request);
    // Says how a command ended: in the log and the status bar.
    void report(const QString& level, const QString& message);

    // Enables each command the source can carry out now; a disabled one's tooltip and status
    // tip say why.
    void updateActions();
    // Why `action` (one of Actions::writeActions()) is not available now; empty if it is.
    QString whyNot(const QAction* action) const;
    // Why no change can be made to the source now (read-only mode, a production connection,
    // no open source, another change running); empty when changes can be made. The value
    // pages' editing (value_editing.h) asks it too.
    QString whyNotWritable() const;

    // Del on a widget this filters (the entries view) while Delete Selected is disabled.
    bool eventFilter(QObject* watched, QEvent* event) override;

  signals:
    void logLine(const QString& level, const QString& message);
    void statusMessage(const QString& message);
    // A command removed entries: what is shown should be loaded again.
    void changed();
    // updateActions() ran: the source, its state, the selection, read-only mode or whether
    // changes can be made (whyNotWritable) may have changed (commands outside this class
    // update their own actions then).
    void actionsUpdated();

  private:
    void deleteSelected();
    void prune();
    // Prune Least Valuable…: asks how much to free (PruneValueDialog), then runs kPruneValue.
    void pruneValue();
    void onFinished(const MaintenanceRequest& request, const ExecuteResult& result,
                    const QString& error, bool executed);

    const Actions& m_actions;
    QItemSelectionModel* m_selection;
    QWidget* m_window;
    QPointer<SourceClient> m_client;
    std::optional<quint64> m_sourceBytes;
    bool m_filterSet = false;
    MaintenanceRunner* m_runner = nullptr;
    struct Tips {
        QString tool, status;
    };
    QHash<const QAction*, Tips> m_tips;  // each command's own tips, shown while it is enabled
};

}  // namespace twat_cache::ui
