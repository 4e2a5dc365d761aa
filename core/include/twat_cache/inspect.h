// Inspection: read and maintain caches — ours and the ones people already have.
//
// A Source is one cache seen from outside: a python-diskcache directory (Cache or
// FanoutCache), a joblib.Memory store, a generic cache folder, or one of our own caches. It
// lists entries by cursor pages (never all at once), shows one entry in detail with a bounded
// piece of its value, reports statistics, and maintains the cache in three steps:
// plan() decides what would be deleted, Plan::preview() tells how much, and Plan::execute()
// deletes in batches with progress and cancellation. The same three steps set or remove the
// TTL of every matching entry (PlanRequest::Action::kSetTtl); edit() changes one entry in
// place (its TTL, its name, a string value).
//
// Safety: nothing read from a cache is ever executed (pickles are read by a non-executing
// reader); deletion never touches a file outside the cache's own directory (an escaping path
// or a symlink pointing out is refused and reported); a read-only source refuses every change
// with PermissionDenied; a plan deletes only the versions of entries its preview showed
// (entries changed since are kept), and every execution is recorded in an audit log.
//
// Thread safety: a Source and its Plans are used by one thread at a time (the GUI gives each
// open source its own worker). Distinct Sources may be used from different threads at once.
// The cancel flag passed to execute() may be set from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "twat_cache/audit_log.h"
#include "twat_cache/clock.h"
#include "twat_cache/entry_edit.h"
#include "twat_cache/export.h"
#include "twat_cache/namespace_report.h"
#include "twat_cache/server_info.h"
#include "twat_cache/status.h"
#include "twat_cache/value_page.h"

namespace twat_cache {

enum class SourceKind {
    kDiskcache,     // python-diskcache Cache or FanoutCache (all shards as one cache)
    kJoblib,        // joblib.Memory store: one entry per cached call
    kFolder,        // any other cache folder: one entry per file
    kNativeSqlite,  // our sqlite engine (folder with twat_cache.json)
    kNativeFiles,   // our files engine (folder with twat_cache.json)
    kRedis,         // a Redis server
};

// Stable lower-case name: "diskcache", "joblib", "folder", "native_sqlite", "native_files",
// "redis".
TWAT_CACHE_EXPORT std::string_view sourceKindName(SourceKind kind);

// What discovery knows of a cache without opening it fully.
struct SourceInfo {
    std::string name;  // display name: the folder's name, or the URL for Redis
    SourceKind kind = SourceKind::kFolder;
    std::filesystem::path path;            // the cache's folder (empty for Redis)
    std::string url;                       // Redis only
    std::optional<std::uint64_t> entries;  // when cheaply known
    std::optional<std::uint64_t> bytes;    // when cheaply known
    std::string note;                      // e.g. "FanoutCache, 8 shards", "CACHEDIR.TAG"
    // For an open Redis source, Source::info().note names the server's version once stats()
    // has been read ("Redis 7.0.11, db 0"); before that it is "db 0".
};

// One server of a Redis Cluster as SourceStats::nodes reports it (masters by first slot,
// each followed by its replicas, by address). nullopt: the node did not say (see `error`).
// The figures are the node's own (INFO and DBSIZE of that node), including the lookups of
// this inspector's reads.
struct NodeStats {
    std::string address;           // "host:port" (IPv6 in brackets), as the cluster announces it
    std::string role;              // "master" or "replica"
    std::string master;            // a replica's master's address; empty for a master
    std::string slot_ranges;       // a master's slots ("0-5460", "0-99,5000"); "" for a replica
    std::uint32_t slot_count = 0;  // slots in slot_ranges (0 for a replica)
    std::optional<std::uint64_t> keys;          // DBSIZE
    std::optional<std::uint64_t> memory_bytes;  // INFO memory used_memory
    std::optional<std::uint64_t> hits;          // INFO stats keyspace_hits
    std::optional<std::uint64_t> misses;        // INFO stats keyspace_misses
    // Why the node could not be asked, or what it refused (e.g. an ACL user without INFO);
    // "" when it answered everything.
    std::string error;
};

// How far the current listing has got on one master of a Redis Cluster (EntryPage::nodes),
// in the order the listing visits them (by first slot).
struct NodeScan {
    std::string address;        // the master's "host:port"
    std::uint64_t scanned = 0;  // keys this listing has examined on it (with a filter: about
                                // SCAN COUNT per call, as the server examines them)
    bool done = false;          // its SCAN has finished
};

// Statistics of a source. nullopt means "not tracked by this cache"; `note` says why.
struct SourceStats {
    std::optional<std::uint64_t> entries;
    std::optional<std::uint64_t> bytes;
    std::optional<std::uint64_t> hits;
    std::optional<std::uint64_t> misses;
    std::optional<std::uint64_t> evictions;
    // Compute time of the misses stored and time saved by the hits, in nanoseconds (Stats::
    // compute_ns and saved_ns for our own caches; joblib: the sum of its recorded call
    // durations, and no saved time). nullopt: the cache does not record it ("not recorded",
    // never 0).
    std::optional<std::uint64_t> compute_ns;
    std::optional<std::uint64_t> saved_ns;
    std::string note;
    // Further named counts a source knows, in a stable order: for Redis "db0.keys",
    // "server.expired_keys", "cache.<name>.hits", ...; empty for most sources.
    std::vector<std::pair<std::string, std::uint64_t>> extra;
    // A Redis Cluster's servers: entries and the counts above are the sums over its masters,
    // given only when every master answered (else nullopt, and `note` says why); empty for
    // every other source.
    std::vector<NodeStats> nodes;

