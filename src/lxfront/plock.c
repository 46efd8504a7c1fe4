/*
 * plock.c - fcntl(2) record locks (POSIX locks) as NT byte-range locks.
 *
 * Two sets of rules meet here. Linux's: a lock belongs to an owner (a
 * process, or an open file for OFD locks), covers a byte range, and a new
 * lock of the same owner replaces whatever that owner held in its range,
 * splitting older locks around it; closing any descriptor of the file
 * drops all of the owner's locks on it. NT's: a lock belongs to a handle
 * (with a process and a key), is an exact range, and is only ever added or
 * removed whole; it is mandatory, so reads and writes through other
 * handles that cross it fail.
 *
 * lxfront keeps the Linux view per node (the owner's segments) and
 * decides conflicts between Linux owners from it, so Linux programs get
 * POSIX answers: F_GETLK names the holder and its pid, F_SETLKW waits.
 * Every segment is also an NT lock on the handle of the descriptor that
 * took it, so Windows programs see Linux locks and Linux requests wait for
 * (or fail on) Windows ones -- NT has no call to ask who holds a range,
 * so F_GETLK learns of a Windows lock by trying to take one itself.
 * Segments of one owner are not merged: each must be released as it was
 * taken. Where Linux cuts a lock in two or changes its type, NT has no
 * call to do it in place; lxfront unlocks and locks again, and a Windows
 * program locking the range in that instant wins it.
 *
 * lx->plock_lock guards every node's segments. It is held across
 * NtLockFile and NtUnlockFile, which the fsd answers itself (WinFsp keeps
 * byte-range locks in its FSD), but never across a call that reaches the
 * file system: handles are let go after it is dropped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lxfront/internal.h"

/* The kernel's "to the end of the file", whatever its length. */
#define LX_OFFSET_MAX ((uint64_t)INT64_MAX)
/* The last byte a POSIX lock covers in NT: the byte after it is flock's (file.c). */
#define LX_PLOCK_NT_LAST ((uint64_t)INT64_MAX - 1)

struct lx_plock {
    lx_plock *next;
    uint64_t owner;
    uint32_t pid;        /* who took it, for F_GETLK */
    uint64_t start, end; /* inclusive */
    bool write;
    lx_file *file;       /* whose handle holds the NT lock (a reference) */
};

static bool overlap(const lx_plock *p, uint64_t start, uint64_t end)
{
    return p->start <= end && start <= p->end;
}

/* The NT range of [start, end]; false if it is empty there. */
static bool nt_range(uint64_t start, uint64_t end, UINT64 *off, UINT64 *len)
{
    if (end > LX_PLOCK_NT_LAST)
        end = LX_PLOCK_NT_LAST;
    if (start > end)
        return false;
    *off = start;
    *len = end - start + 1;
    return true;
}

static NTSTATUS nt_take(lx_req *r, lx_file *f, uint64_t start, uint64_t end, bool write)
{
    UINT64 off, len;
    return nt_range(start, end, &off, &len) ? lx_nt_lock(r, f->handle, off, len, write)
                                            : STATUS_SUCCESS;
}

static void nt_drop(lx_req *r, lx_file *f, uint64_t start, uint64_t end)
{
    UINT64 off, len;
    if (nt_range(start, end, &off, &len))
        lx_nt_unlock(r, f->handle, off, len);
}

static bool windows_conflict(NTSTATUS status)
{
    return status == STATUS_LOCK_NOT_GRANTED || status == STATUS_FILE_LOCK_CONFLICT;
}

static lx_plock *linux_conflict(lx_node *n, uint64_t owner, uint64_t start, uint64_t end,
    bool write)
{
    for (lx_plock *p = n->plocks; p; p = p->next)
        if (p->owner != owner && overlap(p, start, end) && (p->write || write))
            return p;
    return NULL;
}

static lx_plock *segment_new(uint64_t owner, uint32_t pid, uint64_t start, uint64_t end,
    bool write, lx_file *file)
{
    lx_plock *p = calloc(1, sizeof *p);
    if (p) {
        p->owner = owner;
        p->pid = pid;
        p->start = start;
        p->end = end;
        p->write = write;
        p->file = file;
    }
    return p;
}

