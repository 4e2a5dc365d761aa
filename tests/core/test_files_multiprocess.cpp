// Several processes sharing one files cache: counts add up, values never mix; and writers
// killed at random points never leave an entry that decodes to something else.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QtTest>
#include <atomic>
#include <chrono>
#include <fstream>
#include <random>
#include <thread>
#include <vector>

#include "files_test_support.h"
#include "test_support.h"
#include "twat_cache/engine.h"

using namespace twat_cache;
using namespace twat_cache::test;
namespace fs = std::filesystem;

namespace {

constexpr int kProcesses = 4;
constexpr int kKeys = 200;
constexpr auto kRunTime = std::chrono::milliseconds(3000);

Record recordOf(std::string_view payload) {
    Record r;
    r.key_text = "k";
    r.type_tag = 3;
    r.payload = payload;
    return r;
}

// Waits for `pid` at most `timeoutMs`; kills it after that. Returns its exit code, or -1.
int waitChild(pid_t pid, int timeoutMs) {
    for (int waited = 0; waited <= timeoutMs; waited += 10) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        ::usleep(10'000);
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return -1;
}

struct Counts {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
};

// One worker process: random gets, sets and erases for kRunTime; every hit is checked.
int worker(const ResolvedConfig& config, int id, const fs::path& report) {
    auto engine = openFiles(config);
    if (!engine) return 10;
    std::mt19937 rng(static_cast<unsigned>(id) * 7919u + 1u);
    Counts counts;
    const auto end = std::chrono::steady_clock::now() + kRunTime;
    for (int op = 0; op < 2'000'000 && std::chrono::steady_clock::now() < end; ++op) {
        const int k = static_cast<int>(rng() % kKeys);
        const unsigned dice = rng() % 100;
        if (dice < 60) {
            auto got = engine->get(keyOf(k));
            if (got.ok()) {
                if (got->payload != payloadOf(k)) return 20;
                ++counts.hits;
            } else if (got.status().isNotFound()) {
                ++counts.misses;
            } else {
                return 21;
            }
        } else if (dice < 95) {
            if (!engine->set(keyOf(k), recordOf(payloadOf(k))).ok()) return 22;
        } else if (!engine->erase(keyOf(k)).ok()) {
            return 23;
        }
    }
    engine.reset();  // flushes the counters
    std::ofstream(report) << counts.hits << ' ' << counts.misses << '\n';
    return 0;
}

std::size_t crashPayloadSize(int k) {
    return 100 + static_cast<std::size_t>(k % 10) * 3000;
}

}  // namespace

class TestFilesMultiprocess : public QObject {
    Q_OBJECT
  private slots:
    void countsAddUpAcrossProcesses_data() {
        QTest::addColumn<int>("maxsize");
        QTest::newRow("unbounded") << 0;
        QTest::newRow("maxsize 60") << 60;
    }
    void countsAddUpAcrossProcesses() {
        QFETCH(int, maxsize);
        TempDir dir;
        auto config = filesConfig(dir.path() / "c");
        config.maxsize = std::uint64_t(maxsize);
        QVERIFY(openFiles(config));
        std::vector<pid_t> pids;
        for (int i = 0; i < kProcesses; ++i) {
            const pid_t pid = ::fork();
            if (pid == 0) ::_exit(worker(config, i, dir.path() / ("report" + std::to_string(i))));
            QVERIFY(pid > 0);
            pids.push_back(pid);
        }
        for (pid_t pid : pids) QCOMPARE(waitChild(pid, 60'000), 0);

        Counts total;
        for (int i = 0; i < kProcesses; ++i) {
            std::ifstream in(dir.path() / ("report" + std::to_string(i)));
            Counts c;
            QVERIFY(in >> c.hits >> c.misses);
            total.hits += c.hits;
            total.misses += c.misses;
        }
        QVERIFY(total.hits > 0);
        QVERIFY(total.misses > 0);
        auto engine = openFiles(config);
        const Stats s = engine->stats();
        QCOMPARE(s.hits, total.hits);
        QCOMPARE(s.misses, total.misses);
        QCOMPARE(s.errors, std::uint64_t(0));
        std::uint64_t found = 0;
        for (int k = 0; k < kKeys; ++k) {
            auto got = engine->get(keyOf(k));
            if (got.ok()) {
                QCOMPARE(got->payload, payloadOf(k));
                ++found;
            } else {
                QVERIFY(got.status().isNotFound());
            }
        }
        QCOMPARE(s.entries, found);
    }

    // Threads of one process share one engine (and its index) with eviction running.
    void threadsShareOneEngine() {
        TempDir dir;
        auto config = filesConfig(dir.path() / "c");
        config.maxsize = 50;
        auto engine = openFiles(config);
        QVERIFY(engine);
        std::atomic<int> bad{0};
        std::atomic<std::uint64_t> lookups{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                std::mt19937 rng(static_cast<unsigned>(t) + 99u);
                for (int op = 0; op < 3000; ++op) {
                    const int k = static_cast<int>(rng() % 120);
                    if (rng() % 2 == 0) {
                        if (!engine->set(keyOf(k), recordOf(payloadOf(k))).ok()) ++bad;
                        continue;
                    }
                    auto got = engine->get(keyOf(k));
                    ++lookups;
                    if (got.ok() ? got->payload != payloadOf(k) : !got.status().isNotFound()) {
                        ++bad;
                    }
                }
            });
        }
        for (std::thread& t : threads) t.join();
        QCOMPARE(bad.load(), 0);
        const Stats s = engine->stats();
        QCOMPARE(s.hits + s.misses, lookups.load());
        QCOMPARE(s.entries, std::uint64_t(50));
        QCOMPARE(*engine->size(), std::uint64_t(50));
    }

