/*
 * test_libfuse_lowlevel.c - our libfuse's low-level session, buffers and
 * loops, against libfuse 3.14's behaviour.
 *
 * Three kinds of cases:
 *   - a scripted kernel: the session gets fuse_session_custom_io() on one
 *     end of a SOCK_SEQPACKET pair and the test plays /dev/fuse on the
 *     other, writing requests byte by byte and checking the replies. The
 *     test thread drives the session itself (fuse_session_receive_buf +
 *     fuse_session_process_buf), so every step is deterministic;
 *   - fuse_buf_copy between memory and descriptors, including a
 *     randomized round trip with a fixed seed;
 *   - the engine channel: Debian's hello_ll example, unmodified (its file
 *     is included with main renamed), served through an in-process winfuse
 *     engine whose WinFsp side is a thread-safe queue, checked with WinFsp
 *     Create/Read/QueryDirectory requests; then loops, async replies,
 *     interrupts and notifications over the engine.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#define main hello_ll_main
#include WF_HELLO_LL_C
#undef main
#pragma GCC diagnostic pop

#include "unit/engine_harness.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <winfuse.h>

/* ======================================================================== */
/* The scripted kernel                                                      */
/* ======================================================================== */

static int kfd[2] = {-1, -1};
static struct fuse_session *kse;
static struct fuse_buf kbuf;
static uint64_t kunique;
static uint32_t kuid, kgid;
static uint8_t kreply[1 << 16];
static size_t kreply_len;

/* What the handlers saw. */
static struct {
    int init_calls, destroy_calls;
    struct fuse_conn_info conn;
    unsigned want_extra; /* init() asks for these on top */
    char name[256], name2[256];
    fuse_ino_t ino, ino2;
    mode_t mode, umask;
    dev_t rdev;
    unsigned flags;
    int to_set;
    struct stat st;
    bool have_fi;
    struct fuse_file_info fi;
    struct flock lk;
    int sleep, lockop;
    char data[4096];
    size_t size;
    off_t off;
    int forgets;
    uint64_t forget_sum;
    fuse_req_t held;          /* a request left unanswered on purpose */
    int interrupt_calls;
    int interrupted_at_start;
    void *cookie;
    struct fuse_pollhandle *ph;
    unsigned cmd;
} T;

static ssize_t k_read(int fd, void *buf, size_t len, void *userdata)
{
    (void)userdata;
    return read(fd, buf, len);
}

static ssize_t k_writev(int fd, struct iovec *iov, int count, void *userdata)
{
    (void)userdata;
    return writev(fd, iov, count);
}

static const struct fuse_custom_io k_io = {k_writev, k_read, NULL, NULL};

static void copy_name(char *dst, const char *src)
{
    snprintf(dst, 256, "%s", src);
}

/* ---- the handlers ---- */

static void t_init(void *userdata, struct fuse_conn_info *conn)
{
    (void)userdata;
    T.init_calls++;
    conn->want |= T.want_extra;
    conn->max_background = 20;
    T.conn = *conn;
}

static void t_destroy(void *userdata)
{
    (void)userdata;
    T.destroy_calls++;
}

static void t_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    struct fuse_entry_param e;

    copy_name(T.name, name);
    T.ino = parent;
    memset(&e, 0, sizeof e);
    if (strcmp(name, "neg") == 0) {
        e.ino = 0;
        e.entry_timeout = 2.0;
        fuse_reply_entry(req, &e);
        return;
    }
    if (strcmp(name, "f") != 0) {
        fuse_reply_err(req, ENOENT);
        return;
    }
    e.ino = 2;
    e.generation = 7;
    e.attr.st_ino = 2;
    e.attr.st_mode = S_IFREG | 0644;
    e.attr.st_nlink = 1;
    e.attr.st_size = 13;
    e.attr.st_mtim.tv_sec = 1000;
    e.attr.st_mtim.tv_nsec = 5;
    e.attr_timeout = 1.5;
    e.entry_timeout = 2.25;
    fuse_reply_entry(req, &e);
}

static void t_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
    T.forgets++;
    T.forget_sum += ino * 1000 + nlookup;
    fuse_reply_none(req);
}

static void t_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    struct stat st;

    T.ino = ino;
    T.have_fi = fi != NULL;
    if (fi)
        T.fi = *fi;
    memset(&st, 0, sizeof st);
    st.st_ino = ino;
    st.st_mode = S_IFDIR | 0755;
    st.st_nlink = 2;
    fuse_reply_attr(req, &st, 0.25);
}

static void t_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
    struct fuse_file_info *fi)
{
    T.ino = ino;
    T.st = *attr;
    T.to_set = to_set;
    T.have_fi = fi != NULL;
    if (fi)
        T.fi = *fi;
    fuse_reply_attr(req, attr, 1.0);
}

static void t_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
    T.ino = parent;
    copy_name(T.name, name);
    T.mode = mode;
    T.rdev = rdev;
    T.umask = fuse_req_ctx(req)->umask;
    fuse_reply_err(req, EEXIST);
}

static void t_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
    T.ino = parent;
    copy_name(T.name, name);
    T.mode = mode;
    T.umask = fuse_req_ctx(req)->umask;
    fuse_reply_err(req, EEXIST);
}

static void t_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
    T.ino = parent;
    copy_name(T.name, name);
    copy_name(T.name2, link);
    fuse_reply_err(req, EPERM);
}

static void t_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
    const char *newname, unsigned int flags)
{
    T.ino = parent;
    T.ino2 = newparent;
    copy_name(T.name, name);
    copy_name(T.name2, newname);
    T.flags = flags;
    fuse_reply_err(req, 0);
}

static void t_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
    T.ino = ino;
    T.ino2 = newparent;
    copy_name(T.name, newname);
    fuse_reply_err(req, EMLINK);
}

static void t_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    T.ino = ino;
    T.fi = *fi;
    fi->fh = 0x1234;
    fi->direct_io = 1;
    fi->keep_cache = 1;
    fi->noflush = 1;
    fuse_reply_open(req, fi);
}

static void t_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
    struct fuse_file_info *fi)
{
    struct fuse_entry_param e;

    T.ino = parent;
    copy_name(T.name, name);
    T.mode = mode;
    T.umask = fuse_req_ctx(req)->umask;
    T.fi = *fi;
    memset(&e, 0, sizeof e);
    e.ino = 9;
    e.attr.st_ino = 9;
    e.attr.st_mode = S_IFREG | mode;
    fi->fh = 77;
    fi->nonseekable = 1;
    fuse_reply_create(req, &e, fi);
}

static void on_interrupt(fuse_req_t req, void *data)
{
    (void)req;
    (void)data;
    T.interrupt_calls++;
}

static void t_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
    struct fuse_file_info *fi)
{
    T.ino = ino;
    T.size = size;
    T.off = off;
    T.fi = *fi;
    if (ino == 5) {
        /* Held: the test answers (or interrupts) it later. */
        T.held = req;
        T.interrupted_at_start = fuse_req_interrupted(req);
        fuse_req_interrupt_func(req, on_interrupt, NULL);
        return;
    }
    if (ino == 6) {
        /* Two memory pieces and a descriptor, as fuse_reply_data takes them. */
        int p[2];
        struct fuse_bufvec *bv = calloc(1, sizeof *bv + 2 * sizeof(struct fuse_buf));
        assert_int_equal(pipe(p), 0);
        assert_int_equal(write(p[1], "CD", 2), 2);
        close(p[1]);
        bv->count = 3;
        bv->buf[0].mem = (void *)"xA";
        bv->buf[0].size = 2;
        bv->buf[1].mem = (void *)"B";
        bv->buf[1].size = 1;
        bv->buf[2].flags = FUSE_BUF_IS_FD;
        bv->buf[2].fd = p[0];
        bv->buf[2].size = 2;
        bv->off = 1; /* skip the "x" */
        fuse_reply_data(req, bv, FUSE_BUF_SPLICE_MOVE);
        close(p[0]);
        free(bv);
        return;
    }
    if (ino == 7) {
        struct iovec iov[2] = {{(void *)"io", 2}, {(void *)"vec", 3}};
        fuse_reply_iov(req, iov, 2);
        return;
    }
    fuse_reply_buf(req, "0123456789", size < 10 ? size : 10);
}

static void t_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
    struct fuse_file_info *fi)
{
    T.ino = ino;
    T.size = size;
    T.off = off;
    T.fi = *fi;
    memcpy(T.data, buf, size < sizeof T.data ? size : sizeof T.data);
    fuse_reply_write(req, size);
}

static void t_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *bufv, off_t off,
    struct fuse_file_info *fi)
{
    struct fuse_bufvec dst = FUSE_BUFVEC_INIT(sizeof T.data);
    ssize_t n;

    T.ino = ino;
    T.off = off;
    T.fi = *fi;
    dst.buf[0].mem = T.data;
    n = fuse_buf_copy(&dst, bufv, 0);
    T.size = (size_t)n;
    fuse_reply_write(req, (size_t)n + 1000);
}

static void t_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    T.ino = ino;
    T.fi = *fi;
    fuse_reply_err(req, 0);
}

static void t_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
    size_t size, int flags)
{
    T.ino = ino;
    copy_name(T.name, name);
    memcpy(T.data, value, size);
    T.size = size;
    T.flags = (unsigned)flags;
    fuse_reply_err(req, 0);
}

static void t_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
    T.ino = ino;
    copy_name(T.name, name);
    if (size == 0)
        fuse_reply_xattr(req, 42);
    else
        fuse_reply_buf(req, "v", 1);
}

static void t_getlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, struct flock *lock)
{
    struct flock out = *lock;

    T.ino = ino;
    T.fi = *fi;
    T.lk = *lock;
    out.l_type = F_WRLCK;
    out.l_start = 10;
    out.l_len = 0; /* to the end */
    out.l_pid = 99;
    fuse_reply_lock(req, &out);
}

static void t_setlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, struct flock *lock,
    int sleep)
{
    T.ino = ino;
    T.fi = *fi;
    T.lk = *lock;
    T.sleep = sleep;
    fuse_reply_err(req, 0);
}

static void t_flock(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, int op)
{
    T.ino = ino;
    T.fi = *fi;
    T.lockop = op;
    fuse_reply_err(req, 0);
}

static void t_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
    struct fuse_file_info *fi)
{
    char buf[512];
    size_t n = 0;
    struct stat st;

    (void)fi;
    T.ino = ino;
    memset(&st, 0, sizeof st);
    st.st_ino = 1;
    st.st_mode = S_IFDIR;
    if (off == 0)
        n += fuse_add_direntry(req, buf + n, sizeof buf - n, ".", &st, 1);
    st.st_ino = 2;
    st.st_mode = S_IFREG;
    if (off <= 1)
        n += fuse_add_direntry(req, buf + n, sizeof buf - n, "file", &st, 2);
    fuse_reply_buf(req, buf, n < size ? n : size);
}

static void t_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
    struct fuse_file_info *fi)
{
    char buf[512];
    struct fuse_entry_param e;
    size_t n;

