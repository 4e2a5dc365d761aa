// Hostile keys and names through the inspection layer and the twat-cache binary (issue 19
// items 3 and 7), on caches made by the real python-diskcache and joblib (Debian's python3):
// - keys of 20 MiB (bytes, str, pickled) are listed with a bounded key text, their real
//   length and a small JSON output;
// - names that are not valid UTF-8, or hold control characters or backslashes, get distinct
//   ids that survive JSON and the command line and reach their entries (detail, delete), and
//   paging with a small limit over them lists every one exactly once;
// - a key holding a NUL byte is shown whole;
// - a Redis key name of 2 MiB with control characters is kept bounded and stays reachable.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>
#include <filesystem>
#include <fstream>
#include <set>

#include "inspect/entry_key.h"
#include "redis_commands.h"
#include "redis_server.h"
#include "test_support.h"
#include "twat_cache/inspect.h"

using namespace twat_cache;
using namespace twat_cache::test;
using twat_cache::test::RedisServer;
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kHuge = 20u << 20;   // 20 MiB keys
constexpr std::size_t kKeyTextBound = 2048;  // what a listing may keep per key, generously

QJsonObject parseObject(const std::string& text) {
    return QJsonDocument::fromJson(QByteArray::fromStdString(text)).object();
}

bool validUtf8WithoutControls(const std::string& s) {
    const QString q = QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
    if (q.toStdString() != s) return false;  // not valid UTF-8
    return std::none_of(q.begin(), q.end(), [](QChar c) {
        return c.unicode() < 0x20 || (c.unicode() >= 0x7F && c.unicode() <= 0x9F);
    });
}

void touch(const fs::path& file) {
    std::ofstream(file, std::ios::binary) << "v";
}

}  // namespace

class TestInspectHostileKeys : public QObject {
    Q_OBJECT

    TempDir m_tmp;
    fs::path m_diskcache, m_folder, m_joblib;
    // The names of m_folder: 21 that differ only in one byte that is not UTF-8, plus odd ones.
    std::vector<std::string> m_names;

    ProcessResult cli(std::vector<std::string> args) {
        return runProcess(TWAT_CACHE_CLI, args, 60000);
    }

    std::unique_ptr<Source> open(const fs::path& dir) {
        auto info = Discovery::identify(dir);
        if (!info.ok()) return nullptr;
        auto src = Discovery::open(*info);
        return src.ok() ? std::move(*src) : nullptr;
    }

    // Every entry of `src`, `limit` at a time, through the core API.
    std::vector<EntrySummary> listAll(Source& src, std::size_t limit) {
        std::vector<EntrySummary> out;
        std::string cursor;
        for (int pages = 0; pages < 1000; ++pages) {
            auto page = src.entries(cursor, limit);
            if (!page.ok()) {
                qWarning("%s", page.status().toString().c_str());
                return {};
            }
            for (auto& e : page->entries) out.push_back(std::move(e));
            if (page->cursor.empty()) break;
            cursor = page->cursor;
        }
        return out;
    }

