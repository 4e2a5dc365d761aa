#!/usr/bin/python3
"""Redis Cluster benchmark: the engine on 3 masters against the same engine on one server.

One run builds bench_redis_cluster (preset `bench`, build dir build/bench) unless --no-build,
starts a Redis Cluster of 3 masters and 3 replicas (redis-server --cluster-enabled yes on free
loopback ports, no persistence, `redis-cli --cluster create --cluster-replicas 1`) and one
standalone redis-server, runs bench_redis_cluster against both side by side, stops every
server (also on an error, Ctrl-C or SIGTERM) and prints the issue 15 goals with PASS/MISS:

  get            one get through the cluster client vs the single-node engine: <= 1.1x (p50)
  getMany/128    time per batch over 3 masters vs one node, and the round trips each master
                 served per batch (INFO total_reads_processed): one per node, in parallel. A
                 batch is "in parallel" when it costs less than one more single-node round trip
                 (a single get's p50) than the same batch on one node: three sequential round
                 trips would cost at least two more. Raw hiredis rows do the same without
                 the engine (GETs straight to each key's server; pipelines split by server,
                 written all at once or in turn), and "client CPU" rows give this thread's CPU
                 time per batch: together they split a difference into the servers' share and
                 the client's.
  load/scan/clear  --bulk entries stored with setMany, enumerated with scan() pages and deleted
                 with clear() (SCAN MATCH + UNLINK), as keys per second, 3 masters vs one node.

The latency workloads run --repeat times (medians reported), the bulk workloads once. The
machine may be shared and noisy: compare the ratios within one run.
"""

import argparse
import pathlib
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from run_persistent_bench import (REPO, Table, build_target, info_row, load_average,  # noqa: E402
                                  machine_info, merge_repeats, run_json, slowdown_row)
from run_redis_bench import RedisServer, free_port  # noqa: E402


def redis_cli(port, *args, timeout=10):
    proc = subprocess.run(["redis-cli", "-p", str(port), *args], capture_output=True, text=True,
                          timeout=timeout)
    return proc.stdout


