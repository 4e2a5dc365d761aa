// SCAN reply parsing and MATCH escaping (see redis_scan.h).
#include "redis/redis_scan.h"

#include "redis/redis_connection.h"

namespace twat_cache::detail {

std::string globEscape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    return out;
}

Result<ScanReply> parseScanReply(const redisReply& r, std::string_view maskedUrl) {
    if (r.type == REDIS_REPLY_ERROR) return replyError(r, maskedUrl, "SCAN");
    const auto malformed = [&] {
        return Status::corruption("redis " + std::string(maskedUrl) + ": malformed SCAN reply");
    };
    if (r.type != REDIS_REPLY_ARRAY || r.elements != 2 ||
        r.element[0]->type != REDIS_REPLY_STRING || r.element[1]->type != REDIS_REPLY_ARRAY) {
        return malformed();
    }
    ScanReply out;
    out.cursor = std::string(replyText(*r.element[0]));
    const redisReply& keys = *r.element[1];
    out.keys.reserve(keys.elements);
    for (std::size_t i = 0; i < keys.elements; ++i) {
        if (keys.element[i]->type != REDIS_REPLY_STRING) return malformed();
        out.keys.emplace_back(replyText(*keys.element[i]));
    }
    return out;
}

}  // namespace twat_cache::detail
