/*
 * fileinfo.c - NtQueryInformationFile and NtSetInformationFile.
 *
 * The I/O manager validates the class and the buffer length first
 * (STATUS_INVALID_INFO_CLASS, STATUS_INFO_LENGTH_MISMATCH), then the
 * handle and the access the class needs; it answers FileAccess-, Mode-
 * and AlignmentInformation itself. The rest is WinFsp's fileinfo.c: the
 * classes built from FSP_FSCTL_FILE_INFO come from the cache while it is
 * fresh (FileInfoTimeout) and from a QueryInformation request otherwise;
 * names are the FSD's own (with STATUS_BUFFER_OVERFLOW and as much as
 * fits when they do not); classes WinFsp leaves out get its answers.
 *
 * Setting: basic information, allocation and end of file go to the file
 * system and their answer refreshes the cache; the position and mode are
 * the file object's; a disposition is asked of the file system and then
 * marks the file delete-pending (the delete itself comes with Cleanup);
 * a rename opens the target's directory first as the I/O manager does,
 * checks open files as WinFsp does (FspFileNodeRenameCheck), and renames
 * the fsd's nodes after the file system did.
 */
#include <stddef.h>
#include <stdlib.h>

#include "engine/path.h"
#include "engine/ucase.h"
#include "fsd/internal.h"

#define FSD_INVALID_FILE_ATTRIBUTES 0xffffffffu

typedef struct class_rule {
    UINT32 cls;
    UINT32 length;               /* the I/O manager's minimum */
    ACCESS_MASK access;          /* what the handle must have been granted */
} class_rule;

static const class_rule query_rules[] = {
    {FileBasicInformation, sizeof(FILE_BASIC_INFORMATION), FILE_READ_ATTRIBUTES},
    {FileStandardInformation, sizeof(FILE_STANDARD_INFORMATION), 0},
    {FileInternalInformation, sizeof(FILE_INTERNAL_INFORMATION), 0},
    {FileEaInformation, sizeof(FILE_EA_INFORMATION), 0},
    {FileAccessInformation, sizeof(FILE_ACCESS_INFORMATION), 0},
    {FileNameInformation, sizeof(FILE_NAME_INFORMATION), 0},
    {FilePositionInformation, sizeof(FILE_POSITION_INFORMATION), 0},
    {FileModeInformation, sizeof(FILE_MODE_INFORMATION), 0},
    {FileAlignmentInformation, sizeof(FILE_ALIGNMENT_INFORMATION), 0},
    {FileAllInformation, sizeof(FILE_ALL_INFORMATION), FILE_READ_ATTRIBUTES},
    {FileAlternateNameInformation, sizeof(FILE_NAME_INFORMATION), 0},
    {FileStreamInformation, sizeof(FILE_STREAM_INFORMATION), 0},
    {FileCompressionInformation, 16, 0},
    {FileNetworkOpenInformation, sizeof(FILE_NETWORK_OPEN_INFORMATION), FILE_READ_ATTRIBUTES},
    {FileAttributeTagInformation, sizeof(FILE_ATTRIBUTE_TAG_INFORMATION), FILE_READ_ATTRIBUTES},
    {FileHardLinkInformation, 32, 0},
    {FileNormalizedNameInformation, sizeof(FILE_NAME_INFORMATION), 0},
    {FileIdInformation, 24, 0},
};

static const class_rule set_rules[] = {
    {FileBasicInformation, sizeof(FILE_BASIC_INFORMATION), FILE_WRITE_ATTRIBUTES},
    {FileRenameInformation, sizeof(FILE_RENAME_INFORMATION), DELETE},
    {FileLinkInformation, sizeof(FILE_RENAME_INFORMATION), 0},
    {FileDispositionInformation, sizeof(FILE_DISPOSITION_INFORMATION), DELETE},
    {FilePositionInformation, sizeof(FILE_POSITION_INFORMATION), 0},
    {FileModeInformation, sizeof(FILE_MODE_INFORMATION), 0},
    {FileAllocationInformation, sizeof(FILE_ALLOCATION_INFORMATION), FILE_WRITE_DATA},
    {FileEndOfFileInformation, sizeof(FILE_END_OF_FILE_INFORMATION), FILE_WRITE_DATA},
    {FileValidDataLengthInformation, sizeof(INT64), FILE_WRITE_DATA},
    {FileShortNameInformation, sizeof(FILE_NAME_INFORMATION), DELETE},
    {FileDispositionInformationEx, sizeof(FILE_DISPOSITION_INFORMATION_EX), DELETE},
    {FileRenameInformationEx, sizeof(FILE_RENAME_INFORMATION), DELETE},
};

static const class_rule *find_rule(const class_rule *rules, size_t count, UINT32 cls)
{
    for (size_t i = 0; i < count; i++)
        if (rules[i].cls == cls)
            return &rules[i];
    return NULL;
}

