// Native sqlite caches seen through the inspection layer: a cache made by our own sqlite
// engine is discovered by its manifest, listed by cursor pages, shown in detail (typed values,
// zstd, spilled files), and maintained through plans whose deletions keep the engine's
// totals exact and remove spilled files. Also read-only refusal, cancel, and the CLI.
#include <unistd.h>

#include <QtTest>
#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "sqlite_test_util.h"
#include "test_support.h"
#include "twat_cache/codec.h"
#include "twat_cache/inspect.h"
#include "util/engine_factories.h"

using namespace twat_cache;
using namespace std::chrono_literals;
using test::TempDir;
namespace fs = std::filesystem;

namespace {

constexpr int kPlain = 30;

struct Fixture {
    TempDir dir;
    std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
    std::filesystem::path folder;

    // Writes kPlain small string entries ("k0".."k29", tag "even"/"odd"), one with a TTL, one
    // compressed text value, and one spilled 200 KiB value; then hits k0 three times.
    void populate() {
        CacheConfig c;
        c.name = "nat";
        c.compress = true;
        auto cfg = test::sqliteConfig(dir.path(), c, clock);
        folder = cfg.folder;
        auto engine = openSqliteCache(cfg);
        QVERIFY2(engine.ok(), engine.status().toString().c_str());
        for (int i = 0; i < kPlain; ++i) {
            const std::string key = "k" + std::to_string(i);
            const std::string value = encodeToString(std::string("value ") + std::to_string(i));
            Record r = test::recordOf(key, value, typeTag<std::string>(), i % 2 ? "odd" : "even");
            QVERIFY((*engine)->set(test::keyOf(key), r).ok());
            clock->advanceMs(10);
        }
        const std::string answer = encodeToString(std::int64_t{42});  // the record points into it
        Record ttl = test::recordOf("short", answer, typeTag<std::int64_t>());
        ttl.ttl = 1000ms;
        QVERIFY((*engine)->set(test::keyOf("short"), ttl).ok());
        const std::string text = encodeToString(std::string(50'000, 'z'));
        QVERIFY(
            (*engine)
                ->set(test::keyOf("zipped"), test::recordOf("zipped", text, typeTag<std::string>()))
                .ok());
        const std::string big = test::noise(3, 200 * 1024);
        QVERIFY((*engine)->set(test::keyOf("big"), test::recordOf("big", big, 99)).ok());
        for (int i = 0; i < 3; ++i) QVERIFY((*engine)->get(test::keyOf("k0")).ok());
        QVERIFY((*engine)->get(test::keyOf("absent")).status().code() == StatusCode::kNotFound);
        QVERIFY((*engine)->flush().ok());
    }

    std::unique_ptr<Source> open(bool readOnly) {
        OpenOptions o;
        o.read_only = readOnly;
        o.clock = clock;
        auto info = Discovery::identify(folder);
        if (!info.ok()) qFatal("identify: %s", info.status().toString().c_str());
        auto src = Discovery::open(*info, o);
        if (!src.ok()) qFatal("open: %s", src.status().toString().c_str());
        return std::move(*src);
    }

    // Entries and bytes as the engine itself reports them, checked against its rows.
    std::pair<std::uint64_t, bool> engineView() {
        CacheConfig c;
        c.name = "nat";
        auto engine = openSqliteCache(test::sqliteConfig(dir.path(), c, clock));
        if (!engine.ok()) return {0, false};
        auto size = (*engine)->size();
        auto report = (*engine)->check(false);
        return {size.valueOr(0), report.ok() && report->clean()};
    }
};

std::vector<EntrySummary> listAll(Source& src, std::size_t pageSize, const EntryFilter& f = {}) {
    std::vector<EntrySummary> all;
    std::string cursor;
    for (int guard = 0; guard < 1000; ++guard) {
        auto page = src.entries(cursor, pageSize, f);
        if (!page.ok()) qFatal("entries: %s", page.status().toString().c_str());
        for (auto& e : page->entries) all.push_back(std::move(e));
        cursor = page->cursor;
        if (cursor.empty()) break;
    }
    return all;
}

}  // namespace

class TestInspectNative : public QObject {
    Q_OBJECT

