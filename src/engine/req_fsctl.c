/*
 * req_fsctl.c - FileSystemControl and DeviceControl.
 *
 * Reparse points are how Windows sees symbolic links: FSCTL_GET_REPARSE_POINT
 * reads a link (READLINK), FSCTL_SET_REPARSE_POINT turns a file into one
 * (the file goes, a SYMLINK takes its name), FSCTL_DELETE_REPARSE_POINT
 * turns a link back into an empty file. Link targets are POSIX paths; a
 * relative one stays relative (SYMLINK_FLAG_RELATIVE), an absolute one is
 * rooted at the volume. DeviceControl passes the control code and buffers
 * to the file system's IOCTL.
 */
#include "engine/internal.h"
#include "engine/path.h"

/* REPARSE_DATA_BUFFER for IO_REPARSE_TAG_SYMLINK: an 8-byte header, 12 bytes, names. */
#define WF_REPARSE_HEADER 8u
#define WF_SYMLINK_HEADER (WF_REPARSE_HEADER + 12u)
#define WF_REPARSE_MAX 16384u

typedef struct fsctl_state {
    UINT32 target_len;        /* POSIX target, in c->path2 */
    bool was_dir;
    NTSTATUS status;
} fsctl_state;

static UINT16 get16(const UINT8 *p)
{
    return (UINT16)(p[0] | p[1] << 8);
}

static UINT32 get32(const UINT8 *p)
{
    return (UINT32)p[0] | (UINT32)p[1] << 8 | (UINT32)p[2] << 16 | (UINT32)p[3] << 24;
}

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

static bool is_symlink(const wf_file *f)
{
    return (f->node->attr.mode & LINUX_S_IFMT) == LINUX_S_IFLNK;
}

/* Build the symlink reparse buffer for a POSIX target into the response. */
static NTSTATUS put_reparse(wf_ctx *c, const char *target, UINT32 len)
{
    WCHAR name[WF_REPARSE_MAX / sizeof(WCHAR)];
    size_t wlen;
    UINT32 bytes, size;
    UINT8 *buf;
    bool relative = len == 0 || target[0] != '/';
    NTSTATUS status = wf_path_posix_to_windows(target, len, name, WF_REPARSE_MAX / 4, &wlen);

    if (!NT_SUCCESS(status))
        return status == STATUS_BUFFER_TOO_SMALL ? STATUS_IO_REPARSE_DATA_INVALID : status;
    bytes = (UINT32)(wlen * sizeof(WCHAR));
    /* Substitute name and print name are the same text, stored twice. */
    size = WF_SYMLINK_HEADER + 2 * bytes;
    buf = wf_rsp_buffer(c, size, &c->rsp->Rsp.FileSystemControl.Buffer);
    if (!buf || size > WF_REPARSE_MAX)
        return STATUS_BUFFER_OVERFLOW;
    put32(buf, IO_REPARSE_TAG_SYMLINK);
    put16(buf + 4, (UINT16)(size - WF_REPARSE_HEADER));
    put16(buf + 6, 0);
    put16(buf + 8, 0);                /* SubstituteNameOffset */
    put16(buf + 10, (UINT16)bytes);   /* SubstituteNameLength */
    put16(buf + 12, (UINT16)bytes);   /* PrintNameOffset */
    put16(buf + 14, (UINT16)bytes);   /* PrintNameLength */
    put32(buf + 16, relative ? SYMLINK_FLAG_RELATIVE : 0);
    memcpy(buf + WF_SYMLINK_HEADER, name, bytes);
    memcpy(buf + WF_SYMLINK_HEADER + bytes, name, bytes);
    wf_complete(c, STATUS_SUCCESS, size);
    return STATUS_SUCCESS;
}

/*
 * FIFOs, sockets and devices are reparse points too, tagged as Windows'
 * NFS client tags them: an 8-byte type, and for devices major and minor.
 */
#define WF_NFS_SPECFILE_FIFO 0x000000004F464946ull
#define WF_NFS_SPECFILE_CHR 0x0000000000524843ull
#define WF_NFS_SPECFILE_BLK 0x00000000004B4C42ull
#define WF_NFS_SPECFILE_SOCK 0x000000004B434F53ull