    (void)fi;
    (void)off;
    T.ino = ino;
    memset(&e, 0, sizeof e);
    e.ino = 2;
    e.attr.st_ino = 2;
    e.attr.st_mode = S_IFREG | 0600;
    e.entry_timeout = 3.0;
    n = fuse_add_direntry_plus(req, buf, sizeof buf, "abc", &e, 1);
    fuse_reply_buf(req, buf, n < size ? n : size);
}

static void t_ioctl(fuse_req_t req, fuse_ino_t ino, int cmd, void *arg,
    struct fuse_file_info *fi, unsigned flags, const void *in_buf, size_t in_bufsz,
    size_t out_bufsz)
{
    (void)arg;
    (void)flags;
    (void)out_bufsz;
    T.ino = ino;
    T.cmd = (unsigned)cmd;
    T.fi = *fi;
    T.size = in_bufsz;
    if (in_bufsz)
        memcpy(T.data, in_buf, in_bufsz);
    if (cmd == 2) {
        struct iovec in = {(void *)0x1000, 16};
        fuse_reply_ioctl_retry(req, &in, 1, NULL, 0);
        return;
    }
    fuse_reply_ioctl(req, 5, "out", 3);
}

static void t_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
    struct fuse_pollhandle *ph)
{
    T.ino = ino;
    T.fi = *fi;
    T.ph = ph;
    fuse_reply_poll(req, POLLIN);
}

static void t_retrieve_reply(fuse_req_t req, void *cookie, fuse_ino_t ino, off_t offset,
    struct fuse_bufvec *bufv)
{
    T.cookie = cookie;
    T.ino = ino;
    T.off = offset;
    T.size = fuse_buf_size(bufv);
    memcpy(T.data, bufv->buf[0].mem, T.size);
    fuse_reply_none(req);
}

static void t_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
    struct fuse_file_info *fi)
{
    T.ino = ino;
    T.mode = (mode_t)mode;
    T.off = offset;
    T.size = (size_t)length;
    T.fi = *fi;
    fuse_reply_err(req, 0);
}

static void t_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
    struct fuse_file_info *fi_in, fuse_ino_t ino_out, off_t off_out,
    struct fuse_file_info *fi_out, size_t len, int flags)
{
    T.ino = ino_in;
    T.ino2 = ino_out;
    T.off = off_in + off_out;
    T.fi = *fi_in;
    T.cookie = (void *)(uintptr_t)fi_out->fh;
    T.size = len;
    T.flags = (unsigned)flags;
    fuse_reply_write(req, len);
}

static void t_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
    struct fuse_file_info *fi)
{
    T.ino = ino;
    T.off = off;
    T.flags = (unsigned)whence;
    T.fi = *fi;
    fuse_reply_lseek(req, off + 100);
}

static void t_bmap(fuse_req_t req, fuse_ino_t ino, size_t blocksize, uint64_t idx)
{
    T.ino = ino;
    T.size = blocksize;
    fuse_reply_bmap(req, idx * 2);
}

static const struct fuse_lowlevel_ops t_ops = {
    .init = t_init,
    .destroy = t_destroy,
    .lookup = t_lookup,
    .forget = t_forget,
    .getattr = t_getattr,
    .setattr = t_setattr,
    .mknod = t_mknod,
    .mkdir = t_mkdir,
    .symlink = t_symlink,
    .rename = t_rename,
    .link = t_link,
    .open = t_open,
    .read = t_read,
    .write = t_write,
    .release = t_release,
    .setxattr = t_setxattr,
    .getxattr = t_getxattr,
    .create = t_create,
    .getlk = t_getlk,
    .setlk = t_setlk,
    .bmap = t_bmap,
    .ioctl = t_ioctl,
    .poll = t_poll,
    .retrieve_reply = t_retrieve_reply,
    .flock = t_flock,
    .fallocate = t_fallocate,
    .readdir = t_readdir,
    .readdirplus = t_readdirplus,
    .copy_file_range = t_copy_file_range,
    .lseek = t_lseek,
};

/* ---- the kernel's side ---- */

static int k_setup_ops(const struct fuse_lowlevel_ops *ops, const char *opt)
{
    char *argv[4] = {(char *)"test", NULL, NULL, NULL};
    struct fuse_args args = FUSE_ARGS_INIT(1, argv);

    if (opt) {
        argv[1] = (char *)"-o";
        argv[2] = (char *)opt;
        args.argc = 3;
    }
    memset(&T, 0, sizeof T);
    kuid = getuid();
    kgid = getgid();
    if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, kfd) != 0)
        return -1;
    kse = fuse_session_new(&args, ops, sizeof *ops, NULL);
    fuse_opt_free_args(&args);
    if (!kse)
        return -1;
    if (fuse_session_custom_io(kse, &k_io, kfd[0]) != 0)
        return -1;
    memset(&kbuf, 0, sizeof kbuf);
    return 0;
}

static int k_setup(void **state)
{
    (void)state;
    return k_setup_ops(&t_ops, NULL);
}

static int k_teardown(void **state)
{
    (void)state;
    if (kse)
        fuse_session_destroy(kse); /* closes kfd[0] */
    kse = NULL;
    if (kfd[1] >= 0)
        close(kfd[1]);
    kfd[0] = kfd[1] = -1;
    free(kbuf.mem);
    kbuf.mem = NULL;
    return 0;
}

/* Write one request; returns its unique. */
static uint64_t k_send2(uint32_t opcode, uint64_t nodeid, const void *a, size_t alen,
    const void *b, size_t blen)
{
    struct fuse_in_header in;
    struct iovec iov[3];

    memset(&in, 0, sizeof in);
    in.len = (uint32_t)(sizeof in + alen + blen);
    in.opcode = opcode;
    in.unique = ++kunique;
    in.nodeid = nodeid;
    in.uid = kuid;
    in.gid = kgid;
    in.pid = (uint32_t)getpid();
    iov[0].iov_base = &in;
    iov[0].iov_len = sizeof in;
    iov[1].iov_base = (void *)a;
    iov[1].iov_len = alen;
    iov[2].iov_base = (void *)b;
    iov[2].iov_len = blen;
    assert_int_equal(writev(kfd[1], iov, 3), (ssize_t)in.len);
    return in.unique;
}

static uint64_t k_send(uint32_t opcode, uint64_t nodeid, const void *a, size_t alen)
{
    return k_send2(opcode, nodeid, a, alen, NULL, 0);
}

/* The session takes one request and handles it. */
static void k_pump(void)
{
    int res = fuse_session_receive_buf(kse, &kbuf);
    assert_true(res > 0);
    fuse_session_process_buf(kse, &kbuf);
}

/* The next message the session sent, or false if there is none. */
static bool k_recv(void)
{
    ssize_t n = recv(kfd[1], kreply, sizeof kreply, MSG_DONTWAIT);
    if (n < 0)
        return false;
    assert_true((size_t)n >= sizeof(struct fuse_out_header));
    kreply_len = (size_t)n;
    assert_int_equal(((struct fuse_out_header *)kreply)->len, kreply_len);
    return true;
}

/* The reply to unique must be next, with this error; returns its body. */
static const void *k_reply(uint64_t unique, int error, size_t *body_len)
{
    const struct fuse_out_header *out = (const void *)kreply;

    if (!k_recv())
        fail_msg("no reply to request %llu", (unsigned long long)unique);
    assert_int_equal(out->unique, unique);
    assert_int_equal(out->error, error);
    if (body_len)
        *body_len = kreply_len - sizeof *out;
    return kreply + sizeof *out;
}

static void k_no_reply(void)
{
    if (k_recv())
        fail_msg("unexpected message: unique %llu error %d",
            (unsigned long long)((struct fuse_out_header *)kreply)->unique,
            ((struct fuse_out_header *)kreply)->error);
}

static struct fuse_init_out k_init_flags(uint32_t flags, uint32_t minor)
{
    struct fuse_init_in in;
    struct fuse_init_out out;
    const void *body;
    size_t len;
    uint64_t u;

    memset(&in, 0, sizeof in);
    in.major = 7;
    in.minor = minor;
    in.max_readahead = 65536;
    in.flags = flags;
    u = k_send(FUSE_INIT, 0, &in, sizeof in);
    k_pump();
    body = k_reply(u, 0, &len);
    memset(&out, 0, sizeof out);
    memcpy(&out, body, len < sizeof out ? len : sizeof out);
    return out;
}

#define KERNEL_FLAGS                                                                          \
    (FUSE_ASYNC_READ | FUSE_POSIX_LOCKS | FUSE_ATOMIC_O_TRUNC | FUSE_EXPORT_SUPPORT |         \
        FUSE_BIG_WRITES | FUSE_DONT_MASK | FUSE_FLOCK_LOCKS | FUSE_AUTO_INVAL_DATA |          \
        FUSE_DO_READDIRPLUS | FUSE_READDIRPLUS_AUTO | FUSE_ASYNC_DIO | FUSE_PARALLEL_DIROPS | \
        FUSE_HANDLE_KILLPRIV | FUSE_MAX_PAGES | FUSE_CACHE_SYMLINKS | FUSE_INIT_EXT)

static void k_init(void)
{
    k_init_flags(KERNEL_FLAGS, 38);
}

/* ---- scripted-kernel cases ---- */

static void init_negotiates_like_libfuse(void **state)
{
    struct fuse_init_out out;
    long page = sysconf(_SC_PAGESIZE);

    (void)state;
    out = k_init_flags(KERNEL_FLAGS, 38);
    assert_int_equal(T.init_calls, 1);
    assert_int_equal(out.major, 7);
    assert_int_equal(out.minor, 38);
    /* The defaults libfuse 3.14 turns on, each only because the kernel offered it. */
    assert_true(T.conn.want & FUSE_CAP_ASYNC_READ);
    assert_true(T.conn.want & FUSE_CAP_PARALLEL_DIROPS);
    assert_true(T.conn.want & FUSE_CAP_AUTO_INVAL_DATA);
    assert_true(T.conn.want & FUSE_CAP_HANDLE_KILLPRIV);
    assert_true(T.conn.want & FUSE_CAP_ASYNC_DIO);
    assert_true(T.conn.want & FUSE_CAP_IOCTL_DIR);
    assert_true(T.conn.want & FUSE_CAP_ATOMIC_O_TRUNC);
    assert_true(T.conn.want & FUSE_CAP_POSIX_LOCKS);  /* getlk and setlk are set */
    assert_true(T.conn.want & FUSE_CAP_FLOCK_LOCKS);
    assert_true(T.conn.want & FUSE_CAP_READDIRPLUS);
    assert_true(T.conn.want & FUSE_CAP_READDIRPLUS_AUTO);
    assert_false(T.conn.want & FUSE_CAP_EXPORT_SUPPORT); /* capable, not wanted by default */
    assert_true(T.conn.capable & FUSE_CAP_EXPORT_SUPPORT);
    assert_true(T.conn.capable & FUSE_CAP_CACHE_SYMLINKS);
    assert_true(T.conn.capable & FUSE_CAP_EXPIRE_ONLY);
    assert_false(T.conn.capable & FUSE_CAP_WRITEBACK_CACHE);
    assert_int_equal(T.conn.max_readahead, 65536);
    assert_int_equal(T.conn.time_gran, 1);
    assert_int_equal(T.conn.max_write, 256 * page);
    /* ... and what went back. */
    assert_true(out.flags & FUSE_BIG_WRITES);
    assert_true(out.flags & FUSE_ASYNC_READ);
    assert_true(out.flags & FUSE_DO_READDIRPLUS);
    assert_true(out.flags & FUSE_MAX_PAGES);
    assert_true(out.flags & FUSE_INIT_EXT);
    assert_false(out.flags & FUSE_EXPORT_SUPPORT);
    assert_false(out.flags & FUSE_CACHE_SYMLINKS);
    assert_int_equal(out.max_pages, 256);
    assert_int_equal(out.max_write, 256 * page);
    assert_int_equal(out.max_readahead, 65536);
    assert_int_equal(out.max_background, 20);
    assert_int_equal(out.congestion_threshold, 15); /* 3/4 of max_background */
    assert_int_equal(out.time_gran, 1);
}

