// Output helpers of the CLI.
#include "cli_format.h"

#include <unistd.h>

#include <algorithm>
#include <cinttypes>

namespace twat_cache::cli {

std::string humanSize(std::uint64_t bytes) {
    static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    if (bytes < 1024) return std::to_string(bytes) + " B";
    double v = static_cast<double>(bytes);
    std::size_t unit = 0;
    while (v >= 1024.0 && unit + 1 < std::size(kUnits)) {
        v /= 1024.0;
        ++unit;
    }
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.1f %s", v, kUnits[unit]);
    return buf;
}

std::string humanSpan(std::optional<std::int64_t> ms) {
    if (!ms) return "-";
    const std::int64_t s = std::max<std::int64_t>(0, *ms) / 1000;
    if (s < 120) return std::to_string(s) + "s";
    if (s < 7200) return std::to_string(s / 60) + "m";
    if (s < 172800) return std::to_string(s / 3600) + "h";
    return std::to_string(s / 86400) + "d";
}

std::string humanAge(std::optional<std::int64_t> unixMs, std::int64_t nowMs) {
    if (!unixMs) return "-";
    const std::int64_t delta = nowMs - *unixMs;
    return delta >= 0 ? humanSpan(delta) + " ago" : "in " + humanSpan(-delta);
}

Table::Table(std::vector<std::string> headers, std::vector<bool> rightAligned)
    : m_headers(std::move(headers)), m_right(std::move(rightAligned)) {
    m_right.resize(m_headers.size(), false);
}

std::string terminalSafe(std::string_view text, std::size_t maxChars) {
    std::string out;
    out.reserve(std::min(text.size(), maxChars + 8));
    std::size_t chars = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (chars == maxChars) {
            out += "…";
            break;
        }
        const auto c = static_cast<unsigned char>(text[i]);
        char buf[8];
        if (c == '\n' || c == '\t' || c == '\r') {
            out += c == '\n' ? "\\n" : c == '\t' ? "\\t" : "\\r";
        } else if (c < 0x20 || c == 0x7F) {
            std::snprintf(buf, sizeof(buf), "\\x%02x", c);
            out += buf;
        } else if (c == 0xC2 && i + 1 < text.size() &&
                   static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                   static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
            // C1 controls (U+0080..U+009F): some terminals take U+009B for CSI.
            std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned char>(text[++i]));
            out += buf;
        } else {
            out += static_cast<char>(c);
            if ((c & 0xC0) == 0x80) continue;  // a continuation byte: same character
        }
        ++chars;
    }
    return out;
}

void Table::add(std::vector<std::string> row) {
    row.resize(m_headers.size());
    // No cell may move the cursor or clear the screen, nor pad a column without bound.
    for (auto& cell : row) cell = terminalSafe(cell, kMaxCellChars);
    m_rows.push_back(std::move(row));
}

std::string humanDuration(std::uint64_t ns) {
    constexpr std::uint64_t kUs = 1'000, kMs = 1'000'000, kS = 1'000'000'000;
    constexpr std::uint64_t kMin = 60 * kS, kHour = 60 * kMin;
    char buf[64];
    if (ns >= kHour) {
        std::snprintf(buf, sizeof(buf), "%llu h %llu min",
                      static_cast<unsigned long long>(ns / kHour),
                      static_cast<unsigned long long>(ns % kHour / kMin));
    } else if (ns >= kMin) {
        std::snprintf(buf, sizeof(buf), "%llu min %llu s",
                      static_cast<unsigned long long>(ns / kMin),
                      static_cast<unsigned long long>(ns % kMin / kS));
    } else if (ns >= kS) {
        std::snprintf(buf, sizeof(buf), "%.1f s",
                      static_cast<double>(ns) / static_cast<double>(kS));
    } else if (ns >= kMs) {
        std::snprintf(buf, sizeof(buf), "%.1f ms",
                      static_cast<double>(ns) / static_cast<double>(kMs));
    } else {
        std::snprintf(buf, sizeof(buf), "%llu us", static_cast<unsigned long long>(ns / kUs));
    }
    return buf;
}

std::string timeSavedSentence(std::optional<std::uint64_t> savedNs,
                              std::optional<std::uint64_t> hits,
                              const std::vector<std::pair<std::string, std::uint64_t>>& extra) {
    if (!savedNs) return "time saved: not recorded";
    std::optional<std::uint64_t> ours;
    for (const auto& [name, value] : extra) {
        if (name.starts_with("cache.") && name.ends_with(".hits")) ours = ours.value_or(0) + value;
    }
    if (ours) hits = ours;
    std::string out = "saved " + humanDuration(*savedNs) + " of compute";
    if (hits) out += " (" + humanCount(*hits) + (*hits == 1 ? " hit)" : " hits)");
    return out;
}

std::optional<double> secondsOf(std::optional<std::uint64_t> ns) {
    if (!ns) return std::nullopt;
    return static_cast<double>(*ns) / 1e9;
}

std::string humanCount(std::uint64_t n) {
    std::string digits = std::to_string(n);
    for (std::size_t at = digits.size(); at > 3; at -= 3) digits.insert(at - 3, 1, ',');
    return digits;
}

std::string scanProgress(std::uint64_t scanned, std::optional<std::uint64_t> total, bool complete,
                         bool budgetSpent, const std::string& noun) {
    std::string out = "scanned " + humanCount(scanned);
    out += total ? " of ~" + humanCount(*total) + " " + noun : " " + noun;
    if (complete) {
        out += " (complete)";
    } else if (budgetSpent) {
        out += " (time budget spent)";
    }
    return out;
}

void Table::print(std::FILE* out) const {
    // Widths count UTF-8 code points so that non-ASCII keys stay aligned.
    auto width = [](const std::string& s) {
        return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
            return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
        }));
    };
    std::vector<std::size_t> w(m_headers.size());
    for (std::size_t c = 0; c < m_headers.size(); ++c) w[c] = width(m_headers[c]);
    for (const auto& r : m_rows) {
        for (std::size_t c = 0; c < r.size(); ++c) w[c] = std::max(w[c], width(r[c]));
    }
    auto line = [&](const std::vector<std::string>& r) {
        std::string s;
        for (std::size_t c = 0; c < r.size(); ++c) {
            const std::string pad(w[c] - width(r[c]), ' ');
            const bool last = c + 1 == r.size();
            s += m_right[c] ? pad + r[c] : r[c] + (last ? "" : pad);
            if (!last) s += "  ";
        }
        std::fprintf(out, "%s\n", s.c_str());
    };
    line(m_headers);
    for (const auto& r : m_rows) line(r);
}

ProgressBar::~ProgressBar() {
    if (m_drawn) std::fprintf(stdout, "\n");
}

void ProgressBar::update(std::uint64_t done, std::uint64_t total) {
    if (!m_enabled || total == 0) return;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(done * kWidth / total);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kWidth, '.');
    std::fprintf(stdout, "\r[%s] %" PRIu64 "/%" PRIu64, bar.c_str(), done, total);
    std::fflush(stdout);
    m_drawn = true;
}

bool stdoutIsTerminal() {
    return ::isatty(STDOUT_FILENO) != 0;
}
bool stdinIsTerminal() {
    return ::isatty(STDIN_FILENO) != 0;
}

}  // namespace twat_cache::cli
