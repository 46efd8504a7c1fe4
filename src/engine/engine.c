/*
 * engine.c - the instance and the transact loop.
 *
 * wf_transact first consumes a reply (resuming the context that waits for
 * it), then produces a request: a forget, the INIT handshake, a context's
 * next step that is ready, or the first step of a WinFsp request pulled
 * from the provider. A context that needs a FUSE round trip suspends; the
 * thread that brings the reply resumes it and, when it has an output
 * buffer, sends the context's next request itself, so a multi-step request
 * flows through one thread without queueing.
 */
#include "engine/internal.h"
#include "engine/fileinfo.h"
#include "engine/status.h"

/* Largest write we offer: 256 pages, libfuse's FUSE_MAX_MAX_PAGES. */
#define WF_MAX_WRITE_LIMIT (256u * 4096u)
#define WF_PENDING_BUCKETS 256u

static wf_step_fn *const steps[FspFsctlTransactKindCount] = {
    [FspFsctlTransactCreateKind] = wf_step_create,
    [FspFsctlTransactOverwriteKind] = wf_step_overwrite,
    [FspFsctlTransactCleanupKind] = wf_step_cleanup,
    [FspFsctlTransactCloseKind] = wf_step_close,
    [FspFsctlTransactReadKind] = wf_step_read,
    [FspFsctlTransactWriteKind] = wf_step_write,
    [FspFsctlTransactQueryInformationKind] = wf_step_query_information,
    [FspFsctlTransactSetInformationKind] = wf_step_set_information,
    [FspFsctlTransactQueryEaKind] = wf_step_query_ea,
    [FspFsctlTransactSetEaKind] = wf_step_set_ea,
    [FspFsctlTransactFlushBuffersKind] = wf_step_flush_buffers,
    [FspFsctlTransactQueryVolumeInformationKind] = wf_step_query_volume_information,
    [FspFsctlTransactSetVolumeInformationKind] = wf_step_set_volume_information,
    [FspFsctlTransactQueryDirectoryKind] = wf_step_query_directory,
    [FspFsctlTransactFileSystemControlKind] = wf_step_file_system_control,
    [FspFsctlTransactDeviceControlKind] = wf_step_device_control,
    [FspFsctlTransactQuerySecurityKind] = wf_step_query_security,
    [FspFsctlTransactSetSecurityKind] = wf_step_set_security,
    [FspFsctlTransactQueryStreamInformationKind] = wf_step_query_stream_information,
};

UINT64 wf_now(void)
{
    return wf_os_monotonic_ns();
}

UINT64 wf_valid_until(UINT64 valid, UINT32 valid_nsec)
{
    UINT64 now = wf_now(), ns;

    /* A file system may ask for "for ever"; saturate instead of wrapping. */
    if (valid >= UINT64_MAX / 1000000000u)
        return UINT64_MAX;
    ns = valid * 1000000000u + (valid_nsec < 1000000000u ? valid_nsec : 999999999u);
    return ns > UINT64_MAX - now ? UINT64_MAX : now + ns;
}

bool wf_enosys(wf_engine *e, UINT32 opcode)
{
    return opcode < 64 && (e->enosys & ((UINT64)1 << opcode));
}

void wf_engine_config_init(wf_engine_config *config)
{
    static const WCHAR fsname[] = {'F', 'U', 'S', 'E'};
    FSP_FSCTL_VOLUME_PARAMS *vp = &config->volume_params;

    memset(config, 0, sizeof *config);
    vp->Version = sizeof *vp;
    vp->SectorSize = 4096;
    vp->SectorsPerAllocationUnit = 1;
    vp->MaxComponentLength = 255;
    vp->FileInfoTimeout = 1000;
    vp->IrpTimeout = FspFsctlIrpTimeoutDefault;
    vp->IrpCapacity = FspFsctlIrpCapacityDefault;
    vp->CaseSensitiveSearch = 1;
    memcpy(vp->FileSystemName, fsname, sizeof fsname);
    config->transact_timeout_ns = 1000000000;
    config->cache_entries_max = 65536;
}

