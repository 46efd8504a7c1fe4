/*
 * ea.c - NtQueryEaFile and NtSetEaFile: extended attributes as
 * FILE_FULL_EA_INFORMATION lists, passed to and from the file system
 * (the engine keeps them as "user." extended attributes).
 *
 * The query returns the whole list, as the first NtQueryEaFile of a
 * handle with neither an EA name list nor an index does; a buffer too
 * small for all of it gets the whole entries that fit and
 * STATUS_BUFFER_OVERFLOW, or STATUS_BUFFER_TOO_SMALL when not even one
 * fits, as NTFS answers.
 */
#include <stdlib.h>
#include <string.h>

#include "fsd/internal.h"

static UINT32 get32(const UINT8 *p)
{
    return (UINT32)p[0] | (UINT32)p[1] << 8 | (UINT32)p[2] << 16 | (UINT32)p[3] << 24;
}

/* How many bytes of the list hold the whole entries that fit in length. */
static UINT32 whole_entries(const UINT8 *list, UINT32 size, UINT32 length, UINT32 *last)
{
    UINT32 pos = 0, fit = 0;

    *last = 0;
    for (;;) {
        UINT32 next = get32(list + pos);
        UINT32 end = next ? pos + next : size;
        UINT32 entry = end - pos;

        /* An entry's own bytes, without the padding before the next one. */
        if (next) {
            UINT32 name_len = list[pos + 5];
            UINT32 value_len = (UINT32)list[pos + 6] | (UINT32)list[pos + 7] << 8;
            entry = 8 + name_len + 1 + value_len;
        }
        if (pos + entry > length)
            return fit;
        *last = pos;
        fit = pos + entry;
        if (!next || end >= size)
            return fit;
        pos = end;
    }
}

NTSTATUS nt_query_ea_file(wf_fsd_volume *volume, nt_handle handle, nt_io_status *iosb,
    void *buffer, UINT32 length)
{
    wf_fsd_volume *v = volume;
    fsd_fobj *f;
    fsd_req *r = NULL;
    UINT64 information = 0;
    NTSTATUS status = fsd_enter(v);

    if (!NT_SUCCESS(status))
        return fsd_iosb(iosb, status, 0);
    status = fsd_handle_ref(v, handle, &f);
    if (!NT_SUCCESS(status))
        goto exit;
    if (!(f->granted & FILE_READ_EA)) {
        status = STATUS_ACCESS_DENIED;
        goto release;
    }
    if (!buffer && length) {
        status = STATUS_INVALID_USER_BUFFER;
        goto release;
    }
    if (!v->params.ExtendedAttributes || fsd_is_volume(f)) {
        status = STATUS_EAS_NOT_SUPPORTED;
        goto release;
    }
    r = fsd_req_new(FspFsctlTransactQueryEaKind);
    if (!r) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto release;
    }
    r->req->Req.QueryEa.UserContext = f->user_context;
    r->req->Req.QueryEa.UserContext2 = f->user_context2;
    status = fsd_send(v, &r);
    if (NT_SUCCESS(status) && r && r->state == FSD_REQ_DONE) {
        FSP_FSCTL_TRANSACT_BUF b = r->rsp->Rsp.QueryEa.Ea;
        const void *list;
        if (!wf_fsctl_rsp_buf(r->rsp, b, &list)) {
            status = STATUS_INTERNAL_ERROR;
        } else if (b.Size == 0) {
            status = STATUS_NO_EAS_ON_FILE;
        } else if (b.Size <= length) {
            memcpy(buffer, list, b.Size);
            information = b.Size;
        } else {
            UINT32 last, fit = whole_entries(list, b.Size, length, &last);
            if (fit == 0) {
                status = STATUS_BUFFER_TOO_SMALL;
            } else {
                memcpy(buffer, list, fit);
                /* The last entry that fit now ends the list. */
                memset((UINT8 *)buffer + last, 0, 4);
                information = fit;
                status = STATUS_BUFFER_OVERFLOW;
            }
        }
    }
release:
    fsd_req_free(v, r);
    fsd_fobj_release(v, f);
exit:
    fsd_leave(v);
    return fsd_iosb(iosb, status, information);
}

NTSTATUS nt_set_ea_file(wf_fsd_volume *volume, nt_handle handle, nt_io_status *iosb,
    const void *buffer, UINT32 length)
{
    wf_fsd_volume *v = volume;
    fsd_fobj *f;
    fsd_req *r = NULL;
    NTSTATUS status = fsd_enter(v);

    if (!NT_SUCCESS(status))
        return fsd_iosb(iosb, status, 0);
    status = fsd_handle_ref(v, handle, &f);
    if (!NT_SUCCESS(status))
        goto exit;
    if (!(f->granted & FILE_WRITE_EA)) {
        status = STATUS_ACCESS_DENIED;
        goto release;
    }
    if (!buffer || length == 0) {
        status = length ? STATUS_INVALID_USER_BUFFER : STATUS_EA_LIST_INCONSISTENT;
        goto release;
    }
    if (!v->params.ExtendedAttributes || fsd_is_volume(f)) {
        status = STATUS_EAS_NOT_SUPPORTED;
        goto release;
    }
    r = fsd_req_new(FspFsctlTransactSetEaKind);
    /* The list must fit one request, as WinFsp's transact buffer limits it. */
    if (!r || !fsd_req_append(r, buffer, length, &r->req->Req.SetEa.Ea)) {
        status = r ? STATUS_EA_TOO_LARGE : STATUS_INSUFFICIENT_RESOURCES;
        goto release;
    }
    r->req->Req.SetEa.UserContext = f->user_context;
    r->req->Req.SetEa.UserContext2 = f->user_context2;
    r->info_node = f->node;
    status = fsd_send(v, &r);
    if (NT_SUCCESS(status) && r && r->state == FSD_REQ_DONE)
        fsd_node_change_info(v, r, &r->rsp->Rsp.SetEa.FileInfo, false);
release:
    fsd_req_free(v, r);
    fsd_fobj_release(v, f);
exit:
    fsd_leave(v);
    return fsd_iosb(iosb, status, 0);
}
