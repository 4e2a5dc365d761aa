// The files engine under damage and hostile conditions: damaged entry files, folders that
// are not ours, no write permission, a full disk and symlinks pointing out of the cache.
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QtTest>
#include <fstream>
#include <functional>

#include "files_test_support.h"
#include "format/envelope.h"
#include "test_support.h"
#include "twat_cache/engine.h"

using namespace twat_cache;
using namespace twat_cache::test;
namespace fs = std::filesystem;

namespace {

Record recordOf(std::string_view payload) {
    Record r;
    r.key_text = "k";
    r.type_tag = 1;
    r.payload = payload;
    return r;
}

std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeFile(const fs::path& path, std::string_view bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Runs `body` in a forked child and returns its exit code (-1 if it did not finish within
// 30 s or died from a signal).
int runInChild(const std::function<int()>& body) {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(body());
    if (pid < 0) return -1;
    for (int i = 0; i < 3000; ++i) {
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

void writeManifest(const fs::path& folder, const std::string& json) {
    fs::create_directories(folder);
    writeFile(folder / "twat_cache.json", json);
}

}  // namespace

class TestFilesRobustness : public QObject {
    Q_OBJECT
  private slots:
    void damagedEntryIsMissErrorAndRemoved_data() {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<bool>("compress");
        for (const char* d :
             {"truncated half", "truncated by one", "empty", "garbage", "flipped payload byte",
              "flipped checksum", "bad magic", "future version", "unknown flag", "appended byte",
              "length lies with valid checksum"}) {
            QTest::newRow(d) << QString(d) << false;
            QTest::newRow((std::string(d) + " zstd").c_str()) << QString(d) << true;
        }
    }
    void damagedEntryIsMissErrorAndRemoved() {
        QFETCH(QString, damage);
        QFETCH(bool, compress);
        TempDir dir;
        auto config = filesConfig(dir.path() / "c");
        config.compress = compress;
        auto engine = openFiles(config);
        QVERIFY(engine);
        const std::string payload = payloadOf(5, 2000) + std::string(3000, 'q');
        QVERIFY(engine->set(keyOf(1), recordOf(payload)).ok());
        const fs::path file = entryFile(config.folder, keyOf(1));
        std::string bytes = readFile(file);
        auto header = detail::parseEnvelopeHeader(bytes);
        QVERIFY(header.ok());
        QCOMPARE(header->compressed(), compress);
        const std::string d = damage.toStdString();
        if (d == "truncated half")
            bytes.resize(bytes.size() / 2);
        else if (d == "truncated by one")
            bytes.pop_back();
        else if (d == "empty")
            bytes.clear();
        else if (d == "garbage") {
            for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = char((i * 2654435761u) >> 13);
        } else if (d == "flipped payload byte")
            bytes[header->payload_offset + 3] ^= 0x10;
        else if (d == "flipped checksum")
            bytes.back() ^= 0x01;
        else if (d == "bad magic")
            bytes[0] = 'X';
        else if (d == "future version")
            bytes[4] = 9;
        else if (d == "unknown flag")
            bytes[5] |= 0x40;
        else if (d == "appended byte")
            bytes.push_back('!');
        else if (d == "length lies with valid checksum") {
            // Re-encode with a shorter payload but patch the length field back, and give it
            // a correct checksum: the length check alone must catch it.
            std::string shorter;
            const detail::EnvelopeFields f{"k", 1, 0, 0};
            QVERIFY(detail::encodeEnvelope(shorter, f, "abc", false).ok());
            auto h = detail::parseEnvelopeHeader(shorter);
            shorter[h->payload_offset - 8] = 4;  // claims 4 bytes, holds 3
            bytes = shorter;
        }
        writeFile(file, bytes);

        auto got = engine->get(keyOf(1));
        QVERIFY(!got.ok());
        QCOMPARE(got.status().code(), StatusCode::kCorruption);
        QVERIFY2(got.status().message().find(file.string()) != std::string::npos,
                 got.status().message().c_str());
        QVERIFY(!fs::exists(file));
        const Stats s = engine->stats();
        QCOMPARE(s.errors, std::uint64_t(1));
        QCOMPARE(s.misses, std::uint64_t(1));
        QCOMPARE(s.hits, std::uint64_t(0));
        // The cache keeps working afterwards.
        QVERIFY(engine->set(keyOf(1), recordOf(payload)).ok());
        QCOMPARE(engine->get(keyOf(1))->payload, payload);
    }

    void foreignFolderIsRefused() {
        TempDir dir;
        const fs::path folder = dir.path() / "photos";
        fs::create_directories(folder);
        writeFile(folder / "holiday.jpg", "not a cache");
        auto engine = openEngine(EngineKind::kFiles, filesConfig(folder));
        QVERIFY(!engine.ok());
        QCOMPARE(engine.status().code(), StatusCode::kInvalidArgument);
        QVERIFY(engine.status().message().find(folder.string()) != std::string::npos);
        // Nothing was written into it.
        QCOMPARE(std::distance(fs::directory_iterator(folder), fs::directory_iterator()), 1L);
    }

    void badManifestIsRefused_data() {
        QTest::addColumn<QString>("manifest");
        QTest::addColumn<int>("code");
        QTest::newRow("other engine")
            << R"({"format":"twat_cache","format_version":1,"engine":"sqlite","name":"x"})"
            << int(StatusCode::kInvalidArgument);
        QTest::newRow("newer format")
            << R"({"format":"twat_cache","format_version":2,"engine":"files","name":"x"})"
            << int(StatusCode::kNotSupported);
        QTest::newRow("not json") << "{{{" << int(StatusCode::kCorruption);
        QTest::newRow("someone else's json")
            << R"({"format":"diskcache","engine":"files"})" << int(StatusCode::kCorruption);
    }
    void badManifestIsRefused() {
        QFETCH(QString, manifest);
        QFETCH(int, code);
        TempDir dir;
        const fs::path folder = dir.path() / "c";
        writeManifest(folder, manifest.toStdString());
        auto engine = openEngine(EngineKind::kFiles, filesConfig(folder));
        QVERIFY(!engine.ok());
        QCOMPARE(int(engine.status().code()), code);
        QVERIFY(!fs::exists(folder / "entries"));
        QCOMPARE(readFile(folder / "twat_cache.json"), manifest.toStdString());
    }

    void readOnlyFolderIsPermissionDenied_data() {
        QTest::addColumn<bool>("existing");
        QTest::newRow("existing cache") << true;
        QTest::newRow("new cache under a read-only parent") << false;
    }
    void readOnlyFolderIsPermissionDenied() {
        QFETCH(bool, existing);
        TempDir dir;
        const fs::path parent = dir.path() / "ro";
        const fs::path folder = parent / "c";
        fs::create_directories(parent);
        if (existing) QVERIFY(openFiles(filesConfig(folder)));
        const bool root = ::geteuid() == 0;
        // Root ignores permission bits, so the attempt runs as "nobody" in a child.
        ::chmod(dir.path().c_str(), 0755);
        ::chmod(parent.c_str(), root ? 0755 : 0555);
        if (existing) ::chmod(folder.c_str(), root ? 0755 : 0555);
        const int code = runInChild([&] {
            if (root && (::setgid(65534) != 0 || ::setuid(65534) != 0)) return 10;
            auto engine = openEngine(EngineKind::kFiles, filesConfig(folder));
            if (engine.ok()) return 11;
            if (engine.status().code() != StatusCode::kPermissionDenied) return 12;
            return 0;
        });
        ::chmod(parent.c_str(), 0755);
        if (existing) ::chmod(folder.c_str(), 0755);
        QCOMPARE(code, 0);
    }

    // RLIMIT_FSIZE makes a write past the limit fail with EFBIG (SIGXFSZ ignored): a full
    // disk as far as the engine can tell.
    void fullDiskIsIOError() {
        TempDir dir;
        auto config = filesConfig(dir.path() / "c");
        QVERIFY(openFiles(config));
        const int code = runInChild([&] {
            ::signal(SIGXFSZ, SIG_IGN);
            const rlimit limit{16'384, 16'384};
            if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return 10;
            auto engine = openFiles(config);
            if (!engine) return 11;
            if (!engine->set(keyOf(1), recordOf("small")).ok()) return 12;
            const std::string big = payloadOf(2, 100'000);
            const Status s = engine->set(keyOf(2), recordOf(big));
            if (s.code() != StatusCode::kIOError) return 13;
            if (s.message().find("no space") == std::string::npos) return 14;
            auto small = engine->get(keyOf(1));
            if (!small.ok() || small->payload != "small") return 15;
            if (!engine->get(keyOf(2)).status().isNotFound()) return 16;
            // The failed write left no temporary file behind.
            const fs::path leaf = entryFile(config.folder, keyOf(2)).parent_path();
            if (fs::exists(leaf) && !fs::is_empty(leaf)) return 17;
            return 0;
        });
        QCOMPARE(code, 0);
        auto engine = openFiles(config);
        QCOMPARE(engine->get(keyOf(1))->payload, std::string("small"));
        QVERIFY(engine->stats().errors >= 1);
    }

    void symlinksAreNeverFollowed() {
        TempDir dir;
        auto config = filesConfig(dir.path() / "c");
        auto engine = openFiles(config);
        QVERIFY(engine->set(keyOf(1), recordOf("one")).ok());
        const fs::path outside = dir.path() / "outside";
        fs::create_directories(outside / "xy");
        const fs::path victim = outside / "victim.txt";
        const std::string hexName = keyOf(9).toHex() + ".twc";
        const fs::path victimEntry = outside / "xy" / hexName;
        writeFile(victim, "precious");
        writeFile(victimEntry, "precious too");

        // An entry file that is a symlink to a file outside.
        const fs::path linkEntry = entryFile(config.folder, keyOf(2));
        fs::create_directories(linkEntry.parent_path());
        fs::create_symlink(victim, linkEntry);
        QVERIFY(!engine->get(keyOf(2)).ok());
        QCOMPARE(*engine->contains(keyOf(2)), false);
        // Fan-out folders that are symlinks to folders outside, at both levels.
        const std::string first = keyOf(1).toHex().substr(0, 2);
        const std::string other = first == "ee" ? "ef" : "ee";
        fs::create_symlink(outside, config.folder / "entries" / other);
        const fs::path level2 = config.folder / "entries" / first / (other == "ee" ? "ee" : "ef");
        if (!fs::exists(level2)) fs::create_symlink(outside / "xy", level2);

        auto page = engine->scan("", 100);
        QVERIFY(page.ok());
        QCOMPARE(page->entries.size(), std::size_t(1));
        QCOMPARE(page->entries[0].key, keyOf(1));
        QVERIFY(engine->clear().ok());
        QCOMPARE(readFile(victim), std::string("precious"));
        QCOMPARE(readFile(victimEntry), std::string("precious too"));
        QVERIFY(!engine->get(keyOf(1)).ok());
        QVERIFY(engine->erase(keyOf(2)).ok());
        QCOMPARE(readFile(victim), std::string("precious"));
    }
};

QTEST_GUILESS_MAIN(TestFilesRobustness)
#include "test_files_robustness.moc"
