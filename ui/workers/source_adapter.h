// SourceAdapter: the one place where the inspector meets the core's inspection layer
// (twat_cache/inspect.h). It translates core types into the Qt value types of
// source_types.h. Everything else in ui/ depends on this interface only.
//
// Its calls block on the source's I/O: a SourceClient runs them on its own worker thread.
//
// Thread safety: one adapter belongs to one SourceClient and is used on that client's
// worker thread only (or by one thread that owns it, as tests do). The free functions below
// are safe on any non-GUI thread.
#pragma once

#include <QList>
#include <QString>
#include <atomic>
#include <functional>
#include <memory>

#include "twat_cache/analysis.h"
#include "twat_cache/status.h"
#include "workers/server_requests.h"
#include "workers/source_types.h"

namespace twat_cache::ui {

// Progress of a batched execute: (done, total).
using ProgressFn = std::function<void(quint64 done, quint64 total)>;
// Progress of a listing export: entries written, entries examined, about how many there are
// (0: not known).
using ExportProgressFn = std::function<void(quint64 written, quint64 scanned, quint64 total)>;

// How a listing export ended.
struct ListingExported {
    quint64 written = 0;     // entries written
    bool cancelled = false;  // stopped by cancel: no file was written
};

class SourceAdapter {
  public:
    SourceAdapter();
    ~SourceAdapter();
    SourceAdapter(const SourceAdapter&) = delete;
    SourceAdapter& operator=(const SourceAdapter&) = delete;

    // Opens the source (connects to Redis, reads a cache's manifest, ...). With `readOnly`
    // the core opens it read-only (OpenOptions::read_only): it refuses every change itself.
    Status open(const SourceRef& ref, bool readOnly = false);
    bool isOpen() const;
    // What the open source turned out to be (a user's folder may be any kind of cache).
    SourceKind kind() const;
    // What the open source cannot do, with the core's reasons (nothing when it is not open).
    MaintenanceLimits limits() const;
    // Switches an open source to or from read-only by reopening it with the new mode (plans
    // made before are dropped). If a reopen to read-only fails, the writable source is closed
    // rather than kept. Without an open source it only records the mode for the next open().
    Status setReadOnly(bool readOnly);
    bool isReadOnly() const;

    // Up to `limit` entries after `cursor` ("" starts); `filter` is a substring of the key
    // text, or a shell glob when it has * ? or [ (empty: all entries). `order` orders the
    // listing when the source supports it (else it lists in its natural order); the page
    // lists the orders it supports. The call searches for matches for at most `budgetMs`
    // (EntryFilter::time_budget), then returns what it found and how far it got. `type`
    // keeps only keys of that Redis type (EntryFilter::type; empty: all).
    Result<EntryPage> page(const QByteArray& cursor, const QString& filter, int limit,
                           EntryOrder order = EntryOrder::kNatural, bool descending = false,
                           int budgetMs = 1000, const QString& type = {});
    // Metadata and at most `maxValueBytes` of the value.
    Result<EntryDetail> detail(const QByteArray& id, qint64 maxValueBytes);
    Result<SourceStats> stats();
    // Namespace counts after scanning up to `budget` more keys; `restart` forgets the counts
    // so far and scans from the start. NotSupported for sources without namespaces.
    Result<NamespaceReport> namespaces(quint64 budget, bool restart);
    // Counts what `request` would remove, touching nothing.
    Result<PlanPreview> plan(const MaintenanceRequest& request);
    // Changes one entry in place (audited by the core); the entry as it is afterwards.
    Result<EntryRow> edit(const EntryEdit& request);
    // Executes a plan returned by plan(), in batches; stops between batches when `cancel`
    // becomes true.
    Result<ExecuteResult> execute(quint64 planId, const ProgressFn& progress,
                                  const std::atomic<bool>& cancel);

    // One page of the value of entry `id` (Redis keys; see workers/value_pages.h).
    Result<ValuePage> valuePage(const QByteArray& id, const ValueRequest& request);
    // Streams the whole string value of `id` to `path` (workers/value_pages.h); stops between
    // pages when `cancel` becomes true.
    Result<quint64> saveValue(const QByteArray& id, const QString& path, const ProgressFn& progress,
                              const std::atomic<bool>& cancel);
    // Writes every entry matching `filter` (as page() reads it) to `path` as CSV or JSON Lines
    // (twat_cache/listing_export.h), page by page; the file appears only when complete.
    Result<ListingExported> exportListing(const QString& filter, const QString& type, bool csv,
                                          const QString& path, const ExportProgressFn& progress,
                                          const std::atomic<bool>& cancel);

    // The census of the open source (twat_cache/analysis.h): blocks until it is complete or
    // `control` cancels it; `progress` is called on this thread after each page.
    Result<::twat_cache::AnalysisReport> analyze(const ::twat_cache::AnalysisOptions& options,
                                                 ::twat_cache::AnalysisControl& control,
                                                 const ::twat_cache::AnalysisProgressFn& progress);

    // A Redis server's own figures and its `count` latest slow log entries
    // (workers/server_requests.h); NotSupported for other sources.
    Result<ServerInfo> serverInfo();
    Result<QList<SlowlogRow>> slowlog(int count);
    // Lists database `db` of the Redis server from now on (Source::selectDatabase), also
    // after the source is reopened (read-only switch, a namespace rescan). Returns `db`.
    Result<int> selectDatabase(int db);

  private:
    // Opens the source again with the current options, in the database selected.
    Status reopen();

    struct State;
    std::unique_ptr<State> m_state;
};

// Connects to the Redis server at `url` (redis:// or unix://, the password included) through
// the core's inspection layer, read-only, and reads its statistics: "Redis 7.0.11, db 0: 12
// keys". Fails with the core's error (wrong password, refused, not a Redis server, no answer
// within the URL's timeouts). Blocks: run it off the GUI thread.
Result<QString> testRedisConnection(const QString& url);

// A TTL typed by the user ("90s", "5m", "1.5h", "7d"; a bare number is seconds) in
// milliseconds; InvalidArgument, in words, for anything else or a TTL of 0 or less.
Result<qint64> parseTtl(const QString& text);

// Caches found under `root` (native, python-diskcache, joblib, generic folders).
Result<QList<SourceRef>> discoverSources(const QString& root);

// The cache root the core resolves (TWAT_CACHE_DIR, XDG_CACHE_HOME, HOME).
QString defaultCacheRoot();

}  // namespace twat_cache::ui
