#!/usr/bin/env bash
# Builds the libFuzzer targets (preset `fuzz`: clang, ASan + UBSan) and runs each one for a
# bounded time, starting from its seed corpus (tests/fuzz/corpus/<target>/). Fails on any
# finding: a crash, a sanitizer report, a leak, an input slower than 10 s, or 2 GiB of RSS.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     default 30
# New inputs go to build/fuzz/corpus/<target>/ (kept between runs, never into the tree);
# a finding is saved under build/fuzz/findings/ and named in the output.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-30}
case "$seconds" in '' | *[!0-9]*)
    echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET]" >&2
    exit 2
    ;;
esac
[ -f build/fuzz/build.ninja ] || cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc 2>/dev/null || echo 2)"
targets=$(sed -n 's/^set(TWAT_CACHE_FUZZ_TARGETS \(.*\)/\1/p; s/^    \(fuzz_[a-z_ ]*\))$/\1/p' \
    tests/fuzz/CMakeLists.txt | tr ' ' '\n' | grep '^fuzz_' || true)
[ -n "$targets" ] || { echo "fuzz.sh: no targets found in tests/fuzz/CMakeLists.txt" >&2; exit 1; }
mkdir -p build/fuzz/findings
failed=()
for t in $targets; do
    corpus=build/fuzz/corpus/$t
    mkdir -p "$corpus"
    seeds=tests/fuzz/corpus/$t
    echo "==> fuzzing $t for ${seconds} s"
    if ! build/fuzz/tests/fuzz/"$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix=build/fuzz/findings/"$t"- "$corpus" \
        $([ -d "$seeds" ] && echo "$seeds") >build/fuzz/"$t".log 2>&1; then
        tail -40 build/fuzz/"$t".log
        failed+=("$t")
    else
        grep -E '^stat::number_of_executed_units|^Done' build/fuzz/"$t".log | tail -2 || true
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz.sh: findings in: ${failed[*]} (inputs under build/fuzz/findings/)" >&2
    exit 1
fi
echo "fuzz.sh: $(echo $targets | wc -w) targets ran ${seconds} s each with no finding"
