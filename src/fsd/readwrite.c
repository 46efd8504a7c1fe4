/*
 * readwrite.c - NtReadFile, NtWriteFile and NtFlushBuffersFile.
 *
 * The I/O manager's part: the handle must have been granted the access,
 * a file object opened without FILE_SYNCHRONOUS_IO_* has no position (an
 * offset is required), and a handle that may only append writes at the
 * end whatever offset it names. WinFsp's part (read.c, write.c, non-cached
 * paths): directories cannot be read or written, zero-length I/O succeeds
 * at once, byte-range locks are checked, and the request names the
 * caller's buffer by address so the engine copies straight into or out of
 * it. The response updates the position of a synchronous file object and,
 * for writes, the cached file information.
 */
#include "fsd/internal.h"

/* Resolve the offset of an I/O as the I/O manager does. */
static NTSTATUS io_offset(wf_fsd_volume *v, fsd_fobj *f, const INT64 *offset, bool write,
    bool *to_end, UINT64 *out)
{
    *to_end = false;
    if (write && !(f->granted & FILE_WRITE_DATA)) {
        /* A handle that may only append writes at the end, whatever it asks. */
        *to_end = true;
        *out = UINT64_MAX;
        return STATUS_SUCCESS;
    }
    if (!offset || *offset == NT_USE_FILE_POINTER_POSITION) {
        if (!f->synchronous)
            return STATUS_INVALID_PARAMETER;
        pthread_mutex_lock(&v->lock);
        *out = (UINT64)f->position;
        pthread_mutex_unlock(&v->lock);
        return STATUS_SUCCESS;
    }
    if (write && *offset == NT_WRITE_TO_END_OF_FILE) {
        *to_end = true;
        *out = UINT64_MAX;
        return STATUS_SUCCESS;
    }
    if (*offset < 0)
        return STATUS_INVALID_PARAMETER;
    *out = (UINT64)*offset;
    return STATUS_SUCCESS;
}

/*
 * What NtReadFile and NtWriteFile check before a request goes out: the
 * handle's access (any of need), the buffer, the offset, the kind of file
 * and, when there is something to transfer, the byte-range locks.
 */
static NTSTATUS io_prologue(wf_fsd_volume *v, fsd_fobj *f, ACCESS_MASK need, const void *buffer,
    UINT32 length, const INT64 *offset, UINT32 key, bool write, bool *to_end, UINT64 *off)
{
    NTSTATUS status;

    if (!(f->granted & need))
        return STATUS_ACCESS_DENIED;
    if (!buffer && length)
        return STATUS_INVALID_USER_BUFFER;
    status = io_offset(v, f, offset, write, to_end, off);
    if (!NT_SUCCESS(status))
        return status;
    if (fsd_is_volume(f))
        return STATUS_INVALID_DEVICE_REQUEST;
    if (f->node->is_dir)
        return STATUS_INVALID_PARAMETER;
    if (length == 0)
        return STATUS_SUCCESS;
    pthread_mutex_lock(&v->lock);
    {
        /* The end of the file is where an append lands, as far as the fsd knows. */
        UINT64 at = *to_end ? f->node->info.FileSize : *off;
        if (fsd_lock_conflict_locked(f->node, f, key, at, length, write))
            status = STATUS_FILE_LOCK_CONFLICT;
    }
    pthread_mutex_unlock(&v->lock);
    return status;
}

NTSTATUS nt_read_file(wf_fsd_volume *volume, nt_handle handle, nt_io_status *iosb, void *buffer,
    UINT32 length, const INT64 *offset, UINT32 key)
{
    wf_fsd_volume *v = volume;
    fsd_fobj *f;
    fsd_req *r = NULL;
    UINT64 off, information = 0;
    bool to_end;
    NTSTATUS status = fsd_enter(v);

    if (!NT_SUCCESS(status))
        return fsd_iosb(iosb, status, 0);
    status = fsd_handle_ref(v, handle, &f);
    if (!NT_SUCCESS(status))
        goto exit;
    status = io_prologue(v, f, FILE_READ_DATA, buffer, length, offset, key, false, &to_end, &off);
    if (!NT_SUCCESS(status) || length == 0)
        goto release;

    r = fsd_req_new(FspFsctlTransactReadKind);
    if (!r) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto release;
    }
    r->caller_memory = true;
    r->req->Req.Read.UserContext = f->user_context;
    r->req->Req.Read.UserContext2 = f->user_context2;
    r->req->Req.Read.Address = (UINT64)(uintptr_t)buffer;
    r->req->Req.Read.Offset = off;
    r->req->Req.Read.Length = length;
    r->req->Req.Read.Key = key;
    status = fsd_send(v, &r);
    if (NT_SUCCESS(status) && r && r->state == FSD_REQ_DONE) {
        information = r->rsp->IoStatus.Information;
        if (information > length) {
            status = STATUS_INTERNAL_ERROR;
            information = 0;
        } else if (f->synchronous) {
            pthread_mutex_lock(&v->lock);
            f->position = (INT64)(off + information);
            pthread_mutex_unlock(&v->lock);
        }
    }
