// FlushSchedule: when an engine's batched counters are due to be written. The persistent
// engines (sqlite, files, redis) count hits, misses and the like in memory, so that a get is
// not a write, and write them in batches: after `everyOps` operations, or once `interval` has
// passed since the oldest unwritten one (checked on the next operation), and on flush().
//
// Thread safety: note() and restart() may be called from many threads (atomics); two threads
// may both see a flush as due, so the flush itself must tolerate that (each engine's does:
// a try-lock, or a flush with nothing left to write).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace twat_cache::detail {

// Milliseconds of the steady clock (for intervals, never for stored times).
inline std::int64_t steadyNowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

class FlushSchedule {
  public:
    FlushSchedule(std::uint64_t everyOps, std::chrono::milliseconds interval)
        : m_everyOps(everyOps), m_intervalMs(interval.count()) {}

    // Counts `n` operations; true when the counters are due to be written.
    bool note(std::uint64_t n = 1) {
        if (n == 0) return false;
        const std::uint64_t ops = m_ops.fetch_add(n, std::memory_order_relaxed) + n;
        const std::int64_t now = steadyNowMs();
        std::int64_t since = m_sinceMs.load(std::memory_order_relaxed);
        if (since == 0) {
            // The first unwritten operation starts the interval.
            m_sinceMs.compare_exchange_strong(since, now, std::memory_order_relaxed);
            if (since == 0) since = now;
        }
        return ops >= m_everyOps || now - since >= m_intervalMs;
    }

    // A flush is starting (or the process forked): nothing is unwritten any more.
    void restart() {
        m_ops.store(0, std::memory_order_relaxed);
        m_sinceMs.store(0, std::memory_order_relaxed);
    }

  private:
    const std::uint64_t m_everyOps;
    const std::int64_t m_intervalMs;
    std::atomic<std::uint64_t> m_ops{0};
    // steady ms of the oldest unwritten operation; 0: none.
    std::atomic<std::int64_t> m_sinceMs{0};
};

}  // namespace twat_cache::detail
