// Editing through the inspection layer on a real redis-server, checked on the server
// afterwards: one key's TTL set and removed, a key renamed (never over an existing one), a
// string's value replaced keeping its TTL; bulk TTL plans over 10k+ keys by glob (only the
// matching keys change; a cancelled run leaves the rest untouched) and by named keys
// (fingerprint-checked); read-only refusal; the audit records; sources that cannot edit.
#include <QtTest>
#include <atomic>

#include "redis_commands.h"
#include "redis_server.h"
#include "twat_cache/audit_log.h"
#include "twat_cache/inspect.h"
#include "url_source.h"

using namespace twat_cache;
using namespace std::chrono_literals;
using test::RawRedis;
using test::RedisServer;

namespace {

// Keys matching ARGV[1] that have a TTL (test-sized data: KEYS).
constexpr const char* kCountWithTtl = R"lua(
local n = 0
for _, k in ipairs(redis.call('KEYS', ARGV[1])) do
    if redis.call('PTTL', k) > 0 then n = n + 1 end
end
return n
)lua";

std::vector<std::pair<std::string, std::string>> numbered(const std::string& prefix, int n) {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (int i = 0; i < n; ++i) pairs.emplace_back(prefix + std::to_string(i), "v");
    return pairs;
}

}  // namespace

class TestInspectRedisEdit : public QObject {
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
    long long number(const std::vector<std::string>& args) { return std::stoll(run(args)); }
    long long withTtl(const std::string& pattern) {
        return number({"EVAL", kCountWithTtl, "0", pattern});
    }

    std::vector<AuditRecord> records() {
        auto log = readAuditLog(auditPath(), 1000);
        if (!log.ok()) qFatal("readAuditLog: %s", log.status().toString().c_str());
        return log->records;
    }

