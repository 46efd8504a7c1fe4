/*
 * ops.c - the kernel's name and attribute requests as NT calls.
 *
 * Every path-based request opens the file by its Windows path with
 * FILE_OPEN_REPARSE_POINT (the kernel resolved every symbolic link on the
 * way already; the last component is never followed), shares everything
 * (Linux has no share modes), acts, and closes. Opens are made with the
 * caller's credentials, so the engine's access checks are the permission
 * checks (no default_permissions); where Linux decides by the parent
 * directory rather than by the file (deleting, renaming), a caller
 * denied DELETE on the file who may delete children of the parent
 * (FILE_DELETE_CHILD, as Windows' own rule) gets the delete done.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "engine/filetime.h"
#include "engine/path.h"
#include "engine/security.h"
#include "lxfront/internal.h"

#define LX_ATTR_ACCESS (FILE_READ_ATTRIBUTES | READ_CONTROL | SYNCHRONIZE)
#define LX_REPARSE_MAX 16384u

/* ---- helpers ---- */

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void entry_param(wf_lx *lx, struct fuse_entry_param *e, uint64_t ino,
    const struct stat *st)
{
    memset(e, 0, sizeof *e);
    e->ino = ino;
    if (st)
        e->attr = *st;
    e->attr_timeout = lx->opt.attr_timeout;
    e->entry_timeout = lx->opt.entry_timeout;
}

/* Answer a lookup-like request with the node for (parent, name). */
static void reply_entry(lx_req *r, lx_node *parent, const WCHAR *name, size_t len,
    const struct stat *st)
{
    struct fuse_entry_param e;
    lx_node *n = lx_node_found(r->lx, parent, name, len, st->st_ino, st->st_mode & S_IFMT);

    if (!n) {
        lx_reply_err(r, ENOMEM);
        return;
    }
    entry_param(r->lx, &e, n->nodeid, st);
    lx_trace(r->lx, "linux  #%llu -> node %llu (ino %llu, mode 0%o, size %lld)", r->id,
        (unsigned long long)n->nodeid, (unsigned long long)st->st_ino, (unsigned)st->st_mode,
        (long long)st->st_size);
    /* The kernel did not take the reference when the reply went nowhere. */
    if (fuse_reply_entry(r->req, &e) != 0)
        lx_node_forget(r->lx, n->nodeid, 1);
}

/* A name for a lookup; -errno. */
static int map_name(const char *name, WCHAR *w, size_t *len)
{
    return lx_name_to_windows(name, w, len);
}

/* The st of a node by any means: its open file (fi), its path, or any open file of it. */
static int stat_any(lx_req *r, lx_node *n, struct fuse_file_info *fi, struct stat *st)
{
    lx_file *f = lx_file_of(fi);
    NTSTATUS status;
    int err;

    if (f)
        return NT_SUCCESS(status = lx_stat_handle(r, f->handle, st)) ? 0 : -lx_errno(status);
    err = lx_stat_node(r, n, st);
    if (err == -ENOENT || err == -ESTALE) {
        /* Unlinked or replaced but open somewhere: fstat through that handle. */
        lx_file *g = lx_file_any(r->lx, n);
        if (g) {
            status = lx_stat_handle(r, g->handle, st);
            err = NT_SUCCESS(status) ? 0 : -lx_errno(status);
            lx_file_put(r, g);
        }
    }
    return err;
}

/* ---- lookup, forget, getattr ---- */

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    lx_req r;
    WCHAR w[LX_NAME_MAX + 1];
    size_t wl;
    lx_node *p;
    nt_handle h;
    struct stat st;
    NTSTATUS status;
    int err;

    lx_begin(&r, req, "LOOKUP %llu \"%s\"", (unsigned long long)parent, name);
    err = map_name(name, w, &wl);
    if (err) {
        /* A name Windows cannot hold names no file. */
        lx_reply_err(&r, err == -EINVAL ? ENOENT : -err);
        return;
    }
    p = lx_node_get(r.lx, parent);
    if (!p) {
        lx_reply_err(&r, ESTALE);
        return;
    }
    /*
     * The kernel revalidates names without locking their directory: what
     * the name is opened as and the node it is recorded under must not be
     * split by a rename or unlink of the name (which hold this exclusively).
     */
    pthread_rwlock_rdlock(&r.lx->rename_lock);
    status = lx_open_path(&r, p, w, wl, LX_ATTR_ACCESS, FILE_OPEN, FILE_OPEN_REPARSE_POINT, NULL,
        0, &h, NULL, true);
    if (status == STATUS_OBJECT_NAME_NOT_FOUND) {
        /* Negative entries are cached as long as positive ones. */
        struct fuse_entry_param e;
        entry_param(r.lx, &e, 0, NULL);
        fuse_reply_entry(req, &e);
    } else if (!NT_SUCCESS(status)) {
        lx_reply_err(&r, lx_errno(status));
    } else {
        status = lx_stat_handle(&r, h, &st);
        lx_nt_close(&r, h);
        if (NT_SUCCESS(status))
            reply_entry(&r, p, w, wl, &st);
        else
            lx_reply_err(&r, lx_errno(status));
    }
    pthread_rwlock_unlock(&r.lx->rename_lock);
    lx_node_put(r.lx, p);
}

static void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
    wf_lx *lx = fuse_req_userdata(req);

    lx_trace(lx, "linux  FORGET %llu %llu", (unsigned long long)ino,
        (unsigned long long)nlookup);
    lx_node_forget(lx, ino, nlookup);
    fuse_reply_none(req);
}

static void op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
    wf_lx *lx = fuse_req_userdata(req);

    lx_trace(lx, "linux  BATCH_FORGET %zu", count);
    for (size_t i = 0; i < count; i++)
        lx_node_forget(lx, forgets[i].ino, forgets[i].nlookup);
    fuse_reply_none(req);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    lx_req r;
    lx_node *n;
    struct stat st;
    int err;

    lx_begin(&r, req, "GETATTR %llu%s", (unsigned long long)ino, fi ? " (fh)" : "");
    n = lx_node_get(r.lx, ino);
    if (!n) {
        lx_reply_err(&r, ESTALE);
        return;
    }
    err = stat_any(&r, n, fi, &st);
    if (err)
        lx_reply_err(&r, -err);
    else
        fuse_reply_attr(req, &st, r.lx->opt.attr_timeout);
    lx_node_put(r.lx, n);
}

