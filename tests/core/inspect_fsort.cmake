# Sorted listings of folder-walking sources (native files cache, a real joblib store, a
# generic folder) through their in-memory sort index, and the CLI's --sort.
twat_cache_add_test(NAME test_inspect_fsort SOURCES test_inspect_fsort.cpp LABELS interop
    TIMEOUT 120)
target_compile_definitions(test_inspect_fsort PRIVATE
    TWAT_CACHE_CLI="$<TARGET_FILE:twat-cache>")
add_dependencies(test_inspect_fsort twat-cache)
