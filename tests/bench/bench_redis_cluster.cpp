// bench_redis_cluster: the Redis engine on a Redis Cluster against the same engine on one
// standalone server, in one run (the benchmarks of issue 15; run_redis_cluster_bench.py starts
// the servers, runs this program and prints the table).
//
// --cluster HOST:PORT is any node of the cluster (the engine finds the rest by itself),
// --single HOST:PORT the standalone server, --masters H:P,H:P,... the cluster's masters. Both
// sides hold the same cache name and keys; cluster and single passes alternate so that a noisy
// neighbour disturbs both alike:
//   {cluster,single}_get      one get per op over --keys keys of --size payload bytes
//   {cluster,single}_get_onemaster  the same over the keys the first master holds
//   raw_{cluster,single}_get  one raw hiredis GET of the same entries, sent straight to the
//                             server holding each: the servers' share of the difference
//   raw_{cluster,single}_pipeget[_cpu]  raw hiredis pipelines of --depth GETs, one per server
//                             holding keys of the batch, all written before any is read
//   raw_cluster_seqget[_cpu]  the same, one server's round trip after the other
//   {cluster,single}_set      one set per op
//   {cluster,single}_getmany  one getMany of --depth keys per sample (time per batch)
//   {cluster,single}_getmany_cpu  the CPU time of this thread in each of those getMany calls
// Around every getMany pass each server's INFO (stats, commandstats) is read, and the rows
// `rt <side> <address>` report per getMany batch: `reads` (total_reads_processed: read events
// of the server's event loop; a pipeline written at once arrives as one, so this is the round
// trips the node served), `gets` (GET calls) and `hincrbys` (the engine's counter flushes). An
// empty INFO-to-INFO interval, measured first, is subtracted.
// With --bulk N (> 0): N entries of a second cache are stored through setMany in batches of
// --bulk-batch, then scan() walks them in pages of --page entries and clear() deletes them
// (SCAN MATCH of the cache's pattern + UNLINK); each of {cluster,single}_{load,scan,clear} is
// one sample, the whole operation, with items = N (scan must return N entries, size() must be 0
// after clear), and {cluster,single}_scan_page holds the time of each scan() page.
// Output: one JSON array (bench_persistent_timing.h rows, then the rt rows) on stdout.
#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bench_persistent_timing.h"
#include "bench_redis_workload.h"
#include "twat_cache/config.h"
#include "twat_cache/redis_engine.h"

namespace tc = twat_cache;
namespace bench = twat_cache::bench;

namespace {

struct Options {
    std::string cluster;               // host:port of any cluster node
    std::string single;                // host:port of the standalone server
    std::vector<std::string> masters;  // host:port of each cluster master
    std::size_t keys = 2048;
    std::size_t rounds = 5;
    std::size_t depth = 128;
    std::size_t size = 100;
    std::size_t bulk = 0;
    std::size_t bulk_batch = 1000;
    std::size_t page = 1000;
};

// The counters of one server that tell how a workload reached it.
struct NodeCounters {
    long long reads = 0;     // total_reads_processed
    long long gets = 0;      // cmdstat_get calls
    long long hincrbys = 0;  // cmdstat_hincrby calls

    NodeCounters operator-(const NodeCounters& o) const {
        return {reads - o.reads, gets - o.gets, hincrbys - o.hincrbys};
    }
    NodeCounters& operator+=(const NodeCounters& o) {
        reads += o.reads;
        gets += o.gets;
        hincrbys += o.hincrbys;
        return *this;
    }
};

long long infoField(std::string_view info, std::string_view field) {
    const auto at = info.find(field);
    if (at == std::string_view::npos) return 0;  // a command never called has no cmdstat line
    return std::stoll(std::string(info.substr(at + field.size(), 20)));
}

// One server, watched through its own raw connection.
class Watched {
  public:
    explicit Watched(std::string address)
        : m_address(std::move(address)), m_raw(bench::connectTcp(m_address)) {}

