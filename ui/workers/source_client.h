// SourceClient: the GUI thread's handle on one open source. It starts a QThread that owns
// a SourceAdapter, runs each request on the adapter in that thread, and re-emits the replies
// that are still wanted on the GUI thread. A request is one adapter call: adding an operation
// means an adapter method and a request/reply pair here, nothing else.
//
// Every request carries the current generation of its channel (entries, detail, stats,
// maintenance, open, namespaces, value pages, save, copy, server, export). invalidate() bumps a
// channel's generation; replies to older requests are then dropped when they arrive (counted by
// droppedReplies()). Asking for a new detail or new stats invalidates the previous request of that
// channel, so only the latest answer is shown however fast the user clicks. Failures reach the
// replies in words for the user (failure_text.h).
//
// Thread safety: GUI thread only (the adapter's thread is private to it), except
// cancelExecute() and the batchDone() signal, which is emitted on the adapter's thread.
#pragma once

#include <QObject>
#include <QThread>
#include <array>
#include <atomic>

#include "workers/server_requests.h"
#include "workers/source_types.h"

namespace twat_cache::ui {

class SourceAdapter;

class SourceClient : public QObject {
    Q_OBJECT

  public:
    enum class Channel {
        kOpen,
        kEntries,
        kDetail,
        kStats,
        kMaintenance,
        kNamespaces,
        kValue,   // pages of one entry's value (value_table_view.h)
        kSave,    // a value streamed to a file
        kCopy,    // a value fetched for the clipboard (entry_clipboard.h)
        kServer,  // a Redis server's information and slow log (server_panel.h)
        kExport,  // a listing exported to a file (listing_exporter.h)
    };
    Q_ENUM(Channel)

    // With `readOnly` the source is opened read-only by the core (see setReadOnly).
    explicit SourceClient(SourceRef ref, QObject* parent = nullptr, bool readOnly = false);
    // Cancels a running execute and waits for the adapter's thread to finish.
    ~SourceClient() override;

    const SourceRef& ref() const { return m_ref; }
    // Where the source lists from now: ref().location, or for a Redis source switched to
    // another database (requestSelectDatabase) the same URL with that database.
    QString location() const;
    // ref() with location() as its location (e.g. to open the same database elsewhere).
    SourceRef listedRef() const;

    enum class State { kOpening, kOpen, kFailed };
    State state() const { return m_state; }
    // What the open source cannot do (known once opened() said it is open).
    const MaintenanceLimits& limits() const { return m_limits; }
    // What the source turned out to be once open (a folder's ref says kFolder whatever cache
    // it holds); nullopt until opened() said it is open.
    std::optional<SourceKind> openedKind() const { return m_openedKind; }

    // Stops listening to the adapter (every channel's replies become stale), asks a running
    // execute to stop, and deletes this client once the adapter's thread has finished its
    // current request: the GUI thread does not wait for it.
    void closeLater();

    quint64 generation(Channel channel) const;
    // Makes every reply to earlier requests on `channel` stale; returns the new generation.
    quint64 invalidate(Channel channel);
    // Replies dropped because they were stale.
    quint64 droppedReplies() const { return m_dropped; }

    void open();
    // Read-only mode, enforced by the core: the adapter reopens the source with
    // OpenOptions::read_only (on its own thread; the GUI does not wait) and answers with
    // reopened(). Requests posted after this call run on the reopened source.
    void setReadOnly(bool readOnly);
    bool isReadOnly() const { return m_readOnly; }
    // The adapter searches for matches for at most `budgetMs`, keeping only keys of the Redis
    // `type` when one is given (see SourceAdapter::page).
    void requestPage(const QByteArray& cursor, const QString& filter, int limit,
                     EntryOrder order = EntryOrder::kNatural, bool descending = false,
                     int budgetMs = 1000, const QString& type = {});
    void requestDetail(const QByteArray& id, qint64 maxValueBytes);
    void requestStats();
    // Scans up to `budget` more keys for namespace counts (Redis); `restart` starts over.
    void requestNamespaces(quint64 budget, bool restart = false);
    void requestPlan(const MaintenanceRequest& request);
    void requestExecute(quint64 planId);
    // A page of entry `id`'s value; `restart` (a new entry, search or order) makes replies to
    // earlier page requests stale, a continuation (the next cursor) does not.
    void requestValuePage(const QByteArray& id, const ValueRequest& request, bool restart);
    // Streams entry `id`'s whole string value to the file `path` on the worker thread, with
    // saveProgress() after each page and valueSaved() at the end; cancelSave() stops it.
    void requestSaveValue(const QByteArray& id, const QString& path);
    void cancelSave() { m_cancelSave.store(true); }
    // Writes every entry matching `filter` (as requestPage reads it) to `path`, as CSV or
    // JSON Lines, on the worker thread, with exportProgress() after each page and
    // listingExported() at the end; cancelExport() stops it (and no file is written). It runs
    // beside a value being saved: neither drops nor stops the other.
    void requestExportListing(const QString& filter, const QString& type, bool csv,
                              const QString& path);
    void cancelExport() { m_cancelExport.store(true); }
    // Metadata and at most `maxValueBytes` of the value of `id` for a copy (Channel::kCopy:
    // the details pane's requests are left alone); valueTextReady() answers.
    void requestValueText(const QByteArray& id, qint64 maxValueBytes);
    // Changes one entry in place; edited() answers (on the maintenance channel) with the
    // number returned here, which tells this request's answer from another edit's.
    quint64 requestEdit(const EntryEdit& request);
    // A Redis server's information, its `count` latest slow log entries, or a switch to
    // database `db` (entries, namespaces and statistics asked later follow it). Replies to
    // an earlier request of the same kind are dropped.
    void requestServerInfo();
    void requestSlowlog(int count);
    void requestSelectDatabase(int db);
    // Thread-safe request to stop a running execute between batches.
    void cancelExecute() { m_cancel.store(true); }