/* ---- setattr ---- */

/*
 * A descriptor for (uid, gid, mode) that reads back exactly. WinFsp's
 * mapping gives uid N and gid N the same SID (S-1-5-N for root and the
 * usual first user), and a descriptor whose owner and group are one SID
 * cannot tell the owner's permissions from the group's; the group is
 * then named by the alias S-1-5-32-N instead, which maps back to gid N.
 */
int lx_sd_for(lx_req *r, uint32_t uid, uint32_t gid, uint32_t mode, void *buf, size_t cap,
    size_t *len)
{
    const wf_idmap *map = r->lx->opt.idmap;
    uint8_t us[WF_SID_MAX_SIZE], gs[WF_SID_MAX_SIZE];
    size_t ul = 0, gl = 0;
    NTSTATUS status;

    if (NT_SUCCESS(wf_sid_from_uid(map, uid, us, sizeof us, &ul)) &&
        NT_SUCCESS(wf_sid_from_gid(map, gid, gs, sizeof gs, &gl)) && ul == gl &&
        wf_sid_equal(us, gs) && (gid < 0x200 || gid == 1000)) {
        wf_idmap alias;
        uint8_t as[16];
        size_t al = 0;
        /* An id no scheme uses stands for the group while the descriptor is built. */
        const uint32_t placeholder = 0xfffffff0u;
        if (map)
            alias = *map;
        else
            wf_idmap_init(&alias);
        if (NT_SUCCESS(wf_sid_from_string("S-1-5-32-0", as, sizeof as, &al))) {
            put32(as + al - 4, gid);
            if (NT_SUCCESS(wf_idmap_add_override(&alias, placeholder, as, al))) {
                status = wf_sd_from_posix(&alias, uid, placeholder, mode, buf, cap, len);
                return NT_SUCCESS(status) ? 0 : -EINVAL;
            }
        }
    }
    status = wf_sd_from_posix(map, uid, gid, mode, buf, cap, len);
    return NT_SUCCESS(status) ? 0 : -EINVAL;
}

/* Can (uid, gid, mode) be said in a descriptor without losing anything? */
bool lx_mode_representable(lx_req *r, uint32_t uid, uint32_t gid, uint32_t mode)
{
    uint8_t sd[WF_SD_POSIX_MAX_SIZE];
    size_t len = 0;
    uint32_t u = uid, g = gid, m = 0;

    if (lx_sd_for(r, uid, gid, mode, sd, sizeof sd, &len) != 0)
        return false;
    if (!NT_SUCCESS(wf_sd_to_posix(r->lx->opt.idmap, sd, len, &u, &g, &m)))
        return false;
    return (m & 07777) == (mode & 07777) && u == uid && g == gid;
}

static INT64 filetime_of(const struct timespec *ts, bool now)
{
    struct timespec t;

    if (now) {
        clock_gettime(CLOCK_REALTIME, &t);
        ts = &t;
    }
    return (INT64)wf_filetime_from_unix((int64_t)ts->tv_sec, (uint32_t)ts->tv_nsec);
}

static bool in_group(lx_req *r, gid_t gid)
{
    gid_t groups[64];
    int n;

    if (gid == r->gid)
        return true;
    n = fuse_req_getgroups(r->req, 64, groups);
    for (int i = 0; i < n && i < 64; i++)
        if (groups[i] == gid)
            return true;
    return false;
}

static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
    struct fuse_file_info *fi)
{
    lx_req r;
    lx_node *n;
    lx_file *f = lx_file_of(fi);
    struct stat cur;
    ACCESS_MASK access = LX_ATTR_ACCESS;
    nt_handle h = 0;
    bool own = false;
    NTSTATUS status = STATUS_SUCCESS;
    int err;
    const int times = FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_ATIME_NOW |
        FUSE_SET_ATTR_MTIME_NOW;

    lx_begin(&r, req, "SETATTR %llu valid 0x%x mode 0%o uid %d gid %d size %lld%s",
        (unsigned long long)ino, to_set, (unsigned)attr->st_mode, (int)attr->st_uid,
        (int)attr->st_gid, (long long)attr->st_size, f ? " (fh)" : "");
    n = lx_node_get(r.lx, ino);
    if (!n) {
        lx_reply_err(&r, ESTALE);
        return;
    }
    err = stat_any(&r, n, fi, &cur);
    if (err)
        goto out;

