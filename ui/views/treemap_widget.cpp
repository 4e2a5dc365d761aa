#include "views/treemap_widget.h"

#include <QHelpEvent>
#include <QLinearGradient>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>

#include "workers/display_text.h"

namespace twat_cache::ui {
namespace {

// The worst aspect ratio of a row of `areas` (summing to `sum`) laid along a side of `side`.
double worst(const QList<double>& areas, double sum, double side) {
    if (areas.isEmpty() || sum <= 0 || side <= 0) return 0;
    const auto [lo, hi] = std::minmax_element(areas.begin(), areas.end());
    const double s2 = sum * sum, w2 = side * side;
    return std::max(w2 * *hi / s2, s2 / (w2 * *lo));
}

// The colour of the i-th rectangle: hues a golden angle apart, soft enough for black labels.
QColor colorOf(int i) {
    return QColor::fromHsv((i * 137 + 200) % 360, 80, 235);
}

QString shareText(quint64 part, quint64 whole) {
    if (whole == 0) return QStringLiteral("0 %");
    return QStringLiteral("%1 %").arg(
        100.0 * static_cast<double>(part) / static_cast<double>(whole), 0, 'f', 1);
}

}  // namespace

QList<QRectF> squarify(const QList<double>& values, const QRectF& bounds) {
    QList<QRectF> out;
    out.reserve(values.size());
    double total = 0;
    for (const double v : values) total += v;
    if (total <= 0 || bounds.isEmpty()) {
        for (qsizetype i = 0; i < values.size(); ++i) out << QRectF();
        return out;
    }
    const double scale = bounds.width() * bounds.height() / total;
    QRectF free = bounds;
    QList<double> row;  // the areas of the row being built
    double rowSum = 0;
    // Lays the row out along the shorter side of `free` and takes its strip off `free`.
    auto place = [&] {
        if (row.isEmpty()) return;
        if (free.width() >= free.height()) {  // a column at the left
            const double w = rowSum / free.height();
            double y = free.top();
            for (const double a : row) {
                const double h = a / w;
                out << QRectF(free.left(), y, w, h);
                y += h;
            }
            free.setLeft(free.left() + w);
        } else {  // a row at the top
            const double h = rowSum / free.width();
            double x = free.left();
            for (const double a : row) {
                const double w = a / h;
                out << QRectF(x, free.top(), w, h);
                x += w;
            }
            free.setTop(free.top() + h);
        }
        row.clear();
        rowSum = 0;
    };
    for (const double v : values) {
        const double area = v * scale;
        const double side = std::min(free.width(), free.height());
        QList<double> with = row;
        with << area;
        if (!row.isEmpty() && worst(with, rowSum + area, side) > worst(row, rowSum, side)) place();
        row << area;
        rowSum += area;
    }
    place();
    return out;
}

TreemapWidget::TreemapWidget(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("analysisTreemap"));
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
}

void TreemapWidget::setItems(QList<TreemapItem> items, const QString& message) {
    std::stable_sort(items.begin(), items.end(),
                     [](const TreemapItem& a, const TreemapItem& b) { return a.bytes > b.bytes; });
    m_items = std::move(items);
    m_message = message;
    m_totalBytes = 0;
    for (const auto& item : m_items) m_totalBytes += item.bytes;
    m_hover = -1;
    relayout();
    update();
}

void TreemapWidget::relayout() {
    QList<double> values;
    for (const auto& item : m_items) {
        if (item.bytes > 0) values << static_cast<double>(item.bytes);
    }
    const QList<QRectF> placed = squarify(values, QRectF(rect()));
    m_rects.clear();
    m_parts.clear();
    m_partRects.clear();
    qsizetype next = 0;
    const int line = fontMetrics().height();
    for (const auto& item : m_items) {
        const QRectF r = item.bytes > 0 ? placed.at(next++) : QRectF();
        m_rects << r;
        // Below the two lines of the label, where there is room for it.
        const QRectF inner = r.adjusted(3, 2 * line + 6, -3, -3);
        QList<TreemapPart> parts;
        for (const TreemapPart& part : item.parts) {
            if (part.bytes > 0) parts << part;
        }
        std::stable_sort(parts.begin(), parts.end(),
                         [](const auto& a, const auto& b) { return a.bytes > b.bytes; });
        QList<double> partValues;
        for (const TreemapPart& part : parts) partValues << static_cast<double>(part.bytes);
        const bool room = parts.size() > 1 && inner.width() >= 24 && inner.height() >= 16;
        m_parts << (room ? parts : QList<TreemapPart>());
        m_partRects << (room ? squarify(partValues, inner) : QList<QRectF>());
    }
}

