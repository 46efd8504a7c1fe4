/*
 * fileinfo.c - FUSE attributes -> WinFsp FILE_INFO (rules in fileinfo.h).
 */
#include <string.h>

#include "engine/fileinfo.h"

#include "engine/filetime.h"
#include "winfuse/linux_abi.h"

/* The largest size that still rounds up to a multiple of unit within INT64_MAX. */
static UINT64 size_limit(UINT64 unit)
{
    return (UINT64)INT64_MAX / unit * unit;
}

/* x <= size_limit(unit), so the result cannot overflow. */
static UINT64 round_up(UINT64 x, UINT64 unit)
{
    return (x + unit - 1) / unit * unit;
}

static bool is_hidden_name(const char *name, size_t name_len)
{
    if (name == NULL || name_len == 0 || name[0] != '.')
        return false;
    if (name_len == 1 || (name_len == 2 && name[1] == '.'))
        return false;
    return true;
}

void wf_fileinfo_from_attr(const struct fuse_attr *attr, const wf_fileinfo_options *opts,
    const char *name, size_t name_len, FSP_FSCTL_FILE_INFO *info)
{
    UINT64 unit = opts != NULL && opts->allocation_unit != 0 ? opts->allocation_unit : 1;
    UINT64 limit = size_limit(unit);
    UINT32 type = attr->mode & LINUX_S_IFMT;
    UINT64 size = attr->size, used;

    memset(info, 0, sizeof *info);

    switch (type) {
    case LINUX_S_IFDIR:
        info->FileAttributes = FILE_ATTRIBUTE_DIRECTORY;
        size = 0;
        break;
    case LINUX_S_IFLNK:
        info->FileAttributes = FILE_ATTRIBUTE_REPARSE_POINT;
        info->ReparseTag = IO_REPARSE_TAG_SYMLINK;
        size = 0;
        break;
    case LINUX_S_IFIFO:
    case LINUX_S_IFCHR:
    case LINUX_S_IFBLK:
    case LINUX_S_IFSOCK:
        info->FileAttributes = FILE_ATTRIBUTE_REPARSE_POINT;
        info->ReparseTag = IO_REPARSE_TAG_NFS;
        break;
    default:
        break;
    }

    if (type != LINUX_S_IFDIR && type != LINUX_S_IFLNK && (attr->mode & LINUX_S_IWALL) == 0)
        info->FileAttributes |= FILE_ATTRIBUTE_READONLY;
    if (opts != NULL && opts->hide_dot_files && is_hidden_name(name, name_len))
        info->FileAttributes |= FILE_ATTRIBUTE_HIDDEN;

    if (size > limit)
        size = limit;
    info->FileSize = size;
    if (type == LINUX_S_IFDIR || type == LINUX_S_IFLNK)
        used = 0;
    else
        used = attr->blocks > limit / 512 ? limit : attr->blocks * 512;
    info->AllocationSize = round_up(used > size ? used : size, unit);

    /* The wire's seconds are signed (time64_t) despite their type. */
    info->LastAccessTime = wf_filetime_from_unix((int64_t)attr->atime, attr->atimensec);
    info->LastWriteTime = wf_filetime_from_unix((int64_t)attr->mtime, attr->mtimensec);
    info->ChangeTime = wf_filetime_from_unix((int64_t)attr->ctime, attr->ctimensec);
    info->CreationTime = info->LastWriteTime < info->ChangeTime ?
        info->LastWriteTime : info->ChangeTime;

    info->IndexNumber = attr->ino;
    info->HardLinks = 0;
    info->EaSize = 0;
}

UINT32 wf_mode_apply_readonly(UINT32 mode, bool readonly)
{
    if (readonly)
        return mode & ~(UINT32)LINUX_S_IWALL;
    if ((mode & LINUX_S_IWALL) == 0)
        return mode | LINUX_S_IWUSR;
    return mode;
}