/* ---- contexts ---- */

wf_ctx *wf_ctx_alloc(wf_engine *e)
{
    wf_ctx *c = e->free_ctx;

    if (c) {
        e->free_ctx = c->next;
    } else {
        /* Contexts are recycled, so steady-state requests allocate nothing. */
        c = wf_os_alloc(sizeof *c);
        if (!c)
            return NULL;
        c->req = wf_os_alloc(FSP_FSCTL_TRANSACT_REQ_SIZEMAX);
        c->rsp = wf_os_alloc(FSP_FSCTL_TRANSACT_RSP_SIZEMAX);
        if (!c->req || !c->rsp) {
            wf_os_free(c->req);
            wf_os_free(c->rsp);
            wf_os_free(c);
            return NULL;
        }
        e->ctx_count++;
    }
    c->next = c->hash_next = NULL;
    c->engine = e;
    c->run = NULL;
    c->unique = c->hint = 0;
    memset(c->coro, 0, sizeof c->coro);
    c->coro_depth = 0;
    c->waiting = c->has_winfsp_request = c->interrupted = false;
    memset(&c->send, 0, sizeof c->send);
    memset(&c->reply, 0, sizeof c->reply);
    c->uid = e->config.default_uid;
    c->gid = e->config.default_gid;
    c->pid = 0;
    memset(c->rsp, 0, sizeof *c->rsp);
    c->rsp_buf_used = 0;
    memset(&c->walk, 0, sizeof c->walk);
    memset(&c->ea, 0, sizeof c->ea);
    c->file = NULL;
    c->node = NULL;
    c->changing[0] = c->changing[1] = c->changed[0] = c->changed[1] = NULL;
    c->path[0] = c->path2[0] = 0;
    return c;
}

static void ctx_free(wf_engine *e, wf_ctx *c)
{
    wf_names_end(c); /* abandoned while a change was out */
    c->changed[0] = c->changed[1] = NULL;
    if (c->file)
        wf_file_unref(e, c->file);
    c->file = NULL;
    if (c->walk.node)
        wf_node_unref(e, c->walk.node);
    if (c->node)
        wf_node_unref(e, c->node);
    c->walk.node = c->node = NULL;
    wf_ci_free(c->walk.ci_building);
    c->walk.ci_building = NULL;
    c->next = e->free_ctx;
    e->free_ctx = c;
}

static void ctx_destroy(wf_ctx *c)
{
    wf_os_free(c->req);
    wf_os_free(c->rsp);
    wf_os_free(c);
}

/* ---- the pending table: contexts waiting for a reply, by unique ---- */

static UINT32 pending_bucket(const wf_engine *e, UINT64 unique)
{
    return (UINT32)(unique >> 1) & e->pending_mask;
}

static void pending_insert(wf_engine *e, wf_ctx *c)
{
    UINT32 b = pending_bucket(e, c->unique);
    c->hash_next = e->pending[b];
    e->pending[b] = c;
    e->pending_count++;
}

static wf_ctx *pending_remove(wf_engine *e, UINT64 unique)
{
    wf_ctx **link = &e->pending[pending_bucket(e, unique)];

    for (; *link; link = &(*link)->hash_next) {
        wf_ctx *c = *link;
        if (c->unique == unique) {
            *link = c->hash_next;
            c->hash_next = NULL;
            e->pending_count--;
            return c;
        }
    }
    return NULL;
}

static void ready_push(wf_engine *e, wf_ctx *c)
{
    c->next = NULL;
    if (e->ready_tail)
        e->ready_tail->next = c;
    else
        e->ready_head = c;
    e->ready_tail = c;
}

static wf_ctx *ready_pop(wf_engine *e)
{
    wf_ctx *c = e->ready_head;
    if (c) {
        e->ready_head = c->next;
        if (!e->ready_head)
            e->ready_tail = NULL;
        c->next = NULL;
    }
    return c;
}

