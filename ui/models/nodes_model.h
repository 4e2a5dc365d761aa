// NodesModel: the servers of a Redis Cluster, for the Nodes panel.
//
//   Node              Role     Status              Slots            Keys  Memory   Scan
//   127.0.0.1:7000    master   ok                  0-5460 (5,461)  3,310  1.8 MiB  scanned 200…
//     127.0.0.1:7004  replica  ok                                  3,310  1.7 MiB
//   127.0.0.1:7001    master   connection refused  5461-10922 (…)      —        —  not started
//   (and Hits, Misses after Memory)
//
// Masters are the top-level rows, in the order the core gives (by first slot); each replica is
// a child of its master (a replica whose master is not listed is a top-level row). The figures
// come from the source's statistics (setNodes), refreshed whenever they are sampled; the Scan
// column tells how far the current listing of the entries has got on each master (setScans).
// A figure a node did not give shows "—", its tooltip saying why. setNodes() keeps the rows
// (so a view keeps its expansion, selection and scroll position) while the cluster's shape is
// the same, and only then emits dataChanged; a changed shape (a failover, a new node) resets.
//
// Thread safety: GUI thread only.
#pragma once

#include <QAbstractItemModel>
#include <QHash>
#include <QList>

#include "workers/source_types.h"

namespace twat_cache::ui {

class NodesModel : public QAbstractItemModel {
    Q_OBJECT

  public:
    // A node's health comes right after its name and role, where an error is seen first and
    // has room for its words; the listing's progress, which changes most, comes last.
    enum Column {
        kNode,
        kRole,
        kStatus,
        kSlots,
        kKeys,
        kMemory,
        kHits,
        kMisses,
        kScan,
        kColumnCount
    };
    // The node's address (QString), on every column.
    static constexpr int kAddressRole = Qt::UserRole + 1;
    // Whether the node has an error (bool), on every column: it did not answer, or refused a
    // command (an ACL user without INFO).
    static constexpr int kFailedRole = Qt::UserRole + 2;

    explicit NodesModel(QObject* parent = nullptr);

    // Shows `nodes` (SourceStats::nodes); empty: no rows.
    void setNodes(const QList<NodeStats>& nodes);
    // How far the current listing got on each master (EntryPage::nodes); empty: no listing
    // has reported yet (the Scan column is blank).
    void setScans(const QList<NodeScan>& scans);
    void clear();

    const QList<NodeStats>& nodes() const { return m_nodes; }
    int masterCount() const;
    int replicaCount() const;
    // Nodes with an error (see kFailedRole).
    int failedCount() const;
    // Masters whose listing finished, and masters the listing reported on.
    int scansDone() const;
    int scansKnown() const { return static_cast<int>(m_scans.size()); }
    // The Scan column's text for the node at `address` ("" when none is known).
    QString scanText(const QString& address) const;
    // The Status column's text: "ok", or the node's error.
    static QString statusText(const NodeStats& node);

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

  private:
    // The node shown at `index` (nullptr: none).
    const NodeStats* nodeAt(const QModelIndex& index) const;
    // Top-level rows and each one's children, as indexes into `nodes`.
    static void arrange(const QList<NodeStats>& nodes, QList<int>* top,
                        QList<QList<int>>* children);

    QList<NodeStats> m_nodes;
    QList<int> m_top;                  // index into m_nodes of each top-level row
    QList<QList<int>> m_children;      // per top-level row: indexes into m_nodes
    QHash<QString, NodeScan> m_scans;  // by address
};

}  // namespace twat_cache::ui
