// bench_redis: per-operation latency of the Redis engine against raw hiredis on one server.
//
// For each transport given (--tcp HOST:PORT, --unix PATH) the program stores --keys entries
// of --size payload bytes through RedisEngine, then measures, alternating engine and raw
// hiredis passes so that a noisy neighbour disturbs both alike:
//   engine_set_<t> / hiredis_set_<t>         one SET per operation (the same key names and
//                                            envelope bytes the engine writes)
//   engine_get_<t> / hiredis_get_<t>         one GET per operation
//   engine_getmany_<t> / hiredis_pipeget_<t> --depth GETs in one pipeline per sample
//   engine_setmany_<t> / hiredis_pipeset_<t> --depth SETs in one pipeline per sample
//   limited_{set,get,getmany,setmany}_<t>    the engine workloads again on a second cache
//                                            opened with maxsize = --keys (lru): the cost of
//                                            the index script on every store and the lru
//                                            touch on every read (nothing is evicted)
// With --tls URL (a rediss:// URL of the same server's TLS port), the engine workloads run
// again over TLS as engine_{set,get,getmany,setmany}_tls (no raw hiredis: it has no TLS).
// Raw hiredis does the least a client can: redisCommand / redisAppendCommand with %b
// arguments, check the reply type, free it (inside the timed region, as the engine does). The
// engine also decodes the envelope and copies the payload out. Output: one JSON array
// (bench_persistent_timing.h) on stdout; run_redis_bench.py adds the redis-py peer and prints the
// table.
#include <hiredis/hiredis.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bench_persistent_timing.h"
#include "bench_redis_workload.h"
#include "twat_cache/config.h"
#include "twat_cache/key.h"
#include "twat_cache/redis_engine.h"

namespace tc = twat_cache;
namespace bench = twat_cache::bench;

namespace {

using bench::ContextPtr;

struct Options {
    std::string tcp;        // host:port
    std::string unix_path;  // socket path
    std::string tls_url;    // rediss://...
    std::size_t keys = 1000;
    std::size_t rounds = 5;
    std::size_t depth = 128;
    std::size_t size = 100;
};

void expectReply(void* raw, int type, std::string_view what) {
    auto* r = static_cast<redisReply*>(raw);
    if (r == nullptr) bench::die(what, "no reply (connection lost)");
    if (r->type != type) bench::die(what, "unexpected reply type " + std::to_string(r->type));
    freeReplyObject(r);
}

// One transport's workloads. `url` is for the engine, `raw` an open hiredis connection.
class TransportBench {
  public:
    TransportBench(const Options& o, std::string transport, const std::string& url, ContextPtr raw)
        : m_o(o),
          m_t(std::move(transport)),
          m_raw(std::move(raw)),
          m_work("bench-" + m_t, o.keys, o.size, o.depth) {
        tc::CacheConfig c;
        c.name = "bench-" + m_t;
        c.redis_url = url;
        m_engine = bench::openRedisEngine(c);
        c.name = "bench-" + m_t + "-limited";
        c.maxsize = o.keys;
        m_limited = bench::openRedisEngine(c);
        const std::string prefix = "twat_cache:bench-" + m_t + ":";
        for (const tc::Key& k : m_work.keys()) m_redisKeys.push_back(prefix + k.toHex());
    }

