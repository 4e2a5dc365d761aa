# Per-operation latency benchmarks of the persistent engines and the Redis engine, driven by
# run_persistent_bench.py, run_redis_bench.py and run_redis_cluster_bench.py
# (docs/BENCHMARKS.md). They time each operation with steady_clock (percentiles), so they do
# not use Google Benchmark.
add_executable(bench_persistent bench_persistent.cpp bench_persistent_timing.h)
target_link_libraries(bench_persistent PRIVATE TwatCache::core)
twat_cache_set_warnings(bench_persistent)

# Raw hiredis is the baseline the Redis engine is compared with.
add_executable(bench_redis bench_redis.cpp bench_redis_workload.h bench_persistent_timing.h)
target_link_libraries(bench_redis PRIVATE TwatCache::core PkgConfig::HIREDIS)
twat_cache_set_warnings(bench_redis)

# The same engine on a Redis Cluster against one server (run_redis_cluster_bench.py).
add_executable(bench_redis_cluster bench_redis_cluster.cpp bench_redis_workload.h
    bench_persistent_timing.h)
target_link_libraries(bench_redis_cluster PRIVATE TwatCache::core PkgConfig::HIREDIS)
twat_cache_set_warnings(bench_redis_cluster)
