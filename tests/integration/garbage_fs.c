/*
 * garbage_fs.c - a FUSE "file system" that answers every request with
 * garbage: the engine's channel must survive it.
 *
 *   garbage_fs [--seed=N] [--init=good|garbage] [--report-fd=N] /dev/fd/M
 *
 * It reads FUSE requests from the descriptor M (a winfuse channel; it
 * would do the same on /dev/fuse) and, for each, first sends 0 to 3
 * malformed messages: truncated below a header, a header whose length
 * lies, unknown or stale uniques, an INTERRUPT's unique, one far larger
 * than any reply may be. Then one well-framed reply with the request's
 * unique and garbage inside: a random errno, an error no errno has
 * (positive, huge), a body of random bytes of random length, or of the
 * size the opcode expects but random content. Some replies are held back
 * and sent after later ones, some twice. So every request is answered
 * exactly once in a well-framed message (or failed by one too long to
 * take), and everything else is noise the engine must drop.
 *
 * With --init=good the INIT reply is a proper one, so that the garbage
 * reaches every other request; DESTROY is always answered properly, so
 * that the volume can end cleanly. It exits 0 at the end of its device.
 * On the report descriptor it writes "replies=R noise=N" at exit.
 */
#include <errno.h>
#include <linux/fuse.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define GF_BUF (1024 * 1024 + 64 * 1024)
#define GF_HELD_MAX 4
#define GF_HUGE (1024 * 1024 + 128 * 1024)

static uint64_t rng_state;
static unsigned long replies, noise;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint32_t below(uint32_t n)
{
    return n ? (uint32_t)(rnd() % n) : 0;
}

static void random_bytes(void *p, size_t n)
{
    uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)rnd();
}

typedef struct msg {
    size_t len;
    uint8_t *data;
} msg;

static int dev;
static msg held[GF_HELD_MAX];
static size_t nheld;

