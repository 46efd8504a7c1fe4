/*
 * test_fsd.c - the fsd (WinFsp FSD stand-in and NT file API) over a real
 * engine and a small in-memory FUSE file system answering from its own
 * thread.
 *
 * Two vantage points: a spy between the fsd and the engine records every
 * WinFsp request the fsd hands out (so a test can say "Cleanup with
 * Delete, then Close"), and the file system counts the FUSE requests it
 * answers and holds the files (so a test can say "the file is gone").
 */
#include "wf_test.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/security.h"
#include "fsd/internal.h"
#include "winfuse/engine.h"
#include "winfuse/fsd.h"
#include "winfuse/fuse_proto.h"
#include "winfuse/linux_abi.h"
#include "winfuse/nt.h"

#define DIR_MODE (LINUX_S_IFDIR | 0755)
#define REG_MODE (LINUX_S_IFREG | 0644)
#define LNK_MODE (LINUX_S_IFLNK | 0777)

#define assert_status(expr, want)                                                          \
    do {                                                                                    \
        NTSTATUS got_ = (expr);                                                             \
        NTSTATUS want_ = (want);                                                            \
        if (got_ != want_)                                                                  \
            fail_msg("%s: status 0x%08x, expected 0x%08x", #expr, (unsigned)got_,           \
                (unsigned)want_);                                                           \
    } while (0)

/* ---- the in-memory FUSE file system ---- */

#define M_NODES 4096
#define M_HIST 4096

typedef struct mnode {
    bool used;
    UINT64 parent;
    char name[256];
    UINT32 mode, uid, gid;
    UINT8 *data;
    size_t size, cap;
    char target[512];
    UINT64 mtime;
} mnode;

typedef struct model {
    pthread_mutex_t lock;
    mnode nodes[M_NODES];
    UINT64 next_fh;
    int opens;                 /* OPEN/OPENDIR/CREATE not yet released */
    UINT32 ops[64];            /* FUSE requests answered, by opcode */
    UINT32 last_uid, last_gid, last_pid;
    bool hang;                 /* take requests, answer none */
    bool paused;               /* take no requests at all */
} model;

static UINT64 m_find(model *m, UINT64 parent, const char *name)
{
    for (UINT64 i = 1; i < M_NODES; i++)
        if (m->nodes[i].used && m->nodes[i].parent == parent && 0 == strcmp(m->nodes[i].name, name))
            return i;
    return 0;
}

static UINT64 m_add(model *m, UINT64 parent, const char *name, UINT32 mode)
{
    for (UINT64 i = 2; i < M_NODES; i++) {
        if (!m->nodes[i].used) {
            mnode *n = &m->nodes[i];
            memset(n, 0, sizeof *n);
            n->used = true;
            n->parent = parent;
            snprintf(n->name, sizeof n->name, "%s", name);
            n->mode = mode;
            n->mtime = 1700000000;
            return i;
        }
    }
    return 0;
}

static void m_remove(model *m, UINT64 ino)
{
    free(m->nodes[ino].data);
    memset(&m->nodes[ino], 0, sizeof m->nodes[ino]);
}

/* Find a node by a POSIX-style path ("/a/b"), for test set-up and checks. */
static UINT64 m_path(model *m, const char *path)
{
    UINT64 ino = FUSE_ROOT_ID;
    char comp[256];

    while (*path) {
        size_t n = 0;
        while (*path == '/')
            path++;
        if (!*path)
            break;
        while (path[n] && path[n] != '/')
            n++;
        memcpy(comp, path, n);
        comp[n] = 0;
        ino = m_find(m, ino, comp);
        if (!ino)
            return 0;
        path += n;
    }
    return ino;
}

static UINT64 m_mk(model *m, const char *dir, const char *name, UINT32 mode, const char *data)
{
    UINT64 ino;
    pthread_mutex_lock(&m->lock);
    ino = m_add(m, m_path(m, dir), name, mode);
    if (data && LINUX_S_ISLNK(mode)) {
        snprintf(m->nodes[ino].target, sizeof m->nodes[ino].target, "%s", data);
    } else if (data) {
        m->nodes[ino].size = m->nodes[ino].cap = strlen(data);
        m->nodes[ino].data = malloc(m->nodes[ino].cap + 1);
        memcpy(m->nodes[ino].data, data, m->nodes[ino].size);
    }
    pthread_mutex_unlock(&m->lock);
    return ino;
}

static bool m_exists(model *m, const char *path)
{
    bool found;
    pthread_mutex_lock(&m->lock);
    found = m_path(m, path) != 0;
    pthread_mutex_unlock(&m->lock);
    return found;
}

static size_t m_size(model *m, const char *path)
{
    size_t size;
    pthread_mutex_lock(&m->lock);
    size = m->nodes[m_path(m, path)].size;
    pthread_mutex_unlock(&m->lock);
    return size;
}

static UINT32 m_ops(model *m, UINT32 opcode)
{
    UINT32 n;
    pthread_mutex_lock(&m->lock);
    n = m->ops[opcode];
    pthread_mutex_unlock(&m->lock);
    return n;
}

static void m_attr(model *m, UINT64 ino, struct fuse_attr *a)
{
    mnode *n = &m->nodes[ino];
    memset(a, 0, sizeof *a);
    a->ino = ino;
    a->mode = n->mode;
    a->size = LINUX_S_ISLNK(n->mode) ? strlen(n->target) : n->size;
    a->blocks = (a->size + 511) / 512;
    a->atime = a->ctime = a->mtime = n->mtime;
    a->nlink = 1;
    a->uid = n->uid;
    a->gid = n->gid;
    a->blksize = 4096;
}

static void m_entry(model *m, UINT64 ino, struct fuse_entry_out *e)
{
    memset(e, 0, sizeof *e);
    e->nodeid = ino;
    m_attr(m, ino, &e->attr);
}

static bool m_has_children(model *m, UINT64 ino)
{
    for (UINT64 i = 2; i < M_NODES; i++)
        if (m->nodes[i].used && m->nodes[i].parent == ino)
            return true;
    return false;
}

static void m_resize(mnode *n, size_t size)
{
    if (size > n->cap) {
        size_t cap = size * 2;
        n->data = realloc(n->data, cap);
        n->cap = cap;
    }
    if (size > n->size)
        memset(n->data + n->size, 0, size - n->size);
    n->size = size;
}

/*
 * Answer one FUSE request into out; returns the reply length, or 0 for
 * requests that take no reply.
 */
static size_t m_handle(model *m, const UINT8 *in, size_t in_len, UINT8 *out)
{
    struct fuse_in_header h;
    struct fuse_out_header *oh = (struct fuse_out_header *)out;
    const UINT8 *body = in + sizeof h;
    UINT8 *ob = out + sizeof *oh;
    size_t olen = 0;
    int err = 0;

    memcpy(&h, in, sizeof h);
    (void)in_len;
    pthread_mutex_lock(&m->lock);
    if (h.opcode < 64)
        m->ops[h.opcode]++;
    m->last_uid = h.uid;
    m->last_gid = h.gid;
    m->last_pid = h.pid;
    switch (h.opcode) {
    case FUSE_INIT: {
        struct fuse_init_out o;
        memset(&o, 0, sizeof o);
        o.major = 7;
        o.minor = 31;
        o.flags = FUSE_MAX_PAGES | FUSE_DO_READDIRPLUS;
        o.max_write = 128 * 1024;
        o.max_pages = 256;
        memcpy(ob, &o, sizeof o);
        olen = sizeof o;
        break;
    }
    case FUSE_DESTROY:
        break;
    case FUSE_FORGET:
    case FUSE_BATCH_FORGET:
    case FUSE_INTERRUPT:
        pthread_mutex_unlock(&m->lock);
        return 0;
    case FUSE_LOOKUP: {
        UINT64 ino = m_find(m, h.nodeid, (const char *)body);
        if (!ino) {
            err = LINUX_ENOENT;
            break;
        }
        m_entry(m, ino, (struct fuse_entry_out *)ob);
        olen = sizeof(struct fuse_entry_out);
        break;
    }
    case FUSE_GETATTR: {
        struct fuse_attr_out o;
        if (!m->nodes[h.nodeid].used) {
            err = LINUX_ENOENT;
            break;
        }
        memset(&o, 0, sizeof o);
        m_attr(m, h.nodeid, &o.attr);
        memcpy(ob, &o, sizeof o);
        olen = sizeof o;
        break;
    }
    case FUSE_SETATTR: {
        struct fuse_setattr_in s;
        struct fuse_attr_out o;
        mnode *n = &m->nodes[h.nodeid];
        memcpy(&s, body, sizeof s);
        if (s.valid & FATTR_SIZE)
            m_resize(n, s.size);
        if (s.valid & FATTR_MODE)
            n->mode = (n->mode & LINUX_S_IFMT) | (s.mode & 07777);
        if (s.valid & FATTR_UID)
            n->uid = s.uid;
        if (s.valid & FATTR_GID)
            n->gid = s.gid;
        if (s.valid & FATTR_MTIME)
            n->mtime = s.mtime;
        memset(&o, 0, sizeof o);
        m_attr(m, h.nodeid, &o.attr);
        memcpy(ob, &o, sizeof o);
        olen = sizeof o;
        break;
    }
    case FUSE_OPEN:
    case FUSE_OPENDIR: {
        struct fuse_open_out o;
        memset(&o, 0, sizeof o);
        o.fh = ++m->next_fh;
        m->opens++;
        memcpy(ob, &o, sizeof o);
        olen = sizeof o;
        break;
    }
    case FUSE_CREATE:
    case FUSE_MKNOD:
    case FUSE_MKDIR:
    case FUSE_SYMLINK: {
        size_t head = h.opcode == FUSE_CREATE ? sizeof(struct fuse_create_in)
            : h.opcode == FUSE_MKNOD ? sizeof(struct fuse_mknod_in)
            : h.opcode == FUSE_MKDIR ? sizeof(struct fuse_mkdir_in) : 0;
        const char *name = (const char *)body + head;
        UINT32 mode;
        UINT64 ino;
        if (m_find(m, h.nodeid, name)) {
            err = LINUX_EEXIST;
            break;
        }
        if (h.opcode == FUSE_SYMLINK)
            mode = LNK_MODE;
        else if (h.opcode == FUSE_MKDIR)
            mode = LINUX_S_IFDIR | (((const struct fuse_mkdir_in *)body)->mode & 07777);
        else if (h.opcode == FUSE_CREATE)
            mode = ((const struct fuse_create_in *)body)->mode;
        else
            mode = ((const struct fuse_mknod_in *)body)->mode;
        ino = m_add(m, h.nodeid, name, mode);
        if (!ino) {
            err = LINUX_ENOSPC;
            break;
        }
        m->nodes[ino].uid = h.uid;
        m->nodes[ino].gid = h.gid;
        if (h.opcode == FUSE_SYMLINK)
            snprintf(m->nodes[ino].target, sizeof m->nodes[ino].target, "%s",
                name + strlen(name) + 1);
        m_entry(m, ino, (struct fuse_entry_out *)ob);
        olen = sizeof(struct fuse_entry_out);
        if (h.opcode == FUSE_CREATE) {
            struct fuse_open_out o;
            memset(&o, 0, sizeof o);
            o.fh = ++m->next_fh;
            m->opens++;
            memcpy(ob + olen, &o, sizeof o);
            olen += sizeof o;
        }
        break;
    }
    case FUSE_READLINK: {
        mnode *n = &m->nodes[h.nodeid];
        olen = strlen(n->target);
        memcpy(ob, n->target, olen);
        break;
    }
    case FUSE_UNLINK:
    case FUSE_RMDIR: {
        UINT64 ino = m_find(m, h.nodeid, (const char *)body);
        if (!ino)
            err = LINUX_ENOENT;
        else if (h.opcode == FUSE_RMDIR && m_has_children(m, ino))
            err = LINUX_ENOTEMPTY;
        else
            m_remove(m, ino);
        break;
    }
    case FUSE_RENAME:
    case FUSE_RENAME2: {
        size_t head = h.opcode == FUSE_RENAME ? sizeof(struct fuse_rename_in)
                                               : sizeof(struct fuse_rename2_in);
        UINT64 newdir;
        UINT32 flags = 0;
        const char *oldname = (const char *)body + head;
        const char *newname = oldname + strlen(oldname) + 1;
        UINT64 ino = m_find(m, h.nodeid, oldname), target;
        memcpy(&newdir, body, sizeof newdir);
        if (h.opcode == FUSE_RENAME2)
            memcpy(&flags, body + 8, sizeof flags);
        target = m_find(m, newdir, newname);
        if (!ino) {
            err = LINUX_ENOENT;
            break;
        }
        if (target && target != ino) {
            if (flags & LINUX_RENAME_NOREPLACE) {
                err = LINUX_EEXIST;
                break;
            }
            if (m_has_children(m, target)) {
                err = LINUX_ENOTEMPTY;
                break;
            }
            m_remove(m, target);
        }
        m->nodes[ino].parent = newdir;
        snprintf(m->nodes[ino].name, sizeof m->nodes[ino].name, "%s", newname);
        break;
    }
    case FUSE_READ: {
        struct fuse_read_in r;
        mnode *n = &m->nodes[h.nodeid];
        memcpy(&r, body, sizeof r);
        if (r.offset < n->size) {
            olen = n->size - r.offset < r.size ? n->size - r.offset : r.size;
            memcpy(ob, n->data + r.offset, olen);
        }
        break;
    }
    case FUSE_WRITE: {
        struct fuse_write_in w;
        struct fuse_write_out o;
        mnode *n = &m->nodes[h.nodeid];
        memcpy(&w, body, sizeof w);
        if (w.offset + w.size > n->size)
            m_resize(n, w.offset + w.size);
        memcpy(n->data + w.offset, body + sizeof w, w.size);
        n->mtime++;
        memset(&o, 0, sizeof o);
        o.size = w.size;
        memcpy(ob, &o, sizeof o);
        olen = sizeof o;
        break;
    }
    case FUSE_RELEASE:
    case FUSE_RELEASEDIR:
        m->opens--;
        break;
    case FUSE_FLUSH:
    case FUSE_FSYNC:
    case FUSE_FSYNCDIR:
        break;
    case FUSE_READDIR:
    case FUSE_READDIRPLUS: {
        struct fuse_read_in r;
        UINT64 idx = 0;
        bool plus = h.opcode == FUSE_READDIRPLUS;
        memcpy(&r, body, sizeof r);
        for (UINT64 i = 0; i < M_NODES; i++) {
            const char *name;
            UINT64 ino;
            struct fuse_dirent d;
            size_t size;
            if (i == 0) {
                name = ".";
                ino = h.nodeid;
            } else if (i == 1) {
                name = "..";
                ino = h.nodeid;
            } else if (m->nodes[i].used && m->nodes[i].parent == h.nodeid && i != h.nodeid) {
                name = m->nodes[i].name;
                ino = i;
            } else {
                continue;
            }
            idx++;
            if (idx <= r.offset)
                continue;
            size = FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + strlen(name)) +
                (plus ? sizeof(struct fuse_entry_out) : 0);
            if (olen + size > r.size)
                break;
            memset(ob + olen, 0, size);
            if (plus) {
                struct fuse_entry_out e;
                m_entry(m, ino, &e);
                if (i < 2)
                    e.nodeid = 0; /* no lookup for the dot entries */
                memcpy(ob + olen, &e, sizeof e);
                olen += sizeof e;
                size -= sizeof e;
            }
            d.ino = ino;
            d.off = idx;
            d.namelen = (UINT32)strlen(name);
            d.type = (m->nodes[ino].mode & LINUX_S_IFMT) >> 12;
            memcpy(ob + olen, &d, FUSE_NAME_OFFSET);
            memcpy(ob + olen + FUSE_NAME_OFFSET, name, d.namelen);
            olen += size;
        }
        break;
    }
    case FUSE_STATFS: {
        struct fuse_statfs_out o;
        memset(&o, 0, sizeof o);
        o.st.blocks = 1000;
        o.st.bfree = 600;
        o.st.bavail = 500;
        o.st.bsize = 4096;
        o.st.frsize = 4096;
        o.st.namelen = 255;
        memcpy(ob, &o, sizeof o);
        olen = sizeof o;
        break;
    }
    default:
        err = LINUX_ENOSYS;
        break;
    }
    pthread_mutex_unlock(&m->lock);
    oh->len = (UINT32)(sizeof *oh + (err ? 0 : olen));
    oh->error = -err;
    oh->unique = h.unique;
    return oh->len;
}

/* ---- the fixture: fsd, spy, engine, file system thread ---- */

#define SPY_MAX 4096

typedef struct spied {
    UINT32 kind;
    bool cleanup_delete, cleanup_mtime, cleanup_allocation;
    bool open_target, trailing, supersede;
    UINT32 info_class;
    UINT64 access_token;
    UINT32 disposition;
} spied;

typedef struct fx {
    wf_fsd_volume *vol;
    wf_engine *engine;
    model *m;
    const wf_provider *inner;
    wf_provider spy;
    pthread_mutex_t spy_lock;
    spied log[SPY_MAX];
    UINT32 nlog;
    pthread_t thread;
    bool thread_running;
    volatile bool quit;
    bool unmounted;
    /* Hold back the next response of this kind (0: none) until the test hands it on. */
    UINT32 hold_kind;
    FSP_FSCTL_TRANSACT_RSP *held;
} fx;

