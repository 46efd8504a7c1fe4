/*
 * loop_mt.c - fuse_session_loop_mt(): a pool of worker threads serving
 * one session, with libfuse 3.14's policy: start with one worker; when
 * every worker is busy and there are fewer than max_threads, start one
 * more (FORGETs don't count as busy: a burst of them must not spawn
 * threads); with max_idle_threads set (not -1), a worker that finds more
 * idle workers than that goes away. With clone_fd each worker gets its
 * own channel to the connection where the channel can clone itself.
 *
 * Stopping: the calling thread sleeps on a semaphore that workers post
 * when they see the session end, and that a signal interrupts. Then the
 * workers that block in a stream read are interrupted with a signal whose
 * handler does nothing and is installed without SA_RESTART, so read(2)
 * returns EINTR and the worker sees the end; the signal is repeated until
 * each worker is gone, since one may arrive just before its read. (libfuse
 * cancels the threads instead; cancellation unwinds through the worker's
 * stack, which AddressSanitizer cannot follow.) Workers of a transact
 * channel are simply waited for: they come back at the channel's timeout.
 *
 * fuse_session_loop_mt exists in three versions (FUSE_3.0: int clone_fd;
 * FUSE_3.2: the public v1 config; FUSE_3.12: the opaque config). They are
 * defined here under their suffixed names; compat.c binds them to the
 * plain name's symbol versions.
 */
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <semaphore.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "winfuse/fuse_proto.h"

#define LOOP_MT_V2_ID (INT_MAX - 2)
#define LOOP_MT_DEF_MAX_THREADS 10
#define LOOP_MT_DEF_IDLE_THREADS (-1) /* idle workers are never destroyed */
#define LOOP_MT_MAX_THREADS (100U * 1000)

/*
 * The 3.12 configuration. version_id sits where the v1 structure has
 * clone_fd (0 or 1), so a v1 structure passed by mistake is recognised.
 */
struct fuse_loop_config {
    int version_id;
    int clone_fd;
    int max_idle_threads;
    unsigned int max_threads;
};

struct mt_worker {
    struct mt_worker *prev, *next;
    pthread_t thread;
    struct fuse_buf fbuf;
    struct fuse_chan *ch; /* own clone, or NULL: the session's channel */
    struct mt_pool *mt;
};

struct mt_pool {
    pthread_mutex_t lock;
    struct fuse_session *se;
    struct mt_worker main; /* list head */
    int numworker;
    int numavail;
    sem_t finish;
    int exit;
    int error;
    int clone_fd;
    int max_idle;
    int max_threads;
    bool interrupt; /* the channel blocks in read(2): wake workers with a signal */
};

static int mt_start_worker(struct mt_pool *mt);

static void list_add_worker(struct mt_worker *w, struct mt_worker *head)
{
    w->next = head;
    w->prev = head->prev;
    head->prev->next = w;
    head->prev = w;
}

static void list_del_worker(struct mt_worker *w)
{
    w->prev->next = w->next;
    w->next->prev = w->prev;
}

static bool is_forget(const struct fuse_buf *fbuf)
{
    struct fuse_in_header in;

    if ((fbuf->flags & FUSE_BUF_IS_FD) || fbuf->size < sizeof in)
        return false;
    memcpy(&in, fbuf->mem, sizeof in);
    return in.opcode == FUSE_FORGET || in.opcode == FUSE_BATCH_FORGET;
}

static void *mt_worker_main(void *data)
{
    struct mt_worker *w = data;
    struct mt_pool *mt = w->mt;

    while (!fuse_session_exited(mt->se)) {
        bool forget;
        int res;

        res = fuse_session_receive_buf_int(mt->se, &w->fbuf, w->ch);
        if (res == -EINTR || res == -EAGAIN)
            continue;
        if (res <= 0) {
            if (res < 0) {
                pthread_mutex_lock(&mt->lock);
                mt->error = res;
                pthread_mutex_unlock(&mt->lock);
                fuse_session_exit(mt->se);
            }
            break;
        }

        pthread_mutex_lock(&mt->lock);
        if (mt->exit) {
            pthread_mutex_unlock(&mt->lock);
            fuse_session_flush_int(mt->se);
            return NULL;
        }
        forget = is_forget(&w->fbuf);
        if (!forget)
            mt->numavail--;
        if (mt->numavail == 0 && mt->numworker < mt->max_threads)
            mt_start_worker(mt);
        pthread_mutex_unlock(&mt->lock);

        fuse_session_process_buf_int(mt->se, &w->fbuf, w->ch);

        pthread_mutex_lock(&mt->lock);
        if (!forget)
            mt->numavail++;
        if (mt->max_idle != -1 && mt->numavail > mt->max_idle && mt->numworker > 1) {
            if (mt->exit) {
                pthread_mutex_unlock(&mt->lock);
                fuse_session_flush_int(mt->se);
                return NULL;
            }
            /* Too many idle: this worker leaves, and frees itself. */
            list_del_worker(w);
            mt->numavail--;
            mt->numworker--;
            pthread_mutex_unlock(&mt->lock);
            fuse_session_flush_int(mt->se);
            pthread_detach(w->thread);
            free(w->fbuf.mem);
            fuse_chan_put(w->ch);
            free(w);
            return NULL;
        }
        pthread_mutex_unlock(&mt->lock);
    }
    fuse_session_flush_int(mt->se);
    sem_post(&mt->finish);
    return NULL;
}

