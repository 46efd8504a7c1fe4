/*
 * access.c - POSIX permissions as Windows access rights.
 *
 * FUSE file systems check permissions only if they choose to (Linux
 * enforces them with default_permissions, in the kernel), so the engine
 * checks a user-mode Create against the mode, owner and group the file
 * system reports, as WinFuse does: the owner's, group's or others' rwx
 * bits become read, write and execute rights, and the owner always holds
 * the rights over the file itself (delete, change its security). Root is
 * exempt, as it is from Linux permission checks.
 */
#include "engine/access.h"

#define WF_DEFAULT_RIGHTS (SYNCHRONIZE | READ_CONTROL | FILE_READ_ATTRIBUTES | FILE_READ_EA)
#define WF_OWNER_RIGHTS \
    (WF_DEFAULT_RIGHTS | DELETE | WRITE_DAC | WRITE_OWNER | FILE_WRITE_ATTRIBUTES | FILE_WRITE_EA)
#define WF_ALL_RIGHTS (STANDARD_RIGHTS_ALL | 0x1ffu) /* the standard and file-specific rights */

static ACCESS_MASK rights_of(UINT32 mode, UINT32 perm)
{
    /* Deleting entries needs a writable directory without the sticky bit. */
    ACCESS_MASK delete_child =
        (mode & (LINUX_S_IFMT | LINUX_S_ISVTX)) == LINUX_S_IFDIR ? FILE_DELETE_CHILD : 0;

    return ((perm & 4) ? FILE_READ_DATA : 0) |
        ((perm & 2) ? FILE_WRITE_ATTRIBUTES | FILE_WRITE_DATA | FILE_APPEND_DATA | delete_child
                    : 0) |
        ((perm & 1) ? FILE_EXECUTE : 0);
}

ACCESS_MASK wf_access_rights(UINT32 file_uid, UINT32 file_gid, UINT32 mode, UINT32 uid,
    UINT32 gid)
{
    if (uid == 0)
        return WF_ALL_RIGHTS;
    if (uid == file_uid)
        return WF_OWNER_RIGHTS | rights_of(mode & ~LINUX_S_ISVTX, (mode >> 6) & 7);
    if (gid == file_gid)
        return WF_DEFAULT_RIGHTS | rights_of(mode, (mode >> 3) & 7);
    return WF_DEFAULT_RIGHTS | rights_of(mode, mode & 7);
}

NTSTATUS wf_access_check(UINT32 file_uid, UINT32 file_gid, UINT32 mode, UINT32 uid, UINT32 gid,
    ACCESS_MASK desired, ACCESS_MASK *granted)
{
    ACCESS_MASK rights = wf_access_rights(file_uid, file_gid, mode, uid, gid);
    ACCESS_MASK required = desired & WF_ALL_RIGHTS;

    if ((rights & required) != required) {
        if (granted)
            *granted = 0;
        return STATUS_ACCESS_DENIED;
    }
    if (granted)
        *granted = (desired & MAXIMUM_ALLOWED) ? rights : required;
    return STATUS_SUCCESS;
}

ACCESS_MASK wf_access_map_generic(ACCESS_MASK desired)
{
    ACCESS_MASK mapped = desired & ~(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL);

    if (desired & GENERIC_READ)
        mapped |= FILE_GENERIC_READ;
    if (desired & GENERIC_WRITE)
        mapped |= FILE_GENERIC_WRITE;
    if (desired & GENERIC_EXECUTE)
        mapped |= FILE_GENERIC_EXECUTE;
    if (desired & GENERIC_ALL)
        mapped |= FILE_ALL_ACCESS;
    return mapped;
}
