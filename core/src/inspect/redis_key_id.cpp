// RedisSource::resolveKey: the key an entry id names, long names included (see the header).
#include <charconv>
#include <string>

#include "inspect/redis_source.h"
#include "redis/redis_scan.h"
#include "twat_cache/key.h"

namespace twat_cache::detail {

Result<std::string> RedisSource::resolveKey(std::string_view id) {
    if (!id.starts_with("long:")) return keyOf(id);
    // long:<length>:<hash>:<id of the start>
    const std::string_view rest = id.substr(5);
    const auto a = rest.find(':');
    const auto b = a == std::string_view::npos ? a : rest.find(':', a + 1);
    std::size_t length = 0;
    if (b == std::string_view::npos ||
        std::from_chars(rest.data(), rest.data() + a, length).ec != std::errc{}) {
        return Status::invalidArgument("bad entry id '" + std::string(id.substr(0, 80)) + "'");
    }
    const std::string_view hash = rest.substr(a + 1, b - a - 1);
    auto start = keyOf(rest.substr(b + 1));
    if (!start.ok()) return start.status();
    // Bounded: SCAN ends after one full iteration.
    const std::string match = globEscape(*start) + "*";
    std::string cursor = "0";
    do {
        auto step = scanOnce(cursor, match);
        if (!step.ok()) return step.status();
        cursor = std::move(step->cursor);
        for (auto& key : step->keys) {
            if (key.size() == length && hashBytes(key).toHex() == hash) return std::move(key);
        }
    } while (cursor != "0");
    return Status::notFound("no key of " + std::to_string(length) +
                            " bytes with that start and hash any more");
}

}  // namespace twat_cache::detail