int fuse_start_thread(pthread_t *thread_id, void *(*func)(void *), void *arg)
{
    sigset_t oldset, newset;
    pthread_attr_t attr;
    const char *stack;
    int res;

    pthread_attr_init(&attr);
    stack = getenv("FUSE_THREAD_STACK");
    if (stack) {
        char *end;
        unsigned long size = strtoul(stack, &end, 10);
        if (*end != '\0' || pthread_attr_setstacksize(&attr, size) != 0)
            fuse_log(FUSE_LOG_ERR, "fuse: invalid stack size: %s\n", stack);
    }
    /* Signals that end the session go to the thread that waits for the end. */
    sigemptyset(&newset);
    sigaddset(&newset, SIGTERM);
    sigaddset(&newset, SIGINT);
    sigaddset(&newset, SIGHUP);
    sigaddset(&newset, SIGQUIT);
    pthread_sigmask(SIG_BLOCK, &newset, &oldset);
    res = pthread_create(thread_id, &attr, func, arg);
    pthread_sigmask(SIG_SETMASK, &oldset, NULL);
    pthread_attr_destroy(&attr);
    if (res != 0) {
        fuse_log(FUSE_LOG_ERR, "fuse: error creating thread: %s\n", strerror(res));
        return -1;
    }
    return 0;
}

/* Called with mt->lock held. */
static int mt_start_worker(struct mt_pool *mt)
{
    struct mt_worker *w = calloc(1, sizeof *w);

    if (!w) {
        fuse_log(FUSE_LOG_ERR, "fuse: failed to allocate worker structure\n");
        return -1;
    }
    w->mt = mt;
    if (mt->clone_fd) {
        struct fuse_chan *master = fuse_session_chan_int(mt->se);
        if (master && master->ops->clone)
            w->ch = master->ops->clone(master);
        if (!w->ch) {
            fuse_log(FUSE_LOG_ERR, "fuse: trying to continue without -o clone_fd.\n");
            mt->clone_fd = 0;
        }
    }
    if (fuse_start_thread(&w->thread, mt_worker_main, w) == -1) {
        fuse_chan_put(w->ch);
        free(w);
        return -1;
    }
    list_add_worker(w, &mt->main);
    mt->numavail++;
    mt->numworker++;
    return 0;
}

static void mt_join_worker(struct mt_pool *mt, struct mt_worker *w)
{
    pthread_join(w->thread, NULL);
    pthread_mutex_lock(&mt->lock);
    list_del_worker(w);
    pthread_mutex_unlock(&mt->lock);
    free(w->fbuf.mem);
    fuse_chan_put(w->ch);
    free(w);
}

static void mt_interrupted(int sig)
{
    (void)sig;
}

/* Wake the workers out of read(2) until every one of them has returned. */
static void mt_interrupt_workers(struct mt_pool *mt)
{
    const int sig = SIGRTMIN + 2;
    struct sigaction sa, old;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = mt_interrupted;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, &old);
    for (;;) {
        struct mt_worker *w;
        struct timespec until;

        pthread_mutex_lock(&mt->lock);
        w = mt->main.next != &mt->main ? mt->main.next : NULL;
        for (struct mt_worker *x = mt->main.next; x != &mt->main; x = x->next)
            pthread_kill(x->thread, sig);
        pthread_mutex_unlock(&mt->lock);
        if (!w)
            break;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 10 * 1000 * 1000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        if (pthread_timedjoin_np(w->thread, NULL, &until) == 0) {
            pthread_mutex_lock(&mt->lock);
            list_del_worker(w);
            pthread_mutex_unlock(&mt->lock);
            free(w->fbuf.mem);
            fuse_chan_put(w->ch);
            free(w);
        }
    }
    sigaction(sig, &old, NULL);
}

