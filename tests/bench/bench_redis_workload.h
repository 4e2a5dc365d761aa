// The engine side of the Redis benchmarks (bench_redis, bench_redis_cluster): opening an
// engine from a URL, raw hiredis connections, and the timed engine workloads over one fixed
// set of keys (set, get, getMany, setMany), each pass visiting the keys in a shuffled order
// seeded by how many samples the workload already holds, so that two engines given the same
// samples history see the same order.
//
// Thread safety: none; a workload belongs to the one thread that measures.
#pragma once

#include <hiredis/hiredis.h>

#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "bench_persistent_timing.h"
#include "twat_cache/codec.h"
#include "twat_cache/config.h"
#include "twat_cache/key.h"
#include "twat_cache/redis_engine.h"

namespace twat_cache::bench {

struct ContextFree {
    void operator()(redisContext* c) const { redisFree(c); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextFree>;

// Takes ownership of a fresh hiredis context; stops the program when it failed.
inline ContextPtr connectRaw(std::string_view what, redisContext* c) {
    if (c == nullptr || c->err != 0) die(what, c != nullptr ? c->errstr : "out of memory");
    return ContextPtr(c);
}

// A raw hiredis connection to "host:port".
inline ContextPtr connectTcp(const std::string& hostPort) {
    const auto colon = hostPort.rfind(':');
    if (colon == std::string::npos) die(hostPort, "expected HOST:PORT");
    const std::string host = hostPort.substr(0, colon);
    const timeval timeout{2, 0};
    return connectRaw(hostPort, redisConnectWithTimeout(
                                    host.c_str(), std::stoi(hostPort.substr(colon + 1)), timeout));
}

inline std::int64_t threadCpuNs() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

inline std::unique_ptr<RedisEngine> openRedisEngine(const CacheConfig& c) {
    auto r = resolveConfig(c, [](std::string_view) { return std::optional<std::string>{}; });
    if (!r.ok()) die(*c.redis_url, r.status().toString());
    auto e = RedisEngine::open(*r);
    if (!e.ok()) die(*c.redis_url, e.status().toString());
    return std::move(*e);
}

// `count` keys of cache `cacheName`, each stored with a `size`-byte payload.
class EngineWorkload {
  public:
    EngineWorkload(const std::string& cacheName, std::size_t count, std::size_t size,
                   std::size_t depth)
        : m_payload(size, 'v'), m_depth(depth) {
        m_keys.reserve(count);
        m_texts.reserve(count);
        for (std::size_t i = 0; i < count; ++i) {
            m_keys.push_back(makeKey(cacheName, static_cast<std::int64_t>(i)));
            m_texts.push_back(makeKeyText("bench", static_cast<std::int64_t>(i)));
        }
    }

    const std::vector<Key>& keys() const { return m_keys; }
    std::size_t depth() const { return m_depth; }

    Record record(std::size_t i) const {
        Record r;
        r.key_text = m_texts[i];
        r.type_tag = typeTag<std::string>();
        r.payload = m_payload;
        return r;
    }

    // Batches of depth() keys in shuffled order (the last partial batch is dropped).
    std::vector<std::vector<std::size_t>> batches(std::uint64_t seed) const {
        const auto order = shuffledIndices(m_keys.size(), seed);
        std::vector<std::vector<std::size_t>> out;
        for (std::size_t b = 0; b + m_depth <= order.size(); b += m_depth) {
            out.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(b),
                             order.begin() + static_cast<std::ptrdiff_t>(b + m_depth));
        }
        return out;
    }

    void sets(RedisEngine& engine, Samples& s) const {
        for (std::size_t i : shuffledIndices(m_keys.size(), 3 + s.ns.size())) {
            const Record r = record(i);
            const auto t0 = BenchClock::now();
            const Status st = engine.set(m_keys[i], r);
            s.ns.push_back(elapsedNs(t0));
            if (!st.ok()) die(s.name, st.toString());
        }
    }

    // With `only`, just the keys it accepts (e.g. those one cluster master holds).
    template <class Pred = bool (*)(const Key&)>
    void gets(RedisEngine& engine, Samples& s, Pred only = nullptr) const {
        for (std::size_t i : shuffledIndices(m_keys.size(), 5 + s.ns.size())) {
            if constexpr (!std::is_pointer_v<Pred>) {
                if (!only(m_keys[i])) continue;
            }
            const auto t0 = BenchClock::now();
            auto v = engine.get(m_keys[i]);
            s.ns.push_back(elapsedNs(t0));
            if (!v.ok() || v->payload.size() != m_payload.size()) die(s.name, "miss");
        }
    }

    // gets() that also records the CPU time this thread spent in each get (`cpu`): the
    // client's share of a request, apart from the server's and the wake-ups'.
    void getsWithCpu(RedisEngine& engine, Samples& s, Samples& cpu) const {
        for (std::size_t i : shuffledIndices(m_keys.size(), 5 + s.ns.size())) {
            const std::int64_t cpu0 = threadCpuNs();
            const auto t0 = BenchClock::now();
            auto v = engine.get(m_keys[i]);
            s.ns.push_back(elapsedNs(t0));
            cpu.ns.push_back(threadCpuNs() - cpu0);
            if (!v.ok() || v->payload.size() != m_payload.size()) die(s.name, "miss");
        }
    }

    // With `cpu`, also the CPU time this thread spent in each getMany (the client's own work,
    // which a busy machine's scheduling does not blur as it does the elapsed time).
    void getMany(RedisEngine& engine, Samples& s, Samples* cpu = nullptr) const {
        for (const auto& batch : batches(9 + s.ns.size())) {
            std::vector<Key> keys;
            keys.reserve(batch.size());
            for (std::size_t i : batch) keys.push_back(m_keys[i]);
            const std::int64_t cpu0 = cpu != nullptr ? threadCpuNs() : 0;
            const auto t0 = BenchClock::now();
            auto values = engine.getMany(keys);
            s.ns.push_back(elapsedNs(t0));
            if (cpu != nullptr) cpu->ns.push_back(threadCpuNs() - cpu0);
            for (const auto& v : values) {
                if (!v.ok() || v->payload.size() != m_payload.size()) die(s.name, "miss");
            }
        }
    }

    void setMany(RedisEngine& engine, Samples& s) const {
        for (const auto& batch : batches(13 + s.ns.size())) {
            std::vector<KeyedRecord> records;
            records.reserve(batch.size());
            for (std::size_t i : batch) records.push_back({m_keys[i], record(i)});
            const auto t0 = BenchClock::now();
            const Status st = engine.setMany(records);
            s.ns.push_back(elapsedNs(t0));
            if (!st.ok()) die(s.name, st.toString());
        }
    }

  private:
    std::vector<Key> m_keys;
    std::vector<std::string> m_texts;
    std::string m_payload;
    std::size_t m_depth;
};

}  // namespace twat_cache::bench
