/*
 * volume.c - the volume, its I/O queue and the provider the engine pulls
 * requests from.
 *
 * A caller builds a request, queues it and waits (a short spin, then a
 * sleep on the request's own condition variable); an engine thread takes
 * it in next_request and hands back the response in complete(), which
 * wakes exactly that caller. As in
 * WinFsp's ioq.c a request nobody takes within IrpTimeout is cancelled;
 * one the engine took is waited for (the engine may be copying into the
 * caller's buffer) unless it names no caller memory, and a stopped volume
 * (its file system died) cancels everything at once.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "fsd/internal.h"

/* ---- time ---- */

UINT64 fsd_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (UINT64)ts.tv_sec * 1000000000u + (UINT64)ts.tv_nsec;
}

UINT64 fsd_expiry(UINT64 timeout_ns)
{
    UINT64 now;

    if (timeout_ns == 0)
        return 0;
    if (timeout_ns == UINT64_MAX)
        return UINT64_MAX;
    now = fsd_now();
    return timeout_ns > UINT64_MAX - now ? UINT64_MAX : now + timeout_ns;
}

static UINT64 ms_to_ns(UINT32 ms)
{
    /* WinFsp's FspTimeoutInfinity32: cache for ever. */
    return ms == UINT32_MAX ? UINT64_MAX : (UINT64)ms * 1000000u;
}

/* Wait on cond until deadline (monotonic ns; UINT64_MAX: for ever). False on timeout. */
static bool wait_until(pthread_cond_t *cond, pthread_mutex_t *lock, UINT64 deadline)
{
    struct timespec ts;

    if (deadline == UINT64_MAX) {
        pthread_cond_wait(cond, lock);
        return true;
    }
    if (fsd_now() >= deadline)
        return false;
    ts.tv_sec = (time_t)(deadline / 1000000000u);
    ts.tv_nsec = (long)(deadline % 1000000000u);
    return pthread_cond_timedwait(cond, lock, &ts) != ETIMEDOUT;
}

static void cond_init(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
}

/* ---- spinning ---- */

/*
 * Most requests are answered within microseconds by an engine thread on
 * another CPU, and the next request often follows as fast. Sleeping on a
 * condition variable for that long costs a futex wait, a wake-up of the
 * sleeper on another CPU and two context switches: measured, that was
 * most of the time of a request. So a caller about to sleep for its
 * response, and an engine thread about to sleep for a request, first
 * watch for it without the lock for up to spin_ns: 50 us (measured best),
 * or WF_FSD_SPIN_US in the environment (0: no spinning).
 *
 * The watcher calls sched_yield between looks rather than pausing: when
 * the thread it waits for (or the one that will queue the next request)
 * is runnable on the same CPU, it gets that CPU at once instead of at the
 * next preemption, so a spinner mostly burns time the CPU would idle. At most
 * one thread spins for a request (a second could take nothing the first
 * cannot), no more threads spin than there are CPUs, and on one CPU
 * nobody spins.
 */
#define FSD_SPIN_NS_DEFAULT 50000u

/*
 * Spinning for a response only pays when the response comes within the
 * spin: a large read or a directory listing takes longer, and its spin
 * would only burn the CPU the engine thread needs. So the fsd keeps, per
 * class of request (kind, and transfers over 16 KiB apart), a moving
 * average of the service time -- from the engine taking the request to its
 * response, whatever the caller did meanwhile -- and a caller spins only
 * when that average is within the budget.
 */
#define FSD_LARGE_TRANSFER (16u * 1024u)

static UINT32 service_bucket(const FSP_FSCTL_TRANSACT_REQ *req)
{
    UINT32 length = 0;

    if (req->Kind >= FspFsctlTransactKindCount)
        return 0;
    if (req->Kind == FspFsctlTransactReadKind)
        length = req->Req.Read.Length;
    else if (req->Kind == FspFsctlTransactWriteKind)
        length = req->Req.Write.Length;
    return req->Kind * 2 + (length > FSD_LARGE_TRANSFER);
}

static void service_note(wf_fsd_volume *v, const fsd_req *r)
{
    UINT64 *avg = &v->service_ns[r->bucket];
    INT64 old = (INT64)__atomic_load_n(avg, __ATOMIC_RELAXED);
    INT64 took = (INT64)(fsd_now() - r->taken_ns);

    __atomic_store_n(avg, (UINT64)(old + (took - old) / 8), __ATOMIC_RELAXED);
}

