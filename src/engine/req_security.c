/*
 * req_security.c - QuerySecurity and SetSecurity: a file's security
 * descriptor is its owner, group and mode, seen through the POSIX <-> NT
 * mapping WinFsp uses (engine/security.c).
 */
#include "engine/internal.h"
#include "engine/security.h"

typedef struct security_state {
    UINT32 uid, gid, mode;
} security_state;

/* Put the descriptor of (uid, gid, mode) in the response buffer. */
static NTSTATUS put_descriptor(wf_ctx *c, UINT32 uid, UINT32 gid, UINT32 mode,
    FSP_FSCTL_TRANSACT_BUF *where)
{
    size_t room = FSP_FSCTL_TRANSACT_RSP_SIZEMAX - sizeof *c->rsp - c->rsp_buf_used, len;
    void *buf = c->rsp->Buffer + c->rsp_buf_used;
    NTSTATUS status = wf_sd_from_posix(c->engine->config.idmap, uid, gid, mode, buf, room,
        &len);

    if (!NT_SUCCESS(status))
        return status;
    wf_rsp_buffer(c, (UINT32)len, where);
    return STATUS_SUCCESS;
}

void wf_step_query_security(wf_ctx *c)
{
    WF_CORO_BEGIN(c);
    if (!wf_ctx_file(c, c->req->Req.QuerySecurity.UserContext2))
        WF_CORO_RETURN(c);
    WF_AWAIT(c, wf_getattr(c, c->file->node, c->file));
    if (!NT_SUCCESS(c->walk.status)) {
        wf_complete(c, c->walk.status, 0);
        WF_CORO_RETURN(c);
    }
    {
        const struct fuse_attr *a = &c->file->node->attr;
        NTSTATUS status = put_descriptor(c, a->uid, a->gid, a->mode,
            &c->rsp->Rsp.QuerySecurity.SecurityDescriptor);
        wf_complete(c, status, 0);
    }
    WF_CORO_END(c);
}

void wf_step_set_security(wf_ctx *c)
{
    security_state *s = WF_STATE(c, security_state);
    const FSP_FSCTL_TRANSACT_REQ *req = c->req;

    WF_CORO_BEGIN(c);
    if (!wf_ctx_file(c, req->Req.SetSecurity.UserContext2))
        WF_CORO_RETURN(c);
    c->file->node->attr_valid_until = 0;
    WF_AWAIT(c, wf_getattr(c, c->file->node, c->file));
    if (!NT_SUCCESS(c->walk.status)) {
        wf_complete(c, c->walk.status, 0);
        WF_CORO_RETURN(c);
    }
    {
        FSP_FSCTL_TRANSACT_BUF sd = req->Req.SetSecurity.SecurityDescriptor;
        const UINT8 *sd_bytes = wf_request_buf(c, sd);
        const struct fuse_attr *a = &c->file->node->attr;
        NTSTATUS status;

        if (!sd_bytes) {
            wf_complete(c, STATUS_INVALID_SECURITY_DESCR, 0);
            WF_CORO_RETURN(c);
        }
        status = wf_sd_modify(c->engine->config.idmap, a->uid, a->gid, a->mode,
            req->Req.SetSecurity.SecurityInformation, sd_bytes, sd.Size,
            &s->uid, &s->gid, &s->mode);
        if (!NT_SUCCESS(status)) {
            wf_complete(c, status, 0);
            WF_CORO_RETURN(c);
        }
        if (s->uid == a->uid && s->gid == a->gid && (s->mode & 07777) == (a->mode & 07777)) {
            status = put_descriptor(c, a->uid, a->gid, a->mode,
                &c->rsp->Rsp.SetSecurity.SecurityDescriptor);
            wf_complete(c, status, 0);
            WF_CORO_RETURN(c);
        }
    }
    {
        const struct fuse_attr *a = &c->file->node->attr;
        struct fuse_setattr_in *in = wf_prep(c, FUSE_SETATTR, c->file->node->nodeid,
            sizeof *in);
        if (s->uid != a->uid) {
            in->valid |= FATTR_UID;
            in->uid = s->uid;
        }
        if (s->gid != a->gid) {
            in->valid |= FATTR_GID;
            in->gid = s->gid;
        }
        if ((s->mode & 07777) != (a->mode & 07777)) {
            in->valid |= FATTR_MODE;
            in->mode = s->mode & 07777;
        }
        /* A directory's handle is no file handle: libfuse 2 would take it for one. */
        if (!c->file->no_fh && !c->file->is_dir) {
            in->valid |= FATTR_FH;
            in->fh = c->file->fh;
        }
    }
    WF_SEND(c);
    if (!NT_SUCCESS(c->reply.status)) {
        wf_complete(c, c->reply.status, 0);
        WF_CORO_RETURN(c);
    }
    {
        struct fuse_attr_out out;
        NTSTATUS status;

        memcpy(&out, c->reply.body, sizeof out);
        wf_node_take_attr(c, c->file->node, &out.attr, out.attr_valid, out.attr_valid_nsec, true);
        status = put_descriptor(c, out.attr.uid, out.attr.gid, out.attr.mode,
            &c->rsp->Rsp.SetSecurity.SecurityDescriptor);
        wf_complete(c, status, 0);
    }
    WF_CORO_END(c);
}
