// One definition of a cache's size per source kind, used everywhere: for python-diskcache
// caches (a Cache and a FanoutCache, written by the real diskcache), joblib stores (the real
// joblib), our sqlite and files caches (our engines) and a generic folder, the bytes that
// stats() reports are the sum of the sizes the listing shows, a Clear All plan previews the
// same bytes, prune counts them (pruning to the reported size deletes nothing; one byte less
// deletes something), and after executing a plan the reported size drops by exactly what it
// previewed. diskcache's own volume() stays available as the "disk_use" extra.
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>
#include <fstream>
#include <map>

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

// Our engine `kind` writes 30 entries of different sizes (one large enough to be spilled to a
// file by the sqlite engine) into the cache `name` under `root`; returns its folder.
fs::path writeNative(EngineKind kind, const fs::path& root, const std::string& name) {
    CacheConfig config;
    config.name = name;
    config.cache_dir = root;
    auto resolved =
        resolveConfig(config, [](std::string_view) { return std::optional<std::string>(); });
    if (!resolved.ok()) qFatal("%s", resolved.status().toString().c_str());
    auto engine = openEngine(kind, *resolved);
    if (!engine.ok()) qFatal("%s", engine.status().toString().c_str());
    for (std::int64_t i = 0; i < 30; ++i) {
        const std::string value(i == 7 ? 300'000 : static_cast<std::size_t>(10 + 37 * i), 'v');
        Record r;
        const std::string text = makeKeyText("blob", i);
        const std::string payload = encodeToString(value);
        r.key_text = text;
        r.payload = payload;
        r.type_tag = typeTag<std::string>();
        if (Status s = (*engine)->set(makeKey("blob", i), r); !s.ok()) qFatal("set failed");
    }
    if (!(*engine)->flush().ok()) qFatal("flush failed");
    return resolved->folder;
}

std::unique_ptr<Source> openSource(const fs::path& path) {
    auto info = Discovery::identify(path);
    if (!info.ok()) return nullptr;
    auto src = Discovery::open(*info);
    return src.ok() ? std::move(*src) : nullptr;
}

// The sum of the sizes of every listed entry, and how many there are.
std::pair<std::uint64_t, std::uint64_t> listedBytes(Source& src) {
    EntryFilter all;
    all.time_budget = std::chrono::milliseconds(0);
    std::uint64_t bytes = 0, count = 0;
    std::string cursor;
    do {
        auto page = src.entries(cursor, 1000, all);
        if (!page.ok()) qFatal("%s", page.status().toString().c_str());
        for (const auto& e : page->entries) bytes += e.size;
        count += page->entries.size();
        cursor = page->cursor;
    } while (!cursor.empty());
    return {bytes, count};
}

std::uint64_t statsBytes(Source& src) {
    auto st = src.stats();
    if (!st.ok() || !st->bytes) qFatal("no bytes in stats");
    return *st->bytes;
}

}  // namespace

class TestInspectNumbers : public QObject {
    Q_OBJECT

  private:
    TempDir m_dir;
    std::map<QString, fs::path> m_caches;
    QJsonObject m_report;  // what python-diskcache says of its caches

  private slots:
    void initTestCase() {
        const fs::path root = m_dir.path() / "made";
        fs::create_directories(root);
        const fs::path script = test::sourceDir() / "tests" / "fixtures" / "make_caches.py";
        auto made =
            test::runProcess(test::pythonInterpreter(), {script.string(), root.string()}, 120000);
        QVERIFY2(made.finished && made.exitCode == 0, made.err.c_str());
        m_report = QJsonDocument::fromJson(QByteArray::fromStdString(made.out)).object();
        m_caches["diskcache"] = root / "dc_stats";  // inline and spilled values
        m_caches["FanoutCache"] = root / "dc_fanout";
        m_caches["joblib"] = root / "jl";
        m_caches["native_sqlite"] = writeNative(EngineKind::kSqlite, root / "native", "sq");
        m_caches["native_files"] = writeNative(EngineKind::kFiles, root / "native", "fi");
        const fs::path plain = root / "plain";
        fs::create_directories(plain / "sub");
        for (int i = 0; i < 12; ++i) {
            std::ofstream(plain / (i % 3 == 0 ? "sub" : ".") / ("f" + std::to_string(i)))
                << std::string(static_cast<std::size_t>(50 * i), 'x');
        }
        m_caches["folder"] = plain;
    }

    void oneSizeEverywhere_data() {
        QTest::addColumn<QString>("kind");
        for (const auto& [kind, path] : m_caches) QTest::newRow(kind.toUtf8().constData()) << kind;
    }
    void oneSizeEverywhere() {
        QFETCH(QString, kind);
        // A copy, since the plans are executed.
        const fs::path copy = m_dir.path() / ("copy-" + kind.toStdString());
        fs::remove_all(copy);
        fs::copy(m_caches.at(kind), copy, fs::copy_options::recursive);
        auto src = openSource(copy);
        QVERIFY(src);

        const std::uint64_t bytes = statsBytes(*src);
        const auto [listed, count] = listedBytes(*src);
        QVERIFY(bytes > 0);
        QCOMPARE(bytes, listed);  // the counters add up the listing's sizes

        PlanRequest all;
        all.action = PlanRequest::Action::kClearAll;
        auto clear = src->plan(all);
        QVERIFY2(clear.ok(), clear.status().toString().c_str());
        QVERIFY((*clear)->preview().bytes_known);
        QCOMPARE((*clear)->preview().bytes, bytes);  // Clear All previews the same bytes
        QCOMPARE((*clear)->preview().count, count);

        PlanRequest prune;
        prune.action = PlanRequest::Action::kPruneToBytes;
        prune.limit = bytes;  // already within: nothing to delete
        auto none = src->plan(prune);
        QVERIFY(none.ok());
        QCOMPARE((*none)->preview().count, std::uint64_t(0));
        prune.limit = bytes - 1;
        auto some = src->plan(prune);
        QVERIFY(some.ok());
        QVERIFY((*some)->preview().count >= 1);
        const std::uint64_t planned = (*some)->preview().bytes;
        QVERIFY(bytes - planned <= prune.limit);
        auto done = (*some)->execute();
        QVERIFY2(done.ok(), done.status().toString().c_str());
        QCOMPARE(done->bytes_freed, planned);
        QCOMPARE(statsBytes(*src), bytes - planned);  // exactly what the plan said
        QCOMPARE(listedBytes(*src).first, bytes - planned);
    }

    // diskcache's own measure, volume() (database pages and value files), is the disk use.
    void diskcacheDiskUse() {
        for (const char* name : {"dc_stats", "dc_fanout"}) {
            auto src = openSource(m_caches.at("diskcache").parent_path() / name);
            QVERIFY(src);
            auto st = src->stats();
            QVERIFY(st.ok());
            QCOMPARE(st->extra.size(), std::size_t(1));
            QCOMPARE(st->extra.front().first, std::string("disk_use"));
            QCOMPARE(static_cast<qint64>(st->extra.front().second),
                     m_report[name].toObject()["volume"].toInteger());
            QVERIFY(st->extra.front().second > *st->bytes);
        }
    }
};

QTEST_GUILESS_MAIN(TestInspectNumbers)
#include "test_inspect_numbers.moc"
