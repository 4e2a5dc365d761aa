// SourceWorker: owns one cache source (through a SourceAdapter) and answers requests on its
// own thread. Requests arrive as queued calls from a SourceClient; every reply is a signal
// that carries back the request's generation number, so the client can drop stale replies.
// Failures are said in words for the user (failure_text.h).
//
// Thread safety: lives in one worker thread; its request methods must run there (the
// client posts them with QMetaObject::invokeMethod). requestCancel() and resetCancel() may
// be called from any thread.
#pragma once

#include <QObject>
#include <atomic>

#include "workers/source_adapter.h"
#include "workers/source_types.h"

namespace twat_cache::ui {

class SourceWorker : public QObject {
    Q_OBJECT

  public:
    explicit SourceWorker(QObject* parent = nullptr);
    ~SourceWorker() override;

    // Asks a running execute() to stop after its current batch.
    void requestCancel() { m_cancel.store(true); }
    void resetCancel() { m_cancel.store(false); }

    // Requests; each runs on the worker's thread and answers with the matching signal.
    void open(quint64 generation, const twat_cache::ui::SourceRef& ref, bool readOnly = false);
    // Reopens the source read-only (or writable again); answers with reopened().
    void setReadOnly(quint64 generation, bool readOnly);
    void fetchPage(quint64 generation, const QByteArray& cursor, const QString& filter, int limit,
                   int sortKey = 0, bool descending = false, int budgetMs = 1000);
    void fetchDetail(quint64 generation, const QByteArray& id, qint64 maxValueBytes);
    void fetchStats(quint64 generation);
    // Scans up to `budget` more keys for namespace counts; `restart` starts over.
    void fetchNamespaces(quint64 generation, quint64 budget, bool restart);
    void plan(quint64 generation, const twat_cache::ui::MaintenanceRequest& request);
    void execute(quint64 generation, quint64 planId);

  signals:
    // `limits`: what the opened source cannot do (see SourceAdapter::limits).
    void opened(quint64 generation, const QString& error,
                const twat_cache::ui::MaintenanceLimits& limits);
    void reopened(quint64 generation, bool readOnly, const QString& error);
    void pageReady(quint64 generation, const twat_cache::ui::EntryPage& page, const QString& error);
    void detailReady(quint64 generation, const twat_cache::ui::EntryDetail& detail,
                     const QString& error);
    void statsReady(quint64 generation, const twat_cache::ui::SourceStats& stats,
                    const QString& error);
    void namespacesReady(quint64 generation, const twat_cache::ui::NamespaceReport& report,
                         const QString& error);
    void planReady(quint64 generation, const twat_cache::ui::PlanPreview& preview,
                   const QString& error);
    void progress(quint64 generation, quint64 done, quint64 total);
    void executed(quint64 generation, const twat_cache::ui::ExecuteResult& result,
                  const QString& error);

  private:
    // A failure in words for the user (see failure_text.h); empty when `status` is OK.
    QString errorText(const Status& status) const;

    SourceAdapter m_adapter;
    SourceRef m_ref;  // the source last opened
    std::atomic<bool> m_cancel{false};
};

}  // namespace twat_cache::ui
