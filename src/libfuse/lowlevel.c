/*
 * lowlevel.c - the low-level session: FUSE requests in, fuse_lowlevel_ops
 * called, fuse_reply_*() out; notifications, interrupts and the INIT
 * negotiation, with libfuse 3.14's behaviour.
 *
 * The session knows nothing of how requests travel: it talks to a channel
 * (internal.h). Stream channels (/dev/fuse) get one read per request and
 * one write per reply. Transact channels (the engine, WinFuse's
 * DeviceIoControl) carry a reply and the next request in one call; for
 * them a reply made on the thread that received the request is held in
 * that thread (see "the per-thread reply slot") and rides along with the
 * thread's next receive. Every other reply, and every notification, goes
 * out at once, after whatever the thread holds, so the order a thread
 * produces messages in is the order the peer sees them.
 *
 * Requests are input from another party: every length is checked before a
 * structure or a name is read, and a malformed request is answered EIO.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "winfuse/fuse_proto.h"

#define OFFSET_MAX INT64_MAX
#define LL_VERSION_TEXT "3.14.0"

struct fuse_pollhandle {
    uint64_t kh;
    struct fuse_session *se;
};

struct fuse_req {
    struct fuse_session *se;
    uint64_t unique;
    int ctr;               /* references: the handler's, and an interrupt in delivery */
    pthread_mutex_t lock;  /* orders interrupt delivery against fuse_req_interrupt_func */
    struct fuse_ctx ctx;
    struct fuse_chan *ch;  /* where the reply goes (a clone's requests go back to it) */
    int interrupted;
    int ioctl_64bit;
    uint64_t intr_unique;  /* INTERRUPT requests: the request they interrupt */
    fuse_interrupt_func_t intr_func;
    void *intr_data;
    struct fuse_req *next, *prev;
};

/* A retrieve in flight: the kernel answers it with a NOTIFY_REPLY request. */
struct ll_retrieve {
    uint64_t unique;
    void *cookie;
    struct ll_retrieve *next;
};

struct fuse_session {
    pthread_mutex_t lock;
    struct fuse_chan *ch;
    char *mountpoint;          /* set when we mounted it and must unmount it */
    struct mount_opts *mo;
    int exited;                /* atomic */
    int error;                 /* atomic; what the loops return */
    int debug;
    int deny_others;           /* -o allow_root */
    uid_t owner;
    struct fuse_lowlevel_ops op;
    void *userdata;
    struct fuse_conn_info conn;
    int got_init;
    int got_destroy;
    size_t bufsize;
    struct fuse_req list;       /* requests being processed */
    struct fuse_req interrupts; /* INTERRUPTs whose request has not arrived */
    uint64_t notify_ctr;
    struct ll_retrieve *retrieves;
};

static size_t ll_pagesize(void)
{
    static size_t pagesize;
    if (!pagesize) {
        long p = sysconf(_SC_PAGESIZE);
        pagesize = p > 0 ? (size_t)p : 4096;
    }
    return pagesize;
}

/* ==== channels ============================================================ */

void fuse_chan_init(struct fuse_chan *ch, const struct fuse_chan_ops *ops, int fd)
{
    ch->ops = ops;
    ch->refs = 1;
    ch->fd = fd;
}

struct fuse_chan *fuse_chan_get(struct fuse_chan *ch)
{
    if (ch)
        __atomic_add_fetch(&ch->refs, 1, __ATOMIC_RELAXED);
    return ch;
}

void fuse_chan_put(struct fuse_chan *ch)
{
    if (ch && __atomic_sub_fetch(&ch->refs, 1, __ATOMIC_ACQ_REL) == 0)
        ch->ops->destroy(ch);
}

/* ==== requests ============================================================ */

static void list_init_req(struct fuse_req *r)
{
    r->next = r->prev = r;
}

static void list_del_req(struct fuse_req *r)
{
    r->prev->next = r->next;
    r->next->prev = r->prev;
    list_init_req(r);
}

static void list_add_req(struct fuse_req *r, struct fuse_req *head)
{
    r->next = head;
    r->prev = head->prev;
    head->prev->next = r;
    head->prev = r;
}

static struct fuse_req *ll_alloc_req(struct fuse_session *se)
{
    struct fuse_req *req = calloc(1, sizeof *req);
    if (!req) {
        fuse_log(FUSE_LOG_ERR, "fuse: failed to allocate request\n");
        return NULL;
    }
    req->se = se;
    req->ctr = 1;
    list_init_req(req);
    pthread_mutex_init(&req->lock, NULL);
    return req;
}

static void destroy_req(struct fuse_req *req)
{
    fuse_chan_put(req->ch);
    pthread_mutex_destroy(&req->lock);
    free(req);
}

/* The handler is done with req: it leaves the list; the last reference frees it. */
static void ll_free_req(struct fuse_req *req)
{
    struct fuse_session *se = req->se;
    int ctr;

    pthread_mutex_lock(&se->lock);
    req->intr_func = NULL;
    req->intr_data = NULL;
    list_del_req(req);
    ctr = --req->ctr;
    pthread_mutex_unlock(&se->lock);
    if (!ctr)
        destroy_req(req);
}

/* ==== the per-thread reply slot (transact channels) ======================= */

/*
 * receive arms the slot with the request it got; a reply to exactly that
 * request from this thread is kept (with a reference on its channel) and
 * handed to the next transact of this thread on the same channel. Only
 * the current request's reply waits, and only until the handler returns
 * to the loop: the loops flush the slot before a thread stops receiving.
 */
struct ll_slot {
    struct fuse_session *se;
    struct fuse_chan *ch;
    uint64_t unique;
    bool armed;
    struct fuse_chan *held; /* non-NULL: buf holds a reply for this channel */
    char *buf;
    size_t cap, len;
};

static pthread_key_t slot_key;
static pthread_once_t slot_once = PTHREAD_ONCE_INIT;
static bool slot_key_ok;

static int slot_flush(struct ll_slot *slot)
{
    struct fuse_chan *ch = slot->held;
    long res;

    if (!ch)
        return 0;
    slot->held = NULL;
    res = ch->ops->transact(ch, slot->buf, slot->len, NULL, 0);
    fuse_chan_put(ch);
    return res < 0 ? (int)res : 0;
}

static void slot_destructor(void *p)
{
    struct ll_slot *slot = p;
    slot_flush(slot);
    free(slot->buf);
    free(slot);
}

static void slot_key_create(void)
{
    slot_key_ok = pthread_key_create(&slot_key, slot_destructor) == 0;
}

static struct ll_slot *slot_get(bool create)
{
    struct ll_slot *slot;

    pthread_once(&slot_once, slot_key_create);
    if (!slot_key_ok)
        return NULL;
    slot = pthread_getspecific(slot_key);
    if (!slot && create) {
        slot = calloc(1, sizeof *slot);
        if (slot && pthread_setspecific(slot_key, slot) != 0) {
            free(slot);
            slot = NULL;
        }
    }
    return slot;
}

static size_t iov_length(const struct iovec *iov, int count)
{
    size_t len = 0;
    for (int i = 0; i < count; i++)
        len += iov[i].iov_len;
    return len;
}

static void iov_gather(char *dst, const struct iovec *iov, int count)
{
    for (int i = 0; i < count; i++) {
        if (iov[i].iov_len)
            memcpy(dst, iov[i].iov_base, iov[i].iov_len);
        dst += iov[i].iov_len;
    }
}

#define TRANSACT_SEND_DIRECT (16 * 1024)

static int transact_send(struct fuse_session *se, struct fuse_chan *ch, const struct iovec *iov,
    int count, size_t total, uint64_t unique)
{
    struct ll_slot *slot = slot_get(true);
    long res;

    if (!slot) {
        char *tmp = malloc(total);
        if (!tmp)
            return -ENOMEM;
        iov_gather(tmp, iov, count);
        res = ch->ops->transact(ch, tmp, total, NULL, 0);
        free(tmp);
        return res < 0 ? (int)res : 0;
    }
    /* Whatever this thread holds goes first: messages leave in the order made. */
    slot_flush(slot);
    /*
     * A large reply (READ data) goes at once, in its pieces: gathering it to
     * hold it for the next transact would copy it once more than it saves.
     */
    if (total >= TRANSACT_SEND_DIRECT && ch->ops->send) {
        slot->armed = false;
        res = ch->ops->send(ch, iov, count);
        return res < 0 ? (int)res : 0;
    }
    if (slot->cap < total) {
        char *nbuf = realloc(slot->buf, total);
        if (!nbuf)
            return -ENOMEM;
        slot->buf = nbuf;
        slot->cap = total;
    }
    iov_gather(slot->buf, iov, count);
    if (unique != 0 && slot->armed && slot->se == se && slot->ch == ch && slot->unique == unique) {
        slot->armed = false;
        slot->held = fuse_chan_get(ch);
        slot->len = total;
        return 0;
    }
    res = ch->ops->transact(ch, slot->buf, total, NULL, 0);
    return res < 0 ? (int)res : 0;
}

static long transact_receive(struct fuse_session *se, struct fuse_chan *ch, void *buf,
    size_t size)
{
    struct ll_slot *slot = slot_get(true);
    struct fuse_chan *held = NULL;
    const void *reply = NULL;
    size_t reply_len = 0;
    long res;

    if (slot) {
        slot->armed = false;
        if (slot->held == ch) {
            held = slot->held;
            slot->held = NULL;
            reply = slot->buf;
            reply_len = slot->len;
        } else {
            slot_flush(slot);
        }
    }
    res = ch->ops->transact(ch, reply, reply_len, buf, size);
    fuse_chan_put(held);
    if (slot && res >= (long)sizeof(struct fuse_in_header)) {
        struct fuse_in_header in;
        memcpy(&in, buf, sizeof in);
        slot->se = se;
        slot->ch = ch;
        slot->unique = in.unique;
        slot->armed = true;
    }
    return res;
}

void fuse_session_flush_int(struct fuse_session *se)
{
    struct ll_slot *slot = slot_get(false);
    (void)se;
    if (slot) {
        slot->armed = false;
        slot_flush(slot);
    }
}

/* ==== sending ============================================================= */

static int send_msg(struct fuse_session *se, struct fuse_chan *ch, struct iovec *iov, int count)
{
    struct fuse_out_header *out = iov[0].iov_base;
    size_t total = iov_length(iov, count);
    int res;

    if (total > UINT32_MAX)
        return -EINVAL;
    out->len = (uint32_t)total;
    if (se->debug) {
        if (out->unique == 0)
            fuse_log(FUSE_LOG_DEBUG, "NOTIFY: code=%d length=%u\n", out->error, out->len);
        else if (out->error)
            fuse_log(FUSE_LOG_DEBUG, "   unique: %llu, error: %i (%s), outsize: %u\n",
                (unsigned long long)out->unique, out->error, strerror(-out->error), out->len);
        else
            fuse_log(FUSE_LOG_DEBUG, "   unique: %llu, success, outsize: %u\n",
                (unsigned long long)out->unique, out->len);
    }
    if (!ch)
        ch = se->ch;
    if (!ch)
        return -ENOTCONN;
    if (ch->ops->transact)
        res = transact_send(se, ch, iov, count, total, out->unique);
    else
        res = ch->ops->send(ch, iov, count);
    /* ENOENT: the request was interrupted and its reply is not wanted. */
    if (res < 0 && res != -ENOENT && !fuse_session_exited(se))
        fuse_log(FUSE_LOG_ERR, "fuse: writing device: %s\n", strerror(-res));
    return res;
}

