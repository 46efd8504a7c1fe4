/*
 * posix.c - the engine's host layer in Linux user mode.
 */
#include "os.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct wf_os_lock {
    pthread_mutex_t mutex;
};

struct wf_os_cond {
    pthread_cond_t cond;
};

static int log_level = WF_LOG_WARNING;

void *wf_os_alloc(size_t size)
{
    return calloc(1, size ? size : 1);
}

void wf_os_free(void *ptr)
{
    free(ptr);
}

wf_os_lock *wf_os_lock_new(void)
{
    wf_os_lock *lock = wf_os_alloc(sizeof *lock);
    if (lock && pthread_mutex_init(&lock->mutex, NULL) != 0) {
        free(lock);
        lock = NULL;
    }
    return lock;
}

void wf_os_lock_free(wf_os_lock *lock)
{
    if (!lock)
        return;
    pthread_mutex_destroy(&lock->mutex);
    free(lock);
}

void wf_os_lock_acquire(wf_os_lock *lock)
{
    pthread_mutex_lock(&lock->mutex);
}

void wf_os_lock_release(wf_os_lock *lock)
{
    pthread_mutex_unlock(&lock->mutex);
}

wf_os_cond *wf_os_cond_new(void)
{
    wf_os_cond *cond = wf_os_alloc(sizeof *cond);
    pthread_condattr_t attr;
    if (!cond)
        return NULL;
    /* Timed waits measure against the monotonic clock, immune to clock steps. */
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (pthread_cond_init(&cond->cond, &attr) != 0) {
        free(cond);
        cond = NULL;
    }
    pthread_condattr_destroy(&attr);
    return cond;
}

void wf_os_cond_free(wf_os_cond *cond)
{
    if (!cond)
        return;
    pthread_cond_destroy(&cond->cond);
    free(cond);
}

bool wf_os_cond_wait(wf_os_cond *cond, wf_os_lock *lock, int64_t timeout_ns)
{
    struct timespec deadline;
    uint64_t when;

    if (timeout_ns < 0) {
        pthread_cond_wait(&cond->cond, &lock->mutex);
        return true;
    }
    when = wf_os_monotonic_ns() + (uint64_t)timeout_ns;
    deadline.tv_sec = (time_t)(when / 1000000000u);
    deadline.tv_nsec = (long)(when % 1000000000u);
    return pthread_cond_timedwait(&cond->cond, &lock->mutex, &deadline) != ETIMEDOUT;
}

void wf_os_cond_signal(wf_os_cond *cond)
{
    pthread_cond_signal(&cond->cond);
}

void wf_os_cond_broadcast(wf_os_cond *cond)
{
    pthread_cond_broadcast(&cond->cond);
}

bool wf_os_copy_to_address(uint64_t address, const void *src, size_t len)
{
    if (len == 0)
        return true;
    if (address == 0 || address + len < address)
        return false;
    memcpy((void *)(uintptr_t)address, src, len);
    return true;
}

bool wf_os_copy_from_address(void *dst, uint64_t address, size_t len)
{
    if (len == 0)
        return true;
    if (address == 0 || address + len < address)
        return false;
    memcpy(dst, (const void *)(uintptr_t)address, len);
    return true;
}

uint64_t wf_os_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int64_t wf_os_realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void wf_os_set_log_level(int level)
{
    log_level = level;
}

void wf_os_log(int level, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    va_list ap;

    if (level > log_level)
        return;
    if (level < WF_LOG_ERROR)
        level = WF_LOG_ERROR;
    if (level > WF_LOG_DEBUG)
        level = WF_LOG_DEBUG;
    va_start(ap, fmt);
    flockfile(stderr);
    fprintf(stderr, "winfuse: %s: ", names[level]);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    funlockfile(stderr);
    va_end(ap);
}
