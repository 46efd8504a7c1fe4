/*
 * internal.h - what the engine's files share: the instance, the request
 * context, inodes, open files, and the calls between them.
 *
 * Locking: one lock per engine (wf_engine.lock) guards every table here
 * and is held while a context runs a step; steps never block, so the
 * lock is only ever held for a short, bounded time.
 */
#ifndef WINFUSE_ENGINE_INTERNAL_H
#define WINFUSE_ENGINE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "winfuse/engine.h"
#include "winfuse/fsctl.h"
#include "winfuse/fuse_proto.h"
#include "winfuse/linux_abi.h"
#include "winfuse/ntdefs.h"

#include "engine/coro.h"
#include "os/os.h"

/*
 * The FUSE protocol versions we accept from peers, and the one we speak.
 * 7.19 is libfuse 2.9's, still what many FUSE programs are built on; what
 * such a peer lacks it answers with ENOSYS, which the engine remembers.
 */
#define WF_PROTO_MINOR_MIN 19
#define WF_PROTO_MINOR 31

/* The low bit of a unique marks an INTERRUPT and answers to it (as Linux does). */
#define WF_INT_REQ_BIT 1ull

/* A POSIX path converted from a WinFsp path: 1024 WCHARs, 3 bytes each at most. */
#define WF_PATH_MAX (FSP_FSCTL_TRANSACT_PATH_SIZEMAX / sizeof(WCHAR) * 3 + 1)
/* Longest name component accepted from a file system (Linux's NAME_MAX). */
#define WF_NAME_MAX 255
/* Longest symbolic link target accepted (Linux's PATH_MAX). */
#define WF_SYMLINK_MAX 4096

/* ---- inodes and the lookup cache (cache.c) ---- */

typedef struct wf_ci_index wf_ci_index;

typedef struct wf_node {
    struct wf_node *hash_next;
    UINT64 nodeid;
    UINT64 generation;
    UINT64 nlookup;           /* lookups not yet returned with FORGET */
    UINT32 refs;              /* cache entries, open files, contexts */
    bool forgotten;           /* unhashed, waiting for its FORGET */
    struct fuse_attr attr;
    UINT64 attr_valid_until;  /* monotonic ns */
    UINT64 attr_seq;          /* e->change_seq at its attributes' last change */
    UINT64 names_seq;         /* e->change_seq at the last change of its names */
    UINT32 names_busy;        /* requests changing its names, sent and not answered */
    wf_ci_index *ci;          /* a directory's names by their folded form (ci_index.c) */
    UINT32 ci_gen;            /* bumped whenever ci is dropped */
} wf_node;

typedef struct wf_entry wf_entry;

/* ---- open files (file.c) ---- */

typedef struct wf_file {
    UINT32 refs;              /* the handle table's, and each request's using it */
    bool attached;            /* in the handle table: its handle is valid */
    wf_node *node;
    UINT64 fh;
    UINT32 slot;              /* the low half of the UserContext2 we gave out */
    UINT32 handle_gen;        /* and its high half */
    UINT32 open_flags;        /* LINUX_O_* sent with OPEN/CREATE */
    UINT32 fopen_flags;       /* FOPEN_* the file system answered */
    UINT32 uid, gid, pid;     /* credentials of the opener, for later requests */
    bool is_dir;
    bool no_fh;               /* symlinks and specials: opened without OPEN */
} wf_file;

/* ---- the FUSE request a context is about to send (proto.c) ---- */

#define WF_SEND_BODY_MAX 128

typedef struct wf_send {
    UINT32 opcode;
    UINT64 nodeid;
    UINT32 body_len;
    union {
        UINT64 align;
        UINT8 bytes[WF_SEND_BODY_MAX];
    } body;
    const char *name[2];
    UINT32 name_len[2];
    const void *data;         /* payload copied at emission (WRITE) */
    UINT32 data_len;
    UINT64 data_address;      /* or: payload at a provider address */
    UINT32 reply_max;         /* largest reply body accepted (READ, READDIR, ...) */
} wf_send;

typedef struct wf_reply {
    NTSTATUS status;          /* STATUS_SUCCESS, mapped errno, or malformed */
    INT32 error;              /* the FUSE error as sent (negative errno) or 0 */
    const void *body;         /* valid during the step that handles the reply */
    UINT32 len;
} wf_reply;

/* ---- the request context ---- */

