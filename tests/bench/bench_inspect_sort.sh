#!/usr/bin/env bash
# Sorted listings of folder-walking sources: makes a native files cache (our files engine) and
# a generic folder, then times the first sorted page (it builds the in-memory sort index), the
# next page and a re-sort, with the RSS the index added. Prints a table (see
# docs/BENCHMARKS.md). Writing the caches dominates: about 35 s per 100k files-cache entries
# and 10 s per 100k plain files on the 2-core dev machine.
# Usage: tests/bench/bench_inspect_sort.sh <path to bench_inspect> [files entries, default
#            200000] [folder files, default 1000000] [orders, default "size key"]
# The CI smoke (bench_inspect_sort_smoke) runs it with 2000 and 3000.
set -euo pipefail
BIN=${1:?path to bench_inspect}
FILES=${2:-200000}
FOLDER=${3:-1000000}
ORDERS=${4:-size key}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

declare -A R
while read -r name value unit; do R["files$FILES.$name"]="$value $unit"; done \
    < <("$BIN" make-files "$WORK/root" "$FILES" | grep write_s)
while read -r name value unit; do R["folder$FOLDER.$name"]="$value $unit"; done \
    < <("$BIN" make-folder "$WORK/folder" "$FOLDER")
for order in $ORDERS; do
    while read -r name value unit; do R["files$FILES.$order.$name"]="$value $unit"; done \
        < <("$BIN" sorted-page "$WORK/root/nf" "$order")
    while read -r name value unit; do R["folder$FOLDER.$order.$name"]="$value $unit"; done \
        < <("$BIN" sorted-page "$WORK/folder" "$order")
done

printf '%-50s %s\n' "measure" "result"
for k in $(printf '%s\n' "${!R[@]}" | sort); do printf '%-50s %s\n' "$k" "${R[$k]}"; done
