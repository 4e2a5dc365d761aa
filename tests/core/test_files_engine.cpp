// The files engine: round trips, overwrite, erase, TTL, limits and LRU eviction, compression,
// scan pages, persisted statistics, clear() and the manifest.
#include <sys/stat.h>

#include <QtTest>
#include <fstream>
#include <set>

#include "files_test_support.h"
#include "format/envelope.h"
#include "test_support.h"
#include "twat_cache/engine.h"

using namespace twat_cache;
using namespace twat_cache::test;
namespace fs = std::filesystem;

namespace {

Record recordOf(std::string_view text, std::string_view payload, std::uint64_t tag = 7) {
    Record r;
    r.key_text = text;
    r.type_tag = tag;
    r.payload = payload;
    return r;
}

std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

class TestFilesEngine : public QObject {
    Q_OBJECT
  private slots:
    void roundTrip_data() {
        QTest::addColumn<int>("size");
        QTest::addColumn<bool>("compress");
        QTest::newRow("empty") << 0 << false;
        QTest::newRow("small") << 40 << false;
        QTest::newRow("large") << 300'000 << false;
        QTest::newRow("small zstd") << 40 << true;
        QTest::newRow("large zstd") << 300'000 << true;
    }
    void roundTrip() {
        QFETCH(int, size);
        QFETCH(bool, compress);
        TempDir dir;
        auto clock = std::make_shared<ManualClock>();
        auto config = filesConfig(dir.path() / "c", clock);
        config.compress = compress;
        auto engine = openFiles(config);
        QVERIFY(engine);
        QCOMPARE(engine->kind(), std::string_view("files"));
        const std::string payload = size == 0 ? std::string() : payloadOf(3, std::size_t(size));
        QVERIFY(engine->set(keyOf(1), recordOf("f(1)", payload, 42)).ok());
        auto got = engine->get(keyOf(1));
        QVERIFY2(got.ok(), got.status().toString().c_str());
        QCOMPARE(got->payload, payload);
        QCOMPARE(got->type_tag, std::uint64_t(42));
        QCOMPARE(got->created_ms, clock->nowMs());
        QCOMPARE(got->expires_ms, std::int64_t(0));
        QVERIFY(fs::is_regular_file(entryFile(config.folder, keyOf(1))));
        QVERIFY(engine->get(keyOf(2)).status().isNotFound());
        QCOMPARE(*engine->contains(keyOf(1)), true);
        QCOMPARE(*engine->contains(keyOf(2)), false);
    }

    void overwriteAndErase() {
        TempDir dir;
        auto engine = openFiles(filesConfig(dir.path() / "c"));
        QVERIFY(engine);
        QVERIFY(engine->set(keyOf(1), recordOf("a", "first")).ok());
        QVERIFY(engine->set(keyOf(1), recordOf("a", "second value")).ok());
        QCOMPARE(engine->get(keyOf(1))->payload, std::string("second value"));
        QCOMPARE(*engine->size(), std::uint64_t(1));
        QCOMPARE(*engine->erase(keyOf(1)), true);
        QCOMPARE(*engine->erase(keyOf(1)), false);
        QVERIFY(engine->get(keyOf(1)).status().isNotFound());
        QCOMPARE(*engine->size(), std::uint64_t(0));
    }

    void ttl() {
        TempDir dir;
        auto clock = std::make_shared<ManualClock>();
        auto config = filesConfig(dir.path() / "c", clock);
        config.ttl = std::chrono::milliseconds(1000);
        auto engine = openFiles(config);
        QVERIFY(engine);
        QVERIFY(engine->set(keyOf(1), recordOf("a", "x")).ok());
        Record noExpiry = recordOf("b", "y");
        noExpiry.ttl = std::chrono::milliseconds(0);
        QVERIFY(engine->set(keyOf(2), noExpiry).ok());
        QCOMPARE(engine->get(keyOf(1))->expires_ms, clock->nowMs() + 1000);
        clock->advanceMs(999);
        QVERIFY(engine->get(keyOf(1)).ok());
        clock->advanceMs(1);
        QCOMPARE(*engine->contains(keyOf(1)), false);
        QVERIFY(engine->get(keyOf(1)).status().isNotFound());
        QVERIFY(!fs::exists(entryFile(config.folder, keyOf(1))));
        clock->advanceMs(10'000'000);
        QCOMPARE(engine->get(keyOf(2))->payload, std::string("y"));
        const Stats s = engine->stats();
        QCOMPARE(s.expirations, std::uint64_t(1));
        QCOMPARE(s.hits, std::uint64_t(3));
        QCOMPARE(s.misses, std::uint64_t(1));
        QCOMPARE(s.entries, std::uint64_t(1));
    }

