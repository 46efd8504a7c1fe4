/*
 * filetime.c - Windows FILETIME <-> POSIX time (see filetime.h).
 */
#include "engine/filetime.h"

/* Seconds from 1601-01-01 to 1970-01-01. */
#define EPOCH_DELTA_SEC 11644473600ll

/* Whole seconds since 1601 that WF_FILETIME_MAX holds, and the rest. */
#define MAX_SEC_1601 ((int64_t)(WF_FILETIME_MAX / WF_FILETIME_PER_SEC))
#define MAX_REM_TICKS (WF_FILETIME_MAX % WF_FILETIME_PER_SEC)

UINT64 wf_filetime_from_unix(int64_t sec, uint32_t nsec)
{
    int64_t sec_1601;
    UINT64 ticks;

    if (nsec > 999999999u)
        nsec = 999999999u;

    /* Compared before adding, so that no sum can overflow. */
    if (sec < -EPOCH_DELTA_SEC)
        return 0;
    if (sec > MAX_SEC_1601 - EPOCH_DELTA_SEC)
        return WF_FILETIME_MAX;

    sec_1601 = sec + EPOCH_DELTA_SEC;
    ticks = nsec / 100u;
    if (sec_1601 == MAX_SEC_1601 && ticks > MAX_REM_TICKS)
        return WF_FILETIME_MAX;
    return (UINT64)sec_1601 * WF_FILETIME_PER_SEC + ticks;
}

void wf_filetime_to_unix(UINT64 ft, int64_t *sec, uint32_t *nsec)
{
    if (ft > WF_FILETIME_MAX)
        ft = WF_FILETIME_MAX;

    /*
     * Split since 1601, where everything is non-negative, then move the
     * whole seconds to 1970: the fraction then needs no floor correction.
     */
    *sec = (int64_t)(ft / WF_FILETIME_PER_SEC) - EPOCH_DELTA_SEC;
    *nsec = (uint32_t)(ft % WF_FILETIME_PER_SEC) * 100u;
}