static int send_reply_iov_nofree(fuse_req_t req, int error, struct iovec *iov, int count)
{
    struct fuse_out_header out;

    if (error <= -1000 || error > 0) {
        fuse_log(FUSE_LOG_ERR, "fuse: bad error value: %i\n", error);
        error = -ERANGE;
    }
    out.unique = req->unique;
    out.error = error;
    out.len = 0;
    iov[0].iov_base = &out;
    iov[0].iov_len = sizeof out;
    return send_msg(req->se, req->ch, iov, count);
}

static int send_reply_iov(fuse_req_t req, int error, struct iovec *iov, int count)
{
    int res = send_reply_iov_nofree(req, error, iov, count);
    ll_free_req(req);
    return res;
}

static int send_reply(fuse_req_t req, int error, const void *arg, size_t argsize)
{
    struct iovec iov[2];
    int count = 1;

    if (argsize) {
        iov[1].iov_base = (void *)arg;
        iov[1].iov_len = argsize;
        count++;
    }
    return send_reply_iov(req, error, iov, count);
}

static int send_reply_ok(fuse_req_t req, const void *arg, size_t argsize)
{
    return send_reply(req, 0, arg, argsize);
}

/* ==== replies ============================================================= */

int fuse_reply_err(fuse_req_t req, int err)
{
    return send_reply(req, -err, NULL, 0);
}

void fuse_reply_none(fuse_req_t req)
{
    ll_free_req(req);
}

static unsigned long timeout_sec(double t)
{
    if (t > (double)ULONG_MAX)
        return ULONG_MAX;
    if (t < 0.0)
        return 0;
    return (unsigned long)t;
}

static unsigned timeout_nsec(double t)
{
    double f = t - (double)timeout_sec(t);
    if (f < 0.0)
        return 0;
    if (f >= 0.999999999)
        return 999999999;
    return (unsigned)(f * 1.0e9);
}

static void convert_stat(const struct stat *st, struct fuse_attr *attr)
{
    attr->ino = st->st_ino;
    attr->mode = st->st_mode;
    attr->nlink = (uint32_t)st->st_nlink;
    attr->uid = st->st_uid;
    attr->gid = st->st_gid;
    attr->rdev = (uint32_t)st->st_rdev;
    attr->size = (uint64_t)st->st_size;
    attr->blksize = (uint32_t)st->st_blksize;
    attr->blocks = (uint64_t)st->st_blocks;
    attr->atime = (uint64_t)st->st_atim.tv_sec;
    attr->mtime = (uint64_t)st->st_mtim.tv_sec;
    attr->ctime = (uint64_t)st->st_ctim.tv_sec;
    attr->atimensec = (uint32_t)st->st_atim.tv_nsec;
    attr->mtimensec = (uint32_t)st->st_mtim.tv_nsec;
    attr->ctimensec = (uint32_t)st->st_ctim.tv_nsec;
}

static void fill_entry(struct fuse_entry_out *arg, const struct fuse_entry_param *e)
{
    arg->nodeid = e->ino;
    arg->generation = e->generation;
    arg->entry_valid = timeout_sec(e->entry_timeout);
    arg->entry_valid_nsec = timeout_nsec(e->entry_timeout);
    arg->attr_valid = timeout_sec(e->attr_timeout);
    arg->attr_valid_nsec = timeout_nsec(e->attr_timeout);
    convert_stat(&e->attr, &arg->attr);
}

static void fill_open(struct fuse_open_out *arg, const struct fuse_file_info *fi)
{
    arg->fh = fi->fh;
    if (fi->direct_io)
        arg->open_flags |= FOPEN_DIRECT_IO;
    if (fi->keep_cache)
        arg->open_flags |= FOPEN_KEEP_CACHE;
    if (fi->cache_readdir)
        arg->open_flags |= FOPEN_CACHE_DIR;
    if (fi->nonseekable)
        arg->open_flags |= FOPEN_NONSEEKABLE;
    if (fi->noflush)
        arg->open_flags |= FOPEN_NOFLUSH;
}

int fuse_reply_entry(fuse_req_t req, const struct fuse_entry_param *e)
{
    struct fuse_entry_out arg;
    size_t size = req->se->conn.proto_minor < 9 ? FUSE_COMPAT_ENTRY_OUT_SIZE : sizeof arg;

    /* Before 7.4 a zero node id was not a negative entry: only ENOENT was. */
    if (!e->ino && req->se->conn.proto_minor < 4)
        return fuse_reply_err(req, ENOENT);
    memset(&arg, 0, sizeof arg);
    fill_entry(&arg, e);
    return send_reply_ok(req, &arg, size);
}

int fuse_reply_create(fuse_req_t req, const struct fuse_entry_param *e,
    const struct fuse_file_info *fi)
{
    char buf[sizeof(struct fuse_entry_out) + sizeof(struct fuse_open_out)];
    size_t entrysize = req->se->conn.proto_minor < 9 ? FUSE_COMPAT_ENTRY_OUT_SIZE :
                                                       sizeof(struct fuse_entry_out);
    struct fuse_entry_out earg;
    struct fuse_open_out oarg;

    memset(&earg, 0, sizeof earg);
    memset(&oarg, 0, sizeof oarg);
    fill_entry(&earg, e);
    fill_open(&oarg, fi);
    memcpy(buf, &earg, entrysize);
    memcpy(buf + entrysize, &oarg, sizeof oarg);
    return send_reply_ok(req, buf, entrysize + sizeof oarg);
}

int fuse_reply_attr(fuse_req_t req, const struct stat *attr, double attr_timeout)
{
    struct fuse_attr_out arg;
    size_t size = req->se->conn.proto_minor < 9 ? FUSE_COMPAT_ATTR_OUT_SIZE : sizeof arg;

    memset(&arg, 0, sizeof arg);
    arg.attr_valid = timeout_sec(attr_timeout);
    arg.attr_valid_nsec = timeout_nsec(attr_timeout);
    convert_stat(attr, &arg.attr);
    return send_reply_ok(req, &arg, size);
}

int fuse_reply_readlink(fuse_req_t req, const char *link)
{
    return send_reply_ok(req, link, strlen(link));
}

int fuse_reply_open(fuse_req_t req, const struct fuse_file_info *fi)
{
    struct fuse_open_out arg;

    memset(&arg, 0, sizeof arg);
    fill_open(&arg, fi);
    return send_reply_ok(req, &arg, sizeof arg);
}

int fuse_reply_write(fuse_req_t req, size_t count)
{
    struct fuse_write_out arg;

    memset(&arg, 0, sizeof arg);
    arg.size = (uint32_t)count;
    return send_reply_ok(req, &arg, sizeof arg);
}

int fuse_reply_buf(fuse_req_t req, const char *buf, size_t size)
{
    return send_reply_ok(req, buf, size);
}

/*
 * The data of a bufvec as one iovec: the memory itself when it is a
 * single untouched memory buffer, a copy otherwise (*tofree). No splice:
 * fd buffers are read like any other.
 */
static int bufvec_to_iov(struct fuse_bufvec *bufv, struct iovec *iov, void **tofree)
{
    size_t len = fuse_buf_size(bufv);
    struct fuse_bufvec mem;
    ssize_t res;
    void *m;

    *tofree = NULL;
    if (bufv->count == 1 && bufv->idx == 0 && bufv->off == 0 &&
        !(bufv->buf[0].flags & FUSE_BUF_IS_FD)) {
        iov->iov_base = bufv->buf[0].mem;
        iov->iov_len = len;
        return 0;
    }
    if (len == SIZE_MAX)
        return -EINVAL;
    m = malloc(len ? len : 1);
    if (!m)
        return -ENOMEM;
    mem = FUSE_BUFVEC_INIT(len);
    mem.buf[0].mem = m;
    res = fuse_buf_copy(&mem, bufv, 0);
    if (res < 0) {
        free(m);
        return (int)res;
    }
    iov->iov_base = m;
    iov->iov_len = (size_t)res;
    *tofree = m;
    return 0;
}

int fuse_reply_data(fuse_req_t req, struct fuse_bufvec *bufv, enum fuse_buf_copy_flags flags)
{
    struct iovec iov[2];
    void *tofree;
    int res;

    (void)flags;
    res = bufvec_to_iov(bufv, &iov[1], &tofree);
    if (res < 0)
        return fuse_reply_err(req, -res);
    res = send_reply_iov(req, 0, iov, 2);
    free(tofree);
    return res;
}

int fuse_reply_iov(fuse_req_t req, const struct iovec *iov, int count)
{
    struct iovec *padded;
    int res;

    if (count < 0)
        return fuse_reply_err(req, EINVAL);
    padded = malloc(((size_t)count + 1) * sizeof *padded);
    if (!padded)
        return fuse_reply_err(req, ENOMEM);
    if (count)
        memcpy(padded + 1, iov, (size_t)count * sizeof *padded);
    res = send_reply_iov(req, 0, padded, count + 1);
    free(padded);
    return res;
}

int fuse_reply_statfs(fuse_req_t req, const struct statvfs *stbuf)
{
    struct fuse_statfs_out arg;
    size_t size = req->se->conn.proto_minor < 4 ? FUSE_COMPAT_STATFS_SIZE : sizeof arg;

    memset(&arg, 0, sizeof arg);
    arg.st.bsize = (uint32_t)stbuf->f_bsize;
    arg.st.frsize = (uint32_t)stbuf->f_frsize;
    arg.st.blocks = stbuf->f_blocks;
    arg.st.bfree = stbuf->f_bfree;
    arg.st.bavail = stbuf->f_bavail;
    arg.st.files = stbuf->f_files;
    arg.st.ffree = stbuf->f_ffree;
    arg.st.namelen = (uint32_t)stbuf->f_namemax;
    return send_reply_ok(req, &arg, size);
}

int fuse_reply_xattr(fuse_req_t req, size_t count)
{
    struct fuse_getxattr_out arg;

    memset(&arg, 0, sizeof arg);
    arg.size = (uint32_t)count;
    return send_reply_ok(req, &arg, sizeof arg);
}

int fuse_reply_lock(fuse_req_t req, const struct flock *lock)
{
    struct fuse_lk_out arg;

    memset(&arg, 0, sizeof arg);
    arg.lk.type = (uint32_t)lock->l_type;
    if (lock->l_type != F_UNLCK) {
        arg.lk.start = (uint64_t)lock->l_start;
        if (lock->l_len == 0)
            arg.lk.end = OFFSET_MAX;
        else
            arg.lk.end = (uint64_t)(lock->l_start + lock->l_len - 1);
    }
    arg.lk.pid = (uint32_t)lock->l_pid;
    return send_reply_ok(req, &arg, sizeof arg);
}

int fuse_reply_bmap(fuse_req_t req, uint64_t idx)
{
    struct fuse_bmap_out arg;

    memset(&arg, 0, sizeof arg);
    arg.block = idx;
    return send_reply_ok(req, &arg, sizeof arg);
}

static struct fuse_ioctl_iovec *ioctl_iovec_copy(const struct iovec *iov, size_t count)
{
    struct fuse_ioctl_iovec *fiov = malloc(sizeof *fiov * (count ? count : 1));
    if (!fiov)
        return NULL;
    for (size_t i = 0; i < count; i++) {
        fiov[i].base = (uintptr_t)iov[i].iov_base;
        fiov[i].len = iov[i].iov_len;
    }
    return fiov;
}