    NodeCounters read() {
        auto* r = static_cast<redisReply*>(redisCommand(m_raw.get(), "INFO stats commandstats"));
        if (r == nullptr || r->type != REDIS_REPLY_STRING) bench::die(m_address, "INFO failed");
        const std::string_view info(r->str, r->len);
        NodeCounters c{infoField(info, "total_reads_processed:"),
                       infoField(info, "cmdstat_get:calls="),
                       infoField(info, "cmdstat_hincrby:calls=")};
        freeReplyObject(r);
        return c;
    }

    const std::string& address() const { return m_address; }

  private:
    std::string m_address;
    bench::ContextPtr m_raw;
};

// The servers of one side and what the counted workloads cost each of them.
class Watch {
  public:
    explicit Watch(const std::vector<std::string>& addresses) {
        for (const auto& a : addresses) m_nodes.emplace_back(a);
        // What two INFO calls in a row count (the INFO itself): subtracted from every interval.
        for (auto& n : m_nodes) {
            const NodeCounters before = n.read();
            m_idle.push_back(n.read() - before);
        }
        m_total.resize(m_nodes.size());
    }

    template <class Fn>
    void count(Fn&& workload) {
        std::vector<NodeCounters> before;
        for (auto& n : m_nodes) before.push_back(n.read());
        workload();
        for (std::size_t i = 0; i < m_nodes.size(); ++i) {
            m_total[i] += m_nodes[i].read() - before[i] - m_idle[i];
        }
    }

    // One JSON row per server: its counters per batch.
    void print(std::string_view side, std::size_t batches, bool lastSide) const {
        const auto per = [&](long long v) {
            return static_cast<double>(v) / static_cast<double>(batches);
        };
        for (std::size_t i = 0; i < m_nodes.size(); ++i) {
            const NodeCounters& c = m_total[i];
            std::printf(
                "  {\"name\": \"rt %.*s %s\", \"batches\": %zu, \"reads\": %.3f, \"gets\": %.3f, "
                "\"hincrbys\": %.3f}%s\n",
                static_cast<int>(side.size()), side.data(), m_nodes[i].address().c_str(), batches,
                per(c.reads), per(c.gets), per(c.hincrbys),
                lastSide && i + 1 == m_nodes.size() ? "" : ",");
        }
    }

  private:
    std::vector<Watched> m_nodes;
    std::vector<NodeCounters> m_idle;
    std::vector<NodeCounters> m_total;
};

// Raw hiredis GETs of every entry of cache `cache` on `servers`, each sent to the server that
// holds it (found with SCAN): what the servers cost without any client of ours.
class RawGets {
  public:
    RawGets(const std::vector<std::string>& servers, const std::string& cache) {
        const std::string match = "twat_cache:" + cache + ":*";
        for (const auto& address : servers) {
            m_conns.push_back(bench::connectTcp(address));
            std::string cursor = "0";
            do {
                auto* r = static_cast<redisReply*>(redisCommand(m_conns.back().get(),
                                                                "SCAN %s MATCH %s COUNT 1000",
                                                                cursor.c_str(), match.c_str()));
                if (r == nullptr || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
                    bench::die(address, "SCAN failed");
                }
                cursor.assign(r->element[0]->str, r->element[0]->len);
                for (std::size_t i = 0; i < r->element[1]->elements; ++i) {
                    const redisReply* k = r->element[1]->element[i];
                    std::string name(k->str, k->len);
                    if (!name.ends_with("__meta")) m_keys.push_back({m_conns.size() - 1, name});
                }
                freeReplyObject(r);
            } while (cursor != "0");
        }
    }

    std::size_t size() const { return m_keys.size(); }

    void gets(bench::Samples& s) {
        for (std::size_t i : bench::shuffledIndices(m_keys.size(), 5 + s.ns.size())) {
            const auto& [conn, name] = m_keys[i];
            const auto t0 = bench::BenchClock::now();
            auto* r = static_cast<redisReply*>(
                redisCommand(m_conns[conn].get(), "GET %b", name.data(), name.size()));
            const bool ok = r != nullptr && r->type == REDIS_REPLY_STRING;
            freeReplyObject(r);
            s.ns.push_back(bench::elapsedNs(t0));
            if (!ok) bench::die(s.name, name + ": not a string");
        }
    }

