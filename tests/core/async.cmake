# ucache (engine choice, fallback, circuit breaker) and acache (single flight).
twat_cache_add_test(NAME test_ucache SOURCES test_ucache.cpp LABELS core redis)
twat_cache_add_test(NAME test_acache SOURCES test_acache.cpp LABELS core concurrency)
