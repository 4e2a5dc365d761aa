// A Redis server's own figures through the inspection layer, against a real redis-server:
// serverInfo() equals what INFO says (version, mode, role, clients, memory, uptime,
// persistence, keyspace per database after keys are written to databases 0 and 3); slowlog()
// returns a command once slowlog-log-slower-than is 0, bounded, and an ACL user without
// SLOWLOG gets PermissionDenied in words; selectDatabase() switches listings, namespaces and
// stats to another database, refuses one the server lacks, and other sources refuse it all.
#include <hiredis/hiredis.h>

#include <QtTest>
#include <set>

#include "redis_commands.h"
#include "redis_server.h"
#include "test_support.h"
#include "twat_cache/audit_log.h"
#include "twat_cache/inspect.h"

using namespace twat_cache;
using test::RedisServer;

namespace {

// INFO's fields straight from the server (a plain hiredis client), by name.
std::map<std::string, std::string> rawInfo(int port) {
    std::map<std::string, std::string> out;
    redisContext* ctx = redisConnect("127.0.0.1", port);
    if (ctx == nullptr || ctx->err != 0) return out;
    auto* reply = static_cast<redisReply*>(redisCommand(ctx, "INFO"));
    if (reply != nullptr && reply->type == REDIS_REPLY_STRING) {
        std::string text(reply->str, reply->len);
        std::size_t pos = 0;
        while (pos < text.size()) {
            std::size_t end = text.find("\r\n", pos);
            if (end == std::string::npos) end = text.size();
            const std::string line = text.substr(pos, end - pos);
            pos = end + 2;
            const auto colon = line.find(':');
            if (!line.empty() && line[0] != '#' && colon != std::string::npos)
                out[line.substr(0, colon)] = line.substr(colon + 1);
        }
    }
    if (reply != nullptr) freeReplyObject(reply);
    redisFree(ctx);
    return out;
}

std::uint64_t u64(const std::string& s) {
    return std::stoull(s);
}

}  // namespace

class TestInspectServer : public QObject {
    Q_OBJECT

  private:
    std::unique_ptr<RedisServer> m_server;

    std::unique_ptr<Source> open(int db = 0, const std::string& userinfo = {}) {
        const std::string url = userinfo.empty()
                                    ? m_server->url(db)
                                    : "redis://" + userinfo +
                                          "@127.0.0.1:" + std::to_string(m_server->port()) + "/" +
                                          std::to_string(db);
        auto info = Discovery::identifyUrl(url);
        if (!info.ok()) qFatal("identifyUrl: %s", info.status().toString().c_str());
        OpenOptions options;
        options.audit = false;
        options.read_only = true;
        auto src = Discovery::open(*info, options);
        if (!src.ok()) qFatal("open: %s", src.status().toString().c_str());
        return std::move(*src);
    }

    std::set<std::string> listed(Source& src) {
        std::set<std::string> keys;
        std::string cursor;
        do {
            auto page = src.entries(cursor, 100, {});
            if (!page.ok()) qFatal("entries: %s", page.status().toString().c_str());
            for (const auto& e : page->entries) keys.insert(e.key_text);
            cursor = page->cursor;
        } while (!cursor.empty());
        return keys;
    }