typedef struct wf_ctx wf_ctx;
typedef void wf_step_fn(wf_ctx *c);

typedef struct wf_walk {
    const char *path;         /* POSIX path being walked, in c->path or c->path2 */
    UINT32 len;               /* its length */
    UINT32 pos;               /* where the next component starts */
    bool parent_only;         /* stop before the last component */
    wf_node *node;            /* the node reached (a reference) */
    const char *name;         /* the last component */
    UINT32 name_len;
    NTSTATUS status;          /* how the walk (or wf_getattr) ended */
    bool case_insensitive;    /* a missing name may exist in another case */
    bool found;
    UINT64 dir_fh, dir_off;   /* the listing that looks for it */
    char actual[WF_NAME_MAX + 1]; /* the name as the directory spells it */
    bool from_index;          /* actual came from the directory's ci index */
    wf_ci_index *ci_building; /* the index the listing is filling, or NULL */
    UINT32 ci_gen;            /* the directory's ci_gen when that listing began */
    UINT64 ci_seq;            /* and e->change_seq: a name made since may be missing */
    char *norm;               /* the path as the file system spells it, or NULL */
    UINT32 norm_len;
} wf_walk;

struct wf_ctx {
    wf_ctx *next;             /* free list, ready queue */
    wf_ctx *hash_next;        /* pending table */
    wf_engine *engine;
    wf_step_fn *run;
    UINT64 unique;            /* of the outstanding FUSE request */
    UINT64 sent_seq;          /* e->change_seq when that request went out */
    wf_node *changing[2];     /* directories whose names that request changes (referenced) */
    UINT64 changing_seq[2];   /* their names_seq when it went out */
    wf_node *changed[2];      /* once answered: the directories it changed */
    bool changed_alone;       /* and nothing else changed them meanwhile */
    UINT64 hint;              /* WinFsp's Hint, for cancellation */
    int coro[WF_CORO_DEPTH];
    int coro_depth;
    bool waiting;             /* a FUSE request is prepared or outstanding */
    bool has_winfsp_request;  /* false for INIT and DESTROY */
    bool interrupted;
    wf_send send;
    wf_reply reply;
    UINT32 uid, gid, pid;
    FSP_FSCTL_TRANSACT_REQ *req;
    FSP_FSCTL_TRANSACT_RSP *rsp;
    UINT32 rsp_buf_used;      /* bytes of rsp->Buffer used so far */
    wf_walk walk;
    struct {
        UINT32 offset, len, pos;  /* an EA list in the request being applied */
        NTSTATUS status;
    } ea;
    wf_file *file;            /* the open file the request is about */
    wf_node *node;            /* a node the request holds a reference on */
    /* per-family scratch, interpreted by the family's own file */
    union {
        UINT64 align;
        UINT8 bytes[512];
    } state;
    char path[WF_PATH_MAX];
    char path2[WF_PATH_MAX];
    char norm[WF_PATH_MAX];   /* the walked path in the file system's spelling */
};

/* A family's scratch state; fails to compile when the type outgrows it. */
#define WF_STATE(c, type) \
    ((type *)(void *)((c)->state.bytes + \
        0 * sizeof(char[sizeof(type) <= sizeof((c)->state) ? 1 : -1])))

/* ---- the engine instance (engine.c) ---- */

#define WF_GONE_SLOTS 256 /* inodes whose changes outlive their nodes (cache.c) */

struct wf_engine {
    wf_os_lock *lock;
    wf_os_cond *cond;         /* init done, ready work, stop */
    wf_engine_config config;
    FSP_FSCTL_VOLUME_PARAMS volume_params;
    wf_provider provider;

    /* protocol */
    bool init_sent, init_done, stopped;
    bool destroy_sent;        /* the provider's volume is gone; DESTROY is the last word */
    UINT32 proto_minor;
    UINT32 max_write, max_read, max_readahead;
    UINT32 init_flags;
    UINT64 next_unique;
    UINT64 change_seq;        /* numbers the changes we saw complete (cache.c) */
    UINT64 gone_attr_seq[WF_GONE_SLOTS]; /* latest attr_seq of nodes let go, by nodeid */
    UINT64 enosys;            /* opcodes (< 64) that answered ENOSYS: never asked again */

    /* FUSE requests to interrupt (their uniques), for cancelled WinFsp requests */
    UINT64 interrupts[32];
    UINT32 interrupt_count;

