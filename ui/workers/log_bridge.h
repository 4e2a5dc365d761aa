// LogBridge: forwards the core's log lines (twat_cache::addLogSink) to the GUI thread.
//
// The core calls its sinks on whatever thread logs; the bridge's sink only posts a queued
// invocation to the bridge's own thread and returns, so it never blocks the logging thread.
// Removing the sink in the destructor waits for a sink call in flight (the core holds its
// sink lock while calling), and Qt discards queued calls to a destroyed receiver.
//
// Thread safety: construct and destroy on the GUI thread; lineLogged is emitted there.
#pragma once

#include <QObject>
#include <QString>

namespace twat_cache::ui {

class LogBridge : public QObject {
    Q_OBJECT

  public:
    explicit LogBridge(QObject* parent = nullptr);
    ~LogBridge() override;

  signals:
    // `level` is the core's level name ("info", "warn", ...).
    void lineLogged(const QString& level, const QString& message);

  private:
    int m_handle = 0;
};

}  // namespace twat_cache::ui
