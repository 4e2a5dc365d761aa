#!/usr/bin/python3
"""Memory-cache benchmark: bench_core against functools.lru_cache and cachetools.cached.

Runs, in one go, the Google Benchmark program bench_core (--benchmark_format=json) and the
Python peers on the same workloads, then prints one side-by-side table with the targets and
PASS/MISS per target. Run it with Debian's /usr/bin/python3 (python3-cachetools lives there).

Workloads (the arguments match bench_workload.h: call i is (i, i * 0.25, "key-<i>"), 1024
distinct calls, every one already cached when timing starts):
  (a) memory engine hit vs a bare std::unordered_map::find on the same 128-bit keys
  (b) memoized hit with (int, double, str) arguments: mcache vs lru_cache vs cachetools.cached
  (c) TTL on vs off
  (d) two threads vs one thread on hits (throughput)

The machine may be shared and noisy: compare ratios within one run, not across runs.
"""

import argparse
import functools
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time

try:
    import cachetools
except ImportError:
    sys.exit("cachetools is missing: run this script with Debian's /usr/bin/python3 "
             "(apt install python3-cachetools)")

CALLS = 1024


def workload_args():
    return [(i, i * 0.25, f"key-{i}") for i in range(CALLS)]


def work(i, d, s):
    return i * 3


def time_hits(fn, args, min_time, repetitions):
    """Median CPU ns per call of fn over args, every call a hit (args are warmed first)."""
    for a, b, c in args:
        fn(a, b, c)
    loops = 1
    while True:  # calibrate: enough loops to run for min_time
        start = time.process_time_ns()
        for _ in range(loops):
            for a, b, c in args:
                fn(a, b, c)
        elapsed = time.process_time_ns() - start
        if elapsed >= min_time * 1e9 or loops >= 1 << 20:
            break
        loops *= 2
    samples = []
    for _ in range(repetitions):
        start = time.process_time_ns()
        for _ in range(loops):
            for a, b, c in args:
                fn(a, b, c)
        samples.append((time.process_time_ns() - start) / (loops * len(args)))
    return statistics.median(samples)


def python_peers(min_time, repetitions):
    args = workload_args()
    peers = {
        "plain call (no cache)": work,
        "functools.lru_cache": functools.lru_cache(maxsize=4096)(work),
        "cachetools.cached LRUCache": cachetools.cached(cachetools.LRUCache(maxsize=4096))(work),
        "cachetools.cached TTLCache": cachetools.cached(
            cachetools.TTLCache(maxsize=4096, ttl=3600))(work),
    }
    return {name: time_hits(fn, args, min_time, repetitions) for name, fn in peers.items()}


