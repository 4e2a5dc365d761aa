// Value pages (Source::valuePage) against a real redis-server holding big values: a hash of
// 100,000 fields, a list of 1,000,000 elements, a sorted set of 50,000 members, a stream of
// 2,500 entries and a 20 MB binary string. Every page stays within its bounds (rows, bytes,
// cell bytes), following cursors reaches the whole value exactly, MATCH and score ranges
// select what they should, and the CLI prints pages as tables, hex dumps and JSON.
#include <QtTest>
#include <nlohmann/json.hpp>
#include <set>

#include "redis_commands.h"
#include "redis_server.h"
#include "test_support.h"
#include "twat_cache/inspect.h"

using namespace twat_cache;
using test::RedisServer;

namespace {

constexpr int kHashFields = 100'000;
constexpr int kListElements = 1'000'000;
constexpr int kZsetMembers = 50'000;
constexpr int kStreamEntries = 2'500;
constexpr std::size_t kStringBytes = 20u << 20;

std::string stringByte(std::size_t i) {
    return std::string(1, static_cast<char>((i * 7 + i / 251) & 0xff));
}

std::string bigString() {
    std::string s(kStringBytes, '\0');
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = stringByte(i)[0];
    return s;
}

// Commands of `batch` items each: {verb, key, item(i)...} for i in [0, n).
template <class Item>
void batched(std::vector<std::vector<std::string>>& out, const std::string& verb,
             const std::string& key, int n, int batch, Item item) {
    for (int from = 0; from < n; from += batch) {
        std::vector<std::string> c = {verb, key};
        for (int i = from; i < std::min(n, from + batch); ++i) item(c, i);
        out.push_back(std::move(c));
    }
}

}  // namespace

class TestInspectValuePages : public QObject {
    Q_OBJECT

    RedisServer m_server;
    std::unique_ptr<Source> m_src;

    ValuePage page(const std::string& key, const ValueQuery& q) {
        auto p = m_src->valuePage(key, q);
        if (!p.ok()) qFatal("valuePage(%s): %s", key.c_str(), p.status().toString().c_str());
        return std::move(*p);
    }

    // Every row of `key` by following cursors; checks each page's bound on the way.
    std::vector<ValueRow> all(const std::string& key, ValueQuery q, int* pages = nullptr) {
        std::vector<ValueRow> rows;
        for (int guard = 0; guard < 1'000'000; ++guard) {
            ValuePage p = page(key, q);
            if (p.rows.size() > q.limit)
                qFatal("a page of %zu rows, limit %zu", p.rows.size(), q.limit);
            if (pages) ++*pages;
            for (auto& r : p.rows) {
                if (r.name.bytes.size() > q.cell_bytes || r.value.bytes.size() > q.cell_bytes) {
                    qFatal("a cell of more than %zu bytes", q.cell_bytes);
                }
                rows.push_back(std::move(r));
            }
            if (p.complete()) break;
            q.cursor = p.cursor;
        }
        return rows;
    }

