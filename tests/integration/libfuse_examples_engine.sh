#!/usr/bin/env bash
# libfuse_examples_engine.sh - the same libfuse example sources that
# libfuse_lowlevel.sh mounts on the Linux kernel (Debian's libfuse3-dev,
# unmodified, built against our headers and libfuse3.so), this time on the
# engine channel: `winfuse check`, the Windows conformance suite through
# the fsd and the engine, with the program given "/dev/fd/N" as mountpoint.
#
#     libfuse_examples_engine.sh [WINFUSE [EXAMPLES_DIR]]
#         (default: build/bin/winfuse, build/tests/libfuse-examples)
#
# hello (high-level, read-only) runs with -o read_only; passthrough_ll
# serves a temporary directory. passthrough and passthrough_fh are never
# run here: they serve the host's "/", where the suite creates and deletes.
# A case passes when the suite runs to its end (exit 0 or 1, a tally line)
# with at least a floor of passed cases; which cases fail is the
# conformance suite's business (docs/conformance.md).
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"

WINFUSE=${1:-$here/../../build/bin/winfuse}
EX=${2:-${LIBFUSE_EXAMPLES:-$here/../../build/tests/libfuse-examples}}
TMP=$(mktemp -d /tmp/libfuse-ex-engine.XXXXXX)
wf_on_exit "rm -rf '$TMP'"

skip() {
    echo "SKIP: $*"
    [ -n "${WF_TEST_TALLY:-}" ] && echo "0 0" >"$WF_TEST_TALLY"
    exit 77
}

[ -x "$WINFUSE" ] || skip "no winfuse at $WINFUSE"
for p in hello passthrough_ll; do
    [ -x "$EX/$p" ] || skip "no $p in $EX"
done

# check_run NAME MIN_PASSED WINFUSE-CHECK-ARGS...
check_run() {
    local name=$1 min=$2 rc tally passed
    shift 2
    timeout 600 "$WINFUSE" check "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
    rc=$?
    tally=$(tail -n 1 "$TMP/$name.out")
    echo "    $name: $tally (exit $rc)"
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
        wf_fail "$name: winfuse check exited with $rc"
        tail -n 5 "$TMP/$name.err" | sed 's/^/        /'
        return 1
    fi
    passed=$(sed -n 's/^\([0-9][0-9]*\) passed, .*/\1/p' <<<"$tally")
    if [ -n "$passed" ] && [ "$passed" -ge "$min" ]; then
        wf_pass "$name"
    else
        wf_fail "$name: fewer than $min cases passed"
        tail -n 5 "$TMP/$name.err" | sed 's/^/        /'
        return 1
    fi
}

# hello: 23 of the suite's cases apply to a read-only single-file tree.
check_run hello 20 -o read_only -- "$EX/hello" -f {}

# passthrough_ll over a directory of our own (240 to 252 cases pass).
mkdir -p "$TMP/src"
check_run passthrough_ll 200 -- "$EX/passthrough_ll" -f -o "source=$TMP/src" {}

wf_finish
