#!/usr/bin/env bash
# demo.sh [BUILD_DIR] - Linux tools on a FUSE file system through the whole
# Windows path: `winfuse mount` puts the embedded memfs behind the winfuse
# engine, the WinFsp FSD stand-in and lxfront (the LXCORE role), so every
# read(2) below becomes an NtReadFile, a WinFsp Read request and a FUSE
# READ. Shows each command and its output, then unmounts.
#
# Needs root (a kernel FUSE mount) and /dev/fuse.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
winfuse=$build/bin/winfuse
[ -x "$winfuse" ] || { echo "demo: no $winfuse (run make first)" >&2; exit 1; }
if [ "$(id -u)" != 0 ] || [ ! -c /dev/fuse ]; then
    echo "demo: needs root and /dev/fuse (a Linux kernel FUSE mount)" >&2
    exit 1
fi

dir=$(mktemp -d /tmp/winfuse-demo.XXXXXX)
mnt=$dir/mnt
mkdir "$mnt"
pid=
cleanup() {
    if grep -q " $mnt fuse.winfuse " /proc/mounts; then
        "$winfuse" unmount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null
    fi
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT

bold= plain=
if [ -t 1 ]; then bold=$(printf '\033[1m') plain=$(printf '\033[0m'); fi
prompt() { printf '\n%s$ %s%s\n' "$bold" "$*" "$plain"; }

# Show a command, then run it in the mount.
show() {
    prompt "$*"
    (cd "$mnt" && eval "$*")
}

echo "winfuse demo: memfs behind the Windows path, mounted for Linux at $mnt"
prompt "$winfuse mount $mnt"
"$winfuse" mount "$mnt" || exit 1
pid=$(awk -v m="$mnt" '$2 == m { split($1, a, ":"); print a[2] }' /proc/mounts | tail -1)
grep " $mnt " /proc/mounts

show 'mkdir -p docs/notes'
show "cp $root/README.md $root/LICENSE docs/"
show 'echo "written by $(id -un) through NtWriteFile" > docs/notes/hello.txt'
show 'ls -l docs docs/notes'
show 'cat docs/notes/hello.txt'
show 'head -3 docs/README.md'
show 'mv docs/notes/hello.txt docs/hello.txt'
show 'ln -s docs/hello.txt latest'
show 'ls -l'
show 'readlink latest && cat latest'
show 'chmod 600 docs/hello.txt && stat -c "%A %U:%G %s bytes %n" docs/hello.txt'
show 'df -h .'
show 'rm -r docs/notes docs/LICENSE'
show 'find . | sort'

prompt "$winfuse unmount $mnt"
"$winfuse" unmount "$mnt" || exit 1
pid=
echo "unmounted: memfs got DESTROY and winfuse exited."
echo
echo "Trace every Linux request, NT call, WinFsp request and FUSE request:"
echo "  $winfuse mount -d MOUNTPOINT        (docs/lxfront.md)"