static bool worth_spinning(const wf_fsd_volume *v, const fsd_req *r)
{
    return v->spin_ns && __atomic_load_n(&v->service_ns[r->bucket], __ATOMIC_RELAXED) <= v->spin_ns;
}

static void spin_init(wf_fsd_volume *v)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    const char *us = getenv("WF_FSD_SPIN_US");

    v->spinners_max = cpus > 1 ? (UINT32)cpus : 0;
    v->spin_ns = FSD_SPIN_NS_DEFAULT;
    if (us && *us)
        v->spin_ns = (UINT64)strtoul(us, NULL, 10) * 1000u;
    if (!v->spinners_max)
        v->spin_ns = 0;
}

static bool spin_enter(wf_fsd_volume *v)
{
    UINT32 n = __atomic_load_n(&v->spinners, __ATOMIC_RELAXED);

    while (n < v->spinners_max)
        if (__atomic_compare_exchange_n(&v->spinners, &n, n + 1, true, __ATOMIC_ACQUIRE,
                __ATOMIC_RELAXED))
            return true;
    return false;
}

static void spin_leave(wf_fsd_volume *v)
{
    __atomic_sub_fetch(&v->spinners, 1, __ATOMIC_RELEASE);
}

/* One more turn of a spin that began at start; false once spin_ns has passed. */
static bool spin_again(const wf_fsd_volume *v, UINT64 start)
{
    sched_yield();
    return fsd_now() - start < v->spin_ns;
}

static void req_set_state(fsd_req *r, int state)
{
    __atomic_store_n(&r->state, state, __ATOMIC_RELEASE);
}

/* Tell next_request to look again; under v->lock. */
static void queue_event_locked(wf_fsd_volume *v)
{
    __atomic_add_fetch(&v->queue_events, 1, __ATOMIC_SEQ_CST);
}

/* ---- credentials ---- */

static _Thread_local bool tls_creds_set;
static _Thread_local UINT32 tls_uid, tls_gid, tls_pid;

void wf_fsd_set_thread_credentials(UINT32 uid, UINT32 gid, UINT32 pid)
{
    tls_creds_set = true;
    tls_uid = uid;
    tls_gid = gid;
    tls_pid = pid;
}

void fsd_thread_credentials(UINT32 *uid, UINT32 *gid, UINT32 *pid)
{
    if (tls_creds_set) {
        *uid = tls_uid;
        *gid = tls_gid;
        *pid = tls_pid;
    } else {
        *uid = (UINT32)getuid();
        *gid = (UINT32)getgid();
        *pid = (UINT32)getpid();
    }
}

/* Tokens stand for a thread's identity while its request is in flight. */
static UINT32 token_new_locked(wf_fsd_volume *v, UINT32 uid, UINT32 gid, UINT32 pid)
{
    UINT32 i;

    for (i = 0; i < v->token_count; i++)
        if (!v->tokens[i].used)
            break;
    if (i == v->token_count) {
        UINT32 count = v->token_count ? v->token_count * 2 : 16;
        fsd_token *t = realloc(v->tokens, count * sizeof *t);
        if (!t)
            return 0;
        memset(t + v->token_count, 0, (count - v->token_count) * sizeof *t);
        v->tokens = t;
        v->token_count = count;
    }
    v->tokens[i].used = true;
    v->tokens[i].uid = uid;
    v->tokens[i].gid = gid;
    v->tokens[i].pid = pid;
    return i + 1;
}

static void token_free_locked(wf_fsd_volume *v, UINT32 token)
{
    if (token && token <= v->token_count)
        v->tokens[token - 1].used = false;
}

UINT64 fsd_req_token(wf_fsd_volume *v, fsd_req *r)
{
    UINT32 uid, gid, pid;

    fsd_thread_credentials(&uid, &gid, &pid);
    pthread_mutex_lock(&v->lock);
    if (!r->token)
        r->token = token_new_locked(v, uid, gid, pid);
    pthread_mutex_unlock(&v->lock);
    /* FSP_FSCTL_TRANSACT_REQ_TOKEN_*: the originating process above the handle. */
    return r->token ? ((UINT64)pid << 32) | r->token : 0;
}

/* ---- requests ---- */

/*
 * Every NT call makes a request and frees it, and each holds a 16 KiB
 * request and a 16 KiB response buffer: a thread keeps the last one it
 * freed for its next, so the steady state allocates nothing and clears
 * only what the last uses wrote (the request must read as zeroed: names
 * are appended without their terminating NUL).
 */
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;
static bool spare_ok;

