// TreemapWidget: one level of a hierarchy drawn as a squarified treemap (Bruls, Huizing and
// van Wijk, 2000), as QDirStat draws folders: each item a rectangle whose area is its share
// of the bytes, kept as close to square as the items allow, largest at the top left.
//
// Each rectangle also shows the level below it (TreemapItem::parts) as smaller rectangles, so
// the picture tells a namespace of a few large keys from one of many small ones. Items get a
// label (name, then size and share) where the rectangle has room, a tooltip with
// the prefix, keys, bytes and share, and a click emits activated() (the Analysis view drills
// down or filters). Items of no bytes get no rectangle. The layout is computed on resize and
// on setItems() and is readable (rects()) so that tests check it.
//
// Thread safety: GUI thread only.
#pragma once

#include <QList>
#include <QRectF>
#include <QString>
#include <QWidget>

namespace twat_cache::ui {

// One item of the level below a TreemapItem, drawn inside it.
struct TreemapPart {
    QString name;
    quint64 bytes = 0;
};

struct TreemapItem {
    QString name;    // what the rectangle says ("user", "(other)", "(no namespace)")
    QString prefix;  // the whole prefix, for the tooltip
    quint64 keys = 0;
    quint64 bytes = 0;
    int id = -1;             // the caller's identity of the item (e.g. a namespace node index)
    bool drillable = false;  // it has items below (the tooltip says "click to open")
    // The bytes of the items below it, drawn inside its rectangle as a lighter second level
    // (empty: none drawn).
    QList<TreemapPart> parts;
};

// The squarified layout of `values` (each > 0, largest first) in `bounds`: one rectangle
// each, in the same order, whose areas are proportional to the values and fill `bounds`.
QList<QRectF> squarify(const QList<double>& values, const QRectF& bounds);

class TreemapWidget : public QWidget {
    Q_OBJECT

  public:
    explicit TreemapWidget(QWidget* parent = nullptr);

    // Shows `items` (ordered here by bytes, largest first); `message` replaces the picture
    // when there are none.
    void setItems(QList<TreemapItem> items, const QString& message = {});
    const QList<TreemapItem>& items() const { return m_items; }
    // The rectangle of items()[i], in widget coordinates (empty for an item of no bytes).
    const QList<QRectF>& rects() const { return m_rects; }
    // The item under `point`, or -1.
    int itemAt(const QPointF& point) const;
    // The tooltip text of items()[i].
    QString toolTipFor(int i) const;

    QSize sizeHint() const override { return {480, 320}; }
    QSize minimumSizeHint() const override { return {160, 100}; }

  signals:
    // The user clicked items()[index].
    void activated(int index);

  protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    bool event(QEvent* event) override;

  private:
    void relayout();

    QList<TreemapItem> m_items;
    QList<QRectF> m_rects;
    // The parts of m_items[i] with bytes, largest first, and their rectangles inside m_rects[i].
    QList<QList<TreemapPart>> m_parts;
    QList<QList<QRectF>> m_partRects;
    QString m_message;
    quint64 m_totalBytes = 0;
    int m_hover = -1;
};

}  // namespace twat_cache::ui
