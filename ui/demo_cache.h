// A small demo cache for first-time users: when the cache root is missing or holds nothing,
// the inspector writes a native sqlite cache named "twat_cache_demo" there (through the
// core's sqlite engine, like any memoized function would), so the window opens on something.
//
// Thread safety: free functions; call from one thread at a time for a given root.
#pragma once

#include <QString>

#include "twat_cache/status.h"

namespace twat_cache::ui {

inline constexpr char kDemoCacheName[] = "twat_cache_demo";

// Whether `root` is missing or an empty folder.
bool cacheRootIsEmpty(const QString& root);

// Creates `root` if needed and writes the demo cache into `root`/twat_cache_demo: a few
// dozen entries of different sizes, some with a TTL and one already expired, and a few hits
// and misses so the statistics have something to show.
Status createDemoCache(const QString& root);

// createDemoCache(root) when cacheRootIsEmpty(root); returns whether a demo was written.
Result<bool> ensureDemoCache(const QString& root);

}  // namespace twat_cache::ui
