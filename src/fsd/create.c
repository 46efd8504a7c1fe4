/*
 * create.c - NtCreateFile: opening and creating files.
 *
 * First what the I/O manager checks (parameters, generic rights, the
 * name relative to a root handle), then what WinFsp's FSD does (create.c
 * FspFsvolCreateNoLock and FspFsvolCreateComplete): validate the name,
 * strip and report a trailing backslash, refuse what the root cannot be,
 * send Create with the caller's access token; on success find or insert
 * the file's node, where delete-pending and share access are checked, and
 * for FILE_OVERWRITTEN or FILE_SUPERSEDED follow with Overwrite. Every
 * open the file system granted but the fsd then refuses is closed again
 * (FspFsvolCreatePostClose).
 *
 * Symbolic links: the engine opens a link itself (it has no STATUS_REPARSE
 * answer), as WinFsp's user-mode side sees one before resolving it. So,
 * as that side does for an open without FILE_OPEN_REPARSE_POINT, the fsd
 * reads the link (FSCTL_GET_REPARSE_POINT), closes it and opens the
 * target instead: a relative target relative to the link's directory, a
 * rooted one ("\dir\file") from the volume root. A link in the middle of
 * a path shows up as STATUS_OBJECT_PATH_NOT_FOUND (and one named with
 * FILE_DIRECTORY_FILE or a trailing backslash as not a directory); then
 * the fsd probes the path's prefixes for the link and continues through
 * it, as the I/O manager reparses. A target outside the volume ("\??\C:\",
 * ".." above the root) cannot be followed here: STATUS_REPARSE_POINT_NOT_-
 * RESOLVED, as for a chain longer than FSD_REPARSE_MAX links. Other
 * reparse tags are not handled by anyone: STATUS_IO_REPARSE_TAG_NOT_HANDLED.
 */
#include <stdlib.h>

#include "engine/path.h"
#include "engine/ucase.h"
#include "engine/utf.h"
#include "fsd/internal.h"

#define FSD_CREATE_DIRECTORY_OPTIONS                                                      \
    (FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT |    \
        FILE_WRITE_THROUGH | FILE_COMPLETE_IF_OPLOCKED | FILE_OPEN_FOR_BACKUP_INTENT |   \
        FILE_DELETE_ON_CLOSE | FILE_OPEN_FOR_FREE_SPACE_QUERY | FILE_OPEN_BY_FILE_ID |   \
        FILE_OPEN_REPARSE_POINT)

/* One attempt at an open, and what it found. */
typedef struct create_ctx {
    const fsd_open_args *a;
    const WCHAR *name;
    size_t len;
    fsd_fobj *fobj;              /* out: the open file object */
    UINT64 information;          /* out: FILE_OPENED, ... */
    FSP_FSCTL_FILE_INFO info;    /* out: as the Create answered */
    WCHAR *reparse;              /* out, STATUS_REPARSE: open this instead (malloc'd) */
    size_t reparse_len;
} create_ctx;

static ACCESS_MASK map_generic(ACCESS_MASK a)
{
    if (a & GENERIC_READ)
        a |= FILE_GENERIC_READ;
    if (a & GENERIC_WRITE)
        a |= FILE_GENERIC_WRITE;
    if (a & GENERIC_EXECUTE)
        a |= FILE_GENERIC_EXECUTE;
    if (a & GENERIC_ALL)
        a |= FILE_ALL_ACCESS;
    return a & ~(ACCESS_MASK)(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL);
}

static UINT32 get32(const UINT8 *p)
{
    return (UINT32)p[0] | (UINT32)p[1] << 8 | (UINT32)p[2] << 16 | (UINT32)p[3] << 24;
}

static UINT16 get16(const UINT8 *p)
{
    return (UINT16)(p[0] | p[1] << 8);
}

/*
 * IoCheckEaBufferValidity: FILE_FULL_EA_INFORMATION entries (NextEntryOffset,
 * Flags, EaNameLength, EaValueLength, the NUL-terminated name, the value),
 * each but the last padded to 4 bytes. *error_offset names the bad entry.
 */