int TreemapWidget::itemAt(const QPointF& point) const {
    for (qsizetype i = 0; i < m_rects.size(); ++i) {
        if (m_rects.at(i).contains(point)) return static_cast<int>(i);
    }
    return -1;
}

QString TreemapWidget::toolTipFor(int i) const {
    if (i < 0 || i >= m_items.size()) return {};
    const TreemapItem& item = m_items.at(i);
    QString text = QStringLiteral("<b>%1</b><br>").arg(visibleText(item.prefix).toHtmlEscaped());
    text += tr("%1, %2 (%3 of this level)")
                .arg(countText(item.keys, tr("key"), tr("keys")), bytesText(item.bytes),
                     shareText(item.bytes, m_totalBytes));
    if (item.drillable) text += QStringLiteral("<br><i>") + tr("Click to open") + "</i>";
    return text;
}

void TreemapWidget::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    if (m_totalBytes == 0) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect().adjusted(12, 12, -12, -12), Qt::AlignCenter | Qt::TextWordWrap,
                   m_message);
        return;
    }
    const QFontMetrics fm(font());
    const QColor border = palette().color(QPalette::Window).darker(160);
    for (qsizetype i = 0; i < m_items.size(); ++i) {
        const QRectF r = m_rects.at(i);
        if (r.isEmpty()) continue;
        // A cushion of sorts: lighter at the top left, darker at the bottom right.
        const QColor base = colorOf(static_cast<int>(i));
        QLinearGradient shade(r.topLeft(), r.bottomRight());
        shade.setColorAt(0, base.lighter(112));
        shade.setColorAt(1, base.darker(118));
        p.fillRect(r, shade);
        p.setPen(QPen(i == m_hover ? palette().color(QPalette::Highlight) : border,
                      i == m_hover ? 2 : 1));
        p.drawRect(r.adjusted(0.5, 0.5, -0.5, -0.5));
        const QList<QRectF>& parts = m_partRects.at(i);
        for (qsizetype k = 0; k < parts.size(); ++k) {
            const QRectF part = parts.at(k);
            QLinearGradient cushion(part.topLeft(), part.bottomRight());
            cushion.setColorAt(0, base.lighter(118));
            cushion.setColorAt(1, base.darker(108));
            p.fillRect(part, cushion);
            p.setPen(QPen(base.darker(140), 1));
            p.drawRect(part.adjusted(0.5, 0.5, -0.5, -0.5));
            const QRectF label = part.adjusted(3, 1, -3, -1);
            if (label.width() < 30 || label.height() < fm.height()) continue;
            p.setPen(QColor(40, 40, 40));
            p.drawText(label, Qt::AlignLeft | Qt::AlignTop,
                       fm.elidedText(visibleText(m_parts.at(i).at(k).name), Qt::ElideRight,
                                     static_cast<int>(label.width())));
        }
        const QRectF text = r.adjusted(4, 2, -4, -2);
        if (text.width() < 24 || text.height() < fm.height()) continue;
        const TreemapItem& item = m_items.at(i);
        p.setPen(Qt::black);
        const int width = static_cast<int>(text.width());
        p.drawText(text, Qt::AlignLeft | Qt::AlignTop,
                   fm.elidedText(visibleText(item.name), Qt::ElideRight, width));
        if (text.height() >= 2 * fm.height()) {
            const QString figures =
                bytesText(item.bytes) + QStringLiteral(" · ") + shareText(item.bytes, m_totalBytes);
            p.drawText(text.adjusted(0, fm.height(), 0, 0), Qt::AlignLeft | Qt::AlignTop,
                       fm.elidedText(figures, Qt::ElideRight, width));
        }
    }
}

void TreemapWidget::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    relayout();
}

void TreemapWidget::mouseMoveEvent(QMouseEvent* event) {
    const int at = itemAt(event->position());
    if (at != m_hover) {
        m_hover = at;
        setCursor(at >= 0 ? Qt::PointingHandCursor : Qt::ArrowCursor);
        update();
    }
}

void TreemapWidget::mouseReleaseEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return;
    const int at = itemAt(event->position());
    if (at >= 0) emit activated(at);
}

void TreemapWidget::leaveEvent(QEvent* event) {
    QWidget::leaveEvent(event);
    m_hover = -1;
    update();
}

bool TreemapWidget::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int at = itemAt(help->pos());
        if (at >= 0) {
            QToolTip::showText(help->globalPos(), toolTipFor(at), this, m_rects.at(at).toRect());
        } else {
            QToolTip::hideText();
        }
        return true;
    }
    return QWidget::event(event);
}

}  // namespace twat_cache::ui
