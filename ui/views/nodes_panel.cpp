#include "views/nodes_panel.h"

#include <QHeaderView>
#include <QLabel>
#include <QTreeView>
#include <QVBoxLayout>
#include <algorithm>

#include "models/nodes_model.h"
#include "workers/display_text.h"

namespace twat_cache::ui {

NodesPanel::NodesPanel(QWidget* parent)
    : QWidget(parent),
      m_model(new NodesModel(this)),
      m_view(new QTreeView(this)),
      m_caption(new QLabel(this)) {
    m_view->setObjectName(QStringLiteral("nodesView"));
    m_view->setModel(m_model);
    m_view->setRootIsDecorated(true);
    m_view->setIndentation(m_view->fontMetrics().height());  // room for the columns
    m_view->setItemsExpandable(true);
    m_view->setAlternatingRowColors(true);
    m_view->setUniformRowHeights(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    QHeaderView* header = m_view->header();
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    header->setStretchLastSection(true);  // Scan: "scanned 1,000 keys" takes the room left
    m_caption->setObjectName(QStringLiteral("nodesCaption"));
    m_caption->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_caption);
    layout->addWidget(m_view);
    // Replicas stay visible under their masters, whatever reset the rows.
    connect(m_model, &QAbstractItemModel::modelReset, m_view, &QTreeView::expandAll);
    clear();
}

void NodesPanel::clear(const QString& message) {
    m_model->clear();
    m_error.clear();
    m_caption->setText(message.isEmpty() ? tr("Nodes are shown for Redis Cluster sources.")
                                         : message);
}

bool NodesPanel::setStats(const SourceStats& stats) {
    m_error.clear();
    m_model->setNodes(stats.nodes);
    updateCaption();
    return !stats.nodes.isEmpty();
}

void NodesPanel::showStatsError(const QString& error) {
    m_error = error;
    updateCaption();
}

void NodesPanel::setScans(const QList<NodeScan>& scans) {
    m_model->setScans(scans);
    updateCaption();
}

QSize NodesPanel::sizeHint() const {
    const int rows = std::clamp(static_cast<int>(m_model->nodes().size()), 6, 10);
    const int rowHeight = m_view->fontMetrics().height() + 4;
    const int height = m_caption->sizeHint().height() + m_view->header()->sizeHint().height() +
                       rows * rowHeight + 2 * m_view->frameWidth() + layout()->spacing();
    return {QWidget::sizeHint().width(), height};
}

QString NodesPanel::captionText() const {
    return m_caption->text();
}

void NodesPanel::updateCaption() {
    if (m_model->nodes().isEmpty()) {
        m_caption->setText(m_error.isEmpty() ? tr("Nodes are shown for Redis Cluster sources.")
                                             : m_error);
        return;
    }
    QStringList parts{
        countText(static_cast<quint64>(m_model->masterCount()), tr("master"), tr("masters")) +
        QStringLiteral(", ") +
        countText(static_cast<quint64>(m_model->replicaCount()), tr("replica"), tr("replicas"))};
    if (const int failed = m_model->failedCount(); failed > 0) {
        parts << (failed == 1
                      ? tr("1 node with an error")
                      : tr("%1 nodes with errors").arg(numberText(static_cast<quint64>(failed))));
    }
    if (const int known = m_model->scansKnown(); known > 0) {
        const int done = m_model->scansDone();
        parts << (done == known ? tr("listing: done on every master")
                                : tr("listing: done on %1 of %2 masters").arg(done).arg(known));
    }
    QString text = parts.join(QStringLiteral(" · "));
    if (!m_error.isEmpty()) text = tr("%1 (statistics from before: %2)").arg(text, m_error);
    m_caption->setText(text);
}

}  // namespace twat_cache::ui