    // Batches of `depth` GETs appended per server; every server's pipeline is written before
    // any reply is read (as RedisCluster::run() does) or, `sequential`, each server's replies
    // are read before the next server's pipeline is written (one round trip after the other).
    // `cpu`: this thread's CPU time per batch.
    void pipelineGets(std::size_t depth, bool sequential, bench::Samples& s, bench::Samples& cpu) {
        const auto order = bench::shuffledIndices(m_keys.size(), 9 + s.ns.size());
        std::vector<std::size_t> perConn(m_conns.size());
        for (std::size_t b = 0; b + depth <= order.size(); b += depth) {
            const std::int64_t cpu0 = bench::threadCpuNs();
            const auto t0 = bench::BenchClock::now();
            std::fill(perConn.begin(), perConn.end(), 0);
            for (std::size_t j = b; j < b + depth; ++j) {
                const auto& [conn, name] = m_keys[order[j]];
                redisAppendCommand(m_conns[conn].get(), "GET %b", name.data(), name.size());
                ++perConn[conn];
            }
            for (std::size_t c = 0; c < m_conns.size() && !sequential; ++c) {
                int done = perConn[c] == 0;
                while (!done) {
                    if (redisBufferWrite(m_conns[c].get(), &done) != REDIS_OK) {
                        bench::die(s.name, "write");
                    }
                }
            }
            bool ok = true;  // redisGetReply() writes what is still queued before it reads
            for (std::size_t c = 0; c < m_conns.size(); ++c) {
                for (std::size_t n = 0; n < perConn[c]; ++n) {
                    void* r = nullptr;
                    if (redisGetReply(m_conns[c].get(), &r) != REDIS_OK) bench::die(s.name, "read");
                    ok = ok && static_cast<redisReply*>(r)->type == REDIS_REPLY_STRING;
                    freeReplyObject(r);
                }
            }
            s.ns.push_back(bench::elapsedNs(t0));
            cpu.ns.push_back(bench::threadCpuNs() - cpu0);
            if (!ok) bench::die(s.name, "not a string");
        }
    }

