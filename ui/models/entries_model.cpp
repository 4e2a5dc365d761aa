#include "models/entries_model.h"

#include <QDateTime>
#include <QLocale>

namespace twat_cache::ui {
namespace {

QString formatTime(qint64 ms, const QString& whenZero) {
    if (ms == 0) return whenZero;
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

}  // namespace

EntriesModel::EntriesModel(QObject* parent) : QAbstractTableModel(parent) {}

void EntriesModel::setSource(SourceClient* client) {
    if (m_connection) disconnect(m_connection);
    m_client = client;
    if (m_client) {
        m_connection = connect(m_client, &SourceClient::pageReady, this, &EntriesModel::onPage);
    }
    reload();
}

void EntriesModel::setFilter(const QString& filter) {
    if (filter == m_filter) return;
    m_filter = filter;
    reload();
}

void EntriesModel::reload() {
    beginResetModel();
    m_rows.clear();
    m_cursor.clear();
    m_lastError.clear();
    m_pending = false;
    m_complete = (m_client == nullptr);
    if (m_client) m_client->invalidate(SourceClient::Channel::kEntries);
    endResetModel();
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
        const bool numeric = index.column() == kSize || index.column() == kHits;
        return numeric ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    }
    if (role == Qt::ToolTipRole && index.column() == kKey) return row.key;
    if (role != Qt::DisplayRole) return {};
    switch (index.column()) {
        case kKey:
            return row.key;
        case kSize:
            return QLocale().formattedDataSize(static_cast<qint64>(row.size));
        case kCreated:
            return formatTime(row.createdMs, tr("unknown"));
        case kAccessed:
            return formatTime(row.accessedMs, tr("not tracked"));
        case kExpires:
            return formatTime(row.expiresMs, tr("never"));
        case kHits:
            return row.hits;
        case kTag:
            return row.tag;
        default:
            return {};
    }
}

QVariant EntriesModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    switch (section) {
        case kKey:
            return tr("Key");
        case kSize:
            return tr("Size");
        case kCreated:
            return tr("Created");
        case kAccessed:
            return tr("Accessed");
        case kExpires:
            return tr("Expires");
        case kHits:
            return tr("Hits");
        case kTag:
            return tr("Tag");
        default:
            return {};
    }
}

bool EntriesModel::canFetchMore(const QModelIndex& parent) const {
    return !parent.isValid() && m_client && !m_complete && !m_pending;
}

void EntriesModel::fetchMore(const QModelIndex& parent) {
    if (!canFetchMore(parent)) return;
    m_pending = true;
    m_client->requestPage(m_cursor, m_filter, m_pageSize);
}

void EntriesModel::onPage(const EntryPage& page, const QString& error) {
    if (!m_pending) return;  // not asked for by this scan
    m_pending = false;
    if (!error.isEmpty()) {
        // Stop scanning: fetchMore would only repeat the failure. reload() retries.
        m_lastError = error;
        m_complete = true;
        emit pageLoaded(0, error);
        return;
    }
    m_cursor = page.cursor;
    m_complete = page.complete || page.cursor.isEmpty();
    const int added = static_cast<int>(page.rows.size());
    if (added > 0) {
        const int first = static_cast<int>(m_rows.size());
        beginInsertRows({}, first, first + added - 1);
        m_rows.append(page.rows);
        endInsertRows();
    }
    emit pageLoaded(added, {});
}

}  // namespace twat_cache::ui
