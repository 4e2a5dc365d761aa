// makeTtlEditPlan(): the kSetTtl plan of sources whose expiries change one entry at a time
// through Source::applyEdit (our native caches). Source::makePlan uses it for every source
// that supports kSetTtl without a plan of its own.
//
// Thread safety: as the Source (one thread at a time).
#pragma once

#include <memory>

#include "twat_cache/inspect.h"

namespace twat_cache::detail {

// The entries named by request.entry_ids (those gone are left out) or, without names, the
// entries matching request.glob; executing sets request.ttl on each (or, without it, removes
// the expiry), keeping those stored again since the preview.
Result<std::unique_ptr<Plan>> makeTtlEditPlan(Source& source, const PlanRequest& request);

}  // namespace twat_cache::detail
