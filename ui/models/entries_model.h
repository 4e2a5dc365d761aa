// EntriesModel: a lazy table of one source's entries.
//
// The model never holds the whole cache: canFetchMore()/fetchMore() ask the source's worker
// for the next page of the cursor scan and return at once; the page's rows arrive later and
// are inserted in one beginInsertRows/endInsertRows batch. Changing the source or the filter,
// or the source being reopened (read-only toggled), resets the model and invalidates the
// entries channel, so pages of the old scan that are still in flight are dropped; the scan
// then starts again from the first page with the same filter and order.
//
// Searching: each request asks the source for the rest of a page and lets it search for at
// most timeBudget() ms (EntryFilter::time_budget); a reply with fewer rows and a cursor means
// the time ran out, and the model asks again at once, until the page is full, the scan ends,
// or stopSearch() is called. So a filter whose matches lie deep in a large cache keeps
// searching (without blocking the GUI) instead of showing an empty page with nothing to
// scroll. scanned() and scanTotal() tell how far the search got ("scanned N of ~M"), and
// searchChanged() fires whenever that, the loading state or the stop state changes.
//
// Sorting is done by the source, not here: sort() restarts the scan in the chosen order when
// the source supports that column (the pages say which it supports) and ignores other
// columns, so the model still holds only what was paged in. Once the first page says what
// the source can sort by, each column header's tooltip tells whether a click sorts it.
//
// Columns: the model has every column of every kind of source; isColumnKept() says which the
// current source fills in (Redis: Key, Type, TTL, Length, Memory, Encoding, Compute time; local
// caches some of Key, Size, Stored, Accessed, Expires, Hits, Tag, Compute time, Time saved),
// known from the source's kind until its
// first page says (columnsChanged()). A view hides the others (EntriesColumns). The TTL column
// shows the time left until expiresMs on the model's clock (setClock), recomputed whenever it
// is drawn: refreshTtl() tells views to redraw it, without asking the source.
//
// Type filter (Redis): setTypeFilter() lists only keys of one type; scanNote() says when that
// costs more than a plain scan (a server without SCAN … TYPE).
//
// Thread safety: GUI thread only.
#pragma once

#include <QAbstractTableModel>
#include <QPointer>
#include <functional>
#include <optional>

#include "workers/source_client.h"
#include "workers/source_types.h"

namespace twat_cache::ui {

class EntriesModel : public QAbstractTableModel {
    Q_OBJECT

  public:
    // kCreated is the time stored (header "Stored"); kMemory shows the size (Redis's MEMORY
    // USAGE); kTtl shows the time left until expiry. kComputeTime and kTimeSaved show how
    // long the value took to compute and what its hits saved ("1.2 ms"), or a grey mark whose
    // tooltip says the cache records none (never 0).
    enum Column {
        kKey,
        kSize,
        kCreated,
        kAccessed,
        kExpires,
        kHits,
        kTag,
        kType,
        kTtl,
        kLength,
        kMemory,
        kEncoding,
        kComputeTime,
        kTimeSaved,
        kColumnCount
    };
    // Data role giving the entry's opaque id (QByteArray).
    static constexpr int kIdRole = Qt::UserRole + 1;
    static constexpr int kDefaultPageSize = 200;
    // How the time columns show a time (to the minute; the tooltip adds the seconds).
    static constexpr const char* kTimeFormat = "yyyy-MM-dd HH:mm";
    // Time one request may search (ms): short, so that progress shows several times a second.
    static constexpr int kDefaultTimeBudgetMs = 250;

    explicit EntriesModel(QObject* parent = nullptr);

