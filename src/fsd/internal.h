/*
 * internal.h - what the fsd's files share: the volume, its request queue,
 * file nodes (one per open file, by name), file objects (one per open)
 * and the handle table.
 *
 * The model is WinFsp's FSD (src/sys): a FileNode per file, kept in a
 * table by name while any file object refers to it; a FileDesc per open
 * (here: fsd_fobj) with the granted access, share access and per-handle
 * state; requests posted to an I/O queue the user-mode side pulls from.
 *
 * Locking: one mutex per volume (v->lock) guards every table and every
 * count here, and is never held while waiting for the file system.
 * Creates hold v->rename_lock shared and renames hold it exclusive, as
 * WinFsp's FileRenameResource: no open races a rename. A directory
 * enumeration holds its file object's dir_mutex. Order: rename_lock,
 * dir_mutex, lock.
 */
#ifndef WINFUSE_FSD_INTERNAL_H
#define WINFUSE_FSD_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "winfuse/fsctl.h"
#include "winfuse/fsd.h"
#include "winfuse/nt.h"
#include "winfuse/ntdefs.h"

/* A symbolic link chain longer than this is a loop (the I/O manager's limit). */
#define FSD_REPARSE_MAX 63
/* The largest directory listing asked for at once (WinFsp: 64K less a cache header). */
#define FSD_QUERY_DIRECTORY_LENGTH_MAX (64 * 1024 - 16)
/* Buckets of the in-flight request table. */
#define FSD_INFLIGHT_BUCKETS 256u

/* ---- requests (volume.c) ---- */

enum {
    FSD_REQ_NEW,
    FSD_REQ_QUEUED,      /* waiting for the engine */
    FSD_REQ_TAKEN,       /* the engine has it */
    FSD_REQ_DONE,        /* rsp holds the response */
    FSD_REQ_CANCELLED,   /* ended without a response */
};

/* Service-time classes: each request kind, small and large transfers apart. */
#define FSD_GONE_SLOTS 256 /* files whose changes outlive their nodes (handle.c) */
#define FSD_SERVICE_BUCKETS (2 * FspFsctlTransactKindCount)

typedef struct fsd_req {
    /* Everything before cond is the request's state, zeroed when the request is made. */
    struct fsd_req *next;        /* queue */
    struct fsd_req *hash_next;   /* in flight, by hint */
    UINT64 hint;
    int state;                   /* written under the lock, atomically: spinners read it */
    bool waited;                 /* a caller waits for it; else it is posted */
    bool sleeping;               /* the caller sleeps on cond (not spinning) */
    bool abandoned;              /* the caller gave up while the engine had it */
    bool caller_memory;          /* Address names the caller's buffer: never abandon */
    bool was_queued;             /* cancelled before the engine ever saw it */
    UINT32 token;                /* access token registered for it, or 0 */
    UINT32 bucket;               /* its service-time class (volume.c, "spinning") */
    UINT64 taken_ns;             /* when the engine took it */
    /* The node whose cached file information the answer updates, and its
     * info_change when the request was queued (fsd_send takes it). */
    struct fsd_node *info_node;
    UINT32 info_change;
    UINT64 change_seq;           /* the volume's change_seq when it was queued */
    pthread_cond_t cond;
    FSP_FSCTL_TRANSACT_REQ *req; /* FSP_FSCTL_TRANSACT_REQ_SIZEMAX bytes */
    FSP_FSCTL_TRANSACT_RSP *rsp; /* FSP_FSCTL_TRANSACT_RSP_SIZEMAX bytes, the answer once done */
    void *data;                  /* a buffer the request owns (QueryDirectory) */
    size_t data_size;
    size_t req_dirty;            /* bytes of req written by earlier uses (volume.c) */
} fsd_req;

/* ---- byte-range locks (lockctl.c) ---- */

typedef struct fsd_lock {
    struct fsd_lock *next;
    struct fsd_fobj *owner;
    UINT32 pid, key;
    UINT64 offset, length;
    bool exclusive;
} fsd_lock;

/* ---- file nodes (handle.c) ---- */

typedef struct fsd_share {
    UINT32 open_count, readers, writers, deleters;
    UINT32 shared_read, shared_write, shared_delete;
} fsd_share;

