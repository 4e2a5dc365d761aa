// RedisSource: any Redis server (one database) seen as an inspection Source.
//
// Keys are listed with SCAN, whose COUNT adapts to the server's latency: it starts at 1000,
// doubles while a round trip stays under kFastRoundTrip and halves when one exceeds
// kSlowRoundTrip, within [kMinCount, kMaxCount], so a large keyspace streams quickly and a
// busy server is not blocked for long by one SCAN. A listing page asks TYPE, PTTL, MEMORY
// USAGE (with SAMPLES kMemorySamples, so a huge collection costs the server a bounded sample)
// and OBJECT ENCODING in one pipeline, then the length by type in a second, for the keys shown
// only. The first pipeline also reads the envelope head (GETRANGE of kEnvelopeHeadBytes) of
// each key named like one of our caches' entries (twat_cache:<cache>:…<32 hex>), for its
// stored time and compute time (EntrySummary::compute_ns; Redis caches count no hits per
// entry, so saved_ns stays unknown); every other key's compute time is not recorded. columns()
// names the compute time once a listing has met such a key. Entry ids are
// the key names (hex-encoded with a "hex:" prefix when not printable).
//
// Type filter (EntryFilter::type): SCAN … TYPE on Redis 6.0 and later (the version from INFO
// server, asked once); on an older server, or with OpenOptions::redis_scan_type off, every
// scanned key's TYPE is asked in one pipeline per SCAN batch, and the page's note says so.
//
// Statistics: hits and misses are the server's (INFO stats, server-wide) less the lookups
// this process's own reads caused (TYPE, PTTL, GETRANGE, ... count as keyspace hits): each
// batch of own key reads is bracketed by INFO stats and recorded (redis_own_lookups.h).
//
// Namespaces: namespaces(budget) SCANs on from where the last call stopped and feeds each
// key to a NamespaceTree (bounded by the OpenOptions namespace limits), so the counts of a
// huge keyspace grow call by call in bounded memory.
//
// Editing (redis_source_edit.cpp): one key's TTL (PEXPIRE, PERSIST), its name (RENAMENX: an
// existing key is never overwritten; on a cluster both names must hash to one slot, as Redis
// requires) and a string's value (a script: SET ... KEEPTTL only while the key holds a string).
// A bulk TTL plan (PlanRequest::Action::kSetTtl) takes its keys like a delete plan (named, with
// fingerprints; or SCAN MATCH over the whole keyspace, every master of a cluster) and changes
// them by the same script, in the same batches.
//
// Maintenance: deletes use UNLINK in pipelined batches. A glob plan collects the matching
// names with SCAN MATCH (names only; sizes are not measured); clear-all previews DBSIZE and
// executes SCAN + UNLINK per round trip, and refuses to execute without
// PlanRequest::confirmed because it empties the whole database. Clear-expired is a no-op
// (Redis expires keys itself); age-based and size-based pruning are NotSupported: Redis
// records no storage time.
//
// Redis Cluster (detected at open, redis_cluster.h): listings, namespaces and plans SCAN every
// master in turn under a composite cursor (redis_cluster_keys.h); at the end of a walk begun
// by this source, the keys of slots whose master changed meanwhile are listed once more from
// their new master (CLUSTER GETKEYSINSLOT), so that a slot migrated during the walk loses no
// key (some may repeat, as SCAN's may). Key reads and deletes are routed by slot (one round
// trip per node, in parallel), UNLINK and the delete script get keys of one slot each; stats
// sum DBSIZE and INFO over the masters and report every node (SourceStats::nodes). The
// own-lookups bracketing is off on a cluster (its hits and misses include this inspector's
// reads, and the note says so).
//
// Thread safety: one thread at a time (see Source); the source owns one connection (and, on a
// cluster, a RedisCluster with a small pool per node).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "format/envelope.h"
#include "inspect/namespace_tree.h"
#include "redis/redis_cluster.h"
#include "redis/redis_connection.h"
#include "redis/redis_scan.h"
#include "twat_cache/codec.h"
#include "twat_cache/inspect.h"

