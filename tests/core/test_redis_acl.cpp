// ACL users with few rights (Redis 6+) against a real redis-server: a least-privilege reader
// (`+@read +scan +info +ping +type +ttl +memory -@dangerous`, so no INFO, no UNLINK, no
// scripts) browses through the inspection layer and the CLI, is told in words what it may not
// do, and deletes nothing; a user without scripts still deletes by name; the engine reports a
// refusal as "not permitted by the server (NOPERM …)" and memoization keeps returning correct
// values when some commands are refused.
#include <QtTest>

#include "redis_commands.h"
#include "redis_server.h"
#include "test_support.h"
#include "twat_cache/config.h"
#include "twat_cache/inspect.h"
#include "twat_cache/memoize.h"
#include "twat_cache/redis_engine.h"

using namespace twat_cache;
using test::RedisServer;

namespace {

bool contains(const Status& s, std::string_view text) {
    return s.message().find(text) != std::string::npos;
}

}  // namespace

class TestRedisAcl : public QObject {
    Q_OBJECT

    std::unique_ptr<RedisServer> m_server;

    std::string urlAs(const std::string& user, const std::string& password) const {
        return "redis://" + user + ":" + password +
               "@127.0.0.1:" + std::to_string(m_server->port()) + "/0";
    }
    std::unique_ptr<Source> openAs(const std::string& user, const std::string& password) {
        auto info = Discovery::identifyUrl(urlAs(user, password));
        if (!info.ok()) qFatal("identifyUrl: %s", info.status().toString().c_str());
        OpenOptions o;
        o.audit = false;
        auto src = Discovery::open(*info, o);
        if (!src.ok()) qFatal("open: %s", src.status().toString().c_str());
        return std::move(*src);
    }

