/*
 * req_create.c - Create and Overwrite: opening and creating files.
 *
 * A Create names a path, a disposition and options. The walk finds (or
 * fails to find) the file; then, by disposition, we open it (OPEN,
 * OPENDIR, or nothing for symbolic links and specials, which have no FUSE
 * handle) or create it (CREATE, or MKNOD and OPEN for file systems without
 * CREATE; MKDIR and OPENDIR for directories). FILE_OVERWRITE, _IF and
 * FILE_SUPERSEDE of an existing file only open it here: WinFsp follows
 * with an Overwrite request, which truncates.
 */
#include "engine/internal.h"
#include "engine/access.h"
#include "engine/fileinfo.h"
#include "engine/path.h"
#include "engine/security.h"

typedef struct create_state {
    UINT32 disposition;
    UINT32 options;
    UINT32 granted;
    UINT32 information;
    UINT32 mode;              /* for new files */
    UINT32 uid, gid;          /* owner asked for by the security descriptor */
    bool chown;
    bool is_dir;
    UINT32 open_flags;
    UINT32 fopen_flags;
    UINT64 fh;
    NTSTATUS status;
} create_state;

static bool node_is_dir(const wf_node *n)
{
    return (n->attr.mode & LINUX_S_IFMT) == LINUX_S_IFDIR;
}

static bool node_has_fh(const wf_node *n)
{
    UINT32 type = n->attr.mode & LINUX_S_IFMT;
    return type == LINUX_S_IFREG || type == LINUX_S_IFDIR;
}

/* The access a handle gets: what was asked, all of it for MAXIMUM_ALLOWED. */
static UINT32 granted_access(const FSP_FSCTL_TRANSACT_REQ *req)
{
    UINT32 desired = wf_access_map_generic(req->Req.Create.DesiredAccess);
    if (desired & MAXIMUM_ALLOWED)
        desired = FILE_ALL_ACCESS;
    return desired | req->Req.Create.GrantedAccess;
}

/*
 * A user-mode open of an existing file: may the caller have what it asks
 * for (plus DELETE for delete-on-close, and what overwriting takes)?
 */
static NTSTATUS check_open_access(wf_ctx *c, create_state *s, const wf_node *n)
{
    const FSP_FSCTL_TRANSACT_REQ *req = c->req;
    ACCESS_MASK desired = wf_access_map_generic(req->Req.Create.DesiredAccess), granted;
    NTSTATUS status;

    FSP_FSCTL_FILE_INFO info;
    bool readonly;

    if (!req->Req.Create.UserMode)
        return STATUS_SUCCESS;
    if (s->options & FILE_DELETE_ON_CLOSE)
        desired |= DELETE;
    if (s->disposition == FILE_SUPERSEDE)
        desired |= DELETE;
    else if (s->disposition == FILE_OVERWRITE || s->disposition == FILE_OVERWRITE_IF)
        desired |= FILE_WRITE_DATA;
    /*
     * The read-only attribute binds everyone, administrators too, apart
     * from the permissions: no writing, no delete-on-close (as WinFsp).
     */
    wf_fileinfo(c, &n->attr, NULL, 0, &info);
    readonly = (info.FileAttributes & (FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_DIRECTORY)) ==
        FILE_ATTRIBUTE_READONLY;
    if (readonly && (desired & (FILE_WRITE_DATA | FILE_APPEND_DATA)))
        return STATUS_ACCESS_DENIED;
    if (readonly && (s->options & FILE_DELETE_ON_CLOSE))
        return STATUS_CANNOT_DELETE;
    status = wf_access_check(n->attr.uid, n->attr.gid, n->attr.mode, c->uid, c->gid, desired,
        &granted);
    if (NT_SUCCESS(status)) {
        if (readonly)
            granted &= ~(FILE_WRITE_DATA | FILE_APPEND_DATA);
        s->granted = granted | req->Req.Create.GrantedAccess;
    }
    return status;
}