  private slots:
    void initTestCase() {
        QVERIFY(m_tmp.ok());
        m_diskcache = m_tmp.path() / "huge_keys";
        m_joblib = m_tmp.path() / "odd_joblib";
        auto r = runProcess(pythonInterpreter(),
                            {"-c",
                             "import sys, os, diskcache, joblib\n"
                             "n = 20 << 20\n"
                             "c = diskcache.Cache(sys.argv[1])\n"
                             "c.set(b'B' * n, 'bytes key')\n"
                             "c.set('S' * n, 'str key')\n"
                             "c.set(('tuple', 'T' * n), 'pickled key')\n"
                             "c.set('nul\\x00key', 'nul key')\n"
                             "c.set(b'nul\\x00key', 'nul bytes key')\n"
                             "c.close()\n"
                             "mem = joblib.Memory(sys.argv[2], verbose=0)\n"
                             "def f(x):\n"
                             "    return x\n"
                             "g = mem.cache(f)\n"
                             "g(1); g(2)\n",
                             m_diskcache.string(), m_joblib.string()},
                            120000);
        QVERIFY2(r.exitCode == 0, r.err.c_str());

        // Call folders of joblib are named by hashes; rename them to names that are not UTF-8
        // and differ only in that byte.
        std::vector<fs::path> calls;
        for (auto it = fs::recursive_directory_iterator(m_joblib); it != fs::end(it); ++it) {
            if (it->is_directory() && fs::exists(it->path() / "output.pkl")) {
                calls.push_back(it->path());
            }
        }
        QCOMPARE(calls.size(), std::size_t{2});
        for (std::size_t i = 0; i < calls.size(); ++i) {
            fs::rename(calls[i], calls[i].parent_path() /
                                     (std::string("call\xff") + static_cast<char>('\xf0' + i)));
        }

        m_folder = m_tmp.path() / "odd_names";
        fs::create_directories(m_folder);
        for (int i = 0; i < 21; ++i) {
            m_names.push_back(std::string("n") + static_cast<char>(0x80 + i) + ".bin");
        }
        m_names.push_back(
            "esc\x1b[2J\x07"
            "bel");                        // control characters
        m_names.push_back("back\\slash");  // the escape character itself
        m_names.push_back("back\\x41");    // looks like an escape
        m_names.push_back(
            "c1\xc2\x9b"
            "csi");  // a C1 control, valid UTF-8
        for (const auto& n : m_names) touch(m_folder / n);
    }

    // QTemporaryDir cannot remove names that are not UTF-8.
    void cleanupTestCase() {
        std::error_code ec;
        fs::remove_all(m_folder, ec);
        fs::remove_all(m_joblib, ec);
    }

    // Item 7: the id escaping is reversible for every byte sequence (all of one and two bytes,
    // and the names above), its ids are printable UTF-8, and malformed escapes are refused.
    void idEscapingRoundTrips() {
        std::vector<std::string> names = m_names;
        for (int a = 0; a < 256; ++a) {
            names.emplace_back(1, static_cast<char>(a));
            for (int b = 0; b < 256; ++b) {
                names.push_back(std::string{static_cast<char>(a), static_cast<char>(b)});
            }
        }
        std::set<std::string> ids;
        for (const auto& name : names) {
            const std::string id = detail::escapeName(name);
            QVERIFY2(validUtf8WithoutControls(id), id.c_str());
            auto back = detail::unescapeName(id);
            QVERIFY(back.ok());
            QCOMPARE(*back, name);
            ids.insert(id);
        }
        QCOMPARE(ids.size(), std::set<std::string>(names.begin(), names.end()).size());
        QCOMPARE(detail::escapeName("plain/name-1.txt"), std::string("plain/name-1.txt"));
        for (const char* bad : {"a\\", "\\x4", "\\xg0", "\\q", "\\"}) {
            QVERIFY2(!detail::unescapeName(bad).ok(), bad);
        }
    }

    // Item 3: the listing keeps a bounded prefix of each huge key and its real length.
    void hugeKeysAreBoundedInListings() {
        auto src = open(m_diskcache);
        QVERIFY(src);
        const auto entries = listAll(*src, 100);
        QCOMPARE(entries.size(), std::size_t{5});
        int huge = 0;
        for (const auto& e : entries) {
            QVERIFY2(e.key_text.size() <= kKeyTextBound, std::to_string(e.key_text.size()).c_str());
            if (e.key_bytes < kHuge) continue;
            ++huge;
            QVERIFY(e.key_truncated);
            QVERIFY2(e.key_text.find("bytes)") != std::string::npos, e.key_text.c_str());
            auto d = src->detail(e.id);
            QVERIFY(d.ok());
            QVERIFY(d->summary.key_text.size() <= kKeyTextBound);
        }
        QCOMPARE(huge, 3);
        // bytes keys stay distinguishable from str keys
        QVERIFY(std::any_of(entries.begin(), entries.end(), [](const EntrySummary& e) {
            return e.key_text.rfind("b'BBBB", 0) == 0 && e.key_bytes == kHuge;
        }));
        QVERIFY(std::any_of(entries.begin(), entries.end(), [](const EntrySummary& e) {
            return e.key_text.rfind("SSSS", 0) == 0 && e.key_bytes == kHuge;
        }));
    }

