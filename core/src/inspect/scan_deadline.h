// ScanDeadline: the time budget of one listing call (EntryFilter::time_budget).
//
// A listing examines entries one by one and asks expired() before it examines the next; the
// first entry is always examined, so repeated calls progress however small the budget. The
// time is read from the source's clock (OpenOptions::clock), so tests step it
// deterministically; a budget of zero or less never expires.
//
// Thread safety: none; it lives for one entries() call.
#pragma once

#include <chrono>
#include <cstdint>

#include "twat_cache/clock.h"

namespace twat_cache::detail {

class ScanDeadline {
  public:
    ScanDeadline(const Clock& clock, std::chrono::milliseconds budget)
        : m_clock(clock),
          m_unbounded(budget.count() <= 0),
          m_endMs(m_unbounded ? 0 : clock.nowMs() + budget.count()) {}

    // Whether the budget ran out. Once true, stays true.
    bool expired() {
        if (m_unbounded || m_expired) return m_expired;
        m_expired = m_clock.nowMs() >= m_endMs;
        return m_expired;
    }

  private:
    const Clock& m_clock;
    bool m_unbounded;
    std::int64_t m_endMs;
    bool m_expired = false;
};

}  // namespace twat_cache::detail
