// A real redis-server seen through the inspection layer and the CLI: keys of every type
// (string, hash, list, set, zset, stream, binary names) and one of our own Redis caches,
// listed by pages, shown in detail, counted per namespace, with stats from INFO and the
// cache's __meta hash; deletes by glob and by id, clear-all only when confirmed, read-only
// refusal, cancel, and the actions Redis does not need (expired) or support (prune).
#include <QtTest>
#include <atomic>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "redis_commands.h"
#include "redis_server.h"
#include "twat_cache/codec.h"
#include "twat_cache/inspect.h"
#include "twat_cache/redis_engine.h"

using namespace twat_cache;
using namespace std::chrono_literals;
using test::RedisServer;

namespace {

constexpr int kBulk = 5000;

std::vector<std::vector<std::string>> fixtureCommands() {
    std::vector<std::vector<std::string>> c = {
        {"SET", "app:str", "hello world"},
        {"SET", "app:ttl", "soon", "PX", "600000"},
        {"HSET", "app:hash", "f1", "v1", "f2", "v2", "f3", "v3"},
        {"RPUSH", "app:list", "a", "b", "c", "d"},
        {"SADD", "app:set", "x", "y"},
        {"ZADD", "app:zset", "1", "one", "2", "two"},
        {"XADD", "app:stream", "*", "field", "value"},
        {"SET", std::string("bin:\x01\xff", 6), "binary name"},
        {"SET", "plain", "no separator"},
    };
    for (int i = 0; i < kBulk; ++i) c.push_back({"SET", "bulk:" + std::to_string(i), "x"});
    return c;
}

struct Fixture {
    RedisServer server;
    std::string error;

    bool start() {
        error = server.start();
        if (!error.empty()) return false;
        if (!test::runRedisCommands(server.port(), fixtureCommands())) {
            error = "loading the fixture keys failed";
            return false;
        }
        // One of our own caches, with counters in its __meta hash.
        CacheConfig c;
        c.name = "rc";
        c.redis_url = server.url();
        auto cfg = resolveConfig(c, [](std::string_view) { return std::optional<std::string>(); });
        if (!cfg.ok()) return error = cfg.status().toString(), false;
        auto engine = RedisEngine::open(*cfg);
        if (!engine.ok()) return error = engine.status().toString(), false;
        const std::string payload = encodeToString(std::int64_t{1234});
        Record r;
        r.key_text = "answer(1)";
        r.type_tag = typeTag<std::int64_t>();
        r.payload = payload;
        if (!(*engine)->set(hashBytes("answer(1)"), r).ok()) return error = "set", false;
        for (int i = 0; i < 2; ++i) (void)(*engine)->get(hashBytes("answer(1)"));
        (void)(*engine)->get(hashBytes("missing"));
        if (!(*engine)->flush().ok()) return error = "flush", false;
        return true;
    }

    std::unique_ptr<Source> open(bool readOnly, std::string separator = ":") {
        auto info = Discovery::identifyUrl(server.url());
        if (!info.ok()) qFatal("identifyUrl: %s", info.status().toString().c_str());
        OpenOptions o;
        o.read_only = readOnly;
        o.separator = std::move(separator);
        auto src = Discovery::open(*info, o);
        if (!src.ok()) qFatal("open: %s", src.status().toString().c_str());
        return std::move(*src);
    }
};

std::vector<EntrySummary> listAll(Source& src, std::size_t pageSize, const EntryFilter& f = {}) {
    std::vector<EntrySummary> all;
    std::string cursor;
    for (int guard = 0; guard < 100'000; ++guard) {
        auto page = src.entries(cursor, pageSize, f);
        if (!page.ok()) qFatal("entries: %s", page.status().toString().c_str());
        if (page->entries.size() > pageSize) qFatal("page larger than its limit");
        for (auto& e : page->entries) all.push_back(std::move(e));
        cursor = page->cursor;
        if (cursor.empty()) break;
    }
    return all;
}

constexpr std::size_t kOwnKeys = 3;  // twat_cache:__caches, twat_cache:rc:__meta, the entry
constexpr std::size_t kTotal = 9 + kBulk + kOwnKeys;

}  // namespace