/* ---- results ---- */

void wf_complete(wf_ctx *c, NTSTATUS status, UINT32 information)
{
    c->rsp->IoStatus.Status = (UINT32)status;
    c->rsp->IoStatus.Information = information;
}

void *wf_rsp_buffer(wf_ctx *c, UINT32 size, FSP_FSCTL_TRANSACT_BUF *where)
{
    UINT32 offset = c->rsp_buf_used;
    size_t room = FSP_FSCTL_TRANSACT_RSP_SIZEMAX - sizeof *c->rsp;

    if (size > room || offset > room - size)
        return NULL;
    c->rsp_buf_used += size;
    c->rsp->Size = (UINT16)(sizeof *c->rsp + c->rsp_buf_used);
    if (where) {
        where->Offset = (UINT16)offset;
        where->Size = (UINT16)size;
    }
    return c->rsp->Buffer + offset;
}

void wf_fileinfo(wf_ctx *c, const struct fuse_attr *attr, const char *name, UINT32 name_len,
    FSP_FSCTL_FILE_INFO *info)
{
    const FSP_FSCTL_VOLUME_PARAMS *vp = &c->engine->volume_params;
    wf_fileinfo_options opts;

    opts.allocation_unit = (UINT32)vp->SectorSize * vp->SectorsPerAllocationUnit;
    opts.hide_dot_files = c->engine->config.hide_dot_files;
    wf_fileinfo_from_attr(attr, &opts, name, name_len, info);
}

/* The context ran to its end: answer the provider and recycle it. */
static void finish(wf_engine *e, wf_ctx *c)
{
    if (c->has_winfsp_request) {
        e->stats.pending--;
        e->provider.complete(e->provider.context, c->rsp);
    }
    ctx_free(e, c);
}

/* Run a context's step with whatever reply it was given. */
static void run(wf_ctx *c)
{
    c->waiting = false;
    c->coro_depth = 0;
    c->run(c);
    c->reply.body = NULL;
    c->reply.len = 0;
}

/*
 * After a step: send the context's next request into out when there is
 * room for it there, queue it otherwise, or finish the context.
 */
static NTSTATUS dispatch(wf_engine *e, wf_ctx *c, void *out, size_t cap, size_t *out_len)
{
    if (!c->waiting) {
        finish(e, c);
        return STATUS_SUCCESS;
    }
    if (out && *out_len == 0) {
        NTSTATUS status = wf_emit(e, c, out, cap, out_len);
        if (NT_SUCCESS(status)) {
            pending_insert(e, c);
            return STATUS_SUCCESS;
        }
        if (status != STATUS_BUFFER_TOO_SMALL) {
            /* The step asked for something unsendable: fail its request. */
            wf_complete(c, status, 0);
            finish(e, c);
            return STATUS_SUCCESS;
        }
    }
    ready_push(e, c);
    wf_os_cond_signal(e->cond);
    if (e->provider.wake)
        e->provider.wake(e->provider.context);
    return STATUS_SUCCESS;
}

/* ---- creation ---- */

