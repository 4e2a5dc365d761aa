// analyze(): the census walk over Source::entries and its bounded aggregates (analysis.h).
#include "twat_cache/analysis.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <thread>

#include "inspect/census_pacer.h"
#include "inspect/namespace_tree.h"
#include "inspect/value_density.h"

namespace twat_cache {
namespace {

using Micros = std::chrono::microseconds;
using Steady = std::chrono::steady_clock;

constexpr std::int64_t kHourMs = 3'600'000;
constexpr std::int64_t kDayMs = 24 * kHourMs;

std::string ttlBucket(std::optional<std::int64_t> expires, std::int64_t now) {
    if (!expires) return "none";
    const std::int64_t left = *expires - now;
    if (left <= 0) return "expired";
    if (left < kHourMs) return "lt_1h";
    if (left < kDayMs) return "lt_1d";
    if (left < 7 * kDayMs) return "lt_7d";
    return "ge_7d";
}

std::string ageBucket(std::int64_t stored, std::int64_t now) {
    const std::int64_t age = now - stored;
    if (age < kHourMs) return "lt_1h";
    if (age < kDayMs) return "lt_1d";
    if (age < 7 * kDayMs) return "lt_7d";
    if (age < 30 * kDayMs) return "lt_30d";
    return "ge_30d";
}

// What a top list ranks by.
enum class Figure { kBytes, kLength, kMostValue, kLeastValue };

// An entry's value per stored byte (ns a byte), where it records a compute time.
std::optional<double> valuePerByte(const EntrySummary& e) {
    if (!e.compute_ns) return std::nullopt;
    const auto value = detail::entryValueNs(e);
    if (!value) return std::nullopt;
    return *value / static_cast<double>(std::max<std::uint64_t>(e.size, 1));
}

// The N largest by a figure, kept as a min-heap of N: O(log N) an entry, N entries of memory.
// The least valuable are the largest by the negated value per byte.
class TopList {
  public:
    TopList(std::size_t n, Figure figure) : m_n(n), m_figure(figure) {}

    void offer(const EntrySummary& e) {
        if (m_n == 0) return;
        std::optional<double> perByte;
        double figure = 0;
        switch (m_figure) {
            case Figure::kBytes:
                figure = static_cast<double>(e.size);
                break;
            case Figure::kLength:
                if (!e.length) return;
                figure = static_cast<double>(*e.length);
                break;
            case Figure::kMostValue:
            case Figure::kLeastValue:
                perByte = valuePerByte(e);
                if (!perByte) return;
                figure = m_figure == Figure::kMostValue ? *perByte : -*perByte;
                break;
        }
        if (m_heap.size() == m_n && figure <= figureOf(m_heap.front())) return;
        AnalysisEntry entry{e.key_text, e.type, e.size, e.length};
        if (perByte) {
            entry.value_ns = static_cast<std::uint64_t>(std::llround(*detail::entryValueNs(e)));
            entry.value_per_byte = perByte;
            entry.hits = e.hits;
        }
        if (m_heap.size() == m_n) {
            std::pop_heap(m_heap.begin(), m_heap.end(), greater());
            m_heap.back() = std::move(entry);
        } else {
            m_heap.push_back(std::move(entry));
        }
        std::push_heap(m_heap.begin(), m_heap.end(), greater());
    }

    std::vector<AnalysisEntry> sorted() const {
        std::vector<AnalysisEntry> out = m_heap;
        std::sort(out.begin(), out.end(), [this](const AnalysisEntry& a, const AnalysisEntry& b) {
            if (figureOf(a) != figureOf(b)) return figureOf(a) > figureOf(b);
            return a.key < b.key;
        });
        return out;
    }

  private:
    double figureOf(const AnalysisEntry& e) const {
        switch (m_figure) {
            case Figure::kBytes:
                return static_cast<double>(e.bytes);
            case Figure::kLength:
                return static_cast<double>(e.length.value_or(0));
            case Figure::kMostValue:
                return e.value_per_byte.value_or(0);
            case Figure::kLeastValue:
                return -e.value_per_byte.value_or(0);
        }
        return 0;
    }
    // A min-heap: the smallest kept figure on top.
    struct Greater {
        const TopList* list;
        bool operator()(const AnalysisEntry& a, const AnalysisEntry& b) const {
            return list->figureOf(a) > list->figureOf(b);
        }
    };
    Greater greater() const { return Greater{this}; }