static NTSTATUS put_special(wf_ctx *c, const struct fuse_attr *attr)
{
    UINT64 type;
    UINT32 size = WF_REPARSE_HEADER + 8;
    UINT8 *buf;

    switch (attr->mode & LINUX_S_IFMT) {
    case LINUX_S_IFIFO:
        type = WF_NFS_SPECFILE_FIFO;
        break;
    case LINUX_S_IFSOCK:
        type = WF_NFS_SPECFILE_SOCK;
        break;
    case LINUX_S_IFCHR:
        type = WF_NFS_SPECFILE_CHR;
        size += 8;
        break;
    case LINUX_S_IFBLK:
        type = WF_NFS_SPECFILE_BLK;
        size += 8;
        break;
    default:
        return STATUS_NOT_A_REPARSE_POINT;
    }
    buf = wf_rsp_buffer(c, size, &c->rsp->Rsp.FileSystemControl.Buffer);
    if (!buf)
        return STATUS_BUFFER_OVERFLOW;
    put32(buf, IO_REPARSE_TAG_NFS);
    put16(buf + 4, (UINT16)(size - WF_REPARSE_HEADER));
    put16(buf + 6, 0);
    put32(buf + 8, (UINT32)type);
    put32(buf + 12, (UINT32)(type >> 32));
    if (size > WF_REPARSE_HEADER + 8) {
        /* Linux's encoding of rdev: 12 bits of major, 20 of minor, interleaved. */
        UINT32 major = (attr->rdev >> 8) & 0xfff;
        UINT32 minor = (attr->rdev & 0xff) | ((attr->rdev >> 12) & 0xfff00);
        put32(buf + 16, major);
        put32(buf + 20, minor);
    }
    wf_complete(c, STATUS_SUCCESS, size);
    return STATUS_SUCCESS;
}

/* The POSIX target of a symlink reparse buffer, into c->path2. */
static NTSTATUS parse_reparse(wf_ctx *c, const UINT8 *buf, UINT32 len, UINT32 *target_len)
{
    UINT32 tag, data_len, sub_off, sub_len, flags;
    const UINT8 *names;
    WCHAR name[WF_REPARSE_MAX / sizeof(WCHAR)];
    size_t n, i = 0;
    NTSTATUS status;

    if (len < WF_SYMLINK_HEADER)
        return STATUS_IO_REPARSE_DATA_INVALID;
    tag = get32(buf);
    data_len = get16(buf + 4);
    if (tag != IO_REPARSE_TAG_SYMLINK)
        return STATUS_IO_REPARSE_TAG_NOT_HANDLED;
    if (data_len + WF_REPARSE_HEADER != len)
        return STATUS_IO_REPARSE_DATA_INVALID;
    sub_off = get16(buf + 8);
    sub_len = get16(buf + 10);
    flags = get32(buf + 16);
    names = buf + WF_SYMLINK_HEADER;
    if ((sub_off | sub_len) & 1 || sub_len == 0 || sub_off + sub_len > len - WF_SYMLINK_HEADER)
        return STATUS_IO_REPARSE_DATA_INVALID;
    n = sub_len / sizeof(WCHAR);
    memcpy(name, names + sub_off, sub_len);
    /* A rooted target on this volume: strip the NT prefix a Win32 caller may add. */
    if (!(flags & SYMLINK_FLAG_RELATIVE) && n >= 4 && name[0] == '\\' && name[1] == '?' &&
        name[2] == '?' && name[3] == '\\')
        return STATUS_IO_REPARSE_DATA_INVALID; /* a target outside this volume */
    for (; i < n; i++)
        if (name[i] == 0)
            return STATUS_IO_REPARSE_DATA_INVALID;
    status = wf_path_windows_to_posix(name, n, c->path2, WF_PATH_MAX - 1, &n);
    if (!NT_SUCCESS(status))
        return STATUS_IO_REPARSE_DATA_INVALID;
    if ((flags & SYMLINK_FLAG_RELATIVE) && n && c->path2[0] == '/')
        return STATUS_IO_REPARSE_DATA_INVALID;
    c->path2[n] = 0;
    *target_len = (UINT32)n;
    return STATUS_SUCCESS;
}

