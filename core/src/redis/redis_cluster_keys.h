// Walking and batching keys on a Redis Cluster, shared by the engine and the inspection layer.
//
// A walk SCANs one master after another (never replicas, which hold copies), the masters in
// the order of RedisCluster::masters() (by first slot), under a composite cursor
// "c<master number>:<that master's SCAN cursor>@<its address>". SCAN's own guarantee then holds
// per master: a key present on its master for the whole of that master's SCAN is returned at
// least once. When the master a cursor names is no longer the one at its number (a failover
// promoted a replica, a reshard emptied a master), the walk starts that number again from
// cursor 0: keys may repeat, none is skipped on that account. Keys that a slot migration moves
// from a master not yet scanned to one already scanned are not seen by SCAN at all; a caller
// that needs them lists the slots whose owner changed with movedSlotKeys() at the end.
//
// Multi-key commands (UNLINK, a script over KEYS) must name keys of one slot (else CROSSSLOT):
// slotBatches() groups a batch of keys by slot.
//
// Thread safety: free functions; RedisCluster is thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "redis/redis_cluster.h"

namespace twat_cache::detail {

// Where a walk over the masters stands.
struct ClusterScanCursor {
    std::size_t node = 0;      // index into RedisCluster::masters()
    std::string cursor = "0";  // that master's SCAN cursor
    std::string address;       // that master's address when the cursor was made ("": any)

    // "c<node>:<cursor>@<address>".
    std::string toString() const;
    // The cursor toString() made; nullopt for any other text.
    static std::optional<ClusterScanCursor> parse(std::string_view text);
};

// One SCAN call of a walk.
struct ClusterScanStep {
    std::vector<std::string> keys;
    std::string address;     // the master scanned ("" when the walk had already ended)
    std::size_t node = 0;    // its number
    bool node_done = false;  // its SCAN finished with this call
    // Where the walk goes on; nullopt when every master has been scanned.
    std::optional<ClusterScanCursor> next;
};

// One SCAN (COUNT `count`, MATCH `match` and TYPE `type` unless empty; TYPE needs Redis 6.0)
// on the master `at` names.
Result<ClusterScanStep> scanClusterStep(RedisCluster& cluster, const ClusterScanCursor& at,
                                        std::string_view match, std::size_t count,
                                        std::string_view type = {});

// Keys grouped by slot: indexes into the batch, at most `maxItems` per group, slots ascending
// and the keys of a slot in batch order.
struct SlotBatch {
    int slot = 0;
    std::vector<std::size_t> items;
};
std::vector<SlotBatch> slotBatches(std::span<const std::string> keys, std::size_t maxItems);

// The owner (an index into `masters`) of every slot; -1 where none is.
std::vector<int> slotOwners(const std::vector<ClusterMaster>& masters);

// The keys (at most `limit` per slot) of each slot of `slots`, asked of the master serving it
// now (CLUSTER COUNTKEYSINSLOT, CLUSTER GETKEYSINSLOT): how a walk finds the keys a migration
// may have moved behind it.
Result<std::vector<std::string>> movedSlotKeys(RedisCluster& cluster, std::span<const int> slots,
                                               std::size_t limit);

}  // namespace twat_cache::detail