    std::size_t m_n;
    Figure m_figure;
    std::vector<AnalysisEntry> m_heap;
};

// Waits while paused (checking every 20 ms); false once cancelled.
bool waitWhilePaused(AnalysisControl* control, const AnalysisProgressFn& progress,
                     AnalysisProgress& p) {
    if (control == nullptr) return true;
    bool told = false;
    while (control->paused.load() && !control->cancelled.load()) {
        if (!told && progress) {
            p.paused = true;
            progress(p);
            told = true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    p.paused = false;
    return !control->cancelled.load();
}

// Counts with the sum of squared sizes, from which a sample's intervals come.
struct Acc {
    std::uint64_t keys = 0;
    std::uint64_t bytes = 0;
    double squares = 0;
    void add(std::uint64_t size) {
        ++keys;
        bytes += size;
        squares += static_cast<double>(size) * static_cast<double>(size);
    }
};

// The estimate of a total over `population` entries from a simple random sample of `n`
// (without replacement; a Bernoulli sample is one, given its size), `keys` of which fell in
// the category with `bytes` (sum) and `squares` (sum of squared sizes): the scaled counts and
// their 95 % normal-approximation intervals, with the finite population correction (a sample
// of everything is exact).
AnalysisCount estimate(std::uint64_t keys, std::uint64_t bytes, double squares, std::uint64_t n,
                       std::uint64_t population) {
    AnalysisCount out;
    if (n == 0) return out;
    const double N = static_cast<double>(population);
    const double dn = static_cast<double>(n);
    const double fpc = std::max(0.0, 1.0 - dn / N);
    const double p = static_cast<double>(keys) / dn;
    const double mean = static_cast<double>(bytes) / dn;  // per sampled entry, 0 outside
    out.keys = static_cast<std::uint64_t>(std::llround(N * p));
    out.bytes = static_cast<std::uint64_t>(std::llround(N * mean));
    constexpr double kZ = 1.96;
    const double pHalf = n > 1 ? kZ * std::sqrt(fpc * p * (1 - p) / (dn - 1)) : 1.0;
    const double variance =
        n > 1 ? std::max(0.0, (squares - static_cast<double>(bytes) * mean) / (dn - 1)) : 0.0;
    const double mHalf = n > 1 ? kZ * std::sqrt(fpc * variance / dn) : mean;
    out.keys_interval =
        AnalysisInterval{N * std::max(0.0, p - pHalf), N * std::min(1.0, p + pHalf)};
    out.bytes_interval = AnalysisInterval{N * std::max(0.0, mean - mHalf), N * (mean + mHalf)};
    return out;
}

// Every aggregate of a report, fed one entry at a time.
class Aggregates {
  public:
    // `byId`: namespaces from the entries' ids, split at "/", instead of their key texts
    // (joblib, whose ids are the calls' folders, module/…/function/<hash>, and whose key
    // texts are the calls).
    Aggregates(const AnalysisOptions& o, bool byId)
        : m_byId(byId),
          m_tree(byId ? std::string("/") : o.separator,
                 {o.namespace_max_depth, o.namespace_max_children, o.namespace_max_nodes}),
          m_byBytes(o.top, Figure::kBytes),
          m_byLength(o.top, Figure::kLength),
          m_mostValue(o.top, Figure::kMostValue),
          m_leastValue(o.top, Figure::kLeastValue),
          m_neverHitOlder(o.never_hit_older.count()) {}

    void add(const EntrySummary& e, std::int64_t now) {
        m_all.add(e.size);
        m_tree.add(m_byId ? e.id : e.key_text, e.size);
        m_types[e.type].add(e.size);
        if (!e.tag.empty()) m_tags[e.tag].add(e.size);
        m_ttl[ttlBucket(e.expires_ms, now)].add(e.size);
        if (e.expires_ms && *e.expires_ms > now && *e.expires_ms - now < kHourMs) {
            m_soon.add(e.size);
        }
        if (e.stored_ms) m_age[ageBucket(*e.stored_ms, now)].add(e.size);
        if (!e.node.empty()) m_nodes[e.node].add(e.size);
        m_byBytes.offer(e);
        m_byLength.offer(e);
        if (e.compute_ns) {
            m_valueRecorded = true;
            m_mostValue.offer(e);
            m_leastValue.offer(e);
        }
        if (e.hits) {
            m_hitsRecorded = true;
            if (*e.hits == 0 && e.stored_ms && now - *e.stored_ms > m_neverHitOlder) {
                m_neverHit.add(e.size);
            }
        }
    }

    std::uint64_t visited() const { return m_all.keys; }

    // Writes the aggregates into `r`; with `population` > 0, as estimates from a sample.
    void fill(AnalysisReport& r, std::uint64_t population) const {
        const std::uint64_t n = m_all.keys;
        const bool sampled = population > 0;
        auto count = [&](const Acc& a) {
            return sampled ? estimate(a.keys, a.bytes, a.squares, n, population)
                           : AnalysisCount{a.keys, a.bytes, {}, {}};
        };
        auto counts = [&](const std::map<std::string, Acc>& m) {
            std::map<std::string, AnalysisCount> out;
            for (const auto& [name, a] : m) out[name] = count(a);
            return out;
        };
        const AnalysisCount all = count(m_all);
        r.keys = sampled ? population : all.keys;
        r.bytes = all.bytes;
        if (all.bytes_interval) r.bytes_interval = *all.bytes_interval;
        r.types = counts(m_types);
        r.tags = counts(m_tags);
        r.ttl_buckets = counts(m_ttl);
        r.age_buckets = counts(m_age);
        r.expiring_within_hour = count(m_soon);
        r.nodes.clear();
        for (const auto& [address, a] : m_nodes) r.nodes.push_back({address, count(a)});
        m_tree.fill(r.namespaces, [](std::string_view raw) { return std::string(raw); });
        r.namespaces.keys_scanned = n;
        if (sampled) {
            for (auto& node : r.namespaces.nodes) {
                AnalysisCount e =
                    estimate(node.keys, node.bytes, node.bytes_squares, n, population);
                node.keys = e.keys;
                node.bytes = e.bytes;
                r.namespace_intervals.push_back(std::move(e));
            }
        }
        r.top_by_bytes = m_byBytes.sorted();
        r.top_by_length = m_byLength.sorted();
        r.value_recorded = m_valueRecorded;
        r.top_by_value = m_mostValue.sorted();
        r.least_by_value = m_leastValue.sorted();
        if (m_hitsRecorded) r.never_hit = count(m_neverHit);
        r.never_hit_older = std::chrono::milliseconds(m_neverHitOlder);
    }

  private:
    bool m_byId = false;
    detail::NamespaceTree m_tree;
    TopList m_byBytes, m_byLength, m_mostValue, m_leastValue;
    std::int64_t m_neverHitOlder;
    bool m_valueRecorded = false, m_hitsRecorded = false;
    Acc m_all, m_soon, m_neverHit;
    std::map<std::string, Acc> m_types, m_tags, m_ttl, m_age, m_nodes;
};

// The sampled analysis: the population from stats(), the draws from sample().
Result<AnalysisReport> analyzeSample(Source& source, const AnalysisOptions& options,
                                     const Clock& clock) {
    const auto start = Steady::now();
    auto stats = source.stats();
    if (!stats.ok()) return stats.status();
    if (!stats->entries) {
        return Status::notSupported(
            "the source does not say how many entries it has, so a "
            "sample cannot be scaled to it; take a census instead");
    }
    auto drawn = source.sample(options.sample);
    if (!drawn.ok()) return drawn.status();
    Aggregates agg(options, false);  // a sample: Redis only
    const std::int64_t now = clock.nowMs();
    for (const auto& e : *drawn) agg.add(e, now);
    AnalysisReport report;
    report.sampled = true;
    report.sample_size = agg.visited();
    report.population = *stats->entries;
    report.complete = true;
    agg.fill(report, report.population);  // an empty source: nothing drawn, all zero
    report.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - start);
    return report;
}

}  // namespace

Result<AnalysisReport> analyze(Source& source, const AnalysisOptions& options,
                               AnalysisControl* control, const AnalysisProgressFn& progress) {
    const std::shared_ptr<Clock> clockOwner = options.clock ? options.clock : Clock::system();
    const Clock& clock = *clockOwner;
    if (options.sample > 0) return analyzeSample(source, options, clock);
    const bool server = source.info().kind == SourceKind::kRedis;
    Aggregates agg(options, source.info().kind == SourceKind::kJoblib);
    AnalysisReport report;
    detail::CensusPacer pacer(server ? options.budget : Micros{0}, options.page_limit);
    AnalysisProgress p;
    const auto start = Steady::now();
    EntryFilter all;
    all.time_budget = std::chrono::milliseconds(0);  // one page a call: the pacer decides
    std::string cursor;
    bool first = true;
    while (first || !cursor.empty()) {
        first = false;
        if (!waitWhilePaused(control, progress, p)) break;
        const std::size_t asked = pacer.limit();
        const auto t0 = Steady::now();
        auto page = source.entries(cursor, asked, all);
        if (!page.ok()) return page.status();
        const auto took = std::chrono::duration_cast<Micros>(Steady::now() - t0);
        const std::int64_t now = clock.nowMs();
        for (const EntrySummary& e : page->entries) agg.add(e, now);
        cursor = page->cursor;
        if (page->total) p.total = std::max<std::uint64_t>(*page->total, agg.visited());
        const Micros pause = pacer.pageDone(asked, took);
        const double seconds = std::chrono::duration<double>(Steady::now() - start).count();
        p.visited = agg.visited();
        p.per_second = seconds > 0 ? static_cast<double>(agg.visited()) / seconds : 0;
        p.page_limit = pacer.limit();
        p.server_work = pacer.lastWork();
        if (progress) progress(p);
        if (control != nullptr && control->cancelled.load()) break;
        if (!cursor.empty() && pause.count() > 0) std::this_thread::sleep_for(pause);
    }
    report.complete = cursor.empty() && !(control != nullptr && control->cancelled.load());
    agg.fill(report, 0);
    report.namespaces.complete = report.complete;
    report.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - start);
    report.idle_round_trip = pacer.idle();
    return report;
}

}  // namespace twat_cache