/* The I/O manager's part of both calls; on success *fobj holds a reference. */
static NTSTATUS info_prologue(wf_fsd_volume *v, nt_handle handle, const void *info,
    UINT32 length, UINT32 cls, bool set, fsd_fobj **fobj)
{
    const class_rule *rule = set
        ? find_rule(set_rules, sizeof set_rules / sizeof set_rules[0], cls)
        : find_rule(query_rules, sizeof query_rules / sizeof query_rules[0], cls);
    NTSTATUS status;

    *fobj = NULL;
    if (!rule)
        return STATUS_INVALID_INFO_CLASS;
    if (length < rule->length)
        return STATUS_INFO_LENGTH_MISMATCH;
    if (!info)
        return STATUS_INVALID_USER_BUFFER;
    status = fsd_handle_ref(v, handle, fobj);
    if (!NT_SUCCESS(status))
        return status;
    if ((rule->access & (*fobj)->granted) != rule->access) {
        fsd_fobj_release(v, *fobj);
        *fobj = NULL;
        return STATUS_ACCESS_DENIED;
    }
    return STATUS_SUCCESS;
}

/* ---- query ---- */

static UINT32 attributes_of(const FSP_FSCTL_FILE_INFO *fi)
{
    return fi->FileAttributes ? fi->FileAttributes : FILE_ATTRIBUTE_NORMAL;
}

static UINT32 ea_size_of(const wf_fsd_volume *v, const FSP_FSCTL_FILE_INFO *fi)
{
    /* NTFS counts four bytes more than the list itself; WinFsp does the same. */
    UINT32 size = v->params.ExtendedAttributes ? fi->EaSize : 0;
    return size ? size + 4 : 0;
}

static UINT32 mode_of(const fsd_fobj *f)
{
    return f->create_options & (FILE_WRITE_THROUGH | FILE_SEQUENTIAL_ONLY |
        FILE_NO_INTERMEDIATE_BUFFERING | FILE_SYNCHRONOUS_IO_ALERT |
        FILE_SYNCHRONOUS_IO_NONALERT | FILE_DELETE_ON_CLOSE);
}

/*
 * FILE_NAME_INFORMATION at out (room bytes, at least its fixed part): the
 * volume prefix and the file's name. Returns the bytes used.
 */
static UINT32 put_name(wf_fsd_volume *v, fsd_fobj *f, UINT8 *out, UINT32 room, NTSTATUS *status)
{
    const WCHAR *prefix = v->params.Prefix;
    size_t plen = 0, nlen, copy;
    UINT32 used = offsetof(FILE_NAME_INFORMATION, FileName), total;
    UINT32 space = room - used;

    while (plen < sizeof v->params.Prefix / sizeof(WCHAR) && prefix[plen])
        plen++;
    pthread_mutex_lock(&v->lock);
    nlen = f->node->name_len;
    total = (UINT32)((plen + nlen) * sizeof(WCHAR));
    memcpy(out, &total, sizeof total);
    *status = STATUS_SUCCESS;
    copy = plen * sizeof(WCHAR);
    if (copy > space) {
        copy = space;
        *status = STATUS_BUFFER_OVERFLOW;
    }
    memcpy(out + used, prefix, copy);
    used += (UINT32)copy;
    space -= (UINT32)copy;
    copy = nlen * sizeof(WCHAR);
    if (copy > space) {
        copy = space;
        *status = STATUS_BUFFER_OVERFLOW;
    }
    memcpy(out + used, f->node->name, copy);
    used += (UINT32)copy;
    pthread_mutex_unlock(&v->lock);
    return used;
}

/* The file's FSP_FSCTL_FILE_INFO: cached while fresh, else asked for. */
static NTSTATUS file_info(wf_fsd_volume *v, fsd_fobj *f, FSP_FSCTL_FILE_INFO *fi)
{
    fsd_req *r;
    NTSTATUS status;

    if (fsd_node_get_info(v, f->node, fi))
        return STATUS_SUCCESS;
    r = fsd_req_new(FspFsctlTransactQueryInformationKind);
    if (!r)
        return STATUS_INSUFFICIENT_RESOURCES;
    r->req->Req.QueryInformation.UserContext = f->user_context;
    r->req->Req.QueryInformation.UserContext2 = f->user_context2;
    r->info_node = f->node;
    status = fsd_send(v, &r);
    if (NT_SUCCESS(status) && r && r->state == FSD_REQ_DONE) {
        *fi = r->rsp->Rsp.QueryInformation.FileInfo;
        fsd_node_try_set_info(v, r, fi);
    }
    fsd_req_free(v, r);
    return status;
}