    // Item 3: `inspect --json` and the text table print a bounded key and its length.
    void hugeKeysAreBoundedInTheCli() {
        auto json = cli({"inspect", m_diskcache.string(), "--limit", "100", "--json"});
        QCOMPARE(json.exitCode, 0);
        QVERIFY2(json.out.size() < 64 * 1024, std::to_string(json.out.size()).c_str());
        const QJsonArray entries = parseObject(json.out)["entries"].toArray();
        QCOMPARE(entries.size(), 5);
        int truncated = 0;
        for (const auto& v : entries) {
            const QJsonObject e = v.toObject();
            if (!e["key_truncated"].toBool()) continue;
            ++truncated;
            QVERIFY(e["key_bytes"].toDouble() >= double(kHuge));  // a pickle: a little more
        }
        QCOMPARE(truncated, 3);
        auto text = cli({"inspect", m_diskcache.string(), "--limit", "100"});
        QCOMPARE(text.exitCode, 0);
        QVERIFY2(text.out.size() < 16 * 1024, std::to_string(text.out.size()).c_str());
        QVERIFY(text.out.find("20,971,520 bytes") != std::string::npos);
    }

    // Item 7: a key with a NUL byte is shown whole, str and bytes alike, in listing and detail.
    void nulKeysSurvive() {
        auto src = open(m_diskcache);
        QVERIFY(src);
        std::set<std::string> keys;
        for (const auto& e : listAll(*src, 2)) {
            if (e.key_text.find("nul") == std::string::npos) continue;
            keys.insert(e.key_text);
            auto d = src->detail(e.id);
            QVERIFY(d.ok());
            QCOMPARE(d->summary.key_text, e.key_text);
        }
        QCOMPARE(keys, (std::set<std::string>{std::string("nul\0key", 7), "b'nul\\x00key'"}));
        auto text = cli({"inspect", m_diskcache.string()});
        QVERIFY(text.out.find("nul\\x00key") != std::string::npos);
    }

    // Item 7: names that are not UTF-8, or hold control characters or backslashes, have
    // distinct ids, valid UTF-8 without control characters, that reach their entries.
    void oddNamesHaveDistinctReachableIds() {
        auto src = open(m_folder);
        QVERIFY(src);
        const auto entries = listAll(*src, 1000);
        QCOMPARE(entries.size(), m_names.size());
        std::set<std::string> ids;
        for (const auto& e : entries) {
            QVERIFY2(validUtf8WithoutControls(e.id), e.key_text.c_str());
            QVERIFY(ids.insert(e.id).second);
            auto d = src->detail(e.id);
            QVERIFY2(d.ok(), d.status().toString().c_str());
            QCOMPARE(d->summary.id, e.id);
            QVERIFY(fs::exists(d->value_file));
        }
        // The same through the binary: ids from --json reach their entries with --entry.
        auto json = cli({"inspect", m_folder.string(), "--limit", "1000", "--json"});
        QCOMPARE(json.exitCode, 0);
        std::set<std::string> cliIds;
        for (const auto& v : parseObject(json.out)["entries"].toArray()) {
            cliIds.insert(v.toObject()["id"].toString().toStdString());
        }
        QCOMPARE(cliIds, ids);
        for (const auto& id : cliIds) {
            auto r = cli({"inspect", m_folder.string(), "--entry", id, "--json"});
            QVERIFY2(r.exitCode == 0, (id + ": " + r.err).c_str());
            QCOMPARE(parseObject(r.out)["id"].toString().toStdString(), id);
        }
    }

