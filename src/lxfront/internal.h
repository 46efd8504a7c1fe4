/*
 * internal.h - what lxfront's files share: the instance, the inode table
 * (nodeid -> Windows path, with lookup counts), open files, and the NT
 * call wrappers that trace, set the caller's credentials and translate
 * results.
 *
 * Locking: lx->lock guards the node table, every node's fields and the
 * open-file list; it is never held across an NT call. lx->rename_lock is
 * held shared from taking a path out of the table until the NT open of
 * that path returned, and exclusive by rename around its NT rename and
 * the table update, so that no path goes stale between the two (WinFsp's
 * FSD keeps the same rule with its FileRenameResource). A request never
 * takes rename_lock twice. lx->plock_lock guards POSIX record locks
 * (plock.c); it is held across NtLockFile/NtUnlockFile only. Order:
 * rename_lock, plock_lock, lock.
 */
#ifndef WINFUSE_LXFRONT_INTERNAL_H
#define WINFUSE_LXFRONT_INTERNAL_H

#define FUSE_USE_VERSION 314

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <fuse_lowlevel.h>

#include "lxfront/lxfront.h"
#include "winfuse/nt.h"
#include "winfuse/ntdefs.h"
#include "winfuse/ntstatus.h"

/* Longest Windows path handled (a UNICODE_STRING's limit), in WCHARs. */
#define LX_PATH_MAX 32767
/* Longest name component (NTFS's, and the volume's default). */
#define LX_NAME_MAX 255

typedef struct lx_plock lx_plock;

typedef struct lx_node {
    struct lx_node *id_next, *name_next;  /* hash chains */
    uint64_t nodeid;
    uint64_t file_id;        /* IndexNumber: st_ino */
    uint64_t nlookup;        /* the kernel's references */
    uint32_t refs;           /* children, open files, requests in progress */
    uint32_t type;           /* S_IFMT bits as last seen */
    struct lx_node *parent;  /* NULL for the root and for unlinked nodes */
    WCHAR *name;             /* the Windows name in parent (no separator) */
    size_t name_len;
    bool unlinked;           /* no name any more (deleted, replaced) */
    lx_plock *plocks;        /* fcntl record locks held on it (plock.c) */
} lx_node;

typedef struct lx_dirent {
    char *name;
    uint64_t ino;
    uint32_t type;           /* S_IFMT bits, 0 when unknown */
} lx_dirent;

typedef struct lx_file {
    struct lx_file *prev, *next; /* lx->files */
    lx_node *node;
    nt_handle handle;
    ACCESS_MASK access;      /* as granted */
    bool is_dir;
    int flock;               /* 0, LOCK_SH or LOCK_EX held through the lock byte */
    bool stamped;            /* its times were set explicitly (lx_file_stamp) */
    uint32_t refs;           /* the kernel's (until release) and borrowers' (lx_file_any) */
    /* directory listings */
    pthread_mutex_t dir_lock;
    lx_dirent *ents;
    size_t count, cap;
    bool started, eof;
} lx_file;

struct wf_lx {
    wf_fsd_volume *volume;
    wf_lx_options opt;
    struct fuse_session *se;
    char *mountpoint;
    bool mounted;

    pthread_mutex_t lock;
    pthread_rwlock_t rename_lock;
    pthread_mutex_t plock_lock;
    pthread_cond_t plock_cond;   /* a record lock was let go */
    lx_node **by_id, **by_name;
    size_t id_buckets, name_buckets; /* powers of two */
    size_t node_count;
    uint64_t next_nodeid;
    lx_node *root;
    lx_file *files;
    size_t file_count;

    pthread_t loop_thread;
    bool looping;

    pthread_mutex_t trace_lock;
    unsigned long long requests, nt_calls;
};

/* One Linux request being served: who asked, for tracing and credentials. */
typedef struct lx_req {
    wf_lx *lx;
    fuse_req_t req;
    uint32_t uid, gid, pid;
    unsigned long long id;
} lx_req;

/* ---- session.c ---- */