int fuse_reply_ioctl_retry(fuse_req_t req, const struct iovec *in_iov, size_t in_count,
    const struct iovec *out_iov, size_t out_count)
{
    struct fuse_ioctl_out arg;
    struct fuse_ioctl_iovec *in_fiov = NULL, *out_fiov = NULL;
    struct iovec iov[4];
    int count = 1;
    int res;

    if (in_count > FUSE_IOCTL_MAX_IOV || out_count > FUSE_IOCTL_MAX_IOV)
        return fuse_reply_err(req, EINVAL);
    memset(&arg, 0, sizeof arg);
    arg.flags |= FUSE_IOCTL_RETRY;
    arg.in_iovs = (uint32_t)in_count;
    arg.out_iovs = (uint32_t)out_count;
    iov[count].iov_base = &arg;
    iov[count].iov_len = sizeof arg;
    count++;

    if (req->se->conn.proto_minor < 16) {
        /* Old kernels took the caller's struct iovec array as it is. */
        if (in_count) {
            iov[count].iov_base = (void *)in_iov;
            iov[count].iov_len = sizeof in_iov[0] * in_count;
            count++;
        }
        if (out_count) {
            iov[count].iov_base = (void *)out_iov;
            iov[count].iov_len = sizeof out_iov[0] * out_count;
            count++;
        }
    } else {
        /* A 32-bit server cannot describe a 64-bit caller's buffers. */
        if (sizeof(void *) == 4 && req->ioctl_64bit)
            return fuse_reply_err(req, EINVAL);
        if (in_count) {
            in_fiov = ioctl_iovec_copy(in_iov, in_count);
            if (!in_fiov)
                goto enomem;
            iov[count].iov_base = in_fiov;
            iov[count].iov_len = sizeof in_fiov[0] * in_count;
            count++;
        }
        if (out_count) {
            out_fiov = ioctl_iovec_copy(out_iov, out_count);
            if (!out_fiov)
                goto enomem;
            iov[count].iov_base = out_fiov;
            iov[count].iov_len = sizeof out_fiov[0] * out_count;
            count++;
        }
    }
    res = send_reply_iov(req, 0, iov, count);
    free(in_fiov);
    free(out_fiov);
    return res;

enomem:
    free(in_fiov);
    free(out_fiov);
    return fuse_reply_err(req, ENOMEM);
}

int fuse_reply_ioctl(fuse_req_t req, int result, const void *buf, size_t size)
{
    struct fuse_ioctl_out arg;
    struct iovec iov[3];
    int count = 1;

    memset(&arg, 0, sizeof arg);
    arg.result = result;
    iov[count].iov_base = &arg;
    iov[count].iov_len = sizeof arg;
    count++;
    if (size) {
        iov[count].iov_base = (void *)buf;
        iov[count].iov_len = size;
        count++;
    }
    return send_reply_iov(req, 0, iov, count);
}

int fuse_reply_ioctl_iov(fuse_req_t req, int result, const struct iovec *iov, int count)
{
    struct fuse_ioctl_out arg;
    struct iovec *padded;
    int res;

    if (count < 0)
        return fuse_reply_err(req, EINVAL);
    padded = malloc(((size_t)count + 2) * sizeof *padded);
    if (!padded)
        return fuse_reply_err(req, ENOMEM);
    memset(&arg, 0, sizeof arg);
    arg.result = result;
    padded[1].iov_base = &arg;
    padded[1].iov_len = sizeof arg;
    if (count)
        memcpy(&padded[2], iov, (size_t)count * sizeof *padded);
    res = send_reply_iov(req, 0, padded, count + 2);
    free(padded);
    return res;
}

int fuse_reply_poll(fuse_req_t req, unsigned revents)
{
    struct fuse_poll_out arg;

    memset(&arg, 0, sizeof arg);
    arg.revents = revents;
    return send_reply_ok(req, &arg, sizeof arg);
}

int fuse_reply_lseek(fuse_req_t req, off_t off)
{
    struct fuse_lseek_out arg;

    memset(&arg, 0, sizeof arg);
    arg.offset = (uint64_t)off;
    return send_reply_ok(req, &arg, sizeof arg);
}

size_t fuse_add_direntry(fuse_req_t req, char *buf, size_t bufsize, const char *name,
    const struct stat *stbuf, off_t off)
{
    size_t namelen = strlen(name);
    size_t entlen = FUSE_NAME_OFFSET + namelen;
    size_t padded = FUSE_DIRENT_ALIGN(entlen);
    struct fuse_dirent d;

    (void)req;
    if (!buf || padded > bufsize)
        return padded;
    d.ino = stbuf->st_ino;
    d.off = (uint64_t)off;
    d.namelen = (uint32_t)namelen;
    d.type = (stbuf->st_mode & S_IFMT) >> 12;
    memcpy(buf, &d, FUSE_NAME_OFFSET);
    memcpy(buf + FUSE_NAME_OFFSET, name, namelen);
    memset(buf + entlen, 0, padded - entlen);
    return padded;
}

size_t fuse_add_direntry_plus(fuse_req_t req, char *buf, size_t bufsize, const char *name,
    const struct fuse_entry_param *e, off_t off)
{
    size_t namelen = strlen(name);
    size_t entlen = FUSE_NAME_OFFSET_DIRENTPLUS + namelen;
    size_t padded = FUSE_DIRENT_ALIGN(entlen);
    struct fuse_entry_out eo;
    struct fuse_dirent d;

    (void)req;
    if (!buf || padded > bufsize)
        return padded;
    memset(&eo, 0, sizeof eo);
    fill_entry(&eo, e);
    d.ino = e->attr.st_ino;
    d.off = (uint64_t)off;
    d.namelen = (uint32_t)namelen;
    d.type = (e->attr.st_mode & S_IFMT) >> 12;
    memcpy(buf, &eo, sizeof eo);
    memcpy(buf + sizeof eo, &d, FUSE_NAME_OFFSET);
    memcpy(buf + FUSE_NAME_OFFSET_DIRENTPLUS, name, namelen);
    memset(buf + entlen, 0, padded - entlen);
    return padded;
}

/* ==== request decoding helpers ============================================ */

/* The request's fixed argument: at least min bytes; the rest of *dst zeroed. */
static bool take_arg(void *dst, size_t dstsize, const char *arg, size_t len, size_t min)
{
    if (len < min)
        return false;
    memset(dst, 0, dstsize);
    memcpy(dst, arg, len < dstsize ? len : dstsize);
    return true;
}

/* A NUL-terminated string at *p within *left bytes; steps past it. */
static const char *take_str(const char **p, size_t *left)
{
    const char *s = *p;
    const char *nul = *left ? memchr(s, 0, *left) : NULL;
    size_t n;

    if (!nul)
        return NULL;
    n = (size_t)(nul - s) + 1;
    *p += n;
    *left -= n;
    return s;
}

static void bad_request(fuse_req_t req)
{
    fuse_log(FUSE_LOG_ERR, "fuse: malformed request (unique %llu)\n",
        (unsigned long long)req->unique);
    fuse_reply_err(req, EIO);
}

#define ARG(var, minsize)                                                \
    do {                                                                 \
        if (!take_arg(&(var), sizeof(var), arg, len, (minsize))) {       \
            bad_request(req);                                            \
            return;                                                      \
        }                                                                \
    } while (0)

/* Step past the fixed argument of off bytes to the names behind it. */
#define SKIP(off)                                                        \
    do {                                                                 \
        if (len < (off)) {                                               \
            bad_request(req);                                            \
            return;                                                      \
        }                                                                \
        arg += (off);                                                    \
        len -= (off);                                                    \
    } while (0)

#define STR(var)                                                         \
    do {                                                                 \
        if (!((var) = take_str(&arg, &len))) {                           \
            bad_request(req);                                            \
            return;                                                      \
        }                                                                \
    } while (0)

#define MINOR (req->se->conn.proto_minor)
#define OP (req->se->op)

typedef void (*ll_handler)(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len);

/* ==== the operations ====================================================== */

static void do_lookup(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    const char *name;
    STR(name);
    if (OP.lookup)
        OP.lookup(req, nodeid, name);
    else
        fuse_reply_err(req, ENOSYS);
}

static void do_forget(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_forget_in a;

    /* FORGET has no reply, not even to a malformed one. */
    if (!take_arg(&a, sizeof a, arg, len, sizeof a)) {
        fuse_reply_none(req);
        return;
    }
    if (OP.forget)
        OP.forget(req, nodeid, a.nlookup);
    else
        fuse_reply_none(req);
}

static void do_batch_forget(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_batch_forget_in a;
    struct fuse_forget_data *items;
    size_t count;

    (void)nodeid;
    if (!take_arg(&a, sizeof a, arg, len, sizeof a) ||
        a.count > (len - sizeof a) / sizeof(struct fuse_forget_one)) {
        fuse_reply_none(req);
        return;
    }
    count = a.count;
    /* struct fuse_forget_one and fuse_forget_data are both {u64, u64}; copy to align. */
    items = malloc((count ? count : 1) * sizeof *items);
    if (!items) {
        fuse_reply_none(req);
        return;
    }
    memcpy(items, arg + sizeof a, count * sizeof *items);
    if (OP.forget_multi) {
        OP.forget_multi(req, count, items);
    } else if (OP.forget) {
        for (size_t i = 0; i < count; i++) {
            struct fuse_req *one = ll_alloc_req(req->se);
            if (!one)
                break;
            one->unique = req->unique;
            one->ctx = req->ctx;
            OP.forget(one, items[i].ino, items[i].nlookup);
        }
        fuse_reply_none(req);
    } else {
        fuse_reply_none(req);
    }
    free(items);
}

static void do_getattr(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_file_info fi, *fip = NULL;

    if (MINOR >= 9 && len >= sizeof(struct fuse_getattr_in)) {
        struct fuse_getattr_in a;
        memcpy(&a, arg, sizeof a);
        if (a.getattr_flags & FUSE_GETATTR_FH) {
            memset(&fi, 0, sizeof fi);
            fi.fh = a.fh;
            fip = &fi;
        }
    }
    if (OP.getattr)
        OP.getattr(req, nodeid, fip);
    else
        fuse_reply_err(req, ENOSYS);
}

static void do_setattr(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_setattr_in a;
    struct fuse_file_info fi, *fip = NULL;
    struct stat st;
    int valid;

    ARG(a, sizeof a);
    if (!OP.setattr) {
        fuse_reply_err(req, ENOSYS);
        return;
    }
    memset(&st, 0, sizeof st);
    st.st_mode = a.mode;
    st.st_uid = a.uid;
    st.st_gid = a.gid;
    st.st_size = (off_t)a.size;
    st.st_atim.tv_sec = (time_t)a.atime;
    st.st_atim.tv_nsec = a.atimensec;
    st.st_mtim.tv_sec = (time_t)a.mtime;
    st.st_mtim.tv_nsec = a.mtimensec;
    st.st_ctim.tv_sec = (time_t)a.ctime;
    st.st_ctim.tv_nsec = a.ctimensec;
    if (a.valid & FATTR_FH) {
        memset(&fi, 0, sizeof fi);
        fi.fh = a.fh;
        fip = &fi;
    }
    /* FATTR_* and FUSE_SET_ATTR_* share their bit values; pass the known ones. */
    valid = (int)(a.valid & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID |
        FUSE_SET_ATTR_SIZE | FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_KILL_SUID |
        FUSE_SET_ATTR_KILL_SGID | FUSE_SET_ATTR_ATIME_NOW | FUSE_SET_ATTR_MTIME_NOW |
        FUSE_SET_ATTR_CTIME));
    OP.setattr(req, nodeid, &st, valid, fip);
}

static void do_access(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_access_in a;
    ARG(a, sizeof a);
    if (OP.access)
        OP.access(req, nodeid, (int)a.mask);
    else
        fuse_reply_err(req, ENOSYS);
}

static void do_readlink(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    (void)arg;
    (void)len;
    if (OP.readlink)
        OP.readlink(req, nodeid);
    else
        fuse_reply_err(req, ENOSYS);
}

