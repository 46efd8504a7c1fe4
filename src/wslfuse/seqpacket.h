/*
 * seqpacket.h - an engine served over a SOCK_SEQPACKET socket that speaks
 * the /dev/fuse protocol.
 *
 * The far end of the socket is an unmodified FUSE file system: it reads one
 * FUSE request per read(2) and writes one reply per write(2) or writev(2),
 * exactly as it would with /dev/fuse (libfuse takes such a descriptor as
 * the mount point "/dev/fd/N"). The channel pulls requests out of the
 * engine and sends them; it receives replies, in whatever order the file
 * system answers, and hands them back.
 *
 * Linux user mode only.
 */
#ifndef WINFUSE_WSLFUSE_SEQPACKET_H
#define WINFUSE_WSLFUSE_SEQPACKET_H

#include "winfuse/engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The largest message either way: a WRITE of the engine's largest
 * max_write (1 MiB) with its headers, or a READ reply of as much, with
 * room to spare.
 */
#define WF_SEQPACKET_MSG_MAX (1024u * 1024u + 64u * 1024u)

typedef struct wf_seqpacket wf_seqpacket;

/*
 * A connected SOCK_SEQPACKET pair (close-on-exec) whose ends can both carry
 * WF_SEQPACKET_MSG_MAX-byte messages where the system allows it: an
 * AF_UNIX datagram may not exceed the sender's send buffer, whose default
 * (net.core.wmem_default) is far smaller. Keep one end for
 * wf_seqpacket_start, give the other to the file system. Returns 0 or
 * -errno.
 */
int wf_seqpacket_socketpair(int fds[2]);

/*
 * Serve engine over fd with `threads` sending threads (at least 1) and one
 * receiving thread. Takes ownership of fd, also on failure. When the file
 * system goes away (the socket's peer closes or dies) the engine is
 * stopped, so that every pending WinFsp request completes at once.
 *
 * Messages are kept within what fd's send buffer allows (the INIT reply is
 * trimmed: smaller max_write and max_pages), and the peer's end is assumed
 * to allow as much. The provider must implement wake(): continuations of
 * requests are carried out by the sending threads, woken through it.
 * Errors: STATUS_INVALID_PARAMETER (not a SOCK_SEQPACKET socket, or one
 * that cannot carry FUSE_MIN_READ_BUFFER bytes), STATUS_INSUFFICIENT_RESOURCES
 * (if threads had already started, the engine is stopped to end them).
 */
NTSTATUS wf_seqpacket_start(wf_engine *engine, int fd, unsigned threads, wf_seqpacket **out);

/*
 * Told once, on a channel thread, after the engine was stopped because the
 * file system went away by itself (not when wf_seqpacket_stop ended it,
 * nor after DESTROY was answered), or failed the INIT handshake (then its
 * channel is closed too): the provider should then fail what it still
 * holds (wf_fsd_volume_stop). It must not call wf_seqpacket_stop.
 */
typedef void (*wf_seqpacket_gone_fn)(void *context);

/* wf_seqpacket_start, and gone (may be NULL) called as above. */
NTSTATUS wf_seqpacket_start_ex(wf_engine *engine, int fd, unsigned threads,
    wf_seqpacket_gone_fn gone, void *context, wf_seqpacket **out);

/*
 * Stop serving: the engine is stopped (the file system can no longer
 * answer), messages already taken from it are still sent, then the socket
 * is shut down, which the file system sees as the end of its device. Joins
 * every thread and closes fd. The engine may be deleted afterwards.
 */
void wf_seqpacket_stop(wf_seqpacket *sp);

#ifdef __cplusplus
}
#endif

#endif
