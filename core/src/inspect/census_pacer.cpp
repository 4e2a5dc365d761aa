#include "inspect/census_pacer.h"

#include <algorithm>

namespace twat_cache::detail {

CensusPacer::CensusPacer(Micros budget, std::size_t max_page)
    : m_budget(budget), m_max(std::max<std::size_t>(max_page, 1)) {
    m_limit = m_budget.count() > 0 ? 1 : m_max;  // the first pages measure the round trip
}

CensusPacer::Micros CensusPacer::pageDone(std::size_t asked, Micros took) {
    if (m_budget.count() <= 0) return Micros{0};
    if (m_probes < kProbes) {
        m_idle = m_probes == 0 ? took : std::min(m_idle, took);
        if (++m_probes == kProbes) m_limit = std::min<std::size_t>(m_max, 100);
        return Micros{0};
    }
    m_work = std::max(Micros{0}, took - m_idle);
    if (m_work > m_budget) {
        m_limit = std::max<std::size_t>(1, asked / 2);
    } else if (m_work * 2 < m_budget) {
        m_limit = std::min(m_max, std::max<std::size_t>(asked + 1, asked * 3 / 2));
    }
    return m_work;
}

}  // namespace twat_cache::detail
