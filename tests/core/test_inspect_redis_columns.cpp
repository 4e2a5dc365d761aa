// The columns of a Redis listing and its type filter, against a real redis-server holding keys
// of every type in several encodings: the source says which columns it fills in; each entry's
// memory and encoding are what the server says when asked directly (MEMORY USAGE … SAMPLES,
// OBJECT ENCODING); a type filter lists exactly the keys of that type, by SCAN … TYPE (Redis
// 6.0+) or — the path of older servers, taken here with OpenOptions::redis_scan_type off — by
// asking every key's TYPE, which the page's note then says; a glob's plan (delete, set TTL)
// with a type previews exactly the glob's keys of that type, by either path; the CLI's --type
// and columns.
#include <QtTest>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "redis_commands.h"
#include "redis_server.h"
#include "twat_cache/inspect.h"
#include "url_source.h"

using namespace twat_cache;
using test::RawRedis;
using test::RedisServer;

namespace {

constexpr int kPerType = 150;  // keys of each type: several SCAN batches of a small page

const std::vector<std::string> kTypes = {"string", "hash", "list", "set", "zset", "stream"};

// Keys of every type, in more than one encoding each (small and big collections, integers
// and long strings), some with a TTL.
std::vector<std::vector<std::string>> fixtureCommands(std::map<std::string, std::string>& types) {
    std::vector<std::vector<std::string>> c;
    auto add = [&](std::vector<std::string> command, const std::string& type) {
        types[command[1]] = type;
        c.push_back(std::move(command));
    };
    const std::string longText(200, 'x');
    for (int i = 0; i < kPerType; ++i) {
        const std::string n = std::to_string(i);
        add({"SET", "str:" + n, i % 3 == 0 ? n : i % 3 == 1 ? "short" : longText}, "string");
        if (i % 4 == 0) c.push_back({"PEXPIRE", "str:" + n, "600000"});
        std::vector<std::string> hash = {"HSET", "hash:" + n};
        for (int f = 0; f < (i % 10 == 0 ? 300 : 3); ++f) {
            hash.push_back("f" + std::to_string(f));
            hash.push_back("v");
        }
        add(hash, "hash");
        add({"RPUSH", "list:" + n, "a", "b", n}, "list");
        add(i % 2 == 0 ? std::vector<std::string>{"SADD", "set:" + n, "1", "2", "3"}
                       : std::vector<std::string>{"SADD", "set:" + n, "x", "y"},
            "set");
        add({"ZADD", "zset:" + n, "1", "one", "2", "two"}, "zset");
        add({"XADD", "stream:" + n, "*", "field", n}, "stream");
    }
    return c;
}

std::uint64_t toU64(const std::string& text) {
    return static_cast<std::uint64_t>(std::stoull(text));
}

// calls=<n> of one command in INFO commandstats ("cmdstat_type:calls=12,usec=...").
std::uint64_t commandCalls(RawRedis& raw, const std::string& command) {
    const std::string info = raw.run({"INFO", "commandstats"});
    const std::string needle = "cmdstat_" + command + ":calls=";
    const auto at = info.find(needle);
    if (at == std::string::npos) return 0;
    return toU64(info.substr(at + needle.size(), info.find(',', at) - at - needle.size()));
}

// rejected_calls=<n> of one command in INFO commandstats (refused by ACL, among others).
std::uint64_t rejectedCalls(RawRedis& raw, const std::string& command) {
    const std::string info = raw.run({"INFO", "commandstats"});
    const auto line = info.find("cmdstat_" + command + ":");
    if (line == std::string::npos) return 0;
    const std::string needle = "rejected_calls=";
    const auto at = info.find(needle, line);
    if (at == std::string::npos || at > info.find('\n', line)) return 0;
    return toU64(info.substr(at + needle.size(), info.find(',', at) - at - needle.size()));
}

}  // namespace

class TestInspectRedisColumns : public QObject {
    Q_OBJECT

    std::unique_ptr<RedisServer> m_server;
    std::map<std::string, std::string> m_types;  // key -> type

    std::unique_ptr<Source> open(bool scanType = true) {
        OpenOptions o;
        o.read_only = true;
        o.redis_scan_type = scanType;
        return test::openUrlSource(m_server->url(), o);
    }

    // Every entry of a listing in pages of `pageSize`; the notes of its pages in `notes`.
    static std::vector<EntrySummary> listAll(Source& src, std::size_t pageSize,
                                             const EntryFilter& filter,
                                             std::set<std::string>* notes = nullptr) {
        std::vector<EntrySummary> all;
        std::string cursor;
        for (int guard = 0; guard < 100'000; ++guard) {
            auto page = src.entries(cursor, pageSize, filter);
            if (!page.ok()) qFatal("entries: %s", page.status().toString().c_str());
            if (page->entries.size() > pageSize) qFatal("page larger than its limit");
            if (notes) notes->insert(page->note);
            for (auto& e : page->entries) all.push_back(std::move(e));
            cursor = page->cursor;
            if (cursor.empty()) break;
        }
        return all;
    }

