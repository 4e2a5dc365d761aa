// SourceClient: the GUI thread's handle on one open source. It starts a QThread, moves a
// SourceWorker into it, posts requests to it, and re-emits the replies that are still
// wanted.
//
// Every request carries the current generation of its channel (entries, detail, stats,
// maintenance, open). invalidate() bumps a channel's generation; replies to older requests
// are then dropped when they arrive (counted by droppedReplies()). Asking for a new detail
// or new stats invalidates the previous request of that channel, so only the latest answer
// is shown however fast the user clicks.
//
// Thread safety: GUI thread only (the worker's thread is private to it).
#pragma once

#include <QObject>
#include <QThread>
#include <array>

#include "workers/source_types.h"

namespace twat_cache::ui {

class SourceWorker;

class SourceClient : public QObject {
    Q_OBJECT

  public:
    enum class Channel { kOpen, kEntries, kDetail, kStats, kMaintenance, kNamespaces };
    Q_ENUM(Channel)

    // With `readOnly` the source is opened read-only by the core (see setReadOnly).
    explicit SourceClient(SourceRef ref, QObject* parent = nullptr, bool readOnly = false);
    // Cancels a running execute and waits for the worker's thread to finish.
    ~SourceClient() override;

    const SourceRef& ref() const { return m_ref; }

    enum class State { kOpening, kOpen, kFailed };
    State state() const { return m_state; }
    // What the open source cannot do (known once opened() said it is open).
    const MaintenanceLimits& limits() const { return m_limits; }

    // Stops listening to the worker (every channel's replies become stale), asks a running
    // execute to stop, and deletes this client once the worker's thread has finished its
    // current request: the GUI thread does not wait for it.
    void closeLater();

    quint64 generation(Channel channel) const;
    // Makes every reply to earlier requests on `channel` stale; returns the new generation.
    quint64 invalidate(Channel channel);
    // Replies dropped because they were stale.
    quint64 droppedReplies() const { return m_dropped; }

    void open();
    // Read-only mode, enforced by the core: the worker reopens the source with
    // OpenOptions::read_only (on its own thread; the GUI does not wait) and answers with
    // reopened(). Requests posted after this call run on the reopened source.
    void setReadOnly(bool readOnly);
    bool isReadOnly() const { return m_readOnly; }
    // The worker (it lives in the worker's thread). For direct connections to its signals,
    // e.g. a test that must act between two batches of an execute.
    SourceWorker* worker() const { return m_worker; }
    // `sortKey` is a twat_cache::SortKey value (0: the source's natural order); the worker
    // searches for matches for at most `budgetMs` (see SourceAdapter::page).
    void requestPage(const QByteArray& cursor, const QString& filter, int limit, int sortKey = 0,
                     bool descending = false, int budgetMs = 1000);
    void requestDetail(const QByteArray& id, qint64 maxValueBytes);
    void requestStats();
    // Scans up to `budget` more keys for namespace counts (Redis); `restart` starts over.
    void requestNamespaces(quint64 budget, bool restart = false);
    void requestPlan(const MaintenanceRequest& request);
    void requestExecute(quint64 planId);
    // Thread-safe request to stop a running execute between batches.
    void cancelExecute();

  signals:
    void opened(const QString& error);
    void reopened(bool readOnly, const QString& error);
    void pageReady(const twat_cache::ui::EntryPage& page, const QString& error);
    void detailReady(const twat_cache::ui::EntryDetail& detail, const QString& error);
    void statsReady(const twat_cache::ui::SourceStats& stats, const QString& error);
    void namespacesReady(const twat_cache::ui::NamespaceReport& report, const QString& error);
    void planReady(const twat_cache::ui::PlanPreview& preview, const QString& error);
    void progress(quint64 done, quint64 total);
    void executed(const twat_cache::ui::ExecuteResult& result, const QString& error);
    // A reply arrived for a request that was invalidated meanwhile.
    void staleReplyDropped(twat_cache::ui::SourceClient::Channel channel);

  private:
    // Whether a reply with `generation` on `channel` is current; counts stale ones.
    bool accept(Channel channel, quint64 generation);
    template <class Fn>
    void post(Fn&& fn);

    SourceRef m_ref;
    QThread m_thread;
    SourceWorker* m_worker = nullptr;  // lives in m_thread; deleted when it finishes
    std::array<quint64, 6> m_generations{};
    quint64 m_dropped = 0;
    bool m_readOnly = false;
    State m_state = State::kOpening;
    MaintenanceLimits m_limits;
};

}  // namespace twat_cache::ui