static NTSTATUS ea_validate(const UINT8 *ea, size_t len, UINT64 *error_offset)
{
    size_t off = 0;

    for (;;) {
        size_t left = len - off, size;
        UINT32 next;
        UINT8 name_len;

        *error_offset = off;
        if (left < 8)
            return STATUS_EA_LIST_INCONSISTENT;
        next = get32(ea + off);
        name_len = ea[off + 5];
        size = 8 + (size_t)name_len + 1 + get16(ea + off + 6);
        if (size > left || ea[off + 8 + name_len] != 0)
            return STATUS_EA_LIST_INCONSISTENT;
        if (name_len == 0)
            return STATUS_INVALID_EA_NAME;
        for (UINT8 i = 0; i < name_len; i++) {
            UINT8 ch = ea[off + 8 + i];
            if (ch < 0x20 || ch > 0x7e || memchr("\"*+,/:;<=>?[\\]|", ch, 16))
                return STATUS_INVALID_EA_NAME;
        }
        if (next == 0)
            break;
        if (next != ((size + 3) & ~(size_t)3) || next > left)
            return STATUS_EA_LIST_INCONSISTENT;
        off += next;
    }
    *error_offset = 0;
    return STATUS_SUCCESS;
}

/* ---- symbolic link targets ---- */

static bool append_component(WCHAR *out, size_t *out_len, const WCHAR *c, size_t clen)
{
    if (clen == 1 && c[0] == '.')
        return true;
    if (clen == 2 && c[0] == '.' && c[1] == '.') {
        if (*out_len == 0)
            return false; /* above the volume root */
        while (*out_len && out[*out_len - 1] != '\\')
            (*out_len)--;
        (*out_len)--; /* the separator */
        return true;
    }
    out[(*out_len)++] = '\\';
    memcpy(out + *out_len, c, clen * sizeof(WCHAR));
    *out_len += clen;
    return true;
}

/*
 * The path a symbolic link at link[0, link_len) leads to, followed by
 * rest (what of the opened path lay beyond the link, "" or "\more").
 */