static void send_raw(const void *p, size_t len)
{
    ssize_t n;

    do
        n = send(dev, p, len, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    /* EMSGSIZE and the like: noise that could not even be sent. */
}

static void send_reply(uint64_t unique, int32_t error, const void *body, size_t body_len)
{
    struct fuse_out_header h;
    uint8_t *buf = malloc(sizeof h + body_len);

    if (!buf)
        return;
    h.len = (uint32_t)(sizeof h + body_len);
    h.error = error;
    h.unique = unique;
    memcpy(buf, &h, sizeof h);
    if (body_len)
        memcpy(buf + sizeof h, body, body_len);
    send_raw(buf, sizeof h + body_len);
    free(buf);
}

static void flush_held(void)
{
    for (size_t i = 0; i < nheld; i++) {
        send_raw(held[i].data, held[i].len);
        free(held[i].data);
    }
    nheld = 0;
}

/* A well-framed message, sent now or held back to overtake. */
static void queue_reply(uint64_t unique, int32_t error, const void *body, size_t body_len)
{
    struct fuse_out_header h = {(uint32_t)(sizeof h + body_len), error, unique};
    uint8_t *buf;

    replies++;
    if (nheld == GF_HELD_MAX || below(4) != 0) {
        send_reply(unique, error, body, body_len);
        return;
    }
    buf = malloc(sizeof h + body_len);
    if (!buf)
        return;
    memcpy(buf, &h, sizeof h);
    if (body_len)
        memcpy(buf + sizeof h, body, body_len);
    held[nheld].data = buf;
    held[nheld].len = sizeof h + body_len;
    nheld++;
}

static void send_noise(const struct fuse_in_header *in, uint64_t last_unique)
{
    uint8_t buf[512];
    struct fuse_out_header h;
    size_t len;

    noise++;
    random_bytes(buf, sizeof buf);
    switch (below(6)) {
    case 0:
        /* Shorter than a header: nobody can say whose it is. */
        send_raw(buf, 1 + below(sizeof h - 1));
        return;
    case 1:
        /* The header lies about the length. */
        len = sizeof h + below(64);
        h.len = (uint32_t)(len + 1 + below(100));
        if (below(2))
            h.len = (uint32_t)(len - 1 - below((uint32_t)len - 1));
        h.error = 0;
        h.unique = in->unique;
        memcpy(buf, &h, sizeof h);
        send_raw(buf, len);
        return;
    case 2:
        /* A unique nobody asked: random, or the last one again (stale). */
        len = sizeof h + below(200);
        h.len = (uint32_t)len;
        h.error = below(2) ? 0 : -(int32_t)below(140);
        h.unique = below(2) ? rnd() | 2 : last_unique;
        memcpy(buf, &h, sizeof h);
        send_raw(buf, len);
        return;
    case 3:
        /* An answer to an INTERRUPT that was never sent. */
        h.len = sizeof h;
        h.error = -EAGAIN;
        h.unique = in->unique | 1;
        send_raw(&h, sizeof h);
        return;
    case 4: {
        /* Longer than any reply may be, for a unique nobody asked. */
        uint8_t *big = malloc(GF_HUGE);
        if (!big)
            return;
        memset(big, 0x5a, GF_HUGE);
        h.len = GF_HUGE;
        h.error = 0;
        h.unique = rnd() | 4;
        memcpy(big, &h, sizeof h);
        send_raw(big, GF_HUGE);
        free(big);
        return;
    }
    default:
        /* A notification (unique 0) with a random code and body. */
        len = sizeof h + below(128);
        h.len = (uint32_t)len;
        h.error = (int32_t)below(12);
        h.unique = 0;
        memcpy(buf, &h, sizeof h);
        send_raw(buf, len);
        return;
    }
}

/* The body an opcode's reply has when all is well. */
static size_t expected_size(uint32_t opcode, const uint8_t *body, size_t body_len)
{
    switch (opcode) {
    case FUSE_LOOKUP:
    case FUSE_MKNOD:
    case FUSE_MKDIR:
    case FUSE_SYMLINK:
    case FUSE_LINK:
        return sizeof(struct fuse_entry_out);
    case FUSE_CREATE:
        return sizeof(struct fuse_entry_out) + sizeof(struct fuse_open_out);
    case FUSE_GETATTR:
    case FUSE_SETATTR:
        return sizeof(struct fuse_attr_out);
    case FUSE_OPEN:
    case FUSE_OPENDIR:
        return sizeof(struct fuse_open_out);
    case FUSE_WRITE:
        return sizeof(struct fuse_write_out);
    case FUSE_STATFS:
        return sizeof(struct fuse_statfs_out);
    case FUSE_READ:
    case FUSE_READDIR:
    case FUSE_READDIRPLUS: {
        struct fuse_read_in r;
        if (body_len < sizeof r)
            return 64;
        memcpy(&r, body, sizeof r);
        return r.size;
    }
    case FUSE_GETXATTR:
    case FUSE_LISTXATTR:
        return sizeof(struct fuse_getxattr_out);
    case FUSE_LSEEK:
        return sizeof(struct fuse_lseek_out);
    case FUSE_GETLK:
        return sizeof(struct fuse_lk_out);
    case FUSE_BMAP:
        return sizeof(struct fuse_bmap_out);
    default:
        return 0;
    }
}

static void answer_init(const struct fuse_in_header *in, const uint8_t *body, size_t len)
{
    struct fuse_init_in ii;
    struct fuse_init_out out;

    memset(&ii, 0, sizeof ii);
    memcpy(&ii, body, len < sizeof ii ? len : sizeof ii);
    memset(&out, 0, sizeof out);
    out.major = FUSE_KERNEL_VERSION;
    out.minor = ii.minor < 31 ? ii.minor : 31;
    out.max_readahead = ii.max_readahead;
    out.flags = ii.flags & (FUSE_ASYNC_READ | FUSE_BIG_WRITES | FUSE_MAX_PAGES);
    out.max_background = 16;
    out.congestion_threshold = 12;
    out.max_write = 128 * 1024;
    out.time_gran = 1;
    out.max_pages = 32;
    replies++;
    send_reply(in->unique, 0, &out, sizeof out);
}

static void answer_garbage(const struct fuse_in_header *in, const uint8_t *body, size_t len)
{
    size_t want = expected_size(in->opcode, body, len);
    size_t body_len;
    uint8_t *out;
    int32_t error;

    switch (below(5)) {
    case 0:
        /* Any errno, even ones no FUSE file system would use. */
        queue_reply(in->unique, -(int32_t)(1 + below(133)), NULL, 0);
        return;
    case 1: {
        /* An error that is no errno at all. */
        static const int32_t odd[] = {1, 4096, -4096, -100000, INT32_MIN, INT32_MAX, -0x7fff};
        queue_reply(in->unique, odd[below(sizeof odd / sizeof odd[0])], NULL, 0);
        return;
    }
    case 2:
        /* Success with a body of the expected size, every byte random. */
        body_len = want;
        break;
    case 3:
        /* Success with a body a little off the expected size. */
        body_len = want + below(64);
        if (below(2))
            body_len = want > 0 ? want - 1 - below((uint32_t)want) : 0;
        break;
    default:
        /* Random size, random error or none. */
        body_len = below(512);
        break;
    }
    error = 0;
    if (below(8) == 0)
        error = -(int32_t)below(140);
    out = malloc(body_len + 1);
    if (!out)
        return;
    random_bytes(out, body_len);
    queue_reply(in->unique, error, out, body_len);
    free(out);
}

int main(int argc, char **argv)
{
    const char *mountpoint = NULL;
    bool good_init = true;
    int report = -1;
    unsigned long seed = 1;
    uint64_t last_unique = 0;
    uint8_t *buf;

    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--seed=", 7) == 0)
            seed = strtoul(argv[i] + 7, NULL, 10);
        else if (strcmp(argv[i], "--init=good") == 0)
            good_init = true;
        else if (strcmp(argv[i], "--init=garbage") == 0)
            good_init = false;
        else if (strncmp(argv[i], "--report-fd=", 12) == 0)
            report = atoi(argv[i] + 12);
        else if (argv[i][0] != '-' && !mountpoint)
            mountpoint = argv[i];
        else {
            fprintf(stderr, "usage: garbage_fs [--seed=N] [--init=good|garbage] "
                            "[--report-fd=N] /dev/fd/M\n");
            return 2;
        }
    }
    if (!mountpoint || sscanf(mountpoint, "/dev/fd/%d", &dev) != 1) {
        fprintf(stderr, "garbage_fs: the mount point must be /dev/fd/N\n");
        return 2;
    }
    rng_state = seed * 0x9e3779b97f4a7c15ull + 0x1234567;
    buf = malloc(GF_BUF);
    if (!buf)
        return 1;

    for (;;) {
        struct pollfd p = {dev, POLLIN, 0};
        struct fuse_in_header in;
        ssize_t n;
        int r = poll(&p, 1, nheld ? 10 : -1);

        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0) {
            /* Nothing more is coming for now: what was held back goes out. */
            flush_held();
            continue;
        }
        n = recv(dev, buf, GF_BUF, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if ((size_t)n < sizeof in)
            continue;
        memcpy(&in, buf, sizeof in);
        if (in.opcode == FUSE_DESTROY) {
            flush_held();
            replies++;
            send_reply(in.unique, 0, NULL, 0);
            continue;
        }
        if (in.opcode == FUSE_INIT && good_init) {
            answer_init(&in, buf + sizeof in, (size_t)n - sizeof in);
            last_unique = in.unique;
            continue;
        }
        for (unsigned k = below(4); k > 0; k--)
            send_noise(&in, last_unique);
        if (in.opcode == FUSE_FORGET || in.opcode == FUSE_BATCH_FORGET)
            continue;
        if (in.opcode == FUSE_INTERRUPT) {
            if (below(2))
                queue_reply(in.unique, -EAGAIN, NULL, 0);
            continue;
        }
        if (below(10) == 0) {
            /* Far too long, for this very request: it fails, nothing else follows. */
            uint8_t *big = calloc(1, GF_HUGE);
            struct fuse_out_header h = {GF_HUGE, 0, in.unique};
            if (big) {
                memcpy(big, &h, sizeof h);
                send_raw(big, GF_HUGE);
                free(big);
                replies++;
                last_unique = in.unique;
                continue;
            }
        }
        answer_garbage(&in, buf + sizeof in, (size_t)n - sizeof in);
        if (below(8) == 0)
            answer_garbage(&in, buf + sizeof in, (size_t)n - sizeof in); /* twice */
        last_unique = in.unique;
    }
    flush_held();
    if (report >= 0) {
        char line[96];
        int len = snprintf(line, sizeof line, "replies=%lu noise=%lu\n", replies, noise);
        if (write(report, line, (size_t)len) < 0)
            return 1;
    }
    free(buf);
    return 0;
}
