#include "models/value_page_model.h"

#include <QFontDatabase>

#include "twat_cache/value_page.h"
#include "workers/display_text.h"

namespace twat_cache::ui {
namespace {

constexpr qsizetype kBytesPerRow = 16;

// A cut cell keeps its real length in view.
QString cellText(const QByteArray& bytes, quint64 length) {
    QString text = visibleText(QString::fromUtf8(bytes));
    if (static_cast<quint64>(bytes.size()) < length) {
        text +=
            QObject::tr("… (%1)").arg(countText(length, QObject::tr("byte"), QObject::tr("bytes")));
    }
    return text;
}

}  // namespace

ValuePageModel::ValuePageModel(QObject* parent) : QAbstractTableModel(parent) {}

void ValuePageModel::clear() {
    beginResetModel();
    m_kind.clear();
    m_rows.clear();
    m_chunks.clear();
    m_cursor.clear();
    m_complete = true;
    m_loading = false;
    m_loaded = 0;
    m_total.reset();
    m_groups.reset();
    endResetModel();
}

const ValueRow* ValuePageModel::rowAt(int row) const {
    return row >= 0 && row < m_rows.size() ? &m_rows[row] : nullptr;
}

std::optional<QByteArray> ValuePageModel::wholeString() const {
    if (m_kind != QLatin1String("string") || !m_complete || m_loading) return std::nullopt;
    QByteArray bytes;
    for (const auto& [offset, chunk] : m_chunks) {
        if (offset != static_cast<quint64>(bytes.size())) return std::nullopt;  // not whole
        bytes += chunk;
    }
    return bytes;
}

void ValuePageModel::restart() {
    clear();
    m_complete = false;
    m_loading = true;
}

void ValuePageModel::setFailed() {
    m_loading = false;
}

void ValuePageModel::appendPage(const ValuePage& page) {
    m_loading = false;
    if (page.kind != m_kind) {  // the first page names the columns
        beginResetModel();
        m_kind = page.kind;
        endResetModel();
    }
    const qsizetype added = page.kind == QLatin1String("string")
                                ? (page.bytes.size() + kBytesPerRow - 1) / kBytesPerRow
                                : page.rows.size();
    if (added > 0) {
        const int first = rowCount();
        beginInsertRows({}, first, first + static_cast<int>(added) - 1);
        if (page.kind == QLatin1String("string")) {
            for (qsizetype at = 0; at < page.bytes.size(); at += kBytesPerRow) {
                m_chunks.append(
                    {page.offset + static_cast<quint64>(at), page.bytes.mid(at, kBytesPerRow)});
            }
            m_loaded += static_cast<quint64>(page.bytes.size());
        } else {
            m_rows.append(page.rows);
            m_loaded += static_cast<quint64>(page.rows.size());
        }
        endInsertRows();
    }
    m_cursor = page.cursor;
    m_complete = page.complete;
    if (page.total) m_total = page.total;
    if (page.groups) m_groups = page.groups;
}

QStringList ValuePageModel::headers() const {
    if (m_kind == QLatin1String("hash")) return {tr("Field"), tr("Value")};
    if (m_kind == QLatin1String("list")) return {tr("Index"), tr("Value")};
    if (m_kind == QLatin1String("set")) return {tr("Member")};
    if (m_kind == QLatin1String("zset")) return {tr("Member"), tr("Score")};
    if (m_kind == QLatin1String("stream")) return {tr("ID"), tr("Fields")};
    if (m_kind == QLatin1String("string")) return {tr("Hex dump")};
    return {};
}

int ValuePageModel::rowCount(const QModelIndex& parent) const {
    if (parent.isValid()) return 0;
    return static_cast<int>(m_kind == QLatin1String("string") ? m_chunks.size() : m_rows.size());
}

int ValuePageModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(headers().size());
}

QVariant ValuePageModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    if (m_kind == QLatin1String("string")) {
        if (role == Qt::FontRole) return QFontDatabase::systemFont(QFontDatabase::FixedFont);
        if (role != Qt::DisplayRole) return {};
        const auto& [offset, bytes] = m_chunks.at(index.row());
        return QString::fromStdString(
                   hexDump(
                       std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size())),
                       offset))
            .trimmed();
    }
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole) return {};
    const ValueRow& row = m_rows.at(index.row());
    if (index.column() == 0) return cellText(row.name, row.nameLength);
    if (m_kind == QLatin1String("stream")) {
        QStringList fields;
        for (const auto& [f, v] : row.fields) {
            fields << visibleText(QString::fromUtf8(f)) + QLatin1Char('=') +
                          visibleText(QString::fromUtf8(v));
        }
        if (row.moreFields > 0) fields << tr("… (%1 more)").arg(numberText(row.moreFields));
        return fields.join(QStringLiteral(", "));
    }
    return cellText(row.value, row.valueLength);
}

QVariant ValuePageModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    const QStringList names = headers();
    return section < names.size() ? QVariant(names.at(section)) : QVariant();
}

bool ValuePageModel::canFetchMore(const QModelIndex& parent) const {
    return !parent.isValid() && !m_complete && !m_loading;
}

void ValuePageModel::fetchMore(const QModelIndex& parent) {
    if (!canFetchMore(parent)) return;
    m_loading = true;
    emit fetchRequested();
}

}  // namespace twat_cache::ui