static NTSTATUS spy_next(void *context, FSP_FSCTL_TRANSACT_REQ *req, size_t cap,
    int64_t timeout_ns)
{
    fx *x = context;
    NTSTATUS status = x->inner->next_request(x->inner->context, req, cap, timeout_ns);

    if (status == STATUS_SUCCESS) {
        pthread_mutex_lock(&x->spy_lock);
        if (x->nlog < SPY_MAX) {
            spied *s = &x->log[x->nlog++];
            memset(s, 0, sizeof *s);
            s->kind = req->Kind;
            if (req->Kind == FspFsctlTransactCleanupKind) {
                s->cleanup_delete = req->Req.Cleanup.Delete;
                s->cleanup_mtime = req->Req.Cleanup.SetLastWriteTime;
                s->cleanup_allocation = req->Req.Cleanup.SetAllocationSize;
            } else if (req->Kind == FspFsctlTransactCreateKind) {
                s->open_target = req->Req.Create.OpenTargetDirectory;
                s->trailing = req->Req.Create.HasTrailingBackslash;
                s->access_token = req->Req.Create.AccessToken;
                s->disposition = req->Req.Create.CreateOptions >> 24;
            } else if (req->Kind == FspFsctlTransactOverwriteKind) {
                s->supersede = req->Req.Overwrite.Supersede;
            } else if (req->Kind == FspFsctlTransactSetInformationKind) {
                s->info_class = req->Req.SetInformation.FileInformationClass;
                s->access_token = req->Req.SetInformation.Info.Rename.AccessToken;
            }
        }
        pthread_mutex_unlock(&x->spy_lock);
    }
    return status;
}

static void spy_complete(void *context, const FSP_FSCTL_TRANSACT_RSP *rsp)
{
    fx *x = context;

    pthread_mutex_lock(&x->spy_lock);
    if (x->hold_kind && rsp->Kind == x->hold_kind && !x->held) {
        x->held = malloc(rsp->Size);
        assert_non_null(x->held);
        memcpy(x->held, rsp, rsp->Size);
        x->hold_kind = 0;
        pthread_mutex_unlock(&x->spy_lock);
        return;
    }
    pthread_mutex_unlock(&x->spy_lock);
    x->inner->complete(x->inner->context, rsp);
}

/* The held response, once the spy has it, handed on to the fsd. */
static void spy_release_held(fx *x)
{
    FSP_FSCTL_TRANSACT_RSP *rsp;

    for (;;) {
        pthread_mutex_lock(&x->spy_lock);
        rsp = x->held;
        x->held = NULL;
        pthread_mutex_unlock(&x->spy_lock);
        if (rsp)
            break;
        usleep(200);
    }
    x->inner->complete(x->inner->context, rsp);
    free(rsp);
}

/* Has the spy taken the response it was to hold? */
static bool spy_holding(fx *x)
{
    bool holding;

    pthread_mutex_lock(&x->spy_lock);
    holding = x->held != NULL;
    pthread_mutex_unlock(&x->spy_lock);
    return holding;
}

static void spy_wake(void *context)
{
    fx *x = context;
    x->inner->wake(x->inner->context);
}

static NTSTATUS spy_credentials(void *context, UINT64 token, UINT32 *uid, UINT32 *gid,
    UINT32 *pid)
{
    fx *x = context;
    return x->inner->credentials(x->inner->context, token, uid, gid, pid);
}

static void *fuse_thread(void *arg)
{
    fx *x = arg;
    size_t cap = wf_engine_request_size_min(x->engine) + 2 * 1024 * 1024;
    UINT8 *req = malloc(cap), *rep = malloc(cap);
    size_t rep_len = 0;

    while (!x->quit) {
        size_t len = 0;
        NTSTATUS status;
        bool paused, hang;

        pthread_mutex_lock(&x->m->lock);
        paused = x->m->paused;
        pthread_mutex_unlock(&x->m->lock);
        if (paused) {
            usleep(1000);
            continue;
        }
        status = wf_transact(x->engine, rep_len ? rep : NULL, rep_len, req, cap, &len);
        rep_len = 0;
        if (status == STATUS_CANCELLED)
            break;
        /* A hung file system takes what it is given and answers nothing. */
        pthread_mutex_lock(&x->m->lock);
        hang = x->m->hang;
        pthread_mutex_unlock(&x->m->lock);
        if (len == 0 || hang)
            continue;
        rep_len = m_handle(x->m, req, len, rep);
    }
    free(req);
    free(rep);
    return NULL;
}

typedef struct fx_opts {
    UINT32 file_info_timeout;
    bool case_insensitive;
    bool hide_dot_files;
    UINT32 irp_timeout;
    bool posix_unlink_rename;
} fx_opts;

static fx *fx_new(const fx_opts *o)
{
    fx *x = calloc(1, sizeof *x);
    wf_engine_config config;

    x->m = calloc(1, sizeof *x->m);
    pthread_mutex_init(&x->m->lock, NULL);
    x->m->nodes[FUSE_ROOT_ID].used = true;
    x->m->nodes[FUSE_ROOT_ID].mode = DIR_MODE;
    pthread_mutex_init(&x->spy_lock, NULL);
    assert_status(wf_fsd_volume_new(&x->vol), STATUS_SUCCESS);
    x->inner = wf_fsd_volume_provider(x->vol);
    x->spy.context = x;
    x->spy.next_request = spy_next;
    x->spy.complete = spy_complete;
    x->spy.wake = spy_wake;
    x->spy.credentials = spy_credentials;
    wf_engine_config_init(&config);
    config.transact_timeout_ns = 5 * 1000 * 1000;
    config.volume_params.FileInfoTimeout = o ? o->file_info_timeout : 0;
    config.volume_params.CaseSensitiveSearch = o && o->case_insensitive ? 0 : 1;
    config.volume_params.SupportsPosixUnlinkRename = o && o->posix_unlink_rename;
    if (o && o->irp_timeout)
        config.volume_params.IrpTimeout = o->irp_timeout;
    config.hide_dot_files = o && o->hide_dot_files;
    assert_status(wf_engine_create(&config, &x->spy, &x->engine), STATUS_SUCCESS);
    assert_status(wf_fsd_volume_mount(x->vol, wf_engine_volume_params(x->engine)),
        STATUS_SUCCESS);
    assert_int_equal(pthread_create(&x->thread, NULL, fuse_thread, x), 0);
    x->thread_running = true;
    return x;
}

static void fx_unmount(fx *x)
{
    if (!x->unmounted) {
        wf_fsd_volume_unmount(x->vol);
        x->unmounted = true;
    }
}

static void fx_free(fx *x)
{
    bool hung;

    pthread_mutex_lock(&x->m->lock);
    hung = x->m->hang || x->m->paused;
    pthread_mutex_unlock(&x->m->lock);
    if (hung) {
        /* Nobody will answer: the file system is as good as dead. */
        wf_engine_stop(x->engine);
        wf_fsd_volume_stop(x->vol);
    }
    fx_unmount(x);
    if (x->thread_running) {
        /* After the unmount the engine says DESTROY, and stops when it is answered. */
        pthread_mutex_lock(&x->m->lock);
        if (x->m->hang || x->m->paused)
            x->quit = true;
        pthread_mutex_unlock(&x->m->lock);
        pthread_join(x->thread, NULL);
    }
    wf_engine_delete(x->engine);
    wf_fsd_volume_delete(x->vol);
    for (UINT64 i = 0; i < M_NODES; i++)
        free(x->m->nodes[i].data);
    free(x->m);
    free(x);
}

static int setup(void **state)
{
    *state = fx_new(NULL);
    return 0;
}

static int teardown(void **state)
{
    fx_free(*state);
    return 0;
}

/* Wait until every posted request (Close) has been answered. */
static void fx_settle(fx *x)
{
    for (;;) {
        UINT32 outstanding;
        pthread_mutex_lock(&x->vol->lock);
        outstanding = x->vol->outstanding;
        pthread_mutex_unlock(&x->vol->lock);
        if (!outstanding)
            break;
        usleep(200);
    }
}

static UINT32 spy_count(fx *x, UINT32 kind)
{
    UINT32 n = 0;
    pthread_mutex_lock(&x->spy_lock);
    for (UINT32 i = 0; i < x->nlog; i++)
        n += x->log[i].kind == kind;
    pthread_mutex_unlock(&x->spy_lock);
    return n;
}

static void spy_reset(fx *x)
{
    fx_settle(x);
    pthread_mutex_lock(&x->spy_lock);
    x->nlog = 0;
    pthread_mutex_unlock(&x->spy_lock);
}

/* The kinds the spy saw since the last reset, e.g. "Create,Cleanup,Close". */
static const char *kind_name(UINT32 kind)
{
    switch (kind) {
    case FspFsctlTransactCreateKind: return "Create";
    case FspFsctlTransactOverwriteKind: return "Overwrite";
    case FspFsctlTransactCleanupKind: return "Cleanup";
    case FspFsctlTransactCloseKind: return "Close";
    case FspFsctlTransactReadKind: return "Read";
    case FspFsctlTransactWriteKind: return "Write";
    case FspFsctlTransactQueryInformationKind: return "QueryInformation";
    case FspFsctlTransactSetInformationKind: return "SetInformation";
    case FspFsctlTransactFlushBuffersKind: return "FlushBuffers";
    case FspFsctlTransactQueryVolumeInformationKind: return "QueryVolumeInformation";
    case FspFsctlTransactSetVolumeInformationKind: return "SetVolumeInformation";
    case FspFsctlTransactQueryDirectoryKind: return "QueryDirectory";
    case FspFsctlTransactFileSystemControlKind: return "FileSystemControl";
    case FspFsctlTransactDeviceControlKind: return "DeviceControl";
    case FspFsctlTransactQuerySecurityKind: return "QuerySecurity";
    case FspFsctlTransactSetSecurityKind: return "SetSecurity";
    case FspFsctlTransactQueryStreamInformationKind: return "QueryStreamInformation";
    default: return "?";
    }
}

static void spy_expect(fx *x, const char *want)
{
    char got[4096] = "";
    size_t used = 0;

    fx_settle(x);
    pthread_mutex_lock(&x->spy_lock);
    for (UINT32 i = 0; i < x->nlog && used < sizeof got - 64; i++)
        used += (size_t)snprintf(got + used, sizeof got - used, "%s%s", i ? "," : "",
            kind_name(x->log[i].kind));
    pthread_mutex_unlock(&x->spy_lock);
    if (strcmp(got, want) != 0)
        fail_msg("WinFsp requests: got \"%s\", expected \"%s\"", got, want);
}

static spied spy_last(fx *x, UINT32 kind)
{
    spied s;
    memset(&s, 0, sizeof s);
    fx_settle(x);
    pthread_mutex_lock(&x->spy_lock);
    for (UINT32 i = x->nlog; i-- > 0;)
        if (x->log[i].kind == kind) {
            s = x->log[i];
            break;
        }
    pthread_mutex_unlock(&x->spy_lock);
    return s;
}

/* ---- NT helpers ---- */

/* The WCHAR at a byte offset of a buffer (names run past their one-element arrays). */
static WCHAR wch(const void *buf, size_t off)
{
    WCHAR ch;
    memcpy(&ch, (const UINT8 *)buf + off, sizeof ch);
    return ch;
}

#define SHARE_ALL (FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)
#define SYNC_IO FILE_SYNCHRONOUS_IO_NONALERT

static NTSTATUS open_ex(fx *x, nt_handle *h, const char *path, ACCESS_MASK access, UINT32 share,
    UINT32 disposition, UINT32 options, nt_io_status *iosb)
{
    nt_io_status local;
    return nt_create_file(x->vol, h, access, 0, path, iosb ? iosb : &local, 0, 0, share,
        disposition, options, NULL, 0, NULL, 0);
}

/* Open and insist on success. */
static nt_handle open_ok(fx *x, const char *path, ACCESS_MASK access, UINT32 share,
    UINT32 disposition, UINT32 options)
{
    nt_handle h = 0;
    assert_status(open_ex(x, &h, path, access, share, disposition, options, NULL),
        STATUS_SUCCESS);
    assert_true(h != 0);
    return h;
}

static nt_handle open_rw(fx *x, const char *path, UINT32 disposition)
{
    return open_ok(x, path, FILE_GENERIC_READ | FILE_GENERIC_WRITE | DELETE, SHARE_ALL,
        disposition, SYNC_IO | FILE_NON_DIRECTORY_FILE);
}

static void close_ok(fx *x, nt_handle h)
{
    assert_status(nt_close(x->vol, h), STATUS_SUCCESS);
}

static NTSTATUS set_delete(fx *x, nt_handle h, bool del)
{
    FILE_DISPOSITION_INFORMATION d = {del};
    nt_io_status iosb;
    return nt_set_information_file(x->vol, h, &iosb, &d, sizeof d, FileDispositionInformation);
}

static NTSTATUS write_at(fx *x, nt_handle h, const char *data, INT64 offset)
{
    nt_io_status iosb;
    return nt_write_file(x->vol, h, &iosb, data, (UINT32)strlen(data), &offset, 0);
}

/* The name FileNameInformation reports, as ASCII. */
static void name_of(fx *x, nt_handle h, char *out, size_t cap)
{
    union {
        FILE_NAME_INFORMATION n;
        UINT8 bytes[1024];
    } u;
    nt_io_status iosb;
    size_t i;

    assert_status(nt_query_information_file(x->vol, h, &iosb, &u, sizeof u,
        FileNameInformation), STATUS_SUCCESS);
    for (i = 0; i < u.n.FileNameLength / 2 && i + 1 < cap; i++)
        out[i] = (char)wch(u.bytes, offsetof(FILE_NAME_INFORMATION, FileName) + 2 * i);
    out[i] = 0;
}

static FILE_STANDARD_INFORMATION standard_of(fx *x, nt_handle h)
{
    FILE_STANDARD_INFORMATION s;
    nt_io_status iosb;
    assert_status(nt_query_information_file(x->vol, h, &iosb, &s, sizeof s,
        FileStandardInformation), STATUS_SUCCESS);
    return s;
}

static NTSTATUS rename_ex(fx *x, nt_handle h, const char *name, bool replace, nt_handle root)
{
    union {
        FILE_RENAME_INFORMATION r;
        UINT8 b[1024];
    } u;
    size_t n = strlen(name), len = offsetof(FILE_RENAME_INFORMATION, FileName) + n * 2;
    nt_io_status iosb;

    memset(&u, 0, sizeof u);
    u.r.ReplaceIfExists = replace;
    u.r.RootDirectory = root;
    u.r.FileNameLength = (UINT32)(n * 2);
    for (size_t i = 0; i < n; i++) {
        WCHAR ch = (WCHAR)(UINT8)name[i];
        memcpy(u.b + offsetof(FILE_RENAME_INFORMATION, FileName) + 2 * i, &ch, 2);
    }
    if (len < sizeof(FILE_RENAME_INFORMATION))
        len = sizeof(FILE_RENAME_INFORMATION);
    return nt_set_information_file(x->vol, h, &iosb, &u, (UINT32)len, FileRenameInformation);
}

/* Names in a directory listing buffer, as ASCII, in order. */
static int dir_names(const UINT8 *buf, UINT64 len, UINT32 cls, char names[][260], int max)
{
    size_t name_off, len_off = cls == FileNamesInformation ? 8 : 60;
    UINT32 pos = 0;
    int n = 0;

    switch (cls) {
    case FileDirectoryInformation: name_off = offsetof(FILE_DIRECTORY_INFORMATION, FileName); break;
    case FileFullDirectoryInformation: name_off = offsetof(FILE_FULL_DIR_INFORMATION, FileName); break;
    case FileBothDirectoryInformation: name_off = offsetof(FILE_BOTH_DIR_INFORMATION, FileName); break;
    case FileIdBothDirectoryInformation: name_off = offsetof(FILE_ID_BOTH_DIR_INFORMATION, FileName); break;
    case FileIdFullDirectoryInformation: name_off = offsetof(FILE_ID_FULL_DIR_INFORMATION, FileName); break;
    default: name_off = offsetof(FILE_NAMES_INFORMATION, FileName); break;
    }
    if (len == 0)
        return 0;
    for (;;) {
        UINT32 next, nlen;
        memcpy(&next, buf + pos, 4);
        memcpy(&nlen, buf + pos + len_off, 4);
        assert_true(pos + name_off + nlen <= len);
        if (n < max) {
            size_t i;
            for (i = 0; i < nlen / 2 && i < 259; i++) {
                WCHAR ch;
                memcpy(&ch, buf + pos + name_off + 2 * i, 2);
                names[n][i] = (char)ch;
            }
            names[n][i] = 0;
        }
        n++;
        if (!next)
            break;
        assert_int_equal(next % 8, 0);
        pos += next;
    }
    return n;
}

static nt_handle open_dir(fx *x, const char *path)
{
    return open_ok(x, path, FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES | SYNCHRONIZE, SHARE_ALL,
        FILE_OPEN, FILE_DIRECTORY_FILE | SYNC_IO);
}

static UINT32 active_calls(fx *x)
{
    UINT32 n;
    pthread_mutex_lock(&x->vol->lock);
    n = x->vol->active_calls;
    pthread_mutex_unlock(&x->vol->lock);
    return n;
}

static void wait_active(fx *x, UINT32 n)
{
    while (active_calls(x) != n)
        usleep(200);
}

/* ==== create and handles ==== */

static void create_new_file(void **state)
{
    fx *x = *state;
    nt_io_status iosb;
    nt_handle h = 0;

    assert_status(open_ex(x, &h, "\\a.txt", FILE_GENERIC_WRITE, 0, FILE_CREATE, SYNC_IO, &iosb),
        STATUS_SUCCESS);
    assert_int_equal(iosb.Status, STATUS_SUCCESS);
    assert_int_equal(iosb.Information, FILE_CREATED);
    assert_true(m_exists(x->m, "/a.txt"));
    close_ok(x, h);
    /* Nothing changed: the volume wants no Cleanup, only the Close. */
    spy_expect(x, "Create,Close");
    assert_int_equal(x->m->opens, 0);
    assert_status(open_ex(x, &h, "\\a.txt", FILE_GENERIC_WRITE, 0, FILE_CREATE, SYNC_IO, &iosb),
        STATUS_OBJECT_NAME_COLLISION);
}

