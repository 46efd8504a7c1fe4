/*
 * req_fileinfo.c - QueryInformation and SetInformation on an open file.
 *
 * Basic information (times, the read-only attribute), end of file and
 * allocation become SETATTR; disposition is checked here (WinFsp marks the
 * file and Cleanup deletes it); rename becomes RENAME or RENAME2.
 */
#include "engine/internal.h"
#include "engine/fileinfo.h"
#include "engine/filetime.h"

#define WF_INVALID_FILE_ATTRIBUTES 0xffffffffu

typedef struct info_state {
    UINT32 name_len, new_name_len;
    const char *new_name;     /* the last component the file gets (in path2 or actual) */
    UINT32 new_len;
    char actual[WF_NAME_MAX + 1]; /* an existing name in another case, to replace */
    bool replace;
    bool target_exists;
    UINT64 old_parent, new_parent;
    UINT64 dir_offset;
    NTSTATUS status;
} info_state;

void wf_step_query_information(wf_ctx *c)
{
    WF_CORO_BEGIN(c);
    if (!wf_ctx_file(c, c->req->Req.QueryInformation.UserContext2))
        WF_CORO_RETURN(c);
    WF_AWAIT(c, wf_getattr(c, c->file->node, c->file));
    if (!NT_SUCCESS(c->walk.status)) {
        wf_complete(c, c->walk.status, 0);
        WF_CORO_RETURN(c);
    }
    wf_fileinfo(c, &c->file->node->attr, NULL, 0, &c->rsp->Rsp.QueryInformation.FileInfo);
    wf_complete(c, STATUS_SUCCESS, 0);
    WF_CORO_END(c);
}

/* Fill a SETATTR for a Basic, Allocation or EndOfFile request. */
static bool prep_setattr(wf_ctx *c)
{
    const FSP_FSCTL_TRANSACT_REQ *req = c->req;
    wf_file *f = c->file;
    struct fuse_setattr_in *in = wf_prep(c, FUSE_SETATTR, f->node->nodeid, sizeof *in);

    /* A directory's handle is no file handle: libfuse 2 would take it for one. */
    if (!f->no_fh && !f->is_dir) {
        in->valid |= FATTR_FH;
        in->fh = f->fh;
    }
    switch (req->Req.SetInformation.FileInformationClass) {
    case FileBasicInformation: {
        UINT32 attrs = req->Req.SetInformation.Info.Basic.FileAttributes;
        UINT64 atime = req->Req.SetInformation.Info.Basic.LastAccessTime;
        UINT64 mtime = req->Req.SetInformation.Info.Basic.LastWriteTime;
        INT64 sec;
        UINT32 nsec;

        /* WinFsp says "leave them" with INVALID_FILE_ATTRIBUTES; 0 clears them all. */
        if (attrs != WF_INVALID_FILE_ATTRIBUTES) {
            UINT32 mode = f->node->attr.mode & 07777;
            UINT32 want = wf_mode_apply_readonly(mode, attrs & FILE_ATTRIBUTE_READONLY) & 07777;
            if (want != mode && !f->is_dir) {
                in->valid |= FATTR_MODE;
                in->mode = want;
            }
        }
        /* 0 leaves a time alone; so does -1 ("stop updating it"), which FUSE cannot keep. */
        if (atime != 0 && atime != UINT64_MAX) {
            wf_filetime_to_unix(atime, &sec, &nsec);
            in->valid |= FATTR_ATIME;
            in->atime = (UINT64)sec;
            in->atimensec = nsec;
        }
        if (mtime != 0 && mtime != UINT64_MAX) {
            wf_filetime_to_unix(mtime, &sec, &nsec);
            in->valid |= FATTR_MTIME;
            in->mtime = (UINT64)sec;
            in->mtimensec = nsec;
        }
        return (in->valid & ~FATTR_FH) != 0;
    }
    case FileAllocationInformation:
        /* Allocation below the end of file cuts the file; above it there is nothing to do. */
        if (req->Req.SetInformation.Info.Allocation.AllocationSize >= f->node->attr.size)
            return false;
        in->valid |= FATTR_SIZE;
        in->size = req->Req.SetInformation.Info.Allocation.AllocationSize;
        return true;
    case FileEndOfFileInformation:
        in->valid |= FATTR_SIZE;
        in->size = req->Req.SetInformation.Info.EndOfFile.FileSize;
        return true;
    default:
        return false;
    }
}

