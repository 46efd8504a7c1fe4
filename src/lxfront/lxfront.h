/*
 * lxfront.h - the LXCORE role: a Linux kernel FUSE mount whose every
 * request becomes NT file API calls (winfuse/nt.h) on an fsd volume, and
 * so WinFsp requests for the engine and FUSE requests for the file
 * system behind it. What WSL1 does for a Linux process's read(2) on a
 * DrvFs file, this does for any process on the mount.
 *
 *     wf_lx_options o;  wf_lx_options_init(&o);
 *     wf_lx *lx;        wf_lx_new(volume, &o, &lx);
 *     wf_lx_mount(lx, "/mnt/x");     the kernel mount (root: mount(2); else fusermount3)
 *     wf_lx_loop(lx);                serve until unmounted or wf_lx_exit()
 *     wf_lx_unmount(lx);  wf_lx_delete(lx);
 *
 * Built on our libfuse's low-level API (include/fuse3). See docs/lxfront.md
 * for the mapping of each Linux request and what is not supported.
 */
#ifndef WINFUSE_LXFRONT_H
#define WINFUSE_LXFRONT_H

#include <stdbool.h>

#include "winfuse/fsd.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wf_lx wf_lx;

typedef struct wf_lx_options {
    /* Kernel caching of attributes and names (seconds; negative entries too). */
    double attr_timeout, entry_timeout;
    /* Request threads at most (the kernel's requests wait on NT calls). */
    unsigned max_threads;
    /* Let users other than the mounting one in (the engine checks access). */
    bool allow_other;
    bool read_only;
    /* Shown in /proc/mounts: "<fsname> <mnt> fuse.<subtype>". */
    const char *fsname, *subtype;
    /* The uid/gid <-> SID map the engine was configured with (NULL: default). */
    const struct wf_idmap *idmap;
    /*
     * Tracing (-d): each Linux request and each NT call it made, one line
     * each, through trace(context, line). NULL: none.
     */
    void (*trace)(void *context, const char *line);
    void *trace_context;
} wf_lx_options;

void wf_lx_options_init(wf_lx_options *options);

/* 0, or -errno. The volume must be mounted and outlive lx. */
int wf_lx_new(wf_fsd_volume *volume, const wf_lx_options *options, wf_lx **lx);

/* Mount on the kernel at mountpoint: 0 or -errno (logged). */
int wf_lx_mount(wf_lx *lx, const char *mountpoint);

/*
 * Serve requests (a thread pool) until the mount goes (umount,
 * fusermount3 -u) or wf_lx_exit. Returns 0, or -errno.
 */
int wf_lx_loop(wf_lx *lx);

/*
 * Make wf_lx_loop return: from a signal handler or another thread. The
 * kernel mount is detached (MNT_DETACH) so that the loop's reads end.
 */
void wf_lx_exit(wf_lx *lx);

/* Detach the kernel mount if it is still there. */
void wf_lx_unmount(wf_lx *lx);

/* Closes every NT handle still open; after the loop returned. */
void wf_lx_delete(wf_lx *lx);

/* Counters, for tests and -d. */
typedef struct wf_lx_stats {
    unsigned long long requests, nt_calls, nodes, open_handles;
} wf_lx_stats;

void wf_lx_get_stats(wf_lx *lx, wf_lx_stats *stats);

/* Send a line to the trace sink (if any), as lxfront's own lines go. */
void wf_lx_trace(wf_lx *lx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#ifdef __cplusplus
}
#endif

#endif
