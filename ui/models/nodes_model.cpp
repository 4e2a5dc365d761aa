#include "models/nodes_model.h"

#include <QBrush>
#include <QColor>
#include <QRegularExpression>
#include <QStringList>
#include <algorithm>
#include <optional>

#include "workers/display_text.h"

namespace twat_cache::ui {
namespace {

constexpr quintptr kTopLevel = 0;  // internalId of top-level rows; children: top row + 1

bool numeric(int column) {
    return column == NodesModel::kKeys || column == NodesModel::kMemory ||
           column == NodesModel::kHits || column == NodesModel::kMisses;
}

std::optional<quint64> figure(const NodeStats& node, int column) {
    switch (column) {
        case NodesModel::kKeys:
            return node.keys;
        case NodesModel::kMemory:
            return node.memoryBytes;
        case NodesModel::kHits:
            return node.hits;
        case NodesModel::kMisses:
            return node.misses;
        default:
            return std::nullopt;
    }
}

// Ranges shown in the Slots column; the tooltip lists them all (a resharded master may
// serve many).
constexpr qsizetype kShownRanges = 2;

QString slotsText(const NodeStats& node) {
    if (!node.master || node.slotCount == 0) return {};
    static const QRegularExpression kSeparators(QStringLiteral("[,\\s]+"));
    QStringList ranges = node.slotRanges.split(kSeparators, Qt::SkipEmptyParts);
    if (ranges.size() > kShownRanges) {
        ranges.resize(kShownRanges);
        ranges << QStringLiteral("…");
    }
    return NodesModel::tr("%1 (%2)").arg(ranges.join(QLatin1Char(',')), numberText(node.slotCount));
}

// Whether two node lists have the same rows under the same parents.
bool sameShape(const QList<NodeStats>& a, const QList<NodeStats>& b) {
    if (a.size() != b.size()) return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a[i].address != b[i].address || a[i].master != b[i].master ||
            a[i].masterAddress != b[i].masterAddress) {
            return false;
        }
    }
    return true;
}

}  // namespace

NodesModel::NodesModel(QObject* parent) : QAbstractItemModel(parent) {}

void NodesModel::arrange(const QList<NodeStats>& nodes, QList<int>* top,
                         QList<QList<int>>* children) {
    top->clear();
    children->clear();
    QHash<QString, int> masterRow;  // address -> top-level row
    for (int i = 0; i < nodes.size(); ++i) {
        if (!nodes[i].master) continue;
        masterRow.insert(nodes[i].address, static_cast<int>(top->size()));
        top->append(i);
        children->append(QList<int>());
    }
    for (int i = 0; i < nodes.size(); ++i) {
        if (nodes[i].master) continue;
        const auto found = masterRow.constFind(nodes[i].masterAddress);
        if (found != masterRow.constEnd()) {
            (*children)[*found].append(i);
        } else {
            top->append(i);  // its master is not listed: show it on its own
            children->append(QList<int>());
        }
    }
}

void NodesModel::setNodes(const QList<NodeStats>& nodes) {
    if (sameShape(m_nodes, nodes)) {
        m_nodes = nodes;
        if (m_top.isEmpty()) return;
        emit dataChanged(index(0, 0), index(static_cast<int>(m_top.size()) - 1, kColumnCount - 1));
        for (int row = 0; row < m_top.size(); ++row) {
            if (m_children[row].isEmpty()) continue;
            const QModelIndex parent = index(row, 0);
            emit dataChanged(
                index(0, 0, parent),
                index(static_cast<int>(m_children[row].size()) - 1, kColumnCount - 1, parent));
        }
        return;
    }
    beginResetModel();
    m_nodes = nodes;
    arrange(m_nodes, &m_top, &m_children);
    endResetModel();
}

void NodesModel::setScans(const QList<NodeScan>& scans) {
    QHash<QString, NodeScan> byAddress;
    for (const NodeScan& scan : scans) byAddress.insert(scan.address, scan);
    m_scans = byAddress;
    if (m_top.isEmpty()) return;
    emit dataChanged(index(0, kScan), index(static_cast<int>(m_top.size()) - 1, kScan));
}

void NodesModel::clear() {
    beginResetModel();
    m_nodes.clear();
    m_top.clear();
    m_children.clear();
    m_scans.clear();
    endResetModel();
}

int NodesModel::masterCount() const {
    return static_cast<int>(
        std::count_if(m_nodes.begin(), m_nodes.end(), [](const NodeStats& n) { return n.master; }));
}

int NodesModel::replicaCount() const {
    return static_cast<int>(m_nodes.size()) - masterCount();
}

int NodesModel::failedCount() const {
    return static_cast<int>(std::count_if(m_nodes.begin(), m_nodes.end(),
                                          [](const NodeStats& n) { return !n.error.isEmpty(); }));
}

int NodesModel::scansDone() const {
    return static_cast<int>(
        std::count_if(m_scans.begin(), m_scans.end(), [](const NodeScan& s) { return s.done; }));
}

QString NodesModel::scanText(const QString& address) const {
    const auto found = m_scans.constFind(address);
    if (found == m_scans.constEnd()) return {};
    // The walk goes master by master: the later ones wait their turn.
    if (found->scanned == 0 && !found->done) return tr("not started");
    const QString keys = countText(found->scanned, tr("key"), tr("keys"));
    return found->done ? tr("done (%1)").arg(keys) : tr("scanned %1").arg(keys);
}

