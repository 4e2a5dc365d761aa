# A Redis server's own figures (serverInfo, slowlog) and switching its database
# (selectDatabase), against a real redis-server.
twat_cache_add_test(NAME test_inspect_server SOURCES test_inspect_server.cpp
    LABELS core redis LIBS PkgConfig::HIREDIS TIMEOUT 120)