int fuse_session_loop_mt_312(struct fuse_session *se, struct fuse_loop_config *config)
{
    struct fuse_loop_config *own = NULL;
    struct fuse_chan *master = fuse_session_chan_int(se);
    struct mt_pool mt;
    int err;

    if (config) {
        err = fuse_loop_cfg_verify(config);
        if (err)
            return err;
    } else {
        own = config = fuse_loop_cfg_create();
        if (!config)
            return -ENOMEM;
    }

    memset(&mt, 0, sizeof mt);
    mt.se = se;
    mt.clone_fd = config->clone_fd;
    mt.max_idle = config->max_idle_threads;
    mt.max_threads = config->max_threads > INT_MAX ? INT_MAX : (int)config->max_threads;
    mt.main.prev = mt.main.next = &mt.main;
    mt.interrupt = master && !master->ops->transact;
    sem_init(&mt.finish, 0, 0);
    pthread_mutex_init(&mt.lock, NULL);

    pthread_mutex_lock(&mt.lock);
    err = mt_start_worker(&mt);
    pthread_mutex_unlock(&mt.lock);
    if (!err) {
        /* sem_wait is interrupted by signal handlers: the exit is seen at once. */
        while (!fuse_session_exited(se))
            sem_wait(&mt.finish);

        pthread_mutex_lock(&mt.lock);
        mt.exit = 1;
        pthread_mutex_unlock(&mt.lock);

        if (mt.interrupt)
            mt_interrupt_workers(&mt);
        while (mt.main.next != &mt.main)
            mt_join_worker(&mt, mt.main.next);
        err = mt.error;
    }
    pthread_mutex_destroy(&mt.lock);
    sem_destroy(&mt.finish);
    if (fuse_session_error_int(se) != 0)
        err = fuse_session_error_int(se);
    fuse_session_reset(se);
    fuse_loop_cfg_destroy(own);
    return err;
}

int fuse_session_loop_mt_32(struct fuse_session *se, struct fuse_loop_config_v1 *config_v1)
{
    struct fuse_loop_config *config = NULL;
    int err;

    if (config_v1) {
        config = fuse_loop_cfg_create();
        if (!config)
            return -ENOMEM;
        fuse_loop_cfg_convert(config, config_v1);
    }
    err = fuse_session_loop_mt_312(se, config);
    fuse_loop_cfg_destroy(config);
    return err;
}

int fuse_session_loop_mt_31(struct fuse_session *se, int clone_fd)
{
    struct fuse_loop_config *config = fuse_loop_cfg_create();
    int err;

    if (!config)
        return -ENOMEM;
    if (clone_fd > 0)
        fuse_loop_cfg_set_clone_fd(config, (unsigned)clone_fd);
    err = fuse_session_loop_mt_312(se, config);
    fuse_loop_cfg_destroy(config);
    return err;
}

struct fuse_loop_config *fuse_loop_cfg_create(void)
{
    struct fuse_loop_config *config = calloc(1, sizeof *config);

    if (!config)
        return NULL;
    config->version_id = LOOP_MT_V2_ID;
    config->max_idle_threads = LOOP_MT_DEF_IDLE_THREADS;
    config->max_threads = LOOP_MT_DEF_MAX_THREADS;
    config->clone_fd = 0;
    return config;
}

void fuse_loop_cfg_destroy(struct fuse_loop_config *config)
{
    free(config);
}

int fuse_loop_cfg_verify(struct fuse_loop_config *config)
{
    return config->version_id == LOOP_MT_V2_ID ? 0 : -EINVAL;
}

void fuse_loop_cfg_convert(struct fuse_loop_config *config,
    struct fuse_loop_config_v1 *v1_conf)
{
    fuse_loop_cfg_set_idle_threads(config, v1_conf->max_idle_threads);
    fuse_loop_cfg_set_clone_fd(config, (unsigned)v1_conf->clone_fd);
}

void fuse_loop_cfg_set_idle_threads(struct fuse_loop_config *config, unsigned int value)
{
    /* -1 passed as unsigned: "unset", keep idle workers (as upstream, silently). */
    if (value == UINT_MAX) {
        config->max_idle_threads = LOOP_MT_DEF_IDLE_THREADS;
        return;
    }
    if (value > LOOP_MT_MAX_THREADS) {
        fuse_log(FUSE_LOG_ERR, "Ignoring invalid max threads value %u > max (%u).\n", value,
            LOOP_MT_MAX_THREADS);
        return;
    }
    config->max_idle_threads = (int)value;
}

void fuse_loop_cfg_set_max_threads(struct fuse_loop_config *config, unsigned int value)
{
    config->max_threads = value;
}

void fuse_loop_cfg_set_clone_fd(struct fuse_loop_config *config, unsigned int value)
{
    config->clone_fd = (int)value;
}
