#!/usr/bin/python3
"""Persistent-engine benchmark: sqlite and files engines against diskcache and joblib.

One run builds bench_persistent (preset `bench`, build dir build/bench) unless --no-build,
runs it, runs the Python peers on the same workloads, and prints one side-by-side table of
per-operation p50/p99 with the targets and PASS/MISS. Run it with Debian's /usr/bin/python3,
where python3-diskcache and python3-joblib live.

Workloads, for each value size (100 B and 4 KiB), --keys distinct keys, fresh folders on the
same file system, page cache warm (every key is read once before gets are timed):
  sqlite set / get (policy fifo = diskcache's least-recently-stored)  vs diskcache.Cache
  sqlite get with policy lru                                          vs fifo get, and
                                                                      diskcache LRU get
  files engine get / set, fcache hit / store                          vs joblib.Memory hit /
                                                                      store (a call that misses)
Each operation is timed alone (C++: steady_clock; Python: time.perf_counter_ns) and the
percentiles come from the sorted samples. The machine may be shared and noisy: compare the
ratios within one run, and rerun once when the load average is high.
"""

import argparse
import json
import os
import pathlib
import platform
import shutil
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------------------------------------
# Shared by run_redis_bench.py


def machine_info():
    model = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"nproc={os.cpu_count()}, CPU: {model}, Python {platform.python_version()}"


def load_average():
    return "load average %.2f %.2f %.2f" % os.getloadavg()


def build_target(build_dir, target):
    """Configures (when needed) and builds `target` with the bench preset; returns its path."""
    if not (build_dir / "build.ninja").exists():
        subprocess.run(["cmake", "--preset", "bench"], cwd=REPO, check=True,
                       stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", str(build_dir), "--target", target], cwd=REPO,
                   check=True, stdout=subprocess.DEVNULL)
    return build_dir / "tests" / "bench" / target


def run_json(cmd, timeout=600, quiet=False):
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{proc.stderr}")
    for line in [] if quiet else proc.stderr.splitlines():
        print("note:", line)
    return {row["name"]: row for row in json.loads(proc.stdout)}


def summarize(name, samples_ns, items=1):
    s = sorted(samples_ns)
    pick = lambda p: float(s[int(p * (len(s) - 1) + 0.5)]) if s else 0.0  # noqa: E731
    return {"name": name, "n": len(s), "items": items, "p50_ns": pick(0.50),
            "p99_ns": pick(0.99), "mean_ns": sum(s) / len(s) if s else 0.0}


def merge_repeats(runs):
    """Per workload, the median over repeated runs of each statistic (p50, p99, mean)."""
    import statistics
    merged = {}
    for name in runs[0]:
        rows = [r[name] for r in runs if name in r]
        merged[name] = dict(rows[0])
        for stat in ("p50_ns", "p99_ns", "mean_ns"):
            merged[name][stat] = statistics.median(r[stat] for r in rows)
    return merged


def us(ns):
    return f"{ns / 1000:.2f}"


class Table:
    """Rows of (operation, ours, peer, ratio, target, verdict)."""

    HEAD = ("operation", "ours", "p50 us", "p99 us", "peer", "p50 us", "p99 us", "ratio",
            "target", "result")

    def __init__(self):
        self.rows = []
        self.misses = 0

    def add(self, op, ours, peer, ratio_text, target, ok):
        """ours/peer: (label, summary dict or None). ok: True, False or None (no verdict)."""
        cells = [op]
        for label, row in (ours, peer):
            cells += [label, us(row["p50_ns"]) if row else "n/a",
                      us(row["p99_ns"]) if row else "n/a"]
        verdict = "n/a" if ok is None else ("PASS" if ok else "MISS")
        self.misses += ok is False
        self.rows.append(cells + [ratio_text, target, verdict])

    def print(self):
        widths = [max(len(str(r[i])) for r in [self.HEAD] + self.rows)
                  for i in range(len(self.HEAD))]
        fmt = " | ".join("{:<%d}" % w for w in widths)
        print(fmt.format(*self.HEAD))
        print("-+-".join("-" * w for w in widths))
        for r in self.rows:
            print(fmt.format(*r))