NTSTATUS wf_engine_create(const wf_engine_config *config, const wf_provider *provider,
    wf_engine **engine)
{
    wf_engine *e;
    FSP_FSCTL_VOLUME_PARAMS *vp;
    NTSTATUS status;

    *engine = NULL;
    if (!config || !provider || !provider->next_request || !provider->complete)
        return STATUS_INVALID_PARAMETER;
    e = wf_os_alloc(sizeof *e);
    if (!e)
        return STATUS_INSUFFICIENT_RESOURCES;
    e->config = *config;
    e->provider = *provider;
    e->lock = wf_os_lock_new();
    e->cond = wf_os_cond_new();
    e->pending = wf_os_alloc(WF_PENDING_BUCKETS * sizeof *e->pending);
    e->pending_mask = WF_PENDING_BUCKETS - 1;
    e->next_unique = 2;
    if (!e->lock || !e->cond || !e->pending) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto fail;
    }
    status = wf_cache_init(e);
    if (!NT_SUCCESS(status))
        goto fail;

    /*
     * What FUSE can and cannot do decides part of the volume's shape,
     * whatever the user asked: POSIX permissions are persistent ACLs,
     * symbolic links are reparse points, there are no named streams, and
     * directory listings resume at a FUSE offset rather than a name.
     */
    vp = &e->volume_params;
    *vp = config->volume_params;
    vp->Version = sizeof *vp;
    vp->CasePreservedNames = 1;
    vp->UnicodeOnDisk = 1;
    vp->PersistentAcls = 1;
    vp->ReparsePoints = 1;
    vp->ReparsePointsAccessCheck = 0;
    vp->NamedStreams = 0;
    vp->HardLinks = 0;
    vp->PostCleanupWhenModifiedOnly = 1;
    vp->PassQueryDirectoryPattern = 1;
    vp->PassQueryDirectoryFileName = 1;
    vp->DeviceControl = 1;
    vp->DirectoryMarkerAsNextOffset = 1;
    /* FUSE unlinks and renames as POSIX does: a name goes while handles stay. */
    vp->SupportsPosixUnlinkRename = 1;
    /* EAs are "user." xattrs; their names are kept as given. */
    vp->ExtendedAttributes = 1;
    vp->CasePreservedExtendedAttributes = 1;
    if (vp->MaxComponentLength == 0 || vp->MaxComponentLength > 255)
        vp->MaxComponentLength = 255;
    if (vp->SectorSize == 0)
        vp->SectorSize = 4096;
    if (vp->SectorsPerAllocationUnit == 0)
        vp->SectorsPerAllocationUnit = 1;
    if (e->config.cache_entries_max == 0)
        e->config.cache_entries_max = 65536;

    *engine = e;
    return STATUS_SUCCESS;

fail:
    wf_cache_fini(e);
    wf_os_free(e->pending);
    wf_os_cond_free(e->cond);
    wf_os_lock_free(e->lock);
    wf_os_free(e);
    return status;
}

const FSP_FSCTL_VOLUME_PARAMS *wf_engine_volume_params(const wf_engine *engine)
{
    return &engine->volume_params;
}

size_t wf_engine_request_size_min(const wf_engine *engine)
{
    size_t write_max = sizeof(struct fuse_in_header) + sizeof(struct fuse_write_in) +
        (engine->init_done ? engine->max_write : 0);
    return write_max > FUSE_MIN_READ_BUFFER ? write_max : FUSE_MIN_READ_BUFFER;
}

/* ---- the transact loop ---- */

/* FUSE notifications (unique 0): the file system tells us what changed. */
static NTSTATUS consume_notify(wf_engine *e, INT32 code, const UINT8 *body, UINT32 len)
{
    struct fuse_notify_inval_inode_out inode;
    struct fuse_notify_inval_entry_out entry;
    struct fuse_notify_delete_out del;
    NTSTATUS status = STATUS_SUCCESS;

    wf_os_lock_acquire(e->lock);
    switch (code) {
    case FUSE_NOTIFY_INVAL_INODE:
        if (len != sizeof inode) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        memcpy(&inode, body, sizeof inode);
        wf_cache_invalidate_node(e, inode.ino);
        break;
    case FUSE_NOTIFY_INVAL_ENTRY:
    case FUSE_NOTIFY_DELETE:
        if (code == FUSE_NOTIFY_INVAL_ENTRY) {
            if (len < sizeof entry) {
                status = STATUS_INVALID_PARAMETER;
                break;
            }
            memcpy(&entry, body, sizeof entry);
            del.parent = entry.parent;
            del.namelen = entry.namelen;
            body += sizeof entry;
            len -= sizeof entry;
        } else {
            if (len < sizeof del) {
                status = STATUS_INVALID_PARAMETER;
                break;
            }
            memcpy(&del, body, sizeof del);
            body += sizeof del;
            len -= sizeof del;
        }
        /* The name is followed by a NUL, and that is all there is. */
        if (del.namelen == 0 || del.namelen > WF_NAME_MAX || len != del.namelen + 1 ||
            body[del.namelen] != 0) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        {
            wf_node *parent = wf_node_get(e, del.parent);
            if (parent)
                wf_cache_remove(e, parent, (const char *)body, del.namelen);
        }
        break;
    case FUSE_NOTIFY_POLL:
        /* Nobody polls through Windows I/O; the wake-up has no one to wake. */
        break;
    default:
        /* STORE and RETRIEVE manage a page cache the engine does not keep. */
        status = STATUS_NOT_SUPPORTED;
        break;
    }
    if (!NT_SUCCESS(status))
        e->stats.bad_replies++;
    wf_os_lock_release(e->lock);
    return status;
}

