/*
 * req_ea.c - QueryEa and SetEa: Windows extended attributes are the
 * file's "user." extended attributes (EA "NAME" is xattr "user.NAME").
 * Both sides travel as FILE_FULL_EA_INFORMATION lists.
 */
#include "engine/internal.h"

#define WF_XATTR_PREFIX "user."
#define WF_XATTR_PREFIX_LEN 5u
#define WF_EA_NAME_MAX 255u
#define WF_EA_VALUE_MAX 65535u
/* FILE_FULL_EA_INFORMATION: NextEntryOffset, Flags, EaNameLength, EaValueLength. */
#define WF_EA_HEADER 8u

typedef struct ea_state {
    UINT32 list_len;          /* names from LISTXATTR, in c->path2 */
    UINT32 pos;               /* the name being read */
    UINT32 used;              /* bytes of the EA list built */
    UINT32 last;              /* offset of the last entry built */
    UINT32 ea_pos;            /* SetEa: the entry being applied */
    NTSTATUS status;
} ea_state;

static UINT32 get32(const UINT8 *p)
{
    return (UINT32)p[0] | (UINT32)p[1] << 8 | (UINT32)p[2] << 16 | (UINT32)p[3] << 24;
}

static void put32(UINT8 *p, UINT32 v)
{
    p[0] = (UINT8)v;
    p[1] = (UINT8)(v >> 8);
    p[2] = (UINT8)(v >> 16);
    p[3] = (UINT8)(v >> 24);
}

static bool ea_name_ok(const char *name, UINT32 len)
{
    if (len == 0 || len > WF_EA_NAME_MAX)
        return false;
    for (UINT32 i = 0; i < len; i++) {
        UINT8 ch = (UINT8)name[i];
        /* The characters FAT and NTFS refuse in EA names, and anything not ASCII. */
        if (ch < 0x20 || ch > 0x7e || memchr("\"*+,/:;<=>?[\\]|", ch, 16))
            return false;
    }
    return true;
}

void wf_step_query_ea(wf_ctx *c)
{
    wf_engine *e = c->engine;
    ea_state *s = WF_STATE(c, ea_state);

    WF_CORO_BEGIN(c);
    memset(s, 0, sizeof *s);
    if (!wf_ctx_file(c, c->req->Req.QueryEa.UserContext2))
        WF_CORO_RETURN(c);
    if (wf_enosys(e, FUSE_LISTXATTR)) {
        wf_complete(c, STATUS_EAS_NOT_SUPPORTED, 0);
        WF_CORO_RETURN(c);
    }
    {
        struct fuse_getxattr_in *in = wf_prep(c, FUSE_LISTXATTR, c->file->node->nodeid,
            sizeof *in);
        in->size = WF_PATH_MAX - 1;
        c->send.reply_max = WF_PATH_MAX - 1;
    }
    WF_SEND(c);
    if (!NT_SUCCESS(c->reply.status)) {
        wf_complete(c, c->reply.error == -LINUX_ENOSYS || c->reply.error == -LINUX_EOPNOTSUPP
                ? STATUS_EAS_NOT_SUPPORTED
                : c->reply.error == -LINUX_ERANGE ? STATUS_EA_TOO_LARGE : c->reply.status, 0);
        WF_CORO_RETURN(c);
    }
    memcpy(c->path2, c->reply.body, c->reply.len);
    s->list_len = c->reply.len;
    /* The list is NUL-terminated names; a last name without its NUL is malformed. */
    if (s->list_len && c->path2[s->list_len - 1] != 0) {
        wf_complete(c, STATUS_INVALID_NETWORK_RESPONSE, 0);
        WF_CORO_RETURN(c);
    }
    for (s->pos = 0; s->pos < s->list_len; s->pos += (UINT32)strlen(c->path2 + s->pos) + 1) {
        {
            const char *name = c->path2 + s->pos;
            UINT32 len = (UINT32)strlen(name);
            struct fuse_getxattr_in *in;

            if (len <= WF_XATTR_PREFIX_LEN || memcmp(name, WF_XATTR_PREFIX, WF_XATTR_PREFIX_LEN) ||
                !ea_name_ok(name + WF_XATTR_PREFIX_LEN, len - WF_XATTR_PREFIX_LEN))
                continue;
            in = wf_prep(c, FUSE_GETXATTR, c->file->node->nodeid, sizeof *in);
            in->size = WF_EA_VALUE_MAX;
            wf_prep_name(c, name, len);
            c->send.reply_max = WF_EA_VALUE_MAX;
        }
        WF_SEND(c);
        if (!NT_SUCCESS(c->reply.status))
            continue; /* gone meanwhile, or too large for an EA: not listed */
        {
            const char *ea = c->path2 + s->pos + WF_XATTR_PREFIX_LEN;
            UINT32 name_len = (UINT32)strlen(ea);
            UINT32 size = WF_EA_HEADER + name_len + 1 + c->reply.len;
            UINT32 aligned = (s->used + 3) & ~3u;
            size_t room = FSP_FSCTL_TRANSACT_RSP_SIZEMAX - sizeof *c->rsp;
            UINT8 *buf = c->rsp->Buffer;

            if (aligned + size > room) {
                wf_complete(c, STATUS_EA_TOO_LARGE, 0);
                WF_CORO_RETURN(c);
            }
            memset(buf + s->used, 0, aligned - s->used);
            if (s->used)
                put32(buf + s->last, aligned - s->last);
            put32(buf + aligned, 0);
            buf[aligned + 4] = 0;
            buf[aligned + 5] = (UINT8)name_len;
            buf[aligned + 6] = (UINT8)c->reply.len;
            buf[aligned + 7] = (UINT8)(c->reply.len >> 8);
            memcpy(buf + aligned + WF_EA_HEADER, ea, name_len + 1);
            memcpy(buf + aligned + WF_EA_HEADER + name_len + 1, c->reply.body, c->reply.len);
            s->last = aligned;
            s->used = aligned + size;
        }
    }
    c->rsp_buf_used = s->used;
    c->rsp->Size = (UINT16)(sizeof *c->rsp + s->used);
    c->rsp->Rsp.QueryEa.Ea.Offset = 0;
    c->rsp->Rsp.QueryEa.Ea.Size = (UINT16)s->used;
    wf_complete(c, STATUS_SUCCESS, s->used);
    WF_CORO_END(c);
}

