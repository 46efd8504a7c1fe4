/*
 * req_directory.c - QueryDirectory: listing a directory into WinFsp's
 * buffer of FSP_FSCTL_DIR_INFO entries.
 *
 * The volume runs with DirectoryMarkerAsNextOffset, so every entry carries
 * the FUSE offset that follows it and WinFsp resumes a listing by handing
 * that offset back: each request continues where the last stopped, with no
 * rescanning, however large the directory. READDIRPLUS, when the file
 * system has it, brings each entry's attributes along; its entries count
 * as lookups and are tracked (and later forgotten) like any other.
 */
#include "engine/internal.h"
#include "engine/path.h"
#include "engine/wildcard.h"

#define WF_DIR_INFO_MAX (sizeof(FSP_FSCTL_DIR_INFO) + WF_NAME_MAX * sizeof(WCHAR))

typedef struct dir_state {
    UINT64 offset;            /* FUSE offset of the next entry wanted */
    UINT64 address;           /* WinFsp's buffer */
    UINT32 length;
    UINT32 used;
    UINT32 pattern_off;       /* in the request buffer, bytes */
    UINT32 pattern_len;       /* WCHARs; 0 lists everything */
    bool case_insensitive;
    bool plus;
    bool is_root;
    bool full;
    bool eof;
} dir_state;

static const WCHAR *pattern_of(wf_ctx *c, const dir_state *s)
{
    return (const WCHAR *)(const void *)(c->req->Buffer + s->pattern_off);
}

/* Append one entry (or, with info NULL, the end-of-listing mark) to WinFsp's buffer. */
static bool add_dir_info(dir_state *s, const FSP_FSCTL_DIR_INFO *info)
{
    static const UINT16 end = 0;
    UINT32 size = info ? (UINT32)FSP_FSCTL_DEFAULT_ALIGN_UP(info->Size) : sizeof end;
    UINT32 copy = info ? info->Size : sizeof end;

    if (size > s->length - s->used)
        return false;
    if (!wf_os_copy_to_address(s->address + s->used, info ? (const void *)info : &end, copy))
        return false;
    s->used += size;
    return true;
}

/*
 * Turn one FUSE entry into a DIR_INFO, if its name can be a Windows name
 * and matches the pattern. Returns false when WinFsp's buffer is full.
 */
static bool emit_entry(wf_ctx *c, dir_state *s, const char *name, UINT32 name_len,
    const struct fuse_attr *attr, UINT64 next_offset)
{
    union {
        FSP_FSCTL_DIR_INFO info;
        UINT8 bytes[WF_DIR_INFO_MAX];
    } buf;
    size_t wlen;

    if (s->is_root && ((name_len == 1 && name[0] == '.') ||
            (name_len == 2 && name[0] == '.' && name[1] == '.')))
        return true;
    if (!NT_SUCCESS(wf_name_posix_to_windows(name, name_len, buf.info.FileNameBuf,
            WF_NAME_MAX, &wlen))) {
        /* Invalid UTF-8 cannot be named from Windows; leave it out of the listing. */
        wf_os_log(WF_LOG_INFO, "listing: a name that is not UTF-8 is left out");
        return true;
    }
    if (s->pattern_len && !wf_wildcard_match(pattern_of(c, s), s->pattern_len,
            buf.info.FileNameBuf, wlen, s->case_insensitive))
        return true;
    buf.info.Size = (UINT16)(sizeof buf.info + wlen * sizeof(WCHAR));
    memset(buf.info.Padding, 0, sizeof buf.info.Padding);
    buf.info.NextOffset = next_offset;
    wf_fileinfo(c, attr, name, name_len, &buf.info.FileInfo);
    if (!add_dir_info(s, &buf.info)) {
        s->full = true;
        return false;
    }
    return true;
}

/*
 * Walk one READDIR or READDIRPLUS reply. Entries past a full buffer are not
 * listed now (WinFsp asks again from s->offset) but READDIRPLUS lookups in
 * them still count and are still accounted for.
 */
static NTSTATUS consume_listing(wf_ctx *c, dir_state *s, const UINT8 *p, UINT32 left)
{
    wf_engine *e = c->engine;
    wf_dirent_iter it = {p, left, s->plus, false};
    wf_dirent d;
    UINT64 start = s->offset;

    while (wf_dirent_next(&it, &d)) {
        struct fuse_attr attr;

        memset(&attr, 0, sizeof attr);
        attr.ino = d.d.ino;
        attr.mode = (d.d.type & 017) << 12;
        if (s->plus && d.entry.nodeid != 0 && !d.dot) {
            NTSTATUS status;
            wf_node *n;
            if (!wf_entry_out_sane(&d.entry, false))
                return STATUS_INVALID_NETWORK_RESPONSE;
            n = wf_cache_reply(c, c->file->node, d.name, d.d.namelen, &d.entry, &status);
            if (n) {
                attr = n->attr;
                wf_node_unref(e, n);
            }
        } else if (s->plus && wf_attr_sane(&d.entry.attr)) {
            attr = d.entry.attr;
        }
        if (!s->full && emit_entry(c, s, d.name, d.d.namelen, &attr, d.d.off))
            s->offset = d.d.off;
    }
    if (it.bad)
        return STATUS_INVALID_NETWORK_RESPONSE;
    /* A listing that does not move forward would be asked for again for ever. */
    if (!s->full && s->offset == start)
        return STATUS_INVALID_NETWORK_RESPONSE;
    return STATUS_SUCCESS;
}

