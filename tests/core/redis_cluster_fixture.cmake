# The Redis Cluster fixture (tests/support/redis_cluster.h) proved on its own: start, failover
# of a killed master, slot migration in steps, TLS. Real redis-server processes; QSKIP with an
# install hint when redis-server or redis-cli is missing.
twat_cache_add_test(NAME test_redis_cluster_fixture SOURCES test_redis_cluster_fixture.cpp
    LABELS redis TIMEOUT 120)
