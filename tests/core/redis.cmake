# Redis engine tests. test_redis_url needs no server; the others start a real redis-server
# (tests/support/redis_server.h) and QSKIP with an install hint when it is missing.
twat_cache_add_test(NAME test_redis_url SOURCES test_redis_url.cpp LABELS core redis)
twat_cache_add_test(NAME test_redis_engine SOURCES test_redis_engine.cpp LABELS redis
    LIBS PkgConfig::HIREDIS TIMEOUT 180)
twat_cache_add_test(NAME test_redis_failures SOURCES test_redis_failures.cpp LABELS redis
    TIMEOUT 120)
twat_cache_add_test(NAME test_redis_concurrency SOURCES test_redis_concurrency.cpp
    LABELS redis concurrency TIMEOUT 60)
# maxsize enforcement (two engines write from two threads in one test: concurrency label).
twat_cache_add_test(NAME test_redis_limit SOURCES test_redis_limit.cpp LABELS redis concurrency
    LIBS PkgConfig::HIREDIS TIMEOUT 60)
# TLS (rediss://) with certificates made at run time; the CLI's --tls-* flags.
twat_cache_add_test(NAME test_redis_tls SOURCES test_redis_tls.cpp LABELS redis TIMEOUT 120)
target_compile_definitions(test_redis_tls PRIVATE TWAT_CACHE_CLI="$<TARGET_FILE:twat-cache>")
add_dependencies(test_redis_tls twat-cache)
# ACL users with few rights: browsing, refusals in words, memoization that stays correct.
twat_cache_add_test(NAME test_redis_acl SOURCES test_redis_acl.cpp LABELS redis
    LIBS PkgConfig::HIREDIS TIMEOUT 120)
target_compile_definitions(test_redis_acl PRIVATE TWAT_CACHE_CLI="$<TARGET_FILE:twat-cache>")
add_dependencies(test_redis_acl twat-cache)
# Sentinel (redis+sentinel://) with real redis-sentinel processes (tests/support/
# redis_sentinel.h): discovery, errors in words, READONLY after a demotion; the CLI's stats.
twat_cache_add_test(NAME test_redis_sentinel SOURCES test_redis_sentinel.cpp LABELS redis
    LIBS PkgConfig::HIREDIS TIMEOUT 120)
target_compile_definitions(test_redis_sentinel PRIVATE TWAT_CACHE_CLI="$<TARGET_FILE:twat-cache>")
add_dependencies(test_redis_sentinel twat-cache)
# The master SIGKILLed under a memoization loop: 0 wrong values, the new master within 10 s.
twat_cache_add_test(NAME test_redis_sentinel_failover SOURCES test_redis_sentinel_failover.cpp
    LABELS redis LIBS PkgConfig::HIREDIS TIMEOUT 120)
# SSH tunnels (?ssh=, --ssh) through a real sshd on a loopback port (tests/support/
# ssh_server.h); TLS and Sentinel through the tunnel; each refusal in words.
twat_cache_add_test(NAME test_redis_ssh SOURCES test_redis_ssh.cpp LABELS redis TIMEOUT 180)
target_compile_definitions(test_redis_ssh PRIVATE TWAT_CACHE_CLI="$<TARGET_FILE:twat-cache>")
add_dependencies(test_redis_ssh twat-cache)
# Redis Cluster (tests/support/redis_cluster.h: 3 masters, 3 replicas): routing, seed lists,
# the maxsize bound over the cluster, a slot migrated in use, a master killed under load.
twat_cache_add_test(NAME test_redis_cluster_engine SOURCES test_redis_cluster_engine.cpp
    LABELS redis TIMEOUT 240)
# A Redis Cluster behind TLS (bus and replication too) with passwords and ACL users.
twat_cache_add_test(NAME test_redis_cluster_secure SOURCES test_redis_cluster_secure.cpp
    LABELS redis TIMEOUT 180)
# Threads sharing one cluster engine while a slot moves (concurrency: run under TSan in CI).
twat_cache_add_test(NAME test_redis_cluster_threads SOURCES test_redis_cluster_threads.cpp
    LABELS redis concurrency TIMEOUT 120)
# Time saved (issue 18): compute and saved time in the envelope and the __meta counters.
twat_cache_add_test(NAME test_redis_time_saved SOURCES test_redis_time_saved.cpp LABELS redis
    LIBS PkgConfig::HIREDIS TIMEOUT 60)