def run_bench_core(binary, min_time, repetitions):
    cmd = [binary, "--benchmark_format=json", f"--benchmark_min_time={min_time}",
           f"--benchmark_repetitions={repetitions}",
           "--benchmark_report_aggregates_only=true"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        sys.exit(f"{shlex.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
    data = json.loads(proc.stdout)
    results, errors = {}, {}
    scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
    for b in data["benchmarks"]:
        name = b.get("run_name", b["name"])
        if b.get("error_occurred"):
            errors[name] = b.get("error_message", "error")
            continue
        if repetitions > 1 and b.get("aggregate_name") != "median":
            continue
        unit = scale[b.get("time_unit", "ns")]
        results[name] = {
            "cpu_ns": b["cpu_time"] * unit,
            "real_ns": b["real_time"] * unit,
            "items_per_second": b.get("items_per_second", 0.0),
        }
    return results, errors, data.get("context", {})


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


class Table:
    def __init__(self):
        self.rows = []
        self.misses = 0

    def add(self, workload, ours, peer, ratio, target, ok, info=False):
        result = "-" if info else "NOT RUN" if ok is None else ("PASS" if ok else "MISS")
        if ok is False:
            self.misses += 1
        self.rows.append((workload, ours, peer, ratio, target, result))

    def print(self):
        header = ("workload", "ours", "peer", "ratio", "target", "result")
        widths = [max(len(str(r[i])) for r in self.rows + [header]) for i in range(6)]
        line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"
        print(line(header))
        print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        for r in self.rows:
            print(line(r))


def ns(v):
    return "n/a" if v is None else f"{v:.1f} ns"


def mops(v):
    return "n/a" if v is None else f"{v / 1e6:.2f} Mop/s"


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def fmt_ratio(r):
    return "n/a" if r is None else f"{r:.2f}x"


def build_table(cpp, py):
    def cpu(name):
        return cpp[name]["cpu_ns"] if name in cpp else None

    def ips(name):
        return cpp[name]["items_per_second"] if name in cpp else None

    def check(value, predicate):
        return None if value is None else predicate(value)

    t = Table()
    engine, mapfind = cpu("BM_MemoryEngineGet/ttl:0"), cpu("BM_UnorderedMapFind")
    r = ratio(engine, mapfind)
    t.add("(a) memory engine hit vs unordered_map::find", ns(engine), ns(mapfind) + " (find)",
          fmt_ratio(r), "<= 2x", check(r, lambda x: x <= 2.0))

    hit = cpu("BM_McacheHit/ttl:0")
    lru, ct = py["functools.lru_cache"], py["cachetools.cached LRUCache"]
    t.add("(b) mcache hit (int, double, str)", ns(hit), "-", "-", "<= 60 ns",
          check(hit, lambda x: x <= 60.0))
    r = ratio(ct, hit)
    t.add("(b) mcache vs cachetools.cached", ns(hit), ns(ct) + " (cachetools)",
          fmt_ratio(r) + " faster" if r else "n/a", ">= 12x faster",
          check(r, lambda x: x >= 12.0))
    r = ratio(lru, hit)
    t.add("(b) mcache vs functools.lru_cache", ns(hit), ns(lru) + " (lru_cache)",
          fmt_ratio(r) + " faster" if r else "n/a", "> 1x faster", check(r, lambda x: x > 1.0))

    for label, base in (("mcache", "BM_McacheHit"), ("engine", "BM_MemoryEngineGet")):
        on, off = cpu(f"{base}/ttl:1"), cpu(f"{base}/ttl:0")
        r = ratio(on, off)
        t.add(f"(c) {label} hit, TTL on vs off", ns(on) + " (on)", ns(off) + " (off)",
              fmt_ratio(r), "<= 1.25x", check(r, lambda x: x <= 1.25))
    for label, base in (("mcache", "BM_McacheHit"), ("engine", "BM_MemoryEngineGet")):
        two = ips(f"{base}/ttl:0/real_time/threads:2")
        one = ips(f"{base}/ttl:0/real_time/threads:1")
        r = ratio(two, one)
        t.add(f"(d) {label} hits, 2 threads vs 1", mops(two) + " (2t)", mops(one) + " (1t)",
              fmt_ratio(r), ">= 1.7x", check(r, lambda x: x >= 1.7))

    two, one = ips("BM_UnorderedMapFind/real_time/threads:2"), ips(
        "BM_UnorderedMapFind/real_time/threads:1")
    t.add("info: (d) control, unordered_map::find 2 threads vs 1", mops(two) + " (2t)",
          mops(one) + " (1t)", fmt_ratio(ratio(two, one)), "-", None, True)
    # CPU time per operation with two threads vs one: Google Benchmark sums the threads' CPU
    # time, so a ratio near 1 means the threads did not slow each other down (no cache line
    # bounced between them) whether or not the machine ran them at the same time; shared
    # writes on the hit path show up as a ratio above 1 when the threads did overlap.
    for label, base in (("mcache", "BM_McacheHit/ttl:0"), ("engine", "BM_MemoryEngineGet/ttl:0"),
                        ("control find", "BM_UnorderedMapFind")):
        two = cpu(f"{base}/real_time/threads:2")
        one = cpu(f"{base}/real_time/threads:1")
        t.add(f"info: (d) {label}, CPU per op, 2 threads vs 1", ns(two) + " (2t)",
              ns(one) + " (1t)", fmt_ratio(ratio(two, one)), "-", None, True)
    # Context rows: no target.
    t.add("info: makeKey(int, double, str)", ns(cpu("BM_MakeKey")), "-", "-", "-", None, True)
    t.add("info: Python plain call, no cache", "-", ns(py["plain call (no cache)"]), "-", "-",
          None, True)
    ttl_py = py["cachetools.cached TTLCache"]
    t.add("info: cachetools TTLCache vs LRUCache", "-", ns(ttl_py) + " (TTL)",
          fmt_ratio(ratio(ttl_py, ct)), "-", None, True)
    return t


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_binary = os.path.join(here, "..", "..", "build", "bench", "tests", "bench",
                                  "bench_core")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench-binary", default=os.path.normpath(default_binary),
                        help="bench_core executable (default: build/bench/tests/bench/bench_core)")
    parser.add_argument("--min-time", type=float, default=0.5,
                        help="seconds per benchmark repetition (C++ and Python)")
    parser.add_argument("--repetitions", type=int, default=5,
                        help="repetitions; medians are reported")
    parser.add_argument("--quick", action="store_true",
                        help="tiny timings to check the harness itself (numbers meaningless)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    opts = parser.parse_args()
    if opts.quick:
        opts.min_time, opts.repetitions = 0.01, 1
    if not os.access(opts.bench_binary, os.X_OK):
        sys.exit(f"{opts.bench_binary} is not built: cmake --preset bench && "
                 "cmake --build --preset bench --target bench_core")

    load_before = os.getloadavg()
    cpp, errors, context = run_bench_core(opts.bench_binary, opts.min_time, opts.repetitions)
    py = python_peers(opts.min_time, opts.repetitions)

    print(f"command: {shlex.join([sys.executable] + sys.argv)}")
    print(f"machine: nproc={os.cpu_count()}, CPU: {cpu_model()}, "
          f"build: {context.get('twat_cache_build_type', '?')}, "
          f"Python {platform.python_version()}, cachetools {cachetools.__version__}")
    print(f"load average (1/5/15 min) before: {load_before[0]:.2f} {load_before[1]:.2f} "
          f"{load_before[2]:.2f}; after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"timing: CPU time per op, median of {opts.repetitions} repetitions of "
          f">= {opts.min_time} s; threads rows: real-time throughput")
    print()
    table = build_table(cpp, py)
    table.print()
    for name, message in sorted(errors.items()):
        print(f"not run: {name}: {message}")
    if "BM_McacheHit/ttl:0" not in cpp:
        print("not run: BM_McacheHit (twat_cache/memoize.h not in this build)")
    print(f"\n{table.misses} target(s) missed")
    return 1 if (opts.strict and table.misses) else 0


if __name__ == "__main__":
    sys.exit(main())
