// EntriesColumns: the widths of the entries table's columns, so that a window of 1024×700
// shows the keys and every column fits at the default size. Each column but Key is as wide as
// its usual content in the view's font (a time to the minute, a size, a hit count); Key takes
// the rest of the viewport, at least kMinKeyWidth (the other columns scroll when that leaves
// them too little room), and is elided in the middle so both ends of a long key or path show. Once
// the user drags the Key column's edge, its width is theirs.
//
// Thread safety: GUI thread only.
#pragma once

#include <QObject>

class QTableView;

namespace twat_cache::ui {

class EntriesColumns : public QObject {
    Q_OBJECT

  public:
    static constexpr int kMinKeyWidth = 200;

    // Sizes the columns of `view` (over an EntriesModel) now and whenever its viewport is
    // resized; a child of `view`.
    explicit EntriesColumns(QTableView* view);

    void fit();

  protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

  private:
    QTableView* m_view;
    bool m_fitting = false;
    bool m_userKeyWidth = false;  // the user dragged the Key column's edge
};

}  // namespace twat_cache::ui
