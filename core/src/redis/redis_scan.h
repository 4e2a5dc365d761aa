// SCAN helpers shared by the redis engine and the Redis inspector: the glob escaping of a
// MATCH pattern and the parsing of one SCAN reply.
//
// Thread safety: free functions without shared state.
#pragma once

#include <hiredis/hiredis.h>

#include <string>
#include <string_view>
#include <vector>

#include "twat_cache/status.h"

namespace twat_cache::detail {

// `text` with the glob characters of SCAN MATCH (* ? [ ] \) escaped, so it matches itself.
std::string globEscape(std::string_view text);

// One SCAN reply: the next cursor ("0" when the iteration is complete) and the keys.
struct ScanReply {
    std::string cursor;
    std::vector<std::string> keys;
};

// Parses a SCAN reply. An error reply is mapped by replyError (naming `maskedUrl`); a reply
// that is not [cursor string, array of strings] is Corruption (a broken or hostile server).
Result<ScanReply> parseScanReply(const redisReply& reply, std::string_view maskedUrl);

}  // namespace twat_cache::detail