static void do_mknod(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_mknod_in a;
    size_t size = MINOR >= 12 ? sizeof a : FUSE_COMPAT_MKNOD_IN_SIZE;
    const char *name;

    ARG(a, size);
    if (MINOR >= 12)
        req->ctx.umask = a.umask;
    SKIP(size);
    STR(name);
    if (OP.mknod)
        OP.mknod(req, nodeid, name, a.mode, a.rdev);
    else
        fuse_reply_err(req, ENOSYS);
}

static void do_mkdir(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_mkdir_in a;
    const char *name;

    ARG(a, sizeof a);
    if (MINOR >= 12)
        req->ctx.umask = a.umask;
    SKIP(sizeof a);
    STR(name);
    if (OP.mkdir)
        OP.mkdir(req, nodeid, name, a.mode);
    else
        fuse_reply_err(req, ENOSYS);
}

static void do_unlink(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    const char *name;
    STR(name);
    if (OP.unlink)
        OP.unlink(req, nodeid, name);
    else
        fuse_reply_err(req, ENOSYS);
}

static void do_rmdir(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    const char *name;
    STR(name);
    if (OP.rmdir)
        OP.rmdir(req, nodeid, name);
    else
        fuse_reply_err(req, ENOSYS);
}

static void do_symlink(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    const char *name, *link;
    STR(name);
    STR(link);
    if (OP.symlink)
        OP.symlink(req, link, nodeid, name);
    else
        fuse_reply_err(req, ENOSYS);
}

static void do_rename(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_rename_in a;
    const char *oldname, *newname;

    ARG(a, sizeof a);
    SKIP(sizeof a);
    STR(oldname);
    STR(newname);
    if (OP.rename)
        OP.rename(req, nodeid, oldname, a.newdir, newname, 0);
    else
        fuse_reply_err(req, ENOSYS);
}

static void do_rename2(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_rename2_in a;
    const char *oldname, *newname;

    ARG(a, sizeof a);
    SKIP(sizeof a);
    STR(oldname);
    STR(newname);
    if (OP.rename)
        OP.rename(req, nodeid, oldname, a.newdir, newname, a.flags);
    else
        fuse_reply_err(req, ENOSYS);
}

static void do_link(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_link_in a;
    const char *name;

    ARG(a, sizeof a);
    SKIP(sizeof a);
    STR(name);
    if (OP.link)
        OP.link(req, a.oldnodeid, nodeid, name);
    else
        fuse_reply_err(req, ENOSYS);
}

static void do_create(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_create_in a;
    size_t size = MINOR >= 12 ? sizeof a : sizeof(struct fuse_open_in);
    struct fuse_file_info fi;
    const char *name;

    ARG(a, size);
    if (MINOR >= 12)
        req->ctx.umask = a.umask;
    SKIP(size);
    STR(name);
    if (!OP.create) {
        fuse_reply_err(req, ENOSYS);
        return;
    }
    memset(&fi, 0, sizeof fi);
    fi.flags = (int)a.flags;
    OP.create(req, nodeid, name, a.mode, &fi);
}

static void do_open(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_open_in a;
    struct fuse_file_info fi;

    ARG(a, sizeof a);
    memset(&fi, 0, sizeof fi);
    fi.flags = (int)a.flags;
    if (OP.open)
        OP.open(req, nodeid, &fi);
    else
        fuse_reply_open(req, &fi);
}

static void do_read(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_read_in a;
    struct fuse_file_info fi;

    ARG(a, MINOR >= 9 ? sizeof a : 24);
    if (!OP.read) {
        fuse_reply_err(req, ENOSYS);
        return;
    }
    memset(&fi, 0, sizeof fi);
    fi.fh = a.fh;
    if (MINOR >= 9) {
        fi.lock_owner = a.lock_owner;
        fi.flags = (int)a.flags;
    }
    OP.read(req, nodeid, a.size, (off_t)a.offset, &fi);
}

static void do_write(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_write_in a;
    size_t size = MINOR >= 9 ? sizeof a : FUSE_COMPAT_WRITE_IN_SIZE;
    struct fuse_file_info fi;

    ARG(a, size);
    SKIP(size);
    if (len < a.size) {
        fuse_log(FUSE_LOG_ERR, "fuse: do_write: buffer size too small\n");
        fuse_reply_err(req, EIO);
        return;
    }
    memset(&fi, 0, sizeof fi);
    fi.fh = a.fh;
    fi.writepage = (a.write_flags & FUSE_WRITE_CACHE) != 0;
    if (MINOR >= 9) {
        fi.lock_owner = a.lock_owner;
        fi.flags = (int)a.flags;
    }
    if (OP.write_buf) {
        struct fuse_bufvec bufv = FUSE_BUFVEC_INIT(a.size);
        bufv.buf[0].mem = (void *)arg;
        OP.write_buf(req, nodeid, &bufv, (off_t)a.offset, &fi);
    } else if (OP.write) {
        OP.write(req, nodeid, arg, a.size, (off_t)a.offset, &fi);
    } else {
        fuse_reply_err(req, ENOSYS);
    }
}

static void do_flush(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_flush_in a;
    struct fuse_file_info fi;

    ARG(a, sizeof a);
    memset(&fi, 0, sizeof fi);
    fi.fh = a.fh;
    fi.flush = 1;
    if (MINOR >= 7)
        fi.lock_owner = a.lock_owner;
    if (OP.flush)
        OP.flush(req, nodeid, &fi);
    else
        fuse_reply_err(req, ENOSYS);
}

static void do_release(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_release_in a;
    struct fuse_file_info fi;

    ARG(a, MINOR >= 8 ? sizeof a : 16);
    memset(&fi, 0, sizeof fi);
    fi.flags = (int)a.flags;
    fi.fh = a.fh;
    if (MINOR >= 8) {
        fi.flush = (a.release_flags & FUSE_RELEASE_FLUSH) ? 1 : 0;
        fi.lock_owner = a.lock_owner;
    }
    if (a.release_flags & FUSE_RELEASE_FLOCK_UNLOCK) {
        fi.flock_release = 1;
        fi.lock_owner = a.lock_owner;
    }
    if (OP.release)
        OP.release(req, nodeid, &fi);
    else
        fuse_reply_err(req, 0);
}

static void do_fsync(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_fsync_in a;
    struct fuse_file_info fi;

    ARG(a, sizeof a);
    memset(&fi, 0, sizeof fi);
    fi.fh = a.fh;
    if (OP.fsync)
        OP.fsync(req, nodeid, (int)(a.fsync_flags & 1), &fi);
    else
        fuse_reply_err(req, ENOSYS);
}

static void do_opendir(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_open_in a;
    struct fuse_file_info fi;

    ARG(a, sizeof a);
    memset(&fi, 0, sizeof fi);
    fi.flags = (int)a.flags;
    if (OP.opendir)
        OP.opendir(req, nodeid, &fi);
    else
        fuse_reply_open(req, &fi);
}

static void do_readdir(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_read_in a;
    struct fuse_file_info fi;

    ARG(a, MINOR >= 9 ? sizeof a : 24);
    memset(&fi, 0, sizeof fi);
    fi.fh = a.fh;
    if (OP.readdir)
        OP.readdir(req, nodeid, a.size, (off_t)a.offset, &fi);
    else
        fuse_reply_err(req, ENOSYS);
}

static void do_readdirplus(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_read_in a;
    struct fuse_file_info fi;

    ARG(a, sizeof a);
    memset(&fi, 0, sizeof fi);
    fi.fh = a.fh;
    if (OP.readdirplus)
        OP.readdirplus(req, nodeid, a.size, (off_t)a.offset, &fi);
    else
        fuse_reply_err(req, ENOSYS);
}

static void do_releasedir(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_release_in a;
    struct fuse_file_info fi;

    ARG(a, MINOR >= 8 ? sizeof a : 16);
    memset(&fi, 0, sizeof fi);
    fi.flags = (int)a.flags;
    fi.fh = a.fh;
    if (OP.releasedir)
        OP.releasedir(req, nodeid, &fi);
    else
        fuse_reply_err(req, 0);
}

static void do_fsyncdir(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_fsync_in a;
    struct fuse_file_info fi;

    ARG(a, sizeof a);
    memset(&fi, 0, sizeof fi);
    fi.fh = a.fh;
    if (OP.fsyncdir)
        OP.fsyncdir(req, nodeid, (int)(a.fsync_flags & 1), &fi);
    else
        fuse_reply_err(req, ENOSYS);
}

static void do_statfs(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    (void)arg;
    (void)len;
    if (OP.statfs) {
        OP.statfs(req, nodeid);
    } else {
        struct statvfs buf;
        memset(&buf, 0, sizeof buf);
        buf.f_namemax = 255;
        buf.f_bsize = 512;
        fuse_reply_statfs(req, &buf);
    }
}

static void do_setxattr(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_setxattr_in a;
    const char *name;

    /*
     * We never offer FUSE_SETXATTR_EXT, so the argument is the short
     * (size, flags) form and the name follows it.
     */
    ARG(a, FUSE_COMPAT_SETXATTR_IN_SIZE);
    SKIP(FUSE_COMPAT_SETXATTR_IN_SIZE);
    STR(name);
    if (len < a.size) {
        bad_request(req);
        return;
    }
    if (OP.setxattr)
        OP.setxattr(req, nodeid, name, arg, a.size, (int)a.flags);
    else
        fuse_reply_err(req, ENOSYS);
}

static void do_getxattr(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_getxattr_in a;
    const char *name;

    ARG(a, sizeof a);
    SKIP(sizeof a);
    STR(name);
    if (OP.getxattr)
        OP.getxattr(req, nodeid, name, a.size);
    else
        fuse_reply_err(req, ENOSYS);
}

static void do_listxattr(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_getxattr_in a;

    ARG(a, sizeof a);
    if (OP.listxattr)
        OP.listxattr(req, nodeid, a.size);
    else
        fuse_reply_err(req, ENOSYS);
}

static void do_removexattr(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    const char *name;
    STR(name);
    if (OP.removexattr)
        OP.removexattr(req, nodeid, name);
    else
        fuse_reply_err(req, ENOSYS);
}

static void convert_file_lock(const struct fuse_file_lock *fl, struct flock *lk)
{
    memset(lk, 0, sizeof *lk);
    lk->l_type = (short)fl->type;
    lk->l_whence = SEEK_SET;
    lk->l_start = (off_t)fl->start;
    if (fl->end == OFFSET_MAX)
        lk->l_len = 0;
    else
        lk->l_len = (off_t)(fl->end - fl->start + 1);
    lk->l_pid = (pid_t)fl->pid;
}

static void do_getlk(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_lk_in a;
    struct fuse_file_info fi;
    struct flock lk;

    ARG(a, sizeof a);
    memset(&fi, 0, sizeof fi);
    fi.fh = a.fh;
    fi.lock_owner = a.owner;
    convert_file_lock(&a.lk, &lk);
    if (OP.getlk)
        OP.getlk(req, nodeid, &fi, &lk);
    else
        fuse_reply_err(req, ENOSYS);
}

static void setlk_common(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len,
    int sleep)
{
    struct fuse_lk_in a;
    struct fuse_file_info fi;

    ARG(a, sizeof a);
    memset(&fi, 0, sizeof fi);
    fi.fh = a.fh;
    fi.lock_owner = a.owner;
    if (a.lk_flags & FUSE_LK_FLOCK) {
        int op = 0;
        switch (a.lk.type) {
        case F_RDLCK:
            op = LOCK_SH;
            break;
        case F_WRLCK:
            op = LOCK_EX;
            break;
        case F_UNLCK:
            op = LOCK_UN;
            break;
        }
        if (!sleep)
            op |= LOCK_NB;
        if (OP.flock)
            OP.flock(req, nodeid, &fi, op);
        else
            fuse_reply_err(req, ENOSYS);
    } else {
        struct flock lk;
        convert_file_lock(&a.lk, &lk);
        if (OP.setlk)
            OP.setlk(req, nodeid, &fi, &lk, sleep);
        else
            fuse_reply_err(req, ENOSYS);
    }
}