static void open_missing(void **state)
{
    fx *x = *state;
    nt_handle h = 77;

    assert_status(open_ex(x, &h, "\\nope", FILE_GENERIC_READ, SHARE_ALL, FILE_OPEN, 0, NULL),
        STATUS_OBJECT_NAME_NOT_FOUND);
    assert_int_equal(h, 77); /* untouched on failure */
    spy_expect(x, "Create");
    spy_reset(x);
    /* A missing directory on the way: the fsd looks for a link there, finds none. */
    assert_status(open_ex(x, &h, "\\nodir\\f", FILE_GENERIC_READ, SHARE_ALL, FILE_OPEN, 0, NULL),
        STATUS_OBJECT_PATH_NOT_FOUND);
    spy_expect(x, "Create,Create");
}

static void bad_handles(void **state)
{
    fx *x = *state;
    nt_io_status iosb;
    char buf[8];
    nt_handle h, h2;

    m_mk(x->m, "/", "f", REG_MODE, "data");
    assert_status(nt_close(x->vol, 0), STATUS_INVALID_HANDLE);
    assert_status(nt_close(x->vol, 0x123456789ull), STATUS_INVALID_HANDLE);
    assert_status(nt_read_file(x->vol, 0xdeadbeefull, &iosb, buf, sizeof buf, NULL, 0),
        STATUS_INVALID_HANDLE);
    assert_int_equal(iosb.Status, STATUS_INVALID_HANDLE);
    h = open_rw(x, "\\f", FILE_OPEN);
    close_ok(x, h);
    assert_status(nt_close(x->vol, h), STATUS_INVALID_HANDLE);
    assert_status(nt_read_file(x->vol, h, &iosb, buf, sizeof buf, NULL, 0),
        STATUS_INVALID_HANDLE);
    /* The slot is used again, under a new generation: the old handle stays dead. */
    h2 = open_rw(x, "\\f", FILE_OPEN);
    assert_true(h2 != h);
    assert_status(nt_read_file(x->vol, h, &iosb, buf, sizeof buf, NULL, 0),
        STATUS_INVALID_HANDLE);
    close_ok(x, h2);
    assert_status(nt_create_file(NULL, &h, FILE_READ_DATA, 0, "\\f", &iosb, 0, 0, 0, FILE_OPEN,
        0, NULL, 0, NULL, 0), STATUS_INVALID_PARAMETER);
}

static void create_parameter_checks(void **state)
{
    static const struct {
        ACCESS_MASK access;
        UINT32 attributes, share, disposition, options;
        NTSTATUS status;
    } cases[] = {
        {FILE_GENERIC_READ, 0, 0, 6, 0, STATUS_INVALID_PARAMETER},
        {FILE_GENERIC_READ, 0x00008000, 0, FILE_OPEN_IF, 0, STATUS_INVALID_PARAMETER},
        {FILE_GENERIC_READ, 0, 8, FILE_OPEN_IF, 0, STATUS_INVALID_PARAMETER},
        {FILE_GENERIC_READ, 0, 0, FILE_OPEN_IF, 0x01000000, STATUS_INVALID_PARAMETER},
        {FILE_READ_DATA, 0, 0, FILE_OPEN_IF, SYNC_IO, STATUS_INVALID_PARAMETER},
        {FILE_GENERIC_READ, 0, 0, FILE_OPEN_IF, FILE_DELETE_ON_CLOSE, STATUS_INVALID_PARAMETER},
        {FILE_GENERIC_READ, 0, 0, FILE_OPEN_IF,
            FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT, STATUS_INVALID_PARAMETER},
        {FILE_GENERIC_READ, 0, 0, FILE_OPEN_IF, FILE_DIRECTORY_FILE | FILE_NON_DIRECTORY_FILE,
            STATUS_INVALID_PARAMETER},
        {FILE_GENERIC_READ, 0, 0, FILE_OVERWRITE_IF, FILE_DIRECTORY_FILE,
            STATUS_INVALID_PARAMETER},
        {FILE_GENERIC_READ, 0, 0, FILE_OPEN_IF,
            FILE_DIRECTORY_FILE | FILE_NO_INTERMEDIATE_BUFFERING, STATUS_INVALID_PARAMETER},
        {FILE_GENERIC_WRITE, 0, 0, FILE_OPEN_IF, FILE_NO_INTERMEDIATE_BUFFERING,
            STATUS_INVALID_PARAMETER},
        {FILE_GENERIC_READ, FILE_ATTRIBUTE_TEMPORARY, 0, FILE_CREATE, FILE_DIRECTORY_FILE,
            STATUS_INVALID_PARAMETER},
        {FILE_GENERIC_READ, 0, 0, FILE_OPEN_IF, FILE_OPEN_BY_FILE_ID, STATUS_NOT_IMPLEMENTED},
    };
    fx *x = *state;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        nt_handle h = 0;
        nt_io_status iosb;
        NTSTATUS status = nt_create_file(x->vol, &h, cases[i].access, 0, "\\p", &iosb, 0,
            cases[i].attributes, cases[i].share, cases[i].disposition, cases[i].options, NULL, 0,
            NULL, 0);
        if (status != cases[i].status)
            fail_msg("case %zu: 0x%08x", i, (unsigned)status);
        assert_int_equal(h, 0);
    }
    spy_expect(x, "");
    assert_false(m_exists(x->m, "/p"));
}

static void create_name_checks(void **state)
{
    static const struct {
        const char *path;
        UINT32 disposition, options;
        NTSTATUS status;
    } cases[] = {
        {"a.txt", FILE_OPEN_IF, 0, STATUS_OBJECT_NAME_INVALID},
        {"\\a\\\\b", FILE_OPEN_IF, 0, STATUS_OBJECT_NAME_INVALID},
        {"\\a*b", FILE_OPEN_IF, 0, STATUS_OBJECT_NAME_INVALID},
        {"\\a?", FILE_OPEN_IF, 0, STATUS_OBJECT_NAME_INVALID},
        {"\\a:b", FILE_OPEN_IF, 0, STATUS_OBJECT_NAME_INVALID},
        {"\\a|b", FILE_OPEN_IF, 0, STATUS_OBJECT_NAME_INVALID},
        {"\\.", FILE_OPEN_IF, 0, STATUS_OBJECT_NAME_INVALID},
        {"\\d\\..", FILE_OPEN_IF, 0, STATUS_OBJECT_NAME_INVALID},
        {"\\bad\xff", FILE_OPEN_IF, 0, STATUS_OBJECT_NAME_INVALID},
        {"\\", FILE_CREATE, 0, STATUS_ACCESS_DENIED},
        {"\\", FILE_OVERWRITE_IF, 0, STATUS_ACCESS_DENIED},
        {"\\", FILE_OPEN, FILE_DELETE_ON_CLOSE, STATUS_CANNOT_DELETE},
    };
    fx *x = *state;
    char longname[300];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        nt_handle h = 0;
        nt_io_status iosb;
        NTSTATUS status = nt_create_file(x->vol, &h, FILE_GENERIC_READ | DELETE, 0,
            cases[i].path, &iosb, 0, 0, SHARE_ALL, cases[i].disposition, cases[i].options, NULL,
            0, NULL, 0);
        if (status != cases[i].status)
            fail_msg("case %zu (%s): 0x%08x", i, cases[i].path, (unsigned)status);
    }
    longname[0] = '\\';
    memset(longname + 1, 'n', 256);
    longname[257] = 0;
    assert_status(open_ex(x, &(nt_handle){0}, longname, FILE_GENERIC_READ, 0, FILE_OPEN_IF, 0,
        NULL), STATUS_OBJECT_NAME_INVALID);
    spy_expect(x, "");
    /* Two separators at the start are one, as fastfat has it. */
    m_mk(x->m, "/", "f", REG_MODE, "x");
    close_ok(x, open_ok(x, "\\\\f", FILE_GENERIC_READ, SHARE_ALL, FILE_OPEN, 0));
}

static void trailing_backslash(void **state)
{
    fx *x = *state;
    nt_handle h;

    m_mk(x->m, "/", "d", DIR_MODE, NULL);
    m_mk(x->m, "/", "f", REG_MODE, "x");
    h = open_ok(x, "\\d\\", FILE_READ_ATTRIBUTES, SHARE_ALL, FILE_OPEN, 0);
    assert_true(spy_last(x, FspFsctlTransactCreateKind).trailing);
    close_ok(x, h);
    assert_status(open_ex(x, &h, "\\f\\", FILE_READ_ATTRIBUTES, SHARE_ALL, FILE_OPEN, 0, NULL),
        STATUS_OBJECT_NAME_INVALID);
    /* A directory made with a trailing backslash. */
    h = open_ok(x, "\\nd\\", FILE_READ_ATTRIBUTES, SHARE_ALL, FILE_CREATE, FILE_DIRECTORY_FILE);
    close_ok(x, h);
    assert_true(m_exists(x->m, "/nd"));
}

static void directory_options(void **state)
{
    fx *x = *state;
    nt_handle h;
    nt_io_status iosb;

    m_mk(x->m, "/", "d", DIR_MODE, NULL);
    m_mk(x->m, "/", "f", REG_MODE, "x");
    assert_status(open_ex(x, &h, "\\d", FILE_GENERIC_READ, SHARE_ALL, FILE_OPEN,
        FILE_NON_DIRECTORY_FILE, NULL), STATUS_FILE_IS_A_DIRECTORY);
    assert_status(open_ex(x, &h, "\\f", FILE_GENERIC_READ, SHARE_ALL, FILE_OPEN,
        FILE_DIRECTORY_FILE, NULL), STATUS_NOT_A_DIRECTORY);
    assert_status(open_ex(x, &h, "\\sub", FILE_GENERIC_READ, SHARE_ALL, FILE_CREATE,
        FILE_DIRECTORY_FILE, &iosb), STATUS_SUCCESS);
    assert_int_equal(iosb.Information, FILE_CREATED);
    assert_true(standard_of(x, h).Directory);
    close_ok(x, h);
    fx_settle(x);
    assert_int_equal(x->m->opens, 0);
}

static void generic_access_mapped(void **state)
{
    fx *x = *state;
    FILE_ACCESS_INFORMATION a;
    nt_io_status iosb;
    nt_handle h;

    m_mk(x->m, "/", "f", REG_MODE, "x");
    h = open_ok(x, "\\f", GENERIC_READ, SHARE_ALL, FILE_OPEN, 0);
    assert_status(nt_query_information_file(x->vol, h, &iosb, &a, sizeof a,
        FileAccessInformation), STATUS_SUCCESS);
    assert_int_equal(a.AccessFlags, FILE_GENERIC_READ);
    close_ok(x, h);
    h = open_ok(x, "\\f", MAXIMUM_ALLOWED, SHARE_ALL, FILE_OPEN, 0);
    assert_status(nt_query_information_file(x->vol, h, &iosb, &a, sizeof a,
        FileAccessInformation), STATUS_SUCCESS);
    assert_int_equal(a.AccessFlags, FILE_ALL_ACCESS);
    close_ok(x, h);
}

static void relative_open(void **state)
{
    fx *x = *state;
    nt_handle d, f, again;
    nt_io_status iosb;
    char name[64];

    m_mk(x->m, "/", "d", DIR_MODE, NULL);
    m_mk(x->m, "/d", "f", REG_MODE, "x");
    d = open_dir(x, "\\d");
    assert_status(nt_create_file(x->vol, &f, FILE_GENERIC_READ, d, "f", &iosb, 0, 0, SHARE_ALL,
        FILE_OPEN, 0, NULL, 0, NULL, 0), STATUS_SUCCESS);
    name_of(x, f, name, sizeof name);
    assert_string_equal(name, "\\d\\f");
    assert_status(nt_create_file(x->vol, &f, FILE_GENERIC_READ, d, "\\f", &iosb, 0, 0, SHARE_ALL,
        FILE_OPEN, 0, NULL, 0, NULL, 0), STATUS_INVALID_PARAMETER);
    assert_status(nt_create_file(x->vol, &f, FILE_GENERIC_READ, d ^ (1ull << 40), "f", &iosb, 0, 0,
        SHARE_ALL, FILE_OPEN, 0, NULL, 0, NULL, 0), STATUS_INVALID_HANDLE);
    /* An empty name opens the directory itself again. */
    assert_status(nt_create_file(x->vol, &again, FILE_READ_ATTRIBUTES, d, "", &iosb, 0, 0,
        SHARE_ALL, FILE_OPEN, 0, NULL, 0, NULL, 0), STATUS_SUCCESS);
    name_of(x, again, name, sizeof name);
    assert_string_equal(name, "\\d");
    close_ok(x, again);
    close_ok(x, f);
    close_ok(x, d);
}

static void volume_open(void **state)
{
    fx *x = *state;
    union {
        FILE_FS_ATTRIBUTE_INFORMATION a;
        UINT8 b[128];
    } u;
    FILE_BASIC_INFORMATION basic;
    nt_io_status iosb;
    char buf[4];
    INT64 zero = 0;
    nt_handle h;

    assert_status(open_ex(x, &h, "", FILE_READ_DATA | FILE_READ_ATTRIBUTES, SHARE_ALL, FILE_OPEN,
        0, &iosb), STATUS_SUCCESS);
    assert_int_equal(iosb.Information, FILE_OPENED);
    assert_status(nt_query_volume_information_file(x->vol, h, &iosb, &u, sizeof u,
        FileFsAttributeInformation), STATUS_SUCCESS);
    assert_status(nt_read_file(x->vol, h, &iosb, buf, sizeof buf, &zero, 0),
        STATUS_INVALID_DEVICE_REQUEST);
    assert_status(nt_query_information_file(x->vol, h, &iosb, &basic, sizeof basic,
        FileBasicInformation), STATUS_INVALID_PARAMETER);
    close_ok(x, h);
    /* The file system never heard of it. */
    spy_expect(x, "");
}

/* ==== share access ==== */

static void share_read_write(void **state)
{
    fx *x = *state;
    nt_handle r1, r2, attr, w;

    m_mk(x->m, "/", "f", REG_MODE, "data");
    r1 = open_ok(x, "\\f", FILE_READ_DATA | SYNCHRONIZE, FILE_SHARE_READ, FILE_OPEN, 0);
    spy_reset(x);
    assert_status(open_ex(x, &w, "\\f", FILE_WRITE_DATA, SHARE_ALL, FILE_OPEN, 0, NULL),
        STATUS_SHARING_VIOLATION);
    /* The file system opened it; the fsd refused it and closed it again. */
    spy_expect(x, "Create,Close");
    r2 = open_ok(x, "\\f", FILE_READ_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, 0);
    /* Attributes alone take no part in share access. */
    attr = open_ok(x, "\\f", FILE_READ_ATTRIBUTES, 0, FILE_OPEN, 0);
    assert_status(open_ex(x, &w, "\\f", FILE_READ_DATA, FILE_SHARE_WRITE, FILE_OPEN, 0, NULL),
        STATUS_SHARING_VIOLATION);
    close_ok(x, r1);
    close_ok(x, r2);
    w = open_ok(x, "\\f", FILE_WRITE_DATA, SHARE_ALL, FILE_OPEN, 0);
    close_ok(x, w);
    close_ok(x, attr);
    fx_settle(x);
    assert_int_equal(x->m->opens, 0);
}

