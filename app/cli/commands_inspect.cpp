// list, stats, inspect, clear and prune: the inspection layer on the command line.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli_format.h"
#include "cli_listing.h"
#include "cli_target.h"
#include "commands.h"
#include "twat_cache/clock.h"
#include "twat_cache/config.h"
#include "twat_cache/inspect.h"
#include "twat_cache/listing_export.h"
#include "twat_cache/log.h"

namespace twat_cache::cli {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

int runList(const CliState& state) {
    auto root = rootOf(state);
    if (!root.ok()) return fail(root.status());
    std::error_code ec;
    if (!fs::exists(*root, ec) && !ec) {
        // A new machine: nothing has cached anything yet. Not an error.
        if (state.json) {
            printJson(json::array());
        } else {
            std::printf(
                "No caches yet under %s (the folder does not exist; a persistent cache "
                "creates it when it first stores).\n",
                root->string().c_str());
        }
        return kExitOk;
    }
    auto all = Discovery::scan(*root);
    if (!all.ok()) return fail(all.status());
    if (state.json) {
        json arr = json::array();
        for (const auto& i : *all) {
            arr.push_back({{"name", i.name},
                           {"kind", sourceKindName(i.kind)},
                           {"path", i.path.string()},
                           {"entries", optionalJson(i.entries)},
                           {"bytes", optionalJson(i.bytes)}});
        }
        printJson(arr);
        return kExitOk;
    }
    Table t({"NAME", "KIND", "ENTRIES", "SIZE", "PATH"}, {false, false, true, true, false});
    for (const auto& i : *all) {
        t.add({i.name, std::string(sourceKindName(i.kind)),
               i.entries ? std::to_string(*i.entries) : "-", i.bytes ? humanSize(*i.bytes) : "-",
               i.path.string() + (state.verbose && !i.note.empty() ? "  (" + i.note + ")" : "")});
    }
    t.print(stdout);
    return kExitOk;
}

// A Redis Cluster's nodes (SourceStats::nodes) for --json.
json nodesJson(const std::vector<NodeStats>& nodes) {
    json arr = json::array();
    for (const auto& n : nodes) {
        arr.push_back({{"address", n.address},
                       {"role", n.role},
                       {"master", n.master.empty() ? json(nullptr) : json(n.master)},
                       {"slots", n.slot_ranges},
                       {"slot_count", n.slot_count},
                       {"keys", optionalJson(n.keys)},
                       {"memory", optionalJson(n.memory_bytes)},
                       {"hits", optionalJson(n.hits)},
                       {"misses", optionalJson(n.misses)},
                       {"error", n.error.empty() ? json(nullptr) : json(n.error)}});
    }
    return arr;
}

// The same as a table: masters by first slot, each followed by its replicas.
void printNodes(const std::vector<NodeStats>& nodes) {
    const bool errors = std::any_of(nodes.begin(), nodes.end(),
                                    [](const NodeStats& n) { return !n.error.empty(); });
    std::vector<std::string> headers = {"NODE",   "ROLE", "SLOTS", "KEYS",
                                        "MEMORY", "HITS", "MISSES"};
    std::vector<bool> right = {false, false, false, true, true, true, true};
    if (errors) {
        headers.emplace_back("ERROR");
        right.push_back(false);
    }
    Table t(std::move(headers), std::move(right));
    auto num = [](const std::optional<std::uint64_t>& v) {
        return v ? std::to_string(*v) : std::string("-");
    };
    for (const auto& n : nodes) {
        std::vector<std::string> row = {
            n.address,
            n.role == "replica" ? "replica of " + n.master : n.role,
            n.slot_ranges.empty() ? "-" : n.slot_ranges + " (" + std::to_string(n.slot_count) + ")",
            num(n.keys),
            n.memory_bytes ? humanSize(*n.memory_bytes) : "-",
            num(n.hits),
            num(n.misses)};
        if (errors) row.push_back(n.error);
        t.add(std::move(row));
    }
    t.print(stdout);
}

int runStats(const CliState& state, const std::string& target) {
    auto src = openTarget(state, target, true);
    if (!src.ok()) return fail(src.status());
    auto st = (*src)->stats();
    if (!st.ok()) return fail(st.status());
    const SourceInfo info = (*src)->info();
    const auto ratio = st->hitRatio();
    if (state.json) {
        json j = {{"name", info.name},
                  {"kind", sourceKindName(info.kind)},
                  {"entries", optionalJson(st->entries)},
                  {"bytes", optionalJson(st->bytes)},
                  {"hits", optionalJson(st->hits)},
                  {"misses", optionalJson(st->misses)},
                  {"hit_ratio", ratio ? json(*ratio) : json(nullptr)},
                  {"evictions", optionalJson(st->evictions)},
                  {"compute_time_s", optionalJson(secondsOf(st->compute_ns))},
                  {"time_saved_s", optionalJson(secondsOf(st->saved_ns))},
                  {"note", st->note}};
        json extra = json::object();
        for (const auto& [name, value] : st->extra) extra[name] = value;
        j["extra"] = extra;
        if (!st->nodes.empty()) j["nodes"] = nodesJson(st->nodes);
        if (info.kind == SourceKind::kRedis)
            j["url"] = info.url;
        else
            j["path"] = info.path.string();
        printJson(j);
        return kExitOk;
    }
    auto num = [](const std::optional<std::uint64_t>& v) {
        return v ? std::to_string(*v) : std::string("not recorded");
    };
    Table t({"FIELD", "VALUE"});
    t.add({"name", info.name});
    t.add({"kind", std::string(sourceKindName(info.kind))});
    t.add({info.kind == SourceKind::kRedis ? "url" : "path",
           info.kind == SourceKind::kRedis ? info.name : info.path.string()});
    t.add({"entries", num(st->entries)});
    t.add({"size", st->bytes ? humanSize(*st->bytes) : "not recorded"});
    t.add({"hits", num(st->hits)});
    t.add({"misses", num(st->misses)});
    char buf[32];
    if (ratio) std::snprintf(buf, sizeof(buf), "%.1f%%", *ratio * 100.0);
    t.add({"hit ratio", ratio ? buf : "-"});
    t.add({"evictions", num(st->evictions)});
    t.add({"compute time", st->compute_ns ? humanDuration(*st->compute_ns) : "not recorded"});
    t.add({"time saved", st->saved_ns ? humanDuration(*st->saved_ns) : "not recorded"});
    for (const auto& [name, value] : st->extra) t.add({name, std::to_string(value)});
    if (!st->note.empty()) t.add({"note", st->note});
    t.print(stdout);
    std::printf("%s\n", timeSavedSentence(st->saved_ns, st->hits, st->extra).c_str());
    if (!st->nodes.empty()) {
        std::printf("\n");
        printNodes(st->nodes);
    }
    return kExitOk;
}

struct InspectArgs {
    std::string target, cursor, match, entry;
    std::string type;  // --type: Redis, only keys of this type
    std::string sort;  // --sort: key, size, stored, accessed, expires, hits ("": natural order)
    bool descending = false;
    std::size_t limit = 50;
    double budget = 1.0;  // --budget: seconds one call may search (0: no limit)
    bool namespaces = false;
    std::size_t depth = 0;  // --depth: namespace levels (0: the core's default)
    bool page = false;      // --page: with --entry, a page of the value (Source::valuePage)
    std::string minScore, maxScore;  // --min-score, --max-score: a zset page by score
    std::size_t bytes = 4096;        // --bytes: a string page's size
    bool all = false;                // --all: every matching entry, streamed (--json-lines/--csv)
    bool jsonLines = false, csv = false;
};

// How far a listing got on each node of a Redis Cluster (EntryPage::nodes).
json scansJson(const std::vector<NodeScan>& nodes) {
    json arr = json::array();
    for (const auto& n : nodes) {
        arr.push_back({{"address", n.address}, {"scanned", n.scanned}, {"done", n.done}});
    }
    return arr;
}

// The namespace tree as nested JSON objects; `nodes` lists parents before children.
json namespaceJson(const NamespaceReport& report) {
    const auto& nodes = report.nodes;
    std::vector<std::vector<std::size_t>> kids(nodes.size());
    std::vector<std::size_t> top;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        (nodes[i].parent == NamespaceReport::kNoParent ? top : kids[nodes[i].parent]).push_back(i);
    }
    std::vector<json> objs(nodes.size());
    // Children come after their parent, so walking backwards finishes them first.
    for (std::size_t i = nodes.size(); i-- > 0;) {
        const auto& n = nodes[i];
        json children = json::array();
        for (const std::size_t k : kids[i]) children.push_back(std::move(objs[k]));
        objs[i] = {{"name", n.name},           {"prefix", n.prefix},
                   {"depth", n.depth},         {"keys", n.keys},
                   {"leaf_keys", n.leaf_keys}, {"bytes", n.bytes},
                   {"other", n.other},         {"children", std::move(children)}};
    }
    json out = json::array();
    for (const std::size_t k : top) out.push_back(std::move(objs[k]));
    return out;
}

