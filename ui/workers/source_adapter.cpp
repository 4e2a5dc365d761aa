#include "workers/source_adapter.h"

#include <QDateTime>
#include <QLocale>
#include <QObject>
#include <QSettings>
#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <utility>

#include "twat_cache/config.h"
#include "twat_cache/inspect.h"
#include "twat_cache/listing_export.h"
#include "workers/display_text.h"
#include "workers/redis_endpoint.h"
#include "workers/value_pages.h"

namespace twat_cache::ui {
namespace {

QString toQString(const std::string& text) {
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}
QByteArray toBytes(const std::string& text) {
    return QByteArray(text.data(), static_cast<qsizetype>(text.size()));
}
std::string toStd(const QByteArray& bytes) {
    return std::string(bytes.constData(), static_cast<std::size_t>(bytes.size()));
}

namespace core = ::twat_cache;

SourceKind fromCore(core::SourceKind kind) {
    switch (kind) {
        case core::SourceKind::kDiskcache:
            return SourceKind::kDiskcache;
        case core::SourceKind::kJoblib:
            return SourceKind::kJoblib;
        case core::SourceKind::kFolder:
            return SourceKind::kFolder;
        case core::SourceKind::kNativeSqlite:
        case core::SourceKind::kNativeFiles:
            return SourceKind::kNative;
        case core::SourceKind::kRedis:
            return SourceKind::kRedis;
    }
    return SourceKind::kFolder;
}

EntryRow fromCore(const core::EntrySummary& entry) {
    EntryRow row;
    row.id = toBytes(entry.id);
    row.key = toQString(entry.key_text);
    row.size = entry.size;
    row.createdMs = entry.stored_ms.value_or(0);
    row.accessedMs = entry.accessed_ms.value_or(0);
    row.expiresMs = entry.expires_ms.value_or(0);
    if (entry.hits) row.hits = *entry.hits;
    row.tag = toQString(entry.tag);
    row.type = toQString(entry.type);
    row.length = entry.length;
    row.encoding = toQString(entry.encoding);
    row.node = toQString(entry.node);
    row.computeNs = entry.compute_ns;
    row.savedNs = entry.saved_ns;
    return row;
}

QString formatMs(const std::optional<std::int64_t>& ms, const QString& whenMissing) {
    return ms ? QDateTime::fromMSecsSinceEpoch(*ms).toString(Qt::ISODateWithMs) : whenMissing;
}

// The orders a listing can be asked for, as the inspector and the core name them.
constexpr std::pair<EntryOrder, core::SortKey> kOrders[] = {
    {EntryOrder::kKey, core::SortKey::kKey},
    {EntryOrder::kSize, core::SortKey::kSize},
    {EntryOrder::kStored, core::SortKey::kStored},
    {EntryOrder::kAccessed, core::SortKey::kAccessed},
    {EntryOrder::kExpires, core::SortKey::kExpires},
    {EntryOrder::kHits, core::SortKey::kHits},
    {EntryOrder::kComputeTime, core::SortKey::kComputeTime},
    {EntryOrder::kTimeSaved, core::SortKey::kTimeSaved},
};

core::SortKey toCore(EntryOrder order) {
    for (const auto& [ours, theirs] : kOrders) {
        if (ours == order) return theirs;
    }
    return core::SortKey::kNone;
}

std::optional<EntryOrder> fromCore(core::SortKey key) {
    for (const auto& [ours, theirs] : kOrders) {
        if (theirs == key) return ours;
    }
    return std::nullopt;
}

// Ctrl+F text: a shell glob when it has glob characters, else a plain substring.
// The core's columns as the inspector names them (both enums list them in the same order).
EntryColumn fromCore(core::EntryColumn column) {
    return static_cast<EntryColumn>(static_cast<int>(column));
}
static_assert(static_cast<int>(core::EntryColumn::kTimeSaved) ==
              static_cast<int>(EntryColumn::kTimeSaved));

core::EntryFilter toFilter(const QString& text) {
    core::EntryFilter filter;
    const std::string utf8 = text.toStdString();
    if (text.contains(QLatin1Char('*')) || text.contains(QLatin1Char('?')) ||
        text.contains(QLatin1Char('['))) {
        filter.glob = utf8;
    } else {
        filter.substring = utf8;
    }
    return filter;
}

// The core's plan action for a kind of maintenance.
core::PlanRequest::Action actionOf(MaintenanceKind kind) {
    switch (kind) {
        case MaintenanceKind::kDeleteSelected:
            return core::PlanRequest::Action::kDeleteEntries;
        case MaintenanceKind::kClearExpired:
            return core::PlanRequest::Action::kClearExpired;
        case MaintenanceKind::kClearAll:
            return core::PlanRequest::Action::kClearAll;
        case MaintenanceKind::kPrune:
        case MaintenanceKind::kPruneValue:
            return core::PlanRequest::Action::kPruneToBytes;
        case MaintenanceKind::kSetTtl:
            return core::PlanRequest::Action::kSetTtl;
        case MaintenanceKind::kDeleteMatching:
            return core::PlanRequest::Action::kMatchGlob;
    }
    return core::PlanRequest::Action::kClearExpired;
}

// EditKind's values, in order, as the core's.
constexpr core::EditAction kEditActions[] = {
    core::EditAction::kSetTtl,       core::EditAction::kPersist,      core::EditAction::kRename,
    core::EditAction::kSetValue,     core::EditAction::kHashSet,      core::EditAction::kHashDelete,
    core::EditAction::kListPushHead, core::EditAction::kListPushTail, core::EditAction::kListSet,
    core::EditAction::kListRemove,   core::EditAction::kSetAdd,       core::EditAction::kSetRemove,
    core::EditAction::kZsetAdd,      core::EditAction::kZsetRemove};
constexpr int kEditKinds = static_cast<int>(std::size(kEditActions));
static_assert(static_cast<int>(EditKind::kZsetRemove) == kEditKinds - 1);

core::EditAction editActionOf(EditKind kind) {
    return kEditActions[static_cast<int>(kind)];
}

}  // namespace

struct SourceAdapter::State {
    core::SourceInfo info;  // what was opened, to reopen for a fresh namespace scan
    core::OpenOptions options;
    std::unique_ptr<core::Source> source;
    std::map<quint64, std::unique_ptr<core::Plan>> plans;  // planned, not yet executed
    quint64 nextPlanId = 1;
    std::optional<int> db;  // selectDatabase()'s, kept over reopens
};

SourceAdapter::SourceAdapter() : m_state(std::make_unique<State>()) {}
SourceAdapter::~SourceAdapter() = default;

Status SourceAdapter::open(const SourceRef& ref, bool readOnly) {
    m_state->source.reset();
    m_state->plans.clear();
    m_state->db.reset();
    core::SourceInfo info;
    if (ref.kind == SourceKind::kRedis) {
        info.kind = core::SourceKind::kRedis;
        info.name = ref.name.toStdString();
        // The password joins the URL only here, on its way into the core.
        auto endpoint = parseRedisUrl(ref.location);
        if (!endpoint.ok()) return endpoint.status();
        endpoint->password = ref.password;
        info.url = endpoint->coreUrl().toStdString();
    } else {
        auto identified = core::Discovery::identify(ref.location.toStdString());
        if (!identified.ok()) return identified.status();
        info = *identified;
    }
    core::OpenOptions options;
    options.read_only = readOnly;
    // Advanced setting (not in the UI): the sort index limit of folder-walking sources.
    const qulonglong sortCap =
        QSettings().value(QStringLiteral("sortIndexMaxEntries"), 0).toULongLong();
    if (sortCap > 0) options.sort_index_max_entries = static_cast<std::size_t>(sortCap);
    if (!ref.separator.isEmpty()) options.separator = ref.separator.toStdString();
    options.ssh_password = ref.sshPassword.toStdString();  // never part of the URL
    // A statistics sample never holds the source's one thread for long: a big diskcache's
    // byte sum goes on over several samples (the panel says "adding up").
    options.stats_time_budget = std::chrono::milliseconds(100);
    m_state->options.read_only = readOnly;  // kept even if the open fails, for setReadOnly
    auto opened = core::Discovery::open(info, options);
    if (!opened.ok()) return opened.status();
    m_state->source = std::move(*opened);
    m_state->info = std::move(info);
    m_state->options = std::move(options);
    return {};
}

MaintenanceLimits SourceAdapter::limits() const {
    MaintenanceLimits out;
    if (!isOpen()) return out;
    for (MaintenanceKind kind :
         {MaintenanceKind::kDeleteSelected, MaintenanceKind::kClearExpired,
          MaintenanceKind::kClearAll, MaintenanceKind::kPrune, MaintenanceKind::kSetTtl,
          MaintenanceKind::kDeleteMatching, MaintenanceKind::kPruneValue}) {
        const Status why = m_state->source->supports(actionOf(kind));
        if (!why.ok()) out.unsupported.insert(kind, toQString(why.message()));
    }
    // Only our own engines and joblib list each entry's compute time (EntrySummary::
    // compute_ns); the core's value order refuses a source where no entry records one.
    const core::SourceKind sourceKind = m_state->info.kind;
    if (!out.unsupported.contains(MaintenanceKind::kPruneValue) &&
        sourceKind != core::SourceKind::kNativeSqlite &&
        sourceKind != core::SourceKind::kNativeFiles && sourceKind != core::SourceKind::kJoblib) {
        out.unsupported.insert(
            MaintenanceKind::kPruneValue,
            QObject::tr("a %1 source records no compute time for its entries, so there is no "
                        "value to prune by (Prune… removes the oldest first instead)")
                .arg(toQString(std::string(core::sourceKindName(sourceKind)))));
    }
    for (int k = 0; k < kEditKinds; ++k) {
        const auto kind = static_cast<EditKind>(k);
        const Status why = m_state->source->supportsEdit(editActionOf(kind));
        if (!why.ok()) out.uneditable.insert(kind, toQString(why.message()));
    }
    return out;
}

bool SourceAdapter::isOpen() const {
    return m_state->source != nullptr;
}

SourceKind SourceAdapter::kind() const {
    return fromCore(m_state->info.kind);
}

bool SourceAdapter::isReadOnly() const {
    return m_state->options.read_only;
}

Status SourceAdapter::setReadOnly(bool readOnly) {
    m_state->options.read_only = readOnly;
    if (!isOpen() || m_state->source->readOnly() == readOnly) return {};
    const Status reopened = reopen();
    // Never keep a writable source once read-only was asked for.
    if (!reopened.ok() && readOnly) m_state->source.reset();
    return reopened;
}

Status SourceAdapter::reopen() {
    m_state->plans.clear();  // a plan holds the source it was made on
    auto reopened = core::Discovery::open(m_state->info, m_state->options);
    if (!reopened.ok()) return reopened.status();
    if (m_state->db) {
        if (Status s = (*reopened)->selectDatabase(*m_state->db); !s.ok()) return s;
    }
    m_state->source = std::move(*reopened);
    return {};
}

Result<ServerInfo> SourceAdapter::serverInfo() {
    if (!isOpen()) return Status::unavailable("the source is not open");
    return readServerInfo(*m_state->source);
}

Result<QList<SlowlogRow>> SourceAdapter::slowlog(int count) {
    if (!isOpen()) return Status::unavailable("the source is not open");
    return readSlowlog(*m_state->source, count);
}

Result<int> SourceAdapter::selectDatabase(int db) {
    if (!isOpen()) return Status::unavailable("the source is not open");
    if (Status s = m_state->source->selectDatabase(db); !s.ok()) return s;
    m_state->plans.clear();  // planned in the other database
    m_state->db = db;
    return db;
}

Result<EntryPage> SourceAdapter::page(const QByteArray& cursor, const QString& filter, int limit,
                                      EntryOrder order, bool descending, int budgetMs,
                                      const QString& type) {
    if (!isOpen()) return Status::unavailable("the source is not open");
    core::EntryFilter entryFilter = toFilter(filter);
    entryFilter.type = type.toStdString();
    entryFilter.time_budget = std::chrono::milliseconds(budgetMs);
    const std::vector<core::SortKey> supported = m_state->source->sortKeys();
    const core::SortKey wanted = toCore(order);
    if (std::find(supported.begin(), supported.end(), wanted) != supported.end()) {
        entryFilter.order = wanted;
        entryFilter.descending = descending;
    }
    auto page = m_state->source->entries(toStd(cursor),
                                         static_cast<std::size_t>(std::max(limit, 1)), entryFilter);
    if (!page.ok()) return page.status();
    EntryPage out;
    out.rows.reserve(static_cast<qsizetype>(page->entries.size()));
    for (const auto& entry : page->entries) out.rows << fromCore(entry);
    out.cursor = toBytes(page->cursor);
    out.complete = page->complete();
    out.scanned = page->scanned;
    out.total = page->total;
    out.budgetSpent = page->budget_spent;
    for (const auto& node : page->nodes) {
        out.nodes << NodeScan{toQString(node.address), node.scanned, node.done};
    }
    for (const core::SortKey key : supported) {
        if (const auto known = fromCore(key)) out.orders << *known;
    }
    for (const core::EntryColumn column : m_state->source->columns())
        out.columns << fromCore(column);
    out.note = toQString(page->note);
    return out;
}

Result<core::AnalysisReport> SourceAdapter::analyze(const core::AnalysisOptions& options,
                                                    core::AnalysisControl& control,
                                                    const core::AnalysisProgressFn& progress) {
    if (!isOpen()) return Status::unavailable("the source is not open");
    return core::analyze(*m_state->source, options, &control, progress);
}

Result<EntryDetail> SourceAdapter::detail(const QByteArray& id, qint64 maxValueBytes) {
    if (!isOpen()) return Status::unavailable("the source is not open");
    auto detail = m_state->source->detail(toStd(id));
    if (!detail.ok()) return detail.status();
    const core::EntrySummary& s = detail->summary;
    EntryDetail out;
    out.row = fromCore(s);
    out.value = toBytes(detail->value_bytes);
    out.truncated = detail->truncated;
    if (out.value.size() > maxValueBytes) {
        out.value.truncate(maxValueBytes);
        out.truncated = true;
    }
    out.valueKind = toQString(detail->value_kind);
    out.preview = toQString(detail->preview);
    if (m_state->source->info().kind == core::SourceKind::kRedis) out.valueType = toQString(s.type);
    const QString notRecorded = notRecordedText();
    out.metadata = {
        {QObject::tr("Key"), out.row.key},
        {QObject::tr("Id"), QString::fromUtf8(out.row.id)},
        {QObject::tr("Size"), bytesText(s.size)},
        {QObject::tr("Stored"), formatMs(s.stored_ms, notRecorded)},
        {QObject::tr("Accessed"), formatMs(s.accessed_ms, notRecorded)},
        {QObject::tr("Expires"), formatMs(s.expires_ms, QObject::tr("never"))},
        {QObject::tr("Hits"), s.hits ? numberText(*s.hits) : notRecorded},
        {QObject::tr("Value kind"), out.valueKind},
    };
    if (!s.tag.empty()) out.metadata.append({QObject::tr("Tag"), toQString(s.tag)});
    if (s.length) out.metadata.append({QObject::tr("Length"), numberText(*s.length)});
    if (!s.encoding.empty()) out.metadata.append({QObject::tr("Encoding"), out.row.encoding});
    if (s.compute_ns) {
        out.metadata.append({QObject::tr("Compute time"), durationText(*s.compute_ns)});
    }
    if (s.saved_ns) out.metadata.append({QObject::tr("Time saved"), durationText(*s.saved_ns)});
    if (!detail->value_file.empty()) {
        out.metadata.append({QObject::tr("Value file"), toQString(detail->value_file.string())});
    }
    if (!detail->note.empty()) out.metadata.append({QObject::tr("Note"), toQString(detail->note)});
    return out;
}

Result<ValuePage> SourceAdapter::valuePage(const QByteArray& id, const ValueRequest& request) {
    if (!isOpen()) return Status::unavailable("the source is not open");
    return readValuePage(*m_state->source, id, request);
}

Result<quint64> SourceAdapter::saveValue(const QByteArray& id, const QString& path,
                                         const ProgressFn& progress,
                                         const std::atomic<bool>& cancel) {
    if (!isOpen()) return Status::unavailable("the source is not open");
    return saveValueToFile(*m_state->source, id, path, progress, cancel);
}

Result<ListingExported> SourceAdapter::exportListing(const QString& filter, const QString& type,
                                                     bool csv, const QString& path,
                                                     const ExportProgressFn& progress,
                                                     const std::atomic<bool>& cancel) {
    if (!isOpen()) return Status::unavailable("the source is not open");
    core::ListingExportOptions options;
    options.format = csv ? core::ListingFormat::kCsv : core::ListingFormat::kJsonLines;
    options.filter = toFilter(filter);
    options.filter.type = type.toStdString();  // Redis: only keys of this type ("": all)
    // Short searches: progress shows and Cancel is noticed even when matches are sparse.
    options.filter.time_budget = std::chrono::milliseconds(250);
    auto done = core::exportListing(
        *m_state->source, options, path.toStdString(),
        [&progress](std::uint64_t written, std::uint64_t scanned,
                    std::optional<std::uint64_t> total) {
            if (progress) progress(written, scanned, total.value_or(0));
        },
        &cancel);
    if (!done.ok()) return done.status();
    return ListingExported{done->written, done->cancelled};
}

Result<SourceStats> SourceAdapter::stats() {
    if (!isOpen()) return Status::unavailable("the source is not open");
    auto stats = m_state->source->stats();
    if (!stats.ok()) return stats.status();
    SourceStats out;
    out.entries = stats->entries;
    out.bytes = stats->bytes;
    out.hits = stats->hits;
    out.misses = stats->misses;
    out.evictions = stats->evictions;
    out.computeNs = stats->compute_ns;
    out.savedNs = stats->saved_ns;
    out.note = toQString(stats->note);
    for (const auto& [name, value] : stats->extra) out.extra.append({toQString(name), value});
    for (const auto& node : stats->nodes) {
        NodeStats row;
        row.address = toQString(node.address);
        row.master = node.role != "replica";
        row.masterAddress = toQString(node.master);
        row.slotRanges = toQString(node.slot_ranges);
        row.slotCount = node.slot_count;
        row.keys = node.keys;
        row.memoryBytes = node.memory_bytes;
        row.hits = node.hits;
        row.misses = node.misses;
        row.error = toQString(node.error);
        out.nodes << row;
    }
    return out;
}

Result<NamespaceReport> SourceAdapter::namespaces(quint64 budget, bool restart) {
    if (!isOpen()) return Status::unavailable("the source is not open");
    if (restart) {
        // The core keeps a scan's counts in the source; a new source scans afresh.
        if (Status s = reopen(); !s.ok()) return s;
    }
    auto report = m_state->source->namespaces(static_cast<std::size_t>(budget));
    if (!report.ok()) return report.status();
    NamespaceReport out;
    out.scanned = report->keys_scanned;
    out.complete = report->complete;
    out.foldedKeys = report->folded_keys;
    out.nodes.reserve(static_cast<qsizetype>(report->nodes.size()));
    for (const auto& node : report->nodes) {
        NamespaceNode n;
        n.name = toQString(node.name);
        n.prefix = toQString(node.prefix);
        n.parent =
            node.parent == core::NamespaceReport::kNoParent ? -1 : static_cast<int>(node.parent);
        n.keys = node.keys;
        n.leafKeys = node.leaf_keys;
        n.bytes = node.bytes;
        n.other = node.other;
        out.nodes.append(std::move(n));
    }
    // The total to show progress against: the server's own count (DBSIZE) of this database
    // (the folder sources' stats() would walk the whole tree for it: they have none).
    if (m_state->info.kind == core::SourceKind::kRedis) {
        if (auto stats = m_state->source->stats(); stats.ok()) out.totalKeys = stats->entries;
    }
    return out;
}

Result<PlanPreview> SourceAdapter::plan(const MaintenanceRequest& request) {
    if (!isOpen()) return Status::unavailable("the source is not open");
    core::PlanRequest planRequest;
    planRequest.action = actionOf(request.kind);
    for (const QByteArray& id : request.ids) planRequest.entry_ids.push_back(toStd(id));
    planRequest.limit = request.pruneToBytes;
    if (request.kind == MaintenanceKind::kPruneValue) {
        planRequest.prune_order = core::PlanRequest::PruneOrder::kValue;
    }
    planRequest.glob = request.glob.toStdString();
    planRequest.type = request.type.toStdString();
    if (request.ttlMs) planRequest.ttl = std::chrono::milliseconds(*request.ttlMs);
    planRequest.confirmed = request.confirmed;
    auto plan = m_state->source->plan(planRequest);
    if (!plan.ok()) return plan.status();
    const core::PlanPreview& preview = (*plan)->preview();
    PlanPreview out;
    out.planId = m_state->nextPlanId++;
    out.count = preview.count;
    out.bytes = preview.bytes;
    out.bytesKnown = preview.bytes_known;
    out.note = toQString(preview.note);
    out.needsConfirmation = preview.needs_confirmation;
    for (const auto& entry : preview.sample) out.sample << toQString(entry.key_text);
    m_state->plans.clear();  // only the latest plan may run
    m_state->plans.emplace(out.planId, std::move(*plan));
    return out;
}

Result<ExecuteResult> SourceAdapter::execute(quint64 planId, const ProgressFn& progress,
                                             const std::atomic<bool>& cancel) {
    auto it = m_state->plans.find(planId);
    if (it == m_state->plans.end()) {
        return Status::notFound(
            "the plan to execute is gone (the source was reopened or "
            "another plan was made)");
    }
    std::unique_ptr<core::Plan> plan = std::move(it->second);
    m_state->plans.erase(it);
    auto result = plan->execute(
        [&progress](std::uint64_t done, std::uint64_t total) {
            if (progress) progress(done, total);
        },
        &cancel);
    if (!result.ok()) return result.status();
    ExecuteResult out;
    out.removed = result->deleted;
    out.updated = result->updated;
    out.bytes = result->bytes_freed;
    out.cancelled = result->cancelled;
    for (const auto& reason : result->refused) out.refused << toQString(reason);
    out.changed = result->changed;
    out.auditError = toQString(result->audit_error);
    return out;
}

Result<EntryRow> SourceAdapter::edit(const EntryEdit& request) {
    if (!isOpen()) return Status::unavailable("the source is not open");
    core::EditRequest r;
    r.action = editActionOf(request.kind);
    r.entry_id = toStd(request.id);
    r.ttl = std::chrono::milliseconds(request.ttlMs);
    r.new_key = toStd(request.newKey);
    r.value = toStd(request.value);
    r.member = toStd(request.member);
    r.index = request.index;
    if (request.expected) r.expected = toStd(*request.expected);
    r.score = request.score;
    auto done = m_state->source->edit(r);
    if (!done.ok()) return done.status();
    return fromCore(done->entry);
}

Result<qint64> parseTtl(const QString& text) {
    auto ttl = core::parseDuration(text.trimmed().toStdString());
    if (!ttl.ok()) return ttl.status();
    if (ttl->count() <= 0) return Status::invalidArgument("a TTL must be more than 0");
    return static_cast<qint64>(ttl->count());
}

Result<QString> testRedisConnection(const QString& url) {
    auto info = core::Discovery::identifyUrl(url.toStdString());
    if (!info.ok()) return info.status();
    core::OpenOptions options;
    options.read_only = true;  // a connection test changes nothing
    auto source = core::Discovery::open(*info, options);
    if (!source.ok()) return source.status();
    auto stats = (*source)->stats();
    if (!stats.ok()) return stats.status();
    // stats() also read the server's version into the source's note ("Redis 7.0.11, db 0").
    return QObject::tr("%1: %2").arg(
        toQString((*source)->info().note),
        countText(stats->entries.value_or(0), QObject::tr("key"), QObject::tr("keys")));
}

Result<QList<SourceRef>> discoverSources(const QString& root) {
    auto found = core::Discovery::scan(root.toStdString());
    if (!found.ok()) return found.status();
    QList<SourceRef> out;
    for (const core::SourceInfo& info : *found) {
        SourceRef ref;
        ref.kind = fromCore(info.kind);
        ref.location = info.kind == core::SourceKind::kRedis ? toQString(info.url)
                                                             : toQString(info.path.string());
        ref.name = toQString(info.name);
        ref.note = toQString(info.note);
        ref.entries = info.entries;
        ref.bytes = info.bytes;
        out << ref;
    }
    return out;
}

QString defaultCacheRoot() {
    auto root = resolveCacheRoot();
    if (!root.ok()) return {};
    return QString::fromStdString(root->string());
}

}  // namespace twat_cache::ui