static void do_setlk(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    setlk_common(req, nodeid, arg, len, 0);
}

static void do_setlkw(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    setlk_common(req, nodeid, arg, len, 1);
}

static void do_bmap(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_bmap_in a;
    ARG(a, sizeof a);
    if (OP.bmap)
        OP.bmap(req, nodeid, a.blocksize, a.block);
    else
        fuse_reply_err(req, ENOSYS);
}

static void do_ioctl(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_ioctl_in a;
    struct fuse_file_info fi;

    ARG(a, sizeof a);
    SKIP(sizeof a);
    if (len < a.in_size) {
        bad_request(req);
        return;
    }
    if ((a.flags & FUSE_IOCTL_DIR) && !(req->se->conn.want & FUSE_CAP_IOCTL_DIR)) {
        fuse_reply_err(req, ENOTTY);
        return;
    }
    memset(&fi, 0, sizeof fi);
    fi.fh = a.fh;
    if (sizeof(void *) == 4 && MINOR >= 16 && !(a.flags & FUSE_IOCTL_32BIT))
        req->ioctl_64bit = 1;
    if (OP.ioctl)
        OP.ioctl(req, nodeid, a.cmd, (void *)(uintptr_t)a.arg, &fi, a.flags,
            a.in_size ? arg : NULL, a.in_size, a.out_size);
    else
        fuse_reply_err(req, ENOSYS);
}

void fuse_pollhandle_destroy(struct fuse_pollhandle *ph)
{
    free(ph);
}

static void do_poll(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_poll_in a;
    struct fuse_file_info fi;
    struct fuse_pollhandle *ph = NULL;

    ARG(a, sizeof a);
    if (!OP.poll) {
        fuse_reply_err(req, ENOSYS);
        return;
    }
    memset(&fi, 0, sizeof fi);
    fi.fh = a.fh;
    fi.poll_events = a.events;
    if (a.flags & FUSE_POLL_SCHEDULE_NOTIFY) {
        ph = malloc(sizeof *ph);
        if (!ph) {
            fuse_reply_err(req, ENOMEM);
            return;
        }
        ph->kh = a.kh;
        ph->se = req->se;
    }
    OP.poll(req, nodeid, &fi, ph);
}

static void do_fallocate(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_fallocate_in a;
    struct fuse_file_info fi;

    ARG(a, sizeof a);
    memset(&fi, 0, sizeof fi);
    fi.fh = a.fh;
    if (OP.fallocate)
        OP.fallocate(req, nodeid, (int)a.mode, (off_t)a.offset, (off_t)a.length, &fi);
    else
        fuse_reply_err(req, ENOSYS);
}

static void do_copy_file_range(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_copy_file_range_in a;
    struct fuse_file_info fi_in, fi_out;

    ARG(a, sizeof a);
    memset(&fi_in, 0, sizeof fi_in);
    fi_in.fh = a.fh_in;
    memset(&fi_out, 0, sizeof fi_out);
    fi_out.fh = a.fh_out;
    if (OP.copy_file_range)
        OP.copy_file_range(req, nodeid, (off_t)a.off_in, &fi_in, a.nodeid_out,
            (off_t)a.off_out, &fi_out, a.len, (int)a.flags);
    else
        fuse_reply_err(req, ENOSYS);
}

static void do_lseek(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_lseek_in a;
    struct fuse_file_info fi;

    ARG(a, sizeof a);
    memset(&fi, 0, sizeof fi);
    fi.fh = a.fh;
    if (OP.lseek)
        OP.lseek(req, nodeid, (off_t)a.offset, (int)a.whence, &fi);
    else
        fuse_reply_err(req, ENOSYS);
}

/* ==== interrupts ========================================================== */

/*
 * An INTERRUPT for a request being processed marks it and calls its
 * interrupt function; one for a request not seen yet waits in
 * se->interrupts until it arrives. Called with se->lock held; returns
 * true when ireq is done with (delivered, or a duplicate).
 */
static bool find_interrupted(struct fuse_session *se, struct fuse_req *ireq)
{
    struct fuse_req *curr;

    for (curr = se->list.next; curr != &se->list; curr = curr->next) {
        fuse_interrupt_func_t func;
        void *data;

        if (curr->unique != ireq->intr_unique)
            continue;
        curr->ctr++;
        pthread_mutex_unlock(&se->lock);

        /* req->lock before se->lock, as fuse_req_interrupt_func takes them. */
        pthread_mutex_lock(&curr->lock);
        pthread_mutex_lock(&se->lock);
        curr->interrupted = 1;
        func = curr->intr_func;
        data = curr->intr_data;
        pthread_mutex_unlock(&se->lock);
        if (func)
            func(curr, data);
        pthread_mutex_unlock(&curr->lock);

        pthread_mutex_lock(&se->lock);
        if (--curr->ctr == 0)
            destroy_req(curr);
        return true;
    }
    for (curr = se->interrupts.next; curr != &se->interrupts; curr = curr->next)
        if (curr->intr_unique == ireq->intr_unique)
            return true;
    return false;
}

static void do_interrupt(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_interrupt_in a;
    struct fuse_session *se = req->se;

    (void)nodeid;
    if (!take_arg(&a, sizeof a, arg, len, sizeof a)) {
        bad_request(req);
        return;
    }
    if (se->debug)
        fuse_log(FUSE_LOG_DEBUG, "INTERRUPT: %llu\n", (unsigned long long)a.unique);
    req->intr_unique = a.unique;
    pthread_mutex_lock(&se->lock);
    if (find_interrupted(se, req)) {
        pthread_mutex_unlock(&se->lock);
        destroy_req(req);
        return;
    }
    list_add_req(req, &se->interrupts);
    pthread_mutex_unlock(&se->lock);
}

/*
 * A new request arrives: if an INTERRUPT for it came first, it starts
 * interrupted. Otherwise the oldest waiting INTERRUPT is returned, to be
 * answered EAGAIN: the kernel then sends it again later, or drops it if
 * its request has finished meanwhile. Called with se->lock held.
 */
static struct fuse_req *check_interrupt(struct fuse_session *se, struct fuse_req *req)
{
    struct fuse_req *curr;

    for (curr = se->interrupts.next; curr != &se->interrupts; curr = curr->next) {
        if (curr->intr_unique == req->unique) {
            req->interrupted = 1;
            list_del_req(curr);
            destroy_req(curr);
            return NULL;
        }
    }
    curr = se->interrupts.next;
    if (curr == &se->interrupts)
        return NULL;
    list_del_req(curr);
    return curr;
}

void *fuse_req_userdata(fuse_req_t req)
{
    return req->se->userdata;
}

const struct fuse_ctx *fuse_req_ctx(fuse_req_t req)
{
    return &req->ctx;
}

void fuse_req_interrupt_func(fuse_req_t req, fuse_interrupt_func_t func, void *data)
{
    pthread_mutex_lock(&req->lock);
    pthread_mutex_lock(&req->se->lock);
    req->intr_func = func;
    req->intr_data = data;
    pthread_mutex_unlock(&req->se->lock);
    if (req->interrupted && func)
        func(req, data);
    pthread_mutex_unlock(&req->lock);
}

int fuse_req_interrupted(fuse_req_t req)
{
    int interrupted;

    pthread_mutex_lock(&req->se->lock);
    interrupted = req->interrupted;
    pthread_mutex_unlock(&req->se->lock);
    return interrupted;
}

int fuse_req_getgroups(fuse_req_t req, int size, gid_t list[])
{
    char path[64];
    size_t bufsize = 1024;
    unsigned long pid = (unsigned long)req->ctx.pid;
    char *buf = NULL;
    int ret;

    snprintf(path, sizeof path, "/proc/%lu/task/%lu/status", pid, pid);
    for (;;) {
        ssize_t n;
        int fd;

        free(buf);
        buf = malloc(bufsize + 1);
        if (!buf)
            return -ENOMEM;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd == -1) {
            free(buf);
            return -EIO;
        }
        n = read(fd, buf, bufsize);
        close(fd);
        if (n < 0) {
            free(buf);
            return -EIO;
        }
        if ((size_t)n < bufsize) {
            buf[n] = '\0';
            break;
        }
        bufsize *= 4;
    }
    {
        char *s = strstr(buf, "\nGroups:");
        if (!s) {
            free(buf);
            return -EIO;
        }
        s += strlen("\nGroups:");
        ret = 0;
        for (;;) {
            char *end;
            unsigned long val = strtoul(s, &end, 0);
            if (end == s)
                break;
            s = end;
            if (ret < size)
                list[ret] = (gid_t)val;
            ret++;
        }
    }
    free(buf);
    return ret;
}

/* ==== INIT and DESTROY ==================================================== */

/* INIT flag -> FUSE_CAP_* bit, as libfuse 3.14 maps them both ways. */
static const struct {
    uint64_t flag;
    unsigned cap;
} cap_map[] = {
    {FUSE_ASYNC_READ, FUSE_CAP_ASYNC_READ},
    {FUSE_POSIX_LOCKS, FUSE_CAP_POSIX_LOCKS},
    {FUSE_ATOMIC_O_TRUNC, FUSE_CAP_ATOMIC_O_TRUNC},
    {FUSE_EXPORT_SUPPORT, FUSE_CAP_EXPORT_SUPPORT},
    {FUSE_DONT_MASK, FUSE_CAP_DONT_MASK},
    {FUSE_FLOCK_LOCKS, FUSE_CAP_FLOCK_LOCKS},
    {FUSE_AUTO_INVAL_DATA, FUSE_CAP_AUTO_INVAL_DATA},
    {FUSE_DO_READDIRPLUS, FUSE_CAP_READDIRPLUS},
    {FUSE_READDIRPLUS_AUTO, FUSE_CAP_READDIRPLUS_AUTO},
    {FUSE_ASYNC_DIO, FUSE_CAP_ASYNC_DIO},
    {FUSE_WRITEBACK_CACHE, FUSE_CAP_WRITEBACK_CACHE},
    {FUSE_NO_OPEN_SUPPORT, FUSE_CAP_NO_OPEN_SUPPORT},
    {FUSE_PARALLEL_DIROPS, FUSE_CAP_PARALLEL_DIROPS},
    {FUSE_POSIX_ACL, FUSE_CAP_POSIX_ACL},
    {FUSE_HANDLE_KILLPRIV, FUSE_CAP_HANDLE_KILLPRIV},
    {FUSE_CACHE_SYMLINKS, FUSE_CAP_CACHE_SYMLINKS},
    {FUSE_NO_OPENDIR_SUPPORT, FUSE_CAP_NO_OPENDIR_SUPPORT},
    {FUSE_EXPLICIT_INVAL_DATA, FUSE_CAP_EXPLICIT_INVAL_DATA},
};

/* Capabilities libfuse 3.14 turns on by default when the kernel has them. */
static void ll_set_default(struct fuse_session *se, bool cond, unsigned cap)
{
    if (cond && (se->conn.capable & cap))
        se->conn.want |= cap;
}

/*
 * INIT runs before any other request can arrive (the peer waits for its
 * reply), an ordering ThreadSanitizer cannot see through the channel.
 */