static NTSTATUS reparse_target(const WCHAR *link, size_t link_len, const UINT8 *rp,
    size_t rp_len, const WCHAR *rest, size_t rest_len, WCHAR **out, size_t *out_len)
{
    size_t sub_off, sub_len, pos, n = 0, base;
    const UINT8 *names;
    WCHAR *sub, *buf;
    bool relative;

    if (!NT_SUCCESS(fsd_validate_reparse_buffer(rp, rp_len)))
        return STATUS_REPARSE_POINT_NOT_RESOLVED;
    if (get32(rp) != IO_REPARSE_TAG_SYMLINK)
        return STATUS_IO_REPARSE_TAG_NOT_HANDLED;
    sub_off = get16(rp + 8);
    sub_len = get16(rp + 10) / sizeof(WCHAR);
    relative = (get32(rp + 16) & SYMLINK_FLAG_RELATIVE) != 0;
    names = rp + 20;
    if (sub_len == 0)
        return STATUS_REPARSE_POINT_NOT_RESOLVED;
    sub = malloc(sub_len * sizeof(WCHAR));
    buf = malloc((link_len + sub_len + rest_len + 2) * sizeof(WCHAR));
    if (!sub || !buf) {
        free(sub);
        free(buf);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    memcpy(sub, names + sub_off, sub_len * sizeof(WCHAR));
    if (relative) {
        /* The link's directory, without its trailing separator ("" for the root). */
        size_t parent_len, name_off;
        wf_path_split_last(link, link_len, &parent_len, &name_off);
        base = parent_len == 1 ? 0 : parent_len;
        memcpy(buf, link, base * sizeof(WCHAR));
        n = base;
        if (sub[0] == '\\')
            goto unresolved;
    } else if (sub[0] != '\\' || (sub_len >= 4 && sub[1] == '?' && sub[2] == '?' &&
                   sub[3] == '\\') || (sub_len >= 2 && sub[1] == '\\')) {
        /* An NT path to another device, or a drive: not on this volume. */
        goto unresolved;
    }
    for (pos = 0; pos < sub_len;) {
        size_t start;
        while (pos < sub_len && sub[pos] == '\\')
            pos++;
        start = pos;
        while (pos < sub_len && sub[pos] != '\\')
            pos++;
        if (pos > start && !append_component(buf, &n, sub + start, pos - start))
            goto unresolved;
    }
    if (n == 0 && (rest_len == 0 || rest[0] != '\\'))
        buf[n++] = '\\';
    if (rest_len)
        memcpy(buf + n, rest, rest_len * sizeof(WCHAR));
    n += rest_len;
    free(sub);
    *out = buf;
    *out_len = n;
    return STATUS_REPARSE;

unresolved:
    free(sub);
    free(buf);
    return STATUS_REPARSE_POINT_NOT_RESOLVED;
}

/* Read the link an open names, close the open, and say where to go instead. */
static NTSTATUS follow_link(wf_fsd_volume *v, create_ctx *c, UINT64 uc, UINT64 uc2,
    const WCHAR *link, size_t link_len, const WCHAR *rest, size_t rest_len)
{
    void *rp = NULL;
    size_t rp_len = 0;
    NTSTATUS status = fsd_get_reparse_point(v, uc, uc2, link, link_len, &rp, &rp_len);

    if (NT_SUCCESS(status))
        status = reparse_target(link, link_len, rp, rp_len, rest, rest_len, &c->reparse,
            &c->reparse_len);
    free(rp);
    return status;
}

/* WinFsp's own STATUS_REPARSE answers: IO_REPARSE (a path) or a reparse buffer. */
static NTSTATUS reparse_from_response(create_ctx *c, const FSP_FSCTL_TRANSACT_RSP *rsp,
    const WCHAR *name, size_t len)
{
    const void *data;
    FSP_FSCTL_TRANSACT_BUF b = rsp->Rsp.Create.Reparse.Buffer;

    if (!wf_fsctl_rsp_buf(rsp, b, &data))
        return STATUS_REPARSE_POINT_NOT_RESOLVED;
    if (rsp->IoStatus.Information == 0 /* IO_REPARSE */) {
        const WCHAR *path = data;
        size_t n = b.Size / sizeof(WCHAR);
        if (n == 0 || (b.Size & 1) || path[0] != '\\')
            return STATUS_REPARSE_POINT_NOT_RESOLVED;
        c->reparse = malloc(n * sizeof(WCHAR));
        if (!c->reparse)
            return STATUS_INSUFFICIENT_RESOURCES;
        memcpy(c->reparse, path, n * sizeof(WCHAR));
        c->reparse_len = n;
        return STATUS_REPARSE;
    }
    return reparse_target(name, len, data, b.Size, NULL, 0, &c->reparse, &c->reparse_len);
}

/* ---- one open ---- */

static NTSTATUS create_once(wf_fsd_volume *v, create_ctx *c)
{
    const fsd_open_args *a = c->a;
    const FSP_FSCTL_VOLUME_PARAMS *vp = &v->params;
    fsd_req *r = NULL, *ow = NULL;
    const FSP_FSCTL_TRANSACT_RSP *rsp;
    wf_path_info pi;
    size_t len = c->len, node_len;
    WCHAR *node_name = NULL;
    UINT32 attributes = a->attributes, additional = 0;
    UINT64 allocation, unit, uc, uc2;
    fsd_fobj *f = NULL;
    fsd_node *candidate = NULL, *n = NULL;
    bool trailing, inserted;
    NTSTATUS status;

    c->information = 0;
    status = wf_path_validate(c->name, len, vp->MaxComponentLength, 0, 0, &pi);
    if (!NT_SUCCESS(status))
        return status;
    trailing = pi.trailing_backslash;
    if (trailing)
        len--;
    /* Not everything can be done to the root directory. */
    if (len == 1 &&
        (a->disposition == FILE_CREATE || a->disposition == FILE_OVERWRITE ||
            a->disposition == FILE_OVERWRITE_IF || a->disposition == FILE_SUPERSEDE ||
            a->open_target_directory))
        return STATUS_ACCESS_DENIED;
    if (len == 1 && (a->options & FILE_DELETE_ON_CLOSE))
        return STATUS_CANNOT_DELETE;

    attributes &= ~(UINT32)(FILE_ATTRIBUTE_NORMAL | FILE_ATTRIBUTE_DIRECTORY |
        FILE_ATTRIBUTE_REPARSE_POINT);
    if (a->options & FILE_DIRECTORY_FILE)
        attributes |= FILE_ATTRIBUTE_DIRECTORY;
    unit = (UINT64)vp->SectorSize * vp->SectorsPerAllocationUnit;
    allocation = a->allocation_size > UINT64_MAX - unit
        ? a->allocation_size / unit * unit : (a->allocation_size + unit - 1) / unit * unit;

    r = fsd_req_new(FspFsctlTransactCreateKind);
    if (!r)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (!fsd_req_append_name(r, c->name, len, &r->req->FileName) ||
        !fsd_req_append(r, a->sd, a->sd ? a->sd_len : 0, &r->req->Req.Create.SecurityDescriptor) ||
        !fsd_req_append(r, a->ea, a->ea ? a->ea_len : 0, &r->req->Req.Create.Ea)) {
        /* As FspIopCreateRequest: it does not fit a request. */
        fsd_req_free(v, r);
        return STATUS_INVALID_PARAMETER;
    }
    r->req->Req.Create.CreateOptions = (a->disposition << 24) | (a->options & 0x00ffffff);
    r->req->Req.Create.FileAttributes = attributes;
    r->req->Req.Create.AllocationSize = allocation;
    r->req->Req.Create.DesiredAccess = a->access;
    r->req->Req.Create.GrantedAccess = 0;
    r->req->Req.Create.ShareAccess = a->share;
    r->req->Req.Create.UserMode = 1;
    r->req->Req.Create.HasTraversePrivilege = 1;
    r->req->Req.Create.OpenTargetDirectory = a->open_target_directory;
    r->req->Req.Create.CaseSensitive = vp->CaseSensitiveSearch;
    r->req->Req.Create.HasTrailingBackslash = trailing;
    r->req->Req.Create.AccessToken = fsd_req_token(v, r);

    status = fsd_send(v, &r);
    if (!r || r->state != FSD_REQ_DONE)
        goto exit;
    rsp = r->rsp;
    if (status == STATUS_REPARSE) {
        status = reparse_from_response(c, rsp, c->name, len);
        goto exit;
    }
    if (!NT_SUCCESS(status)) {
        c->information = status == STATUS_SHARING_VIOLATION ? rsp->IoStatus.Information : 0;
        goto exit;
    }
    uc = rsp->Rsp.Create.Opened.UserContext;
    uc2 = rsp->Rsp.Create.Opened.UserContext2;
    c->info = rsp->Rsp.Create.Opened.FileInfo;

    /* A link opened without FILE_OPEN_REPARSE_POINT leads elsewhere. */
    if (!a->open_target_directory && !(a->options & FILE_OPEN_REPARSE_POINT) &&
        (c->info.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)) {
        WCHAR tb = '\\';
        /* Only symbolic links lead anywhere; any other tag nobody here handles. */
        if (c->info.ReparseTag == IO_REPARSE_TAG_SYMLINK)
            status = follow_link(v, c, uc, uc2, c->name, len, &tb, trailing ? 1 : 0);
        else
            status = STATUS_IO_REPARSE_TAG_NOT_HANDLED;
        fsd_post_close(v, uc, uc2);
        goto exit;
    }

    /* The node is the file's, or for a rename target its directory's. */
    node_len = len;
    if (a->open_target_directory) {
        size_t name_off;
        wf_path_split_last(c->name, len, &node_len, &name_off);
    }
    node_name = malloc(node_len * sizeof(WCHAR));
    if (!node_name) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto close_exit;
    }
    memcpy(node_name, c->name, node_len * sizeof(WCHAR));
    if (!vp->CaseSensitiveSearch) {
        /* The name as the file system spells it, or else upper case, as WinFsp. */
        const WCHAR *norm;
        size_t norm_len;
        if (rsp->Rsp.Create.Opened.FileName.Size) {
            /* The whole name is normalized, for a rename target too: compare it, then split. */
            if (!wf_fsctl_rsp_wstr(rsp, rsp->Rsp.Create.Opened.FileName, &norm, &norm_len) ||
                !wf_ucase_equal(norm, norm_len, c->name, len)) {
                status = STATUS_OBJECT_NAME_INVALID;
                goto close_exit;
            }
            memcpy(node_name, norm, node_len * sizeof(WCHAR));
        } else {
            for (size_t i = 0; i < node_len; i++)
                node_name[i] = wf_ucase(node_name[i]);
        }
    }

    {
        bool is_dir = (c->info.FileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
        if (!a->open_target_directory) {
            if ((a->options & FILE_DIRECTORY_FILE) && !is_dir) {
                status = STATUS_NOT_A_DIRECTORY;
                goto close_exit;
            }
            if ((a->options & FILE_NON_DIRECTORY_FILE) && is_dir) {
                status = STATUS_FILE_IS_A_DIRECTORY;
                goto close_exit;
            }
            if (trailing && !is_dir) {
                status = STATUS_OBJECT_NAME_INVALID;
                goto close_exit;
            }
        }
        f = fsd_fobj_new();
        candidate = fsd_node_new(node_name, node_len);
        if (!f || !candidate) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            goto close_exit;
        }
        candidate->is_dir = a->open_target_directory || is_dir;
        candidate->user_context = uc;
        candidate->index_number = c->info.IndexNumber;
    }
    f->user_context = uc;
    f->user_context2 = uc2;
    f->granted = rsp->Rsp.Create.Opened.GrantedAccess;
    f->create_options = a->options;
    f->synchronous = (a->options & (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT)) != 0;
    f->case_sensitive = vp->CaseSensitiveSearch;
    f->delete_on_close = (a->options & FILE_DELETE_ON_CLOSE) != 0;
    switch (a->disposition) {
    case FILE_OVERWRITE:
    case FILE_OVERWRITE_IF:
        additional = FILE_WRITE_DATA;
        break;
    case FILE_SUPERSEDE:
        additional = DELETE;
        break;
    }
    status = fsd_node_open(v, candidate, f, f->granted, additional, a->share, &n);
    inserted = n == candidate;
    if (!inserted) {
        free(candidate->name);
        free(candidate);
    }
    candidate = NULL;
    if (!NT_SUCCESS(status))
        goto close_exit;
    c->information = rsp->IoStatus.Information;

    if (c->information == FILE_OVERWRITTEN || c->information == FILE_SUPERSEDED) {
        UINT32 ow_attributes = a->attributes &
            ~(UINT32)(FILE_ATTRIBUTE_NORMAL | FILE_ATTRIBUTE_DIRECTORY);
        if (n->is_dir)
            ow_attributes |= FILE_ATTRIBUTE_DIRECTORY;
        /* Overwriting a hidden or system file must keep saying so (as NTFS). */
        if (((c->info.FileAttributes & FILE_ATTRIBUTE_HIDDEN) &&
                !(ow_attributes & FILE_ATTRIBUTE_HIDDEN)) ||
            ((c->info.FileAttributes & FILE_ATTRIBUTE_SYSTEM) &&
                !(ow_attributes & FILE_ATTRIBUTE_SYSTEM))) {
            status = STATUS_ACCESS_DENIED;
            goto unopen_exit;
        }
        ow = fsd_req_new(FspFsctlTransactOverwriteKind);
        if (!ow || !fsd_req_append(ow, a->ea, a->ea ? a->ea_len : 0, &ow->req->Req.Overwrite.Ea)) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            goto unopen_exit;
        }
        ow->req->Req.Overwrite.UserContext = uc;
        ow->req->Req.Overwrite.UserContext2 = uc2;
        ow->req->Req.Overwrite.FileAttributes = ow_attributes;
        ow->req->Req.Overwrite.AllocationSize = allocation;
        ow->req->Req.Overwrite.Supersede = c->information == FILE_SUPERSEDED;
        ow->info_node = n;
        status = fsd_send(v, &ow);
        if (!ow || ow->state != FSD_REQ_DONE || !NT_SUCCESS(status)) {
            /*
             * A failed Overwrite ends the file in user mode (fsop.c closes it);
             * one that never got there still needs its Close.
             */
            if (ow && ow->was_queued) {
                fsd_node_unopen(v, n, f);
                n = NULL;
                goto close_exit;
            }
            if (NT_SUCCESS(status))
                status = STATUS_CANCELLED;
            fsd_node_unopen(v, n, f);
            fsd_fobj_free(f);
            f = NULL;
            goto exit;
        }
        fsd_node_change_info(v, ow, &ow->rsp->Rsp.Overwrite.FileInfo, true);
        c->info = ow->rsp->Rsp.Overwrite.FileInfo;
    } else if (inserted || c->information == FILE_CREATED) {
        /* Only a first open may set what is cached (FspFileNodeTrySetFileInfoAndSecurityOnOpen). */
        fsd_node_open_info(v, n, r, &c->info);
    }
    c->fobj = f;
    f = NULL;
    status = STATUS_SUCCESS;
    goto exit;

