// Time saved: each memoization wrapper times its misses with the config's clock and stores the
// compute time with the entry; Stats::compute_ns sums the misses, Stats::saved_ns the compute
// times of the entries that answered hits. Persistent engines keep both across reopening (and
// processes), expose the per-entry time to scans and inspection, and still read entries
// written before the envelope recorded it. The cost policy keeps expensive entries where lru
// drops them.
#include <QtTest>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "format/envelope.h"
#include "test_support.h"
#include "twat_cache/analysis.h"
#include "twat_cache/inspect.h"
#include "twat_cache/memoize.h"

using namespace twat_cache;
using twat_cache::test::TempDir;
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kMs = 1'000'000;

// A function whose every call "takes" `ms` milliseconds of the manual clock.
struct Slow {
    std::shared_ptr<ManualClock> clock;
    std::int64_t ms;
    int operator()(int x) const {
        clock->advanceMs(ms);
        return x * 2;
    }
};

// Every entry of an engine, by scan.
std::vector<EntryInfo> allEntries(Engine& e) {
    std::vector<EntryInfo> out;
    std::string cursor;
    do {
        auto page = e.scan(cursor, 100);
        if (!page.ok()) return out;
        out.insert(out.end(), page->entries.begin(), page->entries.end());
        cursor = page->cursor;
    } while (!cursor.empty());
    return out;
}

}  // namespace

class TestTimeSaved : public QObject {
    Q_OBJECT

    TempDir m_tmp;

    CacheConfig config(const std::string& name, std::shared_ptr<ManualClock> clock) {
        CacheConfig c;
        c.name = name;
        c.cache_dir = fs::path(m_tmp.path()) / "root";
        c.clock = std::move(clock);
        return c;
    }

  private slots:
    void mcacheRecordsAndSaves() {
        auto clock = std::make_shared<ManualClock>();
        auto f = mcache(config("m", clock), Slow{clock, 250});
        QVERIFY(f.ok());
        QCOMPARE((*f)(1), 2);
        QCOMPARE((*f)(1), 2);
        QCOMPARE((*f)(1), 2);
        const Stats s = f->stats();
        QCOMPARE(s.misses, 1u);
        QCOMPARE(s.hits, 2u);
        QCOMPARE(s.compute_ns, 250 * kMs);
        QCOMPARE(s.saved_ns, 2 * 250 * kMs);
        const auto entries = allEntries(f->engine());
        QCOMPARE(entries.size(), std::size_t(1));
        QCOMPARE(entries[0].compute_ns.value_or(0), 250 * kMs);
    }

    // Every byte engine, through memoizeWith: recorded, summed over hits, and kept across a
    // reopen (a new wrapper over the same folder sees the first one's entries and counters).
    void persistentEngines_data() {
        QTest::addColumn<int>("kind");
        QTest::newRow("memory") << int(EngineKind::kMemory);
        QTest::newRow("sqlite") << int(EngineKind::kSqlite);
        QTest::newRow("files") << int(EngineKind::kFiles);
    }
    void persistentEngines() {
        QFETCH(int, kind);
        const auto k = EngineKind(kind);
        auto clock = std::make_shared<ManualClock>();
        const std::string name = "p_" + std::string(engineKindName(k));
        {
            auto f = memoizeWith(k, config(name, clock), Slow{clock, 40});
            QVERIFY(f.ok());
            (*f)(1);  // 40 ms
            clock->advanceMs(1);
            auto g = memoizeWith(k, config(name, clock), Slow{clock, 60});
            QVERIFY(g.ok());
            (*g)(2);  // 60 ms, another key
            (*f)(1);  // a hit: saves 40 ms
            const Stats s = f->stats();
            if (k == EngineKind::kMemory) {
                QCOMPARE(s.compute_ns, 40 * kMs);  // a private cache per wrapper
                QCOMPARE(s.saved_ns, 40 * kMs);
                return;
            }
            QVERIFY(f->engine().flush().ok());
            QVERIFY(g->engine().flush().ok());
        }
        auto h = memoizeWith(k, config(name, clock), Slow{clock, 1000});
        QVERIFY(h.ok());
        QCOMPARE((*h)(2), 4);  // a hit on the entry another wrapper computed in 60 ms
        const Stats s = h->stats();
        QCOMPARE(s.compute_ns, 100 * kMs);
        QCOMPARE(s.saved_ns, 100 * kMs);  // 40 (before the reopen) + 60
        std::map<std::string, std::uint64_t> byKey;
        for (const auto& e : allEntries(h->engine())) byKey[e.key_text] = e.compute_ns.value_or(0);
        QCOMPARE(byKey.size(), std::size_t(2));
        QCOMPARE(byKey.begin()->second + byKey.rbegin()->second, 100 * kMs);
    }

