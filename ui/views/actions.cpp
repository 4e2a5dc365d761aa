#include "views/actions.h"

#include <QIcon>
#include <QWidget>

#include "ui_resources.h"

namespace twat_cache::ui {
namespace {

QAction* make(QWidget* owner, const char* objectName, const QString& text, const QString& icon,
              const QKeySequence& shortcut, const QString& tip) {
    initUiResources();  // the icons live in this static library's resources
    auto* action = new QAction(text, owner);
    action->setObjectName(QString::fromLatin1(objectName));
    if (!icon.isEmpty()) action->setIcon(QIcon(QStringLiteral(":/icons/") + icon));
    if (!shortcut.isEmpty()) action->setShortcut(shortcut);
    action->setStatusTip(tip);
    // The status tip may later say why the action is disabled; this stays what it does.
    action->setProperty("description", tip);
    const QString plain = QString(text).remove(QLatin1Char('&')).remove(QStringLiteral("…"));
    action->setToolTip(
        shortcut.isEmpty()
            ? plain
            : QStringLiteral("%1 (%2)").arg(plain, shortcut.toString(QKeySequence::NativeText)));
    owner->addAction(action);
    return action;
}

}  // namespace

Actions::Actions(QWidget* owner)
    : openFolder(make(owner, "actionOpenFolder", QObject::tr("&Open Folder…"),
                      QStringLiteral("open-folder.svg"), QKeySequence::Open,
                      QObject::tr("Inspect the caches in a folder"))),
      newRedis(make(owner, "actionNewRedis", QObject::tr("&New Redis Connection…"),
                    QStringLiteral("redis.svg"), QKeySequence::New,
                    QObject::tr("Connect to a Redis server"))),
      manageConnections(make(owner, "actionManageConnections", QObject::tr("&Manage Connections…"),
                             {}, {},
                             QObject::tr("Add, edit, duplicate, delete and connect saved Redis "
                                         "connections"))),
      importConnections(make(owner, "actionImportConnections", QObject::tr("&Import Connections…"),
                             {}, {},
                             QObject::tr("Add the connections of a JSON file to the saved "
                                         "ones"))),
      exportConnections(make(owner, "actionExportConnections", QObject::tr("E&xport Connections…"),
                             {}, {},
                             QObject::tr("Write the saved connections to a JSON file, without "
                                         "passwords"))),
      removeSource(make(owner, "actionRemoveSource", QObject::tr("&Remove Source"), {}, {},
                        QObject::tr("Remove the selected folder or connection from the list"))),
      quit(make(owner, "actionQuit", QObject::tr("&Quit"), QStringLiteral("quit.svg"),
                QKeySequence(Qt::CTRL | Qt::Key_Q), QObject::tr("Quit the inspector"))),
      refresh(make(owner, "actionRefresh", QObject::tr("&Refresh"), QStringLiteral("refresh.svg"),
                   QKeySequence(Qt::Key_F5),
                   QObject::tr("Discover caches again and reload the entries"))),
      filter(make(owner, "actionFilter", QObject::tr("&Filter…"), QStringLiteral("filter.svg"),
                  QKeySequence(Qt::CTRL | Qt::Key_F),
                  QObject::tr("Show only entries whose key contains a text"))),
      analysis(make(owner, "actionAnalysis", QObject::tr("&Analysis"), {},
                    QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A),
                    QObject::tr("Where the entries and bytes are: a census of the source by "
                                "namespace, type and time to live, drawn as a treemap"))),
      deleteSelected(make(owner, "actionDeleteSelected", QObject::tr("&Delete Selected…"),
                          QStringLiteral("delete.svg"), QKeySequence(Qt::Key_Delete),
                          QObject::tr("Delete the selected entries (with a preview)"))),
      clearExpired(make(owner, "actionClearExpired", QObject::tr("Clear &Expired…"),
                        QStringLiteral("clear-expired.svg"), {},
                        QObject::tr("Remove the entries whose time to live has passed"))),
      clearAll(make(owner, "actionClearAll", QObject::tr("Clear &All…"),
                    QStringLiteral("clear-all.svg"), {},
                    QObject::tr("Remove every entry of this cache"))),
      prune(make(owner, "actionPrune", QObject::tr("&Prune…"), QStringLiteral("prune.svg"), {},
                 QObject::tr("Remove entries until the cache fits a size"))),
      pruneValue(make(owner, "actionPruneValue", QObject::tr("Prune Least &Valuable…"), {}, {},
                      QObject::tr("Free space by removing the entries that saved the least "
                                  "compute time per byte first (with a preview)"))),
      setTtl(make(owner, "actionSetTtl", QObject::tr("Set &TTL…"), {}, {},
                  QObject::tr("Give the selected entries a time to live (with a preview)"))),
      removeTtl(make(owner, "actionRemoveTtl", QObject::tr("Remove TT&L…"), {}, {},
                     QObject::tr("Remove the time to live of the selected entries: they stay "
                                 "until deleted"))),
      rename(make(owner, "actionRename", QObject::tr("Re&name…"), {}, QKeySequence(Qt::Key_F2),
                  QObject::tr("Give the selected entry another key name"))),
      setTtlMatching(make(owner, "actionSetTtlMatching", QObject::tr("Set TTL on All &Matching…"),
                          {}, {},
                          QObject::tr("Give every key matching the filter a time to live, over "
                                      "the whole keyspace (with a preview)"))),
      deleteMatching(make(owner, "actionDeleteMatching", QObject::tr("Delete All Matc&hing…"), {},
                          {},
                          QObject::tr("Delete every key matching the filter, over the whole "
                                      "keyspace, not only the rows loaded (with a preview)"))),
      copyKey(make(owner, "actionCopyKey", QObject::tr("&Copy Key"), {},
                   QKeySequence(Qt::CTRL | Qt::Key_C),
                   QObject::tr("Copy the selected entries' keys, one a line"))),
      copyValue(make(owner, "actionCopyValue", QObject::tr("Copy &Value"), {}, {},
                     QObject::tr("Copy the selected entry's value as text (up to 64 KiB)"))),
      copyRedisCli(make(owner, "actionCopyRedisCli", QObject::tr("Copy as &redis-cli Command"), {},
                        {},
                        QObject::tr("Copy a redis-cli command that reads the selected key's "
                                    "value (never the password)"))),
      exportListing(make(owner, "actionExportListing", QObject::tr("Export &Listing…"), {}, {},
                         QObject::tr("Write every entry matching the filter (not only the rows "
                                     "loaded) to a CSV or JSON Lines file"))),
      readOnly(make(owner, "actionReadOnly", QObject::tr("Read-&Only Mode"),
                    QStringLiteral("lock.svg"), {},
                    QObject::tr("Browse without changing any cache"))),
      deletionLog(make(owner, "actionDeletionLog", QObject::tr("Deletion &Log…"), {}, {},
                       QObject::tr("Show the last deletions recorded in the audit log (as "
                                   "twat-cache log does)"))),
      userGuide(make(owner, "actionUserGuide", QObject::tr("&User Guide"), {},
                     QKeySequence::HelpContents,
                     QObject::tr("Read the inspector's user guide (shipped with the app)"))),
      shortcuts(make(owner, "actionShortcuts", QObject::tr("&Keyboard Shortcuts"), {},
                     QKeySequence(Qt::CTRL | Qt::Key_Slash),
                     QObject::tr("List every keyboard shortcut of the inspector"))),
      about(make(owner, "actionAbout", QObject::tr("&About"), {}, {},
                 QObject::tr("About twat-cache-inspector"))) {
    readOnly->setCheckable(true);
    quit->setMenuRole(QAction::QuitRole);
    about->setMenuRole(QAction::AboutRole);
}

QList<QAction*> Actions::writeActions() const {
    return {deleteSelected, clearExpired, clearAll, prune,          pruneValue,
            setTtl,         removeTtl,    rename,   setTtlMatching, deleteMatching};
}

QList<QAction*> Actions::all() const {
    return {openFolder,
            newRedis,
            manageConnections,
            importConnections,
            exportConnections,
            removeSource,
            quit,
            refresh,
            filter,
            analysis,
            deleteSelected,
            clearExpired,
            clearAll,
            prune,
            pruneValue,
            setTtl,
            removeTtl,
            rename,
            setTtlMatching,
            deleteMatching,
            copyKey,
            copyValue,
            copyRedisCli,
            exportListing,
            readOnly,
            deletionLog,
            userGuide,
            shortcuts,
            about};
}

}  // namespace twat_cache::ui
