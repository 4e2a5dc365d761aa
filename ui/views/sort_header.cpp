#include "views/sort_header.h"

#include <QHeaderView>

#include "models/entries_model.h"

namespace twat_cache::ui {
namespace {

// Shows the model's order on the header (no indicator for the natural order).
void showOrder(QHeaderView* header, int column, Qt::SortOrder order) {
    header->setSortIndicatorShown(column >= 0);
    header->setSortIndicator(column, order);
}

}  // namespace

void bindSortHeader(QHeaderView* header, EntriesModel* model) {
    header->setSectionsClickable(true);
    showOrder(header, model->sortColumn(), model->sortOrder());
    QObject::connect(header, &QHeaderView::sectionClicked, model, [header, model](int column) {
        if (!model->isSortable(column)) {
            // QHeaderView already moved its indicator to the clicked section: put it back.
            showOrder(header, model->sortColumn(), model->sortOrder());
            return;
        }
        const bool flip = model->sortColumn() == column && model->sortOrder() == Qt::AscendingOrder;
        model->sort(column, flip ? Qt::DescendingOrder : Qt::AscendingOrder);
    });
    QObject::connect(
        model, &EntriesModel::sortChanged, header,
        [header](int column, Qt::SortOrder order) { showOrder(header, column, order); });
}

}  // namespace twat_cache::ui