    /* contexts */
    wf_ctx *free_ctx;
    wf_ctx *ready_head, *ready_tail;
    wf_ctx **pending;         /* by unique */
    UINT32 pending_mask;      /* buckets - 1 */
    UINT32 pending_count;
    UINT32 ctx_count;

    /* inodes and cache (cache.c) */
    wf_node **nodes;
    UINT32 nodes_mask, node_count;
    wf_node *root;
    wf_node *forget_head;     /* unhashed nodes whose lookups must be forgotten */
    wf_entry **entries;
    UINT32 entries_mask, entry_count;
    UINT64 ci_valid;          /* entry_valid (s, ns) of the last positive entry: */
    UINT32 ci_valid_nsec;     /* how long a directory's ci index may be trusted */
    UINT32 ci_names;          /* names in all ci indexes */
    wf_entry *lru_head, *lru_tail;

    /* open files (file.c) */
    wf_file **files;
    UINT32 files_cap, file_count, file_gen;
    UINT32 *file_free;        /* free slots, a stack */
    UINT32 file_free_count;

    wf_engine_stats stats;
};

/* engine.c */
wf_ctx *wf_ctx_alloc(wf_engine *e);
UINT64 wf_now(void);
/* ---- case-insensitive name index (ci_index.c) ---- */

wf_ci_index *wf_ci_new(wf_engine *e, UINT64 valid_until);
void wf_ci_free(wf_ci_index *ix);
/* False when the name could not be recorded (memory, the size limit). */
bool wf_ci_add(wf_ci_index *ix, const char *name, UINT32 len);
bool wf_ci_valid(const wf_ci_index *ix);
/* The recorded name that folds to name, or NULL: no such name. */
const char *wf_ci_find(const wf_ci_index *ix, const char *name, UINT32 len, UINT32 *found_len);
/* A name of dir went, or dir changed unseen: forget what its names fold to. */
void wf_ci_drop(wf_node *dir);
/* A complete listing's index becomes dir's. */
void wf_ci_install(wf_node *dir, wf_ci_index *ix, UINT64 valid_until);
/* name exists in dir: record it, if dir has an index. */
void wf_ci_note(wf_node *dir, const char *name, UINT32 len);

UINT64 wf_valid_until(UINT64 valid, UINT32 valid_nsec);
bool wf_enosys(wf_engine *e, UINT32 opcode);

/* proto.c: preparing requests, checking replies */
void *wf_prep(wf_ctx *c, UINT32 opcode, UINT64 nodeid, UINT32 body_len);
void wf_prep_name(wf_ctx *c, const char *name, UINT32 len);
void wf_prep_data(wf_ctx *c, const void *data, UINT32 len);
void wf_prep_data_address(wf_ctx *c, UINT64 address, UINT32 len);
size_t wf_send_size(const wf_send *send);
NTSTATUS wf_emit(wf_engine *e, wf_ctx *c, void *buf, size_t cap, size_t *len);
void wf_reply_check(const wf_send *sent, wf_reply *reply);
bool wf_attr_sane(const struct fuse_attr *attr);
bool wf_entry_out_sane(const struct fuse_entry_out *entry, bool negative_ok);

/* proto.c: walking a READDIR or READDIRPLUS reply */
typedef struct wf_dirent_iter {
    const UINT8 *p;
    UINT32 left;
    bool plus;                /* entries are fuse_direntplus */
    bool bad;                 /* a malformed entry ended the walk */
} wf_dirent_iter;
typedef struct wf_dirent {
    struct fuse_entry_out entry; /* READDIRPLUS only */
    struct {                  /* struct fuse_dirent without its name */
        UINT64 ino, off;
        UINT32 namelen, type;
    } d;
    const char *name;         /* d.namelen bytes, not terminated */
    bool dot;                 /* "." or ".." */
} wf_dirent;
bool wf_dirent_next(wf_dirent_iter *it, wf_dirent *out);

/* cache.c */
NTSTATUS wf_cache_init(wf_engine *e);
void wf_cache_fini(wf_engine *e);
wf_node *wf_node_get(wf_engine *e, UINT64 nodeid);
void wf_node_ref(wf_node *node);
void wf_node_unref(wf_engine *e, wf_node *node);
/*
 * Attributes in c's reply: cached unless the node changed after the
 * request went out; is_change says the request itself changed the node.
 */