/* A user-mode create: may the caller add a file or directory to the parent? */
static NTSTATUS check_create_access(wf_ctx *c, create_state *s, const wf_node *parent)
{
    const FSP_FSCTL_TRANSACT_REQ *req = c->req;

    if (!req->Req.Create.UserMode)
        return STATUS_SUCCESS;
    /* A new read-only file cannot be deleted on close. */
    if ((req->Req.Create.FileAttributes & FILE_ATTRIBUTE_READONLY) &&
        (s->options & FILE_DELETE_ON_CLOSE))
        return STATUS_CANNOT_DELETE;
    if (req->Req.Create.HasRestorePrivilege)
        return STATUS_SUCCESS;
    return wf_access_check(parent->attr.uid, parent->attr.gid, parent->attr.mode, c->uid, c->gid,
        s->is_dir ? FILE_ADD_SUBDIRECTORY : FILE_ADD_FILE, NULL);
}

static UINT32 open_flags_for(UINT32 granted)
{
    UINT32 flags;
    bool rd = granted & (FILE_READ_DATA | FILE_EXECUTE);
    bool wr = granted & (FILE_WRITE_DATA | FILE_APPEND_DATA);

    flags = rd && wr ? LINUX_O_RDWR : wr ? LINUX_O_WRONLY : LINUX_O_RDONLY;
    /* Appending without FILE_WRITE_DATA is how Windows asks for O_APPEND. */
    if ((granted & FILE_APPEND_DATA) && !(granted & FILE_WRITE_DATA))
        flags |= LINUX_O_APPEND;
    return flags;
}

/* Mode and owner for a new file from its security descriptor and attributes. */
static NTSTATUS new_file_mode(wf_ctx *c, create_state *s)
{
    const FSP_FSCTL_TRANSACT_REQ *req = c->req;
    FSP_FSCTL_TRANSACT_BUF sd = req->Req.Create.SecurityDescriptor;
    const UINT8 *sd_bytes = wf_request_buf(c, sd);

    s->mode = s->is_dir ? 0755 : 0644;
    s->uid = c->uid;
    s->gid = c->gid;
    s->chown = false;
    if (sd.Size) {
        UINT32 uid = c->uid, gid = c->gid, mode;
        NTSTATUS status;

        if (!sd_bytes)
            return STATUS_INVALID_SECURITY_DESCR;
        /* The descriptor's owner and group, or the creator's where it names none. */
        status = wf_sd_to_posix(c->engine->config.idmap, sd_bytes, sd.Size, &uid, &gid, &mode);
        if (!NT_SUCCESS(status))
            return status;
        s->mode = mode & 07777;
        s->uid = uid;
        s->gid = gid;
        s->chown = uid != c->uid || gid != c->gid;
    }
    if (req->Req.Create.FileAttributes & FILE_ATTRIBUTE_READONLY)
        s->mode &= ~0222u;
    return STATUS_SUCCESS;
}

