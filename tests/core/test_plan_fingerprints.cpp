// A plan deletes only what its preview showed: for every kind of source, an entry written
// again between plan() and execute() (a diskcache key stored again by the real python
// diskcache, a file rewritten, a native entry set again, a Redis key replaced) is kept and
// counted in ExecuteResult::changed, while the untouched entries of the same plan go.
#include <QtTest>
#include <algorithm>
#include <filesystem>
#include <fstream>

#include "redis_commands.h"
#include "redis_server.h"
#include "test_support.h"
#include "twat_cache/config.h"
#include "twat_cache/engine.h"
#include "twat_cache/inspect.h"
#include "twat_cache/key.h"

using namespace twat_cache;
using namespace std::chrono_literals;
using test::TempDir;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<Source> openPath(const fs::path& dir) {
    auto info = Discovery::identify(dir);
    if (!info.ok()) qFatal("identify: %s", info.status().toString().c_str());
    OpenOptions o;
    o.audit = false;
    auto src = Discovery::open(*info, o);
    if (!src.ok()) qFatal("open: %s", src.status().toString().c_str());
    return std::move(*src);
}

std::unique_ptr<Plan> planAll(Source& src) {
    PlanRequest all;
    all.action = PlanRequest::Action::kClearAll;
    all.confirmed = true;
    auto plan = src.plan(all);
    if (!plan.ok()) qFatal("plan: %s", plan.status().toString().c_str());
    return std::move(*plan);
}

void writeFile(const fs::path& file, const std::string& text) {
    std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
}

// A key set through one of our own engines (sqlite or files) in `root`.
struct NativeCache {
    std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(1'700'000'000'000);
    fs::path folder;
    std::unique_ptr<Engine> engine;

    bool open(EngineKind kind, const fs::path& root) {
        CacheConfig c;
        c.name = "fp";
        c.cache_dir = root;
        c.clock = clock;
        auto cfg = resolveConfig(c, [](std::string_view) { return std::optional<std::string>(); });
        if (!cfg.ok()) return false;
        folder = cfg->folder;
        auto e = openEngine(kind, *cfg);
        if (!e.ok()) return false;
        engine = std::move(*e);
        return true;
    }
    bool set(const std::string& key, const std::string& value) {
        clock->advanceMs(1000);
        Record r;
        r.key_text = key;
        r.payload = value;
        r.type_tag = 7;
        return engine->set(makeKey("fp", key), r).ok() && engine->flush().ok();
    }
    bool has(const std::string& key) { return engine->get(makeKey("fp", key)).ok(); }
};

}  // namespace

class TestPlanFingerprints : public QObject {
    Q_OBJECT

    void nativeChangedEntryIsKept(EngineKind kind) {
        TempDir tmp;
        NativeCache cache;
        QVERIFY(cache.open(kind, tmp.path()));
        QVERIFY(cache.set("stays", "old"));
        QVERIFY(cache.set("goes", "old"));
        auto src = openPath(cache.folder);
        auto plan = planAll(*src);
        QCOMPARE(plan->preview().count, 2u);
        QVERIFY(cache.set("stays", "new value, stored after the preview"));
        auto r = plan->execute();
        QVERIFY2(r.ok(), r.status().toString().c_str());
        QCOMPARE(r->deleted, 1u);
        QCOMPARE(r->changed, 1u);
        QVERIFY(cache.has("stays"));
        QVERIFY(!cache.has("goes"));
    }

  private slots:
    void diskcacheKeyStoredAgainIsKept() {
        TempDir tmp;
        const fs::path dir = tmp.path() / "dc";
        const std::string py = test::pythonInterpreter();
        auto made = test::runProcess(py, {"-c",
                                          "import sys, diskcache\n"
                                          "c = diskcache.Cache(sys.argv[1])\n"
                                          "c['stays'] = 'old'\n"
                                          "c['goes'] = 'old'\n"
                                          "c['big'] = b'x' * 100000\n",
                                          dir.string()});
        if (made.exitCode != 0) QSKIP(("python3-diskcache is needed: " + made.err).c_str());
        auto src = openPath(dir);
        auto plan = planAll(*src);
        QCOMPARE(plan->preview().count, 3u);
        // Stored again (same row, new store time) and a spilled value rewritten.
        auto again = test::runProcess(py, {"-c",
                                           "import sys, time, diskcache\n"
                                           "c = diskcache.Cache(sys.argv[1])\n"
                                           "time.sleep(0.01)\n"
                                           "c['stays'] = 'new'\n"
                                           "c['big'] = b'y' * 100001\n",
                                           dir.string()});
        QCOMPARE(again.exitCode, 0);
        auto r = plan->execute();
        QVERIFY2(r.ok(), r.status().toString().c_str());
        QCOMPARE(r->deleted, 1u);
        QCOMPARE(r->changed, 2u);
        auto left = test::runProcess(py, {"-c",
                                          "import sys, diskcache\n"
                                          "c = diskcache.Cache(sys.argv[1])\n"
                                          "print(sorted(c), c['stays'], len(c['big']))",
                                          dir.string()});
        QCOMPARE(left.out, std::string("['big', 'stays'] new 100001\n"));
    }

