#include "twat_cache/log.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>

#include "util/log_internal.h"

namespace twat_cache {
namespace {

spdlog::level::level_enum toSpd(LogLevel level) {
    switch (level) {
        case LogLevel::kTrace:
            return spdlog::level::trace;
        case LogLevel::kDebug:
            return spdlog::level::debug;
        case LogLevel::kInfo:
            return spdlog::level::info;
        case LogLevel::kWarn:
            return spdlog::level::warn;
        case LogLevel::kError:
            return spdlog::level::err;
        case LogLevel::kOff:
            return spdlog::level::off;
    }
    return spdlog::level::off;
}

LogLevel fromSpd(spdlog::level::level_enum level) {
    switch (level) {
        case spdlog::level::trace:
            return LogLevel::kTrace;
        case spdlog::level::debug:
            return LogLevel::kDebug;
        case spdlog::level::info:
            return LogLevel::kInfo;
        case spdlog::level::warn:
            return LogLevel::kWarn;
        case spdlog::level::err:
        case spdlog::level::critical:
            return LogLevel::kError;
        default:
            return LogLevel::kOff;
    }
}

// Forwards formatted messages to the sinks added with addLogSink().
class CallbackSink final : public spdlog::sinks::base_sink<std::mutex> {
  public:
    int add(LogSink callback) {
        std::lock_guard lock(mutex_);
        m_sinks.emplace(++m_next, std::move(callback));
        return m_next;
    }
    void remove(int handle) {
        std::lock_guard lock(mutex_);
        m_sinks.erase(handle);
    }

  protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        const std::string_view text(msg.payload.data(), msg.payload.size());
        for (auto& entry : m_sinks) entry.second(fromSpd(msg.level), text);
    }
    void flush_() override {}

  private:
    std::map<int, LogSink> m_sinks;  // guarded by mutex_ (base_sink's)
    int m_next = 0;
};

struct LogState {
    std::shared_ptr<CallbackSink> callbacks = std::make_shared<CallbackSink>();
    std::shared_ptr<spdlog::logger> logger;
    std::atomic<bool> levelSetByApi{false};
    std::once_flag envOnce;

    LogState() {
        auto stderrSink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
        logger = std::make_shared<spdlog::logger>("twat_cache",
                                                  spdlog::sinks_init_list{stderrSink, callbacks});
        logger->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [twat_cache] [%l] %v");
        logger->set_level(spdlog::level::off);
    }
};

LogState& state() {
    static LogState s;
    return s;
}

}  // namespace

Result<LogLevel> parseLogLevel(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "trace") return LogLevel::kTrace;
    if (lower == "debug") return LogLevel::kDebug;
    if (lower == "info") return LogLevel::kInfo;
    if (lower == "warn" || lower == "warning") return LogLevel::kWarn;
    if (lower == "error" || lower == "err") return LogLevel::kError;
    if (lower == "off" || lower == "none") return LogLevel::kOff;
    return Status::invalidArgument("\"" + std::string(text) +
                                   "\" is not a log level (trace, debug, info, warn, error, off)");
}

std::string_view logLevelName(LogLevel level) {
    switch (level) {
        case LogLevel::kTrace:
            return "trace";
        case LogLevel::kDebug:
            return "debug";
        case LogLevel::kInfo:
            return "info";
        case LogLevel::kWarn:
            return "warn";
        case LogLevel::kError:
            return "error";
        case LogLevel::kOff:
            return "off";
    }
    return "off";
}

void setLogLevel(LogLevel level) {
    state().levelSetByApi = true;
    state().logger->set_level(toSpd(level));
}

LogLevel logLevel() {
    return fromSpd(detail::logger().level());
}

Status initLoggingFromEnvironment() {
    LogState& s = state();
    if (s.levelSetByApi) return {};
    const char* value = std::getenv("TWAT_CACHE_LOG_LEVEL");
    if (value == nullptr || *value == '\0') return {};
    auto level = parseLogLevel(value);
    if (!level.ok()) {
        return Status::invalidArgument(
            std::string("TWAT_CACHE_LOG_LEVEL=\"") + value +
            "\" is not a log level (trace, debug, info, warn, error, off)");
    }
    s.logger->set_level(toSpd(*level));
    return {};
}

int addLogSink(LogSink sink) {
    return state().callbacks->add(std::move(sink));
}
void removeLogSink(int handle) {
    state().callbacks->remove(handle);
}

void logMessage(LogLevel level, std::string_view message) {
    detail::logger().log(toSpd(level), "{}", message);
}

namespace detail {

spdlog::logger& logger() {
    LogState& s = state();
    std::call_once(s.envOnce, [&s] {
        Status st = initLoggingFromEnvironment();
        if (!st.ok()) {
            // The level stays off, but a malformed variable must not pass silently.
            s.logger->set_level(spdlog::level::warn);
            s.logger->warn("{}; logging stays off", st.message());
            s.logger->set_level(spdlog::level::off);
        }
    });
    return *s.logger;
}

}  // namespace detail
}  // namespace twat_cache