/* Start a request: credentials, counters, the "linux" trace line. */
void lx_begin(lx_req *r, fuse_req_t req, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool lx_tracing(const wf_lx *lx);
void lx_trace(wf_lx *lx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reply with an error (positive errno), traced. */
void lx_reply_err(lx_req *r, int err);
/* Act as root for the next NT calls of this thread (privileged steps), or as the caller again. */
void lx_as_root(lx_req *r);
void lx_as_caller(lx_req *r);
/*
 * Act as the process that owns byte-range locks: NT locks belong to a
 * handle, a process and a key, and reads and writes are checked against
 * them by the same triple. lxfront names process 0 for locks and for data
 * I/O, so that a lock belongs to the handle (the open file description)
 * whichever Linux process uses it.
 */
void lx_as_lock_owner(lx_req *r);

/* ---- node.c ---- */

int lx_nodes_init(wf_lx *lx);
void lx_nodes_destroy(wf_lx *lx);
/* The node for a nodeid, with a reference (lx_node_put); NULL if unknown. */
lx_node *lx_node_get(wf_lx *lx, uint64_t nodeid);
void lx_node_put(wf_lx *lx, lx_node *n);
/*
 * The path of node (plus "\" and child, when child_len), malloc'd, into
 * path and len. -ENOENT for a node without a name any more, -ENAMETOOLONG.
 */
int lx_node_path(wf_lx *lx, lx_node *n, const WCHAR *child, size_t child_len, WCHAR **path,
    size_t *len);
/*
 * A lookup found (parent, name) with this file id and type: the node for
 * it, with one more kernel reference (nlookup) -- the one the reply gives.
 */
lx_node *lx_node_found(wf_lx *lx, lx_node *parent, const WCHAR *name, size_t len,
    uint64_t file_id, uint32_t type);
/* (parent, name) is gone: its node, if any, is unlinked. */
void lx_node_unlinked(wf_lx *lx, lx_node *parent, const WCHAR *name, size_t len);
/* (parent, name) was renamed to (newparent, newname); a node there before is unlinked. */
void lx_node_renamed(wf_lx *lx, lx_node *parent, const WCHAR *name, size_t len,
    lx_node *newparent, const WCHAR *newname, size_t newlen);
void lx_node_forget(wf_lx *lx, uint64_t nodeid, uint64_t nlookup);

/* ---- nt.c: NT calls, traced, with the current thread's credentials ---- */

NTSTATUS lx_nt_open(lx_req *r, nt_handle *h, const WCHAR *path, size_t len, ACCESS_MASK access,
    UINT32 disposition, UINT32 options, const void *sd, size_t sd_len, UINT64 *information);
void lx_nt_close(lx_req *r, nt_handle h);
NTSTATUS lx_nt_read(lx_req *r, nt_handle h, void *buf, UINT32 len, INT64 off, UINT32 *done);
NTSTATUS lx_nt_write(lx_req *r, nt_handle h, const void *buf, UINT32 len, INT64 off,
    UINT32 *done);
NTSTATUS lx_nt_query_info(lx_req *r, nt_handle h, void *info, UINT32 len, UINT32 cls);
NTSTATUS lx_nt_set_info(lx_req *r, nt_handle h, const void *info, UINT32 len, UINT32 cls);
NTSTATUS lx_nt_query_dir(lx_req *r, nt_handle h, void *buf, UINT32 len, bool restart,
    UINT32 *done);
NTSTATUS lx_nt_query_volume(lx_req *r, nt_handle h, void *info, UINT32 len, UINT32 cls);
NTSTATUS lx_nt_flush(lx_req *r, nt_handle h);
/* Fail-immediately byte-range locks; offsets and lengths are unsigned, as in FsRtl. */
NTSTATUS lx_nt_lock(lx_req *r, nt_handle h, UINT64 off, UINT64 len, bool exclusive);
NTSTATUS lx_nt_unlock(lx_req *r, nt_handle h, UINT64 off, UINT64 len);
NTSTATUS lx_nt_fsctl(lx_req *r, nt_handle h, UINT32 code, const void *in, UINT32 in_len,
    void *out, UINT32 out_len, UINT32 *done);
NTSTATUS lx_nt_query_security(lx_req *r, nt_handle h, UINT32 info, void *sd, UINT32 len,
    UINT32 *needed);
NTSTATUS lx_nt_query_ea(lx_req *r, nt_handle h, void *buf, UINT32 len, UINT32 *done);
NTSTATUS lx_nt_set_ea(lx_req *r, nt_handle h, const void *buf, UINT32 len);
NTSTATUS lx_nt_set_security(lx_req *r, nt_handle h, UINT32 info, const void *sd, UINT32 len);

/* The errno for an NT result: the one place (engine/status.h). */
int lx_errno(NTSTATUS status);

/* ---- attr.c (and ops.c: descriptors) ---- */

/*
 * A Linux name as a Windows name (the U+F000 mapping for characters
 * Windows names cannot hold): 0, -ENAMETOOLONG, or -EINVAL (unmappable).
 * out holds LX_NAME_MAX + 1 WCHARs.
 */
int lx_name_to_windows(const char *name, WCHAR *out, size_t *len);
/* A Windows name as a Linux name (malloc'd); NULL when it cannot be mapped. */
char *lx_name_to_linux(const WCHAR *name, size_t len);
/* st for an open handle (FileAllInformation, security, reparse data). */
NTSTATUS lx_stat_handle(lx_req *r, nt_handle h, struct stat *st);
/* Open node (or its child) to read attributes, as the caller. */
NTSTATUS lx_open_path(lx_req *r, lx_node *n, const WCHAR *child, size_t child_len,
    ACCESS_MASK access, UINT32 disposition, UINT32 options, const void *sd, size_t sd_len,
    nt_handle *h, UINT64 *information, bool locked);
/* NTSTATUS-free helpers used by the operations. */
int lx_stat_node(lx_req *r, lx_node *n, struct stat *st);
/* The self-relative descriptor for a new file of the caller's with this mode. */
int lx_sd_for(lx_req *r, uint32_t uid, uint32_t gid, uint32_t mode, void *buf, size_t cap,
    size_t *len);
/* Does (uid, gid, mode) survive a descriptor? setuid, setgid and some sticky bits do not. */
bool lx_mode_representable(lx_req *r, uint32_t uid, uint32_t gid, uint32_t mode);

/* ---- ops.c, file.c, dir.c ---- */

extern const struct fuse_lowlevel_ops lx_ops;
void lx_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void lx_op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
    struct fuse_file_info *fi);
void lx_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi);
void lx_op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
    struct fuse_file_info *fi);
