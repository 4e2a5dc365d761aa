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
#include "twat_cache/codec.h"
#include "twat_cache/config.h"
#include "twat_cache/key.h"
#include "twat_cache/redis_engine.h"

namespace tc = twat_cache;
namespace bench = twat_cache::bench;

namespace {

struct Options {
    std::string tcp;        // host:port
    std::string unix_path;  // socket path
    std::string tls_url;    // rediss://...
    std::size_t keys = 1000;
    std::size_t rounds = 5;
    std::size_t depth = 128;
    std::size_t size = 100;
};

struct ContextFree {
    void operator()(redisContext* c) const { redisFree(c); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextFree>;

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
        : m_o(o), m_t(std::move(transport)), m_raw(std::move(raw)) {
        tc::CacheConfig c;
        c.name = "bench-" + m_t;
        c.redis_url = url;
        m_engine = openEngine(c);
        c.name = "bench-" + m_t + "-limited";
        c.maxsize = o.keys;
        m_limited = openEngine(c);
        c.name = "bench-" + m_t;
        const std::string prefix = "twat_cache:" + c.name + ":";
        const std::string payload(o.size, 'v');
        m_texts.reserve(o.keys);
        for (std::size_t i = 0; i < o.keys; ++i) {
            m_keys.push_back(tc::makeKey(c.name, static_cast<std::int64_t>(i)));
            m_redisKeys.push_back(prefix + m_keys.back().toHex());
            m_texts.push_back(tc::makeKeyText("bench", static_cast<std::int64_t>(i)));
        }
        m_payload = payload;
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

        engineSets(*m_engine, eSet);  // also stores the entries every other workload reads
        engineSets(*m_limited, lSet);
        loadEnvelopes();
        eSet.ns.clear();
        lSet.ns.clear();
        engineGets(*m_engine, eGet);  // warm-up passes, discarded below
        engineGets(*m_limited, lGet);
        eGet.ns.clear();
        lGet.ns.clear();
        for (std::size_t round = 0; round < m_o.rounds; ++round) {
            engineSets(*m_engine, eSet);
            engineSets(*m_limited, lSet);
            rawSets(rSet);
            engineGets(*m_engine, eGet);
            engineGets(*m_limited, lGet);
            rawGets(rGet);
            engineGetMany(*m_engine, eMany);
            engineGetMany(*m_limited, lMany);
            rawPipelineGet(rMany);
            engineSetMany(*m_engine, eSetMany);
            engineSetMany(*m_limited, lSetMany);
            rawPipelineSet(rSetMany);
        }
        for (auto* s : {&eSet, &rSet, &eGet, &rGet, &eMany, &rMany, &eSetMany, &rSetMany, &lSet,
                        &lGet, &lMany, &lSetMany}) {
            out.push_back(std::move(*s));
        }
    }

    // The engine workloads alone (a transport raw hiredis cannot speak).
    void runEngineOnly(std::vector<bench::Samples>& out) {
        bench::Samples eSet{"engine_set_" + m_t, 1, {}}, eGet{"engine_get_" + m_t, 1, {}};
        bench::Samples eMany{"engine_getmany_" + m_t, m_o.depth, {}};
        bench::Samples eSetMany{"engine_setmany_" + m_t, m_o.depth, {}};
        engineSets(*m_engine, eSet);
        engineGets(*m_engine, eGet);  // warm-up passes, discarded
        eSet.ns.clear();
        eGet.ns.clear();
        for (std::size_t round = 0; round < m_o.rounds; ++round) {
            engineSets(*m_engine, eSet);
            engineGets(*m_engine, eGet);
            engineGetMany(*m_engine, eMany);
            engineSetMany(*m_engine, eSetMany);
        }
        for (auto* s : {&eSet, &eGet, &eMany, &eSetMany}) out.push_back(std::move(*s));
    }

  private:
    static std::unique_ptr<tc::RedisEngine> openEngine(const tc::CacheConfig& c) {
        auto r =
            tc::resolveConfig(c, [](std::string_view) { return std::optional<std::string>{}; });
        if (!r.ok()) bench::die(*c.redis_url, r.status().toString());
        auto e = tc::RedisEngine::open(*r);
        if (!e.ok()) bench::die(*c.redis_url, e.status().toString());
        return std::move(*e);
    }

    tc::Record record(std::size_t i) const {
        tc::Record r;
        r.key_text = m_texts[i];
        r.type_tag = tc::typeTag<std::string>();
        r.payload = m_payload;
        return r;
    }

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

    void engineSets(tc::RedisEngine& engine, bench::Samples& s) {
        for (std::size_t i : bench::shuffledIndices(m_o.keys, 3 + s.ns.size())) {
            const tc::Record r = record(i);
            const auto t0 = bench::BenchClock::now();
            const tc::Status st = engine.set(m_keys[i], r);
            s.ns.push_back(bench::elapsedNs(t0));
            if (!st.ok()) bench::die(s.name, st.toString());
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

    void engineGets(tc::RedisEngine& engine, bench::Samples& s) {
        for (std::size_t i : bench::shuffledIndices(m_o.keys, 5 + s.ns.size())) {
            const auto t0 = bench::BenchClock::now();
            auto v = engine.get(m_keys[i]);
            s.ns.push_back(bench::elapsedNs(t0));
            if (!v.ok() || v->payload.size() != m_o.size) bench::die(s.name, "miss");
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

    // Batches of `depth` keys in shuffled order (the last partial batch is dropped).
    std::vector<std::vector<std::size_t>> batches(std::uint64_t seed) const {
        const auto order = bench::shuffledIndices(m_o.keys, seed);
        std::vector<std::vector<std::size_t>> out;
        for (std::size_t b = 0; b + m_o.depth <= order.size(); b += m_o.depth) {
            out.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(b),
                             order.begin() + static_cast<std::ptrdiff_t>(b + m_o.depth));
        }
        return out;
    }

    void engineGetMany(tc::RedisEngine& engine, bench::Samples& s) {
        for (const auto& batch : batches(9 + s.ns.size())) {
            std::vector<tc::Key> keys;
            keys.reserve(batch.size());
            for (std::size_t i : batch) keys.push_back(m_keys[i]);
            const auto t0 = bench::BenchClock::now();
            auto values = engine.getMany(keys);
            s.ns.push_back(bench::elapsedNs(t0));
            for (const auto& v : values) {
                if (!v.ok() || v->payload.size() != m_o.size) bench::die(s.name, "miss");
            }
        }
    }

    void rawPipelineGet(bench::Samples& s) {
        for (const auto& batch : batches(9 + s.ns.size())) {
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

    void engineSetMany(tc::RedisEngine& engine, bench::Samples& s) {
        for (const auto& batch : batches(13 + s.ns.size())) {
            std::vector<tc::KeyedRecord> records;
            records.reserve(batch.size());
            for (std::size_t i : batch) records.push_back({m_keys[i], record(i)});
            const auto t0 = bench::BenchClock::now();
            const tc::Status st = engine.setMany(records);
            s.ns.push_back(bench::elapsedNs(t0));
            if (!st.ok()) bench::die(s.name, st.toString());
        }
    }

    void rawPipelineSet(bench::Samples& s) {
        for (const auto& batch : batches(13 + s.ns.size())) {
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
    std::vector<tc::Key> m_keys;
    std::vector<std::string> m_redisKeys;
    std::vector<std::string> m_texts;
    std::vector<std::string> m_envelopes;
    std::string m_payload;
};

ContextPtr connectRaw(const std::string& what, redisContext* c) {
    if (c == nullptr || c->err != 0) {
        bench::die(what, c != nullptr ? c->errstr : "out of memory");
    }
    return ContextPtr(c);
}

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
    const timeval timeout{2, 0};
    if (!o.tcp.empty()) {
        const auto colon = o.tcp.rfind(':');
        if (colon == std::string::npos) bench::die(o.tcp, "expected HOST:PORT");
        const std::string host = o.tcp.substr(0, colon);
        const int port = std::stoi(o.tcp.substr(colon + 1));
        TransportBench b(o, "tcp", "redis://" + o.tcp,
                         connectRaw(o.tcp, redisConnectWithTimeout(host.c_str(), port, timeout)));
        b.run(all);
    }
    if (!o.unix_path.empty()) {
        TransportBench b(
            o, "unix", "unix://" + o.unix_path,
            connectRaw(o.unix_path, redisConnectUnixWithTimeout(o.unix_path.c_str(), timeout)));
        b.run(all);
    }
    if (!o.tls_url.empty()) {
        TransportBench b(o, "tls", o.tls_url, nullptr);
        b.runEngineOnly(all);
    }
    bench::printAll(all);
    return 0;
}
