// analyze() (twat_cache/analysis.h) against real caches: a redis-server holding keys of every
// shape (namespaces, types, TTLs in each bucket, one big value), where every total must equal
// what the server itself reports key by key (DBSIZE, TYPE, MEMORY USAGE, TTL); a diskcache
// made by the real python-diskcache, whose per-tag totals must equal its own rows; and the
// control: a cancelled census stops and says it is incomplete, a paused one does not advance.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>
#include <algorithm>
#include <atomic>
#include <thread>

#include "redis_commands.h"
#include "redis_server.h"
#include "test_support.h"
#include "twat_cache/analysis.h"
#include "twat_cache/inspect.h"

using namespace twat_cache;
using test::RedisServer;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<Source> openUrl(const std::string& url) {
    SourceInfo info;
    info.kind = SourceKind::kRedis;
    info.url = url;
    info.name = url;
    auto src = Discovery::open(info);
    if (!src.ok()) qFatal("%s", src.status().toString().c_str());
    return std::move(*src);
}

std::unique_ptr<Source> openPath(const fs::path& path) {
    auto info = Discovery::identify(path);
    if (!info.ok()) qFatal("%s", info.status().toString().c_str());
    auto src = Discovery::open(*info);
    if (!src.ok()) qFatal("%s", src.status().toString().c_str());
    return std::move(*src);
}

std::uint64_t toU64(const std::string& s) {
    return static_cast<std::uint64_t>(std::stoull(s));
}

const NamespaceReport::Node* nodeOf(const NamespaceReport& r, const std::string& prefix) {
    for (const auto& n : r.nodes) {
        if (n.prefix == prefix && !n.other) return &n;
    }
    return nullptr;
}

}  // namespace

class TestAnalysis : public QObject {
    Q_OBJECT

    std::unique_ptr<RedisServer> m_redis;

    // The interop caches of tests/fixtures/make_caches.py, written under `root` by the real
    // python-diskcache and joblib; "" or what went wrong.
    static std::string makeCaches(const fs::path& root) {
        fs::create_directories(root);
        const fs::path script = test::sourceDir() / "tests" / "fixtures" / "make_caches.py";
        auto made =
            test::runProcess(test::pythonInterpreter(), {script.string(), root.string()}, 120000);
        return made.finished && made.exitCode == 0 ? std::string() : "make_caches.py: " + made.err;
    }