void lx_op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void lx_op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void lx_op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi);
void lx_op_flock(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, int op);
void lx_op_getlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, struct flock *lock);
void lx_op_setlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, struct flock *lock,
    int sleep);
void lx_op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
    struct fuse_file_info *fi);
void lx_op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void lx_op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
    struct fuse_file_info *fi);
void lx_op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void lx_op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi);

/* file.c: open files */
lx_file *lx_file_new(wf_lx *lx, lx_node *n, nt_handle h, ACCESS_MASK access, bool is_dir);
/* The kernel let go of f (release, or its reply failed): the handle closes with the last user. */
void lx_file_release(lx_req *r, lx_file *f);
/* Some open file of n, borrowed (lx_file_put), or NULL. */
lx_file *lx_file_any(wf_lx *lx, lx_node *n);
void lx_file_put(lx_req *r, lx_file *f);
/* The handle changed the file: keep Windows from stamping times when it closes. */
void lx_file_stamp(lx_req *r, lx_file *f);
void lx_files_close_all(wf_lx *lx);
/* One more borrower of f (lx_file_put lets go). */
void lx_file_hold(wf_lx *lx, lx_file *f);

/* plock.c: fcntl record locks as NT byte-range locks. Results are errno values. */
int lx_plock_get(lx_req *r, lx_file *f, uint64_t owner, struct flock *lk);
int lx_plock_set(lx_req *r, lx_file *f, uint64_t owner, const struct flock *lk, bool sleep);
/* close(2) of a descriptor: the owner's locks on the node go (FLUSH). */
void lx_plock_drop_owner(lx_req *r, lx_node *n, uint64_t owner);
/* The open file goes (RELEASE): locks still taken through it go too (OFD locks). */
void lx_plock_drop_file(lx_req *r, lx_file *f);
/* Teardown: free the node's lock records, no NT calls (the handles are gone). */
void lx_plock_discard(lx_node *n);
static inline lx_file *lx_file_of(const struct fuse_file_info *fi)
{
    return fi ? (lx_file *)(uintptr_t)fi->fh : NULL;
}

#endif
