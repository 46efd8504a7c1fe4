/*
 * dirctl.c - NtQueryDirectoryFile.
 *
 * As WinFsp's dirctl.c: each directory handle keeps its enumeration
 * state (the pattern captured by the first query or replaced by a restart
 * with a new one, whether anything matched yet, and the marker: with
 * DirectoryMarkerAsNextOffset, the NextOffset of the last entry handed
 * out). A query asks the file system for FSP_FSCTL_DIR_INFO records
 * after the marker into a buffer the request owns, sized from the
 * caller's buffer by WinFsp's ratio, then converts them into the class
 * the caller wants, matching the pattern again as the FSD does. Every
 * query continues where the last stopped, so listing a directory costs
 * work in proportion to its size however small the caller's buffer.
 *
 * Statuses as WinFsp: STATUS_NO_SUCH_FILE when nothing ever matched,
 * STATUS_NO_MORE_FILES at the end, and when not even the first entry
 * fits, as much of it as fits with STATUS_BUFFER_OVERFLOW (the entry
 * counts as returned). A pattern without wildcards names one file: after
 * it was found the next query ends at once.
 */
#include <stddef.h>
#include <stdlib.h>

#include "engine/ucase.h"
#include "engine/utf.h"
#include "engine/wildcard.h"
#include "fsd/internal.h"

typedef struct dir_class {
    UINT32 cls;
    UINT32 base;                 /* offset of FileName */
    UINT32 min;                  /* the I/O manager's minimum buffer */
} dir_class;

static const dir_class dir_classes[] = {
    {FileDirectoryInformation, offsetof(FILE_DIRECTORY_INFORMATION, FileName),
        sizeof(FILE_DIRECTORY_INFORMATION)},
    {FileFullDirectoryInformation, offsetof(FILE_FULL_DIR_INFORMATION, FileName),
        sizeof(FILE_FULL_DIR_INFORMATION)},
    {FileBothDirectoryInformation, offsetof(FILE_BOTH_DIR_INFORMATION, FileName),
        sizeof(FILE_BOTH_DIR_INFORMATION)},
    {FileNamesInformation, offsetof(FILE_NAMES_INFORMATION, FileName),
        sizeof(FILE_NAMES_INFORMATION)},
    {FileIdBothDirectoryInformation, offsetof(FILE_ID_BOTH_DIR_INFORMATION, FileName),
        sizeof(FILE_ID_BOTH_DIR_INFORMATION)},
    {FileIdFullDirectoryInformation, offsetof(FILE_ID_FULL_DIR_INFORMATION, FileName),
        sizeof(FILE_ID_FULL_DIR_INFORMATION)},
};

/* FspFileNameIsValidPattern: one component, wildcards allowed, no stream. */
static bool pattern_valid(const WCHAR *p, size_t len, size_t max)
{
    if (len > max)
        return false;
    for (size_t i = 0; i < len; i++) {
        WCHAR ch = p[i];
        if (ch < 0x20 || ch == '\\' || ch == ':' || ch == '/' || ch == '|')
            return false;
    }
    return true;
}

