// acache: single flight, exceptions to every waiter, timeouts that poison nothing, executors.
#include <QtTest>
#include <atomic>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

#include "test_support.h"
#include "twat_cache/acache.h"

using namespace twat_cache;
using namespace std::chrono_literals;

namespace {

// Lets a test hold every computation until it has issued all its calls.
struct Gate {
    std::promise<void> open;
    std::shared_future<void> opened = open.get_future().share();
};

}  // namespace

class TestAcache : public QObject {
    Q_OBJECT
  private slots:
    void sixtyFourCallersComputeOnce() {
        Gate gate;
        std::atomic<int> calls{0};
        auto square = acache(CacheConfig{.name = "square"}, [&](int x) {
            calls.fetch_add(1);
            gate.opened.wait();
            return x * x;
        });
        QVERIFY2(square.ok(), square.status().toString().c_str());

        // 64 callers on 8 threads, all before the computation may finish.
        std::vector<std::shared_future<int>> futures(64);
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < 8; ++i)
                    futures[static_cast<std::size_t>(t * 8 + i)] = (*square)(12);
            });
        }
        for (auto& th : threads) th.join();
        QCOMPARE(square->inflight(), std::size_t(1));
        gate.open.set_value();
        for (auto& f : futures) QCOMPARE(f.get(), 144);
        QCOMPARE(calls.load(), 1);
        // Later calls are cache hits, still one computation.
        QCOMPARE((*square)(12).get(), 144);
        QCOMPARE(calls.load(), 1);
        QCOMPARE(square->stats().hits, 1u);
    }

    void distinctKeysComputeSeparately() {
        std::atomic<int> calls{0};
        auto twice = acache(CacheConfig{}, [&](int x) {
            calls.fetch_add(1);
            return 2 * x;
        });
        QVERIFY(twice.ok());
        std::vector<std::shared_future<int>> futures;
        for (int i = 0; i < 20; ++i) futures.push_back((*twice)(i));
        for (int i = 0; i < 20; ++i) QCOMPARE(futures[static_cast<std::size_t>(i)].get(), 2 * i);
        QCOMPARE(calls.load(), 20);
    }

    void exceptionReachesEveryWaiterAndIsNotCached() {
        Gate gate;
        std::atomic<int> calls{0};
        auto flaky = acache(CacheConfig{.name = "flaky"}, [&](int x) -> int {
            const int n = calls.fetch_add(1);
            gate.opened.wait();
            if (n == 0) throw std::runtime_error("first call fails");
            return x + 1;
        });
        QVERIFY(flaky.ok());
        std::vector<std::shared_future<int>> futures;
        for (int i = 0; i < 10; ++i) futures.push_back((*flaky)(7));
        gate.open.set_value();
        for (auto& f : futures) {
            bool threw = false;
            try {
                f.get();
            } catch (const std::runtime_error& e) {
                threw = std::string(e.what()) == "first call fails";
            }
            QVERIFY(threw);
        }
        QCOMPARE(calls.load(), 1);
        // Not cached: the next call computes again and succeeds.
        QCOMPARE((*flaky)(7).get(), 8);
        QCOMPARE(calls.load(), 2);
    }

    void callerTimeoutPoisonsNothing() {
        Gate gate;
        std::atomic<int> calls{0};
        auto slow = acache(CacheConfig{.name = "slow"}, [&](int x) {
            calls.fetch_add(1);
            gate.opened.wait();
            return x * 10;
        });
        QVERIFY(slow.ok());
        auto impatient = waitFor((*slow)(3), 20ms);
        QVERIFY(!impatient.ok());
        QCOMPARE(impatient.status().code(), StatusCode::kTimeout);
        auto patient = (*slow)(3);  // joins the flight the impatient caller left
        gate.open.set_value();
        QCOMPARE(patient.get(), 30);
        auto again = waitFor((*slow)(3), 5000ms);
        QVERIFY(again.ok());
        QCOMPARE(*again, 30);
        QCOMPARE(calls.load(), 1);
    }

    void customExecutorRunsEveryTask() {
        std::atomic<int> tasks{0};
        std::vector<std::thread> workers;
        std::mutex workersMutex;
        Executor executor = [&](std::function<void()> task) {
            tasks.fetch_add(1);
            std::lock_guard lock(workersMutex);
            workers.emplace_back(std::move(task));
        };
        auto sync = mcache(CacheConfig{.name = "exec"}, [](int x) { return x - 1; });
        QVERIFY(sync.ok());
        auto async = acache(*sync, executor);
        QCOMPARE(async(5).get(), 4);
        QCOMPARE(async(6).get(), 5);
        QCOMPARE(tasks.load(), 2);
        for (auto& w : workers) w.join();
    }

    void refusingExecutorFailsTheFlightCleanly() {
        auto sync = mcache(CacheConfig{.name = "refused"}, [](int x) { return x; });
        QVERIFY(sync.ok());
        auto async = acache(*sync, [](std::function<void()>) {
            throw std::runtime_error("executor is shutting down");
        });
        auto f = async(1);
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, f.get());
        QCOMPARE(async.inflight(), std::size_t(0));
    }

    void worksOverPersistentEngines() {
        test::TempDir dir;
        std::atomic<int> calls{0};
        auto fn = [&](const std::string& s) {
            calls.fetch_add(1);
            return s + "!";
        };
        CacheConfig config{.name = "async-disk"};
        config.cache_dir = dir.path();
        auto disk = bcache(config, fn);
        QVERIFY2(disk.ok(), disk.status().toString().c_str());
        auto async = acache(*disk);
        QCOMPARE(async(std::string("hi")).get(), std::string("hi!"));
        QCOMPARE(async(std::string("hi")).get(), std::string("hi!"));
        QCOMPARE(calls.load(), 1);

        config.name = "async-files";
        auto files = fcache(config, fn);
        QVERIFY2(files.ok(), files.status().toString().c_str());
        auto asyncFiles = acache(*files);
        QCOMPARE(asyncFiles(std::string("yo")).get(), std::string("yo!"));
        QCOMPARE(asyncFiles(std::string("yo")).get(), std::string("yo!"));
        QCOMPARE(calls.load(), 2);
    }
};

QTEST_GUILESS_MAIN(TestAcache)
#include "test_acache.moc"
