// Editing the members of Redis hashes, lists, sets and sorted sets through the inspection
// layer on a real redis-server, each checked on the server afterwards (HGET, LRANGE,
// SISMEMBER, ZSCORE): the edit names the type it expects, so a key that changed type (or is
// gone) is never touched; list elements are removed by value or safely by index; read-only
// sources refuse; every edit is audited; the key's TTL stays.
#include <QtTest>

#include "redis_commands.h"
#include "redis_server.h"
#include "twat_cache/audit_log.h"
#include "twat_cache/inspect.h"
#include "url_source.h"

using namespace twat_cache;
using test::RawRedis;
using test::RedisServer;

namespace {

constexpr const char* kJoinList = "return table.concat(redis.call('LRANGE', KEYS[1], 0, -1), ',')";

EditRequest member(EditAction action, std::string id, std::string memberName,
                   std::string value = {}) {
    EditRequest r;
    r.action = action;
    r.entry_id = std::move(id);
    r.member = std::move(memberName);
    r.value = std::move(value);
    return r;
}

}  // namespace

class TestInspectRedisMemberEdit : public QObject {
    Q_OBJECT

    std::unique_ptr<RedisServer> m_server;
    std::unique_ptr<test::TempDir> m_dir;
    std::unique_ptr<RawRedis> m_raw;

    std::filesystem::path auditPath() const { return m_dir->path() / "audit.jsonl"; }

    std::unique_ptr<Source> open(bool readOnly = false) {
        OpenOptions o;
        o.read_only = readOnly;
        o.audit_log = auditPath();
        return test::openUrlSource(m_server->url(), o);
    }

    std::string run(const std::vector<std::string>& args) { return m_raw->run(args); }
    std::string list(const std::string& key) { return run({"EVAL", kJoinList, "1", key}); }

    std::vector<AuditRecord> records() {
        auto log = readAuditLog(auditPath(), 1000);
        if (!log.ok()) qFatal("readAuditLog: %s", log.status().toString().c_str());
        return log->records;
    }

