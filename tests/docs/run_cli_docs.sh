#!/bin/sh
# Runs every documented `twat-cache ...` line, so the docs cannot drift from the CLI.
#
# Usage: run_cli_docs.sh core|redis TWAT_CACHE FIXTURE README INSPECTION_MD [REDIS_SERVER REDIS_CLI]
#
# Lines come from the ```sh block under "## The command line" in README.md and from every
# ```sh block of INSPECTION_MD; trailing "# comments" are dropped. "core" runs the lines
# without a redis:// URL, "redis" the lines with one. Each runs unchanged through sh, except
# that 127.0.0.1:6379 becomes the port of a private redis-server. The state they run against:
#   TWAT_CACHE_DIR  a fresh root holding the `greetings` SQLite cache (written by FIXTURE)
#   HOME            a fresh folder with a python-diskcache at ~/.cache/myapp/diskcache
#   Redis           strings user:1, user:2, session:1, session:2, and the hash profile:1,
#                   list queue:1, set tags:1 and sorted set board:1 in db 0
# A line fails when it exits non-zero; exit 3 (refused) is accepted only with --dry-run.
set -u
mode=$1 cli=$2 fixture=$3 readme=$4 inspection=$5
redis_server=${6:-/usr/bin/redis-server} redis_cli=${7:-/usr/bin/redis-cli}

work=$(mktemp -d) || exit 1
redis_pid=
cleanup() {
    if [ -n "$redis_pid" ]; then
        kill "$redis_pid" 2>/dev/null
        wait "$redis_pid" 2>/dev/null
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# The documented lines, one per line of $work/lines.
awk '/^## The command line/ { want = 1 }
     want == 1 && /^```sh/ { inblock = 1; next }
     inblock && /^```/ { exit }
     inblock && /^twat-cache / { print }' "$readme" > "$work/lines.all"
awk '/^```sh/ { inblock = 1; next }
     inblock && /^```/ { inblock = 0 }
     inblock && /^twat-cache / { print }' "$inspection" >> "$work/lines.all"
sed 's/[[:space:]][[:space:]]*#.*$//' "$work/lines.all" > "$work/lines.clean"
if [ "$mode" = redis ]; then
    grep 'redis://' "$work/lines.clean" > "$work/lines"
else
    grep -v 'redis://' "$work/lines.clean" > "$work/lines"
fi
count=$(wc -l < "$work/lines")
if [ "$count" -eq 0 ]; then
    echo "FAIL: no documented twat-cache lines found for '$mode'"
    exit 1
fi

# `twat-cache` on PATH is the built binary, so each line runs exactly as written.
mkdir -p "$work/bin" "$work/root" "$work/home/.cache/myapp" || exit 1
ln -s "$cli" "$work/bin/twat-cache" || exit 1
PATH="$work/bin:$PATH"
TWAT_CACHE_DIR="$work/root"
HOME="$work/home"
export PATH TWAT_CACHE_DIR HOME
unset TWAT_CACHE_REDIS_URL 2>/dev/null

if [ "$mode" = redis ]; then
    port=
    attempt=0
    while [ -z "$port" ] && [ "$attempt" -lt 5 ]; do
        attempt=$((attempt + 1))
        candidate=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()') || exit 1
        "$redis_server" --port "$candidate" --save '' --appendonly no --bind 127.0.0.1 \
            --daemonize no > "$work/redis.log" 2>&1 &
        redis_pid=$!
        tries=0
        while [ "$tries" -lt 50 ]; do
            if "$redis_cli" -p "$candidate" ping 2>/dev/null | grep -q PONG; then
                port=$candidate
                break
            fi
            kill -0 "$redis_pid" 2>/dev/null || break
            tries=$((tries + 1))
            sleep 0.1
        done
        if [ -z "$port" ]; then
            kill "$redis_pid" 2>/dev/null
            wait "$redis_pid" 2>/dev/null
            redis_pid=
        fi
    done
    if [ -z "$port" ]; then
        echo "FAIL: redis-server did not start"; cat "$work/redis.log"
        exit 1
    fi
    for key in user:1 user:2 session:1 session:2; do
        "$redis_cli" -p "$port" set "$key" "value of $key" > /dev/null || exit 1
    done
    { "$redis_cli" -p "$port" hset profile:1 name Ada email ada@example.org &&
        "$redis_cli" -p "$port" rpush queue:1 job-1 job-2 job-3 &&
        "$redis_cli" -p "$port" sadd tags:1 red green &&
        "$redis_cli" -p "$port" zadd board:1 10 alice 20 bob; } > /dev/null || exit 1
    sed "s/127\.0\.0\.1:6379/127.0.0.1:$port/g" "$work/lines" > "$work/lines.run"
else
    "$fixture" || { echo "FAIL: the fixture could not write the greetings cache"; exit 1; }
    /usr/bin/python3 -c 'import diskcache, sys
c = diskcache.Cache(sys.argv[1])
for i in range(5):
    c.set("key%d" % i, "value %d" % i)
c.close()' "$HOME/.cache/myapp/diskcache" || { echo "FAIL: cannot write the diskcache"; exit 1; }
    cp "$work/lines" "$work/lines.run"
fi

failures=0
cd "$work" || exit 1
while IFS= read -r line; do
    echo "\$ $line"
    timeout 20 sh -c "$line" < /dev/null
    rc=$?
    case "$line" in
        *--dry-run*) ok_refused=1 ;;
        *) ok_refused=0 ;;
    esac
    if [ "$rc" -ne 0 ] && ! { [ "$rc" -eq 3 ] && [ "$ok_refused" -eq 1 ]; }; then
        echo "FAIL (exit $rc): $line"
        failures=$((failures + 1))
    fi
done < "$work/lines.run"
echo "$count documented lines run, $failures failed"
[ "$failures" -eq 0 ]