  private slots:
    void discoveryListsNativeCache() {
        Fixture fx;
        fx.populate();
        auto info = Discovery::identify(fx.folder);
        QVERIFY(info.ok());
        QCOMPARE(info->kind, SourceKind::kNativeSqlite);
        QCOMPARE(info->name, std::string("nat"));
        auto all = Discovery::scan(fx.dir.path());
        QVERIFY(all.ok());
        QCOMPARE(all->size(), std::size_t(1));
        QCOMPARE(all->front().entries.value_or(0), std::uint64_t(kPlain + 3));
        QVERIFY(all->front().bytes.value_or(0) > 200 * 1024);
    }

    void pagesAndStats_data() {
        QTest::addColumn<int>("pageSize");
        QTest::newRow("1") << 1;
        QTest::newRow("7") << 7;
        QTest::newRow("1000") << 1000;
    }
    void pagesAndStats() {
        QFETCH(int, pageSize);
        Fixture fx;
        fx.populate();
        auto src = fx.open(true);
        auto all = listAll(*src, static_cast<std::size_t>(pageSize));
        QCOMPARE(all.size(), std::size_t(kPlain + 3));
        std::set<std::string> keys;
        for (const auto& e : all) keys.insert(e.key_text);
        QCOMPARE(keys.size(), all.size());
        QVERIFY(keys.count("k0") && keys.count("big") && keys.count("short"));
        for (const auto& e : all) {
            if (e.key_text == "k0") {
                QCOMPARE(e.hits.value_or(0), std::uint64_t(3));
                QCOMPARE(e.tag, std::string("even"));
            }
            if (e.key_text == "short") {
                QVERIFY(e.expires_ms.has_value());
                QCOMPARE(*e.expires_ms, *e.stored_ms + 1000);
            }
            // The engine's own count: the stored value and the key text.
            if (e.key_text == "big") QCOMPARE(e.size, std::uint64_t(200 * 1024 + 3));
        }
        auto odd = listAll(*src, 4, EntryFilter{"k*", ""});
        QCOMPARE(odd.size(), std::size_t(kPlain));

        auto st = src->stats();
        QVERIFY(st.ok());
        QCOMPARE(st->entries.value_or(0), std::uint64_t(kPlain + 3));
        QCOMPARE(st->hits.value_or(0), std::uint64_t(3));
        QCOMPARE(st->misses.value_or(0), std::uint64_t(1));
        QVERIFY(st->evictions.has_value());
    }