    void folderFileRewrittenIsKept() {
        TempDir tmp;
        const fs::path dir = tmp.path() / "plain";
        fs::create_directories(dir / "sub");
        writeFile(dir / "stays.bin", "old");
        writeFile(dir / "sub" / "goes.bin", "old");
        auto src = openPath(dir);
        auto plan = planAll(*src);
        QCOMPARE(plan->preview().count, 2u);
        // Written anew the way caches do: a temporary file renamed over the old one.
        writeFile(dir / "tmp", "new");
        fs::rename(dir / "tmp", dir / "stays.bin");
        auto r = plan->execute();
        QVERIFY2(r.ok(), r.status().toString().c_str());
        QCOMPARE(r->deleted, 1u);
        QCOMPARE(r->changed, 1u);
        QVERIFY(fs::exists(dir / "stays.bin"));
        QVERIFY(!fs::exists(dir / "sub" / "goes.bin"));
    }

    void nativeSqliteEntrySetAgainIsKept() { nativeChangedEntryIsKept(EngineKind::kSqlite); }
    void nativeFilesEntrySetAgainIsKept() { nativeChangedEntryIsKept(EngineKind::kFiles); }

    // Named keys (the preview described each): a key replaced by another type or length is
    // kept; a pattern delete deletes by name (documented).
    void redisKeyReplacedIsKept() {
        if (!test::RedisServer::available()) QSKIP(test::RedisServer::skipReason().c_str());
        test::RedisServer server;
        const std::string error = server.start();
        QVERIFY2(error.empty(), error.c_str());
        QVERIFY(test::runRedisCommands(
            server.port(),
            {{"SET", "a:stays", "old"}, {"RPUSH", "a:list", "1", "2"}, {"SET", "a:goes", "old"}}));
        auto info = Discovery::identifyUrl(server.url());
        QVERIFY(info.ok());
        OpenOptions o;
        o.audit = false;
        auto src = Discovery::open(*info, o);
        QVERIFY2(src.ok(), src.status().toString().c_str());
        PlanRequest named;
        named.action = PlanRequest::Action::kDeleteEntries;
        EntryFilter f;
        f.glob = "a:*";
        auto page = (*src)->entries("", 100, f);
        QVERIFY(page.ok());
        QCOMPARE(page->entries.size(), std::size_t{3});
        for (const auto& e : page->entries) named.entry_ids.push_back(e.id);
        auto plan = (*src)->plan(named);
        QVERIFY2(plan.ok(), plan.status().toString().c_str());
        QCOMPARE((*plan)->preview().count, 3u);
        QVERIFY(test::runRedisCommands(
            server.port(), {{"SET", "a:stays", "a longer value"}, {"RPUSH", "a:list", "3"}}));
        auto r = (*plan)->execute();
        QVERIFY2(r.ok(), r.status().toString().c_str());
        QCOMPARE(r->deleted, 1u);
        QCOMPARE(r->changed, 2u);
        // The bytes freed are the deleted key's, as previewed, not 0 for a partial delete.
        const auto goes = std::find_if(page->entries.begin(), page->entries.end(),
                                       [](const auto& e) { return e.key_text == "a:goes"; });
        QVERIFY(goes != page->entries.end() && goes->size > 0);
        QCOMPARE(r->bytes_freed, goes->size);
        test::RawRedis raw(server.port());
        QCOMPARE(raw.run({"GET", "a:stays"}), std::string("a longer value"));
        QCOMPARE(raw.run({"LLEN", "a:list"}), std::string("3"));
        QCOMPARE(raw.run({"EXISTS", "a:goes"}), std::string("0"));
    }
};

QTEST_GUILESS_MAIN(TestPlanFingerprints)
#include "test_plan_fingerprints.moc"