static void init_without_max_pages_limits_max_write(void **state)
{
    struct fuse_init_out out;
    long page = sysconf(_SC_PAGESIZE);

    (void)state;
    out = k_init_flags(FUSE_ASYNC_READ, 26);
    assert_int_equal(out.max_write, 32 * page);
    assert_false(out.flags & FUSE_MAX_PAGES);
    assert_int_equal(kreply_len, sizeof(struct fuse_out_header) + sizeof out);
}

static void init_old_minor_gets_short_reply(void **state)
{
    (void)state;
    k_init_flags(0, 22);
    assert_int_equal(kreply_len, sizeof(struct fuse_out_header) + FUSE_COMPAT_22_INIT_OUT_SIZE);
}

static void init_unsupported_want_is_eproto(void **state)
{
    struct fuse_init_in in;
    uint64_t u;

    (void)state;
    T.want_extra = FUSE_CAP_WRITEBACK_CACHE;
    memset(&in, 0, sizeof in);
    in.major = 7;
    in.minor = 38;
    in.flags = FUSE_ASYNC_READ;
    u = k_send(FUSE_INIT, 0, &in, sizeof in);
    k_pump();
    k_reply(u, -EPROTO, NULL);
    assert_true(fuse_session_exited(kse));
}

static void requests_before_and_after_init(void **state)
{
    struct fuse_init_in in;
    uint64_t u;

    (void)state;
    u = k_send(FUSE_LOOKUP, 1, "f", 2);
    k_pump();
    k_reply(u, -EIO, NULL);
    k_init();
    memset(&in, 0, sizeof in);
    in.major = 7;
    in.minor = 38;
    u = k_send(FUSE_INIT, 0, &in, sizeof in);
    k_pump();
    k_reply(u, -EIO, NULL);
    u = k_send(FUSE_SYNCFS, 1, "\0\0\0\0\0\0\0\0", 8);
    k_pump();
    k_reply(u, -ENOSYS, NULL);
    u = k_send(200, 1, NULL, 0);
    k_pump();
    k_reply(u, -ENOSYS, NULL);
    /* No handler: ENOSYS, or libfuse's default answers. */
    u = k_send(FUSE_READLINK, 1, NULL, 0);
    k_pump();
    k_reply(u, -ENOSYS, NULL);
    {
        struct fuse_release_in rin;
        memset(&rin, 0, sizeof rin);
        u = k_send(FUSE_RELEASEDIR, 1, &rin, sizeof rin);
        k_pump();
        k_reply(u, 0, NULL);
    }
    {
        size_t len;
        const struct fuse_statfs_out *st;
        u = k_send(FUSE_STATFS, 1, NULL, 0);
        k_pump();
        st = k_reply(u, 0, &len);
        assert_int_equal(len, sizeof *st);
        assert_int_equal(st->st.namelen, 255);
        assert_int_equal(st->st.bsize, 512);
    }
}

static void lookup_entry_encoding(void **state)
{
    const struct fuse_entry_out *e;
    size_t len;
    uint64_t u;

    (void)state;
    k_init();
    u = k_send(FUSE_LOOKUP, 1, "f", 2);
    k_pump();
    e = k_reply(u, 0, &len);
    assert_int_equal(len, sizeof *e);
    assert_string_equal(T.name, "f");
    assert_int_equal(T.ino, 1);
    assert_int_equal(e->nodeid, 2);
    assert_int_equal(e->generation, 7);
    assert_int_equal(e->entry_valid, 2);
    assert_int_equal(e->entry_valid_nsec, 250000000);
    assert_int_equal(e->attr_valid, 1);
    assert_int_equal(e->attr_valid_nsec, 500000000);
    assert_int_equal(e->attr.mode, S_IFREG | 0644);
    assert_int_equal(e->attr.size, 13);
    assert_int_equal(e->attr.mtime, 1000);
    assert_int_equal(e->attr.mtimensec, 5);

    u = k_send(FUSE_LOOKUP, 1, "neg", 4);
    k_pump();
    e = k_reply(u, 0, &len);
    assert_int_equal(e->nodeid, 0);
    assert_int_equal(e->entry_valid, 2);

    u = k_send(FUSE_LOOKUP, 1, "nope", 5);
    k_pump();
    k_reply(u, -ENOENT, NULL);
}

static void malformed_requests_get_eio(void **state)
{
    struct fuse_setattr_in sa;
    struct fuse_write_in w;
    struct fuse_batch_forget_in bf;
    uint64_t u;

    (void)state;
    k_init();
    /* A name without its NUL. */
    u = k_send(FUSE_LOOKUP, 1, "fff", 3);
    k_pump();
    k_reply(u, -EIO, NULL);
    /* A fixed argument cut short. */
    memset(&sa, 0, sizeof sa);
    u = k_send(FUSE_SETATTR, 1, &sa, sizeof sa - 1);
    k_pump();
    k_reply(u, -EIO, NULL);
    /* More data announced than sent. */
    memset(&w, 0, sizeof w);
    w.size = 100;
    u = k_send2(FUSE_WRITE, 2, &w, sizeof w, "abc", 3);
    k_pump();
    k_reply(u, -EIO, NULL);
    /* rename with only one name. */
    {
        struct fuse_rename_in rn = {3};
        u = k_send2(FUSE_RENAME, 1, &rn, sizeof rn, "a", 2);
        k_pump();
        k_reply(u, -EIO, NULL);
    }
    /* BATCH_FORGET counting more than it carries: ignored, never answered. */
    memset(&bf, 0, sizeof bf);
    bf.count = 1000;
    k_send(FUSE_BATCH_FORGET, 0, &bf, sizeof bf);
    k_pump();
    k_no_reply();
    assert_int_equal(T.forgets, 0);
    /* A header whose len disagrees with what arrived. */
    {
        struct fuse_in_header in;
        memset(&in, 0, sizeof in);
        in.len = 500;
        in.opcode = FUSE_GETATTR;
        in.unique = ++kunique;
        in.nodeid = 1;
        assert_int_equal(write(kfd[1], &in, sizeof in), (ssize_t)sizeof in);
        k_pump();
        k_reply(in.unique, -EIO, NULL);
    }
    /* The session still works. */
    u = k_send(FUSE_LOOKUP, 1, "f", 2);
    k_pump();
    k_reply(u, 0, NULL);
}

static void getattr_and_setattr(void **state)
{
    struct fuse_getattr_in ga;
    struct fuse_setattr_in sa;
    const struct fuse_attr_out *ao;
    size_t len;
    uint64_t u;

    (void)state;
    k_init();
    memset(&ga, 0, sizeof ga);
    u = k_send(FUSE_GETATTR, 1, &ga, sizeof ga);
    k_pump();
    ao = k_reply(u, 0, &len);
    assert_int_equal(len, sizeof *ao);
    assert_false(T.have_fi);
    assert_int_equal(ao->attr.mode, S_IFDIR | 0755);
    assert_int_equal(ao->attr_valid, 0);
    assert_int_equal(ao->attr_valid_nsec, 250000000);

    ga.getattr_flags = FUSE_GETATTR_FH;
    ga.fh = 55;
    u = k_send(FUSE_GETATTR, 3, &ga, sizeof ga);
    k_pump();
    k_reply(u, 0, NULL);
    assert_true(T.have_fi);
    assert_int_equal(T.fi.fh, 55);
    assert_int_equal(T.ino, 3);

    memset(&sa, 0, sizeof sa);
    sa.valid = FATTR_MODE | FATTR_SIZE | FATTR_MTIME | FATTR_FH | FATTR_LOCKOWNER | FATTR_MTIME_NOW |
        FATTR_KILL_SUIDGID;
    sa.mode = 0600;
    sa.size = 4096;
    sa.mtime = 77;
    sa.mtimensec = 8;
    sa.fh = 66;
    u = k_send(FUSE_SETATTR, 4, &sa, sizeof sa);
    k_pump();
    k_reply(u, 0, NULL);
    assert_int_equal(T.to_set, FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_SIZE | FUSE_SET_ATTR_MTIME |
        FUSE_SET_ATTR_MTIME_NOW | FUSE_SET_ATTR_KILL_SUID);
    assert_int_equal(T.st.st_mode, 0600);
    assert_int_equal(T.st.st_size, 4096);
    assert_int_equal(T.st.st_mtim.tv_sec, 77);
    assert_int_equal(T.st.st_mtim.tv_nsec, 8);
    assert_true(T.have_fi);
    assert_int_equal(T.fi.fh, 66);
}

static void namespace_operations(void **state)
{
    uint64_t u;

    (void)state;
    k_init();
    {
        struct fuse_mknod_in mk = {S_IFIFO | 0644, 0x0801, 022, 0};
        u = k_send2(FUSE_MKNOD, 1, &mk, sizeof mk, "fifo", 5);
        k_pump();
        k_reply(u, -EEXIST, NULL);
        assert_string_equal(T.name, "fifo");
        assert_int_equal(T.mode, S_IFIFO | 0644);
        assert_int_equal(T.rdev, 0x0801);
        assert_int_equal(T.umask, 022);
    }
    {
        struct fuse_mkdir_in md = {0755, 027};
        u = k_send2(FUSE_MKDIR, 1, &md, sizeof md, "dir", 4);
        k_pump();
        k_reply(u, -EEXIST, NULL);
        assert_string_equal(T.name, "dir");
        assert_int_equal(T.umask, 027);
    }
    u = k_send2(FUSE_SYMLINK, 1, "name", 5, "target", 7);
    k_pump();
    k_reply(u, -EPERM, NULL);
    assert_string_equal(T.name, "name");
    assert_string_equal(T.name2, "target");
    {
        struct fuse_rename_in rn = {9};
        u = k_send2(FUSE_RENAME, 1, &rn, sizeof rn, "a\0b", 4);
        k_pump();
        k_reply(u, 0, NULL);
        assert_int_equal(T.ino2, 9);
        assert_string_equal(T.name, "a");
        assert_string_equal(T.name2, "b");
        assert_int_equal(T.flags, 0);
    }
    {
        struct fuse_rename2_in rn = {8, 2 /* RENAME_EXCHANGE */, 0};
        u = k_send2(FUSE_RENAME2, 1, &rn, sizeof rn, "c\0d", 4);
        k_pump();
        k_reply(u, 0, NULL);
        assert_int_equal(T.ino2, 8);
        assert_string_equal(T.name2, "d");
        assert_int_equal(T.flags, 2);
    }
    {
        struct fuse_link_in ln = {4};
        u = k_send2(FUSE_LINK, 1, &ln, sizeof ln, "hl", 3);
        k_pump();
        k_reply(u, -EMLINK, NULL);
        assert_int_equal(T.ino, 4);
        assert_int_equal(T.ino2, 1);
        assert_string_equal(T.name, "hl");
    }
}

