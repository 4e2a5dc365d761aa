#include "cli_listing.h"

#include <cctype>

#include "cli_format.h"

namespace twat_cache::cli {

std::string keyCell(const EntrySummary& e) {
    if (!e.key_truncated) return e.key_text;
    const std::string length = " (" + humanCount(e.key_bytes) + " bytes)";
    return terminalSafe(e.key_text, Table::kMaxCellChars - length.size()) + length;
}

nlohmann::json columnsJson(const Source& src) {
    nlohmann::json arr = nlohmann::json::array();
    for (const EntryColumn c : src.columns()) arr.push_back(std::string(entryColumnName(c)));
    return arr;
}

std::string columnCell(const EntrySummary& e, EntryColumn column, std::int64_t now) {
    switch (column) {
        case EntryColumn::kKey:
            return keyCell(e);
        case EntryColumn::kSize:
        case EntryColumn::kMemory:
            return humanSize(e.size);
        case EntryColumn::kStored:
            return humanAge(e.stored_ms, now);
        case EntryColumn::kAccessed:
            return humanAge(e.accessed_ms, now);
        case EntryColumn::kExpires:
            return humanAge(e.expires_ms, now);
        case EntryColumn::kTtl:
            return !e.expires_ms          ? "no TTL"
                   : *e.expires_ms <= now ? "expired"
                                          : humanSpan(*e.expires_ms - now);
        case EntryColumn::kHits:
            return e.hits ? std::to_string(*e.hits) : "-";
        case EntryColumn::kTag:
            return e.tag;
        case EntryColumn::kType:
            return e.type;
        case EntryColumn::kLength:
            return e.length ? std::to_string(*e.length) : "-";
        case EntryColumn::kEncoding:
            return e.encoding.empty() ? "-" : e.encoding;
        case EntryColumn::kComputeTime:
            return e.compute_ns ? humanDuration(*e.compute_ns) : "-";
        case EntryColumn::kTimeSaved:
            return e.saved_ns ? humanDuration(*e.saved_ns) : "-";
    }
    return {};
}

void printListing(const Source& src, const std::vector<EntrySummary>& entries, std::int64_t now) {
    const std::vector<EntryColumn> columns = src.columns();
    const bool ids = src.info().kind != SourceKind::kRedis;
    std::vector<std::string> headers;
    std::vector<bool> right;
    for (const EntryColumn c : columns) {
        std::string name(entryColumnName(c));
        for (char& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        headers.push_back(std::move(name));
        right.push_back(c == EntryColumn::kSize || c == EntryColumn::kMemory ||
                        c == EntryColumn::kHits || c == EntryColumn::kLength ||
                        c == EntryColumn::kComputeTime || c == EntryColumn::kTimeSaved);
    }
    if (ids) headers.emplace_back("ID");
    Table t(headers, right);
    for (const auto& e : entries) {
        std::vector<std::string> row;
        for (const EntryColumn c : columns) row.push_back(columnCell(e, c, now));
        if (ids) row.push_back(e.id);
        t.add(std::move(row));
    }
    t.print(stdout);
}

}  // namespace twat_cache::cli
