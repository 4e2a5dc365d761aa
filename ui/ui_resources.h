// Registers the inspector's compiled resources (icons) held in the static twat_cache_ui
// library. The sources model, the actions and the main window call it (it is neither a model
// nor a view, so it sits at the library's top); calling it again does nothing.
//
// Thread safety: may be called from any thread (registration happens once).
#pragma once

namespace twat_cache::ui {

void initUiResources();

}  // namespace twat_cache::ui