/* Segments leave the node onto a list; their handles are let go without plock_lock. */
static void segments_put(lx_req *r, lx_plock *list)
{
    while (list) {
        lx_plock *next = list->next;
        lx_file_put(r, list->file);
        free(list);
        list = next;
    }
}

static void segment_link(wf_lx *lx, lx_node *n, lx_plock *p)
{
    lx_file_hold(lx, p->file);
    p->next = n->plocks;
    n->plocks = p;
}

/*
 * Owner's request for [start, end] on n, no Linux conflict in the way:
 * cut its older segments around the range, then lock the range (unless
 * unlocking). 0, or EAGAIN when Windows holds part of it (nothing
 * changed), or ENOLCK. Dropped segments go onto *gone. plock_lock held.
 */
static int apply(lx_req *r, lx_node *n, lx_file *f, uint64_t owner, uint32_t pid,
    uint64_t start, uint64_t end, int type, lx_plock **gone)
{
    lx_plock *old = NULL, *pieces = NULL, *add = NULL;
    lx_plock **link, *p;
    NTSTATUS status = STATUS_SUCCESS;
    int err = 0;

    for (p = n->plocks; p; p = p->next)
        if (p->owner == owner && overlap(p, start, end) && type != F_UNLCK &&
            p->write == (type == F_WRLCK) && p->start <= start && end <= p->end)
            return 0; /* already held so */
    if (type != F_UNLCK && !(add = segment_new(owner, pid, start, end, type == F_WRLCK, f)))
        return ENOLCK;
    /* The owner's segments in the range come off the node; what lies outside it stays, as pieces. */
    for (link = &n->plocks; *link;) {
        p = *link;
        if (p->owner != owner || !overlap(p, start, end)) {
            link = &p->next;
            continue;
        }
        *link = p->next;
        p->next = old;
        old = p;
        if (p->start < start || p->end > end) {
            lx_plock *left = p->start < start
                ? segment_new(owner, p->pid, p->start, start - 1, p->write, p->file) : NULL;
            lx_plock *right = p->end > end
                ? segment_new(owner, p->pid, end + 1, p->end, p->write, p->file) : NULL;
            if ((p->start < start && !left) || (p->end > end && !right)) {
                free(left);
                free(right);
                err = ENOLCK;
                break;
            }
            if (left) {
                left->next = pieces;
                pieces = left;
            }
            if (right) {
                right->next = pieces;
                pieces = right;
            }
        }
    }
    if (err)
        goto undo_table;
    if (!old) {
        /* The common case: nothing of the owner's to rearrange, so nothing to lose. */
        if (add && !NT_SUCCESS(status = nt_take(r, f, start, end, add->write)))
            goto fail;
    } else {
        lx_plock *q;
        for (p = old; p; p = p->next)
            nt_drop(r, p->file, p->start, p->end);
        for (q = pieces; q; q = q->next)
            if (!NT_SUCCESS(nt_take(r, q->file, q->start, q->end, q->write)))
                lx_trace(r->lx, "lxfront  #%llu lost the NT lock of %llu-%llu to a Windows "
                    "caller while splitting it", r->id, (unsigned long long)q->start,
                    (unsigned long long)q->end);
        if (add && !NT_SUCCESS(status = nt_take(r, f, start, end, add->write))) {
            /* Back to what the owner held before. */
            for (q = pieces; q; q = q->next)
                nt_drop(r, q->file, q->start, q->end);
            for (p = old; p; p = p->next)
                nt_take(r, p->file, p->start, p->end, p->write);
            goto fail;
        }
    }
    while (pieces) {
        p = pieces->next;
        segment_link(r->lx, n, pieces);
        pieces = p;
    }
    if (add)
        segment_link(r->lx, n, add);
    while (old) {
        p = old->next;
        old->next = *gone;
        *gone = old;
        old = p;
    }
    return 0;

fail:
    err = windows_conflict(status) ? EAGAIN : lx_errno(status);
undo_table:
    while (pieces) {
        p = pieces->next;
        free(pieces);
        pieces = p;
    }
    while (old) {
        p = old->next;
        old->next = n->plocks;
        n->plocks = old;
        old = p;
    }
    free(add);
    return err;
}

