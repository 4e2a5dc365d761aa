// The shared workload of the core benchmarks: a fixed set of (int, double, string) call
// arguments, the keys they make, and memory engines filled with them.
//
// run_memory_bench.py builds exactly the same arguments for its Python peers (see
// workload_args() there): argument i is (i, i * 0.25, "key-<i>"). Keep both in step.
//
// Thread safety: the accessors build their data once (function-local statics) and return
// read-only references; the engines are thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "twat_cache/engine.h"
#include "twat_cache/key.h"

namespace twat_cache::bench {

// Distinct calls in every workload (a power of two: the loops mask their index).
inline constexpr std::size_t kCalls = 1024;
inline constexpr std::size_t kMask = kCalls - 1;
inline constexpr std::string_view kCacheName = "bench";

using Args = std::tuple<int, double, std::string>;

// The kCalls argument tuples.
const std::vector<Args>& workloadArgs();
// makeKey(kCacheName, args...) of each tuple.
const std::vector<Key>& workloadKeys();
// The payload stored for call i (the encoding of the memoized function's result).
std::string workloadPayload(std::size_t i);

// A memory engine holding every workload key, TTL off or one hour; nullptr (and `why` set)
// when the memory engine is not available in this build.
Engine* filledMemoryEngine(bool withTtl, std::string* why);

}  // namespace twat_cache::bench
