#include "workers/analysis_runner.h"

#include <chrono>

#include "workers/failure_text.h"
#include "workers/source_adapter.h"

namespace twat_cache::ui {
namespace {

namespace core = ::twat_cache;

constexpr auto kProgressEvery = std::chrono::milliseconds(100);

}  // namespace

AnalysisRunner::AnalysisRunner(QObject* parent) : QObject(parent) {}

AnalysisRunner::~AnalysisRunner() {
    for (const auto& control : m_controls) control->cancelled.store(true);
    for (const QPointer<QThread>& thread : m_threads) {
        if (thread) thread->wait();
    }
}

void AnalysisRunner::start(const SourceRef& ref, const core::AnalysisOptions& options) {
    if (m_control) m_control->cancelled.store(true);
    const quint64 run = ++m_run;
    auto control = std::make_shared<core::AnalysisControl>();
    m_control = control;
    m_progress = {};
    m_controls.removeIf([](const auto& c) { return c.use_count() == 1; });
    m_controls << control;
    QThread* thread = QThread::create([this, run, ref, options, control] {
        SourceAdapter adapter;  // its own connection, on this thread
        auto last = std::chrono::steady_clock::now() - kProgressEvery;
        auto progress = [this, run, &last](const core::AnalysisProgress& p) {
            const auto now = std::chrono::steady_clock::now();
            if (now - last < kProgressEvery && !p.paused) return;
            last = now;
            QMetaObject::invokeMethod(
                this,
                [this, run, p] {
                    if (run != m_run) return;
                    m_progress = p;
                    emit progressed();
                },
                Qt::QueuedConnection);
        };
        std::shared_ptr<const core::AnalysisReport> report;
        Status status = adapter.open(ref, true);
        if (status.ok()) {
            auto result = adapter.analyze(options, *control, progress);
            if (result.ok()) {
                report = std::make_shared<const core::AnalysisReport>(std::move(result).value());
            } else {
                status = result.status();
            }
        }
        const QString error = status.ok() ? QString() : describeFailure(status, ref);
        QMetaObject::invokeMethod(
            this, [this, run, report, ref, error] { onFinished(run, report, ref, error); },
            Qt::QueuedConnection);
    });
    thread->setObjectName(QStringLiteral("analysis: ") + ref.name);
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    m_threads.removeIf([](const QPointer<QThread>& t) { return t.isNull(); });
    m_threads << thread;
    thread->start(QThread::LowPriority);
}

void AnalysisRunner::setPaused(bool paused) {
    if (m_control) m_control->paused.store(paused);
}

void AnalysisRunner::cancel() {
    if (m_control) m_control->cancelled.store(true);
}

void AnalysisRunner::onFinished(quint64 run,
                                const std::shared_ptr<const core::AnalysisReport>& report,
                                const SourceRef& ref, const QString& error) {
    if (run != m_run) return;
    m_control.reset();
    if (report) {
        m_report = report;
        m_reportSource = ref;
    }
    emit finished(error);
}

}  // namespace twat_cache::ui