static void range_of(const struct flock *lk, uint64_t *start, uint64_t *end)
{
    *start = (uint64_t)lk->l_start;
    *end = lk->l_len > 0 ? (uint64_t)lk->l_start + (uint64_t)lk->l_len - 1 : LX_OFFSET_MAX;
}

static void reply_lock(struct flock *lk, int type, uint64_t start, uint64_t end, uint32_t pid)
{
    lk->l_type = (short)type;
    lk->l_whence = SEEK_SET;
    lk->l_start = (off_t)start;
    lk->l_len = end >= LX_OFFSET_MAX ? 0 : (off_t)(end - start + 1);
    lk->l_pid = (pid_t)pid;
}

int lx_plock_get(lx_req *r, lx_file *f, uint64_t owner, struct flock *lk)
{
    wf_lx *lx = r->lx;
    lx_node *n = f->node;
    uint64_t start, end, at;
    bool write = lk->l_type == F_WRLCK;
    lx_plock *c;

    range_of(lk, &start, &end);
    pthread_mutex_lock(&lx->plock_lock);
    c = linux_conflict(n, owner, start, end, write);
    if (c) {
        /* Linux reports the holder's whole lock: its touching segments of one type are one. */
        uint64_t cs = c->start, ce = c->end;
        bool grown = true;
        while (grown) {
            grown = false;
            for (lx_plock *p = n->plocks; p; p = p->next)
                if (p->owner == c->owner && p->write == c->write &&
                    ((ce < LX_OFFSET_MAX && p->start == ce + 1) || (cs > 0 && p->end == cs - 1))) {
                    if (p->start < cs)
                        cs = p->start;
                    if (p->end > ce)
                        ce = p->end;
                    grown = true;
                }
        }
        reply_lock(lk, c->write ? F_WRLCK : F_RDLCK, cs, ce, c->pid);
        pthread_mutex_unlock(&lx->plock_lock);
        return 0;
    }
    /*
     * Windows locks: try to take the range, piece by piece around the
     * owner's own segments (which NT would count against it).
     */
    for (at = start; at <= end;) {
        uint64_t gap_end = end, next = LX_OFFSET_MAX;
        bool covered = false;
        for (lx_plock *p = n->plocks; p; p = p->next) {
            if (p->owner != owner || p->end < at || p->start > end)
                continue;
            if (p->start <= at) {
                covered = true;
                next = p->end;
                break;
            }
            if (p->start - 1 < gap_end)
                gap_end = p->start - 1;
        }
        if (covered) {
            if (next >= end)
                break;
            at = next + 1;
            continue;
        }
        NTSTATUS status = nt_take(r, f, at, gap_end, write);
        if (NT_SUCCESS(status)) {
            nt_drop(r, f, at, gap_end);
        } else if (windows_conflict(status)) {
            int type = F_WRLCK;
            /* A shared lock that is granted tells a reader from a writer. */
            if (write && NT_SUCCESS(nt_take(r, f, at, gap_end, false))) {
                nt_drop(r, f, at, gap_end);
                type = F_RDLCK;
            }
            reply_lock(lk, type, at, gap_end, 0);
            pthread_mutex_unlock(&lx->plock_lock);
            return 0;
        } else {
            pthread_mutex_unlock(&lx->plock_lock);
            return lx_errno(status);
        }
        if (gap_end >= end)
            break;
        at = gap_end + 1;
    }
    pthread_mutex_unlock(&lx->plock_lock);
    lk->l_type = F_UNLCK;
    return 0;
}

