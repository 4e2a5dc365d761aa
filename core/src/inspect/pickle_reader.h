// A safe, non-executing reader of Python pickles (protocols 0-5), for display only.
//
// It interprets the data opcodes (str, bytes, int, float, bool, None, tuple, list, dict,
// set, frozenset, memo) into a small tree and renders it the way Python's repr() would.
// Opcodes that would import or call something (GLOBAL, STACK_GLOBAL, REDUCE, BUILD, NEWOBJ,
// INST, OBJ, EXT*, persistent ids, out-of-band buffers) are never executed: the result is
// a placeholder such as `<object datetime.datetime via REDUCE>`. Input size, nesting depth
// and output size are bounded.
//
// Thread safety: stateless free functions; safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "inspect/python_repr.h"  // pythonStrRepr, sanitizeUtf8: kept available to callers
#include "twat_cache/status.h"

namespace twat_cache::detail {

struct PickleRenderOptions {
    std::size_t max_output = 4096;    // rendered text is cut here, ending in "..."
    std::size_t max_depth = 32;       // deeper containers render as "..."
    std::size_t max_ops = 1'000'000;  // opcodes interpreted before giving up
};

// Renders the pickle `data` as Python-repr-like text. Corruption when the data is not a
// well-formed pickle (truncated, unknown opcode, stack underflow).
Result<std::string> renderPickle(std::string_view data, const PickleRenderOptions& options = {});

}  // namespace twat_cache::detail
