#include "diskcache_fixture.h"

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "test_support.h"

namespace twat_cache::bench {
namespace {

namespace fs = std::filesystem;

// Bumped whenever the rows or the stamp change, so that old caches are remade.
constexpr int kFixtureVersion = 2;
constexpr double kTenYears = 10.0 * 365 * 86400;

int valueSize(long long i) {
    return 8 + static_cast<int>(i % 57);
}

std::string valueBytes(long long i) {
    std::string v(static_cast<size_t>(valueSize(i)), '\0');
    for (size_t j = 0; j < v.size(); ++j) {
        v[j] = static_cast<char>(
            static_cast<unsigned char>((i * 31 + static_cast<long long>(j) * 7) & 255));
    }
    return v;
}

std::string stampFor(const fs::path& db, long long n) {
    std::error_code ec;
    const auto bytes = fs::file_size(db, ec);
    std::ostringstream s;
    s << "twat-cache bench diskcache fixture v" << kFixtureVersion << " rows=" << n
      << " bytes=" << (ec ? 0 : bytes) << "\n";
    return s.str();
}

std::string readFile(const fs::path& p) {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Runs `sql` on `db`; on failure, fills `error` with the statement and sqlite's message.
bool exec(sqlite3* db, const std::string& sql, std::string& error) {
    char* msg = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg) == SQLITE_OK) return true;
    error = sql + ": " + (msg != nullptr ? msg : "error");
    sqlite3_free(msg);
    return false;
}

// The Cache table's indexes and triggers, as diskcache wrote them.
bool schemaExtras(sqlite3* db, std::vector<std::pair<std::string, std::string>>& out,
                  std::string& error) {
    sqlite3_stmt* st = nullptr;
    const char* sql =
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'Cache' AND sql IS NOT NULL "
        "AND type IN ('index', 'trigger')";
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) {
        error = sqlite3_errmsg(db);
        return false;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        const std::string type = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        const std::string name = reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
        const std::string create = reinterpret_cast<const char*>(sqlite3_column_text(st, 2));
        out.emplace_back("DROP " + type + " \"" + name + "\"", create);
    }
    sqlite3_finalize(st);
    return true;
}

bool bulkInsert(const fs::path& dbPath, long long n, std::string& error) {
    sqlite3* db = nullptr;
    if (sqlite3_open(dbPath.string().c_str(), &db) != SQLITE_OK) {
        error = "cannot open " + dbPath.string();
        sqlite3_close(db);
        return false;
    }
    std::vector<std::pair<std::string, std::string>> extras;
    bool ok = exec(db,
                   "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;"
                   "PRAGMA cache_size=-131072; PRAGMA threads=2",
                   error) &&
              schemaExtras(db, extras, error);
    // Without the triggers each row would also update two Settings rows; without the
    // indexes the insert only appends to the table's b-tree.
    for (size_t k = 0; ok && k < extras.size(); ++k) ok = exec(db, extras[k].first, error);
    ok = ok && exec(db, "BEGIN", error);
    sqlite3_stmt* st = nullptr;
    if (ok && sqlite3_prepare_v2(db,
                                 "INSERT INTO Cache(rowid, key, raw, store_time, expire_time, "
                                 "access_time, access_count, tag, size, mode, filename, value) "
                                 "VALUES (?, ?, 1, ?, ?, ?, 0, NULL, ?, 1, NULL, ?)",
                                 -1, &st, nullptr) != SQLITE_OK) {
        error = sqlite3_errmsg(db);
        ok = false;
    }
    const double base = static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
    long long totalSize = 0;
    char key[32];
    for (long long i = 0; ok && i < n; ++i) {
        const int keyLen = std::snprintf(key, sizeof key, "key-%010lld", i);
        const std::string value = valueBytes(i);
        const double stored = base + static_cast<double>(i) * 0.001;
        sqlite3_bind_int64(st, 1, i + 1);
        sqlite3_bind_text(st, 2, key, keyLen, SQLITE_STATIC);
        sqlite3_bind_double(st, 3, stored);
        if (i % 10 == 0) {
            sqlite3_bind_double(st, 4, base + kTenYears);
        } else {
            sqlite3_bind_null(st, 4);
        }
        sqlite3_bind_double(st, 5, stored);
        sqlite3_bind_int(st, 6, valueSize(i));
        sqlite3_bind_blob(st, 7, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
            error = std::string("insert: ") + sqlite3_errmsg(db);
            ok = false;
        }
        sqlite3_reset(st);
        totalSize += valueSize(i);
    }
    sqlite3_finalize(st);
    for (size_t k = 0; ok && k < extras.size(); ++k) ok = exec(db, extras[k].second, error);
    ok = ok &&
         exec(db,
              "UPDATE Settings SET value = " + std::to_string(n) + " WHERE key = 'count';" +
                  "UPDATE Settings SET value = " + std::to_string(totalSize) +
                  " WHERE key = 'size'; COMMIT",
              error) &&
         exec(db, "PRAGMA locking_mode=NORMAL; PRAGMA journal_mode=WAL", error);
    sqlite3_close(db);
    return ok;
}