/* Create the file named by the walk's last component in the walk's node. */
static void create_new(wf_ctx *c)
{
    wf_engine *e = c->engine;
    create_state *s = WF_STATE(c, create_state);

    WF_CORO_BEGIN(c);
    if (c->req->Req.Create.HasTrailingBackslash && !s->is_dir) {
        s->status = STATUS_OBJECT_NAME_INVALID;
        WF_CORO_RETURN(c);
    }
    s->status = new_file_mode(c, s);
    if (!NT_SUCCESS(s->status))
        WF_CORO_RETURN(c);

    if (s->is_dir) {
        struct fuse_mkdir_in *in = wf_prep(c, FUSE_MKDIR, c->walk.node->nodeid, sizeof *in);
        in->mode = LINUX_S_IFDIR | s->mode;
        wf_prep_name(c, c->walk.name, c->walk.name_len);
    } else if (!wf_enosys(e, FUSE_CREATE)) {
        struct fuse_create_in *in = wf_prep(c, FUSE_CREATE, c->walk.node->nodeid, sizeof *in);
        s->open_flags = open_flags_for(s->granted);
        in->flags = s->open_flags | LINUX_O_CREAT | LINUX_O_EXCL;
        in->mode = LINUX_S_IFREG | s->mode;
        wf_prep_name(c, c->walk.name, c->walk.name_len);
    } else {
        struct fuse_mknod_in *in = wf_prep(c, FUSE_MKNOD, c->walk.node->nodeid, sizeof *in);
        in->mode = LINUX_S_IFREG | s->mode;
        wf_prep_name(c, c->walk.name, c->walk.name_len);
    }
    WF_SEND(c);
    if (c->send.opcode == FUSE_CREATE && c->reply.error == -LINUX_ENOSYS) {
        struct fuse_mknod_in *in = wf_prep(c, FUSE_MKNOD, c->walk.node->nodeid, sizeof *in);
        in->mode = LINUX_S_IFREG | s->mode;
        wf_prep_name(c, c->walk.name, c->walk.name_len);
        WF_SEND(c);
    }
    if (!NT_SUCCESS(c->reply.status)) {
        s->status = c->reply.status;
        WF_CORO_RETURN(c);
    }
    {
        wf_node *child = wf_cache_reply(c, c->walk.node, c->walk.name, c->walk.name_len,
            c->reply.body, &s->status);
        if (!child) {
            /* The file exists now, but we cannot track it: say so. */
            WF_CORO_RETURN(c);
        }
        if (c->node)
            wf_node_unref(e, c->node);
        c->node = child;
        s->fh = 0;
        if (c->send.opcode == FUSE_CREATE) {
            struct fuse_open_out open;
            memcpy(&open, (const UINT8 *)c->reply.body + sizeof(struct fuse_entry_out),
                sizeof open);
            s->fh = open.fh;
            s->fopen_flags = open.open_flags;
        }
    }
    if (c->send.opcode != FUSE_CREATE) {
        /* MKDIR and MKNOD leave the new file to be opened like any other. */
        if (s->is_dir) {
            struct fuse_open_in *in = wf_prep(c, FUSE_OPENDIR, c->node->nodeid, sizeof *in);
            in->flags = LINUX_O_RDONLY;
        } else {
            struct fuse_open_in *in = wf_prep(c, FUSE_OPEN, c->node->nodeid, sizeof *in);
            s->open_flags = open_flags_for(s->granted);
            in->flags = s->open_flags;
        }
        WF_SEND(c);
        if (!NT_SUCCESS(c->reply.status)) {
            s->status = c->reply.status;
            WF_CORO_RETURN(c);
        }
        {
            struct fuse_open_out open;
            memcpy(&open, c->reply.body, sizeof open);
            s->fh = open.fh;
            s->fopen_flags = open.open_flags;
        }
    }
    if (c->ea.len) {
        /* EAs given at creation belong to the new file (opening leaves them alone). */
        WF_AWAIT(c, wf_ea_apply(c, c->node));
        if (!NT_SUCCESS(c->ea.status)) {
            s->status = c->ea.status;
            goto release;
        }
    }
    if (s->chown) {
        struct fuse_setattr_in *in = wf_prep(c, FUSE_SETATTR, c->node->nodeid, sizeof *in);
        in->valid = FATTR_UID | FATTR_GID | FATTR_FH;
        in->fh = s->fh;
        in->uid = s->uid;
        in->gid = s->gid;
        WF_SEND(c);
        if (NT_SUCCESS(c->reply.status)) {
            struct fuse_attr_out out;
            memcpy(&out, c->reply.body, sizeof out);
            wf_node_take_attr(c, c->node, &out.attr, out.attr_valid, out.attr_valid_nsec, true);
        } else if (c->reply.error != -LINUX_ENOSYS) {
            s->status = c->reply.status;
            goto release;
        }
    }
    s->information = FILE_CREATED;
    s->status = STATUS_SUCCESS;
    WF_CORO_RETURN(c);

release:
    {
        struct fuse_release_in *in = wf_prep(c, s->is_dir ? FUSE_RELEASEDIR : FUSE_RELEASE,
            c->node->nodeid, sizeof *in);
        in->fh = s->fh;
        in->flags = s->open_flags;
    }
    WF_SEND(c);
    WF_CORO_END(c);
}