/* One FSP_FSCTL_DIR_INFO into the caller's class, at out (len bytes of room). */
static void fill_entry(const wf_fsd_volume *v, UINT32 cls, const FSP_FSCTL_DIR_INFO *di,
    const WCHAR *name, UINT32 name_bytes, UINT32 copy, UINT8 *out)
{
    const FSP_FSCTL_FILE_INFO *fi = &di->FileInfo;
    UINT32 attrs = fi->FileAttributes ? fi->FileAttributes : FILE_ATTRIBUTE_NORMAL;
    /* The EaSize field carries the reparse tag of a reparse point (WinFsp #380). */
    UINT32 ea = (fi->FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) ? fi->ReparseTag
        : v->params.ExtendedAttributes && fi->EaSize ? fi->EaSize + 4 : 0;
    union {
        FILE_DIRECTORY_INFORMATION d;
        FILE_FULL_DIR_INFORMATION f;
        FILE_BOTH_DIR_INFORMATION b;
        FILE_ID_BOTH_DIR_INFORMATION ib;
        FILE_ID_FULL_DIR_INFORMATION iff;
        FILE_NAMES_INFORMATION n;
    } u;
    UINT32 base = 0;

    memset(&u, 0, sizeof u);
#define FSD_TIMES(e)                                                                        \
    do {                                                                                    \
        (e).CreationTime = (INT64)fi->CreationTime;                                        \
        (e).LastAccessTime = (INT64)fi->LastAccessTime;                                    \
        (e).LastWriteTime = (INT64)fi->LastWriteTime;                                      \
        (e).ChangeTime = (INT64)fi->ChangeTime;                                            \
        (e).EndOfFile = (INT64)fi->FileSize;                                               \
        (e).AllocationSize = (INT64)fi->AllocationSize;                                    \
        (e).FileAttributes = attrs;                                                         \
        (e).FileNameLength = name_bytes;                                                    \
    } while (0)
    switch (cls) {
    case FileDirectoryInformation:
        FSD_TIMES(u.d);
        base = offsetof(FILE_DIRECTORY_INFORMATION, FileName);
        break;
    case FileFullDirectoryInformation:
        FSD_TIMES(u.f);
        u.f.EaSize = ea;
        base = offsetof(FILE_FULL_DIR_INFORMATION, FileName);
        break;
    case FileBothDirectoryInformation:
        FSD_TIMES(u.b);
        u.b.EaSize = ea;
        base = offsetof(FILE_BOTH_DIR_INFORMATION, FileName);
        break;
    case FileIdBothDirectoryInformation:
        FSD_TIMES(u.ib);
        u.ib.EaSize = ea;
        u.ib.FileId = (INT64)fi->IndexNumber;
        base = offsetof(FILE_ID_BOTH_DIR_INFORMATION, FileName);
        break;
    case FileIdFullDirectoryInformation:
        FSD_TIMES(u.iff);
        u.iff.EaSize = ea;
        u.iff.FileId = (INT64)fi->IndexNumber;
        base = offsetof(FILE_ID_FULL_DIR_INFORMATION, FileName);
        break;
    case FileNamesInformation:
        u.n.FileNameLength = name_bytes;
        base = offsetof(FILE_NAMES_INFORMATION, FileName);
        break;
    }
#undef FSD_TIMES
    memcpy(out, &u, base);
    memcpy(out + base, name, copy);
}

/*
 * Convert the file system's records into the caller's buffer
 * (FspFsvolQueryDirectoryCopy). *out_len is what was written; the marker
 * moves past every record consumed, matched or not.
 */
static NTSTATUS dir_copy(wf_fsd_volume *v, fsd_fobj *f, const dir_class *dc,
    bool single, const void *src, size_t src_len, UINT8 *dst, UINT32 dst_len,
    UINT32 *out_len, UINT64 *marker, bool *marker_set)
{
    bool ci = !f->case_sensitive;
    UINT32 off = 0, prev = UINT32_MAX;
    size_t pos = 0;
    const FSP_FSCTL_DIR_INFO *di;
    NTSTATUS status = STATUS_SUCCESS;
    wf_fsctl_walk walk = WF_FSCTL_WALK_END;
    bool end = false;

    *out_len = 0;
    for (;;) {
        const WCHAR *name;
        size_t nlen;
        UINT32 name_bytes, copy;
        bool match;

        if (pos <= src_len && src_len - pos >= sizeof(UINT16)) {
            UINT16 size;
            memcpy(&size, (const UINT8 *)src + pos, sizeof size);
            if (size == 0) {
                end = true; /* the file system's end-of-listing record */
                break;
            }
        }
        walk = wf_fsctl_dirinfo_next(src, src_len, &pos, &di);
        if (walk != WF_FSCTL_WALK_ITEM)
            break;
        name = di->FileNameBuf;
        nlen = wf_fsctl_dirinfo_name_length(di);
        name_bytes = (UINT32)(nlen * sizeof(WCHAR));
        copy = name_bytes;
        match = !f->dir_pattern ||
            wf_wildcard_match(f->dir_pattern, f->dir_pattern_len, name, nlen, ci);
        if (!match) {
            *marker = di->NextOffset;
            *marker_set = true;
            continue;
        }
        if (off > dst_len || dst_len - off < dc->base + name_bytes) {
            if (*out_len)
                break; /* the caller gets this one next time */
            if (off > dst_len || dst_len - off < dc->base)
                return STATUS_BUFFER_TOO_SMALL;
            copy = dst_len - off - dc->base;
            status = STATUS_BUFFER_OVERFLOW;
        }
        if (prev != UINT32_MAX) {
            UINT32 next = off - prev;
            memcpy(dst + prev, &next, sizeof next);
        }
        fill_entry(v, dc->cls, di, name, name_bytes, copy, dst + off);
        prev = off;
        *out_len = off + dc->base + copy;
        off = (UINT32)fsd_align8((UINT64)off + dc->base + copy);
        *marker = di->NextOffset;
        *marker_set = true;
        if (single || status == STATUS_BUFFER_OVERFLOW)
            break;
    }
    if (walk == WF_FSCTL_WALK_BAD && *out_len == 0)
        return STATUS_INTERNAL_ERROR;
    if (end && *out_len == 0)
        return STATUS_NO_MORE_FILES;
    return status;
}