  private slots:
    void initTestCase() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        RedisServer::Options o;
        o.extra_args = {"--user",      "reader",      "on",       ">readpw", "~*",     "+@read",
                        "+scan",       "+info",       "+ping",    "+type",   "+ttl",   "+memory",
                        "-@dangerous", "--user",      "noscript", "on",      ">nspw",  "~*",
                        "+@all",       "-@scripting", "--user",   "noset",   "on",     ">nopw",
                        "~*",          "+@all",       "-set",     "--user",  "viewer", "on",
                        "nopass",      "~*",          "+@read",   "+ping"};
        m_server = std::make_unique<RedisServer>(o);
        const std::string error = m_server->start();
        QVERIFY2(error.empty(), error.c_str());
        std::vector<std::vector<std::string>> keys;
        for (int i = 0; i < 50; ++i) keys.push_back({"SET", "app:k" + std::to_string(i), "v"});
        keys.push_back({"HSET", "app:h", "f", "v"});
        QVERIFY(test::runRedisCommands(m_server->port(), keys));
    }

    void readerBrowses() {
        auto src = openAs("reader", "readpw");
        auto stats = src->stats();
        QVERIFY2(stats.ok(), stats.status().toString().c_str());
        QCOMPARE(stats->entries.value_or(0), 51u);
        QVERIFY2(stats->note.find("not permitted by the server") != std::string::npos,
                 stats->note.c_str());  // INFO is @dangerous: no hits and misses, and why
        std::uint64_t listed = 0;
        std::string cursor;
        do {
            auto page = src->entries(cursor, 20, {});
            QVERIFY2(page.ok(), page.status().toString().c_str());
            listed += page->entries.size();
            cursor = page->cursor;
        } while (!cursor.empty());
        QCOMPARE(listed, 51u);
        auto detail = src->detail("app:h");
        QVERIFY2(detail.ok(), detail.status().toString().c_str());
        auto ns = src->namespaces(1000);
        QVERIFY2(ns.ok(), ns.status().toString().c_str());
    }

    void readerIsToldWhatItMayNotDo() {
        auto src = openAs("reader", "readpw");
        for (auto action : {PlanRequest::Action::kDeleteEntries, PlanRequest::Action::kMatchGlob,
                            PlanRequest::Action::kClearAll}) {
            const Status why = src->supports(action);
            QVERIFY(!why.ok());
            QVERIFY2(contains(why, "not permitted by the server (NOPERM"), why.message().c_str());
        }
        PlanRequest glob;
        glob.action = PlanRequest::Action::kMatchGlob;
        glob.glob = "app:*";
        auto plan = src->plan(glob);
        QCOMPARE(plan.status().code(), StatusCode::kPermissionDenied);
        test::RawRedis raw(m_server->port());
        QCOMPARE(raw.run({"DBSIZE"}), std::string("51"));

        auto cli = test::runProcess(
            TWAT_CACHE_CLI, {"clear", urlAs("reader", "readpw"), "--match", "app:*", "--yes"});
        QVERIFY(cli.exitCode != 0);
        QVERIFY2(cli.err.find("not permitted by the server (NOPERM") != std::string::npos,
                 cli.err.c_str());
        QVERIFY2(cli.err.find("readpw") == std::string::npos, cli.err.c_str());
        auto stats = test::runProcess(TWAT_CACHE_CLI, {"stats", urlAs("reader", "readpw")});
        QVERIFY2(stats.exitCode == 0, stats.err.c_str());
        QCOMPARE(raw.run({"DBSIZE"}), std::string("51"));
    }

    // Without scripts, named keys are still deleted (by name; the preview says so).
    void userWithoutScriptsDeletesByName() {
        test::RawRedis raw(m_server->port());
        QCOMPARE(raw.run({"SET", "tmp:one", "1"}), std::string("OK"));
        auto src = openAs("noscript", "nspw");
        PlanRequest named;
        named.action = PlanRequest::Action::kDeleteEntries;
        named.entry_ids = {"tmp:one"};
        auto plan = src->plan(named);
        QVERIFY2(plan.ok(), plan.status().toString().c_str());
        QVERIFY2((*plan)->preview().note.find("does not permit scripts") != std::string::npos,
                 (*plan)->preview().note.c_str());
        auto r = (*plan)->execute();
        QVERIFY2(r.ok(), r.status().toString().c_str());
        QCOMPARE(r->deleted, 1u);
        QCOMPARE(raw.run({"EXISTS", "tmp:one"}), std::string("0"));
    }

    // A user named without a password logs in as that user, never silently as `default`
    // (which here has every right).
    void userWithoutPasswordIsThatUser() {
        auto login = [this](const std::string& url) {
            auto info = Discovery::identifyUrl(url);
            OpenOptions o;
            o.audit = false;
            return Discovery::open(*info, o);
        };
        const std::string at = "@127.0.0.1:" + std::to_string(m_server->port()) + "/0";
        auto wrong = login("redis://reader" + at);  // reader has a password
        QCOMPARE(wrong.status().code(), StatusCode::kPermissionDenied);
        auto viewer = login("redis://viewer" + at);  // nopass: any password does
        QVERIFY2(viewer.ok(), viewer.status().toString().c_str());
        auto stats = (*viewer)->stats();
        QVERIFY2(stats.ok(), stats.status().toString().c_str());
        QVERIFY2(stats->note.find("not permitted by the server") != std::string::npos,
                 stats->note.c_str());  // INFO refused: this is viewer, not default
        QVERIFY(!(*viewer)->supports(PlanRequest::Action::kClearAll).ok());
    }

    void engineRefusalIsClear() {
        CacheConfig c;
        c.name = "acl";
        c.redis_url = urlAs("reader", "readpw");
        auto cfg = resolveConfig(c, [](std::string_view) { return std::optional<std::string>(); });
        QVERIFY(cfg.ok());
        auto engine = RedisEngine::open(*cfg);
        QCOMPARE(engine.status().code(), StatusCode::kPermissionDenied);
        QVERIFY2(contains(engine.status(), "not permitted by the server (NOPERM"),
                 engine.status().message().c_str());
        QVERIFY2(!contains(engine.status(), "readpw"), engine.status().message().c_str());
    }

    // A user who may not SET: each store is refused and counted, and every call still
    // returns the right value (computed again).
    void memoizationStaysCorrectWhenStoresAreRefused() {
        int calls = 0;
        auto f =
            memoizeWith(EngineKind::kRedis,
                        {.name = "aclmemo", .redis_url = urlAs("noset", "nopw")}, [&calls](int x) {
                            ++calls;
                            return x * x + 1;
                        });
        QVERIFY2(f.ok(), f.status().toString().c_str());
        for (int round = 0; round < 3; ++round) {
            for (int x = 0; x < 5; ++x) QCOMPARE((*f)(x), x * x + 1);
        }
        QVERIFY(f->stats().errors > 0);
        QCOMPARE(calls, 15);  // nothing could be stored
    }
};

QTEST_GUILESS_MAIN(TestRedisAcl)
#include "test_redis_acl.moc"
