/*
 * filetime.h - Windows FILETIME <-> POSIX time.
 *
 * A FILETIME counts 100-nanosecond intervals since 1601-01-01 00:00 UTC; a
 * FUSE attribute carries seconds and nanoseconds since 1970-01-01 UTC.
 *
 * Range. NT reads every FILETIME as a signed LARGE_INTEGER (a negative one
 * means a relative time, and SetInformation gives 0 and -1 special
 * meanings), so the FILETIMEs produced here lie in 0..WF_FILETIME_MAX
 * (INT64_MAX, in the year 30828). A POSIX time before 1601 becomes 0 and
 * one after WF_FILETIME_MAX becomes WF_FILETIME_MAX; a FILETIME above
 * WF_FILETIME_MAX is read as WF_FILETIME_MAX.
 *
 * Precision. FILETIME has 100 ns steps: nanoseconds are truncated toward
 * the past (floor, also for times before 1970, where nsec still counts
 * forward from sec as in a struct timespec). So unix -> FILETIME -> unix
 * gives the time floored to 100 ns, and FILETIME -> unix -> FILETIME gives
 * back every FILETIME in 0..WF_FILETIME_MAX exactly.
 *
 * Untrusted input. nsec above 999999999 (which a FUSE peer may send) is
 * clamped to 999999999: the time stays inside the second the peer named,
 * rather than spilling into the next ones.
 */
#ifndef WINFUSE_ENGINE_FILETIME_H
#define WINFUSE_ENGINE_FILETIME_H

#include <stdint.h>

#include "winfuse/ntdefs.h"

/* 1970-01-01 00:00 UTC as a FILETIME: 11644473600 s after 1601-01-01. */
#define WF_FILETIME_UNIX_EPOCH 116444736000000000ull
#define WF_FILETIME_MAX ((UINT64)INT64_MAX)
#define WF_FILETIME_PER_SEC 10000000ull

UINT64 wf_filetime_from_unix(int64_t sec, uint32_t nsec);
void wf_filetime_to_unix(UINT64 ft, int64_t *sec, uint32_t *nsec);

#endif