/* FspFileDescResetDirectory: the pattern of the first query, or of a restart. */
static NTSTATUS dir_reset(fsd_fobj *f, const WCHAR *pattern, size_t plen, bool restart)
{
    if (!f->dir_started || (restart && pattern && plen)) {
        WCHAR *copy = NULL;
        if (pattern && plen && !(plen == 1 && pattern[0] == '*')) {
            copy = malloc(plen * sizeof(WCHAR));
            if (!copy)
                return STATUS_INSUFFICIENT_RESOURCES;
            for (size_t i = 0; i < plen; i++)
                copy[i] = f->case_sensitive ? pattern[i] : wf_ucase(pattern[i]);
        }
        free(f->dir_pattern);
        f->dir_pattern = copy;
        f->dir_pattern_len = copy ? plen : 0;
        f->dir_started = true;
        f->dir_has_such_file = false;
        f->dir_marker_valid = false;
    } else if (restart) {
        f->dir_has_such_file = false;
        f->dir_marker_valid = false;
    }
    return STATUS_SUCCESS;
}

static UINT32 query_length(const wf_fsd_volume *v, const dir_class *dc, UINT32 length,
    bool pattern_is_file_name)
{
    UINT64 min = fsd_align8(sizeof(FSP_FSCTL_DIR_INFO) +
        (UINT64)v->params.MaxComponentLength * sizeof(WCHAR));
    UINT64 want;

    if (pattern_is_file_name)
        return (UINT32)min;
    /* WinFsp's ratio: as many records as entries of 24 characters fit the caller's buffer. */
    want = (UINT64)length * (sizeof(FSP_FSCTL_DIR_INFO) + 24 * sizeof(WCHAR)) /
        (dc->base + 24 * sizeof(WCHAR));
    want = fsd_align8(want);
    if (want < min)
        want = min;
    if (want > FSD_QUERY_DIRECTORY_LENGTH_MAX)
        want = FSD_QUERY_DIRECTORY_LENGTH_MAX;
    return (UINT32)want;
}

