# Cross-engine tests: the Engine contract on every local engine, memoization over the
# persistent engines, and the error counting rule (stats.h).
twat_cache_add_test(NAME test_conformance SOURCES test_conformance.cpp LABELS core TIMEOUT 120)
twat_cache_add_test(NAME test_persistent_memoize SOURCES test_persistent_memoize.cpp
    LABELS core TIMEOUT 120)
