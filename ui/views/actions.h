// Actions: every command of the inspector, defined once (text, icon, shortcut, status tip)
// and reused by the menu bar, the toolbar and the context menus.
//
// Thread safety: GUI thread only.
#pragma once

#include <QAction>
#include <QList>
#include <QObject>

namespace twat_cache::ui {

struct Actions {
    // Creates the actions as children of `owner` (which adds them to itself so that their
    // shortcuts work anywhere in the window).
    explicit Actions(QWidget* owner);

    QAction* openFolder;  // Ctrl+O
    QAction* newRedis;    // Ctrl+N
    QAction* manageConnections;
    QAction* importConnections;
    QAction* exportConnections;
    QAction* removeSource;
    QAction* quit;            // Ctrl+Q
    QAction* refresh;         // F5
    QAction* filter;          // Ctrl+F
    QAction* analysis;        // Ctrl+Shift+A: shows the Analysis dock (analysis_view.h)
    QAction* deleteSelected;  // Del
    QAction* clearExpired;
    QAction* clearAll;
    QAction* prune;
    QAction* pruneValue;      // least value per byte first (prune_value_dialog.h)
    QAction* setTtl;          // the selected entries (entry_editing.h)
    QAction* removeTtl;       // the selected entries
    QAction* rename;          // the one selected entry
    QAction* setTtlMatching;  // every entry matching the filter, over the whole keyspace
    QAction* deleteMatching;  // the same, deleted (entry_editing.h)
    QAction* copyKey;         // Ctrl+C on the entries (entry_clipboard.h)
    QAction* copyValue;
    QAction* copyRedisCli;   // Redis: a redis-cli command that reads the value
    QAction* exportListing;  // every entry matching the filter to CSV or JSON Lines
    QAction* readOnly;       // checkable
    QAction* deletionLog;
    QAction* userGuide;  // F1
    QAction* shortcuts;  // Ctrl+/
    QAction* about;

    // The actions that change a cache; read-only mode disables them.
    QList<QAction*> writeActions() const;
    QList<QAction*> all() const;
};

}  // namespace twat_cache::ui
