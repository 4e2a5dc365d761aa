// Logging: the core logs through one named logger ("twat_cache").
//
// It is silent (level off) unless a level is set with setLogLevel() or the
// TWAT_CACHE_LOG_LEVEL environment variable (trace, debug, info, warn, error, off), read
// once, the first time the core logs. Programs that show the log (the inspector's log panel)
// add a sink with addLogSink().
//
// Thread safety: all functions may be called from any thread; sinks are called on the
// thread that logs and must not block.
#pragma once

#include <functional>
#include <string_view>

#include "twat_cache/export.h"
#include "twat_cache/status.h"

namespace twat_cache {

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError, kOff };

// Parses "trace", "debug", "info", "warn"/"warning", "error", "off" (case-insensitive).
TWAT_CACHE_EXPORT Result<LogLevel> parseLogLevel(std::string_view text);
TWAT_CACHE_EXPORT std::string_view logLevelName(LogLevel level);

// Sets the level; overrides TWAT_CACHE_LOG_LEVEL.
TWAT_CACHE_EXPORT void setLogLevel(LogLevel level);
TWAT_CACHE_EXPORT LogLevel logLevel();

// Initializes the level from TWAT_CACHE_LOG_LEVEL if it was not set by API. Returns an
// InvalidArgument status naming the variable and value when it is malformed (the level then
// stays off). Called implicitly the first time the core logs.
TWAT_CACHE_EXPORT Status initLoggingFromEnvironment();

using LogSink = std::function<void(LogLevel level, std::string_view message)>;
// Adds a sink that receives every message at or above the current level; returns a handle
// for removeLogSink().
TWAT_CACHE_EXPORT int addLogSink(LogSink sink);
TWAT_CACHE_EXPORT void removeLogSink(int handle);

// Logs one message through the core's logger (for programs built on the core).
TWAT_CACHE_EXPORT void logMessage(LogLevel level, std::string_view message);

}  // namespace twat_cache
