// Loads a real redis-server with test data: runs commands on a raw hiredis connection,
// pipelined. Header-only so that only the tests that use it link hiredis
// (LIBS PkgConfig::HIREDIS).
//
// Thread safety: each call opens its own connection; safe from any one thread.
#pragma once

#include <hiredis/hiredis.h>

#include <cstddef>
#include <string>
#include <vector>

namespace twat_cache::test {

// Runs `commands` (each an argv) against 127.0.0.1:`port`; false on a connection error or
// any error reply.
inline bool runRedisCommands(int port, const std::vector<std::vector<std::string>>& commands) {
    redisContext* ctx = redisConnect("127.0.0.1", port);
    if (ctx == nullptr || ctx->err != 0) {
        if (ctx != nullptr) redisFree(ctx);
        return false;
    }
    for (const auto& args : commands) {
        std::vector<const char*> argv;
        std::vector<std::size_t> lens;
        for (const auto& a : args) {
            argv.push_back(a.data());
            lens.push_back(a.size());
        }
        redisAppendCommandArgv(ctx, static_cast<int>(args.size()), argv.data(), lens.data());
    }
    bool ok = true;
    for (std::size_t i = 0; i < commands.size(); ++i) {
        void* reply = nullptr;
        if (redisGetReply(ctx, &reply) != REDIS_OK) {
            ok = false;
            break;
        }
        auto* r = static_cast<redisReply*>(reply);
        if (r->type == REDIS_REPLY_ERROR) ok = false;
        freeReplyObject(r);
    }
    redisFree(ctx);
    return ok;
}

}  // namespace twat_cache::test
