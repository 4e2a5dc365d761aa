// Memoized-hit benchmarks (workloads b, c, d): an mcache-wrapped (int, double, string)
// function called with arguments it has already seen, with TTL off and on, from one and two
// threads. Built only when the memoization header (twat_cache/memoize.h) exists.
#include <benchmark/benchmark.h>

#if __has_include("twat_cache/memoize.h")
#include "twat_cache/memoize.h"
#endif
