/*
 * security.c - NtQuerySecurityObject and NtSetSecurityObject.
 *
 * The I/O manager checks the access the security information asks for
 * (READ_CONTROL to read owner, group and DACL, WRITE_OWNER and WRITE_DAC to
 * change them, ACCESS_SYSTEM_SECURITY for the SACL). As WinFsp's
 * security.c, the descriptor comes whole from the file system, cached for
 * SecurityTimeout, and the caller gets the parts it asked for
 * (SeQuerySecurityDescriptorInfo), or STATUS_BUFFER_TOO_SMALL and the
 * size it needs.
 */
#include <stdlib.h>

#include "engine/security.h"
#include "fsd/internal.h"

#define FSD_SD_HEADER 20u

static void put16(UINT8 *p, UINT16 v)
{
    p[0] = (UINT8)v;
    p[1] = (UINT8)(v >> 8);
}

static void put32(UINT8 *p, UINT32 v)
{
    put16(p, (UINT16)v);
    put16(p + 2, (UINT16)(v >> 16));
}

static UINT32 acl_size(const UINT8 *acl)
{
    return acl ? (UINT32)(acl[2] | acl[3] << 8) : 0;
}

NTSTATUS fsd_sd_select(const void *sd, size_t sd_len, UINT32 info, void *out, UINT32 cap,
    UINT32 *needed)
{
    wf_sd_view view;
    UINT8 *o = out;
    UINT32 owner = 0, group = 0, dacl = 0, sacl = 0, size = FSD_SD_HEADER, at;
    UINT16 control = SE_SELF_RELATIVE;
    NTSTATUS status = wf_sd_parse(sd, sd_len, &view);

    *needed = 0;
    if (!NT_SUCCESS(status))
        return STATUS_INVALID_SECURITY_DESCR;
    if ((info & OWNER_SECURITY_INFORMATION) && view.owner) {
        owner = (UINT32)wf_sid_length(view.owner);
        control |= view.control & SE_OWNER_DEFAULTED;
    }
    if ((info & GROUP_SECURITY_INFORMATION) && view.group) {
        group = (UINT32)wf_sid_length(view.group);
        control |= view.control & SE_GROUP_DEFAULTED;
    }
    if ((info & DACL_SECURITY_INFORMATION) && view.dacl_present) {
        dacl = acl_size(view.dacl);
        control |= SE_DACL_PRESENT | (view.control &
            (SE_DACL_DEFAULTED | SE_DACL_AUTO_INHERITED | SE_DACL_PROTECTED));
    }
    if ((info & SACL_SECURITY_INFORMATION) && view.sacl_present) {
        sacl = acl_size(view.sacl);
        control |= SE_SACL_PRESENT | (view.control &
            (SE_SACL_DEFAULTED | SE_SACL_AUTO_INHERITED | SE_SACL_PROTECTED));
    }
    size += owner + group + sacl + dacl;
    *needed = size;
    if (size > cap)
        return STATUS_BUFFER_TOO_SMALL;
    memset(o, 0, FSD_SD_HEADER);
    o[0] = SECURITY_DESCRIPTOR_REVISION;
    put16(o + 2, control);
    at = FSD_SD_HEADER;
    if (owner) {
        memcpy(o + at, view.owner, owner);
        put32(o + 4, at);
        at += owner;
    }
    if (group) {
        memcpy(o + at, view.group, group);
        put32(o + 8, at);
        at += group;
    }
    if (sacl) {
        memcpy(o + at, view.sacl, sacl);
        put32(o + 12, at);
        at += sacl;
    }
    if (dacl) {
        memcpy(o + at, view.dacl, dacl);
        put32(o + 16, at);
        at += dacl;
    }
    return STATUS_SUCCESS;
}

/* SeQuerySecurityAccessMask and SeSetSecurityAccessMask. */
static ACCESS_MASK query_access(UINT32 info)
{
    ACCESS_MASK a = 0;
    if (info & (OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION |
            DACL_SECURITY_INFORMATION | LABEL_SECURITY_INFORMATION |
            ATTRIBUTE_SECURITY_INFORMATION | SCOPE_SECURITY_INFORMATION))
        a |= READ_CONTROL;
    if (info & (SACL_SECURITY_INFORMATION | BACKUP_SECURITY_INFORMATION))
        a |= ACCESS_SYSTEM_SECURITY;
    return a;
}

static ACCESS_MASK set_access(UINT32 info)
{
    ACCESS_MASK a = 0;
    if (info & (OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION |
            LABEL_SECURITY_INFORMATION))
        a |= WRITE_OWNER;
    if (info & DACL_SECURITY_INFORMATION)
        a |= WRITE_DAC;
    if (info & SACL_SECURITY_INFORMATION)
        a |= ACCESS_SYSTEM_SECURITY;
    return a;
}

static void cache_security_locked(wf_fsd_volume *v, fsd_node *n, const void *sd, UINT32 len)
{
    void *copy = len ? malloc(len) : NULL;

    free(n->security);
    n->security = NULL;
    n->security_len = 0;
    n->security_expiry = 0;
    n->security_change++;
    if (!copy)
        return;
    memcpy(copy, sd, len);
    n->security = copy;
    n->security_len = len;
    n->security_expiry = fsd_expiry(v->security_timeout_ns);
}

