/*
 * req_init.c - the FUSE handshake and farewell. INIT is the first request
 * every file system sees, and nothing else goes out until it is answered;
 * DESTROY is the last, once the volume is gone.
 */
#include "engine/internal.h"

/* What we can use if the file system offers it. */
#define WF_INIT_FLAGS                                                                    \
    (FUSE_ASYNC_READ | FUSE_POSIX_LOCKS | FUSE_ATOMIC_O_TRUNC | FUSE_EXPORT_SUPPORT |   \
        FUSE_BIG_WRITES | FUSE_DONT_MASK | FUSE_FLOCK_LOCKS | FUSE_DO_READDIRPLUS |      \
        FUSE_PARALLEL_DIROPS | FUSE_MAX_PAGES)

#define WF_PAGE 4096u
#define WF_PAGES_DEFAULT 32u  /* what Linux allows without FUSE_MAX_PAGES */
#define WF_PAGES_MAX 256u     /* libfuse's FUSE_MAX_MAX_PAGES */

static NTSTATUS negotiate(wf_engine *e, const wf_reply *r)
{
    struct fuse_init_out out;
    UINT32 pages;

    if (!NT_SUCCESS(r->status))
        return r->status;
    memset(&out, 0, sizeof out);
    memcpy(&out, r->body, r->len);
    if (out.major != FUSE_KERNEL_VERSION || out.minor < WF_PROTO_MINOR_MIN) {
        wf_os_log(WF_LOG_ERROR, "file system speaks FUSE %u.%u; %u.%u or later is needed",
            out.major, out.minor, FUSE_KERNEL_VERSION, WF_PROTO_MINOR_MIN);
        return STATUS_REVISION_MISMATCH;
    }
    e->proto_minor = out.minor < WF_PROTO_MINOR ? out.minor : WF_PROTO_MINOR;
    e->init_flags = out.flags & WF_INIT_FLAGS;
    pages = WF_PAGES_DEFAULT;
    if ((e->init_flags & FUSE_MAX_PAGES) && out.max_pages)
        pages = out.max_pages < WF_PAGES_MAX ? out.max_pages : WF_PAGES_MAX;
    e->max_write = out.max_write < WF_PAGE ? WF_PAGE : out.max_write;
    if (e->max_write > pages * WF_PAGE)
        e->max_write = pages * WF_PAGE;
    e->max_read = pages * WF_PAGE;
    e->max_readahead = out.max_readahead;
    return STATUS_SUCCESS;
}

void wf_step_init(wf_ctx *c)
{
    wf_engine *e = c->engine;

    WF_CORO_BEGIN(c);
    {
        /* 7.31 peers expect the 16-byte INIT of that version: no flags2 words. */
        struct fuse_init_in *in = wf_prep(c, FUSE_INIT, 0, 16);
        in->major = FUSE_KERNEL_VERSION;
        in->minor = WF_PROTO_MINOR;
        in->max_readahead = WF_PAGES_MAX * WF_PAGE;
        in->flags = WF_INIT_FLAGS;
    }
    WF_SEND(c);
    {
        NTSTATUS status = negotiate(e, &c->reply);
        if (!NT_SUCCESS(status)) {
            wf_os_log(WF_LOG_ERROR, "FUSE INIT failed (0x%08x); the volume is stopped",
                (unsigned)status);
            e->stopped = true;
        }
        e->init_done = true;
        wf_os_cond_broadcast(e->cond);
    }
    WF_CORO_END(c);
}

void wf_step_destroy(wf_ctx *c)
{
    wf_engine *e = c->engine;

    WF_CORO_BEGIN(c);
    wf_prep(c, FUSE_DESTROY, 0, 0);
    WF_SEND(c);
    /* Whatever the answer, nothing more will be asked. */
    e->stopped = true;
    wf_os_cond_broadcast(e->cond);
    WF_CORO_END(c);
}
