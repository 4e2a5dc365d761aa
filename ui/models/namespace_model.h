// NamespaceModel: the Redis namespace tree of the sidebar.
//
//   All keys            <scanned>      (one root: the database)
//     app:              41 207         (prefixes up to each separator, most keys first)
//       user:           40 001
//         42:               12
//       (other)          1 206         (prefixes the core folded to bound its memory)
//     session:          12 004
//     (no namespace)        31
//
// Counts grow while the keyspace is scanned a budget at a time. setReport() updates the tree
// in place: changed counts emit dataChanged, new namespaces are inserted under their parent
// (one beginInsertRows per parent), and siblings whose order changed are re-sorted with
// layoutChanged on those parents only. So a view keeps expansion, selection and scroll
// position between reports. A node is identified by its parent and its name.
//
// Thread safety: GUI thread only.
#pragma once

#include <QAbstractItemModel>
#include <QHash>
#include <memory>
#include <vector>

#include "workers/source_types.h"

namespace twat_cache::ui {

class NamespaceModel : public QAbstractItemModel {
    Q_OBJECT

  public:
    enum Column { kName, kKeys, kColumnCount };
    // The namespace's prefix (QString; "" for keys without a separator). Absent on the root and
    // on "(other)" nodes.
    static constexpr int kPrefixRole = Qt::UserRole + 1;
    // Keys under the node (qulonglong); the root's is the number of keys scanned.
    static constexpr int kCountRole = Qt::UserRole + 2;
    // Keys directly at the node's level (qulonglong).
    static constexpr int kLeafCountRole = Qt::UserRole + 3;
    // Whether the node is an "(other)" bucket (bool).
    static constexpr int kOtherRole = Qt::UserRole + 4;

    explicit NamespaceModel(QObject* parent = nullptr);
    ~NamespaceModel() override;

    // Forgets every namespace (a new source, or a rescan).
    void reset(const QString& separator = QStringLiteral(":"));
    // Merges a report (a later one of the same scan: counts only grow) into the tree.
    void setReport(const NamespaceReport& report);

    QString separator() const { return m_separator; }
    QModelIndex rootIndex() const;
    // The index (column kName) of the namespace `prefix`, or invalid when not (yet) listed.
    QModelIndex indexOf(const QString& prefix) const;
    // The key count shown for `prefix`, or 0 when it is not (yet) listed.
    quint64 keysOf(const QString& prefix) const;
    // The glob that lists the keys under the namespace at `index` ("app:user:*", with the
    // prefix's glob characters escaped); for "(other)" its parent's. Empty for the root and
    // for keys without a namespace (they are shown by an unfiltered listing).
    QString filterFor(const QModelIndex& index) const;
    // `text` with its glob characters (* ? [ ] \) escaped: a glob that matches only itself.
    static QString escapeGlob(const QString& text);
    // The glob that lists the keys under `prefix`: the escaped prefix, `separator` and "*".
    static QString globFor(const QString& prefix, const QString& separator);

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

  private:
    struct Item;
    Item* itemAt(const QModelIndex& index) const;
    QModelIndex indexOfItem(const Item* item, int column = kName) const;
    // Re-sorts the children of `parents` (most keys first, "(other)" last) where needed.
    void sortChildren(const std::vector<Item*>& parents);

    std::unique_ptr<Item> m_top;  // invisible; its only child is the "All keys" root
    Item* m_all = nullptr;
    QHash<QString, Item*> m_byPrefix;  // every node but "(other)" buckets
    QString m_separator = QStringLiteral(":");
};

}  // namespace twat_cache::ui
