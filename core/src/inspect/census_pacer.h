// CensusPacer: how large the census's next page is, and how long it rests before asking, so
// that a server's other clients see at most a latency budget of extra waiting (analysis.h).
#pragma once

#include <chrono>
#include <cstddef>

namespace twat_cache::detail {

class CensusPacer {
  public:
    using Micros = std::chrono::microseconds;

    // budget 0: no pacing, every page is `max_page` entries and nobody rests.
    CensusPacer(Micros budget, std::size_t max_page);

    std::size_t limit() const { return m_limit; }
    // The idle round trip: the quickest of the first kProbes one-entry pages.
    Micros idle() const { return m_idle; }
    // The last page's server work: its time less the idle round trip.
    Micros lastWork() const { return m_work; }

    // After a page of `asked` entries that took `took`: sets the next page's size and returns
    // how long to rest before it (as long as the page worked: others get half the server).
    Micros pageDone(std::size_t asked, Micros took);

    static constexpr int kProbes = 3;  // the first also pays for the connection

  private:
    Micros m_budget;
    std::size_t m_max;
    std::size_t m_limit;
    int m_probes = 0;
    Micros m_idle{0};
    Micros m_work{0};
};

}  // namespace twat_cache::detail