static void req_destroy(fsd_req *r)
{
    pthread_cond_destroy(&r->cond);
    free(r->req);
    free(r->rsp);
    free(r->data);
    free(r);
}

static void spare_destroy(void *p)
{
    req_destroy(p);
}

static void spare_key_init(void)
{
    spare_ok = pthread_key_create(&spare_key, spare_destroy) == 0;
}

/* r is done with: this thread's spare if it has none, else gone. */
static void req_recycle(fsd_req *r)
{
    size_t used = r->req->Size > FSP_FSCTL_TRANSACT_REQ_SIZEMAX ? FSP_FSCTL_TRANSACT_REQ_SIZEMAX
                                                                : r->req->Size;

    pthread_once(&spare_once, spare_key_init);
    if (!spare_ok || pthread_getspecific(spare_key)) {
        req_destroy(r);
        return;
    }
    free(r->data);
    r->data = NULL;
    r->data_size = 0;
    if (used > r->req_dirty)
        r->req_dirty = used;
    if (pthread_setspecific(spare_key, r) != 0)
        req_destroy(r);
}

fsd_req *fsd_req_new(UINT32 kind)
{
    fsd_req *r = NULL;

    pthread_once(&spare_once, spare_key_init);
    if (spare_ok && (r = pthread_getspecific(spare_key)) != NULL) {
        pthread_setspecific(spare_key, NULL);
        memset(r, 0, offsetof(fsd_req, cond));
        memset(r->req, 0, r->req_dirty);
        r->req_dirty = 0;
    } else {
        r = calloc(1, sizeof *r);
        if (!r)
            return NULL;
        r->req = calloc(1, FSP_FSCTL_TRANSACT_REQ_SIZEMAX);
        r->rsp = malloc(FSP_FSCTL_TRANSACT_RSP_SIZEMAX);
        if (!r->req || !r->rsp) {
            free(r->req);
            free(r->rsp);
            free(r);
            return NULL;
        }
        cond_init(&r->cond);
    }
    r->req->Size = sizeof *r->req;
    r->req->Kind = kind;
    return r;
}

bool fsd_req_append(fsd_req *r, const void *data, size_t size, FSP_FSCTL_TRANSACT_BUF *buf)
{
    return wf_fsctl_req_append(r->req, FSP_FSCTL_TRANSACT_REQ_SIZEMAX, data, size, buf);
}

bool fsd_req_append_name(fsd_req *r, const WCHAR *name, size_t len, FSP_FSCTL_TRANSACT_BUF *buf)
{
    size_t size = (len + 1) * sizeof(WCHAR);
    size_t start = FSP_FSCTL_DEFAULT_ALIGN_UP((size_t)r->req->Size);

    if (start > FSP_FSCTL_TRANSACT_REQ_SIZEMAX || size > FSP_FSCTL_TRANSACT_REQ_SIZEMAX - start)
        return false;
    /* The request is zeroed, so the NUL after the name is already there. */
    memset((UINT8 *)r->req + r->req->Size, 0, start - r->req->Size);
    if (len)
        memcpy((UINT8 *)r->req + start, name, len * sizeof(WCHAR));
    memset((UINT8 *)r->req + start + len * sizeof(WCHAR), 0, sizeof(WCHAR));
    buf->Offset = (UINT16)(start - sizeof *r->req);
    buf->Size = (UINT16)size;
    r->req->Size = (UINT16)(start + size);
    return true;
}

static UINT32 hint_bucket(UINT64 hint)
{
    return (UINT32)(hint ^ (hint >> 17)) & (FSD_INFLIGHT_BUCKETS - 1);
}

static void inflight_insert(wf_fsd_volume *v, fsd_req *r)
{
    UINT32 b = hint_bucket(r->hint);
    r->hash_next = v->inflight[b];
    v->inflight[b] = r;
}

static fsd_req *inflight_remove(wf_fsd_volume *v, UINT64 hint)
{
    fsd_req **link = &v->inflight[hint_bucket(hint)];

    for (; *link; link = &(*link)->hash_next) {
        fsd_req *r = *link;
        if (r->hint == hint) {
            *link = r->hash_next;
            r->hash_next = NULL;
            return r;
        }
    }
    return NULL;
}

static bool queue_remove(wf_fsd_volume *v, fsd_req *r)
{
    fsd_req **link = &v->queue_head, *prev = NULL;

    for (; *link; prev = *link, link = &(*link)->next) {
        if (*link == r) {
            *link = r->next;
            if (v->queue_tail == r)
                v->queue_tail = prev;
            r->next = NULL;
            return true;
        }
    }
    return false;
}