static void open_create_release(void **state)
{
    const struct fuse_open_out *oo;
    const struct fuse_entry_out *eo;
    size_t len;
    uint64_t u;

    (void)state;
    k_init();
    {
        struct fuse_open_in oi = {O_RDWR | O_APPEND, 0};
        u = k_send(FUSE_OPEN, 2, &oi, sizeof oi);
        k_pump();
        oo = k_reply(u, 0, &len);
        assert_int_equal(len, sizeof *oo);
        assert_int_equal(T.fi.flags, O_RDWR | O_APPEND);
        assert_int_equal(oo->fh, 0x1234);
        assert_int_equal(oo->open_flags, FOPEN_DIRECT_IO | FOPEN_KEEP_CACHE | FOPEN_NOFLUSH);
    }
    {
        struct fuse_create_in ci = {O_CREAT | O_WRONLY, 0640, 022, 0};
        u = k_send2(FUSE_CREATE, 1, &ci, sizeof ci, "new", 4);
        k_pump();
        eo = k_reply(u, 0, &len);
        assert_int_equal(len, sizeof *eo + sizeof *oo);
        assert_int_equal(eo->nodeid, 9);
        oo = (const void *)(eo + 1);
        assert_int_equal(oo->fh, 77);
        assert_int_equal(oo->open_flags, FOPEN_NONSEEKABLE);
        assert_string_equal(T.name, "new");
        assert_int_equal(T.mode, 0640);
        assert_int_equal(T.umask, 022);
        assert_int_equal(T.fi.flags, O_CREAT | O_WRONLY);
    }
    {
        struct fuse_release_in ri = {77, O_WRONLY, FUSE_RELEASE_FLUSH | FUSE_RELEASE_FLOCK_UNLOCK,
            0xabc};
        u = k_send(FUSE_RELEASE, 9, &ri, sizeof ri);
        k_pump();
        k_reply(u, 0, NULL);
        assert_int_equal(T.fi.fh, 77);
        assert_true(T.fi.flush);
        assert_true(T.fi.flock_release);
        assert_int_equal(T.fi.lock_owner, 0xabc);
    }
}

static void read_replies(void **state)
{
    struct fuse_read_in ri;
    const char *body;
    size_t len;
    uint64_t u;

    (void)state;
    k_init();
    memset(&ri, 0, sizeof ri);
    ri.fh = 5;
    ri.offset = 100;
    ri.size = 4;
    ri.lock_owner = 3;
    ri.flags = O_RDONLY;
    u = k_send(FUSE_READ, 2, &ri, sizeof ri);
    k_pump();
    body = k_reply(u, 0, &len);
    assert_int_equal(len, 4);
    assert_memory_equal(body, "0123", 4);
    assert_int_equal(T.off, 100);
    assert_int_equal(T.fi.fh, 5);
    assert_int_equal(T.fi.lock_owner, 3);

    /* fuse_reply_data: a vector of memory and a descriptor, from an offset. */
    ri.size = 100;
    u = k_send(FUSE_READ, 6, &ri, sizeof ri);
    k_pump();
    body = k_reply(u, 0, &len);
    assert_int_equal(len, 4);
    assert_memory_equal(body, "ABCD", 4);

    u = k_send(FUSE_READ, 7, &ri, sizeof ri);
    k_pump();
    body = k_reply(u, 0, &len);
    assert_int_equal(len, 5);
    assert_memory_equal(body, "iovec", 5);
}

static void write_and_write_buf(void **state)
{
    struct fuse_write_in w;
    const struct fuse_write_out *wo;
    size_t len;
    uint64_t u;

    (void)state;
    k_init();
    memset(&w, 0, sizeof w);
    w.fh = 8;
    w.offset = 12;
    w.size = 5;
    w.write_flags = FUSE_WRITE_CACHE;
    w.lock_owner = 4;
    u = k_send2(FUSE_WRITE, 2, &w, sizeof w, "hello", 5);
    k_pump();
    wo = k_reply(u, 0, &len);
    assert_int_equal(len, sizeof *wo);
    assert_int_equal(wo->size, 5);
    assert_memory_equal(T.data, "hello", 5);
    assert_int_equal(T.off, 12);
    assert_true(T.fi.writepage);
    assert_int_equal(T.fi.lock_owner, 4);
    k_teardown(state);

    /* With write_buf set, it is preferred. */
    {
        struct fuse_lowlevel_ops ops = t_ops;
        ops.write_buf = t_write_buf;
        assert_int_equal(k_setup_ops(&ops, NULL), 0);
    }
    k_init();
    w.write_flags = 0;
    u = k_send2(FUSE_WRITE, 2, &w, sizeof w, "world", 5);
    k_pump();
    wo = k_reply(u, 0, &len);
    assert_int_equal(wo->size, 1005);
    assert_int_equal(T.size, 5);
    assert_memory_equal(T.data, "world", 5);
    assert_false(T.fi.writepage);
}

static void xattr_operations(void **state)
{
    const struct fuse_getxattr_out *go;
    size_t len;
    uint64_t u;

    (void)state;
    k_init();
    {
        /* The short (8-byte) setxattr_in: we never offer FUSE_SETXATTR_EXT. */
        uint32_t hdr[2] = {3, 1 /* XATTR_CREATE */};
        u = k_send2(FUSE_SETXATTR, 2, hdr, sizeof hdr, "user.x\0abc", 10);
        k_pump();
        k_reply(u, 0, NULL);
        assert_string_equal(T.name, "user.x");
        assert_int_equal(T.size, 3);
        assert_memory_equal(T.data, "abc", 3);
        assert_int_equal(T.flags, 1);
    }
    {
        struct fuse_getxattr_in gi = {0, 0};
        u = k_send2(FUSE_GETXATTR, 2, &gi, sizeof gi, "user.y", 7);
        k_pump();
        go = k_reply(u, 0, &len);
        assert_int_equal(len, sizeof *go);
        assert_int_equal(go->size, 42);
        assert_string_equal(T.name, "user.y");
    }
    {
        struct fuse_getxattr_in gi = {10, 0};
        u = k_send(FUSE_LISTXATTR, 2, &gi, sizeof gi);
        k_pump();
        k_reply(u, -ENOSYS, NULL);
    }
}

static void locks(void **state)
{
    struct fuse_lk_in li;
    const struct fuse_lk_out *lo;
    size_t len;
    uint64_t u;

    (void)state;
    k_init();
    memset(&li, 0, sizeof li);
    li.fh = 3;
    li.owner = 0x77;
    li.lk.start = 5;
    li.lk.end = INT64_MAX; /* to the end of the file */
    li.lk.type = F_RDLCK;
    li.lk.pid = 12;
    u = k_send(FUSE_GETLK, 2, &li, sizeof li);
    k_pump();
    lo = k_reply(u, 0, &len);
    assert_int_equal(len, sizeof *lo);
    assert_int_equal(T.lk.l_start, 5);
    assert_int_equal(T.lk.l_len, 0);
    assert_int_equal(T.lk.l_type, F_RDLCK);
    assert_int_equal(T.lk.l_pid, 12);
    assert_int_equal(T.fi.lock_owner, 0x77);
    assert_int_equal(lo->lk.type, F_WRLCK);
    assert_int_equal(lo->lk.start, 10);
    assert_int_equal(lo->lk.end, INT64_MAX);
    assert_int_equal(lo->lk.pid, 99);

    li.lk.end = 14;
    li.lk.type = F_WRLCK;
    u = k_send(FUSE_SETLKW, 2, &li, sizeof li);
    k_pump();
    k_reply(u, 0, NULL);
    assert_int_equal(T.lk.l_len, 10);
    assert_int_equal(T.sleep, 1);

    li.lk_flags = FUSE_LK_FLOCK;
    li.lk.type = F_RDLCK;
    u = k_send(FUSE_SETLK, 2, &li, sizeof li);
    k_pump();
    k_reply(u, 0, NULL);
    assert_int_equal(T.lockop, LOCK_SH | LOCK_NB);
    li.lk.type = F_UNLCK;
    u = k_send(FUSE_SETLKW, 2, &li, sizeof li);
    k_pump();
    k_reply(u, 0, NULL);
    assert_int_equal(T.lockop, LOCK_UN);
}

static void directories(void **state)
{
    struct fuse_read_in ri;
    const struct fuse_dirent *d;
    const struct fuse_direntplus *dp;
    const char *body;
    size_t len;
    uint64_t u;

    (void)state;
    k_init();
    memset(&ri, 0, sizeof ri);
    ri.size = 4096;
    u = k_send(FUSE_READDIR, 1, &ri, sizeof ri);
    k_pump();
    body = k_reply(u, 0, &len);
    assert_int_equal(len, FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + 1) +
        FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + 4));
    d = (const void *)body;
    assert_int_equal(d->namelen, 1);
    assert_int_equal(d->off, 1);
    assert_int_equal(d->type, S_IFDIR >> 12);
    d = (const void *)(body + FUSE_DIRENT_SIZE(d));
    assert_int_equal(d->ino, 2);
    assert_int_equal(d->namelen, 4);
    assert_memory_equal(d->name, "file", 4);
    assert_int_equal(d->type, S_IFREG >> 12);

    /* The buffer the kernel allows cuts the listing short, entry-aligned. */
    ri.size = FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + 1);
    u = k_send(FUSE_READDIR, 1, &ri, sizeof ri);
    k_pump();
    k_reply(u, 0, &len);
    assert_int_equal(len, ri.size);

    ri.size = 4096;
    u = k_send(FUSE_READDIRPLUS, 1, &ri, sizeof ri);
    k_pump();
    body = k_reply(u, 0, &len);
    assert_int_equal(len, FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET_DIRENTPLUS + 3));
    dp = (const void *)body;
    assert_int_equal(dp->entry_out.nodeid, 2);
    assert_int_equal(dp->entry_out.entry_valid, 3);
    assert_int_equal(dp->entry_out.attr.mode, S_IFREG | 0600);
    assert_int_equal(dp->dirent.namelen, 3);
    assert_memory_equal(dp->dirent.name, "abc", 3);

    /* Measuring: a NULL buffer returns the size and writes nothing. */
    {
        struct stat st;
        memset(&st, 0, sizeof st);
        assert_int_equal(fuse_add_direntry(NULL, NULL, 0, "abcdefghi", &st, 0),
            FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + 9));
    }
}

