# Tests of the memory engine, the memoization wrappers and the cache registry.
twat_cache_add_test(NAME test_memory_engine SOURCES test_memory_engine.cpp LABELS core)
twat_cache_add_test(NAME test_memoize SOURCES test_memoize.cpp LABELS core)
twat_cache_add_test(NAME test_memory_concurrency SOURCES test_memory_concurrency.cpp
    LABELS core concurrency TIMEOUT 120)
