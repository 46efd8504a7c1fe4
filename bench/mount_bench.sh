#!/usr/bin/env bash
# bench/mount_bench.sh [BUILD_DIR] - memfs through the whole Windows path
# (`winfuse mount`: kernel FUSE -> lxfront -> NT file API -> fsd -> engine
# -> our libfuse -> memfs) against the same memfs mounted directly on the
# kernel (`memfs -f`: kernel FUSE -> our libfuse -> memfs).
#
# Both sides get the kernel caching winfuse mount gives the kernel by
# default: entry and attribute timeouts of 1 s, negative entries cached
# 1 s, the page cache on (no direct_io, no keep_cache), no write-back
# cache; and up to 16 request threads. Side A is therefore
#   memfs -f -o entry_timeout=1,attr_timeout=1,negative_timeout=1,max_threads=16,allow_other
# and side B plain `winfuse mount -f` (which as root also sets allow_other).
#
# bench/libfuse_workload runs the same phases on each mount, the sides
# interleaved round by round (direct first in odd rounds, winfuse first in
# even ones); each figure is the best of the rounds. ratio = winfuse /
# direct, so 1.00x means the Windows path costs nothing. Then one more
# workload run on the winfuse side, untimed, for the profile: CPU per
# thread of the winfuse process and, when `perf record` works, its top
# functions. Nothing asserts a timing; a failed build, mount, workload or
# unmount makes the script exit 1.
#
# Environment: WF_BENCH_ROUNDS (5), WF_MOUNT_BENCH_FILES (5000),
# WF_MOUNT_BENCH_SEQ_MIB (256), WF_MOUNT_BENCH_RANDOM_OPS (20000),
# WF_MOUNT_BENCH_PROFILE (1; 0 skips the profile).
# Needs root and /dev/fuse; without them it says so and exits 0.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
build=$(cd "$build" && pwd) || exit 1
cmake=${CMAKE:-cmake}
jobs=$(nproc 2>/dev/null || echo 2)
rounds=${WF_BENCH_ROUNDS:-5}
files=${WF_MOUNT_BENCH_FILES:-5000}
seq_mib=${WF_MOUNT_BENCH_SEQ_MIB:-256}
random_ops=${WF_MOUNT_BENCH_RANDOM_OPS:-20000}
profile=${WF_MOUNT_BENCH_PROFILE:-1}
direct_opts=entry_timeout=1,attr_timeout=1,negative_timeout=1,max_threads=16,allow_other

if [ ! -c /dev/fuse ] || [ "$(id -u)" != 0 ]; then
    echo "mount_bench: skipped: needs root and /dev/fuse to mount on the kernel"
    exit 0
fi
if ! "$cmake" --build "$build" -j "$jobs" --target memfs winfuse \
    >"$build/mount-bench-build.log" 2>&1; then
    cat "$build/mount-bench-build.log" >&2
    echo "mount_bench: could not build memfs and winfuse in $build" >&2
    exit 1
fi
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")
case $build_type in
    Release | RelWithDebInfo) ;;
    *) echo "mount_bench: note: $build is a '$build_type' build: winfuse and memfs are not optimized" ;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wf-mount-bench.XXXXXX") || exit 1
