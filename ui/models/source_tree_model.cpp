#include "models/source_tree_model.h"

#include <QIcon>
#include <QSettings>
#include <map>

#include "models/saved_connection.h"
#include "ui_resources.h"
#include "workers/display_text.h"

namespace twat_cache::ui {
namespace {

QString iconFor(SourceKind kind) {
    switch (kind) {
        case SourceKind::kRedis:
            return QStringLiteral(":/icons/redis.svg");
        case SourceKind::kFolder:
            return QStringLiteral(":/icons/folder.svg");
        default:
            return QStringLiteral(":/icons/cache.svg");
    }
}

}  // namespace

SourceTreeModel::SourceTreeModel(QObject* parent) : QStandardItemModel(parent) {
    initUiResources();
    setHorizontalHeaderLabels({tr("Sources"), tr("Entries"), tr("Size")});
    m_discovered = makeGroup(tr("Caches"), QStringLiteral(":/icons/cache.svg"));
    m_folders = makeGroup(tr("Opened Folders"), QStringLiteral(":/icons/folder.svg"));
    m_redis = makeGroup(tr("Redis"), QStringLiteral(":/icons/redis.svg"));
}

QStandardItem* SourceTreeModel::makeGroup(const QString& text, const QString& icon) {
    auto* item = new QStandardItem(QIcon(icon), text);
    item->setFlags(Qt::ItemIsEnabled);
    appendRow(item);
    return item;
}

QList<QStandardItem*> SourceTreeModel::makeSourceRow(const SourceRef& ref) {
    QList<QStandardItem*> row;
    for (int column = 0; column < kColumnCount; ++column) {
        auto* item = new QStandardItem;
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
        if (column != kName) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        row << item;
    }
    setSourceItem(row.front(), ref);
    return row;
}

void SourceTreeModel::setCountCells(QStandardItem* item, std::optional<quint64> entries,
                                    std::optional<quint64> bytes) {
    QStandardItem* parent = item->parent();
    if (parent == nullptr) return;
    // setText() signals dataChanged only when the text changes.
    if (QStandardItem* cell = parent->child(item->row(), kEntries); cell && entries) {
        cell->setText(numberText(*entries));
        cell->setToolTip(countText(*entries, tr("entry"), tr("entries")));
    }
    if (QStandardItem* cell = parent->child(item->row(), kSize); cell && bytes) {
        cell->setText(bytesText(*bytes));
        cell->setToolTip(cell->text());
    }
}

void SourceTreeModel::setCounts(const SourceRef& ref, std::optional<quint64> entries,
                                std::optional<quint64> bytes) {
    // A source may be listed twice (discovered, and opened as a folder): every row follows.
    std::vector<QStandardItem*> pending = {invisibleRootItem()};
    while (!pending.empty()) {
        QStandardItem* item = pending.back();
        pending.pop_back();
        for (int row = 0; row < item->rowCount(); ++row) pending.push_back(item->child(row));
        const QVariant value = item->data(kSourceRole);
        if (!value.isValid()) continue;
        const SourceRef shown = value.value<SourceRef>();
        if (shown.kind == ref.kind && shown.location == ref.location) {
            setCountCells(item, entries, bytes);
        }
    }
}

void SourceTreeModel::setSourceItem(QStandardItem* item, const SourceRef& ref) {
    item->setText(ref.name);
    item->setIcon(ref.kind == SourceKind::kRedis ? connectionIcon(ref) : QIcon(iconFor(ref.kind)));
    QString tip = ref.note.isEmpty() ? ref.location : ref.location + QLatin1Char('\n') + ref.note;
    if (ref.production) tip += QLatin1Char('\n') + tr("Production: opens read-only");
    item->setToolTip(tip);
    SourceRef stored = ref;
    stored.password.clear();  // the tree outlives sessions' secrets: never keep one here
    item->setData(QVariant::fromValue(stored), kSourceRole);
}

void SourceTreeModel::setDiscovered(const QString& root, const QList<SourceRef>& sources,
                                    const QString& error) {
    m_discovered->removeRows(0, m_discovered->rowCount());
    m_discovered->setText(root.isEmpty() ? tr("Caches") : tr("Caches under %1").arg(root));
    m_discovered->setToolTip(error.isEmpty() ? root : error);
    std::map<QString, QStandardItem*> byKind;
    for (const SourceRef& ref : sources) {
        const QString kindName = sourceKindName(ref.kind);
        auto it = byKind.find(kindName);
        if (it == byKind.end()) {
            auto* group = new QStandardItem(QIcon(iconFor(ref.kind)), kindName);
            group->setFlags(Qt::ItemIsEnabled);
            m_discovered->appendRow(group);
            it = byKind.emplace(kindName, group).first;
        }
        it->second->appendRow(makeSourceRow(ref));
        setCountCells(it->second->child(it->second->rowCount() - 1), ref.entries, ref.bytes);
    }
}

QModelIndex SourceTreeModel::addSource(const SourceRef& ref) {
    QStandardItem* group = ref.kind == SourceKind::kRedis ? m_redis : m_folders;
    for (int row = 0; row < group->rowCount(); ++row) {
        QStandardItem* child = group->child(row);
        if (child->data(kSourceRole).value<SourceRef>() == ref) return child->index();
    }
    const QList<QStandardItem*> row = makeSourceRow(ref);
    group->appendRow(row);
    setCountCells(row.front(), ref.entries, ref.bytes);
    return row.front()->index();
}

bool SourceTreeModel::removeSource(const QModelIndex& index) {
    const QModelIndex parent = index.parent();
    if (!sourceAt(index) || (parent != foldersGroup() && parent != redisGroup())) return false;
    return removeRow(index.row(), parent);
}

bool SourceTreeModel::replaceSource(const QModelIndex& index, const SourceRef& ref) {
    const QModelIndex parent = index.parent();
    if (!sourceAt(index) || (parent != foldersGroup() && parent != redisGroup())) return false;
    setSourceItem(itemFromIndex(index.siblingAtColumn(kName)), ref);
    return true;
}

QModelIndex SourceTreeModel::connectionIndex(const QString& id) const {
    for (int row = 0; !id.isEmpty() && row < m_redis->rowCount(); ++row) {
        if (m_redis->child(row)->data(kSourceRole).value<SourceRef>().id == id) {
            return m_redis->child(row)->index();
        }
    }
    return {};
}

void SourceTreeModel::saveUserSources(QSettings& settings) const {
    settings.beginWriteArray(QStringLiteral("sources"));
    int i = 0;
    for (SourceKind kind : {SourceKind::kFolder, SourceKind::kRedis}) {
        for (const SourceRef& ref : userSources(kind)) {
            settings.setArrayIndex(i++);
            settings.setValue(QStringLiteral("kind"), static_cast<int>(ref.kind));
            settings.setValue(QStringLiteral("location"), ref.location);
            settings.setValue(QStringLiteral("name"), ref.name);
            settings.setValue(QStringLiteral("separator"), ref.separator);
            if (kind != SourceKind::kRedis) continue;
            settings.setValue(QStringLiteral("id"), ref.id);
            settings.setValue(QStringLiteral("color"), ref.color);
            settings.setValue(QStringLiteral("production"), ref.production);
        }
    }
    settings.endArray();
}

void SourceTreeModel::restoreUserSources(QSettings& settings) {
    const int count = settings.beginReadArray(QStringLiteral("sources"));
    for (int i = 0; i < count; ++i) {
        settings.setArrayIndex(i);
        SourceRef ref;
        const int kind = settings.value(QStringLiteral("kind")).toInt();
        ref.kind =
            kind == static_cast<int>(SourceKind::kRedis) ? SourceKind::kRedis : SourceKind::kFolder;
        ref.location = settings.value(QStringLiteral("location")).toString();
        ref.name = settings.value(QStringLiteral("name")).toString();
        ref.separator = settings.value(QStringLiteral("separator"), QStringLiteral(":")).toString();
        ref.id = settings.value(QStringLiteral("id")).toString();
        ref.color = settings.value(QStringLiteral("color")).toString();
        ref.production = settings.value(QStringLiteral("production"), false).toBool();
        if (!ref.location.isEmpty()) addSource(ref);
    }
    settings.endArray();
}

std::optional<SourceRef> SourceTreeModel::sourceAt(const QModelIndex& index) const {
    const QVariant value = data(index.siblingAtColumn(kName), kSourceRole);
    if (!value.isValid()) return std::nullopt;
    return value.value<SourceRef>();
}

QList<SourceRef> SourceTreeModel::userSources(SourceKind kind) const {
    QStandardItem* group = kind == SourceKind::kRedis ? m_redis : m_folders;
    QList<SourceRef> out;
    for (int row = 0; row < group->rowCount(); ++row) {
        out << group->child(row)->data(kSourceRole).value<SourceRef>();
    }
    return out;
}

}  // namespace twat_cache::ui