    // The inspector reads the per-entry compute time and the totals of our own caches.
    void inspectionReadsNativeCaches() {
        auto clock = std::make_shared<ManualClock>();
        for (EngineKind k : {EngineKind::kSqlite, EngineKind::kFiles}) {
            const std::string name = "i_" + std::string(engineKindName(k));
            auto f = memoizeWith(k, config(name, clock), Slow{clock, 7});
            QVERIFY(f.ok());
            (*f)(1);
            (*f)(1);
            QVERIFY(f->engine().flush().ok());
            const fs::path folder = fs::path(m_tmp.path()) / "root" / name;
            auto info = Discovery::identify(folder);
            QVERIFY2(info.ok(), info.status().toString().c_str());
            auto src = Discovery::open(*info, {});
            QVERIFY(src.ok());
            auto st = (*src)->stats();
            QVERIFY(st.ok());
            QCOMPARE(st->compute_ns.value_or(0), 7 * kMs);
            QCOMPARE(st->saved_ns.value_or(0), 7 * kMs);
            auto page = (*src)->entries("", 10, {});
            QVERIFY(page.ok());
            QCOMPARE(page->entries.size(), std::size_t(1));
            QCOMPARE(page->entries[0].compute_ns.value_or(0), 7 * kMs);
        }
    }

    // Listings sort by compute time (sqlite in SQL, files through the sort index) and, where
    // hits are kept per entry (sqlite), by time saved.
    void inspectionSortsByTime() {
        auto clock = std::make_shared<ManualClock>();
        for (EngineKind k : {EngineKind::kSqlite, EngineKind::kFiles}) {
            const std::string name = "s_" + std::string(engineKindName(k));
            auto f = memoizeWith(k, config(name, clock), [clock](int ms) {
                clock->advanceMs(ms);
                return ms;
            });
            QVERIFY(f.ok());
            for (const int ms : {30, 900, 4, 4, 4, 250, 7, 60}) (*f)(ms);
            QVERIFY(f->engine().flush().ok());
            auto info = Discovery::identify(fs::path(m_tmp.path()) / "root" / name);
            QVERIFY(info.ok());
            auto src = Discovery::open(*info, {});
            QVERIFY(src.ok());
            const auto keys = (*src)->sortKeys();
            QVERIFY(std::find(keys.begin(), keys.end(), SortKey::kComputeTime) != keys.end());
            EntryFilter byCompute;
            byCompute.order = SortKey::kComputeTime;
            byCompute.descending = true;
            auto page = (*src)->entries("", 10, byCompute);
            QVERIFY2(page.ok(), page.status().toString().c_str());
            std::vector<std::uint64_t> order;
            for (const auto& e : page->entries) order.push_back(e.compute_ns.value_or(0));
            QCOMPARE(order, (std::vector<std::uint64_t>{900 * kMs, 250 * kMs, 60 * kMs, 30 * kMs,
                                                        7 * kMs, 4 * kMs}));
            const bool saved =
                std::find(keys.begin(), keys.end(), SortKey::kTimeSaved) != keys.end();
            QCOMPARE(saved, k == EngineKind::kSqlite);
            if (!saved) continue;
            EntryFilter bySaved;
            bySaved.order = SortKey::kTimeSaved;
            bySaved.descending = true;
            page = (*src)->entries("", 10, bySaved);
            QVERIFY(page.ok());
            QCOMPARE(page->entries.front().compute_ns.value_or(0), 4 * kMs);  // 2 hits x 4 ms
            QCOMPARE(page->entries.front().saved_ns.value_or(0), 8 * kMs);
        }
    }

