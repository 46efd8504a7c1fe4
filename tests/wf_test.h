/*
 * wf_test.h - what every cmocka unit test includes.
 *
 * WF_RUN_TESTS runs a group and records "passed failed" in the file named
 * by WF_TEST_TALLY, so that scripts/run-tests.sh can count cases rather
 * than programs. A program that crashes leaves no record and is counted
 * as one failure.
 */
#ifndef WINFUSE_TESTS_WF_TEST_H
#define WINFUSE_TESTS_WF_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

static inline int wf_test_tally(size_t total, int failed)
{
    const char *path = getenv("WF_TEST_TALLY");
    if (failed < 0 || (size_t)failed > total)
        failed = (int)total;
    if (path && *path) {
        FILE *file = fopen(path, "w");
        if (file) {
            fprintf(file, "%zu %d\n", total - (size_t)failed, failed);
            fclose(file);
        }
    }
    return failed ? 1 : 0;
}

#define WF_RUN_TESTS(tests) \
    wf_test_tally(sizeof(tests) / sizeof((tests)[0]), cmocka_run_group_tests(tests, NULL, NULL))

#endif