// The namespace tree of a Redis keyspace (the whole keyspace is scanned, in bounded steps), or
// of a folder source's paths (joblib: module/function with the calls; folders: directories).
int runNamespaces(const CliState& state, Source& src) {
    const bool redis = src.info().kind == SourceKind::kRedis;
    const std::string separator = redis ? state.separator : "/";
    constexpr std::size_t kStep = 100'000;
    constexpr int kMaxSteps = 100'000;  // bounds the loop; SCAN ends long before
    Result<NamespaceReport> report = src.namespaces(kStep);
    for (int i = 0; i < kMaxSteps && report.ok() && !report->complete; ++i) {
        report = src.namespaces(kStep);
    }
    if (!report.ok()) return fail(report.status());
    if (state.json) {
        printJson({{"namespaces", namespaceJson(*report)},
                   {"keys_scanned", report->keys_scanned},
                   {"complete", report->complete},
                   {"folded_keys", report->folded_keys},
                   {"max_depth", report->max_depth},
                   {"separator", separator}});
        return kExitOk;
    }
    // One row per node, indented by depth; LEAF counts the keys directly at that level.
    std::vector<std::string> headers = {"NAMESPACE", redis ? "KEYS" : "ENTRIES", "LEAF"};
    if (!redis) headers.push_back("SIZE");
    Table t(headers, {false, true, true, true});
    for (const auto& n : report->nodes) {
        std::string label = n.other                            ? n.name
                            : n.depth == 1 && n.prefix.empty() ? std::string("(no namespace)")
                                                               : n.name + separator;
        std::vector<std::string> row = {std::string(2 * (n.depth - 1), ' ') + label,
                                        std::to_string(n.keys), std::to_string(n.leaf_keys)};
        if (!redis) row.push_back(humanSize(n.bytes));
        t.add(std::move(row));
    }
    t.print(stdout);
    std::printf("scanned %llu %s%s, depth %zu",
                static_cast<unsigned long long>(report->keys_scanned), redis ? "keys" : "entries",
                report->complete ? " (complete)" : "", report->max_depth);
    if (report->folded_keys > 0) {
        std::printf("; %llu keys folded into (other)",
                    static_cast<unsigned long long>(report->folded_keys));
    }
    std::printf("\n");
    return kExitOk;
}

