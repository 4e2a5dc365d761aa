// Memoization over the persistent engines (bcache = sqlite, fcache = files): values survive
// a restart (this very binary is run again as a child process), a changed result type is a
// miss, and damaged, read-only or full storage never changes a returned value. Also the
// error counting rule of stats.h: one failure adds exactly 1 to stats().errors.
//
// The binary has its own main(): run as `test_persistent_memoize --memoize-child <engine>
// <root> <first> <last>` it memoizes square() over [first, last] and prints how many times
// the function ran.
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <QtTest>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "sqlite_test_util.h"  // runInChild
#include "test_support.h"
#include "twat_cache/memoize.h"
#include "twat_cache/ucache.h"

using namespace twat_cache;
using twat_cache::test::runInChild;
using twat_cache::test::TempDir;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kChildFlag = "--memoize-child";

std::atomic<int> g_calls{0};

// The memoized functions count their calls, so a hit is visible.
std::string square(int x) {
    ++g_calls;
    return "sq" + std::to_string(x * x);
}
// Large enough for the sqlite engine to spill it to a value file (threshold 64 KiB).
std::string big(int x) {
    ++g_calls;
    std::string s(100'000, '\0');
    for (std::size_t i = 0; i < s.size(); ++i) {
        s[i] = static_cast<char>((static_cast<std::size_t>(x) * 31 + i * 7) & 0xff);
    }
    return s;
}

// Explicit values for every field the environment could otherwise set.
CacheConfig configFor(const fs::path& root, std::string name = "persist") {
    return CacheConfig{.name = std::move(name),
                       .maxsize = 0,
                       .max_bytes = 0,
                       .ttl = std::chrono::milliseconds(0),
                       .policy = Policy::kLru,
                       .compress = false,
                       .cache_dir = root};
}

EngineKind kindNamed(std::string_view name) {
    return parseEngineKind(name).value();
}

// One failure in one known place; see singleFailureCountsOnce.
enum class Fault { kDamagedEntry, kUndecodableValue, kRefusedStore };

// Runs square() over [first, last] as another process would; returns "calls=N" or an error.
int childMain(int argc, char** argv) {
    if (argc != 6) return 2;
    auto f = memoizeWith(kindNamed(argv[2]), configFor(argv[3]), square);
    if (!f.ok()) {
        std::cout << "open failed: " << f.status().toString() << "\n";
        return 3;
    }
    const int first = std::atoi(argv[4]);
    const int last = std::atoi(argv[5]);
    for (int x = first; x <= last; ++x) {
        if ((*f)(x) != "sq" + std::to_string(x * x)) {
            std::cout << "wrong value for " << x << "\n";
            return 4;
        }
    }
    std::cout << "calls=" << g_calls.load() << "\n";
    return 0;
}

std::string runChild(std::string_view engine, const fs::path& root, int first, int last) {
    const auto r =
        twat_cache::test::runProcess(QCoreApplication::applicationFilePath().toStdString(),
                                     {std::string(kChildFlag), std::string(engine), root.string(),
                                      std::to_string(first), std::to_string(last)},
                                     60'000);
    if (!r.finished) return "child did not finish";
    if (r.exitCode != 0) return "child failed (" + std::to_string(r.exitCode) + "): " + r.out;
    return r.out.substr(0, r.out.find('\n'));
}

// The files engine's entry file of a key.
fs::path entryFile(const fs::path& folder, const Key& key) {
    const std::string hex = key.toHex();
    return folder / "entries" / hex.substr(0, 2) / hex.substr(2, 2) / (hex + ".twc");
}

// The only file under `folder` whose name ends with `suffix`.
std::optional<fs::path> onlyFileEndingWith(const fs::path& folder, std::string_view suffix) {
    std::optional<fs::path> found;
    for (const auto& e : fs::recursive_directory_iterator(folder)) {
        const std::string name = e.path().filename().string();
        if (!e.is_regular_file() || name.size() < suffix.size() ||
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
            continue;
        }
        if (found) return std::nullopt;
        found = e.path();
    }
    return found;
}

void writeBytes(const fs::path& path, std::string_view bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

bool dropRoot() {
    if (::geteuid() != 0) return true;
    return ::setgid(65534) == 0 && ::setuid(65534) == 0;
}

void addPersistentRows() {
    QTest::addColumn<QString>("engine");
    QTest::newRow("sqlite") << "sqlite";
    QTest::newRow("files") << "files";
}

}  // namespace

class TestPersistentMemoize : public QObject {
    Q_OBJECT
  private slots:
    void valuesSurviveRestart_data() { addPersistentRows(); }
    void valuesSurviveRestart() {
        QFETCH(QString, engine);
        const std::string kind = engine.toStdString();
        TempDir dir;
        {
            auto f = memoizeWith(kindNamed(kind), configFor(dir.path()), square);
            QVERIFY2(f.ok(), f.status().toString().c_str());
            g_calls = 0;
            for (int x = 1; x <= 5; ++x) QCOMPARE((*f)(x), "sq" + std::to_string(x * x));
            QCOMPARE(g_calls.load(), 5);
        }
        {
            // Reopened in this process: every value comes from disk.
            auto f = kind == "sqlite" ? bcache(configFor(dir.path()), square)
                                      : fcache(configFor(dir.path()), square);
            QVERIFY(f.ok());
            g_calls = 0;
            for (int x = 1; x <= 5; ++x) QCOMPARE((*f)(x), "sq" + std::to_string(x * x));
            QCOMPARE(g_calls.load(), 0);
            QCOMPARE(f->stats().hits, 5u);
        }
        // A fresh process reads them too, and what it stores is read back here.
        QCOMPARE(runChild(kind, dir.path(), 1, 5), std::string("calls=0"));
        QCOMPARE(runChild(kind, dir.path(), 4, 8), std::string("calls=3"));
        auto f = memoizeWith(kindNamed(kind), configFor(dir.path()), square);
        QVERIFY(f.ok());
        g_calls = 0;
        for (int x = 6; x <= 8; ++x) QCOMPARE((*f)(x), "sq" + std::to_string(x * x));
        QCOMPARE(g_calls.load(), 0);
    }

    // Same cache name, another result type: the stored bytes are a miss, never a value.
    void changedResultTypeIsAMiss_data() { addPersistentRows(); }
    void changedResultTypeIsAMiss() {
        QFETCH(QString, engine);
        const EngineKind kind = kindNamed(engine.toStdString());
        TempDir dir;
        int calls = 0;
        {
            auto asInt = memoizeWith(kind, configFor(dir.path(), "typed"), [&calls](int x) {
                ++calls;
                return std::int64_t{x} * 2;
            });
            QVERIFY(asInt.ok());
            QCOMPARE((*asInt)(21), std::int64_t{42});
        }
        {
            // A double has the same 8 bytes on disk: only the type tag tells them apart.
            auto asDouble = memoizeWith(kind, configFor(dir.path(), "typed"), [&calls](int x) {
                ++calls;
                return x * 0.5;
            });
            QVERIFY(asDouble.ok());
            QCOMPARE((*asDouble)(21), 10.5);
            QCOMPARE(calls, 2);
            QCOMPARE((*asDouble)(21), 10.5);  // now stored as a double
            QCOMPARE(calls, 2);
            const Stats s = asDouble->stats();
            QCOMPARE(s.errors, 0u);  // a foreign type is not an error
            QCOMPARE(s.hits, 1u);
        }
        auto asString = memoizeWith(kind, configFor(dir.path(), "typed"), [&calls](int x) {
            ++calls;
            return std::to_string(x);
        });
        QVERIFY(asString.ok());
        QCOMPARE((*asString)(21), std::string("21"));
        QCOMPARE(calls, 3);
    }

    // The rule of stats.h: one failure, detected once, counted once, by whoever detected it
    // (the engine for storage failures, the memoize layer for an undecodable value).
    void singleFailureCountsOnce_data() {
        QTest::addColumn<QString>("engine");
        QTest::addColumn<int>("fault");
        for (const char* e : {"memory", "sqlite", "files"}) {
            const std::string n = e;
            if (n != "memory") {
                QTest::newRow((n + " damaged entry").c_str()) << e << int(Fault::kDamagedEntry);
            }
            QTest::newRow((n + " undecodable value").c_str()) << e << int(Fault::kUndecodableValue);
            QTest::newRow((n + " refused store").c_str()) << e << int(Fault::kRefusedStore);
        }
    }
    void singleFailureCountsOnce() {
        QFETCH(QString, engine);
        QFETCH(int, fault);
        const std::string kind = engine.toStdString();
        TempDir dir;
        CacheConfig config = configFor(dir.path(), "once");
        if (Fault(fault) == Fault::kRefusedStore) {
            config.maxsize = 1;
            config.policy = Policy::kNone;
        }
        auto f = memoizeWith(kindNamed(kind), config, big);
        QVERIFY2(f.ok(), f.status().toString().c_str());
        g_calls = 0;
        QCOMPARE((*f)(1), big(1));
        const Key key = makeKey("once", 1);
        const fs::path folder = dir.path() / "once";
        switch (Fault(fault)) {
            case Fault::kDamagedEntry:
                if (kind == "files") {
                    writeBytes(entryFile(folder, key), "garbage, not an envelope");
                } else {
                    // The spilled value file loses its tail: a size mismatch on read.
                    auto val = onlyFileEndingWith(folder, ".val");
                    QVERIFY(val);
                    fs::resize_file(*val, 1000);
                }
                break;
            case Fault::kUndecodableValue: {
                // Our type tag, but bytes that the string Codec refuses (a length past the end).
                Record r;
                r.key_text = "once(1)";
                r.type_tag = typeTag<std::string>();
                r.payload = "\xff\xff\xff\xff\x0f";
                QVERIFY(f->engine().set(key, r).ok());
                break;
            }
            case Fault::kRefusedStore:
                break;
        }
        QVERIFY(f->engine().flush().ok());
        const Stats before = f->stats();
        g_calls = 0;
        const int arg = Fault(fault) == Fault::kRefusedStore ? 2 : 1;
        QVERIFY((*f)(arg) == big(arg));  // computed, correct
        QCOMPARE(g_calls.load(), 2);     // once by the wrapper, once by the check above
        QVERIFY(f->engine().flush().ok());
        const Stats after = f->stats();
        QCOMPARE(after.errors, before.errors + 1);
        if (Fault(fault) != Fault::kRefusedStore) {
            // The bad entry was replaced by a good one: the next call is a clean hit.
            g_calls = 0;
            QVERIFY((*f)(1) == big(1));
            QCOMPARE(g_calls.load(), 1);
            QCOMPARE(f->stats().errors, after.errors);
        }
    }

    void corruptDatabaseIsAClearErrorAndUcacheStillAnswers() {
        TempDir dir;
        {
            auto f = bcache(configFor(dir.path()), square);
            QVERIFY(f.ok());
            QCOMPARE((*f)(3), std::string("sq9"));
        }
        const fs::path folder = dir.path() / "persist";
        writeBytes(folder / "cache.db", std::string(8192, '\x5a'));
        fs::remove(folder / "cache.db-wal");
        fs::remove(folder / "cache.db-shm");
        auto f = bcache(configFor(dir.path()), square);
        QVERIFY(!f.ok());
        QCOMPARE(f.status().code(), StatusCode::kCorruption);
        QVERIFY2(f.status().message().find("cache.db") != std::string::npos,
                 f.status().toString().c_str());
        CacheConfig config = configFor(dir.path());
        config.preferred_engine = EngineKind::kSqlite;
        auto u = ucache(config, square);
        QVERIFY2(u.ok(), u.status().toString().c_str());
        QVERIFY(u->engine().kind() != "sqlite");
        g_calls = 0;
        QCOMPARE((*u)(3), std::string("sq9"));
        QCOMPARE((*u)(3), std::string("sq9"));
        QCOMPARE(g_calls.load(), 1);
    }

    // Root ignores permission bits, so the read-only cases run as `nobody` in a child.
    void readOnlyFolder_data() { addPersistentRows(); }
    void readOnlyFolder() {
        QFETCH(QString, engine);
        const std::string kind = engine.toStdString();
        TempDir dir;
        {
            auto f = memoizeWith(kindNamed(kind), configFor(dir.path()), square);
            QVERIFY(f.ok());
            QCOMPARE((*f)(2), std::string("sq4"));
        }
        ::chmod(dir.path().c_str(), 0755);
        const auto out = runInChild([&]() -> std::string {
            if (!dropRoot()) return "skip";
            // A cache this process may not write: a clear error naming the folder...
            auto f = memoizeWith(kindNamed(kind), configFor(dir.path()), square);
            if (f.ok()) return "opened a read-only cache";
            std::string result = std::to_string(int(f.status().code())) + " ";
            if (f.status().message().find("persist") == std::string::npos) {
                return "error does not name the folder: " + f.status().toString();
            }
            // ... and ucache computes correct values regardless.
            CacheConfig config = configFor(dir.path());
            config.preferred_engine = kindNamed(kind);
            auto u = ucache(config, square);
            if (!u.ok()) return "ucache: " + u.status().toString();
            if ((*u)(2) != "sq4" || (*u)(5) != "sq25") return "wrong value";
            return result + "ok";
        });
        QVERIFY(out.exited);
        if (out.out == "skip") QSKIP("cannot drop root privileges");
        QCOMPARE(out.out, std::to_string(int(StatusCode::kPermissionDenied)) + std::string(" ok"));
    }

    // The files engine writes each entry anew: a folder that turns read-only under an open
    // cache fails stores (counted once each), while reads go on.
    void folderTurnsReadOnlyUnderAnOpenFilesCache() {
        TempDir dir;
        ::chmod(dir.path().c_str(), 0777);
        const auto out = runInChild([&]() -> std::string {
            if (!dropRoot()) return "skip";
            auto f = fcache(configFor(dir.path()), square);
            if (!f.ok()) return "open: " + f.status().toString();
            if ((*f)(1) != "sq1") return "wrong value 1";
            const fs::path entries = dir.path() / "persist" / "entries";
            std::error_code ec;
            for (const auto& e : fs::recursive_directory_iterator(entries, ec)) {
                if (e.is_directory()) ::chmod(e.path().c_str(), 0555);
            }
            ::chmod(entries.c_str(), 0555);
            const std::uint64_t before = f->stats().errors;
            g_calls = 0;
            if ((*f)(2) != "sq4" || (*f)(2) != "sq4") return "wrong value 2";
            if (g_calls != 2) return "stored into a read-only folder";
            if ((*f)(1) != "sq1" || g_calls != 2) return "lost a readable entry";
            const std::uint64_t added = f->stats().errors - before;
            for (const auto& e : fs::recursive_directory_iterator(entries, ec)) {
                if (e.is_directory()) ::chmod(e.path().c_str(), 0755);
            }
            ::chmod(entries.c_str(), 0755);
            return "errors+" + std::to_string(added);
        });
        QVERIFY(out.exited);
        if (out.out == "skip") QSKIP("cannot drop root privileges");
        QCOMPARE(out.out, std::string("errors+2"));
    }

    // RLIMIT_FSIZE in a child: a write past the limit fails with EFBIG, as on a full disk.
    void fullDisk_data() { addPersistentRows(); }
    void fullDisk() {
        QFETCH(QString, engine);
        const std::string kind = engine.toStdString();
        TempDir dir;
        {
            auto f = memoizeWith(kindNamed(kind), configFor(dir.path()), big);
            QVERIFY(f.ok());
            QVERIFY((*f)(1) == big(1));
        }
        const auto out = runInChild([&]() -> std::string {
            ::signal(SIGXFSZ, SIG_IGN);
            auto f = memoizeWith(kindNamed(kind), configFor(dir.path()), big);
            if (!f.ok()) return "open: " + f.status().toString();
            rlimit limit{};
            limit.rlim_cur = limit.rlim_max = 64 * 1024;  // below one 100 KB value
            if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return "setrlimit";
            const std::string want1 = big(1);
            const std::string want2 = big(2);
            g_calls = 0;
            if ((*f)(1) != want1) return "wrong stored value";
            if (g_calls != 0) return "stored value not read";
            if ((*f)(2) != want2 || (*f)(2) != want2) return "wrong computed value";
            if (g_calls != 2) return "a value was stored past the size limit";
            return f->stats().errors >= 1 ? "ok" : "errors not counted";
        });
        QVERIFY(out.exited);
        QCOMPARE(out.out, std::string("ok"));
    }

    void missingNameIsAClearError() {
        TempDir dir;
        CacheConfig config = configFor(dir.path(), "");
        for (auto status : {bcache(config, square).status(), fcache(config, square).status(),
                            memoizeWith(EngineKind::kSqlite, config, square).status()}) {
            QCOMPARE(status.code(), StatusCode::kInvalidArgument);
            QVERIFY2(status.message().find("needs a stable cache name") != std::string::npos,
                     status.toString().c_str());
        }
        QVERIFY(fs::is_empty(dir.path()));  // nothing was created
    }
};

int main(int argc, char** argv) {
    if (argc >= 2 && std::string_view(argv[1]) == kChildFlag) return childMain(argc, argv);
    QCoreApplication app(argc, argv);
    TestPersistentMemoize test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "test_persistent_memoize.moc"