    /* Linux's rules where Windows rights say less (WRITE_OWNER lets an owner give a file away). */
    if ((to_set & FUSE_SET_ATTR_UID) && attr->st_uid != cur.st_uid && r.uid != 0) {
        err = -EPERM;
        goto out;
    }
    if ((to_set & FUSE_SET_ATTR_GID) && attr->st_gid != cur.st_gid && r.uid != 0 &&
        (r.uid != cur.st_uid || !in_group(&r, attr->st_gid))) {
        err = -EPERM;
        goto out;
    }
    if ((to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME)) &&
        !(to_set & (FUSE_SET_ATTR_ATIME_NOW | FUSE_SET_ATTR_MTIME_NOW)) && r.uid != 0 &&
        r.uid != cur.st_uid) {
        err = -EPERM;
        goto out;
    }
    if (to_set & FUSE_SET_ATTR_MODE) {
        if ((attr->st_mode & 07777) != (cur.st_mode & 07777) && r.uid != 0 &&
            r.uid != cur.st_uid) {
            err = -EPERM;
            goto out;
        }
        /* setuid, setgid, sticky where the descriptor cannot hold it: refused, not dropped. */
        if (!lx_mode_representable(&r, cur.st_uid, cur.st_gid,
                (cur.st_mode & S_IFMT) | (attr->st_mode & 07777))) {
            lx_trace(r.lx, "linux  #%llu mode 0%o cannot be represented by a security descriptor",
                r.id, (unsigned)(attr->st_mode & 07777));
            err = -EPERM;
            goto out;
        }
        access |= WRITE_DAC | WRITE_OWNER;
    }
    if (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID))
        access |= WRITE_OWNER;
    if (to_set & FUSE_SET_ATTR_SIZE)
        access |= FILE_WRITE_DATA;
    if (to_set & (times | FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID))
        access |= FILE_WRITE_ATTRIBUTES;

    /* The open file when it holds the rights (ftruncate), else a handle of our own. */
    if (f && (f->access & access) == access) {
        h = f->handle;
        if (to_set & FUSE_SET_ATTR_SIZE)
            lx_file_stamp(&r, f);
    } else {
        status = lx_open_path(&r, n, NULL, 0, access, FILE_OPEN, FILE_OPEN_REPARSE_POINT, NULL,
            0, &h, NULL, false);
        if ((status == STATUS_OBJECT_NAME_NOT_FOUND || status == STATUS_FILE_INVALID) && f) {
            h = f->handle; /* unlinked or replaced: the open file is all there is */
            status = STATUS_SUCCESS;
        } else if (!NT_SUCCESS(status)) {
            err = -lx_errno(status);
            /* chmod and chown by someone else are EPERM on Linux. */
            if (err == -EACCES && (access & (WRITE_DAC | WRITE_OWNER)))
                err = -EPERM;
            goto out;
        } else {
            own = true;
        }
    }

    if (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) {
        uint8_t sd[WF_SD_POSIX_MAX_SIZE];
        size_t len = 0;
        uint32_t uid = (to_set & FUSE_SET_ATTR_UID) ? attr->st_uid : cur.st_uid;
        uint32_t gid = (to_set & FUSE_SET_ATTR_GID) ? attr->st_gid : cur.st_gid;
        err = lx_sd_for(&r, uid, gid, cur.st_mode, sd, sizeof sd, &len);
        if (err)
            goto close;
        status = lx_nt_set_security(&r, h, OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION,
            sd, (UINT32)len);
        if (!NT_SUCCESS(status))
            goto close;
        cur.st_uid = uid;
        cur.st_gid = gid;
    }
    if (to_set & FUSE_SET_ATTR_MODE) {
        uint8_t sd[WF_SD_POSIX_MAX_SIZE];
        size_t len = 0;
        err = lx_sd_for(&r, cur.st_uid, cur.st_gid, (cur.st_mode & S_IFMT) | (attr->st_mode & 07777),
            sd, sizeof sd, &len);
        if (err)
            goto close;
        /*
         * Owner and group go along (unchanged): the engine reads the DACL
         * against the descriptor's own owner and group, which lx_sd_for
         * keeps apart where the file's would be one SID.
         */
        status = lx_nt_set_security(&r, h, OWNER_SECURITY_INFORMATION |
            GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, sd, (UINT32)len);
        if (!NT_SUCCESS(status))
            goto close;
    }
    if (to_set & FUSE_SET_ATTR_SIZE) {
        FILE_END_OF_FILE_INFORMATION e;
        e.EndOfFile = attr->st_size;
        status = lx_nt_set_info(&r, h, &e, sizeof e, FileEndOfFileInformation);
        if (!NT_SUCCESS(status))
            goto close;
    }
    /*
     * Times go last, both of them: Windows stamps the access time (and the
     * write time, after a change of size) when a handle that changed
     * something is closed, unless the handle set them itself -- Linux
     * changes neither with chmod, chown or utimensat(UTIME_OMIT).
     */
    if ((to_set & times) || (own && (to_set & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID |
                                         FUSE_SET_ATTR_GID)))) {
        FILE_BASIC_INFORMATION b;
        memset(&b, 0, sizeof b); /* 0: leave as it is */
        b.LastAccessTime = (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_ATIME_NOW))
            ? filetime_of(&attr->st_atim, to_set & FUSE_SET_ATTR_ATIME_NOW)
            : filetime_of(&cur.st_atim, false);
        if (to_set & (FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_MTIME_NOW))
            b.LastWriteTime = filetime_of(&attr->st_mtim, to_set & FUSE_SET_ATTR_MTIME_NOW);
        else if (!(to_set & FUSE_SET_ATTR_SIZE))
            b.LastWriteTime = filetime_of(&cur.st_mtim, false);
        /* A time before 1601 is 0, which would mean "leave it". */
        if (((to_set & FUSE_SET_ATTR_ATIME) && b.LastAccessTime == 0) ||
            ((to_set & FUSE_SET_ATTR_MTIME) && b.LastWriteTime == 0)) {
            err = -EINVAL;
            goto close;
        }
        status = lx_nt_set_info(&r, h, &b, sizeof b, FileBasicInformation);
        if (!NT_SUCCESS(status))
            goto close;
    }
    status = lx_stat_handle(&r, h, &cur);
close:
    if (own)
        lx_nt_close(&r, h);
    if (!err && !NT_SUCCESS(status))
        err = -lx_errno(status);
out:
    if (err)
        lx_reply_err(&r, -err);
    else
        fuse_reply_attr(req, &cur, r.lx->opt.attr_timeout);
    lx_node_put(r.lx, n);
}