int runInspect(const CliState& state, const InspectArgs& a) {
    auto src = openTarget(state, a.target, true, a.depth);
    if (!src.ok()) return fail(src.status());
    const std::int64_t now = Clock::system()->nowMs();
    if (a.namespaces) return runNamespaces(state, **src);
    if (!a.entry.empty() && a.page) {
        ValueQuery q{.cursor = a.cursor, .limit = a.limit, .match = a.match, .bytes = a.bytes};
        if (!a.minScore.empty() || !a.maxScore.empty()) {
            q.zset_order = ValueQuery::ZsetOrder::kScore;
            if (!a.minScore.empty()) q.min_score = a.minScore;
            if (!a.maxScore.empty()) q.max_score = a.maxScore;
        }
        return runValuePage(state, **src, a.entry, q);
    }
    if (!a.entry.empty()) {
        auto d = (*src)->detail(a.entry);
        if (!d.ok()) return fail(d.status());
        const auto& s = d->summary;
        if (state.json) {
            printJson({{"id", s.id},
                       {"key", s.key_text},
                       {"key_bytes", s.key_bytes},
                       {"key_truncated", s.key_truncated},
                       {"size", s.size},
                       {"stored", timeJson(s.stored_ms)},
                       {"accessed", timeJson(s.accessed_ms)},
                       {"expires", timeJson(s.expires_ms)},
                       {"hits", optionalJson(s.hits)},
                       {"tag", s.tag},
                       {"type", s.type},
                       {"length", optionalJson(s.length)},
                       {"encoding", s.encoding},
                       {"value_kind", d->value_kind},
                       {"preview", d->preview},
                       {"truncated", d->truncated},
                       {"note", d->note}});
            return kExitOk;
        }
        Table t({"FIELD", "VALUE"});
        t.add({"key", keyCell(s)});
        t.add({"size", humanSize(s.size)});
        t.add({"stored", humanAge(s.stored_ms, now)});
        t.add({"expires", humanAge(s.expires_ms, now)});
        t.add({"kind", d->value_kind});
        if (!s.encoding.empty()) t.add({"encoding", s.encoding});
        t.add({"preview", d->preview});
        if (!d->note.empty()) t.add({"note", d->note});
        t.print(stdout);
        return kExitOk;
    }
    EntryFilter filter;
    filter.glob = a.match;
    filter.type = a.type;
    const bool redis = (*src)->info().kind == SourceKind::kRedis;
    if (!a.type.empty() && !redis) {
        std::fprintf(stderr, "error: --type applies to Redis; %s entries have no types\n",
                     std::string(sourceKindName((*src)->info().kind)).c_str());
        return kExitUsage;
    }
    filter.time_budget = std::chrono::milliseconds(static_cast<std::int64_t>(a.budget * 1000.0));
    if (!a.sort.empty()) {
        // Refuse an order the source cannot give rather than list unsorted silently.
        static const std::pair<const char*, SortKey> kNames[] = {
            {"key", SortKey::kKey},
            {"size", SortKey::kSize},
            {"stored", SortKey::kStored},
            {"accessed", SortKey::kAccessed},
            {"expires", SortKey::kExpires},
            {"hits", SortKey::kHits},
            {"compute_time", SortKey::kComputeTime},
            {"time_saved", SortKey::kTimeSaved}};
        const auto supported = (*src)->sortKeys();
        std::string names;
        for (const auto& [name, key] : kNames) {
            if (std::find(supported.begin(), supported.end(), key) == supported.end()) continue;
            names += (names.empty() ? "" : ", ") + std::string(name);
            if (a.sort == name) filter.order = key;
        }
        if (filter.order == SortKey::kNone) {
            std::fprintf(stderr, "error: %s cannot sort by %s (%s)\n",
                         std::string(sourceKindName((*src)->info().kind)).c_str(), a.sort.c_str(),
                         names.empty() ? "it lists in its own order only"
                                       : ("it sorts by " + names).c_str());
            return kExitUsage;
        }
        filter.descending = a.descending;
    }
    if (a.all) {
        // Streamed page by page: memory stays bounded however many entries match.
        ListingExportOptions options;
        options.format = a.csv ? ListingFormat::kCsv : ListingFormat::kJsonLines;
        options.filter = filter;
        auto written = writeListing(**src, options, std::cout);
        if (!written.ok()) return fail(written.status());
        return kExitOk;
    }
    auto page = (*src)->entries(a.cursor, a.limit, filter);
    if (!page.ok()) return fail(page.status());
    if (state.json) {
        json arr = json::array();
        for (const auto& e : page->entries) {
            arr.push_back({{"id", e.id},
                           {"key", e.key_text},
                           {"key_bytes", e.key_bytes},
                           {"key_truncated", e.key_truncated},
                           {"size", e.size},
                           {"stored", timeJson(e.stored_ms)},
                           {"accessed", timeJson(e.accessed_ms)},
                           {"expires", timeJson(e.expires_ms)},
                           {"hits", optionalJson(e.hits)},
                           {"tag", e.tag},
                           {"type", e.type},
                           {"length", optionalJson(e.length)},
                           {"encoding", e.encoding},
                           {"compute_time_s", optionalJson(secondsOf(e.compute_ns))},
                           {"time_saved_s", optionalJson(secondsOf(e.saved_ns))},
                           {"ttl_ms", e.expires_ms ? json(*e.expires_ms - now) : json(nullptr)}});
        }
        printJson({{"entries", arr},
                   {"columns", columnsJson(**src)},
                   {"note", page->note},
                   {"cursor", page->cursor.empty() ? json(nullptr) : json(page->cursor)},
                   {"scanned", page->scanned},
                   {"total", optionalJson(page->total)},
                   {"complete", page->complete()},
                   {"budget_spent", page->budget_spent},
                   {"nodes", scansJson(page->nodes)}});
        return kExitOk;
    }
    printListing(**src, page->entries, now);
    if (!page->note.empty()) std::printf("note: %s\n", page->note.c_str());
    const std::size_t shown = page->entries.size();
    const char* noun =
        filter.empty() ? (shown == 1 ? "entry" : "entries") : (shown == 1 ? "match" : "matches");
    std::printf("%s %s; %s\n", humanCount(shown).c_str(), noun,
                scanProgress(page->scanned, page->total, page->complete(), page->budget_spent,
                             redis ? "keys" : "entries")
                    .c_str());
    if (!page->cursor.empty()) {
        std::printf("more: --cursor %s\n", page->cursor.c_str());
    }
    return kExitOk;
}

}  // namespace