  private slots:
    void initTestCase() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        m_redis = std::make_unique<RedisServer>();
        const std::string error = m_redis->start();
        QVERIFY2(error.empty(), error.c_str());
        std::vector<std::vector<std::string>> load;
        for (int i = 0; i < 400; ++i) {
            load.push_back({"SET", "app:user:" + std::to_string(i), std::string(10 + i % 50, 'u')});
        }
        for (int i = 0; i < 60; ++i) {
            const std::string k = "app:session:" + std::to_string(i);
            load.push_back({"HSET", k, "a", "1", "b", std::string(i, 'b')});
            // TTLs in every bucket: < 1 h, < 1 d, < 7 d, >= 7 d.
            static const char* kTtls[] = {"600", "7200", "200000", "1000000"};
            load.push_back({"EXPIRE", k, kTtls[i % 4]});
        }
        for (int i = 0; i < 30; ++i) {
            load.push_back({"RPUSH", "queue:" + std::to_string(i), "x", "y", std::to_string(i)});
            load.push_back({"ZADD", "rank:" + std::to_string(i), "1", "a", "2", "b"});
        }
        load.push_back({"SET", "big", std::string(200'000, 'x')});
        QVERIFY(test::runRedisCommands(m_redis->port(), load));
    }

    // Every total equals what the server reports of each key.
    void redisTotalsAreExact() {
        test::RawRedis raw(m_redis->port());
        const std::uint64_t dbsize = toU64(raw.run({"DBSIZE"}));
        std::vector<std::string> keys{"big"};  // every key initTestCase wrote
        for (int i = 0; i < 400; ++i) keys.push_back("app:user:" + std::to_string(i));
        for (int i = 0; i < 60; ++i) keys.push_back("app:session:" + std::to_string(i));
        for (int i = 0; i < 30; ++i) {
            keys.push_back("queue:" + std::to_string(i));
            keys.push_back("rank:" + std::to_string(i));
        }
        QCOMPARE(keys.size(), std::size_t{dbsize});
        std::uint64_t bytes = 0, userBytes = 0, sessionsUnderHour = 0;
        std::map<std::string, AnalysisCount> types;
        for (const auto& k : keys) {
            const std::uint64_t mem = toU64(raw.run({"MEMORY", "USAGE", k}));
            const std::string type = raw.run({"TYPE", k});
            bytes += mem;
            types[type].keys += 1;
            types[type].bytes += mem;
            if (k.starts_with("app:user:")) userBytes += mem;
            const long long ttl = std::stoll(raw.run({"TTL", k}));
            if (ttl > 0 && ttl < 3600) ++sessionsUnderHour;
        }
        auto src = openUrl(m_redis->url());
        AnalysisOptions o;
        o.top = 5;
        o.page_limit = 97;  // many pages
        auto report = analyze(*src, o);
        QVERIFY2(report.ok(), report.status().toString().c_str());
        QVERIFY(report->complete);
        QCOMPARE(report->keys, dbsize);
        QCOMPARE(report->bytes, bytes);
        QCOMPARE(report->types.size(), types.size());
        for (const auto& [type, c] : types) {
            QCOMPARE(report->types.at(type).keys, c.keys);
            QCOMPARE(report->types.at(type).bytes, c.bytes);
        }
        QCOMPARE(report->ttl_buckets.at("lt_1h").keys, std::uint64_t{15});
        QCOMPARE(report->ttl_buckets.at("lt_1d").keys, std::uint64_t{15});
        QCOMPARE(report->ttl_buckets.at("lt_7d").keys, std::uint64_t{15});
        QCOMPARE(report->ttl_buckets.at("ge_7d").keys, std::uint64_t{15});
        QCOMPARE(report->ttl_buckets.at("none").keys, dbsize - 60);
        QCOMPARE(report->expiring_within_hour.keys, sessionsUnderHour);
        const auto* users = nodeOf(report->namespaces, "app:user");
        QVERIFY(users != nullptr);
        QCOMPARE(users->keys, std::uint64_t{400});
        QCOMPARE(users->bytes, userBytes);
        QCOMPARE(nodeOf(report->namespaces, "app")->keys, std::uint64_t{460});
        QCOMPARE(report->top_by_bytes.size(), std::size_t{5});
        QCOMPARE(report->top_by_bytes.front().key, std::string("big"));
        QCOMPARE(report->top_by_bytes.front().bytes, toU64(raw.run({"MEMORY", "USAGE", "big"})));
        QCOMPARE(report->top_by_length.front().length.value_or(0), std::uint64_t{200'000});
        for (std::size_t i = 1; i < report->top_by_bytes.size(); ++i) {
            QVERIFY(report->top_by_bytes[i - 1].bytes >= report->top_by_bytes[i].bytes);
        }
        QVERIFY(report->idle_round_trip.count() > 0);  // the budget measured it
    }

    // A sample as large as the keyspace keeps every key: its estimates are the census's
    // figures exactly, with intervals of zero width (finite population correction).
    void sampleOfEverythingIsExact() {
        auto src = openUrl(m_redis->url());
        auto census = analyze(*src, AnalysisOptions{.budget = std::chrono::microseconds{0}});
        QVERIFY(census.ok());
        AnalysisOptions o;
        o.sample = 100'000;
        auto sampled = analyze(*src, o);
        QVERIFY2(sampled.ok(), sampled.status().toString().c_str());
        QVERIFY(sampled->sampled);
        QCOMPARE(sampled->sample_size, census->keys);
        QCOMPARE(sampled->population, census->keys);
        QCOMPARE(sampled->keys, census->keys);
        QCOMPARE(sampled->bytes, census->bytes);
        QCOMPARE(sampled->bytes_interval.low, static_cast<double>(census->bytes));
        QCOMPARE(sampled->bytes_interval.high, static_cast<double>(census->bytes));
        for (const auto& [type, c] : census->types) {
            QCOMPARE(sampled->types.at(type).keys, c.keys);
            QCOMPARE(sampled->types.at(type).keys_interval->low, static_cast<double>(c.keys));
        }
    }

    // About half the keys: the true totals lie within their intervals (widened threefold, so
    // that chance alone fails this about once in a billion runs), and the intervals are real.
    void halfSampleBracketsTheTruth() {
        auto src = openUrl(m_redis->url());
        auto census = analyze(*src, AnalysisOptions{.budget = std::chrono::microseconds{0}});
        QVERIFY(census.ok());
        AnalysisOptions o;
        o.sample = census->keys / 2;
        auto sampled = analyze(*src, o);
        QVERIFY2(sampled.ok(), sampled.status().toString().c_str());
        QVERIFY(sampled->sample_size > 0 && sampled->sample_size < census->keys);
        auto within = [](double truth, double estimate, const AnalysisInterval& i) {
            const double lo = estimate - 3 * (estimate - i.low);
            const double hi = estimate + 3 * (i.high - estimate);
            return truth >= lo && truth <= hi && i.low < i.high;
        };
        // (Not the total bytes: one key, "big", holds most of them, and a sample that misses
        // it cannot know — the normal approximation needs no single entry to dominate; see
        // docs/INSPECTION.md. The users' namespace has no such key.)
        std::size_t users = 0;
        while (users < sampled->namespaces.nodes.size() &&
               sampled->namespaces.nodes[users].prefix != "app:user") {
            ++users;
        }
        QVERIFY(users < sampled->namespaces.nodes.size());
        const auto* truthUsers = nodeOf(census->namespaces, "app:user");
        const auto& estUsers = sampled->namespace_intervals[users];
        QVERIFY(within(static_cast<double>(truthUsers->bytes),
                       static_cast<double>(sampled->namespaces.nodes[users].bytes),
                       *estUsers.bytes_interval));
        QVERIFY(within(static_cast<double>(truthUsers->keys),
                       static_cast<double>(sampled->namespaces.nodes[users].keys),
                       *estUsers.keys_interval));
        const auto& truthStrings = census->types.at("string");
        const auto& estStrings = sampled->types.at("string");
        QVERIFY(within(static_cast<double>(truthStrings.keys), static_cast<double>(estStrings.keys),
                       *estStrings.keys_interval));
        QCOMPARE(sampled->namespace_intervals.size(), sampled->namespaces.nodes.size());
    }

    void cancelledCensusIsIncomplete() {
        auto src = openUrl(m_redis->url());
        AnalysisControl control;
        AnalysisOptions o;
        o.budget = std::chrono::microseconds{0};
        o.page_limit = 50;
        int pages = 0;
        auto report = analyze(*src, o, &control, [&](const AnalysisProgress&) {
            if (++pages == 2) control.cancelled = true;
        });
        QVERIFY(report.ok());
        QVERIFY(!report->complete);
        QCOMPARE(pages, 2);
        QVERIFY(report->keys > 0 && report->keys <= 100);
    }

    void pausedCensusWaits() {
        auto src = openUrl(m_redis->url());
        AnalysisControl control;
        AnalysisOptions o;
        o.budget = std::chrono::microseconds{0};
        o.page_limit = 100;
        std::atomic<std::uint64_t> visitedWhenPaused{0};
        std::atomic<bool> sawPause{false};
        std::thread resumer;
        auto report = analyze(*src, o, &control, [&](const AnalysisProgress& p) {
            if (p.paused) {
                sawPause = true;
                return;
            }
            if (!control.paused && visitedWhenPaused == 0) {
                visitedWhenPaused = p.visited;
                control.paused = true;
                resumer = std::thread([&] {
                    // Resumes once the walk has said it is paused.
                    while (!sawPause.load()) std::this_thread::yield();
                    control.paused = false;
                });
            } else {
                QVERIFY(!control.paused.load());  // no page while paused
            }
        });
        resumer.join();
        QVERIFY(report.ok());
        QVERIFY(sawPause.load());
        QVERIFY(report->complete);
    }

    // diskcache made by python-diskcache: per-tag keys and bytes equal its own rows.
    void diskcacheTagsMatchItsRows() {
        test::TempDir dir;
        const fs::path root = dir.path() / "made";
        const std::string made = makeCaches(root);
        QVERIFY2(made.empty(), made.c_str());
        const fs::path cache = root / "dc_stats";
        // What the cache's own database holds, per tag: rows and stored sizes (a value file's
        // size when spilled, else the inline value's length: docs/INSPECTION.md, "Sizes").
        auto rows = test::runProcess(
            test::pythonInterpreter(),
            {"-c",
             "import sqlite3,sys,json; c=sqlite3.connect(sys.argv[1]); print(json.dumps({str(t): "
             "[n, s] for t, n, s in c.execute('select tag, count(*), sum(case when filename is not "
             "null then size else length(value) end) from Cache group by tag')}))",
             (cache / "cache.db").string()},
            30000);
        QVERIFY2(rows.finished && rows.exitCode == 0, rows.err.c_str());
        const auto expected = QJsonDocument::fromJson(QByteArray::fromStdString(rows.out)).object();
        auto src = openPath(cache);
        auto report = analyze(*src, AnalysisOptions{});
        QVERIFY2(report.ok(), report.status().toString().c_str());
        QVERIFY(report->complete);
        int tagged = 0;
        for (auto it = expected.begin(); it != expected.end(); ++it) {
            if (it.key() == "None") continue;
            const auto arr = it.value().toArray();
            const auto& got = report->tags.at(it.key().toStdString());
            QCOMPARE(got.keys, static_cast<std::uint64_t>(arr[0].toInteger()));
            QCOMPARE(got.bytes, static_cast<std::uint64_t>(arr[1].toInteger()));
            ++tagged;
        }
        QVERIFY(tagged >= 2);
        QVERIFY(!report->age_buckets.empty());  // diskcache records store times
    }

    // joblib made by python-joblib: per function, calls and bytes equal what joblib's own
    // store reports (store_backend.get_items(): one item per call folder, with its size).
    void joblibFunctionsMatchItsStore() {
        test::TempDir dir;
        const fs::path root = dir.path() / "made";
        const std::string made = makeCaches(root);
        QVERIFY2(made.empty(), made.c_str());
        auto items = test::runProcess(
            test::pythonInterpreter(),
            {"-c",
             "import joblib,os,sys,json,collections; m=joblib.Memory(sys.argv[1],verbose=0); "
             "base=os.path.join(sys.argv[1],'joblib'); t=collections.defaultdict(lambda:[0,0])\n"
             "for i in m.store_backend.get_items():\n"
             "  f=os.path.relpath(os.path.dirname(i.path),base).replace(os.sep,'/'); "
             "t[f][0]+=1; t[f][1]+=i.size\n"
             "print(json.dumps(t))",
             (root / "jl").string()},
            30000);
        QVERIFY2(items.finished && items.exitCode == 0, items.err.c_str());
        const auto expected =
            QJsonDocument::fromJson(QByteArray::fromStdString(items.out)).object();
        QCOMPARE(expected.size(), 2);  // square and greet
        auto src = openPath(root / "jl" / "joblib");
        auto report = analyze(*src, AnalysisOptions{});
        QVERIFY2(report.ok(), report.status().toString().c_str());
        for (auto it = expected.begin(); it != expected.end(); ++it) {
            const auto arr = it.value().toArray();
            const auto node =
                std::find_if(report->namespaces.nodes.begin(), report->namespaces.nodes.end(),
                             [&](const auto& n) { return n.prefix == it.key().toStdString(); });
            QVERIFY2(node != report->namespaces.nodes.end(), qPrintable(it.key()));
            QCOMPARE(node->keys, static_cast<std::uint64_t>(arr[0].toInteger()));
            QCOMPARE(node->bytes, static_cast<std::uint64_t>(arr[1].toInteger()));
        }
    }
};

QTEST_GUILESS_MAIN(TestAnalysis)
#include "test_analysis.moc"
