#!/usr/bin/env bash
# Runs bench_inspect on a 10k- and a 1M-entry diskcache-format cache and on a redis-server
# with 1M keys (free loopback port), then prints a table. Bounded: about a minute.
# Usage: tests/bench/bench_inspect.sh <path to bench_inspect> [redis keys, default 1000000]
#            [diskcache sizes, default "10000 1000000"]
# The CI smoke (bench_inspect_smoke) runs it with 20000 keys and sizes "1000 10000".
set -euo pipefail
BIN=${1:?path to bench_inspect}
KEYS=${2:-1000000}
SIZES=${3:-10000 1000000}
PY=/usr/bin/python3
WORK=$(mktemp -d)
REDIS_PID=
cleanup() {
    [ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

make_diskcache() {  # folder entries: diskcache makes the schema, rows go in by executemany
    "$PY" - "$1" "$2" <<'PYEOF'
import sys, sqlite3, time, diskcache
folder, n = sys.argv[1], int(sys.argv[2])
diskcache.Cache(folder).close()
db = sqlite3.connect(folder + "/cache.db")
now = time.time()
rows = ((f"key-{i}", 1, now, None, now, 0, None, 5, 1, None, b"value") for i in range(n))
db.executemany("INSERT INTO Cache(key, raw, store_time, expire_time, access_time, access_count,"
               " tag, size, mode, filename, value) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
db.commit()
db.close()
PYEOF
}

declare -A R
for n in $SIZES; do
    make_diskcache "$WORK/dc$n" "$n"
    while read -r name value unit; do R["dc$n.$name"]="$value $unit"; done \
        < <("$BIN" first-page "$WORK/dc$n")
done

PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" \
    > "$WORK/redis.log" 2>&1 &
REDIS_PID=$!
for _ in $(seq 1 100); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
while read -r name value unit; do R["redis.$name"]="$value $unit"; done \
    < <(timeout 150 "$BIN" redis "$PORT" "$KEYS")

printf '%-44s %s\n' "measure" "result"
for k in $(printf '%s\n' "${!R[@]}" | sort); do printf '%-44s %s\n' "$k" "${R[$k]}"; done
