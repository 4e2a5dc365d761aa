# Tests of the sqlite engine (core/src/sqlite).
twat_cache_add_test(NAME test_sqlite_engine
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sqlite_engine.cpp LABELS core TIMEOUT 60
    LIBS SQLite::SQLite3)
twat_cache_add_test(NAME test_sqlite_robustness
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sqlite_robustness.cpp LABELS core TIMEOUT 60
    LIBS SQLite::SQLite3)
twat_cache_add_test(NAME test_sqlite_multiprocess
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sqlite_multiprocess.cpp LABELS core slow concurrency
    TIMEOUT 60)
twat_cache_add_test(NAME test_sqlite_schema
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sqlite_schema.cpp LABELS core TIMEOUT 60
    LIBS SQLite::SQLite3)
twat_cache_add_test(NAME test_sqlite_cull
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sqlite_cull.cpp LABELS core TIMEOUT 60
    LIBS SQLite::SQLite3)
twat_cache_add_test(NAME test_sqlite_vfs
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sqlite_vfs.cpp LABELS core TIMEOUT 60
    LIBS SQLite::SQLite3)