static void enqueue_locked(wf_fsd_volume *v, fsd_req *r)
{
    r->hint = ++v->next_hint;
    r->req->Hint = r->hint;
    r->bucket = service_bucket(r->req);
    req_set_state(r, FSD_REQ_QUEUED);
    r->next = NULL;
    if (v->queue_tail)
        v->queue_tail->next = r;
    else
        v->queue_head = r;
    v->queue_tail = r;
    v->outstanding++;
    queue_event_locked(v);
    /*
     * A spinner sees the event and takes the request; waking a sleeper too
     * would only have it find the queue empty. Whoever takes a request
     * wakes a sleeper for the rest (prov_next_request).
     */
    if (v->queue_sleepers && !__atomic_load_n(&v->idle_spinners, __ATOMIC_SEQ_CST))
        pthread_cond_signal(&v->queue_cond);
}

static void outstanding_done_locked(wf_fsd_volume *v)
{
    if (--v->outstanding == 0)
        pthread_cond_broadcast(&v->state_cond);
}

/* A request that ends without anyone waiting: free it, with its token. */
static void discard_locked(wf_fsd_volume *v, fsd_req *r)
{
    token_free_locked(v, r->token);
    r->token = 0;
    req_recycle(r);
}

/* Watch, without the lock, for r to be answered or cancelled. */
static void spin_for_response(wf_fsd_volume *v, fsd_req *r)
{
    UINT64 start = fsd_now();
    int state;

    do {
        state = __atomic_load_n(&r->state, __ATOMIC_ACQUIRE);
        if (state == FSD_REQ_DONE || state == FSD_REQ_CANCELLED)
            return;
    } while (spin_again(v, start));
}

NTSTATUS fsd_send(wf_fsd_volume *v, fsd_req **pr)
{
    fsd_req *r = *pr;
    UINT64 deadline;
    NTSTATUS status;

    pthread_mutex_lock(&v->lock);
    if (v->stopped || v->state == FSD_VOL_GONE || v->state == FSD_VOL_NEW) {
        req_set_state(r, FSD_REQ_CANCELLED);
        r->was_queued = true;
        pthread_mutex_unlock(&v->lock);
        return STATUS_CANCELLED;
    }
    r->waited = true;
    if (r->info_node)
        r->info_change = r->info_node->info_change;
    r->change_seq = v->change_seq;
    enqueue_locked(v, r);
    deadline = fsd_expiry(v->irp_timeout_ns);
    /*
     * r stays ours while we spin: only this thread frees or abandons a
     * waited request, and everything below runs again under the lock.
     */
    if (worth_spinning(v, r) && spin_enter(v)) {
        pthread_mutex_unlock(&v->lock);
        spin_for_response(v, r);
        spin_leave(v);
        /*
         * Done is final, and complete() touches r no more once it says so
         * to a caller that does not sleep: no need to queue up for the lock
         * complete() still holds.
         */
        if (__atomic_load_n(&r->state, __ATOMIC_ACQUIRE) == FSD_REQ_DONE)
            return (NTSTATUS)r->rsp->IoStatus.Status;
        pthread_mutex_lock(&v->lock);
    }
    while (r->state != FSD_REQ_DONE && r->state != FSD_REQ_CANCELLED) {
        bool stop = v->stopped;
        bool woken = true;

        if (!stop) {
            r->sleeping = true;
            woken = wait_until(&r->cond, &v->lock, deadline);
            r->sleeping = false;
        }
        if (!woken) {
            /* Taken requests that name the caller's buffer must run to the end. */
            if (r->state == FSD_REQ_TAKEN && r->caller_memory)
                deadline = UINT64_MAX;
            else
                stop = true;
        }
        if (!stop || r->state == FSD_REQ_DONE || r->state == FSD_REQ_CANCELLED)
            continue;
        if (r->state == FSD_REQ_QUEUED) {
            queue_remove(v, r);
            outstanding_done_locked(v);
            r->was_queued = true;
            req_set_state(r, FSD_REQ_CANCELLED);
        } else if (r->state == FSD_REQ_TAKEN) {
            if (r->caller_memory && !v->stopped)
                continue;
            /*
             * The engine still has it: the request is the fsd's now, and its
             * response (if any) is dealt with by complete() alone.
             */
            r->abandoned = true;
            r->waited = false;
            *pr = NULL;
            pthread_mutex_unlock(&v->lock);
            return STATUS_CANCELLED;
        }
    }
    if (r->state == FSD_REQ_DONE)
        status = (NTSTATUS)r->rsp->IoStatus.Status;
    else
        status = STATUS_CANCELLED;
    pthread_mutex_unlock(&v->lock);
    return status;
}

