/*
 * file.c - open files: one NT handle per FUSE file handle (fh), opened
 * with the access open(2)'s flags ask for and shared every way; reads
 * and writes at the kernel's offsets; flock(2) through NT byte-range
 * locks (fcntl's are in plock.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>

#include "engine/filetime.h"
#include "engine/security.h"
#include "lxfront/internal.h"

#define LX_ATTR_ACCESS (FILE_READ_ATTRIBUTES | READ_CONTROL | SYNCHRONIZE)
#define LX_WRITE_ACCESS (FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_ATTRIBUTES)
/* open(2) for execve(2): the kernel's __FMODE_EXEC, passed in the open flags. */
#define LX_FMODE_EXEC 0x20

/*
 * flock(2) locks hold one byte beyond any data Linux can write (offsets
 * stop at 2^63 - 1), so that they exclude each other -- and Windows
 * callers that lock the whole file -- without making reads and writes
 * conflict, as NT's mandatory byte-range locks would: flock is advisory.
 */
#define LX_FLOCK_OFFSET INT64_MAX
#define LX_FLOCK_LENGTH 1

lx_file *lx_file_new(wf_lx *lx, lx_node *n, nt_handle h, ACCESS_MASK access, bool is_dir)
{
    lx_file *f = calloc(1, sizeof *f);

    if (!f)
        return NULL;
    f->node = n;
    f->handle = h;
    f->access = access;
    f->is_dir = is_dir;
    f->refs = 1;
    pthread_mutex_init(&f->dir_lock, NULL);
    pthread_mutex_lock(&lx->lock);
    n->refs++;
    f->next = lx->files;
    if (lx->files)
        lx->files->prev = f;
    lx->files = f;
    lx->file_count++;
    pthread_mutex_unlock(&lx->lock);
    return f;
}

static void unlist_locked(wf_lx *lx, lx_file *f)
{
    if (f->prev)
        f->prev->next = f->next;
    else
        lx->files = f->next;
    if (f->next)
        f->next->prev = f->prev;
    f->prev = f->next = NULL;
    lx->file_count--;
}

static void destroy(wf_lx *lx, lx_file *f)
{
    lx_node_put(lx, f->node);
    for (size_t i = 0; i < f->count; i++)
        free(f->ents[i].name);
    free(f->ents);
    pthread_mutex_destroy(&f->dir_lock);
    free(f);
}

void lx_file_put(lx_req *r, lx_file *f)
{
    bool last;

    pthread_mutex_lock(&r->lx->lock);
    last = --f->refs == 0;
    pthread_mutex_unlock(&r->lx->lock);
    if (last) {
        /* NtClose: Cleanup (which drops the handle's locks), then Close. */
        lx_nt_close(r, f->handle);
        destroy(r->lx, f);
    }
}

void lx_file_release(lx_req *r, lx_file *f)
{
    pthread_mutex_lock(&r->lx->lock);
    unlist_locked(r->lx, f);
    pthread_mutex_unlock(&r->lx->lock);
    lx_file_put(r, f);
}

void lx_file_hold(wf_lx *lx, lx_file *f)
{
    pthread_mutex_lock(&lx->lock);
    f->refs++;
    pthread_mutex_unlock(&lx->lock);
}

lx_file *lx_file_any(wf_lx *lx, lx_node *n)
{
    lx_file *f;

    pthread_mutex_lock(&lx->lock);
    for (f = lx->files; f; f = f->next)
        if (f->node == n) {
            f->refs++;
            break;
        }
    pthread_mutex_unlock(&lx->lock);
    return f;
}

void lx_files_close_all(wf_lx *lx)
{
    /* After the loop: nobody borrows any more. */
    while (lx->files) {
        lx_file *f = lx->files;
        unlist_locked(lx, f);
        nt_close(lx->volume, f->handle);
        destroy(lx, f);
    }
}

/*
 * A handle that wrote gets its times stamped by Windows when it is
 * closed (Cleanup: last write and access time = now), and the kernel
 * closes files late (RELEASE is asynchronous): a time a Linux process set
 * meanwhile through another handle (tar, cp -p, touch) would be lost.
 * Setting the times on the handle itself, once, tells Windows this handle
 * manages them: the file system already moved mtime with the write, as
 * Linux file systems do.
 */
void lx_file_stamp(lx_req *r, lx_file *f)
{
    FILE_BASIC_INFORMATION b;
    struct timespec now;

    if (__atomic_exchange_n(&f->stamped, true, __ATOMIC_ACQ_REL))
        return;
    if (!NT_SUCCESS(lx_nt_query_info(r, f->handle, &b, sizeof b, FileBasicInformation)))
        return;
    clock_gettime(CLOCK_REALTIME, &now);
    b.CreationTime = 0;
    b.ChangeTime = 0;
    b.FileAttributes = 0;
    b.LastWriteTime = (INT64)wf_filetime_from_unix(now.tv_sec, (uint32_t)now.tv_nsec);
    if (b.LastAccessTime <= 0)
        b.LastAccessTime = b.LastWriteTime;
    lx_nt_set_info(r, f->handle, &b, sizeof b, FileBasicInformation);
}

