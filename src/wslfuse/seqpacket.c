/*
 * seqpacket.c - the /dev/fuse protocol over a SOCK_SEQPACKET socket.
 *
 * Sending and receiving are apart, because a multi-threaded file system
 * answers in any order and a thread waiting for work must never be the one
 * a reply waits for. Sender threads ask the engine for the next FUSE
 * request (wf_transact without a reply) and send it. One receiver thread
 * takes every reply and hands it to the engine without an output buffer:
 * so it never waits in the provider for new WinFsp work while further
 * replies queue behind it. A reply that lets a request continue puts its
 * next step on the engine's ready queue, and the engine wakes a sender
 * (provider.wake) to carry it out.
 *
 * The end of the file system is the end of the socket: a receive of 0
 * bytes, or a reset, or a send the peer can no longer take. The engine is
 * then stopped, so every pending WinFsp request completes at once instead
 * of waiting for replies that cannot come.
 */
#include "wslfuse/seqpacket.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "winfuse/fuse_proto.h"
#include "os/os.h"

#define WF_SP_PAGE 4096u
#define WF_SP_PAGES_MAX 256u      /* the engine's and libfuse's largest max_pages */
#define WF_SP_PAGES_DEFAULT 32u   /* what the engine assumes without FUSE_MAX_PAGES */
#define WF_SP_THREADS_MAX 64u
/* An AF_UNIX datagram may be as large as the sender's buffer less this. */
#define WF_SP_SKB_OVERHEAD 32u
/* How long stop lets senders deliver what they already took from the engine. */
#define WF_SP_DRAIN_NS (5ll * 1000000000ll)

typedef struct wf_sp_thread {
    struct wf_seqpacket *sp;
    pthread_t tid;
    bool started;
    UINT8 *buf;
    size_t cap;
} wf_sp_thread;

struct wf_seqpacket {
    wf_engine *engine;
    int fd;
    size_t msg_max;             /* the largest message our end can send */
    unsigned nthreads;          /* threads[0] receives, the rest send */
    wf_sp_thread *threads;
    pthread_mutex_t lock;
    pthread_cond_t cond;        /* a sender has ended */
    unsigned senders_live;
    atomic_uint_fast64_t init_unique; /* the INIT request's unique; 0 before */
    atomic_bool cut;
    wf_seqpacket_gone_fn gone;
    void *gone_context;
    atomic_bool stopping;       /* wf_seqpacket_stop (or a failed start) ends it */
    atomic_bool gone_told;
};

/* ---- helpers ---- */

static void sp_cut(struct wf_seqpacket *sp)
{
    /* Wakes every thread blocked on the socket; the peer reads end of file. */
    if (!atomic_exchange(&sp->cut, true))
        shutdown(sp->fd, SHUT_RDWR);
}

static void sp_tell_gone(struct wf_seqpacket *sp)
{
    if (sp->gone && !atomic_load(&sp->stopping) && !atomic_exchange(&sp->gone_told, true))
        sp->gone(sp->gone_context);
}

static void sp_peer_gone(struct wf_seqpacket *sp)
{
    wf_engine_stats stats;

    /* After DESTROY was answered the volume had ended already: nothing to tell. */
    wf_engine_get_stats(sp->engine, &stats);
    wf_engine_stop(sp->engine);
    sp_cut(sp);
    if (!stats.stopped)
        sp_tell_gone(sp);
}

/*
 * The engine stopped, and not because we or the file system ended it:
 * either the volume ended (DESTROY answered: nothing to do, the file
 * system ends when we stop), or the file system failed the handshake. A
 * volume without INIT can do nothing; so, as after its death, its device
 * ends and the provider hears that it is gone.
 */
static void sp_engine_ended(struct wf_seqpacket *sp)
{
    wf_engine_stats stats;

    if (atomic_load(&sp->stopping) || atomic_load(&sp->cut))
        return;
    wf_engine_get_stats(sp->engine, &stats);
    /* INIT answered (a reply taken) yet no protocol agreed: the handshake failed. */
    if (!stats.stopped || stats.proto_minor != 0 || stats.fuse_replies == 0)
        return;
    wf_os_log(WF_LOG_ERROR, "seqpacket: the file system failed the FUSE handshake; "
                            "its channel is closed");
    sp_cut(sp);
    sp_tell_gone(sp);
}

