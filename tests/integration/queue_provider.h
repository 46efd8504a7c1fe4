/*
 * queue_provider.h - the WinFsp side of the integration tests: a
 * thread-safe queue of FSP_FSCTL requests the test fills (as the fsd
 * would) and the engine drains through a wf_provider, with the responses
 * matched back to their requests by Hint.
 *
 * Used by test_engine_peer.c and wslfuse_harness.c, which embed a
 * tq_queue in their fixtures.
 */
#ifndef WINFUSE_TESTS_QUEUE_PROVIDER_H
#define WINFUSE_TESTS_QUEUE_PROVIDER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "winfuse/engine.h"
#include "winfuse/fsctl.h"
#include "winfuse/ntdefs.h"

typedef struct tq_slot {
    struct tq_slot *next;     /* the queue of requests not yet taken */
    struct tq_slot *all_next; /* every outstanding request */
    FSP_FSCTL_TRANSACT_REQ *req;
    FSP_FSCTL_TRANSACT_RSP *rsp;
    bool done;
} tq_slot;

typedef struct tq_queue {
    pthread_mutex_t lock;
    pthread_cond_t work;      /* next_request waits here */
    pthread_cond_t done;      /* tq_wait waits here */
    tq_slot *head, *tail;
    tq_slot *all;
    bool woken;
    bool gone;                /* the volume was unmounted */
    bool dead;                /* the file system went away: as wf_fsd_volume_stop */
    UINT64 next_hint;
    unsigned stray;           /* completions nobody asked for */
} tq_queue;

void tq_init(tq_queue *q);
/* Frees whatever is still outstanding; callers that expect nothing assert q->all first. */
void tq_destroy(tq_queue *q);
/* A provider whose context is q (no credentials: the engine's defaults apply). */
wf_provider tq_provider(tq_queue *q);

/* Queue a request (taking ownership of it) under a fresh Hint. */
tq_slot *tq_submit(tq_queue *q, FSP_FSCTL_TRANSACT_REQ *req);
/*
 * Wait for a submitted request up to deadline_ms; false (and the slot
 * still pending) when it did not complete in time. On completion the slot
 * is freed and its response copied to rsp (FSP_FSCTL_TRANSACT_RSP_SIZEMAX
 * bytes) when given.
 */
bool tq_wait(tq_queue *q, tq_slot *s, int64_t deadline_ms, FSP_FSCTL_TRANSACT_RSP *rsp);

/* The volume goes away as the fsd would unmount it: next_request fails from now on. */
void tq_unmount(tq_queue *q);
/*
 * The channel ended by itself (a wf_launch_options.gone callback, context
 * the queue): what is queued, and all that comes, fails at once.
 */
void tq_channel_gone(void *context);
bool tq_dead(tq_queue *q);

#endif
