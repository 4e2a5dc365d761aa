# bench_time_saved: compute time avoided by the cost policy vs lru and lfu on a skewed
# workload, and the per-hit overhead of recording compute times (docs/benchmarks/time_saved.md).
add_executable(bench_time_saved bench_time_saved.cpp)
target_link_libraries(bench_time_saved PRIVATE TwatCache::core)
twat_cache_set_test_warnings(bench_time_saved)
if(TWAT_CACHE_BUILD_TESTS)
    add_test(NAME bench_time_saved_smoke
        COMMAND bench_time_saved --keys 2000 --requests 20000 --rounds 1)
    set_tests_properties(bench_time_saved_smoke PROPERTIES LABELS "slow" TIMEOUT 120
        PASS_REGULAR_EXPRESSION "\\| cost \\|.*\\| lru \\|.*recording overhead")
endif()
