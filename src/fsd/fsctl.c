/*
 * fsctl.c - NtFsControlFile and NtDeviceIoControlFile.
 *
 * Of the file system controls WinFsp's FSD passes on only the reparse
 * point ones (fsctl.c FspFsvolFileSystemControlReparsePoint): get, set and
 * delete, each checked as WinFsp checks it; the oplock controls it keeps
 * for itself have nothing to do here (no oplocks), and everything else is
 * STATUS_INVALID_DEVICE_REQUEST. Device controls reach the file system
 * when the volume asks for them (VolumeParams.DeviceControl), for custom
 * device types and METHOD_BUFFERED only (devctl.c).
 */
#include <stdlib.h>

#include "fsd/internal.h"

#define FSD_REPARSE_HEADER 8u       /* ReparseTag, ReparseDataLength, Reserved */
#define FSD_REPARSE_GUID_HEADER 24u /* the same and a GUID, for third-party tags */

static UINT32 get32(const UINT8 *p)
{
    return (UINT32)p[0] | (UINT32)p[1] << 8 | (UINT32)p[2] << 16 | (UINT32)p[3] << 24;
}

static UINT16 get16(const UINT8 *p)
{
    return (UINT16)(p[0] | p[1] << 8);
}

/* FsRtlValidateReparsePointBuffer. */
NTSTATUS fsd_validate_reparse_buffer(const void *buf, size_t len)
{
    const UINT8 *p = buf;
    UINT32 tag;
    size_t data_len;

    if (!p || len < FSD_REPARSE_HEADER || len > MAXIMUM_REPARSE_DATA_BUFFER_SIZE)
        return STATUS_IO_REPARSE_DATA_INVALID;
    tag = get32(p);
    data_len = get16(p + 4);
    if (tag == IO_REPARSE_TAG_RESERVED_ZERO || tag == IO_REPARSE_TAG_RESERVED_ONE)
        return STATUS_IO_REPARSE_TAG_INVALID;
    if (!IsReparseTagMicrosoft(tag)) {
        if (len < FSD_REPARSE_GUID_HEADER || data_len + FSD_REPARSE_GUID_HEADER != len)
            return STATUS_IO_REPARSE_DATA_INVALID;
        return STATUS_SUCCESS;
    }
    if (data_len + FSD_REPARSE_HEADER != len)
        return STATUS_IO_REPARSE_DATA_INVALID;
    if (tag == IO_REPARSE_TAG_SYMLINK || tag == IO_REPARSE_TAG_MOUNT_POINT) {
        /* Offsets and lengths of the substitute and print names, then (links) Flags. */
        size_t head = tag == IO_REPARSE_TAG_SYMLINK ? 12 : 8;
        size_t room, so, sl, po, pl;
        if (data_len < head)
            return STATUS_IO_REPARSE_DATA_INVALID;
        room = data_len - head;
        so = get16(p + 8);
        sl = get16(p + 10);
        po = get16(p + 12);
        pl = get16(p + 14);
        if (so + sl > room || po + pl > room || ((so | sl | po | pl) & 1))
            return STATUS_IO_REPARSE_DATA_INVALID;
    }
    return STATUS_SUCCESS;
}

NTSTATUS fsd_get_reparse_point(wf_fsd_volume *v, UINT64 user_context, UINT64 user_context2,
    const WCHAR *name, size_t name_len, void **data, size_t *size)
{
    fsd_req *r = fsd_req_new(FspFsctlTransactFileSystemControlKind);
    const void *buf;
    NTSTATUS status;

    *data = NULL;
    *size = 0;
    if (!r)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (!fsd_req_append_name(r, name, name_len, &r->req->FileName)) {
        fsd_req_free(v, r);
        return STATUS_INVALID_PARAMETER;
    }
    r->req->Req.FileSystemControl.UserContext = user_context;
    r->req->Req.FileSystemControl.UserContext2 = user_context2;
    r->req->Req.FileSystemControl.FsControlCode = FSCTL_GET_REPARSE_POINT;
    status = fsd_send(v, &r);
    if (NT_SUCCESS(status) && r && r->state == FSD_REQ_DONE) {
        FSP_FSCTL_TRANSACT_BUF b = r->rsp->Rsp.FileSystemControl.Buffer;
        if (!wf_fsctl_rsp_buf(r->rsp, b, &buf) ||
            !NT_SUCCESS(fsd_validate_reparse_buffer(buf, b.Size)))
            status = STATUS_IO_REPARSE_DATA_INVALID;
        else if (!(*data = malloc(b.Size)))
            status = STATUS_INSUFFICIENT_RESOURCES;
        else {
            memcpy(*data, buf, b.Size);
            *size = b.Size;
        }
    }
    fsd_req_free(v, r);
    return status;
}

