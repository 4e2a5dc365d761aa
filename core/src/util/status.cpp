#include "twat_cache/status.h"

namespace twat_cache {

std::string_view statusCodeName(StatusCode code) {
    switch (code) {
        case StatusCode::kOk:
            return "ok";
        case StatusCode::kNotFound:
            return "not found";
        case StatusCode::kInvalidArgument:
            return "invalid argument";
        case StatusCode::kCorruption:
            return "corruption";
        case StatusCode::kIOError:
            return "io error";
        case StatusCode::kUnavailable:
            return "unavailable";
        case StatusCode::kTimeout:
            return "timeout";
        case StatusCode::kBusy:
            return "busy";
        case StatusCode::kNotSupported:
            return "not supported";
        case StatusCode::kPermissionDenied:
            return "permission denied";
    }
    return "unknown";
}

std::string Status::toString() const {
    if (ok()) return "OK";
    std::string out(statusCodeName(m_code));
    if (!m_message.empty()) {
        out += ": ";
        out += m_message;
    }
    return out;
}

Status Status::withContext(std::string_view context) const {
    if (ok()) return *this;
    std::string message(context);
    message += ": ";
    message += m_message;
    return Status(m_code, std::move(message));
}

}  // namespace twat_cache
