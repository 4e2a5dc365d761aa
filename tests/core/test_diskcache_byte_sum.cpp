// A big diskcache's byte sum goes on over several stats() calls (OpenOptions::
// stats_time_budget), so that a statistics sample never holds the source's one thread for
// seconds; the sum it ends with is the listing's, and a change starts a new one.
#include <QtTest>

#include "inspect/diskcache_shard.h"
#include "sqlite/sqlite_db.h"
#include "test_support.h"
#include "twat_cache/inspect.h"

using namespace twat_cache;
namespace test = twat_cache::test;

namespace {

constexpr int kRows = 140'000;  // more than two of the sum's chunks of 65,536 rows

void runPython(const std::string& code) {
    auto r = test::runProcess(test::pythonInterpreter(), {"-c", code}, 180000);
    if (!r.finished || r.exitCode != 0) qFatal("python failed: %s", r.err.c_str());
}

std::uint64_t listedBytes(Source& src) {
    EntryFilter all;
    all.time_budget = std::chrono::milliseconds(0);
    std::uint64_t bytes = 0;
    std::string cursor;
    do {
        auto page = src.entries(cursor, 5000, all);
        if (!page.ok()) qFatal("%s", page.status().toString().c_str());
        for (const auto& e : page->entries) bytes += e.size;
        cursor = page->cursor;
    } while (!cursor.empty());
    return bytes;
}

std::optional<std::uint64_t> extraOf(const SourceStats& st, const std::string& name) {
    for (const auto& [n, v] : st.extra) {
        if (n == name) return v;
    }
    return std::nullopt;
}

}  // namespace

class TestDiskcacheByteSum : public QObject {
    Q_OBJECT

  private slots:
    void initTestCase() {
        QVERIFY(m_tmp.ok());
        m_path = m_tmp.path() / "dc";
        // Inline values of 0..49 bytes, and three spilled into value files.
        runPython("import diskcache\nc = diskcache.Cache(" + quoted(m_path) +
                  ")\nwith c.transact():\n    for i in range(" + std::to_string(kRows) +
                  "):\n        c[i] = b'v' * (i % 50)\nfor i in range(3):\n"
                  "    c['big%d' % i] = b'B' * 40000\nc.close()\n");
        auto src = open(std::chrono::milliseconds(0));
        m_listed = listedBytes(*src);
        QCOMPARE(m_listed, std::uint64_t{(kRows / 50) * (49 * 50 / 2) + 3 * 40000});
    }

    // With a deadline already passed, each call sums one chunk and goes on from there; the
    // sum it ends with is the listing's.
    void theWalkGoesOnWhereItStopped() {
        detail::Shard shard;
        shard.dir = m_path;
        auto db = detail::Connection::openExisting(m_path / "cache.db", true, 2000);
        QVERIFY2(db.ok(), db.status().toString().c_str());
        shard.db = std::move(*db);
        std::vector<std::uint64_t> progress;
        std::optional<std::uint64_t> sum;
        for (int call = 0; call < 10 && !sum; ++call) {
            std::uint64_t walked = 0;
            auto r = detail::entryBytes(shard, std::chrono::steady_clock::now(), &walked);
            QVERIFY2(r.ok(), r.status().toString().c_str());
            sum = *r;
            if (!sum) progress.push_back(walked);
        }
        QCOMPARE(progress, (std::vector<std::uint64_t>{65'536, 131'072}));
        QVERIFY(sum.has_value());
        QCOMPARE(*sum, m_listed);
        // Unchanged since: the sum is known at once, without a walk.
        auto again = detail::entryBytes(shard, std::chrono::steady_clock::now());
        QVERIFY(again.ok() && again->has_value());
        QCOMPARE(**again, m_listed);
    }

    // Through the source: with a budget the first samples say how far the sum got (never a
    // size of 0 or "not recorded"), the last gives the listing's sum; without a budget one
    // call gives it. After a change the last finished sum stands until the new one ends.
    void statsGoOnOverSamples() {
        auto src = open(std::chrono::milliseconds(1));
        std::optional<std::uint64_t> bytes;
        int samples = 0;
        while (!bytes && samples < 50) {
            auto st = src->stats();
            QVERIFY2(st.ok(), st.status().toString().c_str());
            ++samples;
            bytes = st->bytes;
            if (!bytes) {
                const auto summed = extraOf(*st, "bytes_summed_entries");
                QVERIFY(summed.has_value());
                QVERIFY(*summed > 0 && *summed < kRows + 3);
                QVERIFY(QString::fromStdString(st->note).contains("adding up the entries' sizes"));
            }
        }
        QVERIFY(bytes.has_value());
        QCOMPARE(*bytes, m_listed);
        QVERIFY2(samples >= 2, "140,000 rows were summed within 1 ms");

        runPython("import diskcache\nc = diskcache.Cache(" + quoted(m_path) +
                  ")\nc['added'] = b'A' * 1000\nc.close()\n");
        auto st = src->stats();
        QVERIFY(st.ok() && st->bytes.has_value());
        // The new sum starts once the last one's throttle allows (kSlowBytesSum).
        QTRY_COMPARE_WITH_TIMEOUT(src->stats()->bytes.value_or(0), m_listed + 1000, 60000);

        auto exact = open(std::chrono::milliseconds(0))->stats();
        QVERIFY(exact.ok() && exact->bytes.has_value());
        QCOMPARE(*exact->bytes, m_listed + 1000);
        QVERIFY(!extraOf(*exact, "bytes_summed_entries").has_value());
    }

  private:
    static std::string quoted(const std::filesystem::path& p) { return "r'" + p.string() + "'"; }

    std::unique_ptr<Source> open(std::chrono::milliseconds budget) {
        auto info = Discovery::identify(m_path);
        if (!info.ok()) qFatal("%s", info.status().toString().c_str());
        OpenOptions options;
        options.read_only = true;
        options.stats_time_budget = budget;
        auto src = Discovery::open(*info, options);
        if (!src.ok()) qFatal("%s", src.status().toString().c_str());
        return std::move(*src);
    }

    test::TempDir m_tmp;
    std::filesystem::path m_path;
    std::uint64_t m_listed = 0;
};

QTEST_GUILESS_MAIN(TestDiskcacheByteSum)
#include "test_diskcache_byte_sum.moc"