/* The access open(2)'s flags ask for. */
static ACCESS_MASK access_for(int flags)
{
    ACCESS_MASK access = LX_ATTR_ACCESS;
    int mode = flags & O_ACCMODE;

    if (mode != O_WRONLY)
        access |= FILE_READ_DATA;
    if (mode != O_RDONLY)
        access |= LX_WRITE_ACCESS;
    return access;
}

/* Hand the new file to the kernel; undo it when the reply goes nowhere. */
static bool give_file(lx_req *r, lx_file *f, struct fuse_file_info *fi)
{
    (void)r;
    fi->fh = (uint64_t)(uintptr_t)f;
    fi->keep_cache = 0;
    fi->direct_io = 0;
    return true;
}

void lx_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    lx_req r;
    lx_node *n;
    lx_file *f;
    nt_handle h;
    ACCESS_MASK access = access_for(fi->flags);
    bool trunc = (fi->flags & O_TRUNC) && (fi->flags & O_ACCMODE) != O_RDONLY;
    NTSTATUS status;

    lx_begin(&r, req, "OPEN %llu flags 0%o", (unsigned long long)ino, (unsigned)fi->flags);
    n = lx_node_get(r.lx, ino);
    if (!n) {
        lx_reply_err(&r, ESTALE);
        return;
    }
    if ((fi->flags & LX_FMODE_EXEC) && r.uid != 0) {
        /*
         * execve needs execute permission only, but the kernel reads the
         * image through this handle: the caller's right to execute is
         * checked, and the image is then opened for reading, as Windows
         * maps an image for a caller holding FILE_EXECUTE.
         */
        status = lx_open_path(&r, n, NULL, 0, FILE_EXECUTE | SYNCHRONIZE, FILE_OPEN,
            FILE_NON_DIRECTORY_FILE | FILE_OPEN_REPARSE_POINT, NULL, 0, &h, NULL, false);
        if (!NT_SUCCESS(status)) {
            lx_reply_err(&r, lx_errno(status));
            lx_node_put(r.lx, n);
            return;
        }
        lx_nt_close(&r, h);
        lx_as_root(&r);
        status = lx_open_path(&r, n, NULL, 0, access | FILE_EXECUTE, FILE_OPEN,
            FILE_NON_DIRECTORY_FILE | FILE_OPEN_REPARSE_POINT, NULL, 0, &h, NULL, false);
        lx_as_caller(&r);
    } else {
        status = lx_open_path(&r, n, NULL, 0, access, trunc ? FILE_OVERWRITE : FILE_OPEN,
            FILE_NON_DIRECTORY_FILE | FILE_OPEN_REPARSE_POINT, NULL, 0, &h, NULL, false);
    }
    if (!NT_SUCCESS(status)) {
        lx_reply_err(&r, lx_errno(status));
        lx_node_put(r.lx, n);
        return;
    }
    f = lx_file_new(r.lx, n, h, access, false);
    if (!f) {
        lx_nt_close(&r, h);
        lx_reply_err(&r, ENOMEM);
    } else if (give_file(&r, f, fi) && fuse_reply_open(req, fi) != 0) {
        lx_file_release(&r, f);
    }
    lx_node_put(r.lx, n);
}

void lx_op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
    struct fuse_file_info *fi)
{
    lx_req r;
    WCHAR w[LX_NAME_MAX + 1];
    size_t wl, sd_len = 0;
    uint8_t sd[WF_SD_POSIX_MAX_SIZE];
    lx_node *p, *n;
    lx_file *f;
    nt_handle h;
    struct stat st;
    struct fuse_entry_param e;
    ACCESS_MASK access = access_for(fi->flags);
    UINT32 disposition = (fi->flags & O_EXCL) ? FILE_CREATE
        : (fi->flags & O_TRUNC) && (fi->flags & O_ACCMODE) != O_RDONLY ? FILE_OVERWRITE_IF
        : FILE_OPEN_IF;
    NTSTATUS status;
    int err;