unopen_exit:
    fsd_node_unopen(v, n, f);
close_exit:
    fsd_post_close(v, uc, uc2);
    c->information = 0;
exit:
    if (candidate) {
        free(candidate->name);
        free(candidate);
    }
    fsd_fobj_free(f);
    free(node_name);
    fsd_req_free(v, ow);
    fsd_req_free(v, r);
    return status;
}

/* ---- the reparse loop ---- */

/* Open a path for a look at what it is: no access that shares, no following. */
static NTSTATUS probe(wf_fsd_volume *v, const WCHAR *name, size_t len, create_ctx *c,
    fsd_open_args *pa)
{
    memset(pa, 0, sizeof *pa);
    pa->access = FILE_READ_ATTRIBUTES;
    pa->share = FILE_SHARE_VALID_FLAGS;
    pa->disposition = FILE_OPEN;
    pa->options = FILE_OPEN_REPARSE_POINT;
    NTSTATUS status;

    memset(c, 0, sizeof *c);
    c->a = pa;
    c->name = name;
    c->len = len;
    pthread_rwlock_rdlock(&v->rename_lock);
    status = create_once(v, c);
    pthread_rwlock_unlock(&v->rename_lock);
    return status;
}

/*
 * The open failed as if a link stood in the way. Look for it: the longest
 * prefix of the path that opens is either a link (follow it, with the
 * rest of the path) or a real directory (then the failure stands).
 */
