// EntriesColumns: the columns of the entries table — which show, in what order and how wide,
// remembered per kind of source, and the live TTL countdown.
//
// Which: the columns the source fills in (EntriesModel::isColumnKept) less those the user hid
// with the header's context menu (every column but Key can be hidden); the others are hidden.
//
// Widths: each column but Key is as wide as its usual content in the view's font (a time to
// the minute, a size, a hit count); Key takes the rest of the viewport, at least kMinKeyWidth
// (the other columns scroll when that leaves them too little room), and is elided in the
// middle so both ends of a long key or path show. Once the user drags a column's edge, its
// width is theirs (Key's too).
//
// Memory: per kind of source (Redis, python-diskcache, ...), the header's state
// (QHeaderView::saveState: order and widths), the columns the user hid and whether they sized
// Key are kept in QSettings under "entries/columns/<kind>/" whenever they change, and restored
// when a source of that kind is shown — also in the next session.
//
// TTL: a timer redraws the TTL cells of the visible rows every second (the model recomputes
// the time left from each key's expiry, without asking the server), while that column shows.
//
// Thread safety: GUI thread only.
#pragma once

#include <QObject>
#include <QSet>
#include <QString>

class QTableView;
class QTimer;

namespace twat_cache::ui {

class EntriesModel;

class EntriesColumns : public QObject {
    Q_OBJECT

  public:
    static constexpr int kMinKeyWidth = 200;
    static constexpr int kTtlIntervalMs = 1000;

    // Sizes the columns of `view` (over an EntriesModel) now and whenever its viewport is
    // resized or its source changes; a child of `view`.
    explicit EntriesColumns(QTableView* view);

    void fit();
    // Shows or hides `column` (a column the source keeps) for this kind of source, and
    // remembers it. Key always shows.
    void setColumnShown(int column, bool shown);

  protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

  private:
    // Restores the remembered layout of the current source's kind (or the defaults).
    void restore();
    // Hides the columns the source does not keep or the user hid; shows the others.
    void applyVisibility();
    void save() const;
    void showHeaderMenu(const QPoint& pos);
    void tick();
    QString settingsGroup() const;

    QTableView* m_view;
    EntriesModel* m_model;
    QTimer* m_ttlTimer;
    QString m_kind;          // the settings name of the kind shown
    QSet<int> m_userHidden;  // columns the user hid for this kind
    bool m_fitting = false;
    bool m_userKeyWidth = false;  // the user sized the Key column
    bool m_userWidths = false;    // the other widths are the user's (dragged or restored)
};

}  // namespace twat_cache::ui