    void maxsizeEvictsLeastRecentlyUsed() {
        TempDir dir;
        auto clock = std::make_shared<ManualClock>();
        auto config = filesConfig(dir.path() / "c", clock);
        config.maxsize = 3;
        auto engine = openFiles(config);
        QVERIFY(engine);
        for (int i = 0; i < 3; ++i) {
            QVERIFY(engine->set(keyOf(i), recordOf("k", payloadOf(i))).ok());
            clock->advanceMs(5);
        }
        QVERIFY(engine->get(keyOf(0)).ok());  // 1 is now the least recently used
        QVERIFY(engine->set(keyOf(3), recordOf("k", payloadOf(3))).ok());
        QVERIFY(engine->get(keyOf(1)).status().isNotFound());
        QVERIFY(engine->get(keyOf(0)).ok());
        QVERIFY(engine->get(keyOf(2)).ok());
        QVERIFY(engine->get(keyOf(3)).ok());
        const Stats s = engine->stats();
        QCOMPARE(s.entries, std::uint64_t(3));
        QCOMPARE(s.evictions, std::uint64_t(1));
    }

    void maxBytesEvicts() {
        TempDir dir;
        auto config = filesConfig(dir.path() / "c", std::make_shared<ManualClock>());
        config.max_bytes = 5000;
        auto engine = openFiles(config);
        QVERIFY(engine);
        for (int i = 0; i < 20; ++i) {
            QVERIFY(engine->set(keyOf(i), recordOf("k", payloadOf(i, 1000))).ok());
        }
        const Stats s = engine->stats();
        QVERIFY(s.bytes <= 5000);
        QCOMPARE(s.entries, std::uint64_t(4));  // 4 envelopes of ~1050 bytes fit
        QCOMPARE(s.evictions, std::uint64_t(16));
        QVERIFY(engine->get(keyOf(19)).ok());
        QVERIFY(engine->get(keyOf(0)).status().isNotFound());
    }

