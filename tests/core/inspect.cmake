# Inspection layer: the pickle reader (core) and the foreign caches made by the real
# python-diskcache and joblib, checked through the core API and the twat-cache binary.
twat_cache_add_test(NAME test_pickle_reader SOURCES test_pickle_reader.cpp LABELS core)

twat_cache_add_test(NAME test_inspect_interop SOURCES test_inspect_interop.cpp
    LABELS interop TIMEOUT 120)
target_compile_definitions(test_inspect_interop PRIVATE
    TWAT_CACHE_CLI="$<TARGET_FILE:twat-cache>")
add_dependencies(test_inspect_interop twat-cache)

# The expiry of our own caches' entries (sqlite rows, files envelopes) changed in place
# through the inspection layer, read back through the engines.
twat_cache_add_test(NAME test_inspect_native_edit SOURCES test_inspect_native_edit.cpp
    LABELS core TIMEOUT 120)

# The expiry of python-diskcache entries changed in place, read back by the real diskcache.
twat_cache_add_test(NAME test_inspect_diskcache_edit SOURCES test_inspect_diskcache_edit.cpp
    LABELS interop TIMEOUT 120)

# Native caches made by our own engines, read and maintained through the inspection layer.
twat_cache_add_test(NAME test_inspect_native SOURCES test_inspect_native.cpp
    LABELS interop TIMEOUT 120)
target_compile_definitions(test_inspect_native PRIVATE
    TWAT_CACHE_CLI="$<TARGET_FILE:twat-cache>")
add_dependencies(test_inspect_native twat-cache)

# Redis servers (keys of every type) through the inspection layer and the CLI.
twat_cache_add_test(NAME test_inspect_redis SOURCES test_inspect_redis.cpp
    LABELS interop redis LIBS PkgConfig::HIREDIS TIMEOUT 120)
target_compile_definitions(test_inspect_redis PRIVATE
    TWAT_CACHE_CLI="$<TARGET_FILE:twat-cache>")
add_dependencies(test_inspect_redis twat-cache)
# A Redis listing's columns (memory, encoding as the server says) and its type filter, by
# SCAN … TYPE and by TYPE per key (older servers); the CLI's --type.
twat_cache_add_test(NAME test_inspect_redis_columns SOURCES test_inspect_redis_columns.cpp
    LABELS redis LIBS PkgConfig::HIREDIS TIMEOUT 120)
target_compile_definitions(test_inspect_redis_columns PRIVATE
    TWAT_CACHE_CLI="$<TARGET_FILE:twat-cache>")
add_dependencies(test_inspect_redis_columns twat-cache)

# Deletion stays inside the cache folder, even while its sub-folders are swapped for symlinks.
twat_cache_add_test(NAME test_contained_remover SOURCES test_contained_remover.cpp
    LABELS core concurrency TIMEOUT 120)

# A plan deletes only what its preview showed: entries changed since are kept (every source).
twat_cache_add_test(NAME test_plan_fingerprints SOURCES test_plan_fingerprints.cpp
    LABELS interop redis LIBS PkgConfig::HIREDIS TIMEOUT 120)

# The deletion audit log: records, rotation, hostile log files, and `twat-cache log`.
twat_cache_add_test(NAME test_audit_log SOURCES test_audit_log.cpp LABELS core TIMEOUT 120)
target_compile_definitions(test_audit_log PRIVATE TWAT_CACHE_CLI="$<TARGET_FILE:twat-cache>")
add_dependencies(test_audit_log twat-cache)

# Editing a real redis-server (TTL, persist, rename, string value; bulk TTL plans), checked
# on the server afterwards, with the audit records and read-only refusal.
twat_cache_add_test(NAME test_inspect_redis_edit SOURCES test_inspect_redis_edit.cpp
    LABELS redis LIBS PkgConfig::HIREDIS TIMEOUT 120)

# Members of Redis hashes, lists, sets and sorted sets edited on a real redis-server, checked
# on the server afterwards; the type guard, read-only refusal and the audit records.
twat_cache_add_test(NAME test_inspect_redis_member_edit SOURCES test_inspect_redis_member_edit.cpp
    LABELS redis LIBS PkgConfig::HIREDIS TIMEOUT 120)

# The census's pacing: idle round trip, page sizes and rests from given page times.
twat_cache_add_test(NAME test_census_pacer SOURCES test_census_pacer.cpp LABELS core TIMEOUT 60)

# analyze(): a census against a real redis-server and a python-diskcache cache, exactly.
twat_cache_add_test(NAME test_analysis SOURCES test_analysis.cpp LABELS redis interop
    LIBS PkgConfig::HIREDIS TIMEOUT 120)

# Value pages of big Redis values (a 100k-field hash, a 1M-element list, a 20 MB string):
# bounded pages, whole values by cursor, MATCH, zset by score, streams, hex dumps, the CLI.
twat_cache_add_test(NAME test_inspect_value_pages SOURCES test_inspect_value_pages.cpp
    LABELS interop redis LIBS PkgConfig::HIREDIS TIMEOUT 300)
target_compile_definitions(test_inspect_value_pages PRIVATE
    TWAT_CACHE_CLI="$<TARGET_FILE:twat-cache>")
add_dependencies(test_inspect_value_pages twat-cache)

# Listing export (CSV, JSON Lines) and `inspect --all` over 100k+ entries of a real
# redis-server and a python-diskcache cache, read back; cancel leaves no file.
twat_cache_add_test(NAME test_listing_export SOURCES test_listing_export.cpp
    LABELS interop redis LIBS PkgConfig::HIREDIS TIMEOUT 300)
target_compile_definitions(test_listing_export PRIVATE
    TWAT_CACHE_CLI="$<TARGET_FILE:twat-cache>")
add_dependencies(test_listing_export twat-cache)
