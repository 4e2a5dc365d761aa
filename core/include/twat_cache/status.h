// Status and Result<T>: how the core reports errors.
//
// No exception crosses the core API (the one exception is a memoized user function's own
// exception, which propagates unchanged). Every fallible call returns a Status, cheap when OK,
// or a Result<T> holding either a value or a non-OK Status.
//
// Thread safety: Status and Result are values; distinct objects may be used from any thread.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "twat_cache/export.h"

namespace twat_cache {

enum class StatusCode {
    kOk = 0,
    kNotFound,
    kInvalidArgument,
    kCorruption,
    kIOError,
    kUnavailable,
    kTimeout,
    kBusy,
    kNotSupported,
    kPermissionDenied,
};

// The code's stable lower-case name, e.g. "not found", "io error".
TWAT_CACHE_EXPORT std::string_view statusCodeName(StatusCode code);

class TWAT_CACHE_EXPORT Status {
  public:
    // A default-constructed Status is OK.
    Status() noexcept = default;

    static Status notFound(std::string message) {
        return {StatusCode::kNotFound, std::move(message)};
    }
    static Status invalidArgument(std::string message) {
        return {StatusCode::kInvalidArgument, std::move(message)};
    }
    static Status corruption(std::string message) {
        return {StatusCode::kCorruption, std::move(message)};
    }
    static Status ioError(std::string message) {
        return {StatusCode::kIOError, std::move(message)};
    }
    static Status unavailable(std::string message) {
        return {StatusCode::kUnavailable, std::move(message)};
    }
    static Status timeout(std::string message) {
        return {StatusCode::kTimeout, std::move(message)};
    }
    static Status busy(std::string message) { return {StatusCode::kBusy, std::move(message)}; }
    static Status notSupported(std::string message) {
        return {StatusCode::kNotSupported, std::move(message)};
    }
    static Status permissionDenied(std::string message) {
        return {StatusCode::kPermissionDenied, std::move(message)};
    }

    bool ok() const noexcept { return m_code == StatusCode::kOk; }
    StatusCode code() const noexcept { return m_code; }
    const std::string& message() const noexcept { return m_message; }

    bool isNotFound() const noexcept { return m_code == StatusCode::kNotFound; }

    // "OK", or "<code name>: <message>".
    std::string toString() const;

    // Returns a copy whose message is "<context>: <message>", keeping the code.
    Status withContext(std::string_view context) const;

  private:
    Status(StatusCode code, std::string message) : m_code(code), m_message(std::move(message)) {}

    StatusCode m_code = StatusCode::kOk;
    std::string m_message;
};

// Either a T or a non-OK Status. Accessing the value of a failed Result is a precondition
// violation (asserted in debug builds).
template <class T>
class Result {
  public:
    Result(T value) : m_value(std::move(value)) {}         // NOLINT(google-explicit-constructor)
    Result(Status status) : m_status(std::move(status)) {  // NOLINT(google-explicit-constructor)
        assert(!m_status.ok() && "a Result built from a Status needs a failed Status");
        if (m_status.ok()) m_status = Status::invalidArgument("Result built from an OK Status");
    }

    bool ok() const noexcept { return m_value.has_value(); }
    explicit operator bool() const noexcept { return ok(); }
    const Status& status() const noexcept { return m_status; }

    T& value() & {
        assert(ok());
        return *m_value;
    }
    const T& value() const& {
        assert(ok());
        return *m_value;
    }
    T&& value() && {
        assert(ok());
        return std::move(*m_value);
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    template <class U>
    T valueOr(U&& fallback) const& {
        return ok() ? *m_value : static_cast<T>(std::forward<U>(fallback));
    }

  private:
    std::optional<T> m_value;
    Status m_status;  // OK exactly when m_value holds a value
};

}  // namespace twat_cache