/* A reply: its header, and its body (hdr.len - sizeof hdr bytes) wherever it lies. */
static NTSTATUS consume_reply(wf_engine *e, const struct fuse_out_header *hdrp, const UINT8 *body,
    void *out, size_t cap, size_t *out_len)
{
    struct fuse_out_header hdr = *hdrp;
    wf_ctx *c;
    NTSTATUS status;

    if (hdr.unique == 0)
        return consume_notify(e, hdr.error, body, hdr.len - (UINT32)sizeof hdr);

    wf_os_lock_acquire(e->lock);
    if (e->stopped) {
        wf_os_lock_release(e->lock);
        return STATUS_CANCELLED;
    }
    if (hdr.unique & WF_INT_REQ_BIT) {
        /* An answer to INTERRUPT (EAGAIN: "not yet"); the request's own reply decides. */
        wf_os_lock_release(e->lock);
        return STATUS_SUCCESS;
    }
    c = pending_remove(e, hdr.unique);
    if (!c) {
        e->stats.bad_replies++;
        wf_os_lock_release(e->lock);
        return STATUS_INVALID_PARAMETER;
    }
    e->stats.fuse_replies++;
    if (e->destroy_sent || e->pending_count == 0)
        wf_os_cond_broadcast(e->cond);
    wf_names_end(c);
    c->reply.error = hdr.error;
    c->reply.body = body;
    c->reply.len = hdr.len - (UINT32)sizeof hdr;
    wf_reply_check(&c->send, &c->reply);
    if (c->reply.status == STATUS_INVALID_NETWORK_RESPONSE)
        e->stats.bad_replies++;
    if (hdr.error == -LINUX_ENOSYS && c->send.opcode < 64 && c->send.opcode != FUSE_INIT)
        e->enosys |= (UINT64)1 << c->send.opcode;
    run(c);
    status = dispatch(e, c, out, cap, out_len);
    wf_os_lock_release(e->lock);
    return status;
}

/* Check the WinFsp request a provider handed over before anything reads it. */
static NTSTATUS check_request(const FSP_FSCTL_TRANSACT_REQ *req)
{
    if (req->Size < sizeof *req || req->Size > FSP_FSCTL_TRANSACT_REQ_SIZEMAX)
        return STATUS_INVALID_PARAMETER;
    if (req->Kind == FspFsctlTransactReservedKind || req->Kind >= FspFsctlTransactKindCount)
        return STATUS_INVALID_DEVICE_REQUEST;
    return STATUS_SUCCESS;
}

/* Begin a WinFsp request: set up its response and run its first step. */
static NTSTATUS start(wf_engine *e, wf_ctx *c, void *out, size_t cap, size_t *out_len)
{
    NTSTATUS status = check_request(c->req);

    c->has_winfsp_request = true;
    c->hint = c->req->Hint;
    c->rsp->Version = 0;
    c->rsp->Size = sizeof *c->rsp;
    c->rsp->Kind = c->req->Kind;
    c->rsp->Hint = c->req->Hint;
    e->stats.winfsp_requests++;
    e->stats.pending++;
    if (!NT_SUCCESS(status) || !steps[c->req->Kind]) {
        wf_complete(c, NT_SUCCESS(status) ? STATUS_INVALID_DEVICE_REQUEST : status, 0);
        finish(e, c);
        return STATUS_SUCCESS;
    }
    c->run = steps[c->req->Kind];
    run(c);
    return dispatch(e, c, out, cap, out_len);
}

