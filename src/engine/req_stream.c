/*
 * req_stream.c - QueryStreamInformation. FUSE files have one stream, the
 * unnamed data stream; directories have none.
 */
#include "engine/internal.h"

void wf_step_query_stream_information(wf_ctx *c)
{
    WF_CORO_BEGIN(c);
    if (!wf_ctx_file(c, c->req->Req.QueryStreamInformation.UserContext2))
        WF_CORO_RETURN(c);
    WF_AWAIT(c, wf_getattr(c, c->file->node, c->file));
    if (!NT_SUCCESS(c->walk.status)) {
        wf_complete(c, c->walk.status, 0);
        WF_CORO_RETURN(c);
    }
    {
        FSP_FSCTL_TRANSACT_BUF where;
        UINT8 *buf;
        UINT32 len = 0;

        /* The entry for the unnamed stream has an empty name; WinFsp shows it as "::$DATA". */
        buf = wf_rsp_buffer(c, FSP_FSCTL_DEFAULT_ALIGN_UP(sizeof(FSP_FSCTL_STREAM_INFO)) + 2,
            &where);
        if (!buf) {
            wf_complete(c, STATUS_BUFFER_OVERFLOW, 0);
            WF_CORO_RETURN(c);
        }
        if (!c->file->is_dir) {
            FSP_FSCTL_STREAM_INFO info;
            const struct fuse_attr *a = &c->file->node->attr;
            UINT64 unit = (UINT64)c->engine->volume_params.SectorSize *
                c->engine->volume_params.SectorsPerAllocationUnit;

            memset(&info, 0, sizeof info);
            info.Size = sizeof info;
            info.StreamSize = a->size;
            info.StreamAllocationSize = unit ? (a->size + unit - 1) / unit * unit : a->size;
            memcpy(buf, &info, sizeof info);
            len = FSP_FSCTL_DEFAULT_ALIGN_UP(sizeof info);
        }
        buf[len] = buf[len + 1] = 0; /* the end of the list */
        len += 2;
        where.Size = (UINT16)len;
        c->rsp_buf_used = where.Offset + len;
        c->rsp->Size = (UINT16)(sizeof *c->rsp + c->rsp_buf_used);
        c->rsp->Rsp.QueryStreamInformation.Buffer = where;
        wf_complete(c, STATUS_SUCCESS, len);
    }
    WF_CORO_END(c);
}