  private:
    std::vector<bench::ContextPtr> m_conns;
    std::vector<std::pair<std::size_t, std::string>> m_keys;  // connection, key
};

std::unique_ptr<tc::RedisEngine> open(const std::string& hostPort, const std::string& cache) {
    tc::CacheConfig c;
    c.name = cache;
    c.redis_url = "redis://" + hostPort;
    return bench::openRedisEngine(c);
}

// The latency workloads, alternating sides; the getMany passes are counted by `watches`.
void runLatency(const Options& o, tc::RedisEngine& cluster, tc::RedisEngine& single,
                std::map<std::string, Watch>& watches, std::vector<bench::Samples>& out) {
    const bench::EngineWorkload work("bench-latency", o.keys, o.size, o.depth);
    bench::Samples cSet{"cluster_set", 1, {}}, sSet{"single_set", 1, {}};
    bench::Samples cGet{"cluster_get", 1, {}}, sGet{"single_get", 1, {}};
    // The same gets on the keys of the first master only (shards 0-4 of the cluster layout,
    // whose tags lie in slots 0-5119, which the even assignment gives the first master): the
    // client's routing cost without the cost of talking to three servers.
    const auto firstMaster = [](const tc::Key& k) { return k.toHex()[0] <= '4'; };
    bench::Samples c1Get{"cluster_get_onemaster", 1, {}}, s1Get{"single_get_onemaster", 1, {}};
    bench::Samples cMany{"cluster_getmany", o.depth, {}}, sMany{"single_getmany", o.depth, {}};
    bench::Samples cCpu{"cluster_getmany_cpu", o.depth, {}},
        sCpu{"single_getmany_cpu", o.depth, {}};
    bench::Samples rcGet{"raw_cluster_get", 1, {}}, rsGet{"raw_single_get", 1, {}};
    bench::Samples rcMany{"raw_cluster_pipeget", o.depth, {}};
    bench::Samples rsMany{"raw_single_pipeget", o.depth, {}};
    bench::Samples rqMany{"raw_cluster_seqget", o.depth, {}};
    bench::Samples rqCpu{"raw_cluster_seqget_cpu", o.depth, {}};
    bench::Samples rcCpu{"raw_cluster_pipeget_cpu", o.depth, {}};
    bench::Samples rsCpu{"raw_single_pipeget_cpu", o.depth, {}};
    work.sets(cluster, cSet);  // stores the entries; then a warm-up read; both discarded
    work.sets(single, sSet);
    work.gets(cluster, cGet);
    work.gets(single, sGet);
    for (auto* s : {&cSet, &sSet, &cGet, &sGet}) s->ns.clear();
    RawGets rawCluster(o.masters, "bench-latency"), rawSingle({o.single}, "bench-latency");
    if (rawCluster.size() != o.keys || rawSingle.size() != o.keys) {
        bench::die("raw GET", "did not find every entry with SCAN");
    }
    for (std::size_t round = 0; round < o.rounds; ++round) {
        work.sets(cluster, cSet);
        work.sets(single, sSet);
        work.gets(cluster, cGet);
        work.gets(single, sGet);
        work.gets(cluster, c1Get, firstMaster);
        work.gets(single, s1Get, firstMaster);
        rawCluster.gets(rcGet);
        rawSingle.gets(rsGet);
        rawCluster.pipelineGets(o.depth, false, rcMany, rcCpu);
        rawCluster.pipelineGets(o.depth, true, rqMany, rqCpu);
        rawSingle.pipelineGets(o.depth, false, rsMany, rsCpu);
        watches.at("cluster").count([&] { work.getMany(cluster, cMany, &cCpu); });
        watches.at("single").count([&] { work.getMany(single, sMany, &sCpu); });
    }
    for (auto* s : {&cGet, &sGet, &c1Get, &s1Get, &rcGet, &rsGet, &cSet, &sSet, &cMany, &sMany,
                    &cCpu, &sCpu, &rcMany, &rsMany, &rcCpu, &rsCpu, &rqMany, &rqCpu}) {
        out.push_back(std::move(*s));
    }
}

// Stores N entries through setMany in batches; one sample, the whole load.
void load(const Options& o, const bench::EngineWorkload& work, tc::RedisEngine& engine,
          bench::Samples& s) {
    const auto& keys = work.keys();
    std::vector<tc::KeyedRecord> records;
    std::int64_t ns = 0;
    for (std::size_t at = 0; at < keys.size(); at += o.bulk_batch) {
        records.clear();
        for (std::size_t i = at; i < std::min(keys.size(), at + o.bulk_batch); ++i) {
            records.push_back({keys[i], work.record(i)});
        }
        const auto t0 = bench::BenchClock::now();
        const tc::Status st = engine.setMany(records);
        ns += bench::elapsedNs(t0);
        if (!st.ok()) bench::die(s.name, st.toString());
    }
    s.ns.push_back(ns);
}

// Walks every entry with scan() pages; `pages` gets each page's time, `whole` the sum.
void scanAll(const Options& o, tc::RedisEngine& engine, bench::Samples& whole,
             bench::Samples& pages) {
    std::string cursor;
    std::size_t seen = 0;
    std::int64_t ns = 0;
    do {
        const auto t0 = bench::BenchClock::now();
        auto page = engine.scan(cursor, o.page);
        pages.ns.push_back(bench::elapsedNs(t0));
        ns += pages.ns.back();
        if (!page.ok()) bench::die(whole.name, page.status().toString());
        seen += page->entries.size();
        cursor = std::move(page->cursor);
    } while (!cursor.empty());
    if (seen != o.bulk) {
        bench::die(whole.name, "saw " + std::to_string(seen) + " of " + std::to_string(o.bulk));
    }
    whole.ns.push_back(ns);
}

void clearAll(tc::RedisEngine& engine, bench::Samples& s) {
    const auto t0 = bench::BenchClock::now();
    const tc::Status st = engine.clear();
    s.ns.push_back(bench::elapsedNs(t0));
    if (!st.ok()) bench::die(s.name, st.toString());
    auto left = engine.size();
    if (!left.ok() || *left != 0) bench::die(s.name, "entries left after clear()");
}

void runBulk(const Options& o, std::vector<bench::Samples>& out) {
    auto cluster = open(o.cluster, "bench-bulk");
    auto single = open(o.single, "bench-bulk");
    const bench::EngineWorkload work("bench-bulk", o.bulk, o.size, o.depth);
    std::vector<bench::Samples> s;
    for (const char* name : {"cluster_load", "single_load", "cluster_scan", "single_scan",
                             "cluster_clear", "single_clear"}) {
        s.push_back({name, o.bulk, {}});
    }
    bench::Samples cPage{"cluster_scan_page", o.page, {}}, sPage{"single_scan_page", o.page, {}};
    load(o, work, *cluster, s[0]);
    load(o, work, *single, s[1]);
    scanAll(o, *cluster, s[2], cPage);
    scanAll(o, *single, s[3], sPage);
    clearAll(*cluster, s[4]);
    clearAll(*single, s[5]);
    for (auto& row : s) out.push_back(std::move(row));
    out.push_back(std::move(cPage));
    out.push_back(std::move(sPage));
}

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> out;
    for (std::size_t at = 0; at <= text.size();) {
        const auto comma = std::min(text.find(',', at), text.size());
        if (comma > at) out.push_back(text.substr(at, comma - at));
        at = comma + 1;
    }
    return out;
}