static NTSTATUS emit_ready(wf_engine *e, void *out, size_t cap, size_t *out_len)
{
    wf_ctx *c = ready_pop(e);
    NTSTATUS status = wf_emit(e, c, out, cap, out_len);

    if (NT_SUCCESS(status)) {
        pending_insert(e, c);
    } else if (status == STATUS_BUFFER_TOO_SMALL) {
        /* Leave it for a thread with a larger buffer; tell this one why. */
        c->next = e->ready_head;
        e->ready_head = c;
        if (!e->ready_tail)
            e->ready_tail = c;
        return status;
    } else {
        wf_complete(c, status, 0);
        finish(e, c);
    }
    return STATUS_SUCCESS;
}

/* Write an INTERRUPT for a request still outstanding; 0 when none is. */
static size_t interrupt_emit(wf_engine *e, void *buf, size_t cap)
{
    while (e->interrupt_count) {
        UINT64 unique = e->interrupts[--e->interrupt_count];
        struct fuse_in_header hdr;
        struct fuse_interrupt_in in;
        bool outstanding = false;

        for (wf_ctx *c = e->pending[pending_bucket(e, unique)]; c; c = c->hash_next)
            outstanding |= c->unique == unique;
        if (!outstanding || cap < sizeof hdr + sizeof in)
            continue;
        memset(&hdr, 0, sizeof hdr);
        hdr.len = sizeof hdr + sizeof in;
        hdr.opcode = FUSE_INTERRUPT;
        /* As Linux does: the interrupted request's unique with the low bit set. */
        hdr.unique = unique | WF_INT_REQ_BIT;
        memset(&in, 0, sizeof in);
        in.unique = unique;
        memcpy(buf, &hdr, sizeof hdr);
        memcpy((UINT8 *)buf + sizeof hdr, &in, sizeof in);
        e->stats.fuse_requests++;
        return hdr.len;
    }
    return 0;
}