/* A pattern without wildcards names one file: look it up instead of listing. */
static void query_by_name(wf_ctx *c)
{
    wf_engine *e = c->engine;
    dir_state *s = WF_STATE(c, dir_state);

    WF_CORO_BEGIN(c);
    {
        size_t len;
        NTSTATUS status = wf_name_windows_to_posix(pattern_of(c, s), s->pattern_len, c->path2,
            WF_PATH_MAX - 1, &len);
        if (!NT_SUCCESS(status) || len > WF_NAME_MAX) {
            add_dir_info(s, NULL);
            WF_CORO_RETURN(c);
        }
        c->walk.name = c->path2;
        c->walk.name_len = (UINT32)len;
    }
    wf_prep(c, FUSE_LOOKUP, c->file->node->nodeid, 0);
    wf_prep_name(c, c->walk.name, c->walk.name_len);
    WF_SEND(c);
    if (NT_SUCCESS(c->reply.status)) {
        NTSTATUS status;
        wf_node *n = wf_cache_reply(c, c->file->node, c->walk.name, c->walk.name_len,
            c->reply.body, &status);
        if (n) {
            bool added = emit_entry(c, s, c->walk.name, c->walk.name_len, &n->attr, 0);
            wf_node_unref(e, n);
            if (!added)
                WF_CORO_RETURN(c);
        }
    } else if (c->reply.status != STATUS_OBJECT_NAME_NOT_FOUND) {
        s->used = 0;
        wf_complete(c, c->reply.status, 0);
        WF_CORO_RETURN(c);
    }
    add_dir_info(s, NULL);
    WF_CORO_END(c);
}

void wf_step_query_directory(wf_ctx *c)
{
    wf_engine *e = c->engine;
    dir_state *s = WF_STATE(c, dir_state);
    const FSP_FSCTL_TRANSACT_REQ *req = c->req;

    WF_CORO_BEGIN(c);
    memset(s, 0, sizeof *s);
    if (!wf_ctx_file(c, req->Req.QueryDirectory.UserContext2))
        WF_CORO_RETURN(c);
    if (!c->file->is_dir) {
        wf_complete(c, STATUS_INVALID_PARAMETER, 0);
        WF_CORO_RETURN(c);
    }
    {
        FSP_FSCTL_TRANSACT_BUF marker = req->Req.QueryDirectory.Marker;
        const UINT8 *marker_bytes = wf_request_buf(c, marker);
        const WCHAR *pattern;
        size_t pattern_len;

        /* The pattern may end in a NUL, which is not part of it. */
        /* The marker is the next offset, 8 bytes; WinFsp sends it with a NUL WCHAR after it. */
        if (!wf_fsctl_req_wstr(req, req->Req.QueryDirectory.Pattern, &pattern, &pattern_len) ||
            !marker_bytes || (marker.Size != 0 && marker.Size != 8 && marker.Size != 10)) {
            wf_complete(c, STATUS_INVALID_PARAMETER, 0);
            WF_CORO_RETURN(c);
        }
        if (marker.Size)
            memcpy(&s->offset, marker_bytes, sizeof s->offset);
        s->pattern_off = (UINT32)((const UINT8 *)pattern - req->Buffer);
        s->pattern_len = (UINT32)pattern_len;
        if (s->pattern_len == 1 && pattern_of(c, s)[0] == '*')
            s->pattern_len = 0;
    }
    s->address = req->Req.QueryDirectory.Address;
    s->length = req->Req.QueryDirectory.Length;
    s->case_insensitive = !req->Req.QueryDirectory.CaseSensitive &&
        !e->volume_params.CaseSensitiveSearch;
    s->is_root = c->file->node == e->root;
    s->plus = (e->init_flags & FUSE_DO_READDIRPLUS) && !wf_enosys(e, FUSE_READDIRPLUS);

    if (s->pattern_len && req->Req.QueryDirectory.PatternIsFileName && !s->case_insensitive &&
        s->offset == 0) {
        WF_AWAIT(c, query_by_name(c));
        if (c->rsp->IoStatus.Status == 0)
            wf_complete(c, STATUS_SUCCESS, s->used);
        WF_CORO_RETURN(c);
    }

    while (!s->full) {
        {
            /* A FUSE entry is about a third of its DIR_INFO: ask for what fits. */
            UINT32 want = s->length < e->max_read ? s->length : e->max_read;
            struct fuse_read_in *in = wf_prep(c, s->plus ? FUSE_READDIRPLUS : FUSE_READDIR,
                c->file->node->nodeid, sizeof *in);
            if (want < 4096)
                want = 4096;
            in->fh = c->file->fh;
            in->offset = s->offset;
            in->size = want;
            c->send.reply_max = want;
        }
        WF_SEND(c);
        if (c->send.opcode == FUSE_READDIRPLUS && c->reply.error == -LINUX_ENOSYS) {
            s->plus = false;
            continue;
        }
        if (!NT_SUCCESS(c->reply.status)) {
            wf_complete(c, c->reply.status, 0);
            WF_CORO_RETURN(c);
        }
        if (c->reply.len == 0) {
            s->eof = true;
            add_dir_info(s, NULL);
            break;
        }
        {
            NTSTATUS status = consume_listing(c, s, c->reply.body, c->reply.len);
            if (!NT_SUCCESS(status)) {
                wf_complete(c, status, 0);
                WF_CORO_RETURN(c);
            }
        }
    }
    /* Not even one entry fit: WinFsp must offer a larger buffer. */
    if (s->used == 0 && !s->eof) {
        wf_complete(c, STATUS_BUFFER_TOO_SMALL, 0);
        WF_CORO_RETURN(c);
    }
    wf_complete(c, STATUS_SUCCESS, s->used);
    WF_CORO_END(c);
}
