#!/usr/bin/env bash
# bench/libfuse_bench.sh [BUILD_DIR] - our libfuse3 against Debian's, on the
# Linux kernel's FUSE.
#
# One binary: Debian's passthrough_ll example (unmodified), compiled against
# Debian's libfuse3 (bench_passthrough_ll). It serves a temporary directory
# twice at once: "debian" loads /usr's libfuse3.so.3, "ours" the same binary
# with LD_LIBRARY_PATH=BUILD_DIR/lib. Both with -o cache=never: every open
# is direct I/O and every entry and attribute times out at once, so each
# operation of the workload is a FUSE round trip rather than a page-cache
# hit, and no cache needs dropping between phases. The served directories
# live on a tmpfs mounted for the run, so that the disk under /tmp (whose
# file creation can cost a millisecond) is not what gets measured.
#
# bench/libfuse_workload runs the same phases on each mount, the two sides
# interleaved round by round (debian first in odd rounds, ours first in even
# ones); each figure is the best of the rounds. ratio = ours / debian, so
# above 1.00 ours is faster. Nothing here asserts a timing, but a failed
# build, mount, workload or unmount makes the script exit 1.
#
# Environment: WF_BENCH_ROUNDS (5), WF_LIBFUSE_BENCH_FILES (5000),
# WF_LIBFUSE_BENCH_SEQ_MIB (256), WF_LIBFUSE_BENCH_RANDOM_OPS (20000),
# WF_LIBFUSE_BENCH_OPTS (passthrough_ll options; default "-o cache=never").
# Needs root and /dev/fuse; without them it says so and exits 0.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
build=$(cd "$build" && pwd) || exit 1
cmake=${CMAKE:-cmake}
jobs=$(nproc 2>/dev/null || echo 2)
rounds=${WF_BENCH_ROUNDS:-5}
files=${WF_LIBFUSE_BENCH_FILES:-5000}
seq_mib=${WF_LIBFUSE_BENCH_SEQ_MIB:-256}
random_ops=${WF_LIBFUSE_BENCH_RANDOM_OPS:-20000}
opts=${WF_LIBFUSE_BENCH_OPTS:--o cache=never}

if [ ! -c /dev/fuse ] || [ "$(id -u)" != 0 ]; then
    echo "libfuse_bench: skipped: needs root and /dev/fuse to mount on the kernel"
    exit 0
fi
if ! "$cmake" --build "$build" -j "$jobs" --target bench_passthrough_ll libfuse_workload fuse3 \
    >"$build/libfuse-bench-build.log" 2>&1; then
    cat "$build/libfuse-bench-build.log" >&2
    echo "libfuse_bench: could not build bench_passthrough_ll, libfuse_workload and fuse3" \
        "(needs libfuse3-dev: /usr/share/doc/libfuse3-dev/examples/passthrough_ll.c)" >&2
    exit 1
fi
fs=$build/bench/bench_passthrough_ll
workload=$build/bench/libfuse_workload
ours_lib=$(readlink -f "$build/lib/libfuse3.so.3")
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")
case $build_type in
    Release | RelWithDebInfo) ;;
    *) echo "libfuse_bench: note: $build is a '$build_type' build: our library is not optimized" ;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wf-libfuse-bench.XXXXXX") || exit 1