/* Open the existing file the walk reached. */
static void open_existing(wf_ctx *c)
{
    create_state *s = WF_STATE(c, create_state);
    wf_node *n = c->walk.node;

    WF_CORO_BEGIN(c);
    if (node_is_dir(n)) {
        if (s->options & FILE_NON_DIRECTORY_FILE) {
            s->status = STATUS_FILE_IS_A_DIRECTORY;
            WF_CORO_RETURN(c);
        }
    } else {
        if (s->options & FILE_DIRECTORY_FILE) {
            s->status = STATUS_NOT_A_DIRECTORY;
            WF_CORO_RETURN(c);
        }
        if (c->req->Req.Create.HasTrailingBackslash) {
            s->status = STATUS_OBJECT_NAME_INVALID;
            WF_CORO_RETURN(c);
        }
    }
    s->is_dir = node_is_dir(n);
    if (c->node)
        wf_node_unref(c->engine, c->node);
    c->node = n;
    wf_node_ref(n);
    s->fh = 0;
    s->fopen_flags = 0;
    if (!node_has_fh(n)) {
        /* Symbolic links and specials are opened for their metadata only. */
        s->status = STATUS_SUCCESS;
        WF_CORO_RETURN(c);
    }
    if (s->is_dir) {
        struct fuse_open_in *in = wf_prep(c, FUSE_OPENDIR, n->nodeid, sizeof *in);
        s->open_flags = LINUX_O_RDONLY;
        in->flags = s->open_flags;
    } else {
        struct fuse_open_in *in = wf_prep(c, FUSE_OPEN, n->nodeid, sizeof *in);
        s->open_flags = open_flags_for(s->granted);
        in->flags = s->open_flags;
    }
    WF_SEND(c);
    s->status = c->reply.status;
    if (NT_SUCCESS(c->reply.status)) {
        struct fuse_open_out open;
        memcpy(&open, c->reply.body, sizeof open);
        s->fh = open.fh;
        s->fopen_flags = open.open_flags;
    }
    WF_CORO_END(c);
}

/*
 * On a case-insensitive volume, tell WinFsp how the file system spells
 * the path it opened, so that Windows reports the name in its true case.
 */
static void normalized_name(wf_ctx *c)
{
    size_t room = (FSP_FSCTL_TRANSACT_RSP_SIZEMAX - sizeof *c->rsp - c->rsp_buf_used) /
        sizeof(WCHAR), len;
    WCHAR *buf = (WCHAR *)(void *)(c->rsp->Buffer + c->rsp_buf_used);

    if (!c->walk.case_insensitive || !c->walk.norm || c->walk.norm_len == 0)
        return;
    if (NT_SUCCESS(wf_path_posix_to_windows(c->walk.norm, c->walk.norm_len, buf, room, &len)))
        wf_rsp_buffer(c, (UINT32)(len * sizeof(WCHAR)), &c->rsp->Rsp.Create.Opened.FileName);
}

/*
 * Hand the opened file to WinFsp. If it cannot get a handle, the file
 * system's handle is released at once: nobody else would ever release it.
 */
static void finish_open(wf_ctx *c)
{
    wf_engine *e = c->engine;
    create_state *s = WF_STATE(c, create_state);

    WF_CORO_BEGIN(c);
    {
        UINT64 handle;
        s->status = wf_file_open(e, c, c->node, s->is_dir, s->fh, s->open_flags,
            s->fopen_flags, !node_has_fh(c->node), &handle);
        if (NT_SUCCESS(s->status)) {
            c->rsp->Rsp.Create.Opened.UserContext = 0;
            c->rsp->Rsp.Create.Opened.UserContext2 = handle;
            c->rsp->Rsp.Create.Opened.GrantedAccess = s->granted;
            c->rsp->Rsp.Create.Opened.DisableCache =
                (s->fopen_flags & FOPEN_DIRECT_IO) ? 1 : 0;
            wf_fileinfo(c, &c->node->attr, c->walk.name, c->walk.name_len,
                &c->rsp->Rsp.Create.Opened.FileInfo);
            normalized_name(c);
            wf_complete(c, STATUS_SUCCESS, s->information);
            WF_CORO_RETURN(c);
        }
    }
    if (node_has_fh(c->node)) {
        struct fuse_release_in *in = wf_prep(c, s->is_dir ? FUSE_RELEASEDIR : FUSE_RELEASE,
            c->node->nodeid, sizeof *in);
        in->fh = s->fh;
        in->flags = s->open_flags;
        WF_SEND(c);
    }
    wf_complete(c, s->status, 0);
    WF_CORO_END(c);
}