class TestInspectRedis : public QObject {
    Q_OBJECT

  private slots:
    void init() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
    }

    void pagesCoverEveryKeyOnce_data() {
        QTest::addColumn<int>("pageSize");
        QTest::newRow("7") << 7;
        QTest::newRow("500") << 500;
        QTest::newRow("20000") << 20000;
    }
    void pagesCoverEveryKeyOnce() {
        QFETCH(int, pageSize);
        Fixture fx;
        QVERIFY2(fx.start(), fx.error.c_str());
        auto src = fx.open(true);
        auto all = listAll(*src, static_cast<std::size_t>(pageSize));
        std::set<std::string> ids;
        for (const auto& e : all) ids.insert(e.id);
        QCOMPARE(ids.size(), kTotal);  // SCAN on a quiet db: each key once
        std::map<std::string, EntrySummary> byKey;
        for (auto& e : all) byKey[e.key_text] = e;
        const std::map<std::string, std::pair<std::string, std::uint64_t>> expect = {
            {"app:str", {"string", 11}}, {"app:hash", {"hash", 3}}, {"app:list", {"list", 4}},
            {"app:set", {"set", 2}},     {"app:zset", {"zset", 2}}, {"app:stream", {"stream", 1}}};
        for (const auto& [key, tl] : expect) {
            QVERIFY2(byKey.count(key), key.c_str());
            QCOMPARE(byKey[key].type, tl.first);
            QCOMPARE(byKey[key].length.value_or(0), tl.second);
            QVERIFY(byKey[key].size > 0);  // MEMORY USAGE
        }
        QVERIFY(byKey["app:ttl"].expires_ms.has_value());
        QVERIFY(!byKey["app:str"].expires_ms.has_value());
        // The binary key name comes back under a hex id that detail() accepts.
        QVERIFY(ids.count("hex:62 69 6e 3a 01 ff"));
    }

    // A cursor names a SCAN batch and how many of its keys were shown. Scanned again later
    // (the next `inspect --cursor` run), the batch may hold fewer keys than that — keys were
    // deleted, or the table resized. The listing then moves on to the next batch; it used to
    // answer an empty page with the same cursor, for ever.
    void aCursorPastItsShrunkBatchMovesOn() {
        Fixture fx;
        QVERIFY2(fx.start(), fx.error.c_str());
        std::string cursor;
        {
            auto first = fx.open(true);
            auto page = first->entries("", 5, {});
            QVERIFY2(page.ok(), page.status().toString().c_str());
            cursor = page->cursor;
            QVERIFY2(cursor.ends_with("/5"), cursor.c_str());  // inside the first batch
        }
        test::RawRedis raw(fx.server.port());
        raw.run({"FLUSHALL"});
        raw.run({"SET", "left:1", "a"});
        raw.run({"SET", "left:2", "b"});
        auto again = fx.open(true);
        std::size_t listed = 0;
        int pages = 0;
        for (; pages < 100 && !cursor.empty(); ++pages) {
            auto page = again->entries(cursor, 5, {});
            QVERIFY2(page.ok(), page.status().toString().c_str());
            QVERIFY2(page->cursor != cursor, "the listing made no progress");
            listed += page->entries.size();
            cursor = page->cursor;
        }
        QVERIFY(cursor.empty());
        QVERIFY(listed <= 2);
    }

    void filtersUseScanMatch() {
        Fixture fx;
        QVERIFY2(fx.start(), fx.error.c_str());
        auto src = fx.open(true);
        QCOMPARE(listAll(*src, 50, EntryFilter{"app:*", ""}).size(), std::size_t(7));
        QCOMPARE(listAll(*src, 50, EntryFilter{"", "bulk:49"}).size(), std::size_t(111));
        QCOMPARE(listAll(*src, 50, EntryFilter{"nothing*", ""}).size(), std::size_t(0));
    }

    void detailPreviewsEveryType_data() {
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("contains");
        QTest::newRow("string") << "app:str"
                                << "hello world";
        QTest::newRow("hash") << "app:hash"
                              << "f2: v2";
        QTest::newRow("list") << "app:list"
                              << "c\n";
        QTest::newRow("set") << "app:set"
                             << "x";
        QTest::newRow("zset") << "app:zset"
                              << "two (score 2)";
        QTest::newRow("stream") << "app:stream"
                                << "field: value";
        QTest::newRow("binary") << "hex:62 69 6e 3a 01 ff"
                                << "binary name";
    }
    void detailPreviewsEveryType() {
        QFETCH(QString, id);
        QFETCH(QString, contains);
        Fixture fx;
        QVERIFY2(fx.start(), fx.error.c_str());
        auto src = fx.open(true);
        auto d = src->detail(id.toStdString());
        QVERIFY2(d.ok(), d.status().toString().c_str());
        QVERIFY2(d->preview.find(contains.toStdString()) != std::string::npos, d->preview.c_str());
        QCOMPARE(src->detail("no:such:key").status().code(), StatusCode::kNotFound);
    }

    void ownCacheEntryIsDecoded() {
        Fixture fx;
        QVERIFY2(fx.start(), fx.error.c_str());
        auto src = fx.open(true);
        auto own = listAll(*src, 100, EntryFilter{"twat_cache:rc:*", ""});
        const EntrySummary* entry = nullptr;
        for (const auto& e : own) {
            if (e.key_text.find("__meta") == std::string::npos) entry = &e;
        }
        QVERIFY(entry != nullptr);
        auto d = src->detail(entry->id);
        QVERIFY(d.ok());
        QVERIFY2(d->note.find("answer(1)") != std::string::npos, d->note.c_str());
        QCOMPARE(d->preview, std::string("1234"));
    }

    void statsAndNamespaces() {
        Fixture fx;
        QVERIFY2(fx.start(), fx.error.c_str());
        auto src = fx.open(true);
        auto st = src->stats();
        QVERIFY2(st.ok(), st.status().toString().c_str());
        QCOMPARE(st->entries.value_or(0), std::uint64_t(kTotal));
        QVERIFY(st->hits.has_value() && st->misses.has_value() && st->bytes.has_value());
        std::map<std::string, std::uint64_t> extra(st->extra.begin(), st->extra.end());
        QCOMPARE(extra["db0.keys"], std::uint64_t(kTotal));
        QCOMPARE(extra["cache.rc.hits"], std::uint64_t(2));
        QCOMPARE(extra["cache.rc.misses"], std::uint64_t(1));
        // stats() read the server's version into the source's note.
        const std::string note = src->info().note;
        QVERIFY2(note.starts_with("Redis ") && note.size() > 6 && note[6] >= '1' &&
                     note[6] <= '9' && note.ends_with(", db 0"),
                 note.c_str());

        // Counts grow with each bounded step until the keyspace is done.
        auto first = src->namespaces(100);
        QVERIFY(first.ok());
        QVERIFY(first->keys_scanned >= 100 && first->keys_scanned < kTotal);
        QVERIFY(!first->complete);
        Result<NamespaceReport> report = first;
        for (int i = 0; i < 1000 && report.ok() && !report->complete; ++i) {
            report = src->namespaces(1000);
        }
        QVERIFY(report.ok() && report->complete);
        QCOMPARE(report->keys_scanned, std::uint64_t(kTotal));
        std::map<std::string, std::uint64_t> ns;
        for (const auto& n : report->nodes) {
            if (n.depth == 1) ns[n.prefix] = n.keys;
        }
        QCOMPARE(ns["bulk"], std::uint64_t(kBulk));
        QCOMPARE(ns["app"], std::uint64_t(7));
        QCOMPARE(ns["twat_cache"], std::uint64_t(kOwnKeys));
        QCOMPARE(ns[""], std::uint64_t(1));
        QCOMPARE(report->nodes.front().prefix, std::string("bulk"));
    }

    void deletesByGlobAndId() {
        Fixture fx;
        QVERIFY2(fx.start(), fx.error.c_str());
        auto src = fx.open(false);
        PlanRequest req;
        req.action = PlanRequest::Action::kMatchGlob;
        req.glob = "bulk:1*";  // bulk:1, 10-19, 100-199, 1000-1999
        auto plan = src->plan(req);
        QVERIFY2(plan.ok(), plan.status().toString().c_str());
        QCOMPARE((*plan)->preview().count, std::uint64_t(1111));
        QCOMPARE((*plan)->preview().sample.size(), PlanPreview::kSampleSize);
        std::uint64_t lastDone = 0;
        auto r = (*plan)->execute([&](std::uint64_t done, std::uint64_t) { lastDone = done; });
        QVERIFY2(r.ok(), r.status().toString().c_str());
        QCOMPARE(r->deleted, std::uint64_t(1111));
        QCOMPARE(lastDone, std::uint64_t(1111));
        QCOMPARE(src->stats()->entries.value_or(0), std::uint64_t(kTotal - 1111));

        req = PlanRequest{};
        req.action = PlanRequest::Action::kDeleteEntries;
        req.entry_ids = {"app:hash", "hex:62 69 6e 3a 01 ff", "gone:already"};
        plan = src->plan(req);
        QVERIFY(plan.ok());
        QCOMPARE((*plan)->preview().count, std::uint64_t(2));
        r = (*plan)->execute();
        QVERIFY(r.ok());
        QCOMPARE(r->deleted, std::uint64_t(2));
        QCOMPARE(src->detail("app:hash").status().code(), StatusCode::kNotFound);
    }

    void clearAllNeedsConfirmation() {
        Fixture fx;
        QVERIFY2(fx.start(), fx.error.c_str());
        auto src = fx.open(false);
        PlanRequest req;
        req.action = PlanRequest::Action::kClearAll;
        auto plan = src->plan(req);
        QVERIFY(plan.ok());
        QCOMPARE((*plan)->preview().count, std::uint64_t(kTotal));
        QVERIFY((*plan)->preview().needs_confirmation);
        const Status refused = (*plan)->execute().status();
        QCOMPARE(refused.code(), StatusCode::kPermissionDenied);
        // Said for a user: no name of the API in it.
        QVERIFY2(refused.message().find("::") == std::string::npos, refused.message().c_str());
        QCOMPARE(src->stats()->entries.value_or(0), std::uint64_t(kTotal));

        req.confirmed = true;
        plan = src->plan(req);
        QVERIFY(plan.ok());
        QVERIFY(!(*plan)->preview().needs_confirmation);
        std::atomic<bool> cancel{true};
        auto r = (*plan)->execute({}, &cancel);
        QVERIFY(r.ok() && r->cancelled && r->deleted == 0);
        r = (*plan)->execute();
        QVERIFY2(r.ok(), r.status().toString().c_str());
        QCOMPARE(r->deleted, std::uint64_t(kTotal));
        QCOMPARE(src->stats()->entries.value_or(1), std::uint64_t(0));
    }

    void readOnlyAndUnsupportedActions() {
        Fixture fx;
        QVERIFY2(fx.start(), fx.error.c_str());
        auto src = fx.open(true);
        PlanRequest req;
        req.action = PlanRequest::Action::kMatchGlob;
        req.glob = "*";
        auto plan = src->plan(req);
        QVERIFY(plan.ok());
        QCOMPARE((*plan)->execute().status().code(), StatusCode::kPermissionDenied);
        QCOMPARE(src->stats()->entries.value_or(0), std::uint64_t(kTotal));

        req.action = PlanRequest::Action::kClearExpired;
        plan = src->plan(req);
        QVERIFY(plan.ok());
        QCOMPARE((*plan)->preview().count, std::uint64_t(0));
        QVERIFY((*plan)->preview().note.find("expired") != std::string::npos);

        req.action = PlanRequest::Action::kPruneToEntries;
        QCOMPARE(src->plan(req).status().code(), StatusCode::kNotSupported);
        req.action = PlanRequest::Action::kOlderThan;
        QCOMPARE(src->plan(req).status().code(), StatusCode::kNotSupported);

        // supports() tells a user interface beforehand, with the same reasons.
        using A = PlanRequest::Action;
        for (A action : {A::kPruneToBytes, A::kPruneToEntries, A::kOlderThan}) {
            const Status why = src->supports(action);
            QCOMPARE(why.code(), StatusCode::kNotSupported);
            QVERIFY(src->plan({.action = action}).status().message().starts_with(why.message()));
        }
        QCOMPARE(src->supports(A::kClearExpired).code(), StatusCode::kNotSupported);
        for (A action : {A::kDeleteEntries, A::kMatchGlob, A::kClearAll}) {
            QVERIFY(src->supports(action).ok());
        }
    }

    void cli() {
        Fixture fx;
        QVERIFY2(fx.start(), fx.error.c_str());
        const std::string url = fx.server.url();
        auto stats = test::runProcess(TWAT_CACHE_CLI, {"stats", url, "--json"});
        QCOMPARE(stats.exitCode, 0);
        auto j = nlohmann::json::parse(stats.out);
        QCOMPARE(j["kind"].get<std::string>(), std::string("redis"));
        QCOMPARE(j["entries"].get<std::uint64_t>(), std::uint64_t(kTotal));
        QVERIFY(j["hits"].is_number() && j["misses"].is_number());
        QCOMPARE(j["extra"]["cache.rc.hits"].get<std::uint64_t>(), std::uint64_t(2));

        auto page = test::runProcess(
            TWAT_CACHE_CLI, {"inspect", url, "--match", "app:*", "--limit", "3", "--json"});
        QCOMPARE(page.exitCode, 0);
        auto p = nlohmann::json::parse(page.out);
        QVERIFY(p["entries"].size() <= 3);
        QVERIFY(!p["entries"].empty());

        auto ns = test::runProcess(TWAT_CACHE_CLI, {"inspect", url, "--namespaces", "--json"});
        QCOMPARE(ns.exitCode, 0);
        QCOMPARE(nlohmann::json::parse(ns.out)["namespaces"][0]["keys"].get<std::uint64_t>(),
                 std::uint64_t(kBulk));

        auto refused = test::runProcess(TWAT_CACHE_CLI, {"clear", url, "--all"});
        QCOMPARE(refused.exitCode, 3);
        auto prune = test::runProcess(TWAT_CACHE_CLI, {"prune", url, "--max-entries", "1"});
        QCOMPARE(prune.exitCode, 1);
        auto clear = test::runProcess(TWAT_CACHE_CLI,
                                      {"clear", url, "--match", "bulk:*", "--yes", "--json"});
        QCOMPARE(clear.exitCode, 0);
        QCOMPARE(nlohmann::json::parse(clear.out)["deleted"].get<std::uint64_t>(),
                 std::uint64_t(kBulk));
        auto after = test::runProcess(TWAT_CACHE_CLI, {"stats", url, "--json"});
        QCOMPARE(nlohmann::json::parse(after.out)["entries"].get<std::uint64_t>(),
                 std::uint64_t(kTotal - kBulk));
    }
};

QTEST_GUILESS_MAIN(TestInspectRedis)
#include "test_inspect_redis.moc"
