# One definition of each source kind's size, shared by stats, listings, plans and prune
# (real diskcache and joblib caches, our engines' caches, a folder).
twat_cache_add_test(NAME test_inspect_numbers SOURCES test_inspect_numbers.cpp LABELS interop
    TIMEOUT 120)

# A big diskcache's byte sum goes on over several statistics samples (stats_time_budget).
twat_cache_add_test(NAME test_diskcache_byte_sum SOURCES test_diskcache_byte_sum.cpp
    LABELS interop TIMEOUT 300)
