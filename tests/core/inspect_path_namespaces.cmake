# The namespaces of folder sources: a real joblib store grouped by module and function (calls
# and bytes), filtering by a function's path, and a folder's directory tree.
twat_cache_add_test(NAME test_inspect_path_namespaces SOURCES test_inspect_path_namespaces.cpp
    LABELS core interop TIMEOUT 120)