    // hits / (hits + misses) when both are tracked and there was a lookup.
    std::optional<double> hitRatio() const {
        if (!hits || !misses || *hits + *misses == 0) return std::nullopt;
        return static_cast<double>(*hits) / static_cast<double>(*hits + *misses);
    }
};

// A column a listing can be ordered by (see Source::sortKeys). kComputeTime and kTimeSaved
// order by EntrySummary::compute_ns and saved_ns; entries that record none come first.
enum class SortKey {
    kNone,
    kKey,
    kSize,
    kStored,
    kAccessed,
    kExpires,
    kHits,
    kComputeTime,
    kTimeSaved
};

// A column of a listing: which EntrySummary field it shows (see Source::columns).
enum class EntryColumn {
    kKey,          // key_text
    kSize,         // size: the value's stored bytes
    kStored,       // stored_ms
    kAccessed,     // accessed_ms
    kExpires,      // expires_ms, as a time
    kHits,         // hits
    kTag,          // tag (joblib: the cached function)
    kType,         // type (Redis)
    kTtl,          // expires_ms, as the time left (Redis)
    kLength,       // length (Redis)
    kMemory,       // size, which for Redis is MEMORY USAGE: the key's bytes in the server
    kEncoding,     // encoding (Redis)
    kComputeTime,  // compute_ns
    kTimeSaved,    // saved_ns
};

// Stable lower-case name: "key", "size", "stored", "accessed", "expires", "hits", "tag",
// "type", "ttl", "length", "memory", "encoding", "compute_time", "time_saved".
TWAT_CACHE_EXPORT std::string_view entryColumnName(EntryColumn column);

// What a listing call lists, in which order, and for how long it may search.
//
// `glob` and `substring` restrict the listing to entries whose key text matches; empty fields
// match everything. `order` asks for a sorted listing; a source that does not support that key
// (it is not in Source::sortKeys()) lists in its natural order instead. A cursor belongs to
// the order it was made with: pass the same order (and filter) when continuing. Sources over
// folders sort through an in-memory index with a size limit
// (OpenOptions::sort_index_max_entries); Redis does not sort (SCAN returns keys in hash-table
// order; ordering needs the whole keyspace).
//
// Searching: one entries() call keeps examining entries until it has `limit` matching ones or
// the listing ends, but for at most `time_budget` (measured on the source's clock,
// OpenOptions::clock). When the budget runs out it returns the matches found so far with a
// cursor, and EntryPage says how far it got (scanned, total, budget_spent). Each call examines
// at least one entry, so repeated calls always progress.
//
// `type` keeps only the keys of one Redis type ("string", "hash", "list", "set", "zset",
// "stream", or a module's type name). The server filters with SCAN … TYPE where it has it
// (Redis 6.0 and later); on an older server the source asks the TYPE of every key it scans,
// and EntryPage::note says so. Sources without types (every one but Redis) ignore it.
struct EntryFilter {
    std::string glob;       // shell glob on the whole key text: * ? [abc] [!a-z]
    std::string substring;  // plain substring of the key text
    SortKey order = SortKey::kNone;
    bool descending = false;
    // Time one call may search; zero or less: no limit (until the page is full or the end).
    std::chrono::milliseconds time_budget{1000};
    // Redis: only keys of this type; empty: every type. (Last, so that aggregate
    // initializers written before it keep their meaning.)
    std::string type{};

