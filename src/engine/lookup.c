/*
 * lookup.c - from a WinFsp path to a FUSE inode.
 *
 * WinFsp names files by full path; FUSE by (parent inode, name). A walk
 * turns one into the other a component at a time, answering from the
 * cache while entry_valid lasts and asking LOOKUP otherwise. As on NTFS, a
 * missing last component is STATUS_OBJECT_NAME_NOT_FOUND and a missing or
 * non-directory intermediate one STATUS_OBJECT_PATH_NOT_FOUND.
 */
#include "engine/internal.h"
#include "engine/path.h"
#include "engine/ucase.h"

const UINT8 *wf_request_buf(const wf_ctx *c, FSP_FSCTL_TRANSACT_BUF buf)
{
    const void *data;
    return wf_fsctl_req_buf(c->req, buf, &data) ? data : NULL;
}

NTSTATUS wf_request_path(wf_ctx *c, FSP_FSCTL_TRANSACT_BUF buf, char *dst, UINT32 *len)
{
    const WCHAR *win;
    size_t n;
    NTSTATUS status;

    /* Offsets come from the provider: the name must lie inside the request. */
    if (!wf_fsctl_req_wstr(c->req, buf, &win, &n) || n == 0)
        return STATUS_OBJECT_NAME_INVALID;
    status = wf_path_validate(win, n, c->engine->volume_params.MaxComponentLength,
        FSP_FSCTL_TRANSACT_PATH_SIZEMAX / sizeof(WCHAR), 0, NULL);
    if (!NT_SUCCESS(status))
        return status;
    status = wf_path_windows_to_posix(win, n, dst, WF_PATH_MAX - 1, &n);
    if (!NT_SUCCESS(status))
        return status == STATUS_BUFFER_TOO_SMALL ? STATUS_NAME_TOO_LONG : status;
    /* The FSD leaves one trailing '\' in the name it reports; a walk needs none. */
    while (n > 1 && dst[n - 1] == '/')
        n--;
    dst[n] = 0;
    *len = (UINT32)n;
    return STATUS_SUCCESS;
}

bool wf_case_insensitive(const wf_engine *e, bool request_case_sensitive)
{
    return !e->volume_params.CaseSensitiveSearch && !request_case_sensitive;
}

void wf_walk_start(wf_ctx *c, const char *path, UINT32 len, bool parent_only)
{
    wf_walk *w = &c->walk;

    if (w->node)
        wf_node_unref(c->engine, w->node);
    w->path = path;
    w->len = len;
    w->pos = 0;
    w->parent_only = parent_only;
    w->node = c->engine->root;
    wf_node_ref(w->node);
    w->name = "";
    w->name_len = 0;
    w->status = STATUS_SUCCESS;
    w->case_insensitive = wf_case_insensitive(c->engine, false);
    w->norm = c->norm;
    w->norm_len = 0;
    c->norm[0] = 0;
}

/* Record a resolved component in the walk's normalized path. */
static void norm_append(wf_walk *w, const char *name, UINT32 len)
{
    if (!w->norm || w->norm_len + 1 + len >= WF_PATH_MAX) {
        w->norm = NULL;
        return;
    }
    w->norm[w->norm_len++] = '/';
    memcpy(w->norm + w->norm_len, name, len);
    w->norm_len += len;
    w->norm[w->norm_len] = 0;
}

void wf_walk_done(wf_ctx *c)
{
    if (c->walk.node)
        wf_node_unref(c->engine, c->walk.node);
    c->walk.node = NULL;
}

static bool is_dir(const wf_node *n)
{
    return (n->attr.mode & LINUX_S_IFMT) == LINUX_S_IFDIR;
}

/* Find the component starting at or after w->pos; false at the end. */
static bool next_component(wf_walk *w)
{
    UINT32 start = w->pos, end;

    while (start < w->len && w->path[start] == '/')
        start++;
    if (start >= w->len)
        return false;
    for (end = start; end < w->len && w->path[end] != '/'; end++)
        ;
    w->name = w->path + start;
    w->name_len = end - start;
    w->pos = end;
    return true;
}

static bool at_last(const wf_walk *w)
{
    UINT32 p = w->pos;
    while (p < w->len && w->path[p] == '/')
        p++;
    return p >= w->len;
}

