#!/usr/bin/env bash
# Proves the README's set-up on a fresh Debian 12: a minimal root made by mmdebstrap, the
# committed HEAD cloned into it, and the README's commands run inside it (chroot).
#
#   scripts/fresh-check.sh configure   install the packages (scripts/dev.sh deps), then
#                                      configure every CMake preset the README and CI use;
#                                      about 3 minutes; .ci/run runs it before the tests
#   scripts/fresh-check.sh test        the README's whole test command (scripts/dev.sh test)
#   scripts/fresh-check.sh run         the README's run command, without a display
#
# It needs root (chroot, mounts) and Debian's package mirrors. What it keeps between runs,
# under $TWAT_FRESH_CACHE (default /var/cache/twat-cache-fresh): the base root tarball (made
# again when older than 14 days) and downloaded .deb files, so a run fetches little. Neither
# changes what the check proves: apt still decides from the fresh root what to install.
# Only what is committed is checked: uncommitted changes are not in the clone.
set -euo pipefail

mode=${1:-}
case "$mode" in configure | test | run) ;; *)
    echo "usage: scripts/fresh-check.sh configure|test|run" >&2
    exit 2
    ;;
esac
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${TWAT_FRESH_CACHE:-/var/cache/twat-cache-fresh}
base=$cache/bookworm-minbase.tar
suite=bookworm

log() { printf '==> fresh-check: %s\n' "$*" >&2; }
die() {
    printf 'fresh-check: %s\n' "$*" >&2
    exit 1
}

[ "$(id -u)" -eq 0 ] || die "needs root (it makes a chroot and mounts /proc, /dev and /sys in it)"
git -C "$repo" rev-parse --verify -q HEAD >/dev/null || die "no commit to check in $repo"

# The presets the README and CI configure: every one CMakePresets.json declares.
presets=$(sed -n 's/^ *"name": *"\([a-z-]*\)",.*/\1/p' "$repo/CMakePresets.json" |
    grep -v '^base$' | sort -u | tr '\n' ' ')
[ -n "$presets" ] || die "found no configure preset in CMakePresets.json"

mkdir -p "$cache/archives/partial"

# The base root: the machine's own apt sources, so the chroot sees the same Debian 12.
if [ ! -f "$base" ] || [ -z "$(find "$base" -mtime -14 2>/dev/null)" ]; then
    rm -rf "$base.new"
    if ! command -v mmdebstrap >/dev/null; then
        log "installing mmdebstrap"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            mmdebstrap >/dev/null
    fi
    sources=()
    for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list; do
        [ -s "$f" ] && grep -q "$suite" "$f" && sources+=("$f")
    done
    log "making a minimal Debian 12 root (once per machine, cached in $cache)"
    mmdebstrap --quiet --format=tar --variant=minbase --include=ca-certificates,git "$suite" "$base.new" \
        "${sources[@]}" >/dev/null
    mv -f "$base.new" "$base"
fi

root=$(mktemp -d "${TMPDIR:-/tmp}/twat-fresh-root.XXXXXX")
mounted=()
cleanup() {
    local rc=$?
    local i
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        umount -R "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null || true
    done
    if grep -q " $root/" /proc/mounts; then
        echo "fresh-check: mounts remain under $root; left in place" >&2
    else
        rm -rf --one-file-system "$root"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

tar -C "$root" -xf "$base"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
mount -t proc proc "$root/proc" && mounted+=("$root/proc")
mount --rbind /dev "$root/dev" && mounted+=("$root/dev")
mount --make-rslave "$root/dev"
mount -t sysfs sys "$root/sys" && mounted+=("$root/sys")
mount --bind "$cache/archives" "$root/var/cache/apt/archives" &&
    mounted+=("$root/var/cache/apt/archives")
# Keep downloaded packages for the next run (minbase roots may be set to delete them).
rm -f "$root/etc/apt/apt.conf.d/docker-clean"
echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' >"$root/etc/apt/apt.conf.d/99keep"

git clone -q "$repo" "$root/src"
log "checking commit $(git -C "$root/src" log -1 --format='%h %s')"

in_root() {
    chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        bash -c "cd /src && $1"
}

start=$(date +%s)
case "$mode" in
configure)
    in_root "bash scripts/dev.sh deps && for p in $presets; do
        echo \"==> configuring preset \$p\" >&2
        cmake --preset \$p >/tmp/configure-\$p.log 2>&1 || { cat /tmp/configure-\$p.log; exit 1; }
    done"
    ;;
test) in_root 'bash scripts/dev.sh test' ;;
run) in_root 'env -u DISPLAY -u WAYLAND_DISPLAY timeout 1800 bash scripts/dev.sh run' ;;
esac
log "$mode passed on a fresh Debian 12 root in $(($(date +%s) - start)) s (presets: $presets)"
