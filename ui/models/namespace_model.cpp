#include "models/namespace_model.h"

#include <QLocale>
#include <algorithm>

namespace twat_cache::ui {
namespace {

// The name under which a parent finds its "(other)" child; no rendered segment holds a NUL.
const QString kOtherKey = QStringLiteral("\u0000(other)");

}  // namespace

struct NamespaceModel::Item {
    Item* parent = nullptr;
    int row = 0;
    QString name;    // the segment (see NamespaceNode::name)
    QString prefix;  // the whole prefix
    bool other = false;
    bool noNamespace = false;
    bool inModel = false;  // inserted (the view knows it)
    quint64 keys = 0;
    quint64 leaf = 0;
    std::vector<std::unique_ptr<Item>> children;
    QHash<QString, Item*> byName;  // children (and pending ones) by name, or kOtherKey
};

NamespaceModel::NamespaceModel(QObject* parent) : QAbstractItemModel(parent) {
    reset();
}

NamespaceModel::~NamespaceModel() = default;

void NamespaceModel::reset(const QString& separator) {
    beginResetModel();
    m_separator = separator.isEmpty() ? QStringLiteral(":") : separator;
    m_byPrefix.clear();
    m_top = std::make_unique<Item>();
    auto all = std::make_unique<Item>();
    all->parent = m_top.get();
    all->inModel = true;
    m_all = all.get();
    m_top->children.push_back(std::move(all));
    endResetModel();
}

NamespaceModel::Item* NamespaceModel::itemAt(const QModelIndex& index) const {
    return index.isValid() ? static_cast<Item*>(index.internalPointer()) : m_top.get();
}

QModelIndex NamespaceModel::indexOfItem(const Item* item, int column) const {
    if (item == nullptr || item == m_top.get()) return {};
    return createIndex(item->row, column, const_cast<Item*>(item));
}

QModelIndex NamespaceModel::rootIndex() const {
    return indexOfItem(m_all);
}

QModelIndex NamespaceModel::indexOf(const QString& prefix) const {
    return indexOfItem(m_byPrefix.value(prefix));
}

quint64 NamespaceModel::keysOf(const QString& prefix) const {
    const Item* item = m_byPrefix.value(prefix);
    return item == nullptr ? 0 : item->keys;
}

void NamespaceModel::setReport(const NamespaceReport& report) {
    const auto& nodes = report.nodes;
    std::vector<Item*> mapped(static_cast<std::size_t>(nodes.size()), nullptr);
    // New items grouped by parent, in the order the parents were met: a parent that is new
    // itself was met (and grouped) before its children, so groups insert in a valid order.
    struct Group {
        Item* parent;
        std::vector<std::unique_ptr<Item>> items;
    };
    std::vector<Group> groups;
    QHash<Item*, std::size_t> groupOf;
    QHash<Item*, std::pair<int, int>> changedRows;  // parent -> first, last changed row
    std::vector<Item*> touched;                     // parents whose children changed

    for (qsizetype i = 0; i < nodes.size(); ++i) {
        const NamespaceNode& node = nodes[i];
        Item* parent = m_all;
        if (node.parent >= 0) {
            if (node.parent >= i || mapped[static_cast<std::size_t>(node.parent)] == nullptr)
                continue;  // not parents-first: skip rather than guess
            parent = mapped[static_cast<std::size_t>(node.parent)];
        }
        const QString key = node.other ? kOtherKey : node.name;
        if (Item* existing = parent->byName.value(key)) {
            mapped[static_cast<std::size_t>(i)] = existing;
            if (existing->keys == node.keys && existing->leaf == node.leafKeys) continue;
            existing->keys = node.keys;
            existing->leaf = node.leafKeys;
            if (!existing->inModel) continue;  // inserted below: nothing to signal yet
            auto it = changedRows.find(parent);
            if (it == changedRows.end()) {
                changedRows.insert(parent, {existing->row, existing->row});
                touched.push_back(parent);
            } else {
                it->first = std::min(it->first, existing->row);
                it->second = std::max(it->second, existing->row);
            }
            continue;
        }
        auto item = std::make_unique<Item>();
        item->parent = parent;
        item->name = node.name;
        item->prefix = node.prefix;
        item->other = node.other;
        item->noNamespace = node.parent < 0 && !node.other && node.name.isEmpty();
        item->keys = node.keys;
        item->leaf = node.leafKeys;
        parent->byName.insert(key, item.get());
        if (!item->other) m_byPrefix.insert(item->prefix, item.get());
        mapped[static_cast<std::size_t>(i)] = item.get();
        auto at = groupOf.find(parent);
        if (at == groupOf.end()) {
            at = groupOf.insert(parent, groups.size());
            groups.push_back({parent, {}});
        }
        groups[*at].items.push_back(std::move(item));
    }

    for (Item* parent : touched) {
        const auto [first, last] = changedRows.value(parent);
        emit dataChanged(
            indexOfItem(parent->children[static_cast<std::size_t>(first)].get()),
            indexOfItem(parent->children[static_cast<std::size_t>(last)].get(), kKeys));
    }
    if (m_all->keys != report.scanned) {
        m_all->keys = report.scanned;
        emit dataChanged(rootIndex(), indexOfItem(m_all, kKeys));
    }
    for (Group& group : groups) {
        auto& children = group.parent->children;
        const int first = static_cast<int>(children.size());
        const int last = first + static_cast<int>(group.items.size()) - 1;
        beginInsertRows(indexOfItem(group.parent), first, last);
        for (auto& item : group.items) {
            item->row = static_cast<int>(children.size());
            item->inModel = true;
            children.push_back(std::move(item));
        }
        endInsertRows();
        if (!changedRows.contains(group.parent)) touched.push_back(group.parent);
    }
    sortChildren(touched);
}

void NamespaceModel::sortChildren(const std::vector<Item*>& parents) {
    auto before = [](const std::unique_ptr<Item>& a, const std::unique_ptr<Item>& b) {
        if (a->other != b->other) return b->other;
        return a->keys > b->keys;
    };
    QList<QPersistentModelIndex> unsorted;
    std::vector<Item*> toSort;
    for (Item* parent : parents) {
        if (!std::is_sorted(parent->children.begin(), parent->children.end(), before)) {
            toSort.push_back(parent);
            unsorted << QPersistentModelIndex(indexOfItem(parent));
        }
    }
    if (toSort.empty()) return;
    emit layoutAboutToBeChanged(unsorted, VerticalSortHint);
    const QModelIndexList from = persistentIndexList();
    for (Item* parent : toSort) {
        std::stable_sort(parent->children.begin(), parent->children.end(), before);
        for (std::size_t row = 0; row < parent->children.size(); ++row) {
            parent->children[row]->row = static_cast<int>(row);
        }
    }
    QModelIndexList to;
    to.reserve(from.size());
    for (const QModelIndex& index : from) to << indexOfItem(itemAt(index), index.column());
    changePersistentIndexList(from, to);
    emit layoutChanged(unsorted, VerticalSortHint);
}

QString NamespaceModel::filterFor(const QModelIndex& index) const {
    if (!index.isValid()) return {};
    const Item* item = itemAt(index);
    if (item->other) item = item->parent;  // its keys lie under the parent's prefix
    if (item == m_all || item->noNamespace) return {};
    return globFor(item->prefix, m_separator);
}

QString NamespaceModel::escapeGlob(const QString& text) {
    QString glob;
    for (const QChar c : text) {
        if (c == QLatin1Char('*') || c == QLatin1Char('?') || c == QLatin1Char('[') ||
            c == QLatin1Char(']') || c == QLatin1Char('\\')) {
            glob += QLatin1Char('\\');
        }
        glob += c;
    }
    return glob;
}

QString NamespaceModel::globFor(const QString& prefix, const QString& separator) {
    // Escaped, so that the prefix "a*b" matches only itself.
    return escapeGlob(prefix + separator) + QLatin1Char('*');
}

QModelIndex NamespaceModel::index(int row, int column, const QModelIndex& parent) const {
    if (column < 0 || column >= kColumnCount || row < 0) return {};
    if (parent.isValid() && parent.column() != kName) return {};
    const Item* p = itemAt(parent);
    if (row >= static_cast<int>(p->children.size())) return {};
    return createIndex(row, column, p->children[static_cast<std::size_t>(row)].get());
}

QModelIndex NamespaceModel::parent(const QModelIndex& child) const {
    if (!child.isValid()) return {};
    return indexOfItem(itemAt(child)->parent);
}

int NamespaceModel::rowCount(const QModelIndex& parent) const {
    if (parent.isValid() && parent.column() != kName) return 0;
    return static_cast<int>(itemAt(parent)->children.size());
}

int NamespaceModel::columnCount(const QModelIndex& /*parent*/) const {
    return kColumnCount;
}

QVariant NamespaceModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid()) return {};
    const Item* item = itemAt(index);
    const bool root = item == m_all;
    const QLocale locale;
    switch (role) {
        case Qt::DisplayRole:
            if (index.column() == kKeys)
                return locale.toString(static_cast<qulonglong>(item->keys));
            if (root) return tr("All keys");
            if (item->other) return tr("(other)");
            if (item->noNamespace) return tr("(no namespace)");
            return item->name + m_separator;
        case Qt::ToolTipRole:
            if (root) return tr("Keys scanned so far");
            if (item->other) {
                return tr("%1 keys under namespaces not listed one by one (too many to keep)")
                    .arg(locale.toString(static_cast<qulonglong>(item->keys)));
            }
            if (item->noNamespace) return tr("Keys without \"%1\"").arg(m_separator);
            return tr("Keys starting with \"%1%2\": %3 at this level, %4 below")
                .arg(item->prefix, m_separator,
                     locale.toString(static_cast<qulonglong>(item->leaf)),
                     locale.toString(static_cast<qulonglong>(item->keys - item->leaf)));
        case Qt::TextAlignmentRole:
            if (index.column() == kKeys) return QVariant(Qt::AlignRight | Qt::AlignVCenter);
            return {};
        case kPrefixRole:
            if (root || item->other) return {};
            return item->prefix;
        case kCountRole:
            return static_cast<qulonglong>(item->keys);
        case kLeafCountRole:
            return static_cast<qulonglong>(item->leaf);
        case kOtherRole:
            return item->other;
        default:
            return {};
    }
}

QVariant NamespaceModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    if (section == kName) return tr("Namespace");
    if (section == kKeys) return tr("Keys");
    return {};
}

}  // namespace twat_cache::ui