/*
 * On a case-insensitive volume a name that is not there as spelled may be
 * there in another case: list the directory w->node and take the entry that
 * folds to the same name as w->name. The result is w->actual, with w->found.
 * The listing leaves the directory's index behind (ci_index.c), and while
 * that is valid the next miss asks it instead (w->from_index).
 */
void wf_find_name_ci(wf_ctx *c)
{
    wf_engine *e = c->engine;
    wf_walk *w = &c->walk;

    WF_CORO_BEGIN(c);
    w->found = false;
    w->from_index = wf_ci_valid(w->node->ci);
    if (w->from_index) {
        UINT32 len;
        const char *actual = wf_ci_find(w->node->ci, w->name, w->name_len, &len);
        if (actual) {
            memcpy(w->actual, actual, len);
            w->actual[len] = 0;
            w->found = true;
        }
        WF_CORO_RETURN(c);
    }
    /* The listing also records every name, unless names may not be cached at all. */
    wf_ci_free(w->ci_building);
    w->ci_building = e->ci_valid || e->ci_valid_nsec ? wf_ci_new(e, 0) : NULL;
    w->ci_gen = w->node->ci_gen;
    w->ci_seq = e->change_seq;
    {
        struct fuse_open_in *in = wf_prep(c, FUSE_OPENDIR, w->node->nodeid, sizeof *in);
        in->flags = LINUX_O_RDONLY;
    }
    WF_SEND(c);
    if (!NT_SUCCESS(c->reply.status))
        WF_CORO_RETURN(c);
    {
        struct fuse_open_out out;
        memcpy(&out, c->reply.body, sizeof out);
        w->dir_fh = out.fh;
        w->dir_off = 0;
    }
    for (;;) {
        {
            struct fuse_read_in *in = wf_prep(c, FUSE_READDIR, w->node->nodeid, sizeof *in);
            in->fh = w->dir_fh;
            in->offset = w->dir_off;
            in->size = 16384;
            c->send.reply_max = 16384;
        }
        WF_SEND(c);
        if (!NT_SUCCESS(c->reply.status)) {
            wf_ci_free(w->ci_building);
            w->ci_building = NULL;
            break;
        }
        if (c->reply.len == 0)
            break;
        {
            wf_dirent_iter it = {c->reply.body, c->reply.len, false, false};
            wf_dirent d;
            UINT64 start = w->dir_off;

            while ((!w->found || w->ci_building) && wf_dirent_next(&it, &d)) {
                if (d.dot)
                    continue;
                if (!w->found && wf_ucase_equal_utf8(d.name, d.d.namelen, w->name, w->name_len)) {
                    memcpy(w->actual, d.name, d.d.namelen);
                    w->actual[d.d.namelen] = 0;
                    w->found = true;
                }
                if (w->ci_building && !wf_ci_add(w->ci_building, d.name, d.d.namelen)) {
                    wf_ci_free(w->ci_building);
                    w->ci_building = NULL;
                }
                w->dir_off = d.d.off;
            }
            /* A malformed or stalled listing ends the search: the name is not found. */
            if (it.bad || w->dir_off == start) {
                wf_ci_free(w->ci_building);
                w->ci_building = NULL;
                break;
            }
            if (w->found && !w->ci_building)
                break;
        }
    }
    /* A complete listing, with no name going meanwhile, is the directory's index now. */
    if (w->ci_building && w->node->ci_gen == w->ci_gen && w->node->names_seq <= w->ci_seq)
        wf_ci_install(w->node, w->ci_building, wf_valid_until(e->ci_valid, e->ci_valid_nsec));
    else
        wf_ci_free(w->ci_building);
    w->ci_building = NULL;
    {
        struct fuse_release_in *in = wf_prep(c, FUSE_RELEASEDIR, w->node->nodeid, sizeof *in);
        in->fh = w->dir_fh;
    }
    WF_SEND(c);
    WF_CORO_END(c);
}