/* Is the open directory empty? Reads its first entries. */
static void check_dir_empty(wf_ctx *c)
{
    info_state *s = WF_STATE(c, info_state);

    WF_CORO_BEGIN(c);
    s->dir_offset = 0;
    s->status = STATUS_SUCCESS;
    for (;;) {
        {
            struct fuse_read_in *in = wf_prep(c, FUSE_READDIR, c->file->node->nodeid,
                sizeof *in);
            in->fh = c->file->fh;
            in->offset = s->dir_offset;
            in->size = 4096;
            c->send.reply_max = 4096;
        }
        WF_SEND(c);
        if (!NT_SUCCESS(c->reply.status)) {
            s->status = c->reply.status;
            WF_CORO_RETURN(c);
        }
        if (c->reply.len == 0)
            WF_CORO_RETURN(c);
        {
            wf_dirent_iter it = {c->reply.body, c->reply.len, false, false};
            wf_dirent d;
            UINT64 start = s->dir_offset;

            while (wf_dirent_next(&it, &d)) {
                if (!d.dot) {
                    s->status = STATUS_DIRECTORY_NOT_EMPTY;
                    WF_CORO_RETURN(c);
                }
                s->dir_offset = d.d.off;
            }
            if (it.bad || s->dir_offset == start) {
                s->status = STATUS_INVALID_NETWORK_RESPONSE;
                WF_CORO_RETURN(c);
            }
        }
    }
    WF_CORO_END(c);
}

