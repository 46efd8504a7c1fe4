/*
 * buffer.c - struct fuse_buf / fuse_bufvec: sizes and copies between
 * memory and file descriptors, with libfuse 3.14's semantics.
 *
 * We never splice: a copy between two descriptors goes through a bounce
 * buffer, and the splice flags (FUSE_BUF_SPLICE_MOVE, _NONBLOCK,
 * FORCE_SPLICE, NO_SPLICE) change nothing. FUSE_BUF_FD_SEEK reads and
 * writes at pos + offset instead of the descriptor's position;
 * FUSE_BUF_FD_RETRY keeps going after a short transfer until the length is
 * done, end of file, or an error.
 */
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

size_t fuse_buf_size(const struct fuse_bufvec *bufv)
{
    size_t size = 0;

    for (size_t i = 0; i < bufv->count; i++) {
        /* SIZE_MAX means "as much as there is"; so does any overflow. */
        if (bufv->buf[i].size == SIZE_MAX || size > SIZE_MAX - bufv->buf[i].size)
            return SIZE_MAX;
        size += bufv->buf[i].size;
    }
    return size;
}

/* One read or write, at the buffer's position when it asks to be seeked. */
static ssize_t fd_io(const struct fuse_buf *fb, size_t fb_off, char *mem, size_t len, bool to_fd)
{
    ssize_t res;

    do {
        if (fb->flags & FUSE_BUF_FD_SEEK) {
            off_t pos = fb->pos + (off_t)fb_off;
            res = to_fd ? pwrite(fb->fd, mem, len, pos) : pread(fb->fd, mem, len, pos);
        } else {
            res = to_fd ? write(fb->fd, mem, len) : read(fb->fd, mem, len);
        }
    } while (res == -1 && errno == EINTR);
    return res;
}

/* Between memory and an fd buffer: fdbuf at fd_off, len bytes of mem. */
static ssize_t mem_fd_copy(const struct fuse_buf *fdbuf, size_t fd_off, char *mem, size_t len,
    bool to_fd)
{
    size_t copied = 0;

    while (copied < len) {
        ssize_t res = fd_io(fdbuf, fd_off + copied, mem + copied, len - copied, to_fd);
        if (res == -1) {
            if (!copied)
                return -errno;
            break;
        }
        if (res == 0)
            break;
        copied += (size_t)res;
        if (!(fdbuf->flags & FUSE_BUF_FD_RETRY))
            break;
    }
    return (ssize_t)copied;
}

static ssize_t fd_fd_copy(const struct fuse_buf *dst, size_t dst_off, const struct fuse_buf *src,
    size_t src_off, size_t len)
{
    char bounce[16384];
    size_t copied = 0;

    while (copied < len) {
        size_t chunk = len - copied < sizeof bounce ? len - copied : sizeof bounce;
        ssize_t got, put;

        got = mem_fd_copy(src, src_off + copied, bounce, chunk, false);
        if (got <= 0) {
            if (got < 0 && !copied)
                return got;
            break;
        }
        put = mem_fd_copy(dst, dst_off + copied, bounce, (size_t)got, true);
        if (put <= 0) {
            if (put < 0 && !copied)
                return put;
            break;
        }
        copied += (size_t)put;
        /* A short step ends the copy, as one read or write would. */
        if ((size_t)put < chunk)
            break;
    }
    return (ssize_t)copied;
}

static ssize_t copy_one(const struct fuse_buf *dst, size_t dst_off, const struct fuse_buf *src,
    size_t src_off, size_t len)
{
    bool src_fd = src->flags & FUSE_BUF_IS_FD;
    bool dst_fd = dst->flags & FUSE_BUF_IS_FD;

    if (!src_fd && !dst_fd) {
        char *d = (char *)dst->mem + dst_off;
        const char *s = (const char *)src->mem + src_off;
        if (d != s && len)
            memmove(d, s, len);
        return (ssize_t)len;
    }
    if (!src_fd)
        return mem_fd_copy(dst, dst_off, (char *)src->mem + src_off, len, true);
    if (!dst_fd)
        return mem_fd_copy(src, src_off, (char *)dst->mem + dst_off, len, false);
    return fd_fd_copy(dst, dst_off, src, src_off, len);
}

/* Step the vector's cursor by len; false once it has run off its end. */
static bool bufvec_advance(struct fuse_bufvec *bufv, size_t len)
{
    if (bufv->idx >= bufv->count)
        return false;
    bufv->off += len;
    if (bufv->off >= bufv->buf[bufv->idx].size) {
        bufv->idx++;
        bufv->off = 0;
        if (bufv->idx >= bufv->count)
            return false;
    }
    return true;
}

ssize_t fuse_buf_copy(struct fuse_bufvec *dstv, struct fuse_bufvec *srcv,
    enum fuse_buf_copy_flags flags)
{
    size_t copied = 0;

    (void)flags;
    if (dstv == srcv)
        return (ssize_t)fuse_buf_size(dstv);

    while (srcv->idx < srcv->count && dstv->idx < dstv->count) {
        const struct fuse_buf *src = &srcv->buf[srcv->idx];
        const struct fuse_buf *dst = &dstv->buf[dstv->idx];
        size_t src_len = src->size > srcv->off ? src->size - srcv->off : 0;
        size_t dst_len = dst->size > dstv->off ? dst->size - dstv->off : 0;
        size_t len = src_len < dst_len ? src_len : dst_len;
        bool more_src, more_dst;
        ssize_t res;

        if (copied == (size_t)SSIZE_MAX)
            break;
        if (len > (size_t)SSIZE_MAX - copied)
            len = (size_t)SSIZE_MAX - copied;
        res = copy_one(dst, dstv->off, src, srcv->off, len);
        if (res < 0) {
            if (!copied)
                return res;
            break;
        }
        copied += (size_t)res;
        /* Both cursors move, even when one of them runs out. */
        more_src = bufvec_advance(srcv, (size_t)res);
        more_dst = bufvec_advance(dstv, (size_t)res);
        if (!more_src || !more_dst)
            break;
        /* An empty buffer is stepped over; a short copy ends it all. */
        if ((size_t)res < len)
            break;
    }
    return (ssize_t)copied;
}