/* FileStreamInformation from a QueryStreamInformation answer (":name:$DATA" each). */
static NTSTATUS query_streams(wf_fsd_volume *v, fsd_fobj *f, UINT8 *out, UINT32 length,
    UINT64 *information)
{
    static const WCHAR data_suffix[] = {':', '$', 'D', 'A', 'T', 'A'};
    fsd_req *r = fsd_req_new(FspFsctlTransactQueryStreamInformationKind);
    UINT32 base = offsetof(FILE_STREAM_INFORMATION, StreamName), used = 0, prev = UINT32_MAX;
    NTSTATUS status;

    if (!r)
        return STATUS_INSUFFICIENT_RESOURCES;
    r->req->Req.QueryStreamInformation.UserContext = f->user_context;
    r->req->Req.QueryStreamInformation.UserContext2 = f->user_context2;
    status = fsd_send(v, &r);
    if (NT_SUCCESS(status) && r && r->state == FSD_REQ_DONE) {
        FSP_FSCTL_TRANSACT_BUF b = r->rsp->Rsp.QueryStreamInformation.Buffer;
        const void *list;
        const FSP_FSCTL_STREAM_INFO *si;
        size_t pos = 0;

        if (!wf_fsctl_rsp_buf(r->rsp, b, &list)) {
            status = STATUS_INTERNAL_ERROR;
            goto exit;
        }
        while (wf_fsctl_streaminfo_next(list, b.Size, &pos, &si) == WF_FSCTL_WALK_ITEM) {
            FILE_STREAM_INFORMATION e;
            size_t nlen = (si->Size - sizeof *si) / sizeof(WCHAR);
            UINT32 name_bytes = (UINT32)((1 + nlen + 6) * sizeof(WCHAR));
            UINT32 start = (UINT32)fsd_align8(used), copy = name_bytes;
            WCHAR name[1 + 255 + 6];

            if (nlen > 255) {
                status = STATUS_INTERNAL_ERROR;
                goto exit;
            }
            if (start > length || length - start < base) {
                status = used ? STATUS_BUFFER_OVERFLOW : STATUS_BUFFER_TOO_SMALL;
                break;
            }
            if (copy > length - start - base) {
                copy = length - start - base;
                status = STATUS_BUFFER_OVERFLOW;
            }
            name[0] = ':';
            memcpy(name + 1, si->StreamNameBuf, nlen * sizeof(WCHAR));
            memcpy(name + 1 + nlen, data_suffix, sizeof data_suffix);
            if (prev != UINT32_MAX) {
                UINT32 next = start - prev;
                memcpy(out + prev, &next, sizeof next);
            }
            memset(&e, 0, sizeof e);
            e.StreamNameLength = name_bytes;
            e.StreamSize = (INT64)si->StreamSize;
            e.StreamAllocationSize = (INT64)si->StreamAllocationSize;
            memcpy(out + start, &e, base);
            memcpy(out + start + base, name, copy);
            prev = start;
            used = start + base + copy;
            if (status == STATUS_BUFFER_OVERFLOW)
                break;
        }
        *information = used;
    }
exit:
    fsd_req_free(v, r);
    return status;
}

