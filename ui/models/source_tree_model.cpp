#include "models/source_tree_model.h"

#include <QIcon>
#include <QSettings>
#include <map>

#include "models/saved_connection.h"
#include "ui_resources.h"

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
    setHorizontalHeaderLabels({tr("Sources")});
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

QStandardItem* SourceTreeModel::makeSourceItem(const SourceRef& ref) {
    auto* item = new QStandardItem;
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    setSourceItem(item, ref);
    return item;
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
        it->second->appendRow(makeSourceItem(ref));
    }
}

QModelIndex SourceTreeModel::addSource(const SourceRef& ref) {
    QStandardItem* group = ref.kind == SourceKind::kRedis ? m_redis : m_folders;
    for (int row = 0; row < group->rowCount(); ++row) {
        QStandardItem* child = group->child(row);
        if (child->data(kSourceRole).value<SourceRef>() == ref) return child->index();
    }
    QStandardItem* item = makeSourceItem(ref);
    group->appendRow(item);
    return item->index();
}

bool SourceTreeModel::removeSource(const QModelIndex& index) {
    const QModelIndex parent = index.parent();
    if (!sourceAt(index) || (parent != foldersGroup() && parent != redisGroup())) return false;
    return removeRow(index.row(), parent);
}

bool SourceTreeModel::replaceSource(const QModelIndex& index, const SourceRef& ref) {
    const QModelIndex parent = index.parent();
    if (!sourceAt(index) || (parent != foldersGroup() && parent != redisGroup())) return false;
    setSourceItem(itemFromIndex(index), ref);
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
    const QVariant value = data(index, kSourceRole);
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
