// Value pages: one entry's value read piece by piece, so that a viewer can show a hash of a
// million fields or a string of a gigabyte without ever loading it whole (Source::valuePage).
//
// A page holds at most ValueQuery::limit rows (a string: at most ValueQuery::bytes bytes), and
// every field, member, element or value in it is cut at ValueQuery::cell_bytes with its real
// length kept. Pages are continued by cursor, like listings: an empty ValuePage::cursor means
// the value has been read to its end.
//
// Plain value types; no thread-safety concerns of their own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "twat_cache/export.h"

namespace twat_cache {

// What Source::valuePage reads.
struct ValueQuery {
    // Where to continue: "" starts at the beginning; else a ValuePage::cursor made with the
    // same query (a cursor belongs to its match, zset order and score range).
    std::string cursor;
    // Most rows one call returns, clamped to [1, kMaxLimit].
    std::size_t limit = 100;
    // Hash fields and set members: a Redis glob (HSCAN/SSCAN MATCH); "" matches all. Other
    // kinds ignore it.
    std::string match;
    // Sorted sets: by rank (lowest score first), or only the members whose score lies in
    // [min_score, max_score], in Redis's syntax ("-inf", "+inf", "1.5", "(1.5" exclusive).
    enum class ZsetOrder { kRank, kScore };
    ZsetOrder zset_order = ZsetOrder::kRank;
    std::string min_score = "-inf";
    std::string max_score = "+inf";
    // Each field, member, element or value of a row is cut at this many bytes (the real
    // length is kept in its ValueCell); clamped to [1, kMaxCellBytes].
    std::size_t cell_bytes = 1024;
    // Strings: bytes per page, clamped to [1, kMaxStringBytes].
    std::size_t bytes = 4096;

    static constexpr std::size_t kMaxLimit = 10'000;
    static constexpr std::size_t kMaxCellBytes = 1 << 20;
    static constexpr std::size_t kMaxStringBytes = 4 << 20;
    // A stream entry keeps at most this many field/value pairs (ValueRow::more_fields counts
    // the rest).
    static constexpr std::size_t kMaxStreamFields = 64;
};

// Some bytes of a value and the length of the whole.
struct ValueCell {
    std::string bytes;         // the first bytes (at most ValueQuery::cell_bytes); raw, not UTF-8
    std::uint64_t length = 0;  // the whole length in bytes

    bool truncated() const { return bytes.size() < length; }
};

// One row of a page. What `name` and `value` hold depends on the kind:
//   hash    field / value          list    index (decimal) / element
//   set     member / (empty)       zset    member / score (Redis's text, e.g. "1.5", "inf")
//   stream  entry id / (empty), its fields in `fields`
struct ValueRow {
    ValueCell name;
    ValueCell value;
    std::vector<std::pair<ValueCell, ValueCell>> fields;  // stream entries only
    std::size_t more_fields = 0;  // stream: fields beyond ValueQuery::kMaxStreamFields
};

// A page of one entry's value.
struct ValuePage {
    // "hash", "list", "set", "zset", "stream" or "string".
    std::string kind;
    // The rows (every kind but "string"), in the server's order: HSCAN/SSCAN order for hashes
    // and sets (a field may repeat across pages if the hash is rehashed meanwhile, as with
    // SCAN), index order for lists, rank or score order for sorted sets, id order for streams.
    std::vector<ValueRow> rows;
    // Strings: `bytes` are the value's bytes from `offset` on (raw).
    std::string bytes;
    // Lists and sorted sets: the index or rank of the first row; strings: the byte offset of
    // `bytes`; 0 otherwise.
    std::uint64_t offset = 0;
    // "" when the value has been read to its end; else pass it back in ValueQuery::cursor.
    std::string cursor;
    // Elements (bytes for a string) of the whole value: HLEN, LLEN, SCARD, ZCARD, XLEN,
    // STRLEN; for a zset by score, the members in the score range (ZCOUNT).
    std::optional<std::uint64_t> total;
    // Streams, on the first page: consumer groups (XINFO STREAM); nullopt otherwise.
    std::optional<std::uint64_t> stream_groups;

    bool complete() const { return cursor.empty(); }
};

// A classic hex dump of `bytes`, one line per 16 bytes: the offset (`offset` + position, at
// least 8 hex digits), the bytes in hex (a gap after the eighth), and the printable ASCII
// between bars (other bytes as '.'). Each line ends with '\n'; "" for no bytes.
TWAT_CACHE_EXPORT std::string hexDump(std::string_view bytes, std::uint64_t offset = 0);

}  // namespace twat_cache