typedef struct fsd_node {
    struct fsd_node *hash_next;
    WCHAR *name;                 /* as reported ("\dir\file"), normalized */
    size_t name_len;             /* WCHARs */
    UINT32 hash;
    bool in_table;
    UINT32 refs;                 /* file objects and callers holding it */
    UINT32 open_count;           /* file objects not yet closed (WinFsp OpenCount) */
    UINT32 handle_count;         /* file objects not yet cleaned up */
    UINT32 active_count;
    bool is_dir, is_root;
    bool delete_pending;
    bool posix_delete;
    bool truncate_on_close;
    UINT64 user_context;
    UINT64 index_number;
    fsd_share share;
    /* FileInfoTimeout cache */
    FSP_FSCTL_FILE_INFO info;
    bool info_known;             /* info holds the last answer, fresh or not */
    UINT64 info_expiry;          /* monotonic ns; valid while now < expiry */
    UINT32 info_change;          /* bumped on every change, to drop stale answers */
    UINT64 changed_seq;          /* v->change_seq at its file's last change through it */
    /* SecurityTimeout cache */
    void *security;
    UINT32 security_len;
    UINT64 security_expiry;
    UINT32 security_change;
    fsd_lock *locks;
} fsd_node;

/* ---- file objects (handle.c) ---- */

typedef struct fsd_fobj {
    fsd_node *node;              /* NULL for a volume open */
    UINT32 refs;                 /* the handle's, and each call in progress */
    bool cleanup_started;        /* its last handle is going: no new locks */
    bool cleaned_up;
    UINT64 user_context, user_context2;
    ACCESS_MASK granted;
    UINT32 create_options;       /* the FILE_* options of the open */
    bool synchronous;            /* FILE_SYNCHRONOUS_IO_*: keeps a position */
    bool case_sensitive;
    INT64 position;
    /* share access this open takes part in (IoSetShareAccess) */
    bool read_access, write_access, delete_access;
    bool shared_read, shared_write, shared_delete;
    /* WinFsp FileDesc state */
    bool delete_on_close;
    bool posix_delete;
    bool delete_pending;         /* FileObject->DeletePending */
    NTSTATUS disposition_status;
    bool modified;               /* FO_FILE_MODIFIED */
    bool did_set_attributes, did_set_creation, did_set_atime, did_set_mtime, did_set_ctime;
    bool did_set_metadata, did_set_security;
    /* directory enumeration (dirctl.c) */
    pthread_mutex_t dir_mutex;
    bool dir_started;
    WCHAR *dir_pattern;          /* NULL: match all */
    size_t dir_pattern_len;
    bool dir_has_such_file;
    bool dir_marker_valid;
    UINT64 dir_marker;           /* NextOffset of the last entry returned */
} fsd_fobj;

typedef struct fsd_slot {
    fsd_fobj *fobj;              /* NULL when free or dismounted */
    UINT32 gen;
    bool used;
    bool dismounted;             /* the volume went; only nt_close works */
} fsd_slot;

typedef struct fsd_token {
    bool used;
    UINT32 uid, gid, pid;
} fsd_token;

/* ---- the volume (volume.c) ---- */

enum {
    FSD_VOL_NEW,
    FSD_VOL_MOUNTED,
    FSD_VOL_UNMOUNTING,
    FSD_VOL_GONE,
};

struct wf_fsd_volume {
    pthread_mutex_t lock;
    pthread_cond_t queue_cond;   /* next_request waits here */
    pthread_cond_t state_cond;   /* unmount, lock waiters, drained queue */
    pthread_rwlock_t rename_lock;
    wf_provider provider;
    FSP_FSCTL_VOLUME_PARAMS params;
    UINT64 irp_timeout_ns;
    UINT64 file_info_timeout_ns, volume_info_timeout_ns, security_timeout_ns;
    int state;
    bool stopped;
    UINT32 active_calls;
    UINT64 wake_gen;
    /* Spinning before sleeping: see "spinning" in volume.c. */
    UINT32 queue_events;         /* bumped (atomically) when next_request should look again */
    UINT32 queue_sleepers;       /* next_request callers asleep on queue_cond */
    UINT32 idle_spinners;        /* next_request callers spinning (atomic) */
    UINT32 spinners;             /* all spinning threads (atomic) */
    UINT32 spinners_max;         /* the number of CPUs; 0 on one CPU */
    UINT64 spin_ns;              /* how long one spin may last; 0: never spin */
    UINT64 service_ns[FSD_SERVICE_BUCKETS]; /* recent service time per class (atomic) */
    /* requests */
    fsd_req *queue_head, *queue_tail;
    fsd_req *inflight[FSD_INFLIGHT_BUCKETS];
    UINT32 outstanding;          /* queued or taken, not yet answered */
    UINT64 next_hint;
    /*
     * change_seq numbers the changes made through the fsd (a change
     * answered, a cache dropped for one). A node that leaves the table takes
     * its last one along; gone_changes keeps the latest per file (slot by
     * IndexNumber), so that an open answered before such a change, seen only
     * after the node it went through is gone, does not seed a new node.
     */
    UINT64 change_seq;
    UINT64 gone_changes[FSD_GONE_SLOTS];
    fsd_token *tokens;
    UINT32 token_count;
    /* handles */
    fsd_slot *slots;
    UINT32 slot_count, slot_cap;
    UINT32 *free_slots;
    UINT32 free_count;
    /* nodes */
    fsd_node **nodes;
    UINT32 node_mask, node_count;
    /* QueryVolumeInformation cache */
    FSP_FSCTL_VOLUME_INFO volume_info;
    UINT64 volume_info_expiry;
    bool volume_info_valid;
};