NTSTATUS nt_query_information_file(wf_fsd_volume *volume, nt_handle handle, nt_io_status *iosb,
    void *info, UINT32 length, UINT32 info_class)
{
    wf_fsd_volume *v = volume;
    UINT8 *out = info;
    fsd_fobj *f;
    FSP_FSCTL_FILE_INFO fi;
    UINT64 information = 0;
    NTSTATUS status = fsd_enter(v);

    if (!NT_SUCCESS(status))
        return fsd_iosb(iosb, status, 0);
    status = info_prologue(v, handle, info, length, info_class, false, &f);
    if (!NT_SUCCESS(status))
        goto exit;

    /* What the I/O manager answers from the file object alone. */
    switch (info_class) {
    case FileAccessInformation: {
        FILE_ACCESS_INFORMATION a = {f->granted};
        memcpy(out, &a, sizeof a);
        information = sizeof a;
        goto release;
    }
    case FileModeInformation: {
        FILE_MODE_INFORMATION m = {mode_of(f)};
        memcpy(out, &m, sizeof m);
        information = sizeof m;
        goto release;
    }
    case FileAlignmentInformation: {
        FILE_ALIGNMENT_INFORMATION a = {0}; /* FILE_BYTE_ALIGNMENT */
        memcpy(out, &a, sizeof a);
        information = sizeof a;
        goto release;
    }
    case FilePositionInformation: {
        FILE_POSITION_INFORMATION p;
        pthread_mutex_lock(&v->lock);
        p.CurrentByteOffset = f->position;
        pthread_mutex_unlock(&v->lock);
        memcpy(out, &p, sizeof p);
        information = sizeof p;
        goto release;
    }
    }
    if (fsd_is_volume(f)) {
        status = STATUS_INVALID_PARAMETER;
        goto release;
    }

    switch (info_class) {
    case FileInternalInformation: {
        FILE_INTERNAL_INFORMATION i = {(INT64)f->node->index_number};
        memcpy(out, &i, sizeof i);
        information = sizeof i;
        goto release;
    }
    case FileNameInformation:
    case FileNormalizedNameInformation:
        information = put_name(v, f, out, length, &status);
        goto release;
    case FileAlternateNameInformation:
        status = STATUS_OBJECT_NAME_NOT_FOUND; /* no short names */
        goto release;
    case FileCompressionInformation:
    case FileIdInformation:
        status = STATUS_INVALID_PARAMETER;
        goto release;
    case FileHardLinkInformation:
        status = STATUS_NOT_SUPPORTED;
        goto release;
    case FileStreamInformation:
        status = query_streams(v, f, out, length, &information);
        goto release;
    }

    status = file_info(v, f, &fi);
    if (!NT_SUCCESS(status))
        goto release;
    switch (info_class) {
    case FileBasicInformation: {
        FILE_BASIC_INFORMATION b;
        memset(&b, 0, sizeof b);
        b.CreationTime = (INT64)fi.CreationTime;
        b.LastAccessTime = (INT64)fi.LastAccessTime;
        b.LastWriteTime = (INT64)fi.LastWriteTime;
        b.ChangeTime = (INT64)fi.ChangeTime;
        b.FileAttributes = attributes_of(&fi);
        memcpy(out, &b, sizeof b);
        information = sizeof b;
        break;
    }
    case FileStandardInformation: {
        FILE_STANDARD_INFORMATION s;
        memset(&s, 0, sizeof s);
        s.AllocationSize = (INT64)fi.AllocationSize;
        s.EndOfFile = (INT64)fi.FileSize;
        s.NumberOfLinks = 1;
        pthread_mutex_lock(&v->lock);
        s.DeletePending = f->node->delete_pending || f->delete_pending;
        pthread_mutex_unlock(&v->lock);
        s.Directory = f->node->is_dir;
        memcpy(out, &s, sizeof s);
        information = sizeof s;
        break;
    }
    case FileEaInformation: {
        FILE_EA_INFORMATION e = {ea_size_of(v, &fi)};
        memcpy(out, &e, sizeof e);
        information = sizeof e;
        break;
    }
    case FileNetworkOpenInformation: {
        FILE_NETWORK_OPEN_INFORMATION n;
        memset(&n, 0, sizeof n);
        n.CreationTime = (INT64)fi.CreationTime;
        n.LastAccessTime = (INT64)fi.LastAccessTime;
        n.LastWriteTime = (INT64)fi.LastWriteTime;
        n.ChangeTime = (INT64)fi.ChangeTime;
        n.AllocationSize = (INT64)fi.AllocationSize;
        n.EndOfFile = (INT64)fi.FileSize;
        n.FileAttributes = attributes_of(&fi);
        memcpy(out, &n, sizeof n);
        information = sizeof n;
        break;
    }
    case FileAttributeTagInformation: {
        FILE_ATTRIBUTE_TAG_INFORMATION t = {attributes_of(&fi), fi.ReparseTag};
        memcpy(out, &t, sizeof t);
        information = sizeof t;
        break;
    }
    case FileAllInformation: {
        FILE_ALL_INFORMATION a;
        memset(&a, 0, sizeof a);
        a.BasicInformation.CreationTime = (INT64)fi.CreationTime;
        a.BasicInformation.LastAccessTime = (INT64)fi.LastAccessTime;
        a.BasicInformation.LastWriteTime = (INT64)fi.LastWriteTime;
        a.BasicInformation.ChangeTime = (INT64)fi.ChangeTime;
        a.BasicInformation.FileAttributes = attributes_of(&fi);
        a.StandardInformation.AllocationSize = (INT64)fi.AllocationSize;
        a.StandardInformation.EndOfFile = (INT64)fi.FileSize;
        a.StandardInformation.NumberOfLinks = 1;
        pthread_mutex_lock(&v->lock);
        a.StandardInformation.DeletePending = f->node->delete_pending || f->delete_pending;
        a.PositionInformation.CurrentByteOffset = f->position;
        pthread_mutex_unlock(&v->lock);
        a.StandardInformation.Directory = f->node->is_dir;
        a.InternalInformation.IndexNumber = (INT64)f->node->index_number;
        a.EaInformation.EaSize = ea_size_of(v, &fi);
        a.AccessInformation.AccessFlags = f->granted;
        a.ModeInformation.Mode = mode_of(f);
        a.AlignmentInformation.AlignmentRequirement = 0;
        memcpy(out, &a, offsetof(FILE_ALL_INFORMATION, NameInformation));
        information = offsetof(FILE_ALL_INFORMATION, NameInformation) +
            put_name(v, f, out + offsetof(FILE_ALL_INFORMATION, NameInformation),
                length - (UINT32)offsetof(FILE_ALL_INFORMATION, NameInformation), &status);
        break;
    }
    }
release:
    fsd_fobj_release(v, f);
exit:
    fsd_leave(v);
    return fsd_iosb(iosb, status,
        NT_SUCCESS(status) || status == STATUS_BUFFER_OVERFLOW ? information : 0);
}

/* ---- set: requests answered with FILE_INFO ---- */