    void detailRendersValues() {
        Fixture fx;
        fx.populate();
        auto src = fx.open(true);
        std::map<std::string, std::string> ids;
        for (const auto& e : listAll(*src, 100)) ids[e.key_text] = e.id;

        auto k5 = src->detail(ids["k5"]);
        QVERIFY2(k5.ok(), k5.status().toString().c_str());
        QCOMPARE(k5->value_kind, typeSignature<std::string>());
        QVERIFY2(k5->preview.find("value 5") != std::string::npos, k5->preview.c_str());

        auto n = src->detail(ids["short"]);
        QVERIFY(n.ok());
        QCOMPARE(n->preview, std::string("42"));

        auto z = src->detail(ids["zipped"]);
        QVERIFY(z.ok());
        QVERIFY(z->note.find("zstd") != std::string::npos);
        QVERIFY(z->preview.find("zzzzzzzz") != std::string::npos);
        QVERIFY(z->summary.size < 50'000);  // stored compressed

        auto big = src->detail(ids["big"]);
        QVERIFY(big.ok());
        QVERIFY(!big->value_file.empty());
        QVERIFY(std::filesystem::exists(big->value_file));
        QVERIFY(big->truncated);
        QCOMPARE(big->value_bytes.size(), std::size_t(64 * 1024));
        QCOMPARE(big->value_kind, std::string("binary"));

        QCOMPARE(src->detail("00").status().code(), StatusCode::kInvalidArgument);
        QCOMPARE(src->detail(std::string(32, 'a')).status().code(), StatusCode::kNotFound);
    }

    void plansKeepTotalsExact_data() {
        QTest::addColumn<int>("action");
        QTest::addColumn<int>("expectDeleted");
        QTest::newRow("glob") << int(PlanRequest::Action::kMatchGlob) << 11;  // k1, k10..k19
        QTest::newRow("all") << int(PlanRequest::Action::kClearAll) << kPlain + 3;
        QTest::newRow("expired") << int(PlanRequest::Action::kClearExpired) << 1;
        QTest::newRow("prune entries")
            << int(PlanRequest::Action::kPruneToEntries) << kPlain + 3 - 5;
        QTest::newRow("older") << int(PlanRequest::Action::kOlderThan) << 10;
    }
    void plansKeepTotalsExact() {
        QFETCH(int, action);
        QFETCH(int, expectDeleted);
        Fixture fx;
        fx.populate();
        fx.clock->advanceMs(2000);  // "short" has expired
        PlanRequest req;
        req.action = static_cast<PlanRequest::Action>(action);
        req.glob = "k1*";
        req.limit = 5;
        // Entries k0..k9 were stored 10 ms apart from the start; the rest later.
        req.age = std::chrono::milliseconds(2000 + 10 * kPlain - 95);
        auto src = fx.open(false);
        auto plan = src->plan(req);
        QVERIFY2(plan.ok(), plan.status().toString().c_str());
        QCOMPARE((*plan)->preview().count, std::uint64_t(expectDeleted));
        int progressCalls = 0;
        auto r = (*plan)->execute([&](std::uint64_t, std::uint64_t) { ++progressCalls; });
        QVERIFY2(r.ok(), r.status().toString().c_str());
        QCOMPARE(r->deleted, std::uint64_t(expectDeleted));
        QVERIFY(r->refused.empty());
        QVERIFY(expectDeleted == 0 || progressCalls > 0);
        src.reset();
        const auto [size, clean] = fx.engineView();
        QCOMPARE(size, std::uint64_t(kPlain + 3 - expectDeleted));
        QVERIFY2(clean, "engine check() found a problem after the plan");
        if (req.action == PlanRequest::Action::kClearAll) {
            // The spilled value's file went with its row.
            std::uint64_t files = 0;
            for (const auto& e : std::filesystem::recursive_directory_iterator(fx.folder / "data"))
                files += e.is_regular_file() ? 1 : 0;
            QCOMPARE(files, std::uint64_t(0));
        }
    }

    void readOnlyRefusesAndCancelStops() {
        Fixture fx;
        fx.populate();
        PlanRequest req;
        req.action = PlanRequest::Action::kClearAll;
        {
            auto ro = fx.open(true);
            auto plan = ro->plan(req);
            QVERIFY(plan.ok());
            auto r = (*plan)->execute();
            QCOMPARE(r.status().code(), StatusCode::kPermissionDenied);
        }
        QCOMPARE(fx.engineView().first, std::uint64_t(kPlain + 3));
        auto rw = fx.open(false);
        auto plan = rw->plan(req);
        QVERIFY(plan.ok());
        std::atomic<bool> cancel{true};
        auto r = (*plan)->execute({}, &cancel);
        QVERIFY(r.ok());
        QVERIFY(r->cancelled);
        QCOMPARE(r->deleted, std::uint64_t(0));
        rw.reset();
        QCOMPARE(fx.engineView().first, std::uint64_t(kPlain + 3));
    }

    // The files engine: one envelope file per entry, read by header.
    void filesCache() {
        TempDir dir;
        auto clock = std::make_shared<ManualClock>();
        CacheConfig c;
        c.name = "fil";
        c.compress = true;
        const auto cfg = test::sqliteConfig(dir.path(), c, clock);
        {
            auto engine = detail::openFilesEngine(cfg);
            QVERIFY2(engine.ok(), engine.status().toString().c_str());
            for (int i = 0; i < 25; ++i) {
                const std::string key = "f" + std::to_string(i);
                const std::string value = encodeToString(std::int64_t{i * 100});
                QVERIFY(
                    (*engine)
                        ->set(test::keyOf(key), test::recordOf(key, value, typeTag<std::int64_t>()))
                        .ok());
                clock->advanceMs(10);
            }
            const std::string text = encodeToString(std::string(30'000, 'q'));
            QVERIFY(
                (*engine)
                    ->set(test::keyOf("text"), test::recordOf("text", text, typeTag<std::string>()))
                    .ok());
            QVERIFY((*engine)->get(test::keyOf("f3")).ok());
            QVERIFY(!(*engine)->get(test::keyOf("nope")).ok());
            QVERIFY((*engine)->flush().ok());
        }
        auto info = Discovery::identify(cfg.folder);
        QVERIFY(info.ok());
        QCOMPARE(info->kind, SourceKind::kNativeFiles);
        OpenOptions o;
        o.clock = clock;
        auto src = Discovery::open(*info, o);
        QVERIFY2(src.ok(), src.status().toString().c_str());
        auto all = listAll(**src, 4);
        QCOMPARE(all.size(), std::size_t(26));
        std::map<std::string, std::string> ids;
        for (const auto& e : all) ids[e.key_text] = e.id;
        auto d = (*src)->detail(ids["f7"]);
        QVERIFY2(d.ok(), d.status().toString().c_str());
        QCOMPARE(d->preview, std::string("700"));
        auto t = (*src)->detail(ids["text"]);
        QVERIFY(t.ok());
        QVERIFY(t->note.find("zstd") != std::string::npos);
        QVERIFY(t->preview.find("qqqq") != std::string::npos);
        auto st = (*src)->stats();
        QVERIFY(st.ok());
        QCOMPARE(st->entries.value_or(0), std::uint64_t(26));
        QCOMPARE(st->hits.value_or(0), std::uint64_t(1));
        QCOMPARE(st->misses.value_or(0), std::uint64_t(1));

        PlanRequest req;
        req.action = PlanRequest::Action::kMatchGlob;
        req.glob = "f1*";  // f1, f10..f19
        auto plan = (*src)->plan(req);
        QVERIFY(plan.ok());
        QCOMPARE((*plan)->preview().count, std::uint64_t(11));
        auto r = (*plan)->execute();
        QVERIFY(r.ok());
        QCOMPARE(r->deleted, std::uint64_t(11));
        req.action = PlanRequest::Action::kPruneToEntries;
        req.limit = 5;
        plan = (*src)->plan(req);
        QVERIFY(plan.ok());
        r = (*plan)->execute();
        QVERIFY(r.ok());
        QCOMPARE(r->deleted, std::uint64_t(26 - 11 - 5));
        // The engine agrees, and the newest entries are the ones left.
        auto engine = detail::openFilesEngine(cfg);
        QVERIFY(engine.ok());
        QCOMPARE((*engine)->size().valueOr(0), std::uint64_t(5));
        QVERIFY((*engine)->contains(test::keyOf("text")).valueOr(false));
        QVERIFY(!(*engine)->contains(test::keyOf("f0")).valueOr(true));
    }

    void cliStatsAndList() {
        Fixture fx;
        fx.populate();
        auto stats = test::runProcess(TWAT_CACHE_CLI, {"stats", fx.folder.string(), "--json"});
        QCOMPARE(stats.exitCode, 0);
        auto j = nlohmann::json::parse(stats.out);
        QCOMPARE(j["kind"].get<std::string>(), std::string("native_sqlite"));
        QCOMPARE(j["entries"].get<std::uint64_t>(), std::uint64_t(kPlain + 3));
        QCOMPARE(j["hits"].get<std::uint64_t>(), std::uint64_t(3));
        auto list =
            test::runProcess(TWAT_CACHE_CLI, {"--root", fx.dir.path().string(), "list", "--json"});
        QCOMPARE(list.exitCode, 0);
        auto l = nlohmann::json::parse(list.out);
        QCOMPARE(l.size(), std::size_t(1));
        QCOMPARE(l[0]["entries"].get<std::uint64_t>(), std::uint64_t(kPlain + 3));
        auto clear = test::runProcess(
            TWAT_CACHE_CLI, {"clear", fx.folder.string(), "--match", "k2*", "--yes", "--json"});
        QCOMPARE(clear.exitCode, 0);
        QCOMPARE(nlohmann::json::parse(clear.out)["deleted"].get<std::uint64_t>(),
                 std::uint64_t(11));
        QCOMPARE(fx.engineView().first, std::uint64_t(kPlain + 3 - 11));
    }

    // --read-only shows what would go, deletes nothing and exits 3 (issue 19).
    void cliReadOnlyDeletesNothing() {
        Fixture fx;
        fx.populate();
        const auto before = fx.engineView().first;
        auto r = test::runProcess(TWAT_CACHE_CLI,
                                  {"clear", fx.folder.string(), "--all", "--yes", "--read-only"});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.out.find("would delete") != std::string::npos, r.out.c_str());
        QVERIFY2(r.err.find("read-only") != std::string::npos, r.err.c_str());
        QCOMPARE(fx.engineView().first, before);
    }

    // An unreadable root listed as empty (rc 0), and stats said "not found" for a permission
    // error (issue 19). As root the CLI runs as nobody (setpriv), since root reads anything.
    void cliPermissionErrorsSayPermission() {
        test::TempDir dir;
        fs::permissions(dir.path(),
                        fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
        const fs::path root = dir.path() / "root";
        fs::create_directories(root / "somecache");
        std::vector<std::string> prefix;
        if (::geteuid() == 0)
            prefix = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                      TWAT_CACHE_CLI};
        auto run = [&](std::vector<std::string> args) {
            std::vector<std::string> all = prefix;
            all.insert(all.end(), args.begin(), args.end());
            const std::string program = all.front();
            all.erase(all.begin());
            return test::runProcess(prefix.empty() ? std::string(TWAT_CACHE_CLI) : program,
                                    prefix.empty() ? args : all);
        };
        fs::permissions(root, fs::perms::owner_all | fs::perms::others_exec);  // 0701: no list
        auto list = run({"--root", root.string(), "list"});
        QVERIFY2(list.exitCode != 0, list.out.c_str());
        QVERIFY2(list.err.find("Permission denied") != std::string::npos, list.err.c_str());
        fs::permissions(root, fs::perms::owner_all);  // 0700: no way through
        auto stats = run({"stats", (root / "somecache").string()});
        fs::permissions(root,
                        fs::perms::owner_all | fs::perms::others_read | fs::perms::others_exec);
        QVERIFY2(stats.exitCode != 0, stats.out.c_str());
        QVERIFY2(stats.err.find("Permission denied") != std::string::npos, stats.err.c_str());
        QVERIFY2(stats.err.find("not found") == std::string::npos, stats.err.c_str());
    }

    // Names with ESC, BEL, CR or DEL cleared the terminal or hid rows (issue 19): text output
    // escapes every control character, and a huge name is cut, not padded to.
    void cliEscapesControlCharacters() {
        TempDir dir;
        const fs::path cache = dir.path() / "odd";
        fs::create_directories(cache);
        std::ofstream(cache / "CACHEDIR.TAG") << "Signature: 8a477f597d28d172789f06886806bc55\n";
        const std::string evil = std::string(
                                     "clear\x1b[2J\x07"
                                     "bell\rcr\x7f") +
                                 "\xc2\x9b" + "csi";
        std::ofstream(cache / evil) << "x";
        std::ofstream(cache / std::string(250, 'w')) << "y";
        for (const char* cmd : {"inspect", "clear"}) {
            std::vector<std::string> args = {cmd, cache.string()};
            if (std::string(cmd) == "clear") args = {cmd, cache.string(), "--all", "--dry-run"};
            auto r = test::runProcess(TWAT_CACHE_CLI, args);
            QCOMPARE(r.exitCode, 0);
            for (char bad : {'\x1b', '\x07', '\r', '\x7f'}) {
                QVERIFY2(r.out.find(bad) == std::string::npos, r.out.c_str());
            }
            QVERIFY2(r.out.find("\xc2\x9b") == std::string::npos, r.out.c_str());
            QVERIFY2(r.out.find("clear\\x1b[2J\\x07bell\\rcr\\x7f\\u009bcsi") != std::string::npos,
                     r.out.c_str());
            QVERIFY2(r.out.find(std::string(250, 'w')) == std::string::npos, r.out.c_str());
        }
    }

    // A fresh machine has no cache root yet: `list` says so and succeeds (issue 11).
    void cliListBeforeAnyCache() {
        test::TempDir dir;
        const std::string missing = (dir.path() / "not-yet").string();
        auto text = test::runProcess(TWAT_CACHE_CLI, {"--root", missing, "list"});
        QCOMPARE(text.exitCode, 0);
        QVERIFY2(text.out.find("No caches yet under " + missing) != std::string::npos,
                 text.out.c_str());
        auto json = test::runProcess(TWAT_CACHE_CLI, {"--root", missing, "list", "--json"});
        QCOMPARE(json.exitCode, 0);
        QCOMPARE(nlohmann::json::parse(json.out), nlohmann::json::array());

        qputenv("TWAT_CACHE_DIR", QByteArray::fromStdString(missing));
        auto fromEnv = test::runProcess(TWAT_CACHE_CLI, {"list"});
        qunsetenv("TWAT_CACHE_DIR");
        QCOMPARE(fromEnv.exitCode, 0);
        QVERIFY2(fromEnv.out.find("No caches yet") != std::string::npos, fromEnv.out.c_str());
    }

    // A malformed variable the command does not read is a warning naming it; one it reads
    // (TWAT_CACHE_DIR for list) is the error, named (issue 11).
    void cliMalformedEnvironment() {
        test::TempDir dir;
        qputenv("TWAT_CACHE_TTL", "abc");
        auto warned = test::runProcess(TWAT_CACHE_CLI, {"--root", dir.path().string(), "list"});
        qunsetenv("TWAT_CACHE_TTL");
        QCOMPARE(warned.exitCode, 0);
        QVERIFY2(warned.err.find("warning: TWAT_CACHE_TTL=\"abc\"") != std::string::npos,
                 warned.err.c_str());

        const auto file = dir.path() / "a-file";
        std::ofstream(file) << "not a folder";
        qputenv("TWAT_CACHE_DIR", QByteArray::fromStdString(file.string()));
        auto failed = test::runProcess(TWAT_CACHE_CLI, {"list"});
        qunsetenv("TWAT_CACHE_DIR");
        QCOMPARE(failed.exitCode, 1);
        QVERIFY2(failed.err.find("TWAT_CACHE_DIR=") != std::string::npos, failed.err.c_str());
        QVERIFY2(failed.err.find("not a folder") != std::string::npos, failed.err.c_str());
    }
};

QTEST_GUILESS_MAIN(TestInspectNative)
#include "test_inspect_native.moc"
