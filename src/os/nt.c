/*
 * nt.c - the engine's host layer in the NT kernel (winfuse.sys).
 *
 * Locks are FAST_MUTEXes (the engine never holds one across a wait for a
 * file system). The kernel has no condition variable, so one is built from
 * a list of waiters, each parked on its own KEVENT on its own stack: a
 * signal wakes exactly the waiter it dequeues, which keeps wake-ups fair
 * and makes timeouts simple (a timed-out waiter removes itself).
 */
#include <ntddk.h>
#include <stdarg.h>

#include "os.h"

/* 'Fuse' read as a little-endian ULONG, as pool tags are shown. */
#define WF_POOL_TAG 0x65737546u

struct wf_os_lock {
    FAST_MUTEX mutex;
};

typedef struct wf_os_waiter {
    LIST_ENTRY entry;
    KEVENT event;
    BOOLEAN queued;
} wf_os_waiter;

struct wf_os_cond {
    KSPIN_LOCK spin;
    LIST_ENTRY waiters;
};

static int log_level = WF_LOG_WARNING;

/* Every allocation carries its size so that frees need no bookkeeping. */
typedef struct wf_os_block {
    SIZE_T size;
    SIZE_T pad; /* keep the payload 16-byte aligned */
} wf_os_block;

void *wf_os_alloc(size_t size)
{
    wf_os_block *block;

    if (size > ((SIZE_T)-1) - sizeof *block)
        return NULL;
    block = ExAllocatePoolWithTag(NonPagedPool, sizeof *block + size, WF_POOL_TAG);
    if (!block)
        return NULL;
    RtlZeroMemory(block, sizeof *block + size);
    block->size = size;
    return block + 1;
}

void wf_os_free(void *ptr)
{
    if (ptr)
        ExFreePoolWithTag((wf_os_block *)ptr - 1, WF_POOL_TAG);
}

wf_os_lock *wf_os_lock_new(void)
{
    wf_os_lock *lock = wf_os_alloc(sizeof *lock);
    if (lock)
        ExInitializeFastMutex(&lock->mutex);
    return lock;
}

void wf_os_lock_free(wf_os_lock *lock)
{
    wf_os_free(lock);
}

void wf_os_lock_acquire(wf_os_lock *lock)
{
    ExAcquireFastMutex(&lock->mutex);
}

void wf_os_lock_release(wf_os_lock *lock)
{
    ExReleaseFastMutex(&lock->mutex);
}

wf_os_cond *wf_os_cond_new(void)
{
    wf_os_cond *cond = wf_os_alloc(sizeof *cond);
    if (cond) {
        KeInitializeSpinLock(&cond->spin);
        InitializeListHead(&cond->waiters);
    }
    return cond;
}

void wf_os_cond_free(wf_os_cond *cond)
{
    wf_os_free(cond);
}

bool wf_os_cond_wait(wf_os_cond *cond, wf_os_lock *lock, int64_t timeout_ns)
{
    wf_os_waiter waiter;
    LARGE_INTEGER timeout;
    KIRQL irql;
    NTSTATUS status;

    KeInitializeEvent(&waiter.event, NotificationEvent, FALSE);
    KeAcquireSpinLock(&cond->spin, &irql);
    InsertTailList(&cond->waiters, &waiter.entry);
    waiter.queued = TRUE;
    KeReleaseSpinLock(&cond->spin, irql);

    wf_os_lock_release(lock);
    /* Relative timeouts are negative, in units of 100 ns. */
    timeout.QuadPart = -(timeout_ns / 100);
    status = KeWaitForSingleObject(&waiter.event, Executive, KernelMode, FALSE,
        timeout_ns < 0 ? NULL : &timeout);
    wf_os_lock_acquire(lock);

    KeAcquireSpinLock(&cond->spin, &irql);
    if (waiter.queued) {
        RemoveEntryList(&waiter.entry);
        waiter.queued = FALSE;
    }
    KeReleaseSpinLock(&cond->spin, irql);
    return status != STATUS_TIMEOUT;
}

static void wake(wf_os_cond *cond, bool all)
{
    KIRQL irql;

    KeAcquireSpinLock(&cond->spin, &irql);
    while (!IsListEmpty(&cond->waiters)) {
        wf_os_waiter *waiter =
            CONTAINING_RECORD(RemoveHeadList(&cond->waiters), wf_os_waiter, entry);
        waiter->queued = FALSE;
        KeSetEvent(&waiter->event, IO_NO_INCREMENT, FALSE);
        if (!all)
            break;
    }
    KeReleaseSpinLock(&cond->spin, irql);
}

void wf_os_cond_signal(wf_os_cond *cond)
{
    wake(cond, false);
}

void wf_os_cond_broadcast(wf_os_cond *cond)
{
    wake(cond, true);
}

/*
 * Addresses come from the WinFsp FSD, which maps the caller's buffer into
 * the file system process; probing guards against a range that is not
 * user memory. A page that faults inside a probed range additionally needs
 * structured exception handling (__try/__except) around the copy; GCC for
 * mingw-w64 cannot express it, so a WDK build of the driver must add it
 * here before this code is loaded into a kernel.
 */
bool wf_os_copy_to_address(uint64_t address, const void *src, size_t len)
{
    if (len == 0)
        return true;
    if (address == 0 || address + len < address || address + len > (uint64_t)MM_USER_PROBE_ADDRESS)
        return false;
    RtlCopyMemory((void *)(UINT_PTR)address, src, len);
    return true;
}

bool wf_os_copy_from_address(void *dst, uint64_t address, size_t len)
{
    if (len == 0)
        return true;
    if (address == 0 || address + len < address || address + len > (uint64_t)MM_USER_PROBE_ADDRESS)
        return false;
    RtlCopyMemory(dst, (const void *)(UINT_PTR)address, len);
    return true;
}

uint64_t wf_os_monotonic_ns(void)
{
    ULONGLONG ticks = KeQueryInterruptTime(); /* 100 ns units since boot */
    return (uint64_t)ticks * 100;
}

int64_t wf_os_realtime_ns(void)
{
    LARGE_INTEGER now;
    /* FILETIME epoch (1601) to Unix epoch (1970), in 100 ns units. */
    const LONGLONG unix_epoch = 116444736000000000LL;

    KeQuerySystemTime(&now);
    return (int64_t)(now.QuadPart - unix_epoch) * 100;
}

void wf_os_set_log_level(int level)
{
    log_level = level;
}

void wf_os_log(int level, const char *fmt, ...)
{
    va_list ap;

    if (level > log_level)
        return;
    va_start(ap, fmt);
    vDbgPrintExWithPrefix("winfuse: ", DPFLTR_IHVDRIVER_ID,
        level == WF_LOG_ERROR ? DPFLTR_ERROR_LEVEL : DPFLTR_INFO_LEVEL, fmt, ap);
    va_end(ap);
}
