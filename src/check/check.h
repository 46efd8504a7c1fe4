/*
 * check.h - the Windows-semantics conformance suite: `winfuse check`.
 *
 * The suite runs a registry of cases against any fsd volume (whatever FUSE
 * file system serves it) through the NT file API (winfuse/nt.h), and
 * asserts the exact statuses, results and data that NTFS gives for the
 * same calls, as verified on Windows by winfsp-tests (docs/conformance.md
 * maps every case to the winfsp-tests test it corresponds to).
 *
 * Each case gets a fresh scratch directory \check-<name> under the volume
 * root, creates what it needs there and leaves nothing behind: handles a
 * case leaves open are closed and the scratch directory is removed after
 * it, whether it passed or not, so a failing case never breaks the next.
 *
 * Output, one line per case, then a tally:
 *     PASS name
 *     FAIL name: expected STATUS_X got STATUS_Y (check_x.c:123)
 *     SKIP name: reason
 *     N passed, N failed, N skipped
 * or, with json, one JSON document with the same facts.
 *
 * What the volume cannot do is detected up front and its cases are
 * skipped with the reason, never passed: a read-only volume (FILE_READ_ONLY_VOLUME,
 * or a scratch directory that cannot be created because the media is write
 * protected) runs only the cases that change nothing; the case-sensitive
 * or the case-insensitive set runs as FILE_CASE_SENSITIVE_SEARCH says;
 * reparse point, POSIX-semantics and security cases need the volume's
 * FILE_SUPPORTS_REPARSE_POINTS, FILE_SUPPORTS_POSIX_UNLINK_RENAME and
 * FILE_PERSISTENT_ACLS.
 */
#ifndef WINFUSE_CHECK_CHECK_H
#define WINFUSE_CHECK_CHECK_H

#include <stdbool.h>
#include <stdio.h>

#include "winfuse/fsd.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wf_check_options {
    /*
     * What the file system cannot do, although the volume does not say so;
     * the cases that need it are skipped with the reason:
     */
    bool read_only;        /* never write: run the read-only-safe cases only */
    bool case_insensitive; /* names fold case although FILE_CASE_SENSITIVE_SEARCH is set */
    bool no_security;      /* owners, groups and permissions are not kept */
    bool no_symlinks;      /* symbolic links cannot be made */
    bool no_times;         /* file times cannot be set */
    /* Run only the cases whose name contains this; NULL: all. */
    const char *only;
    /* One JSON document instead of text lines. */
    bool json;
    /* Where to print; NULL: stdout. */
    FILE *out;
} wf_check_options;

typedef struct wf_check_result {
    unsigned passed, failed, skipped;
} wf_check_result;

/*
 * Runs the suite. opts may be NULL (all cases, text to stdout). Returns 0
 * when no case failed, 1 when some did, 2 when the volume could not be
 * used at all (its root cannot be opened); result (may be NULL) gets the
 * counts in every case.
 */
int wf_check_run(wf_fsd_volume *volume, const wf_check_options *opts, wf_check_result *result);

/* The number of cases in the registry. */
unsigned wf_check_count(void);

/*
 * The registry, for listings and documentation: case index (below
 * wf_check_count()) to its name, its one-line description of the Windows
 * behaviour it verifies, and the winfsp-tests test it corresponds to.
 * false past the end.
 */
bool wf_check_describe(unsigned index, const char **name, const char **description,
    const char **winfsp_test);

#ifdef __cplusplus
}
#endif

#endif