static NTSTATUS query_directory(wf_fsd_volume *v, fsd_fobj *f, const dir_class *dc,
    UINT8 *buffer, UINT32 length, bool single, const WCHAR *pattern, size_t plen, bool restart,
    UINT64 *information)
{
    const FSP_FSCTL_VOLUME_PARAMS *vp = &v->params;
    bool wild, is_file_name, pass;
    NTSTATUS status;

    status = dir_reset(f, pattern, plen, restart);
    if (!NT_SUCCESS(status))
        return status;
    wild = !f->dir_pattern || wf_wildcard_has_wildcards(f->dir_pattern, f->dir_pattern_len);
    if (!wild && f->dir_has_such_file)
        return STATUS_NO_MORE_FILES;
    is_file_name = vp->PassQueryDirectoryFileName && !wild;
    pass = is_file_name || (vp->PassQueryDirectoryPattern && f->dir_pattern);

    for (;;) {
        fsd_req *r = fsd_req_new(FspFsctlTransactQueryDirectoryKind);
        UINT32 want = query_length(v, dc, length, is_file_name), out_len = 0;
        UINT64 marker = f->dir_marker;
        bool marker_set = false;

        if (!r)
            return STATUS_INSUFFICIENT_RESOURCES;
        /* The records land in a buffer the request owns, so a caller that gives up is safe. */
        r->data = malloc(want);
        r->data_size = want;
        if (!r->data) {
            fsd_req_free(v, r);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        r->req->Req.QueryDirectory.UserContext = f->user_context;
        r->req->Req.QueryDirectory.UserContext2 = f->user_context2;
        r->req->Req.QueryDirectory.Address = (UINT64)(uintptr_t)r->data;
        r->req->Req.QueryDirectory.Length = want;
        r->req->Req.QueryDirectory.CaseSensitive = f->case_sensitive;
        r->req->Req.QueryDirectory.PatternIsFileName = pass && is_file_name;
        if (pass && !fsd_req_append_name(r, f->dir_pattern, f->dir_pattern_len,
                &r->req->Req.QueryDirectory.Pattern)) {
            fsd_req_free(v, r);
            return STATUS_INVALID_PARAMETER;
        }
        if (f->dir_marker_valid) {
            /* The marker is a name to WinFsp: eight bytes of offset and a NUL WCHAR. */
            UINT8 m[sizeof(UINT64) + sizeof(WCHAR)];
            memcpy(m, &f->dir_marker, sizeof(UINT64));
            memset(m + sizeof(UINT64), 0, sizeof(WCHAR));
            if (!fsd_req_append(r, m, sizeof m, &r->req->Req.QueryDirectory.Marker)) {
                fsd_req_free(v, r);
                return STATUS_INVALID_PARAMETER;
            }
        }
        status = fsd_send(v, &r);
        if (!NT_SUCCESS(status) || !r || r->state != FSD_REQ_DONE) {
            fsd_req_free(v, r);
            return status;
        }
        if (r->rsp->IoStatus.Information == 0) {
            fsd_req_free(v, r);
            return f->dir_has_such_file ? STATUS_NO_MORE_FILES : STATUS_NO_SUCH_FILE;
        }
        if (r->rsp->IoStatus.Information > want) {
            fsd_req_free(v, r);
            return STATUS_INTERNAL_ERROR;
        }
        status = dir_copy(v, f, dc, single, r->data, r->rsp->IoStatus.Information, buffer,
            length, &out_len, &marker, &marker_set);
        fsd_req_free(v, r);
        if (NT_SUCCESS(status) || status == STATUS_BUFFER_OVERFLOW) {
            if (marker_set) {
                f->dir_marker = marker;
                f->dir_marker_valid = true;
            }
            if (out_len)
                f->dir_has_such_file = true;
        } else if (status == STATUS_NO_MORE_FILES && !f->dir_has_such_file) {
            return STATUS_NO_SUCH_FILE;
        }
        if (status == STATUS_SUCCESS && out_len == 0 && marker_set)
            continue; /* nothing matched in this batch: on to the next */
        if (status == STATUS_SUCCESS && out_len == 0)
            return f->dir_has_such_file ? STATUS_NO_MORE_FILES : STATUS_NO_SUCH_FILE;
        *information = out_len;
        return status;
    }
}

NTSTATUS nt_query_directory_file(wf_fsd_volume *volume, nt_handle handle, nt_io_status *iosb,
    void *buffer, UINT32 length, UINT32 info_class, bool return_single_entry,
    const char *pattern, bool restart_scan)
{
    wf_fsd_volume *v = volume;
    const dir_class *dc = NULL;
    WCHAR *wpattern = NULL;
    size_t plen = 0;
    fsd_fobj *f;
    UINT64 information = 0;
    NTSTATUS status = fsd_enter(v);

    if (!NT_SUCCESS(status))
        return fsd_iosb(iosb, status, 0);
    for (size_t i = 0; i < sizeof dir_classes / sizeof dir_classes[0]; i++)
        if (dir_classes[i].cls == info_class)
            dc = &dir_classes[i];
    if (!dc) {
        status = STATUS_INVALID_INFO_CLASS;
        goto exit;
    }
    if (length < dc->min) {
        status = STATUS_INFO_LENGTH_MISMATCH;
        goto exit;
    }
    if (!buffer) {
        status = STATUS_INVALID_USER_BUFFER;
        goto exit;
    }
    status = fsd_handle_ref(v, handle, &f);
    if (!NT_SUCCESS(status))
        goto exit;
    if (!(f->granted & FILE_LIST_DIRECTORY)) {
        status = STATUS_ACCESS_DENIED;
        goto release;
    }
    if (fsd_is_volume(f)) {
        status = STATUS_INVALID_DEVICE_REQUEST;
        goto release;
    }
    if (!f->node->is_dir) {
        status = STATUS_INVALID_PARAMETER;
        goto release;
    }
    if (pattern && *pattern) {
        size_t len = strlen(pattern);
        wpattern = malloc(len * sizeof(WCHAR));
        if (!wpattern) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            goto release;
        }
        if (!NT_SUCCESS(wf_utf8_to_utf16(pattern, len, wpattern, len, &plen, 0)) ||
            !pattern_valid(wpattern, plen, v->params.MaxComponentLength)) {
            status = STATUS_INVALID_PARAMETER;
            goto release;
        }
    }
    pthread_mutex_lock(&f->dir_mutex);
    status = query_directory(v, f, dc, buffer, length, return_single_entry, wpattern, plen,
        restart_scan, &information);
    pthread_mutex_unlock(&f->dir_mutex);
release:
    free(wpattern);
    fsd_fobj_release(v, f);
exit:
    fsd_leave(v);
    return fsd_iosb(iosb, status,
        NT_SUCCESS(status) || status == STATUS_BUFFER_OVERFLOW ? information : 0);
}
