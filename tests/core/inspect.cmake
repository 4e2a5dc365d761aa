# Inspection layer: the pickle reader (core) and the foreign caches made by the real
# python-diskcache and joblib, checked through the core API and the twat-cache binary.
twat_cache_add_test(NAME test_pickle_reader SOURCES test_pickle_reader.cpp LABELS core)

twat_cache_add_test(NAME test_inspect_interop SOURCES test_inspect_interop.cpp
    LABELS interop TIMEOUT 120)
target_compile_definitions(test_inspect_interop PRIVATE
    TWAT_CACHE_CLI="$<TARGET_FILE:twat-cache>")
add_dependencies(test_inspect_interop twat-cache)
