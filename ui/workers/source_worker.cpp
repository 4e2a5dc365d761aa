#include "workers/source_worker.h"

#include "workers/failure_text.h"

namespace twat_cache::ui {
namespace {

template <class T>
T valueOrEmpty(const Result<T>& result) {
    return result.ok() ? result.value() : T{};
}

}  // namespace

SourceWorker::SourceWorker(QObject* parent) : QObject(parent) {}
SourceWorker::~SourceWorker() = default;

QString SourceWorker::errorText(const Status& status) const {
    return status.ok() ? QString() : describeFailure(status, m_ref);
}

void SourceWorker::open(quint64 generation, const SourceRef& ref, bool readOnly) {
    m_ref = ref;
    const Status status = m_adapter.open(ref, readOnly);
    emit opened(generation, errorText(status), m_adapter.limits());
}

void SourceWorker::setReadOnly(quint64 generation, bool readOnly) {
    emit reopened(generation, readOnly, errorText(m_adapter.setReadOnly(readOnly)));
}

void SourceWorker::fetchPage(quint64 generation, const QByteArray& cursor, const QString& filter,
                             int limit, int sortKey, bool descending, int budgetMs) {
    auto page = m_adapter.page(cursor, filter, limit, sortKey, descending, budgetMs);
    emit pageReady(generation, valueOrEmpty(page), errorText(page.status()));
}

void SourceWorker::fetchDetail(quint64 generation, const QByteArray& id, qint64 maxValueBytes) {
    auto detail = m_adapter.detail(id, maxValueBytes);
    emit detailReady(generation, valueOrEmpty(detail), errorText(detail.status()));
}

void SourceWorker::fetchStats(quint64 generation) {
    auto stats = m_adapter.stats();
    emit statsReady(generation, valueOrEmpty(stats), errorText(stats.status()));
}

void SourceWorker::fetchNamespaces(quint64 generation, quint64 budget, bool restart) {
    auto report = m_adapter.namespaces(budget, restart);
    emit namespacesReady(generation, valueOrEmpty(report), errorText(report.status()));
}

void SourceWorker::plan(quint64 generation, const MaintenanceRequest& request) {
    auto preview = m_adapter.plan(request);
    emit planReady(generation, valueOrEmpty(preview), errorText(preview.status()));
}

void SourceWorker::execute(quint64 generation, quint64 planId) {
    auto result = m_adapter.execute(
        planId,
        [this, generation](quint64 done, quint64 total) { emit progress(generation, done, total); },
        m_cancel);
    emit executed(generation, valueOrEmpty(result), errorText(result.status()));
}

}  // namespace twat_cache::ui