  signals:
    void opened(const QString& error);
    void reopened(bool readOnly, const QString& error);
    void pageReady(const twat_cache::ui::EntryPage& page, const QString& error);
    void detailReady(const twat_cache::ui::EntryDetail& detail, const QString& error);
    void valuePageReady(const twat_cache::ui::ValuePage& page, const QString& error);
    // Emitted on the adapter's thread (so queued to GUI-thread receivers).
    void saveProgress(quint64 done, quint64 total);
    void valueSaved(quint64 bytes, const QString& error);
    // Emitted on the adapter's thread (so queued to GUI-thread receivers); `total` 0: unknown.
    void exportProgress(quint64 written, quint64 scanned, quint64 total);
    void listingExported(quint64 written, bool cancelled, const QString& error);
    void valueTextReady(const QByteArray& id, const twat_cache::ui::EntryDetail& detail,
                        const QString& error);
    void statsReady(const twat_cache::ui::SourceStats& stats, const QString& error);
    void namespacesReady(const twat_cache::ui::NamespaceReport& report, const QString& error);
    void planReady(const twat_cache::ui::PlanPreview& preview, const QString& error);
    void progress(quint64 done, quint64 total);
    void executed(const twat_cache::ui::ExecuteResult& result, const QString& error);
    // The entry `id` was edited by request number `request` (requestEdit's): `row` is it
    // afterwards (a renamed one under its new id).
    void edited(quint64 request, const QByteArray& id, const twat_cache::ui::EntryRow& row,
                const QString& error);
    void serverInfoReady(const twat_cache::ui::ServerInfo& info, const QString& error);
    void slowlogReady(const QList<twat_cache::ui::SlowlogRow>& rows, const QString& error);
    // The source lists database `db` now (or, with an error, still the one before).
    void databaseSelected(int db, const QString& error);
    // A reply arrived for a request that was invalidated meanwhile.
    void staleReplyDropped(twat_cache::ui::SourceClient::Channel channel);
    // Emitted on the adapter's thread after each batch of an execute (`generation`: of the
    // maintenance channel when it was asked); progress() follows on the GUI thread. A direct
    // connection runs between two batches, e.g. a test that must act there.
    void batchDone(quint64 generation, quint64 done, quint64 total);

  private:
    // Whether a reply with `generation` on `channel` is current; counts stale ones.
    bool accept(Channel channel, quint64 generation);
    // Runs `call(adapter)` (returning a Result) on the adapter's thread, then `reply(value,
    // error)` (a member function such as a signal, or a functor) on this thread if the reply
    // is still current on `channel`.
    template <class Call, class Reply>
    void ask(Channel channel, quint64 generation, Call call, Reply reply);

    SourceRef m_ref;
    QThread m_thread;
    QObject* m_context;                     // lives in m_thread: requests run in its event loop
    SourceAdapter* m_adapter;               // used in m_thread only; deleted there when it finishes
    std::atomic<bool> m_cancel{false};      // read by a running execute between batches
    std::atomic<bool> m_cancelSave{false};  // read by a running save between pages
    std::atomic<bool> m_cancelExport{false};  // read by a running export between pages
    // Read by the adapter's thread too, to skip a stats or detail request already superseded.
    std::array<std::atomic<quint64>, 11> m_generations{};
    quint64 m_dropped = 0;
    quint64 m_serverInfoAsked = 0;  // only the latest server info request is answered
    quint64 m_editsAsked = 0;       // the number of the latest edit request
    bool m_readOnly = false;
    State m_state = State::kOpening;
    MaintenanceLimits m_limits;
    std::optional<SourceKind> m_openedKind;
    std::optional<int> m_database;  // the database switched to; nullopt: the URL's
};

}  // namespace twat_cache::ui