static void share_delete(void **state)
{
    fx *x = *state;
    nt_handle d, r;

    m_mk(x->m, "/", "f", REG_MODE, "data");
    d = open_ok(x, "\\f", DELETE, FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, 0);
    assert_status(open_ex(x, &r, "\\f", FILE_READ_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE,
        FILE_OPEN, 0, NULL), STATUS_SHARING_VIOLATION);
    r = open_ok(x, "\\f", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
    /* Nobody else may delete while r does not share delete... it does: fine. */
    close_ok(x, r);
    close_ok(x, d);
    r = open_ok(x, "\\f", FILE_READ_DATA, FILE_SHARE_READ, FILE_OPEN, 0);
    assert_status(open_ex(x, &d, "\\f", DELETE, SHARE_ALL, FILE_OPEN, 0, NULL),
        STATUS_SHARING_VIOLATION);
    close_ok(x, r);
}

static void share_checked_for_overwrite(void **state)
{
    fx *x = *state;
    nt_handle r, o;

    m_mk(x->m, "/", "f", REG_MODE, "data");
    r = open_ok(x, "\\f", FILE_READ_DATA, FILE_SHARE_READ, FILE_OPEN, 0);
    spy_reset(x);
    /* Overwriting writes, whatever access was asked for. */
    assert_status(open_ex(x, &o, "\\f", FILE_READ_DATA, SHARE_ALL, FILE_OVERWRITE, 0, NULL),
        STATUS_SHARING_VIOLATION);
    spy_expect(x, "Create,Close");
    assert_int_equal(m_size(x->m, "/f"), 4);
    close_ok(x, r);
}

/* ==== delete pending ==== */

static void delete_on_close(void **state)
{
    fx *x = *state;
    nt_handle h;

    h = open_ok(x, "\\t", FILE_GENERIC_WRITE | DELETE, 0, FILE_CREATE, FILE_DELETE_ON_CLOSE);
    assert_true(m_exists(x->m, "/t"));
    close_ok(x, h);
    spy_expect(x, "Create,Cleanup,Close");
    assert_true(spy_last(x, FspFsctlTransactCleanupKind).cleanup_delete);
    assert_false(m_exists(x->m, "/t"));
}

static void delete_pending_refuses_opens(void **state)
{
    fx *x = *state;
    nt_handle h, h2;

    m_mk(x->m, "/", "f", REG_MODE, "data");
    h = open_rw(x, "\\f", FILE_OPEN);
    assert_status(set_delete(x, h, true), STATUS_SUCCESS);
    assert_true(standard_of(x, h).DeletePending);
    spy_reset(x);
    assert_status(open_ex(x, &h2, "\\f", FILE_READ_ATTRIBUTES, SHARE_ALL, FILE_OPEN, 0, NULL),
        STATUS_DELETE_PENDING);
    spy_expect(x, "Create,Close");
    close_ok(x, h);
    fx_settle(x);
    assert_false(m_exists(x->m, "/f"));
}

static void delete_at_last_handle(void **state)
{
    fx *x = *state;
    nt_handle a, b;

    m_mk(x->m, "/", "f", REG_MODE, "data");
    a = open_rw(x, "\\f", FILE_OPEN);
    b = open_rw(x, "\\f", FILE_OPEN);
    assert_status(set_delete(x, a, true), STATUS_SUCCESS);
    spy_reset(x);
    close_ok(x, a);
    assert_true(m_exists(x->m, "/f"));
    close_ok(x, b);
    spy_expect(x, "Close,Cleanup,Close");
    assert_true(spy_last(x, FspFsctlTransactCleanupKind).cleanup_delete);
    assert_false(m_exists(x->m, "/f"));
}

static void undelete(void **state)
{
    fx *x = *state;
    nt_handle h;

    m_mk(x->m, "/", "f", REG_MODE, "data");
    h = open_rw(x, "\\f", FILE_OPEN);
    assert_status(set_delete(x, h, true), STATUS_SUCCESS);
    assert_status(set_delete(x, h, false), STATUS_SUCCESS);
    assert_false(standard_of(x, h).DeletePending);
    close_ok(x, h);
    fx_settle(x);
    assert_true(m_exists(x->m, "/f"));
}

static void delete_checks(void **state)
{
    fx *x = *state;
    nt_handle d, r, root;

    m_mk(x->m, "/", "d", DIR_MODE, NULL);
    m_mk(x->m, "/d", "x", REG_MODE, "x");
    d = open_ok(x, "\\d", DELETE | FILE_LIST_DIRECTORY | SYNCHRONIZE, SHARE_ALL, FILE_OPEN,
        FILE_DIRECTORY_FILE);
    spy_reset(x);
    assert_status(set_delete(x, d, true), STATUS_DIRECTORY_NOT_EMPTY);
    /* The refusal is remembered for the handle, as WinFsp does: no second request. */
    assert_status(set_delete(x, d, true), STATUS_DIRECTORY_NOT_EMPTY);
    assert_int_equal(spy_count(x, FspFsctlTransactSetInformationKind), 1);
    close_ok(x, d);
    r = open_ok(x, "\\d\\x", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
    spy_reset(x);
    assert_status(set_delete(x, r, true), STATUS_ACCESS_DENIED);
    spy_expect(x, "");
    close_ok(x, r);
    root = open_ok(x, "\\", DELETE | FILE_READ_ATTRIBUTES, SHARE_ALL, FILE_OPEN, 0);
    assert_status(set_delete(x, root, true), STATUS_CANNOT_DELETE);
    close_ok(x, root);
    assert_true(m_exists(x->m, "/d/x"));
}

/* ==== cleanup, close, overwrite ==== */

static void cleanup_before_close(void **state)
{
    fx *x = *state;
    nt_handle h;
    spied s;

    h = open_rw(x, "\\f", FILE_CREATE);
    assert_status(write_at(x, h, "abc", 0), STATUS_SUCCESS);
    close_ok(x, h);
    spy_expect(x, "Create,Write,Cleanup,Close");
    s = spy_last(x, FspFsctlTransactCleanupKind);
    assert_true(s.cleanup_mtime);
    assert_false(s.cleanup_delete);
    assert_int_equal(m_size(x->m, "/f"), 3);
    assert_int_equal(m_ops(x->m, FUSE_FLUSH), 1);
    assert_int_equal(m_ops(x->m, FUSE_RELEASE), 1);
}

static void overwrite_follows_create(void **state)
{
    fx *x = *state;
    nt_io_status iosb;
    nt_handle h;

    m_mk(x->m, "/", "f", REG_MODE, "hello");
    assert_status(open_ex(x, &h, "\\f", FILE_GENERIC_WRITE, SHARE_ALL, FILE_OVERWRITE_IF, 0,
        &iosb), STATUS_SUCCESS);
    assert_int_equal(iosb.Information, FILE_OVERWRITTEN);
    assert_int_equal(m_size(x->m, "/f"), 0);
    assert_int_equal(standard_of(x, h).EndOfFile, 0);
    close_ok(x, h);
    spy_expect(x, "Create,Overwrite,QueryInformation,Cleanup,Close");
    assert_false(spy_last(x, FspFsctlTransactOverwriteKind).supersede);
    spy_reset(x);
    m_mk(x->m, "/", "g", REG_MODE, "hello");
    assert_status(open_ex(x, &h, "\\g", FILE_GENERIC_WRITE | DELETE, SHARE_ALL, FILE_SUPERSEDE,
        0, &iosb), STATUS_SUCCESS);
    assert_int_equal(iosb.Information, FILE_SUPERSEDED);
    assert_true(spy_last(x, FspFsctlTransactOverwriteKind).supersede);
    close_ok(x, h);
    assert_status(open_ex(x, &h, "\\none", FILE_GENERIC_WRITE, SHARE_ALL, FILE_OVERWRITE, 0,
        &iosb), STATUS_OBJECT_NAME_NOT_FOUND);
}

static void overwrite_keeps_hidden(void **state)
{
    fx_opts o = {.hide_dot_files = true};
    fx *x = fx_new(&o);
    nt_io_status iosb;
    nt_handle h;

    (void)state;
    m_mk(x->m, "/", ".h", REG_MODE, "hello");
    assert_status(nt_create_file(x->vol, &h, FILE_GENERIC_WRITE, 0, "\\.h", &iosb, 0, 0,
        SHARE_ALL, FILE_OVERWRITE, 0, NULL, 0, NULL, 0), STATUS_ACCESS_DENIED);
    spy_expect(x, "Create,Close");
    assert_int_equal(m_size(x->m, "/.h"), 5);
    assert_status(nt_create_file(x->vol, &h, FILE_GENERIC_WRITE, 0, "\\.h", &iosb, 0,
        FILE_ATTRIBUTE_HIDDEN, SHARE_ALL, FILE_OVERWRITE, 0, NULL, 0, NULL, 0), STATUS_SUCCESS);
    close_ok(x, h);
    assert_int_equal(m_size(x->m, "/.h"), 0);
    fx_free(x);
}

/* ==== read and write ==== */

static void read_write_position(void **state)
{
    fx *x = *state;
    FILE_POSITION_INFORMATION p;
    nt_io_status iosb;
    char buf[64];
    nt_handle h;

    h = open_rw(x, "\\f", FILE_CREATE);
    assert_status(nt_write_file(x->vol, h, &iosb, "hello", 5, NULL, 0), STATUS_SUCCESS);
    assert_int_equal(iosb.Information, 5);
    assert_status(nt_write_file(x->vol, h, &iosb, " world", 6, NULL, 0), STATUS_SUCCESS);
    assert_status(nt_query_information_file(x->vol, h, &iosb, &p, sizeof p,
        FilePositionInformation), STATUS_SUCCESS);
    assert_int_equal(p.CurrentByteOffset, 11);
    p.CurrentByteOffset = 0;
    assert_status(nt_set_information_file(x->vol, h, &iosb, &p, sizeof p,
        FilePositionInformation), STATUS_SUCCESS);
    memset(buf, 0, sizeof buf);
    assert_status(nt_read_file(x->vol, h, &iosb, buf, sizeof buf, NULL, 0), STATUS_SUCCESS);
    assert_int_equal(iosb.Information, 11);
    assert_string_equal(buf, "hello world");
    assert_status(nt_read_file(x->vol, h, &iosb, buf, sizeof buf, NULL, 0), STATUS_END_OF_FILE);
    assert_int_equal(iosb.Information, 0);
    {
        INT64 at = NT_USE_FILE_POINTER_POSITION, neg = -5;
        p.CurrentByteOffset = 6;
        assert_status(nt_set_information_file(x->vol, h, &iosb, &p, sizeof p,
            FilePositionInformation), STATUS_SUCCESS);
        assert_status(nt_read_file(x->vol, h, &iosb, buf, 5, &at, 0), STATUS_SUCCESS);
        assert_memory_equal(buf, "world", 5);
        assert_status(nt_read_file(x->vol, h, &iosb, buf, 5, &neg, 0),
            STATUS_INVALID_PARAMETER);
    }
    close_ok(x, h);
}

static void read_without_position(void **state)
{
    fx *x = *state;
    nt_io_status iosb;
    char buf[8];
    INT64 zero = 0;
    nt_handle h;

    m_mk(x->m, "/", "f", REG_MODE, "abc");
    /* Without FILE_SYNCHRONOUS_IO_* a file object keeps no position. */
    h = open_ok(x, "\\f", FILE_GENERIC_READ, SHARE_ALL, FILE_OPEN, 0);
    assert_status(nt_read_file(x->vol, h, &iosb, buf, sizeof buf, NULL, 0),
        STATUS_INVALID_PARAMETER);
    assert_status(nt_read_file(x->vol, h, &iosb, buf, sizeof buf, &zero, 0), STATUS_SUCCESS);
    assert_int_equal(iosb.Information, 3);
    close_ok(x, h);
}

static void io_access_checks(void **state)
{
    fx *x = *state;
    nt_io_status iosb;
    char buf[8];
    INT64 zero = 0;
    nt_handle ro, wo, d;

    m_mk(x->m, "/", "f", REG_MODE, "abc");
    m_mk(x->m, "/", "d", DIR_MODE, NULL);
    ro = open_ok(x, "\\f", FILE_GENERIC_READ, SHARE_ALL, FILE_OPEN, 0);
    wo = open_ok(x, "\\f", FILE_WRITE_DATA, SHARE_ALL, FILE_OPEN, 0);
    d = open_ok(x, "\\d", FILE_READ_DATA | FILE_WRITE_DATA, SHARE_ALL, FILE_OPEN, 0);
    spy_reset(x);
    assert_status(nt_write_file(x->vol, ro, &iosb, "x", 1, &zero, 0), STATUS_ACCESS_DENIED);
    assert_status(nt_read_file(x->vol, wo, &iosb, buf, 1, &zero, 0), STATUS_ACCESS_DENIED);
    assert_status(nt_read_file(x->vol, d, &iosb, buf, 1, &zero, 0), STATUS_INVALID_PARAMETER);
    assert_status(nt_write_file(x->vol, d, &iosb, "x", 1, &zero, 0), STATUS_INVALID_PARAMETER);
    assert_status(nt_read_file(x->vol, ro, &iosb, NULL, 1, &zero, 0),
        STATUS_INVALID_USER_BUFFER);
    /* Zero-length I/O succeeds at once. */
    assert_status(nt_read_file(x->vol, ro, &iosb, buf, 0, &zero, 0), STATUS_SUCCESS);
    assert_status(nt_write_file(x->vol, wo, &iosb, buf, 0, &zero, 0), STATUS_SUCCESS);
    assert_int_equal(iosb.Information, 0);
    spy_expect(x, "");
    close_ok(x, ro);
    close_ok(x, wo);
    close_ok(x, d);
}

static void append_only_handle(void **state)
{
    fx *x = *state;
    FILE_POSITION_INFORMATION p;
    nt_io_status iosb;
    INT64 zero = 0, end = NT_WRITE_TO_END_OF_FILE;
    nt_handle a, w;

    m_mk(x->m, "/", "f", REG_MODE, "abc");
    /* FILE_APPEND_DATA without FILE_WRITE_DATA: every write lands at the end. */
    a = open_ok(x, "\\f", FILE_APPEND_DATA | SYNCHRONIZE, SHARE_ALL, FILE_OPEN, SYNC_IO);
    assert_status(nt_write_file(x->vol, a, &iosb, "XY", 2, &zero, 0), STATUS_SUCCESS);
    assert_int_equal(m_size(x->m, "/f"), 5);
    assert_status(nt_query_information_file(x->vol, a, &iosb, &p, sizeof p,
        FilePositionInformation), STATUS_SUCCESS);
    assert_int_equal(p.CurrentByteOffset, 5);
    w = open_rw(x, "\\f", FILE_OPEN);
    assert_status(nt_write_file(x->vol, w, &iosb, "Z", 1, &end, 0), STATUS_SUCCESS);
    assert_int_equal(m_size(x->m, "/f"), 6);
    pthread_mutex_lock(&x->m->lock);
    assert_memory_equal(x->m->nodes[m_path(x->m, "/f")].data, "abcXYZ", 6);
    pthread_mutex_unlock(&x->m->lock);
    close_ok(x, a);
    close_ok(x, w);
}

static void large_transfer(void **state)
{
    fx *x = *state;
    size_t size = 1024 * 1024 + 7;
    UINT8 *out = malloc(size), *in = malloc(size);
    nt_io_status iosb;
    INT64 zero = 0;
    nt_handle h;

    for (size_t i = 0; i < size; i++)
        out[i] = (UINT8)(i * 131 + 7);
    h = open_rw(x, "\\big", FILE_CREATE);
    assert_status(nt_write_file(x->vol, h, &iosb, out, (UINT32)size, &zero, 0), STATUS_SUCCESS);
    assert_int_equal(iosb.Information, size);
    assert_status(nt_read_file(x->vol, h, &iosb, in, (UINT32)size, &zero, 0), STATUS_SUCCESS);
    assert_int_equal(iosb.Information, size);
    assert_memory_equal(in, out, size);
    /* One WinFsp request each way, however many FUSE requests it takes. */
    assert_int_equal(spy_count(x, FspFsctlTransactWriteKind), 1);
    assert_int_equal(spy_count(x, FspFsctlTransactReadKind), 1);
    assert_true(m_ops(x->m, FUSE_WRITE) > 1);
    close_ok(x, h);
    free(in);
    free(out);
}

/* ==== byte-range locks ==== */

static NTSTATUS lock(fx *x, nt_handle h, INT64 off, INT64 len, UINT32 key, bool now, bool excl)
{
    nt_io_status iosb;
    return nt_lock_file(x->vol, h, &iosb, off, len, key, now, excl);
}

static NTSTATUS read_at(fx *x, nt_handle h, INT64 off, UINT32 len, UINT32 key)
{
    nt_io_status iosb;
    char buf[64];
    return nt_read_file(x->vol, h, &iosb, buf, len, &off, key);
}

static NTSTATUS write_key(fx *x, nt_handle h, INT64 off, UINT32 key)
{
    nt_io_status iosb;
    return nt_write_file(x->vol, h, &iosb, "w", 1, &off, key);
}

static void two_handles(fx *x, nt_handle *a, nt_handle *b)
{
    m_mk(x->m, "/", "f", REG_MODE, "0123456789012345678901234567890123456789");
    *a = open_rw(x, "\\f", FILE_OPEN);
    *b = open_rw(x, "\\f", FILE_OPEN);
}

static void lock_exclusive(void **state)
{
    fx *x = *state;
    nt_handle a, b;

    two_handles(x, &a, &b);
    assert_status(lock(x, a, 0, 10, 0, true, true), STATUS_SUCCESS);
    assert_status(read_at(x, b, 5, 2, 0), STATUS_FILE_LOCK_CONFLICT);
    assert_status(read_at(x, a, 5, 2, 0), STATUS_SUCCESS);
    assert_status(write_key(x, b, 5, 0), STATUS_FILE_LOCK_CONFLICT);
    assert_status(write_key(x, a, 5, 0), STATUS_SUCCESS);
    assert_status(read_at(x, b, 10, 2, 0), STATUS_SUCCESS);
    assert_status(lock(x, b, 5, 1, 0, true, false), STATUS_LOCK_NOT_GRANTED);
    assert_status(lock(x, a, 9, 1, 0, true, true), STATUS_LOCK_NOT_GRANTED);
    /* A lock of no bytes is in nobody's way. */
    assert_status(lock(x, b, 5, 0, 0, true, true), STATUS_SUCCESS);
    /* The key is part of the owner. */
    assert_status(read_at(x, a, 5, 2, 9), STATUS_FILE_LOCK_CONFLICT);
    close_ok(x, a);
    close_ok(x, b);
}

static void lock_shared(void **state)
{
    fx *x = *state;
    nt_handle a, b;

    two_handles(x, &a, &b);
    assert_status(lock(x, a, 0, 10, 0, true, false), STATUS_SUCCESS);
    assert_status(lock(x, b, 5, 10, 0, true, false), STATUS_SUCCESS);
    assert_status(lock(x, b, 0, 1, 0, true, true), STATUS_LOCK_NOT_GRANTED);
    assert_status(read_at(x, b, 0, 10, 0), STATUS_SUCCESS);
    /* A shared lock keeps even its owner from writing. */
    assert_status(write_key(x, a, 0, 0), STATUS_FILE_LOCK_CONFLICT);
    assert_status(write_key(x, a, 30, 0), STATUS_SUCCESS);
    close_ok(x, a);
    close_ok(x, b);
}

static void unlock_rules(void **state)
{
    fx *x = *state;
    nt_io_status iosb;
    nt_handle a, b, attr, d;

    two_handles(x, &a, &b);
    assert_status(nt_unlock_file(x->vol, a, &iosb, 0, 10, 0), STATUS_RANGE_NOT_LOCKED);
    assert_status(lock(x, a, 0, 10, 3, true, true), STATUS_SUCCESS);
    assert_status(nt_unlock_file(x->vol, a, &iosb, 0, 10, 4), STATUS_RANGE_NOT_LOCKED);
    assert_status(nt_unlock_file(x->vol, a, &iosb, 0, 9, 3), STATUS_RANGE_NOT_LOCKED);
    assert_status(nt_unlock_file(x->vol, b, &iosb, 0, 10, 3), STATUS_RANGE_NOT_LOCKED);
    assert_status(nt_unlock_file(x->vol, a, &iosb, 0, 10, 3), STATUS_SUCCESS);
    assert_status(nt_unlock_file(x->vol, a, &iosb, 0, 10, 3), STATUS_RANGE_NOT_LOCKED);
    assert_status(read_at(x, b, 0, 10, 0), STATUS_SUCCESS);
    /* Ranges that wrap, handles that may not lock, and directories. */
    assert_status(lock(x, a, -1, 10, 0, true, true), STATUS_INVALID_LOCK_RANGE);
    assert_status(lock(x, a, 1, -1, 0, true, true), STATUS_INVALID_LOCK_RANGE);
    /* The whole-file lock of LockFileEx(0, MAXDWORD, MAXDWORD): a length of 2^64 - 1. */
    assert_status(lock(x, a, 0, -1, 0, true, true), STATUS_SUCCESS);
    assert_status(read_at(x, b, 5, 10, 0), STATUS_FILE_LOCK_CONFLICT);
    assert_status(nt_unlock_file(x->vol, a, &iosb, 0, -1, 0), STATUS_SUCCESS);
    attr = open_ok(x, "\\f", FILE_READ_ATTRIBUTES, SHARE_ALL, FILE_OPEN, 0);
    assert_status(lock(x, attr, 0, 1, 0, true, true), STATUS_ACCESS_DENIED);
    m_mk(x->m, "/", "d", DIR_MODE, NULL);
    d = open_ok(x, "\\d", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
    assert_status(lock(x, d, 0, 1, 0, true, true), STATUS_INVALID_PARAMETER);
    close_ok(x, d);
    close_ok(x, attr);
    close_ok(x, a);
    close_ok(x, b);
}

typedef struct lock_waiter {
    fx *x;
    nt_handle h;
    NTSTATUS status;
} lock_waiter;

static void *wait_for_lock(void *arg)
{
    lock_waiter *w = arg;
    w->status = lock(w->x, w->h, 0, 10, 0, false, true);
    return NULL;
}

static void lock_waits_for_unlock(void **state)
{
    fx *x = *state;
    lock_waiter w;
    pthread_t t;
    nt_io_status iosb;
    nt_handle a, b;

    two_handles(x, &a, &b);
    assert_status(lock(x, a, 0, 10, 0, true, true), STATUS_SUCCESS);
    w.x = x;
    w.h = b;
    w.status = STATUS_PENDING;
    pthread_create(&t, NULL, wait_for_lock, &w);
    wait_active(x, 1);
    assert_status(nt_unlock_file(x->vol, a, &iosb, 0, 10, 0), STATUS_SUCCESS);
    pthread_join(t, NULL);
    assert_status(w.status, STATUS_SUCCESS);
    assert_status(lock(x, a, 0, 1, 0, true, true), STATUS_LOCK_NOT_GRANTED);
    /* Closing the holder releases its locks, and wakes who waits for them. */
    w.status = STATUS_PENDING;
    w.h = a;
    pthread_create(&t, NULL, wait_for_lock, &w);
    wait_active(x, 1);
    close_ok(x, b);
    pthread_join(t, NULL);
    assert_status(w.status, STATUS_SUCCESS);
    close_ok(x, a);
}

static void lock_wait_ends_with_handle(void **state)
{
    fx *x = *state;
    lock_waiter w;
    pthread_t t;
    nt_handle a, b;

    two_handles(x, &a, &b);
    assert_status(lock(x, a, 0, 10, 0, true, true), STATUS_SUCCESS);
    w.x = x;
    w.h = b;
    w.status = STATUS_PENDING;
    pthread_create(&t, NULL, wait_for_lock, &w);
    wait_active(x, 1);
    close_ok(x, b);
    pthread_join(t, NULL);
    assert_status(w.status, STATUS_CANCELLED);
    close_ok(x, a);
}

/* ==== file information ==== */

static void query_file_information(void **state)
{
    fx *x = *state;
    nt_io_status iosb;
    FILE_BASIC_INFORMATION basic;
    FILE_INTERNAL_INFORMATION internal;
    FILE_EA_INFORMATION ea;
    FILE_MODE_INFORMATION mode;
    FILE_ALIGNMENT_INFORMATION align;
    FILE_NETWORK_OPEN_INFORMATION net;
    FILE_ATTRIBUTE_TAG_INFORMATION tag;
    FILE_STANDARD_INFORMATION s;
    UINT64 ino = m_mk(x->m, "/", "f", REG_MODE, "hello");
    nt_handle h, d;

    m_mk(x->m, "/", "d", DIR_MODE, NULL);
    h = open_rw(x, "\\f", FILE_OPEN);
    assert_status(nt_query_information_file(x->vol, h, &iosb, &basic, sizeof basic,
        FileBasicInformation), STATUS_SUCCESS);
    assert_int_equal(iosb.Information, sizeof basic);
    assert_true(basic.FileAttributes != 0);
    assert_false(basic.FileAttributes & FILE_ATTRIBUTE_DIRECTORY);
    assert_true(basic.LastWriteTime > 0);
    s = standard_of(x, h);
    assert_int_equal(s.EndOfFile, 5);
    assert_int_equal(s.NumberOfLinks, 1);
    assert_false(s.Directory);
    assert_false(s.DeletePending);
    assert_status(nt_query_information_file(x->vol, h, &iosb, &internal, sizeof internal,
        FileInternalInformation), STATUS_SUCCESS);
    assert_int_equal(internal.IndexNumber, ino);
    assert_status(nt_query_information_file(x->vol, h, &iosb, &ea, sizeof ea,
        FileEaInformation), STATUS_SUCCESS);
    assert_int_equal(ea.EaSize, 0);
    assert_status(nt_query_information_file(x->vol, h, &iosb, &mode, sizeof mode,
        FileModeInformation), STATUS_SUCCESS);
    assert_int_equal(mode.Mode, FILE_SYNCHRONOUS_IO_NONALERT);
    assert_status(nt_query_information_file(x->vol, h, &iosb, &align, sizeof align,
        FileAlignmentInformation), STATUS_SUCCESS);
    assert_int_equal(align.AlignmentRequirement, 0);
    assert_status(nt_query_information_file(x->vol, h, &iosb, &net, sizeof net,
        FileNetworkOpenInformation), STATUS_SUCCESS);
    assert_int_equal(net.EndOfFile, 5);
    assert_int_equal(net.FileAttributes, basic.FileAttributes);
    assert_status(nt_query_information_file(x->vol, h, &iosb, &tag, sizeof tag,
        FileAttributeTagInformation), STATUS_SUCCESS);
    assert_int_equal(tag.ReparseTag, 0);
    d = open_dir(x, "\\d");
    s = standard_of(x, d);
    assert_true(s.Directory);
    close_ok(x, d);
    close_ok(x, h);
}

static void query_all_and_names(void **state)
{
    fx *x = *state;
    union {
        FILE_ALL_INFORMATION a;
        FILE_NAME_INFORMATION n;
        UINT8 b[256];
    } u;
    nt_io_status iosb;
    nt_handle h;

    m_mk(x->m, "/", "abc.txt", REG_MODE, "hello");
    h = open_rw(x, "\\abc.txt", FILE_OPEN);
    assert_status(nt_query_information_file(x->vol, h, &iosb, &u, sizeof u, FileAllInformation),
        STATUS_SUCCESS);
    assert_int_equal(iosb.Information, offsetof(FILE_ALL_INFORMATION, NameInformation.FileName) + 16);
    assert_int_equal(u.a.NameInformation.FileNameLength, 16);
    assert_int_equal(u.a.StandardInformation.EndOfFile, 5);
    assert_int_equal(u.a.ModeInformation.Mode, FILE_SYNCHRONOUS_IO_NONALERT);
    assert_true(u.a.AccessInformation.AccessFlags & FILE_WRITE_DATA);
    /* Too small for the name: its start, its full length, and STATUS_BUFFER_OVERFLOW. */
    memset(&u, 0xcc, sizeof u);
    assert_status(nt_query_information_file(x->vol, h, &iosb, &u, sizeof(FILE_NAME_INFORMATION),
        FileNameInformation), STATUS_BUFFER_OVERFLOW);
    assert_int_equal(iosb.Status, STATUS_BUFFER_OVERFLOW);
    assert_int_equal(iosb.Information, sizeof(FILE_NAME_INFORMATION));
    assert_int_equal(u.n.FileNameLength, 16);
    assert_int_equal(u.n.FileName[0], '\\');
    assert_int_equal(wch(u.b, offsetof(FILE_NAME_INFORMATION, FileName) + 2), 'a');
    memset(&u, 0xcc, sizeof u);
    assert_status(nt_query_information_file(x->vol, h, &iosb, &u, sizeof(FILE_ALL_INFORMATION),
        FileAllInformation), STATUS_BUFFER_OVERFLOW);
    assert_int_equal(iosb.Information, sizeof(FILE_ALL_INFORMATION));
    assert_int_equal(u.a.StandardInformation.EndOfFile, 5);
    assert_int_equal(u.a.NameInformation.FileNameLength, 16);
    close_ok(x, h);
}

static void query_information_errors(void **state)
{
    fx *x = *state;
    union {
        FILE_BASIC_INFORMATION b;
        UINT8 bytes[128];
    } u;
    nt_io_status iosb;
    nt_handle h, limited;

    m_mk(x->m, "/", "f", REG_MODE, "hello");
    h = open_rw(x, "\\f", FILE_OPEN);
    spy_reset(x);
    assert_status(nt_query_information_file(x->vol, h, &iosb, &u, sizeof u.b - 1,
        FileBasicInformation), STATUS_INFO_LENGTH_MISMATCH);
    assert_status(nt_query_information_file(x->vol, h, &iosb, &u, sizeof u, 0),
        STATUS_INVALID_INFO_CLASS);
    assert_status(nt_query_information_file(x->vol, h, &iosb, &u, sizeof u,
        FileRenameInformation), STATUS_INVALID_INFO_CLASS);
    assert_status(nt_query_information_file(x->vol, h, &iosb, &u, sizeof u, 200),
        STATUS_INVALID_INFO_CLASS);
    assert_status(nt_query_information_file(x->vol, h, &iosb, &u, sizeof u,
        FileAlternateNameInformation), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_status(nt_query_information_file(x->vol, h, &iosb, &u, sizeof u,
        FileHardLinkInformation), STATUS_NOT_SUPPORTED);
    assert_status(nt_set_information_file(x->vol, h, &iosb, &u, sizeof u, 200),
        STATUS_INVALID_INFO_CLASS);
    assert_status(nt_set_information_file(x->vol, h, &iosb, &u, 4, FileBasicInformation),
        STATUS_INFO_LENGTH_MISMATCH);
    assert_status(nt_set_information_file(x->vol, h, &iosb, &u, sizeof u, FileLinkInformation),
        STATUS_NOT_SUPPORTED);
    limited = open_ok(x, "\\f", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
    assert_status(nt_query_information_file(x->vol, limited, &iosb, &u, sizeof u,
        FileBasicInformation), STATUS_ACCESS_DENIED);
    assert_status(nt_set_information_file(x->vol, limited, &iosb, &u, sizeof u.b,
        FileBasicInformation), STATUS_ACCESS_DENIED);
    spy_expect(x, "Create");
    close_ok(x, limited);
    close_ok(x, h);
}

typedef struct write_job {
    fx *x;
    nt_handle h;
    const char *data;
    NTSTATUS status;
} write_job;

static void *write_thread(void *arg)
{
    write_job *j = arg;
    j->status = write_at(j->x, j->h, j->data, 0);
    return NULL;
}

/*
 * Two writes to one file whose responses reach the fsd in the other order
 * than the file system answered them: the first one's FileInfo (the
 * smaller size) must not be what stays cached.
 */
static void crossed_write_responses_not_cached(void **state)
{
    fx_opts o = {.file_info_timeout = UINT32_MAX};
    fx *x = fx_new(&o);
    write_job j;
    pthread_t t;

    (void)state;
    m_mk(x->m, "/", "f", REG_MODE, "");
    j.x = x;
    j.h = open_rw(x, "\\f", FILE_OPEN);
    j.data = "abcd";
    pthread_mutex_lock(&x->spy_lock);
    x->hold_kind = FspFsctlTransactWriteKind;
    pthread_mutex_unlock(&x->spy_lock);
    assert_int_equal(pthread_create(&t, NULL, write_thread, &j), 0);
    while (!spy_holding(x))
        usleep(200);
    /* The first write is done in the file system (size 4); a second makes it 8. */
    assert_status(write_at(x, j.h, "abcdefgh", 0), STATUS_SUCCESS);
    assert_int_equal(standard_of(x, j.h).EndOfFile, 8);
    spy_release_held(x);
    pthread_join(t, NULL);
    assert_status(j.status, STATUS_SUCCESS);
    /* The late answer said 4: not believed, the size is asked again. */
    spy_reset(x);
    assert_int_equal(standard_of(x, j.h).EndOfFile, 8);
    assert_int_equal(spy_count(x, FspFsctlTransactQueryInformationKind), 1);
    close_ok(x, j.h);
    fx_free(x);
}

typedef struct open_job {
    fx *x;
    const char *path;
    nt_handle h;
    NTSTATUS status;
} open_job;

static void *open_thread(void *arg)
{
    open_job *j = arg;
    j->status = open_ex(j->x, &j->h, j->path, FILE_GENERIC_READ, SHARE_ALL, FILE_OPEN,
        SYNC_IO | FILE_NON_DIRECTORY_FILE, NULL);
    return NULL;
}

/*
 * Open open_path in a thread while its answer is held back; meanwhile write
 * 8 bytes to write_path through a handle that then closes; hand the answer
 * on. The opened handle, with the spy's log cleared.
 */
static nt_handle open_across_write(fx *x, const char *open_path, const char *write_path)
{
    open_job j = {.x = x, .path = open_path};
    nt_handle w = open_rw(x, write_path, FILE_OPEN);
    pthread_t t;

    pthread_mutex_lock(&x->spy_lock);
    x->hold_kind = FspFsctlTransactCreateKind;
    pthread_mutex_unlock(&x->spy_lock);
    assert_int_equal(pthread_create(&t, NULL, open_thread, &j), 0);
    while (!spy_holding(x))
        usleep(200);
    assert_status(write_at(x, w, "abcdefgh", 0), STATUS_SUCCESS);
    close_ok(x, w);
    spy_release_held(x);
    pthread_join(t, NULL);
    assert_status(j.status, STATUS_SUCCESS);
    spy_reset(x);
    return j.h;
}

/*
 * An open answered before a write through another handle, whose answer
 * reaches the fsd only after that handle closed (its node went with it):
 * the open makes a new node, and the size it carries is older than the
 * write. It must not be cached as the file's.
 */
static void late_open_answer_not_cached(void **state)
{
    fx_opts o = {.file_info_timeout = UINT32_MAX};
    fx *x = fx_new(&o);
    nt_handle h;

    (void)state;
    m_mk(x->m, "/", "f", REG_MODE, "");
    h = open_across_write(x, "\\f", "\\f");
    assert_int_equal(standard_of(x, h).EndOfFile, 8);
    assert_int_equal(spy_count(x, FspFsctlTransactQueryInformationKind), 1);
    /* Asked once, that answer is cached as usual. */
    assert_int_equal(standard_of(x, h).EndOfFile, 8);
    assert_int_equal(spy_count(x, FspFsctlTransactQueryInformationKind), 1);
    close_ok(x, h);
    fx_free(x);
}

/* The same, but the file that changed meanwhile is another: the open's answer is cached. */
static void open_answer_cached_across_other_changes(void **state)
{
    fx_opts o = {.file_info_timeout = UINT32_MAX};
    fx *x = fx_new(&o);
    nt_handle h;

    (void)state;
    m_mk(x->m, "/", "f", REG_MODE, "");
    m_mk(x->m, "/", "g", REG_MODE, "hello");
    h = open_across_write(x, "\\g", "\\f");
    assert_int_equal(standard_of(x, h).EndOfFile, 5);
    assert_int_equal(spy_count(x, FspFsctlTransactQueryInformationKind), 0);
    close_ok(x, h);
    fx_free(x);
}

static void file_info_cache(void **state)
{
    fx_opts o = {.file_info_timeout = UINT32_MAX};
    fx *x = fx_new(&o);
    nt_handle h;

    (void)state;
    m_mk(x->m, "/", "f", REG_MODE, "hello");
    h = open_rw(x, "\\f", FILE_OPEN);
    assert_int_equal(standard_of(x, h).EndOfFile, 5);
    assert_int_equal(standard_of(x, h).EndOfFile, 5);
    /* The Create's answer serves both. */
    assert_int_equal(spy_count(x, FspFsctlTransactQueryInformationKind), 0);
    assert_status(write_at(x, h, "hello world", 0), STATUS_SUCCESS);
    assert_int_equal(standard_of(x, h).EndOfFile, 11);
    assert_int_equal(spy_count(x, FspFsctlTransactQueryInformationKind), 0);
    close_ok(x, h);
    fx_free(x);

    /* FileInfoTimeout 0: every query asks. */
    x = fx_new(NULL);
    m_mk(x->m, "/", "f", REG_MODE, "hello");
    h = open_rw(x, "\\f", FILE_OPEN);
    standard_of(x, h);
    standard_of(x, h);
    assert_int_equal(spy_count(x, FspFsctlTransactQueryInformationKind), 2);
    close_ok(x, h);
    fx_free(x);
}

static void set_basic_and_sizes(void **state)
{
    fx *x = *state;
    FILE_BASIC_INFORMATION b;
    FILE_END_OF_FILE_INFORMATION e = {100};
    FILE_ALLOCATION_INFORMATION a = {2};
    nt_io_status iosb;
    nt_handle h, d;

    m_mk(x->m, "/", "f", REG_MODE, "hello");
    m_mk(x->m, "/", "d", DIR_MODE, NULL);
    h = open_rw(x, "\\f", FILE_OPEN);
    memset(&b, 0, sizeof b);
    b.FileAttributes = FILE_ATTRIBUTE_READONLY;
    assert_status(nt_set_information_file(x->vol, h, &iosb, &b, sizeof b, FileBasicInformation),
        STATUS_SUCCESS);
    assert_status(nt_query_information_file(x->vol, h, &iosb, &b, sizeof b,
        FileBasicInformation), STATUS_SUCCESS);
    assert_true(b.FileAttributes & FILE_ATTRIBUTE_READONLY);
    pthread_mutex_lock(&x->m->lock);
    assert_int_equal(x->m->nodes[m_path(x->m, "/f")].mode & 0222, 0);
    pthread_mutex_unlock(&x->m->lock);
    assert_status(nt_set_information_file(x->vol, h, &iosb, &e, sizeof e,
        FileEndOfFileInformation), STATUS_SUCCESS);
    assert_int_equal(m_size(x->m, "/f"), 100);
    assert_int_equal(standard_of(x, h).EndOfFile, 100);
    /* An allocation below the end of file cuts the file there, as on NTFS... */
    assert_status(nt_set_information_file(x->vol, h, &iosb, &a, sizeof a,
        FileAllocationInformation), STATUS_SUCCESS);
    assert_int_equal(m_size(x->m, "/f"), a.AllocationSize);
    /* ...while none cuts the file. */
    a.AllocationSize = 0;
    assert_status(nt_set_information_file(x->vol, h, &iosb, &a, sizeof a,
        FileAllocationInformation), STATUS_SUCCESS);
    assert_int_equal(m_size(x->m, "/f"), 0);
    e.EndOfFile = -1;
    assert_status(nt_set_information_file(x->vol, h, &iosb, &e, sizeof e,
        FileEndOfFileInformation), STATUS_INVALID_PARAMETER);
    spy_reset(x);
    close_ok(x, h);
    /* A size set through the handle: Cleanup asks to settle the allocation. */
    spy_expect(x, "Cleanup,Close");
    assert_true(spy_last(x, FspFsctlTransactCleanupKind).cleanup_allocation);
    d = open_ok(x, "\\d", FILE_WRITE_DATA | FILE_WRITE_ATTRIBUTES, SHARE_ALL, FILE_OPEN, 0);
    e.EndOfFile = 1;
    assert_status(nt_set_information_file(x->vol, d, &iosb, &e, sizeof e,
        FileEndOfFileInformation), STATUS_INVALID_PARAMETER);
    memset(&b, 0, sizeof b);
    b.FileAttributes = FILE_ATTRIBUTE_TEMPORARY;
    assert_status(nt_set_information_file(x->vol, d, &iosb, &b, sizeof b, FileBasicInformation),
        STATUS_INVALID_PARAMETER);
    close_ok(x, d);
}

static void set_position_and_mode(void **state)
{
    fx *x = *state;
    FILE_POSITION_INFORMATION p = {-1};
    FILE_MODE_INFORMATION mode;
    nt_io_status iosb;
    nt_handle h;

    m_mk(x->m, "/", "f", REG_MODE, "hello");
    h = open_rw(x, "\\f", FILE_OPEN);
    assert_status(nt_set_information_file(x->vol, h, &iosb, &p, sizeof p,
        FilePositionInformation), STATUS_INVALID_PARAMETER);
    mode.Mode = FILE_SYNCHRONOUS_IO_ALERT | FILE_SEQUENTIAL_ONLY;
    assert_status(nt_set_information_file(x->vol, h, &iosb, &mode, sizeof mode,
        FileModeInformation), STATUS_SUCCESS);
    assert_status(nt_query_information_file(x->vol, h, &iosb, &mode, sizeof mode,
        FileModeInformation), STATUS_SUCCESS);
    assert_int_equal(mode.Mode, FILE_SYNCHRONOUS_IO_ALERT | FILE_SEQUENTIAL_ONLY);
    mode.Mode = 0; /* a synchronous file object stays one */
    assert_status(nt_set_information_file(x->vol, h, &iosb, &mode, sizeof mode,
        FileModeInformation), STATUS_INVALID_PARAMETER);
    mode.Mode = FILE_SYNCHRONOUS_IO_NONALERT | FILE_DELETE_ON_CLOSE;
    assert_status(nt_set_information_file(x->vol, h, &iosb, &mode, sizeof mode,
        FileModeInformation), STATUS_INVALID_PARAMETER);
    close_ok(x, h);
}

static void stream_information(void **state)
{
    fx *x = *state;
    union {
        FILE_STREAM_INFORMATION s;
        UINT8 b[256];
    } u;
    nt_io_status iosb;
    nt_handle h, d;

    m_mk(x->m, "/", "f", REG_MODE, "hello");
    m_mk(x->m, "/", "d", DIR_MODE, NULL);
    h = open_rw(x, "\\f", FILE_OPEN);
    assert_status(nt_query_information_file(x->vol, h, &iosb, &u, sizeof u,
        FileStreamInformation), STATUS_SUCCESS);
    assert_int_equal(u.s.NextEntryOffset, 0);
    assert_int_equal(u.s.StreamSize, 5);
    assert_int_equal(u.s.StreamNameLength, 14);
    assert_int_equal(u.s.StreamName[0], ':');
    assert_int_equal(wch(u.b, offsetof(FILE_STREAM_INFORMATION, StreamName) + 2), ':');
    assert_int_equal(wch(u.b, offsetof(FILE_STREAM_INFORMATION, StreamName) + 4), '$');
    assert_int_equal(iosb.Information, offsetof(FILE_STREAM_INFORMATION, StreamName) + 14);
    d = open_dir(x, "\\d");
    assert_status(nt_query_information_file(x->vol, d, &iosb, &u, sizeof u,
        FileStreamInformation), STATUS_SUCCESS);
    assert_int_equal(iosb.Information, 0);
    close_ok(x, d);
    close_ok(x, h);
}

/* ==== rename ==== */

static void rename_file(void **state)
{
    fx *x = *state;
    nt_handle h;
    char name[64];

    m_mk(x->m, "/", "a", REG_MODE, "A");
    h = open_rw(x, "\\a", FILE_OPEN);
    spy_reset(x);
    assert_status(rename_ex(x, h, "\\b", false, 0), STATUS_SUCCESS);
    name_of(x, h, name, sizeof name);
    assert_string_equal(name, "\\b");
    assert_true(m_exists(x->m, "/b"));
    assert_false(m_exists(x->m, "/a"));
    /* The I/O manager opened the target's directory first. */
    {
        bool target = false;
        pthread_mutex_lock(&x->spy_lock);
        for (UINT32 i = 0; i < x->nlog; i++)
            target |= x->log[i].kind == FspFsctlTransactCreateKind && x->log[i].open_target;
        pthread_mutex_unlock(&x->spy_lock);
        assert_true(target);
    }
    assert_int_equal(spy_last(x, FspFsctlTransactSetInformationKind).access_token, 0);
    /* The same name again is no collision, with or without replacing. */
    assert_status(rename_ex(x, h, "\\b", false, 0), STATUS_SUCCESS);
    spy_reset(x);
    assert_status(rename_ex(x, h, "\\b", true, 0), STATUS_SUCCESS);
    assert_int_equal(spy_count(x, FspFsctlTransactSetInformationKind), 0);
    close_ok(x, h);
}

static void rename_replace(void **state)
{
    fx *x = *state;
    nt_handle h, other;

    m_mk(x->m, "/", "a", REG_MODE, "AAA");
    m_mk(x->m, "/", "b", REG_MODE, "B");
    h = open_rw(x, "\\a", FILE_OPEN);
    assert_status(rename_ex(x, h, "\\b", false, 0), STATUS_OBJECT_NAME_COLLISION);
    other = open_ok(x, "\\b", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
    spy_reset(x);
    /* An open target cannot be replaced. */
    assert_status(rename_ex(x, h, "\\b", true, 0), STATUS_ACCESS_DENIED);
    assert_int_equal(spy_count(x, FspFsctlTransactSetInformationKind), 0);
    close_ok(x, other);
    assert_status(rename_ex(x, h, "\\b", true, 0), STATUS_SUCCESS);
    /* "Replace if exists" travels as the caller's access token. */
    assert_true(spy_last(x, FspFsctlTransactSetInformationKind).access_token != 0);
    assert_false(m_exists(x->m, "/a"));
    assert_int_equal(m_size(x->m, "/b"), 3);
    close_ok(x, h);
}

static void rename_directory(void **state)
{
    fx *x = *state;
    nt_handle d, child, rel;
    nt_io_status iosb;
    char name[64];

    m_mk(x->m, "/", "d", DIR_MODE, NULL);
    m_mk(x->m, "/d", "x", REG_MODE, "x");
    d = open_ok(x, "\\d", DELETE | FILE_LIST_DIRECTORY | SYNCHRONIZE, SHARE_ALL, FILE_OPEN,
        FILE_DIRECTORY_FILE);
    child = open_ok(x, "\\d\\x", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
    /* Not while something below it is open. */
    assert_status(rename_ex(x, d, "\\e", false, 0), STATUS_ACCESS_DENIED);
    close_ok(x, child);
    assert_status(rename_ex(x, d, "\\e", false, 0), STATUS_SUCCESS);
    name_of(x, d, name, sizeof name);
    assert_string_equal(name, "\\e");
    assert_true(m_exists(x->m, "/e/x"));
    /* Opens relative to it follow its new name. */
    assert_status(nt_create_file(x->vol, &rel, FILE_READ_DATA, d, "x", &iosb, 0, 0, SHARE_ALL,
        FILE_OPEN, 0, NULL, 0, NULL, 0), STATUS_SUCCESS);
    name_of(x, rel, name, sizeof name);
    assert_string_equal(name, "\\e\\x");
    close_ok(x, rel);
    close_ok(x, d);
}

static void rename_checks(void **state)
{
    fx *x = *state;
    nt_io_status iosb;
    nt_handle h, ro, root;
    FILE_RENAME_INFORMATION ri;
    char name[64];

    m_mk(x->m, "/", "d", DIR_MODE, NULL);
    m_mk(x->m, "/d", "a", REG_MODE, "A");
    h = open_rw(x, "\\d\\a", FILE_OPEN);
    /* A bare name stays in the same directory, and needs no target open. */
    spy_reset(x);
    assert_status(rename_ex(x, h, "c.txt", false, 0), STATUS_SUCCESS);
    spy_expect(x, "SetInformation");
    name_of(x, h, name, sizeof name);
    assert_string_equal(name, "\\d\\c.txt");
    assert_status(rename_ex(x, h, "x*y", false, 0), STATUS_INVALID_PARAMETER);
    memset(&ri, 0, sizeof ri);
    ri.FileNameLength = 200;
    assert_status(nt_set_information_file(x->vol, h, &iosb, &ri, sizeof ri,
        FileRenameInformation), STATUS_INVALID_PARAMETER);
    ro = open_ok(x, "\\d\\c.txt", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
    assert_status(rename_ex(x, ro, "z", false, 0), STATUS_ACCESS_DENIED);
    close_ok(x, ro);
    root = open_ok(x, "\\", DELETE | FILE_READ_ATTRIBUTES, SHARE_ALL, FILE_OPEN, 0);
    assert_status(rename_ex(x, root, "\\r", false, 0), STATUS_INVALID_PARAMETER);
    close_ok(x, root);
    /* Relative to a directory handle. */
    root = open_dir(x, "\\");
    assert_status(rename_ex(x, h, "moved", false, root), STATUS_SUCCESS);
    name_of(x, h, name, sizeof name);
    assert_string_equal(name, "\\moved");
    close_ok(x, root);
    close_ok(x, h);
    assert_true(m_exists(x->m, "/moved"));
}

/* ==== directories ==== */

static NTSTATUS query_dir(fx *x, nt_handle h, void *buf, UINT32 len, UINT32 cls, bool single,
    const char *pattern, bool restart, UINT64 *information)
{
    nt_io_status iosb;
    NTSTATUS status = nt_query_directory_file(x->vol, h, &iosb, buf, len, cls, single, pattern,
        restart);
    assert_int_equal(iosb.Status, status);
    if (information)
        *information = iosb.Information;
    return status;
}

static void directory_listing(void **state)
{
    fx *x = *state;
    static UINT8 buf[8192];
    char names[16][260];
    UINT64 info;
    nt_handle d;
    int n;

    m_mk(x->m, "/", "d", DIR_MODE, NULL);
    m_mk(x->m, "/d", "a", REG_MODE, "1");
    m_mk(x->m, "/d", "bb", REG_MODE, "22");
    m_mk(x->m, "/d", "ccc", DIR_MODE, NULL);
    d = open_dir(x, "\\d");
    assert_status(query_dir(x, d, buf, sizeof buf, FileDirectoryInformation, false, NULL, false,
        &info), STATUS_SUCCESS);
    n = dir_names(buf, info, FileDirectoryInformation, names, 16);
    assert_int_equal(n, 5);
    assert_string_equal(names[0], ".");
    assert_string_equal(names[1], "..");
    assert_string_equal(names[2], "a");
    assert_string_equal(names[3], "bb");
    assert_string_equal(names[4], "ccc");
    {
        /* The fields of an entry: "bb", 2 bytes, a file. */
        FILE_DIRECTORY_INFORMATION e;
        UINT32 pos = 0;
        for (int i = 0; i < 3; i++) {
            memcpy(&e, buf + pos, sizeof e);
            pos += e.NextEntryOffset;
        }
        memcpy(&e, buf + pos, sizeof e);
        assert_int_equal(e.EndOfFile, 2);
        assert_int_equal(e.FileNameLength, 4);
        assert_false(e.FileAttributes & FILE_ATTRIBUTE_DIRECTORY);
    }
    assert_status(query_dir(x, d, buf, sizeof buf, FileDirectoryInformation, false, NULL, false,
        &info), STATUS_NO_MORE_FILES);
    assert_int_equal(info, 0);
    /* A restart lists everything again. */
    assert_status(query_dir(x, d, buf, sizeof buf, FileNamesInformation, false, NULL, true,
        &info), STATUS_SUCCESS);
    assert_int_equal(dir_names(buf, info, FileNamesInformation, names, 16), 5);
    close_ok(x, d);
}

static void directory_classes(void **state)
{
    static const UINT32 classes[] = {FileDirectoryInformation, FileFullDirectoryInformation,
        FileBothDirectoryInformation, FileIdBothDirectoryInformation,
        FileIdFullDirectoryInformation, FileNamesInformation};
    fx *x = *state;
    static UINT8 buf[4096];
    char names[8][260];
    UINT64 info, ino;
    nt_handle d;

    m_mk(x->m, "/", "d", DIR_MODE, NULL);
    ino = m_mk(x->m, "/d", "file.txt", REG_MODE, "12345");
    d = open_dir(x, "\\d");
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
        memset(buf, 0xcc, sizeof buf);
        assert_status(query_dir(x, d, buf, sizeof buf, classes[i], false, "file.*", true, &info),
            STATUS_SUCCESS);
        assert_int_equal(dir_names(buf, info, classes[i], names, 8), 1);
        assert_string_equal(names[0], "file.txt");
        if (classes[i] == FileIdBothDirectoryInformation) {
            FILE_ID_BOTH_DIR_INFORMATION e;
            memcpy(&e, buf, sizeof e);
            assert_int_equal(e.FileId, ino);
            assert_int_equal(e.ShortNameLength, 0);
            assert_int_equal(e.EndOfFile, 5);
            assert_int_equal(e.EaSize, 0);
        } else if (classes[i] == FileIdFullDirectoryInformation) {
            FILE_ID_FULL_DIR_INFORMATION e;
            memcpy(&e, buf, sizeof e);
            assert_int_equal(e.FileId, ino);
        } else if (classes[i] == FileBothDirectoryInformation) {
            FILE_BOTH_DIR_INFORMATION e;
            memcpy(&e, buf, sizeof e);
            assert_int_equal(e.AllocationSize, 4096);
        }
    }
    close_ok(x, d);
}

static void directory_patterns(void **state)
{
    fx *x = *state;
    static UINT8 buf[4096];
    char names[8][260];
    UINT64 info;
    nt_handle d;

    m_mk(x->m, "/", "d", DIR_MODE, NULL);
    m_mk(x->m, "/d", "a.txt", REG_MODE, "1");
    m_mk(x->m, "/d", "b.log", REG_MODE, "1");
    m_mk(x->m, "/d", "c.txt", REG_MODE, "1");
    d = open_dir(x, "\\d");
    assert_status(query_dir(x, d, buf, sizeof buf, FileNamesInformation, false, "*.txt", false,
        &info), STATUS_SUCCESS);
    assert_int_equal(dir_names(buf, info, FileNamesInformation, names, 8), 2);
    assert_string_equal(names[0], "a.txt");
    assert_string_equal(names[1], "c.txt");
    /* The pattern of the first query stays; a new one without restart is ignored. */
    assert_status(query_dir(x, d, buf, sizeof buf, FileNamesInformation, false, "*.log", false,
        &info), STATUS_NO_MORE_FILES);
    assert_status(query_dir(x, d, buf, sizeof buf, FileNamesInformation, false, "zz*", true,
        &info), STATUS_NO_SUCH_FILE);
    assert_status(query_dir(x, d, buf, sizeof buf, FileNamesInformation, false, NULL, false,
        &info), STATUS_NO_SUCH_FILE);
    close_ok(x, d);
    /* A pattern without wildcards names one file: found, then at once no more. */
    d = open_dir(x, "\\d");
    spy_reset(x);
    assert_status(query_dir(x, d, buf, sizeof buf, FileNamesInformation, false, "b.log", false,
        &info), STATUS_SUCCESS);
    assert_int_equal(dir_names(buf, info, FileNamesInformation, names, 8), 1);
    assert_status(query_dir(x, d, buf, sizeof buf, FileNamesInformation, false, NULL, false,
        &info), STATUS_NO_MORE_FILES);
    assert_int_equal(spy_count(x, FspFsctlTransactQueryDirectoryKind), 1);
    close_ok(x, d);
}

static void directory_single_and_overflow(void **state)
{
    fx *x = *state;
    static UINT8 buf[4096];
    char names[8][260], longname[101];
    UINT64 info;
    nt_handle d;

    m_mk(x->m, "/", "d", DIR_MODE, NULL);
    memset(longname, 'x', 100);
    longname[100] = 0;
    m_mk(x->m, "/d", longname, REG_MODE, "1");
    m_mk(x->m, "/d", "y", REG_MODE, "1");
    d = open_dir(x, "\\d");
    assert_status(query_dir(x, d, buf, sizeof buf, FileNamesInformation, true, NULL, false,
        &info), STATUS_SUCCESS);
    assert_int_equal(dir_names(buf, info, FileNamesInformation, names, 8), 1);
    assert_string_equal(names[0], ".");
    assert_status(query_dir(x, d, buf, sizeof buf, FileNamesInformation, true, NULL, false,
        &info), STATUS_SUCCESS);
    assert_string_equal((dir_names(buf, info, FileNamesInformation, names, 8), names[0]), "..");
    assert_status(query_dir(x, d, buf, sizeof buf, FileNamesInformation, true, NULL, true,
        &info), STATUS_SUCCESS);
    assert_string_equal((dir_names(buf, info, FileNamesInformation, names, 8), names[0]), ".");
    close_ok(x, d);
    /* Not even one entry fits: as much of it as fits, and it counts as returned. */
    d = open_dir(x, "\\d");
    memset(buf, 0, sizeof buf);
    assert_status(query_dir(x, d, buf, sizeof(FILE_DIRECTORY_INFORMATION),
        FileDirectoryInformation, false, "x*", false, &info), STATUS_BUFFER_OVERFLOW);
    assert_int_equal(info, sizeof(FILE_DIRECTORY_INFORMATION));
    {
        FILE_DIRECTORY_INFORMATION e;
        memcpy(&e, buf, sizeof e);
        assert_int_equal(e.FileNameLength, 200);
        assert_int_equal(e.FileName[0], 'x');
    }
    assert_status(query_dir(x, d, buf, sizeof buf, FileDirectoryInformation, false, NULL, false,
        &info), STATUS_NO_MORE_FILES);
    close_ok(x, d);
}

static void directory_large(void **state)
{
    fx *x = *state;
    static UINT8 buf[4096];
    static char names[256][260];
    static bool seen[2000];
    UINT32 total = 0, queries;
    UINT64 info;
    nt_handle d;

    m_mk(x->m, "/", "big", DIR_MODE, NULL);
    for (int i = 0; i < 2000; i++) {
        char name[16];
        snprintf(name, sizeof name, "f%04d", i);
        m_mk(x->m, "/big", name, REG_MODE, NULL);
    }
    d = open_dir(x, "\\big");
    spy_reset(x);
    for (;;) {
        NTSTATUS status = query_dir(x, d, buf, sizeof buf, FileNamesInformation, false, NULL,
            false, &info);
        int n;
        if (status == STATUS_NO_MORE_FILES)
            break;
        assert_status(status, STATUS_SUCCESS);
        n = dir_names(buf, info, FileNamesInformation, names, 256);
        assert_true(n > 0 && n <= 256);
        for (int i = 0; i < n; i++) {
            int k;
            total++;
            if (names[i][0] != 'f')
                continue;
            k = atoi(names[i] + 1);
            assert_false(seen[k]);
            seen[k] = true;
        }
    }
    assert_int_equal(total, 2002);
    for (int i = 0; i < 2000; i++)
        assert_true(seen[i]);
    /* Each query went on from the last: a few dozen, not thousands. */
    queries = spy_count(x, FspFsctlTransactQueryDirectoryKind);
    assert_true(queries >= 10 && queries < 100);
    assert_true(m_ops(x->m, FUSE_READDIRPLUS) < 200);
    close_ok(x, d);
}

static void directory_errors(void **state)
{
    fx *x = *state;
    static UINT8 buf[1024];
    nt_handle d, f, noaccess;

    m_mk(x->m, "/", "d", DIR_MODE, NULL);
    m_mk(x->m, "/", "f", REG_MODE, "1");
    d = open_dir(x, "\\d");
    f = open_ok(x, "\\f", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
    noaccess = open_ok(x, "\\d", FILE_READ_ATTRIBUTES, SHARE_ALL, FILE_OPEN, 0);
    spy_reset(x);
    assert_status(query_dir(x, f, buf, sizeof buf, FileNamesInformation, false, NULL, false,
        NULL), STATUS_INVALID_PARAMETER);
    assert_status(query_dir(x, noaccess, buf, sizeof buf, FileNamesInformation, false, NULL,
        false, NULL), STATUS_ACCESS_DENIED);
    assert_status(query_dir(x, d, buf, sizeof buf, FileBasicInformation, false, NULL, false,
        NULL), STATUS_INVALID_INFO_CLASS);
    assert_status(query_dir(x, d, buf, 10, FileNamesInformation, false, NULL, false, NULL),
        STATUS_INFO_LENGTH_MISMATCH);
    assert_status(query_dir(x, d, buf, sizeof buf, FileNamesInformation, false, "a\\b", false,
        NULL), STATUS_INVALID_PARAMETER);
    assert_status(query_dir(x, d, buf, sizeof buf, FileNamesInformation, false, "a:b", false,
        NULL), STATUS_INVALID_PARAMETER);
    spy_expect(x, "");
    close_ok(x, noaccess);
    close_ok(x, f);
    close_ok(x, d);
}

static void case_insensitive_volume(void **state)
{
    fx_opts o = {.case_insensitive = true};
    fx *x = fx_new(&o);
    static UINT8 buf[4096];
    char names[8][260], name[64];
    UINT64 info;
    nt_handle d, f, f2;

    (void)state;
    m_mk(x->m, "/", "Dir", DIR_MODE, NULL);
    m_mk(x->m, "/Dir", "Alpha.TXT", REG_MODE, "1");
    f = open_ok(x, "\\DIR\\alpha.txt", FILE_READ_DATA, FILE_SHARE_READ, FILE_OPEN, 0);
    name_of(x, f, name, sizeof name);
    assert_string_equal(name, "\\Dir\\Alpha.TXT");
    /* One file, however it is spelled: share access sees the same node. */
    assert_status(open_ex(x, &f2, "\\dir\\ALPHA.TXT", FILE_WRITE_DATA, SHARE_ALL, FILE_OPEN, 0,
        NULL), STATUS_SHARING_VIOLATION);
    d = open_dir(x, "\\dir");
    assert_status(query_dir(x, d, buf, sizeof buf, FileNamesInformation, false, "alpha*", false,
        &info), STATUS_SUCCESS);
    assert_int_equal(dir_names(buf, info, FileNamesInformation, names, 8), 1);
    assert_string_equal(names[0], "Alpha.TXT");
    close_ok(x, d);
    close_ok(x, f);
    fx_free(x);
}

/* ==== volume ==== */

static void volume_information(void **state)
{
    fx *x = *state;
    union {
        FILE_FS_SIZE_INFORMATION s;
        FILE_FS_FULL_SIZE_INFORMATION fs;
        FILE_FS_ATTRIBUTE_INFORMATION a;
        FILE_FS_DEVICE_INFORMATION d;
        FILE_FS_VOLUME_INFORMATION v;
        FILE_FS_SECTOR_SIZE_INFORMATION ss;
        UINT8 b[256];
    } u;
    nt_io_status iosb;
    nt_handle h, ro;

    m_mk(x->m, "/", "f", REG_MODE, "1");
    h = open_rw(x, "\\f", FILE_OPEN);
    assert_status(nt_query_volume_information_file(x->vol, h, &iosb, &u, sizeof u,
        FileFsSizeInformation), STATUS_SUCCESS);
    assert_int_equal(iosb.Information, sizeof u.s);
    assert_int_equal(u.s.TotalAllocationUnits, 1000);
    assert_int_equal(u.s.AvailableAllocationUnits, 500);
    assert_int_equal(u.s.BytesPerSector * u.s.SectorsPerAllocationUnit, 4096);
    assert_status(nt_query_volume_information_file(x->vol, h, &iosb, &u, sizeof u,
        FileFsFullSizeInformation), STATUS_SUCCESS);
    assert_int_equal(u.fs.CallerAvailableAllocationUnits, 500);
    assert_status(nt_query_volume_information_file(x->vol, h, &iosb, &u, sizeof u,
        FileFsAttributeInformation), STATUS_SUCCESS);
    assert_int_equal(u.a.FileSystemNameLength, 8);
    {
        static const WCHAR fuse_name[] = {'F', 'U', 'S', 'E'};
        assert_memory_equal(u.a.FileSystemName, fuse_name, 8);
    }
    assert_int_equal(u.a.MaximumComponentNameLength, 255);
    assert_true(u.a.FileSystemAttributes & FILE_CASE_SENSITIVE_SEARCH);
    assert_true(u.a.FileSystemAttributes & FILE_SUPPORTS_REPARSE_POINTS);
    assert_true(u.a.FileSystemAttributes & FILE_PERSISTENT_ACLS);
    assert_true(u.a.FileSystemAttributes & FILE_UNICODE_ON_DISK);
    assert_status(nt_query_volume_information_file(x->vol, h, &iosb, &u,
        sizeof(FILE_FS_ATTRIBUTE_INFORMATION), FileFsAttributeInformation),
        STATUS_BUFFER_OVERFLOW);
    assert_int_equal(iosb.Information, sizeof(FILE_FS_ATTRIBUTE_INFORMATION));
    assert_int_equal(u.a.FileSystemNameLength, 8);
    assert_status(nt_query_volume_information_file(x->vol, h, &iosb, &u, sizeof u,
        FileFsDeviceInformation), STATUS_SUCCESS);
    assert_int_equal(u.d.DeviceType, FILE_DEVICE_DISK);
    assert_status(nt_query_volume_information_file(x->vol, h, &iosb, &u, sizeof u,
        FileFsVolumeInformation), STATUS_SUCCESS);
    assert_int_equal(u.v.VolumeLabelLength, 0);
    assert_int_equal(u.v.VolumeSerialNumber, x->vol->params.VolumeSerialNumber);
    assert_status(nt_query_volume_information_file(x->vol, h, &iosb, &u, sizeof u,
        FileFsSectorSizeInformation), STATUS_SUCCESS);
    assert_int_equal(u.ss.LogicalBytesPerSector, 4096);
    /* What the I/O manager refuses, and what WinFsp does not answer. */
    assert_status(nt_query_volume_information_file(x->vol, h, &iosb, &u, sizeof u,
        FileFsLabelInformation), STATUS_INVALID_INFO_CLASS);
    assert_status(nt_query_volume_information_file(x->vol, h, &iosb, &u, 3,
        FileFsSizeInformation), STATUS_INFO_LENGTH_MISMATCH);
    assert_status(nt_query_volume_information_file(x->vol, h, &iosb, &u, sizeof u,
        FileFsControlInformation), STATUS_INVALID_PARAMETER);
    /* Labels: FILE_WRITE_DATA first, then the file system's word (FUSE has none). */
    {
        union {
            FILE_FS_LABEL_INFORMATION l;
            UINT8 b[32];
        } l;
        memset(&l, 0, sizeof l);
        l.l.VolumeLabelLength = 4;
        l.l.VolumeLabel[0] = 'A';
        ro = open_ok(x, "\\f", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
        assert_status(nt_set_volume_information_file(x->vol, ro, &iosb, &l, sizeof l,
            FileFsLabelInformation), STATUS_ACCESS_DENIED);
        assert_status(nt_set_volume_information_file(x->vol, h, &iosb, &l, sizeof l,
            FileFsLabelInformation), STATUS_INVALID_DEVICE_REQUEST);
        assert_status(nt_set_volume_information_file(x->vol, h, &iosb, &l, sizeof l,
            FileFsSizeInformation), STATUS_INVALID_INFO_CLASS);
        close_ok(x, ro);
    }
    close_ok(x, h);
}

static void flush_buffers(void **state)
{
    fx *x = *state;
    nt_io_status iosb;
    nt_handle h, ro, d, root;

    m_mk(x->m, "/", "f", REG_MODE, "1");
    m_mk(x->m, "/", "d", DIR_MODE, NULL);
    h = open_rw(x, "\\f", FILE_OPEN);
    ro = open_ok(x, "\\f", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
    d = open_ok(x, "\\d", FILE_WRITE_DATA, SHARE_ALL, FILE_OPEN, 0);
    root = open_ok(x, "\\", FILE_WRITE_DATA, SHARE_ALL, FILE_OPEN, 0);
    spy_reset(x);
    assert_status(nt_flush_buffers_file(x->vol, h, &iosb), STATUS_SUCCESS);
    assert_true(m_ops(x->m, FUSE_FSYNC) >= 1);
    assert_status(nt_flush_buffers_file(x->vol, ro, &iosb), STATUS_ACCESS_DENIED);
    /* Directories have nothing to flush; the root stands for the volume. */
    assert_status(nt_flush_buffers_file(x->vol, d, &iosb), STATUS_SUCCESS);
    assert_status(nt_flush_buffers_file(x->vol, root, &iosb), STATUS_SUCCESS);
    spy_expect(x, "FlushBuffers,FlushBuffers");
    close_ok(x, root);
    close_ok(x, d);
    close_ok(x, ro);
    close_ok(x, h);
}

/* ==== security ==== */

static void security_descriptors(void **state)
{
    fx *x = *state;
    static UINT8 sd[1024], small[1024];
    UINT32 needed = 0, owner_needed = 0;
    nt_handle h, noread, nowrite;
    UINT32 all = OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION |
        DACL_SECURITY_INFORMATION;

    m_mk(x->m, "/", "f", REG_MODE, "1");
    h = open_ok(x, "\\f", READ_CONTROL | WRITE_DAC | WRITE_OWNER, SHARE_ALL, FILE_OPEN, 0);
    assert_status(nt_query_security_object(x->vol, h, all, NULL, 0, &needed),
        STATUS_BUFFER_TOO_SMALL);
    assert_true(needed > 20);
    assert_status(nt_query_security_object(x->vol, h, all, sd, needed - 1, &needed),
        STATUS_BUFFER_TOO_SMALL);
    assert_status(nt_query_security_object(x->vol, h, all, sd, sizeof sd, &needed),
        STATUS_SUCCESS);
    assert_status(wf_sd_validate(sd, needed), STATUS_SUCCESS);
    assert_status(nt_query_security_object(x->vol, h, OWNER_SECURITY_INFORMATION, small,
        sizeof small, &owner_needed), STATUS_SUCCESS);
    assert_true(owner_needed < needed);
    {
        wf_sd_view view;
        assert_status(wf_sd_parse(small, owner_needed, &view), STATUS_SUCCESS);
        assert_non_null(view.owner);
        assert_null(view.group);
        assert_false(view.dacl_present);
    }
    /* Setting it back as it is. */
    assert_status(nt_set_security_object(x->vol, h, all, sd, needed), STATUS_SUCCESS);
    assert_status(nt_set_security_object(x->vol, h, all, "garbage", 7),
        STATUS_INVALID_SECURITY_DESCR);
    noread = open_ok(x, "\\f", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
    assert_status(nt_query_security_object(x->vol, noread, all, sd, sizeof sd, &needed),
        STATUS_ACCESS_DENIED);
    nowrite = open_ok(x, "\\f", READ_CONTROL | WRITE_OWNER, SHARE_ALL, FILE_OPEN, 0);
    assert_status(nt_set_security_object(x->vol, nowrite, DACL_SECURITY_INFORMATION, sd,
        needed), STATUS_ACCESS_DENIED);
    close_ok(x, nowrite);
    close_ok(x, noread);
    close_ok(x, h);
}

/* ==== reparse points and symbolic links ==== */

static void symlink_followed(void **state)
{
    fx *x = *state;
    FILE_ATTRIBUTE_TAG_INFORMATION tag;
    nt_io_status iosb;
    char name[64], buf[16];
    INT64 zero = 0;
    static UINT8 rp[1024];
    nt_handle h;

    m_mk(x->m, "/", "target.txt", REG_MODE, "data");
    m_mk(x->m, "/", "lnk", LNK_MODE, "target.txt");
    h = open_ok(x, "\\lnk", FILE_GENERIC_READ, SHARE_ALL, FILE_OPEN, 0);
    name_of(x, h, name, sizeof name);
    assert_string_equal(name, "\\target.txt");
    assert_status(nt_read_file(x->vol, h, &iosb, buf, sizeof buf, &zero, 0), STATUS_SUCCESS);
    assert_memory_equal(buf, "data", 4);
    close_ok(x, h);
    /* With FILE_OPEN_REPARSE_POINT, the link itself. */
    h = open_ok(x, "\\lnk", FILE_READ_ATTRIBUTES, SHARE_ALL, FILE_OPEN, FILE_OPEN_REPARSE_POINT);
    assert_status(nt_query_information_file(x->vol, h, &iosb, &tag, sizeof tag,
        FileAttributeTagInformation), STATUS_SUCCESS);
    assert_true(tag.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT);
    assert_int_equal(tag.ReparseTag, IO_REPARSE_TAG_SYMLINK);
    assert_status(nt_fs_control_file(x->vol, h, &iosb, FSCTL_GET_REPARSE_POINT, NULL, 0, rp,
        sizeof rp), STATUS_SUCCESS);
    assert_true(iosb.Information > 20);
    assert_int_equal(rp[0] | rp[1] << 8 | rp[2] << 16 | (UINT32)rp[3] << 24,
        IO_REPARSE_TAG_SYMLINK);
    assert_status(nt_fs_control_file(x->vol, h, &iosb, FSCTL_GET_REPARSE_POINT, NULL, 0, rp, 8),
        STATUS_BUFFER_TOO_SMALL);
    assert_status(nt_fs_control_file(x->vol, h, &iosb, FSCTL_GET_REPARSE_POINT, rp, 4, rp,
        sizeof rp), STATUS_INVALID_PARAMETER);
    close_ok(x, h);
    fx_settle(x);
    assert_int_equal(x->m->opens, 0);
}

static void symlink_paths(void **state)
{
    fx *x = *state;
    char name[64];
    nt_io_status iosb;
    nt_handle h;

    m_mk(x->m, "/", "d", DIR_MODE, NULL);
    m_mk(x->m, "/d", "f", REG_MODE, "x");
    m_mk(x->m, "/", "dl", LNK_MODE, "d");
    m_mk(x->m, "/", "abs", LNK_MODE, "/d/f");
    m_mk(x->m, "/d", "up", LNK_MODE, "../d/./f");
    /* A link in the middle of a path, and one that must be a directory. */
    h = open_ok(x, "\\dl\\f", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
    name_of(x, h, name, sizeof name);
    assert_string_equal(name, "\\d\\f");
    close_ok(x, h);
    h = open_ok(x, "\\dl", FILE_LIST_DIRECTORY, SHARE_ALL, FILE_OPEN, FILE_DIRECTORY_FILE);
    name_of(x, h, name, sizeof name);
    assert_string_equal(name, "\\d");
    close_ok(x, h);
    /* A rooted target starts at the volume root; ".." and "." as expected. */
    h = open_ok(x, "\\abs", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
    name_of(x, h, name, sizeof name);
    assert_string_equal(name, "\\d\\f");
    close_ok(x, h);
    h = open_ok(x, "\\d\\up", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
    name_of(x, h, name, sizeof name);
    assert_string_equal(name, "\\d\\f");
    close_ok(x, h);
    /* Opening through a dangling link creates its target. */
    m_mk(x->m, "/", "nl", LNK_MODE, "new.txt");
    assert_status(open_ex(x, &h, "\\nl", FILE_GENERIC_WRITE, SHARE_ALL, FILE_OPEN_IF, 0, &iosb),
        STATUS_SUCCESS);
    assert_int_equal(iosb.Information, FILE_CREATED);
    assert_true(m_exists(x->m, "/new.txt"));
    close_ok(x, h);
    fx_settle(x);
    assert_int_equal(x->m->opens, 0);
}

static void symlink_unresolved(void **state)
{
    fx *x = *state;
    nt_handle h;

    m_mk(x->m, "/", "l1", LNK_MODE, "l2");
    m_mk(x->m, "/", "l2", LNK_MODE, "l1");
    m_mk(x->m, "/", "out", LNK_MODE, "../x");
    m_mk(x->m, "/", "fifo", LINUX_S_IFIFO | 0644, NULL);
    assert_status(open_ex(x, &h, "\\l1", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0, NULL),
        STATUS_REPARSE_POINT_NOT_RESOLVED);
    assert_status(open_ex(x, &h, "\\out", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0, NULL),
        STATUS_REPARSE_POINT_NOT_RESOLVED);
    /* A reparse point nobody resolves: a FIFO is IO_REPARSE_TAG_NFS. */
    assert_status(open_ex(x, &h, "\\fifo", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0, NULL),
        STATUS_IO_REPARSE_TAG_NOT_HANDLED);
    fx_settle(x);
    assert_int_equal(x->m->opens, 0);
}

static void reparse_control(void **state)
{
    fx *x = *state;
    static UINT8 rp[256];
    nt_io_status iosb;
    nt_handle h, ro;
    const char *target = "target.txt";
    size_t tl = strlen(target) * 2;
    char name[64];

    m_mk(x->m, "/", "target.txt", REG_MODE, "data");
    m_mk(x->m, "/", "s", REG_MODE, NULL);
    /* A relative symbolic link to target.txt, in REPARSE_DATA_BUFFER form. */
    memset(rp, 0, sizeof rp);
    rp[0] = 0x0c; rp[3] = 0xa0;                      /* IO_REPARSE_TAG_SYMLINK */
    rp[4] = (UINT8)(12 + 2 * tl);                    /* ReparseDataLength */
    rp[10] = (UINT8)tl;                              /* SubstituteNameLength */
    rp[12] = (UINT8)tl;                              /* PrintNameOffset */
    rp[14] = (UINT8)tl;                              /* PrintNameLength */
    rp[16] = SYMLINK_FLAG_RELATIVE;
    for (size_t i = 0; i < tl / 2; i++)
        rp[20 + 2 * i] = rp[20 + tl + 2 * i] = (UINT8)target[i];
    h = open_ok(x, "\\s", FILE_GENERIC_WRITE, SHARE_ALL, FILE_OPEN, FILE_OPEN_REPARSE_POINT);
    ro = open_ok(x, "\\s", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, FILE_OPEN_REPARSE_POINT);
    assert_status(nt_fs_control_file(x->vol, ro, &iosb, FSCTL_SET_REPARSE_POINT, rp,
        (UINT32)(20 + 2 * tl), NULL, 0), STATUS_ACCESS_DENIED);
    assert_status(nt_fs_control_file(x->vol, h, &iosb, FSCTL_SET_REPARSE_POINT, rp,
        (UINT32)(21 + 2 * tl), NULL, 0), STATUS_IO_REPARSE_DATA_INVALID);
    assert_status(nt_fs_control_file(x->vol, h, &iosb, FSCTL_SET_REPARSE_POINT, rp, 0, NULL,
        0), STATUS_INVALID_BUFFER_SIZE);
    assert_status(nt_fs_control_file(x->vol, h, &iosb, FSCTL_SET_REPARSE_POINT, rp,
        (UINT32)(20 + 2 * tl), NULL, 0), STATUS_SUCCESS);
    close_ok(x, ro);
    close_ok(x, h);
    pthread_mutex_lock(&x->m->lock);
    assert_true(LINUX_S_ISLNK(x->m->nodes[m_path(x->m, "/s")].mode));
    pthread_mutex_unlock(&x->m->lock);
    h = open_ok(x, "\\s", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
    name_of(x, h, name, sizeof name);
    assert_string_equal(name, "\\target.txt");
    assert_status(nt_fs_control_file(x->vol, h, &iosb, CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 99,
        METHOD_BUFFERED, FILE_ANY_ACCESS), NULL, 0, NULL, 0), STATUS_INVALID_DEVICE_REQUEST);
    assert_status(nt_fs_control_file(x->vol, h, &iosb, FSCTL_GET_REPARSE_POINT, NULL, 0, rp,
        sizeof rp), STATUS_NOT_A_REPARSE_POINT);
    close_ok(x, h);
}

static void device_control(void **state)
{
    fx *x = *state;
    nt_io_status iosb;
    static UINT8 in[8192], out[64];
    UINT32 custom = CTL_CODE(0x8000 | 0x22, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS);
    nt_handle h, ro;

    m_mk(x->m, "/", "f", REG_MODE, "1");
    h = open_rw(x, "\\f", FILE_OPEN);
    ro = open_ok(x, "\\f", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
    spy_reset(x);
    assert_status(nt_device_io_control_file(x->vol, h, &iosb, CTL_CODE(FILE_DEVICE_DISK, 0x801,
        METHOD_BUFFERED, FILE_ANY_ACCESS), in, 4, out, sizeof out), STATUS_INVALID_DEVICE_REQUEST);
    assert_status(nt_device_io_control_file(x->vol, h, &iosb, CTL_CODE(0x8022, 0x801,
        METHOD_NEITHER, FILE_ANY_ACCESS), in, 4, out, sizeof out), STATUS_INVALID_DEVICE_REQUEST);
    assert_status(nt_device_io_control_file(x->vol, h, &iosb, custom, in, sizeof in, out,
        sizeof out), STATUS_INVALID_BUFFER_SIZE);
    assert_status(nt_device_io_control_file(x->vol, ro, &iosb, CTL_CODE(0x8022, 0x801,
        METHOD_BUFFERED, FILE_WRITE_ACCESS), in, 4, out, sizeof out), STATUS_ACCESS_DENIED);
    spy_expect(x, "");
    /* This file system has no ioctls: the engine says so. */
    assert_status(nt_device_io_control_file(x->vol, h, &iosb, custom, in, 4, out, sizeof out),
        STATUS_INVALID_DEVICE_REQUEST);
    spy_expect(x, "DeviceControl");
    close_ok(x, ro);
    close_ok(x, h);
}

/* ==== the volume's life ==== */

static void unmount_drains(void **state)
{
    fx *x = *state;
    nt_io_status iosb;
    nt_handle a, b, d, h;
    char buf[4];

    m_mk(x->m, "/", "d", DIR_MODE, NULL);
    a = open_rw(x, "\\a", FILE_CREATE);
    assert_status(write_at(x, a, "abc", 0), STATUS_SUCCESS);
    b = open_rw(x, "\\b", FILE_CREATE);
    d = open_dir(x, "\\d");
    spy_reset(x);
    fx_unmount(x);
    /* Every handle cleaned up and closed, Cleanup only where it is due. */
    assert_int_equal(spy_count(x, FspFsctlTransactCleanupKind), 1);
    assert_int_equal(spy_count(x, FspFsctlTransactCloseKind), 3);
    assert_int_equal(x->m->opens, 0);
    assert_status(nt_read_file(x->vol, a, &iosb, buf, 1, NULL, 0), STATUS_VOLUME_DISMOUNTED);
    assert_status(open_ex(x, &h, "\\a", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0, NULL),
        STATUS_VOLUME_DISMOUNTED);
    close_ok(x, a);
    close_ok(x, b);
    close_ok(x, d);
    assert_status(nt_close(x->vol, d), STATUS_INVALID_HANDLE);
    assert_int_equal(m_size(x->m, "/a"), 3);
}

typedef struct caller {
    fx *x;
    nt_handle h;
    NTSTATUS status;
} caller;

static void *query_basic(void *arg)
{
    caller *c = arg;
    FILE_BASIC_INFORMATION b;
    nt_io_status iosb;
    c->status = nt_query_information_file(c->x->vol, c->h, &iosb, &b, sizeof b,
        FileBasicInformation);
    return NULL;
}

static void dead_file_system(void **state)
{
    fx *x = *state;
    caller c;
    pthread_t t;
    nt_handle h;

    m_mk(x->m, "/", "f", REG_MODE, "1");
    h = open_rw(x, "\\f", FILE_OPEN);
    /* The file system takes the request and never answers it. */
    pthread_mutex_lock(&x->m->lock);
    x->m->hang = true;
    pthread_mutex_unlock(&x->m->lock);
    c.x = x;
    c.h = h;
    c.status = STATUS_PENDING;
    pthread_create(&t, NULL, query_basic, &c);
    while (spy_count(x, FspFsctlTransactQueryInformationKind) == 0)
        usleep(200);
    /* It dies: the engine completes what it took. */
    wf_engine_stop(x->engine);
    pthread_join(t, NULL);
    assert_status(c.status, STATUS_CANCELLED);
    pthread_join(x->thread, NULL);
    x->thread_running = false;
    /* A request nobody will take waits until the volume learns of it... */
    c.status = STATUS_PENDING;
    pthread_create(&t, NULL, query_basic, &c);
    for (;;) {
        UINT32 outstanding;
        pthread_mutex_lock(&x->vol->lock);
        outstanding = x->vol->outstanding;
        pthread_mutex_unlock(&x->vol->lock);
        if (outstanding)
            break;
        usleep(200);
    }
    wf_fsd_volume_stop(x->vol);
    pthread_join(t, NULL);
    assert_status(c.status, STATUS_CANCELLED);
    /* ...and later ones fail at once; handles can still be closed. */
    query_basic(&c);
    assert_status(c.status, STATUS_CANCELLED);
    close_ok(x, h);
}

static void irp_timeout(void **state)
{
    fx_opts o = {.irp_timeout = FspFsctlIrpTimeoutDebug};
    fx *x = fx_new(&o);
    caller c;
    nt_handle h;

    (void)state;
    m_mk(x->m, "/", "f", REG_MODE, "1");
    h = open_rw(x, "\\f", FILE_OPEN);
    pthread_mutex_lock(&x->m->lock);
    x->m->hang = true;
    pthread_mutex_unlock(&x->m->lock);
    c.x = x;
    c.h = h;
    /* Nothing answers: after IrpTimeout the caller is let go. */
    query_basic(&c);
    assert_status(c.status, STATUS_CANCELLED);
    close_ok(x, h);
    fx_free(x);
}

/* ==== callers ==== */

static void thread_credentials(void **state)
{
    fx *x = *state;
    nt_handle h;

    pthread_mutex_lock(&x->m->lock);
    x->m->nodes[m_add(x->m, FUSE_ROOT_ID, "pub", LINUX_S_IFDIR | 0777)].uid = 0;
    pthread_mutex_unlock(&x->m->lock);
    wf_fsd_set_thread_credentials(1000, 1001, 4242);
    h = open_ok(x, "\\pub\\mine", FILE_GENERIC_WRITE, SHARE_ALL, FILE_CREATE, 0);
    assert_int_equal(spy_last(x, FspFsctlTransactCreateKind).access_token >> 32, 4242);
    pthread_mutex_lock(&x->m->lock);
    assert_int_equal(x->m->nodes[m_path(x->m, "/pub/mine")].uid, 1000);
    assert_int_equal(x->m->nodes[m_path(x->m, "/pub/mine")].gid, 1001);
    pthread_mutex_unlock(&x->m->lock);
    close_ok(x, h);
    /* Permission checks see the caller too: not the owner of the root. */
    assert_status(open_ex(x, &h, "\\nothere", FILE_GENERIC_WRITE, SHARE_ALL, FILE_CREATE, 0,
        NULL), STATUS_ACCESS_DENIED);
    wf_fsd_set_thread_credentials((UINT32)getuid(), (UINT32)getgid(), (UINT32)getpid());
}

typedef struct worker {
    fx *x;
    int id;
    int failures;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    char path[64], out[4096], in[4096];
    nt_io_status iosb;
    INT64 zero = 0;

    for (int j = 0; j < 30; j++) {
        nt_handle h = 0;
        snprintf(path, sizeof path, "\\t%d_%d", w->id, j);
        memset(out, 'a' + w->id, sizeof out);
        if (open_ex(w->x, &h, path, FILE_GENERIC_READ | FILE_GENERIC_WRITE | DELETE, 0,
                FILE_CREATE, 0, NULL) != STATUS_SUCCESS) {
            w->failures++;
            continue;
        }
        if (nt_write_file(w->x->vol, h, &iosb, out, sizeof out, &zero, 0) != STATUS_SUCCESS ||
            nt_read_file(w->x->vol, h, &iosb, in, sizeof in, &zero, 0) != STATUS_SUCCESS ||
            memcmp(in, out, sizeof in) != 0 || set_delete(w->x, h, true) != STATUS_SUCCESS)
            w->failures++;
        if (nt_close(w->x->vol, h) != STATUS_SUCCESS)
            w->failures++;
    }
    return NULL;
}

static void concurrent_callers(void **state)
{
    fx *x = *state;
    worker w[8];
    pthread_t t[8];

    for (int i = 0; i < 8; i++) {
        w[i].x = x;
        w[i].id = i;
        w[i].failures = 0;
        pthread_create(&t[i], NULL, work, &w[i]);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].failures, 0);
    }
    fx_settle(x);
    assert_int_equal(x->m->opens, 0);
    for (UINT64 i = 2; i < M_NODES; i++)
        assert_false(x->m->nodes[i].used);
}

static void extended_attributes_on_create(void **state)
{
    fx *x = *state;
    static UINT8 ea[64];
    nt_io_status iosb;
    nt_handle h;

    /* NextEntryOffset 40, but the buffer ends at 16. */
    memset(ea, 0, sizeof ea);
    ea[0] = 40;
    ea[5] = 1;
    ea[8] = 'A';
    assert_status(nt_create_file(x->vol, &h, FILE_GENERIC_WRITE, 0, "\\e", &iosb, 0, 0, 0,
        FILE_CREATE, 0, NULL, 0, ea, 16), STATUS_EA_LIST_INCONSISTENT);
    assert_int_equal(iosb.Information, 0);
    ea[0] = 0;
    ea[8] = '*';
    assert_status(nt_create_file(x->vol, &h, FILE_GENERIC_WRITE, 0, "\\e", &iosb, 0, 0, 0,
        FILE_CREATE, 0, NULL, 0, ea, 16), STATUS_INVALID_EA_NAME);
    ea[8] = 'A';
    assert_status(nt_create_file(x->vol, &h, FILE_GENERIC_WRITE, 0, "\\e", &iosb, 0, 0, 0,
        FILE_CREATE, FILE_NO_EA_KNOWLEDGE, NULL, 0, ea, 16), STATUS_ACCESS_DENIED);
    spy_expect(x, "");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(create_new_file),
        T(open_missing),
        T(bad_handles),
        T(create_parameter_checks),
        T(create_name_checks),
        T(trailing_backslash),
        T(directory_options),
        T(generic_access_mapped),
        T(relative_open),
        T(volume_open),
        T(share_read_write),
        T(share_delete),
        T(share_checked_for_overwrite),
        T(delete_on_close),
        T(delete_pending_refuses_opens),
        T(delete_at_last_handle),
        T(undelete),
        T(delete_checks),
        T(cleanup_before_close),
        T(overwrite_follows_create),
        cmocka_unit_test(overwrite_keeps_hidden),
        T(read_write_position),
        T(read_without_position),
        T(io_access_checks),
        T(append_only_handle),
        T(large_transfer),
        T(lock_exclusive),
        T(lock_shared),
        T(unlock_rules),
        T(lock_waits_for_unlock),
        T(lock_wait_ends_with_handle),
        T(query_file_information),
        T(query_all_and_names),
        T(query_information_errors),
        cmocka_unit_test(file_info_cache),
        cmocka_unit_test(crossed_write_responses_not_cached),
        cmocka_unit_test(late_open_answer_not_cached),
        cmocka_unit_test(open_answer_cached_across_other_changes),
        T(set_basic_and_sizes),
        T(set_position_and_mode),
        T(stream_information),
        T(rename_file),
        T(rename_replace),
        T(rename_directory),
        T(rename_checks),
        T(directory_listing),
        T(directory_classes),
        T(directory_patterns),
        T(directory_single_and_overflow),
        T(directory_large),
        T(directory_errors),
        cmocka_unit_test(case_insensitive_volume),
        T(volume_information),
        T(flush_buffers),
        T(security_descriptors),
        T(symlink_followed),
        T(symlink_paths),
        T(symlink_unresolved),
        T(reparse_control),
        T(device_control),
        T(unmount_drains),
        T(dead_file_system),
        cmocka_unit_test(irp_timeout),
        T(thread_credentials),
        T(concurrent_callers),
        T(extended_attributes_on_create),
    };
#undef T
    return WF_RUN_TESTS(tests);
}
