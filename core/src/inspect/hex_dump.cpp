// hexDump (twat_cache/value_page.h): the one hex dump of the CLI and the inspector.
#include <cstdio>
#include <string>

#include "twat_cache/value_page.h"

namespace twat_cache {

std::string hexDump(std::string_view bytes, std::uint64_t offset) {
    constexpr std::size_t kPerLine = 16;
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve((bytes.size() / kPerLine + 1) * 79);
    for (std::size_t at = 0; at < bytes.size(); at += kPerLine) {
        const std::string_view line = bytes.substr(at, kPerLine);
        char head[24];
        std::snprintf(head, sizeof head, "%08llx  ", static_cast<unsigned long long>(offset + at));
        out += head;
        for (std::size_t i = 0; i < kPerLine; ++i) {
            if (i < line.size()) {
                const auto u = static_cast<unsigned char>(line[i]);
                out.push_back(kHex[u >> 4]);
                out.push_back(kHex[u & 0xF]);
                out.push_back(' ');
            } else {
                out += "   ";
            }
            if (i == 7) out.push_back(' ');
        }
        out += " |";
        for (const char c : line) {
            const auto u = static_cast<unsigned char>(c);
            out.push_back(u >= 0x20 && u < 0x7f ? c : '.');
        }
        out += "|\n";
    }
    return out;
}

}  // namespace twat_cache