static void interrupts(void **state)
{
    struct fuse_read_in ri;
    struct fuse_interrupt_in ii;
    uint64_t held, u, intr;

    (void)state;
    k_init();
    memset(&ri, 0, sizeof ri);
    ri.size = 10;

    /* Interrupting a request in progress calls its interrupt function. */
    held = k_send(FUSE_READ, 5, &ri, sizeof ri);
    k_pump();
    k_no_reply();
    assert_non_null(T.held);
    assert_int_equal(T.interrupted_at_start, 0);
    ii.unique = held;
    k_send(FUSE_INTERRUPT, 0, &ii, sizeof ii);
    k_pump();
    k_no_reply(); /* INTERRUPT itself is never answered when delivered */
    assert_int_equal(T.interrupt_calls, 1);
    assert_int_equal(fuse_req_interrupted(T.held), 1);
    fuse_reply_err(T.held, EINTR);
    k_reply(held, -EINTR, NULL);
    T.held = NULL;

    /* An INTERRUPT that overtook its request: the request starts interrupted. */
    ii.unique = kunique + 2;
    intr = k_send(FUSE_INTERRUPT, 0, &ii, sizeof ii);
    k_pump();
    k_no_reply();
    held = k_send(FUSE_READ, 5, &ri, sizeof ri);
    assert_int_equal(held, ii.unique);
    k_pump();
    assert_int_equal(T.interrupted_at_start, 1);
    assert_int_equal(T.interrupt_calls, 2); /* registering it on an interrupted request calls it */
    fuse_reply_err(T.held, EINTR);
    k_reply(held, -EINTR, NULL);
    (void)intr;

    /* An INTERRUPT for a request that never comes is answered EAGAIN at the next one. */
    ii.unique = 999999;
    intr = k_send(FUSE_INTERRUPT, 0, &ii, sizeof ii);
    k_pump();
    k_no_reply();
    u = k_send(FUSE_LOOKUP, 1, "f", 2);
    k_pump();
    k_reply(intr, -EAGAIN, NULL);
    k_reply(u, 0, NULL);
}

static void forgets(void **state)
{
    struct fuse_forget_in fi = {3};
    struct {
        struct fuse_batch_forget_in h;
        struct fuse_forget_one one[3];
    } bf;

    (void)state;
    k_init();
    k_send(FUSE_FORGET, 7, &fi, sizeof fi);
    k_pump();
    k_no_reply();
    assert_int_equal(T.forgets, 1);
    assert_int_equal(T.forget_sum, 7003);

    memset(&bf, 0, sizeof bf);
    bf.h.count = 3;
    bf.one[0].nodeid = 2;
    bf.one[0].nlookup = 1;
    bf.one[1].nodeid = 3;
    bf.one[1].nlookup = 2;
    bf.one[2].nodeid = 4;
    bf.one[2].nlookup = 5;
    T.forgets = 0;
    T.forget_sum = 0;
    k_send(FUSE_BATCH_FORGET, 0, &bf, sizeof bf);
    k_pump();
    k_no_reply();
    /* No forget_multi: forget is called for each. */
    assert_int_equal(T.forgets, 3);
    assert_int_equal(T.forget_sum, 2001 + 3002 + 4005);
}

static void notifications(void **state)
{
    const struct fuse_out_header *out = (const void *)kreply;
    uint64_t cookie_unique;
    size_t len;

    (void)state;
    /* Before INIT the protocol version is unknown (0): as libfuse, -ENOSYS. */
    assert_int_equal(fuse_lowlevel_notify_inval_inode(kse, 2, 0, 0), -ENOSYS);
    k_init();

    assert_int_equal(fuse_lowlevel_notify_inval_inode(kse, 2, 10, -1), 0);
    assert_true(k_recv());
    assert_int_equal(out->unique, 0);
    assert_int_equal(out->error, FUSE_NOTIFY_INVAL_INODE);
    {
        const struct fuse_notify_inval_inode_out *ii = (const void *)(out + 1);
        assert_int_equal(ii->ino, 2);
        assert_int_equal(ii->off, 10);
        assert_int_equal(ii->len, -1);
    }

    assert_int_equal(fuse_lowlevel_notify_expire_entry(kse, 1, "abc", 3, FUSE_LL_EXPIRE_ONLY), 0);
    assert_true(k_recv());
    assert_int_equal(out->error, FUSE_NOTIFY_INVAL_ENTRY);
    {
        const struct fuse_notify_inval_entry_out *ie = (const void *)(out + 1);
        assert_int_equal(ie->parent, 1);
        assert_int_equal(ie->namelen, 3);
        assert_int_equal(ie->flags, FUSE_EXPIRE_ONLY);
        assert_memory_equal(ie + 1, "abc", 4);
        assert_int_equal(kreply_len, sizeof *out + sizeof *ie + 4);
    }

    assert_int_equal(fuse_lowlevel_notify_delete(kse, 1, 5, "xy", 2), 0);
    assert_true(k_recv());
    assert_int_equal(out->error, FUSE_NOTIFY_DELETE);

    {
        struct fuse_bufvec bv = FUSE_BUFVEC_INIT(5);
        const struct fuse_notify_store_out *so = (const void *)(out + 1);
        bv.buf[0].mem = (void *)"store";
        assert_int_equal(fuse_lowlevel_notify_store(kse, 2, 64, &bv, 0), 0);
        assert_true(k_recv());
        assert_int_equal(out->error, FUSE_NOTIFY_STORE);
        assert_int_equal(so->nodeid, 2);
        assert_int_equal(so->offset, 64);
        assert_int_equal(so->size, 5);
        assert_memory_equal(so + 1, "store", 5);
    }

    /* Retrieve: the kernel answers with a NOTIFY_REPLY request carrying the data. */
    assert_int_equal(fuse_lowlevel_notify_retrieve(kse, 2, 3, 8, (void *)0xc00c1e), 0);
    assert_true(k_recv());
    assert_int_equal(out->error, FUSE_NOTIFY_RETRIEVE);
    {
        const struct fuse_notify_retrieve_out *ro = (const void *)(out + 1);
        struct fuse_notify_retrieve_in rin;
        struct fuse_in_header in;
        struct iovec iov[3];

        cookie_unique = ro->notify_unique;
        assert_int_equal(ro->nodeid, 2);
        assert_int_equal(ro->offset, 8);
        assert_int_equal(ro->size, 3);
        memset(&rin, 0, sizeof rin);
        rin.offset = 8;
        rin.size = 3;
        memset(&in, 0, sizeof in);
        in.len = sizeof in + sizeof rin + 3;
        in.opcode = FUSE_NOTIFY_REPLY;
        in.unique = cookie_unique;
        in.nodeid = 2;
        iov[0].iov_base = &in;
        iov[0].iov_len = sizeof in;
        iov[1].iov_base = &rin;
        iov[1].iov_len = sizeof rin;
        iov[2].iov_base = (void *)"xyz";
        iov[2].iov_len = 3;
        assert_int_equal(writev(kfd[1], iov, 3), (ssize_t)in.len);
        k_pump();
        k_no_reply();
        assert_ptr_equal(T.cookie, (void *)0xc00c1e);
        assert_int_equal(T.off, 8);
        assert_int_equal(T.size, 3);
        assert_memory_equal(T.data, "xyz", 3);
    }

    /* poll: the handle's kh comes back in the wakeup. */
    {
        struct fuse_poll_in pi = {4, 0xfeed, FUSE_POLL_SCHEDULE_NOTIFY, POLLIN};
        const struct fuse_poll_out *po;
        uint64_t u = k_send(FUSE_POLL, 2, &pi, sizeof pi);
        k_pump();
        po = k_reply(u, 0, &len);
        assert_int_equal(po->revents, POLLIN);
        assert_non_null(T.ph);
        assert_int_equal(T.fi.poll_events, POLLIN);
        assert_int_equal(fuse_lowlevel_notify_poll(T.ph), 0);
        assert_true(k_recv());
        assert_int_equal(out->error, FUSE_NOTIFY_POLL);
        assert_int_equal(((const struct fuse_notify_poll_wakeup_out *)(out + 1))->kh, 0xfeed);
        fuse_pollhandle_destroy(T.ph);
        assert_int_equal(fuse_lowlevel_notify_poll(NULL), 0);
    }
}

static void other_operations(void **state)
{
    size_t len;
    uint64_t u;

    (void)state;
    k_init();
    {
        struct fuse_ioctl_in ii = {6, 0, 1, 0, 3, 16};
        const struct fuse_ioctl_out *io;
        u = k_send2(FUSE_IOCTL, 2, &ii, sizeof ii, "inp", 3);
        k_pump();
        io = k_reply(u, 0, &len);
        assert_int_equal(len, sizeof *io + 3);
        assert_int_equal(io->result, 5);
        assert_memory_equal(io + 1, "out", 3);
        assert_int_equal(T.cmd, 1);
        assert_int_equal(T.size, 3);
        assert_memory_equal(T.data, "inp", 3);

        ii.cmd = 2;
        ii.in_size = 0;
        u = k_send(FUSE_IOCTL, 2, &ii, sizeof ii);
        k_pump();
        io = k_reply(u, 0, &len);
        assert_int_equal(io->flags, FUSE_IOCTL_RETRY);
        assert_int_equal(io->in_iovs, 1);
        assert_int_equal(len, sizeof *io + sizeof(struct fuse_ioctl_iovec));
        assert_int_equal(((const struct fuse_ioctl_iovec *)(io + 1))->base, 0x1000);
        assert_int_equal(((const struct fuse_ioctl_iovec *)(io + 1))->len, 16);
    }
    {
        struct fuse_fallocate_in fa = {3, 100, 200, 1, 0};
        u = k_send(FUSE_FALLOCATE, 2, &fa, sizeof fa);
        k_pump();
        k_reply(u, 0, NULL);
        assert_int_equal(T.off, 100);
        assert_int_equal(T.size, 200);
        assert_int_equal(T.mode, 1);
        assert_int_equal(T.fi.fh, 3);
    }
    {
        struct fuse_copy_file_range_in cr = {1, 10, 4, 2, 20, 50, 0};
        const struct fuse_write_out *wo;
        u = k_send(FUSE_COPY_FILE_RANGE, 2, &cr, sizeof cr);
        k_pump();
        wo = k_reply(u, 0, NULL);
        assert_int_equal(wo->size, 50);
        assert_int_equal(T.ino2, 4);
        assert_int_equal(T.off, 30);
        assert_int_equal(T.fi.fh, 1);
        assert_ptr_equal(T.cookie, (void *)2);
    }
    {
        struct fuse_lseek_in ls = {3, 7, SEEK_DATA, 0};
        const struct fuse_lseek_out *lo;
        u = k_send(FUSE_LSEEK, 2, &ls, sizeof ls);
        k_pump();
        lo = k_reply(u, 0, NULL);
        assert_int_equal(lo->offset, 107);
        assert_int_equal(T.flags, SEEK_DATA);
    }
    {
        struct fuse_bmap_in bm = {21, 512, 0};
        const struct fuse_bmap_out *bo;
        u = k_send(FUSE_BMAP, 2, &bm, sizeof bm);
        k_pump();
        bo = k_reply(u, 0, NULL);
        assert_int_equal(bo->block, 42);
        assert_int_equal(T.size, 512);
    }
}

