// Searching a listing: a filter whose few matches come after every other entry (or, for
// hashed layouts, anywhere among them) must find them all in one call, for every source kind —
// python-diskcache and joblib stores written by the real libraries (Debian's python3), our sqlite
// and files caches written by our engines, a generic folder, and a real redis-server. With a small
// time budget (a clock that moves one millisecond per reading, so the budget is a number of steps)
// each call stops early, says how far it got, and the calls together find each match once and scan
// every entry once. Also the CLI's report of it.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>
#include <atomic>
#include <fstream>
#include <map>
#include <set>

#include "redis_commands.h"
#include "redis_server.h"
#include "test_support.h"
#include "twat_cache/codec.h"
#include "twat_cache/config.h"
#include "twat_cache/engine.h"
#include "twat_cache/inspect.h"
#include "twat_cache/key.h"

using namespace twat_cache;
using test::TempDir;
namespace fs = std::filesystem;

namespace {

// Entries before the matches in the caches that are one file (diskcache, our sqlite cache) and
// in Redis: more than any fixed per-page bound the listing had (20 000). Folders of files get
// fewer, since a file system with online discard takes minutes to delete 50 000 files (the
// walk of 21 000 files is in test_inspect_walk).
constexpr int kFill = 25'000;
constexpr int kFillFiles = 3'000;
constexpr int kRare = 5;

// A clock that moves one millisecond each time it is read: a time budget of B ms then allows
// B readings, so where a listing stops depends on the code alone, never on the machine.
class SteppingClock final : public Clock {
  public:
    std::int64_t nowMs() const override { return m_now.fetch_add(1); }

  private:
    mutable std::atomic<std::int64_t> m_now{1'700'000'000'000};
};

// Writes `fill` entries "fill(i)" and then kRare entries "rare(i)" with our engine `kind`.
std::string writeNative(EngineKind kind, const fs::path& root, const std::string& name, int fill,
                        fs::path& folder) {
    CacheConfig config;
    config.name = name;
    config.cache_dir = root;
    auto resolved =
        resolveConfig(config, [](std::string_view) { return std::optional<std::string>(); });
    if (!resolved.ok()) return resolved.status().toString();
    folder = resolved->folder;
    auto engine = openEngine(kind, *resolved);
    if (!engine.ok()) return engine.status().toString();
    auto put = [&](const char* fn, std::int64_t i) {
        Record r;
        const std::string text = makeKeyText(fn, i);
        const std::string payload = encodeToString(i);
        r.key_text = text;
        r.payload = payload;
        r.type_tag = typeTag<std::int64_t>();
        return (*engine)->set(makeKey(fn, i), r);
    };
    for (int i = 0; i < fill; ++i) {
        if (Status s = put("fill", i); !s.ok()) return s.toString();
    }
    for (int i = 0; i < kRare; ++i) {
        if (Status s = put("rare", i); !s.ok()) return s.toString();
    }
    Status s = (*engine)->flush();
    return s.ok() ? std::string() : s.toString();
}

struct Fixture {
    SourceInfo info;
    std::string glob;              // matches exactly the kRare entries
    std::set<std::string> wanted;  // their key texts
    std::uint64_t entries = 0;     // every entry of the source
};

std::set<std::string> rareKeys(const std::string& pattern) {
    std::set<std::string> out;
    for (int i = 0; i < kRare; ++i) {
        char text[64];
        std::snprintf(text, sizeof(text), pattern.c_str(), i);
        out.insert(text);
    }
    return out;
}

}  // namespace

class TestInspectSearch : public QObject {
    Q_OBJECT

  private:
    TempDir m_dir;
    std::map<QString, Fixture> m_fixtures;
    std::unique_ptr<test::RedisServer> m_redis;

    std::unique_ptr<Source> open(const QString& kind, std::shared_ptr<Clock> clock = nullptr) {
        OpenOptions options;
        options.read_only = true;
        options.clock = std::move(clock);
        auto src = Discovery::open(m_fixtures.at(kind).info, options);
        if (!src.ok()) qWarning("%s", src.status().toString().c_str());
        return src.ok() ? std::move(*src) : nullptr;
    }

    void addKinds() {
        QTest::addColumn<QString>("kind");
        for (const auto& [kind, fixture] : m_fixtures) {
            QTest::newRow(kind.toUtf8().constData()) << kind;
        }
    }

