#include "workers/source_client.h"

#include <utility>

#include "workers/source_worker.h"

namespace twat_cache::ui {
namespace {

std::size_t indexOf(SourceClient::Channel channel) {
    return static_cast<std::size_t>(channel);
}

}  // namespace

SourceClient::SourceClient(SourceRef ref, QObject* parent, bool readOnly)
    : QObject(parent), m_ref(std::move(ref)), m_worker(new SourceWorker), m_readOnly(readOnly) {
    registerSourceTypes();
    m_generations.fill(1);
    m_thread.setObjectName(QStringLiteral("source: ") + m_ref.name);
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);

    // Replies cross back to this (GUI) thread as queued calls; stale ones stop here.
    connect(m_worker, &SourceWorker::opened, this,
            [this](quint64 gen, const QString& error, const MaintenanceLimits& limits) {
                if (!accept(Channel::kOpen, gen)) return;
                m_state = error.isEmpty() ? State::kOpen : State::kFailed;
                m_limits = limits;
                emit opened(error);
            });
    connect(m_worker, &SourceWorker::reopened, this,
            [this](quint64 gen, bool nowReadOnly, const QString& error) {
                if (accept(Channel::kOpen, gen)) emit reopened(nowReadOnly, error);
            });
    connect(m_worker, &SourceWorker::pageReady, this,
            [this](quint64 gen, const EntryPage& page, const QString& error) {
                if (accept(Channel::kEntries, gen)) emit pageReady(page, error);
            });
    connect(m_worker, &SourceWorker::detailReady, this,
            [this](quint64 gen, const EntryDetail& detail, const QString& error) {
                if (accept(Channel::kDetail, gen)) emit detailReady(detail, error);
            });
    connect(m_worker, &SourceWorker::statsReady, this,
            [this](quint64 gen, const SourceStats& stats, const QString& error) {
                if (accept(Channel::kStats, gen)) emit statsReady(stats, error);
            });
    connect(m_worker, &SourceWorker::namespacesReady, this,
            [this](quint64 gen, const NamespaceReport& report, const QString& error) {
                if (accept(Channel::kNamespaces, gen)) emit namespacesReady(report, error);
            });
    connect(m_worker, &SourceWorker::planReady, this,
            [this](quint64 gen, const PlanPreview& preview, const QString& error) {
                if (accept(Channel::kMaintenance, gen)) emit planReady(preview, error);
            });
    connect(m_worker, &SourceWorker::progress, this,
            [this](quint64 gen, quint64 done, quint64 total) {
                if (gen == generation(Channel::kMaintenance)) emit progress(done, total);
            });
    connect(m_worker, &SourceWorker::executed, this,
            [this](quint64 gen, const ExecuteResult& result, const QString& error) {
                if (accept(Channel::kMaintenance, gen)) emit executed(result, error);
            });
    m_thread.start();
}

SourceClient::~SourceClient() {
    // After closeLater() the thread has finished and the worker is gone with it.
    if (!m_thread.isFinished()) m_worker->requestCancel();
    m_thread.quit();
    m_thread.wait();
}

void SourceClient::closeLater() {
    for (quint64& generation : m_generations) ++generation;
    m_worker->requestCancel();
    connect(&m_thread, &QThread::finished, this, &QObject::deleteLater);
    m_thread.quit();
}

quint64 SourceClient::generation(Channel channel) const {
    return m_generations.at(indexOf(channel));
}

quint64 SourceClient::invalidate(Channel channel) {
    return ++m_generations.at(indexOf(channel));
}

bool SourceClient::accept(Channel channel, quint64 gen) {
    if (gen == generation(channel)) return true;
    ++m_dropped;
    emit staleReplyDropped(channel);
    return false;
}

template <class Fn>
void SourceClient::post(Fn&& fn) {
    // The functor runs in the worker's thread (the context object's thread).
    QMetaObject::invokeMethod(m_worker, std::forward<Fn>(fn), Qt::QueuedConnection);
}

void SourceClient::open() {
    m_state = State::kOpening;
    const quint64 gen = invalidate(Channel::kOpen);
    post([w = m_worker, gen, ref = m_ref, readOnly = m_readOnly] { w->open(gen, ref, readOnly); });
}

void SourceClient::setReadOnly(bool readOnly) {
    if (readOnly == m_readOnly) return;
    m_readOnly = readOnly;
    // An execute already running finishes first (the worker runs requests in order); a plan
    // not yet executed is dropped by the reopen, so executing it later fails with NotFound.
    // The open channel is not invalidated: an open still in flight keeps its reply.
    const quint64 gen = generation(Channel::kOpen);
    post([w = m_worker, gen, readOnly] { w->setReadOnly(gen, readOnly); });
}

void SourceClient::requestPage(const QByteArray& cursor, const QString& filter, int limit,
                               int sortKey, bool descending, int budgetMs) {
    const quint64 gen = generation(Channel::kEntries);
    post([w = m_worker, gen, cursor, filter, limit, sortKey, descending, budgetMs] {
        w->fetchPage(gen, cursor, filter, limit, sortKey, descending, budgetMs);
    });
}

void SourceClient::requestDetail(const QByteArray& id, qint64 maxValueBytes) {
    const quint64 gen = invalidate(Channel::kDetail);
    post([w = m_worker, gen, id, maxValueBytes] { w->fetchDetail(gen, id, maxValueBytes); });
}

void SourceClient::requestStats() {
    const quint64 gen = invalidate(Channel::kStats);
    post([w = m_worker, gen] { w->fetchStats(gen); });
}

void SourceClient::requestNamespaces(quint64 budget, bool restart) {
    const quint64 gen = invalidate(Channel::kNamespaces);
    post([w = m_worker, gen, budget, restart] { w->fetchNamespaces(gen, budget, restart); });
}

void SourceClient::requestPlan(const MaintenanceRequest& request) {
    const quint64 gen = invalidate(Channel::kMaintenance);
    post([w = m_worker, gen, request] { w->plan(gen, request); });
}

void SourceClient::requestExecute(quint64 planId) {
    const quint64 gen = generation(Channel::kMaintenance);
    m_worker->resetCancel();
    post([w = m_worker, gen, planId] { w->execute(gen, planId); });
}

void SourceClient::cancelExecute() {
    m_worker->requestCancel();
}

}  // namespace twat_cache::ui