static bool opcode_has_reply(UINT32 opcode)
{
    return opcode != FUSE_FORGET && opcode != FUSE_BATCH_FORGET && opcode != FUSE_INTERRUPT;
}

/* Fail the request with this unique as if the file system had answered err. */
static void sp_fail_request(struct wf_seqpacket *sp, UINT64 unique, int err)
{
    struct fuse_out_header out;
    size_t len;

    memset(&out, 0, sizeof out);
    out.len = sizeof out;
    out.error = -err;
    out.unique = unique;
    (void)wf_transact(sp->engine, &out, sizeof out, NULL, 0, &len);
}

static void sp_pause(void)
{
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
}

/*
 * Make the INIT reply promise no more than a message can carry: WRITE
 * requests of max_write bytes go out through our end, READ and READDIR
 * replies of max_pages pages come back through the peer's, which is taken
 * to be sized like ours (wf_seqpacket_socketpair makes them so). The file system never learns of
 * the change; it only ever receives smaller requests than it allowed.
 */
static void sp_clamp_init(struct wf_seqpacket *sp, UINT8 *body, size_t len)
{
    struct fuse_init_out out;
    size_t copy = len < sizeof out ? len : sizeof out;
    size_t write_room = sp->msg_max - sizeof(struct fuse_in_header) - sizeof(struct fuse_write_in);
    size_t pages_room = (sp->msg_max - sizeof(struct fuse_out_header)) / WF_SP_PAGE;
    UINT32 write_max = (UINT32)(write_room & ~(size_t)(WF_SP_PAGE - 1));
    UINT32 pages_max = pages_room < WF_SP_PAGES_MAX ? (UINT32)pages_room : WF_SP_PAGES_MAX;

    if (len < offsetof(struct fuse_init_out, time_gran))
        return; /* the engine refuses so short an INIT itself */
    memset(&out, 0, sizeof out);
    memcpy(&out, body, copy);
    if (out.max_write > write_max)
        out.max_write = write_max;
    if (len >= offsetof(struct fuse_init_out, map_alignment)) {
        UINT32 pages = (out.flags & FUSE_MAX_PAGES) && out.max_pages ? out.max_pages
                                                                     : WF_SP_PAGES_DEFAULT;
        if (pages > pages_max) {
            out.flags |= FUSE_MAX_PAGES;
            out.max_pages = (UINT16)pages_max;
        }
    }
    memcpy(body, &out, copy);
}

/* ---- threads ---- */

static void *sp_receiver(void *arg)
{
    wf_sp_thread *t = arg;
    struct wf_seqpacket *sp = t->sp;

    for (;;) {
        struct fuse_out_header hdr;
        ssize_t n = recv(sp->fd, t->buf, t->cap, MSG_TRUNC);
        size_t len;
        NTSTATUS status;

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            /* End of file (an empty message is no reply either) or a reset. */
            if (n < 0 && errno != ECONNRESET && errno != EPIPE && errno != ENOTCONN)
                wf_os_log(WF_LOG_WARNING, "seqpacket: receive failed (errno %d)", errno);
            sp_peer_gone(sp);
            break;
        }
        if ((size_t)n < sizeof hdr) {
            wf_os_log(WF_LOG_WARNING, "seqpacket: a %zd-byte reply is dropped", n);
            continue;
        }
        memcpy(&hdr, t->buf, sizeof hdr);
        if ((size_t)n > t->cap) {
            /* Longer than any reply may be: its request fails rather than wait for ever. */
            wf_os_log(WF_LOG_WARNING, "seqpacket: a %zd-byte reply is too long", n);
            if (hdr.unique != 0)
                sp_fail_request(sp, hdr.unique, EIO);
            continue;
        }
        if (hdr.unique != 0 && hdr.unique == atomic_load(&sp->init_unique) && hdr.error == 0 &&
            hdr.len == (size_t)n)
            sp_clamp_init(sp, t->buf + sizeof hdr, (size_t)n - sizeof hdr);
        status = wf_transact(sp->engine, t->buf, (size_t)n, NULL, 0, &len);
        if (status == STATUS_INVALID_PARAMETER)
            wf_os_log(WF_LOG_DEBUG, "seqpacket: reply to unique %llu dropped by the engine",
                (unsigned long long)hdr.unique);
        /* STATUS_CANCELLED: the engine is stopped; keep reading until the peer goes. */
    }
    return NULL;
}