void fsd_req_free(wf_fsd_volume *v, fsd_req *r)
{
    if (!r)
        return;
    /*
     * Without a token the request is this thread's alone (answered,
     * cancelled or never sent): the lock guards only the token table.
     */
    if (!r->token) {
        req_recycle(r);
        return;
    }
    pthread_mutex_lock(&v->lock);
    discard_locked(v, r);
    pthread_mutex_unlock(&v->lock);
}

void fsd_post_locked(wf_fsd_volume *v, fsd_req *r)
{
    if (v->stopped || v->state == FSD_VOL_GONE || v->state == FSD_VOL_NEW) {
        /* Nobody will ever take it: a file system that is gone keeps no state. */
        discard_locked(v, r);
        return;
    }
    r->waited = false;
    enqueue_locked(v, r);
}

void fsd_post_close_locked(wf_fsd_volume *v, UINT64 user_context, UINT64 user_context2)
{
    fsd_req *r = fsd_req_new(FspFsctlTransactCloseKind);

    if (!r)
        return;
    r->req->Req.Close.UserContext = user_context;
    r->req->Req.Close.UserContext2 = user_context2;
    fsd_post_locked(v, r);
}

void fsd_post_close(wf_fsd_volume *v, UINT64 user_context, UINT64 user_context2)
{
    pthread_mutex_lock(&v->lock);
    fsd_post_close_locked(v, user_context, user_context2);
    pthread_mutex_unlock(&v->lock);
}

/* ---- the provider ---- */

/* Watch, without the lock, for a queue event after the one numbered seen. */
static void spin_for_request(wf_fsd_volume *v, UINT32 seen)
{
    UINT64 start = fsd_now();

    do {
        if (__atomic_load_n(&v->queue_events, __ATOMIC_ACQUIRE) != seen)
            return;
    } while (spin_again(v, start));
}

static NTSTATUS prov_next_request(void *context, FSP_FSCTL_TRANSACT_REQ *req, size_t cap,
    int64_t timeout_ns)
{
    wf_fsd_volume *v = context;
    UINT64 gen, deadline;
    NTSTATUS status = STATUS_TIMEOUT;
    bool spun = false;

    pthread_mutex_lock(&v->lock);
    gen = v->wake_gen;
    deadline = timeout_ns < 0 ? UINT64_MAX : fsd_expiry((UINT64)timeout_ns);
    for (;;) {
        fsd_req *r = v->queue_head;
        bool woken;

        if (r && r->req->Size <= cap) {
            v->queue_head = r->next;
            if (!v->queue_head)
                v->queue_tail = NULL;
            r->next = NULL;
            req_set_state(r, FSD_REQ_TAKEN);
            /* Service times only steer spinning: no clock reads when it is off. */
            if (v->spin_ns)
                r->taken_ns = fsd_now();
            inflight_insert(v, r);
            memcpy(req, r->req, r->req->Size);
            status = STATUS_SUCCESS;
            /* The enqueuer may have left the rest to a spinner that took only this one. */
            if (v->queue_head && v->queue_sleepers)
                pthread_cond_signal(&v->queue_cond);
            break;
        }
        if (v->state == FSD_VOL_GONE) {
            status = STATUS_VOLUME_DISMOUNTED;
            break;
        }
        if (v->wake_gen != gen || timeout_ns == 0)
            break;
        if (!spun && v->spin_ns && !__atomic_load_n(&v->idle_spinners, __ATOMIC_SEQ_CST) &&
            spin_enter(v)) {
            UINT32 seen = v->queue_events;

            spun = true;
            __atomic_add_fetch(&v->idle_spinners, 1, __ATOMIC_SEQ_CST);
            pthread_mutex_unlock(&v->lock);
            spin_for_request(v, seen);
            /* Before the lock: an enqueuer that still counts us will be seen by the look below. */
            __atomic_sub_fetch(&v->idle_spinners, 1, __ATOMIC_SEQ_CST);
            spin_leave(v);
            pthread_mutex_lock(&v->lock);
            continue;
        }
        v->queue_sleepers++;
        woken = wait_until(&v->queue_cond, &v->lock, deadline);
        v->queue_sleepers--;
        if (!woken)
            break;
    }
    pthread_mutex_unlock(&v->lock);
    return status;
}