class RedisClusterNodes:
    """`masters` masters with one replica each, every node in its own folder, stopped by stop()
    (also those start() had launched when it was interrupted)."""

    def __init__(self):
        self.ports, self.procs = [], []

    def start(self, folder, masters=3):
        for n in range(2 * masters):
            node_dir = folder / f"node{n}"
            node_dir.mkdir()
            port = free_port()
            self.ports.append(port)
            self.procs.append(subprocess.Popen(
                ["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                 "--cluster-enabled", "yes", "--cluster-port", str(free_port()),
                 "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1000",
                 "--save", "", "--appendonly", "no", "--dir", str(node_dir)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def create(self, deadline_s=60):
        self._wait(lambda p: redis_cli(p, "ping").strip() == "PONG", deadline_s, "answer PING")
        proc = subprocess.run(["redis-cli", "--cluster", "create",
                               *[f"127.0.0.1:{p}" for p in self.ports],
                               "--cluster-replicas", "1", "--cluster-yes"],
                              capture_output=True, text=True, timeout=deadline_s)
        if proc.returncode != 0:
            sys.exit(f"redis-cli --cluster create failed:\n{proc.stdout}{proc.stderr}")
        self._wait(lambda p: "cluster_state:ok" in redis_cli(p, "cluster", "info"), deadline_s,
                   "say cluster_state:ok")
        # Replication settled: every master has its replica, every replica's link is up.
        self._wait(lambda p: any(line in redis_cli(p, "info", "replication")
                                 for line in ("connected_slaves:1", "master_link_status:up")),
                   deadline_s, "finish replication")

    def masters(self):
        return [f"127.0.0.1:{p}" for p in self.ports
                if redis_cli(p, "role").splitlines()[:1] == ["master"]]

    def _wait(self, ready, deadline_s, what):
        end = time.monotonic() + deadline_s
        waiting = list(self.ports)
        while waiting:
            for proc in self.procs:
                if proc.poll() is not None:
                    sys.exit(f"a cluster redis-server exited with {proc.returncode}")
            waiting = [p for p in waiting if not ready(p)]
            if waiting and time.monotonic() > end:
                sys.exit(f"cluster nodes {waiting} did not {what} within {deadline_s} s")
            time.sleep(0.05 if waiting else 0)

    def stop(self):
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def split_rows(rows):
    """bench_redis_cluster's rows: timing summaries and the `rt ...` round-trip counts."""
    timings = {k: v for k, v in rows.items() if "p50_ns" in v}
    return timings, {k: v for k, v in rows.items() if k.startswith("rt ")}


def getmany_rows(t, ours, rts, depth):
    """getMany: time per batch (parallel?), what the client and the servers add, round trips."""
    c, s, g = ours["cluster_getmany"], ours["single_getmany"], ours["single_get"]
    extra = c["p50_ns"] - s["p50_ns"]
    t.add(f"getMany/{depth}", ("3 masters", c), ("one node", s),
          f"{c['p50_ns'] / s['p50_ns']:.3f}x ({extra / 1000:+.1f} us)",
          f"< +1 RTT ({g['p50_ns'] / 1000:.1f} us)", extra < g["p50_ns"])
    r = lambda label, name: (label, ours[name])  # noqa: E731
    info_row(t, f"getMany/{depth} raw hiredis", r("3 pipelines", "raw_cluster_pipeget"),
             r("1 pipeline", "raw_single_pipeget"), "(no client of ours)")
    info_row(t, f"getMany/{depth} raw hiredis", r("3 at once", "raw_cluster_pipeget"),
             r("3 in turn", "raw_cluster_seqget"), "(what overlap buys)")
    info_row(t, f"getMany/{depth} client CPU", r("3 masters", "cluster_getmany_cpu"),
             r("one node", "single_getmany_cpu"), "(thread CPU time)")
    info_row(t, f"getMany/{depth} raw CPU", r("3 pipelines", "raw_cluster_pipeget_cpu"),
             r("1 pipeline", "raw_single_pipeget_cpu"), "(thread CPU time)")
    cluster = [r for name, r in rts.items() if name.startswith("rt cluster ")]
    # A counter flush (HINCRBY on the node of the __meta key) is a round trip of its own.
    per_node = [r["reads"] - r["hincrbys"] for r in cluster]
    ok = len(cluster) == 3 and all(0.95 <= n <= 1.05 and r["gets"] > 0
                                   for n, r in zip(per_node, cluster))
    t.add(f"getMany/{depth} round trips", ("3 masters", c), ("one node", s),
          " / ".join(f"{n:.2f}" for n in per_node) + " per master",
          "1 per node per batch", ok)


def print_round_trips(rts):
    print("\nround trips per getMany batch (INFO of each server, mean of the repeats):")
    for name, r in sorted(rts.items()):
        print(f"  {name[3:]:<26} reads {r['reads']:.2f}, GETs {r['gets']:.2f}, "
              f"HINCRBY (counter flush) {r['hincrbys']:.2f}")


def print_bulk(bulk, n):
    """Keys per second of the bulk workloads, 3 masters vs one node (no target in the issue)."""
    rate = lambda row: n / (row["p50_ns"] / 1e9)  # noqa: E731
    t = Table()
    t.HEAD = ("operation", "3 masters s", "keys/s", "one node s", "keys/s", "ratio")
    for op, what in (("load", "setMany batches"), ("scan", "scan() pages"),
                     ("clear", "clear()")):
        c, s = bulk[f"cluster_{op}"], bulk[f"single_{op}"]
        t.rows.append([f"{op} ({what})", f"{c['p50_ns'] / 1e9:.2f}", f"{rate(c):,.0f}",
                       f"{s['p50_ns'] / 1e9:.2f}", f"{rate(s):,.0f}",
                       f"{rate(c) / rate(s):.2f}x"])
    t.print()
    c, s = bulk["cluster_scan_page"], bulk["single_scan_page"]
    print(f"scan() page of {c['items']}: p50/p99 {c['p50_ns'] / 1e6:.2f}/{c['p99_ns'] / 1e6:.2f}"
          f" ms on 3 masters, {s['p50_ns'] / 1e6:.2f}/{s['p99_ns'] / 1e6:.2f} ms on one node")


def stop_on_sigterm():
    def handler(signum, frame):  # noqa: ARG001 - the finally blocks stop the servers
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, handler)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", type=pathlib.Path, default=REPO / "build" / "bench")
    ap.add_argument("--no-build", action="store_true", help="use the existing binary")
    ap.add_argument("--keys", type=int, default=2048)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--depth", type=int, default=128)
    ap.add_argument("--size", type=int, default=100, help="payload bytes per value")
    ap.add_argument("--bulk", type=int, default=1_000_000,
                    help="entries loaded, enumerated and cleared (0: skip)")
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of the latency workloads; medians are reported")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args()
    stop_on_sigterm()
    try:
        import redis
    except ImportError as e:
        sys.exit(f"{e}: run this script with Debian's /usr/bin/python3 (apt install python3-redis)")
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        sys.exit("redis-server and redis-cli are needed: apt install redis-server redis-tools")

    binary = args.build_dir / "tests" / "bench" / "bench_redis_cluster"
    if not args.no_build:
        binary = build_target(args.build_dir, "bench_redis_cluster")
    print(machine_info())
    print("before:", load_average())

    folder = pathlib.Path(tempfile.mkdtemp(prefix="twat-redis-cluster-bench-"))
    cluster = single = None
    try:
        (folder / "single").mkdir()
        single = RedisServer(folder / "single")
        cluster = RedisClusterNodes()
        cluster.start(folder)
        single.wait_ready(lambda: redis.Redis(host="127.0.0.1", port=single.port))
        cluster.create()
        masters = cluster.masters()
        version = redis_cli(single.port, "info", "server").split("redis_version:")[1].split()[0]
        print(f"redis-server {version}: Redis Cluster of {len(masters)} masters + "
              f"{len(cluster.ports) - len(masters)} replicas, and one standalone server, "
              "all on loopback")
        cmd = [str(binary), "--cluster", f"127.0.0.1:{cluster.ports[0]}",
               "--single", f"127.0.0.1:{single.port}", "--masters", ",".join(masters),
               "--keys", str(args.keys), "--depth", str(args.depth), "--size", str(args.size)]
        runs, rts = [], {}
        for _ in range(args.repeat):
            timings, counts = split_rows(run_json(cmd + ["--rounds", str(args.rounds)]))
            runs.append(timings)
            for name, r in counts.items():  # the round-trip rows are already per batch
                rts.setdefault(name, []).append(r)
        rts = {name: {k: statistics.mean(r[k] for r in rows) for k in ("reads", "gets",
                                                                      "hincrbys")}
               for name, rows in rts.items()}
        bulk = None
        if args.bulk > 0:
            t0 = time.monotonic()
            bulk, _ = split_rows(run_json(cmd + ["--rounds", "0", "--bulk", str(args.bulk)],
                                          timeout=3600))
            bulk_s = time.monotonic() - t0
    finally:
        for server in (cluster, single):
            if server is not None:
                server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    ours = merge_repeats(runs)
    print("after: ", load_average())
    print(f"keys={args.keys}, payload={args.size} B, depth={args.depth}, rounds={args.rounds}, "
          f"repeats={args.repeat} (median of each statistic);\np50/p99 in microseconds per op "
          "(getMany: per batch of depth keys)\n")
    t = Table()
    o = lambda label, name: (label, ours.get(name))  # noqa: E731
    slowdown_row(t, "get", o("3 masters", "cluster_get"), o("one node", "single_get"), 1.1)
    slowdown_row(t, "get, 1st master's keys", o("3 masters", "cluster_get_onemaster"),
                 o("one node", "single_get_onemaster"), 1.1)
    info_row(t, "get raw hiredis", o("3 masters", "raw_cluster_get"),
             o("one node", "raw_single_get"), "(no client of ours)")
    info_row(t, "set", o("3 masters", "cluster_set"), o("one node", "single_set"),
             "(no goal; replicated)")
    getmany_rows(t, ours, rts, args.depth)
    t.print()
    print_round_trips(rts)
    if bulk is not None:
        print(f"\nbulk: {args.bulk:,} entries of {args.size} B payload, the same keys on both "
              f"sides; one pass each ({bulk_s:.0f} s in all, loading included)\n")
        print_bulk(bulk, args.bulk)
    print(f"\n{t.misses} target(s) missed")
    return 1 if args.strict and t.misses else 0


if __name__ == "__main__":
    sys.exit(main())
