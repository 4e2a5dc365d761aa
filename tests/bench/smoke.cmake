# CI smoke runs of every benchmark script quoted in docs/BENCHMARKS.md and docs/INSPECTOR.md,
# at tiny sizes (each well under 30 s), so that they cannot rot: check_bench_table.py runs the
# script and fails unless it printed its side-by-side table with a number in every column.
# Their numbers mean nothing. The programs are built by the dev build itself (the bench
# folder is part of tests/), so the scripts run with --no-build on this build folder.
if(NOT (TWAT_CACHE_BUILD_TESTS AND TWAT_CACHE_PYTHON))
    return()
endif()
set(_check ${TWAT_CACHE_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/check_bench_table.py)
set(_env "QT_QPA_PLATFORM=offscreen;TWAT_CACHE_TEST_PYTHON=${TWAT_CACHE_PYTHON}")

add_test(NAME bench_persistent_smoke
    COMMAND ${_check} --format pipe --min-rows 16 --timeout 100 --
            ${TWAT_CACHE_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/run_persistent_bench.py
            --build-dir ${CMAKE_BINARY_DIR} --no-build --keys 50 --rounds 1 --repeat 1)
set_tests_properties(bench_persistent_smoke PROPERTIES
    LABELS "slow;interop" TIMEOUT 120 ENVIRONMENT "${_env}")

add_test(NAME bench_redis_smoke
    COMMAND ${_check} --format pipe --min-rows 16 --timeout 100 --
            ${TWAT_CACHE_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/run_redis_bench.py
            --build-dir ${CMAKE_BINARY_DIR} --no-build --keys 64 --rounds 1 --depth 16
            --repeat 1)
set_tests_properties(bench_redis_smoke PROPERTIES
    LABELS "slow;redis" TIMEOUT 120 ENVIRONMENT "${_env}")

add_test(NAME bench_redis_cluster_smoke
    COMMAND ${_check} --format pipe --min-rows 9 --timeout 100 --
            ${TWAT_CACHE_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/run_redis_cluster_bench.py
            --build-dir ${CMAKE_BINARY_DIR} --no-build --keys 64 --rounds 1 --depth 16
            --repeat 1 --bulk 2000)
set_tests_properties(bench_redis_cluster_smoke PROPERTIES
    LABELS "slow;redis" TIMEOUT 120 ENVIRONMENT "${_env}")

add_test(NAME bench_inspect_smoke
    COMMAND ${_check} --format columns --min-rows 16 --timeout 100
            --expect dc1000.first_page_ms --expect dc10000.peak_rss
            --expect redis.enumerate_keys_per_s --expect redis.delete_by_pattern_keys_per_s --
            ${CMAKE_CURRENT_LIST_DIR}/bench_inspect.sh $<TARGET_FILE:bench_inspect> 20000
            "1000 10000")
set_tests_properties(bench_inspect_smoke PROPERTIES
    LABELS "slow;redis;interop" TIMEOUT 120 ENVIRONMENT "${_env}")

add_test(NAME bench_inspect_sort_smoke
    COMMAND ${_check} --format columns --min-rows 20 --timeout 100
            --expect files2000.size.sorted_first_page_ms --expect folder3000.key.index_rss_kib --
            ${CMAKE_CURRENT_LIST_DIR}/bench_inspect_sort.sh $<TARGET_FILE:bench_inspect> 2000
            3000)
set_tests_properties(bench_inspect_sort_smoke PROPERTIES
    LABELS "slow;interop" TIMEOUT 120 ENVIRONMENT "${_env}")

add_test(NAME bench_inspect_walk_smoke
    COMMAND ${_check} --format columns --min-rows 14 --timeout 100
            --expect flat3000.first_page_ms --expect joblib2000.later_page_mean_ms --
            ${CMAKE_CURRENT_LIST_DIR}/bench_inspect_walk.sh $<TARGET_FILE:bench_inspect> 3000
            2000)
set_tests_properties(bench_inspect_walk_smoke PROPERTIES
    LABELS "slow;interop" TIMEOUT 120 ENVIRONMENT "${_env}")

if(TARGET bench_ui)
    add_test(NAME bench_ui_smoke
        COMMAND ${_check} --format columns --min-rows 12 --timeout 110 --text redis_status
                --text bigkeys.sizes
                --expect first_rows_ms --expect peak_rss_mb --expect scroll_worst_stall_ms
                --expect redis.redis_scan_s --expect redis.redis_first_rows_ms
                --expect bigkeys.hash.worst_stall_ms --expect bigkeys.string.save_s --
                $<TARGET_FILE:bench_ui> --quick)
    set_tests_properties(bench_ui_smoke PROPERTIES
        LABELS "slow;ui" TIMEOUT 130 ENVIRONMENT "${_env}")
endif()

add_test(NAME bench_analysis_smoke
    COMMAND ${_check} --format markdown --min-rows 5 --timeout 100 --
            ${TWAT_CACHE_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/run_analysis_bench.py
            --build-dir ${CMAKE_BINARY_DIR} --no-build --keys 3000 --small 1000 --big 3000)
set_tests_properties(bench_analysis_smoke PROPERTIES
    LABELS "slow;redis" TIMEOUT 120 ENVIRONMENT "${_env}")
