// Registers the inspector's compiled resources (icons) held in the static twat_cache_ui
// library; call once, after QApplication exists, before any icon is used.
//
// Thread safety: call from the GUI thread at start-up.
#pragma once

namespace twat_cache::ui {

void initUiResources();

}  // namespace twat_cache::ui
