// Editing on a real Redis Cluster (tests/support/redis_cluster.h): one key's TTL and value
// routed to the master of its slot, a rename within one slot (a hash tag) and the CROSSSLOT
// refusal across slots, hash fields set and removed on the master of their key, and a bulk
// TTL plan by glob that reaches the keys of every master.
#include <QtTest>

#include "redis/redis_cluster_slot.h"
#include "redis_cluster.h"
#include "redis_cluster_data.h"
#include "redis_commands.h"
#include "twat_cache/inspect.h"

using namespace twat_cache;
using namespace std::chrono_literals;
using test::RedisCluster;

namespace {

std::vector<std::pair<std::string, std::string>> numbered(const std::string& prefix, int n) {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (int i = 0; i < n; ++i) pairs.emplace_back(prefix + std::to_string(i), "v");
    return pairs;
}

}  // namespace

class TestInspectRedisClusterEdit : public QObject {
    Q_OBJECT

    std::unique_ptr<RedisCluster> m_cluster;
    std::vector<int> m_masters;  // by first slot

    std::unique_ptr<Source> open() {
        auto info = Discovery::identifyUrl(m_cluster->seedUrl(0));
        if (!info.ok()) qFatal("identifyUrl: %s", info.status().toString().c_str());
        OpenOptions o;
        o.audit = false;
        auto src = Discovery::open(*info, o);
        if (!src.ok()) qFatal("open: %s", src.status().toString().c_str());
        return std::move(*src);
    }

    // The PTTL of `key`, asked of the master that holds it (-2: no master has it).
    long long pttl(const std::string& key) {
        for (const int port : m_masters) {
            test::RawRedis raw(port);
            if (raw.run({"EXISTS", key}) == "1") return std::stoll(raw.run({"PTTL", key}));
        }
        return -2;
    }
    std::string get(const std::string& key) {
        for (const int port : m_masters) {
            test::RawRedis raw(port);
            if (raw.run({"EXISTS", key}) == "1") return raw.run({"GET", key});
        }
        return "(none)";
    }

  private slots:
    void initTestCase() {
        if (!RedisCluster::available()) QSKIP(RedisCluster::skipReason().c_str());
        m_cluster = std::make_unique<RedisCluster>();
        const std::string error = m_cluster->start();
        QVERIFY2(error.empty(), error.c_str());
        m_masters = test::clusterMasterPorts(*m_cluster);
        QCOMPARE(m_masters.size(), std::size_t{3});
    }

    void init() {
        for (const int port : m_masters) m_cluster->command(port, {"FLUSHALL"});
    }

    void oneKeyEditsReachItsMaster() {
        auto pairs = numbered("k:", 30);  // on every master
        QVERIFY(test::seedClusterKeys(*m_cluster, pairs).empty());
        auto src = open();
        for (const auto& [key, value] : pairs) {
            EditRequest r;
            r.action = EditAction::kSetTtl;
            r.entry_id = key;
            r.ttl = 1h;
            auto done = src->edit(r);
            QVERIFY2(done.ok(), done.status().toString().c_str());
            QVERIFY(pttl(key) > 0);
            r.action = EditAction::kSetValue;
            r.value = "new " + key;
            QVERIFY(src->edit(r).ok());
            QCOMPARE(get(key), "new " + key);
            QVERIFY(pttl(key) > 0);
            r.action = EditAction::kPersist;
            QVERIFY(src->edit(r).ok());
            QCOMPARE(pttl(key), -1LL);
        }
    }

    void memberEditsReachTheMasterOfTheirSlot() {
        std::vector<std::string> keys;
        for (int i = 0; i < 12; ++i) keys.push_back("h:" + std::to_string(i));  // every master
        for (const int port : m_masters) {
            test::RawRedis raw(port);
            for (const auto& key : keys) raw.run({"HSET", key, "f", "v"});  // MOVED elsewhere
        }
        auto src = open();
        for (const auto& key : keys) {
            EditRequest r;
            r.action = EditAction::kHashSet;
            r.entry_id = key;
            r.member = "g";
            r.value = "w " + key;
            auto done = src->edit(r);
            QVERIFY2(done.ok(), done.status().toString().c_str());
            r.action = EditAction::kHashDelete;
            r.member = "f";
            QVERIFY(src->edit(r).ok());
            int found = 0;
            for (const int port : m_masters) {
                test::RawRedis raw(port);
                if (raw.run({"EXISTS", key}) != "1") continue;
                ++found;
                QCOMPARE(raw.run({"HGET", key, "g"}), "w " + key);
                QCOMPARE(raw.run({"HEXISTS", key, "f"}), std::string("0"));
            }
            QCOMPARE(found, 1);
        }
    }

    void renameStaysWithinItsSlot() {
        QVERIFY(test::seedClusterKeys(*m_cluster, {{"{user}:old", "v"}, {"plain", "w"}}).empty());
        auto src = open();
        EditRequest r;
        r.action = EditAction::kRename;
        r.entry_id = "{user}:old";
        r.new_key = "{user}:new";
        auto done = src->edit(r);
        QVERIFY2(done.ok(), done.status().toString().c_str());
        QCOMPARE(get("{user}:new"), std::string("v"));
        QCOMPARE(get("{user}:old"), std::string("(none)"));

        // "plain" and "elsewhere" hash to different slots: refused as Redis would.
        QVERIFY(detail::keySlot("plain") != detail::keySlot("elsewhere"));
        r.entry_id = "plain";
        r.new_key = "elsewhere";
        auto refused = src->edit(r);
        QCOMPARE(refused.status().code(), StatusCode::kInvalidArgument);
        QVERIFY2(refused.status().message().find("CROSSSLOT") != std::string::npos,
                 refused.status().message().c_str());
        QCOMPARE(get("plain"), std::string("w"));
        QCOMPARE(get("elsewhere"), std::string("(none)"));
    }

    void bulkTtlReachesEveryMaster() {
        QVERIFY(test::seedClusterKeys(*m_cluster, numbered("bulk:", 3000)).empty());
        QVERIFY(test::seedClusterKeys(*m_cluster, numbered("keep:", 300)).empty());
        auto src = open();
        PlanRequest p;
        p.action = PlanRequest::Action::kSetTtl;
        p.glob = "bulk:*";
        p.ttl = 1h;
        auto plan = src->plan(p);
        QVERIFY2(plan.ok(), plan.status().toString().c_str());
        QCOMPARE((*plan)->preview().count, std::uint64_t{3000});
        auto r = (*plan)->execute();
        QVERIFY2(r.ok(), r.status().toString().c_str());
        QCOMPARE(r->updated, std::uint64_t{3000});
        for (const int port : m_masters) {
            test::RawRedis raw(port);
            const auto bulk = test::nodeKeys(port, "bulk:*");
            QVERIFY(!bulk.empty());  // the keys spread over every master
            for (const auto& k : bulk) QVERIFY(std::stoll(raw.run({"PTTL", k})) > 0);
            for (const auto& k : test::nodeKeys(port, "keep:*")) {
                QCOMPARE(raw.run({"PTTL", k}), std::string("-1"));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestInspectRedisClusterEdit)
#include "test_inspect_redis_cluster_edit.moc"