    lx_begin(&r, req, "CREATE %llu \"%s\" mode 0%o flags 0%o", (unsigned long long)parent, name,
        (unsigned)mode, (unsigned)fi->flags);
    /* Sticky on a regular file means nothing to Linux; a descriptor cannot show it. */
    mode &= ~(mode_t)S_ISVTX;
    err = lx_name_to_windows(name, w, &wl);
    if (!err)
        err = lx_sd_for(&r, r.uid, r.gid, S_IFREG | (mode & 07777), sd, sizeof sd, &sd_len);
    if (!err && !lx_mode_representable(&r, r.uid, r.gid, S_IFREG | (mode & 07777)))
        err = -EPERM; /* the descriptor cannot hold them: refused, not dropped */
    if (err) {
        lx_reply_err(&r, -err);
        return;
    }
    p = lx_node_get(r.lx, parent);
    if (!p) {
        lx_reply_err(&r, ESTALE);
        return;
    }
    status = lx_open_path(&r, p, w, wl, access, disposition,
        FILE_NON_DIRECTORY_FILE | FILE_OPEN_REPARSE_POINT, sd, sd_len, &h, NULL, false);
    if (!NT_SUCCESS(status)) {
        lx_reply_err(&r, lx_errno(status));
        lx_node_put(r.lx, p);
        return;
    }
    status = lx_stat_handle(&r, h, &st);
    if (!NT_SUCCESS(status)) {
        lx_nt_close(&r, h);
        lx_reply_err(&r, lx_errno(status));
        lx_node_put(r.lx, p);
        return;
    }
    n = lx_node_found(r.lx, p, w, wl, st.st_ino, st.st_mode & S_IFMT);
    f = n ? lx_file_new(r.lx, n, h, access, false) : NULL;
    if (!f) {
        lx_nt_close(&r, h);
        if (n)
            lx_node_forget(r.lx, n->nodeid, 1);
        lx_reply_err(&r, ENOMEM);
        lx_node_put(r.lx, p);
        return;
    }
    memset(&e, 0, sizeof e);
    e.ino = n->nodeid;
    e.attr = st;
    e.attr_timeout = r.lx->opt.attr_timeout;
    e.entry_timeout = r.lx->opt.entry_timeout;
    give_file(&r, f, fi);
    lx_trace(r.lx, "linux  #%llu -> node %llu (ino %llu)", r.id, (unsigned long long)n->nodeid,
        (unsigned long long)st.st_ino);
    if (fuse_reply_create(req, &e, fi) != 0) {
        lx_file_release(&r, f);
        lx_node_forget(r.lx, n->nodeid, 1);
    }
    lx_node_put(r.lx, p);
}

void lx_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
    lx_req r;
    lx_file *f = lx_file_of(fi);
    UINT32 done = 0;
    NTSTATUS status;
    char *buf;

    lx_begin(&r, req, "READ %llu %zu at %lld", (unsigned long long)ino, size, (long long)off);
    if (size > UINT32_MAX || off < 0) {
        lx_reply_err(&r, EINVAL);
        return;
    }
    buf = malloc(size ? size : 1);
    if (!buf) {
        lx_reply_err(&r, ENOMEM);
        return;
    }
    lx_as_lock_owner(&r);
    status = lx_nt_read(&r, f->handle, buf, (UINT32)size, off, &done);
    if (status == STATUS_END_OF_FILE)
        fuse_reply_buf(req, buf, 0);
    else if (!NT_SUCCESS(status))
        lx_reply_err(&r, lx_errno(status));
    else
        fuse_reply_buf(req, buf, done);
    free(buf);
}

void lx_op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
    struct fuse_file_info *fi)
{
    lx_req r;
    lx_file *f = lx_file_of(fi);
    UINT32 done = 0;
    NTSTATUS status;

    lx_begin(&r, req, "WRITE %llu %zu at %lld", (unsigned long long)ino, size, (long long)off);
    if (size > UINT32_MAX || off < 0) {
        lx_reply_err(&r, EINVAL);
        return;
    }
    lx_as_lock_owner(&r);
    status = lx_nt_write(&r, f->handle, buf, (UINT32)size, off, &done);
    if (!NT_SUCCESS(status)) {
        lx_reply_err(&r, lx_errno(status));
        return;
    }
    lx_file_stamp(&r, f);
    fuse_reply_write(req, done);
}

void lx_op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    lx_req r;

    /*
     * close(2) of one descriptor: the handle stays until the last one
     * (release), but the closing process's record locks on the file go now.
     */
    lx_begin(&r, req, "FLUSH %llu owner %llx", (unsigned long long)ino,
        (unsigned long long)fi->lock_owner);
    lx_as_lock_owner(&r);
    lx_plock_drop_owner(&r, lx_file_of(fi)->node, fi->lock_owner);
    lx_as_caller(&r);
    lx_reply_err(&r, 0);
}

void lx_op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    lx_req r;
    lx_file *f = lx_file_of(fi);

    lx_begin(&r, req, "RELEASE %llu", (unsigned long long)ino);
    lx_as_lock_owner(&r);
    lx_plock_drop_file(&r, f);
    lx_as_caller(&r);
    lx_file_release(&r, f);
    lx_reply_err(&r, 0);
}

