# Redis statistics without the inspector's own reads (a real redis-server).
twat_cache_add_test(NAME test_inspect_own_lookups SOURCES test_inspect_own_lookups.cpp
    LABELS redis LIBS PkgConfig::HIREDIS TIMEOUT 60)
