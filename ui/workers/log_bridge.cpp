#include "workers/log_bridge.h"

#include "twat_cache/log.h"

namespace twat_cache::ui {

LogBridge::LogBridge(QObject* parent) : QObject(parent) {
    m_handle = addLogSink([this](LogLevel level, std::string_view message) {
        const QString levelName = QString::fromUtf8(
            logLevelName(level).data(), static_cast<qsizetype>(logLevelName(level).size()));
        const QString text =
            QString::fromUtf8(message.data(), static_cast<qsizetype>(message.size()));
        QMetaObject::invokeMethod(
            this, [this, levelName, text] { emit lineLogged(levelName, text); },
            Qt::QueuedConnection);
    });
}

LogBridge::~LogBridge() {
    removeLogSink(m_handle);
}

}  // namespace twat_cache::ui