/* A response for a request whose caller left: finish what the caller cannot. */
static void complete_abandoned_locked(wf_fsd_volume *v, fsd_req *r,
    const FSP_FSCTL_TRANSACT_RSP *rsp)
{
    if (!NT_SUCCESS((NTSTATUS)rsp->IoStatus.Status) ||
        (NTSTATUS)rsp->IoStatus.Status == STATUS_REPARSE)
        return;
    /* An open nobody will use still ends with a Close, as WinFsp posts one. */
    if (r->req->Kind == FspFsctlTransactCreateKind)
        fsd_post_close_locked(v, rsp->Rsp.Create.Opened.UserContext,
            rsp->Rsp.Create.Opened.UserContext2);
    else if (r->req->Kind == FspFsctlTransactOverwriteKind)
        fsd_post_close_locked(v, r->req->Req.Overwrite.UserContext,
            r->req->Req.Overwrite.UserContext2);
}

static void prov_complete(void *context, const FSP_FSCTL_TRANSACT_RSP *rsp)
{
    wf_fsd_volume *v = context;
    fsd_req *r;
    bool sleeping;

    if (!rsp || rsp->Size < sizeof *rsp || rsp->Size > FSP_FSCTL_TRANSACT_RSP_SIZEMAX)
        return;
    pthread_mutex_lock(&v->lock);
    r = inflight_remove(v, rsp->Hint);
    if (!r) {
        pthread_mutex_unlock(&v->lock);
        return;
    }
    outstanding_done_locked(v);
    if (v->spin_ns)
        service_note(v, r);
    if (!r->waited) {
        if (r->abandoned)
            complete_abandoned_locked(v, r, rsp);
        discard_locked(v, r);
        pthread_mutex_unlock(&v->lock);
        return;
    }
    token_free_locked(v, r->token);
    r->token = 0;
    sleeping = r->sleeping;
    memcpy(r->rsp, rsp, rsp->Size);
    /*
     * A caller that spins sees the state change by itself, and may take a
     * response and free r before we unlock: r is not touched after this
     * unless its caller sleeps, and a sleeper needs the lock to go on.
     */
    req_set_state(r, FSD_REQ_DONE);
    if (sleeping)
        pthread_cond_signal(&r->cond);
    pthread_mutex_unlock(&v->lock);
}

static void prov_wake(void *context)
{
    wf_fsd_volume *v = context;

    pthread_mutex_lock(&v->lock);
    v->wake_gen++;
    queue_event_locked(v);
    pthread_cond_broadcast(&v->queue_cond);
    pthread_mutex_unlock(&v->lock);
}

static NTSTATUS prov_credentials(void *context, UINT64 access_token, UINT32 *uid, UINT32 *gid,
    UINT32 *pid)
{
    wf_fsd_volume *v = context;
    UINT32 token = (UINT32)FSP_FSCTL_TRANSACT_REQ_TOKEN_HANDLE(access_token);
    NTSTATUS status = STATUS_INVALID_HANDLE;

    pthread_mutex_lock(&v->lock);
    if (token && token <= v->token_count && v->tokens[token - 1].used) {
        *uid = v->tokens[token - 1].uid;
        *gid = v->tokens[token - 1].gid;
        *pid = v->tokens[token - 1].pid;
        status = STATUS_SUCCESS;
    }
    pthread_mutex_unlock(&v->lock);
    return status;
}

/* ---- public calls: entering the volume ---- */

NTSTATUS fsd_enter(wf_fsd_volume *v)
{
    NTSTATUS status = STATUS_SUCCESS;

    if (!v)
        return STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&v->lock);
    if (v->state == FSD_VOL_NEW)
        status = STATUS_DEVICE_NOT_READY;
    else if (v->state != FSD_VOL_MOUNTED)
        status = STATUS_VOLUME_DISMOUNTED;
    else if (v->stopped)
        status = STATUS_CANCELLED;
    else
        v->active_calls++;
    pthread_mutex_unlock(&v->lock);
    return status;
}

void fsd_leave(wf_fsd_volume *v)
{
    pthread_mutex_lock(&v->lock);
    if (--v->active_calls == 0)
        pthread_cond_broadcast(&v->state_cond);
    pthread_mutex_unlock(&v->lock);
}