  private slots:
    void initTestCase() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        m_server = std::make_unique<RedisServer>();
        const std::string error = m_server->start();
        QVERIFY2(error.empty(), error.c_str());
        m_raw = std::make_unique<RawRedis>(m_server->port());
        QVERIFY(m_raw->ok());
    }

    void init() {
        m_dir = std::make_unique<test::TempDir>();
        QCOMPARE(run({"FLUSHALL"}), std::string("OK"));
    }

    void hashFieldsAreSetAndRemoved() {
        run({"HSET", "m:h", "a", "1", "b", "2"});
        run({"PEXPIRE", "m:h", "600000"});
        auto src = open();
        auto done = src->edit(member(EditAction::kHashSet, "m:h", "c", std::string("3\0x", 3)));
        QVERIFY2(done.ok(), done.status().toString().c_str());
        QCOMPARE(run({"HGET", "m:h", "c"}), std::string("3\0x", 3));
        QCOMPARE(done->entry.length, std::optional<std::uint64_t>(3));
        QVERIFY(src->edit(member(EditAction::kHashSet, "m:h", "a", "one")).ok());
        QCOMPARE(run({"HGET", "m:h", "a"}), std::string("one"));
        QVERIFY(src->edit(member(EditAction::kHashDelete, "m:h", "b")).ok());
        QCOMPARE(run({"HEXISTS", "m:h", "b"}), std::string("0"));
        auto missing = src->edit(member(EditAction::kHashDelete, "m:h", "nope"));
        QCOMPARE(missing.status().code(), StatusCode::kNotFound);
        QCOMPARE(run({"HLEN", "m:h"}), std::string("2"));
        QVERIFY(std::stoll(run({"PTTL", "m:h"})) > 0);  // the TTL stays
    }

    void listElementsArePushedSetAndRemoved() {
        run({"RPUSH", "m:l", "a", "b", "c", "b"});
        auto src = open();
        EditRequest r = member(EditAction::kListPushTail, "m:l", "", "z");
        QVERIFY(src->edit(r).ok());
        r.action = EditAction::kListPushHead;
        r.value = "first";
        QVERIFY(src->edit(r).ok());
        QCOMPARE(list("m:l"), std::string("first,a,b,c,b,z"));

        r = member(EditAction::kListSet, "m:l", "", "B");
        r.index = 2;
        r.expected = "b";
        auto done = src->edit(r);
        QVERIFY2(done.ok(), done.status().toString().c_str());
        QCOMPARE(list("m:l"), std::string("first,a,B,c,b,z"));
        // The element at the index is no longer the one shown: nothing changes.
        r.value = "X";
        auto stale = src->edit(r);
        QCOMPARE(stale.status().code(), StatusCode::kInvalidArgument);
        QVERIFY2(stale.status().message().find("list changed") != std::string::npos,
                 stale.status().message().c_str());
        r.index = 40;
        r.expected.reset();
        QCOMPARE(src->edit(r).status().code(), StatusCode::kNotFound);
        r.index.reset();
        QCOMPARE(src->edit(r).status().code(), StatusCode::kInvalidArgument);
        QCOMPARE(list("m:l"), std::string("first,a,B,c,b,z"));

        // By index: exactly that element, even when equal ones come before it.
        run({"RPUSH", "m:l", "a"});
        r = member(EditAction::kListRemove, "m:l", "");
        r.index = -1;
        r.expected = "a";
        done = src->edit(r);
        QVERIFY2(done.ok(), done.status().toString().c_str());
        QCOMPARE(list("m:l"), std::string("first,a,B,c,b,z"));
        r.index = 4;
        r.expected.reset();
        QVERIFY(src->edit(r).ok());
        QCOMPARE(list("m:l"), std::string("first,a,B,c,z"));
        // By value: the first equal element.
        QVERIFY(src->edit(member(EditAction::kListRemove, "m:l", "c")).ok());
        QCOMPARE(list("m:l"), std::string("first,a,B,z"));
        QCOMPARE(src->edit(member(EditAction::kListRemove, "m:l", "c")).status().code(),
                 StatusCode::kNotFound);
    }

    void setAndZsetMembersAreAddedAndRemoved() {
        run({"SADD", "m:s", "x", "y"});
        run({"ZADD", "m:z", "1", "one", "2", "two"});
        auto src = open();
        QVERIFY(src->edit(member(EditAction::kSetAdd, "m:s", "new")).ok());
        QCOMPARE(run({"SISMEMBER", "m:s", "new"}), std::string("1"));
        QCOMPARE(src->edit(member(EditAction::kSetAdd, "m:s", "x")).status().code(),
                 StatusCode::kInvalidArgument);
        QVERIFY(src->edit(member(EditAction::kSetRemove, "m:s", "y")).ok());
        QCOMPARE(run({"SISMEMBER", "m:s", "y"}), std::string("0"));
        QCOMPARE(src->edit(member(EditAction::kSetRemove, "m:s", "y")).status().code(),
                 StatusCode::kNotFound);

        EditRequest z = member(EditAction::kZsetAdd, "m:z", "three");
        z.score = 3.25;
        QVERIFY(src->edit(z).ok());
        QCOMPARE(run({"ZSCORE", "m:z", "three"}), std::string("3.25"));
        z.member = "one";
        z.score = 0.1;  // a score that needs all its digits
        QVERIFY(src->edit(z).ok());
        QCOMPARE(std::stod(run({"ZSCORE", "m:z", "one"})), 0.1);
        z.score = -std::numeric_limits<double>::infinity();
        QVERIFY(src->edit(z).ok());
        QCOMPARE(run({"ZSCORE", "m:z", "one"}), std::string("-inf"));
        z.score = std::numeric_limits<double>::quiet_NaN();
        QCOMPARE(src->edit(z).status().code(), StatusCode::kInvalidArgument);
        QVERIFY(src->edit(member(EditAction::kZsetRemove, "m:z", "two")).ok());
        QCOMPARE(run({"ZSCORE", "m:z", "two"}), std::string("(nil)"));
        QCOMPARE(run({"ZCARD", "m:z"}), std::string("2"));
    }

    void aKeyOfAnotherTypeIsNeverTouched() {
        // Shown as a hash, then replaced by a string of the same name.
        run({"SET", "m:t", "a string now"});
        run({"RPUSH", "m:list", "a"});
        auto src = open();
        auto refused = src->edit(member(EditAction::kHashSet, "m:t", "f", "v"));
        QCOMPARE(refused.status().code(), StatusCode::kInvalidArgument);
        QVERIFY2(refused.status().message().find("holds a string, not a hash") != std::string::npos,
                 refused.status().message().c_str());
        QCOMPARE(run({"GET", "m:t"}), std::string("a string now"));
        // A list is not a set, even for an edit Redis would accept on both.
        QCOMPARE(src->edit(member(EditAction::kSetRemove, "m:list", "a")).status().code(),
                 StatusCode::kInvalidArgument);
        EditRequest z = member(EditAction::kZsetAdd, "m:list", "a");
        QCOMPARE(src->edit(z).status().code(), StatusCode::kInvalidArgument);
        QCOMPARE(list("m:list"), std::string("a"));
        QCOMPARE(run({"TYPE", "m:list"}), std::string("list"));
        // A key that is gone is not created again.
        auto gone = src->edit(member(EditAction::kSetAdd, "m:gone", "x"));
        QCOMPARE(gone.status().code(), StatusCode::kNotFound);
        QCOMPARE(run({"EXISTS", "m:gone"}), std::string("0"));
    }

    void readOnlyRefusesMemberEdits() {
        run({"HSET", "m:ro", "f", "v"});
        auto src = open(/*readOnly=*/true);
        for (const EditAction a :
             {EditAction::kHashSet, EditAction::kHashDelete, EditAction::kListPushTail,
              EditAction::kSetAdd, EditAction::kZsetRemove}) {
            QCOMPARE(src->edit(member(a, "m:ro", "f", "changed")).status().code(),
                     StatusCode::kPermissionDenied);
        }
        QCOMPARE(run({"HGET", "m:ro", "f"}), std::string("v"));
        QVERIFY(records().empty());
    }

    void memberEditsAreAudited() {
        run({"HSET", "m:a", "f", "v"});
        run({"SET", "m:str", "s"});
        auto src = open();
        QVERIFY(src->edit(member(EditAction::kHashSet, "m:a", "g", "secret")).ok());
        QVERIFY(src->edit(member(EditAction::kHashDelete, "m:a", "f")).ok());
        QVERIFY(!src->edit(member(EditAction::kSetAdd, "m:str", "x")).ok());
        auto log = records();
        QCOMPARE(log.size(), std::size_t{3});
        QCOMPARE(log[0].action, std::string("hset"));
        QCOMPARE(log[0].updated, std::uint64_t{1});
        QVERIFY2(log[0].what.find("'m:a'") != std::string::npos, log[0].what.c_str());
        QVERIFY2(log[0].what.find("'g'") != std::string::npos, log[0].what.c_str());
        QVERIFY2(log[0].what.find("secret") == std::string::npos, log[0].what.c_str());
        QCOMPARE(log[1].action, std::string("hdel"));
        QCOMPARE(log[2].action, std::string("sadd"));
        QCOMPARE(log[2].updated, std::uint64_t{0});
        QVERIFY2(log[2].error.find("not a set") != std::string::npos, log[2].error.c_str());
    }

    void otherSourcesHaveNoMembers() {
        test::TempDir dir;
        QVERIFY(QFile(QString::fromStdString((dir.path() / "f.bin").string()))
                    .open(QIODevice::WriteOnly));
        auto info = Discovery::identify(dir.path());
        QVERIFY2(info.ok(), info.status().toString().c_str());
        auto src = Discovery::open(*info);
        QVERIFY2(src.ok(), src.status().toString().c_str());
        const Status why = (*src)->supportsEdit(EditAction::kHashSet);
        QCOMPARE(why.code(), StatusCode::kNotSupported);
        QVERIFY2(why.message().find("no members") != std::string::npos, why.message().c_str());
    }
};

QTEST_GUILESS_MAIN(TestInspectRedisMemberEdit)
#include "test_inspect_redis_member_edit.moc"