release:
    fsd_req_free(v, r);
    fsd_fobj_release(v, f);
exit:
    fsd_leave(v);
    return fsd_iosb(iosb, status, NT_SUCCESS(status) ? information : 0);
}

NTSTATUS nt_write_file(wf_fsd_volume *volume, nt_handle handle, nt_io_status *iosb,
    const void *buffer, UINT32 length, const INT64 *offset, UINT32 key)
{
    wf_fsd_volume *v = volume;
    fsd_fobj *f;
    fsd_req *r = NULL;
    UINT64 off, information = 0;
    bool to_end;
    NTSTATUS status = fsd_enter(v);

    if (!NT_SUCCESS(status))
        return fsd_iosb(iosb, status, 0);
    status = fsd_handle_ref(v, handle, &f);
    if (!NT_SUCCESS(status))
        goto exit;
    status = io_prologue(v, f, FILE_WRITE_DATA | FILE_APPEND_DATA, buffer, length, offset, key,
        true, &to_end, &off);
    if (!NT_SUCCESS(status) || length == 0)
        goto release;

    r = fsd_req_new(FspFsctlTransactWriteKind);
    if (!r) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto release;
    }
    r->caller_memory = true;
    r->req->Req.Write.UserContext = f->user_context;
    r->req->Req.Write.UserContext2 = f->user_context2;
    r->req->Req.Write.Address = (UINT64)(uintptr_t)buffer;
    r->req->Req.Write.Offset = off;
    r->req->Req.Write.Length = length;
    r->req->Req.Write.Key = key;
    r->info_node = f->node;
    status = fsd_send(v, &r);
    if (NT_SUCCESS(status) && r && r->state == FSD_REQ_DONE) {
        const FSP_FSCTL_FILE_INFO *info = &r->rsp->Rsp.Write.FileInfo;
        information = r->rsp->IoStatus.Information;
        if (information > length) {
            status = STATUS_INTERNAL_ERROR;
            information = 0;
        } else {
            fsd_node_change_info(v, r, info, false);
            pthread_mutex_lock(&v->lock);
            f->modified = true;
            if (f->synchronous)
                f->position = to_end ? (INT64)info->FileSize : (INT64)(off + information);
            pthread_mutex_unlock(&v->lock);
        }
    }
release:
    fsd_req_free(v, r);
    fsd_fobj_release(v, f);
exit:
    fsd_leave(v);
    return fsd_iosb(iosb, status, NT_SUCCESS(status) ? information : 0);
}

NTSTATUS nt_flush_buffers_file(wf_fsd_volume *volume, nt_handle handle, nt_io_status *iosb)
{
    wf_fsd_volume *v = volume;
    fsd_fobj *f;
    fsd_req *r = NULL;
    bool whole_volume;
    NTSTATUS status = fsd_enter(v);

    if (!NT_SUCCESS(status))
        return fsd_iosb(iosb, status, 0);
    status = fsd_handle_ref(v, handle, &f);
    if (!NT_SUCCESS(status))
        goto exit;
    /* NtFlushBuffersFile wants a handle that may write. */
    if (!(f->granted & (FILE_WRITE_DATA | FILE_APPEND_DATA))) {
        status = STATUS_ACCESS_DENIED;
        goto release;
    }
    /* The volume, or its root directory (as FastFat), flushes everything. */
    whole_volume = fsd_is_volume(f) || f->node->is_root;
    if (!whole_volume && f->node->is_dir)
        goto release; /* directories hold nothing to flush: WinFsp says it did */
    r = fsd_req_new(FspFsctlTransactFlushBuffersKind);
    if (!r) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto release;
    }
    if (!whole_volume) {
        r->req->Req.FlushBuffers.UserContext = f->user_context;
        r->req->Req.FlushBuffers.UserContext2 = f->user_context2;
        r->info_node = f->node;
    }
    status = fsd_send(v, &r);
    if (NT_SUCCESS(status) && r && r->state == FSD_REQ_DONE && !whole_volume)
        fsd_node_change_info(v, r, &r->rsp->Rsp.FlushBuffers.FileInfo, false);
release:
    fsd_req_free(v, r);
    fsd_fobj_release(v, f);
exit:
    fsd_leave(v);
    return fsd_iosb(iosb, status, 0);
}