static NTSTATUS find_link(wf_fsd_volume *v, const WCHAR *name, size_t len, bool whole,
    NTSTATUS failure, create_ctx *out)
{
    size_t end = len;

    /* A trailing separator stays with the rest of the path. */
    if (end > 1 && name[end - 1] == '\\')
        end--;
    if (!whole) {
        /* Skip the last component: the failure was about what leads to it. */
        while (end > 0 && name[end - 1] != '\\')
            end--;
        if (end <= 1)
            return failure;
        end--;
    }
    while (end > 1) {
        fsd_open_args pa;
        create_ctx c;
        NTSTATUS status = probe(v, name, end, &c, &pa);

        if (status == STATUS_OBJECT_PATH_NOT_FOUND) {
            /* Something before this prefix is missing too: look further up. */
            while (end > 0 && name[end - 1] != '\\')
                end--;
            if (end <= 1)
                return failure;
            end--;
            continue;
        }
        if (!NT_SUCCESS(status))
            return failure;
        if (c.info.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) {
            fsd_fobj *f = c.fobj;
            status = c.info.ReparseTag != IO_REPARSE_TAG_SYMLINK
                ? STATUS_IO_REPARSE_TAG_NOT_HANDLED
                : follow_link(v, out, f->user_context, f->user_context2, name, end,
                      name + end, len - end);
            fsd_open_close(v, f);
            return status;
        }
        fsd_open_close(v, c.fobj);
        return failure;
    }
    return failure;
}

