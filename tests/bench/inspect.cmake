# Inspection benchmarks: a timed program driven by bench_inspect.sh (see docs/BENCHMARKS.md).
add_executable(bench_inspect ${CMAKE_CURRENT_LIST_DIR}/bench_inspect.cpp)
target_link_libraries(bench_inspect PRIVATE twat_cache_core_static PkgConfig::HIREDIS)
twat_cache_set_test_warnings(bench_inspect)
