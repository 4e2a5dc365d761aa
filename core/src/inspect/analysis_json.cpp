// analysisJson(): an AnalysisReport as the JSON document of `twat-cache analyze --json`
// (analysis.h; the schema is in docs/INSPECTION.md, "Analysis"). The CLI prints it and the
// inspector exports it, so both write the same document.
#include <nlohmann/json.hpp>

#include "twat_cache/analysis.h"

namespace twat_cache {
namespace {

using nlohmann::json;

json intervalJson(const AnalysisInterval& i) {
    return json::array({i.low, i.high});
}

json countJson(const AnalysisCount& c) {
    json out = {{"keys", c.keys}, {"bytes", c.bytes}};
    if (c.keys_interval) out["keys_interval"] = intervalJson(*c.keys_interval);
    if (c.bytes_interval) out["bytes_interval"] = intervalJson(*c.bytes_interval);
    return out;
}

json countsJson(const std::map<std::string, AnalysisCount>& m) {
    json out = json::object();
    for (const auto& [name, c] : m) out[name] = countJson(c);
    return out;
}

json entriesJson(const std::vector<AnalysisEntry>& entries) {
    json out = json::array();
    for (const auto& e : entries) {
        out.push_back({{"key", e.key},
                       {"type", e.type},
                       {"bytes", e.bytes},
                       {"length", e.length ? json(*e.length) : json(nullptr)}});
    }
    return out;
}

// The value lists: each entry with its value (seconds), value per byte (ns) and hits.
json valueJson(const AnalysisReport& r) {
    if (!r.value_recorded) return nullptr;  // not recorded: never zeros
    auto list = [](const std::vector<AnalysisEntry>& entries) {
        json out = entriesJson(entries);
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const auto& e = entries[i];
            out[i]["value_s"] = static_cast<double>(e.value_ns.value_or(0)) / 1e9;
            out[i]["value_per_byte_ns"] = e.value_per_byte.value_or(0);
            out[i]["hits"] = e.hits ? json(*e.hits) : json(nullptr);
        }
        return out;
    };
    return {{"most", list(r.top_by_value)}, {"least", list(r.least_by_value)}};
}

json neverHitJson(const AnalysisReport& r) {
    if (!r.never_hit) return nullptr;  // the source counts no hits per entry
    json out = countJson(*r.never_hit);
    out["older_than_s"] = static_cast<double>(r.never_hit_older.count()) / 1000.0;
    return out;
}

json nodesJson(const std::vector<AnalysisNode>& nodes) {
    json out = json::array();
    for (const auto& n : nodes) {
        json node = countJson(n.count);
        node["address"] = n.address;
        out.push_back(std::move(node));
    }
    return out;
}

// The namespace report's flat, parent-indexed nodes as nested {prefix, keys, bytes, children}.
json namespaceTree(const NamespaceReport& report, const std::vector<AnalysisCount>& intervals) {
    std::vector<json> nodes(report.nodes.size());
    for (std::size_t i = 0; i < report.nodes.size(); ++i) {
        const auto& n = report.nodes[i];
        nodes[i] = {{"prefix", n.prefix}, {"name", n.name},   {"keys", n.keys},
                    {"bytes", n.bytes},   {"other", n.other}, {"children", json::array()}};
        if (i < intervals.size() && intervals[i].keys_interval && intervals[i].bytes_interval) {
            nodes[i]["keys_interval"] = intervalJson(*intervals[i].keys_interval);
            nodes[i]["bytes_interval"] = intervalJson(*intervals[i].bytes_interval);
        }
    }
    json top = json::array();
    // Children come after their parent: attach from the last node back, then reverse.
    for (std::size_t i = report.nodes.size(); i-- > 0;) {
        const std::size_t parent = report.nodes[i].parent;
        json& into = parent == NamespaceReport::kNoParent ? top : nodes[parent]["children"];
        into.insert(into.begin(), std::move(nodes[i]));
    }
    return top;
}

}  // namespace

std::string analysisJson(const AnalysisReport& r, const std::string& source,
                         std::chrono::microseconds budget) {
    const json document = {
        {"source", source},
        {"keys", r.keys},
        {"bytes", r.bytes},
        {"complete", r.complete},
        {"sampled", r.sampled},
        {"sample_size", r.sampled ? json(r.sample_size) : json(nullptr)},
        {"population", r.sampled ? json(r.population) : json(nullptr)},
        {"bytes_interval", r.sampled ? intervalJson(r.bytes_interval) : json(nullptr)},
        {"namespaces", namespaceTree(r.namespaces, r.namespace_intervals)},
        {"types", countsJson(r.types)},
        {"ttl_buckets", countsJson(r.ttl_buckets)},
        {"age_buckets", countsJson(r.age_buckets)},
        {"tags", countsJson(r.tags)},
        {"expiring_within_hour", countJson(r.expiring_within_hour)},
        {"top_by_bytes", entriesJson(r.top_by_bytes)},
        {"top_by_length", entriesJson(r.top_by_length)},
        {"value", valueJson(r)},
        {"never_hit", neverHitJson(r)},
        {"nodes", nodesJson(r.nodes)},
        {"elapsed_ms", r.elapsed.count()},
        {"budget_us", budget.count()},
        {"idle_round_trip_us", r.idle_round_trip.count()}};
    // Key texts are valid UTF-8 already; replace anything else rather than fail.
    return document.dump(2, ' ', false, json::error_handler_t::replace);
}

}  // namespace twat_cache