static NTSTATUS create_loop(wf_fsd_volume *v, const fsd_open_args *a, fsd_fobj **fobj,
    UINT64 *information)
{
    WCHAR *owned = NULL;
    const WCHAR *name = a->name;
    size_t len = a->name_len;
    NTSTATUS status;

    *fobj = NULL;
    *information = 0;
    for (UINT32 hops = 0;; hops++) {
        create_ctx c;
        memset(&c, 0, sizeof c);
        c.a = a;
        c.name = name;
        c.len = len;
        pthread_rwlock_rdlock(&v->rename_lock);
        status = create_once(v, &c);
        pthread_rwlock_unlock(&v->rename_lock);
        if (!a->open_target_directory && !(a->options & FILE_OPEN_REPARSE_POINT) &&
            v->params.ReparsePoints) {
            bool trailing = len > 1 && name[len - 1] == '\\';
            if (status == STATUS_OBJECT_PATH_NOT_FOUND)
                status = find_link(v, name, len, false, status, &c);
            else if (status == STATUS_NOT_A_DIRECTORY ||
                (status == STATUS_OBJECT_NAME_INVALID && trailing))
                status = find_link(v, name, len, true, status, &c);
        }
        if (status != STATUS_REPARSE) {
            *fobj = c.fobj;
            *information = c.information;
            break;
        }
        free(owned);
        owned = c.reparse;
        name = c.reparse;
        len = c.reparse_len;
        if (hops + 1 >= FSD_REPARSE_MAX) {
            status = STATUS_REPARSE_POINT_NOT_RESOLVED;
            break;
        }
    }
    free(owned);
    return status;
}

NTSTATUS fsd_open(wf_fsd_volume *v, const fsd_open_args *a, fsd_fobj **fobj,
    UINT64 *information)
{
    return create_loop(v, a, fobj, information);
}

void fsd_open_close(wf_fsd_volume *v, fsd_fobj *f)
{
    if (!f)
        return;
    fsd_cleanup(v, f);
    fsd_fobj_release(v, f);
}

/* ---- NtCreateFile ---- */

