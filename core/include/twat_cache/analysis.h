// Analysis: where a cache's entries and bytes are — a census of every entry of a Source,
// aggregated in bounded memory (docs/INSPECTION.md, "Analysis").
//
// analyze() walks the source's whole listing (Source::entries pages, so every source kind
// works the same way: Redis keys with their type, MEMORY USAGE and TTL; diskcache, joblib,
// folder and native entries with their stored size, age, expiry and tag) and adds each entry
// to fixed-size aggregates: totals, a namespace tree (prefixes up to each separator, bounded
// as NamespaceReport is; for folders their paths, for joblib each call's module/…/function), per
// type, per tag, TTL buckets, age buckets, the entries expiring within the hour or already expired,
// and the top N by bytes and by length. Where the source records compute times (EntrySummary::
// compute_ns), the N most and N least valuable entries by value per byte (the order of `prune
// --by value`); where it counts hits per entry, the entries never hit that are older than a
// threshold. Nothing per entry is kept beyond the top N, so a census of 10 million entries holds
// about what one of 100 thousand does.
//
// Sampling: with options.sample = N the source draws N random entries (Source::sample) and
// every figure is an estimate with a 95 % confidence interval: cheap on a keyspace of
// billions, at the price of exactness (docs/INSPECTION.md, "Analysis").
//
// Latency budget (servers): with `budget` > 0 each page is sized so that the server's work for
// it — the page's time less the idle round trip, the quickest of three one-entry pages at the
// start (the first also pays for the connection) — stays within the budget, and the walk
// pauses after each page for as long as that work took, so that other clients of the server
// never wait behind more than one page of ours and get at least half of its time. A page that
// overran the budget halves the next one; pages well within it grow.
// Never KEYS, never a blocking command (the listing is SCAN and pipelined reads).
//
// Control: an AnalysisControl shared with another thread pauses, resumes and cancels the walk
// between pages; `progress` is called after each page. A cancelled analysis returns what it
// has counted, with complete = false.
//
// Thread safety: analyze() uses the source from the calling thread only (as Source requires);
// AnalysisControl's flags may be set from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "twat_cache/clock.h"
#include "twat_cache/export.h"
#include "twat_cache/inspect.h"
#include "twat_cache/status.h"

