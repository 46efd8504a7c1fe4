/*
 * lockctl.c - NtLockFile and NtUnlockFile: byte-range locks.
 *
 * WinFsp keeps byte-range locks in its FSD (the FsRtl file lock package)
 * and never tells the file system; so does the fsd. The rules are
 * FsRtl's: a lock is owned by (file object, process, key); an exclusive
 * lock may overlap no other lock, a shared one no exclusive lock; a lock
 * of zero bytes overlaps nothing. Reads conflict with exclusive locks of
 * other owners, writes with every lock but the writer's own exclusive one
 * (STATUS_FILE_LOCK_CONFLICT). A conflicting lock request fails with
 * STATUS_LOCK_NOT_GRANTED when asked to fail immediately, and otherwise
 * waits until it can be granted, its file object is cleaned up or the
 * volume goes (STATUS_CANCELLED). Unlocking needs the exact range and
 * owner (else STATUS_RANGE_NOT_LOCKED); cleanup releases a file object's
 * locks.
 */
#include <stdlib.h>

#include "fsd/internal.h"

static UINT32 caller_pid(void)
{
    UINT32 uid, gid, pid;
    fsd_thread_credentials(&uid, &gid, &pid);
    return pid;
}

static bool overlap(UINT64 a, UINT64 alen, UINT64 b, UINT64 blen)
{
    /* End points computed without overflow: lengths were checked against it. */
    if (alen == 0 || blen == 0)
        return false;
    return a < b + blen && b < a + alen;
}

bool fsd_lock_conflict_locked(fsd_node *n, fsd_fobj *f, UINT32 key, UINT64 offset,
    UINT64 length, bool write)
{
    UINT32 pid;

    if (!n->locks || length == 0)
        return false;
    if (offset > UINT64_MAX - length)
        length = UINT64_MAX - offset;
    pid = caller_pid();
    for (fsd_lock *l = n->locks; l; l = l->next) {
        bool own = l->owner == f && l->pid == pid && l->key == key;
        if (!overlap(offset, length, l->offset, l->length))
            continue;
        if (write ? !(own && l->exclusive) : (l->exclusive && !own))
            return true;
    }
    return false;
}

static bool lock_grantable(const fsd_node *n, UINT64 offset, UINT64 length, bool exclusive)
{
    for (const fsd_lock *l = n->locks; l; l = l->next)
        if ((exclusive || l->exclusive) && overlap(offset, length, l->offset, l->length))
            return false;
    return true;
}

void fsd_unlock_all_locked(wf_fsd_volume *v, fsd_fobj *f)
{
    fsd_node *n = f->node;
    fsd_lock **link;

    if (!n)
        return;
    for (link = &n->locks; *link;) {
        fsd_lock *l = *link;
        if (l->owner == f) {
            *link = l->next;
            free(l);
        } else {
            link = &l->next;
        }
    }
    /* Waiters may now get their lock, or find their file object cleaned up. */
    pthread_cond_broadcast(&v->state_cond);
}

/* Checks common to both calls: the handle, its access, the range. */
static NTSTATUS lock_prologue(wf_fsd_volume *v, nt_handle handle, INT64 offset, INT64 length,
    fsd_fobj **fobj)
{
    fsd_fobj *f;
    NTSTATUS status = fsd_handle_ref(v, handle, &f);

    *fobj = NULL;
    if (!NT_SUCCESS(status))
        return status;
    if (!(f->granted & (FILE_READ_DATA | FILE_WRITE_DATA)))
        status = STATUS_ACCESS_DENIED;
    else if (fsd_is_volume(f))
        status = STATUS_INVALID_DEVICE_REQUEST;
    else if (f->node->is_dir)
        status = STATUS_INVALID_PARAMETER;
    else if ((UINT64)offset > UINT64_MAX - (UINT64)length)
        /*
         * Offsets and lengths are unsigned, as in FsRtl: LockFileEx(0,
         * MAXDWORD, MAXDWORD) is the usual whole-file lock. The end must not wrap.
         */
        status = STATUS_INVALID_LOCK_RANGE;
    if (!NT_SUCCESS(status)) {
        fsd_fobj_release(v, f);
        return status;
    }
    *fobj = f;
    return STATUS_SUCCESS;
}

NTSTATUS nt_lock_file(wf_fsd_volume *volume, nt_handle handle, nt_io_status *iosb, INT64 offset,
    INT64 length, UINT32 key, bool fail_immediately, bool exclusive)
{
    wf_fsd_volume *v = volume;
    fsd_fobj *f;
    fsd_lock *l;
    NTSTATUS status = fsd_enter(v);

    if (!NT_SUCCESS(status))
        return fsd_iosb(iosb, status, 0);
    status = lock_prologue(v, handle, offset, length, &f);
    if (!NT_SUCCESS(status))
        goto exit;
    l = calloc(1, sizeof *l);
    if (!l) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto release;
    }
    l->owner = f;
    l->pid = caller_pid();
    l->key = key;
    l->offset = (UINT64)offset;
    l->length = (UINT64)length;
    l->exclusive = exclusive;
    pthread_mutex_lock(&v->lock);
    for (;;) {
        if (f->cleanup_started || v->state != FSD_VOL_MOUNTED || v->stopped) {
            status = STATUS_CANCELLED;
            break;
        }
        if (lock_grantable(f->node, l->offset, l->length, exclusive)) {
            l->next = f->node->locks;
            f->node->locks = l;
            l = NULL;
            break;
        }
        if (fail_immediately) {
            status = STATUS_LOCK_NOT_GRANTED;
            break;
        }
        pthread_cond_wait(&v->state_cond, &v->lock);
    }
    pthread_mutex_unlock(&v->lock);
    free(l);
release:
    fsd_fobj_release(v, f);
exit:
    fsd_leave(v);
    return fsd_iosb(iosb, status, 0);
}

NTSTATUS nt_unlock_file(wf_fsd_volume *volume, nt_handle handle, nt_io_status *iosb,
    INT64 offset, INT64 length, UINT32 key)
{
    wf_fsd_volume *v = volume;
    fsd_fobj *f;
    UINT32 pid = caller_pid();
    NTSTATUS status = fsd_enter(v);

    if (!NT_SUCCESS(status))
        return fsd_iosb(iosb, status, 0);
    status = lock_prologue(v, handle, offset, length, &f);
    if (!NT_SUCCESS(status))
        goto exit;
    status = STATUS_RANGE_NOT_LOCKED;
    pthread_mutex_lock(&v->lock);
    for (fsd_lock **link = &f->node->locks; *link; link = &(*link)->next) {
        fsd_lock *l = *link;
        if (l->owner == f && l->pid == pid && l->key == key && l->offset == (UINT64)offset &&
            l->length == (UINT64)length) {
            *link = l->next;
            free(l);
            status = STATUS_SUCCESS;
            pthread_cond_broadcast(&v->state_cond);
            break;
        }
    }
    pthread_mutex_unlock(&v->lock);
    fsd_fobj_release(v, f);
exit:
    fsd_leave(v);
    return fsd_iosb(iosb, status, 0);
}