    // A version 1 envelope (no compute time) still decodes: the time is not recorded.
    void oldEnvelopeStillRead() {
        std::string v2;
        detail::EnvelopeFields fields;
        fields.key_text = "f(1)";
        fields.type_tag = 42;
        fields.created_ms = 1000;
        QVERIFY(detail::encodeEnvelope(v2, fields, "payload", false).ok());
        // Version 1: the same bytes without the compute-time field, version byte 1.
        const std::size_t keyEnd = detail::kEnvelopeFixedHeader + 1 + fields.key_text.size();
        std::string v1 = v2.substr(0, keyEnd) + v2.substr(keyEnd + 8);
        v1[4] = 1;
        v1.resize(v1.size() - 8);
        const std::uint64_t sum = XXH3_64bits(v1.data(), v1.size());
        for (int i = 0; i < 8; ++i) v1.push_back(static_cast<char>((sum >> (8 * i)) & 0xFF));
        std::string payload;
        auto h = detail::decodeEnvelope(v1, payload);
        QVERIFY2(h.ok(), h.status().toString().c_str());
        QCOMPARE(payload, std::string("payload"));
        QCOMPARE(h->key_text, std::string_view("f(1)"));
        QVERIFY(!h->compute_ns);
        // And the new version carries the time.
        fields.compute_ns = 123;
        std::string withTime;
        QVERIFY(detail::encodeEnvelope(withTime, fields, "payload", false).ok());
        h = detail::decodeEnvelope(withTime, payload);
        QVERIFY(h.ok());
        QCOMPARE(h->version, detail::kEnvelopeVersion);
        QCOMPARE(h->compute_ns.value_or(0), 123u);
    }

    // A plain Engine::set without a compute time: not recorded, adds nothing.
    void plainSetIsNotRecorded() {
        auto clock = std::make_shared<ManualClock>();
        auto resolved = resolveConfig(config("plain", clock));
        QVERIFY(resolved.ok());
        auto e = openEngine(EngineKind::kSqlite, *resolved);
        QVERIFY(e.ok());
        const Key key = makeKey("plain", 1);
        QVERIFY((*e)->set(key, Record{.key_text = "k", .type_tag = 1, .payload = "v"}).ok());
        auto got = (*e)->get(key);
        QVERIFY(got.ok());
        QVERIFY(!got->compute_ns);
        QCOMPARE((*e)->stats().saved_ns, 0u);
        QVERIFY(!allEntries(**e).at(0).compute_ns);
    }

    // Under pressure, cost keeps the two expensive entries that lru drops: four places, two
    // entries of 500 ms stored first, then six of 1 us, each read once.
    void costKeepsExpensiveEntries_data() {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("policy");
        QTest::addColumn<bool>("kept");
        for (EngineKind k : {EngineKind::kMemory, EngineKind::kSqlite}) {
            const std::string n(engineKindName(k));
            QTest::newRow((n + " lru").c_str()) << int(k) << int(Policy::kLru) << false;
            QTest::newRow((n + " cost").c_str()) << int(k) << int(Policy::kCost) << true;
        }
    }
    void costKeepsExpensiveEntries() {
        QFETCH(int, kind);
        QFETCH(int, policy);
        QFETCH(bool, kept);
        auto clock = std::make_shared<ManualClock>();
        CacheConfig c =
            config("cost_" + std::to_string(kind) + "_" + std::to_string(policy), clock);
        c.maxsize = 4;
        c.policy = Policy(policy);
        auto resolved = resolveConfig(c);
        QVERIFY(resolved.ok());
        auto opened = openEngine(EngineKind(kind), *resolved);
        QVERIFY(opened.ok());
        Engine& e = **opened;
        QVERIFY(hasPolicy(e.capabilities(), Policy::kCost));
        auto put = [&](int i, std::uint64_t ns) {
            clock->advanceMs(1);
            const std::string text = "k" + std::to_string(i);
            Record r{.key_text = text, .type_tag = 1, .payload = "same-size"};
            r.compute_ns = ns;
            QVERIFY(e.set(makeKey("cost", i), r).ok());
        };
        put(0, 500 * kMs);
        put(1, 500 * kMs);
        for (int i = 2; i < 8; ++i) {
            put(i, 1000);
            clock->advanceMs(1);
            QVERIFY(e.get(makeKey("cost", i)).ok());
        }
        QCOMPARE(e.size().value(), 4u);
        QCOMPARE(e.contains(makeKey("cost", 0)).value(), kept);
        QCOMPARE(e.contains(makeKey("cost", 1)).value(), kept);
        QVERIFY(e.contains(makeKey("cost", 7)).value());  // the newest stays either way
    }