    void writersKilledAtRandomPointsLeaveNoBadEntry() {
        TempDir dir;
        auto config = filesConfig(dir.path() / "c");
        QVERIFY(openFiles(config));
        constexpr int kRounds = 20;
        constexpr int kCrashKeys = 300;
        std::mt19937 rng(12345);
        for (int round = 0; round < kRounds; ++round) {
            int ready[2];
            QVERIFY(::pipe(ready) == 0);
            const pid_t pid = ::fork();
            if (pid == 0) {
                ::close(ready[0]);
                ResolvedConfig c = config;
                c.compress = round % 2 == 1;
                auto engine = openFiles(c);
                if (!engine) ::_exit(10);
                if (::write(ready[1], "r", 1) != 1) ::_exit(11);
                for (int j = 0; j < 1'000'000; ++j) {
                    const int k = (j * 7 + round * 13) % kCrashKeys;
                    (void)engine->set(keyOf(k), recordOf(payloadOf(k, crashPayloadSize(k))));
                }
                ::_exit(0);
            }
            QVERIFY(pid > 0);
            ::close(ready[1]);
            pollfd p{ready[0], POLLIN, 0};
            QVERIFY(::poll(&p, 1, 10'000) == 1);
            char byte = 0;
            QCOMPARE(::read(ready[0], &byte, 1), ssize_t(1));
            ::close(ready[0]);
            // The kill point is what varies; the delay picks it.
            ::usleep(static_cast<useconds_t>(rng() % 20'000));
            ::kill(pid, SIGKILL);
            int status = 0;
            QCOMPARE(::waitpid(pid, &status, 0), pid);
        }
        auto engine = openFiles(config);
        std::uint64_t found = 0;
        for (int k = 0; k < kCrashKeys; ++k) {
            auto got = engine->get(keyOf(k));
            if (got.ok()) {
                QCOMPARE(got->payload, payloadOf(k, crashPayloadSize(k)));
                ++found;
            } else {
                QVERIFY2(got.status().isNotFound(), got.status().toString().c_str());
            }
        }
        QVERIFY(found > 0);
        const Stats s = engine->stats();
        QCOMPARE(s.errors, std::uint64_t(0));
        QCOMPARE(s.entries, found);
        // Every entry the scan lists reads back.
        auto page = engine->scan("", 1000);
        QVERIFY(page.ok());
        QCOMPARE(std::uint64_t(page->entries.size()), found);
    }
};

QTEST_GUILESS_MAIN(TestFilesMultiprocess)
#include "test_files_multiprocess.moc"