// python-diskcache opens the result, counts it and reads one random key back.
bool verify(const std::string& folder, long long n, const std::string& python, std::string& error) {
    static const char* kScript = R"(
import random, sys, diskcache
folder, n = sys.argv[1], int(sys.argv[2])
with diskcache.Cache(folder) as cache:
    assert len(cache) == n, f"len(cache) is {len(cache)}, expected {n}"
    for i in (0, n - 1, random.randrange(n)):
        want = bytes(((i * 31 + j * 7) & 255) for j in range(8 + i % 57))
        got = cache.get(f"key-{i:010d}")
        assert got == want, f"key-{i:010d} read back {got!r}, expected {want!r}"
print("ok")
)";
    const auto r =
        twat_cache::test::runProcess(python, {"-c", kScript, folder, std::to_string(n)}, 120000);
    if (r.finished && r.exitCode == 0 && r.out.rfind("ok", 0) == 0) return true;
    error = "python-diskcache check of " + folder + " failed: " + r.err;
    return false;
}

}  // namespace

std::string benchPython() {
    const char* p = std::getenv("TWAT_CACHE_TEST_PYTHON");
    if (p != nullptr && *p != '\0') return p;
    std::error_code ec;
    return fs::exists("/usr/bin/python3", ec) ? "/usr/bin/python3" : "python3";
}

DiskcacheFixture makeDiskcacheFixture(const std::string& folder, long long n, bool reuse,
                                      const std::string& python) {
    DiskcacheFixture f;
    const auto t0 = std::chrono::steady_clock::now();
    const fs::path db = fs::path(folder) / "cache.db";
    const fs::path stamp = fs::path(folder) / "bench_fixture.stamp";
    auto finish = [&] {
        f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return f;
    };
    if (reuse && fs::exists(stamp) && readFile(stamp) == stampFor(db, n)) {
        f.ok = f.reused = true;
        f.rows = n;
        return finish();
    }
    std::error_code ec;
    fs::remove_all(folder, ec);
    const auto made = twat_cache::test::runProcess(
        python,
        // A 16 GiB size limit: the 10M cache (1.8 GB by diskcache's volume()) is within it,
        // so a set through python-diskcache would not start culling it.
        {"-c", "import sys, diskcache; diskcache.Cache(sys.argv[1], size_limit=2**34).close()",
         folder},
        60000);
    if (!made.finished || made.exitCode != 0) {
        f.error = "python-diskcache could not create " + folder + ": " + made.err;
        return finish();
    }
    if (!bulkInsert(db, n, f.error) || !verify(folder, n, python, f.error)) return finish();
    std::ofstream(stamp) << stampFor(db, n);
    f.ok = true;
    f.rows = n;
    return finish();
}

}  // namespace twat_cache::bench
