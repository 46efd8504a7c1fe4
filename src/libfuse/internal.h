/*
 * internal.h - what the parts of our libfuse share beyond the public API.
 *
 * Two halves. The first is the channel interface: how a session talks to
 * whatever carries its FUSE requests and replies (the Linux kernel's
 * /dev/fuse, the in-process winfuse engine, WinFuse's DeviceIoControl). It
 * needs nothing but the C library, so the Windows channel can include it
 * alone (define WF_LIBFUSE_CHAN_ONLY first). The second half is the
 * session internals the library's own files (fuse.c, helper.c, the loops)
 * use: it needs the public headers and POSIX.
 *
 * Nothing here is exported from libfuse3.so: every name is either static
 * elsewhere or hidden by the version script.
 */
#ifndef WINFUSE_LIBFUSE_INTERNAL_H
#define WINFUSE_LIBFUSE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32) && !defined(WF_HAVE_STRUCT_IOVEC)
#define WF_HAVE_STRUCT_IOVEC
/* Windows has no <sys/uio.h>; the layout is POSIX's. */
struct iovec {
    void *iov_base;
    size_t iov_len;
};
#elif !defined(_WIN32)
#include <sys/uio.h>
#endif

/* ==== channels ========================================================= */

struct fuse_chan;

/*
 * What a channel does. Either receive and send are set (a stream like
 * /dev/fuse: one read per request, one write per reply), or transact is
 * (FUSE_FSCTL_TRANSACT: a reply and the next request in one call); the
 * session uses transact when it is there.
 *
 * Results of receive and transact: > 0 the length of the request now in
 * buf; 0 nothing arrived in time (call again after checking for exit);
 * -ENODEV the connection is gone for good (the volume was unmounted, the
 * engine stopped), so the session ends; -EINTR a signal interrupted the
 * wait; any other -errno is an error.
 */
struct fuse_chan_ops {
    const char *name;
    long (*receive)(struct fuse_chan *ch, void *buf, size_t size);
    /*
     * One whole message: iov[0] begins with the struct fuse_out_header,
     * whose len already covers all of iov. 0, or -errno; -ENOENT means the
     * request was interrupted and the reply is not wanted any more.
     */
    int (*send)(struct fuse_chan *ch, const struct iovec *iov, int count);
    /*
     * Hand over reply (reply_len bytes, or NULL) and take the next request
     * into buf (size bytes, or NULL: do not wait for one). A reply the peer
     * rejects is dropped (as the kernel drops a reply to an interrupted
     * request) and the request is still fetched.
     */
    long (*transact)(struct fuse_chan *ch, const void *reply, size_t reply_len, void *buf,
        size_t size);
    /*
     * A transact channel may also have send: a reply alone, in pieces, for
     * large replies (READ data), which then need no gathering first.
     */
    /* A second channel to the same connection for another thread; NULL: not possible. */
    struct fuse_chan *(*clone)(struct fuse_chan *ch);
    /* The last reference is gone: close and free. */
    void (*destroy)(struct fuse_chan *ch);
};

/* The common head of every channel; each kind embeds it first. */
struct fuse_chan {
    const struct fuse_chan_ops *ops;
    int refs; /* atomic */
    int fd;   /* what fuse_session_fd() reports and loops may poll; -1 if none */
};

/* ==== the Windows channel (chan_windows.c; _WIN32 only) ================== */

#if defined(_WIN32)
/* What a WinFuse volume is created with; NULL or 0 members take defaults. */
struct fuse_chan_windows_params {
    const char *volume_prefix;      /* UNC prefix \server\share: a network volume */
    const char *fs_name;            /* FileSystemName suffix: "FUSE-<fs_name>" */
    unsigned file_info_timeout_ms;  /* how long Windows may cache file info */
    unsigned sector_size;
    int case_insensitive;
};

/*
 * Create a WinFuse volume (FspFsctlCreateVolume with FsextControlCode set
 * to FUSE_FSCTL_TRANSACT), mount it at mountpoint (a drive "X:" or a
 * directory; UTF-8) and return its channel. Dropping the last reference
 * unmounts the volume. 0, or -errno.
 */
int fuse_chan_windows_mount(const char *mountpoint, const struct fuse_chan_windows_params *params,
    struct fuse_chan **pch);
#endif

#if !defined(WF_LIBFUSE_CHAN_ONLY)

/* ==== the session internals (POSIX) ====================================== */

#ifndef FUSE_USE_VERSION
#define FUSE_USE_VERSION 314
#endif