NTSTATUS fsd_iosb(nt_io_status *iosb, NTSTATUS status, UINT64 information)
{
    if (iosb) {
        iosb->Status = status;
        iosb->Information = information;
    }
    return status;
}

/* ---- the volume ---- */

NTSTATUS wf_fsd_volume_new(wf_fsd_volume **volume)
{
    wf_fsd_volume *v;

    if (!volume)
        return STATUS_INVALID_PARAMETER;
    *volume = NULL;
    v = calloc(1, sizeof *v);
    if (!v)
        return STATUS_INSUFFICIENT_RESOURCES;
    v->node_mask = 255;
    v->nodes = calloc(v->node_mask + 1, sizeof *v->nodes);
    if (!v->nodes) {
        free(v);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    {
        pthread_mutexattr_t attr;
        pthread_mutexattr_init(&attr);
        /*
         * Spinners come back for the lock the moment they see what they
         * waited for, usually while its holder finishes a short critical
         * section: a brief spin on the lock beats a futex sleep.
         */
        pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
        pthread_mutex_init(&v->lock, &attr);
        pthread_mutexattr_destroy(&attr);
    }
    cond_init(&v->queue_cond);
    cond_init(&v->state_cond);
    pthread_rwlock_init(&v->rename_lock, NULL);
    v->provider.context = v;
    v->provider.next_request = prov_next_request;
    v->provider.complete = prov_complete;
    v->provider.wake = prov_wake;
    v->provider.credentials = prov_credentials;
    v->state = FSD_VOL_NEW;
    spin_init(v);
    *volume = v;
    return STATUS_SUCCESS;
}

const wf_provider *wf_fsd_volume_provider(wf_fsd_volume *volume)
{
    return volume ? &volume->provider : NULL;
}

NTSTATUS wf_fsd_volume_mount(wf_fsd_volume *volume, const FSP_FSCTL_VOLUME_PARAMS *params)
{
    wf_fsd_volume *v = volume;
    FSP_FSCTL_VOLUME_PARAMS p;
    bool v1;

    if (!v || !params)
        return STATUS_INVALID_PARAMETER;
    if (params->Version != 0 && params->Version != sizeof *params)
        return STATUS_INVALID_PARAMETER;
    memset(&p, 0, sizeof p);
    memcpy(&p, params, params->Version == 0 ? sizeof(FSP_FSCTL_VOLUME_PARAMS_V0) : sizeof p);
    v1 = params->Version == sizeof *params;
    /* As volume.c of WinFsp: sane defaults where the numbers are out of range. */
    if (p.SectorSize < 512 || p.SectorSize > 4096 || (p.SectorSize & (p.SectorSize - 1)))
        p.SectorSize = 4096;
    if (p.SectorsPerAllocationUnit == 0)
        p.SectorsPerAllocationUnit = 1;
    if (p.MaxComponentLength == 0 || p.MaxComponentLength > 255)
        p.MaxComponentLength = 255;
    if ((p.IrpTimeout < FspFsctlIrpTimeoutMinimum || p.IrpTimeout > FspFsctlIrpTimeoutMaximum) &&
        p.IrpTimeout != FspFsctlIrpTimeoutDebug)
        p.IrpTimeout = FspFsctlIrpTimeoutDefault;
    if (!v1 || !p.VolumeInfoTimeoutValid)
        p.VolumeInfoTimeout = p.FileInfoTimeout;
    if (!v1 || !p.DirInfoTimeoutValid)
        p.DirInfoTimeout = p.FileInfoTimeout;
    if (!v1 || !p.SecurityTimeoutValid)
        p.SecurityTimeout = p.FileInfoTimeout;
    if (!v1 || !p.StreamInfoTimeoutValid)
        p.StreamInfoTimeout = p.FileInfoTimeout;
    if (!v1 || !p.EaTimeoutValid)
        p.EaTimeout = p.FileInfoTimeout;

    pthread_mutex_lock(&v->lock);
    if (v->state != FSD_VOL_NEW) {
        pthread_mutex_unlock(&v->lock);
        return STATUS_INVALID_DEVICE_STATE;
    }
    v->params = p;
    v->irp_timeout_ns = (UINT64)p.IrpTimeout * 1000000u;
    v->file_info_timeout_ns = ms_to_ns(p.FileInfoTimeout);
    v->volume_info_timeout_ns = ms_to_ns(p.VolumeInfoTimeout);
    v->security_timeout_ns = ms_to_ns(p.SecurityTimeout);
    v->state = FSD_VOL_MOUNTED;
    pthread_mutex_unlock(&v->lock);
    return STATUS_SUCCESS;
}

/* Cancel every queued request: posted ones go, waited ones wake and see it. */
static void cancel_queue_locked(wf_fsd_volume *v)
{
    fsd_req *r;

    while ((r = v->queue_head) != NULL) {
        v->queue_head = r->next;
        r->next = NULL;
        outstanding_done_locked(v);
        if (r->waited) {
            req_set_state(r, FSD_REQ_CANCELLED);
            r->was_queued = true;
            pthread_cond_signal(&r->cond);
        } else {
            discard_locked(v, r);
        }
    }
    v->queue_tail = NULL;
}

void wf_fsd_volume_stop(wf_fsd_volume *volume)
{
    wf_fsd_volume *v = volume;

    if (!v)
        return;
    pthread_mutex_lock(&v->lock);
    v->stopped = true;
    cancel_queue_locked(v);
    /* Waiters on taken requests and on byte-range locks look again. */
    for (UINT32 b = 0; b < FSD_INFLIGHT_BUCKETS; b++)
        for (fsd_req *r = v->inflight[b]; r; r = r->hash_next)
            if (r->waited)
                pthread_cond_signal(&r->cond);
    pthread_cond_broadcast(&v->state_cond);
    queue_event_locked(v);
    pthread_cond_broadcast(&v->queue_cond);
    pthread_mutex_unlock(&v->lock);
}

void wf_fsd_volume_unmount(wf_fsd_volume *volume)
{
    wf_fsd_volume *v = volume;
    UINT64 deadline;

    if (!v)
        return;
    pthread_mutex_lock(&v->lock);
    if (v->state != FSD_VOL_MOUNTED) {
        if (v->state == FSD_VOL_NEW)
            v->state = FSD_VOL_GONE;
        queue_event_locked(v);
        pthread_cond_broadcast(&v->queue_cond);
        pthread_mutex_unlock(&v->lock);
        return;
    }
    v->state = FSD_VOL_UNMOUNTING;
    /* Lock waiters give up; calls waiting for the file system finish. */
    pthread_cond_broadcast(&v->state_cond);
    while (v->active_calls)
        pthread_cond_wait(&v->state_cond, &v->lock);
    pthread_mutex_unlock(&v->lock);

    fsd_close_all(v);

    /* The file system sees every posted Close before the volume goes. */
    pthread_mutex_lock(&v->lock);
    deadline = fsd_expiry(v->irp_timeout_ns);
    while (v->outstanding && !v->stopped)
        if (!wait_until(&v->state_cond, &v->lock, deadline))
            break;
    cancel_queue_locked(v);
    v->state = FSD_VOL_GONE;
    queue_event_locked(v);
    pthread_cond_broadcast(&v->queue_cond);
    pthread_mutex_unlock(&v->lock);
}

void wf_fsd_volume_delete(wf_fsd_volume *volume)
{
    wf_fsd_volume *v = volume;

    if (!v)
        return;
    /* Whatever is left is only memory now: nobody will answer or wait. */
    while (v->queue_head) {
        fsd_req *r = v->queue_head;
        v->queue_head = r->next;
        if (!r->waited)
            req_destroy(r);
    }
    for (UINT32 b = 0; b < FSD_INFLIGHT_BUCKETS; b++) {
        while (v->inflight[b]) {
            fsd_req *r = v->inflight[b];
            v->inflight[b] = r->hash_next;
            if (!r->waited)
                req_destroy(r);
        }
    }
    for (UINT32 i = 0; i < v->slot_count; i++) {
        fsd_fobj *f = v->slots[i].fobj;
        if (f) {
            if (f->node)
                f->node->refs--;
            fsd_fobj_free(f);
        }
    }
    for (UINT32 b = 0; b <= v->node_mask; b++) {
        while (v->nodes[b]) {
            fsd_node *n = v->nodes[b];
            v->nodes[b] = n->hash_next;
            n->in_table = false;
            while (n->locks) {
                fsd_lock *l = n->locks;
                n->locks = l->next;
                free(l);
            }
            free(n->security);
            free(n->name);
            free(n);
        }
    }
    free(v->nodes);
    free(v->slots);
    free(v->free_slots);
    free(v->tokens);
    pthread_rwlock_destroy(&v->rename_lock);
    pthread_cond_destroy(&v->state_cond);
    pthread_cond_destroy(&v->queue_cond);
    pthread_mutex_destroy(&v->lock);
    free(v);
}