void wf_lookup_path(wf_ctx *c)
{
    wf_engine *e = c->engine;
    wf_walk *w = &c->walk;

    WF_CORO_BEGIN(c);
    while (next_component(w)) {
        w->from_index = false;
        if (at_last(w) && w->parent_only) {
            norm_append(w, w->name, w->name_len);
            WF_CORO_RETURN(c);
        }
        if (!is_dir(w->node)) {
            w->status = STATUS_OBJECT_PATH_NOT_FOUND;
            WF_CORO_RETURN(c);
        }
        {
            bool negative;
            wf_node *child = wf_cache_lookup(e, w->node, w->name, w->name_len, &negative);
            if (child) {
                wf_node_unref(e, w->node);
                w->node = child;
                norm_append(w, w->name, w->name_len);
                continue;
            }
            if (negative && !w->case_insensitive) {
                w->status = at_last(w) ? STATUS_OBJECT_NAME_NOT_FOUND
                                       : STATUS_OBJECT_PATH_NOT_FOUND;
                WF_CORO_RETURN(c);
            }
            if (negative)
                goto other_case;
        }
        wf_prep(c, FUSE_LOOKUP, w->node->nodeid, 0);
        wf_prep_name(c, w->name, w->name_len);
        WF_SEND(c);
        if (c->reply.status == STATUS_OBJECT_NAME_NOT_FOUND && w->case_insensitive)
            goto other_case;
        if (NT_SUCCESS(c->reply.status) && w->case_insensitive) {
            struct fuse_entry_out entry;
            memcpy(&entry, c->reply.body, sizeof entry);
            if (entry.nodeid == 0) {
                wf_cache_enter(c, w->node, w->name, w->name_len, NULL, entry.entry_valid,
                    entry.entry_valid_nsec);
                goto other_case;
            }
        }
        goto looked_up;

    other_case:
        WF_AWAIT(c, wf_find_name_ci(c));
        if (!w->found) {
            w->status = at_last(w) ? STATUS_OBJECT_NAME_NOT_FOUND
                                   : STATUS_OBJECT_PATH_NOT_FOUND;
            WF_CORO_RETURN(c);
        }
        w->name = w->actual;
        w->name_len = (UINT32)strlen(w->actual);
        {
            bool negative;
            wf_node *child = wf_cache_lookup(e, w->node, w->name, w->name_len, &negative);
            if (child) {
                wf_node_unref(e, w->node);
                w->node = child;
                norm_append(w, w->name, w->name_len);
                continue;
            }
        }
        wf_prep(c, FUSE_LOOKUP, w->node->nodeid, 0);
        wf_prep_name(c, w->name, w->name_len);
        WF_SEND(c);

    looked_up:
        {
            wf_node *child;
            NTSTATUS status = c->reply.status;

            if (NT_SUCCESS(status)) {
                child = wf_cache_reply(c, w->node, w->name, w->name_len, c->reply.body, &status);
                if (child) {
                    wf_node_unref(e, w->node);
                    w->node = child;
                    norm_append(w, w->name, w->name_len);
                    continue;
                }
            }
            if (status == STATUS_OBJECT_NAME_NOT_FOUND && w->case_insensitive && w->from_index) {
                /* The index named a file the file system no longer has: list again. */
                UINT32 start = w->pos;
                while (start > 0 && w->path[start - 1] != '/')
                    start--;
                wf_ci_drop(w->node);
                w->name = w->path + start;
                w->name_len = w->pos - start;
                goto other_case;
            }
            if (status == STATUS_OBJECT_NAME_NOT_FOUND || status == STATUS_OBJECT_PATH_NOT_FOUND ||
                status == STATUS_NOT_A_DIRECTORY)
                status = at_last(w) ? STATUS_OBJECT_NAME_NOT_FOUND : STATUS_OBJECT_PATH_NOT_FOUND;
            w->status = status;
            WF_CORO_RETURN(c);
        }
    }
    /* The whole path is walked: w->node is the file, w->name its last name. */
    WF_CORO_END(c);
}

void wf_getattr(wf_ctx *c, wf_node *node, wf_file *file)
{
    WF_CORO_BEGIN(c);
    if (wf_node_attr_valid(node)) {
        c->walk.status = STATUS_SUCCESS;
        WF_CORO_RETURN(c);
    }
    {
        struct fuse_getattr_in *in = wf_prep(c, FUSE_GETATTR, node->nodeid, sizeof *in);
        /* Only a file's handle goes along, as Linux does: libfuse 2 reads any as one. */
        if (file && !file->no_fh && !file->is_dir) {
            in->getattr_flags = FUSE_GETATTR_FH;
            in->fh = file->fh;
        }
    }
    WF_SEND(c);
    c->walk.status = c->reply.status;
    if (NT_SUCCESS(c->reply.status)) {
        struct fuse_attr_out out;
        memcpy(&out, c->reply.body, sizeof out);
        wf_node_take_attr(c, node, &out.attr, out.attr_valid, out.attr_valid_nsec, false);
    }
    WF_CORO_END(c);
}
