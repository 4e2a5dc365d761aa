# Natural-order paging of folder-walking sources (generic folders, real joblib stores): the
# resumable sorted walk, its cursors, deletions between pages, filters and symlinks.
twat_cache_add_test(NAME test_inspect_walk SOURCES test_inspect_walk.cpp LABELS interop
    TIMEOUT 120)