/* The I/O manager's checks of the parameters (IoCreateFileEx). */
static NTSTATUS check_parameters(ACCESS_MASK access, UINT32 attributes, UINT32 share,
    UINT32 disposition, UINT32 options)
{
    if (disposition > FILE_MAXIMUM_DISPOSITION || (attributes & ~FILE_ATTRIBUTE_VALID_FLAGS) ||
        (share & ~FILE_SHARE_VALID_FLAGS) || (options & ~FILE_VALID_OPTION_FLAGS))
        return STATUS_INVALID_PARAMETER;
    if ((options & (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT)) &&
        !(access & SYNCHRONIZE))
        return STATUS_INVALID_PARAMETER;
    if ((options & FILE_DELETE_ON_CLOSE) && !(access & DELETE))
        return STATUS_INVALID_PARAMETER;
    if ((options & (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT)) ==
        (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT))
        return STATUS_INVALID_PARAMETER;
    if ((options & FILE_DIRECTORY_FILE) && (options & FILE_NON_DIRECTORY_FILE))
        return STATUS_INVALID_PARAMETER;
    if ((options & FILE_DIRECTORY_FILE) &&
        ((options & ~(UINT32)FSD_CREATE_DIRECTORY_OPTIONS) ||
            (disposition != FILE_CREATE && disposition != FILE_OPEN &&
                disposition != FILE_OPEN_IF)))
        return STATUS_INVALID_PARAMETER;
    if ((options & FILE_COMPLETE_IF_OPLOCKED) && (options & FILE_RESERVE_OPFILTER))
        return STATUS_INVALID_PARAMETER;
    if ((options & FILE_NO_INTERMEDIATE_BUFFERING) && (access & FILE_APPEND_DATA))
        return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

/* The path of a relative open: the root's name, a separator, the rest. */
static NTSTATUS relative_name(wf_fsd_volume *v, nt_handle root, const WCHAR *path, size_t len,
    WCHAR **out, size_t *out_len, bool *volume_open)
{
    fsd_fobj *rf;
    NTSTATUS status = fsd_handle_ref(v, root, &rf);
    bool sep;
    WCHAR *buf;
    size_t rlen;

    *volume_open = false;
    if (!NT_SUCCESS(status))
        return status;
    if (fsd_is_volume(rf)) {
        fsd_fobj_release(v, rf);
        if (len == 0) {
            *volume_open = true;
            return STATUS_SUCCESS;
        }
        return STATUS_OBJECT_PATH_NOT_FOUND;
    }
    if (len && path[0] == '\\') {
        fsd_fobj_release(v, rf);
        return STATUS_INVALID_PARAMETER;
    }
    pthread_mutex_lock(&v->lock);
    rlen = rf->node->name_len;
    sep = rlen >= 2 && len && path[0] != ':';
    buf = malloc((rlen + sep + len + 1) * sizeof(WCHAR));
    if (buf) {
        memcpy(buf, rf->node->name, rlen * sizeof(WCHAR));
        if (sep)
            buf[rlen] = '\\';
        if (len)
            memcpy(buf + rlen + sep, path, len * sizeof(WCHAR));
    }
    pthread_mutex_unlock(&v->lock);
    fsd_fobj_release(v, rf);
    if (!buf)
        return STATUS_INSUFFICIENT_RESOURCES;
    *out = buf;
    *out_len = rlen + sep + len;
    return STATUS_SUCCESS;
}

NTSTATUS nt_create_file_w(wf_fsd_volume *volume, nt_handle *handle, ACCESS_MASK desired_access,
    nt_handle root, const WCHAR *path, size_t path_len, nt_io_status *iosb,
    UINT64 allocation_size, UINT32 file_attributes, UINT32 share_access,
    UINT32 create_disposition, UINT32 create_options, const void *sd, size_t sd_len,
    const void *ea, size_t ea_len)
{
    wf_fsd_volume *v = volume;
    fsd_open_args a;
    fsd_fobj *f = NULL;
    WCHAR *full = NULL;
    size_t full_len = 0;
    UINT64 information = 0;
    bool volume_open = false;
    NTSTATUS status;

    if (!v || !handle || (!path && path_len))
        return fsd_iosb(iosb, STATUS_INVALID_PARAMETER, 0);
    status = fsd_enter(v);
    if (!NT_SUCCESS(status))
        return fsd_iosb(iosb, status, 0);

    desired_access = map_generic(desired_access);
    status = check_parameters(desired_access, file_attributes, share_access, create_disposition,
        create_options);
    if (!NT_SUCCESS(status))
        goto exit;
    if (path_len > 32767) {
        /* Longer than a UNICODE_STRING holds. */
        status = STATUS_OBJECT_NAME_INVALID;
        goto exit;
    }
    if (root) {
        status = relative_name(v, root, path, path_len, &full, &full_len, &volume_open);
        if (!NT_SUCCESS(status))
            goto exit;
    } else if (path_len == 0) {
        volume_open = true;
    } else {
        if (path[0] != '\\') {
            status = STATUS_OBJECT_NAME_INVALID;
            goto exit;
        }
        /* As fastfat: a name that starts with two separators is fine. */
        if (path_len >= 2 && path[1] == '\\')
            path++, path_len--;
        full = malloc(path_len * sizeof(WCHAR));
        if (!full) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            goto exit;
        }
        memcpy(full, path, path_len * sizeof(WCHAR));
        full_len = path_len;
    }

    if (volume_open) {
        /* The volume itself: no file in the file system stands behind it. */
        f = fsd_fobj_new();
        if (!f) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            goto exit;
        }
        f->granted = desired_access & MAXIMUM_ALLOWED
            ? FILE_ALL_ACCESS : desired_access;
        f->create_options = create_options;
        f->synchronous = (create_options &
            (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT)) != 0;
        information = FILE_OPENED;
        goto insert;
    }

    if (create_options & FILE_OPEN_BY_FILE_ID) {
        status = STATUS_NOT_IMPLEMENTED;
        goto exit;
    }
    if (ea && ea_len) {
        if (!v->params.ExtendedAttributes) {
            status = STATUS_EAS_NOT_SUPPORTED;
            goto exit;
        }
        if (create_options & FILE_NO_EA_KNOWLEDGE) {
            status = STATUS_ACCESS_DENIED;
            goto exit;
        }
        status = ea_validate(ea, ea_len, &information);
        if (!NT_SUCCESS(status))
            goto exit;
    } else {
        ea = NULL;
        ea_len = 0;
    }
    if (sd && sd_len == 0)
        sd = NULL;
    if ((create_options & FILE_DIRECTORY_FILE) && (file_attributes & FILE_ATTRIBUTE_TEMPORARY) &&
        (create_disposition == FILE_CREATE || create_disposition == FILE_OPEN_IF)) {
        status = STATUS_INVALID_PARAMETER;
        goto exit;
    }

    memset(&a, 0, sizeof a);
    a.name = full;
    a.name_len = full_len;
    a.access = desired_access;
    a.attributes = file_attributes;
    a.share = share_access;
    a.disposition = create_disposition;
    a.options = create_options;
    a.allocation_size = allocation_size;
    a.sd = sd;
    a.sd_len = sd ? sd_len : 0;
    a.ea = ea;
    a.ea_len = ea_len;
    status = create_loop(v, &a, &f, &information);
    if (!NT_SUCCESS(status))
        goto exit;