  private slots:
    void initTestCase() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        m_server = std::make_unique<RedisServer>();
        const std::string error = m_server->start();
        QVERIFY2(error.empty(), error.c_str());
        QVERIFY(test::runRedisCommands(m_server->port(), fixtureCommands(m_types)));
    }

    void columnsOfRedis() {
        const std::vector<EntryColumn> expected = {EntryColumn::kKey,    EntryColumn::kType,
                                                   EntryColumn::kTtl,    EntryColumn::kLength,
                                                   EntryColumn::kMemory, EntryColumn::kEncoding};
        QVERIFY(open()->columns() == expected);
        QCOMPARE(entryColumnName(EntryColumn::kEncoding), std::string_view("encoding"));
    }

    // Each listed key's memory and encoding are the server's own answers for it.
    void memoryAndEncodingAreTheServers() {
        auto src = open();
        EntryFilter all;
        all.time_budget = std::chrono::milliseconds(0);
        const auto entries = listAll(*src, 100, all);
        QCOMPARE(entries.size(), m_types.size());
        RawRedis raw(m_server->port());
        QVERIFY(raw.ok());
        std::set<std::string> encodings;
        const std::string samples = std::to_string(5);
        for (const auto& e : entries) {
            QCOMPARE(e.type, m_types.at(e.key_text));
            QCOMPARE(e.encoding, raw.run({"OBJECT", "ENCODING", e.key_text}));
            QCOMPARE(e.size, toU64(raw.run({"MEMORY", "USAGE", e.key_text, "SAMPLES", samples})));
            QVERIFY(e.size > 0);
            encodings.insert(e.encoding);
        }
        // The fixture has several encodings: a mix like this is what the column is for.
        for (const char* expected : {"int", "embstr", "raw", "listpack", "hashtable", "intset"}) {
            QVERIFY2(encodings.count(expected) == 1, expected);
        }
    }

    void typeFilterListsExactlyThatType_data() {
        QTest::addColumn<bool>("scanType");
        QTest::addColumn<std::string>("type");
        QTest::addColumn<std::string>("glob");
        for (const bool scanType : {true, false}) {
            for (const auto& type : kTypes) {
                const std::string name = (scanType ? "SCAN TYPE " : "TYPE per key ") + type;
                QTest::newRow(name.c_str()) << scanType << type << std::string();
            }
            QTest::newRow(scanType ? "SCAN TYPE with a glob" : "TYPE per key with a glob")
                << scanType << std::string("hash") << std::string("hash:1*");
        }
    }
    void typeFilterListsExactlyThatType() {
        QFETCH(bool, scanType);
        QFETCH(std::string, type);
        QFETCH(std::string, glob);
        std::set<std::string> expected;
        std::uint64_t globMatches = 0;
        for (const auto& [key, t] : m_types) {
            if (!glob.empty() && !globMatch(glob, key)) continue;
            ++globMatches;
            if (t == type) expected.insert(key);
        }
        QVERIFY(!expected.empty());
        auto src = open(scanType);
        RawRedis raw(m_server->port());
        const std::uint64_t typeCallsBefore = commandCalls(raw, "type");
        EntryFilter filter;
        filter.type = type;
        filter.glob = glob;
        filter.time_budget = std::chrono::milliseconds(0);
        std::set<std::string> notes;
        const auto entries = listAll(*src, 7, filter, &notes);
        std::set<std::string> listed;
        for (const auto& e : entries) {
            QCOMPARE(e.type, type);
            QVERIFY2(listed.insert(e.key_text).second, e.key_text.c_str());
        }
        QCOMPARE(listed, expected);
        const std::uint64_t typeCalls = commandCalls(raw, "type") - typeCallsBefore;
        if (scanType) {
            // The server filtered: TYPE was asked only of the keys listed (to describe them).
            QCOMPARE(notes, std::set<std::string>{""});
            QCOMPARE(typeCalls, std::uint64_t(expected.size()));
        } else {
            // Every key scanned (of the glob's, which SCAN MATCH gives) had its TYPE asked,
            // and every page says what that costs.
            QCOMPARE(notes.size(), std::size_t{1});
            QVERIFY2(notes.begin()->find("full scan") != std::string::npos, notes.begin()->c_str());
            QVERIFY(typeCalls >= globMatches);
        }
    }

    // Type names are lower case on the server, which matches SCAN … TYPE without regard to
    // case: "Hash" lists the hashes, as "hash" does, not nothing.
    void typeFilterIgnoresCase() {
        EntryFilter lower, mixed;
        lower.type = "hash";
        mixed.type = "HaSh";
        lower.time_budget = mixed.time_budget = std::chrono::milliseconds(0);
        auto src = open();
        const auto expected = listAll(*src, 7, lower);
        QVERIFY(!expected.empty());
        QCOMPARE(listAll(*src, 7, mixed).size(), expected.size());
    }

    // A user refused INFO: the source assumes SCAN … TYPE (ACL users came with Redis 6.0)
    // and asks INFO once, not again on every page.
    void refusedInfoIsAskedOnce() {
        QVERIFY(test::runRedisCommands(
            m_server->port(), {{"ACL", "SETUSER", "noinfo", "on", ">pw", "~*", "+@all", "-info"}}));
        OpenOptions o;
        o.read_only = true;
        auto src = test::openUrlSource(
            "redis://noinfo:pw@127.0.0.1:" + std::to_string(m_server->port()) + "/0", o);
        RawRedis raw(m_server->port());
        EntryFilter filter;
        filter.type = "string";
        filter.time_budget = std::chrono::milliseconds(0);
        auto first = src->entries("", 3, filter);
        QVERIFY2(first.ok(), first.status().toString().c_str());
        QVERIFY(!first->cursor.empty());
        const auto refusedAfterFirst = rejectedCalls(raw, "info");
        QVERIFY(refusedAfterFirst > 0);  // the user was refused INFO
        std::string cursor = first->cursor;
        int pages = 1;
        while (!cursor.empty() && pages < 1000) {
            auto page = src->entries(cursor, 3, filter);
            QVERIFY2(page.ok(), page.status().toString().c_str());
            cursor = page->cursor;
            ++pages;
        }
        QVERIFY(pages > 2);
        QCOMPARE(rejectedCalls(raw, "info"), refusedAfterFirst);  // not asked again
    }

    void globPlanKeepsToItsType_data() {
        QTest::addColumn<bool>("scanType");
        QTest::newRow("SCAN TYPE") << true;
        QTest::newRow("TYPE per key") << false;
    }
    void globPlanKeepsToItsType() {
        QFETCH(bool, scanType);
        const std::string glob = "hash:1*";
        std::uint64_t expected = 0;
        for (const auto& [key, t] : m_types) {
            if (t == "hash" && globMatch(glob, key)) ++expected;
        }
        QVERIFY(expected > 0);
        auto src = open(scanType);
        for (const auto action : {PlanRequest::Action::kMatchGlob, PlanRequest::Action::kSetTtl}) {
            PlanRequest request;
            request.action = action;
            request.glob = glob;
            request.type = action == PlanRequest::Action::kMatchGlob ? "hash" : "HASH";  // any case
            request.ttl = std::chrono::hours(1);
            auto plan = src->plan(request);
            QVERIFY2(plan.ok(), plan.status().toString().c_str());
            QCOMPARE((*plan)->preview().count, expected);
            QVERIFY(!(*plan)->preview().sample.empty());
            for (const auto& e : (*plan)->preview().sample) {
                QVERIFY2(m_types.at(e.key_text) == "hash", e.key_text.c_str());
            }
        }
    }

    void cliTypeAndColumns() {
        const std::string url = m_server->url();
        auto json = test::runProcess(TWAT_CACHE_CLI, {"inspect", url, "--type", "zset", "--limit",
                                                      "100000", "--budget", "0", "--json"});
        QCOMPARE(json.exitCode, 0);
        const auto j = nlohmann::json::parse(json.out);
        QCOMPARE(j["entries"].size(), std::size_t(kPerType));
        for (const auto& e : j["entries"]) {
            QCOMPARE(e["type"].get<std::string>(), std::string("zset"));
            QCOMPARE(e["encoding"].get<std::string>(), std::string("listpack"));
            QVERIFY(e["ttl_ms"].is_null());
        }
        QCOMPARE(j["columns"], nlohmann::json::parse(
                                   R"(["key", "type", "ttl", "length", "memory", "encoding"])"));
        QCOMPARE(j["note"].get<std::string>(), std::string());

        auto text =
            test::runProcess(TWAT_CACHE_CLI, {"inspect", url, "--match", "str:0", "--budget", "0"});
        QCOMPARE(text.exitCode, 0);
        QVERIFY2(text.out.find("ENCODING") != std::string::npos, text.out.c_str());
        QVERIFY2(text.out.find("TTL") != std::string::npos, text.out.c_str());
        QVERIFY2(text.out.find(" int") != std::string::npos, text.out.c_str());
        QVERIFY2(text.out.find("9m") != std::string::npos, text.out.c_str());  // 600 s left
    }
};

QTEST_GUILESS_MAIN(TestInspectRedisColumns)
#include "test_inspect_redis_columns.moc"
