#!/usr/bin/env bash
# memfs.sh WINFUSE - `winfuse check` on the embedded memfs (our libfuse on
# the engine channel), on a case-sensitive and a case-insensitive volume.
# Every case counts: each must pass or be skipped with its reason.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"

WINFUSE=${1:?usage: memfs.sh WINFUSE}
TMP=$(mktemp -d /tmp/winfuse-check.XXXXXX)
wf_on_exit "rm -rf '$TMP'"

for mode in case_sensitive case_insensitive; do
    opts=()
    [ "$mode" = case_insensitive ] && opts=(-o case_insensitive)
    timeout 600 "$WINFUSE" check "${opts[@]}" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    tally=$(tail -n 1 "$TMP/out")
    grep '^FAIL ' "$TMP/out" | sed "s/^FAIL /FAIL $mode: /"
    passed=$(sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*/\1/p' <<<"$tally")
    failed=$(sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*/\2/p' <<<"$tally")
    echo "$mode: $tally (exit $rc)"
    if [ -z "$passed" ] || { [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; }; then
        tail -n 5 "$TMP/err"
        wf_fail "$mode: winfuse check did not run to its end (exit $rc)"
        continue
    fi
    WF_PASSED=$((WF_PASSED + passed))
    WF_FAILED=$((WF_FAILED + failed))
done
wf_finish