__attribute__((no_sanitize("thread")))
static void do_init(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_session *se = req->se;
    struct fuse_init_in a;
    struct fuse_init_out out;
    size_t bufsize = se->bufsize;
    size_t outsize = sizeof out;
    uint64_t inflags = 0, outflags = 0;
    unsigned max_read_mo;

    (void)nodeid;
    if (!take_arg(&a, sizeof a, arg, len, 8) || (a.major == 7 && a.minor >= 6 && len < 16)) {
        bad_request(req);
        return;
    }
    if (se->debug) {
        fuse_log(FUSE_LOG_DEBUG, "INIT: %u.%u\n", a.major, a.minor);
        if (a.major == 7 && a.minor >= 6) {
            fuse_log(FUSE_LOG_DEBUG, "flags=0x%08x\n", a.flags);
            fuse_log(FUSE_LOG_DEBUG, "max_readahead=0x%08x\n", a.max_readahead);
        }
    }
    se->conn.proto_major = a.major;
    se->conn.proto_minor = a.minor;
    se->conn.capable = 0;
    se->conn.want = 0;

    memset(&out, 0, sizeof out);
    out.major = FUSE_KERNEL_VERSION;
    out.minor = FUSE_KERNEL_MINOR_VERSION;

    if (a.major < 7) {
        fuse_log(FUSE_LOG_ERR, "fuse: unsupported protocol version: %u.%u\n", a.major, a.minor);
        fuse_reply_err(req, EPROTO);
        return;
    }
    if (a.major > 7) {
        /* Tell a newer kernel our version; it sends a second INIT with 7.x. */
        send_reply_ok(req, &out, sizeof out);
        return;
    }

    if (a.minor >= 6) {
        if (a.max_readahead < se->conn.max_readahead)
            se->conn.max_readahead = a.max_readahead;
        inflags = a.flags;
        if (inflags & FUSE_INIT_EXT)
            inflags |= (uint64_t)a.flags2 << 32;
        for (size_t i = 0; i < sizeof cap_map / sizeof cap_map[0]; i++)
            if (inflags & cap_map[i].flag)
                se->conn.capable |= cap_map[i].cap;
        if (!(inflags & FUSE_MAX_PAGES)) {
            size_t max_bufsize =
                FUSE_DEFAULT_MAX_PAGES_PER_REQ * ll_pagesize() + FUSE_BUFFER_HEADER_SIZE;
            if (bufsize > max_bufsize)
                bufsize = max_bufsize;
        }
        if (a.minor >= 38)
            se->conn.capable |= FUSE_CAP_EXPIRE_ONLY;
    } else {
        se->conn.max_readahead = 0;
    }
    /*
     * Splice is offered as libfuse offers it (file systems may ask for it)
     * but never used: the data is copied, which every channel can carry.
     */
    if (se->conn.proto_minor >= 14)
        se->conn.capable |= FUSE_CAP_SPLICE_WRITE | FUSE_CAP_SPLICE_MOVE | FUSE_CAP_SPLICE_READ;
    if (se->conn.proto_minor >= 18)
        se->conn.capable |= FUSE_CAP_IOCTL_DIR;

    ll_set_default(se, true, FUSE_CAP_ASYNC_READ);
    ll_set_default(se, true, FUSE_CAP_PARALLEL_DIROPS);
    ll_set_default(se, true, FUSE_CAP_AUTO_INVAL_DATA);
    ll_set_default(se, true, FUSE_CAP_HANDLE_KILLPRIV);
    ll_set_default(se, true, FUSE_CAP_ASYNC_DIO);
    ll_set_default(se, true, FUSE_CAP_IOCTL_DIR);
    ll_set_default(se, true, FUSE_CAP_ATOMIC_O_TRUNC);
    ll_set_default(se, se->op.write_buf != NULL, FUSE_CAP_SPLICE_READ);
    ll_set_default(se, se->op.getlk && se->op.setlk, FUSE_CAP_POSIX_LOCKS);
    ll_set_default(se, se->op.flock != NULL, FUSE_CAP_FLOCK_LOCKS);
    ll_set_default(se, se->op.readdirplus != NULL, FUSE_CAP_READDIRPLUS);
    ll_set_default(se, se->op.readdirplus && se->op.readdir, FUSE_CAP_READDIRPLUS_AUTO);
    se->conn.time_gran = 1;

    if (bufsize < FUSE_MIN_READ_BUFFER) {
        fuse_log(FUSE_LOG_ERR, "fuse: warning: buffer size too small: %zu\n", bufsize);
        bufsize = FUSE_MIN_READ_BUFFER;
    }
    se->bufsize = bufsize;
    if (se->conn.max_write > bufsize - FUSE_BUFFER_HEADER_SIZE)
        se->conn.max_write = (unsigned)(bufsize - FUSE_BUFFER_HEADER_SIZE);

    se->got_init = 1;
    if (se->op.init)
        se->op.init(se->userdata, &se->conn);

    if (se->conn.want & ~se->conn.capable) {
        fuse_log(FUSE_LOG_ERR,
            "fuse: error: filesystem requested capabilities 0x%x that are not supported by "
            "kernel, aborting.\n",
            se->conn.want & ~se->conn.capable);
        fuse_reply_err(req, EPROTO);
        fuse_session_exit_error(se, -EPROTO);
        return;
    }
    max_read_mo = get_max_read(se->mo);
    if (se->conn.max_read != max_read_mo) {
        fuse_log(FUSE_LOG_ERR,
            "fuse: error: init() and fuse_session_new() requested different maximum read size "
            "(%u vs %u)\n",
            se->conn.max_read, max_read_mo);
        fuse_reply_err(req, EPROTO);
        fuse_session_exit_error(se, -EPROTO);
        return;
    }
    if (se->conn.max_write < bufsize - FUSE_BUFFER_HEADER_SIZE)
        se->bufsize = se->conn.max_write + FUSE_BUFFER_HEADER_SIZE;
    if (a.flags & FUSE_MAX_PAGES) {
        outflags |= FUSE_MAX_PAGES;
        out.max_pages = (uint16_t)((se->conn.max_write - 1) / ll_pagesize() + 1);
    }
    /* max_write supersedes big writes; always on. */
    outflags |= FUSE_BIG_WRITES;
    for (size_t i = 0; i < sizeof cap_map / sizeof cap_map[0]; i++)
        if (se->conn.want & cap_map[i].cap)
            outflags |= cap_map[i].flag;
    if (inflags & FUSE_INIT_EXT) {
        outflags |= FUSE_INIT_EXT;
        out.flags2 = (uint32_t)(outflags >> 32);
    }
    out.flags = (uint32_t)outflags;
    out.max_readahead = se->conn.max_readahead;
    out.max_write = se->conn.max_write;
    if (se->conn.proto_minor >= 13) {
        if (se->conn.max_background >= (1 << 16))
            se->conn.max_background = (1 << 16) - 1;
        if (se->conn.congestion_threshold > se->conn.max_background)
            se->conn.congestion_threshold = se->conn.max_background;
        if (!se->conn.congestion_threshold)
            se->conn.congestion_threshold = se->conn.max_background * 3 / 4;
        out.max_background = (uint16_t)se->conn.max_background;
        out.congestion_threshold = (uint16_t)se->conn.congestion_threshold;
    }
    if (se->conn.proto_minor >= 23)
        out.time_gran = se->conn.time_gran;
    if (se->debug) {
        fuse_log(FUSE_LOG_DEBUG, "   INIT: %u.%u\n", out.major, out.minor);
        fuse_log(FUSE_LOG_DEBUG, "   flags=0x%08x\n", out.flags);
        fuse_log(FUSE_LOG_DEBUG, "   max_readahead=0x%08x\n", out.max_readahead);
        fuse_log(FUSE_LOG_DEBUG, "   max_write=0x%08x\n", out.max_write);
        fuse_log(FUSE_LOG_DEBUG, "   max_background=%i\n", out.max_background);
        fuse_log(FUSE_LOG_DEBUG, "   congestion_threshold=%i\n", out.congestion_threshold);
        fuse_log(FUSE_LOG_DEBUG, "   time_gran=%u\n", out.time_gran);
    }
    if (a.minor < 5)
        outsize = FUSE_COMPAT_INIT_OUT_SIZE;
    else if (a.minor < 23)
        outsize = FUSE_COMPAT_22_INIT_OUT_SIZE;
    send_reply_ok(req, &out, outsize);
}

static void do_destroy(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_session *se = req->se;

    (void)nodeid;
    (void)arg;
    (void)len;
    se->got_destroy = 1;
    if (se->op.destroy)
        se->op.destroy(se->userdata);
    send_reply_ok(req, NULL, 0);
}

/* ==== notifications ======================================================= */

static int send_notify_iov(struct fuse_session *se, int code, struct iovec *iov, int count)
{
    struct fuse_out_header out;

    if (!se->got_init)
        return -ENOTCONN;
    out.unique = 0;
    out.error = code;
    out.len = 0;
    iov[0].iov_base = &out;
    iov[0].iov_len = sizeof out;
    return send_msg(se, NULL, iov, count);
}

int fuse_lowlevel_notify_poll(struct fuse_pollhandle *ph)
{
    struct fuse_notify_poll_wakeup_out outarg;
    struct iovec iov[2];

    if (!ph)
        return 0;
    outarg.kh = ph->kh;
    iov[1].iov_base = &outarg;
    iov[1].iov_len = sizeof outarg;
    return send_notify_iov(ph->se, FUSE_NOTIFY_POLL, iov, 2);
}

int fuse_lowlevel_notify_inval_inode(struct fuse_session *se, fuse_ino_t ino, off_t off,
    off_t len)
{
    struct fuse_notify_inval_inode_out outarg;
    struct iovec iov[2];

    if (!se)
        return -EINVAL;
    if (se->conn.proto_minor < 12)
        return -ENOSYS;
    outarg.ino = ino;
    outarg.off = (int64_t)off;
    outarg.len = (int64_t)len;
    iov[1].iov_base = &outarg;
    iov[1].iov_len = sizeof outarg;
    return send_notify_iov(se, FUSE_NOTIFY_INVAL_INODE, iov, 2);
}

int fuse_lowlevel_notify_expire_entry(struct fuse_session *se, fuse_ino_t parent,
    const char *name, size_t namelen, enum fuse_expire_flags flags)
{
    struct fuse_notify_inval_entry_out outarg;
    struct iovec iov[3];

    if (!se)
        return -EINVAL;
    if (se->conn.proto_minor < 12)
        return -ENOSYS;
    outarg.parent = parent;
    outarg.namelen = (uint32_t)namelen;
    outarg.flags = 0;
    if (flags & FUSE_LL_EXPIRE_ONLY)
        outarg.flags |= FUSE_EXPIRE_ONLY;
    iov[1].iov_base = &outarg;
    iov[1].iov_len = sizeof outarg;
    iov[2].iov_base = (void *)name;
    iov[2].iov_len = namelen + 1;
    return send_notify_iov(se, FUSE_NOTIFY_INVAL_ENTRY, iov, 3);
}

int fuse_lowlevel_notify_inval_entry(struct fuse_session *se, fuse_ino_t parent,
    const char *name, size_t namelen)
{
    return fuse_lowlevel_notify_expire_entry(se, parent, name, namelen, 0);
}