  private slots:
    void initTestCase() {
        const fs::path root = m_dir.path();
        const fs::path script = test::sourceDir() / "tests" / "fixtures" / "make_caches.py";
        auto made = test::runProcess(
            test::pythonInterpreter(),
            {script.string(), root.string(), "--late", std::to_string(kFill)}, 120000);
        QVERIFY2(made.finished && made.exitCode == 0, made.err.c_str());
        const QJsonObject report =
            QJsonDocument::fromJson(QByteArray::fromStdString(made.out)).object();

        auto identify = [](const fs::path& path) {
            auto info = Discovery::identify(path);
            if (!info.ok()) qFatal("%s", info.status().toString().c_str());
            return *info;
        };
        m_fixtures["diskcache"] = {identify(root / "dc_late"), "rare:*", rareKeys("rare:%d"),
                                   kFill + kRare};
        m_fixtures["joblib"] = {
            identify(root / "jl_late"), "zz_rare(*", rareKeys("zz_rare(i=%d)"),
            static_cast<std::uint64_t>(report["jl_late"].toObject()["calls"].toInt())};

        fs::path folder;
        std::string error = writeNative(EngineKind::kSqlite, root / "native", "sq", kFill, folder);
        QVERIFY2(error.empty(), error.c_str());
        m_fixtures["native_sqlite"] = {identify(folder), "rare(*", rareKeys("rare(%d)"),
                                       kFill + kRare};
        error = writeNative(EngineKind::kFiles, root / "native", "fi", kFillFiles, folder);
        QVERIFY2(error.empty(), error.c_str());
        m_fixtures["native_files"] = {identify(folder), "rare(*", rareKeys("rare(%d)"),
                                      kFillFiles + kRare};

        // A plain folder: "fill-000000".. then "rare-0".., which the walk visits last.
        const fs::path plain = root / "plain";
        fs::create_directories(plain);
        for (int i = 0; i < kFillFiles; ++i) {
            char name[32];
            std::snprintf(name, sizeof(name), "fill-%06d", i);
            std::ofstream(plain / name) << i;
        }
        for (int i = 0; i < kRare; ++i) std::ofstream(plain / ("rare-" + std::to_string(i))) << i;
        m_fixtures["folder"] = {identify(plain), "rare-*", rareKeys("rare-%d"), kFillFiles + kRare};

        if (!test::RedisServer::available()) {
            qWarning("%s", test::RedisServer::skipReason().c_str());
            return;
        }
        m_redis = std::make_unique<test::RedisServer>();
        error = m_redis->start();
        QVERIFY2(error.empty(), error.c_str());
        std::vector<std::pair<std::string, std::string>> keys;
        for (int i = 0; i < kFill; ++i) keys.emplace_back("fill:" + std::to_string(i), "v");
        for (int i = 0; i < kRare; ++i) keys.emplace_back("rare:" + std::to_string(i), "v");
        QVERIFY(test::runRedisCommands(m_redis->port(), test::msetCommands(keys)));
        auto info = Discovery::identifyUrl(m_redis->url());
        QVERIFY(info.ok());
        m_fixtures["redis"] = {*info, "rare:*", rareKeys("rare:%d"), kFill + kRare};
    }

    // One call finds every match, however far into the listing they are, and says it
    // examined every entry. Sources without counters know their total after a full walk.
    void oneCallFindsLateMatches_data() { addKinds(); }
    void oneCallFindsLateMatches() {
        QFETCH(QString, kind);
        const Fixture& fx = m_fixtures.at(kind);
        auto src = open(kind);
        QVERIFY(src);
        EntryFilter filter;
        filter.glob = fx.glob;
        filter.time_budget = std::chrono::seconds(60);  // generous: a busy machine must pass
        auto page = src->entries("", 50, filter);
        QVERIFY2(page.ok(), page.status().toString().c_str());
        std::set<std::string> found;
        for (const auto& e : page->entries) found.insert(e.key_text);
        QCOMPARE(found, fx.wanted);
        QVERIFY(page->complete());
        QVERIFY(!page->budget_spent);
        if (kind == "redis") {
            // The server filters (SCAN MATCH): what it examined is estimated, per round.
            QVERIFY2(page->scanned >= fx.entries / 2, std::to_string(page->scanned).c_str());
        } else {
            QCOMPARE(page->scanned, fx.entries);
        }
        const bool counted = kind != "joblib" && kind != "folder" && kind != "native_files";
        if (counted) {
            QCOMPARE(page->total, std::optional<std::uint64_t>(fx.entries));
        } else {
            QVERIFY(!page->total);  // nothing has counted them yet
            QVERIFY(src->stats().ok());
            auto again = src->entries("", 50, filter);
            QVERIFY(again.ok());
            QCOMPARE(again->total, std::optional<std::uint64_t>(fx.entries));
        }
    }

