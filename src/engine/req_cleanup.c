/*
 * req_cleanup.c - Cleanup and Close: the end of a handle.
 *
 * Cleanup comes when the last handle of a file object closes: it flushes
 * (as close(2) sends FLUSH), deletes the file when it was marked for
 * deletion (UNLINK or RMDIR), and stamps the times WinFsp asks for. It
 * cannot fail on Windows, so errors are logged, not returned. Close comes
 * last, when nothing refers to the file object any more, and RELEASEs it.
 */
#include "engine/internal.h"

typedef struct cleanup_state {
    bool flush, remove, stamp;
} cleanup_state;

static bool file_is_regular(const wf_file *f)
{
    return (f->node->attr.mode & LINUX_S_IFMT) == LINUX_S_IFREG;
}

void wf_step_cleanup(wf_ctx *c)
{
    wf_engine *e = c->engine;
    cleanup_state *s = WF_STATE(c, cleanup_state);
    const FSP_FSCTL_TRANSACT_REQ *req = c->req;

    WF_CORO_BEGIN(c);
    if (!wf_ctx_file(c, req->Req.Cleanup.UserContext2))
        WF_CORO_RETURN(c);
    s->remove = req->Req.Cleanup.Delete;
    s->flush = !s->remove && !c->file->no_fh && !c->file->is_dir && file_is_regular(c->file) &&
        !wf_enosys(e, FUSE_FLUSH);
    s->stamp = !s->remove &&
        (req->Req.Cleanup.SetLastAccessTime || req->Req.Cleanup.SetLastWriteTime);

    if (s->flush) {
        struct fuse_flush_in *in = wf_prep(c, FUSE_FLUSH, c->file->node->nodeid, sizeof *in);
        in->fh = c->file->fh;
        in->lock_owner = c->file->fh;
        WF_SEND(c);
        if (!NT_SUCCESS(c->reply.status) && c->reply.error != -LINUX_ENOSYS)
            wf_os_log(WF_LOG_WARNING, "cleanup: FLUSH failed (errno %d)", -c->reply.error);
    }

    if (s->stamp) {
        struct fuse_setattr_in *in = wf_prep(c, FUSE_SETATTR, c->file->node->nodeid,
            sizeof *in);
        INT64 now = wf_os_realtime_ns();

        /* "Now", with the time itself too, as Linux sends it: libfuse 2 keeps the values. */
        if (req->Req.Cleanup.SetLastAccessTime) {
            in->valid |= FATTR_ATIME | FATTR_ATIME_NOW;
            in->atime = (UINT64)(now / 1000000000);
            in->atimensec = (UINT32)(now % 1000000000);
        }
        if (req->Req.Cleanup.SetLastWriteTime) {
            in->valid |= FATTR_MTIME | FATTR_MTIME_NOW;
            in->mtime = (UINT64)(now / 1000000000);
            in->mtimensec = (UINT32)(now % 1000000000);
        }
        if (!c->file->no_fh && !c->file->is_dir) {
            in->valid |= FATTR_FH;
            in->fh = c->file->fh;
        }
        WF_SEND(c);
        if (NT_SUCCESS(c->reply.status)) {
            struct fuse_attr_out out;
            memcpy(&out, c->reply.body, sizeof out);
            wf_node_take_attr(c, c->file->node, &out.attr, out.attr_valid, out.attr_valid_nsec,
                true);
        }
    }

    if (s->remove) {
        UINT32 len;
        NTSTATUS status = wf_request_path(c, req->FileName, c->path, &len);
        if (!NT_SUCCESS(status) || len <= 1) {
            wf_os_log(WF_LOG_WARNING, "cleanup: cannot delete: bad file name");
            wf_complete(c, STATUS_SUCCESS, 0);
            WF_CORO_RETURN(c);
        }
        wf_walk_start(c, c->path, len, true);
    }
    if (s->remove) {
        WF_AWAIT(c, wf_lookup_path(c));
        if (!NT_SUCCESS(c->walk.status)) {
            wf_complete(c, STATUS_SUCCESS, 0);
            WF_CORO_RETURN(c);
        }
        wf_prep(c, c->file->is_dir ? FUSE_RMDIR : FUSE_UNLINK, c->walk.node->nodeid, 0);
        wf_prep_name(c, c->walk.name, c->walk.name_len);
        WF_SEND(c);
        if (NT_SUCCESS(c->reply.status) || c->reply.status == STATUS_OBJECT_NAME_NOT_FOUND)
            wf_cache_remove(e, c->walk.node, c->walk.name, c->walk.name_len);
        /*
         * A directory that is not empty stays, quietly, as on Windows (a
         * delete-on-close open of it succeeds): only other failures are news.
         */
        if (!NT_SUCCESS(c->reply.status))
            wf_os_log(-c->reply.error == LINUX_ENOTEMPTY ? WF_LOG_INFO : WF_LOG_WARNING,
                "cleanup: delete failed (errno %d)", -c->reply.error);
        /* Other names may still reach the inode; its attributes are stale now. */
        wf_node_changed(e, c->file->node);
    }
    wf_complete(c, STATUS_SUCCESS, 0);
    WF_CORO_END(c);
}

void wf_step_close(wf_ctx *c)
{
    wf_engine *e = c->engine;

    WF_CORO_BEGIN(c);
    if (!wf_ctx_file(c, c->req->Req.Close.UserContext2))
        WF_CORO_RETURN(c);
    /* The handle ends now: a second Close, or anything later, finds it invalid. */
    wf_file_detach(e, c->file);
    if (!c->file->no_fh) {
        struct fuse_release_in *in = wf_prep(c, c->file->is_dir ? FUSE_RELEASEDIR : FUSE_RELEASE,
            c->file->node->nodeid, sizeof *in);
        in->fh = c->file->fh;
        in->flags = c->file->open_flags;
        WF_SEND(c);
    }
    wf_complete(c, STATUS_SUCCESS, 0);
    WF_CORO_END(c);
}
