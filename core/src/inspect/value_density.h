// Value density: what an entry is worth per byte, for `prune --by value`
// (PlanRequest::PruneOrder::kValue).
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <vector>

#include "twat_cache/inspect.h"
#include "twat_cache/status.h"

namespace twat_cache::detail {

// An entry's value in nanoseconds: the time it saved (saved_ns, or hits x compute_ns), else
// its compute time (what its next hit would save); nullopt when it records neither.
std::optional<double> entryValueNs(const EntrySummary& e);

// Orders `entries` least value per byte first (entries without a value first, keeping their
// relative order; ties keep theirs too: pass them oldest first). NotSupported, naming the
// source, when no entry records a compute time: there is nothing to rank by.
Status sortByValueDensity(std::vector<EntrySummary>& entries, const SourceInfo& source);

}  // namespace twat_cache::detail
