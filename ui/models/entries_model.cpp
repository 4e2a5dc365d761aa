#include "models/entries_model.h"

#include <QDateTime>
#include <QGuiApplication>
#include <QLocale>
#include <QPalette>

#include "workers/display_text.h"

namespace twat_cache::ui {
namespace {

// Minutes in the table, seconds in the cell's tooltip: the columns stay narrow.
QString formatTime(qint64 ms, const QString& whenZero, bool seconds = false) {
    if (ms == 0) return whenZero;
    return QDateTime::fromMSecsSinceEpoch(ms).toString(
        seconds ? QStringLiteral("yyyy-MM-dd HH:mm:ss") : QString(EntriesModel::kTimeFormat));
}

// The time left until an expiry `ms` away, counting down by the second: "42s", "9m 05s",
// "3h 07m", "5d 4h".
QString countdownText(qint64 ms) {
    const qint64 s = (ms + 999) / 1000;
    const auto two = [](qint64 n) { return QStringLiteral("%1").arg(n, 2, 10, QLatin1Char('0')); };
    if (s < 60) return EntriesModel::tr("%1s").arg(s);
    if (s < 3600) return EntriesModel::tr("%1m %2s").arg(s / 60).arg(two(s % 60));
    if (s < 86400) return EntriesModel::tr("%1h %2m").arg(s / 3600).arg(two(s / 60 % 60));
    return EntriesModel::tr("%1d %2h").arg(s / 86400).arg(s / 3600 % 24);
}

// The columns a source of `kind` fills in until its first page says (Source::columns).
QList<int> keptColumnsOf(SourceKind kind) {
    if (kind == SourceKind::kRedis) {
        return {EntriesModel::kKey,    EntriesModel::kType,   EntriesModel::kTtl,
                EntriesModel::kLength, EntriesModel::kMemory, EntriesModel::kEncoding};
    }
    return {EntriesModel::kKey, EntriesModel::kSize, EntriesModel::kCreated,
            EntriesModel::kAccessed};
}

// The model's column of a source's column: both list them in the same order.
int columnOf(EntryColumn column) {
    static_assert(static_cast<int>(EntryColumn::kTimeSaved) == EntriesModel::kTimeSaved);
    return static_cast<int>(column);
}

// Whether the cell at `column` of `row` shows a figure the cache does not record.
bool notRecorded(const EntryRow& row, int column) {
    switch (column) {
        case EntriesModel::kCreated:
            return row.createdMs == 0;
        case EntriesModel::kAccessed:
            return row.accessedMs == 0;
        case EntriesModel::kHits:
            return !row.hits.has_value();
        case EntriesModel::kLength:
            return !row.length.has_value();
        case EntriesModel::kEncoding:
            return row.encoding.isEmpty();
        case EntriesModel::kMemory:  // no key takes 0 bytes: MEMORY USAGE was refused
            return row.size == 0;
        case EntriesModel::kComputeTime:
            return !row.computeNs.has_value();
        case EntriesModel::kTimeSaved:
            return !row.savedNs.has_value();
        default:
            return false;
    }
}

// The order a column sorts by (kNatural for columns no source orders by).
EntryOrder orderOf(int column) {
    switch (column) {
        case EntriesModel::kKey:
            return EntryOrder::kKey;
        case EntriesModel::kSize:
            return EntryOrder::kSize;
        case EntriesModel::kCreated:
            return EntryOrder::kStored;
        case EntriesModel::kAccessed:
            return EntryOrder::kAccessed;
        case EntriesModel::kExpires:
            return EntryOrder::kExpires;
        case EntriesModel::kHits:
            return EntryOrder::kHits;
        case EntriesModel::kComputeTime:
            return EntryOrder::kComputeTime;
        case EntriesModel::kTimeSaved:
            return EntryOrder::kTimeSaved;
        default:
            return EntryOrder::kNatural;
    }
}

}  // namespace

EntriesModel::EntriesModel(QObject* parent)
    : QAbstractTableModel(parent),
      m_kept(keptColumnsOf(SourceKind::kFolder)),
      m_nowMs([] { return QDateTime::currentMSecsSinceEpoch(); }) {}

void EntriesModel::setClock(std::function<qint64()> nowMs) {
    m_nowMs = std::move(nowMs);
}

void EntriesModel::refreshTtl(int first, int last) {
    first = std::max(first, 0);
    last = std::min(last, rowCount() - 1);
    if (first > last) return;
    emit dataChanged(index(first, kTtl), index(last, kTtl), {Qt::DisplayRole, Qt::ToolTipRole});
}

void EntriesModel::setKept(const QList<EntryColumn>& columns) {
    QList<int> kept;
    for (const EntryColumn c : columns) kept << columnOf(c);
    if (kept == m_kept) return;
    m_kept = kept;
    emit columnsChanged();
}

void EntriesModel::setTypeFilter(const QString& type) {
    if (type == m_typeFilter) return;
    m_typeFilter = type;
    m_notice.clear();
    reload();
}

void EntriesModel::setSource(SourceClient* client) {
    if (m_connection) disconnect(m_connection);
    if (m_reopenConnection) disconnect(m_reopenConnection);
    m_client = client;
    if (m_client) {
        m_connection = connect(m_client, &SourceClient::pageReady, this, &EntriesModel::onPage);
        // A reopened source (read-only toggled) is a new listing: its cursors need not
        // continue the old source's scan (a folder's sort snapshot, a Redis SCAN), so start
        // again from the first page, in the same filter and order.
        m_reopenConnection = connect(m_client, &SourceClient::reopened, this,
                                     [this](bool, const QString&) { reload(); });
    }
    // A new source lists in its natural order until it says what it can sort by, and shows
    // the columns of its kind until it says which it fills in. Only Redis has types.
    if (!m_client || m_client->ref().kind != SourceKind::kRedis) m_typeFilter.clear();
    const QList<int> kept = keptColumnsOf(m_client ? m_client->ref().kind : SourceKind::kFolder);
    if (kept != m_kept) {
        m_kept = kept;
        emit columnsChanged();
    }
    m_notice.clear();
    m_orders.clear();
    m_sortKnown = false;
    if (m_sortColumn != -1) {
        m_sortColumn = -1;
        m_sortOrder = Qt::AscendingOrder;
        emit sortChanged(m_sortColumn, m_sortOrder);
    }
    reload();
}

void EntriesModel::setFilter(const QString& filter) {
    if (filter == m_filter) return;
    m_filter = filter;
    m_notice.clear();
    reload();
}

void EntriesModel::reload() {
    beginResetModel();
    m_rows.clear();
    m_cursor.clear();
    m_lastError.clear();
    m_pending = false;
    m_complete = (m_client == nullptr);
    m_scanned = 0;
    m_total.reset();
    m_scanNote.clear();
    m_nodeScans.clear();
    m_stopped = false;
    if (m_client) m_client->invalidate(SourceClient::Channel::kEntries);
    endResetModel();
    // The first page is asked at once, not when a view next lays out, so that it comes ahead
    // of what the window asks next of the same worker: statistics can take seconds (the sum
    // of ten million diskcache rows, a folder walk).
    if (canFetchMore({})) fetchMore({});
    emit searchChanged();
}

const EntryRow* EntriesModel::rowAt(int row) const {
    if (row < 0 || row >= m_rows.size()) return nullptr;
    return &m_rows.at(row);
}

int EntriesModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int EntriesModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : kColumnCount;
}

