/*
 * intercept.h - a FUSE program's mount(2) and fusermount, redirected to a
 * winfuse channel.
 *
 * A program started by the launcher (launch.c) may be given a mount point
 * directory instead of the channel itself. It then opens /dev/fuse and
 * mounts it (libfuse's first try), or runs fusermount3 to do so. A
 * seccomp filter installed between fork and exec sends those system calls
 * to a supervisor thread in the launcher (SECCOMP_RET_USER_NOTIF):
 *
 *  WF_INTERCEPT_MOUNT       mount(2) of a "fuse" type succeeds without
 *                           mounting: the descriptor named by its fd=N
 *                           option is replaced, in the program, by the
 *                           channel (SECCOMP_IOCTL_NOTIF_ADDFD). Any other
 *                           mount fails with EPERM.
 *  WF_INTERCEPT_FUSERMOUNT  every mount(2) fails with EPERM, which makes
 *                           libfuse 2 and 3 fall back to fusermount.
 *
 * In both, running a fusermount or fusermount3 that is not ours fails with
 * ENOENT, so that libfuse, which tries its install path first, goes on to
 * its PATH lookup and finds ours (the launcher puts its directory first);
 * umount2(2) of the mount point succeeds (nothing is mounted there); the
 * new mount API (fsopen, fsmount, ...) fails with ENOSYS, which libfuse
 * answers by using mount(2). Every other call runs untouched.
 *
 * Linux user mode only: Linux 5.9 or later (ADDFD), x86-64 or AArch64.
 */
#ifndef WINFUSE_WSLFUSE_INTERCEPT_H
#define WINFUSE_WSLFUSE_INTERCEPT_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum wf_intercept_mode {
    WF_INTERCEPT_MOUNT,
    WF_INTERCEPT_FUSERMOUNT,
} wf_intercept_mode;

typedef struct wf_intercept wf_intercept;

typedef struct wf_intercept_counts {
    unsigned mounts;        /* fuse mounts that received the channel */
    unsigned refused;       /* other mounts, and fuse mounts made to fall back */
    unsigned redirected;    /* fusermount runs turned away from another fusermount */
    unsigned unmounts;      /* umount2 of the mount point */
} wf_intercept_counts;

/* Whether this system can intercept at all (the architecture, the kernel). */
bool wf_intercept_available(void);

/*
 * In the child, between fork and exec: install the filter and return its
 * listener descriptor (to pass to the parent), or -errno. Only
 * async-signal-safe calls. Without CAP_SYS_ADMIN it sets no_new_privs.
 */
int wf_intercept_install(wf_intercept_mode mode);

/*
 * In the parent: serve the listener (taken over, also on failure) in a
 * thread. channel is a descriptor of the program's end of the channel,
 * duplicated here; the copy is closed once a mount received it, or when
 * the program and all its descendants are gone, or at stop, so that it
 * never keeps the volume alive by itself. helper is our fusermount3 (the
 * one that may run), mountpoint the directory the program was given.
 * Returns 0 or -errno.
 */
int wf_intercept_start(int listener, wf_intercept_mode mode, int channel, const char *helper,
    const char *mountpoint, wf_intercept **out);

/*
 * End the thread and close its descriptors: system calls still waiting
 * fail with ENOSYS. Call once the program has exited, or it may see that.
 */
void wf_intercept_stop(wf_intercept *ic);

void wf_intercept_get_counts(wf_intercept *ic, wf_intercept_counts *counts);

#ifdef __cplusplus
}
#endif

#endif
