// analyze: the census of a cache (twat_cache/analysis.h) as tables or JSON
// (docs/INSPECTION.md, "Analysis", has the JSON schema).
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <string>

#include "cli_format.h"
#include "cli_target.h"
#include "commands.h"
#include "twat_cache/analysis.h"
#include "twat_cache/config.h"

namespace twat_cache::cli {

namespace {

struct AnalyzeArgs {
    std::string target;
    std::size_t top = 20;
    std::string budget = "2ms";
    std::size_t page = 1000;
    std::size_t depth = 0;
    std::size_t sample = 0;
    std::string neverHitOlder = "1d";
};

// "2ms", "500us", "0" (off): a duration in microseconds.
Result<std::chrono::microseconds> parseBudget(const std::string& text) {
    if (text == "0" || text == "off") return std::chrono::microseconds{0};
    if (text.size() > 2 && text.ends_with("us")) {
        try {
            std::size_t used = 0;
            const long long us = std::stoll(text.substr(0, text.size() - 2), &used);
            if (used == text.size() - 2 && us >= 0) return std::chrono::microseconds{us};
        } catch (const std::exception&) {
        }
        return Status::invalidArgument("--budget \"" + text + "\" is not a duration");
    }
    auto ms = parseDuration(text);
    if (!ms.ok()) return ms.status().withContext("--budget");
    return std::chrono::duration_cast<std::chrono::microseconds>(*ms);
}

void printCounts(const char* title, const std::map<std::string, AnalysisCount>& m,
                 std::uint64_t totalBytes, const char* emptyName) {
    if (m.empty()) return;
    std::printf("\n%s\n", title);
    Table table({"", "keys", "bytes", "share"});
    for (const auto& [name, c] : m) {
        const double share = totalBytes == 0 ? 0.0
                                             : 100.0 * static_cast<double>(c.bytes) /
                                                   static_cast<double>(totalBytes);
        char pct[16];
        std::snprintf(pct, sizeof(pct), "%.1f %%", share);
        table.add({name.empty() ? emptyName : name, humanCount(c.keys), humanSize(c.bytes), pct});
    }
    table.print(stdout);
}

void printTop(const char* title, const std::vector<AnalysisEntry>& entries) {
    if (entries.empty()) return;
    std::printf("\n%s\n", title);
    Table table({"key", "type", "bytes", "length"});
    for (const auto& e : entries) {
        table.add({terminalSafe(e.key), e.type, humanSize(e.bytes),
                   e.length ? humanCount(*e.length) : std::string("-")});
    }
    table.print(stdout);
}

// A value per byte, readable: "1.5 ms/KiB" (ns a byte, scaled to a KiB).
std::string perKiB(double nsPerByte) {
    return humanDuration(static_cast<std::uint64_t>(std::llround(nsPerByte * 1024.0))) + "/KiB";
}

void printValue(const char* title, const std::vector<AnalysisEntry>& entries) {
    if (entries.empty()) return;
    std::printf("\n%s\n", title);
    Table table({"key", "bytes", "hits", "value", "per KiB"});
    for (const auto& e : entries) {
        table.add({terminalSafe(e.key), humanSize(e.bytes),
                   e.hits ? humanCount(*e.hits) : std::string("-"),
                   humanDuration(e.value_ns.value_or(0)), perKiB(e.value_per_byte.value_or(0))});
    }
    table.print(stdout);
}

// The value ranking and the entries never hit, or that the source records neither.
void printValueSection(const AnalysisReport& r, const std::string& olderText) {
    if (r.value_recorded) {
        printValue("most valuable (time saved per byte)", r.top_by_value);
        printValue("least valuable (pruned first by prune --by value)", r.least_by_value);
    } else {
        std::printf(
            "\nvalue (time saved per byte): not recorded (no entry records its compute "
            "time)\n");
    }
    if (r.never_hit) {
        std::printf("never hit, stored over %s ago: %s keys, %s\n", olderText.c_str(),
                    humanCount(r.never_hit->keys).c_str(), humanSize(r.never_hit->bytes).c_str());
    } else {
        std::printf("never hit: not recorded (the source counts no hits per entry)\n");
    }
}

void printText(const std::string& name, const AnalysisReport& r, const AnalysisOptions& o) {
    std::printf("%s of %s: %s keys, %s (%s) in %.1f s", r.sampled ? "sampled analysis" : "census",
                terminalSafe(name).c_str(), humanCount(r.keys).c_str(), humanSize(r.bytes).c_str(),
                r.complete ? "complete" : "incomplete",
                static_cast<double>(r.elapsed.count()) / 1000.0);
    if (o.budget.count() > 0 && r.idle_round_trip.count() > 0) {
        std::printf("; latency budget %.1f ms, idle round trip %.2f ms",
                    static_cast<double>(o.budget.count()) / 1000.0,
                    static_cast<double>(r.idle_round_trip.count()) / 1000.0);
    }
    std::printf("\n");
    if (r.sampled) {
        std::printf(
            "estimated from a random sample of %s of %s keys: every figure is an estimate; "
            "bytes %s to %s (95 %% interval)\n",
            humanCount(r.sample_size).c_str(), humanCount(r.population).c_str(),
            humanSize(static_cast<std::uint64_t>(r.bytes_interval.low)).c_str(),
            humanSize(static_cast<std::uint64_t>(r.bytes_interval.high)).c_str());
    }
    // Namespaces: the first two levels, largest first as the tree orders them.
    if (!r.namespaces.nodes.empty()) {
        std::printf("\nnamespaces (first two levels)\n");
        Table table({"prefix", "keys", "bytes"});
        std::size_t shown = 0;
        for (const auto& n : r.namespaces.nodes) {
            if (n.depth > 2 || shown == 40) continue;
            const std::string indent(2 * (n.depth - 1), ' ');
            const std::string label = n.other            ? n.prefix + " (other)"
                                      : n.prefix.empty() ? std::string("(no namespace)")
                                                         : n.prefix;
            table.add({indent + terminalSafe(label), humanCount(n.keys), humanSize(n.bytes)});
            ++shown;
        }
        table.print(stdout);
    }
    if (!r.nodes.empty()) {
        std::printf("\ncluster masters\n");
        Table table({"node", "keys", "bytes"});
        for (const auto& n : r.nodes) {
            table.add({n.address, humanCount(n.count.keys), humanSize(n.count.bytes)});
        }
        table.print(stdout);
    }
    printCounts("types", r.types, r.bytes, "(entries)");
    printCounts("time to live", r.ttl_buckets, r.bytes, "");
    printCounts("age (stored)", r.age_buckets, r.bytes, "");
    printCounts("tags", r.tags, r.bytes, "");
    std::printf("\nexpiring within the hour: %s keys, %s\n",
                humanCount(r.expiring_within_hour.keys).c_str(),
                humanSize(r.expiring_within_hour.bytes).c_str());
    printTop("largest", r.top_by_bytes);
    printTop("longest", r.top_by_length);
    printValueSection(r, humanSpan(r.never_hit_older.count()));
}

int runAnalyze(const CliState& state, const AnalyzeArgs& a) {
    auto budget = parseBudget(a.budget);
    if (!budget.ok()) {
        std::fprintf(stderr, "twat-cache: %s\n", budget.status().message().c_str());
        return kExitUsage;
    }
    auto neverHitOlder = parseDuration(a.neverHitOlder);
    if (!neverHitOlder.ok()) {
        std::fprintf(stderr, "twat-cache: %s\n",
                     neverHitOlder.status().withContext("--never-hit-older").message().c_str());
        return kExitUsage;
    }
    auto src = openTarget(state, a.target, true, a.depth);
    if (!src.ok()) return fail(src.status());
    AnalysisOptions o;
    o.top = a.top;
    o.budget = *budget;
    o.page_limit = a.page;
    o.sample = a.sample;
    o.never_hit_older = *neverHitOlder;
    o.separator = (*src)->info().kind == SourceKind::kRedis ? state.separator : "/";
    if (a.depth > 0) o.namespace_max_depth = a.depth;
    const bool live = ::isatty(STDERR_FILENO) == 1 && !state.json;
    auto report = analyze(**src, o, nullptr, [live](const AnalysisProgress& p) {
        if (!live) return;
        std::fprintf(stderr, "\rvisited %s%s keys (%s/s)   ", humanCount(p.visited).c_str(),
                     p.total ? (" of ~" + humanCount(*p.total)).c_str() : "",
                     humanCount(static_cast<std::uint64_t>(p.per_second)).c_str());
    });
    if (live) std::fprintf(stderr, "\r%60s\r", "");
    if (!report.ok()) return fail(report.status());
    const AnalysisReport& r = *report;
    if (state.json) {
        std::printf("%s\n", analysisJson(r, (*src)->info().name, o.budget).c_str());
    } else {
        printText((*src)->info().name, r, o);
    }
    return kExitOk;
}

}  // namespace

void addAnalyzeCommand(CLI::App& app, CliState& state) {
    auto args = std::make_shared<AnalyzeArgs>();
    auto* cmd = app.add_subcommand(
        "analyze", "Census of a cache: keys and bytes per namespace, type, TTL; the largest");
    cmd->add_option("TARGET", args->target, "Cache name, folder or Redis URL")->required();
    cmd->add_option("--top", args->top, "Entries in each top list (default 20)")
        ->check(CLI::Range(std::size_t{0}, std::size_t{10'000}));
    cmd->add_option("--budget", args->budget,
                    "Extra latency a Redis server's other clients may see (default 2ms; 0: off)");
    cmd->add_option("--page", args->page, "Entries per request at most (default 1000)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}));
    cmd->add_option("--sample", args->sample,
                    "Estimate from a random sample of about N keys (Redis), with 95% intervals")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
    cmd->add_option("--depth", args->depth, "Namespace levels to split (default 8)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{64}));
    cmd->add_option("--never-hit-older", args->neverHitOlder,
                    "Count the entries never hit stored longer ago than this (default 1d)");
    cmd->callback([&state, args] { state.exit_code = runAnalyze(state, *args); });
}

}  // namespace twat_cache::cli