insert:
    status = fsd_handle_insert(v, f, handle);
    if (!NT_SUCCESS(status)) {
        fsd_open_close(v, f);
        information = 0;
    }
exit:
    free(full);
    fsd_leave(v);
    return fsd_iosb(iosb, status, NT_SUCCESS(status) || status == STATUS_SHARING_VIOLATION ||
        status == STATUS_EA_LIST_INCONSISTENT || status == STATUS_INVALID_EA_NAME
            ? information : 0);
}

NTSTATUS nt_create_file(wf_fsd_volume *volume, nt_handle *handle, ACCESS_MASK desired_access,
    nt_handle root, const char *path, nt_io_status *iosb, UINT64 allocation_size,
    UINT32 file_attributes, UINT32 share_access, UINT32 create_disposition,
    UINT32 create_options, const void *sd, size_t sd_len, const void *ea, size_t ea_len)
{
    WCHAR *wpath = NULL;
    size_t n = 0, len = path ? strlen(path) : 0;
    NTSTATUS status;

    if (len) {
        wpath = malloc(len * sizeof(WCHAR));
        if (!wpath)
            return fsd_iosb(iosb, STATUS_INSUFFICIENT_RESOURCES, 0);
        status = wf_utf8_to_utf16(path, len, wpath, len, &n, 0);
        if (!NT_SUCCESS(status)) {
            free(wpath);
            return fsd_iosb(iosb, STATUS_OBJECT_NAME_INVALID, 0);
        }
    }
    status = nt_create_file_w(volume, handle, desired_access, root, wpath, n, iosb,
        allocation_size, file_attributes, share_access, create_disposition, create_options, sd,
        sd_len, ea, ea_len);
    free(wpath);
    return status;
}