QVariant EntriesModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const EntryRow& row = m_rows.at(index.row());
    if (role == kIdRole) return row.id;
    if (role == Qt::TextAlignmentRole) {
        const int c = index.column();
        const bool numeric = c == kSize || c == kHits || c == kLength || c == kMemory ||
                             c == kComputeTime || c == kTimeSaved;
        return numeric ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    }
    if (role == Qt::ToolTipRole && index.column() == kKey) return visibleText(row.key);
    if (role == Qt::ToolTipRole && notRecorded(row, index.column())) {
        if (index.column() == kComputeTime) {
            return tr("Not recorded: the cache keeps no compute time for this entry");
        }
        if (index.column() == kTimeSaved) {
            return tr("Not recorded: the cache keeps no hits or no compute time for this entry");
        }
        return notRecordedText();
    }
    if (role == Qt::ForegroundRole && notRecorded(row, index.column()) &&
        (index.column() == kComputeTime || index.column() == kTimeSaved)) {
        return QGuiApplication::palette().brush(QPalette::Disabled, QPalette::Text);
    }
    if (role == Qt::ToolTipRole) {
        switch (index.column()) {
            case kCreated:
                return formatTime(row.createdMs, {}, true);
            case kAccessed:
                return formatTime(row.accessedMs, {}, true);
            case kExpires:
                return formatTime(row.expiresMs, tr("never"), true);
            case kTtl:
                return row.expiresMs == 0
                           ? tr("The key does not expire")
                           : tr("Expires %1").arg(formatTime(row.expiresMs, {}, true));
            case kComputeTime:
                return tr("The value took %1 to compute").arg(durationText(*row.computeNs));
            case kTimeSaved:
                return row.hits && row.computeNs
                           ? tr("%1 hits × %2 of compute")
                                 .arg(numberText(*row.hits), durationText(*row.computeNs))
                           : tr("Saved %1 of compute").arg(durationText(*row.savedNs));
            default:
                return {};
        }
    }
    if (role != Qt::DisplayRole) return {};
    if (notRecorded(row, index.column())) return notRecordedMark();
    switch (index.column()) {
        case kKey:
            return visibleText(row.key);
        case kSize:
            return bytesText(row.size);
        case kCreated:
            return formatTime(row.createdMs, {});
        case kAccessed:
            return formatTime(row.accessedMs, {});
        case kExpires:
            return formatTime(row.expiresMs, tr("never"));
        case kHits:
            return numberText(*row.hits);
        case kTag:
            return visibleText(row.tag);
        case kType:
            return visibleText(row.type);
        case kTtl: {
            if (row.expiresMs == 0) return tr("no TTL");
            const qint64 left = row.expiresMs - m_nowMs();
            return left <= 0 ? tr("expired") : countdownText(left);
        }
        case kLength:
            return numberText(*row.length);
        case kMemory:
            return bytesText(row.size);
        case kEncoding:
            return visibleText(row.encoding);
        case kComputeTime:
            return durationText(*row.computeNs);
        case kTimeSaved:
            return durationText(*row.savedNs);
        default:
            return {};
    }
}

