/*
 * chan_kernel.c - stream channels: the Linux kernel's /dev/fuse (one read
 * per request, one writev per reply), and fuse_session_custom_io()'s
 * replacement read/writev over the same protocol.
 *
 * The kernel's answers: read fails with ENOENT when the request it was
 * about to return got interrupted (read again), with ENODEV once the file
 * system is unmounted or its connection aborted, and with EINTR when a
 * signal arrived (the loop then checks whether the session exited).
 * writev fails with ENOENT for the reply to a request that no longer
 * exists. A clone is another /dev/fuse descriptor attached to the same
 * connection with FUSE_DEV_IOC_CLONE; requests read from it are answered
 * on it.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "winfuse/fuse_proto.h"

struct kernel_chan {
    struct fuse_chan ch;
};

static long kernel_receive(struct fuse_chan *ch, void *buf, size_t size)
{
    for (;;) {
        ssize_t res = read(ch->fd, buf, size);
        if (res > 0)
            return (long)res;
        if (res == 0)
            return -EIO; /* the device never returns nothing: a short read */
        if (errno == ENOENT)
            continue;
        return -errno;
    }
}

static int kernel_send(struct fuse_chan *ch, const struct iovec *iov, int count)
{
    ssize_t res = writev(ch->fd, iov, count);
    return res == -1 ? -errno : 0;
}

static struct fuse_chan *kernel_clone(struct fuse_chan *master)
{
    uint32_t masterfd = (uint32_t)master->fd;
    struct fuse_chan *ch;
    int fd;

    if (master->fd < 0)
        return NULL;
    fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
    if (fd == -1) {
        fuse_log(FUSE_LOG_ERR, "fuse: failed to open /dev/fuse: %s\n", strerror(errno));
        return NULL;
    }
    if (ioctl(fd, FUSE_DEV_IOC_CLONE, &masterfd) == -1) {
        fuse_log(FUSE_LOG_ERR, "fuse: failed to clone device fd: %s\n", strerror(errno));
        close(fd);
        return NULL;
    }
    ch = fuse_chan_kernel_new(fd);
    if (!ch)
        close(fd);
    return ch;
}

static void kernel_destroy(struct fuse_chan *ch)
{
    if (ch->fd >= 0)
        close(ch->fd);
    free(ch);
}

static const struct fuse_chan_ops kernel_ops = {
    .name = "kernel",
    .receive = kernel_receive,
    .send = kernel_send,
    .clone = kernel_clone,
    .destroy = kernel_destroy,
};

struct fuse_chan *fuse_chan_kernel_new(int fd)
{
    struct kernel_chan *kc = calloc(1, sizeof *kc);

    if (!kc) {
        fuse_log(FUSE_LOG_ERR, "fuse: failed to allocate channel\n");
        return NULL;
    }
    fuse_chan_init(&kc->ch, &kernel_ops, fd);
    return &kc->ch;
}

/* ---- custom I/O ---- */

struct custom_chan {
    struct fuse_chan ch;
    struct fuse_custom_io io;
    void *userdata;
};

static long custom_receive(struct fuse_chan *ch, void *buf, size_t size)
{
    struct custom_chan *cc = (struct custom_chan *)ch;

    for (;;) {
        ssize_t res = cc->io.read(ch->fd, buf, size, cc->userdata);
        if (res > 0)
            return (long)res;
        if (res == 0)
            return -EIO;
        if (errno == ENOENT)
            continue;
        return -errno;
    }
}

static int custom_send(struct fuse_chan *ch, const struct iovec *iov, int count)
{
    struct custom_chan *cc = (struct custom_chan *)ch;
    ssize_t res = cc->io.writev(ch->fd, (struct iovec *)iov, count, cc->userdata);
    return res == -1 ? -errno : 0;
}

static const struct fuse_chan_ops custom_ops = {
    .name = "custom",
    .receive = custom_receive,
    .send = custom_send,
    .clone = NULL,
    .destroy = kernel_destroy,
};

struct fuse_chan *fuse_chan_custom_new(const struct fuse_custom_io *io, int fd, void *userdata)
{
    struct custom_chan *cc = calloc(1, sizeof *cc);

    if (!cc) {
        fuse_log(FUSE_LOG_ERR, "Failed to allocate memory for custom io.\n");
        return NULL;
    }
    fuse_chan_init(&cc->ch, &custom_ops, fd);
    cc->io = *io;
    cc->userdata = userdata;
    return &cc->ch;
}