static NTSTATUS set_with_request(wf_fsd_volume *v, fsd_fobj *f, UINT32 cls, const UINT8 *info)
{
    const FSP_FSCTL_VOLUME_PARAMS *vp = &v->params;
    fsd_req *r;
    NTSTATUS status;
    bool truncating = false;
    FILE_BASIC_INFORMATION b;

    if (cls == FileBasicInformation) {
        memcpy(&b, info, sizeof b);
        if (f->node->is_dir && (b.FileAttributes & FILE_ATTRIBUTE_TEMPORARY))
            return STATUS_INVALID_PARAMETER;
    } else if (f->node->is_dir) {
        /* Directories have no size to set. */
        return STATUS_INVALID_PARAMETER;
    }
    r = fsd_req_new(FspFsctlTransactSetInformationKind);
    if (!r)
        return STATUS_INSUFFICIENT_RESOURCES;
    r->req->Req.SetInformation.UserContext = f->user_context;
    r->req->Req.SetInformation.UserContext2 = f->user_context2;
    r->req->Req.SetInformation.FileInformationClass = cls;
    switch (cls) {
    case FileBasicInformation: {
        UINT32 attrs = b.FileAttributes;
        if (attrs == 0) {
            attrs = FSD_INVALID_FILE_ATTRIBUTES; /* leave them */
        } else {
            attrs &= ~(UINT32)(FILE_ATTRIBUTE_NORMAL | FILE_ATTRIBUTE_DIRECTORY);
            if (f->node->is_dir)
                attrs |= FILE_ATTRIBUTE_DIRECTORY;
        }
        r->req->Req.SetInformation.Info.Basic.FileAttributes = attrs;
        /* -1 means "stop updating it for this handle"; WinFsp passes "leave it" (0). */
        r->req->Req.SetInformation.Info.Basic.CreationTime =
            b.CreationTime != -1 ? (UINT64)b.CreationTime : 0;
        r->req->Req.SetInformation.Info.Basic.LastAccessTime =
            b.LastAccessTime != -1 ? (UINT64)b.LastAccessTime : 0;
        r->req->Req.SetInformation.Info.Basic.LastWriteTime =
            b.LastWriteTime != -1 ? (UINT64)b.LastWriteTime : 0;
        r->req->Req.SetInformation.Info.Basic.ChangeTime =
            b.ChangeTime != -1 ? (UINT64)b.ChangeTime : 0;
        break;
    }
    case FileAllocationInformation: {
        FILE_ALLOCATION_INFORMATION a;
        UINT64 unit = (UINT64)vp->SectorSize * vp->SectorsPerAllocationUnit, size;
        memcpy(&a, info, sizeof a);
        if (a.AllocationSize < 0) {
            fsd_req_free(v, r);
            return STATUS_INVALID_PARAMETER;
        }
        /*
         * Sent as asked, not rounded up to the allocation unit as WinFsp's FSD
         * does: an allocation below the end of file then cuts the file there,
         * as on NTFS.
         */
        size = (UINT64)a.AllocationSize;
        (void)unit;
        r->req->Req.SetInformation.Info.Allocation.AllocationSize = size;
        truncating = true;
        break;
    }
    case FileEndOfFileInformation: {
        FILE_END_OF_FILE_INFORMATION e;
        memcpy(&e, info, sizeof e);
        if (e.EndOfFile < 0) {
            fsd_req_free(v, r);
            return STATUS_INVALID_PARAMETER;
        }
        r->req->Req.SetInformation.Info.EndOfFile.FileSize = (UINT64)e.EndOfFile;
        truncating = true;
        break;
    }
    }
    r->info_node = f->node;
    status = fsd_send(v, &r);
    if (NT_SUCCESS(status) && r && r->state == FSD_REQ_DONE) {
        fsd_node_change_info(v, r, &r->rsp->Rsp.SetInformation.FileInfo, truncating);
        pthread_mutex_lock(&v->lock);
        if (truncating) {
            f->modified = true;
        } else {
            const FSP_FSCTL_TRANSACT_REQ *q = r->req;
            if (q->Req.SetInformation.Info.Basic.FileAttributes != FSD_INVALID_FILE_ATTRIBUTES)
                f->did_set_attributes = true;
            if (q->Req.SetInformation.Info.Basic.CreationTime)
                f->did_set_creation = true;
            if (q->Req.SetInformation.Info.Basic.LastAccessTime)
                f->did_set_atime = true;
            if (q->Req.SetInformation.Info.Basic.LastWriteTime)
                f->did_set_mtime = true;
            if (q->Req.SetInformation.Info.Basic.ChangeTime)
                f->did_set_ctime = true;
            f->did_set_metadata = true;
        }
        pthread_mutex_unlock(&v->lock);
    }
    fsd_req_free(v, r);
    return status;
}

/* ---- set: disposition ---- */

