#include "workers/source_adapter.h"

#include "twat_cache/config.h"

namespace twat_cache::ui {
namespace {

Status notMerged() {
    return Status::unavailable(
        "the inspection layer (twat_cache/inspect.h) is not part of this build yet");
}

}  // namespace

// Holds the core's Source once the inspection layer is merged.
struct SourceAdapter::State {
    SourceRef ref;
    bool open = false;
};

SourceAdapter::SourceAdapter() : m_state(std::make_unique<State>()) {}
SourceAdapter::~SourceAdapter() = default;

Status SourceAdapter::open(const SourceRef& ref) {
    m_state->ref = ref;
    m_state->open = false;
    return notMerged().withContext(ref.location.toStdString());
}

bool SourceAdapter::isOpen() const {
    return m_state->open;
}

Result<EntryPage> SourceAdapter::page(const QByteArray&, const QString&, int) {
    return notMerged();
}

Result<EntryDetail> SourceAdapter::detail(const QByteArray&, qint64) {
    return notMerged();
}

Result<SourceStats> SourceAdapter::stats() {
    return notMerged();
}

Result<PlanPreview> SourceAdapter::plan(const MaintenanceRequest&) {
    return notMerged();
}

Result<ExecuteResult> SourceAdapter::execute(quint64, const ProgressFn&, const std::atomic<bool>&) {
    return notMerged();
}

Result<QList<SourceRef>> discoverSources(const QString&) {
    return notMerged();
}

QString defaultCacheRoot() {
    auto root = resolveCacheRoot();
    if (!root.ok()) return {};
    return QString::fromStdString(root->string());
}

}  // namespace twat_cache::ui
