// Test data on a Redis Cluster (redis_cluster.h) through raw hiredis connections: keys set on
// the masters that own them, and what each master holds, read back as another client would.
// Header-only so that only the tests that use it link hiredis (LIBS PkgConfig::HIREDIS).
//
// Thread safety: free functions, each with its own connections; use from the test thread.
#pragma once

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "redis_cluster.h"

namespace twat_cache::test {

// The client ports of the cluster's masters, by first slot (as the inspector orders them).
inline std::vector<int> clusterMasterPorts(const RedisCluster& cluster) {
    std::vector<std::pair<int, int>> byFirstSlot;
    for (const auto& node : cluster.nodes()) {
        if (node.master && !node.slot_ranges.empty()) {
            byFirstSlot.emplace_back(node.slot_ranges.front().first, node.port);
        }
    }
    std::sort(byFirstSlot.begin(), byFirstSlot.end());
    std::vector<int> ports;
    for (const auto& [slot, port] : byFirstSlot) ports.push_back(port);
    return ports;
}

// Sets every (key, value) of `pairs` on the master that owns its slot: each master is sent
// every SET in one pipeline and refuses (MOVED) those it does not own. Returns "" or what
// went wrong (a key no master or two masters took).
inline std::string seedClusterKeys(const RedisCluster& cluster,
                                   const std::vector<std::pair<std::string, std::string>>& pairs) {
    std::vector<int> taken(pairs.size(), 0);
    for (const int port : clusterMasterPorts(cluster)) {
        redisContext* ctx = redisConnect("127.0.0.1", port);
        if (ctx == nullptr || ctx->err != 0) {
            if (ctx != nullptr) redisFree(ctx);
            return "cannot connect to " + std::to_string(port);
        }
        for (const auto& [key, value] : pairs) {
            const char* argv[] = {"SET", key.data(), value.data()};
            const std::size_t lens[] = {3, key.size(), value.size()};
            redisAppendCommandArgv(ctx, 3, argv, lens);
        }
        for (std::size_t i = 0; i < pairs.size(); ++i) {
            void* reply = nullptr;
            if (redisGetReply(ctx, &reply) != REDIS_OK) {
                redisFree(ctx);
                return "transport error on " + std::to_string(port);
            }
            auto* r = static_cast<redisReply*>(reply);
            if (r->type == REDIS_REPLY_STATUS) ++taken[i];
            freeReplyObject(r);
        }
        redisFree(ctx);
    }
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        if (taken[i] != 1) {
            return "key " + pairs[i].first + " set on " + std::to_string(taken[i]) + " masters";
        }
    }
    return {};
}

// The keys matching `pattern` on the node on `port` (KEYS: test-sized data only).
inline std::vector<std::string> nodeKeys(int port, const std::string& pattern = "*") {
    std::vector<std::string> keys;
    redisContext* ctx = redisConnect("127.0.0.1", port);
    if (ctx == nullptr || ctx->err != 0) {
        if (ctx != nullptr) redisFree(ctx);
        return keys;
    }
    const char* argv[] = {"KEYS", pattern.data()};
    const std::size_t lens[] = {4, pattern.size()};
    auto* r = static_cast<redisReply*>(redisCommandArgv(ctx, 2, argv, lens));
    if (r != nullptr && r->type == REDIS_REPLY_ARRAY) {
        for (std::size_t i = 0; i < r->elements; ++i) {
            keys.emplace_back(r->element[i]->str, static_cast<std::size_t>(r->element[i]->len));
        }
    }
    if (r != nullptr) freeReplyObject(r);
    redisFree(ctx);
    std::sort(keys.begin(), keys.end());
    return keys;
}

}  // namespace twat_cache::test
