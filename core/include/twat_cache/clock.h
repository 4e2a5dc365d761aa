// Clock: the source of time for TTLs, created/accessed stamps and statistics, and of the
// monotonic nanoseconds with which memoization measures how long a miss took to compute.
//
// Engines take a std::shared_ptr<Clock> so tests can inject a ManualClock and step time
// deterministically. The system clock reads CLOCK_REALTIME_COARSE (a vDSO read of a value the
// kernel updates every tick, 1-4 ms), so checking a TTL on a cache hit costs a few
// nanoseconds rather than a full clock_gettime; TTLs are therefore accurate to a few
// milliseconds, which is the documented resolution.
//
// Thread safety: every Clock is safe to call from many threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "twat_cache/export.h"

namespace twat_cache {

class TWAT_CACHE_EXPORT Clock {
  public:
    virtual ~Clock();
    // Milliseconds since the Unix epoch (UTC).
    virtual std::int64_t nowMs() const = 0;
    // Nanoseconds of a monotonic clock with an arbitrary origin: only differences mean
    // anything. Memoization times each miss with it (Stats::compute_ns). By default (and for
    // the system clock) std::chrono::steady_clock: CLOCK_MONOTONIC, a vDSO read of ~20 ns.
    virtual std::int64_t steadyNs() const;

    // The process-wide coarse system clock.
    static std::shared_ptr<Clock> system();
};

// A clock that only moves when told to. For tests and simulations. Its steady time moves
// with its wall time (advanceMs(5) inside a memoized function makes that call's compute time
// 5 ms) and also on its own (advanceNs), never backwards.
class TWAT_CACHE_EXPORT ManualClock final : public Clock {
  public:
    explicit ManualClock(std::int64_t startMs = 1'700'000'000'000) : m_nowMs(startMs) {}
    std::int64_t nowMs() const override { return m_nowMs.load(std::memory_order_acquire); }
    std::int64_t steadyNs() const override { return m_steadyNs.load(std::memory_order_acquire); }
    // Sets the wall time; the steady time does not move (it never goes backwards).
    void setMs(std::int64_t ms) { m_nowMs.store(ms, std::memory_order_release); }
    void advanceMs(std::int64_t deltaMs) {
        m_nowMs.fetch_add(deltaMs, std::memory_order_acq_rel);
        if (deltaMs > 0) advanceNs(deltaMs * 1'000'000);
    }
    // Moves the steady time only (not the wall time): a compute time below a millisecond.
    void advanceNs(std::int64_t deltaNs) {
        if (deltaNs > 0) m_steadyNs.fetch_add(deltaNs, std::memory_order_acq_rel);
    }

  private:
    std::atomic<std::int64_t> m_nowMs;
    std::atomic<std::int64_t> m_steadyNs{0};
};

// "YYYY-MM-DDTHH:MM:SS.mmmZ" (ISO 8601, UTC, millisecond precision) for Unix milliseconds;
// times before 1970 count back correctly.
TWAT_CACHE_EXPORT std::string isoTimeUtc(std::int64_t unixMs);

}  // namespace twat_cache