/* ---- symbolic links ---- */

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static void op_readlink(fuse_req_t req, fuse_ino_t ino)
{
    lx_req r;
    lx_node *n;
    nt_handle h;
    uint8_t *buf = NULL;
    char *target = NULL;
    UINT32 done = 0;
    NTSTATUS status;
    int err = 0;

    lx_begin(&r, req, "READLINK %llu", (unsigned long long)ino);
    n = lx_node_get(r.lx, ino);
    if (!n) {
        lx_reply_err(&r, ESTALE);
        return;
    }
    status = lx_open_path(&r, n, NULL, 0, LX_ATTR_ACCESS, FILE_OPEN, FILE_OPEN_REPARSE_POINT,
        NULL, 0, &h, NULL, false);
    if (!NT_SUCCESS(status)) {
        err = lx_errno(status);
        goto out;
    }
    buf = malloc(LX_REPARSE_MAX);
    if (!buf) {
        err = ENOMEM;
    } else {
        status = lx_nt_fsctl(&r, h, FSCTL_GET_REPARSE_POINT, NULL, 0, buf, LX_REPARSE_MAX, &done);
        if (status == STATUS_NOT_A_REPARSE_POINT)
            err = EINVAL;
        else if (!NT_SUCCESS(status))
            err = lx_errno(status);
        else if (done < 20 || buf[0] != (IO_REPARSE_TAG_SYMLINK & 0xff) ||
            (uint32_t)(buf[0] | buf[1] << 8 | buf[2] << 16 | (uint32_t)buf[3] << 24) !=
                IO_REPARSE_TAG_SYMLINK)
            err = EINVAL; /* a FIFO, socket or device: not a link */
        else {
            uint16_t off = get16(buf + 8), len = get16(buf + 10);
            WCHAR *w = malloc(len + sizeof(WCHAR));
            size_t n8 = 0;
            if (20u + off + len > done || len % 2 || !w) {
                err = w ? EIO : ENOMEM;
            } else {
                memcpy(w, buf + 20 + off, len);
                target = malloc((size_t)len / 2 * 3 + 1);
                if (!target ||
                    !NT_SUCCESS(wf_path_windows_to_posix(w, len / 2, target, (size_t)len / 2 * 3,
                        &n8)))
                    err = target ? EIO : ENOMEM;
                else
                    target[n8] = 0;
            }
            free(w);
        }
    }
    lx_nt_close(&r, h);
out:
    if (err)
        lx_reply_err(&r, err);
    else
        fuse_reply_readlink(req, target);
    free(target);
    free(buf);
    lx_node_put(r.lx, n);
}

/* Make the new file h a link to target (FSCTL_SET_REPARSE_POINT, IO_REPARSE_TAG_SYMLINK). */
static NTSTATUS set_symlink(lx_req *r, nt_handle h, const char *target)
{
    size_t tl = strlen(target), wl = 0, bytes, size;
    WCHAR *w;
    uint8_t *buf;
    NTSTATUS status;

    if (wf_path_posix_to_windows(target, tl, NULL, 0, &wl) != STATUS_BUFFER_TOO_SMALL)
        return STATUS_OBJECT_NAME_INVALID;
    bytes = wl * sizeof(WCHAR);
    size = 20 + 2 * bytes;
    if (size > LX_REPARSE_MAX)
        return STATUS_NAME_TOO_LONG;
    w = malloc(bytes);
    buf = malloc(size);
    if (!w || !buf) {
        free(w);
        free(buf);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    status = wf_path_posix_to_windows(target, tl, w, wl, &wl);
    if (NT_SUCCESS(status)) {
        put32(buf, IO_REPARSE_TAG_SYMLINK);
        put16(buf + 4, (uint16_t)(size - 8));
        put16(buf + 6, 0);
        put16(buf + 8, 0);                /* substitute name */
        put16(buf + 10, (uint16_t)bytes);
        put16(buf + 12, (uint16_t)bytes); /* print name: the same text */
        put16(buf + 14, (uint16_t)bytes);
        put32(buf + 16, target[0] == '/' ? 0 : SYMLINK_FLAG_RELATIVE);
        memcpy(buf + 20, w, bytes);
        memcpy(buf + 20 + bytes, w, bytes);
        status = lx_nt_fsctl(r, h, FSCTL_SET_REPARSE_POINT, buf, (UINT32)size, NULL, 0, NULL);
    }
    free(w);
    free(buf);
    return status;
}

/* ---- creating ---- */

/*
 * Create (parent, name) as the caller: a directory, a regular file or a
 * symbolic link to link_target. Replies with the new entry.
 */
static void create_node(lx_req *r, fuse_ino_t parent, const char *name, mode_t mode,
    const char *link_target)
{
    WCHAR w[LX_NAME_MAX + 1];
    size_t wl, sd_len = 0;
    uint8_t sd[WF_SD_POSIX_MAX_SIZE];
    lx_node *p;
    nt_handle h;
    struct stat st;
    bool dir = S_ISDIR(mode);
    ACCESS_MASK access = LX_ATTR_ACCESS;
    UINT32 options = FILE_OPEN_REPARSE_POINT;
    NTSTATUS status;
    int err = map_name(name, w, &wl);

    if (err) {
        lx_reply_err(r, -err);
        return;
    }
    /*
     * umask can take the write bits that let a descriptor show the sticky
     * bit (mkdir -m 1777 asks for 01755, then chmods): that one bit is let
     * go on creation; setuid and setgid are refused.
     */
    if ((mode & S_ISVTX) && !lx_mode_representable(r, r->uid, r->gid, mode) &&
        lx_mode_representable(r, r->uid, r->gid, mode & ~(mode_t)S_ISVTX)) {
        lx_trace(r->lx, "linux  #%llu sticky bit dropped: mode 0%o has no write bit to show it",
            r->id, (unsigned)(mode & 07777));
        mode &= ~(mode_t)S_ISVTX;
    }
    if (!lx_mode_representable(r, r->uid, r->gid, mode)) {
        lx_trace(r->lx, "linux  #%llu mode 0%o cannot be represented by a security descriptor",
            r->id, (unsigned)(mode & 07777));
        lx_reply_err(r, EPERM);
        return;
    }
    err = lx_sd_for(r, r->uid, r->gid, mode, sd, sizeof sd, &sd_len);
    if (err) {
        lx_reply_err(r, -err);
        return;
    }
    p = lx_node_get(r->lx, parent);
    if (!p) {
        lx_reply_err(r, ESTALE);
        return;
    }
    if (dir) {
        options |= FILE_DIRECTORY_FILE;
    } else {
        options |= FILE_NON_DIRECTORY_FILE;
        if (link_target)
            access |= FILE_WRITE_ATTRIBUTES | DELETE;
    }
    status = lx_open_path(r, p, w, wl, access, FILE_CREATE, options, sd, sd_len, &h, NULL, false);
    if (NT_SUCCESS(status) && link_target) {
        status = set_symlink(r, h, link_target);
        if (!NT_SUCCESS(status)) {
            /* The file was only the link's placeholder. */
            FILE_DISPOSITION_INFORMATION_EX d = {FILE_DISPOSITION_DELETE |
                FILE_DISPOSITION_POSIX_SEMANTICS | FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE};
            lx_nt_set_info(r, h, &d, sizeof d, FileDispositionInformationEx);
            lx_nt_close(r, h);
            lx_reply_err(r, lx_errno(status));
            lx_node_put(r->lx, p);
            return;
        }
        /*
         * The engine made the link a new file in the placeholder's place:
         * its attributes (its IndexNumber first) come from a fresh open.
         */
        lx_nt_close(r, h);
        status = lx_open_path(r, p, w, wl, LX_ATTR_ACCESS, FILE_OPEN, FILE_OPEN_REPARSE_POINT,
            NULL, 0, &h, NULL, false);
    }
    if (!NT_SUCCESS(status)) {
        lx_reply_err(r, lx_errno(status));
    } else {
        status = lx_stat_handle(r, h, &st);
        lx_nt_close(r, h);
        if (NT_SUCCESS(status))
            reply_entry(r, p, w, wl, &st);
        else
            lx_reply_err(r, lx_errno(status));
    }
    lx_node_put(r->lx, p);
}

static void op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
    dev_t rdev)
{
    lx_req r;

    lx_begin(&r, req, "MKNOD %llu \"%s\" mode 0%o rdev %llu", (unsigned long long)parent, name,
        (unsigned)mode, (unsigned long long)rdev);
    if (!S_ISREG(mode)) {
        /* The engine makes FIFOs, sockets and devices readable as NFS reparse points, not new. */
        lx_trace(r.lx, "linux  #%llu mknod of a FIFO, socket or device: not supported", r.id);
        lx_reply_err(&r, EPERM);
        return;
    }
    create_node(&r, parent, name, mode, NULL);
}

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
    lx_req r;

    lx_begin(&r, req, "MKDIR %llu \"%s\" mode 0%o", (unsigned long long)parent, name,
        (unsigned)mode);
    create_node(&r, parent, name, S_IFDIR | (mode & 07777), NULL);
}

