#!/usr/bin/python3
"""Redis benchmark: the Redis engine against raw hiredis and redis-py, on one real server.

One run builds bench_redis (preset `bench`, build dir build/bench) unless --no-build, starts
redis-server on a free loopback port and a unix socket (no persistence), runs bench_redis
(engine and raw hiredis, alternating passes) and the redis-py peer on the same keys, and
prints one side-by-side table of per-operation p50/p99 with the targets and PASS/MISS. Run
it with Debian's /usr/bin/python3, where python3-redis lives.

Workloads, on TCP and on the unix socket: single GET and SET of --size payload bytes (the
engine's envelope adds its header; raw clients read and write the very same stored bytes),
and pipelines of --depth GETs / SETs (engine getMany/setMany, hiredis
redisAppendCommand + redisGetReply, redis-py pipeline(transaction=False)). Pipelined rows
report the time per batch; their ratio compares throughput. The "maxsize" rows compare the
engine on a cache opened with maxsize = --keys (lru: the index script on every store, the
touch pipelined with every read; nothing is evicted) against the same engine without limits.
"""

import argparse
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from run_persistent_bench import (REPO, Table, build_target, info_row, load_average,  # noqa: E402
                                  machine_info, merge_repeats, run_json, shuffled, slowdown_row,
                                  speedup_row, summarize)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """redis-server on a free loopback port and a unix socket, stopped on exit."""

    def __init__(self, folder):
        exe = shutil.which("redis-server", path="/usr/bin") or shutil.which("redis-server")
        if exe is None:
            sys.exit("redis-server not found: apt install redis-server")
        self.port = free_port()
        self.tls_port = free_port()
        self.unix_path = str(folder / "redis.sock")
        self.ca = make_certificates(folder)
        self.proc = subprocess.Popen(
            [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--unixsocket", self.unix_path, "--unixsocketperm", "700",
             "--dir", str(folder), "--tls-port", str(self.tls_port),
             "--tls-cert-file", str(folder / "server.pem"),
             "--tls-key-file", str(folder / "server.key"), "--tls-ca-cert-file", self.ca,
             "--tls-auth-clients", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def tls_url(self):
        return (f"rediss://127.0.0.1:{self.tls_port}/0?ca="
                + urllib.parse.quote(self.ca, safe=""))

    def wait_ready(self, client_factory):
        for _ in range(200):
            if self.proc.poll() is not None:
                sys.exit(f"redis-server exited with {self.proc.returncode}")
            try:
                if client_factory().ping():
                    return
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.05)
        sys.exit("redis-server did not answer PING within 10 s")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def make_certificates(folder):
    """A CA and a server certificate for 127.0.0.1 (EC P-256), made with openssl; the CA path."""
    def run(*args):
        subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    ca, key = folder / "ca.pem", folder / "ca.key"
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", str(key), "-out", str(ca), "-days", "2", "-subj", "/CN=bench CA")
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", str(folder / "server.key"), "-out", str(folder / "server.csr"),
        "-subj", "/CN=127.0.0.1")
    (folder / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\n")
    run("x509", "-req", "-in", str(folder / "server.csr"), "-CA", str(ca), "-CAkey", str(key),
        "-CAcreateserial", "-out", str(folder / "server.pem"), "-days", "2",
        "-extfile", str(folder / "ext.cnf"))
    return str(ca)


def time_each(fn, items):
    clock = time.perf_counter_ns
    out = []
    for item in items:
        t0 = clock()
        fn(item)
        out.append(clock() - t0)
    return out


def redis_py_peer(client, transport, keys, rounds, depth):
    """redis-py on the keys the engine stored (their names and envelope bytes)."""
    names = [k for k in client.scan_iter(match=f"twat_cache:bench-{transport}:*", count=1000)]
    names = [n for n in names if not n.endswith(b":__meta")][:keys]
    if len(names) < keys:
        sys.exit(f"redis-py: found {len(names)} stored keys of bench-{transport}, "
                 f"expected {keys}")
    values = client.mget(names)
    gets, sets, pget, pset = [], [], [], []
    for name in names:  # warm-up
        client.get(name)
    for r in range(rounds):
        order = shuffled(keys, 3 + r)
        sets += time_each(lambda i: client.set(names[i], values[i]), order)
        gets += time_each(lambda i: client.get(names[i]), order)
        batches = [order[b:b + depth] for b in range(0, keys - depth + 1, depth)]

        def pipe_get(batch):
            p = client.pipeline(transaction=False)
            for i in batch:
                p.get(names[i])
            p.execute()

        def pipe_set(batch):
            p = client.pipeline(transaction=False)
            for i in batch:
                p.set(names[i], values[i])
            p.execute()

        pget += time_each(pipe_get, batches)
        pset += time_each(pipe_set, batches)
    t = transport
    return {f"redispy_get_{t}": summarize("get", gets),
            f"redispy_set_{t}": summarize("set", sets),
            f"redispy_pipeget_{t}": summarize("pipeget", pget, depth),
            f"redispy_pipeset_{t}": summarize("pipeset", pset, depth)}


def throughput_row(table, op, ours, base, min_ratio):
    """Pipelined rows: ours throughput / base throughput >= min_ratio (per-batch p50s)."""
    o, b = ours[1], base[1]
    if o is None or b is None:
        table.add(op, ours, base, "n/a", "", None)
        return
    ratio = b["p50_ns"] / o["p50_ns"]
    per_key = f"{o['p50_ns'] / o['items'] / 1000:.2f} vs {b['p50_ns'] / b['items'] / 1000:.2f}"
    table.add(op, ours, base, f"{ratio:.2f}x thr. ({per_key} us/key)",
              f">= {min_ratio:g}x throughput", ratio >= min_ratio)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", type=pathlib.Path, default=REPO / "build" / "bench")
    ap.add_argument("--no-build", action="store_true", help="use the existing binary")
    ap.add_argument("--keys", type=int, default=2048)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--depth", type=int, default=128)
    ap.add_argument("--size", type=int, default=100, help="payload bytes per value")
    ap.add_argument("--repeat", type=int, default=3,
                    help="whole runs, alternating C++ and Python; medians are reported")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args()
    try:
        import redis
    except ImportError as e:
        sys.exit(f"{e}: run this script with Debian's /usr/bin/python3 (apt install python3-redis)")

    binary = args.build_dir / "tests" / "bench" / "bench_redis"
    if not args.no_build:
        binary = build_target(args.build_dir, "bench_redis")
    print(machine_info(), f", redis-py {redis.__version__}", sep="")
    print("before:", load_average())

    folder = pathlib.Path(tempfile.mkdtemp(prefix="twat-redis-bench-"))
    server = RedisServer(folder)
    try:
        clients = {
            "tcp": lambda: redis.Redis(host="127.0.0.1", port=server.port),
            "unix": lambda: redis.Redis(unix_socket_path=server.unix_path),
            "tls": lambda: redis.Redis(host="127.0.0.1", port=server.tls_port, ssl=True,
                                       ssl_ca_certs=server.ca),
        }
        server.wait_ready(clients["tcp"])
        version = clients["tcp"]().info("server")["redis_version"]
        print(f"redis-server {version} on 127.0.0.1:{server.port} and a unix socket")
        ours_runs, peer_runs = [], []
        for _ in range(args.repeat):  # alternate the sides so that noise hits both
            ours_runs.append(run_json([str(binary), "--tcp", f"127.0.0.1:{server.port}",
                                       "--unix", server.unix_path, "--tls", server.tls_url(),
                                       "--keys", str(args.keys),
                                       "--rounds", str(args.rounds), "--depth",
                                       str(args.depth), "--size", str(args.size)]))
            peers = {}
            for t, factory in clients.items():
                peers.update(redis_py_peer(factory(), t, args.keys, args.rounds, args.depth))
            peer_runs.append(peers)
        ours, peers = merge_repeats(ours_runs), merge_repeats(peer_runs)
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    print("after: ", load_average())
    print(f"keys={args.keys}, payload={args.size} B, depth={args.depth}, rounds={args.rounds}, "
          f"repeats={args.repeat} (median of each statistic);\np50/p99 in microseconds per op "
          "(pipelines: per batch of depth ops)\n")

    t = Table()
    o = lambda label, name: (label, ours.get(name))  # noqa: E731
    p = lambda label, name: (label, peers.get(name))  # noqa: E731
    for tr in ("tcp", "unix"):
        for op in ("get", "set"):
            slowdown_row(t, f"{op} {tr}", o("engine", f"engine_{op}_{tr}"),
                         o("hiredis", f"hiredis_{op}_{tr}"), 1.05)
        speedup_row(t, f"get {tr}", o("engine", f"engine_get_{tr}"),
                    p("redis-py", f"redispy_get_{tr}"), None, 1.4)
        speedup_row(t, f"set {tr}", o("engine", f"engine_set_{tr}"),
                    p("redis-py", f"redispy_set_{tr}"), None, 1.4)
        throughput_row(t, f"getMany/{args.depth} {tr}", o("engine", f"engine_getmany_{tr}"),
                       o("hiredis pipe", f"hiredis_pipeget_{tr}"), 0.9)
        throughput_row(t, f"setMany/{args.depth} {tr}", o("engine", f"engine_setmany_{tr}"),
                       o("hiredis pipe", f"hiredis_pipeset_{tr}"), 0.9)
        throughput_row(t, f"getMany/{args.depth} {tr}", o("engine", f"engine_getmany_{tr}"),
                       p("redis-py pipe", f"redispy_pipeget_{tr}"), 2.5)
        throughput_row(t, f"setMany/{args.depth} {tr}", o("engine", f"engine_setmany_{tr}"),
                       p("redis-py pipe", f"redispy_pipeset_{tr}"), 2.5)
        for op, name in (("get", "get"), ("set", "set"), (f"getMany/{args.depth}", "getmany"),
                         (f"setMany/{args.depth}", "setmany")):
            slowdown_row(t, f"{op} {tr} maxsize", o("maxsize", f"limited_{name}_{tr}"),
                         o("no limit", f"engine_{name}_{tr}"), 2.5)
    # TLS against plain TCP, the same engine and server: the cost of encryption (both ends
    # encrypt: the redis-py rows show what the same server's TLS costs another client).
    slowdown_row(t, "get tls", o("tls", "engine_get_tls"), o("tcp", "engine_get_tcp"), 1.3)
    info_row(t, "get tls client CPU", o("tls", "engine_get_cpu_tls"),
             o("tcp", "engine_get_cpu_tcp"), "(thread CPU time)")
    slowdown_row(t, "get tls (redis-py)", p("redis-py tls", "redispy_get_tls"),
                 p("redis-py tcp", "redispy_get_tcp"), 1.3)
    speedup_row(t, "get tls", o("engine", "engine_get_tls"), p("redis-py", "redispy_get_tls"),
                None, 1.4)
    throughput_row(t, f"getMany/{args.depth} tls", o("engine", "engine_getmany_tls"),
                   p("redis-py pipe", "redispy_pipeget_tls"), 2.5)
    slowdown_row(t, "set tls", o("tls", "engine_set_tls"), o("tcp", "engine_set_tcp"), 1.3)
    slowdown_row(t, f"getMany/{args.depth} tls", o("tls", "engine_getmany_tls"),
                 o("tcp", "engine_getmany_tcp"), 1.1)
    slowdown_row(t, f"setMany/{args.depth} tls", o("tls", "engine_setmany_tls"),
                 o("tcp", "engine_setmany_tcp"), 1.1)
    t.print()
    print(f"\n{t.misses} target(s) missed")
    return 1 if args.strict and t.misses else 0


if __name__ == "__main__":
    sys.exit(main())
