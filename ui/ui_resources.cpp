#include "ui_resources.h"

#include <QtGlobal>
#include <mutex>

// Q_INIT_RESOURCE must be used outside any namespace.
static void initTwatCacheInspectorResources() {
    Q_INIT_RESOURCE(twat_cache_inspector);
    Q_INIT_RESOURCE(help);
}

namespace twat_cache::ui {

void initUiResources() {
    initTwatCacheInspectorResources();
}

}  // namespace twat_cache::ui
