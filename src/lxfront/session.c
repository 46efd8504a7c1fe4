/*
 * session.c - the kernel mount: a low-level session of our libfuse whose
 * handlers (ops.c, file.c, dir.c) turn requests into NT calls; tracing
 * and per-request credentials.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lxfront/internal.h"

void wf_lx_options_init(wf_lx_options *o)
{
    memset(o, 0, sizeof *o);
    o->attr_timeout = 1.0;
    o->entry_timeout = 1.0;
    o->max_threads = 16;
    o->fsname = "winfuse";
    o->subtype = "winfuse";
}

/* ---- tracing ---- */

bool lx_tracing(const wf_lx *lx)
{
    return lx->opt.trace != NULL;
}

static void vtrace(wf_lx *lx, const char *fmt, va_list ap)
{
    char line[1024];

    vsnprintf(line, sizeof line, fmt, ap);
    pthread_mutex_lock(&lx->trace_lock);
    lx->opt.trace(lx->opt.trace_context, line);
    pthread_mutex_unlock(&lx->trace_lock);
}

void lx_trace(wf_lx *lx, const char *fmt, ...)
{
    va_list ap;

    if (!lx_tracing(lx))
        return;
    va_start(ap, fmt);
    vtrace(lx, fmt, ap);
    va_end(ap);
}

void wf_lx_trace(wf_lx *lx, const char *fmt, ...)
{
    va_list ap;

    if (!lx_tracing(lx))
        return;
    va_start(ap, fmt);
    vtrace(lx, fmt, ap);
    va_end(ap);
}

void lx_begin(lx_req *r, fuse_req_t req, const char *fmt, ...)
{
    const struct fuse_ctx *ctx = fuse_req_ctx(req);
    wf_lx *lx = fuse_req_userdata(req);

    r->lx = lx;
    r->req = req;
    r->uid = ctx->uid;
    r->gid = ctx->gid;
    r->pid = ctx->pid > 0 ? (uint32_t)ctx->pid : 0;
    r->id = __atomic_add_fetch(&lx->requests, 1, __ATOMIC_RELAXED);
    /* The fsd turns these into the access token of the requests this thread causes. */
    wf_fsd_set_thread_credentials(r->uid, r->gid, r->pid);
    if (lx_tracing(lx)) {
        char what[768];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        lx_trace(lx, "linux  #%llu %s (uid %u gid %u pid %u)", r->id, what, r->uid, r->gid,
            r->pid);
    }
}

void lx_reply_err(lx_req *r, int err)
{
    if (err)
        lx_trace(r->lx, "linux  #%llu -> %s", r->id, strerrorname_np(err) ? strerrorname_np(err)
                                                                          : "error");
    fuse_reply_err(r->req, err);
}

void lx_as_root(lx_req *r)
{
    wf_fsd_set_thread_credentials(0, 0, r->pid);
}

void lx_as_caller(lx_req *r)
{
    wf_fsd_set_thread_credentials(r->uid, r->gid, r->pid);
}

void lx_as_lock_owner(lx_req *r)
{
    wf_fsd_set_thread_credentials(r->uid, r->gid, 0);
}

/* ---- the instance ---- */

int wf_lx_new(wf_fsd_volume *volume, const wf_lx_options *options, wf_lx **out)
{
    wf_lx *lx = calloc(1, sizeof *lx);
    pthread_rwlockattr_t attr;
    int err;

    *out = NULL;
    if (!lx)
        return -ENOMEM;
    lx->volume = volume;
    if (options)
        lx->opt = *options;
    else
        wf_lx_options_init(&lx->opt);
    if (!lx->opt.max_threads)
        lx->opt.max_threads = 16;
    pthread_mutex_init(&lx->lock, NULL);
    pthread_mutex_init(&lx->trace_lock, NULL);
    pthread_mutex_init(&lx->plock_lock, NULL);
    {
        pthread_condattr_t cattr;
        pthread_condattr_init(&cattr);
        pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
        pthread_cond_init(&lx->plock_cond, &cattr);
        pthread_condattr_destroy(&cattr);
    }
    /* Writers first: a rename must not starve behind a stream of opens. */
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&lx->rename_lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    err = lx_nodes_init(lx);
    if (err) {
        wf_lx_delete(lx);
        return err;
    }
    *out = lx;
    return 0;
}

static void lx_init(void *userdata, struct fuse_conn_info *conn)
{
    wf_lx *lx = userdata;

    /* flock and fcntl locks both come here (the defaults), to become NT byte-range locks. */
    /* Every write is an NT write: no page cache write-back to hold data back. */
    conn->want &= ~(unsigned)FUSE_CAP_WRITEBACK_CACHE;
    /* FILETIMEs count 100 ns. */
    conn->time_gran = 100;
    lx_trace(lx, "linux  INIT: FUSE %u.%u, max_write %u", conn->proto_major, conn->proto_minor,
        conn->max_write);
}