/* Replace the file c->file names (path in c->path) with a new node. */
static void replace_file(wf_ctx *c, bool make_symlink)
{
    wf_engine *e = c->engine;
    fsctl_state *s = WF_STATE(c, fsctl_state);

    WF_CORO_BEGIN(c);
    if (!c->file->no_fh) {
        /* The handle is about to name another file; let go of this one's. */
        struct fuse_release_in *in = wf_prep(c, c->file->is_dir ? FUSE_RELEASEDIR : FUSE_RELEASE,
            c->file->node->nodeid, sizeof *in);
        in->fh = c->file->fh;
        in->flags = c->file->open_flags;
        WF_SEND(c);
        c->file->no_fh = true;
    }
    s->was_dir = c->file->is_dir;
    wf_prep(c, s->was_dir ? FUSE_RMDIR : FUSE_UNLINK, c->walk.node->nodeid, 0);
    wf_prep_name(c, c->walk.name, c->walk.name_len);
    WF_SEND(c);
    wf_cache_remove(e, c->walk.node, c->walk.name, c->walk.name_len);
    if (!NT_SUCCESS(c->reply.status)) {
        s->status = c->reply.status;
        WF_CORO_RETURN(c);
    }
    if (make_symlink) {
        wf_prep(c, FUSE_SYMLINK, c->walk.node->nodeid, 0);
        wf_prep_name(c, c->walk.name, c->walk.name_len);
        wf_prep_name(c, c->path2, s->target_len);
    } else {
        struct fuse_mknod_in *in = wf_prep(c, FUSE_MKNOD, c->walk.node->nodeid, sizeof *in);
        in->mode = LINUX_S_IFREG | 0644;
        wf_prep_name(c, c->walk.name, c->walk.name_len);
    }
    WF_SEND(c);
    if (!NT_SUCCESS(c->reply.status)) {
        s->status = c->reply.status;
        WF_CORO_RETURN(c);
    }
    {
        wf_node *n = wf_cache_reply(c, c->walk.node, c->walk.name, c->walk.name_len,
            c->reply.body, &s->status);
        if (!n)
            WF_CORO_RETURN(c);
        wf_node_unref(e, c->file->node);
        c->file->node = n;
        c->file->is_dir = false;
        c->file->no_fh = true;
    }
    if (!make_symlink) {
        /* The handle must be able to read and write its empty file. */
        struct fuse_open_in *in = wf_prep(c, FUSE_OPEN, c->file->node->nodeid, sizeof *in);
        in->flags = LINUX_O_RDWR;
        WF_SEND(c);
        if (NT_SUCCESS(c->reply.status)) {
            struct fuse_open_out out;
            memcpy(&out, c->reply.body, sizeof out);
            c->file->fh = out.fh;
            c->file->fopen_flags = out.open_flags;
            c->file->open_flags = LINUX_O_RDWR;
            c->file->no_fh = false;
        }
    }
    s->status = STATUS_SUCCESS;
    WF_CORO_END(c);
}

void wf_step_file_system_control(wf_ctx *c)
{
    fsctl_state *s = WF_STATE(c, fsctl_state);
    const FSP_FSCTL_TRANSACT_REQ *req = c->req;

    WF_CORO_BEGIN(c);
    if (!wf_ctx_file(c, req->Req.FileSystemControl.UserContext2))
        WF_CORO_RETURN(c);
    switch (req->Req.FileSystemControl.FsControlCode) {
    case FSCTL_GET_REPARSE_POINT:
        break;
    case FSCTL_SET_REPARSE_POINT:
    case FSCTL_DELETE_REPARSE_POINT:
        goto change;
    default:
        wf_complete(c, STATUS_INVALID_DEVICE_REQUEST, 0);
        WF_CORO_RETURN(c);
    }

    if (!is_symlink(c->file)) {
        NTSTATUS status = put_special(c, &c->file->node->attr);
        if (!NT_SUCCESS(status))
            wf_complete(c, status, 0);
        WF_CORO_RETURN(c);
    }
    wf_prep(c, FUSE_READLINK, c->file->node->nodeid, 0);
    WF_SEND(c);
    if (!NT_SUCCESS(c->reply.status)) {
        wf_complete(c, c->reply.status, 0);
        WF_CORO_RETURN(c);
    }
    if (memchr(c->reply.body, 0, c->reply.len)) {
        wf_complete(c, STATUS_INVALID_NETWORK_RESPONSE, 0);
        WF_CORO_RETURN(c);
    }
    {
        NTSTATUS status = put_reparse(c, c->reply.body, c->reply.len);
        if (!NT_SUCCESS(status))
            wf_complete(c, status, 0);
    }
    WF_CORO_RETURN(c);

change:
    {
        FSP_FSCTL_TRANSACT_BUF b = req->Req.FileSystemControl.Buffer;
        const UINT8 *data = wf_request_buf(c, b);
        UINT32 len;
        NTSTATUS status;

        if (!data) {
            wf_complete(c, STATUS_INVALID_PARAMETER, 0);
            WF_CORO_RETURN(c);
        }
        if (req->Req.FileSystemControl.FsControlCode == FSCTL_SET_REPARSE_POINT) {
            status = parse_reparse(c, data, b.Size, &s->target_len);
        } else {
            /* Deleting takes the header alone, with the tag the file has. */
            status = b.Size >= WF_REPARSE_HEADER && get32(data) == IO_REPARSE_TAG_SYMLINK
                ? STATUS_SUCCESS : STATUS_IO_REPARSE_TAG_MISMATCH;
            if (NT_SUCCESS(status) && !is_symlink(c->file))
                status = STATUS_NOT_A_REPARSE_POINT;
        }
        if (NT_SUCCESS(status))
            status = wf_request_path(c, req->FileName, c->path, &len);
        if (NT_SUCCESS(status) && len <= 1)
            status = STATUS_ACCESS_DENIED;
        if (!NT_SUCCESS(status)) {
            wf_complete(c, status, 0);
            WF_CORO_RETURN(c);
        }
        wf_walk_start(c, c->path, len, true);
    }
    WF_AWAIT(c, wf_lookup_path(c));
    if (!NT_SUCCESS(c->walk.status)) {
        wf_complete(c, c->walk.status, 0);
        WF_CORO_RETURN(c);
    }
    WF_AWAIT(c, replace_file(c, req->Req.FileSystemControl.FsControlCode ==
        FSCTL_SET_REPARSE_POINT));
    wf_complete(c, s->status, 0);
    WF_CORO_END(c);
}

