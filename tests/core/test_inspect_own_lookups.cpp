// The statistics of a Redis source leave out the inspector's own reads: on a real
// redis-server that no other client uses, listing pages, viewing values of every type (and a
// key that is gone) and reading the statistics again and again keep the shown hits and misses
// where they were — although the server's own counters grow with each read — also across a
// second source on the same server (the inspector reopens sources). Another client's lookups
// still count, exactly.
#include <QtTest>
#include <optional>

#include "redis_commands.h"
#include "redis_server.h"
#include "twat_cache/inspect.h"

using namespace twat_cache;

namespace {

// keyspace_hits / keyspace_misses as the server itself reports them.
std::pair<std::uint64_t, std::uint64_t> serverLookups(test::RawRedis& raw) {
    const std::string info = raw.run({"INFO", "stats"});
    auto field = [&](const std::string& name) -> std::uint64_t {
        const auto at = info.find(name + ":");
        return at == std::string::npos ? 0 : std::stoull(info.substr(at + name.size() + 1));
    };
    return {field("keyspace_hits"), field("keyspace_misses")};
}

}  // namespace

class TestInspectOwnLookups : public QObject {
    Q_OBJECT

  private slots:
    void ownReadsAreNotCounted() {
        if (!test::RedisServer::available()) QSKIP(test::RedisServer::skipReason().c_str());
        test::RedisServer redis;
        const std::string error = redis.start();
        QVERIFY2(error.empty(), error.c_str());
        std::vector<std::vector<std::string>> load;
        for (int i = 0; i < 40; ++i) load.push_back({"SET", "s:" + std::to_string(i), "v"});
        load.push_back({"HSET", "h", "a", "1", "b", "2"});
        load.push_back({"RPUSH", "l", "x", "y"});
        load.push_back({"SADD", "set", "m"});
        load.push_back({"ZADD", "z", "1", "m"});
        load.push_back({"XADD", "stream", "*", "f", "v"});
        load.push_back({"SET", "ttl", "v", "EX", "3600"});
        QVERIFY(test::runRedisCommands(redis.port(), load));
        test::RawRedis raw(redis.port());
        QVERIFY(raw.ok());
        // Some lookups by "the application" before the inspector comes.
        raw.run({"GET", "s:1"});
        raw.run({"GET", "nope"});

        auto info = Discovery::identifyUrl(redis.url());
        QVERIFY(info.ok());
        OpenOptions options;
        options.read_only = true;
        auto src = Discovery::open(*info, options);
        QVERIFY2(src.ok(), src.status().toString().c_str());
        auto first = (*src)->stats();
        QVERIFY2(first.ok(), first.status().toString().c_str());
        QCOMPARE(first->hits, std::optional<std::uint64_t>(1));
        QCOMPARE(first->misses, std::optional<std::uint64_t>(1));
        const auto serverBefore = serverLookups(raw);

        for (int round = 0; round < 10; ++round) {
            EntryFilter filter;
            if (round % 2 == 1) filter.glob = "s:*";
            auto page = (*src)->entries("", 20, filter);
            QVERIFY2(page.ok(), page.status().toString().c_str());
            QVERIFY(!page->entries.empty());
            for (const char* id : {"h", "l", "set", "z", "stream", "ttl", "s:3"}) {
                auto d = (*src)->detail(id);
                QVERIFY2(d.ok(), d.status().toString().c_str());
            }
            QVERIFY(!(*src)->detail("gone").ok());  // a miss, were it counted
            auto now = (*src)->stats();
            QVERIFY(now.ok());
            QCOMPARE(now->hits, first->hits);
            QCOMPARE(now->misses, first->misses);
        }
        // The server did count those reads: they are left out, not missing.
        const auto serverAfter = serverLookups(raw);
        QVERIFY(serverAfter.first > serverBefore.first + 100);
        QVERIFY(serverAfter.second > serverBefore.second + 5);

        // A second source on the same server (a reopened one) shows the same.
        auto again = Discovery::open(*info, options);
        QVERIFY(again.ok());
        QVERIFY((*again)->entries("", 50).ok());
        QVERIFY((*again)->detail("h").ok());
        auto second = (*again)->stats();
        QVERIFY(second.ok());
        QCOMPARE(second->hits, first->hits);
        QCOMPARE(second->misses, first->misses);

        // Other clients' lookups count, one for one.
        for (int i = 0; i < 3; ++i) raw.run({"GET", "s:2"});
        for (int i = 0; i < 2; ++i) raw.run({"GET", "missing"});
        auto later = (*src)->stats();
        QVERIFY(later.ok());
        QCOMPARE(later->hits, std::optional<std::uint64_t>(*first->hits + 3));
        QCOMPARE(later->misses, std::optional<std::uint64_t>(*first->misses + 2));
    }
};

QTEST_GUILESS_MAIN(TestInspectOwnLookups)
#include "test_inspect_own_lookups.moc"