static NTSTATUS set_disposition(wf_fsd_volume *v, fsd_fobj *f, UINT32 cls, const UINT8 *info)
{
    fsd_node *n = f->node;
    UINT32 flags;
    fsd_req *r;
    NTSTATUS status;

    if (cls == FileDispositionInformation) {
        flags = info[0] ? FILE_DISPOSITION_DELETE : 0;
    } else {
        if (!v->params.SupportsPosixUnlinkRename)
            return STATUS_INVALID_PARAMETER;
        memcpy(&flags, info, sizeof flags);
        if (flags & FILE_DISPOSITION_ON_CLOSE)
            return STATUS_NOT_SUPPORTED;
    }
    if (n->is_root)
        return STATUS_CANNOT_DELETE;
    pthread_mutex_lock(&v->lock);
    if (n->posix_delete) {
        pthread_mutex_unlock(&v->lock);
        return STATUS_FILE_DELETED;
    }
    if (flags & FILE_DISPOSITION_DELETE)
        flags &= FILE_DISPOSITION_DELETE | FILE_DISPOSITION_POSIX_SEMANTICS |
            FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE;
    else
        flags = FILE_DISPOSITION_DO_NOT_DELETE;
    /* WinFsp remembers a refused delete for the handle (Win10's DeleteFileW asks twice). */
    if ((flags & ~(UINT32)FILE_DISPOSITION_POSIX_SEMANTICS) == FILE_DISPOSITION_DELETE &&
        f->disposition_status != STATUS_SUCCESS) {
        status = f->disposition_status;
        pthread_mutex_unlock(&v->lock);
        return status;
    }
    f->disposition_status = STATUS_SUCCESS;
    r = fsd_req_new(FspFsctlTransactSetInformationKind);
    if (!r || !fsd_req_append_name(r, n->name, n->name_len, &r->req->FileName)) {
        pthread_mutex_unlock(&v->lock);
        fsd_req_free(v, r);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    pthread_mutex_unlock(&v->lock);
    r->req->Req.SetInformation.UserContext = f->user_context;
    r->req->Req.SetInformation.UserContext2 = f->user_context2;
    r->req->Req.SetInformation.FileInformationClass = cls;
    r->req->Req.SetInformation.Info.DispositionEx.Flags = flags;
    status = fsd_send(v, &r);
    pthread_mutex_lock(&v->lock);
    if (NT_SUCCESS(status) && r && r->state == FSD_REQ_DONE) {
        bool del = (flags & FILE_DISPOSITION_DELETE) != 0;
        n->delete_pending = del;
        f->delete_pending = del;
        if (!del)
            f->posix_delete = false;
        else if (flags & FILE_DISPOSITION_POSIX_SEMANTICS)
            f->posix_delete = true;
    } else if ((status == STATUS_ACCESS_DENIED || status == STATUS_DIRECTORY_NOT_EMPTY ||
                   status == STATUS_CANNOT_DELETE) &&
        (flags & ~(UINT32)FILE_DISPOSITION_POSIX_SEMANTICS) == FILE_DISPOSITION_DELETE) {
        f->disposition_status = status;
    }
    pthread_mutex_unlock(&v->lock);
    fsd_req_free(v, r);
    return status;
}

/* ---- set: rename ---- */

/* The I/O manager's target open: the directory the new name goes in. */
static NTSTATUS open_rename_target(wf_fsd_volume *v, fsd_fobj *f, nt_handle root,
    const WCHAR *name, size_t len, bool replace, fsd_fobj **target)
{
    fsd_open_args a;
    WCHAR *full = NULL;
    size_t full_len = 0;
    UINT64 information = 0;
    NTSTATUS status;

    *target = NULL;
    if (root) {
        fsd_fobj *rf;
        status = fsd_handle_ref(v, root, &rf);
        if (!NT_SUCCESS(status))
            return status;
        if (fsd_is_volume(rf) || (len && name[0] == '\\')) {
            fsd_fobj_release(v, rf);
            return STATUS_INVALID_PARAMETER;
        }
        pthread_mutex_lock(&v->lock);
        full_len = rf->node->name_len + (rf->node->name_len > 1) + len;
        full = malloc((full_len + 1) * sizeof(WCHAR));
        if (full) {
            size_t rl = rf->node->name_len;
            memcpy(full, rf->node->name, rl * sizeof(WCHAR));
            if (rl > 1)
                full[rl++] = '\\';
            memcpy(full + rl, name, len * sizeof(WCHAR));
        }
        pthread_mutex_unlock(&v->lock);
        fsd_fobj_release(v, rf);
    } else {
        full_len = len;
        full = malloc((len + 1) * sizeof(WCHAR));
        if (full)
            memcpy(full, name, len * sizeof(WCHAR));
    }
    if (!full)
        return STATUS_INSUFFICIENT_RESOURCES;
    memset(&a, 0, sizeof a);
    a.name = full;
    a.name_len = full_len;
    a.access = (f->node->is_dir ? FILE_ADD_SUBDIRECTORY : FILE_WRITE_DATA) | SYNCHRONIZE;
    a.share = FILE_SHARE_READ | FILE_SHARE_WRITE;
    a.disposition = FILE_OPEN;
    a.options = FILE_OPEN_FOR_BACKUP_INTENT;
    a.open_target_directory = true;
    status = fsd_open(v, &a, target, &information);
    if (NT_SUCCESS(status) && information == FILE_EXISTS && !replace) {
        /* The file's own name (in another case, where case does not count) is no collision. */
        bool self;
        pthread_mutex_lock(&v->lock);
        self = f->node->name_len == full_len &&
            (v->params.CaseSensitiveSearch
                    ? !memcmp(f->node->name, full, full_len * sizeof(WCHAR))
                    : wf_ucase_equal(f->node->name, full_len, full, full_len));
        pthread_mutex_unlock(&v->lock);
        if (!self) {
            fsd_open_close(v, *target);
            *target = NULL;
            status = STATUS_OBJECT_NAME_COLLISION;
        }
    }
    free(full);
    return status;
}

static NTSTATUS set_rename(wf_fsd_volume *v, fsd_fobj *f, UINT32 cls, const UINT8 *info,
    UINT32 length)
{
    FILE_RENAME_INFORMATION ri;
    size_t base = offsetof(FILE_RENAME_INFORMATION, FileName), len, suffix_off, remain_len;
    WCHAR *given = NULL, *remain = NULL, *renamed = NULL;
    fsd_fobj *target = NULL;
    fsd_node *n = f->node;
    UINT32 flags;
    bool replace, posix;
    fsd_req *r = NULL;
    NTSTATUS status;

    memcpy(&ri, info, base);
    if (ri.FileNameLength > length - base || (ri.FileNameLength & 1) ||
        ri.FileNameLength < sizeof(WCHAR))
        return STATUS_INVALID_PARAMETER;
    if (cls == FileRenameInformationEx) {
        if (!v->params.SupportsPosixUnlinkRename)
            return STATUS_INVALID_PARAMETER;
        replace = (ri.Flags & FILE_RENAME_REPLACE_IF_EXISTS) != 0;
        flags = replace | (ri.Flags & (FILE_RENAME_POSIX_SEMANTICS |
            FILE_RENAME_IGNORE_READONLY_ATTRIBUTE));
    } else {
        replace = ri.ReplaceIfExists != 0;
        flags = replace;
    }
    posix = (flags & FILE_RENAME_POSIX_SEMANTICS) != 0;
    if (n->is_root)
        return STATUS_INVALID_PARAMETER;
    len = ri.FileNameLength / sizeof(WCHAR);
    given = malloc(len * sizeof(WCHAR));
    if (!given)
        return STATUS_INSUFFICIENT_RESOURCES;
    memcpy(given, info + base, len * sizeof(WCHAR));

    /* A full path or one relative to a directory names the target's directory too. */
    if (ri.RootDirectory || given[0] == '\\') {
        status = open_rename_target(v, f, ri.RootDirectory, given, len, replace, &target);
        if (!NT_SUCCESS(status))
            goto exit;
    }

    pthread_rwlock_wrlock(&v->rename_lock);
    pthread_mutex_lock(&v->lock);
    if (n->posix_delete) {
        pthread_mutex_unlock(&v->lock);
        status = STATUS_ACCESS_DENIED;
        goto unlock;
    }
    /* The new name: the target directory (or ours) and the last component given. */
    {
        const WCHAR *dir = target ? target->node->name : n->name;
        size_t dir_len = target ? target->node->name_len : n->name_len;
        if (!target) {
            size_t name_off;
            wf_path_split_last(n->name, n->name_len, &dir_len, &name_off);
        }
        remain_len = dir_len;
        remain = malloc((dir_len ? dir_len : 1) * sizeof(WCHAR));
        if (remain)
            memcpy(remain, dir, dir_len * sizeof(WCHAR));
    }
    pthread_mutex_unlock(&v->lock);
    if (!remain) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto unlock;
    }
    /* NTFS allows a trailing backslash, for files and directories alike. */
    if (len >= 2 && given[len - 1] == '\\')
        len--;
    suffix_off = 0;
    for (size_t i = 0; i < len; i++)
        if (given[i] == '\\')
            suffix_off = i + 1;
    if (!NT_SUCCESS(wf_path_validate(remain, remain_len, v->params.MaxComponentLength, 0, 0,
            NULL)) ||
        !NT_SUCCESS(wf_name_validate(given + suffix_off, len - suffix_off,
            v->params.MaxComponentLength, 0))) {
        status = STATUS_INVALID_PARAMETER;
        goto unlock;
    }
    {
        size_t rl = remain_len, sl = len - suffix_off;
        bool sep = rl > 1;
        renamed = malloc((rl + sep + sl) * sizeof(WCHAR));
        if (!renamed) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            goto unlock;
        }
        memcpy(renamed, remain, rl * sizeof(WCHAR));
        if (sep)
            renamed[rl] = '\\';
        memcpy(renamed + rl + sep, given + suffix_off, sl * sizeof(WCHAR));
        len = rl + sep + sl;
    }

    /* Open files in the way: the source's subtree, then the target's. */
    pthread_mutex_lock(&v->lock);
    {
        WCHAR *old = malloc(n->name_len * sizeof(WCHAR));
        size_t old_len = n->name_len;
        if (old)
            memcpy(old, n->name, old_len * sizeof(WCHAR));
        pthread_mutex_unlock(&v->lock);
        if (!old) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            goto unlock;
        }
        status = fsd_rename_check(v, n, old, old_len, true, posix);
        if (NT_SUCCESS(status)) {
            if (!fsd_name_equal(v, old, old_len, renamed, len)) {
                status = fsd_rename_check(v, n, renamed, len, false, posix);
            } else if (old_len == len && 0 == memcmp(old, renamed, len * sizeof(WCHAR))) {
                /* The very same name: nothing to ask of the file system. */
                free(old);
                status = STATUS_SUCCESS;
                goto unlock;
            }
        }
        if (!NT_SUCCESS(status)) {
            if (status != STATUS_SHARING_VIOLATION)
                status = STATUS_ACCESS_DENIED;
            free(old);
            goto unlock;
        }
        r = fsd_req_new(FspFsctlTransactSetInformationKind);
        if (!r || !fsd_req_append_name(r, old, old_len, &r->req->FileName) ||
            !fsd_req_append_name(r, renamed, len,
                &r->req->Req.SetInformation.Info.Rename.NewFileName)) {
            free(old);
            status = STATUS_INVALID_PARAMETER;
            goto unlock;
        }
        free(old);
    }
    r->req->Req.SetInformation.UserContext = f->user_context;
    r->req->Req.SetInformation.UserContext2 = f->user_context2;
    r->req->Req.SetInformation.FileInformationClass = cls;
    r->req->Req.SetInformation.Info.RenameEx.Flags = flags;
    /* "Replace if exists" travels as the caller's access token. */
    r->req->Req.SetInformation.Info.Rename.AccessToken = replace ? fsd_req_token(v, r) : 0;
    status = fsd_send(v, &r);
    if (NT_SUCCESS(status) && r && r->state == FSD_REQ_DONE)
        fsd_node_rename(v, n, renamed, len);

