// diskcache_fixture: makes large python-diskcache caches for the benchmarks, fast enough for
// ten million entries. python-diskcache creates the folder and the schema (so the file is
// genuine); the rows are then bulk-inserted from C++ in one transaction with the journal
// off, the Cache indexes and triggers dropped during the insert and recreated from their own
// SQL afterwards, and the Settings count/size set to the totals. The result is checked by
// python-diskcache itself (len(cache) and one random key read back) and stamped, so that a
// later run with the same parameters reuses it. Not thread-safe: one call at a time per folder.
#pragma once

#include <string>

namespace twat_cache::bench {

struct DiskcacheFixture {
    bool ok = false;
    bool reused = false;  // an earlier run's cache with the same parameters was kept
    long long rows = 0;
    double seconds = 0;  // to make (or find) it
    std::string error;
};

// Makes (or reuses, when `reuse` and the folder's stamp matches) a diskcache cache of `n`
// entries "key-%010d" in `folder`: raw byte values of 8-64 bytes derived from the index,
// every tenth one with an expiry ten years ahead. `python` runs python-diskcache.
DiskcacheFixture makeDiskcacheFixture(const std::string& folder, long long n, bool reuse,
                                      const std::string& python);

// Debian's python3 (python3-diskcache lives there): TWAT_CACHE_TEST_PYTHON, else
// /usr/bin/python3 when present, else python3.
std::string benchPython();

}  // namespace twat_cache::bench
