// How sources show and name their entries' keys, whatever bytes the keys hold.
//
// Key text is bounded: a source reads at most kKeyReadBytes of a key for display (more only
// where a key must be decoded whole, e.g. a pickle, and then at most kKeyDecodeBytes), keeps at
// most kKeyTextBytes of rendered text, and says the key's real length after a cut:
// "aaaa… (20,971,520 bytes)". EntrySummary::key_bytes and key_truncated carry the same.
//
// Entry ids built from names (relative paths of folder and joblib entries) escape reversibly,
// so that every byte sequence round-trips through text (JSON, a command line, the GUI): a
// backslash is written "\\", and every byte that is not part of a printable, valid UTF-8
// character (invalid UTF-8, C0 controls, DEL, C1 controls) "\xNN". Names without such bytes
// and without a backslash are their own ids.
//
// Thread safety: pure functions; safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "twat_cache/inspect.h"
#include "twat_cache/status.h"

namespace twat_cache::detail {

inline constexpr std::size_t kKeyReadBytes = 1024;       // raw key bytes read for display
inline constexpr std::size_t kKeyTextBytes = 1024;       // rendered key text kept
inline constexpr std::size_t kKeyDecodeBytes = 1 << 20;  // a pickled key decoded up to this

// Sets e.key_text to `rendered`, the text of a key of `keyBytes` bytes of which `readWhole`
// says whether all were rendered; cuts it to kKeyTextBytes (at a character boundary) and
// appends "… (N bytes)" when it is longer or the key was not read whole. Sets e.key_bytes and
// e.key_truncated.
void setKeyText(EntrySummary& e, std::string rendered, std::uint64_t keyBytes, bool readWhole);

// The first kKeyReadBytes of `key`, without a character cut in two at the end (when the
// bytes are UTF-8).
std::string_view keyHead(std::string_view key);

// The reversible id text of the name `bytes` (see above).
std::string escapeName(std::string_view bytes);
// The name an id made by escapeName() stands for; InvalidArgument for a malformed escape.
Result<std::string> unescapeName(std::string_view id);

}  // namespace twat_cache::detail