    static EditRequest request(EditAction action, std::string id) {
        EditRequest r;
        r.action = action;
        r.entry_id = std::move(id);
        return r;
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

    void setTtlOnOneKey() {
        run({"SET", "e:str", "hello"});
        auto src = open();
        EditRequest r = request(EditAction::kSetTtl, "e:str");
        r.ttl = 1h;
        auto done = src->edit(r);
        QVERIFY2(done.ok(), done.status().toString().c_str());
        QVERIFY(done->audit_error.empty());
        const long long pttl = number({"PTTL", "e:str"});
        QVERIFY2(pttl > 3'590'000 && pttl <= 3'600'000, std::to_string(pttl).c_str());
        QVERIFY(done->entry.expires_ms.has_value());  // the row shows the new expiry
        QCOMPARE(run({"GET", "e:str"}), std::string("hello"));

        r.ttl = 0ms;
        QCOMPARE(src->edit(r).status().code(), StatusCode::kInvalidArgument);
        r = request(EditAction::kSetTtl, "e:missing");
        r.ttl = 1s;
        QCOMPARE(src->edit(r).status().code(), StatusCode::kNotFound);
        QCOMPARE(number({"EXISTS", "e:missing"}), 0LL);
    }

    void persistRemovesTtl() {
        run({"SET", "e:ttl", "soon", "PX", "600000"});
        run({"SET", "e:forever", "x"});
        auto src = open();
        auto done = src->edit(request(EditAction::kPersist, "e:ttl"));
        QVERIFY2(done.ok(), done.status().toString().c_str());
        QCOMPARE(number({"TTL", "e:ttl"}), -1LL);
        QVERIFY(!done->entry.expires_ms.has_value());
        // A key without a TTL stays as it is; a missing key is NotFound.
        QVERIFY(src->edit(request(EditAction::kPersist, "e:forever")).ok());
        QCOMPARE(src->edit(request(EditAction::kPersist, "e:gone")).status().code(),
                 StatusCode::kNotFound);
    }

    void renameMovesTheKeyButNeverOverwrites() {
        run({"SET", "e:old", "value", "PX", "600000"});
        run({"SET", "e:taken", "other"});
        auto src = open();
        EditRequest r = request(EditAction::kRename, "e:old");
        r.new_key = "e:new";
        auto done = src->edit(r);
        QVERIFY2(done.ok(), done.status().toString().c_str());
        QCOMPARE(done->entry.id, std::string("e:new"));
        QCOMPARE(number({"EXISTS", "e:old"}), 0LL);
        QCOMPARE(run({"GET", "e:new"}), std::string("value"));
        QVERIFY(number({"PTTL", "e:new"}) > 0);  // RENAME keeps the TTL

        r = request(EditAction::kRename, "e:new");
        r.new_key = "e:taken";
        auto refused = src->edit(r);
        QCOMPARE(refused.status().code(), StatusCode::kInvalidArgument);
        QVERIFY2(refused.status().message().find("exists already") != std::string::npos,
                 refused.status().message().c_str());
        QCOMPARE(run({"GET", "e:taken"}), std::string("other"));
        QCOMPARE(run({"GET", "e:new"}), std::string("value"));

        r.new_key = "";
        QCOMPARE(src->edit(r).status().code(), StatusCode::kInvalidArgument);
    }

    void setValueReplacesAStringKeepingItsTtl() {
        run({"SET", "e:s", "before", "PX", "600000"});
        run({"HSET", "e:h", "f", "v"});
        auto src = open();
        EditRequest r = request(EditAction::kSetValue, "e:s");
        r.value = std::string("after\0bytes", 11);
        auto done = src->edit(r);
        QVERIFY2(done.ok(), done.status().toString().c_str());
        QCOMPARE(run({"GET", "e:s"}), std::string("after\0bytes", 11));
        QVERIFY(number({"PTTL", "e:s"}) > 0);
        QCOMPARE(done->entry.size > 0 || done->entry.length.value_or(0) == 11, true);

        r.entry_id = "e:h";
        auto refused = src->edit(r);
        QCOMPARE(refused.status().code(), StatusCode::kInvalidArgument);
        QCOMPARE(run({"TYPE", "e:h"}), std::string("hash"));
        QCOMPARE(run({"HGET", "e:h", "f"}), std::string("v"));
    }

    void readOnlyRefusesEveryEdit() {
        run({"SET", "e:ro", "x", "PX", "600000"});
        auto src = open(/*readOnly=*/true);
        for (const EditAction a : {EditAction::kSetTtl, EditAction::kPersist, EditAction::kRename,
                                   EditAction::kSetValue}) {
            EditRequest r = request(a, "e:ro");
            r.ttl = 1s;
            r.new_key = "e:renamed";
            r.value = "changed";
            QCOMPARE(src->edit(r).status().code(), StatusCode::kPermissionDenied);
        }
        PlanRequest p;
        p.action = PlanRequest::Action::kSetTtl;
        p.glob = "e:*";
        auto plan = src->plan(p);
        QVERIFY2(plan.ok(), plan.status().toString().c_str());
        QCOMPARE((*plan)->execute().status().code(), StatusCode::kPermissionDenied);
        QCOMPARE(run({"GET", "e:ro"}), std::string("x"));
        QVERIFY(number({"PTTL", "e:ro"}) > 0);
        QCOMPARE(number({"EXISTS", "e:renamed"}), 0LL);
        // The edits were refused before trying; the plan's refused run is recorded as such.
        auto log = records();
        QCOMPARE(log.size(), std::size_t{1});
        QCOMPARE(log[0].action, std::string("persist"));
        QCOMPARE(log[0].updated, std::uint64_t{0});
        QVERIFY2(log[0].error.find("read-only") != std::string::npos, log[0].error.c_str());
    }

    void editsAreRecordedInTheAuditLog() {
        run({"SET", "e:a", "1"});
        auto src = open();
        EditRequest r = request(EditAction::kSetTtl, "e:a");
        r.ttl = 90s;
        QVERIFY(src->edit(r).ok());
        QVERIFY(src->edit(request(EditAction::kPersist, "e:a")).ok());
        r = request(EditAction::kSetValue, "e:a");
        r.value = "2";
        QVERIFY(src->edit(r).ok());
        r = request(EditAction::kRename, "e:a");
        r.new_key = "e:b";
        QVERIFY(src->edit(r).ok());
        auto log = records();
        QCOMPARE(log.size(), std::size_t{4});
        const std::vector<std::string> actions = {"expire", "persist", "set_value", "rename"};
        for (std::size_t i = 0; i < log.size(); ++i) {
            QCOMPARE(log[i].action, actions[i]);
            QCOMPARE(log[i].updated, std::uint64_t{1});
            QCOMPARE(log[i].kind, std::string("redis"));
            QVERIFY2(log[i].what.find("e:a") != std::string::npos, log[i].what.c_str());
            QVERIFY(log[i].error.empty());
        }
        QVERIFY2(log[0].what.find("90 s") != std::string::npos, log[0].what.c_str());
        QVERIFY2(log[3].what.find("e:b") != std::string::npos, log[3].what.c_str());
    }

    void bulkTtlByGlobChangesOnlyMatchingKeys() {
        QVERIFY(test::runRedisCommands(m_server->port(),
                                       test::msetCommands(numbered("bulk:", 10'000))));
        QVERIFY(
            test::runRedisCommands(m_server->port(), test::msetCommands(numbered("other:", 500))));
        auto src = open();
        PlanRequest p;
        p.action = PlanRequest::Action::kSetTtl;
        p.glob = "bulk:*";
        p.ttl = 1h;
        auto plan = src->plan(p);
        QVERIFY2(plan.ok(), plan.status().toString().c_str());
        QCOMPARE((*plan)->preview().count, std::uint64_t{10'000});
        QCOMPARE((*plan)->preview().sample.size(), PlanPreview::kSampleSize);
        QCOMPARE(withTtl("*"), 0LL);  // the preview changed nothing
        std::uint64_t lastDone = 0;
        auto r = (*plan)->execute([&](std::uint64_t done, std::uint64_t) { lastDone = done; });
        QVERIFY2(r.ok(), r.status().toString().c_str());
        QCOMPARE(r->updated, std::uint64_t{10'000});
        QCOMPARE(r->deleted, std::uint64_t{0});
        QCOMPARE(lastDone, std::uint64_t{10'000});
        QCOMPARE(withTtl("bulk:*"), 10'000LL);
        QCOMPARE(withTtl("other:*"), 0LL);
        QCOMPARE(number({"DBSIZE"}), 10'500LL);

        // persist by the same glob takes them all back.
        p.ttl.reset();
        plan = src->plan(p);
        QVERIFY2(plan.ok(), plan.status().toString().c_str());
        r = (*plan)->execute();
        QVERIFY2(r.ok(), r.status().toString().c_str());
        QCOMPARE(r->updated, std::uint64_t{10'000});
        QCOMPARE(withTtl("*"), 0LL);
        auto log = records();
        QCOMPARE(log.size(), std::size_t{2});
        QCOMPARE(log[0].action, std::string("expire"));
        QCOMPARE(log[0].updated, std::uint64_t{10'000});
        QCOMPARE(log[1].action, std::string("persist"));
    }

    void cancelledBulkTtlLeavesTheRestUntouched() {
        // More keys than one round trip changes, so the cancel lands between batches.
        QVERIFY(test::runRedisCommands(m_server->port(),
                                       test::msetCommands(numbered("many:", 40'000))));
        auto src = open();
        PlanRequest p;
        p.action = PlanRequest::Action::kSetTtl;
        p.glob = "many:*";
        p.ttl = 1h;
        auto plan = src->plan(p);
        QVERIFY2(plan.ok(), plan.status().toString().c_str());
        std::atomic<bool> cancel{false};
        auto r =
            (*plan)->execute([&](std::uint64_t, std::uint64_t) { cancel.store(true); }, &cancel);
        QVERIFY2(r.ok(), r.status().toString().c_str());
        QVERIFY(r->cancelled);
        QVERIFY(r->updated > 0 && r->updated < 40'000);
        QCOMPARE(withTtl("many:*"), static_cast<long long>(r->updated));
        auto log = records();
        QCOMPARE(log.size(), std::size_t{1});
        QVERIFY(log[0].cancelled);
    }

    void namedKeysThatChangedSincePreviewAreKept() {
        run({"SET", "n:a", "1", "PX", "600000"});
        run({"SET", "n:b", "2", "PX", "600000"});
        auto src = open();
        PlanRequest p;
        p.action = PlanRequest::Action::kSetTtl;
        p.entry_ids = {"n:a", "n:b", "n:missing"};
        auto plan = src->plan(p);  // persist
        QVERIFY2(plan.ok(), plan.status().toString().c_str());
        QCOMPARE((*plan)->preview().count, std::uint64_t{2});
        run({"APPEND", "n:b", "changed"});
        auto r = (*plan)->execute();
        QVERIFY2(r.ok(), r.status().toString().c_str());
        QCOMPARE(r->updated, std::uint64_t{1});
        QCOMPARE(r->changed, std::uint64_t{1});
        QCOMPARE(number({"TTL", "n:a"}), -1LL);
        QVERIFY(number({"PTTL", "n:b"}) > 0);
    }

    void foldersCannotEdit() {
        test::TempDir dir;
        QVERIFY(QFile(QString::fromStdString((dir.path() / "f.bin").string()))
                    .open(QIODevice::WriteOnly));
        auto info = Discovery::identify(dir.path());
        QVERIFY2(info.ok(), info.status().toString().c_str());
        OpenOptions o;
        o.audit_log = auditPath();
        auto src = Discovery::open(*info, o);
        QVERIFY2(src.ok(), src.status().toString().c_str());
        QCOMPARE((*src)->supportsEdit(EditAction::kSetTtl).code(), StatusCode::kNotSupported);
        QCOMPARE((*src)->supports(PlanRequest::Action::kSetTtl).code(), StatusCode::kNotSupported);
        EditRequest r = request(EditAction::kSetTtl, "f.bin");
        r.ttl = 1s;
        QCOMPARE((*src)->edit(r).status().code(), StatusCode::kNotSupported);
        PlanRequest p;
        p.action = PlanRequest::Action::kSetTtl;
        p.glob = "*";
        QCOMPARE((*src)->plan(p).status().code(), StatusCode::kNotSupported);
        QVERIFY(records().empty());
    }
};

QTEST_GUILESS_MAIN(TestInspectRedisEdit)
#include "test_inspect_redis_edit.moc"
