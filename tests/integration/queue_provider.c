/*
 * queue_provider.c - the WinFsp side of the integration tests. See
 * queue_provider.h.
 */
#include "wf_test.h"
#include "queue_provider.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "winfuse/ntstatus.h"

static void deadline_in(struct timespec *ts, int64_t ns)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += (time_t)(ns / 1000000000);
    ts->tv_nsec += (long)(ns % 1000000000);
    if (ts->tv_nsec >= 1000000000) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000;
    }
}

void tq_init(tq_queue *q)
{
    pthread_condattr_t attr;

    memset(q, 0, sizeof *q);
    pthread_mutex_init(&q->lock, NULL);
    /* Deadlines are on the monotonic clock (deadline_in), so the waits must be too. */
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&q->work, &attr);
    pthread_cond_init(&q->done, &attr);
    pthread_condattr_destroy(&attr);
}

void tq_destroy(tq_queue *q)
{
    while (q->all) {
        tq_slot *s = q->all;
        q->all = s->all_next;
        free(s->req);
        free(s->rsp);
        free(s);
    }
    pthread_cond_destroy(&q->work);
    pthread_cond_destroy(&q->done);
    pthread_mutex_destroy(&q->lock);
}

static NTSTATUS q_next(void *context, FSP_FSCTL_TRANSACT_REQ *req, size_t cap,
    int64_t timeout_ns)
{
    tq_queue *q = context;
    struct timespec deadline;
    NTSTATUS status = STATUS_TIMEOUT;

    if (timeout_ns >= 0)
        deadline_in(&deadline, timeout_ns);
    pthread_mutex_lock(&q->lock);
    for (;;) {
        if (q->gone || q->dead) {
            status = STATUS_DEVICE_NOT_READY;
            break;
        }
        if (q->head) {
            tq_slot *s = q->head;
            q->head = s->next;
            if (!q->head)
                q->tail = NULL;
            if (s->req->Size <= cap) {
                memcpy(req, s->req, s->req->Size);
                status = STATUS_SUCCESS;
                break;
            }
            q->stray++;
            continue;
        }
        /* A wake with nobody waiting is kept for the next caller: it may be on its way. */
        if (q->woken) {
            q->woken = false;
            break;
        }
        if (timeout_ns < 0)
            pthread_cond_wait(&q->work, &q->lock);
        else if (pthread_cond_timedwait(&q->work, &q->lock, &deadline) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&q->lock);
    return status;
}

static void q_complete(void *context, const FSP_FSCTL_TRANSACT_RSP *rsp)
{
    tq_queue *q = context;
    tq_slot *s;

    pthread_mutex_lock(&q->lock);
    for (s = q->all; s; s = s->all_next)
        if (!s->done && s->req->Hint == rsp->Hint)
            break;
    if (s && rsp->Size >= sizeof *rsp && rsp->Size <= FSP_FSCTL_TRANSACT_RSP_SIZEMAX) {
        memcpy(s->rsp, rsp, rsp->Size);
        s->done = true;
        pthread_cond_broadcast(&q->done);
    } else {
        q->stray++;
    }
    pthread_mutex_unlock(&q->lock);
}

static void q_wake(void *context)
{
    tq_queue *q = context;

    pthread_mutex_lock(&q->lock);
    q->woken = true;
    pthread_cond_broadcast(&q->work);
    pthread_mutex_unlock(&q->lock);
}

wf_provider tq_provider(tq_queue *q)
{
    wf_provider provider = {
        .context = q,
        .next_request = q_next,
        .complete = q_complete,
        .wake = q_wake,
        .credentials = NULL,
    };

    return provider;
}

/* As wf_fsd_volume_stop fails what a stopped volume holds: STATUS_CANCELLED at once. */
static void complete_cancelled(tq_queue *q, tq_slot *s)
{
    memset(s->rsp, 0, sizeof *s->rsp);
    s->rsp->Size = sizeof *s->rsp;
    s->rsp->Kind = s->req->Kind;
    s->rsp->Hint = s->req->Hint;
    s->rsp->IoStatus.Status = (UINT32)STATUS_CANCELLED;
    s->done = true;
    pthread_cond_broadcast(&q->done);
}

void tq_channel_gone(void *context)
{
    tq_queue *q = context;

    pthread_mutex_lock(&q->lock);
    q->dead = true;
    for (tq_slot *s = q->head; s; s = s->next)
        complete_cancelled(q, s);
    q->head = q->tail = NULL;
    pthread_cond_broadcast(&q->work);
    pthread_mutex_unlock(&q->lock);
}

bool tq_dead(tq_queue *q)
{
    bool dead;

    pthread_mutex_lock(&q->lock);
    dead = q->dead;
    pthread_mutex_unlock(&q->lock);
    return dead;
}

void tq_unmount(tq_queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->gone = true;
    pthread_cond_broadcast(&q->work);
    pthread_mutex_unlock(&q->lock);
}

tq_slot *tq_submit(tq_queue *q, FSP_FSCTL_TRANSACT_REQ *req)
{
    tq_slot *s = calloc(1, sizeof *s);

    assert_non_null(s);
    s->rsp = calloc(1, FSP_FSCTL_TRANSACT_RSP_SIZEMAX);
    assert_non_null(s->rsp);
    s->req = req;
    pthread_mutex_lock(&q->lock);
    req->Hint = ++q->next_hint;
    s->all_next = q->all;
    q->all = s;
    if (q->dead) {
        complete_cancelled(q, s);
    } else {
        if (q->tail)
            q->tail->next = s;
        else
            q->head = s;
        q->tail = s;
        pthread_cond_signal(&q->work);
    }
    pthread_mutex_unlock(&q->lock);
    return s;
}

bool tq_wait(tq_queue *q, tq_slot *s, int64_t deadline_ms, FSP_FSCTL_TRANSACT_RSP *rsp)
{
    struct timespec deadline;
    tq_slot **link;

    deadline_in(&deadline, deadline_ms * 1000000);
    pthread_mutex_lock(&q->lock);
    while (!s->done)
        if (pthread_cond_timedwait(&q->done, &q->lock, &deadline) == ETIMEDOUT)
            break;
    if (!s->done) {
        pthread_mutex_unlock(&q->lock);
        return false;
    }
    for (link = &q->all; *link != s; link = &(*link)->all_next)
        ;
    *link = s->all_next;
    pthread_mutex_unlock(&q->lock);
    if (rsp)
        memcpy(rsp, s->rsp, s->rsp->Size);
    free(s->req);
    free(s->rsp);
    free(s);
    return true;
}
