// RedisEngine's walks over its cache's keys with SCAN MATCH: clear(), size() and scan().
#include <algorithm>

#include "format/envelope.h"
#include "redis/redis_engine_impl.h"

namespace twat_cache {

using detail::RedisConnection;

namespace {

constexpr std::size_t kHeaderPrefixBytes = RedisEngine::Impl::kHeaderPrefixBytes;
constexpr std::size_t kScanBatch = 1000;
// SCAN calls one scan() page may make before returning a short page (sparse databases).
constexpr int kScanCallsPerPage = 64;
// SCAN calls clear() and size() may make; far beyond any real database.
constexpr std::uint64_t kScanCallLimit = 100'000'000;

}  // namespace

Status RedisEngine::clear() {
    Impl& im = *m_impl;
    if (im.m_cluster) {
        auto removed = im.clusterClear();
        return removed.ok() ? Status() : removed.status();
    }
    const std::string count = std::to_string(kScanBatch);
    return im.withConnection([&](RedisConnection& c) -> Status {
        // Each round trip carries the UNLINK of one batch and the SCAN of the next.
        c.append({"SCAN", "0", "MATCH", im.m_pattern, "COUNT", count});
        std::uint64_t removed = 0;
        for (std::uint64_t calls = 0; calls < kScanCallLimit; ++calls) {
            auto reply = c.read("SCAN");
            if (!reply.ok()) return reply.status();
            auto page = detail::parseScanReply(**reply, im.m_masked);
            if (!page.ok()) return page.status();
            const bool more = page->cursor != "0";
            if (!page->keys.empty()) {
                std::vector<std::string_view> args{"UNLINK"};
                args.insert(args.end(), page->keys.begin(), page->keys.end());
                c.append(args);
            }
            if (more) c.append({"SCAN", page->cursor, "MATCH", im.m_pattern, "COUNT", count});
            if (!page->keys.empty()) {
                auto unlinked = c.read("UNLINK");
                if (!unlinked.ok()) return unlinked.status();
                if ((*unlinked)->type == REDIS_REPLY_ERROR) {
                    return detail::replyError(**unlinked, im.m_masked, "UNLINK");
                }
                removed += static_cast<std::uint64_t>(std::max<long long>(0, (*unlinked)->integer));
            }
            if (!more) {
                // The maxsize index goes too (an unlimited engine clears a limited cache).
                auto index =
                    c.command({"UNLINK", im.m_prefix + "__index", im.m_prefix + "__expiry"});
                if (!index.ok()) return index.status();
                detail::logger().debug("cache \"{}\": cleared {} entries", im.m_config.name,
                                       removed);
                return {};
            }
        }
        return Status::ioError("redis " + im.m_masked + ": SCAN did not finish");
    });
}

Result<std::uint64_t> RedisEngine::size() {
    Impl& im = *m_impl;
    if (im.m_cluster) return im.clusterSize();
    const std::string count = std::to_string(kScanBatch);
    return im.withConnection([&](RedisConnection& c) -> Result<std::uint64_t> {
        std::uint64_t total = 0;
        std::string cursor = "0";
        for (std::uint64_t calls = 0; calls < kScanCallLimit; ++calls) {
            auto reply = c.command({"SCAN", cursor, "MATCH", im.m_pattern, "COUNT", count});
            if (!reply.ok()) return reply.status();
            auto page = detail::parseScanReply(**reply, im.m_masked);
            if (!page.ok()) return page.status();
            total += page->keys.size();
            if (page->cursor == "0") return total;
            cursor = std::move(page->cursor);
        }
        return Status::ioError("redis " + im.m_masked + ": SCAN did not finish");
    });
}

namespace {

// scan() cursors: "<redis cursor or e>|<32-hex keys found but not yet returned>".
struct ScanCursor {
    std::string redis = "0";  // "e": Redis finished its scan
    std::vector<std::string> pending;
};

Result<ScanCursor> parseCursor(std::string_view text) {
    ScanCursor c;
    if (text.empty()) return c;
    const auto bar = text.find('|');
    const std::string_view head = text.substr(0, bar);
    const std::string_view tail = bar == std::string_view::npos ? "" : text.substr(bar + 1);
    const bool numeric = !head.empty() && std::all_of(head.begin(), head.end(), [](char ch) {
        return ch >= '0' && ch <= '9';
    });
    if ((!numeric && head != "e") || tail.size() % 32 != 0) {
        return Status::invalidArgument("\"" + std::string(text.substr(0, 80)) +
                                       "\" is not a redis scan cursor");
    }
    c.redis = std::string(head);
    for (std::size_t i = 0; i < tail.size(); i += 32) c.pending.emplace_back(tail.substr(i, 32));
    return c;
}

}  // namespace

std::optional<EntryInfo> RedisEngine::Impl::entryFrom(const std::string& hex,
                                                      const redisReply& pttl, const redisReply& len,
                                                      const redisReply& head, std::int64_t now) {
    if (pttl.type != REDIS_REPLY_INTEGER || pttl.integer == -2) return std::nullopt;  // gone
    auto key = Key::fromHex(hex);
    if (!key.ok()) return std::nullopt;
    EntryInfo e;
    e.key = *key;
    if (len.type == REDIS_REPLY_INTEGER) e.size = static_cast<std::uint64_t>(len.integer);
    if (pttl.integer > 0) e.expires_ms = now + pttl.integer;
    if (head.type == REDIS_REPLY_STRING) {
        const std::string_view prefix = detail::replyText(head);
        std::size_t needed = 0;
        auto h = detail::parseEnvelopeHeader(prefix, &needed);
        if (!h.ok() && needed > prefix.size()) {
            // A key text longer than the prefix (set directly, not by memoization).
            h = detail::parseEnvelopeFixed(prefix);
            if (h.ok()) e.key_text = "(key text longer than the scanned prefix)";
        } else if (h.ok()) {
            e.key_text = std::string(h->key_text);
        }
        if (h.ok()) {
            e.created_ms = h->created_ms;
            e.compute_ns = h->compute_ns;
            if (h->expires_ms != 0) e.expires_ms = h->expires_ms;
        } else {
            e.key_text = "(" + h.status().message() + ")";
        }
    }
    return e;
}

Result<ScanPage> RedisEngine::scan(std::string_view cursorText, std::size_t limit) {
    Impl& im = *m_impl;
    limit = std::max<std::size_t>(limit, 1);
    if (im.m_cluster) return im.clusterScan(cursorText, limit);
    auto cursor = parseCursor(cursorText);
    if (!cursor.ok()) return cursor.status();
    return im.withConnection([&](RedisConnection& c) -> Result<ScanPage> {
        std::vector<std::string> hexes = cursor->pending;
        std::string next = cursor->redis;
        const std::string count = std::to_string(std::max(limit, std::size_t{100}));
        for (int calls = 0; next != "e" && hexes.size() < limit && calls < kScanCallsPerPage;
             ++calls) {
            auto reply = c.command({"SCAN", next, "MATCH", im.m_pattern, "COUNT", count});
            if (!reply.ok()) return reply.status();
            auto page = detail::parseScanReply(**reply, im.m_masked);
            if (!page.ok()) return page.status();
            for (auto& k : page->keys) hexes.push_back(k.substr(im.m_prefix.size()));
            next = page->cursor == "0" ? "e" : page->cursor;
        }
        const std::size_t take = std::min(limit, hexes.size());
        // Describe the page: PTTL, STRLEN and the envelope header of each key, pipelined.
        const std::string last = std::to_string(kHeaderPrefixBytes - 1);
        std::vector<std::string> rks;
        rks.reserve(take);
        for (std::size_t i = 0; i < take; ++i) {
            rks.push_back(im.m_prefix + hexes[i]);
            c.append({"PTTL", rks.back()});
            c.append({"STRLEN", rks.back()});
            c.append({"GETRANGE", rks.back(), "0", last});
        }
        auto replies = c.readMany(3 * take, "describe scan page");
        if (!replies.ok()) return replies.status();
        ScanPage out;
        const std::int64_t now = im.m_config.clock->nowMs();
        for (std::size_t i = 0; i < take; ++i) {
            auto e = Impl::entryFrom(hexes[i], *(*replies)[3 * i], *(*replies)[3 * i + 1],
                                     *(*replies)[3 * i + 2], now);
            if (e) out.entries.push_back(std::move(*e));
        }
        if (next != "e" || hexes.size() > take) {
            out.cursor = next + "|";
            for (std::size_t i = take; i < hexes.size(); ++i) out.cursor += hexes[i];
        }
        return out;
    });
}

}  // namespace twat_cache
