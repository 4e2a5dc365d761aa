// The inspector's own view of a cache source: plain Qt value types that cross threads in
// queued calls between a SourceClient's worker thread and the GUI thread.
//
// They mirror the core's inspection layer (twat_cache/inspect.h) so that only
// source_adapter.cpp knows the core's types; models and views depend on these alone.
//
// Thread safety: plain values (implicitly shared Qt containers); copies may go anywhere.
#pragma once

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QPair>
#include <QString>
#include <QStringList>
#include <optional>

namespace twat_cache::ui {

enum class SourceKind { kNative, kDiskcache, kJoblib, kFolder, kRedis };

// A user-chosen folder (discovery tells what kind of cache it holds when it is opened).
struct SourceRef;
SourceRef folderSourceRef(const QString& path);

// Display name of a kind: "twat-cache", "python-diskcache", "joblib", "plain folder" (a
// cache folder of no known format), "Redis".
QString sourceKindName(SourceKind kind);

// Where a source lives. For Redis, `location` is the URL without its password; the password
// travels separately and is never written to settings.
struct SourceRef {
    SourceKind kind = SourceKind::kFolder;
    QString location;  // folder path or redis URL
    QString name;      // display name
    QString password;  // Redis only; session memory, never persisted
    QString note;      // what discovery said (e.g. "FanoutCache, 8 shards"), for tooltips
    QString separator = QStringLiteral(":");  // Redis: namespace separator
    // Saved Redis connections (see saved_connection.h): `id` names the connection's secrets
    // in the keyring; `color` ("#rrggbb", empty: none) marks it in the sidebar; a
    // `production` connection opens read-only unless unlocked for the session. (The braces
    // let the aggregate initializers that predate these fields leave them out.)
    QString id{};
    QString color{};
    bool production = false;
    // Redis over an SSH tunnel (?ssh=): the SSH login's password, session memory only.
    QString sshPassword{};
    // Entries and bytes when known (discovery's cheap counts, then statistics samples);
    // nullopt: not known yet. Not part of the identity, never persisted.
    std::optional<quint64> entries{};
    std::optional<quint64> bytes{};

