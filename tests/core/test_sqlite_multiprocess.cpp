// Several processes on one sqlite cache: concurrent readers and writers for a bounded time,
// and writers killed at arbitrary points. Afterwards the cache must be consistent (check()
// clean after a fix of leftovers) and every readable entry must decode to what was written.
#include <QtTest>
#include <cstring>

#include "sqlite_test_util.h"
#include "test_support.h"

using namespace twat_cache;
using namespace twat_cache::test;
namespace fs = std::filesystem;

namespace {

// A self-checking payload: 8 bytes of seed, then noise(seed) of a size derived from the seed.
// Some sizes are above the spill threshold, so both storage paths are exercised.
std::string payloadFor(std::uint64_t seed) {
    const std::size_t size = (seed % 7 == 0) ? 70000 + seed % 1000 : 50 + seed % 500;
    std::string out(8, '\0');
    std::memcpy(out.data(), &seed, 8);
    return out + noise(seed, size);
}

bool payloadValid(const std::string& payload, std::uint64_t typeTag) {
    if (payload.size() < 8) return false;
    std::uint64_t seed = 0;
    std::memcpy(&seed, payload.data(), 8);
    return seed == typeTag && payload == payloadFor(seed);
}

std::uint64_t nextRandom(std::uint64_t& x) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
}

}  // namespace

class TestSqliteMultiprocess : public QObject {
    Q_OBJECT
  private slots:
    void fourProcesses() {
        TempDir dir;
        auto cfg = sqliteConfig(dir.path(), {.maxsize = 150}, Clock::system());
        { QVERIFY(openSqliteCache(cfg).ok()); }
        constexpr int kProcesses = 4;
        std::vector<pid_t> pids;
        std::vector<int> pipes;
        for (int p = 0; p < kProcesses; ++p) {
            int fds[2];
            QVERIFY(::pipe(fds) == 0);
            const pid_t pid = ::fork();
            if (pid == 0) {
                ::close(fds[0]);
                std::uint64_t hits = 0, misses = 0, errors = 0, bad = 0, ops = 0;
                {
                    auto e = openSqliteCache(cfg);
                    if (!e.ok()) ::_exit(3);
                    std::uint64_t rnd = 0x12345 + static_cast<std::uint64_t>(p) * 7919;
                    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(3);
                    while (std::chrono::steady_clock::now() < end && ops < 200000) {
                        ++ops;
                        const std::uint64_t r = nextRandom(rnd);
                        const std::string k = "k" + std::to_string(r % 200);
                        if (r % 4 == 0) {
                            const std::uint64_t seed = nextRandom(rnd) % 100000;
                            const std::string payload = payloadFor(seed);
                            if (!(*e)->set(keyOf(k), recordOf(k, payload, seed)).ok()) ++errors;
                        } else {
                            auto got = (*e)->get(keyOf(k));
                            if (got.ok()) {
                                ++hits;
                                if (!payloadValid(got->payload, got->type_tag)) ++bad;
                            } else if (got.status().isNotFound()) {
                                ++misses;
                            } else {
                                ++errors;
                            }
                        }
                    }
                }  // flushes the counters
                const std::string report = std::to_string(hits) + " " + std::to_string(misses) +
                                           " " + std::to_string(errors) + " " +
                                           std::to_string(bad) + " " + std::to_string(ops);
                (void)!::write(fds[1], report.data(), report.size());
                ::_exit(0);
            }
            ::close(fds[1]);
            pids.push_back(pid);
            pipes.push_back(fds[0]);
        }
        std::uint64_t totalHits = 0, totalMisses = 0;
        for (int p = 0; p < kProcesses; ++p) {
            int status = 0;
            QCOMPARE(::waitpid(pids[static_cast<std::size_t>(p)], &status, 0),
                     pids[static_cast<std::size_t>(p)]);
            QVERIFY(WIFEXITED(status) && WEXITSTATUS(status) == 0);
            char buf[256] = {};
            const ssize_t n = ::read(pipes[static_cast<std::size_t>(p)], buf, sizeof(buf) - 1);
            ::close(pipes[static_cast<std::size_t>(p)]);
            QVERIFY(n > 0);
            unsigned long long hits = 0, misses = 0, errors = 0, bad = 0, ops = 0;
            QCOMPARE(
                std::sscanf(buf, "%llu %llu %llu %llu %llu", &hits, &misses, &errors, &bad, &ops),
                5);
            QCOMPARE(errors, 0ULL);
            QCOMPARE(bad, 0ULL);
            QVERIFY(ops > 100);
            totalHits += hits;
            totalMisses += misses;
        }
        auto e = openSqliteCache(cfg);
        QVERIFY(e.ok());
        const Stats s = (*e)->stats();
        QCOMPARE(s.hits, totalHits);
        QCOMPARE(s.misses, totalMisses);
        QVERIFY(s.entries <= 150);
        auto report = (*e)->check(false);
        QVERIFY(report.ok());
        QVERIFY2(report->clean(), report->problems.empty() ? "" : report->problems[0].c_str());
    }