void addInspectCommands(CLI::App& app, CliState& state) {
    app.footer(
        "Exit codes: 0 ok, 1 error (also: some entries could not be deleted), 2 usage,\n"
        "3 refused (needs --yes, declined, read-only).\n"
        "TARGET is a cache name under the root, a path to a cache folder, or a Redis URL\n"
        "(redis://[user:password@]host:port/db, unix:///path/to/socket?db=N,\n"
        "redis+sentinel://host:port[,host:port...]/SERVICE/db).");
    app.fallthrough(true);
    app.add_option("--root", state.root, "Cache root (default: TWAT_CACHE_DIR, XDG cache)");
    app.add_flag("--json", state.json, "Machine-readable JSON output");
    app.add_flag("--dry-run", state.dry_run, "Show what would be deleted; change nothing");
    app.add_flag("-y,--yes", state.yes, "Do not ask before deleting");
    app.add_flag("--read-only", state.read_only,
                 "Open caches read-only: destructive commands only show what they would delete "
                 "and exit 3");
    app.add_flag("-v,--verbose", state.verbose, "More detail");
    app.add_option("--separator", state.separator, "Redis key namespace separator (default :)");
    app.add_option("--tls-ca", state.tls_ca,
                   "Redis over TLS: trust the CA(s) in this PEM file (default: the system's)");
    app.add_option("--tls-cert", state.tls_cert, "Redis over TLS: this client's certificate (PEM)");
    app.add_option("--tls-key", state.tls_key,
                   "Redis over TLS: the client certificate's key (PEM; default: in --tls-cert)");
    app.add_flag("--tls-insecure", state.tls_insecure,
                 "Redis over TLS: do not verify the server (test servers only)");
    app.add_option("--ssh", state.ssh, "Reach Redis through an SSH tunnel: user@host[:port]");
    app.add_option("--ssh-key", state.ssh_key,
                   "SSH tunnel: private key file (default: the agent and ~/.ssh/id_*)");
    app.add_option("--ssh-known-hosts", state.ssh_known_hosts,
                   "SSH tunnel: known_hosts file (default: ~/.ssh/known_hosts)");
    app.add_flag("--ssh-accept-new", state.ssh_accept_new,
                 "SSH tunnel: trust an unknown host key and record it in known_hosts");

    app.add_subcommand("list", "List the caches under the root")->callback([&state] {
        state.exit_code = runList(state);
    });

    auto* stats = app.add_subcommand("stats", "Entries, size, hits and misses of a cache");
    auto statsTarget = std::make_shared<std::string>();
    stats->add_option("TARGET", *statsTarget, "Cache name, path or Redis URL")->required();
    stats->callback([&state, statsTarget] { state.exit_code = runStats(state, *statsTarget); });

    auto* inspect = app.add_subcommand("inspect", "List entries of a cache, a page at a time");
    auto ia = std::make_shared<InspectArgs>();
    inspect->add_option("TARGET", ia->target, "Cache name, path or Redis URL")->required();
    inspect->add_option("--limit", ia->limit, "Entries per page")->check(CLI::Range(1, 100000));
    inspect->add_option("--cursor", ia->cursor, "Continue after this cursor");
    inspect->add_option("--match", ia->match, "Only keys matching this glob");
    inspect->add_option("--type", ia->type,
                        "Redis: only keys of this type (string, hash, list, set, zset, stream); "
                        "SCAN ... TYPE on Redis 6.0+, else the type of every key is asked");
    inspect
        ->add_option("--budget", ia->budget,
                     "Seconds one call may search for --limit matches before it returns what "
                     "it found with a cursor (default 1; 0: no limit)")
        ->check(CLI::Range(0.0, 86400.0));
    inspect->add_option("--entry", ia->entry, "Show one entry (by ID) in detail");
    inspect
        ->add_option("--sort", ia->sort,
                     "Order entries by key, size, stored, accessed, expires, hits, compute_time "
                     "or time_saved (where the cache supports it; pass the same --sort with "
                     "--cursor)")
        ->check(CLI::IsMember({"key", "size", "stored", "accessed", "expires", "hits",
                               "compute_time", "time_saved"}));
    inspect->add_flag("--desc", ia->descending, "With --sort: descending order");
    inspect->add_flag("--page", ia->page,
                      "With --entry (Redis): a page of the value (--limit rows, --cursor, "
                      "--match on hash fields and set members)");
    inspect->add_option("--min-score", ia->minScore,
                        "With --page: a zset's members from this score");
    inspect->add_option("--max-score", ia->maxScore, "With --page: a zset's members to this score");
    inspect->add_option("--bytes", ia->bytes, "With --page: bytes per page of a string (4096)")
        ->check(CLI::Range(1, 4 << 20));
    inspect->add_flag("--namespaces", ia->namespaces,
                      "Redis: the tree of key namespaces (prefixes up to each --separator) "
                      "with key counts");
    inspect->add_option("--depth", ia->depth, "With --namespaces: levels of the tree (default 8)")
        ->check(CLI::Range(1, 64));
    auto* all = inspect->add_flag(
        "--all", ia->all,
        "Every entry matching --match (the whole keyspace, streamed page by page) as "
        "--json-lines or --csv");
    auto* jsonLines = inspect->add_flag("--json-lines", ia->jsonLines,
                                        "With --all: one JSON object per entry and line");
    auto* csv = inspect->add_flag("--csv", ia->csv, "With --all: CSV (RFC 4180) with a header");
    jsonLines->needs(all)->excludes(csv);
    csv->needs(all);
    inspect->callback([&state, ia] {
        if (ia->all && !ia->jsonLines && !ia->csv) {
            std::fprintf(stderr, "twat-cache: inspect --all needs --json-lines or --csv\n");
            state.exit_code = kExitUsage;
            return;
        }
        if (ia->all && (!ia->entry.empty() || ia->namespaces || !ia->cursor.empty())) {
            std::fprintf(stderr,
                         "twat-cache: inspect --all lists every entry: it takes no --entry, "
                         "--namespaces or --cursor\n");
            state.exit_code = kExitUsage;
            return;
        }
        state.exit_code = runInspect(state, *ia);
    });

    auto* clear = app.add_subcommand("clear", "Delete entries of a cache");
    struct ClearArgs {
        std::string target, olderThan, match;
        bool expired = false, all = false;
    };
    auto ca = std::make_shared<ClearArgs>();
    clear->add_option("TARGET", ca->target, "Cache name, path or Redis URL")->required();
    clear->add_flag("--expired", ca->expired, "Entries whose expiry has passed");
    clear->add_option("--older-than", ca->olderThan, "Entries stored longer ago (30s, 5m, 2h, 7d)");
    clear->add_option("--match", ca->match, "Entries whose key matches this glob");
    clear->add_flag("--all", ca->all, "Every entry");
    clear->callback([&state, ca] {
        const int chosen =
            int(ca->expired) + int(ca->all) + int(!ca->olderThan.empty()) + int(!ca->match.empty());
        if (chosen != 1) {
            std::fprintf(stderr,
                         "twat-cache: clear needs exactly one of --expired, --older-than, "
                         "--match, --all\n");
            state.exit_code = kExitUsage;
            return;
        }
        PlanRequest req;
        if (ca->expired) req.action = PlanRequest::Action::kClearExpired;
        if (ca->all) req.action = PlanRequest::Action::kClearAll;
        if (!ca->match.empty()) {
            req.action = PlanRequest::Action::kMatchGlob;
            req.glob = ca->match;
        }
        if (!ca->olderThan.empty()) {
            auto age = parseDuration(ca->olderThan);
            if (!age.ok()) {
                std::fprintf(stderr, "twat-cache: --older-than: %s\n",
                             age.status().message().c_str());
                state.exit_code = kExitUsage;
                return;
            }
            req.action = PlanRequest::Action::kOlderThan;
            req.age = *age;
        }
        state.exit_code = runMaintenance(state, ca->target, req, "delete");
    });

    auto* prune = app.add_subcommand(
        "prune", "Delete the oldest (or least valuable) entries down to a limit");
    struct PruneArgs {
        std::string target, maxBytes, by = "age";
        std::optional<std::uint64_t> maxEntries;
    };
    auto pa = std::make_shared<PruneArgs>();
    prune->add_option("TARGET", pa->target, "Cache name, path or Redis URL")->required();
    auto* mb = prune->add_option("--max-bytes", pa->maxBytes, "Keep at most this size (e.g. 64M)");
    auto* me = prune->add_option("--max-entries", pa->maxEntries, "Keep at most this many entries");
    mb->excludes(me);
    prune->add_option("--by", pa->by, "age: oldest first; value: least time saved per byte first")
        ->check(CLI::IsMember({"age", "value"}));
    prune->callback([&state, pa] {
        PlanRequest req;
        if (pa->by == "value") req.prune_order = PlanRequest::PruneOrder::kValue;
        if (!pa->maxBytes.empty()) {
            auto size = parseSize(pa->maxBytes);
            if (!size.ok()) {
                std::fprintf(stderr, "twat-cache: --max-bytes: %s\n",
                             size.status().message().c_str());
                state.exit_code = kExitUsage;
                return;
            }
            req.action = PlanRequest::Action::kPruneToBytes;
            req.limit = *size;
        } else if (pa->maxEntries) {
            req.action = PlanRequest::Action::kPruneToEntries;
            req.limit = *pa->maxEntries;
        } else {
            std::fprintf(stderr, "twat-cache: prune needs --max-bytes or --max-entries\n");
            state.exit_code = kExitUsage;
            return;
        }
        state.exit_code = runMaintenance(state, pa->target, req, "prune");
    });
}

}  // namespace twat_cache::cli
