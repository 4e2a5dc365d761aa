// MaintenanceRunner: one maintenance operation on one source, end to end:
// plan (count, bytes, sample; nothing touched) → the user confirms the preview → execute in
// batches behind a progress dialog whose Cancel stops between batches → finished().
//
// A plan that finds nothing ends at once with nothingToDo() saying why. A plan that empties
// more than one cache (a whole Redis database: PlanPreview::needsConfirmation) asks the user
// to type the database number (or the source's name) before its button enables, then plans
// again as confirmed and executes that plan.
//
// Thread safety: GUI thread only; the work runs on the source's worker thread.
#pragma once

#include <QObject>
#include <QPointer>

#include "workers/source_client.h"
#include "workers/source_types.h"

class QProgressDialog;
class QWidget;

namespace twat_cache::ui {

class MaintenanceRunner : public QObject {
    Q_OBJECT

  public:
    MaintenanceRunner(SourceClient* client, QWidget* dialogParent, QObject* parent = nullptr);
    ~MaintenanceRunner() override;

    // Starts the plan; confirmation and progress follow.
    void start(const MaintenanceRequest& request);

  signals:
    // The plan found nothing to remove; `why` says so in words for the user. finished()
    // follows (not executed, no error).
    void nothingToDo(const QString& why);
    // The operation ended: executed (result), declined or failed (error non-empty).
    void finished(const twat_cache::ui::ExecuteResult& result, const QString& error, bool executed);

  private:
    void onPlan(const PlanPreview& preview, const QString& error);
    // Asks the user; true when they confirmed the plan.
    bool confirm(const PlanPreview& preview);
    void execute(const PlanPreview& preview);
    QString nothingToDoText(const PlanPreview& preview) const;
    void onProgress(quint64 done, quint64 total);
    void onExecuted(const ExecuteResult& result, const QString& error);

    QPointer<SourceClient> m_client;
    QWidget* m_dialogParent;
    QPointer<QProgressDialog> m_progress;
    MaintenanceRequest m_request;
    bool m_bytesKnown = true;  // of the plan being executed
};

// "Delete 3 selected entries", "Clear expired entries", "Prune to 100 MB", ...
QString maintenanceTitle(const MaintenanceRequest& request);

}  // namespace twat_cache::ui