    // prune --by value: the plan takes the entries that saved least per byte first, its
    // preview lists exactly what execute() deletes, and the valuable entries stay.
    // An entry's saved time is hits x compute time; where that exceeds 64 bits (an hour's
    // computation hit five million times) it saturates. It used to wrap round to a small
    // number, so a prune by value deleted the most valuable entry first.
    void savedTimeSaturates() {
        auto clock = std::make_shared<ManualClock>();
        auto f = bcache(config("huge", clock), [clock](int x) {
            if (x == 1) clock->advanceNs(std::int64_t{1} << 62);
            if (x == 2) clock->advanceMs(1);
            return std::string(100, 'v');
        });
        QVERIFY(f.ok());
        for (int i = 0; i < 5; ++i) (*f)(1);  // one miss, 4 hits: 2^64 ns saved
        for (int i = 0; i < 2; ++i) (*f)(2);  // one miss, 1 hit: 1 ms
        QVERIFY(f->engine().flush().ok());
        auto info = Discovery::identify(fs::path(m_tmp.path()) / "root" / "huge");
        QVERIFY(info.ok());
        auto src = Discovery::open(*info, {});
        QVERIFY(src.ok());
        auto listed = (*src)->entries("", 10, {});
        QVERIFY(listed.ok() && listed->entries.size() == 2);
        for (const auto& e : listed->entries) {
            if (e.key_text.find("1") == std::string::npos) continue;
            QCOMPARE(e.saved_ns.value_or(0), std::numeric_limits<std::uint64_t>::max());
        }
        PlanRequest req;
        req.action = PlanRequest::Action::kPruneToEntries;
        req.limit = 1;
        req.prune_order = PlanRequest::PruneOrder::kValue;
        auto plan = (*src)->plan(req);
        QVERIFY2(plan.ok(), plan.status().toString().c_str());
        QCOMPARE((*plan)->preview().count, 1u);
        const std::string gone = (*plan)->preview().sample.front().key_text;
        QVERIFY2(gone.find("2") != std::string::npos, gone.c_str());
    }

