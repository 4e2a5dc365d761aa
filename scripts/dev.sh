#!/usr/bin/env bash
# The project's set-up in one place. README's Quick start calls it:
#   scripts/dev.sh run    install what is missing, build, run the inspector (it writes a demo
#                         cache into an empty cache root); without a display, the CLI summary
#   scripts/dev.sh test   install what is missing, build, run every test (and TSan ones)
#   scripts/dev.sh deps   only install what is missing
# Idempotent: packages already installed are not fetched again, and the build is incremental.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PACKAGES=(
    build-essential cmake ninja-build pkg-config git ccache
    # Qt6Charts' CMake package needs Qt6OpenGL's, a mere Recommends of qt6-base-dev.
    qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev qt6-charts-dev qt6-svg-dev
    qtkeychain-qt6-dev
    libhiredis-dev libsqlite3-dev libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev
    libzstd-dev libxxhash-dev libbenchmark-dev
    # TLS to Redis (rediss://): Debian's hiredis 0.14 has none, the core uses OpenSSL.
    libssl-dev openssl
    # SSH tunnels to Redis (?ssh=user@host): libssh.
    libssh-dev
    # Real peers for tests and benchmarks.
    redis-server redis-tools python3 python3-diskcache python3-joblib python3-cachetools
    python3-redis
    # Sentinel discovery and failover tests (redis+sentinel://): a real redis-sentinel.
    redis-sentinel
    # SSH tunnel tests: each test starts its own sshd on a loopback port (no system sshd needed).
    openssh-server
    # Keyring tests: each starts its own D-Bus (dbus-daemon) with a gnome-keyring-daemon on it.
    dbus gnome-keyring
    # Fuzzing (scripts/fuzz.sh): clang and its libFuzzer runtime (a mere Recommends of clang).
    clang libclang-rt-14-dev
    # Packaging checks: the .deb (dpkg-shlibdeps, lintian), man pages (man, groff), the
    # desktop entry and AppStream metainfo validators.
    dpkg-dev lintian man-db groff-base desktop-file-utils appstream
)

log() { printf '==> %s\n' "$*" >&2; }

install_deps() {
    local missing=()
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing: ${missing[*]}"
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
        "${missing[@]}"
}

configure() {
    local preset=$1
    [ -f "build/$preset/build.ninja" ] || cmake --preset "$preset" >/dev/null
}

# ccache, when installed, makes rebuilds (another preset, another clone) cheap; paths are
# hashed relative to this folder so that clones elsewhere share the cache.
if command -v ccache >/dev/null; then
    export CMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER:-ccache}
    export CMAKE_C_COMPILER_LAUNCHER=${CMAKE_C_COMPILER_LAUNCHER:-ccache}
    export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
    export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}  # -g would hash the build folder's path
fi

jobs() { nproc 2>/dev/null || echo 2; }

cmd_run() {
    install_deps
    configure dev
    log "building"
    cmake --build --preset dev --target twat-cache -j "$(jobs)"
    if cmake --build --preset dev --target help | grep -q '^twat-cache-inspector:'; then
        cmake --build --preset dev --target twat-cache-inspector -j "$(jobs)"
        if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
            exec build/dev/app/inspector/twat-cache-inspector "$@"
        fi
        log "no display (DISPLAY and WAYLAND_DISPLAY are unset): showing the CLI summary instead"
        build/dev/app/inspector/twat-cache-inspector --write-demo || true
    fi
    # Without a display: the caches under the root, then the memoization demo.
    build/dev/app/cli/twat-cache list || true
    exec build/dev/app/cli/twat-cache demo "$@"
}

cmd_test() {
    install_deps
    configure dev
    log "building (dev preset)"
    cmake --build --preset dev -j "$(jobs)"
    log "running tests"
    ctest --preset dev -j "$(jobs)"
    log "building and running the concurrency tests under ThreadSanitizer"
    configure tsan
    cmake --build --preset tsan -j "$(jobs)"
    ctest --preset tsan -j "$(jobs)"
}

case "${1:-}" in
    run) shift; cmd_run "$@" ;;
    test) shift; cmd_test "$@" ;;
    deps) install_deps ;;
    *) echo "usage: scripts/dev.sh run|test|deps" >&2; exit 2 ;;
esac