    // Item 7: paging with a small limit through the binary's JSON cursors lists every entry.
    void pagingOverOddNamesListsEveryEntry() {
        std::string cursor;
        std::vector<std::string> ids;
        for (int pages = 0; pages < 100; ++pages) {
            std::vector<std::string> args{"inspect", m_folder.string(), "--limit", "2", "--json"};
            if (!cursor.empty()) args.insert(args.end(), {"--cursor", cursor});
            auto r = cli(args);
            QVERIFY2(r.exitCode == 0, r.err.c_str());
            const QJsonObject page = parseObject(r.out);
            for (const auto& v : page["entries"].toArray()) {
                ids.push_back(v.toObject()["id"].toString().toStdString());
            }
            if (page["cursor"].isNull()) break;
            cursor = page["cursor"].toString().toStdString();
        }
        QCOMPARE(ids.size(), m_names.size());
        QCOMPARE(std::set<std::string>(ids.begin(), ids.end()).size(), m_names.size());
    }

    // Items 3 and 7: a Redis name of 2 MiB (with NUL, ESC and bytes that are not UTF-8) is
    // listed with a bounded key text and its length, and its id reaches it.
    void hugeRedisNameIsBoundedAndReachable() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        RedisServer server;
        const std::string error = server.start();
        QVERIFY2(error.empty(), error.c_str());
        const std::string name = std::string("big\0\x1b\xff", 6) + std::string(2u << 20, 'k');
        QVERIFY(runRedisCommands(server.port(), {{"SET", name, "v"}, {"SET", "small", "w"}}));
        auto info = Discovery::identifyUrl(server.url());
        QVERIFY(info.ok());
        auto src = Discovery::open(*info);
        QVERIFY(src.ok());
        const auto entries = listAll(**src, 1);
        QCOMPARE(entries.size(), std::size_t{2});
        for (const auto& e : entries) {
            QVERIFY(e.key_text.size() <= kKeyTextBound);
            if (e.key_text == "small") continue;
            QVERIFY(e.key_truncated);
            QCOMPARE(e.key_bytes, std::uint64_t{name.size()});
            QVERIFY(validUtf8WithoutControls(e.id));
            QVERIFY2(e.id.size() <= 2048, std::to_string(e.id.size()).c_str());  // ids bounded
            auto d = (*src)->detail(e.id);
            QVERIFY2(d.ok(), d.status().toString().c_str());
            QCOMPARE(d->summary.key_bytes, std::uint64_t{name.size()});
            QCOMPARE(d->summary.id, e.id);
            // The bounded id still deletes exactly that key.
            PlanRequest req;
            req.action = PlanRequest::Action::kDeleteEntries;
            req.entry_ids = {e.id};
            auto plan = (*src)->plan(req);
            QVERIFY2(plan.ok(), plan.status().toString().c_str());
            auto done = (*plan)->execute();
            QVERIFY2(done.ok(), done.status().toString().c_str());
            QCOMPARE(done->deleted, 1u);
            QCOMPARE((*src)->detail(e.id).status().code(), StatusCode::kNotFound);
        }
        test::RawRedis raw(server.port());
        QCOMPARE(raw.run({"DBSIZE"}), std::string("1"));
    }

    // Item 7: joblib calls whose folder names are not UTF-8 get distinct ids; both can be
    // shown and deleted by id.
    void oddJoblibCallsAreReachable() {
        auto src = open(m_joblib);
        QVERIFY(src);
        const auto entries = listAll(*src, 1);
        QCOMPARE(entries.size(), std::size_t{2});
        QVERIFY(entries[0].id != entries[1].id);
        for (const auto& e : entries) {
            QVERIFY2(validUtf8WithoutControls(e.id), e.id.c_str());
            auto d = src->detail(e.id);
            QVERIFY2(d.ok(), d.status().toString().c_str());
        }
        PlanRequest req;
        req.action = PlanRequest::Action::kDeleteEntries;
        req.entry_ids = {entries[0].id};
        auto plan = src->plan(req);
        QVERIFY(plan.ok());
        auto done = (*plan)->execute();
        QVERIFY(done.ok());
        QCOMPARE(done->deleted, std::uint64_t{1});
        QVERIFY(done->refused.empty());
        const auto left = listAll(*src, 10);
        QCOMPARE(left.size(), std::size_t{1});
        QCOMPARE(left[0].id, entries[1].id);
    }
};

QTEST_MAIN(TestInspectHostileKeys)
#include "test_inspect_hostile_keys.moc"
