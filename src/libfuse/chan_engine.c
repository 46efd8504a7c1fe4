/*
 * chan_engine.c - the in-process channel: the session drives a winfuse
 * engine directly with wf_transact(), FUSE_FSCTL_TRANSACT's semantics
 * without a device in between.
 *
 * A transact channel (internal.h): the session hands a reply and fetches
 * the next request in one call. The engine answers:
 *   - a request, or none before its transact timeout (we say 0, "call
 *     again", and the loop checks whether the session exited);
 *   - STATUS_INVALID_PARAMETER for a reply it does not know (the request
 *     was cancelled meanwhile): the reply is dropped, as the kernel drops
 *     a reply to an interrupted request, and we fetch the request anyway;
 *   - STATUS_CANCELLED once the engine is stopped (the volume is gone):
 *     -ENODEV, and the session ends.
 * Clones share the engine, so the channel needs none: every worker
 * thread transacts on the one engine. Large replies go alone, in their
 * pieces (send: wf_transact_reply), so READ data is copied once, into the
 * WinFsp caller's buffer.
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>

#include "winfuse/engine.h"

struct engine_chan {
    struct fuse_chan ch;
    wf_engine *engine;
};

static long status_to_result(NTSTATUS status, size_t len)
{
    if (NT_SUCCESS(status))
        return (long)len;
    if (status == STATUS_CANCELLED)
        return -ENODEV;
    if (status == STATUS_BUFFER_TOO_SMALL)
        return -ENOBUFS;
    if (status == STATUS_INVALID_PARAMETER)
        return -ENOENT;
    return -EIO;
}

static long engine_transact(struct fuse_chan *ch, const void *reply, size_t reply_len, void *buf,
    size_t size)
{
    struct engine_chan *ec = (struct engine_chan *)ch;
    size_t len = 0;
    NTSTATUS status;

    status = wf_transact(ec->engine, reply, reply_len, buf, buf ? size : 0, buf ? &len : NULL);
    if (reply && status == STATUS_INVALID_PARAMETER) {
        fuse_log(FUSE_LOG_DEBUG, "fuse: engine dropped a reply (request gone)\n");
        if (!buf)
            return -ENOENT;
        status = wf_transact(ec->engine, NULL, 0, buf, size, &len);
    }
    return status_to_result(status, len);
}

static int engine_send(struct fuse_chan *ch, const struct iovec *iov, int count)
{
    struct engine_chan *ec = (struct engine_chan *)ch;
    wf_reply_piece few[8], *pieces = few;
    NTSTATUS status;

    if (count < 1)
        return -EINVAL;
    if (count > (int)(sizeof few / sizeof few[0])) {
        pieces = malloc((size_t)count * sizeof *pieces);
        if (!pieces)
            return -ENOMEM;
    }
    for (int i = 0; i < count; i++) {
        pieces[i].base = iov[i].iov_base;
        pieces[i].len = iov[i].iov_len;
    }
    status = wf_transact_reply(ec->engine, pieces, (size_t)count);
    if (pieces != few)
        free(pieces);
    if (status == STATUS_INVALID_PARAMETER) {
        fuse_log(FUSE_LOG_DEBUG, "fuse: engine dropped a reply (request gone)\n");
        return -ENOENT;
    }
    return (int)status_to_result(status, 0);
}

static void engine_destroy(struct fuse_chan *ch)
{
    free(ch);
}

static const struct fuse_chan_ops engine_ops = {
    .name = "engine",
    .receive = NULL,
    .send = engine_send,
    .transact = engine_transact,
    .clone = NULL,
    .destroy = engine_destroy,
};

struct fuse_chan *fuse_chan_engine_new(struct wf_engine *engine)
{
    struct engine_chan *ec = calloc(1, sizeof *ec);

    if (!ec) {
        fuse_log(FUSE_LOG_ERR, "fuse: failed to allocate channel\n");
        return NULL;
    }
    fuse_chan_init(&ec->ch, &engine_ops, -1);
    ec->engine = engine;
    return &ec->ch;
}
