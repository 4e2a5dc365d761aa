// Changing the expiry of our own caches' entries through the inspection layer (sqlite: the
// row's `expires`; files: the envelope, rewritten and renamed), read back through the engine
// itself: an entry given a TTL then misses once it is due, an entry made to persist outlives
// its old TTL, and the value stays byte for byte. Also the TTL plan over named entries and a
// glob, the fingerprint guard (an entry stored again since it was shown is kept), read-only
// refusal, audit records, and what cannot be edited.
#include <QtTest>

#include "files_test_support.h"
#include "sqlite_test_util.h"
#include "test_support.h"
#include "twat_cache/audit_log.h"
#include "twat_cache/inspect.h"

using namespace twat_cache;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

Q_DECLARE_METATYPE(EngineKind)

namespace {

struct Fixture {
    test::TempDir dir;
    std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
    EngineKind kind;
    ResolvedConfig config;

    explicit Fixture(EngineKind k) : kind(k) {
        if (kind == EngineKind::kFiles) {
            config = test::filesConfig(dir.path() / "files", clock);
        } else {
            CacheConfig c;
            c.name = "nat";
            config = test::sqliteConfig(dir.path(), c, clock);
        }
    }

    std::unique_ptr<Engine> engine() {
        auto e = openEngine(kind, config);
        if (!e.ok()) qFatal("openEngine: %s", e.status().toString().c_str());
        return std::move(*e);
    }

    void store(Engine& e, const std::string& key, const std::string& value,
               std::optional<std::chrono::milliseconds> ttl = std::nullopt) {
        Record r = test::recordOf(key, value);
        r.ttl = ttl;
        QVERIFY((e.set(test::keyOf(key), r)).ok());
    }

    std::unique_ptr<Source> open(bool readOnly = false) {
        OpenOptions o;
        o.read_only = readOnly;
        o.clock = clock;
        o.audit_log = dir.path() / "audit.jsonl";
        auto info = Discovery::identify(config.folder);
        if (!info.ok()) qFatal("identify: %s", info.status().toString().c_str());
        auto src = Discovery::open(*info, o);
        if (!src.ok()) qFatal("open: %s", src.status().toString().c_str());
        return std::move(*src);
    }

    std::vector<AuditRecord> records() {
        auto log = readAuditLog(dir.path() / "audit.jsonl", 100);
        return log.ok() ? log->records : std::vector<AuditRecord>{};
    }
};

std::string idOf(const std::string& key) {
    return test::keyOf(key).toHex();
}

EditRequest expiry(const std::string& key, std::optional<std::chrono::milliseconds> ttl) {
    EditRequest r;
    r.action = ttl ? EditAction::kSetTtl : EditAction::kPersist;
    r.entry_id = idOf(key);
    r.ttl = ttl.value_or(0ms);
    return r;
}

}  // namespace

class TestInspectNativeEdit : public QObject {
    Q_OBJECT

    static void engines() {
        QTest::addColumn<EngineKind>("kind");
        QTest::newRow("sqlite") << EngineKind::kSqlite;
        QTest::newRow("files") << EngineKind::kFiles;
    }

  private slots:
    void setTtlMakesTheEntryExpire_data() { engines(); }
    void setTtlMakesTheEntryExpire() {
        QFETCH(EngineKind, kind);
        Fixture fx(kind);
        auto engine = fx.engine();
        fx.store(*engine, "a", "value a");
        fx.store(*engine, "b", "value b");
        QVERIFY(engine->flush().ok());
        auto src = fx.open();
        QVERIFY(src->supportsEdit(EditAction::kSetTtl).ok());
        auto done = src->edit(expiry("a", 1h));
        QVERIFY2(done.ok(), done.status().toString().c_str());
        QVERIFY(done->audit_error.empty());
        QCOMPARE(done->entry.expires_ms,
                 std::optional<std::int64_t>(fx.clock->nowMs() + 3'600'000));
        auto hit = engine->get(test::keyOf("a"));  // still there, the value unchanged
        QVERIFY2(hit.ok(), hit.status().toString().c_str());
        QCOMPARE(hit->payload, std::string("value a"));
        fx.clock->advanceMs(3'600'001);
        QCOMPARE(engine->get(test::keyOf("a")).status().code(), StatusCode::kNotFound);
        QVERIFY(engine->get(test::keyOf("b")).ok());  // the other entry is untouched
        const auto log = fx.records();
        QCOMPARE(log.size(), std::size_t{1});
        QCOMPARE(log[0].action, std::string("expire"));
        QCOMPARE(log[0].updated, std::uint64_t{1});
    }