declare -A pid mnt
perf_pid=
cleanup() {
    local side i
    [ -n "$perf_pid" ] && kill -INT "$perf_pid" 2>/dev/null && wait "$perf_pid" 2>/dev/null
    for side in direct winfuse; do
        if [ -n "${mnt[$side]:-}" ] && grep -q " ${mnt[$side]} fuse" /proc/mounts; then
            if [ "$side" = winfuse ]; then
                "$build/bin/winfuse" unmount "${mnt[$side]}" 2>/dev/null || umount -l "${mnt[$side]}"
            else
                fusermount3 -u "${mnt[$side]}" 2>/dev/null || umount -l "${mnt[$side]}"
            fi
        fi
        if [ -n "${pid[$side]:-}" ]; then
            for ((i = 0; i < 50; i++)); do kill -0 "${pid[$side]}" 2>/dev/null || break; sleep 0.1; done
            kill -0 "${pid[$side]}" 2>/dev/null && kill -KILL "${pid[$side]}"
            wait "${pid[$side]}" 2>/dev/null
        fi
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# The workload: bench/CMakeLists.txt builds it only where Debian's libfuse3
# is found (it sits with passthrough_ll); it needs nothing but libc, so
# compile it here otherwise.
workload=$build/bench/libfuse_workload
if ! "$cmake" --build "$build" -j "$jobs" --target libfuse_workload >>"$build/mount-bench-build.log" 2>&1; then
    workload=$tmp/libfuse_workload
    if ! ${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -o "$workload" "$root/bench/libfuse_workload.c" \
        >>"$build/mount-bench-build.log" 2>&1; then
        cat "$build/mount-bench-build.log" >&2
        echo "mount_bench: could not build libfuse_workload" >&2
        exit 1
    fi
fi

mount_side() { # side
    local side=$1 i
    mkdir -p "$tmp/$side.mnt"
    mnt[$side]=$tmp/$side.mnt
    if [ "$side" = direct ]; then
        "$build/bin/memfs" -f -o "$direct_opts" "${mnt[$side]}" >"$tmp/$side.log" 2>&1 &
    else
        "$build/bin/winfuse" mount -f "${mnt[$side]}" >"$tmp/$side.log" 2>&1 &
    fi
    pid[$side]=$!
    for ((i = 0; i < 100; i++)); do
        grep -q " ${mnt[$side]} fuse" /proc/mounts && break
        kill -0 "${pid[$side]}" 2>/dev/null || break
        sleep 0.1
    done
    # The mount is in /proc/mounts before INIT is answered: a stat that
    # succeeds says the whole path serves.
    if ! grep -q " ${mnt[$side]} fuse" /proc/mounts || ! stat "${mnt[$side]}/." >/dev/null; then
        echo "mount_bench: the $side side did not mount; its log:" >&2
        cat "$tmp/$side.log" >&2
        exit 1
    fi
}

mount_side direct
mount_side winfuse
echo "direct: memfs -f -o $direct_opts"
echo "winfuse: winfuse mount -f (memfs through lxfront, NT API, fsd, engine)"
echo "$files files, $seq_mib MiB sequential, $random_ops random 4 KiB ops; best of $rounds rounds, interleaved"

results=$tmp/results
: >"$results"
run_side() { # side round
    local out=$tmp/$1.out
    if ! "$workload" -n "$files" -s "$seq_mib" -r "$random_ops" -c "${pid[$1]}" "${mnt[$1]}" \
        >"$out" 2>"$tmp/err"; then
        echo "mount_bench: workload failed on the $1 mount (round $2):" >&2
        cat "$tmp/err" >&2
        exit 1
    fi
    awk -v side="$1" '{ print side, $0 }' "$out" >>"$results"
    printf ' %s' "$1"
}
printf 'rounds:'
for ((r = 1; r <= rounds; r++)); do
    if ((r % 2)); then run_side direct "$r"; run_side winfuse "$r"; else run_side winfuse "$r"; run_side direct "$r"; fi
done
echo

for side in direct winfuse; do
    kill -0 "${pid[$side]}" 2>/dev/null || { echo "mount_bench: $side file system died" >&2; exit 1; }
done

echo
printf '%-21s %-30s   %s\n' "" "------- rate per second ------" "-- server CPU us per item --"
printf '%-10s %-10s %11s %11s %6s   %9s %9s %6s\n' phase unit direct winfuse ratio direct winfuse ratio
awk '
    { key = $2; if (!(key in unit)) { order[n++] = key; unit[key] = $4 }
      if ($3 > rate[$1, key]) rate[$1, key] = $3
      if (!(($1, key) in cpu) || $5 < cpu[$1, key]) cpu[$1, key] = $5 }
    END { for (i = 0; i < n; i++) { k = order[i]; d = rate["direct", k]; o = rate["winfuse", k]
          dc = cpu["direct", k]; oc = cpu["winfuse", k]
          printf "%-10s %-10s %11.1f %11.1f %5.2fx   %9.2f %9.2f %5.2fx\n", k, unit[k], d, o,
              (d > 0 ? o / d : 0), dc, oc, (oc > 0 ? dc / oc : 0) } }
' "$results"
echo "rate: best of the rounds; ratio = winfuse / direct (the target for the data phases"
echo "is 0.80x or more). server CPU: microseconds of CPU (user + kernel, all threads)"
echo "of the memfs or winfuse process per item, least of the rounds; ratio = direct / winfuse."

# ---- where the time goes on the winfuse side: one more (untimed) run ----
thread_cpu() { # pid -> "tid ns" lines
    local t
    for t in /proc/"$1"/task/*; do
        [ -r "$t/schedstat" ] && echo "${t##*/} $(cut -d' ' -f1 "$t/schedstat" 2>/dev/null)"
    done
}
if [ "$profile" != 0 ]; then
    echo
    echo "== where the time goes on the winfuse side (one more workload run) =="
    thread_cpu "${pid[winfuse]}" >"$tmp/cpu.before"
    if command -v perf >/dev/null 2>&1; then
        perf record -q -e cpu-clock -F 999 -o "$tmp/perf.data" -p "${pid[winfuse]}" \
            >"$tmp/perf.log" 2>&1 &
        perf_pid=$!
        sleep 0.5
    fi
    run_side winfuse profile >/dev/null
    thread_cpu "${pid[winfuse]}" >"$tmp/cpu.after"
    if [ -n "$perf_pid" ]; then
        kill -INT "$perf_pid" 2>/dev/null
        wait "$perf_pid" 2>/dev/null
        perf_pid=
    fi
    # The threads all say "winfuse" in comm; their CPU shares tell the
    # lxfront request threads, the engine and memfs threads apart.
    echo "CPU per thread of winfuse (ms, threads above 1%):"
    awk 'NR == FNR { b[$1] = $2; next } { d = $2 - b[$1]; if (d > 0) { c[$1] = d; t += d } }
         END { for (k in c) if (c[k] > t / 100) printf "  %5.1f%%  %8.1f ms  tid %s\n", 100 * c[k] / t, c[k] / 1e6, k
               printf "  100.0%%  %8.1f ms  total\n", t / 1e6 }' "$tmp/cpu.before" "$tmp/cpu.after" |
        sort -rn
    if [ -s "$tmp/perf.data" ] && perf report -i "$tmp/perf.data" --no-children --sort dso,sym \
        --stdio >"$tmp/perf.txt" 2>/dev/null; then
        echo "perf (cpu-clock samples), top functions, self time:"
        grep -v '^#' "$tmp/perf.txt" | grep '%' | head -20 | sed 's/^/  /'
        perf report -i "$tmp/perf.data" --no-children --sort dso --stdio 2>/dev/null |
            grep -v '^#' | grep '%' | head -6 | sed 's/^ */  by dso: /'
    else
        echo "perf: not available here ($(tail -1 "$tmp/perf.log" 2>/dev/null)); per-thread CPU only"
    fi
fi

# Unmount as a user would; both must exit by themselves, with status 0.
status=0
for side in direct winfuse; do
    if [ "$side" = winfuse ]; then
        "$build/bin/winfuse" unmount "${mnt[$side]}" || { echo "mount_bench: winfuse unmount failed" >&2; status=1; continue; }
    else
        fusermount3 -u "${mnt[$side]}" || { echo "mount_bench: fusermount3 -u failed on the direct mount" >&2; status=1; continue; }
    fi
    for ((i = 0; i < 50; i++)); do kill -0 "${pid[$side]}" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "${pid[$side]}" 2>/dev/null; then
        echo "mount_bench: the $side file system did not exit after unmount" >&2
        status=1
    else
        wait "${pid[$side]}"
        rc=$?
        [ $rc -eq 0 ] || { echo "mount_bench: the $side file system exited with $rc" >&2; status=1; }
        pid[$side]=
    fi
done
exit $status
