/*
 * req_readwrite.c - Read and Write on an open file.
 *
 * These are the hot path: an open file's handle leads straight to its FUSE
 * handle, so a read or write within max_read / max_write is one round trip,
 * and its data is copied once, between the FUSE message and the buffer
 * WinFsp names by address. Larger transfers go as a sequence of requests.
 */
#include "engine/internal.h"

typedef struct rw_state {
    UINT64 offset;            /* where the next piece goes */
    UINT64 address;           /* WinFsp's buffer for the next piece */
    UINT32 remaining;
    UINT32 done;
    UINT32 piece;             /* size of the piece in flight */
} rw_state;

/* Data moves only through a FUSE handle on a file (not a directory, link or special). */
static wf_file *rw_file(wf_ctx *c, UINT64 user_context2)
{
    wf_file *f = wf_ctx_file(c, user_context2);

    if (f && (f->is_dir || f->no_fh)) {
        wf_complete(c, STATUS_INVALID_DEVICE_REQUEST, 0);
        return NULL;
    }
    return f;
}

void wf_step_read(wf_ctx *c)
{
    wf_engine *e = c->engine;
    rw_state *s = WF_STATE(c, rw_state);

    WF_CORO_BEGIN(c);
    if (!rw_file(c, c->req->Req.Read.UserContext2))
        WF_CORO_RETURN(c);
    s->offset = c->req->Req.Read.Offset;
    s->address = c->req->Req.Read.Address;
    s->remaining = c->req->Req.Read.Length;
    s->done = 0;
    if (s->offset > (UINT64)INT64_MAX) {
        wf_complete(c, STATUS_INVALID_PARAMETER, 0);
        WF_CORO_RETURN(c);
    }
    while (s->remaining) {
        {
            struct fuse_read_in *in = wf_prep(c, FUSE_READ, c->file->node->nodeid, sizeof *in);
            s->piece = s->remaining < e->max_read ? s->remaining : e->max_read;
            in->fh = c->file->fh;
            in->offset = s->offset;
            in->size = s->piece;
            in->flags = c->file->open_flags;
            c->send.reply_max = s->piece;
        }
        WF_SEND(c);
        if (!NT_SUCCESS(c->reply.status)) {
            /* What was read before the failure is still the caller's. */
            if (s->done)
                break;
            wf_complete(c, c->reply.status, 0);
            WF_CORO_RETURN(c);
        }
        if (!wf_os_copy_to_address(s->address, c->reply.body, c->reply.len)) {
            wf_complete(c, STATUS_INVALID_USER_BUFFER, 0);
            WF_CORO_RETURN(c);
        }
        s->done += c->reply.len;
        s->remaining -= c->reply.len;
        s->offset += c->reply.len;
        s->address += c->reply.len;
        /* A short read is the end of the file (FUSE has no other meaning for it). */
        if (c->reply.len < s->piece)
            break;
    }
    wf_complete(c, s->done || c->req->Req.Read.Length == 0 ? STATUS_SUCCESS : STATUS_END_OF_FILE,
        s->done);
    WF_CORO_END(c);
}

void wf_step_write(wf_ctx *c)
{
    wf_engine *e = c->engine;
    rw_state *s = WF_STATE(c, rw_state);
    const FSP_FSCTL_TRANSACT_REQ *req = c->req;

    WF_CORO_BEGIN(c);
    if (!rw_file(c, req->Req.Write.UserContext2))
        WF_CORO_RETURN(c);
    s->offset = req->Req.Write.Offset;
    s->address = req->Req.Write.Address;
    s->remaining = req->Req.Write.Length;
    s->done = 0;

    /* Writing at the end, or without extending the file, needs its size first. */
    if (s->offset == UINT64_MAX || req->Req.Write.ConstrainedIo) {
        c->file->node->attr_valid_until = 0;
        WF_AWAIT(c, wf_getattr(c, c->file->node, c->file));
        if (!NT_SUCCESS(c->walk.status)) {
            wf_complete(c, c->walk.status, 0);
            WF_CORO_RETURN(c);
        }
        if (s->offset == UINT64_MAX)
            s->offset = c->file->node->attr.size;
        if (req->Req.Write.ConstrainedIo) {
            UINT64 size = c->file->node->attr.size;
            if (s->offset >= size)
                s->remaining = 0;
            else if (s->remaining > size - s->offset)
                s->remaining = (UINT32)(size - s->offset);
        }
    }
    if (s->offset > (UINT64)INT64_MAX || s->remaining > (UINT64)INT64_MAX - s->offset) {
        wf_complete(c, STATUS_INVALID_PARAMETER, 0);
        WF_CORO_RETURN(c);
    }
    while (s->remaining) {
        {
            struct fuse_write_in *in = wf_prep(c, FUSE_WRITE, c->file->node->nodeid,
                sizeof *in);
            s->piece = s->remaining < e->max_write ? s->remaining : e->max_write;
            in->fh = c->file->fh;
            in->offset = s->offset;
            in->size = s->piece;
            in->flags = c->file->open_flags;
            wf_prep_data_address(c, s->address, s->piece);
            c->send.reply_max = s->piece;
        }
        WF_SEND(c);
        if (!NT_SUCCESS(c->reply.status)) {
            if (s->done)
                break;
            wf_complete(c, c->reply.status, 0);
            WF_CORO_RETURN(c);
        }
        {
            struct fuse_write_out out;
            memcpy(&out, c->reply.body, sizeof out);
            s->done += out.size;
            s->remaining -= out.size;
            s->offset += out.size;
            s->address += out.size;
            if (out.size < s->piece)
                break; /* the file system took less: report what it took */
        }
    }
    {
        /*
         * The file grew to at least where we wrote; its times changed. Keep
         * what we know instead of asking again, and let the next query ask.
         */
        wf_node *n = c->file->node;
        INT64 now = wf_os_realtime_ns();

        if (s->done && s->offset > n->attr.size)
            n->attr.size = s->offset;
        if (s->done) {
            n->attr.mtime = n->attr.ctime = (UINT64)(now / 1000000000);
            n->attr.mtimensec = n->attr.ctimensec = (UINT32)(now % 1000000000);
        }
        wf_node_changed(c->engine, n);
        wf_fileinfo(c, &n->attr, NULL, 0, &c->rsp->Rsp.Write.FileInfo);
    }
    wf_complete(c, STATUS_SUCCESS, s->done);
    WF_CORO_END(c);
}
