# Tests of the files engine (core/src/files).
twat_cache_add_test(NAME test_files_engine SOURCES test_files_engine.cpp LABELS core)
twat_cache_add_test(NAME test_files_robustness SOURCES test_files_robustness.cpp LABELS core)
twat_cache_add_test(NAME test_files_multiprocess SOURCES test_files_multiprocess.cpp
    LABELS core slow concurrency TIMEOUT 120)
