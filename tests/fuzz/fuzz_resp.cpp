// libFuzzer target: RESP replies from a server, through hiredis's reply reader with the
// element bound the connection layer installs (redis_reply_reader.h). The input is fed in
// chunks whose sizes come from its first byte, as a network would split it.
#include <hiredis/hiredis.h>

#include <cstddef>
#include <cstdint>

#include "redis/redis_reply_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::size_t chunk = 1 + data[0] % 64;
    redisReader* reader = redisReaderCreate();
    twat_cache::detail::boundReader(reader, 1 << 16);
    for (std::size_t at = 1; at < size; at += chunk) {
        const std::size_t n = at + chunk <= size ? chunk : size - at;
        if (redisReaderFeed(reader, reinterpret_cast<const char*>(data + at), n) != REDIS_OK) break;
        void* reply = nullptr;
        bool failed = false;
        while (true) {
            if (redisReaderGetReply(reader, &reply) != REDIS_OK) {
                failed = true;
                break;
            }
            if (reply == nullptr) break;
            freeReplyObject(reply);
        }
        if (failed) break;
    }
    redisReaderFree(reader);
    return 0;
}
