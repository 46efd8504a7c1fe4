/*
 * attr.c - Linux names and attributes from Windows ones.
 *
 * stat: FileAllInformation gives times, sizes, attributes and the
 * IndexNumber (st_ino); the security descriptor gives owner, group and
 * permission bits through the POSIX mapping (engine/security.h, WinFsp's);
 * the file type is a directory, a reparse point (IO_REPARSE_TAG_SYMLINK:
 * a symbolic link, whose st_size is the length of its target as Linux
 * wants it; IO_REPARSE_TAG_NFS: a FIFO, socket or device, as Windows'
 * NFS client tags them) or a regular file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "engine/filetime.h"
#include "engine/path.h"
#include "engine/security.h"
#include "lxfront/internal.h"

#define LX_NFS_SPECFILE_FIFO 0x000000004F464946ull
#define LX_NFS_SPECFILE_CHR 0x0000000000524843ull
#define LX_NFS_SPECFILE_BLK 0x00000000004B4C42ull
#define LX_NFS_SPECFILE_SOCK 0x000000004B434F53ull
#define LX_REPARSE_MAX 16384u

int lx_name_to_windows(const char *name, WCHAR *out, size_t *len)
{
    size_t n = strlen(name);
    NTSTATUS status;

    if (n == 0)
        return -EINVAL;
    status = wf_name_posix_to_windows(name, n, out, LX_NAME_MAX, len);
    if (status == STATUS_BUFFER_TOO_SMALL)
        return -ENAMETOOLONG;
    if (!NT_SUCCESS(status))
        return -EINVAL;
    return 0;
}

char *lx_name_to_linux(const WCHAR *name, size_t len)
{
    size_t need = 0;
    NTSTATUS status = wf_name_windows_to_posix(name, len, NULL, 0, &need);
    char *out;

    if (status != STATUS_BUFFER_TOO_SMALL && !NT_SUCCESS(status))
        return NULL;
    out = malloc(need + 1);
    if (!out)
        return NULL;
    if (!NT_SUCCESS(wf_name_windows_to_posix(name, len, out, need, &need))) {
        free(out);
        return NULL;
    }
    out[need] = 0;
    return out;
}

static void put_time(struct timespec *ts, INT64 ft)
{
    int64_t sec;
    uint32_t nsec;

    wf_filetime_to_unix(ft < 0 ? 0 : (UINT64)ft, &sec, &nsec);
    ts->tv_sec = (time_t)sec;
    ts->tv_nsec = (long)nsec;
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The reparse data of h: type, size (symlinks) and rdev (devices). */
static NTSTATUS stat_reparse(lx_req *r, nt_handle h, struct stat *st)
{
    uint8_t *buf = malloc(LX_REPARSE_MAX);
    UINT32 done = 0;
    NTSTATUS status;

    if (!buf)
        return STATUS_INSUFFICIENT_RESOURCES;
    status = lx_nt_fsctl(r, h, FSCTL_GET_REPARSE_POINT, NULL, 0, buf, LX_REPARSE_MAX, &done);
    if (NT_SUCCESS(status) && done >= 8) {
        uint32_t tag = get32(buf);
        if (tag == IO_REPARSE_TAG_SYMLINK && done >= 20) {
            uint16_t off = get16(buf + 8), len = get16(buf + 10);
            size_t n = 0;
            st->st_mode = (st->st_mode & ~(mode_t)S_IFMT) | S_IFLNK;
            if (20u + off + len <= done && len % sizeof(WCHAR) == 0) {
                /* The reparse buffer need not keep WCHARs aligned. */
                WCHAR target[LX_REPARSE_MAX / sizeof(WCHAR)];
                NTSTATUS s;
                memcpy(target, buf + 20 + off, len);
                s = wf_path_windows_to_posix(target, len / sizeof(WCHAR), NULL, 0, &n);
                if (s == STATUS_SUCCESS || s == STATUS_BUFFER_TOO_SMALL)
                    st->st_size = (off_t)n;
            }
        } else if (tag == IO_REPARSE_TAG_NFS && done >= 16) {
            uint64_t type = get32(buf + 8) | (uint64_t)get32(buf + 12) << 32;
            mode_t fmt = 0;
            if (type == LX_NFS_SPECFILE_FIFO)
                fmt = S_IFIFO;
            else if (type == LX_NFS_SPECFILE_SOCK)
                fmt = S_IFSOCK;
            else if (type == LX_NFS_SPECFILE_CHR)
                fmt = S_IFCHR;
            else if (type == LX_NFS_SPECFILE_BLK)
                fmt = S_IFBLK;
            if (fmt) {
                st->st_mode = (st->st_mode & ~(mode_t)S_IFMT) | fmt;
                st->st_size = 0;
            }
            if ((fmt == S_IFCHR || fmt == S_IFBLK) && done >= 24)
                st->st_rdev = makedev(get32(buf + 16), get32(buf + 20));
        }
    }
    free(buf);
    return status;
}