def speedup_row(table, op, ours, peer, max_us, min_speedup):
    """A row whose target is: ours p50 <= max_us (if given) and peer p50 / ours p50 >= min."""
    o, p = ours[1], peer[1]
    if o is None or p is None:
        table.add(op, ours, peer, "n/a", "", None)
        return
    speedup = p["p50_ns"] / o["p50_ns"]
    ok = speedup >= min_speedup
    target = f">= {min_speedup:g}x faster"
    if max_us is not None:
        ok = ok and o["p50_ns"] <= max_us * 1000
        target = f"p50 <= {max_us:g} us, " + target
    table.add(op, ours, peer, f"{speedup:.2f}x faster", target, ok)


def slowdown_row(table, op, ours, base, max_ratio):
    """A row whose target is: ours p50 <= max_ratio * base p50."""
    o, b = ours[1], base[1]
    if o is None or b is None:
        table.add(op, ours, base, "n/a", "", None)
        return
    ratio = o["p50_ns"] / b["p50_ns"]
    table.add(op, ours, base, f"{ratio:.3f}x", f"<= {max_ratio:g}x", ratio <= max_ratio)


def info_row(table, op, ours, peer, target):
    """A row without a verdict: the ratio and difference of the p50s, `target` saying why."""
    c, b = ours[1], peer[1]
    if c is None or b is None:
        table.add(op, ours, peer, "n/a", target, None)
        return
    table.add(op, ours, peer,
              f"{c['p50_ns'] / b['p50_ns']:.3f}x ({(c['p50_ns'] - b['p50_ns']) / 1000:+.1f} us)",
              target, None)


# ---------------------------------------------------------------------------------------------
# Python peers