static void lx_destroy(void *userdata)
{
    wf_lx *lx = userdata;
    lx_trace(lx, "linux  DESTROY");
}

int wf_lx_mount(wf_lx *lx, const char *mountpoint)
{
    struct fuse_lowlevel_ops ops = lx_ops;
    struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
    char opts[512];
    int n;

    ops.init = lx_init;
    ops.destroy = lx_destroy;
    n = snprintf(opts, sizeof opts, "fsname=%s,subtype=%s%s%s",
        lx->opt.fsname ? lx->opt.fsname : "winfuse", lx->opt.subtype ? lx->opt.subtype : "winfuse",
        lx->opt.allow_other ? ",allow_other" : "", lx->opt.read_only ? ",ro" : "");
    if (n < 0 || (size_t)n >= sizeof opts || strchr(mountpoint, ',') != NULL)
        return -EINVAL;
    if (fuse_opt_add_arg(&args, "winfuse") || fuse_opt_add_arg(&args, "-o") ||
        fuse_opt_add_arg(&args, opts)) {
        fuse_opt_free_args(&args);
        return -ENOMEM;
    }
    lx->se = fuse_session_new(&args, &ops, sizeof ops, lx);
    fuse_opt_free_args(&args);
    if (!lx->se)
        return -EINVAL;
    lx->mountpoint = strdup(mountpoint);
    if (!lx->mountpoint)
        return -ENOMEM;
    if (fuse_session_mount(lx->se, mountpoint) != 0)
        return -EIO;
    lx->mounted = true;
    return 0;
}

int wf_lx_loop(wf_lx *lx)
{
    struct fuse_loop_config *config;
    sigset_t set, old;
    int err;

    if (!lx->se || !lx->mounted)
        return -EINVAL;
    config = fuse_loop_cfg_create();
    if (!config)
        return -ENOMEM;
    fuse_loop_cfg_set_max_threads(config, lx->opt.max_threads);
    fuse_loop_cfg_set_clone_fd(config, 0);
    if (fuse_set_signal_handlers(lx->se) != 0) {
        fuse_loop_cfg_destroy(config);
        return -EIO;
    }
    /* The exit signals end the loop in this thread; the caller blocks them elsewhere. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_mutex_lock(&lx->lock);
    lx->loop_thread = pthread_self();
    lx->looping = true;
    pthread_mutex_unlock(&lx->lock);
    pthread_sigmask(SIG_UNBLOCK, &set, &old);
    err = fuse_session_loop_mt(lx->se, config);
    pthread_mutex_lock(&lx->lock);
    lx->looping = false;
    pthread_mutex_unlock(&lx->lock);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    fuse_remove_signal_handlers(lx->se);
    fuse_loop_cfg_destroy(config);
    return err > 0 ? 0 : err;
}

void wf_lx_exit(wf_lx *lx)
{
    if (!lx->se)
        return;
    fuse_session_exit(lx->se);
    pthread_mutex_lock(&lx->lock);
    /* The loop's thread sleeps until a signal tells it to look. */
    if (lx->looping)
        pthread_kill(lx->loop_thread, SIGTERM);
    pthread_mutex_unlock(&lx->lock);
}

void wf_lx_unmount(wf_lx *lx)
{
    if (lx->se && lx->mounted) {
        fuse_session_unmount(lx->se);
        lx->mounted = false;
    }
}

void wf_lx_delete(wf_lx *lx)
{
    if (!lx)
        return;
    wf_lx_unmount(lx);
    /* Files the kernel never released (the connection ended first). */
    lx_files_close_all(lx);
    if (lx->se)
        fuse_session_destroy(lx->se);
    lx_nodes_destroy(lx);
    pthread_rwlock_destroy(&lx->rename_lock);
    pthread_cond_destroy(&lx->plock_cond);
    pthread_mutex_destroy(&lx->plock_lock);
    pthread_mutex_destroy(&lx->trace_lock);
    pthread_mutex_destroy(&lx->lock);
    free(lx->mountpoint);
    free(lx);
}

void wf_lx_get_stats(wf_lx *lx, wf_lx_stats *stats)
{
    pthread_mutex_lock(&lx->lock);
    stats->nodes = lx->node_count;
    stats->open_handles = lx->file_count;
    pthread_mutex_unlock(&lx->lock);
    stats->requests = __atomic_load_n(&lx->requests, __ATOMIC_RELAXED);
    stats->nt_calls = __atomic_load_n(&lx->nt_calls, __ATOMIC_RELAXED);
}