void wf_step_create(wf_ctx *c)
{
    wf_engine *e = c->engine;
    create_state *s = WF_STATE(c, create_state);
    const FSP_FSCTL_TRANSACT_REQ *req = c->req;

    WF_CORO_BEGIN(c);
    {
        UINT32 len;
        NTSTATUS status;

        memset(s, 0, sizeof *s);
        s->disposition = (req->Req.Create.CreateOptions >> 24) & 0xff;
        s->options = req->Req.Create.CreateOptions & 0x00ffffff;
        s->granted = granted_access(req);
        s->is_dir = (s->options & FILE_DIRECTORY_FILE) != 0;
        if (e->provider.credentials && req->Req.Create.AccessToken)
            e->provider.credentials(e->provider.context, req->Req.Create.AccessToken, &c->uid,
                &c->gid, &c->pid);
        /* As the I/O manager: directories are only created or opened. */
        if (s->disposition > FILE_MAXIMUM_DISPOSITION ||
            ((s->options & FILE_DIRECTORY_FILE) && (s->options & FILE_NON_DIRECTORY_FILE)) ||
            ((s->options & FILE_DIRECTORY_FILE) && s->disposition != FILE_CREATE &&
                s->disposition != FILE_OPEN && s->disposition != FILE_OPEN_IF)) {
            wf_complete(c, STATUS_INVALID_PARAMETER, 0);
            WF_CORO_RETURN(c);
        }
        if (req->Req.Create.NamedStream) {
            wf_complete(c, STATUS_OBJECT_NAME_INVALID, 0);
            WF_CORO_RETURN(c);
        }
        if (req->Req.Create.Ea.Size) {
            /* Reparse data at create time is for WSL's own files; not ours to make. */
            FSP_FSCTL_TRANSACT_BUF b = req->Req.Create.Ea;
            const UINT8 *list = wf_request_buf(c, b);
            status = req->Req.Create.EaIsReparsePoint ? STATUS_NOT_SUPPORTED
                : !list ? STATUS_EA_LIST_INCONSISTENT : wf_ea_list_check(list, b.Size);
            if (!NT_SUCCESS(status)) {
                wf_complete(c, status, 0);
                WF_CORO_RETURN(c);
            }
            c->ea.offset = b.Offset;
            c->ea.len = b.Size;
        }
        status = wf_request_path(c, req->FileName, c->path, &len);
        if (!NT_SUCCESS(status)) {
            wf_complete(c, status, 0);
            WF_CORO_RETURN(c);
        }
        wf_walk_start(c, c->path, len, req->Req.Create.OpenTargetDirectory);
        c->walk.case_insensitive = wf_case_insensitive(e, req->Req.Create.CaseSensitive);
    }

    if (req->Req.Create.OpenTargetDirectory) {
        /* Renames open the target's parent and ask whether the target exists. */
        WF_AWAIT(c, wf_lookup_path(c));
        if (!NT_SUCCESS(c->walk.status)) {
            wf_complete(c, c->walk.status, 0);
            WF_CORO_RETURN(c);
        }
        if (c->walk.name_len == 0) {
            wf_complete(c, STATUS_OBJECT_NAME_INVALID, 0);
            WF_CORO_RETURN(c);
        }
        s->options = (s->options | FILE_DIRECTORY_FILE) & ~FILE_NON_DIRECTORY_FILE;
        WF_AWAIT(c, open_existing(c));
        if (!NT_SUCCESS(s->status)) {
            wf_complete(c, s->status, 0);
            WF_CORO_RETURN(c);
        }
        /* The parent stays open; now look for the name in it. */
        {
            bool negative;
            wf_node *child = wf_cache_lookup(e, c->node, c->walk.name, c->walk.name_len,
                &negative);
            if (child || negative) {
                s->information = child ? FILE_EXISTS : FILE_DOES_NOT_EXIST;
                if (child)
                    wf_node_unref(e, child);
                WF_AWAIT(c, finish_open(c));
                WF_CORO_RETURN(c);
            }
        }
        wf_prep(c, FUSE_LOOKUP, c->node->nodeid, 0);
        wf_prep_name(c, c->walk.name, c->walk.name_len);
        WF_SEND(c);
        s->information = FILE_DOES_NOT_EXIST;
        if (NT_SUCCESS(c->reply.status)) {
            NTSTATUS status;
            wf_node *child = wf_cache_reply(c, c->node, c->walk.name, c->walk.name_len,
                c->reply.body, &status);
            if (status != STATUS_OBJECT_NAME_NOT_FOUND)
                s->information = FILE_EXISTS;
            if (child)
                wf_node_unref(e, child);
        }
        WF_AWAIT(c, finish_open(c));
        WF_CORO_RETURN(c);
    }

    WF_AWAIT(c, wf_lookup_path(c));
    if (c->walk.status == STATUS_OBJECT_NAME_NOT_FOUND &&
        (s->disposition == FILE_CREATE || s->disposition == FILE_OPEN_IF ||
            s->disposition == FILE_OVERWRITE_IF || s->disposition == FILE_SUPERSEDE)) {
        /* Walk again to the parent, now to create the name in it. */
        wf_walk_start(c, c->walk.path, c->walk.len, true);
        c->walk.case_insensitive = wf_case_insensitive(e, req->Req.Create.CaseSensitive);
        WF_AWAIT(c, wf_lookup_path(c));
        if (!NT_SUCCESS(c->walk.status)) {
            wf_complete(c, c->walk.status, 0);
            WF_CORO_RETURN(c);
        }
        if (req->Req.Create.UserMode) {
            WF_AWAIT(c, wf_getattr(c, c->walk.node, NULL));
            if (NT_SUCCESS(c->walk.status))
                c->walk.status = check_create_access(c, s, c->walk.node);
            if (!NT_SUCCESS(c->walk.status)) {
                wf_complete(c, c->walk.status, 0);
                WF_CORO_RETURN(c);
            }
        }
        WF_AWAIT(c, create_new(c));
        if (!NT_SUCCESS(s->status)) {
            wf_complete(c, s->status, 0);
            WF_CORO_RETURN(c);
        }
        WF_AWAIT(c, finish_open(c));
        WF_CORO_RETURN(c);
    }
    if (!NT_SUCCESS(c->walk.status)) {
        wf_complete(c, c->walk.status, 0);
        WF_CORO_RETURN(c);
    }
    if (s->disposition == FILE_CREATE) {
        wf_complete(c, STATUS_OBJECT_NAME_COLLISION, 0);
        WF_CORO_RETURN(c);
    }
    /* Fresh attributes decide directory checks and what WinFsp caches. */
    WF_AWAIT(c, wf_getattr(c, c->walk.node, NULL));
    if (!NT_SUCCESS(c->walk.status)) {
        wf_complete(c, c->walk.status, 0);
        WF_CORO_RETURN(c);
    }
    if (s->disposition == FILE_SUPERSEDE || s->disposition == FILE_OVERWRITE ||
        s->disposition == FILE_OVERWRITE_IF) {
        if (node_is_dir(c->walk.node)) {
            /* A directory's contents cannot be overwritten (Win32: access denied). */
            wf_complete(c, STATUS_FILE_IS_A_DIRECTORY, 0);
            WF_CORO_RETURN(c);
        }
        s->granted |= s->disposition == FILE_SUPERSEDE ? DELETE : FILE_WRITE_DATA;
        s->information = s->disposition == FILE_SUPERSEDE ? FILE_SUPERSEDED : FILE_OVERWRITTEN;
    } else {
        s->information = FILE_OPENED;
    }
    {
        NTSTATUS status = check_open_access(c, s, c->walk.node);
        if (!NT_SUCCESS(status)) {
            wf_complete(c, status, 0);
            WF_CORO_RETURN(c);
        }
    }
    WF_AWAIT(c, open_existing(c));
    if (!NT_SUCCESS(s->status)) {
        wf_complete(c, s->status, 0);
        WF_CORO_RETURN(c);
    }
    WF_AWAIT(c, finish_open(c));
    WF_CORO_END(c);
}