    void killedWriters() {
        TempDir dir;
        auto cfg = sqliteConfig(dir.path(), {.maxsize = 60}, Clock::system());
        { QVERIFY(openSqliteCache(cfg).ok()); }
        for (int round = 0; round < 20; ++round) {
            int fds[2];
            QVERIFY(::pipe(fds) == 0);
            const pid_t pid = ::fork();
            if (pid == 0) {
                ::close(fds[0]);
                auto e = openSqliteCache(cfg);
                if (!e.ok()) ::_exit(3);
                std::uint64_t rnd = 0x9876 + static_cast<std::uint64_t>(round);
                for (int i = 0; i < 100000; ++i) {  // bounded; killed long before the end
                    const std::uint64_t r = nextRandom(rnd);
                    const std::string k = "k" + std::to_string(r % 100);
                    const std::uint64_t seed = r % 1000003;
                    if (r % 10 == 0) {
                        (void)(*e)->erase(keyOf(k));
                    } else {
                        (void)(*e)->set(keyOf(k), recordOf(k, payloadFor(seed), seed));
                    }
                    if (::write(fds[1], "x", 1) != 1) ::_exit(4);
                }
                ::_exit(0);
            }
            ::close(fds[1]);
            // Kill after a round-dependent number of completed writes, i.e. somewhere inside
            // a later one.
            const int target = 1 + (round * 37) % 60;
            int seen = 0;
            char buf[64];
            while (seen < target) {
                const ssize_t n = ::read(
                    fds[0], buf,
                    std::min<std::size_t>(sizeof(buf), static_cast<std::size_t>(target - seen)));
                if (n <= 0) break;
                seen += static_cast<int>(n);
            }
            ::kill(pid, SIGKILL);
            int status = 0;
            ::waitpid(pid, &status, 0);
            ::close(fds[0]);
            QCOMPARE(seen, target);
        }
        auto e = openSqliteCache(cfg);
        QVERIFY2(e.ok(), e.status().toString().c_str());
        auto fixed = (*e)->check(true);
        QVERIFY2(fixed.ok(), fixed.status().toString().c_str());
        QVERIFY(fixed->integrity_ok);
        QCOMPARE(fixed->missing_files, 0u);
        QCOMPARE(fixed->bad_rows, 0u);
        auto report = (*e)->check(false);
        QVERIFY(report.ok() && report->clean());
        std::string cursor;
        int readable = 0;
        for (int page = 0; page < 100; ++page) {
            auto p = (*e)->scan(cursor, 50);
            QVERIFY(p.ok());
            for (const auto& info : p->entries) {
                auto got = (*e)->get(info.key);
                QVERIFY2(got.ok(), got.status().toString().c_str());
                QVERIFY(payloadValid(got->payload, got->type_tag));
                QCOMPARE(info.key, keyOf(info.key_text));
                ++readable;
            }
            cursor = p->cursor;
            if (cursor.empty()) break;
        }
        QVERIFY(readable > 0);
        QVERIFY(readable <= 60);
    }
};

QTEST_GUILESS_MAIN(TestSqliteMultiprocess)
#include "test_sqlite_multiprocess.moc"