unlock:
    pthread_rwlock_unlock(&v->rename_lock);
exit:
    fsd_req_free(v, r);
    fsd_open_close(v, target);
    free(renamed);
    free(remain);
    free(given);
    return status;
}

NTSTATUS nt_set_information_file(wf_fsd_volume *volume, nt_handle handle, nt_io_status *iosb,
    const void *info, UINT32 length, UINT32 info_class)
{
    wf_fsd_volume *v = volume;
    const UINT8 *in = info;
    fsd_fobj *f;
    NTSTATUS status = fsd_enter(v);

    if (!NT_SUCCESS(status))
        return fsd_iosb(iosb, status, 0);
    status = info_prologue(v, handle, info, length, info_class, true, &f);
    if (!NT_SUCCESS(status))
        goto exit;

    switch (info_class) {
    case FilePositionInformation: {
        FILE_POSITION_INFORMATION p;
        memcpy(&p, in, sizeof p);
        if (p.CurrentByteOffset < 0 ||
            ((f->create_options & FILE_NO_INTERMEDIATE_BUFFERING) &&
                (p.CurrentByteOffset & (v->params.SectorSize - 1))))
            status = STATUS_INVALID_PARAMETER;
        else {
            pthread_mutex_lock(&v->lock);
            f->position = p.CurrentByteOffset;
            pthread_mutex_unlock(&v->lock);
        }
        goto release;
    }
    case FileModeInformation: {
        FILE_MODE_INFORMATION m;
        UINT32 sync = FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT;
        memcpy(&m, in, sizeof m);
        /* Only these may change, and a file object cannot change its synchronicity. */
        if ((m.Mode & ~(FILE_WRITE_THROUGH | FILE_SEQUENTIAL_ONLY | sync)) ||
            (m.Mode & sync) == sync || !(m.Mode & sync) != !f->synchronous)
            status = STATUS_INVALID_PARAMETER;
        else {
            pthread_mutex_lock(&v->lock);
            f->create_options = (f->create_options &
                ~(UINT32)(FILE_WRITE_THROUGH | FILE_SEQUENTIAL_ONLY | sync)) | m.Mode;
            pthread_mutex_unlock(&v->lock);
        }
        goto release;
    }
    }
    if (fsd_is_volume(f)) {
        status = STATUS_INVALID_PARAMETER;
        goto release;
    }
    switch (info_class) {
    case FileBasicInformation:
    case FileAllocationInformation:
    case FileEndOfFileInformation:
        status = set_with_request(v, f, info_class, in);
        break;
    case FileDispositionInformation:
    case FileDispositionInformationEx:
        status = set_disposition(v, f, info_class, in);
        break;
    case FileRenameInformation:
    case FileRenameInformationEx:
        status = set_rename(v, f, info_class, in, length);
        break;
    case FileLinkInformation:
        status = STATUS_NOT_SUPPORTED; /* no hard links */
        break;
    default:
        /* ValidDataLength and short names: WinFsp keeps neither. */
        status = STATUS_INVALID_PARAMETER;
        break;
    }
release:
    fsd_fobj_release(v, f);
exit:
    fsd_leave(v);
    return fsd_iosb(iosb, status, 0);
}
