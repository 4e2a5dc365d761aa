#include "views/entries_columns.h"

#include <QDateTime>
#include <QEvent>
#include <QHeaderView>
#include <QLocale>
#include <QStyle>
#include <QTableView>
#include <algorithm>

#include "models/entries_model.h"
#include "workers/display_text.h"

namespace twat_cache::ui {
namespace {

// The widest text a column usually shows (beside its header).
QString sampleText(int column) {
    switch (column) {
        case EntriesModel::kSize:
            return bytesText(999 * 1024 + 1000);
        case EntriesModel::kCreated:
        case EntriesModel::kAccessed:
        case EntriesModel::kExpires:
            return QDateTime(QDate(2000, 12, 28), QTime(23, 58))
                .toString(QString(EntriesModel::kTimeFormat));
        case EntriesModel::kHits:
            return numberText(9999);
        default:
            return {};
    }
}

}  // namespace

EntriesColumns::EntriesColumns(QTableView* view) : QObject(view), m_view(view) {
    QHeaderView* header = view->horizontalHeader();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(QHeaderView::Interactive);
    // One line per entry, elided in the middle: wrapping would cut a key at its first
    // hyphen or slash and elide the rest ("http-…").
    view->setWordWrap(false);
    view->setTextElideMode(Qt::ElideMiddle);
    view->viewport()->installEventFilter(this);
    connect(header, &QHeaderView::sectionResized, this, [this](int section) {
        if (!m_fitting && section == EntriesModel::kKey) m_userKeyWidth = true;
    });
    fit();
}

void EntriesColumns::fit() {
    QHeaderView* header = m_view->horizontalHeader();
    const QFontMetrics text = m_view->fontMetrics();
    const QFontMetrics bold(header->font());
    QStyle* style = m_view->style();
    const int margins = 2 * style->pixelMetric(QStyle::PM_HeaderMargin, nullptr, header) + 4;
    // A header's title leaves room for the sort indicator.
    const int mark = style->pixelMetric(QStyle::PM_HeaderMarkSize, nullptr, header);
    m_fitting = true;
    int others = 0;
    for (int column = 0; column < EntriesModel::kColumnCount; ++column) {
        if (column == EntriesModel::kKey) continue;
        const QString title =
            m_view->model()->headerData(column, Qt::Horizontal, Qt::DisplayRole).toString();
        const int width = std::max(bold.horizontalAdvance(title) + mark,
                                   text.horizontalAdvance(sampleText(column))) +
                          margins;
        m_view->setColumnWidth(column, width);
        others += width;
    }
    if (!m_userKeyWidth) {
        m_view->setColumnWidth(EntriesModel::kKey,
                               std::max(kMinKeyWidth, m_view->viewport()->width() - others));
    }
    m_fitting = false;
}

bool EntriesColumns::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::Resize && !m_userKeyWidth) fit();
    return QObject::eventFilter(watched, event);
}

}  // namespace twat_cache::ui
