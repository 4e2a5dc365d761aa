// twat-cache stats reports compute time and time saved: a sqlite cache memoized with a manual
// clock gives exact figures in the text ("saved 1.5 s of compute (3 hits)") and in --json
// (compute_time_s, time_saved_s); a plain folder records none: "not recorded" and null.
#include <QtTest>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "test_support.h"
#include "twat_cache/memoize.h"

using namespace twat_cache;
using nlohmann::json;
namespace fs = std::filesystem;

class TestCliStatsTime : public QObject {
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
        auto clock = std::make_shared<ManualClock>();
        CacheConfig c;
        c.name = "slow";
        c.cache_dir = m_root;
        c.clock = clock;
        auto f = bcache(c, [clock](int x) {
            clock->advanceMs(500);
            return x * 3;
        });
        QVERIFY(f.ok());
        (*f)(1);                              // 500 ms computed
        for (int i = 0; i < 3; ++i) (*f)(1);  // 3 hits: 1.5 s saved
        QVERIFY(f->engine().flush().ok());
        // "mixed": calls of 20, 700 and 90 ms, the 90 ms one hit twice.
        CacheConfig mixed = c;
        mixed.name = "mixed";
        auto g = bcache(mixed, [clock](int ms) {
            clock->advanceMs(ms);
            return ms;
        });
        QVERIFY(g.ok());
        for (const int ms : {20, 700, 90, 90, 90}) (*g)(ms);
        QVERIFY(g->engine().flush().ok());
        fs::create_directories(m_root / "plain");
        std::ofstream(m_root / "plain" / "a.bin") << "data";
    }

    void text() {
        auto r = cli({"stats", "slow"});
        QVERIFY2(r.exitCode == 0, (r.out + r.err).c_str());
        QVERIFY2(r.out.find("saved 1.5 s of compute (3 hits)") != std::string::npos, r.out.c_str());
        QVERIFY2(r.out.find("500.0 ms") != std::string::npos, r.out.c_str());
    }

    void jsonFigures() {
        auto r = cli({"stats", "slow", "--json"});
        QVERIFY2(r.exitCode == 0, (r.out + r.err).c_str());
        const json j = json::parse(r.out);
        QVERIFY(j["compute_time_s"].is_number());
        QCOMPARE(j["compute_time_s"].get<double>(), 0.5);
        QCOMPARE(j["time_saved_s"].get<double>(), 1.5);
    }

    // inspect --sort takes the time keys, and --json gives each entry's times in seconds.
    void inspectSortsByTime() {
        auto r = cli({"inspect", "mixed", "--sort", "compute_time", "--desc", "--json"});
        QVERIFY2(r.exitCode == 0, (r.out + r.err).c_str());
        json j = json::parse(r.out);
        std::vector<double> compute;
        for (const auto& e : j["entries"]) compute.push_back(e["compute_time_s"].get<double>());
        QCOMPARE(compute, (std::vector<double>{0.7, 0.09, 0.02}));
        r = cli({"inspect", "mixed", "--sort", "time_saved", "--desc", "--json"});
        QVERIFY2(r.exitCode == 0, (r.out + r.err).c_str());
        j = json::parse(r.out);
        QCOMPARE(j["entries"][0]["time_saved_s"].get<double>(), 0.18);
        r = cli({"inspect", "mixed", "--sort", "compute_time"});
        QVERIFY2(r.exitCode == 0, (r.out + r.err).c_str());
        QVERIFY2(r.out.find("COMPUTE_TIME") != std::string::npos, r.out.c_str());
        QVERIFY2(r.out.find("20.0 ms") < r.out.find("700.0 ms"), r.out.c_str());
    }

    void notRecorded() {
        const std::string plain = (m_root / "plain").string();
        auto r = cli({"stats", plain, "--json"});
        QVERIFY2(r.exitCode == 0, (r.out + r.err).c_str());
        const json j = json::parse(r.out);
        QVERIFY(j.contains("time_saved_s"));
        QVERIFY(j["time_saved_s"].is_null());
        QVERIFY(j["compute_time_s"].is_null());
        r = cli({"stats", plain});
        QVERIFY2(r.out.find("time saved: not recorded") != std::string::npos, r.out.c_str());
    }
};

QTEST_GUILESS_MAIN(TestCliStatsTime)
#include "test_cli_stats_time.moc"