    bool operator==(const SourceRef& other) const {
        return kind == other.kind && location == other.location && name == other.name;
    }
};

// An order a listing can be asked for (twat_cache::SortKey, translated by the adapter).
enum class EntryOrder {
    kNatural,
    kKey,
    kSize,
    kStored,
    kAccessed,
    kExpires,
    kHits,
    kComputeTime,
    kTimeSaved
};

// A column of a listing (twat_cache::EntryColumn): which field of an EntryRow it shows.
// kMemory shows `size` (for Redis, MEMORY USAGE); kTtl shows `expiresMs` as the time left.
enum class EntryColumn {
    kKey,
    kSize,
    kStored,
    kAccessed,
    kExpires,
    kHits,
    kTag,
    kType,
    kTtl,
    kLength,
    kMemory,
    kEncoding,
    kComputeTime,  // computeNs
    kTimeSaved     // savedNs
};

// One row of the entries view.
struct EntryRow {
    QByteArray id;  // opaque handle the source understands (key hash, file name, redis key)
    QString key;    // readable key text
    quint64 size = 0;
    qint64 createdMs = 0;         // Unix ms; 0: not recorded
    qint64 accessedMs = 0;        // Unix ms; 0: not recorded
    qint64 expiresMs = 0;         // Unix ms; 0: never
    std::optional<quint64> hits;  // nullopt: not recorded
    QString tag;
    QString type{};                   // Redis: "string", "hash", ...; else empty
    std::optional<quint64> length{};  // Redis: elements, or a string's bytes
    QString encoding{};               // Redis: OBJECT ENCODING ("listpack", ...); "" unknown
    // A Redis Cluster's key: the master serving its slot ("host:port"); "" elsewhere.
    QString node{};
    // Nanoseconds the value took to compute, and the time its hits saved (hits x compute
    // time); nullopt: not recorded (twat_cache::EntrySummary::compute_ns, saved_ns).
    std::optional<quint64> computeNs{};
    std::optional<quint64> savedNs{};
};

// How far the current listing has got on one master of a Redis Cluster
// (twat_cache::NodeScan): `scanned` counts the keys examined there since the listing started.
struct NodeScan {
    QString address;  // "host:port"
    quint64 scanned = 0;
    bool done = false;  // SCAN finished on this node
};

// A page of a cursor scan; an empty cursor with `complete` means the scan ended. A page with
// fewer rows than asked for and a cursor ran out of its time budget (`budgetSpent`): the
// search goes on from the cursor. See twat_cache::EntryPage for `scanned` and `total`.
struct EntryPage {
    QList<EntryRow> rows;
    QByteArray cursor;
    bool complete = false;
    quint64 scanned = 0;           // entries the call examined, matching or not
    std::optional<quint64> total;  // about how many entries the whole scan examines
    bool budgetSpent = false;      // the call stopped on its time budget
    // The orders the source can list in besides its natural one.
    QList<EntryOrder> orders;
    // A Redis Cluster listing: how far it got on each master; empty for other sources.
    QList<NodeScan> nodes;
    // The columns the source fills in, in display order (Source::columns).
    QList<EntryColumn> columns{};
    // What the listing costs beyond the usual (e.g. a Redis type filter that asks every key's
    // TYPE: a full scan); empty when nothing.
    QString note{};
};

// An entry's metadata and the first bytes of its value.
struct EntryDetail {
    EntryRow row;
    QList<QPair<QString, QString>> metadata;  // label, value; in display order
    QByteArray value;                         // decoded payload, at most the requested bytes
    bool truncated = false;                   // the value is longer than `value`
    QString valueKind;                        // "pickle", "raw", "text", "binary", "file", ...
    QString preview;                          // the source's readable rendering (e.g. of a pickle)
    QString valueType;  // Redis: "string", "hash", "list", "set", "zset", "stream"; else empty
};

// What one value page asks for (twat_cache::ValueQuery): rows after `cursor` ("" starts).
struct ValueRequest {
    QByteArray cursor;
    int limit = 200;       // rows per page
    QString match;         // hash fields, set members: a Redis glob; empty: all
    bool byScore = false;  // zset: only scores in [minScore, maxScore], else by rank
    QString minScore = QStringLiteral("-inf"), maxScore = QStringLiteral("+inf");
    int bytes = 64 * 1024;  // string: bytes per page
};

// One row of a value page (twat_cache::ValueRow): `name` and `value` are cut at a bound,
// their lengths are the whole ones.
struct ValueRow {
    QByteArray name, value;
    quint64 nameLength = 0, valueLength = 0;
    QList<QPair<QByteArray, QByteArray>> fields;  // stream entries
    quint64 moreFields = 0;
};

// A page of one entry's value (twat_cache::ValuePage).
struct ValuePage {
    QString kind;  // "hash", "list", "set", "zset", "stream", "string"
    QList<ValueRow> rows;
    QByteArray bytes;  // string: the bytes from `offset`
    quint64 offset = 0;
    QByteArray cursor;
    bool complete = false;
    std::optional<quint64> total;   // elements (string: bytes) of the whole value
    std::optional<quint64> groups;  // stream consumer groups, on the first page
};

// One server of a Redis Cluster (twat_cache::NodeStats); nullopt: the node did not say.
struct NodeStats {
    QString address;  // "host:port"
    bool master = false;
    QString masterAddress;  // a replica's master; empty for a master
    QString slotRanges;     // a master's slots, e.g. "0-5460"; empty for a replica
    quint32 slotCount = 0;
    std::optional<quint64> keys;
    std::optional<quint64> memoryBytes;
    std::optional<quint64> hits;
    std::optional<quint64> misses;
    QString error;  // why the node could not be asked; empty when it answered
};

// Counters of a source; nullopt: the source does not record that counter.
struct SourceStats {
    std::optional<quint64> entries;
    std::optional<quint64> bytes;
    std::optional<quint64> hits;
    std::optional<quint64> misses;
    std::optional<quint64> evictions;
    // Compute time of the values stored and time saved by the hits, in nanoseconds; nullopt:
    // the cache does not record it (twat_cache::SourceStats::compute_ns, saved_ns).
    std::optional<quint64> computeNs;
    std::optional<quint64> savedNs;
    QString note;  // why counters are missing, or other caveats
    // Further named counts in a stable order (Redis: "db0.keys", "server.expired_keys", ...).
    QList<QPair<QString, quint64>> extra;
    // A Redis Cluster's servers, masters by first slot, each followed by its replicas (the
    // counts above are the sums over the masters); empty for every other source.
    QList<NodeStats> nodes;