    // Whether every key matches (the order plays no part).
    bool empty() const { return glob.empty() && substring.empty() && type.empty(); }
    TWAT_CACHE_EXPORT bool matches(std::string_view keyText) const;
};

// Shell-style glob match (* ? [set] [!set], backslash escapes) of the whole text.
TWAT_CACHE_EXPORT bool globMatch(std::string_view pattern, std::string_view text);

// One entry in a listing. Times are Unix milliseconds; nullopt when the cache does not keep
// them.
//
// Ids are valid UTF-8 without control characters, so they survive JSON, a command line and
// the GUI unchanged; ids made from names (folder and joblib entries: their relative paths)
// escape every byte that is not printable UTF-8 as \xNN and a backslash as \\, so two names
// never share an id (see docs/INSPECTION.md). Key text is bounded: about 1 KiB of the key is
// read for display (a pickled key, which must be decoded whole, up to 1 MiB) and at most 1 KiB
// of text is kept; a longer key shows that prefix and its real length,
// "abc… (20,971,520 bytes)", with key_truncated set. Filters match the shown key text (a glob
// matches a joblib call's id too, module/function/<hash>, so that a function's calls can be
// listed).
struct EntrySummary {
    std::string id;               // opaque, stable identity within the source (for detail/delete)
    std::string key_text;         // readable key, rendered safely (always valid UTF-8, bounded)
    std::uint64_t key_bytes = 0;  // the key's whole length in bytes (0 when not known)
    bool key_truncated = false;   // key_text shows only a prefix of the key
    std::uint64_t size = 0;       // stored bytes of the value
    std::optional<std::int64_t> stored_ms;
    std::optional<std::int64_t> accessed_ms;
    std::optional<std::int64_t> expires_ms;
    std::optional<std::uint64_t> hits;  // access count of this entry, where tracked
    // How long the entry's value took to compute, in nanoseconds (our envelopes and sqlite
    // rows, joblib's recorded "duration"); nullopt: not recorded.
    std::optional<std::uint64_t> compute_ns;
    // Time this entry saved: hits x compute_ns, where the source knows both; else nullopt.
    std::optional<std::uint64_t> saved_ns;
    std::string tag;
    std::string type;  // Redis value type ("string", "hash", "list", "set", "zset", "stream")
    std::optional<std::uint64_t> length;  // Redis: elements of a collection, bytes of a string
    // Redis: the value's internal encoding (OBJECT ENCODING: "listpack", "hashtable",
    // "embstr", ...); "" when not known. (A Redis entry's `size` is MEMORY USAGE with a bounded
    // sample of a collection's elements, so an estimate for big collections.)
    std::string encoding{};
    // Opaque: what tells this version of the entry from a later one under the same id (a
    // diskcache row's store time and size, a file's inode, modification time and size, a
    // Redis key's type and length). A plan deletes an entry only while its fingerprint still
    // matches (see Plan::execute); empty: the source has none, and the id alone decides.
    std::string fingerprint;
    // A Redis Cluster's key: the master that serves its slot when it was read ("host:port"),
    // e.g. for per-node totals (analysis.h); "" for every other source.
    std::string node;
};

// A page of entries. An empty `cursor` means the listing is complete; otherwise pass it back
// to continue. A page holds fewer than `limit` entries and still has a cursor only when the
// call's time budget ran out (`budget_spent`; see EntryFilter).
//
// Progress: `scanned` counts the entries this call examined, matching the filter or not
// (Redis with a filter: about the SCAN COUNT of each round, since the server filters); a
// caller continuing a listing adds up the `scanned` of its pages. `total` is about how many
// entries the whole listing examines: the source's entry count (Redis DBSIZE, the diskcache
// and native sqlite counters, the size of a sorted listing's index), or for sources without
// counters (native files, joblib, generic folders) the count of their last full walk
// (stats()); nullopt when nothing has counted them yet. docs/INSPECTION.md lists each.
struct EntryPage {
    std::vector<EntrySummary> entries;
    std::string cursor;
    std::uint64_t scanned = 0;
    std::optional<std::uint64_t> total;
    bool budget_spent = false;  // the call stopped on its time budget, not on a full page
    // A Redis Cluster listing: how far it got on each master (the cursor spans them all);
    // empty for other sources, and when the listing was continued from a cursor this source
    // did not make.
    std::vector<NodeScan> nodes;
    // What the listing costs beyond the usual, in words for a user; "" when nothing: e.g. a
    // Redis type filter on a server without SCAN … TYPE, which asks every key's TYPE.
    std::string note{};