static void destroy_is_called_once(void **state)
{
    uint64_t u;

    (void)state;
    k_init();
    u = k_send(FUSE_DESTROY, 0, NULL, 0);
    k_pump();
    k_reply(u, 0, NULL);
    assert_int_equal(T.destroy_calls, 1);
    fuse_session_destroy(kse);
    kse = NULL;
    assert_int_equal(T.destroy_calls, 1);
}

static void destroy_without_destroy_request(void **state)
{
    (void)state;
    k_init();
    fuse_session_destroy(kse);
    kse = NULL;
    assert_int_equal(T.destroy_calls, 1);
}

static void allow_root_turns_others_away(void **state)
{
    struct fuse_read_in ri;
    uint64_t u;

    k_teardown(state);
    assert_int_equal(k_setup_ops(&t_ops, "allow_root"), 0);
    k_init();
    kuid = 4242;
    u = k_send(FUSE_LOOKUP, 1, "f", 2);
    k_pump();
    k_reply(u, -EACCES, NULL);
    memset(&ri, 0, sizeof ri);
    ri.size = 2;
    u = k_send(FUSE_READ, 2, &ri, sizeof ri);
    k_pump();
    k_reply(u, 0, NULL);
    kuid = 0;
    u = k_send(FUSE_LOOKUP, 1, "f", 2);
    k_pump();
    k_reply(u, 0, NULL);
}

static void no_handlers_answer_enosys(void **state)
{
    static const struct fuse_lowlevel_ops ops = {.lookup = NULL};
    uint64_t u;

    (void)state;
    k_teardown(state);
    assert_int_equal(k_setup_ops(&ops, NULL), 0);
    k_init();
    /* No handler at all: the request is answered, and a context is still readable. */
    u = k_send(FUSE_LOOKUP, 1, "f", 2);
    k_pump();
    k_reply(u, -ENOSYS, NULL);
}

static void reply_err_range(void **state)
{
    struct fuse_read_in ri;
    uint64_t held;

    (void)state;
    k_init();
    memset(&ri, 0, sizeof ri);
    held = k_send(FUSE_READ, 5, &ri, sizeof ri);
    k_pump();
    assert_non_null(T.held);
    assert_int_equal(fuse_req_ctx(T.held)->uid, getuid());
    assert_int_equal(fuse_req_ctx(T.held)->pid, getpid());
    assert_null(fuse_req_userdata(T.held));
    {
        /* The sender's supplementary groups, from /proc: ours here. */
        gid_t mine[64], theirs[64];
        int n = getgroups(64, mine);
        int m = fuse_req_getgroups(T.held, 64, theirs);
        assert_int_equal(m, n);
        for (int i = 0; i < n && i < m; i++)
            assert_int_equal(theirs[i], mine[i]);
        assert_int_equal(fuse_req_getgroups(T.held, 0, theirs), n);
    }
    fuse_reply_err(T.held, -5); /* a negative errno is a bug in the file system */
    k_reply(held, -ERANGE, NULL);
}

static void session_options(void **state)
{
    char *argv[] = {(char *)"test", (char *)"-o", (char *)"bogus_option"};
    struct fuse_args args = FUSE_ARGS_INIT(3, argv);
    char *argv2[] = {(char *)"test", (char *)"-o",
        (char *)"debug,fsname=x,subtype=y,default_permissions,max_read=4096"};
    struct fuse_args args2 = FUSE_ARGS_INIT(3, argv2);
    struct fuse_session *se;

    (void)state;
    assert_null(fuse_session_new(&args, &t_ops, sizeof t_ops, NULL));
    fuse_opt_free_args(&args);
    se = fuse_session_new(&args2, &t_ops, sizeof t_ops, NULL);
    assert_non_null(se);
    assert_int_equal(fuse_session_fd(se), -1);
    fuse_session_destroy(se);
    fuse_opt_free_args(&args2);
    args.argc = 0;
    assert_null(fuse_session_new(&args, &t_ops, sizeof t_ops, NULL));
}

static void exit_flags(void **state)
{
    (void)state;
    assert_false(fuse_session_exited(kse));
    fuse_session_exit(kse);
    assert_true(fuse_session_exited(kse));
    fuse_session_reset(kse);
    assert_false(fuse_session_exited(kse));
    assert_int_equal(fuse_session_fd(kse), kfd[0]);
}

/* The loop serves until the peer hangs up (a short read: -EIO, as libfuse). */
static void *loop_thread(void *arg)
{
    intptr_t res = fuse_session_loop(arg);
    return (void *)res;
}

static void loop_runs_until_hangup(void **state)
{
    pthread_t t;
    void *res;
    uint64_t u;

    (void)state;
    assert_int_equal(pthread_create(&t, NULL, loop_thread, kse), 0);
    {
        struct fuse_init_in in;
        memset(&in, 0, sizeof in);
        in.major = 7;
        in.minor = 38;
        in.flags = KERNEL_FLAGS;
        u = k_send(FUSE_INIT, 0, &in, sizeof in);
    }
    {
        struct pollfd p = {kfd[1], POLLIN, 0};
        assert_int_equal(poll(&p, 1, 5000), 1);
        k_reply(u, 0, NULL);
        u = k_send(FUSE_LOOKUP, 1, "f", 2);
        assert_int_equal(poll(&p, 1, 5000), 1);
        k_reply(u, 0, NULL);
    }
    shutdown(kfd[1], SHUT_RDWR);
    pthread_join(t, &res);
    assert_int_equal((intptr_t)res, -EIO);
}

/* ======================================================================== */
/* Buffers                                                                  */
/* ======================================================================== */

static int tmpfile_fd(void)
{
    char path[] = "/tmp/wf-llbuf.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    return fd;
}

static void buf_size(void **state)
{
    struct fuse_bufvec *bv = calloc(1, sizeof *bv + 2 * sizeof(struct fuse_buf));

    (void)state;
    bv->count = 3;
    bv->buf[0].size = 5;
    bv->buf[1].size = 7;
    bv->buf[2].size = 0;
    assert_int_equal(fuse_buf_size(bv), 12);
    bv->buf[2].size = SIZE_MAX;
    assert_int_equal(fuse_buf_size(bv), SIZE_MAX);
    free(bv);
}

static void buf_copy_memory_segments(void **state)
{
    char a[] = "abc", b[] = "defgh", out1[4], out2[10];
    struct fuse_bufvec *src = calloc(1, sizeof *src + sizeof(struct fuse_buf));
    struct fuse_bufvec *dst = calloc(1, sizeof *dst + sizeof(struct fuse_buf));

    (void)state;
    src->count = 2;
    src->buf[0].mem = a;
    src->buf[0].size = 3;
    src->buf[1].mem = b;
    src->buf[1].size = 5;
    dst->count = 2;
    dst->buf[0].mem = out1;
    dst->buf[0].size = 4;
    dst->buf[1].mem = out2;
    dst->buf[1].size = 10;
    assert_int_equal(fuse_buf_copy(dst, src, 0), 8);
    assert_memory_equal(out1, "abcd", 4);
    assert_memory_equal(out2, "efgh", 4);
    /* The cursors moved: the source is used up, the destination is in its second buffer. */
    assert_int_equal(src->idx, 2);
    assert_int_equal(dst->idx, 1);
    assert_int_equal(dst->off, 4);
    assert_int_equal(fuse_buf_copy(dst, src, 0), 0);
    assert_int_equal(fuse_buf_copy(dst, dst, 0), 14);
    free(src);
    free(dst);
}

static void buf_copy_descriptors(void **state)
{
    int fd = tmpfile_fd(), fd2 = tmpfile_fd();
    struct fuse_bufvec mem = FUSE_BUFVEC_INIT(6);
    struct fuse_bufvec file = FUSE_BUFVEC_INIT(6);
    struct fuse_bufvec file2 = FUSE_BUFVEC_INIT(6);
    char back[16];

    (void)state;
    /* memory -> fd at a position, without moving the descriptor's offset */
    mem.buf[0].mem = (void *)"sixsix";
    file.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
    file.buf[0].fd = fd;
    file.buf[0].pos = 10;
    assert_int_equal(fuse_buf_copy(&file, &mem, 0), 6);
    assert_int_equal(lseek(fd, 0, SEEK_CUR), 0);
    assert_int_equal(pread(fd, back, 16, 0), 16);
    assert_memory_equal(back + 10, "sixsix", 6);

    /* fd -> fd through the bounce buffer; splice flags change nothing */
    file = FUSE_BUFVEC_INIT(6);
    file.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
    file.buf[0].fd = fd;
    file.buf[0].pos = 10;
    file2.buf[0].flags = FUSE_BUF_IS_FD;
    file2.buf[0].fd = fd2;
    assert_int_equal(fuse_buf_copy(&file2, &file, FUSE_BUF_FORCE_SPLICE | FUSE_BUF_SPLICE_MOVE), 6);
    assert_int_equal(pread(fd2, back, 16, 0), 6);
    assert_memory_equal(back, "sixsix", 6);

    /* fd -> memory at end of file: a short copy */
    file = FUSE_BUFVEC_INIT(6);
    file.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
    file.buf[0].fd = fd;
    file.buf[0].pos = 13;
    mem = FUSE_BUFVEC_INIT(6);
    mem.buf[0].mem = back;
    assert_int_equal(fuse_buf_copy(&mem, &file, 0), 3);
    assert_memory_equal(back, "six", 3);

    /* A bad descriptor is an error before anything is copied */
    file = FUSE_BUFVEC_INIT(6);
    file.buf[0].flags = FUSE_BUF_IS_FD;
    file.buf[0].fd = -1;
    mem = FUSE_BUFVEC_INIT(6);
    mem.buf[0].mem = back;
    assert_int_equal(fuse_buf_copy(&mem, &file, 0), -EBADF);
    close(fd);
    close(fd2);
}

static void buf_copy_retry(void **state)
{
    int p[2];
    char back[8];
    struct fuse_bufvec pipev = FUSE_BUFVEC_INIT(8);
    struct fuse_bufvec mem = FUSE_BUFVEC_INIT(8);

    (void)state;
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], "abcd", 4), 4);
    pipev.buf[0].flags = FUSE_BUF_IS_FD;
    pipev.buf[0].fd = p[0];
    mem.buf[0].mem = back;
    /* Without RETRY one read is all: 4 of 8 */
    assert_int_equal(fuse_buf_copy(&mem, &pipev, 0), 4);
    /* With RETRY it reads on until the writer is done (EOF) */
    assert_int_equal(write(p[1], "ef", 2), 2);
    if (fork() == 0) {
        usleep(20000);
        (void)!write(p[1], "gh", 2);
        _exit(0);
    }
    close(p[1]);
    pipev = FUSE_BUFVEC_INIT(8);
    pipev.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_RETRY;
    pipev.buf[0].fd = p[0];
    mem = FUSE_BUFVEC_INIT(8);
    mem.buf[0].mem = back;
    assert_int_equal(fuse_buf_copy(&mem, &pipev, 0), 4);
    assert_memory_equal(back, "efgh", 4);
    close(p[0]);
    wait(NULL);
}

