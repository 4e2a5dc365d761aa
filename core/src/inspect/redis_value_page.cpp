// RedisSource::valuePage: one key's value read page by page (twat_cache/value_page.h).
//
// Each call asks TYPE, then one pipeline of the type's length command and one bounded page:
//   hash, set  HSCAN / SSCAN (MATCH, COUNT) from the cursor; a SCAN reply may hold more rows
//              than the page takes, so the cursor also counts the rows of that reply already
//              returned ("<scan cursor>:<taken>"), and the next call asks for the same reply
//              again and skips them. With MATCH, rounds go on until the page is full, the scan
//              ends or kMatchBudget has passed.
//   list       LRANGE from the index in the cursor
//   zset       ZRANGE ... WITHSCORES by rank; by score ZRANGEBYSCORE ... LIMIT, continued from
//              the last score seen ("<min>|<members at min already returned>") so that each
//              page costs O(log N + page), not O(offset)
//   stream     XRANGE from the id after the last one returned (XINFO GROUPS on the first page)
//   string     GETRANGE of ValueQuery::bytes from the offset in the cursor
// On a cluster every command goes to the node of the key's slot.
#include <algorithm>
#include <charconv>
#include <string>
#include <vector>

#include "inspect/redis_source.h"
#include "inspect/scan_deadline.h"
#include "redis/redis_cluster_slot.h"