    // Shows `client`'s entries (nullptr: none). The model does not own the client.
    void setSource(SourceClient* client);
    SourceClient* source() const { return m_client; }
    void setFilter(const QString& filter);
    QString filter() const { return m_filter; }
    // Redis: only keys of `type` ("hash", ...; empty: every type). Cleared for other sources.
    void setTypeFilter(const QString& type);
    QString typeFilter() const { return m_typeFilter; }
    // Whether a key filter or a type filter restricts the listing.
    bool isFiltered() const { return !m_filter.isEmpty() || !m_typeFilter.isEmpty(); }
    // What the listing costs beyond the usual, as the source said on its last page (e.g. a
    // type filter that asks every key's type: a full scan); empty when nothing.
    QString scanNote() const { return m_scanNote; }
    // Whether the source fills in `column` (a view hides the others).
    bool isColumnKept(int column) const { return m_kept.contains(column); }
    // Now in Unix ms for the TTL column (default: the system clock); tests inject their own.
    void setClock(std::function<qint64()> nowMs);
    qint64 nowMs() const { return m_nowMs(); }
    // Tells views that the TTL cells of rows [first, last] changed (time passed).
    void refreshTtl(int first, int last);
    void setPageSize(int rows) { m_pageSize = rows; }
    void setTimeBudget(int ms) { m_timeBudgetMs = ms; }
    int timeBudget() const { return m_timeBudgetMs; }
    // Drops all rows and scans again from the start.
    void reload();

    const EntryRow* rowAt(int row) const;
    const QList<EntryRow>& rows() const { return m_rows; }
    bool isLoading() const { return m_pending; }
    bool isComplete() const { return m_complete; }
    // Entries the scan has examined since it started, matching the filter or not.
    quint64 scanned() const { return m_scanned; }
    // About how many entries the whole scan examines (nullopt: the source has not counted).
    std::optional<quint64> scanTotal() const { return m_total; }
    // A Redis Cluster listing: how far it has got on each master (the latest page's report;
    // empty before the first page and for other sources).
    const QList<NodeScan>& nodeScans() const { return m_nodeScans; }
    // Whether the search was stopped (stopSearch) and waits for continueSearch().
    bool isStopped() const { return m_stopped; }
    // Stops asking for more pages; the reply in flight still adds its rows.
    void stopSearch();
    // Resumes a stopped search from where it stopped.
    void continueSearch();
    QString lastError() const { return m_lastError; }
    // Why the scan is not in the order asked for (empty: it is): when a sorted scan fails on
    // its first page (e.g. a folder too large for the core's sort index), the model lists in
    // the natural order instead and says so here until the next sort, filter or source.
    QString notice() const { return m_notice; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;
    // Restarts the scan ordered by `column` if the source can sort by it; else does nothing.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    // Whether the source can sort by `column` (known once a page has arrived).
    bool isSortable(int column) const;
    // The column the scan is ordered by (-1: the source's natural order).
    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }

  signals:
    // A page arrived (`error` empty) or failed.
    void pageLoaded(int rowsAdded, const QString& error);
    // The scan's order changed (`column` -1: natural order), e.g. to update a header.
    void sortChanged(int column, Qt::SortOrder order);
    // The set of columns the source fills in changed (another source, or its first page).
    void columnsChanged();
    // The search progressed, stopped, resumed, finished or restarted.
    void searchChanged();

  private:
    void onPage(const EntryPage& page, const QString& error);
    void setKept(const QList<EntryColumn>& columns);
    // Asks for the rest of the current page (m_pageSize rows since fetchMore()).
    void requestRest();

    QPointer<SourceClient> m_client;
    QMetaObject::Connection m_connection;
    QMetaObject::Connection m_reopenConnection;
    QList<EntryRow> m_rows;
    QByteArray m_cursor;
    QString m_filter;
    QString m_lastError;
    QString m_notice;
    QString m_typeFilter;
    QString m_scanNote;
    QList<int> m_kept;  // the columns the source fills in
    std::function<qint64()> m_nowMs;
    QList<EntryOrder> m_orders;  // the orders the source supports
    bool m_sortKnown = false;    // a page of this source has said which
    int m_sortColumn = -1;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    int m_pageSize = kDefaultPageSize;
    int m_timeBudgetMs = kDefaultTimeBudgetMs;
    int m_roundRows = 0;  // rows added since the last fetchMore()
    quint64 m_scanned = 0;
    std::optional<quint64> m_total;
    QList<NodeScan> m_nodeScans;
    bool m_stopped = false;
    bool m_pending = false;
    bool m_complete = true;
};

}  // namespace twat_cache::ui
