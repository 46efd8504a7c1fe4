/*
 * os.h - the only interface the portable engine has to its host.
 *
 * The engine runs in the NT kernel (src/os/nt.c) and in Linux user mode
 * (src/os/posix.c). Everything it needs from either lives behind these
 * calls, so the engine itself includes nothing but freestanding headers
 * and <string.h> for the mem and str functions both hosts provide.
 *
 * Objects are opaque and heap allocated: the engine creates them rarely
 * (per instance, per pending request), so the indirection costs nothing
 * on the hot path and keeps host headers out of this file.
 */
#ifndef WINFUSE_OS_H
#define WINFUSE_OS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define WF_OS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define WF_OS_PRINTF(f, a)
#endif

/* Memory: zero-filled; NULL when the host is out of memory. */
void *wf_os_alloc(size_t size);
void wf_os_free(void *ptr);

/* A non-recursive sleeping lock. */
typedef struct wf_os_lock wf_os_lock;
wf_os_lock *wf_os_lock_new(void);
void wf_os_lock_free(wf_os_lock *lock);
void wf_os_lock_acquire(wf_os_lock *lock);
void wf_os_lock_release(wf_os_lock *lock);

/*
 * A condition variable used with a wf_os_lock held by the waiter.
 * timeout_ns < 0 waits for ever. Returns false on timeout. Spurious
 * wake-ups are allowed: callers re-check their predicate.
 */
typedef struct wf_os_cond wf_os_cond;
wf_os_cond *wf_os_cond_new(void);
void wf_os_cond_free(wf_os_cond *cond);
bool wf_os_cond_wait(wf_os_cond *cond, wf_os_lock *lock, int64_t timeout_ns);
void wf_os_cond_signal(wf_os_cond *cond);
void wf_os_cond_broadcast(wf_os_cond *cond);

/*
 * Data buffers a WinFsp request names by address (Read, Write and
 * QueryDirectory carry an Address). In the NT kernel that is a user-mode
 * address in the file system's process, so it must be probed; here it is a
 * pointer in our own address space. Returns false if the range is unusable.
 */
bool wf_os_copy_to_address(uint64_t address, const void *src, size_t len);
bool wf_os_copy_from_address(void *dst, uint64_t address, size_t len);

/* Clocks: monotonic for timeouts and caches; real time for file times. */
uint64_t wf_os_monotonic_ns(void);
int64_t wf_os_realtime_ns(void); /* nanoseconds since 1970-01-01 UTC */

/* Diagnostics. Levels: 0 error, 1 warning, 2 info, 3 debug. */
enum { WF_LOG_ERROR, WF_LOG_WARNING, WF_LOG_INFO, WF_LOG_DEBUG };
void wf_os_set_log_level(int level);
void wf_os_log(int level, const char *fmt, ...) WF_OS_PRINTF(2, 3);

#endif
