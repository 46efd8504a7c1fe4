/*
 * proto.c - FUSE requests out, FUSE replies in.
 *
 * A step describes the request it wants (wf_prep and friends) and the
 * engine writes it into whichever buffer is available when it goes out.
 * Every reply is checked here against the request it answers before any
 * step reads it: the file system is untrusted, and a reply of the wrong
 * shape fails its request with STATUS_INVALID_NETWORK_RESPONSE.
 */
#include "engine/internal.h"
#include "engine/status.h"

void *wf_prep(wf_ctx *c, UINT32 opcode, UINT64 nodeid, UINT32 body_len)
{
    wf_send *s = &c->send;

    s->opcode = opcode;
    s->nodeid = nodeid;
    s->body_len = body_len <= WF_SEND_BODY_MAX ? body_len : WF_SEND_BODY_MAX;
    memset(s->body.bytes, 0, s->body_len);
    s->name[0] = s->name[1] = NULL;
    s->name_len[0] = s->name_len[1] = 0;
    s->data = NULL;
    s->data_len = 0;
    s->data_address = 0;
    s->reply_max = 0;
    return s->body.bytes;
}

void wf_prep_name(wf_ctx *c, const char *name, UINT32 len)
{
    wf_send *s = &c->send;
    int i = s->name[0] ? 1 : 0;

    s->name[i] = name;
    s->name_len[i] = len;
}

void wf_prep_data(wf_ctx *c, const void *data, UINT32 len)
{
    c->send.data = data;
    c->send.data_len = len;
}

void wf_prep_data_address(wf_ctx *c, UINT64 address, UINT32 len)
{
    c->send.data_address = address;
    c->send.data_len = len;
}

size_t wf_send_size(const wf_send *s)
{
    size_t size = sizeof(struct fuse_in_header) + s->body_len + s->data_len;

    for (int i = 0; i < 2; i++)
        if (s->name[i])
            size += (size_t)s->name_len[i] + 1;
    return size;
}

NTSTATUS wf_emit(wf_engine *e, wf_ctx *c, void *buf, size_t cap, size_t *len)
{
    const wf_send *s = &c->send;
    struct fuse_in_header hdr;
    size_t size = wf_send_size(s);
    UINT8 *p = (UINT8 *)buf + sizeof hdr;

    if (size > UINT32_MAX)
        return STATUS_INVALID_PARAMETER;
    if (size > cap)
        return STATUS_BUFFER_TOO_SMALL;

    memcpy(p, s->body.bytes, s->body_len);
    p += s->body_len;
    for (int i = 0; i < 2; i++) {
        if (s->name[i]) {
            memcpy(p, s->name[i], s->name_len[i]);
            p += s->name_len[i];
            *p++ = 0;
        }
    }
    if (s->data_len) {
        if (s->data)
            memcpy(p, s->data, s->data_len);
        else if (!wf_os_copy_from_address(p, s->data_address, s->data_len))
            return STATUS_INVALID_USER_BUFFER;
    }

    memset(&hdr, 0, sizeof hdr);
    hdr.len = (UINT32)size;
    hdr.opcode = s->opcode;
    hdr.unique = e->next_unique;
    hdr.nodeid = s->nodeid;
    hdr.uid = c->uid;
    hdr.gid = c->gid;
    hdr.pid = c->pid;
    memcpy(buf, &hdr, sizeof hdr);
    /* Uniques step by two: the low bit marks interrupts, as in Linux. */
    e->next_unique += 2;
    c->unique = hdr.unique;
    c->sent_seq = e->change_seq;
    wf_names_begin(c);
    e->stats.fuse_requests++;
    *len = size;
    return STATUS_SUCCESS;
}

bool wf_attr_sane(const struct fuse_attr *attr)
{
    switch (attr->mode & LINUX_S_IFMT) {
    case LINUX_S_IFREG:
    case LINUX_S_IFDIR:
    case LINUX_S_IFLNK:
    case LINUX_S_IFIFO:
    case LINUX_S_IFCHR:
    case LINUX_S_IFBLK:
    case LINUX_S_IFSOCK:
        break;
    default:
        return false;
    }
    return attr->atimensec < 1000000000u && attr->mtimensec < 1000000000u &&
        attr->ctimensec < 1000000000u && attr->size <= (UINT64)INT64_MAX;
}

bool wf_entry_out_sane(const struct fuse_entry_out *entry, bool negative_ok)
{
    if (entry->entry_valid_nsec >= 1000000000u || entry->attr_valid_nsec >= 1000000000u)
        return false;
    if (entry->nodeid == 0)
        return negative_ok;
    /* The root is never the answer to a lookup of a name below it. */
    return entry->nodeid != FUSE_ROOT_ID && wf_attr_sane(&entry->attr);
}

