// The circuit breaker around ucache's engine (see engine_selection.h).
#include <atomic>
#include <mutex>

#include "twat_cache/engine_selection.h"
#include "util/log_internal.h"

namespace twat_cache {
namespace {

// Whether a status means the engine itself failed (as opposed to an ordinary miss or a bad
// argument that retrying would not fix).
bool isOutage(const Status& s) {
    switch (s.code()) {
        case StatusCode::kIOError:
        case StatusCode::kUnavailable:
        case StatusCode::kTimeout:
        case StatusCode::kBusy:
        case StatusCode::kPermissionDenied:
        case StatusCode::kCorruption:
            return true;
        default:
            return false;
    }
}

class GuardedEngine final : public Engine {
  public:
    GuardedEngine(std::unique_ptr<Engine> inner, std::string label, std::shared_ptr<Clock> clock,
                  GuardOptions options)
        : m_inner(std::move(inner)),
          m_label(std::move(label)),
          m_clock(std::move(clock)),
          m_options(options) {}

    std::string_view kind() const override { return m_inner->kind(); }
    Capabilities capabilities() const override { return m_inner->capabilities(); }

    Result<StoredValue> get(const Key& key) override {
        if (Status open = admit(); !open.ok()) return open;
        return observe(m_inner->get(key));
    }
    Status set(const Key& key, const Record& record) override {
        if (Status open = admit(); !open.ok()) return open;
        return observeStatus(m_inner->set(key, record));
    }
    Result<bool> erase(const Key& key) override {
        if (Status open = admit(); !open.ok()) return open;
        return observe(m_inner->erase(key));
    }
    Result<bool> contains(const Key& key) override {
        if (Status open = admit(); !open.ok()) return open;
        return observe(m_inner->contains(key));
    }
    Status clear() override {
        if (Status open = admit(); !open.ok()) return open;
        return observeStatus(m_inner->clear());
    }
    Result<std::uint64_t> size() override {
        if (Status open = admit(); !open.ok()) return open;
        return observe(m_inner->size());
    }
    Stats stats() override {
        // While paused the engine is not asked (it may be unreachable): report the failures
        // seen here, which the engine counted too, so nothing is counted twice (stats.h).
        if (!paused()) return m_inner->stats();
        Stats s;
        s.errors = m_failures.load(std::memory_order_relaxed);
        return s;
    }
    Result<ScanPage> scan(std::string_view cursor, std::size_t limit) override {
        if (Status open = admit(); !open.ok()) return open;
        return observe(m_inner->scan(cursor, limit));
    }
    Status flush() override {
        if (Status open = admit(); !open.ok()) return open;
        return observeStatus(m_inner->flush());
    }

  private:
    // OK when calls may go through: the breaker is closed, or its back-off has passed (then
    // this call is the probe that decides whether the outage is over).
    bool paused() const {
        const std::int64_t until = m_openUntilMs.load(std::memory_order_acquire);
        return until != 0 && m_clock->nowMs() < until;
    }
    // A refused call is not an error of its own: the failure that paused the engine was.
    Status admit() {
        if (!paused()) return {};
        return Status::unavailable(m_label + ": " + std::string(m_inner->kind()) +
                                   " engine paused after a failure (circuit breaker open)");
    }

    template <class T>
    Result<T> observe(Result<T> r) {
        if (r.ok() || !isOutage(r.status())) {
            recovered();
        } else {
            failed(r.status());
        }
        return r;
    }
    Status observeStatus(Status s) {
        if (s.ok() || !isOutage(s)) {
            recovered();
        } else {
            failed(s);
        }
        return s;
    }

    // The inner engine has counted the failure itself; the breaker remembers it for stats()
    // while paused, and opens.
    void failed(const Status& s) {
        m_failures.fetch_add(1, std::memory_order_relaxed);
        std::lock_guard lock(m_mutex);
        const bool newOutage = m_backoffMs == 0;
        m_backoffMs = newOutage
                          ? m_options.initial_backoff.count()
                          : std::min<std::int64_t>(m_backoffMs * 2, m_options.max_backoff.count());
        m_openUntilMs.store(m_clock->nowMs() + m_backoffMs, std::memory_order_release);
        if (newOutage) {
            detail::logger().warn(
                "{}: {} engine failed ({}); computing without the cache, "
                "retrying in {} ms",
                m_label, m_inner->kind(), s.toString(), m_backoffMs);
        }
    }

    void recovered() {
        if (m_openUntilMs.load(std::memory_order_acquire) == 0) return;  // fast path: healthy
        std::lock_guard lock(m_mutex);
        if (m_backoffMs != 0) {
            detail::logger().info("{}: {} engine recovered", m_label, m_inner->kind());
        }
        m_backoffMs = 0;
        m_openUntilMs.store(0, std::memory_order_release);
    }

    std::unique_ptr<Engine> m_inner;
    std::string m_label;
    std::shared_ptr<Clock> m_clock;
    GuardOptions m_options;
    std::atomic<std::int64_t> m_openUntilMs{0};  // 0: closed (healthy)
    std::atomic<std::uint64_t> m_failures{0};    // outage failures seen (and engine-counted)
    std::mutex m_mutex;
    std::int64_t m_backoffMs = 0;  // guarded by m_mutex; 0: no outage
};

}  // namespace

std::unique_ptr<Engine> guardEngine(std::unique_ptr<Engine> inner, std::string label,
                                    std::shared_ptr<Clock> clock, GuardOptions options) {
    if (!clock) clock = Clock::system();
    return std::make_unique<GuardedEngine>(std::move(inner), std::move(label), std::move(clock),
                                           options);
}

}  // namespace twat_cache
