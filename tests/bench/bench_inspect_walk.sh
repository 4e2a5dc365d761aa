#!/usr/bin/env bash
# Natural-order (unsorted) pages of folder-walking sources: makes a flat folder of many files
# (all in one folder) and a joblib-like store (20 function folders of calls), then times the
# first page of 50, the next page and the mean of 100 later pages, with the peak RSS. Given a
# second bench_inspect built from an older commit, it measures that one too ("before.*", first
# and next page only: an old build reads the whole tree on every page). Prints a table (see
# docs/BENCHMARKS.md). Writing the trees dominates: about 60 s per million files and 12 s per
# 200k calls on the 2-core dev machine.
# Usage: tests/bench/bench_inspect_walk.sh <path to bench_inspect> [flat files, default
#            1000000] [joblib calls, default 200000] [older bench_inspect, optional]
# The CI smoke (bench_inspect_walk_smoke) runs it with 3000 and 2000.
set -euo pipefail
BIN=${1:?path to bench_inspect}
FLAT=${2:-1000000}
CALLS=${3:-200000}
BEFORE=${4:-}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

declare -A R
while read -r name value unit; do R["flat$FLAT.$name"]="$value $unit"; done \
    < <("$BIN" make-flat "$WORK/flat" "$FLAT")
while read -r name value unit; do R["joblib$CALLS.$name"]="$value $unit"; done \
    < <("$BIN" make-joblib-tree "$WORK/jl" "$CALLS")
while read -r name value unit; do R["flat$FLAT.$name"]="$value $unit"; done \
    < <("$BIN" natural-pages "$WORK/flat")
while read -r name value unit; do R["joblib$CALLS.$name"]="$value $unit"; done \
    < <("$BIN" natural-pages "$WORK/jl")
if [[ -n "$BEFORE" ]]; then
    while read -r name value unit; do R["before.flat$FLAT.$name"]="$value $unit"; done \
        < <("$BEFORE" natural-pages "$WORK/flat" 0 | grep -v later_page)
    while read -r name value unit; do R["before.joblib$CALLS.$name"]="$value $unit"; done \
        < <("$BEFORE" natural-pages "$WORK/jl" 0 | grep -v later_page)
fi

printf '%-50s %s\n' "measure" "result"
for k in $(printf '%s\n' "${!R[@]}" | sort); do printf '%-50s %s\n' "$k" "${R[$k]}"; done
