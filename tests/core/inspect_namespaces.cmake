# The Redis namespace tree: exact counts, caps and incremental scans against a real
# redis-server, and the CLI's tree output.
twat_cache_add_test(NAME test_inspect_namespaces SOURCES test_inspect_namespaces.cpp
    LABELS interop redis LIBS PkgConfig::HIREDIS TIMEOUT 120)
target_compile_definitions(test_inspect_namespaces PRIVATE
    TWAT_CACHE_CLI="$<TARGET_FILE:twat-cache>")
add_dependencies(test_inspect_namespaces twat-cache)