#include <pthread.h>

#include <fuse_lowlevel.h>
#include <winfuse.h>

struct fuse_session;
struct wf_engine;
struct mount_opts;

/* Channel references: the session, each clone and each request in flight hold one. */
void fuse_chan_init(struct fuse_chan *ch, const struct fuse_chan_ops *ops, int fd);
struct fuse_chan *fuse_chan_get(struct fuse_chan *ch);
void fuse_chan_put(struct fuse_chan *ch);

/* chan_kernel.c: /dev/fuse (or any descriptor speaking its protocol); owns fd. */
struct fuse_chan *fuse_chan_kernel_new(int fd);
/* chan_kernel.c: fuse_session_custom_io(); io->read/writev get userdata. */
struct fuse_chan *fuse_chan_custom_new(const struct fuse_custom_io *io, int fd, void *userdata);
/* chan_engine.c: the in-process engine; the engine must outlive the channel. */
struct fuse_chan *fuse_chan_engine_new(struct wf_engine *engine);

/* mount.c: -o options for the kernel mount, as libfuse's mount.c takes them. */
struct mount_opts *parse_mount_opts(struct fuse_args *args);
void destroy_mount_opts(struct mount_opts *mo);
unsigned get_max_read(struct mount_opts *mo);
/* Mount at mountpoint: the /dev/fuse descriptor, or -1 after logging. */
int fuse_kern_mount(const char *mountpoint, struct mount_opts *mo);
/* Close fd (if >= 0) and unmount (umount2 as root, fusermount3 -u otherwise). */
void fuse_kern_unmount(const char *mountpoint, int fd);
void fuse_mount_version(void);

/*
 * The loop primitives, for loops outside loop.c / loop_mt.c (fuse.c's own
 * loop): ch NULL means the session's channel. receive returns the request
 * length (> 0), 0 once the session has exited or its connection is gone,
 * or -errno (-EINTR: just call again).
 */
int fuse_session_receive_buf_int(struct fuse_session *se, struct fuse_buf *buf,
    struct fuse_chan *ch);
void fuse_session_process_buf_int(struct fuse_session *se, const struct fuse_buf *buf,
    struct fuse_chan *ch);
/*
 * On transact channels a reply made on a loop thread waits in that thread
 * until its next receive carries it (one call instead of two). A loop that
 * stops receiving on a thread must call this first, so no reply is left
 * behind. Harmless elsewhere.
 */
void fuse_session_flush_int(struct fuse_session *se);
/*
 * Wait up to timeout_ms (< 0: for ever) for a request to be ready on the
 * session's channel: 1 ready (or cannot tell: transact channels), 0 timed
 * out, -errno. For loops that do housekeeping between requests.
 */
int fuse_session_wait_int(struct fuse_session *se, int timeout_ms);
/* The session's channel (no new reference), or NULL before mount. */
struct fuse_chan *fuse_session_chan_int(struct fuse_session *se);

/*
 * Exit with a reason, as fuse_set_signal_handlers' handler does: error is
 * what the loops return (the signal number, or -errno). Async-signal-safe.
 */
void fuse_session_exit_error(struct fuse_session *se, int error);
/* That reason (0 if none); the loops return it. */
int fuse_session_error_int(struct fuse_session *se);

/* A thread with SIGTERM, SIGINT, SIGHUP, SIGQUIT blocked; stack from FUSE_THREAD_STACK. */
int fuse_start_thread(pthread_t *thread_id, void *(*func)(void *), void *arg);

/* loop_mt.c: the versions behind fuse_session_loop_mt. */
int fuse_session_loop_mt_312(struct fuse_session *se, struct fuse_loop_config *config);
int fuse_session_loop_mt_32(struct fuse_session *se, struct fuse_loop_config_v1 *config);
int fuse_session_loop_mt_31(struct fuse_session *se, int clone_fd);
/* 0 if config came from fuse_loop_cfg_create(), -EINVAL otherwise. */
int fuse_loop_cfg_verify(struct fuse_loop_config *config);

/* Room a receive buffer needs beyond max_write for the headers. */
#define FUSE_BUFFER_HEADER_SIZE 0x1000
#define FUSE_MAX_MAX_PAGES 256
#define FUSE_DEFAULT_MAX_PAGES_PER_REQ 32

#endif /* !WF_LIBFUSE_CHAN_ONLY */

#endif /* WINFUSE_LIBFUSE_INTERNAL_H */
