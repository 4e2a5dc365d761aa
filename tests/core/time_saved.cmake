# Time saved (issue 18): compute times recorded by every wrapper, persisted and inspected,
# old envelopes still read, and the cost eviction policy.
twat_cache_add_test(NAME test_time_saved SOURCES test_time_saved.cpp LABELS core TIMEOUT 120)
