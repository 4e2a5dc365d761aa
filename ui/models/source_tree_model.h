// SourceTreeModel: the sidebar's tree of sources.
//
//   Caches under <root>      (found by discovery, grouped by kind)
//     python-diskcache
//       <cache>
//     plain folder           (cache folders of no known format)
//   Opened Folders           (added by the user)
//   Redis                    (connections added by the user)
//
// Source items carry their SourceRef (kSourceRole); group items carry none and are not
// selectable. Beside each source, the Entries and Size columns show its numbers as they become
// known: discovery's cheap counts first, then every statistics sample of the open source
// (setCounts), updated in place (dataChanged), never by resetting the tree; "" while unknown. The
// user-added folders and Redis connections (the saved connections, see saved_connection.h: with
// their colour swatch) are kept in QSettings, without secrets.
//
// Thread safety: GUI thread only.
#pragma once

#include <QStandardItemModel>
#include <optional>

#include "workers/source_types.h"

class QSettings;

namespace twat_cache::ui {

class SourceTreeModel : public QStandardItemModel {
    Q_OBJECT

  public:
    static constexpr int kSourceRole = Qt::UserRole + 1;
    enum Column { kName, kEntries, kSize, kColumnCount };

    explicit SourceTreeModel(QObject* parent = nullptr);

    // Replaces the discovered caches; `error` (non-empty) is shown on the root group.
    void setDiscovered(const QString& root, const QList<SourceRef>& sources,
                       const QString& error = {});
    // Adds a user folder or Redis connection; returns its index (an existing equal one is
    // reused).
    QModelIndex addSource(const SourceRef& ref);
    // Removes a user-added source; discovered ones come back on the next discovery.
    bool removeSource(const QModelIndex& index);
    // Replaces the user-added source at `index` (an edited connection); false if there is none.
    bool replaceSource(const QModelIndex& index, const SourceRef& ref);
    // The saved Redis connection with this id, or an invalid index.
    QModelIndex connectionIndex(const QString& id) const;

    // The user-added sources, in the "sources" array of `settings` (no password is written).
    void saveUserSources(QSettings& settings) const;
    // Adds the user-added sources of `settings`.
    void restoreUserSources(QSettings& settings);

    // The source of the row of `index` (any column).
    std::optional<SourceRef> sourceAt(const QModelIndex& index) const;
    // Shows the numbers of every row of `ref` (nullopt keeps what is shown).
    void setCounts(const SourceRef& ref, std::optional<quint64> entries,
                   std::optional<quint64> bytes);
    QList<SourceRef> userSources(SourceKind kind) const;

    QModelIndex discoveredGroup() const { return m_discovered->index(); }
    QModelIndex foldersGroup() const { return m_folders->index(); }
    QModelIndex redisGroup() const { return m_redis->index(); }

  private:
    QStandardItem* makeGroup(const QString& text, const QString& icon);
    // The row of a source: its item and the Entries and Size cells.
    static QList<QStandardItem*> makeSourceRow(const SourceRef& ref);
    static void setCountCells(QStandardItem* item, std::optional<quint64> entries,
                              std::optional<quint64> bytes);
    static void setSourceItem(QStandardItem* item, const SourceRef& ref);

    QStandardItem* m_discovered = nullptr;
    QStandardItem* m_folders = nullptr;
    QStandardItem* m_redis = nullptr;
};

}  // namespace twat_cache::ui