int fuse_lowlevel_notify_delete(struct fuse_session *se, fuse_ino_t parent, fuse_ino_t child,
    const char *name, size_t namelen)
{
    struct fuse_notify_delete_out outarg;
    struct iovec iov[3];

    if (!se)
        return -EINVAL;
    if (se->conn.proto_minor < 18)
        return -ENOSYS;
    outarg.parent = parent;
    outarg.child = child;
    outarg.namelen = (uint32_t)namelen;
    outarg.padding = 0;
    iov[1].iov_base = &outarg;
    iov[1].iov_len = sizeof outarg;
    iov[2].iov_base = (void *)name;
    iov[2].iov_len = namelen + 1;
    return send_notify_iov(se, FUSE_NOTIFY_DELETE, iov, 3);
}

int fuse_lowlevel_notify_store(struct fuse_session *se, fuse_ino_t ino, off_t offset,
    struct fuse_bufvec *bufv, enum fuse_buf_copy_flags flags)
{
    struct fuse_notify_store_out outarg;
    struct iovec iov[3];
    void *tofree;
    int res;

    (void)flags;
    if (!se)
        return -EINVAL;
    if (se->conn.proto_minor < 15)
        return -ENOSYS;
    res = bufvec_to_iov(bufv, &iov[2], &tofree);
    if (res < 0)
        return res;
    outarg.nodeid = ino;
    outarg.offset = (uint64_t)offset;
    outarg.size = (uint32_t)iov[2].iov_len;
    outarg.padding = 0;
    iov[1].iov_base = &outarg;
    iov[1].iov_len = sizeof outarg;
    res = send_notify_iov(se, FUSE_NOTIFY_STORE, iov, 3);
    free(tofree);
    return res;
}

int fuse_lowlevel_notify_retrieve(struct fuse_session *se, fuse_ino_t ino, size_t size,
    off_t offset, void *cookie)
{
    struct fuse_notify_retrieve_out outarg;
    struct iovec iov[2];
    struct ll_retrieve *rr;
    int err;

    if (!se)
        return -EINVAL;
    if (se->conn.proto_minor < 15)
        return -ENOSYS;
    rr = malloc(sizeof *rr);
    if (!rr)
        return -ENOMEM;
    pthread_mutex_lock(&se->lock);
    rr->cookie = cookie;
    rr->unique = se->notify_ctr++;
    rr->next = se->retrieves;
    se->retrieves = rr;
    pthread_mutex_unlock(&se->lock);

    outarg.notify_unique = rr->unique;
    outarg.nodeid = ino;
    outarg.offset = (uint64_t)offset;
    outarg.size = (uint32_t)size;
    outarg.padding = 0;
    iov[1].iov_base = &outarg;
    iov[1].iov_len = sizeof outarg;
    err = send_notify_iov(se, FUSE_NOTIFY_RETRIEVE, iov, 2);
    if (err) {
        struct ll_retrieve **p;
        pthread_mutex_lock(&se->lock);
        for (p = &se->retrieves; *p; p = &(*p)->next) {
            if (*p == rr) {
                *p = rr->next;
                break;
            }
        }
        pthread_mutex_unlock(&se->lock);
        free(rr);
    }
    return err;
}

/* The kernel's data for a retrieve: a request with the retrieve's unique. */
static void do_notify_reply(fuse_req_t req, fuse_ino_t nodeid, const char *arg, size_t len)
{
    struct fuse_session *se = req->se;
    struct fuse_notify_retrieve_in a;
    struct ll_retrieve *rr = NULL, **p;

    pthread_mutex_lock(&se->lock);
    for (p = &se->retrieves; *p; p = &(*p)->next) {
        if ((*p)->unique == req->unique) {
            rr = *p;
            *p = rr->next;
            break;
        }
    }
    pthread_mutex_unlock(&se->lock);
    /* NOTIFY_REPLY is never answered. */
    if (!rr) {
        fuse_reply_none(req);
        return;
    }
    if (!take_arg(&a, sizeof a, arg, len, sizeof a) || len - sizeof a < a.size) {
        fuse_log(FUSE_LOG_ERR, "fuse: retrieve reply: buffer size too small\n");
        fuse_reply_none(req);
    } else if (se->op.retrieve_reply) {
        struct fuse_bufvec bufv = FUSE_BUFVEC_INIT(a.size);
        bufv.buf[0].mem = (void *)(arg + sizeof a);
        se->op.retrieve_reply(req, rr->cookie, nodeid, (off_t)a.offset, &bufv);
    } else {
        fuse_reply_none(req);
    }
    free(rr);
}

/* ==== dispatch ============================================================ */

static const struct {
    ll_handler func;
    const char *name;
} ll_ops[] = {
    [FUSE_LOOKUP] = {do_lookup, "LOOKUP"},
    [FUSE_FORGET] = {do_forget, "FORGET"},
    [FUSE_GETATTR] = {do_getattr, "GETATTR"},
    [FUSE_SETATTR] = {do_setattr, "SETATTR"},
    [FUSE_READLINK] = {do_readlink, "READLINK"},
    [FUSE_SYMLINK] = {do_symlink, "SYMLINK"},
    [FUSE_MKNOD] = {do_mknod, "MKNOD"},
    [FUSE_MKDIR] = {do_mkdir, "MKDIR"},
    [FUSE_UNLINK] = {do_unlink, "UNLINK"},
    [FUSE_RMDIR] = {do_rmdir, "RMDIR"},
    [FUSE_RENAME] = {do_rename, "RENAME"},
    [FUSE_LINK] = {do_link, "LINK"},
    [FUSE_OPEN] = {do_open, "OPEN"},
    [FUSE_READ] = {do_read, "READ"},
    [FUSE_WRITE] = {do_write, "WRITE"},
    [FUSE_STATFS] = {do_statfs, "STATFS"},
    [FUSE_RELEASE] = {do_release, "RELEASE"},
    [FUSE_FSYNC] = {do_fsync, "FSYNC"},
    [FUSE_SETXATTR] = {do_setxattr, "SETXATTR"},
    [FUSE_GETXATTR] = {do_getxattr, "GETXATTR"},
    [FUSE_LISTXATTR] = {do_listxattr, "LISTXATTR"},
    [FUSE_REMOVEXATTR] = {do_removexattr, "REMOVEXATTR"},
    [FUSE_FLUSH] = {do_flush, "FLUSH"},
    [FUSE_INIT] = {do_init, "INIT"},
    [FUSE_OPENDIR] = {do_opendir, "OPENDIR"},
    [FUSE_READDIR] = {do_readdir, "READDIR"},
    [FUSE_RELEASEDIR] = {do_releasedir, "RELEASEDIR"},
    [FUSE_FSYNCDIR] = {do_fsyncdir, "FSYNCDIR"},
    [FUSE_GETLK] = {do_getlk, "GETLK"},
    [FUSE_SETLK] = {do_setlk, "SETLK"},
    [FUSE_SETLKW] = {do_setlkw, "SETLKW"},
    [FUSE_ACCESS] = {do_access, "ACCESS"},
    [FUSE_CREATE] = {do_create, "CREATE"},
    [FUSE_INTERRUPT] = {do_interrupt, "INTERRUPT"},
    [FUSE_BMAP] = {do_bmap, "BMAP"},
    [FUSE_IOCTL] = {do_ioctl, "IOCTL"},
    [FUSE_POLL] = {do_poll, "POLL"},
    [FUSE_FALLOCATE] = {do_fallocate, "FALLOCATE"},
    [FUSE_DESTROY] = {do_destroy, "DESTROY"},
    [FUSE_NOTIFY_REPLY] = {do_notify_reply, "NOTIFY_REPLY"},
    [FUSE_BATCH_FORGET] = {do_batch_forget, "BATCH_FORGET"},
    [FUSE_READDIRPLUS] = {do_readdirplus, "READDIRPLUS"},
    [FUSE_RENAME2] = {do_rename2, "RENAME2"},
    [FUSE_COPY_FILE_RANGE] = {do_copy_file_range, "COPY_FILE_RANGE"},
    [FUSE_LSEEK] = {do_lseek, "LSEEK"},
};

#define LL_NOPS (sizeof ll_ops / sizeof ll_ops[0])

static const char *opname(uint32_t opcode)
{
    if (opcode >= LL_NOPS || !ll_ops[opcode].name)
        return "???";
    return ll_ops[opcode].name;
}

/* Opcodes a non-owner may still use under -o allow_root (they act on open files). */
static bool allowed_for_others(uint32_t opcode)
{
    switch (opcode) {
    case FUSE_INIT:
    case FUSE_READ:
    case FUSE_WRITE:
    case FUSE_FSYNC:
    case FUSE_RELEASE:
    case FUSE_READDIR:
    case FUSE_FSYNCDIR:
    case FUSE_RELEASEDIR:
    case FUSE_NOTIFY_REPLY:
    case FUSE_READDIRPLUS:
        return true;
    default:
        return false;
    }
}

void fuse_session_process_buf(struct fuse_session *se, const struct fuse_buf *buf)
{
    fuse_session_process_buf_int(se, buf, NULL);
}

void fuse_session_process_buf_int(struct fuse_session *se, const struct fuse_buf *buf,
    struct fuse_chan *ch)
{
    struct fuse_in_header in;
    struct fuse_req *req, *intr;
    const char *data;
    void *mbuf = NULL;
    size_t size;
    int err;

    if (buf->flags & FUSE_BUF_IS_FD) {
        /* We do not splice; bring the whole request into memory. */
        struct fuse_bufvec src = {1, 0, 0, {*buf}};
        struct fuse_bufvec dst = FUSE_BUFVEC_INIT(buf->size);
        ssize_t res;

        mbuf = malloc(buf->size ? buf->size : 1);
        if (!mbuf) {
            fuse_log(FUSE_LOG_ERR, "fuse: failed to allocate header\n");
            return;
        }
        dst.buf[0].mem = mbuf;
        res = fuse_buf_copy(&dst, &src, 0);
        if (res < 0 || (size_t)res < buf->size) {
            fuse_log(FUSE_LOG_ERR, "fuse: copy from pipe: short read\n");
            free(mbuf);
            return;
        }
        data = mbuf;
    } else {
        data = buf->mem;
    }
    size = buf->size;
    if (size < sizeof in) {
        fuse_log(FUSE_LOG_ERR, "fuse: short request: %zu bytes\n", size);
        goto out;
    }
    memcpy(&in, data, sizeof in);
    if (se->debug)
        fuse_log(FUSE_LOG_DEBUG,
            "unique: %llu, opcode: %s (%u), nodeid: %llu, insize: %zu, pid: %u\n",
            (unsigned long long)in.unique, opname(in.opcode), in.opcode,
            (unsigned long long)in.nodeid, size, in.pid);

    req = ll_alloc_req(se);
    if (!req) {
        struct fuse_out_header out = {sizeof out, -ENOMEM, in.unique};
        struct iovec iov = {&out, sizeof out};
        send_msg(se, ch, &iov, 1);
        goto out;
    }
    req->unique = in.unique;
    req->ctx.uid = in.uid;
    req->ctx.gid = in.gid;
    req->ctx.pid = (pid_t)in.pid;
    req->ch = fuse_chan_get(ch);

    err = EIO;
    if (in.len < sizeof in || in.len > size)
        goto reply_err;
    if (!se->got_init) {
        if (in.opcode != FUSE_INIT)
            goto reply_err;
    } else if (in.opcode == FUSE_INIT || in.opcode == CUSE_INIT) {
        goto reply_err;
    }
    err = EACCES;
    if (se->deny_others && in.uid != se->owner && in.uid != 0 && !allowed_for_others(in.opcode))
        goto reply_err;
    err = ENOSYS;
    if (in.opcode >= LL_NOPS || !ll_ops[in.opcode].func)
        goto reply_err;
    if (in.opcode != FUSE_INTERRUPT) {
        pthread_mutex_lock(&se->lock);
        intr = check_interrupt(se, req);
        list_add_req(req, &se->list);
        pthread_mutex_unlock(&se->lock);
        if (intr)
            fuse_reply_err(intr, EAGAIN);
    }
    ll_ops[in.opcode].func(req, in.nodeid, data + sizeof in, in.len - sizeof in);
out:
    free(mbuf);
    return;

reply_err:
    fuse_reply_err(req, err);
    goto out;
}

