# Sorted entry listings of a real python-diskcache FanoutCache and a native sqlite cache.
twat_cache_add_test(NAME test_inspect_sort SOURCES test_inspect_sort.cpp LABELS interop
    TIMEOUT 120)
