// The sqlite engine facing damage and hostile surroundings: a corrupt or truncated database,
// a folder that is not a cache, a newer format, a read-only folder and a full disk. Each must
// give a clear Status, never a crash or a wrong value.
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <QtTest>
#include <fstream>

#include "format/manifest.h"
#include "sqlite_test_util.h"
#include "test_support.h"

using namespace twat_cache;
using namespace twat_cache::test;
namespace fs = std::filesystem;

namespace {

void makeCache(const ResolvedConfig& cfg, int entries, std::size_t size) {
    auto e = openSqliteCache(cfg);
    if (!e.ok()) qFatal("open failed: %s", e.status().toString().c_str());
    for (int i = 0; i < entries; ++i) {
        const std::string k = "k" + std::to_string(i);
        (void)(*e)->set(keyOf(k), recordOf(k, noise(static_cast<std::uint64_t>(i), size)));
    }
}

void writeBytes(const fs::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// In a forked child: drop root (which ignores file modes) so permissions apply.
bool dropRoot() {
    if (::geteuid() != 0) return true;
    return ::setgid(65534) == 0 && ::setuid(65534) == 0;
}

}  // namespace

class TestSqliteRobustness : public QObject {
    Q_OBJECT
  private slots:
    void corruptDatabase() {
        TempDir dir;
        auto cfg = sqliteConfig(dir.path(), {});
        makeCache(cfg, 10, 100);
        writeBytes(cfg.folder / "cache.db", noise(9, 8192));
        fs::remove(cfg.folder / "cache.db-wal");
        fs::remove(cfg.folder / "cache.db-shm");
        auto e = openSqliteCache(cfg);
        QVERIFY(!e.ok());
        QCOMPARE(e.status().code(), StatusCode::kCorruption);
        QVERIFY(e.status().message().find("cache.db") != std::string::npos);
    }

    void truncatedDatabase() {
        TempDir dir;
        auto cfg = sqliteConfig(dir.path(), {});
        makeCache(cfg, 400, 900);  // inline rows over many pages
        const fs::path db = cfg.folder / "cache.db";
        QVERIFY(!fs::exists(cfg.folder / "cache.db-wal") ||
                fs::file_size(cfg.folder / "cache.db-wal") == 0);
        fs::resize_file(db, fs::file_size(db) / 2);
        bool sawCorruption = false;
        auto e = openSqliteCache(cfg);
        if (!e.ok()) {
            QCOMPARE(e.status().code(), StatusCode::kCorruption);
            return;
        }
        int good = 0;
        for (int i = 0; i < 400; ++i) {
            const std::string k = "k" + std::to_string(i);
            auto got = (*e)->get(keyOf(k));
            if (got.ok()) {
                QVERIFY(got->payload == noise(static_cast<std::uint64_t>(i), 900));  // never wrong
                ++good;
            } else if (got.status().code() == StatusCode::kCorruption) {
                sawCorruption = true;
            } else {
                QVERIFY2(got.status().isNotFound(), got.status().toString().c_str());
            }
        }
        auto report = (*e)->check(false);
        if (report.ok()) {
            QVERIFY(!report->integrity_ok);
            sawCorruption = true;
        } else {
            sawCorruption = sawCorruption || report.status().code() == StatusCode::kCorruption;
        }
        QVERIFY(sawCorruption);
        QVERIFY(good < 400);
    }

    void foreignFolderRefused_data() {
        QTest::addColumn<QString>("manifest");  // empty: a user's file instead of a manifest
        QTest::addColumn<int>("code");
        QTest::newRow("user files") << "" << static_cast<int>(StatusCode::kInvalidArgument);
        QTest::newRow("other engine")
            << R"({"format":"twat_cache","format_version":1,"engine":"files"})"
            << static_cast<int>(StatusCode::kInvalidArgument);
        QTest::newRow("newer format")
            << R"({"format":"twat_cache","format_version":2,"engine":"sqlite"})"
            << static_cast<int>(StatusCode::kNotSupported);
        QTest::newRow("garbage manifest")
            << "{not json" << static_cast<int>(StatusCode::kCorruption);
        QTest::newRow("someone else's json") << R"({"format":"other","engine":"sqlite"})"
                                             << static_cast<int>(StatusCode::kCorruption);
    }
    void foreignFolderRefused() {
        QFETCH(QString, manifest);
        QFETCH(int, code);
        TempDir dir;
        auto cfg = sqliteConfig(dir.path(), {});
        fs::create_directories(cfg.folder);
        if (manifest.isEmpty()) {
            writeBytes(cfg.folder / "notes.txt", "mine");
        } else {
            writeBytes(cfg.folder / "twat_cache.json", manifest.toStdString());
        }
        auto e = openSqliteCache(cfg);
        QVERIFY(!e.ok());
        QCOMPARE(static_cast<int>(e.status().code()), code);
        QVERIFY2(e.status().message().find(cfg.folder.string()) != std::string::npos,
                 e.status().message().c_str());
        QVERIFY(!fs::exists(cfg.folder / "cache.db"));  // nothing written
        if (manifest.isEmpty()) QVERIFY(!fs::exists(cfg.folder / "twat_cache.json"));
    }

