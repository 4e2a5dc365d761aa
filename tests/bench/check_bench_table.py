#!/usr/bin/python3
"""Runs a benchmark command and checks the table it prints (the CI smoke of each benchmark).

Usage: check_bench_table.py --format pipe|markdown|columns [--min-rows N] [--text NAME ...]
                            [--expect NAME ...] [--timeout S] -- COMMAND ARGS...

--format pipe     the side-by-side table of run_persistent_bench.py / run_redis_bench.py:
                  "operation | ours | p50 us | p99 us | peer | p50 us | p99 us | ratio | ..."
                  Every row needs numbers in both p50/p99 pairs and a numeric ratio.
--format markdown the Markdown table of run_memory_bench.py: "| workload | ours | peer | ratio |
                  target | result |". A row with a ratio needs numbers in ours, peer and
                  ratio; an "info:" row or one without a ratio, a number on one side.
--format columns  tables headed by a line starting with "measure" (bench_inspect.sh,
                  bench_ui): "name value [unit]" or "name v1 v2 ..." rows up to a blank line.
                  Every value column must hold a number, except rows named by --text.
--expect NAME     a row whose name contains NAME must be present (repeatable).

The command's output is echoed; the exit code is 1 with the reason when a check fails, so
that a benchmark whose output rots fails CI even when it exits 0.
"""

import argparse
import re
import subprocess
import sys

NUMBER = re.compile(r"^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?x?$")


def is_number(text):
    return bool(NUMBER.match(text.strip()))


def check_pipe(lines, min_rows):
    errors, rows = [], 0
    header = [i for i, line in enumerate(lines) if line.startswith("operation ")]
    if not header:
        return ["no table header starting with 'operation'"], 0
    for line in lines[header[0] + 2:]:
        if not line.strip() or " | " not in line:
            break
        cells = [c.strip() for c in line.split(" | ")]
        rows += 1
        if len(cells) < 10:
            errors.append(f"short row: {line!r}")
            continue
        for col, label in ((2, "ours p50"), (3, "ours p99"), (5, "peer p50"), (6, "peer p99")):
            if not is_number(cells[col]):
                errors.append(f"{cells[0]} / {cells[1]} vs {cells[4]}: {label} is {cells[col]!r}")
        if not cells[7] or not is_number(cells[7].split()[0]):
            errors.append(f"{cells[0]} / {cells[1]} vs {cells[4]}: ratio is {cells[7]!r}")
    if rows < min_rows:
        errors.append(f"{rows} table rows, expected at least {min_rows}")
    return errors, rows


def check_markdown(lines, min_rows):
    errors, rows, names = [], 0, []
    header = [i for i, line in enumerate(lines) if line.startswith("| workload")]
    if not header:
        return ["no table header starting with '| workload'"], 0, names
    for line in lines[header[0] + 2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows += 1
        if len(cells) < 6:
            errors.append(f"short row: {line!r}")
            continue
        names.append(cells[0])
        first = [c.split()[0] if c.split() else "" for c in cells[1:4]]
        ours, peer, ratio = (is_number(f) for f in first)
        compared = cells[3] != "-" and not cells[0].startswith("info:")
        if compared and not (ours and peer and ratio):
            errors.append(f"{cells[0]}: ours {cells[1]!r}, peer {cells[2]!r}, ratio {cells[3]!r}")
        elif not (ours or peer):
            errors.append(f"{cells[0]}: no number in ours {cells[1]!r} or peer {cells[2]!r}")
    if rows < min_rows:
        errors.append(f"{rows} table rows, expected at least {min_rows}")
    return errors, rows, names


def check_columns(lines, min_rows, text_rows):
    errors, rows, names = [], 0, []
    headers = [i for i, line in enumerate(lines) if line.split()[:1] in (["measure"], ["redis"])
               and "measure" in line.split()[:2]]
    if not headers:
        return ["no table header starting with 'measure'"], 0, names
    for h in headers:
        head = lines[h].split()
        width = len(head) - (2 if head[0] == "redis" else 1)  # value columns
        for line in lines[h + 1:]:
            parts = line.split()
            if not parts:
                break
            rows += 1
            names.append(parts[0])
            if any(t in parts[0] for t in text_rows):
                continue
            values = parts[1:]
            # "name value unit" (one result column) or "name v1 v2 ..." (one per column).
            wanted = values[:1] if width == 1 else values
            if len(values) < width or not all(is_number(v) for v in wanted):
                errors.append(f"{parts[0]}: expected {width} number(s), got {values}")
    if rows < min_rows:
        errors.append(f"{rows} table rows, expected at least {min_rows}")
    return errors, rows, names


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--format", choices=("pipe", "markdown", "columns"), required=True)
    ap.add_argument("--min-rows", type=int, default=1)
    ap.add_argument("--text", action="append", default=[], help="rows allowed to hold text")
    ap.add_argument("--expect", action="append", default=[], help="row names that must appear")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not cmd:
        ap.error("no command")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    if proc.returncode != 0:
        print(f"FAIL: {cmd[0]} exited with {proc.returncode}")
        return 1
    lines = proc.stdout.splitlines()
    if args.format == "pipe":
        errors, rows = check_pipe(lines, args.min_rows)
        names = [line.split(" | ")[0].strip() for line in lines if " | " in line]
    elif args.format == "markdown":
        errors, rows, names = check_markdown(lines, args.min_rows)
    else:
        errors, rows, names = check_columns(lines, args.min_rows, args.text)
    for want in args.expect:
        if not any(want in n for n in names):
            errors.append(f"no row named like {want!r}")
    for e in errors:
        print("FAIL:", e)
    print(f"checked {rows} table rows: {'FAIL' if errors else 'ok'}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