def value_for(i, size):
    """`size` bytes, different per key (the C++ side stores comparable letter strings)."""
    seed = (i * 2654435761) & 0xFFFFFFFF
    return (seed.to_bytes(4, "little") * (size // 4 + 1))[:size]


def make_value(i, size):
    """The function joblib.Memory memoizes (module level, as joblib requires)."""
    return value_for(i, size)


def shuffled(n, seed):
    import random
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return order


def time_each(fn, order):
    out = []
    clock = time.perf_counter_ns
    for i in order:
        t0 = clock()
        fn(i)
        out.append(clock() - t0)
    return out


def diskcache_peer(root, keys, rounds, size, policy, tag):
    import diskcache
    cache = diskcache.Cache(str(root / f"diskcache-{tag}-{size}"), eviction_policy=policy)
    names = [f"bench({i})" for i in range(keys)]
    values = [value_for(i, size) for i in range(keys)]
    sets = time_each(lambda i: cache.set(names[i], values[i]), range(keys))
    for i in range(keys):  # warm-up read
        assert cache.get(names[i]) == values[i]
    gets = []
    for r in range(rounds):
        gets += time_each(lambda i: cache.get(names[i]), shuffled(keys, 7 + r))
    cache.close()
    return {f"diskcache_set_{tag}_{size}": summarize("set", sets),
            f"diskcache_get_{tag}_{size}": summarize("get", gets)}


def joblib_peer(root, keys, rounds, size):
    import joblib
    memory = joblib.Memory(location=str(root / f"joblib-{size}"), verbose=0)
    fn = memory.cache(make_value)
    stores = time_each(lambda i: fn(i, size), range(keys))
    for i in range(keys):  # warm-up read
        assert fn(i, size) == value_for(i, size)
    hits = []
    for r in range(rounds):
        hits += time_each(lambda i: fn(i, size), shuffled(keys, 11 + r))
    return {f"joblib_store_{size}": summarize("store", stores),
            f"joblib_hit_{size}": summarize("hit", hits)}


# ---------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", type=pathlib.Path, default=REPO / "build" / "bench")
    ap.add_argument("--no-build", action="store_true", help="use the existing binary")
    ap.add_argument("--keys", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=4, help="timed get passes over all keys")
    ap.add_argument("--sizes", default="100,4096")
    ap.add_argument("--repeat", type=int, default=3,
                    help="whole runs, alternating C++ and Python; medians are reported")
    ap.add_argument("--dir", type=pathlib.Path, help="scratch folder (default: a temp folder)")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args()
    try:
        import diskcache  # noqa: F401
        import joblib  # noqa: F401
    except ImportError as e:
        sys.exit(f"{e}: run this script with Debian's /usr/bin/python3 "
                 "(apt install python3-diskcache python3-joblib)")

    binary = args.build_dir / "tests" / "bench" / "bench_persistent"
    if not args.no_build:
        binary = build_target(args.build_dir, "bench_persistent")
    sizes = [int(s) for s in args.sizes.split(",")]
    print(machine_info())
    print("before:", load_average())

    ours_runs, peer_runs = [], []
    for repeat in range(args.repeat):  # alternate the sides so that noise hits both
        scratch = pathlib.Path(tempfile.mkdtemp(prefix="twat-bench-", dir=args.dir))
        try:
            ours_runs.append(run_json([str(binary), "--dir", str(scratch / "ours"), "--keys",
                                       str(args.keys), "--rounds", str(args.rounds), "--sizes",
                                       args.sizes], quiet=repeat > 0))
            peers = {}
            for size in sizes:
                peers.update(diskcache_peer(scratch, args.keys, args.rounds, size,
                                            "least-recently-stored", "lrs"))
                peers.update(diskcache_peer(scratch, args.keys, args.rounds, size,
                                            "least-recently-used", "lru"))
                peers.update(joblib_peer(scratch, args.keys, args.rounds, size))
            peer_runs.append(peers)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    ours, peers = merge_repeats(ours_runs), merge_repeats(peer_runs)
    print("after: ", load_average())
    print(f"keys={args.keys}, timed get passes={args.rounds}, repeats={args.repeat} (median of "
          "each statistic); per-op p50/p99 in microseconds;\nratio = peer p50 / ours p50 "
          "(speedup) or ours / base (overhead)\n")

    t = Table()
    o = lambda label, name: (label, ours.get(name))  # noqa: E731
    p = lambda label, name: (label, peers.get(name))  # noqa: E731
    for size in sizes:
        s = f"{size} B"
        speedup_row(t, f"get {s}", o("sqlite fifo", f"sqlite_get_fifo_{size}"),
                    p("diskcache.get", f"diskcache_get_lrs_{size}"), 8, 2)
        speedup_row(t, f"set {s}", o("sqlite fifo", f"sqlite_set_fifo_{size}"),
                    p("diskcache.set", f"diskcache_set_lrs_{size}"), 35, 2)
        slowdown_row(t, f"lru get {s}", o("sqlite lru", f"sqlite_get_lru_{size}"),
                     o("sqlite fifo", f"sqlite_get_fifo_{size}"), 1.3)
        speedup_row(t, f"lru get {s}", o("sqlite lru", f"sqlite_get_lru_{size}"),
                    p("diskcache LRU .get", f"diskcache_get_lru_{size}"), None, 2)
        speedup_row(t, f"hit {s}", o("fcache hit", f"fcache_hit_{size}"),
                    p("joblib hit", f"joblib_hit_{size}"), 15, 5)
        speedup_row(t, f"hit {s}", o("files get", f"files_get_{size}"),
                    p("joblib hit", f"joblib_hit_{size}"), 15, 5)
        speedup_row(t, f"store {s}", o("fcache store", f"fcache_store_{size}"),
                    p("joblib store", f"joblib_store_{size}"), 60, 4)
        speedup_row(t, f"store {s}", o("files set", f"files_set_{size}"),
                    p("joblib store", f"joblib_store_{size}"), 60, 4)
    t.print()
    # Batched writes (counters, lru access stamps) stall one get in hundreds: p99 hides them,
    # the mean shows them.
    print("\nmean get us (includes the batched counter/access-stamp writes):")
    for size in sizes:
        means = [(label, ours.get(name) or peers.get(name)) for label, name in (
            ("sqlite fifo", f"sqlite_get_fifo_{size}"), ("sqlite lru", f"sqlite_get_lru_{size}"),
            ("diskcache", f"diskcache_get_lrs_{size}"),
            ("diskcache LRU", f"diskcache_get_lru_{size}"))]
        print(f"  {size} B: " + ", ".join(f"{label} {us(r['mean_ns'])}" for label, r in means if r))
    print(f"\n{t.misses} target(s) missed")
    return 1 if args.strict and t.misses else 0


if __name__ == "__main__":
    sys.exit(main())