    bool complete() const { return cursor.empty(); }
};

struct EntryDetail {
    EntrySummary summary;
    std::string value_bytes;           // the stored value's first bytes (bounded)
    bool truncated = false;            // value_bytes holds only part of the value
    std::string value_kind;            // e.g. "pickle", "raw", "text", "binary", "file"
    std::string preview;               // rendered, human-readable text (valid UTF-8, bounded)
    std::filesystem::path value_file;  // where a spilled value lives, if it does
    std::string note;                  // e.g. a refused file path or a duration from metadata
};

// What a maintenance plan should delete.
struct PlanRequest {
    enum class Action {
        kDeleteEntries,   // the entries named in `entry_ids`
        kClearAll,        // every entry
        kClearExpired,    // entries whose expiry has passed
        kPruneToBytes,    // by `prune_order` until at most `limit` bytes remain
        kPruneToEntries,  // by `prune_order` until at most `limit` entries remain
        kOlderThan,       // entries stored more than `age` ago
        // Entries whose key text matches `glob`, as a listing's glob filter does (joblib: or
        // whose id, the call's path module/function/<hash>, does; see EntryFilter).
        kMatchGlob,
        // Not a deletion: sets the TTL (`ttl`) of the entries named in `entry_ids`, or when
        // none are named of every entry matching `glob` (the whole keyspace, not a loaded
        // page); without `ttl` it removes their expiry (they live until deleted).
        kSetTtl,
    };
    Action action = Action::kClearExpired;
    std::vector<std::string> entry_ids{};
    std::uint64_t limit = 0;
    std::chrono::milliseconds age{0};
    std::string glob{};
    // kClearAll on a Redis source deletes every key of the database, not only one cache's:
    // its plan previews without this (PlanPreview::needs_confirmation), but execute()
    // refuses unless it is set.
    bool confirmed = false;
    // kSetTtl: the new time to live (more than 0); nullopt removes the expiry ("persist").
    std::optional<std::chrono::milliseconds> ttl{};
    // kMatchGlob, and kSetTtl by `glob`, on a Redis source: only keys of this type ("hash",
    // ...; EntryFilter::type's names); empty: every type. Other sources refuse a type.
    std::string type{};
    // Which entries the prune actions take first.
    enum class PruneOrder {
        kOldest,  // oldest stored first
        // Least value per byte first: an entry's value is the time it saved
        // (EntrySummary::saved_ns, or hits x compute_ns), else its compute time (what its next
        // hit would save); entries that record neither go first, then ties oldest first. A
        // source that records no compute time for any entry refuses (NotSupported).
        kValue,
    };
    PruneOrder prune_order = PruneOrder::kOldest;
};

struct PlanPreview {
    std::uint64_t count = 0;
    std::uint64_t bytes = 0;
    std::vector<EntrySummary> sample;  // up to kSampleSize of the matched entries
    bool bytes_known = true;           // false when `bytes` was not measured (Redis globs)
    std::string note;                  // e.g. "Redis expires keys itself: nothing to do"
    // execute() will refuse until the user confirmed explicitly (PlanRequest::confirmed): the
    // plan deletes more than one cache's entries (a whole Redis database). Plan again with
    // `confirmed` set once the user has, e.g. by typing the database number.
    bool needs_confirmation = false;
    static constexpr std::size_t kSampleSize = 20;
};

struct ExecuteResult {
    std::uint64_t matched = 0;
    std::uint64_t deleted = 0;
    std::uint64_t bytes_freed = 0;
    bool cancelled = false;
    // Entries not deleted for safety (a path escaping the cache folder, a symlink out), each
    // with the reason.
    std::vector<std::string> refused;
    // Entries kept because they changed since the preview (stored again, rewritten, replaced):
    // the plan deletes only what its preview showed.
    std::uint64_t changed = 0;
    // kSetTtl: entries whose TTL was set or removed (`deleted` stays 0).
    std::uint64_t updated = 0;
    // Empty when the execution was recorded in the audit log (twat_cache/audit_log.h);
    // otherwise why it could not be. The deletions stand either way.
    std::string audit_error;
};

struct EditResult {
    // The entry after the change (after a rename: under its new id), as a listing shows it.
    EntrySummary entry;
    // Empty when the change was recorded in the audit log; otherwise why it could not be.
    // The change stands either way.
    std::string audit_error;
};

// Progress of execute(): entries handled so far out of the total matched.
using ProgressCallback = std::function<void(std::uint64_t done, std::uint64_t total)>;

namespace detail {
struct PlanAudit;
class TtlEditPlan;
}  // namespace detail

class TWAT_CACHE_EXPORT Plan {
  public:
    virtual ~Plan();
    virtual const PlanPreview& preview() const = 0;
    // Deletes the planned entries in batches, calling `progress` after each batch and stopping
    // before the next batch once `cancel` is set. Entries that vanished since planning are
    // skipped; entries that changed since (their EntrySummary::fingerprint no longer matches)
    // are kept and counted in ExecuteResult::changed. PermissionDenied on a read-only source.
    //
    // Each execution that starts deleting is appended to the audit log
    // (twat_cache/audit_log.h, OpenOptions::audit_log), whether it ends, is cancelled or
    // fails midway.
    Result<ExecuteResult> execute(const ProgressCallback& progress = {},
                                  const std::atomic<bool>* cancel = nullptr);

