#!/usr/bin/env bash
# deps.sh [GROUP...] - install the Debian 12 packages winfuse needs, only those missing.
#
# Groups: build (always: compilers, cmocka, and libfuse3 and fuse3 for the
# tests that run real FUSE programs), windows (mingw-w64 cross compilers),
# fuzz (clang with libFuzzer), bench (valgrind for instruction counts).
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -eu

packages=(cmake make gcc pkg-config libcmocka-dev libfuse3-dev fuse3 attr python3)
# Real FUSE programs the tests serve through the engine (wslfuse) and run on
# our libfuse (prebuilt_on_ours.sh).
packages+=(sshfs openssh-server squashfuse squashfs-tools bindfs fuse2fs e2fsprogs fuse-overlayfs python3-pyfuse3)
# What the winfuse mount tests run on the mount.
packages+=(fio git tar)
for group in "$@"; do
    case $group in
        build) ;;
        windows) packages+=(mingw-w64) ;;
        fuzz) packages+=(clang libclang-rt-14-dev) ;;
        bench) packages+=(valgrind) ;;
        *) echo "deps.sh: unknown group '$group'" >&2; exit 2 ;;
    esac
done

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$status" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "winfuse needs these Debian packages: ${missing[*]}" >&2
    echo "run as root:  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
