// Renderings of a cache value for the details pane: text, pretty JSON, hex dump, image.
//
// Thread safety: pure functions of their input; callable from any thread (QImage decoding
// included).
#pragma once

#include <QByteArray>
#include <QImage>
#include <QString>
#include <optional>

namespace twat_cache::ui {

// kPreview is the source's own rendering (e.g. of a pickle), not computed here.
enum class ValueView { kText, kJson, kHex, kImage, kPreview };

// The value as UTF-8 text; invalid sequences show as U+FFFD.
QString valueAsText(const QByteArray& value);
// The value re-indented when it is a JSON document; nullopt otherwise.
std::optional<QString> valueAsPrettyJson(const QByteArray& value);
// Classic dump: offset, 16 hex bytes, printable ASCII (twat_cache::hexDump); `offset` is the
// offset of the first byte, for a page of a longer value.
QString valueAsHexDump(const QByteArray& value, quint64 offset = 0);
// The decoded image when the bytes are one of Qt's image formats; a null image otherwise.
QImage valueAsImage(const QByteArray& value);
// The most readable view: image, else JSON, else text when valid UTF-8, else hex.
ValueView guessValueView(const QByteArray& value);

}  // namespace twat_cache::ui