/* The access a control code's RequiredAccess bits ask of the handle (the I/O manager's check). */
static bool control_access_ok(const fsd_fobj *f, UINT32 code)
{
    UINT32 required = (code >> 14) & 3;

    if ((required & FILE_READ_ACCESS) && !(f->granted & FILE_READ_DATA))
        return false;
    if ((required & FILE_WRITE_ACCESS) && !(f->granted & FILE_WRITE_DATA))
        return false;
    return true;
}

static NTSTATUS reparse_control(wf_fsd_volume *v, fsd_fobj *f, UINT32 code, const void *in,
    UINT32 in_len, void *out, UINT32 out_len, UINT64 *information)
{
    bool write = code != FSCTL_GET_REPARSE_POINT;
    fsd_node *n = f->node;
    fsd_req *r;
    NTSTATUS status;

    if (!v->params.ReparsePoints)
        return STATUS_INVALID_DEVICE_REQUEST;
    if (fsd_is_volume(f))
        return STATUS_INVALID_PARAMETER;
    if (write) {
        const UINT8 *p = in;
        if (!in || in_len == 0)
            return STATUS_INVALID_BUFFER_SIZE;
        if (out_len != 0)
            return STATUS_INVALID_PARAMETER;
        if (code == FSCTL_SET_REPARSE_POINT) {
            if (in_len > FSP_FSCTL_TRANSACT_REQ_BUFFER_SIZEMAX - (n->name_len + 1) * sizeof(WCHAR))
                return STATUS_IO_REPARSE_DATA_INVALID;
            status = fsd_validate_reparse_buffer(in, in_len);
            if (!NT_SUCCESS(status))
                return status;
        } else {
            /* Deleting names the tag alone: a bare header (with a GUID for others' tags). */
            if (in_len != FSD_REPARSE_HEADER && in_len != FSD_REPARSE_GUID_HEADER)
                return STATUS_IO_REPARSE_DATA_INVALID;
            if (get16(p + 4) != 0)
                return STATUS_IO_REPARSE_DATA_INVALID;
            if (get32(p) == IO_REPARSE_TAG_RESERVED_ZERO || get32(p) == IO_REPARSE_TAG_RESERVED_ONE)
                return STATUS_IO_REPARSE_TAG_INVALID;
            if (!IsReparseTagMicrosoft(get32(p)) && in_len != FSD_REPARSE_GUID_HEADER)
                return STATUS_IO_REPARSE_DATA_INVALID;
        }
        /* NTFS wants one of these rights to change a reparse point. */
        if (!(f->granted & (FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_ATTRIBUTES)))
            return STATUS_ACCESS_DENIED;
    } else {
        if (in_len != 0)
            return STATUS_INVALID_PARAMETER;
        if (!out || out_len == 0)
            return STATUS_INVALID_USER_BUFFER;
    }

    r = fsd_req_new(FspFsctlTransactFileSystemControlKind);
    if (!r)
        return STATUS_INSUFFICIENT_RESOURCES;
    pthread_mutex_lock(&v->lock);
    status = fsd_req_append_name(r, n->name, n->name_len, &r->req->FileName) &&
            (!write || fsd_req_append(r, in, in_len, &r->req->Req.FileSystemControl.Buffer))
        ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
    pthread_mutex_unlock(&v->lock);
    if (!NT_SUCCESS(status)) {
        fsd_req_free(v, r);
        return status;
    }
    r->req->Req.FileSystemControl.UserContext = f->user_context;
    r->req->Req.FileSystemControl.UserContext2 = f->user_context2;
    r->req->Req.FileSystemControl.FsControlCode = code;
    /* Where a target on this volume begins; the engine roots link targets itself. */
    r->req->Req.FileSystemControl.TargetOnFileSystem = 0;
    status = fsd_send(v, &r);
    if (NT_SUCCESS(status) && r && r->state == FSD_REQ_DONE) {
        if (write) {
            fsd_node_invalidate_info(v, n);
            pthread_mutex_lock(&v->lock);
            f->did_set_metadata = true;
            pthread_mutex_unlock(&v->lock);
        } else {
            FSP_FSCTL_TRANSACT_BUF b = r->rsp->Rsp.FileSystemControl.Buffer;
            const void *buf;
            if (!wf_fsctl_rsp_buf(r->rsp, b, &buf))
                status = STATUS_IO_REPARSE_DATA_INVALID;
            else
                status = fsd_validate_reparse_buffer(buf, b.Size);
            if (NT_SUCCESS(status) && b.Size > out_len)
                status = STATUS_BUFFER_TOO_SMALL;
            if (NT_SUCCESS(status)) {
                memcpy(out, buf, b.Size);
                *information = b.Size;
            }
        }
    }
    fsd_req_free(v, r);
    return status;
}

