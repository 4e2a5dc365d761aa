#include "workers/source_types.h"

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
            return QStringLiteral("folder");
        case SourceKind::kRedis:
            return QStringLiteral("Redis");
    }
    return QStringLiteral("unknown");
}

void registerSourceTypes() {
    qRegisterMetaType<SourceRef>();
    qRegisterMetaType<EntryPage>();
    qRegisterMetaType<EntryDetail>();
    qRegisterMetaType<SourceStats>();
    qRegisterMetaType<MaintenanceRequest>();
    qRegisterMetaType<PlanPreview>();
    qRegisterMetaType<ExecuteResult>();
}

}  // namespace twat_cache::ui