namespace twat_cache::detail {

Result<std::unique_ptr<Source>> openRedisSource(const SourceInfo& info, const OpenOptions& options);
// Bytes from the server as display text: printable text as it is, anything else in Python
// bytes notation (b'\x00...').
std::string renderRedisText(std::string_view bytes);

class RedisSource final : public Source {
  public:
    static constexpr std::size_t kInitialCount = 1000;
    static constexpr std::size_t kMinCount = 100;
    static constexpr std::size_t kMaxCount = 50'000;
    static constexpr std::chrono::microseconds kFastRoundTrip{4000};
    static constexpr std::chrono::microseconds kSlowRoundTrip{25'000};
    static constexpr std::size_t kUnlinkKeys = 1000;    // keys per UNLINK command
    static constexpr std::size_t kUnlinkPipeline = 16;  // UNLINK commands per round trip
    // Elements of a collection MEMORY USAGE samples (Redis's default too): its cost stays
    // bounded however big the key, and the figure is an estimate for big collections.
    static constexpr int kMemorySamples = 5;
    // Bytes of an entry envelope a listing reads: the fixed header, the key text's varint, a
    // key text as long as memoization writes (kKeyTextLimit) and the compute time.
    static constexpr std::size_t kEnvelopeHeadBytes =
        kEnvelopeFixedHeader + 10 + kKeyTextLimit + 64 + 8;

    RedisSource(SourceInfo info, const OpenOptions& options, ConnectSettings settings,
                std::unique_ptr<RedisConnection> conn,
                std::unique_ptr<RedisCluster> cluster = nullptr);

    SourceInfo info() const override { return m_info; }
    Result<SourceStats> stats() override;
    Result<EntryPage> entries(std::string_view cursor, std::size_t limit,
                              const EntryFilter& filter) override;
    Result<EntryDetail> detail(std::string_view entryId) override;
    Result<BatchOutcome> deleteBatch(const std::vector<EntrySummary>& batch) override;
    Result<std::unique_ptr<Plan>> makePlan(const PlanRequest& request) override;
    Status supports(PlanRequest::Action action) const override;
    Status supportsEdit(EditAction action) const override;
    Result<NamespaceReport> namespaces(std::size_t budget) override;
    Result<std::vector<EntrySummary>> sample(std::size_t n) override;  // redis_sample.cpp
    // Key, type, TTL, length, memory (MEMORY USAGE) and encoding.
    std::vector<EntryColumn> columns() const override;
    // HSCAN, LRANGE, SSCAN, ZRANGE/ZRANGEBYSCORE, XRANGE or GETRANGE pages of one key, routed
    // by its slot on a cluster (redis_value_page.cpp).
    Result<ValuePage> valuePage(std::string_view entryId, const ValueQuery& query) override;
    // INFO, CONFIG GET databases and SLOWLOG GET of the connected server; SELECT of another
    // database (redis_source_server.cpp).
    Result<ServerInfo> serverInfo() override;
    Result<std::vector<SlowlogEntry>> slowlog(std::size_t n) override;
    Status selectDatabase(int db) override;

    // ---- used by the plans (redis_source_plan.cpp) ----
    using ScanStep = ScanReply;  // redis/redis_scan.h
    // One SCAN round trip from `cursor` ("0": the start; the next cursor is "0" at the end)
    // with the adaptive COUNT (or `count` when not 0), MATCH `match` and TYPE `type` unless
    // empty (TYPE only where scanTypeSupported()). On a cluster the cursor is composite
    // (clusterScanOnce()) and the walk spans every master.
    Result<ScanStep> scanOnce(const std::string& cursor, const std::string& match,
                              std::size_t count = 0, const std::string& type = {});
    // TYPE, PTTL, MEMORY USAGE, OBJECT ENCODING and length of each key, pipelined (two round
    // trips).
    Result<std::vector<EntrySummary>> describe(const std::vector<std::string>& keys);
    // UNLINKs keys[from, to) in pipelined commands; returns how many existed.
    Result<std::uint64_t> unlink(const std::vector<std::string>& keys, std::size_t from,
                                 std::size_t to);
    // What changeUnchanged() does to each key that did not change.
    struct KeyChange {
        enum class Op { kUnlink, kExpire, kPersist };
        Op op = Op::kUnlink;
        std::int64_t ttl_ms = 0;  // kExpire: PEXPIRE's milliseconds
    };
    // Applies `change` to those of keys[from, to) whose type and length still give
    // fingerprints[i] (see EntrySummary::fingerprint; "", or no fingerprints at all, takes
    // the key whatever it holds now), in one script per kUnlinkKeys keys, pipelined. Keys
    // that changed are left alone and counted.
    struct Changed {
        std::uint64_t applied = 0;  // keys deleted, or whose TTL was set or removed
        std::uint64_t changed = 0;
        std::vector<int> outcome;  // per key of [from, to): 1 applied, 0 gone, -1 changed
    };
    Result<Changed> changeUnchanged(const KeyChange& change, const std::vector<std::string>& keys,
                                    const std::vector<std::string>& fingerprints, std::size_t from,
                                    std::size_t to);
    // Every key matching `glob` (SCAN MATCH over the whole keyspace; on a cluster every
    // master), each once; of Redis type `type` only unless it is empty (SCAN … TYPE, or where
    // the server has none a TYPE of each key).
    Result<std::vector<std::string>> keysMatching(const std::string& glob,
                                                  const std::string& type = {});
    // The keys of entry `ids` that exist, with their fingerprints and sizes; counts them
    // (count, bytes, sample) into `pv`.
    struct NamedKeys {
        std::vector<std::string> keys, fingerprints;
        std::vector<std::uint64_t> sizes;
    };
    Result<NamedKeys> namedKeys(const std::vector<std::string>& ids, PlanPreview& pv);
    // The same for key names: those that exist, described (fingerprint, size) in bounded
    // pipelines and counted into `pv`.
    Result<NamedKeys> describedKeys(const std::vector<std::string>& keys, PlanPreview& pv);
    // Fills the sample of `pv` (described in one pipeline) from the first keys.
    Status addSample(const std::vector<std::string>& keys, PlanPreview& pv);
    // The fingerprint describe() gives a key of `type` with `length` elements or bytes.
    static std::string fingerprintOf(std::string_view type, std::optional<std::uint64_t> length);
    // Keys in the database (on a cluster: DBSIZE summed over the masters).
    Result<std::uint64_t> dbSize();
    // Whether the source is a Redis Cluster, and how many masters it has.
    bool isCluster() const { return m_cluster != nullptr; }
    std::size_t masterCount() const;

    // What this server lets the connection's user change (ACL users, Redis 6+): found at open
    // by commands that change nothing (UNLINK of a key that does not exist, an empty script).
    // Each is empty when permitted, else the server's refusal ("NOPERM ... 'unlink' ...").
    // A refusal to touch the probe's key (a key pattern) is not a refusal of the command.
    struct Permissions {
        std::string unlink;
        std::string eval;
    };
    Status probePermissions();
    const Permissions& permissions() const { return m_permissions; }
    std::size_t scanCount() const { return m_count; }
    int db() const { return m_settings.endpoint.db; }

    // Entry id <-> key name. A printable name is its own id; another is "hex:" and its bytes;
    // a name longer than kMaxIdKeyBytes is "long:<length>:<XXH3-128 hex>:<id of its first
    // kLongIdPrefixBytes>", so that ids stay bounded however long keys are. keyOf() maps the
    // first two back; resolveKey() all three (a long one by SCAN MATCH on its start, then its
    // length and hash: NotFound when no key has them).
    static constexpr std::size_t kMaxIdKeyBytes = 1024;
    static constexpr std::size_t kLongIdPrefixBytes = 128;
    static std::string idOf(std::string_view key);
    static Result<std::string> keyOf(std::string_view id);
    Result<std::string> resolveKey(std::string_view id);

  protected:
    Result<EntrySummary> applyEdit(const EditRequest& request) override;

  private:
    // makePlan() of kSetTtl: the named keys (fingerprint-checked) or the glob's.
    Result<std::unique_ptr<Plan>> makeTtlPlan(const PlanRequest& request);
    Result<RedisConnection*> connection();
    // One command about `key`: on a cluster on the master of its slot, else on the
    // connection; the reply, checked (an error reply is a Status naming `doing`).
    Result<ReplyPtr> keyCommand(const std::string& key, std::vector<std::string> args,
                                std::string_view doing);
    // applyEdit() of a member edit (isMemberEdit) of `key`: one script that checks the type.
    Status applyMemberEdit(const std::string& key, const EditRequest& request);
    // One command per kUnlinkKeys keys of keys[from, to) (on a cluster: per kUnlinkKeys keys
    // of one slot), its arguments filled by `build` for the key indexes `items`, pipelined in
    // one round trip (per node); the replies, each checked, and the items of each.
    using BatchArgs =
        std::function<void(std::vector<std::string>& args, const std::vector<std::size_t>& items)>;
    struct KeyBatches {
        std::vector<std::vector<std::size_t>> items;
        std::vector<ReplyPtr> replies;
    };
    Result<KeyBatches> inKeyBatches(const std::vector<std::string>& keys, std::size_t from,
                                    std::size_t to, const BatchArgs& build, std::string_view doing);
    // Runs key reads: each command on the node of its slot on a cluster, else pipelined on
    // the connection inside an own-lookups bracket. The replies in order (errors included).
    Result<std::vector<ReplyPtr>> ownReads(std::vector<ClusterCommand> commands,
                                           std::string_view doing);
    // ---- on a Redis Cluster (redis_source_cluster.cpp) ----
    Result<ScanStep> clusterScanOnce(const std::string& cursor, const std::string& match,
                                     std::size_t count, const std::string& type);
    // Whether SCAN takes TYPE here: OpenOptions::redis_scan_type and Redis 6.0 or later (INFO
    // server, asked once; a server that refuses INFO has ACLs, so is 6.0 or later).
    Result<bool> scanTypeSupported();
    // EntryPage::note of a listing whose type filter asks each key's TYPE.
    std::string typeFilterNote() const;
    // The TYPE of each key, pipelined (a type filter on a server without SCAN … TYPE).
    Result<std::vector<std::string>> typesOf(const std::vector<std::string>& keys);
    Result<SourceStats> clusterStats();
    Result<std::uint64_t> clusterDbSize();
    // How far the walk `walkNumber` got on each master (empty when it is not remembered).
    std::vector<NodeScan> walkProgress(std::uint64_t walkNumber) const;
    // A batch of own key reads: beginOwnReads() queues INFO stats (and learns the server's
    // run_id once per connection); the caller queues its `n` commands; endOwnReads() queues
    // INFO stats, reads everything, records the hits and misses in between as this process's
    // own, and returns the replies of the `n` commands.
    Result<RedisConnection*> beginOwnReads();
    Result<std::vector<ReplyPtr>> endOwnReads(RedisConnection& conn, std::size_t n,
                                              std::string_view doing);
    Status checkReply(const redisReply& reply, std::string_view doing) const;
    // The hits, misses and errors of our own caches (their __meta hashes) into s.extra.
    Status addCacheCounters(SourceStats& s);
    // Records an ACL refusal of INFO (m_infoRefusal) and says whether `reply` is one; the
    // source then works without INFO (no server-wide counts, no own-lookup brackets).
    bool noteInfoRefusal(const redisReply& reply);
    void adapt(std::chrono::steady_clock::duration roundTrip);

    SourceInfo m_info;
    ConnectSettings m_settings;
    // m_info.name as opened, and the database the URL names: selectDatabase() names another
    // database in m_info.name, so that audit records say where a change was made.
    std::string m_urlName;
    int m_urlDb = 0;
    std::unique_ptr<RedisConnection> m_conn;
    std::unique_ptr<RedisCluster> m_cluster;  // set on a Redis Cluster
    // The walks over a cluster this source began (the last few), by walk number: who served
    // each slot when it began, how far it got on each master, and at its end the slots that
    // changed master meanwhile.
    struct Walk {
        std::uint64_t number = 0;
        std::vector<std::string> owners;  // per slot; "" where no master served it
        std::vector<NodeScan> nodes;
        std::vector<int> moved;
    };
    std::vector<Walk> m_walks;
    std::uint64_t m_nextWalk;      // starts at random: cursors of other processes rarely match
    std::uint64_t m_lastWalk = 0;  // the walk of the last clusterScanOnce()
    std::size_t m_maxValueBytes;
    std::string m_separator;
    std::size_t m_count = kInitialCount;
    std::string m_runId;  // the server's, for the own-lookup counts; "" until known
    Permissions m_permissions;
    std::string m_infoRefusal;     // "not permitted by the server (NOPERM ...)" once INFO was
    bool m_scanTypeWanted = true;  // OpenOptions::redis_scan_type
    // A listing has described a key named like an entry of our caches: columns() then adds
    // the compute time, which a server without our caches would leave empty.
    bool m_ownEntriesSeen = false;
    std::string m_version;       // redis_version from INFO server; "" until read
    bool m_infoRefused = false;  // INFO server was refused (ACL): SCAN … TYPE assumed

    // The last SCAN batch of a listing, so that pages smaller than a batch do not re-SCAN.
    struct Batch {
        std::string from, match, type, next;  // type: the SCAN's TYPE ("" without)
        std::size_t count = 0;
        std::vector<std::string> keys;
        std::vector<std::string> types;  // each key's TYPE, when a filter asked them
        std::uint64_t walk = 0;          // on a cluster: the walk it belongs to
    };
    Batch m_batch;

    // Namespace counting state (keys seen so far).
    std::string m_nsCursor = "0";
    bool m_nsStarted = false, m_nsDone = false;
    std::uint64_t m_nsScanned = 0;
    NamespaceTree m_nsTree;
};

}  // namespace twat_cache::detail