/* Random segmentations of source and destination; the bytes must come through. */
static void buf_copy_random_round_trip(void **state)
{
    static char src_data[4096], dst_data[4096];
    uint32_t seed = 12345;
    int fd = tmpfile_fd();

    (void)state;
    for (int round = 0; round < 200; round++) {
        struct fuse_bufvec *src = calloc(1, sizeof *src + 16 * sizeof(struct fuse_buf));
        struct fuse_bufvec *dst = calloc(1, sizeof *dst + 16 * sizeof(struct fuse_buf));
        size_t total = 0, pos = 0;

#define RND() (seed = seed * 1103515245u + 12345u, (seed >> 8))
        for (size_t i = 0; i < sizeof src_data; i++)
            src_data[i] = (char)RND();
        memset(dst_data, 0, sizeof dst_data);
        src->count = 1 + RND() % 16;
        for (size_t i = 0; i < src->count; i++) {
            size_t n = RND() % 200;
            src->buf[i].mem = src_data + total;
            src->buf[i].size = n;
            total += n;
        }
        /* One source piece lives in the file instead. */
        if (src->count > 1) {
            size_t i = RND() % src->count;
            assert_int_equal(pwrite(fd, src->buf[i].mem, src->buf[i].size, 100),
                (ssize_t)src->buf[i].size);
            src->buf[i].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
            src->buf[i].fd = fd;
            src->buf[i].pos = 100;
        }
        dst->count = 1 + RND() % 16;
        for (size_t i = 0; i < dst->count; i++) {
            size_t n = i + 1 == dst->count ? total - pos + RND() % 5 : RND() % 300;
            if (pos + n > total + 4)
                n = total + 4 > pos ? total + 4 - pos : 0;
            dst->buf[i].mem = dst_data + pos;
            dst->buf[i].size = n;
            pos += n;
        }
        assert_int_equal(fuse_buf_copy(dst, src, 0), (ssize_t)(total < pos ? total : pos));
        assert_memory_equal(dst_data, src_data, total < pos ? total : pos);
        free(src);
        free(dst);
#undef RND
    }
    close(fd);
}

/* ======================================================================== */
/* The engine channel                                                       */
/* ======================================================================== */

/* A thread-safe WinFsp side: requests queued by the test, responses kept by Hint. */
typedef struct qprov {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    FSP_FSCTL_TRANSACT_REQ *queue[64];
    int head, tail;
    FSP_FSCTL_TRANSACT_RSP *done[256];
    int ndone;
    bool gone;
    wf_engine *engine;
    struct fuse_session *se;
    pthread_t loop;
    int loop_result;
    bool loop_done;
} qprov;

static NTSTATUS q_next(void *context, FSP_FSCTL_TRANSACT_REQ *req, size_t cap, int64_t timeout_ns)
{
    qprov *q = context;
    NTSTATUS status;
    struct timespec until;

    clock_gettime(CLOCK_REALTIME, &until);
    if (timeout_ns > 0) {
        until.tv_sec += timeout_ns / 1000000000;
        until.tv_nsec += timeout_ns % 1000000000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
    }
    pthread_mutex_lock(&q->lock);
    while (q->head == q->tail && !q->gone && timeout_ns != 0) {
        if (timeout_ns < 0)
            pthread_cond_wait(&q->cond, &q->lock);
        else if (pthread_cond_timedwait(&q->cond, &q->lock, &until) != 0)
            break;
    }
    if (q->head != q->tail) {
        FSP_FSCTL_TRANSACT_REQ *r = q->queue[q->head];
        q->head = (q->head + 1) % 64;
        if (r->Size <= cap)
            memcpy(req, r, r->Size);
        free(r);
        status = STATUS_SUCCESS;
    } else {
        status = q->gone ? STATUS_DEVICE_NOT_READY : STATUS_TIMEOUT;
    }
    pthread_mutex_unlock(&q->lock);
    return status;
}

static void q_complete(void *context, const FSP_FSCTL_TRANSACT_RSP *rsp)
{
    qprov *q = context;
    FSP_FSCTL_TRANSACT_RSP *copy = calloc(1, FSP_FSCTL_TRANSACT_RSP_SIZEMAX);

    memcpy(copy, rsp, rsp->Size);
    pthread_mutex_lock(&q->lock);
    if (q->ndone < 256)
        q->done[q->ndone++] = copy;
    else
        free(copy);
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
}

static void q_wake(void *context)
{
    qprov *q = context;
    pthread_mutex_lock(&q->lock);
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
}

static void q_submit(qprov *q, FSP_FSCTL_TRANSACT_REQ *req)
{
    pthread_mutex_lock(&q->lock);
    q->queue[q->tail] = req;
    q->tail = (q->tail + 1) % 64;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
}

/* The response to hint, waiting up to 10 s; NULL if none came. */
static FSP_FSCTL_TRANSACT_RSP *q_wait(qprov *q, UINT64 hint)
{
    struct timespec until;
    FSP_FSCTL_TRANSACT_RSP *rsp = NULL;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    pthread_mutex_lock(&q->lock);
    for (;;) {
        for (int i = 0; i < q->ndone; i++) {
            if (q->done[i] && q->done[i]->Hint == hint) {
                rsp = q->done[i];
                q->done[i] = NULL;
                break;
            }
        }
        if (rsp || pthread_cond_timedwait(&q->cond, &q->lock, &until) != 0)
            break;
    }
    pthread_mutex_unlock(&q->lock);
    return rsp;
}

/* Submit and wait; the response's status, and a copy of the response if wanted. */
static NTSTATUS q_call(qprov *q, FSP_FSCTL_TRANSACT_REQ *req, FSP_FSCTL_TRANSACT_RSP *out)
{
    UINT64 hint = req->Hint;
    FSP_FSCTL_TRANSACT_RSP *rsp;
    NTSTATUS status;

    q_submit(q, req);
    rsp = q_wait(q, hint);
    if (!rsp)
        fail_msg("no response to WinFsp request %llu", (unsigned long long)hint);
    status = (NTSTATUS)rsp->IoStatus.Status;
    if (out)
        memcpy(out, rsp, rsp->Size);
    free(rsp);
    return status;
}

static void *q_single_loop(void *arg)
{
    qprov *q = arg;
    q->loop_result = fuse_session_loop(q->se);
    __atomic_store_n(&q->loop_done, true, __ATOMIC_SEQ_CST);
    return NULL;
}

static void *q_mt_loop(void *arg)
{
    qprov *q = arg;
    struct fuse_loop_config config = {0, 2};
    q->loop_result = fuse_session_loop_mt(q->se, &config);
    __atomic_store_n(&q->loop_done, true, __ATOMIC_SEQ_CST);
    return NULL;
}

static qprov *q_start(const struct fuse_lowlevel_ops *ops, size_t ops_size, void *(*loop)(void *))
{
    qprov *q = calloc(1, sizeof *q);
    char *argv[] = {(char *)"test"};
    struct fuse_args args = FUSE_ARGS_INIT(1, argv);
    wf_engine_config config;
    wf_provider provider = {q, q_next, q_complete, q_wake, NULL};

    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->cond, NULL);
    wf_engine_config_init(&config);
    /* Short, so loops notice the session's end quickly. */
    config.transact_timeout_ns = 20 * 1000 * 1000;
    assert_int_equal(wf_engine_create(&config, &provider, &q->engine), STATUS_SUCCESS);
    q->se = fuse_session_new(&args, ops, ops_size, q);
    fuse_opt_free_args(&args);
    assert_non_null(q->se);
    assert_int_equal(fuse_session_mount_engine(q->se, (struct wf_engine *)q->engine), 0);
    assert_int_equal(fuse_session_mount_engine(q->se, (struct wf_engine *)q->engine), -1);
    assert_int_equal(fuse_session_fd(q->se), -1);
    assert_int_equal(pthread_create(&q->loop, NULL, loop, q), 0);
    return q;
}

/* The volume goes away: the engine sends DESTROY, and the loop must end by itself. */
static int q_stop_gone(qprov *q)
{
    pthread_mutex_lock(&q->lock);
    q->gone = true;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
    pthread_join(q->loop, NULL);
    return q->loop_result;
}

static void q_free(qprov *q)
{
    fuse_session_destroy(q->se);
    wf_engine_stop(q->engine);
    wf_engine_delete(q->engine);
    for (int i = 0; i < q->ndone; i++)
        free(q->done[i]);
    while (q->head != q->tail) {
        free(q->queue[q->head]);
        q->head = (q->head + 1) % 64;
    }
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->cond);
    free(q);
}

static UINT64 q_open(qprov *q, const char *path, UINT32 options, UINT32 access, NTSTATUS *status)
{
    FSP_FSCTL_TRANSACT_RSP *rsp = calloc(1, FSP_FSCTL_TRANSACT_RSP_SIZEMAX);
    UINT64 handle;

    *status = q_call(q, h_create_req(path, FILE_OPEN, options, access), rsp);
    handle = rsp->Rsp.Create.Opened.UserContext2;
    free(rsp);
    return handle;
}

static NTSTATUS q_read(qprov *q, UINT64 handle, UINT64 offset, void *buf, UINT32 len,
    UINT32 *got)
{
    FSP_FSCTL_TRANSACT_REQ *req = h_req(FspFsctlTransactReadKind);
    FSP_FSCTL_TRANSACT_RSP rsp;
    NTSTATUS status;

    req->Req.Read.UserContext2 = handle;
    req->Req.Read.Address = (UINT64)(uintptr_t)buf;
    req->Req.Read.Offset = offset;
    req->Req.Read.Length = len;
    status = q_call(q, req, &rsp);
    *got = rsp.IoStatus.Information;
    return status;
}

static void q_close(qprov *q, UINT64 handle)
{
    FSP_FSCTL_TRANSACT_REQ *req = h_req(FspFsctlTransactCleanupKind);
    req->Req.Cleanup.UserContext2 = handle;
    assert_int_equal(q_call(q, req, NULL), STATUS_SUCCESS);
    req = h_req(FspFsctlTransactCloseKind);
    req->Req.Close.UserContext2 = handle;
    assert_int_equal(q_call(q, req, NULL), STATUS_SUCCESS);
}

