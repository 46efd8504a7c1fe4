#!/usr/bin/env bash
# fuzz.sh [SECONDS] - build the engine's libFuzzer target and run it.
#
# Replays every file in tests/fuzz/regressions first (those in its
# unordered/ subdirectory with WF_FUZZ_UNORDERED=1), then fuzzes for SECONDS
# (default: $FUZZ_SECONDS, else 60) from the seeds in tests/fuzz/corpus. New
# inputs go to build-fuzz/corpus, never into the source tree. Exits non-zero
# on any crash or invariant failure and prints the reproducer's path.
#
# Environment: FUZZ_BUILD (build dir, default build-fuzz), FUZZ_CC (clang),
# FUZZ_JOBS (parallel fuzzing processes, default 1), FUZZ_MAX_LEN (4096),
# FUZZ_SKIP_REGRESSIONS=1, FUZZ_CFLAGS (extra compiler flags).
set -euo pipefail

secs=${1:-${FUZZ_SECONDS:-60}}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD:-$root/build-fuzz}
case $build in /*) ;; *) build=$root/$build ;; esac
cc=${FUZZ_CC:-clang}
jobs=${FUZZ_JOBS:-1}
seeds=$root/tests/fuzz/corpus
regressions=$root/tests/fuzz/regressions

say() { echo "fuzz.sh: $*" >&2; }

# ---- the toolchain: clang with the libFuzzer runtime, and cmake ----

probe_dir=$(mktemp -d)
trap 'rm -rf "$probe_dir"' EXIT

fuzzer_links() {
    printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' \
        >"$probe_dir/probe.c"
    "$cc" -fsanitize=fuzzer,address,undefined "$probe_dir/probe.c" -o "$probe_dir/probe" \
        >/dev/null 2>&1
}

rt_package() {
    # Debian names the runtime after clang's major version: libclang-rt-14-dev.
    local major
    major=$("$cc" -dumpversion 2>/dev/null | cut -d. -f1)
    echo "libclang-rt-${major:-14}-dev"
}

missing=()
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
if ! command -v "$cc" >/dev/null 2>&1; then
    missing+=(clang libclang-rt-14-dev)
elif ! fuzzer_links; then
    missing+=("$(rt_package)")
fi
if ((${#missing[@]})); then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        say "installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
        # clang alone may come without the runtime for its own version.
        if ! fuzzer_links; then
            pkg=$(rt_package)
            say "installing $pkg"
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg"
        fi
        fuzzer_links || { say "$cc still cannot link -fsanitize=fuzzer"; exit 2; }
    else
        say "missing: ${missing[*]}; as root run:"
        say "  apt-get install -y ${missing[*]}"
        exit 2
    fi
fi

# ---- build ----

if [[ ! -f $build/CMakeCache.txt ]]; then
    cmake -S "$root/tests/fuzz" -B "$build" -DCMAKE_C_COMPILER="$cc" \
        ${FUZZ_CFLAGS:+-DCMAKE_C_FLAGS="$FUZZ_CFLAGS"} >/dev/null
fi
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" -- --no-print-directory >/dev/null
fuzzer=$build/fuzz_reply

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# ---- known crashes must stay fixed ----

replay() { # replay FILE [ENV=VALUE...]
    local file=$1
    shift
    if ! env "$@" "$fuzzer" -runs=1 "$file" >"$build/replay.log" 2>&1; then
        grep -E 'ERROR|SUMMARY|invariant failed|^ +#[0-9]+ ' "$build/replay.log" | head -n 30 >&2
        say "regression fails: $file"
        say "reproduce: ${*:+$* }$fuzzer $file"
        exit 1
    fi
}

if [[ -z ${FUZZ_SKIP_REGRESSIONS:-} && -d $regressions ]]; then
    n=0
    for f in "$regressions"/*; do
        [[ -f $f ]] || continue
        replay "$f"
        n=$((n + 1))
    done
    for f in "$regressions"/unordered/*; do
        [[ -f $f ]] || continue
        replay "$f" WF_FUZZ_UNORDERED=1
        n=$((n + 1))
    done
    say "$n regression inputs replayed"
fi

# ---- fuzz ----

mkdir -p "$build/corpus" "$build/artifacts"
args=(-max_total_time="$secs" -timeout=30 -rss_limit_mb=4096 -max_len="${FUZZ_MAX_LEN:-4096}"
    -artifact_prefix="$build/artifacts/" -print_final_stats=1)
((jobs > 1)) && args+=(-fork="$jobs")
say "fuzzing for ${secs}s (log: $build/fuzz.log)"
set +e
"$fuzzer" "${args[@]}" "$build/corpus" "$seeds" >"$build/fuzz.log" 2>&1
rc=$?
set -e
grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$build/fuzz.log" >&2 || true
if ((rc != 0)); then
    grep -E 'ERROR|SUMMARY|invariant failed|^ +#[0-9]+ |Test unit' "$build/fuzz.log" | head -n 40 >&2
    crash=$(grep -o 'Test unit written to [^ ]*' "$build/fuzz.log" | tail -n 1 | cut -d' ' -f5)
    say "the fuzzer failed (exit $rc)"
    if [[ -n $crash ]]; then
        say "reproducer: $crash"
        say "replay: $fuzzer $crash   (WF_FUZZ_TRACE=1 says what it does)"
        say "minimize: $fuzzer -minimize_crash=1 -max_total_time=60 $crash"
    fi
    exit 1
fi
say "no crash in ${secs}s"