    void persistOutlivesTheOldTtl_data() { engines(); }
    void persistOutlivesTheOldTtl() {
        QFETCH(EngineKind, kind);
        Fixture fx(kind);
        auto engine = fx.engine();
        fx.store(*engine, "soon", "short-lived", 1000ms);
        auto src = fx.open();
        auto done = src->edit(expiry("soon", std::nullopt));
        QVERIFY2(done.ok(), done.status().toString().c_str());
        QVERIFY(!done->entry.expires_ms.has_value());
        fx.clock->advanceMs(10'000);
        auto hit = engine->get(test::keyOf("soon"));
        QVERIFY2(hit.ok(), hit.status().toString().c_str());
        QCOMPARE(hit->payload, std::string("short-lived"));
        // A missing entry is NotFound.
        QCOMPARE(src->edit(expiry("absent", 1h)).status().code(), StatusCode::kNotFound);
    }

    void anEntryStoredAgainIsKept_data() { engines(); }
    void anEntryStoredAgainIsKept() {
        QFETCH(EngineKind, kind);
        Fixture fx(kind);
        auto engine = fx.engine();
        fx.store(*engine, "x", "first");
        auto src = fx.open();
        PlanRequest p;
        p.action = PlanRequest::Action::kSetTtl;
        p.entry_ids = {idOf("x")};
        p.ttl = 1h;
        auto plan = src->plan(p);
        QVERIFY2(plan.ok(), plan.status().toString().c_str());
        QCOMPARE((*plan)->preview().count, std::uint64_t{1});
        fx.clock->advanceMs(5);
        fx.store(*engine, "x", "second");
        auto r = (*plan)->execute();
        QVERIFY2(r.ok(), r.status().toString().c_str());
        QCOMPARE(r->changed, std::uint64_t{1});
        QCOMPARE(r->updated, std::uint64_t{0});
        fx.clock->advanceMs(7'200'000);
        auto hit = engine->get(test::keyOf("x"));  // no TTL was set on the new value
        QVERIFY2(hit.ok(), hit.status().toString().c_str());
        QCOMPARE(hit->payload, std::string("second"));
    }

    void ttlPlanByGlob_data() { engines(); }
    void ttlPlanByGlob() {
        QFETCH(EngineKind, kind);
        Fixture fx(kind);
        auto engine = fx.engine();
        for (int i = 0; i < 50; ++i) fx.store(*engine, "user:" + std::to_string(i), "u");
        for (int i = 0; i < 10; ++i) fx.store(*engine, "other:" + std::to_string(i), "o");
        QVERIFY(engine->flush().ok());
        auto src = fx.open();
        PlanRequest p;
        p.action = PlanRequest::Action::kSetTtl;
        p.glob = "user:*";
        p.ttl = 1min;
        auto plan = src->plan(p);
        QVERIFY2(plan.ok(), plan.status().toString().c_str());
        QCOMPARE((*plan)->preview().count, std::uint64_t{50});
        auto r = (*plan)->execute();
        QVERIFY2(r.ok(), r.status().toString().c_str());
        QCOMPARE(r->updated, std::uint64_t{50});
        fx.clock->advanceMs(60'001);
        for (int i = 0; i < 50; ++i) {
            QCOMPARE(engine->get(test::keyOf("user:" + std::to_string(i))).status().code(),
                     StatusCode::kNotFound);
        }
        for (int i = 0; i < 10; ++i)
            QVERIFY(engine->get(test::keyOf("other:" + std::to_string(i))).ok());
    }

    // A TTL plan of 0 or less would make every entry it names expire at once: a deletion the
    // preview never showed. It is refused, as Source::edit() and the Redis plan refuse it.
    void aTtlPlanNeedsAPositiveTtl_data() { engines(); }
    void aTtlPlanNeedsAPositiveTtl() {
        QFETCH(EngineKind, kind);
        Fixture fx(kind);
        auto engine = fx.engine();
        fx.store(*engine, "keep", "kept");
        QVERIFY(engine->flush().ok());
        auto src = fx.open();
        for (const auto ttl : {0ms, -5000ms}) {
            PlanRequest p;
            p.action = PlanRequest::Action::kSetTtl;
            p.glob = "*";
            p.ttl = ttl;
            auto plan = src->plan(p);
            if (plan.ok()) QVERIFY((*plan)->execute().ok());
            QVERIFY2(engine->get(test::keyOf("keep")).ok(), "the entry expired");
            QCOMPARE(plan.status().code(), StatusCode::kInvalidArgument);
        }
    }

    void readOnlyAndOtherEditsAreRefused_data() { engines(); }
    void readOnlyAndOtherEditsAreRefused() {
        QFETCH(EngineKind, kind);
        Fixture fx(kind);
        auto engine = fx.engine();
        fx.store(*engine, "k", "v");
        QVERIFY(engine->flush().ok());
        {
            auto ro = fx.open(/*readOnly=*/true);
            QCOMPARE(ro->edit(expiry("k", 1s)).status().code(), StatusCode::kPermissionDenied);
        }
        auto src = fx.open();
        EditRequest rename = expiry("k", 1s);
        rename.action = EditAction::kRename;
        rename.new_key = "other";
        QCOMPARE(src->edit(rename).status().code(), StatusCode::kNotSupported);
        QCOMPARE(src->supportsEdit(EditAction::kHashSet).code(), StatusCode::kNotSupported);
        fx.clock->advanceMs(3'600'000);
        QVERIFY(engine->get(test::keyOf("k")).ok());
    }
};

QTEST_GUILESS_MAIN(TestInspectNativeEdit)
#include "test_inspect_native_edit.moc"
