// PersistedCounters: the hit/miss/eviction/expiration/error counters and the compute and saved
// times (Stats::compute_ns, saved_ns) of a files cache, kept in
// memory as deltas and merged into the folder's stats.json under an exclusive flock on
// stats.lock, so that several processes add up their counts instead of overwriting them.
//
// A get is not a write: deltas are flushed every kFlushEveryOps operations, at most
// kFlushIntervalMs after the first unflushed one (checked on the next operation), on flush()
// and on destruction. A crash loses at most the unflushed deltas.
//
// Thread safety: all methods may be called from many threads; counting is lock-free, flushing
// and reading take m_mutex.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "twat_cache/stats.h"
#include "twat_cache/status.h"
#include "util/flush_schedule.h"

namespace twat_cache::detail {

class PersistedCounters {
  public:
    static constexpr std::uint64_t kFlushEveryOps = 512;
    static constexpr std::int64_t kFlushIntervalMs = 1000;

    PersistedCounters(std::string folder, mode_t fileMode);
    ~PersistedCounters();
    PersistedCounters(const PersistedCounters&) = delete;
    PersistedCounters& operator=(const PersistedCounters&) = delete;

    // A hit of an entry that took `savedNs` to compute (0: not recorded).
    void addHit(std::uint64_t savedNs = 0) {
        if (savedNs != 0) m_savedNs.fetch_add(savedNs, std::memory_order_relaxed);
        bump(m_hits);
    }
    // A stored entry's compute time (not an operation: flushed with the next one).
    void addCompute(std::uint64_t ns) { m_computeNs.fetch_add(ns, std::memory_order_relaxed); }
    void addMiss() { bump(m_misses); }
    void addEviction() { bump(m_evictions); }
    void addExpiration() { bump(m_expirations); }
    void addError() { bump(m_errors); }

    // Merges the pending deltas into stats.json.
    Status flush();
    // Persisted counters plus this process's pending deltas (entries and bytes left 0).
    Stats read();
    // Sets every persisted counter to 0 and drops pending deltas.
    Status reset();

  private:
    void bump(std::atomic<std::uint64_t>& counter);
    void maybeFlush();
    Status mergeLocked(const Stats& delta, bool reset);  // needs m_mutex
    Stats readFileLocked();                              // needs m_mutex

    const std::string m_path;
    const std::string m_lockPath;
    const std::string m_folder;
    const mode_t m_fileMode;

    std::atomic<std::uint64_t> m_hits{0};
    std::atomic<std::uint64_t> m_misses{0};
    std::atomic<std::uint64_t> m_evictions{0};
    std::atomic<std::uint64_t> m_expirations{0};
    std::atomic<std::uint64_t> m_errors{0};
    std::atomic<std::uint64_t> m_computeNs{0};
    std::atomic<std::uint64_t> m_savedNs{0};
    FlushSchedule m_schedule{kFlushEveryOps, std::chrono::milliseconds(kFlushIntervalMs)};

    std::mutex m_mutex;  // serializes flush/read/reset of this process
};

}  // namespace twat_cache::detail