static bool sp_grow(wf_sp_thread *t, size_t need)
{
    UINT8 *buf = realloc(t->buf, need);
    if (!buf)
        return false;
    t->buf = buf;
    t->cap = need;
    return true;
}

static void *sp_sender(void *arg)
{
    wf_sp_thread *t = arg;
    struct wf_seqpacket *sp = t->sp;

    for (;;) {
        struct fuse_in_header hdr;
        size_t len = 0;
        ssize_t sent;
        NTSTATUS status = wf_transact(sp->engine, NULL, 0, t->buf, t->cap, &len);

        if (status == STATUS_CANCELLED) {
            sp_engine_ended(sp);
            break;
        }
        if (status == STATUS_BUFFER_TOO_SMALL) {
            if (!sp_grow(t, wf_engine_request_size_min(sp->engine))) {
                wf_os_log(WF_LOG_ERROR, "seqpacket: out of memory for a request buffer");
                sp_peer_gone(sp);
                break;
            }
            continue;
        }
        if (!NT_SUCCESS(status) && len == 0) {
            /* Out of resources for the moment: do not spin. */
            sp_pause();
            continue;
        }
        if (len == 0)
            continue;
        memcpy(&hdr, t->buf, sizeof hdr);
        /* Known before it is sent, so before its reply can arrive. */
        if (hdr.opcode == FUSE_INIT)
            atomic_store(&sp->init_unique, hdr.unique);
        do
            sent = send(sp->fd, t->buf, len, MSG_NOSIGNAL);
        while (sent < 0 && errno == EINTR);
        if (sent == (ssize_t)len)
            continue;
        if (sent < 0 && (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN ||
                errno == EBADF)) {
            sp_peer_gone(sp);
            continue; /* the engine answers STATUS_CANCELLED now */
        }
        /* The socket refused this one message: its request fails, the rest go on. */
        wf_os_log(WF_LOG_WARNING, "seqpacket: cannot send a %zu-byte request (errno %d)", len,
            sent < 0 ? errno : 0);
        if (opcode_has_reply(hdr.opcode))
            sp_fail_request(sp, hdr.unique, EIO);
    }
    pthread_mutex_lock(&sp->lock);
    sp->senders_live--;
    pthread_cond_broadcast(&sp->cond);
    pthread_mutex_unlock(&sp->lock);
    return NULL;
}

/* ---- the socket ---- */

static void sp_raise_sndbuf(int fd)
{
    /* The kernel doubles the value asked for; twice the message is plenty. */
    int want = (int)WF_SEQPACKET_MSG_MAX;

    /* Beyond net.core.wmem_max only with CAP_NET_ADMIN; then settle for the cap. */
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof want) != 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof want);
}

static size_t sp_msg_max(int fd)
{
    int sndbuf = 0;
    socklen_t len = sizeof sndbuf;

    if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len) != 0 ||
        sndbuf <= (int)WF_SP_SKB_OVERHEAD)
        return 0;
    if ((size_t)sndbuf - WF_SP_SKB_OVERHEAD > WF_SEQPACKET_MSG_MAX)
        return WF_SEQPACKET_MSG_MAX;
    return (size_t)sndbuf - WF_SP_SKB_OVERHEAD;
}

int wf_seqpacket_socketpair(int fds[2])
{
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0)
        return -errno;
    sp_raise_sndbuf(fds[0]);
    sp_raise_sndbuf(fds[1]);
    return 0;
}

/* ---- start and stop ---- */

static void sp_free(struct wf_seqpacket *sp)
{
    for (unsigned i = 0; i < sp->nthreads; i++)
        free(sp->threads[i].buf);
    free(sp->threads);
    pthread_cond_destroy(&sp->cond);
    pthread_mutex_destroy(&sp->lock);
    if (sp->fd >= 0)
        close(sp->fd);
    free(sp);
}

static void sp_join(struct wf_seqpacket *sp)
{
    for (unsigned i = 0; i < sp->nthreads; i++) {
        if (sp->threads[i].started)
            pthread_join(sp->threads[i].tid, NULL);
        sp->threads[i].started = false;
    }
}

