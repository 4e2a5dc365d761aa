# bench_ui: the inspector's MainWindow and EntriesModel offscreen on large caches (time to
# first rows, UI-thread stalls while scrolling and scanning Redis, RSS 10k vs 10M; big Redis
# values: a 100k-field hash, a 1M-element list and a 100 MB string paged and saved).
# Run `build/dev/tests/bench/bench_ui`; results in docs/INSPECTOR.md.
if(TARGET twat_cache_ui AND TARGET twat_cache_test_support)
    add_executable(bench_ui ${CMAKE_CURRENT_LIST_DIR}/bench_ui.cpp
        ${CMAKE_CURRENT_LIST_DIR}/diskcache_fixture.cpp ${CMAKE_CURRENT_LIST_DIR}/diskcache_fixture.h)
    set_target_properties(bench_ui PROPERTIES AUTOMOC ON)
    target_link_libraries(bench_ui PRIVATE twat_cache_ui twat_cache_test_support Qt6::Widgets
        SQLite::SQLite3 PkgConfig::HIREDIS)
    twat_cache_set_test_warnings(bench_ui)
endif()