static uint32_t perm_bits(uint32_t mask)
{
    return ((mask & FILE_READ_DATA) ? 4u : 0u) |
        ((mask & (FILE_WRITE_DATA | FILE_APPEND_DATA)) == (FILE_WRITE_DATA | FILE_APPEND_DATA)
                ? 2u : 0u) |
        ((mask & FILE_EXECUTE) ? 1u : 0u);
}

/*
 * WinFsp's mapping gives uid N and gid N one SID (root's S-1-5-0, the
 * first user's S-1-5-1000), and then the generic reading cannot tell the
 * owner's permissions from the group's. The descriptors the engine
 * builds still keep them apart by order: the first ACE allowing that SID
 * is the owner's, the second the group's.
 */
static uint32_t same_sid_mode(const void *sd, size_t len, uint32_t mode, bool dir)
{
    wf_sd_view v;
    wf_ace_view a;
    size_t pos = 0;
    uint16_t index;
    uint32_t bits[2] = {0, 0};
    unsigned allows = 0;
    bool sticky = false;

    if (!NT_SUCCESS(wf_sd_parse(sd, len, &v)) || !v.owner || !v.group || !v.dacl ||
        !wf_sid_equal(v.owner, v.group))
        return mode;
    while (wf_acl_next_ace(v.dacl, &pos, &index, &a)) {
        if (a.type != ACCESS_ALLOWED_ACE_TYPE || !a.sid)
            continue;
        /* Sticky: a class that may write entries but not delete others'. */
        if (dir && (a.mask & FILE_WRITE_DATA) && !(a.mask & FILE_DELETE_CHILD) &&
            (allows == 1 || wf_sid_equal(a.sid, wf_sid_world)))
            sticky = true;
        if (!wf_sid_equal(a.sid, v.owner))
            continue;
        if (allows < 2)
            bits[allows] = perm_bits(a.mask);
        allows++;
    }
    if (allows != 2)
        return mode;
    return (mode & ~01770u) | bits[0] << 6 | bits[1] << 3 | (sticky ? 01000u : 0u);
}