static void op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
    lx_req r;

    lx_begin(&r, req, "SYMLINK %llu \"%s\" -> \"%s\"", (unsigned long long)parent, name, link);
    create_node(&r, parent, name, S_IFREG | 0777, link);
}

/* ---- deleting and renaming ---- */

/*
 * Open (parent, name) for DELETE. Linux lets whoever may write the parent
 * delete in it (sticky bit aside); Windows asks for DELETE on the file or
 * FILE_DELETE_CHILD on the parent, which the engine grants as Linux's
 * rules would. The second way is tried when the first is refused.
 */
static NTSTATUS open_for_delete(lx_req *r, lx_node *p, const WCHAR *w, size_t wl, UINT32 options,
    nt_handle *h, bool locked)
{
    NTSTATUS status = lx_open_path(r, p, w, wl, DELETE | LX_ATTR_ACCESS, FILE_OPEN,
        options | FILE_OPEN_REPARSE_POINT, NULL, 0, h, NULL, locked);

    if (status == STATUS_ACCESS_DENIED && r->uid != 0) {
        nt_handle ph;
        NTSTATUS ps = lx_open_path(r, p, NULL, 0, FILE_DELETE_CHILD | SYNCHRONIZE, FILE_OPEN,
            FILE_DIRECTORY_FILE, NULL, 0, &ph, NULL, locked);
        if (NT_SUCCESS(ps)) {
            lx_nt_close(r, ph);
            lx_as_root(r);
            status = lx_open_path(r, p, w, wl, DELETE | LX_ATTR_ACCESS, FILE_OPEN,
                options | FILE_OPEN_REPARSE_POINT, NULL, 0, h, NULL, locked);
            lx_as_caller(r);
        }
    }
    return status;
}

static void remove_entry(lx_req *r, fuse_ino_t parent, const char *name, bool dir)
{
    WCHAR w[LX_NAME_MAX + 1];
    size_t wl;
    lx_node *p;
    nt_handle h;
    NTSTATUS status;
    int err = map_name(name, w, &wl);

    if (err) {
        lx_reply_err(r, err == -EINVAL ? ENOENT : -err);
        return;
    }
    p = lx_node_get(r->lx, parent);
    if (!p) {
        lx_reply_err(r, ESTALE);
        return;
    }
    /* The name and its node go together, as for a rename (see op_lookup). */
    pthread_rwlock_wrlock(&r->lx->rename_lock);
    status = open_for_delete(r, p, w, wl, dir ? FILE_DIRECTORY_FILE : FILE_NON_DIRECTORY_FILE, &h,
        true);
    if (NT_SUCCESS(status)) {
        /* POSIX semantics: the name goes now, open handles keep the file. */
        FILE_DISPOSITION_INFORMATION_EX d = {FILE_DISPOSITION_DELETE |
            FILE_DISPOSITION_POSIX_SEMANTICS | FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE};
        status = lx_nt_set_info(r, h, &d, sizeof d, FileDispositionInformationEx);
        lx_nt_close(r, h);
    }
    if (NT_SUCCESS(status))
        lx_node_unlinked(r->lx, p, w, wl);
    pthread_rwlock_unlock(&r->lx->rename_lock);
    if (NT_SUCCESS(status)) {
        lx_reply_err(r, 0);
    } else {
        err = lx_errno(status);
        /* Windows names the type mismatch differently (unlink of a directory, rmdir of a file). */
        if (status == STATUS_FILE_IS_A_DIRECTORY)
            err = dir ? ENOTDIR : EISDIR;
        else if (status == STATUS_NOT_A_DIRECTORY)
            err = ENOTDIR;
        lx_reply_err(r, err);
    }
    lx_node_put(r->lx, p);
}

static void op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    lx_req r;

    lx_begin(&r, req, "UNLINK %llu \"%s\"", (unsigned long long)parent, name);
    remove_entry(&r, parent, name, false);
}

static void op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    lx_req r;

    lx_begin(&r, req, "RMDIR %llu \"%s\"", (unsigned long long)parent, name);
    remove_entry(&r, parent, name, true);
}