Options parseArgs(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) bench::die(a, "needs a value");
            return argv[++i];
        };
        auto number = [&] { return std::stoul(next()); };
        if (a == "--cluster") {
            o.cluster = next();
        } else if (a == "--single") {
            o.single = next();
        } else if (a == "--masters") {
            o.masters = splitList(next());
        } else if (a == "--keys") {
            o.keys = number();
        } else if (a == "--rounds") {
            o.rounds = number();
        } else if (a == "--depth") {
            o.depth = number();
        } else if (a == "--size") {
            o.size = number();
        } else if (a == "--bulk") {
            o.bulk = number();
        } else if (a == "--bulk-batch") {
            o.bulk_batch = number();
        } else if (a == "--page") {
            o.page = number();
        } else {
            bench::die(a,
                       "usage: bench_redis_cluster --cluster HOST:PORT --single HOST:PORT "
                       "--masters H:P,... [--keys N] [--rounds R] [--depth D] [--size BYTES] "
                       "[--bulk N] [--bulk-batch B] [--page P]");
        }
    }
    if (o.cluster.empty() || o.single.empty() || o.masters.empty()) {
        bench::die("arguments", "give --cluster, --single and --masters");
    }
    if (o.depth == 0 || o.depth > o.keys) bench::die("--depth", "must be in 1..keys");
    if (o.bulk_batch == 0 || o.page == 0) bench::die("--bulk-batch, --page", "must be > 0");
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    const Options o = parseArgs(argc, argv);
    std::vector<bench::Samples> all;
    std::map<std::string, Watch> watches;
    watches.emplace("cluster", Watch(o.masters));
    watches.emplace("single", Watch({o.single}));
    if (o.rounds > 0) {
        auto cluster = open(o.cluster, "bench-latency");
        auto single = open(o.single, "bench-latency");
        runLatency(o, *cluster, *single, watches, all);
    }
    if (o.bulk > 0) runBulk(o, all);
    std::printf("[\n");
    for (auto& s : all) bench::printSummary(s, false);
    const std::size_t batches = std::max<std::size_t>(1, o.rounds * (o.keys / o.depth));
    watches.at("cluster").print("cluster", batches, false);
    watches.at("single").print("single", batches, true);
    std::printf("]\n");
    return 0;
}
