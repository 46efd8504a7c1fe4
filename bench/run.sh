#!/bin/sh
# bench/run.sh [BUILD_DIR] - build the benchmarks and print their tables:
#   1. engine_bench: requests per second, engine against a hand-written
#      reference in the same process (best of 5), with FUSE round trips and
#      allocations per request, and the engine's data-path promises;
#   2. instructions per request under callgrind (deterministic, not timed),
#      engine against the same reference. Skipped when valgrind is missing;
#   3. libfuse_bench.sh: our libfuse3 against Debian's, the same passthrough_ll
#      binary serving a directory on the Linux kernel's FUSE, ratios per phase
#      (needs root and /dev/fuse, skipped otherwise);
#   4. mount_bench.sh: memfs through `winfuse mount` (the whole Windows path)
#      against memfs mounted directly, ratios per phase and a profile of the
#      winfuse side (needs root and /dev/fuse, skipped otherwise).
# BUILD_DIR defaults to build/ (configured RelWithDebInfo if it is not yet);
# the bench compiles its own -O2 copy of the engine whatever the build type.
# Environment: WF_BENCH_ROUNDS (5), WF_BENCH_CG_ITERATIONS (2000).
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
cmake=${CMAKE:-cmake}
jobs=$(nproc 2>/dev/null || echo 2)
rounds=${WF_BENCH_ROUNDS:-5}
cg_iterations=${WF_BENCH_CG_ITERATIONS:-2000}

if [ ! -f "$build/CMakeCache.txt" ]; then
    "$cmake" -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 1
fi
if ! "$cmake" --build "$build" -j "$jobs" --target engine_bench >"$build/bench-build.log" 2>&1; then
    cat "$build/bench-build.log" >&2
    echo "bench/run.sh: could not build engine_bench in $build (is bench/ added with" \
        "add_subdirectory, and is this a build without WF_SANITIZE?)" >&2
    exit 1
fi
bin=$build/bench/engine_bench

echo "== engine_bench: requests per second =="
"$bin" --rounds "$rounds"
status=$?
if [ $status -ne 0 ]; then
    echo "bench/run.sh: engine_bench failed (status $status): see above" >&2
fi

# Table 2, in a function so that a missing valgrind skips it and not what follows.
callgrind_table() {
    echo
    echo "== engine_bench under callgrind: instructions per request =="
    if ! command -v valgrind >/dev/null 2>&1; then
        echo "callgrind: skipped: valgrind is not installed (apt-get install valgrind)"
        return 0
    fi

    tmp=$(mktemp -d "${TMPDIR:-/tmp}/wf-bench.XXXXXX") || exit 1
    trap 'rm -rf "$tmp"' EXIT INT TERM

    # Ir counted inside one function (and what it calls) in one run of one side.
    instructions() { # kind side
        out=$tmp/$1.$2
        if ! valgrind --tool=callgrind --callgrind-out-file="$out" --collect-atstart=no \
            --toggle-collect="bench_$2_measured" \
            "$bin" --callgrind "$2" --kind "$1" --iterations "$cg_iterations" \
            >"$tmp/log" 2>&1; then
            cat "$tmp/log" >&2
            return 1
        fi
        awk '/^totals:/ { t = $2 } /^summary:/ { if (t == "") t = $2 } END { print t + 0 }' "$out"
    }

    echo "$cg_iterations requests per kind and side; ratio = engine / reference"
    printf '%-24s %14s %16s %8s\n' "kind" "engine Ir/req" "reference Ir/req" "ratio"
    tab=$(printf '\t')
    "$bin" --list >"$tmp/kinds" || return 1
    while IFS="$tab" read -r kind label; do
        e=$(instructions "$kind" engine) || { status=1; continue; }
        r=$(instructions "$kind" reference) || { status=1; continue; }
        awk -v label="$label" -v e="$e" -v r="$r" -v n="$cg_iterations" 'BEGIN {
            printf "%-24s %14.0f %16.0f %7.2fx\n", label, e / n, r / n, (r > 0 ? e / r : 0) }'
    done <"$tmp/kinds"
}
callgrind_table || status=1

echo
echo "== libfuse_bench: our libfuse3 against Debian's, on the kernel =="
"$root/bench/libfuse_bench.sh" "$build" || status=1

echo
echo "== mount_bench: winfuse mount of memfs against memfs directly on the kernel =="
"$root/bench/mount_bench.sh" "$build" || status=1
exit $status