/* ---- volume.c ---- */

UINT64 fsd_now(void);
UINT64 fsd_expiry(UINT64 timeout_ns);
void fsd_thread_credentials(UINT32 *uid, UINT32 *gid, UINT32 *pid);

/* Every public call: enter (or fail as the volume's state says), then leave. */
NTSTATUS fsd_enter(wf_fsd_volume *v);
void fsd_leave(wf_fsd_volume *v);
NTSTATUS fsd_iosb(nt_io_status *iosb, NTSTATUS status, UINT64 information);

fsd_req *fsd_req_new(UINT32 kind);
bool fsd_req_append(fsd_req *r, const void *data, size_t size, FSP_FSCTL_TRANSACT_BUF *buf);
/* A name as WinFsp sends it: the WCHARs and a NUL, which Size counts. */
bool fsd_req_append_name(fsd_req *r, const WCHAR *name, size_t len, FSP_FSCTL_TRANSACT_BUF *buf);
/* An access token for the calling thread's credentials (Create, Rename). */
UINT64 fsd_req_token(wf_fsd_volume *v, fsd_req *r);
/*
 * Queue the request and wait for its response: STATUS_CANCELLED when the
 * volume is stopped or the request timed out, otherwise the response's
 * status (r->rsp is valid exactly when r->state is FSD_REQ_DONE). A
 * request the engine holds when the caller gives up becomes the fsd's:
 * then *pr is set to NULL.
 */
NTSTATUS fsd_send(wf_fsd_volume *v, fsd_req **pr);
/* Queue a request nobody waits for (Close), with the lock held; the fsd frees it. */
void fsd_post_locked(wf_fsd_volume *v, fsd_req *r);
/* Release a request after fsd_send (NULL is fine). */
void fsd_req_free(wf_fsd_volume *v, fsd_req *r);
/* Post the Close WinFsp posts for an open it could not complete. */
void fsd_post_close(wf_fsd_volume *v, UINT64 user_context, UINT64 user_context2);
void fsd_post_close_locked(wf_fsd_volume *v, UINT64 user_context, UINT64 user_context2);

/* ---- handle.c ---- */

NTSTATUS fsd_handle_insert(wf_fsd_volume *v, fsd_fobj *f, nt_handle *handle);
/* A reference on the file object behind a handle (STATUS_INVALID_HANDLE, or dismounted). */
NTSTATUS fsd_handle_ref(wf_fsd_volume *v, nt_handle handle, fsd_fobj **fobj);
fsd_fobj *fsd_fobj_new(void);
/* Drop a reference; the last one sends Close and frees the file object. */
void fsd_fobj_release(wf_fsd_volume *v, fsd_fobj *f);
void fsd_fobj_free(fsd_fobj *f);

UINT32 fsd_name_hash(const wf_fsd_volume *v, const WCHAR *name, size_t len);
bool fsd_name_equal(const wf_fsd_volume *v, const WCHAR *a, size_t alen, const WCHAR *b,
    size_t blen);
fsd_node *fsd_node_new(const WCHAR *name, size_t len);
fsd_node *fsd_node_lookup_locked(wf_fsd_volume *v, const WCHAR *name, size_t len);
void fsd_node_unref_locked(wf_fsd_volume *v, fsd_node *n);
void fsd_node_remove_locked(wf_fsd_volume *v, fsd_node *n);
/*
 * FspFileNodeOpen: open *candidate, or the node already open by that
 * name, for f: delete-pending and share access checks (with the extra
 * access an overwrite or supersede needs for the check only). On success
 * *opened holds a reference and counts the open.
 */
NTSTATUS fsd_node_open(wf_fsd_volume *v, fsd_node *candidate, fsd_fobj *f, UINT32 granted,
    UINT32 additional, UINT32 share_access, fsd_node **opened);