static NTSTATUS produce_request(wf_engine *e, void *out, size_t cap, size_t *out_len)
{
    NTSTATUS status = STATUS_SUCCESS;
    bool waited = false;
    wf_ctx *c;

    wf_os_lock_acquire(e->lock);
    for (;;) {
        /* After DESTROY the file system hears nothing more. */
        if (e->stopped || e->destroy_sent) {
            status = STATUS_CANCELLED;
            break;
        }
        if (e->interrupt_count) {
            *out_len = interrupt_emit(e, out, cap);
            if (*out_len)
                break;
        }
        if (e->forget_head) {
            *out_len = wf_forget_emit(e, out, cap);
            if (*out_len)
                break;
        }
        if (e->ready_head) {
            status = emit_ready(e, out, cap, out_len);
            if (*out_len || !NT_SUCCESS(status))
                break;
            continue;
        }
        if (!e->init_sent) {
            c = wf_ctx_alloc(e);
            if (!c) {
                status = STATUS_INSUFFICIENT_RESOURCES;
                break;
            }
            e->init_sent = true;
            c->run = wf_step_init;
            run(c);
            status = dispatch(e, c, out, cap, out_len);
            break;
        }
        if (!e->init_done) {
            /* Nothing but INIT may go out before INIT is answered. */
            if (waited)
                break;
            waited = true;
            wf_os_cond_wait(e->cond, e->lock, e->config.transact_timeout_ns);
            continue;
        }
        if (waited)
            break;
        c = wf_ctx_alloc(e);
        if (!c) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            break;
        }
        wf_os_lock_release(e->lock);
        status = e->provider.next_request(e->provider.context, c->req,
            FSP_FSCTL_TRANSACT_REQ_SIZEMAX, e->config.transact_timeout_ns);
        wf_os_lock_acquire(e->lock);
        if (status == STATUS_TIMEOUT) {
            ctx_free(e, c);
            status = STATUS_SUCCESS;
            /* Woken for ready work, or simply timed out: look once more. */
            waited = true;
            continue;
        }
        if (!NT_SUCCESS(status)) {
            /*
             * The volume is gone: say goodbye to the file system, once, and
             * last: after the forgets, continuations and replies still due.
             */
            if (e->destroy_sent || e->stopped) {
                ctx_free(e, c);
                status = STATUS_CANCELLED;
                break;
            }
            if (e->forget_head || e->interrupt_count || e->ready_head || e->pending_count) {
                ctx_free(e, c);
                status = STATUS_SUCCESS;
                if (e->forget_head || e->interrupt_count || e->ready_head)
                    continue;
                /* Requests still out: wait for their replies, then try again. */
                if (!waited)
                    wf_os_cond_wait(e->cond, e->lock, e->config.transact_timeout_ns);
                waited = true;
                if (e->pending_count)
                    break;
                continue;
            }
            e->destroy_sent = true;
            c->run = wf_step_destroy;
            run(c);
            status = dispatch(e, c, out, cap, out_len);
            break;
        }
        if (e->stopped) {
            c->has_winfsp_request = true;
            c->rsp->Size = sizeof *c->rsp;
            c->rsp->Kind = c->req->Kind;
            c->rsp->Hint = c->req->Hint;
            e->stats.pending++;
            wf_complete(c, STATUS_CANCELLED, 0);
            finish(e, c);
            status = STATUS_CANCELLED;
            break;
        }
        status = start(e, c, out, cap, out_len);
        if (*out_len || !NT_SUCCESS(status))
            break;
        /* Answered without FUSE (a cache hit, an invalid request): take more work. */
        waited = false;
    }
    wf_os_lock_release(e->lock);
    return status;
}

NTSTATUS wf_transact(wf_engine *e, const void *reply, size_t reply_len, void *request,
    size_t cap, size_t *request_len)
{
    size_t produced = 0;
    NTSTATUS status;

    if (request_len)
        *request_len = 0;
    if (request && (!request_len || cap < wf_engine_request_size_min(e)))
        return STATUS_BUFFER_TOO_SMALL;
    if (reply) {
        struct fuse_out_header hdr;
        if (e->config.trace)
            e->config.trace(e->config.trace_context, true, reply, reply_len);
        if (reply_len < sizeof hdr)
            return STATUS_INVALID_PARAMETER;
        memcpy(&hdr, reply, sizeof hdr);
        if (hdr.len != reply_len)
            return STATUS_INVALID_PARAMETER;
        status = consume_reply(e, &hdr, (const UINT8 *)reply + sizeof hdr, request,
            request ? cap : 0, &produced);
        if (!NT_SUCCESS(status) || produced)
            goto out;
    }
    if (!request)
        return STATUS_SUCCESS;
    status = produce_request(e, request, cap, &produced);
out:
    if (request_len)
        *request_len = produced;
    if (produced && e->config.trace)
        e->config.trace(e->config.trace_context, false, request, produced);
    return status;
}

/* ---- cancellation, stop, deletion ---- */

void wf_engine_cancel(wf_engine *e, UINT64 hint)
{
    bool wake = false;

    wf_os_lock_acquire(e->lock);
    for (UINT32 b = 0; b <= e->pending_mask; b++) {
        for (wf_ctx *c = e->pending[b]; c; c = c->hash_next) {
            if (!c->has_winfsp_request || c->hint != hint || c->interrupted)
                continue;
            c->interrupted = true;
            /* Interrupts are advice: when too many are queued, the rest just wait. */
            if (e->interrupt_count < sizeof e->interrupts / sizeof e->interrupts[0]) {
                e->interrupts[e->interrupt_count++] = c->unique;
                wake = true;
            }
        }
    }
    if (wake)
        wf_os_cond_signal(e->cond);
    wf_os_lock_release(e->lock);
    if (wake && e->provider.wake)
        e->provider.wake(e->provider.context);
}