/*
 * Overwrite: truncate an opened file to zero. Supersede replaces the file's
 * attributes; overwrite adds to them. Of the attributes, only read-only has
 * a POSIX home (the write bits).
 */
void wf_step_overwrite(wf_ctx *c)
{
    WF_CORO_BEGIN(c);
    if (!wf_ctx_file(c, c->req->Req.Overwrite.UserContext2))
        WF_CORO_RETURN(c);
    if (c->file->is_dir) {
        wf_complete(c, STATUS_FILE_IS_A_DIRECTORY, 0);
        WF_CORO_RETURN(c);
    }
    {
        struct fuse_setattr_in *in = wf_prep(c, FUSE_SETATTR, c->file->node->nodeid,
            sizeof *in);
        UINT32 attrs = c->req->Req.Overwrite.FileAttributes;
        UINT32 mode = c->file->node->attr.mode & 07777;

        in->valid = FATTR_SIZE;
        in->size = 0;
        if (!c->file->no_fh) {
            in->valid |= FATTR_FH;
            in->fh = c->file->fh;
        }
        /* Overwrite adds the attribute; supersede also takes it away. */
        if ((attrs & FILE_ATTRIBUTE_READONLY) || c->req->Req.Overwrite.Supersede) {
            UINT32 want = wf_mode_apply_readonly(mode, attrs & FILE_ATTRIBUTE_READONLY) & 07777;
            if (want != mode) {
                in->valid |= FATTR_MODE;
                in->mode = want;
            }
        }
    }
    WF_SEND(c);
    if (!NT_SUCCESS(c->reply.status)) {
        c->rsp->IoStatus.Status = (UINT32)c->reply.status;
        goto failed;
    }
    {
        struct fuse_attr_out out;
        memcpy(&out, c->reply.body, sizeof out);
        wf_node_take_attr(c, c->file->node, &out.attr, out.attr_valid, out.attr_valid_nsec, true);
        wf_fileinfo(c, &c->file->node->attr, NULL, 0, &c->rsp->Rsp.Overwrite.FileInfo);
    }
    if (c->req->Req.Overwrite.Ea.Size) {
        FSP_FSCTL_TRANSACT_BUF b = c->req->Req.Overwrite.Ea;
        const UINT8 *list = wf_request_buf(c, b);
        NTSTATUS status = !list ? STATUS_EA_LIST_INCONSISTENT : wf_ea_list_check(list, b.Size);
        if (!NT_SUCCESS(status)) {
            c->rsp->IoStatus.Status = (UINT32)status;
            goto failed;
        }
        c->ea.offset = b.Offset;
        c->ea.len = b.Size;
    }
    if (c->ea.len) {
        WF_AWAIT(c, wf_ea_apply(c, c->file->node));
        if (!NT_SUCCESS(c->ea.status)) {
            c->rsp->IoStatus.Status = (UINT32)c->ea.status;
            goto failed;
        }
    }
    wf_complete(c, STATUS_SUCCESS, 0);
    WF_CORO_RETURN(c);

failed:
    /*
     * A failed Overwrite ends the open: WinFsp sends no Close for it, so the
     * file's handle is released here, as WinFsp's own dispatcher does.
     */
    wf_file_detach(c->engine, c->file);
    if (!c->file->no_fh) {
        struct fuse_release_in *in = wf_prep(c, FUSE_RELEASE, c->file->node->nodeid, sizeof *in);
        in->fh = c->file->fh;
        in->flags = c->file->open_flags;
        WF_SEND(c);
    }
    wf_complete(c, (NTSTATUS)c->rsp->IoStatus.Status, 0);
    WF_CORO_END(c);
}
