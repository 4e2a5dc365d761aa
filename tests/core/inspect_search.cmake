# Searching listings: late matches found in one call, time budgets that split a search and
# say how far it got, for every source kind (real diskcache, joblib, redis-server; our engines),
# and the CLI's report of it.
twat_cache_add_test(NAME test_inspect_search SOURCES test_inspect_search.cpp
    LABELS interop redis LIBS PkgConfig::HIREDIS TIMEOUT 300)
target_compile_definitions(test_inspect_search PRIVATE
    TWAT_CACHE_CLI="$<TARGET_FILE:twat-cache>")
add_dependencies(test_inspect_search twat-cache)
