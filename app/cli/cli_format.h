// Output helpers of the twat-cache CLI: humanized sizes and ages, ISO 8601 times, aligned
// tables, and a progress bar for terminals. No dependency beyond the standard library.
//
// Thread safety: the free functions are pure; a ProgressBar belongs to one thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace twat_cache::cli {

// "0 B", "812 B", "1.5 KiB", "23.0 MiB".
std::string humanSize(std::uint64_t bytes);
// "5s", "3m", "2h", "4d" for a span of milliseconds; "-" when unknown.
std::string humanSpan(std::optional<std::int64_t> ms);
// Age relative to `nowMs`: "5m ago", "in 2h"; "-" when unknown.
std::string humanAge(std::optional<std::int64_t> unixMs, std::int64_t nowMs);

// A duration of nanoseconds: "3 h 12 min", "4 min 5 s", "2.5 s", "12.0 ms", "850 us".
std::string humanDuration(std::uint64_t ns);
// What a cache saved: "saved 3 h 12 min of compute (1,204 hits)"; "time saved: not recorded"
// when the cache records none (`savedNs` nullopt). `extra`: the source's named counts, whose
// "cache.<name>.hits" (a Redis server's caches of ours) are the hits that saved the time,
// rather than `hits`, the server's, which count every client's reads of every key.
std::string timeSavedSentence(std::optional<std::uint64_t> savedNs,
                              std::optional<std::uint64_t> hits,
                              const std::vector<std::pair<std::string, std::uint64_t>>& extra = {});
// Nanoseconds as seconds for JSON (a number), or null when not recorded: "compute_time_s".
std::optional<double> secondsOf(std::optional<std::uint64_t> ns);

// "1,234,567": digits grouped by thousands.
std::string humanCount(std::uint64_t n);
// How far one listing call got: "scanned 120,000 of ~300,000 keys (time budget spent)",
// "scanned 5,000 entries (complete)". `total` nullopt: not known; `noun` names what is scanned.
std::string scanProgress(std::uint64_t scanned, std::optional<std::uint64_t> total, bool complete,
                         bool budgetSpent, const std::string& noun);

// `text` safe to print on a terminal: control characters (C0, DEL, C1) escaped as \n, \t,
// \r, \xNN or \uNNNN, so that no key or value can move the cursor, clear the screen or hide
// lines; cut after `maxChars` characters with "…".
std::string terminalSafe(std::string_view text, std::size_t maxChars = 4096);

// Columns padded to their widest cell; numeric columns right-aligned. Cells pass through
// terminalSafe() and are cut at kMaxCellChars.
class Table {
  public:
    static constexpr std::size_t kMaxCellChars = 160;
    explicit Table(std::vector<std::string> headers, std::vector<bool> rightAligned = {});
    void add(std::vector<std::string> row);
    void print(std::FILE* out) const;

  private:
    std::vector<std::string> m_headers;
    std::vector<bool> m_right;
    std::vector<std::vector<std::string>> m_rows;
};

// A one-line progress bar redrawn in place on a terminal; silent when disabled.
class ProgressBar {
  public:
    explicit ProgressBar(bool enabled) : m_enabled(enabled) {}
    ~ProgressBar();
    void update(std::uint64_t done, std::uint64_t total);

  private:
    bool m_enabled;
    bool m_drawn = false;
};

bool stdoutIsTerminal();
bool stdinIsTerminal();

}  // namespace twat_cache::cli
