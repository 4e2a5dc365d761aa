// ValuePageModel: the rows of one entry's value as loaded so far, page by page, for the value
// viewer (views/value_table_view.h). Columns follow the value's kind: hash Field/Value, list
// Index/Value, set Member, zset Member/Score, stream ID/Fields, string one "Hex dump" column
// of 16 bytes per row (twat_cache::hexDump).
//
// A lazy model in the manner of Qt's fetchmore example: canFetchMore() is true while the
// value has more pages and none is on its way; fetchMore() emits fetchRequested() and returns
// at once; the owner asks the source's worker for the page at cursor() and hands the reply to
// appendPage(), whose rows arrive by beginInsertRows/endInsertRows.
//
// Thread safety: GUI thread only.
#pragma once

#include <QAbstractTableModel>

#include "workers/source_types.h"

namespace twat_cache::ui {

class ValuePageModel : public QAbstractTableModel {
    Q_OBJECT

  public:
    explicit ValuePageModel(QObject* parent = nullptr);

    // Forgets every row: the next page starts at the beginning (cursor() is empty). A page
    // is expected (canFetchMore() false) until appendPage() or setFailed().
    void restart();
    // Appends the rows of `page` (the continuation of the last one).
    void appendPage(const ValuePage& page);
    // No page is on its way any more (the request failed); fetching may be tried again.
    void setFailed();
    // Forgets everything; nothing is fetched until restart().
    void clear();

    QString kind() const { return m_kind; }
    const QByteArray& cursor() const { return m_cursor; }
    bool complete() const { return m_complete; }
    bool loading() const { return m_loading; }
    std::optional<quint64> total() const { return m_total; }
    std::optional<quint64> groups() const { return m_groups; }
    // Elements loaded so far (string: bytes).
    quint64 loaded() const { return m_loaded; }
    // The loaded row `row` (not for strings); nullptr when there is none.
    const ValueRow* rowAt(int row) const;
    // A string's whole value, once every page of it is loaded; nullopt before, and for other
    // kinds.
    std::optional<QByteArray> wholeString() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex& parent = {}) const override;
    void fetchMore(const QModelIndex& parent = {}) override;

  signals:
    // The view scrolled near the end: the owner should request the page at cursor().
    void fetchRequested();

  private:
    QStringList headers() const;

    QString m_kind;
    QList<ValueRow> m_rows;
    QList<QPair<quint64, QByteArray>> m_chunks;  // string: (offset, up to 16 bytes)
    QByteArray m_cursor;
    bool m_complete = true;
    bool m_loading = false;
    quint64 m_loaded = 0;
    std::optional<quint64> m_total, m_groups;
};

}  // namespace twat_cache::ui