void wf_node_take_attr(wf_ctx *c, wf_node *node, const struct fuse_attr *attr, UINT64 valid,
    UINT32 valid_nsec, bool is_change);
/* The node's attributes changed: what is cached, or on its way, is old. */
void wf_node_changed(wf_engine *e, wf_node *node);
bool wf_node_attr_valid(const wf_node *node);
wf_node *wf_cache_lookup(wf_engine *e, wf_node *parent, const char *name, UINT32 len,
    bool *negative);
/* An entry from c's reply (child NULL: negative), unless parent's names changed since. */
void wf_cache_enter(wf_ctx *c, wf_node *parent, const char *name, UINT32 len,
    wf_node *child, UINT64 valid, UINT32 valid_nsec);
/*
 * A request that makes, removes or moves names went out (begin) or got
 * its answer or was abandoned (end): lookups in those directories that
 * overlap it are not to be trusted.
 */
void wf_names_begin(wf_ctx *c);
void wf_names_end(wf_ctx *c);
/* The name went (or changed): its entry goes, and replies already on their way are old. */
void wf_cache_remove(wf_engine *e, wf_node *parent, const char *name, UINT32 len);
wf_node *wf_cache_reply(wf_ctx *c, wf_node *parent, const char *name, UINT32 len,
    const void *entry_out, NTSTATUS *status);
void wf_cache_invalidate_node(wf_engine *e, UINT64 nodeid);
size_t wf_forget_emit(wf_engine *e, void *buf, size_t cap);

/* file.c */
NTSTATUS wf_file_open(wf_engine *e, wf_ctx *c, wf_node *node, bool is_dir, UINT64 fh,
    UINT32 open_flags, UINT32 fopen_flags, bool no_fh, UINT64 *user_context2);
wf_file *wf_file_from_context(wf_engine *e, UINT64 user_context2);
/* The request's open file, set as c->file with its opener's credentials; or
 * NULL, the request completed with STATUS_INVALID_HANDLE. */
wf_file *wf_ctx_file(wf_ctx *c, UINT64 user_context2);
void wf_file_detach(wf_engine *e, wf_file *file);
void wf_file_unref(wf_engine *e, wf_file *file);
void wf_file_fini_all(wf_engine *e);

/* lookup.c */
void wf_walk_start(wf_ctx *c, const char *path, UINT32 len, bool parent_only);
bool wf_case_insensitive(const wf_engine *e, bool request_case_sensitive);
void wf_lookup_path(wf_ctx *c);
void wf_walk_done(wf_ctx *c);
void wf_getattr(wf_ctx *c, wf_node *node, wf_file *file);
void wf_find_name_ci(wf_ctx *c);
NTSTATUS wf_request_path(wf_ctx *c, FSP_FSCTL_TRANSACT_BUF buf, char *dst, UINT32 *len);
/* A piece of the request's variable part, bounds-checked; NULL if outside it. */
const UINT8 *wf_request_buf(const wf_ctx *c, FSP_FSCTL_TRANSACT_BUF buf);

/* req_ea.c: apply the EA list c->ea describes to a node (c->ea.status) */
NTSTATUS wf_ea_list_check(const UINT8 *list, UINT32 len);
void wf_ea_apply(wf_ctx *c, wf_node *node);

/* results */
void wf_complete(wf_ctx *c, NTSTATUS status, UINT32 information);
void *wf_rsp_buffer(wf_ctx *c, UINT32 size, FSP_FSCTL_TRANSACT_BUF *where);
void wf_fileinfo(wf_ctx *c, const struct fuse_attr *attr, const char *name, UINT32 name_len,
    FSP_FSCTL_FILE_INFO *info);

/* The request families: one step function per WinFsp request kind. */
wf_step_fn wf_step_init, wf_step_destroy;
wf_step_fn wf_step_create, wf_step_overwrite, wf_step_cleanup, wf_step_close;
wf_step_fn wf_step_read, wf_step_write;
wf_step_fn wf_step_query_information, wf_step_set_information;
wf_step_fn wf_step_query_directory;
wf_step_fn wf_step_query_volume_information, wf_step_set_volume_information;
wf_step_fn wf_step_flush_buffers;
wf_step_fn wf_step_query_security, wf_step_set_security;
wf_step_fn wf_step_file_system_control, wf_step_device_control;
wf_step_fn wf_step_query_ea, wf_step_set_ea;
wf_step_fn wf_step_query_stream_information;

#endif