    void pruneByValue() {
        auto clock = std::make_shared<ManualClock>();
        // cost(x): x ms to compute; value(x) = hits x cost: x = 1..6, each hit x % 3 times.
        auto f = bcache(config("prune", clock), [clock](int x) {
            clock->advanceMs(x * 10);
            return std::string(100, 'v');
        });
        QVERIFY(f.ok());
        for (int x = 1; x <= 6; ++x) {
            (*f)(x);
            for (int h = 0; h < x % 3; ++h) (*f)(x);
        }
        QVERIFY(f->engine().flush().ok());
        // saved: x=1: 10, x=2: 40, x=3: 0, x=4: 40, x=5: 100, x=6: 0 (ms); same sizes.
        auto info = Discovery::identify(fs::path(m_tmp.path()) / "root" / "prune");
        QVERIFY(info.ok());
        auto src = Discovery::open(*info, {});
        QVERIFY(src.ok());
        PlanRequest req;
        req.action = PlanRequest::Action::kPruneToEntries;
        req.limit = 3;
        req.prune_order = PlanRequest::PruneOrder::kValue;
        auto plan = (*src)->plan(req);
        QVERIFY2(plan.ok(), plan.status().toString().c_str());
        const PlanPreview& pv = (*plan)->preview();
        QCOMPARE(pv.count, 3u);
        std::vector<std::string> previewed;
        for (const auto& e : pv.sample) previewed.push_back(e.key_text);
        // Never hit (x = 3 then 6, store order among equals), then the 10 ms saved by x = 1.
        QCOMPARE(previewed.size(), std::size_t(3));
        QVERIFY2(previewed[0].find("3") != std::string::npos, previewed[0].c_str());
        QVERIFY2(previewed[1].find("6") != std::string::npos, previewed[1].c_str());
        QVERIFY2(previewed[2].find("1") != std::string::npos, previewed[2].c_str());
        auto done = (*plan)->execute();
        QVERIFY(done.ok());
        QCOMPARE(done->deleted, 3u);
        std::set<std::string> left;
        auto after = (*src)->entries("", 10, {});
        QVERIFY(after.ok());
        for (const auto& e : after->entries) left.insert(e.key_text);
        QCOMPARE(left.size(), std::size_t(3));
        for (const auto& gone : previewed) QVERIFY(!left.count(gone));

        // A source that records no compute time refuses, saying why.
        const fs::path plain = fs::path(m_tmp.path()) / "plain";
        fs::create_directories(plain);
        std::ofstream(plain / "a.bin") << "data";
        auto pinfo = Discovery::identify(plain);
        QVERIFY(pinfo.ok());
        auto psrc = Discovery::open(*pinfo, {});
        QVERIFY(psrc.ok());
        auto refused = (*psrc)->plan(req);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.status().message().find("no compute time") != std::string::npos,
                 refused.status().toString().c_str());
    }

    // The census ranks the entries by value per byte (the order prune --by value takes) and
    // counts those never hit older than the threshold, exactly, in top-N lists of bounded size;
    // sources that record neither say so instead of counting zeros.
    void analysisRanksValueAndCountsNeverHit() {
        auto clock = std::make_shared<ManualClock>();
        // cost(x) = x * x * 10 ms; hits(x) = x % 3: saved 1: 10, 2: 80, 3: 0, 4: 160, 5: 500,
        // 6: 0 ms. Then two days pass and x = 7 is computed (490 ms), never hit but fresh.
        auto f = bcache(config("census", clock), [clock](int x) {
            clock->advanceMs(x * x * 10);
            return std::string(100, 'v');
        });
        QVERIFY(f.ok());
        for (int x = 1; x <= 6; ++x) {
            (*f)(x);
            for (int h = 0; h < x % 3; ++h) (*f)(x);
        }
        clock->advanceMs(2 * 24 * 3'600'000);
        (*f)(7);
        QVERIFY(f->engine().flush().ok());
        auto info = Discovery::identify(fs::path(m_tmp.path()) / "root" / "census");
        QVERIFY(info.ok());
        auto src = Discovery::open(*info, {});
        QVERIFY(src.ok());
        // Which key is which x (by its compute time), and each one's size.
        std::map<std::string, int> xOf;
        std::map<int, std::uint64_t> sizeOf;
        auto listed = (*src)->entries("", 100, {});
        QVERIFY(listed.ok());
        for (const auto& e : listed->entries) {
            const int x = static_cast<int>(std::lround(std::sqrt(
                static_cast<double>(e.compute_ns.value_or(0)) / static_cast<double>(10 * kMs))));
            xOf[e.key_text] = x;
            sizeOf[x] = e.size;
        }
        QCOMPARE(xOf.size(), std::size_t(7));

        AnalysisOptions o;
        o.top = 3;
        o.clock = clock;
        auto r = analyze(**src, o);
        QVERIFY2(r.ok(), r.status().toString().c_str());
        QVERIFY(r->value_recorded);
        auto xs = [&](const std::vector<AnalysisEntry>& list) {
            std::vector<int> out;
            for (const auto& e : list) out.push_back(xOf.at(e.key));
            return out;
        };
        QCOMPARE(xs(r->top_by_value), (std::vector<int>{5, 4, 2}));
        // Ties (nothing saved yet) in key order; the top list holds 3 of the 7.
        std::vector<int> least = xs(r->least_by_value);
        QCOMPARE(least.size(), std::size_t(3));
        QCOMPARE(std::set<int>(least.begin(), least.end()), (std::set<int>{3, 6, 7}));
        const AnalysisEntry& best = r->top_by_value.front();
        QCOMPARE(best.value_ns.value_or(0), 500 * kMs);
        QCOMPARE(best.hits.value_or(99), 2u);
        QCOMPARE(best.value_per_byte.value_or(0),
                 static_cast<double>(500 * kMs) / static_cast<double>(sizeOf[5]));
        QCOMPARE(r->least_by_value.front().value_ns.value_or(1), 0u);
        // Never hit and stored over a day ago: 3 and 6 (7 is fresh).
        QVERIFY(r->never_hit.has_value());
        QCOMPARE(r->never_hit->keys, 2u);
        QCOMPARE(r->never_hit->bytes, sizeOf[3] + sizeOf[6]);
        QCOMPARE(r->never_hit_older, std::chrono::milliseconds(24 * 3'600'000));
        const std::string json = analysisJson(*r, "census", o.budget);
        QVERIFY2(json.find("\"never_hit\": {") != std::string::npos, json.c_str());
        QVERIFY2(json.find("\"least\": [") != std::string::npos, json.c_str());
        // A longer threshold: counted, none.
        o.never_hit_older = std::chrono::hours(24 * 3);
        auto longer = analyze(**src, o);
        QVERIFY(longer.ok());
        QCOMPARE(longer->never_hit.value_or(AnalysisCount{99, 99, {}, {}}).keys, 0u);

        // Our files engine records compute times but no hits per entry: "not recorded".
        auto g = fcache(config("census_files", clock), Slow{clock, 5});
        QVERIFY(g.ok());
        (*g)(1);
        QVERIFY(g->engine().flush().ok());
        auto finfo = Discovery::identify(fs::path(m_tmp.path()) / "root" / "census_files");
        QVERIFY(finfo.ok());
        auto fsrc = Discovery::open(*finfo, {});
        QVERIFY(fsrc.ok());
        auto fr = analyze(**fsrc, o);
        QVERIFY(fr.ok());
        QVERIFY(fr->value_recorded);
        QCOMPARE(fr->top_by_value.size(), std::size_t(1));
        QVERIFY(!fr->never_hit.has_value());

        // A plain folder records neither.
        const fs::path plain = fs::path(m_tmp.path()) / "census_plain";
        fs::create_directories(plain);
        std::ofstream(plain / "a.bin") << "data";
        auto pinfo = Discovery::identify(plain);
        QVERIFY(pinfo.ok());
        auto psrc = Discovery::open(*pinfo, {});
        QVERIFY(psrc.ok());
        auto pr = analyze(**psrc, o);
        QVERIFY(pr.ok());
        QVERIFY(!pr->value_recorded);
        QVERIFY(pr->top_by_value.empty() && pr->least_by_value.empty());
        QVERIFY(!pr->never_hit.has_value());
        const std::string pjson = analysisJson(*pr, "plain", o.budget);
        QVERIFY2(pjson.find("\"value\": null") != std::string::npos, pjson.c_str());
        QVERIFY2(pjson.find("\"never_hit\": null") != std::string::npos, pjson.c_str());
    }

  private:
    static bool hasPolicy(const Capabilities& c, Policy p) {
        return std::find(c.policies.begin(), c.policies.end(), p) != c.policies.end();
    }
};

QTEST_GUILESS_MAIN(TestTimeSaved)
#include "test_time_saved.moc"
