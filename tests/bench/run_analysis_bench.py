#!/usr/bin/python3
"""Census benchmark (issue 17): `twat-cache analyze` on a real redis-server, in one run.

Starts redis-server on a free loopback port (no persistence), loads keys with `redis-cli
--pipe` (MSET of 100-byte values under 10 x 7 namespaces), and measures:
  * the census rate with the latency budget off (goal >= 100k keys/s), and with it on;
  * a second client's GET latency (redis-py, one GET after another) without a census and
    during a census with the default 2 ms budget (goal: p99 within +1 ms), and during one
    with the budget off, for comparison;
  * the census's peak memory (GNU time's maximum resident set) on --big keys against
    --small keys (goal <= 2x: bounded aggregates, nothing kept per key).
Prints one Markdown table, side by side. Run it with Debian's /usr/bin/python3 (python3-redis).
"""

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from run_persistent_bench import REPO, build_target, load_average, machine_info  # noqa: E402
from run_redis_bench import free_port  # noqa: E402


class Server:
    def __init__(self, folder):
        exe = shutil.which("redis-server", path="/usr/bin") or shutil.which("redis-server")
        if exe is None:
            sys.exit("redis-server not found: apt install redis-server")
        self.port = free_port()
        self.proc = subprocess.Popen(
            [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def cli(self, *args, stdin=None):
        return subprocess.run(["redis-cli", "-p", str(self.port), *args], input=stdin,
                              capture_output=True, check=True).stdout

    def wait(self):
        for _ in range(200):
            try:
                if self.cli("PING").strip() == b"PONG":
                    return
            except subprocess.CalledProcessError:
                pass
            time.sleep(0.05)
        sys.exit("redis-server did not answer PING")

    def load(self, n):
        """n keys "ns<a>:sub<b>:key:<i>" of 100 bytes, MSET 1000 at a time."""
        self.cli("FLUSHALL")
        value = b"x" * 100
        chunks = []
        for start in range(0, n, 1000):
            keys = [b"ns%d:sub%d:key:%d" % (i % 10, i % 7, i) for i in range(start, min(n, start + 1000))]
            parts = [b"*%d\r\n$4\r\nMSET\r\n" % (2 * len(keys) + 1)]
            for k in keys:
                parts.append(b"$%d\r\n%s\r\n$100\r\n%s\r\n" % (len(k), k, value))
            chunks.append(b"".join(parts))
        self.cli("--pipe", stdin=b"".join(chunks))
        got = int(self.cli("DBSIZE"))
        if got != n:
            sys.exit(f"loaded {got} keys, expected {n}")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def census(cli, url, budget, page):
    """One `analyze --json` under GNU time: (report, seconds, peak RSS in KiB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        out = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", t.name, str(cli), "--json",
                              "analyze", url, "--budget", budget, "--page", str(page),
                              "--top", "10"], capture_output=True, check=True, text=True).stdout
        rss = int(t.read().strip().splitlines()[-1])
    report = json.loads(out)
    return report, report["elapsed_ms"] / 1000.0, rss


def get_latencies(port, stop, out):
    """GETs one after another until `stop` is set; each latency in microseconds."""
    import redis  # python3-redis
    r = redis.Redis(host="127.0.0.1", port=port)
    key = "ns0:sub0:key:0"
    while not stop.is_set():
        t0 = time.perf_counter_ns()
        r.get(key)
        out.append((time.perf_counter_ns() - t0) / 1000.0)


def p99(values):
    s = sorted(values)
    return s[int(0.99 * (len(s) - 1) + 0.5)] if s else 0.0


def latency_during(server, work, seconds=None):
    stop, lat = threading.Event(), []
    t = threading.Thread(target=get_latencies, args=(server.port, stop, lat))
    t.start()
    time.sleep(0.2)  # the client is warm before the work starts
    before = len(lat)
    if work is None:
        time.sleep(seconds)
    else:
        work()
    stop.set()
    t.join()
    return lat[before:]


def row(name, ours, peer, ratio, target, ok):
    verdict = "n/a" if ok is None else ("PASS" if ok else "MISS")
    return f"| {name} | {ours} | {peer} | {ratio} | {target} | {verdict} |"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", default=str(REPO / "build" / "bench"))
    ap.add_argument("--no-build", action="store_true", help="use the existing binary")
    ap.add_argument("--keys", type=int, default=1_000_000, help="keys of the rate and latency runs")
    ap.add_argument("--small", type=int, default=100_000, help="keys of the small memory run")
    ap.add_argument("--big", type=int, default=2_000_000, help="keys of the big memory run")
    args = ap.parse_args()
    build = pathlib.Path(args.build_dir)
    cli = build / "app" / "cli" / "twat-cache"
    if not args.no_build:
        cli = build_target(build, "twat-cache")
    print(machine_info())
    print("before:", load_average())
    folder = pathlib.Path(tempfile.mkdtemp(prefix="twat_analysis_bench_"))
    server = Server(folder)
    rows = []
    try:
        server.wait()
        server.load(args.keys)
        rep_off, s_off, _ = census(cli, server.url, "0", 5000)
        rate_off = rep_off["keys"] / s_off
        baseline = latency_during(server, None, seconds=max(1.0, min(s_off, 5.0)))
        budget_run = {}
        during_on = latency_during(server, lambda: budget_run.update(
            zip(("report", "seconds", "rss"), census(cli, server.url, "2ms", 1000))))
        rate_on = budget_run["report"]["keys"] / budget_run["seconds"]
        during_off = latency_during(server, lambda: census(cli, server.url, "0", 5000))
        server.load(args.small)
        _, _, rss_small = census(cli, server.url, "0", 5000)
        server.load(args.big)
        _, _, rss_big = census(cli, server.url, "0", 5000)
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    print("after: ", load_average())
    print(f"keys={args.keys:,}, 100-byte values, 70 namespaces; memory: {args.small:,} vs "
          f"{args.big:,} keys\n")
    b99, on99, off99 = p99(baseline), p99(during_on), p99(during_off)
    print("| workload | ours | peer | ratio | target | result |")
    print("|---|---|---|---|---|---|")
    rows.append(row("census rate, budget off (keys/s)", f"{rate_off:.0f}", "100000",
                    f"{rate_off / 100000:.2f}x", ">= 100k keys/s", rate_off >= 100_000))
    rows.append(row("census rate, budget 2 ms vs off (keys/s)", f"{rate_on:.0f}",
                    f"{rate_off:.0f}", f"{rate_on / rate_off:.2f}x", "(the price of pacing)",
                    None))
    rows.append(row("GET p99 during census, budget 2 ms vs none (ms)", f"{on99 / 1000:.3f}",
                    f"{b99 / 1000:.3f}", f"{(on99 - b99) / 1000:+.3f}", "<= +1 ms",
                    on99 - b99 <= 1000))
    rows.append(row("GET p99 during census, budget off vs none (ms)", f"{off99 / 1000:.3f}",
                    f"{b99 / 1000:.3f}", f"{(off99 - b99) / 1000:+.3f}", "(unpaced)", None))
    rows.append(row(f"peak RSS, census of {args.big:,} vs {args.small:,} keys (MiB)",
                    f"{rss_big / 1024:.1f}", f"{rss_small / 1024:.1f}",
                    f"{rss_big / rss_small:.2f}x", "<= 2x", rss_big <= 2 * rss_small))
    for r in rows:
        print(r)
    print(f"\nGETs measured: {len(baseline):,} without a census, {len(during_on):,} during the "
          f"paced one, {len(during_off):,} during the unpaced one")


if __name__ == "__main__":
    main()