declare -A pid mnt
backing=$tmp
cleanup() {
    local side i
    for side in debian ours; do
        [ -n "${mnt[$side]:-}" ] && grep -q " ${mnt[$side]} fuse" /proc/mounts &&
            { fusermount3 -u "${mnt[$side]}" 2>/dev/null || umount -l "${mnt[$side]}"; }
        if [ -n "${pid[$side]:-}" ]; then
            for ((i = 0; i < 50; i++)); do kill -0 "${pid[$side]}" 2>/dev/null || break; sleep 0.1; done
            kill -0 "${pid[$side]}" 2>/dev/null && kill -KILL "${pid[$side]}"
            wait "${pid[$side]}" 2>/dev/null
        fi
    done
    [ "$backing" != "$tmp" ] && umount "$backing"
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mkdir "$tmp/backing"
if mount -t tmpfs -o "size=$((2 * (seq_mib + 64) + 64))m,mode=0755" wf-libfuse-bench "$tmp/backing"; then
    backing=$tmp/backing
else
    echo "libfuse_bench: note: no tmpfs; serving directories under $tmp"
fi

# mount SIDE: the file system serving BACKING/SIDE.src on tmp/SIDE.mnt.
mount_side() {
    local side=$1 i maps lib
    mkdir -p "$backing/$side.src" "$tmp/$side.mnt"
    mnt[$side]=$tmp/$side.mnt
    # shellcheck disable=SC2086
    if [ "$side" = ours ]; then
        LD_LIBRARY_PATH=$build/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} \
            "$fs" -f $opts -o "source=$backing/$side.src" "${mnt[$side]}" >"$tmp/$side.log" 2>&1 &
    else
        env -u LD_LIBRARY_PATH "$fs" -f $opts -o "source=$backing/$side.src" "${mnt[$side]}" \
            >"$tmp/$side.log" 2>&1 &
    fi
    pid[$side]=$!
    for ((i = 0; i < 100; i++)); do
        grep -q " ${mnt[$side]} fuse" /proc/mounts && break
        kill -0 "${pid[$side]}" 2>/dev/null || break
        sleep 0.1
    done
    if ! grep -q " ${mnt[$side]} fuse" /proc/mounts; then
        echo "libfuse_bench: passthrough_ll ($side) did not mount; its log:" >&2
        cat "$tmp/$side.log" >&2
        exit 1
    fi
    # Which libfuse3 the process really mapped, not what ldd predicts.
    maps=$(awk '$6 ~ /libfuse3\.so/ { print $6; exit }' "/proc/${pid[$side]}/maps")
    lib=$(readlink -f "$maps")
    if { [ "$side" = ours ] && [ "$lib" != "$ours_lib" ]; } ||
        { [ "$side" = debian ] && [ "$lib" = "$ours_lib" ]; } || [ -z "$lib" ]; then
        echo "libfuse_bench: $side side loaded '$lib'" >&2
        exit 1
    fi
    echo "$side: $lib"
}

mount_side debian
mount_side ours
echo "passthrough_ll $opts; $files files, $seq_mib MiB sequential, $random_ops random 4 KiB ops;" \
    "best of $rounds rounds, interleaved"

results=$tmp/results
: >"$results"
run_side() { # side round
    local out=$tmp/$1.out
    if ! "$workload" -n "$files" -s "$seq_mib" -r "$random_ops" -c "${pid[$1]}" "${mnt[$1]}" >"$out" 2>"$tmp/err"; then
        echo "libfuse_bench: workload failed on the $1 mount (round $2):" >&2
        cat "$tmp/err" >&2
        exit 1
    fi
    awk -v side="$1" '{ print side, $0 }' "$out" >>"$results"
    printf ' %s' "$1"
}
printf 'rounds:'
for ((r = 1; r <= rounds; r++)); do
    if ((r % 2)); then run_side debian "$r"; run_side ours "$r"; else run_side ours "$r"; run_side debian "$r"; fi
done
echo

for side in debian ours; do
    kill -0 "${pid[$side]}" 2>/dev/null || { echo "libfuse_bench: $side file system died" >&2; exit 1; }
done

echo
printf '%-21s %-30s   %s\n' "" "------- rate per second ------" "-- server CPU us per item --"
printf '%-10s %-10s %11s %11s %6s   %9s %9s %6s\n' phase unit debian ours ratio debian ours ratio
awk '
    { key = $2; if (!(key in unit)) { order[n++] = key; unit[key] = $4 }
      if ($3 > rate[$1, key]) rate[$1, key] = $3
      if (!(($1, key) in cpu) || $5 < cpu[$1, key]) cpu[$1, key] = $5 }
    END { for (i = 0; i < n; i++) { k = order[i]; d = rate["debian", k]; o = rate["ours", k]
          dc = cpu["debian", k]; oc = cpu["ours", k]
          printf "%-10s %-10s %11.1f %11.1f %5.2fx   %9.2f %9.2f %5.2fx\n", k, unit[k], d, o,
              (d > 0 ? o / d : 0), dc, oc, (oc > 0 ? dc / oc : 0) } }
' "$results"
echo "rate: best of the rounds; ratio = ours / debian, above 1.00x ours is faster."
echo "server CPU: microseconds of CPU (user + kernel, all threads) the file system process"
echo "spent per item (op, MiB, entry), least of the rounds; ratio = debian / ours, above"
echo "1.00x ours spends less."

# Unmount as a user would, and both must exit by themselves.
status=0
for side in debian ours; do
    if ! fusermount3 -u "${mnt[$side]}"; then
        echo "libfuse_bench: fusermount3 -u failed on the $side mount" >&2
        status=1
        continue
    fi
    for ((i = 0; i < 50; i++)); do kill -0 "${pid[$side]}" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "${pid[$side]}" 2>/dev/null; then
        echo "libfuse_bench: $side file system did not exit after unmount" >&2
        status=1
    else
        wait "${pid[$side]}"
        rc=$?
        [ $rc -eq 0 ] || { echo "libfuse_bench: $side file system exited with $rc" >&2; status=1; }
        pid[$side]=
    fi
done
exit $status
