// The inspector's wording of numbers and missing figures, defined once for every view and
// dialog: numbers in the user's locale ("43,166"), counts with the right plural ("1 entry",
// "2 entries"), sizes, and "not recorded" for a figure a cache does not record (never 0).
//
// Thread safety: pure functions; safe on any thread.
#pragma once

#include <QString>
#include <QtGlobal>

namespace twat_cache::ui {

// `text` with its control characters shown as escapes ("\x1b", "\r", "\x7f", "\u009b"), so
// that a key, tag or value can neither hide nor reorder what a view shows; line feeds and tabs
// stay when `keepLineBreaks` (multi-line previews). Same spelling as the CLI's text output.
QString visibleText(const QString& text, bool keepLineBreaks = false);

// "not recorded": a figure the cache does not keep.
QString notRecordedText();
// The short form for a table cell ("—"); its tooltip is notRecordedText().
QString notRecordedMark();
// `n` in the default locale's format: "43,166" in English, "43.166" in German.
QString numberText(quint64 n);
// A size in bytes in the default locale's format: "1.22 MiB".
QString bytesText(quint64 bytes);
// `n` and the noun in the right number: countText(1, tr("entry"), tr("entries")) is
// "1 entry", countText(43166, ...) is "43,166 entries".
QString countText(quint64 n, const QString& one, const QString& many);

// A time to live in the largest unit that states it exactly: "7d", "1h", "90m", "45s",
// "250ms".
QString ttlText(qint64 ms);

// A duration of `ns` nanoseconds in words a person reads at a glance, to two units at most:
// "850 ns", "12 µs", "1.2 ms", "4.5 s", "7 min 05 s", "3 h 12 min", "2 d 4 h" (decimals in
// the default locale's format).
QString durationText(quint64 ns);

}  // namespace twat_cache::ui
