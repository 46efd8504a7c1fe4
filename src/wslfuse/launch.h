/*
 * launch.h - start an unmodified Linux FUSE program and serve an engine
 * to it: the wslfuse role, in one call.
 *
 * The program's argument "{}" (or, when there is none, one more argument
 * at the end) stands for its mount point. What it becomes depends on the
 * channel:
 *
 *   fd          "/dev/fd/N": the /dev/fuse-protocol socket itself. libfuse
 *               3.3 and later take such a mount point and use the
 *               descriptor as it is; nothing is mounted or run.
 *   fusermount  an empty directory the launcher creates. The program's
 *               mount(2) fails with EPERM, so libfuse (2 or 3) runs
 *               fusermount, which is ours (build/bin/fusermount3): it
 *               passes the channel back as if it had mounted /dev/fuse.
 *   mount       an empty directory. The program opens /dev/fuse and
 *               mounts it; the mount succeeds without mounting, and the
 *               descriptor it named becomes the channel. For programs
 *               that mount by themselves, without libfuse's fallback.
 *   auto        (default) fd for a program linked with libfuse3.so.3,
 *               fusermount for libfuse.so.2, mount for anything else
 *               (a static or unknown program, a script).
 *
 * Whatever the channel, the program inherits its end of the socket as
 * descriptor N, finds N in WINFUSE_CHANNEL_FD and our fusermount3's
 * directory first in PATH. fusermount and mount need /dev/fuse to open
 * (libfuse opens it before it mounts) and seccomp user notification
 * (intercept.h). See docs/wslfuse.md.
 *
 * The program's exit or death closes the socket, which stops the engine:
 * every pending WinFsp request completes at once (seqpacket.h).
 *
 * Linux user mode only.
 */
#ifndef WINFUSE_WSLFUSE_LAUNCH_H
#define WINFUSE_WSLFUSE_LAUNCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "winfuse/engine.h"
#include "wslfuse/intercept.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum wf_launch_channel {
    WF_LAUNCH_AUTO,
    WF_LAUNCH_FD,
    WF_LAUNCH_FUSERMOUNT,
    WF_LAUNCH_MOUNT,
} wf_launch_channel;

typedef struct wf_launch_options {
    wf_launch_channel channel;
    /* Channel sending threads (wf_seqpacket_start); 0: 2. */
    unsigned threads;
    /*
     * Our fusermount3. NULL: $WINFUSE_FUSERMOUNT, else "fusermount3"
     * beside the running executable, else the one this build made.
     */
    const char *fusermount;
    /* Where the mount point directory is made; NULL: $TMPDIR, else /tmp. */
    const char *tmpdir;
    /*
     * Called once, on a channel thread, when the file system went away by
     * itself (exited, died, closed its channel) and the engine was stopped:
     * fail what the provider still holds (wf_fsd_volume_stop). Not called
     * when wf_launch_stop ends it, nor after the volume ended (DESTROY).
     * It must not call wf_launch_stop.
     */
    void (*gone)(void *context);
    void *gone_context;
} wf_launch_options;

typedef struct wf_launched wf_launched;

typedef struct wf_launch_info {
    pid_t pid;
    wf_launch_channel channel;      /* as decided, never AUTO */
    int channel_fd;                 /* N, the program's descriptor */
    const char *mountpoint;         /* what "{}" became */
    wf_intercept_counts intercept;  /* fusermount and mount channels */
} wf_launch_info;

void wf_launch_options_init(wf_launch_options *options);

/* "auto", "fd", "fusermount", "mount"; 0 or -EINVAL. */
int wf_launch_channel_parse(const char *name, wf_launch_channel *channel);
const char *wf_launch_channel_name(wf_launch_channel channel);

/*
 * Start argv (argv[0] looked up in PATH) with "{}" replaced, serve engine
 * to it, and return at once: the program mounts in its own time. Returns
 * 0, or -errno with the reason logged: -ENOENT (no such program or no
 * fusermount3 for that channel), -ENOEXEC and the like from exec, -ENOSYS
 * (this system cannot intercept mounts), -EINVAL (engine or socket).
 */
int wf_launch(wf_engine *engine, char **argv, unsigned threads, wf_launched **out);
int wf_launch_ex(wf_engine *engine, char **argv, const wf_launch_options *options,
    wf_launched **out);

void wf_launch_get_info(wf_launched *l, wf_launch_info *info);

/*
 * Wait up to timeout_ns (< 0: for ever) for the program to exit by itself
 * and reap it. Returns 0 and its wait status, or -ETIMEDOUT.
 */
int wf_launch_wait(wf_launched *l, int64_t timeout_ns, int *status);

/*
 * End it: stop serving (the engine is stopped, the program's device
 * ends), give the program 5 seconds to exit, then SIGTERM, 5 more, then
 * SIGKILL; reap it by its pid, remove the mount point directory, free l.
 * For a clean unmount, end the volume first so the engine sends DESTROY
 * and the file system answers it. Returns the program's wait status.
 * The engine may be deleted afterwards.
 */
int wf_launch_stop(wf_launched *l);

#ifdef __cplusplus
}
#endif

#endif