    void foreignSqliteDatabaseRefused() {
        TempDir dir;
        auto cfg = sqliteConfig(dir.path(), {});
        makeCache(cfg, 1, 10);
        fs::remove(cfg.folder / "cache.db");
        fs::remove(cfg.folder / "cache.db-wal");
        fs::remove(cfg.folder / "cache.db-shm");
        {
            sqlite3* db = nullptr;
            QCOMPARE(sqlite3_open(path(cfg.folder / "cache.db").c_str(), &db), SQLITE_OK);
            sqlite3_exec(db, "CREATE TABLE mine(x)", nullptr, nullptr, nullptr);
            sqlite3_close(db);
        }
        auto e = openSqliteCache(cfg);
        QVERIFY(!e.ok());
        QCOMPARE(e.status().code(), StatusCode::kCorruption);
    }

    void readOnlyFolder() {
        TempDir dir;
        auto cfg = sqliteConfig(dir.path(), {});
        makeCache(cfg, 3, 10);
        fs::permissions(dir.path(), fs::perms(0755));
        for (auto& entry : fs::directory_iterator(cfg.folder)) {
            if (entry.is_regular_file()) fs::permissions(entry.path(), fs::perms(0444));
        }
        fs::permissions(cfg.folder, fs::perms(0555));
        auto newCfg = sqliteConfig(cfg.folder, {.name = "inner"});
        const ChildOutcome out = runInChild([&]() -> std::string {
            if (!dropRoot()) return "skip";
            auto existing = openSqliteCache(cfg);
            auto fresh = openSqliteCache(newCfg);
            return std::to_string(static_cast<int>(existing.status().code())) + " " +
                   std::to_string(static_cast<int>(fresh.status().code())) + " " +
                   existing.status().message();
        });
        fs::permissions(cfg.folder, fs::perms(0755));
        QVERIFY(out.exited);
        if (out.out == "skip") QSKIP("cannot drop root privileges");
        const auto denied = std::to_string(static_cast<int>(StatusCode::kPermissionDenied));
        QVERIFY2(out.out.rfind(denied + " " + denied + " ", 0) == 0, out.out.c_str());
        QVERIFY2(out.out.find(cfg.folder.string()) != std::string::npos, out.out.c_str());
    }

    void fullDisk() {
        TempDir dir;
        auto cfg = sqliteConfig(dir.path(), {});
        makeCache(cfg, 5, 100);
        const ChildOutcome out = runInChild([&]() -> std::string {
            ::signal(SIGXFSZ, SIG_IGN);
            auto e = openSqliteCache(cfg);
            if (!e.ok()) return "open " + e.status().toString();
            rlimit limit{};
            limit.rlim_cur = limit.rlim_max = 512 * 1024;
            if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return "setrlimit";
            std::string result;
            // A spilled value larger than the limit.
            const Status spilled = (*e)->set(keyOf("big"), recordOf("big", noise(1, 1 << 20)));
            result +=
                std::to_string(static_cast<int>(spilled.code())) + "|" + spilled.message() + "\n";
            // Inline rows until the database or its WAL reaches the limit.
            Status inlineStatus;
            for (int i = 0; i < 200 && inlineStatus.ok(); ++i) {
                const std::string k = "row" + std::to_string(i);
                inlineStatus =
                    (*e)->set(keyOf(k), recordOf(k, noise(static_cast<std::uint64_t>(i), 20000)));
            }
            result += std::to_string(static_cast<int>(inlineStatus.code())) + "|" +
                      inlineStatus.message() + "\n";
            auto old = (*e)->get(keyOf("k2"));
            result += old.ok() && old->payload == noise(2, 100)
                          ? "old ok"
                          : "old bad " + old.status().toString();
            return result;
        });
        QVERIFY(out.exited);
        const auto io = std::to_string(static_cast<int>(StatusCode::kIOError));
        const auto lines = QString::fromStdString(out.out).split('\n');
        QCOMPARE(lines.size(), 3);
        QVERIFY2(lines[0].startsWith(QString::fromStdString(io + "|")), out.out.c_str());
        QVERIFY2(lines[0].contains(QString::fromStdString(cfg.folder.string())), out.out.c_str());
        QVERIFY2(lines[1].startsWith(QString::fromStdString(io + "|")), out.out.c_str());
        QVERIFY2(lines[1].contains(QString::fromStdString(cfg.folder.string())), out.out.c_str());
        QCOMPARE(lines[2], QString("old ok"));
        // Afterwards the cache is consistent.
        auto e = openSqliteCache(cfg);
        QVERIFY(e.ok());
        auto report = (*e)->check(true);
        QVERIFY(report.ok());
        auto again = (*e)->check(false);
        QVERIFY(again.ok() && again->clean());
    }

  private:
    static std::string path(const fs::path& p) { return p.string(); }
};

QTEST_GUILESS_MAIN(TestSqliteRobustness)
#include "test_sqlite_robustness.moc"