/* Undo fsd_node_open for an open that fails later (FspFileNodeClose with handle cleanup). */
void fsd_node_unopen(wf_fsd_volume *v, fsd_node *n, fsd_fobj *f);
void fsd_share_remove_locked(fsd_node *n, fsd_fobj *f);
/* Rename checks and the rename of a node and everything below it. */
NTSTATUS fsd_rename_check(wf_fsd_volume *v, fsd_node *n, const WCHAR *name, size_t len,
    bool checking_old_name, bool posix);
void fsd_node_rename(wf_fsd_volume *v, fsd_node *n, const WCHAR *name, size_t len);
/* Is a path name, or does it lie below, prefix? */
bool fsd_name_is_prefix(const wf_fsd_volume *v, const WCHAR *prefix, size_t plen,
    const WCHAR *name, size_t len);

/* File info cache (FileInfoTimeout). */
bool fsd_node_get_info(wf_fsd_volume *v, fsd_node *n, FSP_FSCTL_FILE_INFO *info);
/*
 * A first open's answer (r the Create): what is cached, unless the file
 * changed while r was out, through n or through a node that is gone now.
 */
void fsd_node_open_info(wf_fsd_volume *v, fsd_node *n, const fsd_req *r,
    const FSP_FSCTL_FILE_INFO *info);
/* The file changed in a way no answer told (under v->lock): drop what is cached. */
void fsd_node_info_changed_locked(wf_fsd_volume *v, fsd_node *n);
/*
 * The answer to r (its info_node set before fsd_send): a query's is cached
 * unless something reached the node meanwhile; a change's (write, flush,
 * set information or EAs, overwrite) likewise, else the cache is dropped,
 * as which of the two is newer is unknown.
 */
void fsd_node_try_set_info(wf_fsd_volume *v, const fsd_req *r, const FSP_FSCTL_FILE_INFO *info);
void fsd_node_change_info(wf_fsd_volume *v, const fsd_req *r, const FSP_FSCTL_FILE_INFO *info,
    bool truncate_on_close);
void fsd_node_invalidate_info(wf_fsd_volume *v, fsd_node *n);

/* ---- cleanup.c ---- */

/* The last handle of a file object went: Cleanup, as WinFsp sends it. */
void fsd_cleanup(wf_fsd_volume *v, fsd_fobj *f);
/* The file object is unreferenced: account the close and post Close. */
void fsd_close(wf_fsd_volume *v, fsd_fobj *f);
/* Unmount: clean up and close every open handle. */
void fsd_close_all(wf_fsd_volume *v);

/* ---- create.c ---- */

/* Open a file for the fsd's own use (rename targets, reparse probes). */
typedef struct fsd_open_args {
    const WCHAR *name;
    size_t name_len;
    ACCESS_MASK access;
    UINT32 attributes, share, disposition, options;
    UINT64 allocation_size;
    const void *sd, *ea;
    size_t sd_len, ea_len;
    bool open_target_directory;
} fsd_open_args;

NTSTATUS fsd_open(wf_fsd_volume *v, const fsd_open_args *a, fsd_fobj **fobj,
    UINT64 *information);
/* Release a file object opened with fsd_open (Cleanup and Close). */
void fsd_open_close(wf_fsd_volume *v, fsd_fobj *f);

/* ---- lockctl.c ---- */

/* Would this I/O conflict with a byte-range lock? (lock held) */
bool fsd_lock_conflict_locked(fsd_node *n, fsd_fobj *f, UINT32 key, UINT64 offset,
    UINT64 length, bool write);
void fsd_unlock_all_locked(wf_fsd_volume *v, fsd_fobj *f);

/* ---- fsctl.c ---- */

/* FSCTL_GET_REPARSE_POINT through an open: the reparse buffer, malloc'd. */
NTSTATUS fsd_get_reparse_point(wf_fsd_volume *v, UINT64 user_context, UINT64 user_context2,
    const WCHAR *name, size_t name_len, void **data, size_t *size);
NTSTATUS fsd_validate_reparse_buffer(const void *buf, size_t len);

/* ---- security.c ---- */

/* A self-relative descriptor with only the parts info selects. */
NTSTATUS fsd_sd_select(const void *sd, size_t sd_len, UINT32 info, void *out, UINT32 cap,
    UINT32 *needed);

/* ---- small helpers ---- */

static inline UINT64 fsd_align8(UINT64 x)
{
    return (x + 7) & ~(UINT64)7;
}

static inline bool fsd_is_volume(const fsd_fobj *f)
{
    return f->node == NULL;
}

#endif