QVariant EntriesModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation == Qt::Horizontal && role == Qt::ToolTipRole && m_sortKnown) {
        const QString name = headerData(section, orientation, Qt::DisplayRole).toString();
        return isSortable(section) ? tr("Click to sort by %1").arg(name)
                                   : tr("This source cannot sort by %1").arg(name);
    }
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    switch (section) {
        case kKey:
            return tr("Key");
        case kSize:
            return tr("Size");
        case kCreated:
            return tr("Stored");
        case kAccessed:
            return tr("Accessed");
        case kExpires:
            return tr("Expires");
        case kHits:
            return tr("Hits");
        case kTag:
            return tr("Tag");
        case kType:
            return tr("Type");
        case kTtl:
            return tr("TTL");
        case kLength:
            return tr("Length");
        case kMemory:
            return tr("Memory");
        case kEncoding:
            return tr("Encoding");
        case kComputeTime:
            return tr("Compute time");
        case kTimeSaved:
            return tr("Time saved");
        default:
            return {};
    }
}

bool EntriesModel::canFetchMore(const QModelIndex& parent) const {
    return !parent.isValid() && m_client && !m_complete && !m_pending && !m_stopped;
}

void EntriesModel::fetchMore(const QModelIndex& parent) {
    if (!canFetchMore(parent)) return;
    m_roundRows = 0;
    requestRest();
    emit searchChanged();
}

