# Hostile keys and names (issue 19 items 3 and 7): huge keys stay bounded in every listing
# and in the CLI's output; odd names (invalid UTF-8, control characters, backslashes, NUL)
# round-trip through ids and cursors. Caches made by the real python-diskcache and joblib, and
# a real redis-server.
twat_cache_add_test(NAME test_inspect_hostile_keys SOURCES test_inspect_hostile_keys.cpp
    LABELS interop redis LIBS PkgConfig::HIREDIS TIMEOUT 120)
target_compile_definitions(test_inspect_hostile_keys PRIVATE
    TWAT_CACHE_CLI="$<TARGET_FILE:twat-cache>")
add_dependencies(test_inspect_hostile_keys twat-cache)