    bool countersTracked() const { return hits.has_value() && misses.has_value(); }
};

// One namespace of the tree (see twat_cache::NamespaceReport): the keys under a prefix.
struct NamespaceNode {
    QString name;          // this level's segment; "" for keys without a separator;
                           // "(other)" for a bucket of folded prefixes
    QString prefix;        // the whole prefix ("app:user"); the parent's for "(other)"
    int parent = -1;       // index of the parent in NamespaceReport::nodes; -1 at the top
    quint64 keys = 0;      // keys under the prefix, at any depth
    quint64 leafKeys = 0;  // keys directly at this level
    quint64 bytes = 0;     // their values' sizes, where the source counts them (folders)
    bool other = false;    // a bucket of prefixes folded to bound memory
};

// The namespace tree, growing while a keyspace is scanned a budget at a time.
struct NamespaceReport {
    QList<NamespaceNode> nodes;        // parents before their children, most keys first
    quint64 scanned = 0;               // keys examined so far
    std::optional<quint64> totalKeys;  // the server's estimate (DBSIZE)
    bool complete = false;             // the whole keyspace was examined
    quint64 foldedKeys = 0;            // keys counted in "(other)" nodes
};

// kSetTtl is not a deletion: it sets (or, without ttlMs, removes) the TTL of the entries in
// `ids`, or when there are none of every entry matching `glob`, over the whole keyspace.
// kDeleteMatching deletes every entry matching `glob`, over the whole keyspace (on a Redis
// Cluster, every master), as its preview described them.
enum class MaintenanceKind {
    kDeleteSelected,
    kClearExpired,
    kClearAll,
    kPrune,
    kSetTtl,
    kDeleteMatching,
    // kPrune by value: the entries that saved least compute time per byte go first
    // (twat_cache::PlanRequest::PruneOrder::kValue), until at most pruneToBytes remain.
    kPruneValue
};

struct MaintenanceRequest {
    MaintenanceKind kind = MaintenanceKind::kClearExpired;
    QList<QByteArray> ids;          // kDeleteSelected: the entries
    quint64 pruneToBytes = 0;       // kPrune, kPruneValue: keep at most this many bytes
    QString glob{};                 // kSetTtl without ids, kDeleteMatching: the keys' shell glob
    QString type{};                 // with `glob`, Redis: only keys of this type ("": every type)
    std::optional<qint64> ttlMs{};  // kSetTtl: the new TTL; nullopt removes it
    // The user confirmed explicitly what PlanPreview::needsConfirmation asked for.
    bool confirmed = false;
};

// The kinds of maintenance an open source cannot carry out, each with the core's reason.
// A change to one entry in place (twat_cache::EditRequest).
// The member edits (kHashSet and after) are those of twat_cache::EditAction, in its order.
enum class EditKind {
    kSetTtl,
    kPersist,
    kRename,
    kSetValue,
    kHashSet,
    kHashDelete,
    kListPushHead,
    kListPushTail,
    kListSet,
    kListRemove,
    kSetAdd,
    kSetRemove,
    kZsetAdd,
    kZsetRemove,
};
struct EntryEdit {
    EditKind kind = EditKind::kSetTtl;
    QByteArray id;      // the entry (EntryRow::id)
    qint64 ttlMs = 0;   // kSetTtl: more than 0
    QByteArray newKey;  // kRename: the whole new key name
    QByteArray value;   // kSetValue: the whole new value; hash field's value; list element
    QByteArray member;  // hash field, set or sorted-set member, list element to remove
    std::optional<qint64> index{};         // kListSet, kListRemove
    std::optional<QByteArray> expected{};  // kListSet, kListRemove: the element shown there
    double score = 0;                      // kZsetAdd
};

struct MaintenanceLimits {
    QMap<MaintenanceKind, QString> unsupported;
    QMap<EditKind, QString> uneditable;  // the edits the source cannot make, with the reason

    // Why `kind` is not available on this source (empty: it is).
    QString whyNot(MaintenanceKind kind) const { return unsupported.value(kind); }
    QString whyNot(EditKind kind) const { return uneditable.value(kind); }
};

// What a plan would do, before anything is touched.
struct PlanPreview {
    quint64 planId = 0;
    quint64 count = 0;
    quint64 bytes = 0;
    bool bytesKnown = true;  // false: the source did not measure them (Redis)
    QStringList sample;      // a few readable keys
    QString note;            // the source's remark, e.g. what a whole-database clear covers
    // Executing needs an explicit confirmation (it empties a whole Redis database): ask the
    // user, then plan again with MaintenanceRequest::confirmed.
    bool needsConfirmation = false;
};

struct ExecuteResult {
    quint64 removed = 0;
    quint64 updated = 0;  // kSetTtl: entries whose TTL was set or removed
    quint64 bytes = 0;
    bool bytesKnown = true;  // false: the source did not measure `bytes` (its plan said so)
    bool cancelled = false;
    QStringList refused;  // entries left alone for safety, each with the reason
    quint64 changed = 0;  // entries kept: they changed since the preview
    QString auditError;   // empty: recorded in the deletion log; else why not
};

// Registers the types above with Qt's meta-type system (for queued connections).
void registerSourceTypes();

}  // namespace twat_cache::ui

Q_DECLARE_METATYPE(twat_cache::ui::SourceRef)
Q_DECLARE_METATYPE(twat_cache::ui::EntryPage)
Q_DECLARE_METATYPE(twat_cache::ui::EntryDetail)
Q_DECLARE_METATYPE(twat_cache::ui::ValuePage)
Q_DECLARE_METATYPE(twat_cache::ui::SourceStats)
Q_DECLARE_METATYPE(twat_cache::ui::NamespaceReport)
Q_DECLARE_METATYPE(twat_cache::ui::MaintenanceRequest)
Q_DECLARE_METATYPE(twat_cache::ui::MaintenanceLimits)
Q_DECLARE_METATYPE(twat_cache::ui::PlanPreview)
Q_DECLARE_METATYPE(twat_cache::ui::ExecuteResult)
Q_DECLARE_METATYPE(twat_cache::ui::EntryEdit)
Q_DECLARE_METATYPE(twat_cache::ui::EntryRow)