    // After a reopen the index is rebuilt from mtimes: a hit older than the touch interval
    // refreshed the file's mtime, so it survives the eviction that follows.
    void recencySurvivesReopen() {
        TempDir dir;
        auto clock = std::make_shared<ManualClock>();
        auto config = filesConfig(dir.path() / "c", clock);
        config.maxsize = 3;
        {
            auto engine = openFiles(config);
            QVERIFY(engine);
            for (int i = 0; i < 3; ++i) {
                QVERIFY(engine->set(keyOf(i), recordOf("k", payloadOf(i))).ok());
                clock->advanceMs(5);
            }
            clock->advanceMs(20'000);
            QVERIFY(engine->get(keyOf(0)).ok());
        }
        auto engine = openFiles(config);
        QVERIFY(engine->set(keyOf(3), recordOf("k", payloadOf(3))).ok());
        QVERIFY(engine->get(keyOf(0)).ok());
        QVERIFY(engine->get(keyOf(1)).status().isNotFound());
        QVERIFY(engine->get(keyOf(2)).ok());
    }

    void policyNoneRefusesWhenFull() {
        TempDir dir;
        auto config = filesConfig(dir.path() / "c");
        config.maxsize = 2;
        config.policy = Policy::kNone;
        auto engine = openFiles(config);
        QVERIFY(engine->set(keyOf(0), recordOf("k", "a")).ok());
        QVERIFY(engine->set(keyOf(1), recordOf("k", "b")).ok());
        QCOMPARE(engine->set(keyOf(2), recordOf("k", "c")).code(), StatusCode::kBusy);
        QVERIFY(engine->set(keyOf(1), recordOf("k", "b2")).ok());  // replacing is fine
        QCOMPARE(*engine->size(), std::uint64_t(2));
    }

    void compressionShrinksFiles() {
        TempDir dir;
        auto config = filesConfig(dir.path() / "c");
        config.compress = true;
        auto engine = openFiles(config);
        const std::string payload(100'000, 'z');
        QVERIFY(engine->set(keyOf(1), recordOf("k", payload)).ok());
        const std::string bytes = readFile(entryFile(config.folder, keyOf(1)));
        QVERIFY(bytes.size() < 1000);
        auto header = detail::parseEnvelopeHeader(bytes);
        QVERIFY(header.ok());
        QVERIFY(header->compressed());
        QCOMPARE(engine->get(keyOf(1))->payload, payload);
    }

    void scanPages_data() {
        QTest::addColumn<int>("count");
        QTest::addColumn<int>("limit");
        QTest::newRow("empty") << 0 << 5;
        QTest::newRow("one page") << 4 << 10;
        QTest::newRow("exact pages") << 21 << 7;
        QTest::newRow("ragged pages") << 25 << 7;
        QTest::newRow("page of one") << 9 << 1;
    }
    void scanPages() {
        QFETCH(int, count);
        QFETCH(int, limit);
        TempDir dir;
        auto clock = std::make_shared<ManualClock>();
        auto engine = openFiles(filesConfig(dir.path() / "c", clock));
        std::set<Key> written;
        for (int i = 0; i < count; ++i) {
            const std::string text = "f(" + std::to_string(i) + ")";
            QVERIFY(engine->set(keyOf(i), recordOf(text, payloadOf(i))).ok());
            written.insert(keyOf(i));
        }
        std::vector<Key> seen;
        std::string cursor;
        int pages = 0;
        do {
            auto page = engine->scan(cursor, std::size_t(limit));
            QVERIFY2(page.ok(), page.status().toString().c_str());
            QVERIFY(page->entries.size() <= std::size_t(limit));
            for (const EntryInfo& e : page->entries) {
                seen.push_back(e.key);
                const int i = [&] {
                    for (int k = 0; k < count; ++k)
                        if (keyOf(k) == e.key) return k;
                    return -1;
                }();
                QVERIFY(i >= 0);
                QCOMPARE(e.key_text, "f(" + std::to_string(i) + ")");
                QCOMPARE(e.size, std::uint64_t(payloadOf(i).size()));
                QCOMPARE(e.created_ms, clock->nowMs());
                QCOMPARE(e.accessed_ms, clock->nowMs());
            }
            cursor = page->cursor;
            QVERIFY(++pages <= count + 2);
        } while (!cursor.empty());
        QVERIFY(std::is_sorted(seen.begin(), seen.end()));
        QCOMPARE(std::set<Key>(seen.begin(), seen.end()), written);
        QCOMPARE(seen.size(), written.size());
        QCOMPARE(engine->scan("nonsense", 3).status().code(), StatusCode::kInvalidArgument);
    }

    void statsPersistAcrossReopen() {
        TempDir dir;
        auto config = filesConfig(dir.path() / "c");
        {
            auto engine = openFiles(config);
            QVERIFY(engine->set(keyOf(1), recordOf("k", "v")).ok());
            for (int i = 0; i < 3; ++i) QVERIFY(engine->get(keyOf(1)).ok());
            for (int i = 0; i < 2; ++i) QVERIFY(!engine->get(keyOf(2)).ok());
        }
        QVERIFY(fs::exists(config.folder / "stats.json"));
        auto engine = openFiles(config);
        Stats s = engine->stats();
        QCOMPARE(s.hits, std::uint64_t(3));
        QCOMPARE(s.misses, std::uint64_t(2));
        QCOMPARE(s.entries, std::uint64_t(1));
        QVERIFY(s.bytes > 1);

        // Two engines on one folder add up their counts rather than overwrite them.
        auto other = openFiles(config);
        QVERIFY(engine->get(keyOf(1)).ok());
        QVERIFY(other->get(keyOf(1)).ok());
        QVERIFY(other->get(keyOf(1)).ok());
        QVERIFY(engine->flush().ok());
        QVERIFY(other->flush().ok());
        QCOMPARE(engine->stats().hits, std::uint64_t(6));
        QCOMPARE(other->stats().hits, std::uint64_t(6));
    }

    void clearLeavesForeignFilesAlone() {
        TempDir dir;
        auto config = filesConfig(dir.path() / "c");
        auto engine = openFiles(config);
        for (int i = 0; i < 30; ++i) QVERIFY(engine->set(keyOf(i), recordOf("k", "v")).ok());
        const fs::path sample = entryFile(config.folder, keyOf(0));
        const fs::path foreign1 = config.folder / "entries" / "notes.txt";
        const fs::path foreign2 = sample.parent_path() / "readme.txt";
        const fs::path foreign3 = config.folder / "entries" / "zz" / "x.twc";
        fs::create_directories(foreign3.parent_path());
        for (const fs::path& p : {foreign1, foreign2, foreign3}) std::ofstream(p) << "mine";
        QVERIFY(engine->clear().ok());
        QCOMPARE(*engine->size(), std::uint64_t(0));
        for (int i = 0; i < 30; ++i) QVERIFY(!fs::exists(entryFile(config.folder, keyOf(i))));
        for (const fs::path& p : {foreign1, foreign2, foreign3}) QVERIFY(fs::exists(p));
        QVERIFY(fs::exists(config.folder / "twat_cache.json"));
        QVERIFY(engine->set(keyOf(1), recordOf("k", "again")).ok());
        QCOMPARE(engine->get(keyOf(1))->payload, std::string("again"));
    }

    void manifestDescribesTheCache() {
        TempDir dir;
        auto config = filesConfig(dir.path() / "c");
        config.maxsize = 12;
        QVERIFY(openFiles(config));
        QFile file(QString::fromStdString((config.folder / "twat_cache.json").string()));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject doc = QJsonDocument::fromJson(file.readAll()).object();
        QCOMPARE(doc.value("format").toString(), QString("twat_cache"));
        QCOMPARE(doc.value("format_version").toInt(), 1);
        QCOMPARE(doc.value("engine").toString(), QString("files"));
        QCOMPARE(doc.value("name").toString(), QString("files_test"));
        QVERIFY(doc.value("created").toString().endsWith("Z"));  // ISO 8601 UTC
        QCOMPARE(doc.value("options").toObject().value("maxsize").toInt(), 12);
        // Reopening an existing cache works and keeps its entries.
        auto engine = openFiles(config);
        QVERIFY(engine->set(keyOf(1), recordOf("k", "v")).ok());
        engine.reset();
        QCOMPARE(openFiles(config)->get(keyOf(1))->payload, std::string("v"));
    }

    void secureModes() {
        TempDir dir;
        auto config = filesConfig(dir.path() / "c");
        config.secure = true;
        auto engine = openFiles(config);
        QVERIFY(engine->set(keyOf(1), recordOf("k", "v")).ok());
        QVERIFY(engine->flush().ok());
        auto mode = [](const fs::path& p) {
            struct stat st {};
            ::stat(p.c_str(), &st);
            return st.st_mode & 0777;
        };
        const fs::path file = entryFile(config.folder, keyOf(1));
        QCOMPARE(mode(config.folder), mode_t(0700));
        QCOMPARE(mode(file.parent_path()), mode_t(0700));
        QCOMPARE(mode(file), mode_t(0600));
        QCOMPARE(mode(config.folder / "twat_cache.json"), mode_t(0600));
    }
};

QTEST_GUILESS_MAIN(TestFilesEngine)
#include "test_files_engine.moc"