  private slots:
    void initTestCase() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        m_server = std::make_unique<RedisServer>();
        const std::string error = m_server->start();
        QVERIFY2(error.empty(), error.c_str());
        QVERIFY(
            test::runRedisCommands(m_server->port(), {{"SET", "zero:a", "1"},
                                                      {"SET", "zero:b", "2", "EX", "1000"},
                                                      {"SELECT", "3"},
                                                      {"SET", "three:a", "1"},
                                                      {"SET", "three:b", "1"},
                                                      {"SET", "three:c", "1", "PX", "500000"}}));
    }

    void serverInfoEqualsInfo() {
        auto src = open();
        auto info = src->serverInfo();
        QVERIFY2(info.ok(), info.status().toString().c_str());
        const auto raw = rawInfo(m_server->port());
        QCOMPARE(info->version, raw.at("redis_version"));
        QCOMPARE(info->mode, std::string("standalone"));
        QCOMPARE(info->role, std::string("master"));
        QCOMPARE(info->maxmemory_policy, raw.at("maxmemory_policy"));
        QCOMPARE(*info->maxmemory, u64(raw.at("maxmemory")));
        QCOMPARE(*info->rdb_last_save_time,
                 static_cast<std::int64_t>(u64(raw.at("rdb_last_save_time"))));
        QCOMPARE(info->rdb_last_bgsave_status, raw.at("rdb_last_bgsave_status"));
        QCOMPARE(*info->aof_enabled, raw.at("aof_enabled") == "1");
        QVERIFY(info->used_memory && *info->used_memory > 0);
        QVERIFY(*info->used_memory_peak >= *info->used_memory / 2);
        QVERIFY(info->connected_clients && *info->connected_clients >= 1);
        QVERIFY(info->uptime_seconds.has_value());
        QVERIFY(*info->uptime_seconds <= u64(raw.at("uptime_in_seconds")));
        QCOMPARE(info->databases, std::optional<int>(16));
        QCOMPARE(info->db, 0);
        QCOMPARE(info->node, "127.0.0.1:" + std::to_string(m_server->port()));
        // Keyspace: databases 0 and 3 only, with their keys and expiring keys.
        QCOMPARE(info->keyspace.size(), std::size_t{2});
        QCOMPARE(info->keyspace[0].db, 0);
        QCOMPARE(info->keyspace[0].keys, std::uint64_t{2});
        QCOMPARE(info->keyspace[0].expires, std::uint64_t{1});
        QCOMPARE(info->keyspace[1].db, 3);
        QCOMPARE(info->keyspace[1].keys, std::uint64_t{3});
        QCOMPARE(info->keyspace[1].expires, std::uint64_t{1});
        QVERIFY(info->keyspace[1].avg_ttl_ms <= 500000);  // the server's estimate (0: not yet)
        bool sawVersion = false;
        for (const auto& [name, value] : info->fields) sawVersion |= name == "redis_version";
        QVERIFY(sawVersion);
    }

    void slowlogReturnsACommand() {
        QVERIFY(test::runRedisCommands(m_server->port(),
                                       {{"CONFIG", "SET", "slowlog-log-slower-than", "0"},
                                        {"SLOWLOG", "RESET"},
                                        {"SET", "slow:marker", "\x01value"},
                                        {"CLIENT", "SETNAME", "tester"},
                                        {"GET", "slow:marker"}}));
        auto src = open();
        auto log = src->slowlog(20);
        QVERIFY2(log.ok(), log.status().toString().c_str());
        bool found = false;
        for (const auto& e : *log) {
            if (e.args.size() == 3 && e.args[0] == "SET" && e.args[1] == "slow:marker") {
                found = true;
                QCOMPARE(e.args[2], std::string("b'\\x01value'"));  // not printable: Python bytes
                QVERIFY(e.time_seconds > 1'600'000'000);
                QVERIFY(e.client.find("127.0.0.1:") == 0);
            }
        }
        QVERIFY2(found, "SET slow:marker is in the slow log");
        // Newest first, and bounded.
        QVERIFY(log->size() >= 2 && log->front().id > log->back().id);
        auto two = src->slowlog(2);
        QVERIFY(two.ok());
        QCOMPARE(two->size(), std::size_t{2});
        auto none = src->slowlog(0);
        QVERIFY(none.ok() && none->empty());
        QVERIFY(test::runRedisCommands(
            m_server->port(),
            {{"CONFIG", "SET", "slowlog-log-slower-than", "10000"}, {"DEL", "slow:marker"}}));
    }

    void slowlogRefusedToAnAclUser() {
        QVERIFY(test::runRedisCommands(m_server->port(), {{"ACL", "SETUSER", "noslow", "on", ">pw",
                                                           "~*", "+@all", "-slowlog"}}));
        auto src = open(0, "noslow:pw");
        auto log = src->slowlog(10);
        QVERIFY(!log.ok());
        QVERIFY(log.status().code() == StatusCode::kPermissionDenied);
        const std::string text = log.status().toString();
        QVERIFY2(text.find("SLOWLOG") != std::string::npos &&
                     text.find("not permitted") != std::string::npos,
                 text.c_str());
        // The rest still works.
        QVERIFY(src->serverInfo().ok());
    }

    void selectDatabaseListsItsKeys() {
        auto src = open(0);
        QCOMPARE(listed(*src), (std::set<std::string>{"zero:a", "zero:b"}));
        auto before = src->namespaces(1000);
        QVERIFY(before.ok() && before->keys_scanned == 2);
        QVERIFY(src->selectDatabase(3).ok());
        QCOMPARE(listed(*src), (std::set<std::string>{"three:a", "three:b", "three:c"}));
        auto ns = src->namespaces(1000);
        QVERIFY(ns.ok());
        QCOMPARE(ns->keys_scanned, std::uint64_t{3});  // counted afresh, in database 3
        QVERIFY(ns->complete);
        QCOMPARE(ns->nodes.front().prefix, std::string("three"));
        auto stats = src->stats();
        QVERIFY(stats.ok());
        QCOMPARE(*stats->entries, std::uint64_t{3});
        QCOMPARE(src->serverInfo()->db, 3);
        QVERIFY(src->info().note.find("db 3") != std::string::npos);
        // A database the server lacks: refused, and the source stays in database 3.
        Status bad = src->selectDatabase(99);
        QVERIFY(bad.code() == StatusCode::kInvalidArgument);
        QVERIFY2(bad.toString().find("no database 99") != std::string::npos,
                 bad.toString().c_str());
        QVERIFY(src->selectDatabase(-1).code() == StatusCode::kInvalidArgument);
        QCOMPARE(listed(*src).size(), std::size_t{3});
        QVERIFY(src->selectDatabase(0).ok());
        QCOMPARE(listed(*src), (std::set<std::string>{"zero:a", "zero:b"}));
    }

    // A change made after selectDatabase() is recorded in the audit log under the database it
    // was made in, not the one the URL names.
    void theAuditNamesTheSelectedDatabase() {
        QVERIFY(
            test::runRedisCommands(m_server->port(), {{"SELECT", "5"}, {"SET", "five:a", "1"}}));
        test::TempDir dir;
        auto info = Discovery::identifyUrl(m_server->url(0));
        QVERIFY(info.ok());
        OpenOptions options;
        options.audit_log = dir.path() / "audit.jsonl";
        auto src = Discovery::open(*info, options);
        QVERIFY2(src.ok(), src.status().toString().c_str());
        QVERIFY((*src)->selectDatabase(5).ok());
        PlanRequest request;
        request.action = PlanRequest::Action::kMatchGlob;
        request.glob = "five:*";
        auto plan = (*src)->plan(request);
        QVERIFY2(plan.ok(), plan.status().toString().c_str());
        auto done = (*plan)->execute();
        QVERIFY2(done.ok(), done.status().toString().c_str());
        QCOMPARE(done->deleted, std::uint64_t{1});
        auto log = readAuditLog(options.audit_log, 10);
        QVERIFY(log.ok() && log->records.size() == 1);
        const AuditRecord& r = log->records.front();
        QVERIFY2(r.location.find("db 5") != std::string::npos, r.location.c_str());
        QVERIFY2(r.source.find("db 5") != std::string::npos, r.source.c_str());
        // Back in the URL's own database, the name is the URL's again.
        QVERIFY((*src)->selectDatabase(0).ok());
        QCOMPARE((*src)->info().name, info->name);
    }

    void otherSourcesHaveNoServer() {
        test::TempDir dir;
        auto info = Discovery::identify(dir.path());
        QVERIFY(info.ok());
        auto src = Discovery::open(*info, {});
        QVERIFY(src.ok());
        QVERIFY((*src)->serverInfo().status().code() == StatusCode::kNotSupported);
        QVERIFY((*src)->slowlog(5).status().code() == StatusCode::kNotSupported);
        QVERIFY((*src)->selectDatabase(1).code() == StatusCode::kNotSupported);
    }
};

QTEST_GUILESS_MAIN(TestInspectServer)
#include "test_inspect_server.moc"