/* ==== receiving =========================================================== */

int fuse_session_receive_buf(struct fuse_session *se, struct fuse_buf *buf)
{
    return fuse_session_receive_buf_int(se, buf, NULL);
}

int fuse_session_receive_buf_int(struct fuse_session *se, struct fuse_buf *buf,
    struct fuse_chan *ch)
{
    long res;

    if (!ch)
        ch = se->ch;
    if (!ch)
        return -EBADF;
    if (!buf->mem) {
        buf->mem = malloc(se->bufsize);
        if (!buf->mem) {
            fuse_log(FUSE_LOG_ERR, "fuse: failed to allocate read buffer\n");
            return -ENOMEM;
        }
    }
    for (;;) {
        if (ch->ops->transact)
            res = transact_receive(se, ch, buf->mem, se->bufsize);
        else
            res = ch->ops->receive(ch, buf->mem, se->bufsize);
        if (res > 0)
            break;
        /* A request that did arrive is served even while exiting: its sender waits for it. */
        if (fuse_session_exited(se))
            return 0;
        if (res == 0)
            continue;
        if (res == -ENODEV) {
            /* Unmounted, or the connection was aborted: a normal end. */
            fuse_session_exit(se);
            return 0;
        }
        if (res != -EINTR && res != -EAGAIN)
            fuse_log(FUSE_LOG_ERR, "fuse: reading device: %s\n", strerror((int)-res));
        return (int)res;
    }
    if ((size_t)res < sizeof(struct fuse_in_header)) {
        fuse_log(FUSE_LOG_ERR, "short read on fuse device\n");
        return -EIO;
    }
    buf->size = (size_t)res;
    buf->flags &= ~FUSE_BUF_IS_FD;
    return (int)res;
}

int fuse_session_wait_int(struct fuse_session *se, int timeout_ms)
{
    struct fuse_chan *ch = se->ch;
    struct pollfd pfd;
    int res;

    if (!ch)
        return -EBADF;
    if (ch->ops->transact || ch->fd < 0)
        return 1;
    pfd.fd = ch->fd;
    pfd.events = POLLIN;
    pfd.revents = 0;
    res = poll(&pfd, 1, timeout_ms);
    if (res < 0)
        return -errno;
    return res > 0 ? 1 : 0;
}

struct fuse_chan *fuse_session_chan_int(struct fuse_session *se)
{
    return se->ch;
}

/* ==== the session ========================================================= */

struct ll_cmdopts {
    int debug;
    int allow_root;
};

static const struct fuse_opt ll_opt_spec[] = {
    {"debug", offsetof(struct ll_cmdopts, debug), 1},
    {"-d", offsetof(struct ll_cmdopts, debug), 1},
    {"--debug", offsetof(struct ll_cmdopts, debug), 1},
    {"allow_root", offsetof(struct ll_cmdopts, allow_root), 1},
    FUSE_OPT_END,
};

/* fuse_lowlevel_version() and fuse_lowlevel_help() live in helper.c. */

struct fuse_session *fuse_session_new(struct fuse_args *args, const struct fuse_lowlevel_ops *op,
    size_t op_size, void *userdata)
{
    struct ll_cmdopts opts = {0, 0};
    struct fuse_session *se;

    if (sizeof(struct fuse_lowlevel_ops) < op_size) {
        fuse_log(FUSE_LOG_ERR, "fuse: warning: library too old, some operations may not work\n");
        op_size = sizeof(struct fuse_lowlevel_ops);
    }
    if (!args || args->argc == 0) {
        fuse_log(FUSE_LOG_ERR, "fuse: empty argv passed to fuse_session_new().\n");
        return NULL;
    }
    se = calloc(1, sizeof *se);
    if (!se) {
        fuse_log(FUSE_LOG_ERR, "fuse: failed to allocate fuse object\n");
        return NULL;
    }
    se->conn.max_write = UINT_MAX;
    se->conn.max_readahead = UINT_MAX;

    if (fuse_opt_parse(args, &opts, ll_opt_spec, NULL) == -1)
        goto fail;
    se->debug = opts.debug;
    se->deny_others = opts.allow_root;
    /*
     * allow_root: the kernel lets everyone in (allow_other) and the
     * session turns away all but root and the owner.
     */
    if (se->deny_others && fuse_opt_add_arg(args, "-oallow_other") == -1)
        goto fail;
    se->mo = parse_mount_opts(args);
    if (!se->mo)
        goto fail;
    if (args->argc == 1 && args->argv[0][0] == '-') {
        fuse_log(FUSE_LOG_ERR,
            "fuse: warning: argv[0] looks like an option, but will be ignored\n");
    } else if (args->argc != 1) {
        fuse_log(FUSE_LOG_ERR, "fuse: unknown option(s): `");
        for (int i = 1; i < args->argc - 1; i++)
            fuse_log(FUSE_LOG_ERR, "%s ", args->argv[i]);
        fuse_log(FUSE_LOG_ERR, "%s'\n", args->argv[args->argc - 1]);
        goto fail;
    }
    if (se->debug)
        fuse_log(FUSE_LOG_DEBUG, "FUSE library version: %s\n", LL_VERSION_TEXT);

    se->bufsize = FUSE_MAX_MAX_PAGES * ll_pagesize() + FUSE_BUFFER_HEADER_SIZE;
    list_init_req(&se->list);
    list_init_req(&se->interrupts);
    se->notify_ctr = 1;
    pthread_mutex_init(&se->lock, NULL);
    memcpy(&se->op, op, op_size);
    se->owner = getuid();
    se->userdata = userdata;
    return se;

fail:
    if (se->mo)
        destroy_mount_opts(se->mo);
    free(se);
    return NULL;
}

int fuse_session_custom_io(struct fuse_session *se, const struct fuse_custom_io *io, int fd)
{
    struct fuse_chan *ch;

    if (fd < 0) {
        fuse_log(FUSE_LOG_ERR,
            "Invalid file descriptor value %d passed to fuse_session_custom_io()\n", fd);
        return -EBADF;
    }
    if (!io) {
        fuse_log(FUSE_LOG_ERR, "No custom IO passed to fuse_session_custom_io()\n");
        return -EINVAL;
    }
    if (!io->read || !io->writev) {
        fuse_log(FUSE_LOG_ERR,
            "io passed to fuse_session_custom_io() must implement both io->read() and "
            "io->writev\n");
        return -EINVAL;
    }
    if (se->ch) {
        fuse_log(FUSE_LOG_ERR, "fuse: session already has a channel\n");
        return -EBUSY;
    }
    ch = fuse_chan_custom_new(io, fd, se->userdata);
    if (!ch)
        return -ENOMEM;
    se->ch = ch;
    return 0;
}

/* "/dev/fd/N" exactly: the caller opened /dev/fuse and mounted for us. */
static int parse_fuse_fd(const char *mountpoint)
{
    const char *p;
    char *end;
    unsigned long n;

    if (strncmp(mountpoint, "/dev/fd/", 8) != 0)
        return -1;
    p = mountpoint + 8;
    if (*p < '0' || *p > '9')
        return -1;
    errno = 0;
    n = strtoul(p, &end, 10);
    if (errno || *end != '\0' || n > INT_MAX)
        return -1;
    return (int)n;
}

int fuse_session_mount(struct fuse_session *se, const char *mountpoint)
{
    struct fuse_chan *ch;
    int fd;

    if (se->ch) {
        fuse_log(FUSE_LOG_ERR, "fuse: session is already mounted\n");
        return -1;
    }
    /* Keep descriptors 0, 1 and 2 taken, so /dev/fuse never lands on them. */
    do {
        fd = open("/dev/null", O_RDWR);
        if (fd > 2)
            close(fd);
    } while (fd >= 0 && fd <= 2);

    fd = parse_fuse_fd(mountpoint);
    if (fd != -1) {
        if (fcntl(fd, F_GETFD) == -1) {
            fuse_log(FUSE_LOG_ERR, "fuse: Invalid file descriptor /dev/fd/%u\n", fd);
            return -1;
        }
        ch = fuse_chan_kernel_new(fd);
        if (!ch)
            return -1;
        se->ch = ch;
        return 0;
    }

    fd = fuse_kern_mount(mountpoint, se->mo);
    if (fd == -1)
        return -1;
    se->mountpoint = strdup(mountpoint);
    ch = se->mountpoint ? fuse_chan_kernel_new(fd) : NULL;
    if (!ch) {
        fuse_kern_unmount(mountpoint, fd);
        free(se->mountpoint);
        se->mountpoint = NULL;
        return -1;
    }
    se->ch = ch;
    return 0;
}

int fuse_session_mount_engine(struct fuse_session *se, struct wf_engine *engine)
{
    struct fuse_chan *ch;

    if (se->ch) {
        fuse_log(FUSE_LOG_ERR, "fuse: session is already mounted\n");
        return -1;
    }
    if (!engine) {
        fuse_log(FUSE_LOG_ERR, "fuse: no engine given\n");
        return -1;
    }
    ch = fuse_chan_engine_new(engine);
    if (!ch)
        return -1;
    se->ch = ch;
    return 0;
}

int fuse_session_fd(struct fuse_session *se)
{
    return se->ch ? se->ch->fd : -1;
}

void fuse_session_unmount(struct fuse_session *se)
{
    int fd = -1;

    if (!se->mountpoint)
        return;
    /* The descriptor must be closed before the unmount, or it would wait on us. */
    if (se->ch) {
        fd = se->ch->fd;
        se->ch->fd = -1;
        fuse_chan_put(se->ch);
        se->ch = NULL;
    }
    fuse_kern_unmount(se->mountpoint, fd);
    free(se->mountpoint);
    se->mountpoint = NULL;
}

void fuse_session_destroy(struct fuse_session *se)
{
    struct fuse_req *r;

    if (!se)
        return;
    if (se->got_init && !se->got_destroy && se->op.destroy)
        se->op.destroy(se->userdata);
    fuse_session_flush_int(se);
    while ((r = se->interrupts.next) != &se->interrupts) {
        list_del_req(r);
        destroy_req(r);
    }
    while (se->retrieves) {
        struct ll_retrieve *rr = se->retrieves;
        se->retrieves = rr->next;
        free(rr);
    }
    fuse_chan_put(se->ch);
    pthread_mutex_destroy(&se->lock);
    if (se->mo)
        destroy_mount_opts(se->mo);
    free(se->mountpoint);
    free(se);
}

void fuse_session_exit(struct fuse_session *se)
{
    __atomic_store_n(&se->exited, 1, __ATOMIC_SEQ_CST);
}

void fuse_session_exit_error(struct fuse_session *se, int error)
{
    __atomic_store_n(&se->error, error, __ATOMIC_SEQ_CST);
    __atomic_store_n(&se->exited, 1, __ATOMIC_SEQ_CST);
}

void fuse_session_reset(struct fuse_session *se)
{
    __atomic_store_n(&se->exited, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&se->error, 0, __ATOMIC_SEQ_CST);
}

int fuse_session_exited(struct fuse_session *se)
{
    return __atomic_load_n(&se->exited, __ATOMIC_SEQ_CST);
}

/* For the loops: the error they report, set by a signal or a failed INIT. */
int fuse_session_error_int(struct fuse_session *se)
{
    return __atomic_load_n(&se->error, __ATOMIC_SEQ_CST);
}
