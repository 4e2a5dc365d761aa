// Deletion never leaves the cache folder (issue 19): the remover refuses paths that climb
// out or pass through symlinks, and a folder cache cleared while another thread keeps
// swapping its sub-folder for a symlink to an outside folder deletes nothing outside.
#include <fcntl.h>
#include <stdio.h>  // renameat2

#include <QtTest>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "inspect/contained_remover.h"
#include "test_support.h"
#include "twat_cache/inspect.h"

using namespace twat_cache;
namespace fs = std::filesystem;

namespace {

void writeFile(const fs::path& p, const std::string& text = "must survive\n") {
    std::ofstream(p) << text;
}

std::size_t countFiles(const fs::path& dir) {
    std::size_t n = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) n += e.is_regular_file() ? 1 : 0;
    return n;
}

}  // namespace

class TestContainedRemover : public QObject {
    Q_OBJECT
  private slots:
    void refusesPathsThatLeave_data() {
        QTest::addColumn<QString>("relative");
        QTest::newRow("parent") << "../outside/victim.txt";
        QTest::newRow("inner parent") << "sub/../../outside/victim.txt";
        QTest::newRow("absolute") << "/etc/hostname";
        QTest::newRow("empty component") << "sub//victim.txt";
        QTest::newRow("dot") << "./victim.txt";
        QTest::newRow("through a symlink") << "link/victim.txt";
    }
    void refusesPathsThatLeave() {
        QFETCH(QString, relative);
        test::TempDir tmp;
        const fs::path root = tmp.path() / "cache", outside = tmp.path() / "outside";
        fs::create_directories(root / "sub");
        fs::create_directories(outside);
        writeFile(outside / "victim.txt");
        fs::create_directory_symlink(outside, root / "link");
        detail::ContainedRemover remover(root);
        QVERIFY(remover.ok());
        auto file = remover.removeFile(relative.toStdString());
        QVERIFY(!file.ok());
        QCOMPARE(file.status().code(), StatusCode::kPermissionDenied);
        auto tree = remover.removeTree(relative.toStdString());
        QVERIFY(!tree.ok());
        QVERIFY(fs::exists(outside / "victim.txt"));
    }

    void treeRemovalRemovesLinksNotTargets() {
        test::TempDir tmp;
        const fs::path root = tmp.path() / "cache", outside = tmp.path() / "outside";
        fs::create_directories(root / "entry" / "deeper");
        fs::create_directories(outside);
        writeFile(outside / "victim.txt");
        writeFile(root / "entry" / "a.bin");
        writeFile(root / "entry" / "deeper" / "b.bin");
        fs::create_directory_symlink(outside, root / "entry" / "deeper" / "out");
        fs::create_symlink(outside / "victim.txt", root / "entry" / "victim-link");
        detail::ContainedRemover remover(root);
        auto n = remover.removeTree("entry");
        QVERIFY2(n.ok(), n.status().toString().c_str());
        QCOMPARE(*n, std::uint64_t(6));
        QVERIFY(!fs::exists(root / "entry"));
        QVERIFY(fs::exists(outside / "victim.txt"));
        // Gone already is not an error.
        auto again = remover.removeTree("entry");
        QVERIFY(again.ok());
        QCOMPARE(*again, std::uint64_t(0));
    }

    void pruneStopsAtTheRoot() {
        test::TempDir tmp;
        const fs::path root = tmp.path() / "cache";
        fs::create_directories(root / "ab" / "cd");
        writeFile(root / "ab" / "cd" / "v.val");
        detail::ContainedRemover remover(root);
        auto removed = remover.removeFile("ab/cd/v.val", true);
        QVERIFY(removed.ok() && *removed);
        QVERIFY(!fs::exists(root / "ab"));
        QVERIFY(fs::is_directory(root));
    }

    // The attack from issue 19: while a folder cache is cleared, another thread swaps its
    // sub-folder with a symlink to an outside folder of same-named files, atomically
    // (renameat2 RENAME_EXCHANGE), again and again. Nothing outside may go.
    void clearUnderSymlinkSwapsDeletesNothingOutside() {
        constexpr int kFiles = 1500;
        constexpr int kRounds = 3;
        for (int round = 0; round < kRounds; ++round) {
            test::TempDir tmp;
            const fs::path root = tmp.path() / "cache", outside = tmp.path() / "outside";
            const fs::path swap = tmp.path() / "swap";
            fs::create_directories(root / "sub");
            fs::create_directories(outside);
            writeFile(root / "CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n");
            for (int i = 0; i < kFiles; ++i) {
                const std::string name = "f" + std::to_string(i) + ".bin";
                writeFile(root / "sub" / name, "cached\n");
                writeFile(outside / name);
            }
            fs::create_directory_symlink(outside, swap);

            auto info = Discovery::identify(root);
            QVERIFY2(info.ok(), info.status().toString().c_str());
            auto src = Discovery::open(*info);
            QVERIFY2(src.ok(), src.status().toString().c_str());
            auto plan = (*src)->plan(PlanRequest{.action = PlanRequest::Action::kClearAll});
            QVERIFY2(plan.ok(), plan.status().toString().c_str());

            std::atomic<bool> stop{false};
            std::atomic<long> swaps{0};
            std::thread swapper([&] {
                // Bounded: stops when told, or after 20 s or 5M swaps whatever happens.
                const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
                for (long i = 0; i < 5'000'000 && !stop.load(); ++i) {
                    if (::renameat2(AT_FDCWD, (root / "sub").c_str(), AT_FDCWD, swap.c_str(),
                                    RENAME_EXCHANGE) == 0) {
                        swaps.fetch_add(1);
                    }
                    if ((i & 1023) == 0 && std::chrono::steady_clock::now() > deadline) break;
                }
            });
            auto result = (*plan)->execute();
            stop.store(true);
            swapper.join();
            QVERIFY2(result.ok(), result.status().toString().c_str());
            QVERIFY(swaps.load() > 0);
            QCOMPARE(countFiles(outside), std::size_t(kFiles));
        }
    }
};

QTEST_GUILESS_MAIN(TestContainedRemover)
#include "test_contained_remover.moc"