typedef struct ioctl_state {
    UINT32 out_len;
} ioctl_state;

void wf_step_device_control(wf_ctx *c)
{
    wf_engine *e = c->engine;
    ioctl_state *s = WF_STATE(c, ioctl_state);
    const FSP_FSCTL_TRANSACT_REQ *req = c->req;

    WF_CORO_BEGIN(c);
    if (!wf_ctx_file(c, req->Req.DeviceControl.UserContext2))
        WF_CORO_RETURN(c);
    if (c->file->no_fh || wf_enosys(e, FUSE_IOCTL)) {
        wf_complete(c, STATUS_INVALID_DEVICE_REQUEST, 0);
        WF_CORO_RETURN(c);
    }
    {
        FSP_FSCTL_TRANSACT_BUF b = req->Req.DeviceControl.Buffer;
        const UINT8 *data = wf_request_buf(c, b);
        struct fuse_ioctl_in *in;

        s->out_len = req->Req.DeviceControl.OutputLength;
        if (!data || s->out_len > FSP_FSCTL_DEVICECONTROL_SIZEMAX) {
            wf_complete(c, STATUS_INVALID_PARAMETER, 0);
            WF_CORO_RETURN(c);
        }
        in = wf_prep(c, FUSE_IOCTL, c->file->node->nodeid, sizeof *in);
        in->fh = c->file->fh;
        in->flags = c->file->is_dir ? FUSE_IOCTL_DIR : 0;
        in->cmd = req->Req.DeviceControl.IoControlCode;
        in->in_size = b.Size;
        in->out_size = s->out_len;
        wf_prep_data(c, data, b.Size);
        c->send.reply_max = s->out_len;
    }
    WF_SEND(c);
    if (!NT_SUCCESS(c->reply.status)) {
        wf_complete(c, c->reply.error == -LINUX_ENOTTY || c->reply.error == -LINUX_ENOSYS
                ? STATUS_INVALID_DEVICE_REQUEST : c->reply.status, 0);
        WF_CORO_RETURN(c);
    }
    {
        struct fuse_ioctl_out out;
        UINT32 data = c->reply.len - (UINT32)sizeof out;
        void *buf;

        memcpy(&out, c->reply.body, sizeof out);
        /* Retries negotiate iovecs for unrestricted ioctls, which Windows has no use for. */
        if (out.flags & FUSE_IOCTL_RETRY) {
            wf_complete(c, STATUS_INVALID_DEVICE_REQUEST, 0);
            WF_CORO_RETURN(c);
        }
        if (out.result < 0) {
            wf_complete(c, STATUS_INVALID_DEVICE_REQUEST, 0);
            WF_CORO_RETURN(c);
        }
        buf = wf_rsp_buffer(c, data, &c->rsp->Rsp.DeviceControl.Buffer);
        if (!buf) {
            wf_complete(c, STATUS_BUFFER_OVERFLOW, 0);
            WF_CORO_RETURN(c);
        }
        memcpy(buf, (const UINT8 *)c->reply.body + sizeof out, data);
        wf_complete(c, STATUS_SUCCESS, data);
    }
    WF_CORO_END(c);
}