void wf_step_set_information(wf_ctx *c)
{
    wf_engine *e = c->engine;
    info_state *s = WF_STATE(c, info_state);
    const FSP_FSCTL_TRANSACT_REQ *req = c->req;

    WF_CORO_BEGIN(c);
    if (!wf_ctx_file(c, req->Req.SetInformation.UserContext2))
        WF_CORO_RETURN(c);
    switch (req->Req.SetInformation.FileInformationClass) {
    case FileBasicInformation:
    case FileAllocationInformation:
    case FileEndOfFileInformation:
        break;
    case FileDispositionInformation:
    case FileDispositionInformationEx:
        goto disposition;
    case FileRenameInformation:
    case FileRenameInformationEx:
        goto rename;
    default:
        wf_complete(c, STATUS_INVALID_INFO_CLASS, 0);
        WF_CORO_RETURN(c);
    }

    if (req->Req.SetInformation.FileInformationClass == FileEndOfFileInformation &&
        (c->file->is_dir ||
            req->Req.SetInformation.Info.EndOfFile.FileSize > (UINT64)INT64_MAX)) {
        wf_complete(c, c->file->is_dir ? STATUS_INVALID_PARAMETER : STATUS_DISK_FULL, 0);
        WF_CORO_RETURN(c);
    }
    if (prep_setattr(c)) {
        WF_SEND(c);
        if (!NT_SUCCESS(c->reply.status)) {
            wf_complete(c, c->reply.status, 0);
            WF_CORO_RETURN(c);
        }
        {
            struct fuse_attr_out out;
            memcpy(&out, c->reply.body, sizeof out);
            wf_node_take_attr(c, c->file->node, &out.attr, out.attr_valid, out.attr_valid_nsec,
                true);
        }
    } else {
        WF_AWAIT(c, wf_getattr(c, c->file->node, c->file));
        if (!NT_SUCCESS(c->walk.status)) {
            wf_complete(c, c->walk.status, 0);
            WF_CORO_RETURN(c);
        }
    }
    wf_fileinfo(c, &c->file->node->attr, NULL, 0, &c->rsp->Rsp.SetInformation.FileInfo);
    wf_complete(c, STATUS_SUCCESS, 0);
    WF_CORO_RETURN(c);

disposition:
    {
        UINT32 flags = req->Req.SetInformation.FileInformationClass == FileDispositionInformation
            ? (req->Req.SetInformation.Info.Disposition.Delete ? FILE_DISPOSITION_DELETE : 0)
            : req->Req.SetInformation.Info.DispositionEx.Flags;

        if (!(flags & FILE_DISPOSITION_DELETE)) {
            wf_complete(c, STATUS_SUCCESS, 0);
            WF_CORO_RETURN(c);
        }
        if (c->file->node == e->root) {
            wf_complete(c, STATUS_CANNOT_DELETE, 0);
            WF_CORO_RETURN(c);
        }
        s->replace = (flags & FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE) != 0;
    }
    WF_AWAIT(c, wf_getattr(c, c->file->node, c->file));
    if (!NT_SUCCESS(c->walk.status)) {
        wf_complete(c, c->walk.status, 0);
        WF_CORO_RETURN(c);
    }
    /* Read-only means no write bit for anyone, as the attribute is reported. */
    if (!s->replace && !c->file->is_dir && !(c->file->node->attr.mode & 0222)) {
        wf_complete(c, STATUS_CANNOT_DELETE, 0);
        WF_CORO_RETURN(c);
    }
    if (c->file->is_dir) {
        WF_AWAIT(c, check_dir_empty(c));
        if (!NT_SUCCESS(s->status)) {
            wf_complete(c, s->status, 0);
            WF_CORO_RETURN(c);
        }
    }
    wf_complete(c, STATUS_SUCCESS, 0);
    WF_CORO_RETURN(c);

rename:
    {
        UINT32 len;
        NTSTATUS status = wf_request_path(c, req->FileName, c->path, &len);
        if (NT_SUCCESS(status))
            status = wf_request_path(c, req->Req.SetInformation.Info.Rename.NewFileName,
                c->path2, &s->new_name_len);
        if (!NT_SUCCESS(status) || len <= 1 || s->new_name_len <= 1) {
            wf_complete(c, NT_SUCCESS(status) ? STATUS_ACCESS_DENIED : status, 0);
            WF_CORO_RETURN(c);
        }
        s->name_len = len;
        /* WinFsp says "replace if exists" by passing the caller's access token. */
        s->replace = req->Req.SetInformation.Info.Rename.AccessToken != 0;
        wf_walk_start(c, c->path2, s->new_name_len, true);
    }
    WF_AWAIT(c, wf_lookup_path(c));
    if (!NT_SUCCESS(c->walk.status)) {
        wf_complete(c, c->walk.status, 0);
        WF_CORO_RETURN(c);
    }
    /* Keep the new parent; the walk is needed again for the old one. */
    if (c->node)
        wf_node_unref(e, c->node);
    c->node = c->walk.node;
    wf_node_ref(c->node);
    s->new_parent = c->node->nodeid;

    s->new_name = c->walk.name;
    s->new_len = c->walk.name_len;

    /* Is there a file by the new name, and what is it? */
    wf_prep(c, FUSE_LOOKUP, s->new_parent, 0);
    wf_prep_name(c, s->new_name, s->new_len);
    WF_SEND(c);
    s->status = c->reply.status;
    if (s->status == STATUS_OBJECT_NAME_NOT_FOUND && c->walk.case_insensitive) {
        /* Where case does not count, the name may be taken in another case. */
        WF_AWAIT(c, wf_find_name_ci(c));
        if (c->walk.found) {
            memcpy(s->actual, c->walk.actual, sizeof s->actual);
            wf_prep(c, FUSE_LOOKUP, s->new_parent, 0);
            wf_prep_name(c, s->actual, (UINT32)strlen(s->actual));
            WF_SEND(c);
            s->status = c->reply.status;
        }
    }
    s->target_exists = false;
    if (NT_SUCCESS(s->status)) {
        NTSTATUS status;
        const char *name = c->send.name[0];
        UINT32 len = c->send.name_len[0];
        wf_node *target = wf_cache_reply(c, c->node, name, len, c->reply.body, &status);
        bool target_dir = target && (target->attr.mode & LINUX_S_IFMT) == LINUX_S_IFDIR;

        /* A case-only rename finds the file itself under the new name: no target. */
        s->target_exists = status != STATUS_OBJECT_NAME_NOT_FOUND && target != c->file->node;
        if (target)
            wf_node_unref(e, target);
        if (s->target_exists && !s->replace) {
            wf_complete(c, STATUS_OBJECT_NAME_COLLISION, 0);
            WF_CORO_RETURN(c);
        }
        if (s->target_exists && target_dir) {
            wf_complete(c, STATUS_ACCESS_DENIED, 0);
            WF_CORO_RETURN(c);
        }
        /* Replacing a file whose name differs in case: it is that name that goes. */
        if (s->target_exists && name == s->actual) {
            s->new_name = s->actual;
            s->new_len = len;
        }
    } else if (s->status != STATUS_OBJECT_NAME_NOT_FOUND) {
        wf_complete(c, s->status, 0);
        WF_CORO_RETURN(c);
    }

    wf_walk_start(c, c->path, s->name_len, true);
    WF_AWAIT(c, wf_lookup_path(c));
    if (!NT_SUCCESS(c->walk.status)) {
        wf_complete(c, c->walk.status, 0);
        WF_CORO_RETURN(c);
    }
    s->old_parent = c->walk.node->nodeid;
    /* A file renamed to its own name stays where it is. */
    if (s->old_parent == s->new_parent && c->walk.name_len == s->new_len &&
        !memcmp(c->walk.name, s->new_name, s->new_len)) {
        wf_complete(c, STATUS_SUCCESS, 0);
        WF_CORO_RETURN(c);
    }
    if (!s->replace && !s->target_exists && !wf_enosys(e, FUSE_RENAME2)) {
        struct fuse_rename2_in *in = wf_prep(c, FUSE_RENAME2, s->old_parent, sizeof *in);
        in->newdir = s->new_parent;
        in->flags = LINUX_RENAME_NOREPLACE;
    } else {
        struct fuse_rename_in *in = wf_prep(c, FUSE_RENAME, s->old_parent, sizeof *in);
        in->newdir = s->new_parent;
    }
    wf_prep_name(c, c->walk.name, c->walk.name_len);
    wf_prep_name(c, s->new_name, s->new_len);
    WF_SEND(c);
    /* sshfs answers RENAME2 with flags EINVAL, others ENOSYS: plain RENAME will do, */
    if (c->send.opcode == FUSE_RENAME2 &&
        (c->reply.error == -LINUX_ENOSYS || c->reply.error == -LINUX_EINVAL)) {
        /* for the target was checked not to exist. */
        struct fuse_rename_in *in = wf_prep(c, FUSE_RENAME, s->old_parent, sizeof *in);
        in->newdir = s->new_parent;
        wf_prep_name(c, c->walk.name, c->walk.name_len);
        wf_prep_name(c, s->new_name, s->new_len);
        WF_SEND(c);
    }
    /* Whatever happened, neither name may be trusted from the cache now, nor the file's ctime. */
    wf_cache_remove(e, c->walk.node, c->walk.name, c->walk.name_len);
    wf_cache_remove(e, c->node, s->new_name, s->new_len);
    wf_node_changed(e, c->file->node);
    if (!NT_SUCCESS(c->reply.status)) {
        wf_complete(c, c->reply.status == STATUS_OBJECT_NAME_COLLISION && s->replace
                ? STATUS_ACCESS_DENIED : c->reply.status, 0);
        WF_CORO_RETURN(c);
    }
    wf_complete(c, STATUS_SUCCESS, 0);
    WF_CORO_END(c);
}
