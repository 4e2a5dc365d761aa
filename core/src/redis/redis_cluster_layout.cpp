#include "redis/redis_cluster_layout.h"

#include <array>

#include "redis/redis_cluster_slot.h"

namespace twat_cache::detail {
namespace {

std::array<std::string, kClusterShards> makeTags() {
    constexpr int kWidth = kClusterSlots / kClusterShards;
    constexpr char kHex[] = "0123456789abcdef";
    std::array<std::string, kClusterShards> tags;
    for (int shard = 0; shard < kClusterShards; ++shard) {
        // About kClusterShards tries each: CRC16 spreads short strings evenly.
        for (int n = 0;; ++n) {
            const std::string content = std::string("s") + kHex[shard] + "." + std::to_string(n);
            if (keySlot(content) / kWidth == shard) {
                tags[static_cast<std::size_t>(shard)] = "{" + content + "}";
                break;
            }
        }
    }
    return tags;
}

}  // namespace

const std::string& clusterShardTag(int shard) {
    static const std::array<std::string, kClusterShards> kTags = makeTags();
    return kTags[static_cast<std::size_t>(shard) % kClusterShards];
}

int clusterShardOf(std::string_view hex) {
    if (hex.empty()) return 0;
    const char c = hex.front();
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return 0;
}

}  // namespace twat_cache::detail