namespace twat_cache {

struct AnalysisOptions {
    std::size_t top = 20;  // entries kept in each "top" list
    // Extra latency the walk may cause other clients of a server (0: none is measured, pages
    // are as large as page_limit and back to back).
    std::chrono::microseconds budget{2000};
    std::size_t page_limit = 1000;  // entries per page at most (and to start with)
    // 0: a census of every entry. N: estimates from a uniform random sample of about N
    // entries (Source::sample; Redis only), each total with a 95 % confidence interval.
    std::size_t sample = 0;
    std::string separator = ":";  // namespace separator of key texts ("/" for paths)
    std::size_t namespace_max_depth = 8;
    std::size_t namespace_max_children = 1000;
    std::size_t namespace_max_nodes = 50'000;
    std::shared_ptr<Clock> clock{};  // "now" for ages and TTLs; null: Clock::system()
    // AnalysisReport::never_hit counts the entries without a hit stored longer ago than this.
    std::chrono::milliseconds never_hit_older{std::chrono::hours(24)};
};

// Pause, resume, cancel from another thread (checked between pages).
struct AnalysisControl {
    std::atomic<bool> paused{false};
    std::atomic<bool> cancelled{false};
};

struct AnalysisProgress {
    std::uint64_t visited = 0;                 // entries counted so far
    std::optional<std::uint64_t> total;        // about how many the whole walk visits
    double per_second = 0;                     // visiting rate so far
    std::size_t page_limit = 0;                // entries the next page asks for
    std::chrono::microseconds server_work{0};  // the last page's time less the idle round trip
    bool paused = false;
};

// A 95 % confidence interval of an estimated total (a sampled analysis).
struct AnalysisInterval {
    double low = 0;
    double high = 0;
};

struct AnalysisCount {
    std::uint64_t keys = 0;
    std::uint64_t bytes = 0;
    // Sampled: the intervals of `keys` and `bytes` (both then estimates).
    std::optional<AnalysisInterval> keys_interval;
    std::optional<AnalysisInterval> bytes_interval;
};

// One entry of a "top" list.
struct AnalysisEntry {
    std::string key;   // the entry's key text (as listed: bounded, valid UTF-8)
    std::string type;  // Redis type, or "" for other sources
    std::uint64_t bytes = 0;
    std::optional<std::uint64_t> length;  // elements of a collection, bytes of a string
    // The value lists (AnalysisReport::top_by_value, least_by_value): the entry's value in
    // nanoseconds — the time it saved (EntrySummary::saved_ns: hits x compute time) or, where the
    // source counts no hits, its compute time (what its next hit saves) — and that value per
    // stored byte; nullopt elsewhere.
    std::optional<std::uint64_t> value_ns{};
    std::optional<double> value_per_byte{};
    std::optional<std::uint64_t> hits{};  // its hits, where the source counts them
};

// One master of a Redis Cluster with the entries it holds (AnalysisReport::nodes).
struct AnalysisNode {
    std::string address;  // "host:port", as the cluster announces it
    AnalysisCount count;  // its keys and bytes (sampled: estimates with their intervals)
};

struct AnalysisReport {
    std::uint64_t keys = 0;   // entries visited
    std::uint64_t bytes = 0;  // their sizes (Redis: MEMORY USAGE; files: stored bytes)
    bool complete = false;    // every entry was visited (not cancelled, no error)
    // Sampled (options.sample > 0): the figures are estimates for the whole source (each
    // sampled entry stands for population / sample_size entries) and every count has its
    // 95 % interval (normal approximation: a proportion's for key counts, the sample mean's
    // for bytes). The top lists are the largest entries the sample met.
    bool sampled = false;
    std::uint64_t sample_size = 0;    // entries drawn (and still present when described)
    std::uint64_t population = 0;     // entries in the source when the sample was drawn
    AnalysisInterval bytes_interval;  // of `bytes`, when sampled
    // When sampled, the intervals of namespaces.nodes[i] (keys, bytes), index for index.
    std::vector<AnalysisCount> namespace_intervals;
    NamespaceReport namespaces;                  // keys and bytes per prefix
    std::map<std::string, AnalysisCount> types;  // Redis type ("" elsewhere) -> count
    std::map<std::string, AnalysisCount> tags;   // diskcache tags (entries with one)
    // TTL buckets: "none", "lt_1h", "lt_1d", "lt_7d", "ge_7d" (time left), and "expired"
    // (still present past its expiry: caches that expire lazily).
    std::map<std::string, AnalysisCount> ttl_buckets;
    // Age buckets by stored time, where the source records it: "lt_1h", "lt_1d", "lt_7d",
    // "lt_30d", "ge_30d"; empty for Redis.
    std::map<std::string, AnalysisCount> age_buckets;
    AnalysisCount expiring_within_hour;
    std::vector<AnalysisEntry> top_by_bytes;   // largest first
    std::vector<AnalysisEntry> top_by_length;  // longest first (entries with a length)
    // Value per byte (see AnalysisEntry::value_ns), among the entries that record a compute
    // time: the most valuable first, and the least valuable first (the entries `prune --by
    // value` removes first, after those that record none; ties in key order). value_recorded is
    // false, and both lists empty, when no entry records a compute time: "not recorded", not 0.
    bool value_recorded = false;
    std::vector<AnalysisEntry> top_by_value;
    std::vector<AnalysisEntry> least_by_value;
    // Entries with no hit stored more than options.never_hit_older ago (never_hit_older); nullopt
    // when the source counts no hits per entry (Redis, joblib, folders, our files engine).
    std::optional<AnalysisCount> never_hit;
    std::chrono::milliseconds never_hit_older{0};
    // A Redis Cluster: the entries per master (EntrySummary::node: the master serving each
    // key's slot when it was read), by address; their keys and bytes add up to the totals.
    // Empty for every other source.
    std::vector<AnalysisNode> nodes;
    std::chrono::milliseconds elapsed{0};
    std::chrono::microseconds idle_round_trip{0};  // measured before the walk (budget on)
};

using AnalysisProgressFn = std::function<void(const AnalysisProgress&)>;

// The census of `source` (see above). Errors of the source end it: the Status is returned.
TWAT_CACHE_EXPORT Result<AnalysisReport> analyze(Source& source, const AnalysisOptions& options,
                                                 AnalysisControl* control = nullptr,
                                                 const AnalysisProgressFn& progress = {});

// The report as one JSON document, the one `twat-cache analyze --json` prints (its schema is in
// docs/INSPECTION.md, "Analysis"): `source` names the analyzed source and `budget` is the
// options' latency budget (both recorded in the document). Indented by two spaces; text that
// is not valid UTF-8 is replaced, never an error.
TWAT_CACHE_EXPORT std::string analysisJson(const AnalysisReport& report, const std::string& source,
                                           std::chrono::microseconds budget);

}  // namespace twat_cache
