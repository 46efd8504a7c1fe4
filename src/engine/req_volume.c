/*
 * req_volume.c - QueryVolumeInformation, SetVolumeInformation and
 * FlushBuffers: the requests about the volume as a whole (and flushing,
 * which may name a file or the volume).
 */
#include "engine/internal.h"

void wf_step_query_volume_information(wf_ctx *c)
{
    WF_CORO_BEGIN(c);
    wf_prep(c, FUSE_STATFS, FUSE_ROOT_ID, 0);
    WF_SEND(c);
    if (!NT_SUCCESS(c->reply.status)) {
        wf_complete(c, c->reply.status, 0);
        WF_CORO_RETURN(c);
    }
    {
        struct fuse_statfs_out out;
        FSP_FSCTL_VOLUME_INFO *info = &c->rsp->Rsp.QueryVolumeInformation.VolumeInfo;
        UINT64 unit;

        memcpy(&out, c->reply.body, sizeof out);
        /* Sizes are counted in fragments when the file system gives their size. */
        unit = out.st.frsize ? out.st.frsize : out.st.bsize;
        if (unit == 0)
            unit = 512;
        info->TotalSize = out.st.blocks > UINT64_MAX / unit ? UINT64_MAX : out.st.blocks * unit;
        info->FreeSize = out.st.bavail > UINT64_MAX / unit ? UINT64_MAX : out.st.bavail * unit;
        if (info->FreeSize > info->TotalSize)
            info->FreeSize = info->TotalSize;
        /* FUSE has no volume label. */
        info->VolumeLabelLength = 0;
    }
    wf_complete(c, STATUS_SUCCESS, 0);
    WF_CORO_END(c);
}

/* FUSE cannot store a label; WinFsp answers the same when a file system cannot. */
void wf_step_set_volume_information(wf_ctx *c)
{
    wf_complete(c, STATUS_INVALID_DEVICE_REQUEST, 0);
}

void wf_step_flush_buffers(wf_ctx *c)
{
    wf_engine *e = c->engine;

    WF_CORO_BEGIN(c);
    if (c->req->Req.FlushBuffers.UserContext2 == 0) {
        /* The volume: the engine holds no dirty data, so there is nothing to push. */
        wf_complete(c, STATUS_SUCCESS, 0);
        WF_CORO_RETURN(c);
    }
    if (!wf_ctx_file(c, c->req->Req.FlushBuffers.UserContext2))
        WF_CORO_RETURN(c);
    if (!c->file->no_fh && !wf_enosys(e, c->file->is_dir ? FUSE_FSYNCDIR : FUSE_FSYNC)) {
        struct fuse_fsync_in *in = wf_prep(c, c->file->is_dir ? FUSE_FSYNCDIR : FUSE_FSYNC,
            c->file->node->nodeid, sizeof *in);
        in->fh = c->file->fh;
        WF_SEND(c);
        /* A file system without fsync keeps nothing to sync: that is success. */
        if (!NT_SUCCESS(c->reply.status) && c->reply.error != -LINUX_ENOSYS) {
            wf_complete(c, c->reply.status, 0);
            WF_CORO_RETURN(c);
        }
    }
    WF_AWAIT(c, wf_getattr(c, c->file->node, c->file));
    if (NT_SUCCESS(c->walk.status))
        wf_fileinfo(c, &c->file->node->attr, NULL, 0, &c->rsp->Rsp.FlushBuffers.FileInfo);
    wf_complete(c, STATUS_SUCCESS, 0);
    WF_CORO_END(c);
}