    // With a budget far smaller than the search, each call stops on it with a cursor and says
    // so; continuing finds each match exactly once and examines every entry exactly once.
    void budgetSplitsTheSearch_data() { addKinds(); }
    void budgetSplitsTheSearch() {
        QFETCH(QString, kind);
        const Fixture& fx = m_fixtures.at(kind);
        auto src = open(kind, std::make_shared<SteppingClock>());
        QVERIFY(src);
        if (kind == "joblib" || kind == "folder" || kind == "native_files") {
            QVERIFY(src->stats().ok());  // gives the listing its total
        }
        EntryFilter filter;
        filter.glob = fx.glob;
        // Readings of the stepping clock: entries for the row sources, SCAN rounds for Redis.
        filter.time_budget = std::chrono::milliseconds(kind == "redis" ? 1 : 50);
        std::string cursor;
        std::multiset<std::string> found;
        std::uint64_t scanned = 0;
        int calls = 0, spent = 0;
        for (; calls < 5000; ++calls) {
            auto page = src->entries(cursor, 50, filter);
            QVERIFY2(page.ok(), page.status().toString().c_str());
            QCOMPARE(page->total, std::optional<std::uint64_t>(fx.entries));
            QVERIFY(page->scanned > 0 || page->complete());
            for (const auto& e : page->entries) found.insert(e.key_text);
            scanned += page->scanned;
            if (page->budget_spent) {
                ++spent;
                QVERIFY(!page->complete());
                QVERIFY(page->entries.size() < 50);
            }
            if (calls == 0) {
                QVERIFY(page->budget_spent);
                QVERIFY(page->scanned < fx.entries);
            }
            if (page->complete()) break;
            cursor = page->cursor;
        }
        QVERIFY2(spent >= 2, std::to_string(spent).c_str());
        QCOMPARE(std::set<std::string>(found.begin(), found.end()), fx.wanted);
        QCOMPARE(found.size(), fx.wanted.size());
        if (kind == "redis") {
            QVERIFY2(scanned >= fx.entries / 2 && scanned <= 2 * fx.entries,
                     std::to_string(scanned).c_str());
        } else {
            QCOMPARE(scanned, fx.entries);
        }
    }

    // The CLI prints how far its call got, in text and JSON.
    void cliReportsProgress() {
        const std::string folder = m_fixtures.at("diskcache").info.path.string();
        auto json = test::runProcess(
            TWAT_CACHE_CLI, {"inspect", folder, "--match", "rare:*", "--budget", "60", "--json"});
        QVERIFY2(json.finished && json.exitCode == 0, json.err.c_str());
        const QJsonObject o = QJsonDocument::fromJson(QByteArray::fromStdString(json.out)).object();
        QCOMPARE(o["entries"].toArray().size(), kRare);
        QVERIFY(o["cursor"].isNull());
        QCOMPARE(o["complete"].toBool(), true);
        QCOMPARE(o["budget_spent"].toBool(), false);
        QCOMPARE(o["scanned"].toInteger(), qint64{kFill + kRare});
        QCOMPARE(o["total"].toInteger(), qint64{kFill + kRare});

        auto text = test::runProcess(TWAT_CACHE_CLI, {"inspect", folder, "--match", "rare:*"});
        QVERIFY2(text.finished && text.exitCode == 0, text.err.c_str());
        QVERIFY2(text.out.find("5 matches; scanned 25,005 of ~25,005 entries (complete)") !=
                     std::string::npos,
                 text.out.c_str());

        // A budget too small for the search: the call returns early, says so, and gives a
        // cursor to continue.
        auto partial = test::runProcess(
            TWAT_CACHE_CLI, {"inspect", folder, "--match", "rare:*", "--budget", "0.001"});
        QVERIFY2(partial.finished && partial.exitCode == 0, partial.err.c_str());
        if (partial.out.find("(complete)") == std::string::npos) {  // a very fast machine
            QVERIFY2(partial.out.find("(time budget spent)") != std::string::npos,
                     partial.out.c_str());
            QVERIFY2(partial.out.find("more: --cursor ") != std::string::npos, partial.out.c_str());
        }
    }
};

QTEST_GUILESS_MAIN(TestInspectSearch)
#include "test_inspect_search.moc"