    void run(std::vector<bench::Samples>& out) {
        bench::Samples eSet{"engine_set_" + m_t, 1, {}}, rSet{"hiredis_set_" + m_t, 1, {}};
        bench::Samples eGet{"engine_get_" + m_t, 1, {}}, rGet{"hiredis_get_" + m_t, 1, {}};
        bench::Samples eMany{"engine_getmany_" + m_t, m_o.depth, {}};
        bench::Samples rMany{"hiredis_pipeget_" + m_t, m_o.depth, {}};
        bench::Samples eSetMany{"engine_setmany_" + m_t, m_o.depth, {}};
        bench::Samples rSetMany{"hiredis_pipeset_" + m_t, m_o.depth, {}};
        bench::Samples lSet{"limited_set_" + m_t, 1, {}}, lGet{"limited_get_" + m_t, 1, {}};
        bench::Samples lMany{"limited_getmany_" + m_t, m_o.depth, {}};
        bench::Samples lSetMany{"limited_setmany_" + m_t, m_o.depth, {}};
        bench::Samples eCpu{"engine_get_cpu_" + m_t, 1, {}};

        m_work.sets(*m_engine, eSet);  // also stores the entries every other workload reads
        m_work.sets(*m_limited, lSet);
        loadEnvelopes();
        eSet.ns.clear();
        lSet.ns.clear();
        m_work.gets(*m_engine, eGet);  // warm-up passes, discarded below
        m_work.gets(*m_limited, lGet);
        eGet.ns.clear();
        lGet.ns.clear();
        for (std::size_t round = 0; round < m_o.rounds; ++round) {
            m_work.sets(*m_engine, eSet);
            m_work.sets(*m_limited, lSet);
            rawSets(rSet);
            m_work.getsWithCpu(*m_engine, eGet, eCpu);
            m_work.gets(*m_limited, lGet);
            rawGets(rGet);
            m_work.getMany(*m_engine, eMany);
            m_work.getMany(*m_limited, lMany);
            rawPipelineGet(rMany);
            m_work.setMany(*m_engine, eSetMany);
            m_work.setMany(*m_limited, lSetMany);
            rawPipelineSet(rSetMany);
        }
        for (auto* s : {&eSet, &rSet, &eGet, &rGet, &eMany, &rMany, &eSetMany, &rSetMany, &lSet,
                        &lGet, &lMany, &lSetMany, &eCpu}) {
            out.push_back(std::move(*s));
        }
    }

    // The engine workloads alone (a transport raw hiredis cannot speak).
    void runEngineOnly(std::vector<bench::Samples>& out) {
        bench::Samples eSet{"engine_set_" + m_t, 1, {}}, eGet{"engine_get_" + m_t, 1, {}};
        bench::Samples eMany{"engine_getmany_" + m_t, m_o.depth, {}};
        bench::Samples eSetMany{"engine_setmany_" + m_t, m_o.depth, {}};
        bench::Samples eCpu{"engine_get_cpu_" + m_t, 1, {}};
        m_work.sets(*m_engine, eSet);
        m_work.gets(*m_engine, eGet);  // warm-up passes, discarded
        eSet.ns.clear();
        eGet.ns.clear();
        for (std::size_t round = 0; round < m_o.rounds; ++round) {
            m_work.sets(*m_engine, eSet);
            m_work.getsWithCpu(*m_engine, eGet, eCpu);
            m_work.getMany(*m_engine, eMany);
            m_work.setMany(*m_engine, eSetMany);
        }
        for (auto* s : {&eSet, &eGet, &eMany, &eSetMany, &eCpu}) out.push_back(std::move(*s));
    }

  private:
    // The envelope bytes as the engine stored them, so raw SETs write the same sizes.
    void loadEnvelopes() {
        for (const auto& rk : m_redisKeys) {
            auto* r =
                static_cast<redisReply*>(redisCommand(m_raw.get(), "GET %b", rk.data(), rk.size()));
            if (r == nullptr || r->type != REDIS_REPLY_STRING) bench::die(rk, "not stored");
            m_envelopes.emplace_back(r->str, r->len);
            freeReplyObject(r);
        }
    }

    void rawSets(bench::Samples& s) {
        for (std::size_t i : bench::shuffledIndices(m_o.keys, 3 + s.ns.size())) {
            const std::string& k = m_redisKeys[i];
            const std::string& v = m_envelopes[i];
            const auto t0 = bench::BenchClock::now();
            void* r =
                redisCommand(m_raw.get(), "SET %b %b", k.data(), k.size(), v.data(), v.size());
            expectReply(r, REDIS_REPLY_STATUS, s.name);
            s.ns.push_back(bench::elapsedNs(t0));
        }
    }