void EntriesModel::requestRest() {
    m_pending = true;
    const EntryOrder order = m_sortColumn >= 0 ? orderOf(m_sortColumn) : EntryOrder::kNatural;
    m_client->requestPage(m_cursor, m_filter, std::max(1, m_pageSize - m_roundRows), order,
                          m_sortOrder == Qt::DescendingOrder, m_timeBudgetMs, m_typeFilter);
}

void EntriesModel::stopSearch() {
    if (m_stopped || m_complete) return;
    m_stopped = true;
    emit searchChanged();
}

void EntriesModel::continueSearch() {
    if (!m_stopped) return;
    m_stopped = false;
    if (!m_pending) fetchMore({});
    emit searchChanged();
}

bool EntriesModel::isSortable(int column) const {
    const EntryOrder order = orderOf(column);
    return order != EntryOrder::kNatural && m_orders.contains(order);
}

void EntriesModel::sort(int column, Qt::SortOrder order) {
    if (!isSortable(column)) return;
    if (column == m_sortColumn && order == m_sortOrder) return;
    m_sortColumn = column;
    m_sortOrder = order;
    m_notice.clear();
    emit sortChanged(m_sortColumn, m_sortOrder);
    reload();
}

void EntriesModel::onPage(const EntryPage& page, const QString& error) {
    if (!m_pending) return;  // not asked for by this scan
    // m_pending stays true until the page is in, so that a fetchMore() called meanwhile (a
    // model tester does on headerDataChanged and rowsInserted) does not ask for it again.
    if (!error.isEmpty()) m_pending = false;
    if (!error.isEmpty() && m_sortColumn != -1 && m_rows.isEmpty()) {
        // The source could not give this order at all: list in its natural order instead
        // (an empty view with only an error would leave no way back but another source).
        m_notice = tr("%1 (listing in the natural order instead)").arg(error);
        m_sortColumn = -1;
        m_sortOrder = Qt::AscendingOrder;
        emit sortChanged(m_sortColumn, m_sortOrder);
        reload();
        emit pageLoaded(0, m_notice);
        return;
    }
    if (!error.isEmpty()) {
        // Stop scanning: fetchMore would only repeat the failure. reload() retries.
        m_lastError = error;
        m_complete = true;
        emit pageLoaded(0, error);
        emit searchChanged();
        return;
    }
    m_cursor = page.cursor;
    m_scanNote = page.note;
    if (!page.columns.isEmpty()) setKept(page.columns);
    if (!m_sortKnown || m_orders != page.orders) {
        m_orders = page.orders;
        m_sortKnown = true;
        emit headerDataChanged(Qt::Horizontal, 0, kColumnCount - 1);  // the tooltips say it
    }
    m_complete = page.complete || page.cursor.isEmpty();
    if (m_complete) m_stopped = false;  // a Stop pressed while the last reply was on its way
    m_scanned += page.scanned;
    if (page.total) m_total = page.total;
    // Each page reports the whole listing so far on every master (the cursor carries it).
    if (!page.nodes.isEmpty()) m_nodeScans = page.nodes;
    const int added = static_cast<int>(page.rows.size());
    m_roundRows += added;
    if (added > 0) {
        const int first = static_cast<int>(m_rows.size());
        beginInsertRows({}, first, first + added - 1);
        m_rows.append(page.rows);
        endInsertRows();
    }
    m_pending = false;
    // The source ran out of time before the page was full: search on, unless stopped. (The
    // view only asks for more when rows arrive, so an empty page would otherwise end here.)
    if (!m_complete && !m_stopped && m_roundRows < m_pageSize) requestRest();
    emit pageLoaded(added, {});
    emit searchChanged();
}

}  // namespace twat_cache::ui