QString NodesModel::statusText(const NodeStats& node) {
    if (node.error.isEmpty()) return tr("ok");
    // The row names the node already: "redis node 127.0.0.1:7005: connect: connection
    // refused" reads "connection refused" (the tooltip keeps the whole message).
    QString why = node.error;
    const QString named = node.address + QStringLiteral(": ");
    if (const qsizetype at = why.indexOf(named); at >= 0) why = why.mid(at + named.size());
    if (why.startsWith(QLatin1String("connect: "))) why = why.mid(9);
    return visibleText(why.isEmpty() ? node.error : why);
}

const NodeStats* NodesModel::nodeAt(const QModelIndex& index) const {
    if (!index.isValid()) return nullptr;
    const quintptr id = index.internalId();
    if (id == kTopLevel) {
        if (index.row() >= m_top.size()) return nullptr;
        return &m_nodes.at(m_top.at(index.row()));
    }
    const auto& children = m_children.at(static_cast<qsizetype>(id - 1));
    if (index.row() >= children.size()) return nullptr;
    return &m_nodes.at(children.at(index.row()));
}

QModelIndex NodesModel::index(int row, int column, const QModelIndex& parent) const {
    if (row < 0 || column < 0 || column >= kColumnCount) return {};
    if (!parent.isValid()) {
        return row < m_top.size() ? createIndex(row, column, kTopLevel) : QModelIndex();
    }
    if (parent.internalId() != kTopLevel || parent.row() >= m_children.size()) return {};
    if (row >= m_children.at(parent.row()).size()) return {};
    return createIndex(row, column, static_cast<quintptr>(parent.row()) + 1);
}

QModelIndex NodesModel::parent(const QModelIndex& child) const {
    if (!child.isValid() || child.internalId() == kTopLevel) return {};
    return createIndex(static_cast<int>(child.internalId() - 1), 0, kTopLevel);
}

int NodesModel::rowCount(const QModelIndex& parent) const {
    if (!parent.isValid()) return static_cast<int>(m_top.size());
    if (parent.column() != 0 || parent.internalId() != kTopLevel) return 0;
    return parent.row() < m_children.size() ? static_cast<int>(m_children[parent.row()].size()) : 0;
}

int NodesModel::columnCount(const QModelIndex&) const {
    return kColumnCount;
}

QVariant NodesModel::data(const QModelIndex& index, int role) const {
    const NodeStats* node = nodeAt(index);
    if (node == nullptr) return {};
    const int column = index.column();
    if (role == kAddressRole) return node->address;
    if (role == kFailedRole) return !node->error.isEmpty();
    if (role == Qt::TextAlignmentRole) {
        return numeric(column) ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    }
    if (role == Qt::ForegroundRole && column == kStatus && !node->error.isEmpty()) {
        return QBrush(QColor(0xc6, 0x28, 0x28));  // the red that marks production connections
    }
    const std::optional<quint64> value = figure(*node, column);
    if (role == Qt::ToolTipRole) {
        if (numeric(column) && !value) {
            return node->error.isEmpty() ? notRecordedText()
                                         : tr("The node did not say: %1").arg(statusText(*node));
        }
        switch (column) {
            case kNode:
                return node->master
                           ? node->address
                           : tr("%1, replica of %2").arg(node->address, node->masterAddress);
            case kSlots:
                return node->master
                           ? tr("%1: %2").arg(countText(node->slotCount, tr("slot"), tr("slots")),
                                              node->slotRanges)
                           : tr("Replicas serve no slots of their own.");
            case kScan:
                return node->master ? scanText(node->address)
                                    : tr("Listings scan the masters only.");
            case kStatus:
                return node->error.isEmpty() ? tr("The node answered.") : visibleText(node->error);
            default:
                return {};
        }
    }
    if (role != Qt::DisplayRole) return {};
    if (numeric(column)) {
        if (!value) return notRecordedMark();
        return column == kMemory ? bytesText(*value) : numberText(*value);
    }
    switch (column) {
        case kNode:
            return node->address;
        case kRole:
            return node->master ? tr("master") : tr("replica");
        case kSlots:
            return slotsText(*node);
        case kScan:
            return node->master ? scanText(node->address) : QString();
        case kStatus:
            return statusText(*node);
        default:
            return {};
    }
}

QVariant NodesModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return {};
    if (role == Qt::ToolTipRole) {
        switch (section) {
            case kKeys:
                return tr("Keys on the node (DBSIZE)");
            case kMemory:
                return tr("Memory the node uses (INFO used_memory)");
            case kHits:
                return tr("Successful key lookups (INFO keyspace_hits)");
            case kMisses:
                return tr("Failed key lookups (INFO keyspace_misses)");
            case kScan:
                return tr("How far the listing of the entries has got on each master");
            default:
                return {};
        }
    }
    if (role != Qt::DisplayRole) return {};
    switch (section) {
        case kNode:
            return tr("Node");
        case kRole:
            return tr("Role");
        case kSlots:
            return tr("Slots");
        case kKeys:
            return tr("Keys");
        case kMemory:
            return tr("Memory");
        case kHits:
            return tr("Hits");
        case kMisses:
            return tr("Misses");
        case kScan:
            return tr("Scan");
        case kStatus:
            return tr("Status");
        default:
            return {};
    }
}

}  // namespace twat_cache::ui
