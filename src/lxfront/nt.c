/*
 * nt.c - the NT calls lxfront makes, each traced as one line, and the one
 * place where an NT result becomes an errno.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/status.h"
#include "engine/utf.h"
#include "lxfront/internal.h"

int lx_errno(NTSTATUS status)
{
    return wf_errno_from_status(status);
}

static void count(lx_req *r)
{
    __atomic_add_fetch(&r->lx->nt_calls, 1, __ATOMIC_RELAXED);
}

static const char *st(NTSTATUS status, char *buf)
{
    wf_status_format(status, buf, WF_STATUS_FORMAT_MAX);
    return buf;
}

static const char *disposition_name(UINT32 d)
{
    static const char *const names[] = {
        "SUPERSEDE", "OPEN", "CREATE", "OPEN_IF", "OVERWRITE", "OVERWRITE_IF",
    };
    return d < 6 ? names[d] : "?";
}

NTSTATUS lx_nt_open(lx_req *r, nt_handle *h, const WCHAR *path, size_t len, ACCESS_MASK access,
    UINT32 disposition, UINT32 options, const void *sd, size_t sd_len, UINT64 *information)
{
    nt_io_status iosb = {0, 0};
    NTSTATUS status;

    count(r);
    *h = 0;
    status = nt_create_file_w(r->lx->volume, h, access, 0, path, len, &iosb, 0, 0,
        FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, disposition,
        options | FILE_SYNCHRONOUS_IO_NONALERT, sd, sd_len, NULL, 0);
    if (information)
        *information = iosb.Information;
    if (lx_tracing(r->lx)) {
        char name[1024], sbuf[WF_STATUS_FORMAT_MAX];
        size_t n = 0;
        if (!NT_SUCCESS(wf_utf16_to_utf8(path, len, name, sizeof name - 1, &n, WF_UTF_REPLACE)))
            n = 0;
        name[n] = 0;
        if (lx_tracing(r->lx))
        lx_trace(r->lx, "nt       #%llu NtCreateFile(\"%s\", access 0x%x, %s, options 0x%x%s) -> %s"
            ", handle %llu, information %llu", r->id, name, (unsigned)access,
            disposition_name(disposition), (unsigned)options, sd ? ", sd" : "",
            st(status, sbuf), (unsigned long long)*h, (unsigned long long)iosb.Information);
    }
    return status;
}

void lx_nt_close(lx_req *r, nt_handle h)
{
    NTSTATUS status;
    char sbuf[WF_STATUS_FORMAT_MAX];

    count(r);
    status = nt_close(r->lx->volume, h);
    if (lx_tracing(r->lx))
        lx_trace(r->lx, "nt       #%llu NtClose(%llu) -> %s", r->id, (unsigned long long)h,
        st(status, sbuf));
}

NTSTATUS lx_nt_read(lx_req *r, nt_handle h, void *buf, UINT32 len, INT64 off, UINT32 *done)
{
    nt_io_status iosb = {0, 0};
    NTSTATUS status;
    char sbuf[WF_STATUS_FORMAT_MAX];

    count(r);
    status = nt_read_file(r->lx->volume, h, &iosb, buf, len, &off, 0);
    *done = NT_SUCCESS(status) ? (UINT32)iosb.Information : 0;
    if (lx_tracing(r->lx))
        lx_trace(r->lx, "nt       #%llu NtReadFile(%llu, %u at %lld) -> %s, %u", r->id,
        (unsigned long long)h, len, (long long)off, st(status, sbuf), *done);
    return status;
}

NTSTATUS lx_nt_write(lx_req *r, nt_handle h, const void *buf, UINT32 len, INT64 off,
    UINT32 *done)
{
    nt_io_status iosb = {0, 0};
    NTSTATUS status;
    char sbuf[WF_STATUS_FORMAT_MAX];

    count(r);
    status = nt_write_file(r->lx->volume, h, &iosb, buf, len, &off, 0);
    *done = NT_SUCCESS(status) ? (UINT32)iosb.Information : 0;
    if (lx_tracing(r->lx))
        lx_trace(r->lx, "nt       #%llu NtWriteFile(%llu, %u at %lld) -> %s, %u", r->id,
        (unsigned long long)h, len, (long long)off, st(status, sbuf), *done);
    return status;
}

static const char *info_class_name(UINT32 cls)
{
    switch (cls) {
    case FileBasicInformation: return "FileBasicInformation";
    case FileStandardInformation: return "FileStandardInformation";
    case FileInternalInformation: return "FileInternalInformation";
    case FileAllInformation: return "FileAllInformation";
    case FileAllocationInformation: return "FileAllocationInformation";
    case FileEndOfFileInformation: return "FileEndOfFileInformation";
    case FileDispositionInformation: return "FileDispositionInformation";
    case FileDispositionInformationEx: return "FileDispositionInformationEx";
    case FileRenameInformation: return "FileRenameInformation";
    case FileRenameInformationEx: return "FileRenameInformationEx";
    case FileLinkInformation: return "FileLinkInformation";
    case FileAttributeTagInformation: return "FileAttributeTagInformation";
    default: return "FileInformationClass";
    }
}

NTSTATUS lx_nt_query_info(lx_req *r, nt_handle h, void *info, UINT32 len, UINT32 cls)
{
    nt_io_status iosb = {0, 0};
    NTSTATUS status;
    char sbuf[WF_STATUS_FORMAT_MAX];

    count(r);
    status = nt_query_information_file(r->lx->volume, h, &iosb, info, len, cls);
    if (lx_tracing(r->lx))
        lx_trace(r->lx, "nt       #%llu NtQueryInformationFile(%llu, %s) -> %s", r->id,
        (unsigned long long)h, info_class_name(cls), st(status, sbuf));
    return status;
}

NTSTATUS lx_nt_set_info(lx_req *r, nt_handle h, const void *info, UINT32 len, UINT32 cls)
{
    nt_io_status iosb = {0, 0};
    NTSTATUS status;
    char sbuf[WF_STATUS_FORMAT_MAX];

    count(r);
    status = nt_set_information_file(r->lx->volume, h, &iosb, info, len, cls);
    if (lx_tracing(r->lx))
        lx_trace(r->lx, "nt       #%llu NtSetInformationFile(%llu, %s) -> %s", r->id,
        (unsigned long long)h, info_class_name(cls), st(status, sbuf));
    return status;
}

NTSTATUS lx_nt_query_dir(lx_req *r, nt_handle h, void *buf, UINT32 len, bool restart,
    UINT32 *done)
{
    nt_io_status iosb = {0, 0};
    NTSTATUS status;
    char sbuf[WF_STATUS_FORMAT_MAX];

    count(r);
    status = nt_query_directory_file(r->lx->volume, h, &iosb, buf, len,
        FileIdBothDirectoryInformation, false, NULL, restart);
    *done = NT_SUCCESS(status) ? (UINT32)iosb.Information : 0;
    if (lx_tracing(r->lx))
        lx_trace(r->lx, "nt       #%llu NtQueryDirectoryFile(%llu, FileIdBothDirectoryInformation%s)"
        " -> %s, %u bytes", r->id, (unsigned long long)h, restart ? ", restart" : "",
        st(status, sbuf), *done);
    return status;
}

NTSTATUS lx_nt_query_volume(lx_req *r, nt_handle h, void *info, UINT32 len, UINT32 cls)
{
    nt_io_status iosb = {0, 0};
    NTSTATUS status;
    char sbuf[WF_STATUS_FORMAT_MAX];

    count(r);
    status = nt_query_volume_information_file(r->lx->volume, h, &iosb, info, len, cls);
    if (lx_tracing(r->lx))
        lx_trace(r->lx, "nt       #%llu NtQueryVolumeInformationFile(%llu, class %u) -> %s", r->id,
        (unsigned long long)h, cls, st(status, sbuf));
    return status;
}

NTSTATUS lx_nt_flush(lx_req *r, nt_handle h)
{
    nt_io_status iosb = {0, 0};
    NTSTATUS status;
    char sbuf[WF_STATUS_FORMAT_MAX];

    count(r);
    status = nt_flush_buffers_file(r->lx->volume, h, &iosb);
    if (lx_tracing(r->lx))
        lx_trace(r->lx, "nt       #%llu NtFlushBuffersFile(%llu) -> %s", r->id,
        (unsigned long long)h, st(status, sbuf));
    return status;
}

NTSTATUS lx_nt_lock(lx_req *r, nt_handle h, UINT64 off, UINT64 len, bool exclusive)
{
    nt_io_status iosb = {0, 0};
    NTSTATUS status;
    char sbuf[WF_STATUS_FORMAT_MAX];

    count(r);
    status = nt_lock_file(r->lx->volume, h, &iosb, (INT64)off, (INT64)len, 0, true, exclusive);
    if (lx_tracing(r->lx))
        lx_trace(r->lx, "nt       #%llu NtLockFile(%llu, %llu+%llu, %s, fail immediately) -> %s",
        r->id, (unsigned long long)h, (unsigned long long)off, (unsigned long long)len,
        exclusive ? "exclusive" : "shared", st(status, sbuf));
    return status;
}

NTSTATUS lx_nt_unlock(lx_req *r, nt_handle h, UINT64 off, UINT64 len)
{
    nt_io_status iosb = {0, 0};
    NTSTATUS status;
    char sbuf[WF_STATUS_FORMAT_MAX];

    count(r);
    status = nt_unlock_file(r->lx->volume, h, &iosb, (INT64)off, (INT64)len, 0);
    if (lx_tracing(r->lx))
        lx_trace(r->lx, "nt       #%llu NtUnlockFile(%llu, %llu+%llu) -> %s", r->id,
        (unsigned long long)h, (unsigned long long)off, (unsigned long long)len,
        st(status, sbuf));
    return status;
}

NTSTATUS lx_nt_fsctl(lx_req *r, nt_handle h, UINT32 code, const void *in, UINT32 in_len,
    void *out, UINT32 out_len, UINT32 *done)
{
    nt_io_status iosb = {0, 0};
    NTSTATUS status;
    char sbuf[WF_STATUS_FORMAT_MAX];

    count(r);
    status = nt_fs_control_file(r->lx->volume, h, &iosb, code, in, in_len, out, out_len);
    if (done)
        *done = NT_SUCCESS(status) ? (UINT32)iosb.Information : 0;
    if (lx_tracing(r->lx))
        lx_trace(r->lx, "nt       #%llu NtFsControlFile(%llu, %s) -> %s", r->id,
        (unsigned long long)h,
        code == FSCTL_GET_REPARSE_POINT ? "FSCTL_GET_REPARSE_POINT"
        : code == FSCTL_SET_REPARSE_POINT ? "FSCTL_SET_REPARSE_POINT" : "FSCTL",
        st(status, sbuf));
    return status;
}

NTSTATUS lx_nt_query_ea(lx_req *r, nt_handle h, void *buf, UINT32 len, UINT32 *done)
{
    nt_io_status iosb = {0, 0};
    NTSTATUS status;
    char sbuf[WF_STATUS_FORMAT_MAX];

    count(r);
    status = nt_query_ea_file(r->lx->volume, h, &iosb, buf, len);
    *done = NT_SUCCESS(status) ? (UINT32)iosb.Information : 0;
    if (lx_tracing(r->lx))
        lx_trace(r->lx, "nt       #%llu NtQueryEaFile(%llu) -> %s, %u bytes", r->id,
            (unsigned long long)h, st(status, sbuf), *done);
    return status;
}

NTSTATUS lx_nt_set_ea(lx_req *r, nt_handle h, const void *buf, UINT32 len)
{
    nt_io_status iosb = {0, 0};
    NTSTATUS status;
    char sbuf[WF_STATUS_FORMAT_MAX];

    count(r);
    status = nt_set_ea_file(r->lx->volume, h, &iosb, buf, len);
    if (lx_tracing(r->lx))
        lx_trace(r->lx, "nt       #%llu NtSetEaFile(%llu, %u bytes) -> %s", r->id,
            (unsigned long long)h, len, st(status, sbuf));
    return status;
}

NTSTATUS lx_nt_query_security(lx_req *r, nt_handle h, UINT32 info, void *sd, UINT32 len,
    UINT32 *needed)
{
    NTSTATUS status;
    char sbuf[WF_STATUS_FORMAT_MAX];

    count(r);
    status = nt_query_security_object(r->lx->volume, h, info, sd, len, needed);
    if (lx_tracing(r->lx))
        lx_trace(r->lx, "nt       #%llu NtQuerySecurityObject(%llu, 0x%x) -> %s", r->id,
        (unsigned long long)h, info, st(status, sbuf));
    return status;
}

NTSTATUS lx_nt_set_security(lx_req *r, nt_handle h, UINT32 info, const void *sd, UINT32 len)
{
    NTSTATUS status;
    char sbuf[WF_STATUS_FORMAT_MAX];

    count(r);
    status = nt_set_security_object(r->lx->volume, h, info, sd, len);
    if (lx_tracing(r->lx))
        lx_trace(r->lx, "nt       #%llu NtSetSecurityObject(%llu, 0x%x) -> %s", r->id,
        (unsigned long long)h, info, st(status, sbuf));
    return status;
}
