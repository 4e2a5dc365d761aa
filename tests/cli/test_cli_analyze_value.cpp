// twat-cache analyze ranks entries by value (time saved per byte) and counts those never hit:
// a sqlite cache memoized with a manual clock gives exact figures in --json ("value", "never_hit")
// and in the text; a plain folder records neither: null and "not recorded", never zeros.
#include <QtTest>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "test_support.h"
#include "twat_cache/memoize.h"

using namespace twat_cache;
using nlohmann::json;
namespace fs = std::filesystem;

class TestCliAnalyzeValue : public QObject {
    Q_OBJECT

    test::TempDir m_tmp;
    fs::path m_root;

    test::ProcessResult cli(const std::vector<std::string>& args) {
        std::vector<std::string> all = {"--root", m_root.string()};
        all.insert(all.end(), args.begin(), args.end());
        return test::runProcess(TWAT_CACHE_CLI, all);
    }

  private slots:
    void initTestCase() {
        QVERIFY(m_tmp.ok());
        m_root = fs::path(m_tmp.path()) / "root";
        // The manual clock starts in 2023: every entry is years old for the CLI's clock.
        auto clock = std::make_shared<ManualClock>();
        CacheConfig c;
        c.name = "valued";
        c.cache_dir = m_root;
        c.clock = clock;
        auto f = bcache(c, [clock](int x) {
            clock->advanceMs(100 * x);
            return std::string(200, 'v');
        });
        QVERIFY(f.ok());
        (*f)(1);
        (*f)(1);
        (*f)(1);  // x = 1: 100 ms, hit twice: saved 200 ms
        (*f)(2);  // 200 ms, never hit
        (*f)(3);  // 300 ms, never hit
        QVERIFY(f->engine().flush().ok());
        fs::create_directories(m_root / "plain");
        std::ofstream(m_root / "plain" / "a.bin") << "data";
    }

    void jsonRankingAndNeverHit() {
        auto r = cli({"analyze", "valued", "--json", "--never-hit-older", "7d"});
        QVERIFY2(r.exitCode == 0, (r.out + r.err).c_str());
        const json j = json::parse(r.out);
        QVERIFY(j["value"].is_object());
        const json& most = j["value"]["most"];
        QCOMPARE(most.size(), std::size_t(3));
        QCOMPARE(most[0]["value_s"].get<double>(), 0.2);  // x = 1: 200 ms saved
        QCOMPARE(most[0]["hits"].get<int>(), 2);
        QCOMPARE(most[1]["value_s"].get<double>(), 0.0);  // never hit: nothing saved yet
        const json& least = j["value"]["least"];
        QCOMPARE(least.size(), std::size_t(3));
        QCOMPARE(least[2]["key"], most[0]["key"]);
        const auto bytes = most[0]["bytes"].get<double>();
        QCOMPARE(most[0]["value_per_byte_ns"].get<double>(), 0.2e9 / bytes);
        QVERIFY(j["never_hit"].is_object());
        QCOMPARE(j["never_hit"]["keys"].get<int>(), 2);
        QCOMPARE(j["never_hit"]["bytes"].get<std::uint64_t>(),
                 most[1]["bytes"].get<std::uint64_t>() + most[2]["bytes"].get<std::uint64_t>());
        QCOMPARE(j["never_hit"]["older_than_s"].get<double>(), 7 * 86400.0);
    }

    void text() {
        auto r = cli({"analyze", "valued", "--never-hit-older", "7d"});
        QVERIFY2(r.exitCode == 0, (r.out + r.err).c_str());
        QVERIFY2(r.out.find("most valuable") != std::string::npos, r.out.c_str());
        QVERIFY2(r.out.find("never hit, stored over 7d ago: 2 keys") != std::string::npos,
                 r.out.c_str());
    }

    void notRecorded() {
        const std::string plain = (m_root / "plain").string();
        auto r = cli({"analyze", plain, "--json"});
        QVERIFY2(r.exitCode == 0, (r.out + r.err).c_str());
        const json j = json::parse(r.out);
        QVERIFY(j.contains("value") && j["value"].is_null());
        QVERIFY(j.contains("never_hit") && j["never_hit"].is_null());
        r = cli({"analyze", plain});
        QVERIFY2(r.out.find("value (time saved per byte): not recorded") != std::string::npos,
                 r.out.c_str());
        QVERIFY2(r.out.find("never hit: not recorded") != std::string::npos, r.out.c_str());
    }

    void badDuration() {
        auto r = cli({"analyze", "valued", "--never-hit-older", "soon"});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.find("--never-hit-older") != std::string::npos, r.err.c_str());
    }
};

QTEST_GUILESS_MAIN(TestCliAnalyzeValue)
#include "test_cli_analyze_value.moc"