NTSTATUS nt_query_security_object(wf_fsd_volume *volume, nt_handle handle, UINT32 info,
    void *sd, UINT32 length, UINT32 *length_needed)
{
    wf_fsd_volume *v = volume;
    fsd_fobj *f;
    fsd_node *n;
    fsd_req *r = NULL;
    void *whole = NULL;
    UINT32 whole_len = 0, change, needed = 0;
    NTSTATUS status = fsd_enter(v);

    if (!NT_SUCCESS(status))
        return status;
    if (!length_needed || (!sd && length)) {
        status = STATUS_INVALID_PARAMETER;
        goto exit;
    }
    *length_needed = 0;
    status = fsd_handle_ref(v, handle, &f);
    if (!NT_SUCCESS(status))
        goto exit;
    if ((f->granted & query_access(info)) != query_access(info)) {
        status = STATUS_ACCESS_DENIED;
        goto release;
    }
    if (fsd_is_volume(f)) {
        status = STATUS_INVALID_DEVICE_REQUEST;
        goto release;
    }
    n = f->node;
    pthread_mutex_lock(&v->lock);
    if (n->security && fsd_now() < n->security_expiry) {
        whole = malloc(n->security_len);
        if (whole) {
            memcpy(whole, n->security, n->security_len);
            whole_len = n->security_len;
        }
    }
    change = n->security_change;
    pthread_mutex_unlock(&v->lock);
    if (!whole) {
        const void *buf;
        FSP_FSCTL_TRANSACT_BUF b;
        r = fsd_req_new(FspFsctlTransactQuerySecurityKind);
        if (!r) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            goto release;
        }
        r->req->Req.QuerySecurity.UserContext = f->user_context;
        r->req->Req.QuerySecurity.UserContext2 = f->user_context2;
        status = fsd_send(v, &r);
        if (!NT_SUCCESS(status) || !r || r->state != FSD_REQ_DONE)
            goto release;
        b = r->rsp->Rsp.QuerySecurity.SecurityDescriptor;
        if (!wf_fsctl_rsp_buf(r->rsp, b, &buf) || !NT_SUCCESS(wf_sd_validate(buf, b.Size))) {
            status = STATUS_INVALID_SECURITY_DESCR;
            goto release;
        }
        whole = malloc(b.Size ? b.Size : 1);
        if (!whole) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            goto release;
        }
        memcpy(whole, buf, b.Size);
        whole_len = b.Size;
        pthread_mutex_lock(&v->lock);
        if (n->security_change == change)
            cache_security_locked(v, n, whole, whole_len);
        pthread_mutex_unlock(&v->lock);
    }
    status = fsd_sd_select(whole, whole_len, info, sd, length, &needed);
    *length_needed = needed;
release:
    free(whole);
    fsd_req_free(v, r);
    fsd_fobj_release(v, f);
exit:
    fsd_leave(v);
    return status;
}

NTSTATUS nt_set_security_object(wf_fsd_volume *volume, nt_handle handle, UINT32 info,
    const void *sd, UINT32 length)
{
    wf_fsd_volume *v = volume;
    fsd_fobj *f;
    fsd_req *r = NULL;
    NTSTATUS status = fsd_enter(v);

    if (!NT_SUCCESS(status))
        return status;
    if (!sd) {
        status = STATUS_INVALID_PARAMETER;
        goto exit;
    }
    status = fsd_handle_ref(v, handle, &f);
    if (!NT_SUCCESS(status))
        goto exit;
    if ((f->granted & set_access(info)) != set_access(info)) {
        status = STATUS_ACCESS_DENIED;
        goto release;
    }
    /* The I/O manager captures the descriptor: a malformed one goes no further. */
    if (!NT_SUCCESS(wf_sd_validate(sd, length))) {
        status = STATUS_INVALID_SECURITY_DESCR;
        goto release;
    }
    if (fsd_is_volume(f)) {
        status = STATUS_INVALID_DEVICE_REQUEST;
        goto release;
    }
    r = fsd_req_new(FspFsctlTransactSetSecurityKind);
    if (!r || !fsd_req_append(r, sd, length, &r->req->Req.SetSecurity.SecurityDescriptor)) {
        status = r ? STATUS_INVALID_PARAMETER : STATUS_INSUFFICIENT_RESOURCES;
        goto release;
    }
    r->req->Req.SetSecurity.UserContext = f->user_context;
    r->req->Req.SetSecurity.UserContext2 = f->user_context2;
    r->req->Req.SetSecurity.SecurityInformation = info;
    status = fsd_send(v, &r);
    if (NT_SUCCESS(status) && r && r->state == FSD_REQ_DONE) {
        FSP_FSCTL_TRANSACT_BUF b = r->rsp->Rsp.SetSecurity.SecurityDescriptor;
        const void *buf;
        pthread_mutex_lock(&v->lock);
        /* The descriptor as it is now, if the file system says; else ask next time. */
        if (b.Size && wf_fsctl_rsp_buf(r->rsp, b, &buf) && NT_SUCCESS(wf_sd_validate(buf, b.Size)))
            cache_security_locked(v, f->node, buf, b.Size);
        else
            cache_security_locked(v, f->node, NULL, 0);
        f->did_set_security = true;
        f->did_set_metadata = true;
        /* Owner and mode show in the file's attributes too. */
        fsd_node_info_changed_locked(v, f->node);
        pthread_mutex_unlock(&v->lock);
    }
release:
    fsd_req_free(v, r);
    fsd_fobj_release(v, f);
exit:
    fsd_leave(v);
    return status;
}