    void rawGets(bench::Samples& s) {
        for (std::size_t i : bench::shuffledIndices(m_o.keys, 5 + s.ns.size())) {
            const std::string& k = m_redisKeys[i];
            const auto t0 = bench::BenchClock::now();
            void* r = redisCommand(m_raw.get(), "GET %b", k.data(), k.size());
            expectReply(r, REDIS_REPLY_STRING, s.name);
            s.ns.push_back(bench::elapsedNs(t0));
        }
    }

    void rawPipelineGet(bench::Samples& s) {
        for (const auto& batch : m_work.batches(9 + s.ns.size())) {
            const auto t0 = bench::BenchClock::now();
            for (std::size_t i : batch) {
                redisAppendCommand(m_raw.get(), "GET %b", m_redisKeys[i].data(),
                                   m_redisKeys[i].size());
            }
            std::vector<void*> replies(batch.size());
            for (auto& r : replies) {
                if (redisGetReply(m_raw.get(), &r) != REDIS_OK) bench::die(s.name, "read");
            }
            for (void* r : replies) expectReply(r, REDIS_REPLY_STRING, s.name);
            s.ns.push_back(bench::elapsedNs(t0));
        }
    }

    void rawPipelineSet(bench::Samples& s) {
        for (const auto& batch : m_work.batches(13 + s.ns.size())) {
            const auto t0 = bench::BenchClock::now();
            for (std::size_t i : batch) {
                redisAppendCommand(m_raw.get(), "SET %b %b", m_redisKeys[i].data(),
                                   m_redisKeys[i].size(), m_envelopes[i].data(),
                                   m_envelopes[i].size());
            }
            std::vector<void*> replies(batch.size());
            for (auto& r : replies) {
                if (redisGetReply(m_raw.get(), &r) != REDIS_OK) bench::die(s.name, "read");
            }
            for (void* r : replies) expectReply(r, REDIS_REPLY_STATUS, s.name);
            s.ns.push_back(bench::elapsedNs(t0));
        }
    }

    const Options& m_o;
    std::string m_t;
    ContextPtr m_raw;
    std::unique_ptr<tc::RedisEngine> m_engine;
    std::unique_ptr<tc::RedisEngine> m_limited;  // maxsize = keys
    bench::EngineWorkload m_work;
    std::vector<std::string> m_redisKeys;
    std::vector<std::string> m_envelopes;
};

Options parseArgs(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) bench::die(a, "needs a value");
            return argv[++i];
        };
        if (a == "--tcp") {
            o.tcp = next();
        } else if (a == "--unix") {
            o.unix_path = next();
        } else if (a == "--tls") {
            o.tls_url = next();
        } else if (a == "--keys") {
            o.keys = std::stoul(next());
        } else if (a == "--rounds") {
            o.rounds = std::stoul(next());
        } else if (a == "--depth") {
            o.depth = std::stoul(next());
        } else if (a == "--size") {
            o.size = std::stoul(next());
        } else {
            bench::die(a,
                       "usage: bench_redis [--tcp HOST:PORT] [--unix PATH] [--tls URL] [--keys N] "
                       "[--rounds R] [--depth D] [--size BYTES]");
        }
    }
    if (o.tcp.empty() && o.unix_path.empty()) bench::die("arguments", "give --tcp or --unix");
    if (o.depth == 0 || o.depth > o.keys) bench::die("--depth", "must be in 1..keys");
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    const Options o = parseArgs(argc, argv);
    std::vector<bench::Samples> all;
    if (!o.tcp.empty()) {
        TransportBench b(o, "tcp", "redis://" + o.tcp, bench::connectTcp(o.tcp));
        b.run(all);
    }
    if (!o.unix_path.empty()) {
        const timeval timeout{2, 0};
        TransportBench b(o, "unix", "unix://" + o.unix_path,
                         bench::connectRaw(o.unix_path, redisConnectUnixWithTimeout(
                                                            o.unix_path.c_str(), timeout)));
        b.run(all);
    }
    if (!o.tls_url.empty()) {
        TransportBench b(o, "tls", o.tls_url, nullptr);
        b.runEngineOnly(all);
    }
    bench::printAll(all);
    return 0;
}