/* Is (p, w) an existing directory? Sets *is_dir; STATUS_OBJECT_NAME_NOT_FOUND if absent. */
static NTSTATUS probe_dir(lx_req *r, lx_node *p, const WCHAR *w, size_t wl, bool *is_dir)
{
    nt_handle h;
    FILE_BASIC_INFORMATION b;
    NTSTATUS status = lx_open_path(r, p, w, wl, LX_ATTR_ACCESS, FILE_OPEN,
        FILE_OPEN_REPARSE_POINT, NULL, 0, &h, NULL, true);

    if (!NT_SUCCESS(status))
        return status;
    status = lx_nt_query_info(r, h, &b, sizeof b, FileBasicInformation);
    lx_nt_close(r, h);
    *is_dir = NT_SUCCESS(status) && (b.FileAttributes & FILE_ATTRIBUTE_DIRECTORY) &&
        !(b.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT);
    return status;
}

static void op_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
    const char *newname, unsigned int flags)
{
    lx_req r;
    WCHAR w[LX_NAME_MAX + 1], nw[LX_NAME_MAX + 1];
    size_t wl, nwl, tlen;
    lx_node *p = NULL, *np = NULL;
    WCHAR *target = NULL;
    FILE_RENAME_INFORMATION *ri = NULL;
    nt_handle h = 0;
    NTSTATUS status;
    bool target_dir = false;
    int err;

    lx_begin(&r, req, "RENAME %llu \"%s\" -> %llu \"%s\" flags 0x%x", (unsigned long long)parent,
        name, (unsigned long long)newparent, newname, flags);
    /* Windows has no way to swap two names in one step, nor whiteouts. */
    if (flags & ~(unsigned)RENAME_NOREPLACE) {
        lx_reply_err(&r, EINVAL);
        return;
    }
    err = map_name(name, w, &wl);
    if (!err)
        err = map_name(newname, nw, &nwl);
    if (err) {
        lx_reply_err(&r, -err);
        return;
    }
    p = lx_node_get(r.lx, parent);
    np = lx_node_get(r.lx, newparent);
    if (!p || !np) {
        err = ESTALE;
        goto out;
    }
    /* No path in the table may change while this one does. */
    pthread_rwlock_wrlock(&r.lx->rename_lock);
    err = -lx_node_path(r.lx, np, nw, nwl, &target, &tlen);
    if (err)
        goto unlock;
    status = open_for_delete(&r, p, w, wl, 0, &h, true);
    if (!NT_SUCCESS(status)) {
        err = lx_errno(status);
        goto unlock;
    }
    /*
     * Windows never replaces a directory; Linux replaces an empty one with
     * a directory (the kernel already refused the other mixes). The empty
     * one goes first, so this step is not atomic.
     */
    if (!(flags & RENAME_NOREPLACE)) {
        status = probe_dir(&r, np, nw, nwl, &target_dir);
        if (NT_SUCCESS(status) && target_dir) {
            nt_handle th;
            status = open_for_delete(&r, np, nw, nwl, FILE_DIRECTORY_FILE, &th, true);
            if (NT_SUCCESS(status)) {
                FILE_DISPOSITION_INFORMATION_EX d = {FILE_DISPOSITION_DELETE |
                    FILE_DISPOSITION_POSIX_SEMANTICS};
                status = lx_nt_set_info(&r, th, &d, sizeof d, FileDispositionInformationEx);
                lx_nt_close(&r, th);
            }
            if (!NT_SUCCESS(status)) {
                err = status == STATUS_DIRECTORY_NOT_EMPTY ? ENOTEMPTY : lx_errno(status);
                goto unlock;
            }
            lx_node_unlinked(r.lx, np, nw, nwl);
        }
    }
    ri = malloc(offsetof(FILE_RENAME_INFORMATION, FileName) + tlen * sizeof(WCHAR));
    if (!ri) {
        err = ENOMEM;
        goto unlock;
    }
    memset(ri, 0, offsetof(FILE_RENAME_INFORMATION, FileName));
    ri->Flags = FILE_RENAME_POSIX_SEMANTICS | FILE_RENAME_IGNORE_READONLY_ATTRIBUTE |
        ((flags & RENAME_NOREPLACE) ? 0 : FILE_RENAME_REPLACE_IF_EXISTS);
    ri->FileNameLength = (UINT32)(tlen * sizeof(WCHAR));
    memcpy(ri->FileName, target, tlen * sizeof(WCHAR));
    status = lx_nt_set_info(&r, h, ri,
        (UINT32)(offsetof(FILE_RENAME_INFORMATION, FileName) + tlen * sizeof(WCHAR)),
        FileRenameInformationEx);
    if (NT_SUCCESS(status)) {
        lx_node_renamed(r.lx, p, w, wl, np, nw, nwl);
    } else {
        err = lx_errno(status);
        if (status == STATUS_OBJECT_NAME_COLLISION)
            err = EEXIST;
    }
unlock:
    if (h)
        lx_nt_close(&r, h);
    pthread_rwlock_unlock(&r.lx->rename_lock);
out:
    lx_reply_err(&r, err);
    free(ri);
    free(target);
    lx_node_put(r.lx, p);
    lx_node_put(r.lx, np);
}

static void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
    lx_req r;

    lx_begin(&r, req, "LINK %llu -> %llu \"%s\"", (unsigned long long)ino,
        (unsigned long long)newparent, newname);
    /* The fsd, as WinFsp, has no hard links (FileLinkInformation: STATUS_NOT_SUPPORTED). */
    lx_trace(r.lx, "linux  #%llu hard links: not supported by the volume", r.id);
    lx_reply_err(&r, EPERM);
}

/* ---- the volume, access ---- */