/* Check a FILE_FULL_EA_INFORMATION list completely before changing anything. */
NTSTATUS wf_ea_list_check(const UINT8 *p, UINT32 len)
{
    UINT32 pos = 0;

    if (len == 0)
        return STATUS_SUCCESS;
    for (;;) {
        UINT32 next, name_len, value_len;

        if (len - pos < WF_EA_HEADER)
            return STATUS_EA_LIST_INCONSISTENT;
        next = get32(p + pos);
        name_len = p[pos + 5];
        value_len = (UINT32)p[pos + 6] | (UINT32)p[pos + 7] << 8;
        if (WF_EA_HEADER + name_len + 1 + value_len > len - pos || p[pos + WF_EA_HEADER + name_len])
            return STATUS_EA_LIST_INCONSISTENT;
        if (!ea_name_ok((const char *)p + pos + WF_EA_HEADER, name_len))
            return STATUS_INVALID_EA_NAME;
        if (next == 0)
            return STATUS_SUCCESS;
        if (next & 3 || next < WF_EA_HEADER + name_len + 1 + value_len || next > len - pos)
            return STATUS_EA_LIST_INCONSISTENT;
        pos += next;
    }
}

/*
 * Set (SETXATTR) or, for an empty value, remove (REMOVEXATTR) each EA of
 * the checked list at c->ea in the request buffer. Stops at the first
 * failure, in c->ea.status.
 */
void wf_ea_apply(wf_ctx *c, wf_node *node)
{
    const UINT8 *list = c->req->Buffer + c->ea.offset;

    WF_CORO_BEGIN(c);
    c->ea.status = STATUS_SUCCESS;
    for (c->ea.pos = 0; c->ea.len;) {
        {
            const UINT8 *p = list + c->ea.pos;
            UINT32 name_len = p[5];
            UINT32 value_len = (UINT32)p[6] | (UINT32)p[7] << 8;

            memcpy(c->path2, WF_XATTR_PREFIX, WF_XATTR_PREFIX_LEN);
            memcpy(c->path2 + WF_XATTR_PREFIX_LEN, p + WF_EA_HEADER, name_len);
            c->path2[WF_XATTR_PREFIX_LEN + name_len] = 0;
            if (value_len == 0) {
                wf_prep(c, FUSE_REMOVEXATTR, node->nodeid, 0);
            } else {
                /* Without FUSE_SETXATTR_EXT the request has the short, older layout. */
                struct fuse_setxattr_in *in = wf_prep(c, FUSE_SETXATTR, node->nodeid,
                    FUSE_COMPAT_SETXATTR_IN_SIZE);
                in->size = value_len;
                wf_prep_data(c, p + WF_EA_HEADER + name_len + 1, value_len);
            }
            /* The name goes before the value; wf_emit writes names first. */
            wf_prep_name(c, c->path2, WF_XATTR_PREFIX_LEN + name_len);
        }
        WF_SEND(c);
        if (!NT_SUCCESS(c->reply.status) &&
            !(c->send.opcode == FUSE_REMOVEXATTR && c->reply.error == -LINUX_ENODATA)) {
            c->ea.status = c->reply.error == -LINUX_ENOSYS || c->reply.error == -LINUX_EOPNOTSUPP
                ? STATUS_EAS_NOT_SUPPORTED : c->reply.status;
            WF_CORO_RETURN(c);
        }
        {
            UINT32 next = get32(list + c->ea.pos);
            if (next == 0)
                break;
            c->ea.pos += next;
        }
    }
    wf_node_changed(c->engine, node);
    WF_CORO_END(c);
}

void wf_step_set_ea(wf_ctx *c)
{
    const FSP_FSCTL_TRANSACT_REQ *req = c->req;

    WF_CORO_BEGIN(c);
    if (!wf_ctx_file(c, req->Req.SetEa.UserContext2))
        WF_CORO_RETURN(c);
    {
        FSP_FSCTL_TRANSACT_BUF b = req->Req.SetEa.Ea;
        const UINT8 *list = wf_request_buf(c, b);
        NTSTATUS status = list ? wf_ea_list_check(list, b.Size) : STATUS_EA_LIST_INCONSISTENT;

        if (!NT_SUCCESS(status)) {
            wf_complete(c, status, 0);
            WF_CORO_RETURN(c);
        }
        c->ea.offset = b.Offset;
        c->ea.len = b.Size;
    }
    WF_AWAIT(c, wf_ea_apply(c, c->file->node));
    if (!NT_SUCCESS(c->ea.status)) {
        wf_complete(c, c->ea.status, 0);
        WF_CORO_RETURN(c);
    }
    WF_AWAIT(c, wf_getattr(c, c->file->node, c->file));
    if (NT_SUCCESS(c->walk.status))
        wf_fileinfo(c, &c->file->node->attr, NULL, 0, &c->rsp->Rsp.SetEa.FileInfo);
    c->rsp->Rsp.SetEa.Ea.Size = 0;
    wf_complete(c, STATUS_SUCCESS, 0);
    WF_CORO_END(c);
}
