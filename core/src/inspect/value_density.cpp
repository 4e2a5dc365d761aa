// Value density (see value_density.h).
#include "inspect/value_density.h"

#include <algorithm>
#include <string>

namespace twat_cache::detail {

std::optional<double> entryValueNs(const EntrySummary& e) {
    if (e.saved_ns) return static_cast<double>(*e.saved_ns);
    if (e.compute_ns && e.hits) {
        return static_cast<double>(*e.compute_ns) * static_cast<double>(*e.hits);
    }
    if (e.compute_ns) return static_cast<double>(*e.compute_ns);
    return std::nullopt;
}

Status sortByValueDensity(std::vector<EntrySummary>& entries, const SourceInfo& source) {
    const bool any = std::any_of(entries.begin(), entries.end(),
                                 [](const EntrySummary& e) { return e.compute_ns.has_value(); });
    if (!any && !entries.empty()) {
        return Status::notSupported(
            source.name +
            " records no compute time for its entries, so there is no value to "
            "prune by; prune oldest first instead (without --by value)");
    }
    auto density = [](const EntrySummary& e) {
        const auto v = entryValueNs(e);
        // No value sorts before every value (-1 is below any density).
        return v ? *v / static_cast<double>(std::max<std::uint64_t>(e.size, 1)) : -1.0;
    };
    std::stable_sort(
        entries.begin(), entries.end(),
        [&](const EntrySummary& a, const EntrySummary& b) { return density(a) < density(b); });
    return {};
}

}  // namespace twat_cache::detail