static void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
    lx_req r;
    nt_handle h;
    FILE_FS_FULL_SIZE_INFORMATION fs;
    struct {
        FILE_FS_ATTRIBUTE_INFORMATION a;
        WCHAR name[32];
    } attr;
    struct statvfs sv;
    NTSTATUS status;

    lx_begin(&r, req, "STATFS %llu", (unsigned long long)ino);
    status = lx_open_path(&r, r.lx->root, NULL, 0, LX_ATTR_ACCESS, FILE_OPEN, FILE_DIRECTORY_FILE,
        NULL, 0, &h, NULL, false);
    if (!NT_SUCCESS(status)) {
        lx_reply_err(&r, lx_errno(status));
        return;
    }
    status = lx_nt_query_volume(&r, h, &fs, sizeof fs, FileFsFullSizeInformation);
    memset(&sv, 0, sizeof sv);
    if (NT_SUCCESS(status)) {
        unsigned long unit = (unsigned long)fs.SectorsPerAllocationUnit * fs.BytesPerSector;
        sv.f_bsize = sv.f_frsize = unit ? unit : 4096;
        sv.f_blocks = (fsblkcnt_t)fs.TotalAllocationUnits;
        sv.f_bfree = (fsblkcnt_t)fs.ActualAvailableAllocationUnits;
        sv.f_bavail = (fsblkcnt_t)fs.CallerAvailableAllocationUnits;
        sv.f_namemax = LX_NAME_MAX;
        if (NT_SUCCESS(lx_nt_query_volume(&r, h, &attr, sizeof attr,
                FileFsAttributeInformation)) && attr.a.MaximumComponentNameLength > 0)
            sv.f_namemax = (unsigned long)attr.a.MaximumComponentNameLength;
    }
    lx_nt_close(&r, h);
    if (NT_SUCCESS(status))
        fuse_reply_statfs(req, &sv);
    else
        lx_reply_err(&r, lx_errno(status));
}

static void op_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
    lx_req r;
    lx_node *n;
    nt_handle h;
    ACCESS_MASK access = SYNCHRONIZE | FILE_READ_ATTRIBUTES;
    NTSTATUS status;

    lx_begin(&r, req, "ACCESS %llu mask 0%o", (unsigned long long)ino, (unsigned)mask);
    n = lx_node_get(r.lx, ino);
    if (!n) {
        lx_reply_err(&r, ESTALE);
        return;
    }
    if (mask & R_OK)
        access |= FILE_READ_DATA;       /* FILE_LIST_DIRECTORY */
    if (mask & W_OK)
        access |= FILE_WRITE_DATA;      /* FILE_ADD_FILE */
    if (mask & X_OK)
        access |= FILE_EXECUTE;         /* FILE_TRAVERSE */
    status = lx_open_path(&r, n, NULL, 0, access, FILE_OPEN, FILE_OPEN_REPARSE_POINT, NULL, 0,
        &h, NULL, false);
    if (NT_SUCCESS(status))
        lx_nt_close(&r, h);
    lx_reply_err(&r, NT_SUCCESS(status) ? 0 : lx_errno(status));
    lx_node_put(r.lx, n);
}

/* ---- extended attributes ---- */

/*
 * user.* attributes are the file's EAs (NtQueryEaFile / NtSetEaFile): the
 * attribute "user.NAME" is the EA "NAME". Other namespaces have no Windows
 * home (EOPNOTSUPP), and neither has an empty value, which is how Windows
 * removes an EA (EINVAL).
 */
#define LX_EA_LIST_MAX (64u * 1024u)
#define LX_XATTR_USER "user."

static UINT32 ea_get32(const uint8_t *p)
{
    return (UINT32)p[0] | (UINT32)p[1] << 8 | (UINT32)p[2] << 16 | (UINT32)p[3] << 24;
}

/* The EA name of a user.* attribute, or NULL. */
static const char *ea_name_of(const char *xattr)
{
    size_t n = strlen(LX_XATTR_USER);
    return strncmp(xattr, LX_XATTR_USER, n) == 0 && xattr[n] ? xattr + n : NULL;
}

/* Open the node and read its whole EA list; *len 0 when it has none. */
static int ea_read(lx_req *r, lx_node *n, uint8_t *buf, UINT32 *len)
{
    nt_handle h;
    NTSTATUS status = lx_open_path(r, n, NULL, 0, FILE_READ_EA | SYNCHRONIZE, FILE_OPEN,
        FILE_OPEN_REPARSE_POINT, NULL, 0, &h, NULL, false);

    *len = 0;
    if (!NT_SUCCESS(status))
        return lx_errno(status);
    status = lx_nt_query_ea(r, h, buf, LX_EA_LIST_MAX, len);
    lx_nt_close(r, h);
    if (status == STATUS_NO_EAS_ON_FILE)
        return 0;
    if (status == STATUS_EAS_NOT_SUPPORTED)
        return EOPNOTSUPP;
    return NT_SUCCESS(status) ? 0 : lx_errno(status);
}

/* The value of EA name in a list, or NULL. */
static const uint8_t *ea_find(const uint8_t *list, UINT32 len, const char *name, UINT32 *value_len)
{
    UINT32 pos = 0, name_len = (UINT32)strlen(name);

    while (len && pos + 8 <= len) {
        UINT32 next = ea_get32(list + pos), nl = list[pos + 5];
        UINT32 vl = (UINT32)list[pos + 6] | (UINT32)list[pos + 7] << 8;
        if (pos + 8 + nl + 1 + vl > len)
            return NULL;
        if (nl == name_len && memcmp(list + pos + 8, name, nl) == 0) {
            *value_len = vl;
            return list + pos + 8 + nl + 1;
        }
        if (!next)
            break;
        pos += next;
    }
    return NULL;
}

/* Set (or, value_len 0, remove) one EA. */
static int ea_write(lx_req *r, lx_node *n, const char *name, const void *value, size_t value_len)
{
    size_t name_len = strlen(name), size = 8 + name_len + 1 + value_len;
    uint8_t *ea;
    nt_handle h;
    NTSTATUS status;

    if (name_len > 255)
        return ERANGE;
    if (value_len > 65535)
        return E2BIG;
    ea = calloc(1, size);
    if (!ea)
        return ENOMEM;
    ea[5] = (uint8_t)name_len;
    ea[6] = (uint8_t)value_len;
    ea[7] = (uint8_t)(value_len >> 8);
    memcpy(ea + 8, name, name_len);
    if (value_len)
        memcpy(ea + 8 + name_len + 1, value, value_len);
    status = lx_open_path(r, n, NULL, 0, FILE_WRITE_EA | SYNCHRONIZE, FILE_OPEN,
        FILE_OPEN_REPARSE_POINT, NULL, 0, &h, NULL, false);
    if (NT_SUCCESS(status)) {
        status = lx_nt_set_ea(r, h, ea, (UINT32)size);
        lx_nt_close(r, h);
    }
    free(ea);
    if (status == STATUS_EAS_NOT_SUPPORTED)
        return EOPNOTSUPP;
    return NT_SUCCESS(status) ? 0 : lx_errno(status);
}

