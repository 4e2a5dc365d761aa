// The sqlite engine's WAL write coalescing (core/src/sqlite/sqlite_vfs.h), checked the way a
// crash would check it: the database and its WAL are copied while the engine still has
// them open (nothing checkpointed), and the copy is opened by plain SQLite with its default
// VFS, whose recovery replays the WAL and stops at the first frame whose header or checksum
// is wrong. Every committed entry must come back.
#include <sqlite3.h>

#include <QtTest>

#include "sqlite_test_util.h"
#include "test_support.h"

using namespace twat_cache;
using namespace twat_cache::test;
namespace fs = std::filesystem;

namespace {

std::string queryOne(sqlite3* db, const char* sql) {
    sqlite3_stmt* st = nullptr;
    std::string out = "ERROR";
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char* t = sqlite3_column_text(st, 0);
        out = t != nullptr ? reinterpret_cast<const char*>(t) : "NULL";
    }
    sqlite3_finalize(st);
    return out;
}

}  // namespace

class TestSqliteVfs : public QObject {
    Q_OBJECT
  private slots:
    void walCopyRecoversEveryCommit_data() {
        QTest::addColumn<int>("entries");
        QTest::addColumn<int>("size");
        QTest::newRow("100 B") << 200 << 100;
        QTest::newRow("4 KiB, replaced") << 60 << 4096;
    }
    void walCopyRecoversEveryCommit() {
        QFETCH(int, entries);
        QFETCH(int, size);
        TempDir dir;
        auto cfg = sqliteConfig(dir.path(), {.maxsize = 1000});
        auto engine = openSqliteCache(cfg);
        QVERIFY(engine.ok());
        for (int round = 0; round < 2; ++round) {  // the second round replaces every entry
            for (int i = 0; i < entries; ++i) {
                const std::string k = "k" + std::to_string(i);
                const std::string v = noise(static_cast<std::uint64_t>(i + round * 1000),
                                            static_cast<std::size_t>(size));
                QVERIFY((*engine)->set(keyOf(k), recordOf(k, v)).ok());
            }
        }
        const fs::path db = cfg.folder / "cache.db";
        QVERIFY(fs::file_size(db.string() + "-wal") > 0);  // frames not checkpointed yet
        const fs::path copy = dir.path() / "copy.db";
        fs::copy_file(db, copy);
        fs::copy_file(db.string() + "-wal", copy.string() + "-wal");

        sqlite3* raw = nullptr;
        QCOMPARE(sqlite3_open(copy.c_str(), &raw), SQLITE_OK);
        QCOMPARE(queryOne(raw, "PRAGMA integrity_check"), std::string("ok"));
        QCOMPARE(queryOne(raw, "SELECT count(*) FROM entries"), std::to_string(entries));
        QCOMPARE(queryOne(raw, "SELECT count FROM counters"), std::to_string(entries));
        const std::string last = "k" + std::to_string(entries - 1);
        const std::string expected =
            noise(static_cast<std::uint64_t>(entries - 1 + 1000), static_cast<std::size_t>(size));
        sqlite3_stmt* st = nullptr;
        QCOMPARE(sqlite3_prepare_v2(raw, "SELECT value FROM entries WHERE key_text = ?1", -1, &st,
                                    nullptr),
                 SQLITE_OK);
        sqlite3_bind_text(st, 1, last.c_str(), -1, SQLITE_TRANSIENT);
        QCOMPARE(sqlite3_step(st), SQLITE_ROW);
        const std::string value(static_cast<const char*>(sqlite3_column_blob(st, 0)),
                                static_cast<std::size_t>(sqlite3_column_bytes(st, 0)));
        QVERIFY(value == expected);
        sqlite3_finalize(st);
        sqlite3_close(raw);
    }
};

QTEST_GUILESS_MAIN(TestSqliteVfs)
#include "test_sqlite_vfs.moc"
