// Failures said as a person would: the core's errors name the URL with its options, the
// step and the library's words ("unavailable: redis redis://h:6379/0?connect_timeout=3000ms:
// connect: Name or service not known"); the inspector shows "No such host: h", "Connection
// refused by 127.0.0.1:6399", "Wrong user name or password for 127.0.0.1:6379", ...
//
// Thread safety: pure functions; safe on any thread.
#pragma once

#include <QString>

#include "twat_cache/status.h"
#include "workers/redis_endpoint.h"
#include "workers/source_types.h"

namespace twat_cache::ui {

// `status` (not OK) from talking to the Redis server at `endpoint`, in plain words; a
// failure that is not the connection's is the core's text.
QString describeRedisFailure(const Status& status, const RedisEndpoint& endpoint);

// `status` (not OK) from a request to the source `ref`: Redis failures as above, others as
// the core says them.
QString describeFailure(const Status& status, const SourceRef& ref);

}  // namespace twat_cache::ui