static void cancel_all(wf_engine *e)
{
    wf_ctx *c;

    while ((c = ready_pop(e)) != NULL) {
        wf_complete(c, STATUS_CANCELLED, 0);
        finish(e, c);
    }
    for (UINT32 b = 0; b <= e->pending_mask; b++) {
        while ((c = e->pending[b]) != NULL) {
            e->pending[b] = c->hash_next;
            e->pending_count--;
            wf_complete(c, STATUS_CANCELLED, 0);
            finish(e, c);
        }
    }
}

void wf_engine_stop(wf_engine *e)
{
    wf_os_lock_acquire(e->lock);
    if (!e->stopped) {
        e->stopped = true;
        cancel_all(e);
    }
    wf_os_cond_broadcast(e->cond);
    wf_os_lock_release(e->lock);
    if (e->provider.wake)
        e->provider.wake(e->provider.context);
}

void wf_engine_delete(wf_engine *e)
{
    wf_ctx *c;

    if (!e)
        return;
    wf_engine_stop(e);
    wf_file_fini_all(e);
    wf_cache_fini(e);
    while ((c = e->free_ctx) != NULL) {
        e->free_ctx = c->next;
        ctx_destroy(c);
    }
    wf_os_free(e->pending);
    wf_os_cond_free(e->cond);
    wf_os_lock_free(e->lock);
    wf_os_free(e);
}

void wf_engine_get_stats(wf_engine *e, wf_engine_stats *stats)
{
    wf_os_lock_acquire(e->lock);
    *stats = e->stats;
    stats->nodes = e->node_count;
    stats->open_files = e->file_count;
    stats->proto_minor = e->init_done ? e->proto_minor : 0;
    stats->stopped = e->stopped;
    wf_os_lock_release(e->lock);
}

NTSTATUS wf_transact_reply(wf_engine *e, const wf_reply_piece *pieces, size_t count)
{
    struct fuse_out_header hdr;
    size_t total = 0, produced = 0;
    UINT8 *joined = NULL;
    const UINT8 *body;
    NTSTATUS status;

    for (size_t i = 0; i < count; i++) {
        if (pieces[i].len > SIZE_MAX - total)
            return STATUS_INVALID_PARAMETER;
        total += pieces[i].len;
    }
    if (count == 0 || total < sizeof hdr)
        return STATUS_INVALID_PARAMETER;
    /* The usual shapes need no copy: one piece, or a bare header and one piece of body. */
    if (pieces[0].len >= sizeof hdr && (count == 1 || (count == 2 && pieces[0].len == sizeof hdr)) &&
        !e->config.trace) {
        memcpy(&hdr, pieces[0].base, sizeof hdr);
        /* An empty second piece may have no address: the body is then past the header. */
        body = count == 1 || pieces[1].len == 0 ? (const UINT8 *)pieces[0].base + sizeof hdr
                                                : (const UINT8 *)pieces[1].base;
    } else {
        joined = wf_os_alloc(total);
        if (!joined)
            return STATUS_INSUFFICIENT_RESOURCES;
        for (size_t i = 0, at = 0; i < count; at += pieces[i].len, i++)
            if (pieces[i].len)
                memcpy(joined + at, pieces[i].base, pieces[i].len);
        if (e->config.trace)
            e->config.trace(e->config.trace_context, true, joined, total);
        memcpy(&hdr, joined, sizeof hdr);
        body = joined + sizeof hdr;
    }
    status = hdr.len == total ? consume_reply(e, &hdr, body, NULL, 0, &produced)
                              : STATUS_INVALID_PARAMETER;
    wf_os_free(joined);
    return status;
}