  protected:
    Plan();
    // The deletion itself, as execute() describes it.
    virtual Result<ExecuteResult> run(const ProgressCallback& progress,
                                      const std::atomic<bool>* cancel) = 0;

  private:
    friend class Source;
    std::shared_ptr<const detail::PlanAudit> m_audit;  // null: not recorded
};

class TWAT_CACHE_EXPORT Source {
  public:
    virtual ~Source();

    virtual SourceInfo info() const = 0;
    virtual Result<SourceStats> stats() = 0;
    // Up to `limit` entries after `cursor` ("" starts), in the source's natural order or in
    // `filter.order` when the source supports it.
    virtual Result<EntryPage> entries(std::string_view cursor, std::size_t limit,
                                      const EntryFilter& filter = {}) = 0;
    virtual Result<EntryDetail> detail(std::string_view entryId) = 0;
    // A page of one entry's value, read from the cache itself and bounded as ValueQuery says
    // (twat_cache/value_page.h): the fields of a hash, the elements of a list, set or sorted
    // set, the entries of a stream, the bytes of a string. NotFound when the entry is gone;
    // NotSupported for sources other than Redis, and for Redis types without pages.
    virtual Result<ValuePage> valuePage(std::string_view entryId, const ValueQuery& query);
    // The orders entries() can list in besides the natural one (empty: natural order only).
    virtual std::vector<SortKey> sortKeys() const { return {}; }
    // The columns this source's listings fill in, in display order: the others are always
    // empty (nullopt, 0 or ""). The default: key, size, stored and accessed (a folder's files).
    virtual std::vector<EntryColumn> columns() const;
    // Chooses the entries that `request` would delete; changes nothing.
    Result<std::unique_ptr<Plan>> plan(const PlanRequest& request);
    // OK when this source can carry out `action`; else NotSupported saying why, in words fit
    // for a user (Redis records no storage time, so it cannot prune; it expires keys itself,
    // so clearing expired entries never finds any). A user interface disables such actions.
    virtual Status supports(PlanRequest::Action action) const;

