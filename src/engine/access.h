/*
 * access.h - POSIX permissions as Windows access rights (see access.c).
 */
#ifndef WINFUSE_ENGINE_ACCESS_H
#define WINFUSE_ENGINE_ACCESS_H

#include "winfuse/linux_abi.h"
#include "winfuse/ntdefs.h"

/* The rights (uid, gid) holds on a file with this owner, group and mode. */
ACCESS_MASK wf_access_rights(UINT32 file_uid, UINT32 file_gid, UINT32 mode, UINT32 uid,
    UINT32 gid);

/*
 * STATUS_ACCESS_DENIED unless every right in desired (generic rights
 * already mapped) is held. *granted (may be NULL) gets the rights asked
 * for, or all rights held when MAXIMUM_ALLOWED is asked for.
 */
NTSTATUS wf_access_check(UINT32 file_uid, UINT32 file_gid, UINT32 mode, UINT32 uid, UINT32 gid,
    ACCESS_MASK desired, ACCESS_MASK *granted);

/* GENERIC_* rights as the file-specific rights they stand for. */
ACCESS_MASK wf_access_map_generic(ACCESS_MASK desired);

#endif
