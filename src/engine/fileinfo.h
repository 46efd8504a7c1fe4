/*
 * fileinfo.h - FUSE attributes -> WinFsp FILE_INFO, and back for the
 * read-only attribute.
 *
 * The rules (WinFsp's FUSE layer and WinFuse make the same first three):
 *   - type: a directory is FILE_ATTRIBUTE_DIRECTORY; a symlink is a reparse
 *     point tagged IO_REPARSE_TAG_SYMLINK; a FIFO, character or block
 *     device or socket is a reparse point tagged IO_REPARSE_TAG_NFS, the
 *     tag Windows' NFS client gives special files; anything else is a
 *     plain file with no attribute bits, which the FSD reports as
 *     FILE_ATTRIBUTE_NORMAL. FILE_ATTRIBUTE_DIRECTORY for a symlink whose
 *     target is a directory is the caller's to add: only it can resolve
 *     the target.
 *   - FILE_ATTRIBUTE_READONLY: a file that is neither a directory nor a
 *     symlink and has no write bit for anyone (mode & 0222 == 0). On a
 *     directory Windows gives the bit another meaning (Explorer marks
 *     customized folders with it), and a symlink's mode means nothing.
 *   - FILE_ATTRIBUTE_HIDDEN: with hide_dot_files, a name that begins
 *     with '.', other than "." and "..".
 *   - sizes: FileSize is attr->size, but 0 for directories and symlinks,
 *     as NTFS reports them. AllocationSize is the larger of FileSize and
 *     blocks * 512, rounded up to the allocation unit: never below
 *     FileSize (the cache manager relies on that), yet showing space
 *     preallocated beyond the end of file. Sizes are clamped so that the
 *     rounded values stay within INT64_MAX, NT's limit.
 *   - times: atime, mtime and ctime become LastAccessTime, LastWriteTime
 *     and ChangeTime. FUSE carries no birth time; CreationTime is the
 *     earlier of mtime and ctime, the oldest moment the attributes prove
 *     the file existed. (WinFuse uses ctime, which a chmod or rename moves
 *     past the last write; WinFsp's FUSE layer uses a birth time that
 *     FUSE file systems do not provide, giving 1970.)
 *   - IndexNumber is the inode number; HardLinks and EaSize are 0, as
 *     WinFsp defines them (unimplemented; EAs are not counted here).
 */
#ifndef WINFUSE_ENGINE_FILEINFO_H
#define WINFUSE_ENGINE_FILEINFO_H

#include <stdbool.h>
#include <stddef.h>

#include "winfuse/fsctl.h"
#include "winfuse/fuse_proto.h"
#include "winfuse/ntdefs.h"

typedef struct wf_fileinfo_options {
    /* Bytes per allocation unit (SectorSize * SectorsPerAllocationUnit); 0 is taken as 1. */
    UINT32 allocation_unit;
    /* Report names beginning with '.' as FILE_ATTRIBUTE_HIDDEN. */
    bool hide_dot_files;
} wf_fileinfo_options;

/*
 * Fill *info from *attr. opts may be NULL (all options off, no rounding).
 * name is the last path component in UTF-8, name_len bytes, no terminator
 * needed; it may be NULL (name_len 0), e.g. for the root directory.
 */
void wf_fileinfo_from_attr(const struct fuse_attr *attr, const wf_fileinfo_options *opts,
    const char *name, size_t name_len, FSP_FSCTL_FILE_INFO *info);

/*
 * The mode to set when a Windows caller sets or clears
 * FILE_ATTRIBUTE_READONLY: setting it clears every write bit; clearing it
 * gives the owner write permission if nobody had any, and otherwise leaves
 * the mode alone. The file type and the other bits are kept.
 */
UINT32 wf_mode_apply_readonly(UINT32 mode, bool readonly);

#endif
