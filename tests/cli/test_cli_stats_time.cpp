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
