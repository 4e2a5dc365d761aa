// Walks over the masters of a Redis Cluster and keys grouped by slot (see the header).
#include "redis/redis_cluster_keys.h"

#include <charconv>
#include <map>

#include "redis/redis_scan.h"

namespace twat_cache::detail {

std::string ClusterScanCursor::toString() const {
    return "c" + std::to_string(node) + ":" + cursor + "@" + address;
}

std::optional<ClusterScanCursor> ClusterScanCursor::parse(std::string_view text) {
    const auto colon = text.find(':');
    const auto at = text.find('@');
    if (!text.starts_with('c') || colon == std::string_view::npos || at == std::string_view::npos ||
        at < colon) {
        return std::nullopt;
    }
    ClusterScanCursor out;
    auto [ptr, ec] = std::from_chars(text.data() + 1, text.data() + colon, out.node);
    if (ec != std::errc() || ptr != text.data() + colon) return std::nullopt;
    out.cursor = std::string(text.substr(colon + 1, at - colon - 1));
    if (out.cursor.empty() || out.cursor.find_first_not_of("0123456789") != std::string::npos) {
        return std::nullopt;
    }
    out.address = std::string(text.substr(at + 1));
    return out;
}

Result<ClusterScanStep> scanClusterStep(RedisCluster& cluster, const ClusterScanCursor& at,
                                        std::string_view match, std::size_t count,
                                        std::string_view type) {
    const auto masters = cluster.masters();
    ClusterScanStep out;
    out.node = at.node;
    if (at.node >= masters.size()) return out;  // every master has been scanned
    const ClusterMaster& master = masters[at.node];
    // Another server at this number since the cursor was made: its SCAN starts over.
    const std::string cursor =
        at.address.empty() || at.address == master.address ? at.cursor : std::string("0");
    auto lease = cluster.lease(master.address);
    if (!lease.ok()) return lease.status();
    const std::string countText = std::to_string(count);
    std::vector<std::string_view> args = {"SCAN", cursor, "COUNT", countText};
    if (!match.empty()) {
        args.emplace_back("MATCH");
        args.emplace_back(match);
    }
    if (!type.empty()) {
        args.emplace_back("TYPE");
        args.emplace_back(type);
    }
    (*lease)->append(args);
    auto reply = (*lease)->read("SCAN");
    if (!reply.ok()) return reply.status();
    auto scanned = parseScanReply(**reply, "node " + master.address);
    if (!scanned.ok()) return scanned.status();
    out.keys = std::move(scanned->keys);
    out.address = master.address;
    out.node_done = scanned->cursor == "0";
    if (!out.node_done) {
        out.next = ClusterScanCursor{at.node, std::move(scanned->cursor), master.address};
    } else if (at.node + 1 < masters.size()) {
        out.next = ClusterScanCursor{at.node + 1, "0", masters[at.node + 1].address};
    }
    return out;
}

std::vector<SlotBatch> slotBatches(std::span<const std::string> keys, std::size_t maxItems) {
    std::map<int, std::vector<std::size_t>> bySlot;
    for (std::size_t i = 0; i < keys.size(); ++i) bySlot[keySlot(keys[i])].push_back(i);
    std::vector<SlotBatch> out;
    for (auto& [slot, items] : bySlot) {
        for (std::size_t at = 0; at < items.size(); at += maxItems) {
            const std::size_t end = std::min(items.size(), at + maxItems);
            out.push_back(
                {slot, std::vector<std::size_t>(items.begin() + static_cast<std::ptrdiff_t>(at),
                                                items.begin() + static_cast<std::ptrdiff_t>(end))});
        }
    }
    return out;
}

std::vector<int> slotOwners(const std::vector<ClusterMaster>& masters) {
    std::vector<int> owners(kClusterSlots, -1);
    for (std::size_t m = 0; m < masters.size(); ++m) {
        for (const auto& [from, to] : masters[m].slots) {
            for (int s = from; s <= to; ++s)
                owners[static_cast<std::size_t>(s)] = static_cast<int>(m);
        }
    }
    return owners;
}

Result<std::vector<std::string>> movedSlotKeys(RedisCluster& cluster, std::span<const int> slots,
                                               std::size_t limit) {
    const std::string limitText = std::to_string(limit);
    std::vector<ClusterCommand> cmds;
    cmds.reserve(slots.size());
    for (const int slot : slots) {
        cmds.push_back({slot, {"CLUSTER", "GETKEYSINSLOT", std::to_string(slot), limitText}});
    }
    auto replies = cluster.run(cmds, "CLUSTER GETKEYSINSLOT");
    std::vector<std::string> keys;
    for (auto& r : replies) {
        if (!r.ok()) return r.status();
        const redisReply& reply = **r;
        if (reply.type == REDIS_REPLY_ERROR) {
            return replyError(reply, cluster.settings().connect.masked_url,
                              "CLUSTER GETKEYSINSLOT");
        }
        if (reply.type != REDIS_REPLY_ARRAY) {
            return Status::corruption("redis " + cluster.settings().connect.masked_url +
                                      ": malformed CLUSTER GETKEYSINSLOT reply");
        }
        for (std::size_t i = 0; i < reply.elements; ++i) {
            if (reply.element[i]->type == REDIS_REPLY_STRING) {
                keys.emplace_back(replyText(*reply.element[i]));
            }
        }
    }
    return keys;
}

}  // namespace twat_cache::detail