  private slots:
    void initTestCase() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        const std::string error = m_server.start();
        QVERIFY2(error.empty(), error.c_str());
        std::vector<std::vector<std::string>> c;
        batched(c, "HSET", "big:hash", kHashFields, 1000, [](auto& v, int i) {
            v.push_back("f" + std::to_string(i));
            v.push_back("v" + std::to_string(i));
        });
        batched(c, "RPUSH", "big:list", kListElements, 10'000,
                [](auto& v, int i) { v.push_back("e" + std::to_string(i)); });
        batched(c, "ZADD", "big:zset", kZsetMembers, 1000, [](auto& v, int i) {
            v.push_back(std::to_string(i));
            v.push_back("m" + std::to_string(i));
        });
        batched(c, "ZADD", "tie:zset", 250, 250, [](auto& v, int i) {
            v.push_back("7.5");
            v.push_back("t" + std::to_string(i));
        });
        batched(c, "ZADD", "tie:zset", 10, 10, [](auto& v, int i) {
            v.push_back("8");
            v.push_back("u" + std::to_string(i));
        });
        batched(c, "SADD", "big:set", 3000, 1000,
                [](auto& v, int i) { v.push_back("s" + std::to_string(i)); });
        for (int i = 0; i < kStreamEntries; ++i) {
            c.push_back({"XADD", "big:stream", "*", "n", std::to_string(i), "twice",
                         std::to_string(2 * i)});
        }
        c.push_back({"XGROUP", "CREATE", "big:stream", "g1", "0"});
        c.push_back({"XGROUP", "CREATE", "big:stream", "g2", "$"});
        c.push_back({"HSET", "wide:hash", "huge", std::string(1 << 20, 'h'), "small", "s"});
        c.push_back({"SET", "big:string", bigString()});
        QVERIFY(test::runRedisCommands(m_server.port(), c));
        auto info = Discovery::identifyUrl(m_server.url());
        QVERIFY(info.ok());
        OpenOptions o;
        o.read_only = true;
        auto src = Discovery::open(*info, o);
        QVERIFY2(src.ok(), src.status().toString().c_str());
        m_src = std::move(*src);
    }

    void hashPagesReachEveryFieldOnce_data() {
        QTest::addColumn<int>("limit");
        QTest::newRow("500") << 500;
        QTest::newRow("7000") << 7000;
    }
    void hashPagesReachEveryFieldOnce() {
        QFETCH(int, limit);
        ValueQuery q;
        q.limit = static_cast<std::size_t>(limit);
        ValuePage first = page("big:hash", q);
        QCOMPARE(first.kind, std::string("hash"));
        QCOMPARE(first.total.value_or(0), std::uint64_t(kHashFields));
        QVERIFY(first.rows.size() <= q.limit);
        QVERIFY(!first.complete());
        int pages = 0;
        const auto rows = all("big:hash", q, &pages);
        std::set<std::string> fields;
        for (const auto& r : rows) {
            QCOMPARE(r.value.bytes, "v" + r.name.bytes.substr(1));
            fields.insert(r.name.bytes);
        }
        QCOMPARE(fields.size(), std::size_t(kHashFields));  // a quiet hash: each field once
        QCOMPARE(rows.size(), std::size_t(kHashFields));
        QVERIFY(pages >= kHashFields / limit);
    }

    void hashAndSetMatch() {
        ValueQuery q;
        q.limit = 3;
        q.match = "f1234*";
        std::set<std::string> fields;
        for (const auto& r : all("big:hash", q)) fields.insert(r.name.bytes);
        std::set<std::string> expect = {"f1234"};
        for (int i = 0; i < 10; ++i) expect.insert("f1234" + std::to_string(i));
        QCOMPARE(fields, expect);

        q.match = "s29?9";
        std::set<std::string> members;
        for (const auto& r : all("big:set", q)) {
            QVERIFY(r.value.bytes.empty());
            members.insert(r.name.bytes);
        }
        expect.clear();
        for (int i = 0; i < 10; ++i) expect.insert("s29" + std::to_string(i) + "9");
        QCOMPARE(members, expect);
        q.match.clear();
        q.limit = 1000;
        QCOMPARE(all("big:set", q).size(), std::size_t(3000));
    }

    void cellsAreCutWithTheirLength() {
        ValueQuery q;
        q.cell_bytes = 100;
        std::map<std::string, ValueCell> byField;
        for (const auto& r : all("wide:hash", q)) byField[r.name.bytes] = r.value;
        QCOMPARE(byField["huge"].bytes, std::string(100, 'h'));
        QCOMPARE(byField["huge"].length, std::uint64_t(1) << 20);
        QVERIFY(byField["huge"].truncated());
        QVERIFY(!byField["small"].truncated());
    }

    void listPagesByIndex() {
        ValueQuery q;
        q.limit = 1000;
        ValuePage first = page("big:list", q);
        QCOMPARE(first.kind, std::string("list"));
        QCOMPARE(first.rows.size(), std::size_t(1000));
        QCOMPARE(first.total.value_or(0), std::uint64_t(kListElements));
        QCOMPARE(first.cursor, std::string("1000"));
        q.cursor = "999950";
        q.limit = 100;
        ValuePage last = page("big:list", q);
        QCOMPARE(last.offset, std::uint64_t(999'950));
        QCOMPARE(last.rows.size(), std::size_t(50));
        QCOMPARE(last.rows.front().name.bytes, std::string("999950"));
        QCOMPARE(last.rows.front().value.bytes, std::string("e999950"));
        QVERIFY(last.complete());
        q.cursor.clear();
        q.limit = 10'000;
        int pages = 0;
        const auto rows = all("big:list", q, &pages);
        QCOMPARE(rows.size(), std::size_t(kListElements));
        QCOMPARE(pages, kListElements / 10'000);
        QCOMPARE(rows[123'456].value.bytes, std::string("e123456"));
    }

    void zsetByRankAndByScore() {
        ValueQuery q;
        q.limit = 100;
        q.cursor = "49950";
        ValuePage byRank = page("big:zset", q);
        QCOMPARE(byRank.kind, std::string("zset"));
        QCOMPARE(byRank.rows.size(), std::size_t(50));
        QCOMPARE(byRank.rows.front().name.bytes, std::string("m49950"));
        QCOMPARE(byRank.rows.front().value.bytes, std::string("49950"));
        QVERIFY(byRank.complete());

        q.cursor.clear();
        q.limit = 30;
        q.zset_order = ValueQuery::ZsetOrder::kScore;
        q.min_score = "100";
        q.max_score = "199";
        QCOMPARE(page("big:zset", q).total.value_or(0), std::uint64_t(100));
        const auto rows = all("big:zset", q);
        QCOMPARE(rows.size(), std::size_t(100));
        for (std::size_t i = 0; i < rows.size(); ++i) {
            QCOMPARE(rows[i].name.bytes, "m" + std::to_string(100 + i));
        }
        // Many members with one score: continuing from the last score skips those shown.
        q.min_score = "-inf";
        q.max_score = "+inf";
        std::set<std::string> members;
        for (const auto& r : all("tie:zset", q)) QVERIFY(members.insert(r.name.bytes).second);
        QCOMPARE(members.size(), std::size_t(260));
        q.min_score = "(7.5";
        QCOMPARE(all("tie:zset", q).size(), std::size_t(10));
    }

    void streamPagesById() {
        ValueQuery q;
        q.limit = 1000;
        ValuePage first = page("big:stream", q);
        QCOMPARE(first.kind, std::string("stream"));
        QCOMPARE(first.stream_groups.value_or(0), std::uint64_t(2));
        QCOMPARE(first.total.value_or(0), std::uint64_t(kStreamEntries));
        int pages = 0;
        const auto rows = all("big:stream", q, &pages);
        QCOMPARE(rows.size(), std::size_t(kStreamEntries));
        QCOMPARE(pages, 3);
        for (std::size_t i = 0; i < rows.size(); ++i) {
            QCOMPARE(rows[i].fields.size(), std::size_t(2));
            QCOMPARE(rows[i].fields[0].second.bytes, std::to_string(i));
            QCOMPARE(rows[i].fields[1].second.bytes, std::to_string(2 * i));
            if (i > 0) QVERIFY(rows[i].name.bytes != rows[i - 1].name.bytes);
        }
        // Ids cut short for display still continue from the whole last id.
        q.cell_bytes = 3;
        QCOMPARE(all("big:stream", q).size(), std::size_t(kStreamEntries));
    }

    void stringPagesAreBoundedBytes() {
        ValueQuery q;
        q.bytes = 1 << 20;
        const std::string expect = bigString();
        std::uint64_t at = 0;
        int pages = 0;
        for (;;) {
            ValuePage p = page("big:string", q);
            QCOMPARE(p.kind, std::string("string"));
            QCOMPARE(p.total.value_or(0), std::uint64_t(kStringBytes));
            QCOMPARE(p.offset, at);
            QVERIFY(p.bytes.size() <= q.bytes);
            QVERIFY(p.rows.empty());
            QVERIFY(p.bytes == std::string_view(expect).substr(at, p.bytes.size()));
            at += p.bytes.size();
            ++pages;
            if (p.complete()) break;
            q.cursor = p.cursor;
        }
        QCOMPARE(at, std::uint64_t(kStringBytes));
        QCOMPARE(pages, 20);
    }

    void hexDumpOfBinary() {
        static constexpr char kBytes[] = "\x00\x01\x41\x7f\xff hello, world!\n\x80";
        const std::string bytes(kBytes, sizeof kBytes - 1);
        QCOMPARE(hexDump(bytes, 0x100000),
                 std::string("00100000  00 01 41 7f ff 20 68 65  6c 6c 6f 2c 20 77 6f 72  "
                             "|..A.. hello, wor|\n"
                             "00100010  6c 64 21 0a 80                                    "
                             "|ld!..|\n"));
        QCOMPARE(hexDump({}, 0), std::string());
        ValueQuery q;
        q.cursor = "4096";
        q.bytes = 32;
        ValuePage p = page("big:string", q);
        const std::string dump = hexDump(p.bytes, p.offset);
        QVERIFY(dump.starts_with("00001000  "));
        QCOMPARE(std::count(dump.begin(), dump.end(), '\n'), 2);
    }

    void refusals() {
        auto missing = m_src->valuePage("no:such:key", {});
        QCOMPARE(missing.status().code(), StatusCode::kNotFound);
        ValueQuery bad;
        bad.cursor = "not-a-cursor";
        QCOMPARE(m_src->valuePage("big:list", bad).status().code(), StatusCode::kInvalidArgument);
        QCOMPARE(m_src->valuePage("big:hash", bad).status().code(), StatusCode::kInvalidArgument);
        test::TempDir dir;
        auto info = Discovery::identify(dir.path());
        QVERIFY(info.ok());
        auto folder = Discovery::open(*info);
        QVERIFY(folder.ok());
        QCOMPARE((*folder)->valuePage("x", {}).status().code(), StatusCode::kNotSupported);
    }

    void cliPrintsPages() {
        const std::string url = m_server.url();
        auto r = test::runProcess(TWAT_CACHE_CLI, {"inspect", url, "--entry", "big:hash", "--page",
                                                   "--limit", "5", "--json"});
        QCOMPARE(r.exitCode, 0);
        auto j = nlohmann::json::parse(r.out);
        QCOMPARE(j["kind"].get<std::string>(), std::string("hash"));
        QVERIFY(j["rows"].size() <= 5);
        QVERIFY(j["cursor"].is_string());
        QCOMPARE(j["total"].get<int>(), kHashFields);

        r = test::runProcess(TWAT_CACHE_CLI, {"inspect", url, "--entry", "big:hash", "--page",
                                              "--match", "f99999", "--limit", "10", "--json"});
        QCOMPARE(r.exitCode, 0);
        j = nlohmann::json::parse(r.out);
        std::string cursor;
        std::size_t found = 0;
        for (int guard = 0; guard < 1000; ++guard) {  // follow the cursor to the end
            found += j["rows"].size();
            if (j["cursor"].is_null()) break;
            r = test::runProcess(TWAT_CACHE_CLI, {"inspect", url, "--entry", "big:hash", "--page",
                                                  "--match", "f99999", "--limit", "10", "--json",
                                                  "--cursor", j["cursor"].get<std::string>()});
            QCOMPARE(r.exitCode, 0);
            j = nlohmann::json::parse(r.out);
        }
        QCOMPARE(found, std::size_t(1));

        r = test::runProcess(TWAT_CACHE_CLI, {"inspect", url, "--entry", "big:zset", "--page",
                                              "--min-score", "10", "--max-score", "12"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.find("m11") != std::string::npos, r.out.c_str());
        QVERIFY(r.out.find("(end)") != std::string::npos);

        r = test::runProcess(TWAT_CACHE_CLI, {"inspect", url, "--entry", "big:string", "--page",
                                              "--bytes", "32", "--cursor", "16"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.starts_with("00000010  "), r.out.c_str());
        QVERIFY(r.out.find("more: --cursor 48") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestInspectValuePages)
#include "test_inspect_value_pages.moc"