void lx_op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
    lx_req r;
    lx_file *f = lx_file_of(fi);
    NTSTATUS status = STATUS_SUCCESS;

    lx_begin(&r, req, "FSYNC %llu%s", (unsigned long long)ino, datasync ? " (data)" : "");
    /*
     * NtFlushBuffersFile wants a handle that may write; one that may not
     * wrote nothing here to flush (Linux allows fsync on it).
     */
    if (f->access & (FILE_WRITE_DATA | FILE_APPEND_DATA))
        status = lx_nt_flush(&r, f->handle);
    lx_reply_err(&r, NT_SUCCESS(status) ? 0 : lx_errno(status));
}

void lx_op_flock(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, int op)
{
    lx_req r;
    lx_file *f = lx_file_of(fi);
    int want = (op & LOCK_EX) ? LOCK_EX : (op & LOCK_SH) ? LOCK_SH : 0;
    long wait_ms = 1;
    NTSTATUS status;
    int err = 0;

    lx_begin(&r, req, "FLOCK %llu %s%s", (unsigned long long)ino,
        want == LOCK_EX ? "LOCK_EX" : want == LOCK_SH ? "LOCK_SH" : "LOCK_UN",
        (op & LOCK_NB) ? "|LOCK_NB" : "");
    /*
     * The lock belongs to the open file, whichever process holds it (fork
     * shares it): NT locks are owned by handle, process and key, so every
     * lock call names process 0.
     */
    lx_as_lock_owner(&r);
    pthread_mutex_lock(&f->dir_lock);
    if (f->flock == want) {
        pthread_mutex_unlock(&f->dir_lock);
        goto out;
    }
    if (f->flock) {
        /* A conversion is an unlock and a new lock, as flock(2) says it may be. */
        lx_nt_unlock(&r, f->handle, LX_FLOCK_OFFSET, LX_FLOCK_LENGTH);
        f->flock = 0;
    }
    pthread_mutex_unlock(&f->dir_lock);
    while (want) {
        pthread_mutex_lock(&f->dir_lock);
        status = f->flock ? STATUS_SUCCESS
                          : lx_nt_lock(&r, f->handle, LX_FLOCK_OFFSET, LX_FLOCK_LENGTH,
                                want == LOCK_EX);
        if (NT_SUCCESS(status))
            f->flock = want;
        pthread_mutex_unlock(&f->dir_lock);
        if (NT_SUCCESS(status))
            break;
        if (status != STATUS_LOCK_NOT_GRANTED && status != STATUS_FILE_LOCK_CONFLICT) {
            err = lx_errno(status);
            break;
        }
        if (op & LOCK_NB) {
            err = EWOULDBLOCK;
            break;
        }
        /* Waiting polls, so that a signal (FUSE_INTERRUPT) can end it. */
        if (fuse_req_interrupted(req)) {
            err = EINTR;
            break;
        }
        {
            struct timespec ts = {0, wait_ms * 1000000L};
            nanosleep(&ts, NULL);
            if (wait_ms < 32)
                wait_ms *= 2;
        }
    }
out:
    lx_as_caller(&r);
    lx_reply_err(&r, err);
}

void lx_op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
    struct fuse_file_info *fi)
{
    lx_req r;
    lx_file *f = lx_file_of(fi);
    FILE_STANDARD_INFORMATION s;
    NTSTATUS status;

    lx_begin(&r, req, "FALLOCATE %llu mode 0x%x %lld+%lld", (unsigned long long)ino, mode,
        (long long)offset, (long long)length);
    if (mode != 0) {
        /* Keeping the size, punching holes, zeroing ranges: NT has no such calls. */
        lx_reply_err(&r, EOPNOTSUPP);
        return;
    }
    if (offset < 0 || length <= 0 || offset > INT64_MAX - length) {
        lx_reply_err(&r, offset > INT64_MAX - length ? EFBIG : EINVAL);
        return;
    }
    /* Allocation past the end is the new end of file (zeros); within it there is nothing to do. */
    status = lx_nt_query_info(&r, f->handle, &s, sizeof s, FileStandardInformation);
    if (NT_SUCCESS(status) && s.EndOfFile < offset + length) {
        FILE_END_OF_FILE_INFORMATION e;
        e.EndOfFile = offset + length;
        status = lx_nt_set_info(&r, f->handle, &e, sizeof e, FileEndOfFileInformation);
        if (NT_SUCCESS(status))
            lx_file_stamp(&r, f);
    }
    lx_reply_err(&r, NT_SUCCESS(status) ? 0 : lx_errno(status));
}
