// analyze(): the census walk over Source::entries and its bounded aggregates (analysis.h).
#include "twat_cache/analysis.h"

#include <algorithm>
#include <thread>

#include "inspect/namespace_tree.h"

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

// The N largest by a figure, kept as a min-heap of N: O(log N) an entry, N entries of memory.
class TopList {
  public:
    TopList(std::size_t n, bool byLength) : m_n(n), m_byLength(byLength) {}

    void offer(const EntrySummary& e) {
        if (m_n == 0) return;
        if (m_byLength && !e.length) return;
        const std::uint64_t figure = m_byLength ? *e.length : e.size;
        if (m_heap.size() == m_n && figure <= figureOf(m_heap.front())) return;
        AnalysisEntry entry{e.key_text, e.type, e.size, e.length};
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
    std::uint64_t figureOf(const AnalysisEntry& e) const {
        return m_byLength ? e.length.value_or(0) : e.bytes;
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
    bool m_byLength;
    std::vector<AnalysisEntry> m_heap;
};

// Sizes pages and spaces them so that the server's work for one page stays within the budget.
class Pacer {
  public:
    Pacer(const AnalysisOptions& o, bool server)
        : m_budget(server ? o.budget : Micros{0}), m_max(std::max<std::size_t>(o.page_limit, 1)) {
        m_limit = m_budget.count() > 0 ? 1 : m_max;  // the first page measures the round trip
    }

    std::size_t limit() const { return m_limit; }
    Micros idle() const { return m_idle; }
    Micros lastWork() const { return m_work; }

    // After a page of `asked` entries that took `took`: the next page's size, and how long to
    // wait before it.
    Micros pageDone(std::size_t asked, Micros took) {
        if (m_budget.count() <= 0) return Micros{0};
        if (!m_measured) {
            m_idle = took;
            m_measured = true;
            m_limit = std::min<std::size_t>(m_max, 100);
            return Micros{0};
        }
        m_work = std::max(Micros{0}, took - m_idle);
        if (m_work > m_budget) {
            m_limit = std::max<std::size_t>(1, asked / 2);
        } else if (m_work * 2 < m_budget) {
            m_limit = std::min(m_max, std::max<std::size_t>(asked + 1, asked * 3 / 2));
        }
        return m_work;  // as long again idle: others get at least half the server's time
    }

  private:
    Micros m_budget;
    std::size_t m_max;
    std::size_t m_limit;
    bool m_measured = false;
    Micros m_idle{0};
    Micros m_work{0};
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

}  // namespace

Result<AnalysisReport> analyze(Source& source, const AnalysisOptions& options,
                               AnalysisControl* control, const AnalysisProgressFn& progress) {
    const std::shared_ptr<Clock> clockOwner = options.clock ? options.clock : Clock::system();
    const Clock& clock = *clockOwner;
    const bool server = source.info().kind == SourceKind::kRedis;
    detail::NamespaceTree tree(
        options.separator,
        {options.namespace_max_depth, options.namespace_max_children, options.namespace_max_nodes});
    TopList byBytes(options.top, false), byLength(options.top, true);
    AnalysisReport report;
    Pacer pacer(options, server);
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
        for (const EntrySummary& e : page->entries) {
            ++report.keys;
            report.bytes += e.size;
            tree.add(e.key_text, e.size);
            auto& type = report.types[e.type];
            ++type.keys;
            type.bytes += e.size;
            if (!e.tag.empty()) {
                auto& tag = report.tags[e.tag];
                ++tag.keys;
                tag.bytes += e.size;
            }
            auto& ttl = report.ttl_buckets[ttlBucket(e.expires_ms, now)];
            ++ttl.keys;
            ttl.bytes += e.size;
            if (e.expires_ms && *e.expires_ms > now && *e.expires_ms - now < kHourMs) {
                ++report.expiring_within_hour.keys;
                report.expiring_within_hour.bytes += e.size;
            }
            if (e.stored_ms) {
                auto& age = report.age_buckets[ageBucket(*e.stored_ms, now)];
                ++age.keys;
                age.bytes += e.size;
            }
            byBytes.offer(e);
            byLength.offer(e);
        }
        cursor = page->cursor;
        if (page->total) p.total = std::max<std::uint64_t>(*page->total, report.keys);
        const Micros pause = pacer.pageDone(asked, took);
        const double seconds = std::chrono::duration<double>(Steady::now() - start).count();
        p.visited = report.keys;
        p.per_second = seconds > 0 ? static_cast<double>(report.keys) / seconds : 0;
        p.page_limit = pacer.limit();
        p.server_work = pacer.lastWork();
        if (progress) progress(p);
        if (control != nullptr && control->cancelled.load()) break;
        if (!cursor.empty() && pause.count() > 0) std::this_thread::sleep_for(pause);
    }
    report.complete = cursor.empty() && !(control != nullptr && control->cancelled.load());
    tree.fill(report.namespaces, [](std::string_view raw) { return std::string(raw); });
    report.namespaces.keys_scanned = report.keys;
    report.namespaces.complete = report.complete;
    report.top_by_bytes = byBytes.sorted();
    report.top_by_length = byLength.sorted();
    report.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - start);
    report.idle_round_trip = pacer.idle();
    return report;
}

}  // namespace twat_cache