int lx_plock_set(lx_req *r, lx_file *f, uint64_t owner, const struct flock *lk, bool sleep)
{
    wf_lx *lx = r->lx;
    lx_node *n = f->node;
    lx_plock *gone = NULL;
    uint64_t start, end;
    long wait_ms = 1;
    int err;

    if (lk->l_type != F_RDLCK && lk->l_type != F_WRLCK && lk->l_type != F_UNLCK)
        return EINVAL;
    range_of(lk, &start, &end);
    pthread_mutex_lock(&lx->plock_lock);
    for (;;) {
        if (lk->l_type != F_UNLCK && linux_conflict(n, owner, start, end, lk->l_type == F_WRLCK))
            err = EAGAIN;
        else
            err = apply(r, n, f, owner, (uint32_t)lk->l_pid, start, end, lk->l_type, &gone);
        if (err != EAGAIN || !sleep)
            break;
        if (fuse_req_interrupted(r->req)) {
            err = EINTR;
            break;
        }
        /*
         * Linux owners wake waiters when they let go; Windows ones cannot,
         * so the wait is also a poll, which lets FUSE_INTERRUPT end it too.
         */
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += wait_ms * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&lx->plock_cond, &lx->plock_lock, &ts);
        if (wait_ms < 32)
            wait_ms *= 2;
    }
    if (gone)
        pthread_cond_broadcast(&lx->plock_cond);
    pthread_mutex_unlock(&lx->plock_lock);
    segments_put(r, gone);
    return err;
}

/* Take the segments matching (owner or file) off n, and let go of them. */
static void drop_where(lx_req *r, lx_node *n, const uint64_t *owner, const lx_file *file)
{
    wf_lx *lx = r->lx;
    lx_plock *gone = NULL;

    pthread_mutex_lock(&lx->plock_lock);
    for (lx_plock **link = &n->plocks; *link;) {
        lx_plock *p = *link;
        if ((owner && p->owner == *owner) || (file && p->file == file)) {
            *link = p->next;
            nt_drop(r, p->file, p->start, p->end);
            p->next = gone;
            gone = p;
        } else {
            link = &p->next;
        }
    }
    if (gone)
        pthread_cond_broadcast(&lx->plock_cond);
    pthread_mutex_unlock(&lx->plock_lock);
    segments_put(r, gone);
}

void lx_plock_drop_owner(lx_req *r, lx_node *n, uint64_t owner)
{
    drop_where(r, n, &owner, NULL);
}

void lx_plock_drop_file(lx_req *r, lx_file *f)
{
    drop_where(r, f->node, NULL, f);
}

void lx_plock_discard(lx_node *n)
{
    while (n->plocks) {
        lx_plock *next = n->plocks->next;
        free(n->plocks);
        n->plocks = next;
    }
}

static const char *type_name(int type)
{
    return type == F_RDLCK ? "F_RDLCK" : type == F_WRLCK ? "F_WRLCK" : "F_UNLCK";
}

void lx_op_getlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, struct flock *lock)
{
    lx_req r;
    int err;

    lx_begin(&r, req, "GETLK %llu %s %lld+%lld owner %llx", (unsigned long long)ino,
        type_name(lock->l_type), (long long)lock->l_start, (long long)lock->l_len,
        (unsigned long long)fi->lock_owner);
    lx_as_lock_owner(&r);
    err = lx_plock_get(&r, lx_file_of(fi), fi->lock_owner, lock);
    lx_as_caller(&r);
    if (err) {
        lx_reply_err(&r, err);
        return;
    }
    if (lx_tracing(r.lx))
        lx_trace(r.lx, "linux  #%llu -> %s %lld+%lld pid %d", r.id, type_name(lock->l_type),
            (long long)lock->l_start, (long long)lock->l_len, (int)lock->l_pid);
    fuse_reply_lock(req, lock);
}

void lx_op_setlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, struct flock *lock,
    int sleep)
{
    lx_req r;
    int err;

    lx_begin(&r, req, "SETLK%s %llu %s %lld+%lld owner %llx", sleep ? "W" : "",
        (unsigned long long)ino, type_name(lock->l_type), (long long)lock->l_start,
        (long long)lock->l_len, (unsigned long long)fi->lock_owner);
    lx_as_lock_owner(&r);
    err = lx_plock_set(&r, lx_file_of(fi), fi->lock_owner, lock, sleep != 0);
    lx_as_caller(&r);
    lx_reply_err(&r, err);
}