static void hello_checks(qprov *q)
{
    char buf[64];
    UINT32 got = 0;
    NTSTATUS status;
    UINT64 handle;

    handle = q_open(q, "\\hello", FILE_NON_DIRECTORY_FILE, FILE_GENERIC_READ, &status);
    assert_int_equal(status, STATUS_SUCCESS);
    memset(buf, 0, sizeof buf);
    assert_int_equal(q_read(q, handle, 0, buf, sizeof buf, &got), STATUS_SUCCESS);
    assert_int_equal(got, strlen(hello_str));
    assert_string_equal(buf, "Hello World!\n");
    assert_int_equal(q_read(q, handle, 6, buf, 5, &got), STATUS_SUCCESS);
    assert_int_equal(got, 5);
    assert_memory_equal(buf, "World", 5);
    q_close(q, handle);

    q_open(q, "\\nope", 0, FILE_GENERIC_READ, &status);
    assert_int_equal(status, STATUS_OBJECT_NAME_NOT_FOUND);

    /* The root lists the file (hello_ll has readdir only: READDIRPLUS falls back). */
    handle = q_open(q, "\\", FILE_DIRECTORY_FILE, FILE_LIST_DIRECTORY, &status);
    assert_int_equal(status, STATUS_SUCCESS);
    {
        static UINT8 out[4096] __attribute__((aligned(8)));
        FSP_FSCTL_TRANSACT_REQ *req = h_req(FspFsctlTransactQueryDirectoryKind);
        FSP_FSCTL_TRANSACT_RSP rsp;
        const FSP_FSCTL_DIR_INFO *di;
        size_t pos = 0;
        bool found = false;

        req->Req.QueryDirectory.UserContext2 = handle;
        req->Req.QueryDirectory.Address = (UINT64)(uintptr_t)out;
        req->Req.QueryDirectory.Length = sizeof out;
        assert_int_equal(q_call(q, req, &rsp), STATUS_SUCCESS);
        while (wf_fsctl_dirinfo_next(out, rsp.IoStatus.Information, &pos, &di) ==
            WF_FSCTL_WALK_ITEM) {
            size_t n = wf_fsctl_dirinfo_name_length(di);
            if (n == 5 && di->FileNameBuf[0] == 'h' && di->FileNameBuf[4] == 'o')
                found = true;
        }
        assert_true(found);
    }
    q_close(q, handle);
}

static void engine_serves_hello_ll(void **state)
{
    qprov *q;

    (void)state;
    q = q_start(&hello_ll_oper, sizeof hello_ll_oper, q_single_loop);
    hello_checks(q);
    assert_int_equal(q_stop_gone(q), 0);
    q_free(q);
}

static void engine_serves_hello_ll_multithreaded(void **state)
{
    qprov *q;

    (void)state;
    q = q_start(&hello_ll_oper, sizeof hello_ll_oper, q_mt_loop);
    hello_checks(q);
    hello_checks(q);
    assert_int_equal(q_stop_gone(q), 0);
    q_free(q);
}

static void engine_loop_notices_exit(void **state)
{
    qprov *q;

    (void)state;
    q = q_start(&hello_ll_oper, sizeof hello_ll_oper, q_mt_loop);
    hello_checks(q);
    /* As a signal handler would: the loop ends at the transact timeout. */
    fuse_session_exit(q->se);
    pthread_join(q->loop, NULL);
    assert_int_equal(q->loop_result, 0);
    q_free(q);
}

/* ---- async replies, interrupts and notifications over the engine ---- */

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    fuse_req_t req;
    int interrupts;
    int notify_result;
    struct fuse_session *se;
} A = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, 0, 1, NULL};

static void a_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    struct fuse_entry_param e;

    memset(&e, 0, sizeof e);
    if (parent != 1 || (strcmp(name, "slow") != 0 && strcmp(name, "stuck") != 0)) {
        fuse_reply_err(req, ENOENT);
        return;
    }
    e.ino = strcmp(name, "slow") == 0 ? 2 : 3;
    e.attr.st_ino = e.ino;
    e.attr.st_mode = S_IFREG | 0444;
    e.attr.st_nlink = 1;
    e.attr.st_size = 4;
    fuse_reply_entry(req, &e);
}

static void a_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    struct stat st;

    (void)fi;
    memset(&st, 0, sizeof st);
    st.st_ino = ino;
    st.st_mode = ino == 1 ? S_IFDIR | 0755 : S_IFREG | 0444;
    st.st_nlink = 1;
    st.st_size = ino == 1 ? 0 : 4;
    fuse_reply_attr(req, &st, 0);
}

static void *a_replier(void *arg)
{
    fuse_req_t req = arg;
    usleep(30000);
    fuse_reply_buf(req, "late", 4);
    return NULL;
}

static void a_interrupted(fuse_req_t req, void *data)
{
    (void)data;
    pthread_mutex_lock(&A.lock);
    A.interrupts++;
    pthread_cond_broadcast(&A.cond);
    pthread_mutex_unlock(&A.lock);
    fuse_reply_err(req, EINTR);
}

static void a_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
    struct fuse_file_info *fi)
{
    (void)size;
    (void)off;
    (void)fi;
    if (ino == 2) {
        /* Answered later, from a thread that never received anything. */
        pthread_t t;
        pthread_create(&t, NULL, a_replier, req);
        pthread_detach(t);
        return;
    }
    /* Answered only when interrupted. */
    pthread_mutex_lock(&A.lock);
    A.req = req;
    pthread_cond_broadcast(&A.cond);
    pthread_mutex_unlock(&A.lock);
    fuse_req_interrupt_func(req, a_interrupted, NULL);
    /* A notification from inside a handler, while its own reply is not made yet. */
    A.notify_result = fuse_lowlevel_notify_inval_inode(A.se, 2, 0, 0);
}

static const struct fuse_lowlevel_ops a_ops = {
    .lookup = a_lookup,
    .getattr = a_getattr,
    .read = a_read,
};

static void engine_async_reply_interrupt_notify(void **state)
{
    char buf[16];
    UINT32 got = 0;
    NTSTATUS status;
    UINT64 slow, stuck;
    qprov *q;

    (void)state;
    q = q_start(&a_ops, sizeof a_ops, q_single_loop);
    A.se = q->se;

    slow = q_open(q, "\\slow", 0, FILE_GENERIC_READ, &status);
    assert_int_equal(status, STATUS_SUCCESS);
    memset(buf, 0, sizeof buf);
    assert_int_equal(q_read(q, slow, 0, buf, sizeof buf, &got), STATUS_SUCCESS);
    assert_int_equal(got, 4);
    assert_memory_equal(buf, "late", 4);

    stuck = q_open(q, "\\stuck", 0, FILE_GENERIC_READ, &status);
    assert_int_equal(status, STATUS_SUCCESS);
    {
        FSP_FSCTL_TRANSACT_REQ *req = h_req(FspFsctlTransactReadKind);
        FSP_FSCTL_TRANSACT_RSP *rsp;
        UINT64 hint = req->Hint;
        struct timespec until;

        req->Req.Read.UserContext2 = stuck;
        req->Req.Read.Address = (UINT64)(uintptr_t)buf;
        req->Req.Read.Length = sizeof buf;
        q_submit(q, req);
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 10;
        pthread_mutex_lock(&A.lock);
        while (!A.req && pthread_cond_timedwait(&A.cond, &A.lock, &until) == 0)
            ;
        pthread_mutex_unlock(&A.lock);
        assert_non_null(A.req);
        /* The WinFsp request is cancelled: the engine sends INTERRUPT. */
        wf_engine_cancel(q->engine, hint);
        rsp = q_wait(q, hint);
        assert_non_null(rsp);
        assert_int_equal(A.interrupts, 1);
        assert_int_not_equal(rsp->IoStatus.Status, STATUS_SUCCESS);
        free(rsp);
    }
    assert_int_equal(A.notify_result, 0);
    /* Notifications from the test thread, outside any handler. */
    assert_int_equal(fuse_lowlevel_notify_inval_entry(q->se, 1, "slow", 4), 0);
    assert_int_equal(fuse_lowlevel_notify_inval_inode(q->se, 2, 0, -1), 0);

    q_close(q, slow);
    q_close(q, stuck);
    assert_int_equal(q_stop_gone(q), 0);
    q_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(init_negotiates_like_libfuse, k_setup, k_teardown),
        cmocka_unit_test_setup_teardown(init_without_max_pages_limits_max_write, k_setup,
            k_teardown),
        cmocka_unit_test_setup_teardown(init_old_minor_gets_short_reply, k_setup, k_teardown),
        cmocka_unit_test_setup_teardown(init_unsupported_want_is_eproto, k_setup, k_teardown),
        cmocka_unit_test_setup_teardown(requests_before_and_after_init, k_setup, k_teardown),
        cmocka_unit_test_setup_teardown(lookup_entry_encoding, k_setup, k_teardown),
        cmocka_unit_test_setup_teardown(malformed_requests_get_eio, k_setup, k_teardown),
        cmocka_unit_test_setup_teardown(getattr_and_setattr, k_setup, k_teardown),
        cmocka_unit_test_setup_teardown(namespace_operations, k_setup, k_teardown),
        cmocka_unit_test_setup_teardown(open_create_release, k_setup, k_teardown),
        cmocka_unit_test_setup_teardown(read_replies, k_setup, k_teardown),
        cmocka_unit_test_setup_teardown(write_and_write_buf, k_setup, k_teardown),
        cmocka_unit_test_setup_teardown(xattr_operations, k_setup, k_teardown),
        cmocka_unit_test_setup_teardown(locks, k_setup, k_teardown),
        cmocka_unit_test_setup_teardown(directories, k_setup, k_teardown),
        cmocka_unit_test_setup_teardown(interrupts, k_setup, k_teardown),
        cmocka_unit_test_setup_teardown(forgets, k_setup, k_teardown),
        cmocka_unit_test_setup_teardown(notifications, k_setup, k_teardown),
        cmocka_unit_test_setup_teardown(other_operations, k_setup, k_teardown),
        cmocka_unit_test_setup_teardown(destroy_is_called_once, k_setup, k_teardown),
        cmocka_unit_test_setup_teardown(destroy_without_destroy_request, k_setup, k_teardown),
        cmocka_unit_test_setup_teardown(allow_root_turns_others_away, k_setup, k_teardown),
        cmocka_unit_test_setup_teardown(no_handlers_answer_enosys, k_setup, k_teardown),
        cmocka_unit_test_setup_teardown(reply_err_range, k_setup, k_teardown),
        cmocka_unit_test_setup_teardown(exit_flags, k_setup, k_teardown),
        cmocka_unit_test_setup_teardown(loop_runs_until_hangup, k_setup, k_teardown),
        cmocka_unit_test(session_options),
        cmocka_unit_test(buf_size),
        cmocka_unit_test(buf_copy_memory_segments),
        cmocka_unit_test(buf_copy_descriptors),
        cmocka_unit_test(buf_copy_retry),
        cmocka_unit_test(buf_copy_random_round_trip),
        cmocka_unit_test(engine_serves_hello_ll),
        cmocka_unit_test(engine_serves_hello_ll_multithreaded),
        cmocka_unit_test(engine_loop_notices_exit),
        cmocka_unit_test(engine_async_reply_interrupt_notify),
    };
    return WF_RUN_TESTS(tests);
}
