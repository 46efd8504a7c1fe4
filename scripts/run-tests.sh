#!/usr/bin/env bash
# run-tests.sh BUILD_DIR - run every CTest test of a build and count cases.
#
# Each test records its own "passed failed" counts (tests/wf_test.h,
# tests/lib.sh). A test that failed without saying how many of its cases
# failed (a crash, a sanitizer report at exit) counts one more failure;
# one that passed without a record counts as one case. The last line is
# "N passed, N failed"; the exit status is non-zero when anything failed.
set -u
build=${1:?usage: run-tests.sh BUILD_DIR}
tally=$build/tally
failed_log=$build/Testing/Temporary/LastTestsFailed.log

rm -rf "$tally" "$failed_log"
mkdir -p "$tally"

ctest --test-dir "$build" --output-on-failure --parallel "$(nproc)" --timeout 600
ctest_rc=$?

passed=0 failed=0
while read -r name; do
    p=0 f=0
    if [ -s "$tally/$name" ]; then read -r p f <"$tally/$name"; fi
    if [ -f "$failed_log" ] && grep -qx "[0-9]*:$name" "$failed_log"; then
        [ "$f" -eq 0 ] && f=1
    elif [ ! -s "$tally/$name" ]; then
        p=1
    fi
    passed=$((passed + p)) failed=$((failed + f))
done < <(ctest --test-dir "$build" -N | sed -n 's/^ *Test *#[0-9]*: *//p')

if [ "$ctest_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1 # ctest itself failed (no tests found, a bad configuration)
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