NTSTATUS wf_seqpacket_start(wf_engine *engine, int fd, unsigned threads, wf_seqpacket **out)
{
    return wf_seqpacket_start_ex(engine, fd, threads, NULL, NULL, out);
}

NTSTATUS wf_seqpacket_start_ex(wf_engine *engine, int fd, unsigned threads,
    wf_seqpacket_gone_fn gone, void *context, wf_seqpacket **out)
{
    struct wf_seqpacket *sp;
    pthread_condattr_t attr;
    int type = 0;
    socklen_t type_len = sizeof type;

    if (out)
        *out = NULL;
    if (!engine || !out || fd < 0 ||
        getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_len) != 0 || type != SOCK_SEQPACKET) {
        if (fd >= 0)
            close(fd);
        return STATUS_INVALID_PARAMETER;
    }
    if (threads == 0)
        threads = 1;
    if (threads > WF_SP_THREADS_MAX)
        threads = WF_SP_THREADS_MAX;

    sp = calloc(1, sizeof *sp);
    if (!sp) {
        close(fd);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    sp->engine = engine;
    sp->fd = fd;
    atomic_init(&sp->init_unique, 0);
    atomic_init(&sp->cut, false);
    atomic_init(&sp->stopping, false);
    atomic_init(&sp->gone_told, false);
    sp->gone = gone;
    sp->gone_context = context;
    pthread_mutex_init(&sp->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&sp->cond, &attr);
    pthread_condattr_destroy(&attr);

    /*
     * Not raised here: the peer's end must carry the same replies, and only
     * whoever made the pair can size both (wf_seqpacket_socketpair does).
     */
    sp->msg_max = sp_msg_max(fd);
    /* Below one page of data plus headers no READ or WRITE could ever pass. */
    if (sp->msg_max < FUSE_MIN_READ_BUFFER) {
        wf_os_log(WF_LOG_ERROR, "seqpacket: the socket cannot carry FUSE messages (%zu bytes)",
            sp->msg_max);
        sp_free(sp);
        return STATUS_INVALID_PARAMETER;
    }

    sp->threads = calloc(threads + 1, sizeof *sp->threads);
    if (!sp->threads) {
        sp_free(sp);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    sp->nthreads = threads + 1;
    for (unsigned i = 0; i < sp->nthreads; i++) {
        /* 1 MiB + 64 KiB covers the engine's largest request (and reply) for good. */
        size_t cap = WF_SEQPACKET_MSG_MAX;
        if (cap < wf_engine_request_size_min(engine))
            cap = wf_engine_request_size_min(engine);
        sp->threads[i].sp = sp;
        sp->threads[i].cap = cap;
        sp->threads[i].buf = malloc(cap);
        if (!sp->threads[i].buf) {
            sp_free(sp);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
    }

    for (unsigned i = 0; i < sp->nthreads; i++) {
        wf_sp_thread *t = &sp->threads[i];
        if (i > 0) {
            pthread_mutex_lock(&sp->lock);
            sp->senders_live++;
            pthread_mutex_unlock(&sp->lock);
        }
        if (pthread_create(&t->tid, NULL, i == 0 ? sp_receiver : sp_sender, t) != 0) {
            if (i > 0) {
                pthread_mutex_lock(&sp->lock);
                sp->senders_live--;
                pthread_mutex_unlock(&sp->lock);
            }
            atomic_store(&sp->stopping, true);
            sp_peer_gone(sp);
            sp_join(sp);
            sp_free(sp);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        t->started = true;
    }
    *out = sp;
    return STATUS_SUCCESS;
}

void wf_seqpacket_stop(wf_seqpacket *sp)
{
    struct timespec deadline;

    if (!sp)
        return;
    atomic_store(&sp->stopping, true);
    /* Senders leave once the engine is stopped, after sending what they hold. */
    wf_engine_stop(sp->engine);
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += WF_SP_DRAIN_NS / 1000000000ll;
    pthread_mutex_lock(&sp->lock);
    while (sp->senders_live > 0) {
        /* A peer that stopped reading would hold a sender in send() for ever. */
        if (pthread_cond_timedwait(&sp->cond, &sp->lock, &deadline) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&sp->lock);
    sp_cut(sp);
    sp_join(sp);
    sp_free(sp);
}
