// bindSortHeader: makes a table header sort an EntriesModel the way the source can.
//
// Sorting is the source's (EntriesModel::sort restarts the scan in the source's order). A
// click on a column the source can sort by sorts ascending, a second click descending; a
// click on any other column does nothing, and the header's sort indicator always shows the
// order in effect (none for the natural order) — QHeaderView would otherwise move it to
// whatever section was clicked. The model's header tooltips say which columns sort.
//
// Thread safety: GUI thread only.
#pragma once

class QHeaderView;

namespace twat_cache::ui {

class EntriesModel;

// Connects `header` (a view's horizontal header over `model`) and `model`; both outlive the
// connections or are destroyed together.
void bindSortHeader(QHeaderView* header, EntriesModel* model);

}  // namespace twat_cache::ui
