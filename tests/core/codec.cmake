# Codec and key tests (tests/core/test_codec.cpp, tests/core/test_keys.cpp).
twat_cache_add_test(NAME test_codec SOURCES test_codec.cpp LABELS core)
twat_cache_add_test(NAME test_keys SOURCES test_keys.cpp LABELS core slow TIMEOUT 120)
