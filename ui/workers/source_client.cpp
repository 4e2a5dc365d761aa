#include "workers/source_client.h"

#include <type_traits>
#include <utility>

#include "workers/failure_text.h"
#include "workers/redis_endpoint.h"
#include "workers/source_adapter.h"

namespace twat_cache::ui {
namespace {

std::size_t indexOf(SourceClient::Channel channel) {
    return static_cast<std::size_t>(channel);
}

}  // namespace

SourceClient::SourceClient(SourceRef ref, QObject* parent, bool readOnly)
    : QObject(parent),
      m_ref(std::move(ref)),
      m_context(new QObject),
      m_adapter(new SourceAdapter),
      m_readOnly(readOnly) {
    registerSourceTypes();
    registerServerTypes();
    for (auto& generation : m_generations) generation.store(1);
    m_thread.setObjectName(QStringLiteral("source: ") + m_ref.name);
    m_context->moveToThread(&m_thread);
    // The adapter's connections and handles belong to its thread: it is closed there too.
    connect(
        &m_thread, &QThread::finished, m_context, [adapter = m_adapter] { delete adapter; },
        Qt::DirectConnection);
    connect(&m_thread, &QThread::finished, m_context, &QObject::deleteLater);
    // Emitted on the adapter's thread, so queued to this one.
    connect(this, &SourceClient::batchDone, this, [this](quint64 gen, quint64 done, quint64 total) {
        if (gen == generation(Channel::kMaintenance)) emit progress(done, total);
    });
    m_thread.start();
}

SourceClient::~SourceClient() {
    // After closeLater() the thread has finished and the adapter is gone with it.
    if (!m_thread.isFinished()) {
        m_cancel.store(true);
        m_cancelSave.store(true);
        m_cancelExport.store(true);
    }
    m_thread.quit();
    m_thread.wait();
}

void SourceClient::closeLater() {
    for (auto& generation : m_generations) ++generation;
    m_cancel.store(true);
    m_cancelSave.store(true);
    m_cancelExport.store(true);
    connect(&m_thread, &QThread::finished, this, &QObject::deleteLater);
    m_thread.quit();
}

quint64 SourceClient::generation(Channel channel) const {
    return m_generations.at(indexOf(channel)).load();
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

template <class Call, class Reply>
void SourceClient::ask(Channel channel, quint64 gen, Call call, Reply reply) {
    // The outer functor runs in the adapter's thread (the context object's), the inner one
    // back in this object's thread. Only m_adapter, m_ref and m_cancel are read over there:
    // none of them changes after construction but the atomic flag.
    QMetaObject::invokeMethod(
        m_context,
        [this, channel, gen, call = std::move(call), reply] {
            // Statistics and details show only the latest answer: a request superseded while
            // it waited behind slower work is not run at all (its reply would be dropped).
            const bool latestOnly = channel == Channel::kStats || channel == Channel::kDetail;
            if (latestOnly && gen != m_generations.at(indexOf(channel)).load()) {
                QMetaObject::invokeMethod(
                    this, [this, channel, gen] { accept(channel, gen); }, Qt::QueuedConnection);
                return;
            }
            auto result = call(*m_adapter);
            using Value = std::decay_t<decltype(*result)>;
            const QString error = result.ok() ? QString() : describeFailure(result.status(), m_ref);
            Value value = result.ok() ? std::move(result).value() : Value{};
            QMetaObject::invokeMethod(
                this,
                [this, channel, gen, reply, value = std::move(value), error] {
                    if (!accept(channel, gen)) return;
                    if constexpr (std::is_member_function_pointer_v<Reply>) {
                        (this->*reply)(value, error);
                    } else {
                        reply(value, error);
                    }
                },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

QString SourceClient::location() const {
    if (!m_database) return m_ref.location;
    auto endpoint = parseRedisUrl(m_ref.location);
    if (!endpoint.ok()) return m_ref.location;
    endpoint->db = *m_database;
    return endpoint->urlWithoutPassword();
}

SourceRef SourceClient::listedRef() const {
    SourceRef ref = m_ref;
    ref.location = location();
    return ref;
}

void SourceClient::open() {
    m_state = State::kOpening;
    m_database.reset();  // the adapter opens the URL's database
    ask(
        Channel::kOpen, invalidate(Channel::kOpen),
        [ref = m_ref, readOnly = m_readOnly](
            SourceAdapter& adapter) -> Result<std::pair<MaintenanceLimits, SourceKind>> {
            const Status status = adapter.open(ref, readOnly);
            if (!status.ok()) return status;
            return std::pair(adapter.limits(), adapter.kind());
        },
        [this](const std::pair<MaintenanceLimits, SourceKind>& opened, const QString& error) {
            m_state = error.isEmpty() ? State::kOpen : State::kFailed;
            m_limits = opened.first;
            m_openedKind = error.isEmpty() ? std::optional(opened.second) : std::nullopt;
            emit this->opened(error);
        });
}

void SourceClient::setReadOnly(bool readOnly) {
    if (readOnly == m_readOnly) return;
    m_readOnly = readOnly;
    // An execute already running finishes first (the adapter runs requests in order); a plan
    // not yet executed is dropped by the reopen, so executing it later fails with NotFound.
    // The open channel is not invalidated: an open still in flight keeps its reply.
    ask(
        Channel::kOpen, generation(Channel::kOpen),
        [readOnly](SourceAdapter& adapter) -> Result<bool> {
            const Status status = adapter.setReadOnly(readOnly);
            if (!status.ok()) return status;
            return readOnly;
        },
        [this, readOnly](bool, const QString& error) { emit reopened(readOnly, error); });
}

void SourceClient::requestPage(const QByteArray& cursor, const QString& filter, int limit,
                               EntryOrder order, bool descending, int budgetMs,
                               const QString& type) {
    ask(
        Channel::kEntries, generation(Channel::kEntries),
        [=](SourceAdapter& adapter) {
            return adapter.page(cursor, filter, limit, order, descending, budgetMs, type);
        },
        &SourceClient::pageReady);
}

void SourceClient::requestDetail(const QByteArray& id, qint64 maxValueBytes) {
    ask(
        Channel::kDetail, invalidate(Channel::kDetail),
        [=](SourceAdapter& adapter) { return adapter.detail(id, maxValueBytes); },
        &SourceClient::detailReady);
}

void SourceClient::requestValuePage(const QByteArray& id, const ValueRequest& request,
                                    bool restart) {
    ask(
        Channel::kValue, restart ? invalidate(Channel::kValue) : generation(Channel::kValue),
        [=](SourceAdapter& adapter) { return adapter.valuePage(id, request); },
        &SourceClient::valuePageReady);
}

void SourceClient::requestSaveValue(const QByteArray& id, const QString& path) {
    m_cancelSave.store(false);
    ask(
        Channel::kSave, invalidate(Channel::kSave),
        [this, id, path](SourceAdapter& adapter) {
            return adapter.saveValue(
                id, path, [this](quint64 done, quint64 total) { emit saveProgress(done, total); },
                m_cancelSave);
        },
        &SourceClient::valueSaved);
}

void SourceClient::requestExportListing(const QString& filter, const QString& type, bool csv,
                                        const QString& path) {
    m_cancelExport.store(false);
    ask(
        Channel::kExport, invalidate(Channel::kExport),
        [this, filter, type, csv, path](SourceAdapter& adapter) {
            return adapter.exportListing(
                filter, type, csv, path,
                [this](quint64 written, quint64 scanned, quint64 total) {
                    emit exportProgress(written, scanned, total);
                },
                m_cancelExport);
        },
        [this](const ListingExported& done, const QString& error) {
            emit listingExported(done.written, done.cancelled, error);
        });
}

void SourceClient::requestValueText(const QByteArray& id, qint64 maxValueBytes) {
    ask(
        Channel::kCopy, invalidate(Channel::kCopy),
        [=](SourceAdapter& adapter) { return adapter.detail(id, maxValueBytes); },
        [this, id](const EntryDetail& detail, const QString& error) {
            emit valueTextReady(id, detail, error);
        });
}

void SourceClient::requestStats() {
    ask(
        Channel::kStats, invalidate(Channel::kStats),
        [](SourceAdapter& adapter) { return adapter.stats(); }, &SourceClient::statsReady);
}

void SourceClient::requestNamespaces(quint64 budget, bool restart) {
    ask(
        Channel::kNamespaces, invalidate(Channel::kNamespaces),
        [=](SourceAdapter& adapter) { return adapter.namespaces(budget, restart); },
        &SourceClient::namespacesReady);
}

void SourceClient::requestPlan(const MaintenanceRequest& request) {
    ask(
        Channel::kMaintenance, invalidate(Channel::kMaintenance),
        [=](SourceAdapter& adapter) { return adapter.plan(request); }, &SourceClient::planReady);
}

void SourceClient::requestExecute(quint64 planId) {
    const quint64 gen = generation(Channel::kMaintenance);
    m_cancel.store(false);
    ask(
        Channel::kMaintenance, gen,
        [this, gen, planId](SourceAdapter& adapter) {
            return adapter.execute(
                planId,
                [this, gen](quint64 done, quint64 total) { emit batchDone(gen, done, total); },
                m_cancel);
        },
        &SourceClient::executed);
}

quint64 SourceClient::requestEdit(const EntryEdit& request) {
    const quint64 number = ++m_editsAsked;
    ask(
        Channel::kMaintenance, generation(Channel::kMaintenance),
        [=](SourceAdapter& adapter) { return adapter.edit(request); },
        [this, number, id = request.id](const EntryRow& row, const QString& error) {
            emit edited(number, id, row, error);
        });
    return number;
}

void SourceClient::requestServerInfo() {
    // The slow log and a database switch keep their replies: only a newer info supersedes.
    ask(
        Channel::kServer, generation(Channel::kServer),
        [](SourceAdapter& adapter) { return adapter.serverInfo(); },
        [this, asked = ++m_serverInfoAsked](const ServerInfo& info, const QString& error) {
            if (asked == m_serverInfoAsked) emit serverInfoReady(info, error);
        });
}

void SourceClient::requestSlowlog(int count) {
    ask(
        Channel::kServer, generation(Channel::kServer),
        [count](SourceAdapter& adapter) { return adapter.slowlog(count); },
        &SourceClient::slowlogReady);
}

void SourceClient::requestSelectDatabase(int db) {
    ask(
        Channel::kServer, generation(Channel::kServer),
        [db](SourceAdapter& adapter) { return adapter.selectDatabase(db); },
        [this, db](int, const QString& error) {
            if (error.isEmpty()) m_database = db;
            emit databaseSelected(db, error);
        });
}

}  // namespace twat_cache::ui
