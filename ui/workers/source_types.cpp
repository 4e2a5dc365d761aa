#include "workers/source_types.h"

#include <QDir>
#include <QFileInfo>

namespace twat_cache::ui {

QString sourceKindName(SourceKind kind) {
    switch (kind) {
        case SourceKind::kNative:
            return QStringLiteral("twat-cache");
        case SourceKind::kDiskcache:
            return QStringLiteral("python-diskcache");
        case SourceKind::kJoblib:
            return QStringLiteral("joblib");
        case SourceKind::kFolder:
            return QStringLiteral("plain folder");
        case SourceKind::kRedis:
            return QStringLiteral("Redis");
    }
    return QStringLiteral("unknown");
}

SourceRef folderSourceRef(const QString& path) {
    SourceRef ref;
    ref.kind = SourceKind::kFolder;
    ref.location = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    ref.name = QFileInfo(ref.location).fileName();
    if (ref.name.isEmpty()) ref.name = ref.location;
    return ref;
}

void registerSourceTypes() {
    qRegisterMetaType<SourceRef>();
    qRegisterMetaType<EntryPage>();
    qRegisterMetaType<EntryDetail>();
    qRegisterMetaType<ValuePage>();
    qRegisterMetaType<SourceStats>();
    qRegisterMetaType<NamespaceReport>();
    qRegisterMetaType<MaintenanceRequest>();
    qRegisterMetaType<MaintenanceLimits>();
    qRegisterMetaType<PlanPreview>();
    qRegisterMetaType<ExecuteResult>();
    qRegisterMetaType<EntryEdit>();
    qRegisterMetaType<EntryRow>();
}

}  // namespace twat_cache::ui