namespace twat_cache::detail {

namespace {

// How long one call with MATCH may go on scanning for matches before it returns what it has.
constexpr std::chrono::milliseconds kMatchBudget{250};
// SCAN COUNT with MATCH: the server filters, so rounds may examine more than a page.
constexpr std::size_t kMatchCount = 1000;

ValueCell cellOf(const redisReply& r, std::size_t bound) {
    const std::string_view text = replyText(r);
    return {std::string(text.substr(0, bound)), text.size()};
}

bool parseU64(std::string_view text, std::uint64_t& out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

Status badCursor(std::string_view cursor) {
    return Status::invalidArgument("malformed value cursor '" + std::string(cursor.substr(0, 80)) +
                                   "'");
}

// The stream id just after `id` ("ms-seq").
std::string nextStreamId(std::string_view id) {
    const auto dash = id.find('-');
    std::uint64_t ms = 0, seq = 0;
    if (dash == std::string_view::npos || !parseU64(id.substr(0, dash), ms) ||
        !parseU64(id.substr(dash + 1), seq)) {
        return std::string(id);
    }
    if (seq == UINT64_MAX) return std::to_string(ms + 1) + "-0";
    return std::to_string(ms) + "-" + std::to_string(seq + 1);
}

}  // namespace

Result<ValuePage> RedisSource::valuePage(std::string_view entryId, const ValueQuery& q) {
    auto resolved = resolveKey(entryId);
    if (!resolved.ok()) return resolved.status();
    const std::string& k = *resolved;
    const int slot = m_cluster ? keySlot(k) : 0;
    const std::size_t limit = std::clamp<std::size_t>(q.limit, 1, ValueQuery::kMaxLimit);
    const std::size_t cell = std::clamp<std::size_t>(q.cell_bytes, 1, ValueQuery::kMaxCellBytes);
    auto typeReply = ownReads({{slot, {"TYPE", k}}}, "TYPE");
    if (!typeReply.ok()) return typeReply.status();
    if (Status s = checkReply(*typeReply->front(), "TYPE"); !s.ok()) return s;
    ValuePage page;
    page.kind = std::string(replyText(*typeReply->front()));
    if (page.kind == "none") return Status::notFound("no key " + std::string(entryId));
    const std::string& type = page.kind;

    // Runs {length command, page command (, extra)} in one round trip and checks the first two.
    auto run = [&](std::vector<std::vector<std::string>> commands,
                   std::string_view doing) -> Result<std::vector<ReplyPtr>> {
        std::vector<ClusterCommand> reads;
        for (auto& c : commands) reads.push_back({slot, std::move(c)});
        auto replies = ownReads(std::move(reads), doing);
        if (!replies.ok()) return replies.status();
        for (std::size_t i = 0; i < std::min<std::size_t>(2, replies->size()); ++i) {
            if (Status s = checkReply(*(*replies)[i], doing); !s.ok()) return s;
        }
        if ((*replies)[0]->type == REDIS_REPLY_INTEGER) {
            page.total = static_cast<std::uint64_t>((*replies)[0]->integer);
        }
        return replies;
    };

    if (type == "string") {
        const std::size_t bytes = std::clamp<std::size_t>(q.bytes, 1, ValueQuery::kMaxStringBytes);
        if (!q.cursor.empty() && !parseU64(q.cursor, page.offset)) return badCursor(q.cursor);
        auto r = run(
            {{"STRLEN", k},
             {"GETRANGE", k, std::to_string(page.offset), std::to_string(page.offset + bytes - 1)}},
            "GETRANGE");
        if (!r.ok()) return r.status();
        page.bytes = std::string(replyText(*(*r)[1]));
        const std::uint64_t next = page.offset + page.bytes.size();
        if (!page.bytes.empty() && next < page.total.value_or(0))
            page.cursor = std::to_string(next);
        return page;
    }

    if (type == "list" || (type == "zset" && q.zset_order == ValueQuery::ZsetOrder::kRank)) {
        if (!q.cursor.empty() && !parseU64(q.cursor, page.offset)) return badCursor(q.cursor);
        const bool list = type == "list";
        std::vector<std::string> read = {list ? "LRANGE" : "ZRANGE", k, std::to_string(page.offset),
                                         std::to_string(page.offset + limit - 1)};
        if (!list) read.emplace_back("WITHSCORES");
        auto r = run({{list ? "LLEN" : "ZCARD", k}, std::move(read)}, list ? "LRANGE" : "ZRANGE");
        if (!r.ok()) return r.status();
        const redisReply& items = *(*r)[1];
        const std::size_t step = list ? 1 : 2;
        for (std::size_t i = 0; i + step - 1 < items.elements; i += step) {
            ValueRow row;
            if (list) {
                const std::string index = std::to_string(page.offset + page.rows.size());
                row.name = {index, index.size()};
                row.value = cellOf(*items.element[i], cell);
            } else {
                row.name = cellOf(*items.element[i], cell);
                row.value = cellOf(*items.element[i + 1], cell);
            }
            page.rows.push_back(std::move(row));
        }
        const std::uint64_t next = page.offset + page.rows.size();
        if (page.rows.size() == limit && next < page.total.value_or(0)) {
            page.cursor = std::to_string(next);
        }
        return page;
    }

    if (type == "zset") {  // by score: "<min>|<members with score min already returned>"
        std::string min = q.min_score.empty() ? "-inf" : q.min_score;
        std::uint64_t skip = 0;
        if (!q.cursor.empty()) {
            const auto bar = q.cursor.rfind('|');
            if (bar == std::string::npos || bar == 0 || !parseU64(q.cursor.substr(bar + 1), skip)) {
                return badCursor(q.cursor);
            }
            min = q.cursor.substr(0, bar);
        }
        const std::string max = q.max_score.empty() ? "+inf" : q.max_score;
        auto r = run({{"ZCOUNT", k, q.min_score.empty() ? "-inf" : q.min_score, max},
                      {"ZRANGEBYSCORE", k, min, max, "WITHSCORES", "LIMIT", std::to_string(skip),
                       std::to_string(limit)}},
                     "ZRANGEBYSCORE");
        if (!r.ok()) return r.status();
        const redisReply& items = *(*r)[1];
        for (std::size_t i = 0; i + 1 < items.elements; i += 2) {
            page.rows.push_back(
                {cellOf(*items.element[i], cell), cellOf(*items.element[i + 1], cell), {}, 0});
        }
        if (page.rows.size() == limit) {
            // Continue from the last score: skip the members at that score already shown.
            const std::string last(replyText(*items.element[items.elements - 1]));
            std::uint64_t ties = 0;
            for (std::size_t i = items.elements; i >= 2 && replyText(*items.element[i - 1]) == last;
                 i -= 2) {
                ++ties;
            }
            if (ties == page.rows.size() && last == min) ties += skip;
            page.cursor = last + "|" + std::to_string(ties);
        }
        return page;
    }

    if (type == "stream") {
        std::string start = q.cursor.empty() ? "-" : q.cursor;
        std::vector<std::vector<std::string>> commands = {
            {"XLEN", k}, {"XRANGE", k, start, "+", "COUNT", std::to_string(limit)}};
        if (q.cursor.empty()) commands.push_back({"XINFO", "GROUPS", k});
        auto r = run(std::move(commands), "XRANGE");
        if (!r.ok()) return r.status();
        if (r->size() > 2 && (*r)[2]->type == REDIS_REPLY_ARRAY) {
            page.stream_groups = (*r)[2]->elements;  // an ACL refusal leaves it unknown
        }
        const redisReply& items = *(*r)[1];
        std::string lastId;  // whole, however short the cells are cut
        for (std::size_t i = 0; i < items.elements; ++i) {
            const redisReply& entry = *items.element[i];
            if (entry.type != REDIS_REPLY_ARRAY || entry.elements != 2) continue;
            lastId = replyText(*entry.element[0]);
            ValueRow row;
            row.name = cellOf(*entry.element[0], cell);
            const redisReply& fields = *entry.element[1];
            for (std::size_t f = 0; f + 1 < fields.elements; f += 2) {
                if (row.fields.size() == ValueQuery::kMaxStreamFields) {
                    row.more_fields = (fields.elements - f) / 2;
                    break;
                }
                row.fields.emplace_back(cellOf(*fields.element[f], cell),
                                        cellOf(*fields.element[f + 1], cell));
            }
            page.rows.push_back(std::move(row));
        }
        if (page.rows.size() == limit) page.cursor = nextStreamId(lastId);
        return page;
    }

    if (type != "hash" && type != "set") {
        return Status::notSupported("Redis " + type + " values have no pages");
    }
    // hash, set: "<scan cursor>:<rows of that reply already returned>".
    const bool hash = type == "hash";
    std::string from = "0";
    std::uint64_t taken = 0;
    if (!q.cursor.empty()) {
        const auto colon = q.cursor.find(':');
        std::uint64_t check = 0;
        if (colon == std::string::npos || !parseU64(q.cursor.substr(0, colon), check) ||
            !parseU64(q.cursor.substr(colon + 1), taken)) {
            return badCursor(q.cursor);
        }
        from = q.cursor.substr(0, colon);
    }
    const bool filtered = !q.match.empty() && q.match != "*";
    const std::string count = std::to_string(filtered ? std::max(limit, kMatchCount) : limit);
    ScanDeadline deadline(clock(), kMatchBudget);
    for (;;) {
        std::vector<std::string> scan = {hash ? "HSCAN" : "SSCAN", k, from, "COUNT", count};
        if (filtered) {
            scan.emplace_back("MATCH");
            scan.emplace_back(q.match);
        }
        auto r = run({{hash ? "HLEN" : "SCARD", k}, std::move(scan)}, hash ? "HSCAN" : "SSCAN");
        if (!r.ok()) return r.status();
        const redisReply& reply = *(*r)[1];
        if (reply.type != REDIS_REPLY_ARRAY || reply.elements != 2) {
            return Status::corruption("unexpected " + std::string(hash ? "HSCAN" : "SSCAN") +
                                      " reply from " + m_settings.masked_url);
        }
        const std::string next(replyText(*reply.element[0]));
        const redisReply& items = *reply.element[1];
        const std::size_t step = hash ? 2 : 1;
        const std::size_t rowsInReply = items.elements / step;
        std::size_t i = static_cast<std::size_t>(std::min<std::uint64_t>(taken, rowsInReply));
        for (; i < rowsInReply && page.rows.size() < limit; ++i) {
            ValueRow row;
            row.name = cellOf(*items.element[i * step], cell);
            if (hash) row.value = cellOf(*items.element[i * step + 1], cell);
            page.rows.push_back(std::move(row));
        }
        if (i < rowsInReply) {  // the page filled inside this reply
            page.cursor = from + ":" + std::to_string(i);
            break;
        }
        if (next == "0") break;  // the end
        from = next;
        taken = 0;
        if (page.rows.size() >= limit || deadline.expired()) {
            page.cursor = from + ":0";
            break;
        }
    }
    return page;
}

}  // namespace twat_cache::detail
