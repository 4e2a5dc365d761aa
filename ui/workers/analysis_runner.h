// AnalysisRunner: runs the census of a source (twat_cache/analysis.h) off the GUI thread, for
// the Analysis view.
//
// A census walks the whole keyspace and may take minutes, so it does not queue behind — nor
// hold up — the requests of the source's SourceClient: each run opens the source again,
// read-only, with its own connection on its own thread (a SourceAdapter of its own), and
// closes it at the end. The run can be paused, resumed and cancelled (AnalysisControl,
// checked between pages); its progress arrives on the GUI thread at most every 100 ms, and
// the report or the failure, in words for the user, when it ends. A cancelled census ends
// with what it counted (AnalysisReport::complete false).
//
// start() while a run is under way cancels that run and drops whatever it still reports.
//
// Thread safety: GUI thread only. The destructor cancels a run and waits for its thread
// (which stops at the end of the page it is reading).
#pragma once

#include <QList>
#include <QObject>
#include <QPointer>
#include <QThread>
#include <memory>

#include "twat_cache/analysis.h"
#include "workers/source_types.h"

namespace twat_cache::ui {

class AnalysisRunner : public QObject {
    Q_OBJECT

  public:
    explicit AnalysisRunner(QObject* parent = nullptr);
    ~AnalysisRunner() override;

    // Starts the census of `ref` with `options` (see above).
    void start(const SourceRef& ref, const ::twat_cache::AnalysisOptions& options);
    // Pauses or resumes the run between two pages.
    void setPaused(bool paused);
    // Stops the run after its current page; finished() follows with what it counted.
    void cancel();

    bool isRunning() const { return m_control != nullptr; }
    bool isPaused() const { return m_control != nullptr && m_control->paused.load(); }
    // The last progress of the current (or last) run.
    const ::twat_cache::AnalysisProgress& lastProgress() const { return m_progress; }
    // The report of the last run that ended without an error (null before).
    std::shared_ptr<const ::twat_cache::AnalysisReport> report() const { return m_report; }
    // The source of that report.
    const SourceRef& reportSource() const { return m_reportSource; }

  signals:
    void progressed();
    // The run ended: its report is report(), or `error` says why there is none.
    void finished(const QString& error);

  private:
    void onFinished(quint64 run, const std::shared_ptr<const ::twat_cache::AnalysisReport>& report,
                    const SourceRef& ref, const QString& error);

    quint64 m_run = 0;  // the current run's number: reports of earlier runs are dropped
    std::shared_ptr<::twat_cache::AnalysisControl> m_control;  // of the current run
    ::twat_cache::AnalysisProgress m_progress;
    std::shared_ptr<const ::twat_cache::AnalysisReport> m_report;
    SourceRef m_reportSource;
    // Threads still running (a cancelled run finishes its page first).
    QList<QPointer<QThread>> m_threads;
    QList<std::shared_ptr<::twat_cache::AnalysisControl>> m_controls;  // theirs, to cancel
};

}  // namespace twat_cache::ui