NTSTATUS lx_stat_handle(lx_req *r, nt_handle h, struct stat *st)
{
    struct {
        FILE_ALL_INFORMATION all;
        WCHAR name[64];
    } info;
    uint8_t sd[1024];
    UINT32 needed = 0;
    uint32_t uid = 0, gid = 0, mode = 0;
    NTSTATUS status;

    memset(st, 0, sizeof *st);
    memset(&info, 0, sizeof info);
    status = lx_nt_query_info(r, h, &info, sizeof info, FileAllInformation);
    /* The name may not fit: the fixed part is all that is read. */
    if (!NT_SUCCESS(status) && status != STATUS_BUFFER_OVERFLOW)
        return status;
    status = lx_nt_query_security(r, h,
        OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, sd,
        sizeof sd, &needed);
    if (!NT_SUCCESS(status))
        return status;
    status = wf_sd_to_posix(r->lx->opt.idmap, sd, needed < sizeof sd ? needed : sizeof sd, &uid,
        &gid, &mode);
    if (!NT_SUCCESS(status))
        return status;
    mode = same_sid_mode(sd, needed < sizeof sd ? needed : sizeof sd, mode,
        (info.all.BasicInformation.FileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0);

    st->st_ino = (ino_t)info.all.InternalInformation.IndexNumber;
    st->st_nlink = info.all.StandardInformation.NumberOfLinks ?
        info.all.StandardInformation.NumberOfLinks : 1;
    st->st_uid = uid;
    st->st_gid = gid;
    st->st_mode = (mode & 07777) |
        ((info.all.BasicInformation.FileAttributes & FILE_ATTRIBUTE_DIRECTORY) ? S_IFDIR : S_IFREG);
    st->st_size = info.all.StandardInformation.EndOfFile;
    st->st_blksize = 4096;
    st->st_blocks = (info.all.StandardInformation.AllocationSize + 511) / 512;
    put_time(&st->st_atim, info.all.BasicInformation.LastAccessTime);
    put_time(&st->st_mtim, info.all.BasicInformation.LastWriteTime);
    put_time(&st->st_ctim, info.all.BasicInformation.ChangeTime);
    if (S_ISREG(st->st_mode) &&
        (info.all.BasicInformation.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)) {
        status = stat_reparse(r, h, st);
        if (!NT_SUCCESS(status))
            return status;
    }
    return STATUS_SUCCESS;
}

NTSTATUS lx_open_path(lx_req *r, lx_node *n, const WCHAR *child, size_t child_len,
    ACCESS_MASK access, UINT32 disposition, UINT32 options, const void *sd, size_t sd_len,
    nt_handle *h, UINT64 *information, bool locked)
{
    wf_lx *lx = r->lx;
    WCHAR *path;
    size_t len;
    NTSTATUS status;
    int err;

    if (!locked)
        pthread_rwlock_rdlock(&lx->rename_lock);
    err = lx_node_path(lx, n, child, child_len, &path, &len);
    if (err) {
        if (!locked)
            pthread_rwlock_unlock(&lx->rename_lock);
        return err == -ENOENT ? STATUS_OBJECT_NAME_NOT_FOUND
             : err == -ENAMETOOLONG ? STATUS_NAME_TOO_LONG : STATUS_INSUFFICIENT_RESOURCES;
    }
    status = lx_nt_open(r, h, path, len, access, disposition, options, sd, sd_len, information);
    if (!locked)
        pthread_rwlock_unlock(&lx->rename_lock);
    free(path);
    /*
     * The node's own path may name another file by now, renamed or made
     * there from Windows: that is not this node's file. ESTALE makes the
     * kernel look the name up again (and retry the call).
     */
    if (NT_SUCCESS(status) && !child_len && n != lx->root && n->file_id) {
        FILE_INTERNAL_INFORMATION id;
        NTSTATUS s = lx_nt_query_info(r, *h, &id, sizeof id, FileInternalInformation);
        if (NT_SUCCESS(s) && (uint64_t)id.IndexNumber != n->file_id) {
            lx_trace(lx, "linux  #%llu node %llu: its path names another file now", r->id,
                (unsigned long long)n->nodeid);
            s = STATUS_FILE_INVALID;
        }
        if (!NT_SUCCESS(s)) {
            lx_nt_close(r, *h);
            *h = 0;
            status = s;
        }
    }
    return status;
}

int lx_stat_node(lx_req *r, lx_node *n, struct stat *st)
{
    nt_handle h;
    NTSTATUS status = lx_open_path(r, n, NULL, 0,
        FILE_READ_ATTRIBUTES | READ_CONTROL | SYNCHRONIZE, FILE_OPEN, FILE_OPEN_REPARSE_POINT,
        NULL, 0, &h, NULL, false);

    if (!NT_SUCCESS(status))
        return -lx_errno(status);
    status = lx_stat_handle(r, h, st);
    lx_nt_close(r, h);
    return NT_SUCCESS(status) ? 0 : -lx_errno(status);
}