    // Changes one entry in place and records the change in the audit log (one record, its
    // action editActionName()). PermissionDenied on a read-only source; NotSupported with
    // supportsEdit()'s reason where the source cannot; NotFound when the entry is gone (or
    // the member to remove is); InvalidArgument for a TTL of 0 or less, an empty new name, a
    // kListSet without an index, a NaN score, or a key that holds another type than the
    // member edit expects.
    Result<EditResult> edit(const EditRequest& request);
    // OK when this source can carry out `action` on its entries; else NotSupported (or
    // PermissionDenied: the server's ACL refuses it) saying why, in words fit for a user.
    virtual Status supportsEdit(EditAction action) const;

    // The tree of key namespaces (prefixes up to each separator, see NamespaceReport) with
    // the number of keys seen so far; for joblib stores and generic folders the tree of the
    // entries' paths ("/": module/function/<hash>, directories), with their bytes. Each call
    // examines up to `budget` more keys and returns the counts of everything scanned since the
    // first call, so a caller can show counts that grow while a large keyspace is scanned.
    // NotSupported for sources without them.
    virtual Result<NamespaceReport> namespaces(std::size_t budget);

    // A uniform random sample of about `n` entries (each kept with the same probability,
    // without replacement), described as entries() describes them: estimates over a keyspace
    // whose every entry is too costly to describe (analysis.h). NotSupported for sources that
    // cannot draw one (Redis can: SCAN of the names, then only the kept keys are described).
    virtual Result<std::vector<EntrySummary>> sample(std::size_t n);

    // What the server says about itself (twat_cache/server_info.h), in one round trip.
    // NotSupported for sources other than Redis.
    virtual Result<ServerInfo> serverInfo();
    // The server's `n` most recent slow log entries, newest first (SLOWLOG GET; n is bounded
    // by kMaxSlowlogEntries); reads nothing else. PermissionDenied, in words, for an ACL user
    // without SLOWLOG; NotSupported for sources other than Redis.
    virtual Result<std::vector<SlowlogEntry>> slowlog(std::size_t n);
    static constexpr std::size_t kMaxSlowlogEntries = 1000;
    // Lists database `db` of the same server from now on (Redis SELECT): entries, namespaces,
    // stats and plans all follow it; namespace counts start over; info().name ends in
    // " (db N)" while it is not the URL's database, so that audit records say where a change
    // was made. InvalidArgument for a database the server does not have; NotSupported on a
    // Redis Cluster ("a cluster has only database 0") and for sources other than Redis.
    virtual Status selectDatabase(int db);

    bool readOnly() const { return m_readOnly; }

    // Outcome of deleting one batch (used by plans).
    struct BatchOutcome {
        std::uint64_t deleted = 0;
        std::uint64_t bytes = 0;
        std::vector<std::string> refused;
        std::uint64_t changed = 0;  // kept: the fingerprint no longer matched
    };
    // Deletes the given entries (already chosen by a plan) that still match their
    // fingerprints. Implementations refuse anything outside the cache folder, and everything
    // (PermissionDenied) on a read-only source.
    virtual Result<BatchOutcome> deleteBatch(const std::vector<EntrySummary>& batch) = 0;

  protected:
    Source(bool readOnly, std::shared_ptr<Clock> clock);
    // plan()'s work: the default lists the entries and chooses among them, for a plan that
    // deletes them by deleteBatch(). Sources whose maintenance is not "list, then delete by
    // id" (Redis) override it.
    virtual Result<std::unique_ptr<Plan>> makePlan(const PlanRequest& request);
    // edit()'s work, once the request is checked and the source writable: the change, and
    // the entry afterwards. The default is NotSupported.
    virtual Result<EntrySummary> applyEdit(const EditRequest& request);
    // PermissionDenied naming the source when it is read-only; OK otherwise. Every path that
    // changes a cache starts with it, so read-only holds even for callers that skip plan().
    Status refuseIfReadOnly() const;
    std::int64_t nowMs() const { return m_clock->nowMs(); }
    // The expiry an expiry edit sets, in Unix ms by this source's clock: now + ttl for
    // kSetTtl, 0 (never) for kPersist.
    std::int64_t expiryOf(const EditRequest& request) const {
        return request.action == EditAction::kSetTtl ? nowMs() + request.ttl.count() : 0;
    }
    // The clock of nowMs(), e.g. for the time budget of a listing call.
    const Clock& clock() const { return *m_clock; }

