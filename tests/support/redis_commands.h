// Talks to a real redis-server as a plain client: loads test data (commands pipelined on a
// raw hiredis connection) and reads back what an engine wrote (RawRedis). Header-only so that only
// the tests that use it link hiredis (LIBS PkgConfig::HIREDIS).
//
// Thread safety: runRedisCommands opens its own connection per call; a RawRedis belongs to
// one thread.
#pragma once

#include <hiredis/hiredis.h>

#include <cstddef>
#include <string>
#include <utility>
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

// MSET commands that set the (key, value) `pairs`, at most `perCommand` pairs each, for
// runRedisCommands: a quick way to load many keys.
inline std::vector<std::vector<std::string>> msetCommands(
    const std::vector<std::pair<std::string, std::string>>& pairs, std::size_t perCommand = 1000) {
    std::vector<std::vector<std::string>> commands;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        if (i % perCommand == 0) commands.push_back({"MSET"});
        commands.back().push_back(pairs[i].first);
        commands.back().push_back(pairs[i].second);
    }
    return commands;
}

// A raw hiredis connection to 127.0.0.1:`port`, to look at what an engine wrote as another
// client would.
class RawRedis {
  public:
    explicit RawRedis(int port) : m_ctx(redisConnect("127.0.0.1", port)) {}
    ~RawRedis() {
        if (m_ctx != nullptr) redisFree(m_ctx);
    }
    RawRedis(const RawRedis&) = delete;
    RawRedis& operator=(const RawRedis&) = delete;
    bool ok() const { return m_ctx != nullptr && m_ctx->err == 0; }
    // The reply as text: strings and status as is, integers in decimal, nil as "(nil)".
    std::string run(const std::vector<std::string>& args) {
        std::vector<const char*> argv;
        std::vector<std::size_t> lens;
        for (const auto& a : args) {
            argv.push_back(a.data());
            lens.push_back(a.size());
        }
        auto* r = static_cast<redisReply*>(
            redisCommandArgv(m_ctx, static_cast<int>(args.size()), argv.data(), lens.data()));
        if (r == nullptr) return "(transport error)";
        std::string out;
        switch (r->type) {
            case REDIS_REPLY_STRING:
            case REDIS_REPLY_STATUS:
            case REDIS_REPLY_ERROR:
                out.assign(r->str, static_cast<std::size_t>(r->len));
                break;
            case REDIS_REPLY_INTEGER:
                out = std::to_string(r->integer);
                break;
            case REDIS_REPLY_NIL:
                out = "(nil)";
                break;
            default:
                out = "(array of " + std::to_string(r->elements) + ")";
        }
        freeReplyObject(r);
        return out;
    }

  private:
    redisContext* m_ctx;
};

}  // namespace twat_cache::test
