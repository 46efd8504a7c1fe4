# lib.sh - sourced by the shell integration tests.
#
# A test calls wf_pass/wf_fail per case and wf_finish at the end, which
# records the counts for scripts/run-tests.sh (WF_TEST_TALLY) and sets the
# exit status. Cleanup registered with wf_on_exit runs however the test ends.

WF_PASSED=0
WF_FAILED=0
WF_CLEANUP=()

wf_on_exit() { WF_CLEANUP+=("$*"); }

wf_run_cleanup() {
    local i
    for ((i = ${#WF_CLEANUP[@]} - 1; i >= 0; i--)); do eval "${WF_CLEANUP[i]}" || true; done
    WF_CLEANUP=()
}
trap wf_run_cleanup EXIT

wf_pass() { WF_PASSED=$((WF_PASSED + 1)); echo "PASS $*"; }
wf_fail() { WF_FAILED=$((WF_FAILED + 1)); echo "FAIL $*"; }

# wf_check NAME COMMAND...: one case, passed when COMMAND succeeds.
wf_check() {
    local name=$1; shift
    if "$@"; then wf_pass "$name"; else wf_fail "$name"; fi
}

wf_finish() {
    [ -n "${WF_TEST_TALLY:-}" ] && echo "$WF_PASSED $WF_FAILED" >"$WF_TEST_TALLY"
    echo "$WF_PASSED passed, $WF_FAILED failed"
    [ "$WF_FAILED" -eq 0 ]
}
