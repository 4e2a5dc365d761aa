// The key layout of a Redis cache on a Redis Cluster (docs/FORMAT.md, "Redis Cluster
// layout", format_version 3): entries are spread over kClusterShards shards by the first hex
// digit of their key hash, and every key of a shard carries the shard's hash tag, so that the
// maxsize scripts (redis_limit.h) only ever touch keys of one slot. The tags are chosen so
// that shard i's slot lies in the i-th sixteenth of the slot range: with the usual even slot
// assignment every master holds some shards.
//
//   entry     twat_cache:<cache>:{<tag>}<32-hex key>
//   index     twat_cache:<cache>:{<tag>}__index, {<tag>}__expiry, {<tag>}__meta (seq)
//   counters  twat_cache:<cache>:__meta (one slot, as on a single server)
//
// Thread safety: pure functions over constant tables.
#pragma once

#include <string>
#include <string_view>

namespace twat_cache::detail {

inline constexpr int kClusterShards = 16;

// "{s3.17}": the hash tag (braces included) of `shard`, 0..kClusterShards-1.
const std::string& clusterShardTag(int shard);

// The shard of an entry from its 32-hex key: its first hex digit (0 for anything else).
int clusterShardOf(std::string_view hex);

}  // namespace twat_cache::detail