static void op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
    size_t size, int flags)
{
    lx_req r;
    lx_node *n;
    const char *ea = ea_name_of(name);
    uint8_t *list = NULL;
    int err;

    lx_begin(&r, req, "SETXATTR %llu %s (%zu bytes)", (unsigned long long)ino, name, size);
    if (!ea || size == 0) {
        lx_reply_err(&r, !ea ? EOPNOTSUPP : EINVAL);
        return;
    }
    n = lx_node_get(r.lx, ino);
    if (!n) {
        lx_reply_err(&r, ESTALE);
        return;
    }
    err = 0;
    if (flags & (XATTR_CREATE | XATTR_REPLACE)) {
        UINT32 len, vl;
        list = malloc(LX_EA_LIST_MAX);
        err = list ? ea_read(&r, n, list, &len) : ENOMEM;
        if (!err) {
            bool exists = ea_find(list, len, ea, &vl) != NULL;
            if ((flags & XATTR_CREATE) && exists)
                err = EEXIST;
            else if ((flags & XATTR_REPLACE) && !exists)
                err = ENODATA;
        }
    }
    if (!err)
        err = ea_write(&r, n, ea, value, size);
    free(list);
    lx_reply_err(&r, err);
    lx_node_put(r.lx, n);
}

static void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
    lx_req r;
    lx_node *n;
    const char *ea = ea_name_of(name);
    uint8_t *list;
    UINT32 len, vl = 0;
    const uint8_t *value;
    int err;

    lx_begin(&r, req, "GETXATTR %llu %s", (unsigned long long)ino, name);
    if (!ea) {
        lx_reply_err(&r, EOPNOTSUPP);
        return;
    }
    n = lx_node_get(r.lx, ino);
    if (!n) {
        lx_reply_err(&r, ESTALE);
        return;
    }
    list = malloc(LX_EA_LIST_MAX);
    err = list ? ea_read(&r, n, list, &len) : ENOMEM;
    value = err ? NULL : ea_find(list, len, ea, &vl);
    if (!err && !value)
        err = ENODATA;
    if (!err && size && size < vl)
        err = ERANGE;
    if (err)
        lx_reply_err(&r, err);
    else if (size == 0)
        fuse_reply_xattr(req, vl);
    else
        fuse_reply_buf(req, (const char *)value, vl);
    free(list);
    lx_node_put(r.lx, n);
}

static void op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
    lx_req r;
    lx_node *n;
    uint8_t *list;
    char *names = NULL;
    size_t total = 0;
    UINT32 len = 0, pos = 0;
    int err;

    lx_begin(&r, req, "LISTXATTR %llu", (unsigned long long)ino);
    n = lx_node_get(r.lx, ino);
    if (!n) {
        lx_reply_err(&r, ESTALE);
        return;
    }
    list = malloc(LX_EA_LIST_MAX);
    /* At most one "user." and one NUL more per EA than the list itself holds. */
    names = malloc(2 * LX_EA_LIST_MAX);
    err = list && names ? ea_read(&r, n, list, &len) : ENOMEM;
    if (err == EOPNOTSUPP)
        err = 0, len = 0; /* no EAs at all: an empty list, as Linux answers */
    while (!err && len && pos + 8 <= len) {
        UINT32 next = ea_get32(list + pos), nl = list[pos + 5];
        if (pos + 8 + nl > len)
            break;
        memcpy(names + total, LX_XATTR_USER, strlen(LX_XATTR_USER));
        total += strlen(LX_XATTR_USER);
        memcpy(names + total, list + pos + 8, nl);
        total += nl;
        names[total++] = 0;
        if (!next)
            break;
        pos += next;
    }
    if (!err && size && size < total)
        err = ERANGE;
    if (err)
        lx_reply_err(&r, err);
    else if (size == 0)
        fuse_reply_xattr(req, total);
    else
        fuse_reply_buf(req, names, total);
    free(list);
    free(names);
    lx_node_put(r.lx, n);
}

static void op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
    lx_req r;
    lx_node *n;
    const char *ea = ea_name_of(name);
    uint8_t *list;
    UINT32 len, vl;
    int err;

    lx_begin(&r, req, "REMOVEXATTR %llu %s", (unsigned long long)ino, name);
    if (!ea) {
        lx_reply_err(&r, EOPNOTSUPP);
        return;
    }
    n = lx_node_get(r.lx, ino);
    if (!n) {
        lx_reply_err(&r, ESTALE);
        return;
    }
    /* An empty value removes an EA on Windows; Linux wants ENODATA for none. */
    list = malloc(LX_EA_LIST_MAX);
    err = list ? ea_read(&r, n, list, &len) : ENOMEM;
    if (!err && !ea_find(list, len, ea, &vl))
        err = ENODATA;
    if (!err)
        err = ea_write(&r, n, ea, NULL, 0);
    free(list);
    lx_reply_err(&r, err);
    lx_node_put(r.lx, n);
}

const struct fuse_lowlevel_ops lx_ops = {
    .lookup = op_lookup,
    .forget = op_forget,
    .forget_multi = op_forget_multi,
    .getattr = op_getattr,
    .setattr = op_setattr,
    .readlink = op_readlink,
    .mknod = op_mknod,
    .mkdir = op_mkdir,
    .unlink = op_unlink,
    .rmdir = op_rmdir,
    .symlink = op_symlink,
    .rename = op_rename,
    .link = op_link,
    .open = lx_op_open,
    .read = lx_op_read,
    .write = lx_op_write,
    .flush = lx_op_flush,
    .release = lx_op_release,
    .fsync = lx_op_fsync,
    .opendir = lx_op_opendir,
    .readdir = lx_op_readdir,
    .releasedir = lx_op_releasedir,
    .fsyncdir = lx_op_fsyncdir,
    .statfs = op_statfs,
    .setxattr = op_setxattr,
    .getxattr = op_getxattr,
    .listxattr = op_listxattr,
    .removexattr = op_removexattr,
    .access = op_access,
    .create = lx_op_create,
    .flock = lx_op_flock,
    .getlk = lx_op_getlk,
    .setlk = lx_op_setlk,
    .fallocate = lx_op_fallocate,
};