/* The exact or largest body a successful reply to each opcode may have. */
static bool reply_shape_ok(const wf_send *sent, const wf_reply *r)
{
    struct fuse_entry_out entry;
    struct fuse_attr_out attr;
    struct fuse_write_out wout;

    switch (sent->opcode) {
    case FUSE_LOOKUP:
    case FUSE_MKNOD:
    case FUSE_MKDIR:
    case FUSE_SYMLINK:
    case FUSE_LINK:
        if (r->len != sizeof entry)
            return false;
        memcpy(&entry, r->body, sizeof entry);
        return wf_entry_out_sane(&entry, sent->opcode == FUSE_LOOKUP);
    case FUSE_CREATE:
        if (r->len != sizeof entry + sizeof(struct fuse_open_out))
            return false;
        memcpy(&entry, r->body, sizeof entry);
        return wf_entry_out_sane(&entry, false);
    case FUSE_GETATTR:
    case FUSE_SETATTR:
        if (r->len != sizeof attr)
            return false;
        memcpy(&attr, r->body, sizeof attr);
        return attr.attr_valid_nsec < 1000000000u && wf_attr_sane(&attr.attr);
    case FUSE_OPEN:
    case FUSE_OPENDIR:
        return r->len == sizeof(struct fuse_open_out);
    case FUSE_READ:
    case FUSE_READDIR:
    case FUSE_READDIRPLUS:
        return r->len <= sent->reply_max;
    case FUSE_READLINK:
        return r->len > 0 && r->len <= WF_SYMLINK_MAX;
    case FUSE_WRITE:
    case FUSE_COPY_FILE_RANGE:
        if (r->len != sizeof wout)
            return false;
        memcpy(&wout, r->body, sizeof wout);
        return sent->opcode != FUSE_WRITE || wout.size <= sent->reply_max;
    case FUSE_STATFS:
        return r->len == sizeof(struct fuse_statfs_out);
    case FUSE_GETXATTR:
    case FUSE_LISTXATTR:
        return sent->reply_max == 0 ? r->len == sizeof(struct fuse_getxattr_out)
                                    : r->len <= sent->reply_max;
    case FUSE_INIT:
        /* Peers from 7.23 on send at least up to time_gran; newer ones more. */
        return r->len >= 24 && r->len <= sizeof(struct fuse_init_out);
    case FUSE_BMAP:
        return r->len == sizeof(struct fuse_bmap_out);
    case FUSE_LSEEK:
        return r->len == sizeof(struct fuse_lseek_out);
    case FUSE_GETLK:
        return r->len == sizeof(struct fuse_lk_out);
    case FUSE_POLL:
        return r->len == sizeof(struct fuse_poll_out);
    case FUSE_IOCTL:
        return r->len >= sizeof(struct fuse_ioctl_out) &&
            r->len - sizeof(struct fuse_ioctl_out) <= sent->reply_max;
    default:
        /* Everything else answers with a bare header. */
        return r->len == 0;
    }
}

void wf_reply_check(const wf_send *sent, wf_reply *r)
{
    /* Linux accepts errors from -1 to -511 only; so do we. */
    if (r->error > 0 || r->error <= -512) {
        r->status = STATUS_INVALID_NETWORK_RESPONSE;
        return;
    }
    if (r->error < 0) {
        r->status = r->len == 0 ? wf_status_from_errno(-r->error) : STATUS_INVALID_NETWORK_RESPONSE;
        return;
    }
    r->status = reply_shape_ok(sent, r) ? STATUS_SUCCESS : STATUS_INVALID_NETWORK_RESPONSE;
}

_Static_assert(sizeof(((wf_dirent *)0)->d) == FUSE_NAME_OFFSET, "the dirent header");

bool wf_dirent_next(wf_dirent_iter *it, wf_dirent *out)
{
    UINT32 head = it->plus ? (UINT32)sizeof out->entry : 0, size;

    if (it->left == 0 || it->bad)
        return false;
    if (it->left < head + FUSE_NAME_OFFSET)
        goto bad;
    if (it->plus)
        memcpy(&out->entry, it->p, sizeof out->entry);
    memcpy(&out->d, it->p + head, sizeof out->d);
    size = head + (UINT32)FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + (UINT64)out->d.namelen);
    if (out->d.namelen == 0 || out->d.namelen > WF_NAME_MAX || size > it->left)
        goto bad;
    out->name = (const char *)it->p + head + FUSE_NAME_OFFSET;
    /* A name is one component: no separator, no NUL inside. */
    if (memchr(out->name, '/', out->d.namelen) || memchr(out->name, 0, out->d.namelen))
        goto bad;
    out->dot = (out->d.namelen == 1 && out->name[0] == '.') ||
        (out->d.namelen == 2 && out->name[0] == '.' && out->name[1] == '.');
    it->p += size;
    it->left -= size;
    return true;
bad:
    it->bad = true;
    return false;
}