  private:
    friend class Discovery;
    friend class detail::TtlEditPlan;  // changes entries by applyEdit()
    bool m_readOnly;
    std::shared_ptr<Clock> m_clock;
    std::filesystem::path m_auditLog;  // empty: executions are not recorded
};

struct OpenOptions {
    bool read_only = false;                   // refuse every change
    std::size_t max_value_bytes = 64 * 1024;  // bound of EntryDetail::value_bytes
    std::shared_ptr<Clock> clock;             // default: Clock::system()
    std::string separator = ":";              // Redis namespace separator
    // Bounds of Source::namespaces() (see NamespaceReport); a depth below 1 counts as 1.
    std::size_t namespace_max_depth = 8;
    std::size_t namespace_max_children = 1000;  // distinct children kept per node
    std::size_t namespace_max_nodes = 50'000;   // nodes kept in the whole tree
    // Sources that list by walking folders (native files, joblib, generic folders) sort with
    // an in-memory index of the entries matching the filter, built on the first sorted page;
    // it holds at most this many (about 56 bytes + id and key text each). A sorted listing of
    // more fails with NotSupported saying so; the unsorted listing always works.
    std::size_t sort_index_max_entries = 2'000'000;
    // Executed deletions are appended to the audit log (twat_cache/audit_log.h): at this
    // path, or at auditLogPath() when it is empty. `audit = false` records nothing (tools
    // that keep their own records).
    bool audit = true;
    std::filesystem::path audit_log;
    // Redis sources whose URL asks for an SSH tunnel (?ssh=): the SSH login's password, tried
    // after the key and the agent. Never part of a URL (RedisOptions::ssh_password).
    std::string ssh_password;
    // Redis: filter by type (EntryFilter::type) with SCAN … TYPE where the server has it;
    // false asks every scanned key's TYPE instead, as on a server older than 6.0 (to compare
    // the two, or to test the older path against a newer server).
    bool redis_scan_type = true;
    // About how long one stats() call may spend on figures that need a walk (a diskcache's
    // byte sum: 3.5 s for 10 million entries); the walk carries on in the next call. Until
    // the first walk ends, SourceStats::bytes is nullopt and the note says how far it got.
    // Zero (the default): stats() finishes every walk, however long (the CLI).
    std::chrono::milliseconds stats_time_budget{0};
};

// Finds and opens caches.
class TWAT_CACHE_EXPORT Discovery {
  public:
    // What `path` is, if it is a cache: a diskcache folder (cache.db with Settings and Cache
    // tables), a FanoutCache (numbered shard folders 000, 001, ... each with cache.db), a
    // joblib store (the folder holding `joblib/`, or `joblib/` itself), a native cache
    // (twat_cache.json manifest), or else a generic folder. NotFound when it is no folder.
    static Result<SourceInfo> identify(const std::filesystem::path& path);

    // The caches directly under `root` (a folder that is itself a cache is listed alone;
    // folders that only group caches are looked into one level deeper). Sorted by name.
    static Result<std::vector<SourceInfo>> scan(const std::filesystem::path& root);

    // A Redis server named by a redis:// or unix:// URL (see parseRedisUrl); InvalidArgument
    // for anything else. Does not connect; the name is the URL with its password masked.
    static Result<SourceInfo> identifyUrl(std::string_view url);
    // Whether `target` looks like a URL rather than a path ("scheme://...").
    static bool isUrl(std::string_view target);

    // Opens a source for what identify(), identifyUrl() or scan() returned.
    static Result<std::unique_ptr<Source>> open(const SourceInfo& info,
                                                const OpenOptions& options = {});

  private:
    static Result<std::unique_ptr<Source>> openKind(const SourceInfo& info,
                                                    const OpenOptions& options);
};

}  // namespace twat_cache