NTSTATUS nt_fs_control_file(wf_fsd_volume *volume, nt_handle handle, nt_io_status *iosb,
    UINT32 code, const void *input, UINT32 input_length, void *output, UINT32 output_length)
{
    wf_fsd_volume *v = volume;
    fsd_fobj *f;
    UINT64 information = 0;
    NTSTATUS status = fsd_enter(v);

    if (!NT_SUCCESS(status))
        return fsd_iosb(iosb, status, 0);
    status = fsd_handle_ref(v, handle, &f);
    if (!NT_SUCCESS(status))
        goto exit;
    if (!control_access_ok(f, code))
        status = STATUS_ACCESS_DENIED;
    else if ((!input && input_length) || (!output && output_length && code != FSCTL_GET_REPARSE_POINT))
        status = STATUS_INVALID_USER_BUFFER;
    else {
        switch (code) {
        case FSCTL_GET_REPARSE_POINT:
        case FSCTL_SET_REPARSE_POINT:
        case FSCTL_DELETE_REPARSE_POINT:
            status = reparse_control(v, f, code, input, input_length, output, output_length,
                &information);
            break;
        default:
            status = STATUS_INVALID_DEVICE_REQUEST;
            break;
        }
    }
    fsd_fobj_release(v, f);
exit:
    fsd_leave(v);
    return fsd_iosb(iosb, status, NT_SUCCESS(status) ? information : 0);
}

NTSTATUS nt_device_io_control_file(wf_fsd_volume *volume, nt_handle handle, nt_io_status *iosb,
    UINT32 code, const void *input, UINT32 input_length, void *output, UINT32 output_length)
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
    if (!control_access_ok(f, code)) {
        status = STATUS_ACCESS_DENIED;
        goto release;
    }
    if ((!input && input_length) || (!output && output_length)) {
        status = STATUS_INVALID_USER_BUFFER;
        goto release;
    }
    /* Only custom device types and METHOD_BUFFERED go to the file system. */
    if (!v->params.DeviceControl || !((code >> 16) & 0x8000) ||
        (code & 3) != METHOD_BUFFERED) {
        status = STATUS_INVALID_DEVICE_REQUEST;
        goto release;
    }
    if (fsd_is_volume(f)) {
        status = STATUS_INVALID_PARAMETER;
        goto release;
    }
    if (input_length > FSP_FSCTL_DEVICECONTROL_SIZEMAX ||
        output_length > FSP_FSCTL_DEVICECONTROL_SIZEMAX) {
        status = STATUS_INVALID_BUFFER_SIZE;
        goto release;
    }
    r = fsd_req_new(FspFsctlTransactDeviceControlKind);
    if (!r || !fsd_req_append(r, input, input_length, &r->req->Req.DeviceControl.Buffer)) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto release;
    }
    r->req->Req.DeviceControl.UserContext = f->user_context;
    r->req->Req.DeviceControl.UserContext2 = f->user_context2;
    r->req->Req.DeviceControl.IoControlCode = code;
    r->req->Req.DeviceControl.OutputLength = output_length;
    status = fsd_send(v, &r);
    if (NT_SUCCESS(status) && r && r->state == FSD_REQ_DONE) {
        FSP_FSCTL_TRANSACT_BUF b = r->rsp->Rsp.DeviceControl.Buffer;
        const void *buf;
        UINT32 copy = b.Size;
        if (!wf_fsctl_rsp_buf(r->rsp, b, &buf)) {
            status = STATUS_INTERNAL_ERROR;
        } else {
            if (copy > output_length) {
                copy = output_length;
                status = STATUS_BUFFER_OVERFLOW;
            }
            if (copy)
                memcpy(output, buf, copy);
            information = copy;
        }
    }
release:
    fsd_req_free(v, r);
    fsd_fobj_release(v, f);
exit:
    fsd_leave(v);
    return fsd_iosb(iosb, status,
        NT_SUCCESS(status) || status == STATUS_BUFFER_OVERFLOW ? information : 0);
}
