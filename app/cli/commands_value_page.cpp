// inspect --entry KEY --page: one page of an entry's value (Source::valuePage), as a table, a
// hex dump (strings) or JSON.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_format.h"
#include "cli_target.h"
#include "commands.h"

namespace twat_cache::cli {
using nlohmann::json;

namespace {

// A cut cell shows its real length, as long keys do.
std::string cellText(const ValueCell& c) {
    if (!c.truncated()) return c.bytes;
    const std::string length = " (" + humanCount(c.length) + " bytes)";
    return terminalSafe(c.bytes, Table::kMaxCellChars - length.size()) + length;
}

// Bytes as contiguous lower-case hex, for JSON (values need not be UTF-8).
std::string hexOf(std::string_view bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes) {
        const auto u = static_cast<unsigned char>(c);
        out.push_back(kHex[u >> 4]);
        out.push_back(kHex[u & 0xF]);
    }
    return out;
}

json cellJson(const ValueCell& c) {
    return {{"text", c.bytes},
            {"hex", hexOf(c.bytes)},
            {"length", c.length},
            {"truncated", c.truncated()}};
}

json pageJson(const ValuePage& page) {
    json rows = json::array();
    for (const auto& r : page.rows) {
        json row = {{"name", cellJson(r.name)}};
        if (page.kind == "stream") {
            json fields = json::array();
            for (const auto& [f, v] : r.fields) fields.push_back({cellJson(f), cellJson(v)});
            row["fields"] = fields;
            row["more_fields"] = r.more_fields;
        } else if (page.kind != "set") {
            row["value"] = cellJson(r.value);
        }
        rows.push_back(row);
    }
    json j = {{"kind", page.kind},
              {"offset", page.offset},
              {"cursor", page.cursor.empty() ? json(nullptr) : json(page.cursor)},
              {"total", page.total ? json(*page.total) : json(nullptr)},
              {"complete", page.complete()}};
    if (page.kind == "string") {
        j["hex"] = hexOf(page.bytes);
        j["bytes"] = page.bytes.size();
    } else {
        j["rows"] = rows;
    }
    if (page.stream_groups) j["groups"] = *page.stream_groups;
    return j;
}

}  // namespace

int runValuePage(const CliState& state, Source& src, const std::string& entry,
                 const ValueQuery& query) {
    auto page = src.valuePage(entry, query);
    if (!page.ok()) return fail(page.status());
    if (state.json) {
        printJson(pageJson(*page));
        return kExitOk;
    }
    const ValuePage& p = *page;
    std::uint64_t shown = p.rows.size();
    if (p.kind == "string") {
        std::fputs(hexDump(p.bytes, p.offset).c_str(), stdout);
        shown = p.bytes.size();
    } else {
        const bool stream = p.kind == "stream";
        Table t(p.kind == "hash"   ? std::vector<std::string>{"FIELD", "VALUE"}
                : p.kind == "list" ? std::vector<std::string>{"INDEX", "VALUE"}
                : p.kind == "zset" ? std::vector<std::string>{"MEMBER", "SCORE"}
                : stream           ? std::vector<std::string>{"ID", "FIELDS"}
                                   : std::vector<std::string>{"MEMBER"},
                {false, p.kind == "zset"});
        for (const auto& r : p.rows) {
            if (stream) {
                std::string fields;
                for (const auto& [f, v] : r.fields) {
                    fields += (fields.empty() ? "" : ", ") + cellText(f) + "=" + cellText(v);
                }
                if (r.more_fields > 0) fields += ", … (" + humanCount(r.more_fields) + " more)";
                t.add({cellText(r.name), fields});
            } else if (p.kind == "set") {
                t.add({cellText(r.name)});
            } else {
                t.add({cellText(r.name), cellText(r.value)});
            }
        }
        t.print(stdout);
    }
    const char* noun = p.kind == "string" ? "bytes" : "rows";
    std::printf("%s %s", humanCount(shown).c_str(), noun);
    if (p.kind == "list" || p.kind == "zset" || p.kind == "string") {
        std::printf(" from %s %s", p.kind == "string" ? "offset" : "index",
                    humanCount(p.offset).c_str());
    }
    if (p.total) std::printf(" of %s", humanCount(*p.total).c_str());
    if (p.stream_groups) std::printf("; %s consumer groups", humanCount(*p.stream_groups).c_str());
    std::printf("%s\n", p.complete() ? " (end)" : "");
    if (!p.complete()) std::printf("more: --cursor %s\n", p.cursor.c_str());
    return kExitOk;
}

}  // namespace twat_cache::cli
