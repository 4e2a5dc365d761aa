# The inspection layer on a real Redis Cluster (tests/support/redis_cluster.h): listings over
# every master, per-node statistics, detail across nodes, deletes by pattern, by selection and
# Clear All on every master, a slot migrated during a listing.
twat_cache_add_test(NAME test_inspect_redis_cluster SOURCES test_inspect_redis_cluster.cpp
    LABELS redis LIBS PkgConfig::HIREDIS TIMEOUT 180)
# The same behind TLS and passwords, and an ACL user without INFO.
twat_cache_add_test(NAME test_inspect_redis_cluster_secure
    SOURCES test_inspect_redis_cluster_secure.cpp LABELS redis TIMEOUT 120)
# Editing on the cluster: one key routed by slot, rename within a slot (CROSSSLOT refused),
# bulk TTL over every master.
twat_cache_add_test(NAME test_inspect_redis_cluster_edit
    SOURCES test_inspect_redis_cluster_edit.cpp LABELS redis LIBS PkgConfig::HIREDIS TIMEOUT 120)
