// Value pages on the worker thread: one page of an entry's value (Source::valuePage) in the
// inspector's types, and a whole string value streamed to a file page by page.
//
// Both block on the source's I/O: SourceAdapter runs them on its client's worker thread.
//
// Thread safety: use a Source from one thread at a time (see twat_cache/inspect.h).
#pragma once

#include <QString>
#include <atomic>
#include <functional>

#include "twat_cache/inspect.h"
#include "workers/source_types.h"

namespace twat_cache::ui {

// One page of the value of entry `id` as `request` asks.
Result<ValuePage> readValuePage(Source& source, const QByteArray& id, const ValueRequest& request);

// Writes the whole value of the string entry `id` to `path`, kSavePageBytes at a time (memory
// stays bounded whatever the value's size), calling `progress(done, total)` after each page
// and stopping before the next once `cancel` is set. The file appears only when complete
// (QSaveFile): a cancelled or failed save leaves no partial file. Returns the bytes written;
// NotSupported for other types, Busy("cancelled") when cancelled.
inline constexpr int kSavePageBytes = 1 << 20;
Result<quint64> saveValueToFile(Source& source, const QByteArray& id, const QString& path,
                                const std::function<void(quint64, quint64)>& progress,
                                const std::atomic<bool>& cancel);

}  // namespace twat_cache::ui
