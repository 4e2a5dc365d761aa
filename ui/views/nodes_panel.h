// NodesPanel: the servers of a Redis Cluster, in the window's Nodes dock.
//
//   3 masters, 3 replicas · listing: 2 of 3 masters done
//   Node / Role / Slots / Keys / Memory / Hits / Misses / Scan / Status   (NodesModel)
//
// The panel never asks a source for anything: the window passes on the statistics it samples
// through the source's worker (setStats, each sample), and the listing's progress on each
// master from the entries model (setScans), so the panel costs no request of its own. A stats
// failure keeps the last rows under a line that says why.
//
// Thread safety: GUI thread only.
#pragma once

#include <QWidget>

#include "workers/source_types.h"

class QLabel;
class QTreeView;

namespace twat_cache::ui {

class NodesModel;

class NodesPanel : public QWidget {
    Q_OBJECT

  public:
    explicit NodesPanel(QWidget* parent = nullptr);

    // No nodes; `message` above the empty table (e.g. while a source opens).
    void clear(const QString& message = {});
    // Shows the nodes of `stats`; returns whether there are any (the source is a cluster).
    bool setStats(const SourceStats& stats);
    // The statistics could not be read: the last rows stay, under `error`.
    void showStatsError(const QString& error);
    // How far the current listing got on each master (empty: no listing reported yet).
    void setScans(const QList<NodeScan>& scans);

    NodesModel* model() const { return m_model; }
    QTreeView* view() const { return m_view; }
    // The line above the table.
    QString captionText() const;
    // High enough for the caption, the header and the rows of a cluster of 3 masters and 3
    // replicas (or of the nodes shown, up to 10).
    QSize sizeHint() const override;

  private:
    void updateCaption();

    NodesModel* m_model;
    QTreeView* m_view;
    QLabel* m_caption;
    QString m_error;  // of the last stats request; empty when it answered
};

}  // namespace twat_cache::ui
