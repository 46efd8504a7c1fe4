/*
 * peer_fs.c - a small in-memory file system on Debian's libfuse3 low-level
 * API: the real FUSE program the engine is tested against.
 *
 *   peer_fs [--mt] [--timeout=SEC] [--jitter] [--report-fd=N] /dev/fd/M
 *
 * M is an already connected FUSE channel (libfuse 3.3 and later take
 * "/dev/fd/M" as the mount point and use the descriptor as it is). --mt
 * runs libfuse's multi-threaded loop, --jitter makes handlers sleep a
 * little at random so that replies overtake each other, --timeout sets
 * entry and attribute validity (0: the engine may cache nothing).
 *
 * It keeps the books on lookup counts: every entry handed out counts one,
 * every FORGET takes its count back. A FORGET of more than was handed out
 * is an error, and so is a count that does not add up at exit. On the
 * report descriptor it writes one line per event the test waits for:
 * "hang" (the request for "__hang" arrived and will never be answered,
 * unless interrupted: then "interrupted"), "destroy" (DESTROY arrived),
 * and at exit "exit lookups=L forgets=F live=K nodes=N errors=E".
 */
#define FUSE_USE_VERSION 34

#include <fuse_lowlevel.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif

#define PEER_BLOCKS (1u << 20)
#define PEER_INODES (1u << 20)
#define PEER_NAME_MAX 255

typedef struct xattr {
    char *name;
    char *value;
    size_t size;
} xattr;

typedef struct dent {
    char *name;
    fuse_ino_t ino;
    off_t cookie;             /* the readdir offset of the entry after this one is > cookie */
} dent;

typedef struct node {
    struct stat st;
    uint64_t nlookup;
    unsigned opens;
    fuse_ino_t parent;        /* directories */
    char *data;               /* regular files: st.st_size bytes used */
    size_t cap;
    char *target;             /* symbolic links */
    dent *ents;               /* directories, in cookie order */
    size_t nents, ents_cap;
    off_t next_cookie;
    xattr *xattrs;
    size_t nxattrs;
} node;

static struct {
    pthread_mutex_t lock;
    node **table;             /* by inode number */
    size_t cap;
    fuse_ino_t next_ino;
    size_t nodes;
    double timeout;
    bool jitter;
    int report_fd;
    uint64_t lookups, forgets, errors;
    uint64_t rng;
    uint64_t used_blocks;
} fs = {.lock = PTHREAD_MUTEX_INITIALIZER, .report_fd = -1, .timeout = 1.0};

static void report(const char *line)
{
    if (fs.report_fd >= 0) {
        ssize_t n = write(fs.report_fd, line, strlen(line));
        (void)n;
    }
}

static void jitter(void)
{
    uint64_t r;
    struct timespec ts;

    if (!fs.jitter)
        return;
    pthread_mutex_lock(&fs.lock);
    fs.rng ^= fs.rng << 13;
    fs.rng ^= fs.rng >> 7;
    fs.rng ^= fs.rng << 17;
    r = fs.rng;
    pthread_mutex_unlock(&fs.lock);
    ts.tv_sec = 0;
    ts.tv_nsec = (long)(r % 1500) * 1000;
    nanosleep(&ts, NULL);
}

static void now(struct timespec *ts)
{
    clock_gettime(CLOCK_REALTIME, ts);
}

/* ---- inodes ---- */

static node *get(fuse_ino_t ino)
{
    return ino < fs.cap ? fs.table[ino] : NULL;
}

static node *node_new(mode_t mode, const struct fuse_ctx *ctx)
{
    node *n;

    if (fs.next_ino >= fs.cap) {
        size_t cap = fs.cap ? fs.cap * 2 : 1024;
        node **t = realloc(fs.table, cap * sizeof *t);
        if (!t)
            return NULL;
        memset(t + fs.cap, 0, (cap - fs.cap) * sizeof *t);
        fs.table = t;
        fs.cap = cap;
    }
    n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->st.st_ino = fs.next_ino++;
    n->st.st_mode = mode;
    n->st.st_nlink = S_ISDIR(mode) ? 2 : 1;
    n->st.st_uid = ctx ? ctx->uid : 0;
    n->st.st_gid = ctx ? ctx->gid : 0;
    n->st.st_blksize = 4096;
    now(&n->st.st_atim);
    n->st.st_mtim = n->st.st_ctim = n->st.st_atim;
    n->next_cookie = 3; /* "." and ".." are 1 and 2 */
    fs.table[n->st.st_ino] = n;
    fs.nodes++;
    return n;
}

static void node_free(node *n)
{
    for (size_t i = 0; i < n->nents; i++)
        free(n->ents[i].name);
    for (size_t i = 0; i < n->nxattrs; i++) {
        free(n->xattrs[i].name);
        free(n->xattrs[i].value);
    }
    fs.used_blocks -= (uint64_t)n->st.st_blocks / 8;
    free(n->ents);
    free(n->xattrs);
    free(n->data);
    free(n->target);
    fs.table[n->st.st_ino] = NULL;
    fs.nodes--;
    free(n);
}

/* An inode lives while it has a name, a lookup count or an open handle. */
static void maybe_free(node *n)
{
    if (n->st.st_ino != FUSE_ROOT_ID && n->st.st_nlink == 0 && n->nlookup == 0 && n->opens == 0)
        node_free(n);
}

static void fill_entry(node *n, struct fuse_entry_param *e)
{
    memset(e, 0, sizeof *e);
    e->ino = n->st.st_ino;
    e->generation = 1;
    e->attr = n->st;
    e->attr_timeout = fs.timeout;
    e->entry_timeout = fs.timeout;
}

/* Hand out an entry: one more lookup for the kernel (here: the engine) to forget. */
static void reply_entry_counted(fuse_req_t req, node *n)
{
    struct fuse_entry_param e;

    fill_entry(n, &e);
    n->nlookup++;
    fs.lookups++;
    if (fuse_reply_entry(req, &e) != 0) {
        /* Not delivered: the count was never given. */
        n->nlookup--;
        fs.lookups--;
    }
}

static void forget_one(fuse_ino_t ino, uint64_t count)
{
    node *n = get(ino);

    if (!n || ino == FUSE_ROOT_ID) {
        fprintf(stderr, "peer_fs: FORGET of unknown inode %" PRIu64 "\n", (uint64_t)ino);
        fs.errors++;
        return;
    }
    if (count > n->nlookup) {
        fprintf(stderr, "peer_fs: FORGET %" PRIu64 " of inode %" PRIu64 " looked up %" PRIu64
            " times\n", count, (uint64_t)ino, n->nlookup);
        fs.errors++;
        count = n->nlookup;
    }
    n->nlookup -= count;
    fs.forgets += count;
    maybe_free(n);
}

static int resize(node *n, off_t size)
{
    if (size < 0)
        return EINVAL;
    if ((size_t)size > n->cap) {
        size_t cap = n->cap ? n->cap : 4096;
        char *p;
        while (cap < (size_t)size)
            cap *= 2;
        p = realloc(n->data, cap);
        if (!p)
            return ENOSPC;
        n->data = p;
        n->cap = cap;
    }
    if (size > n->st.st_size)
        memset(n->data + n->st.st_size, 0, (size_t)(size - n->st.st_size));
    fs.used_blocks -= (uint64_t)n->st.st_blocks / 8;
    n->st.st_size = size;
    n->st.st_blocks = (blkcnt_t)(((uint64_t)size + 4095) / 4096 * 8);
    fs.used_blocks += (uint64_t)n->st.st_blocks / 8;
    return 0;
}

/* ---- directories ---- */

static long dir_find(node *d, const char *name)
{
    for (size_t i = 0; i < d->nents; i++)
        if (strcmp(d->ents[i].name, name) == 0)
            return (long)i;
    return -1;
}

static int dir_add(node *d, const char *name, fuse_ino_t ino)
{
    char *copy;

    if (strlen(name) > PEER_NAME_MAX)
        return ENAMETOOLONG;
    if (d->nents == d->ents_cap) {
        size_t cap = d->ents_cap ? d->ents_cap * 2 : 16;
        dent *p = realloc(d->ents, cap * sizeof *p);
        if (!p)
            return ENOMEM;
        d->ents = p;
        d->ents_cap = cap;
    }
    copy = strdup(name);
    if (!copy)
        return ENOMEM;
    d->ents[d->nents].name = copy;
    d->ents[d->nents].ino = ino;
    d->ents[d->nents].cookie = d->next_cookie++;
    d->nents++;
    now(&d->st.st_mtim);
    d->st.st_ctim = d->st.st_mtim;
    return 0;
}

static void dir_remove(node *d, size_t i)
{
    free(d->ents[i].name);
    memmove(d->ents + i, d->ents + i + 1, (d->nents - i - 1) * sizeof *d->ents);
    d->nents--;
    now(&d->st.st_mtim);
    d->st.st_ctim = d->st.st_mtim;
}

/* The first entry whose cookie is above off (entries are in cookie order). */
static size_t dir_seek(node *d, off_t off)
{
    size_t lo = 0, hi = d->nents;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->ents[mid].cookie <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Look a name up in a directory inode, with the errors lookup gives. */
static int child_of(fuse_ino_t parent, const char *name, node **dir, node **child)
{
    long i;

    *dir = get(parent);
    *child = NULL;
    if (!*dir)
        return ENOENT;
    if (!S_ISDIR((*dir)->st.st_mode))
        return ENOTDIR;
    if (strlen(name) > PEER_NAME_MAX)
        return ENAMETOOLONG;
    i = dir_find(*dir, name);
    if (i >= 0)
        *child = get((*dir)->ents[i].ino);
    return 0;
}

/* Make a new inode under parent by name, or say why not. */
static void make_node(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
    const char *target)
{
    node *d, *c, *n;
    int err;

    pthread_mutex_lock(&fs.lock);
    err = child_of(parent, name, &d, &c);
    if (!err && c)
        err = EEXIST;
    if (!err) {
        n = node_new(mode, fuse_req_ctx(req));
        if (!n) {
            err = ENOMEM;
        } else if (target && !(n->target = strdup(target))) {
            err = ENOMEM;
        } else if ((err = dir_add(d, name, n->st.st_ino)) == 0) {
            if (target)
                n->st.st_size = (off_t)strlen(target);
            if (S_ISDIR(mode)) {
                n->parent = parent;
                d->st.st_nlink++;
            }
            reply_entry_counted(req, n);
            pthread_mutex_unlock(&fs.lock);
            return;
        }
        if (n) {
            n->st.st_nlink = 0;
            maybe_free(n);
        }
    }
    pthread_mutex_unlock(&fs.lock);
    fuse_reply_err(req, err);
}

/* ---- operations ---- */

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
    (void)userdata;
    (void)conn;
}

static void op_destroy(void *userdata)
{
    (void)userdata;
    report("destroy\n");
}

static void hang_interrupted(fuse_req_t req, void *data)
{
    (void)data;
    report("interrupted\n");
    fuse_reply_err(req, EINTR);
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    node *d, *c;
    int err;

    if (strcmp(name, "__hang") == 0) {
        /* Never answered, unless interrupted: the test kills or cancels us here. */
        fuse_req_interrupt_func(req, hang_interrupted, NULL);
        report("hang\n");
        return;
    }
    jitter();
    pthread_mutex_lock(&fs.lock);
    err = child_of(parent, name, &d, &c);
    if (!err && !c)
        err = ENOENT;
    if (!err) {
        reply_entry_counted(req, c);
        pthread_mutex_unlock(&fs.lock);
        return;
    }
    pthread_mutex_unlock(&fs.lock);
    fuse_reply_err(req, err);
}

static void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
    pthread_mutex_lock(&fs.lock);
    forget_one(ino, nlookup);
    pthread_mutex_unlock(&fs.lock);
    fuse_reply_none(req);
}

static void op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
    pthread_mutex_lock(&fs.lock);
    for (size_t i = 0; i < count; i++)
        forget_one(forgets[i].ino, forgets[i].nlookup);
    pthread_mutex_unlock(&fs.lock);
    fuse_reply_none(req);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    node *n;
    struct stat st;

    (void)fi;
    jitter();
    pthread_mutex_lock(&fs.lock);
    n = get(ino);
    if (n)
        st = n->st;
    pthread_mutex_unlock(&fs.lock);
    if (!n)
        fuse_reply_err(req, ENOENT);
    else
        fuse_reply_attr(req, &st, fs.timeout);
}

static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
    struct fuse_file_info *fi)
{
    node *n;
    struct stat st;
    struct timespec t;
    int err = 0;

    (void)fi;
    pthread_mutex_lock(&fs.lock);
    n = get(ino);
    if (!n) {
        err = ENOENT;
        goto out;
    }
    now(&t);
    if (to_set & FUSE_SET_ATTR_SIZE) {
        if (S_ISDIR(n->st.st_mode))
            err = EISDIR;
        else if (!S_ISREG(n->st.st_mode))
            err = EINVAL;
        else
            err = resize(n, attr->st_size);
        if (err)
            goto out;
        n->st.st_mtim = t;
    }
    if (to_set & FUSE_SET_ATTR_MODE)
        n->st.st_mode = (n->st.st_mode & S_IFMT) | (attr->st_mode & 07777);
    if (to_set & FUSE_SET_ATTR_UID)
        n->st.st_uid = attr->st_uid;
    if (to_set & FUSE_SET_ATTR_GID)
        n->st.st_gid = attr->st_gid;
    if (to_set & FUSE_SET_ATTR_ATIME_NOW)
        n->st.st_atim = t;
    else if (to_set & FUSE_SET_ATTR_ATIME)
        n->st.st_atim = attr->st_atim;
    if (to_set & FUSE_SET_ATTR_MTIME_NOW)
        n->st.st_mtim = t;
    else if (to_set & FUSE_SET_ATTR_MTIME)
        n->st.st_mtim = attr->st_mtim;
    n->st.st_ctim = (to_set & FUSE_SET_ATTR_CTIME) ? attr->st_ctim : t;
out:
    if (!err)
        st = n->st;
    pthread_mutex_unlock(&fs.lock);
    if (err)
        fuse_reply_err(req, err);
    else
        fuse_reply_attr(req, &st, fs.timeout);
}

static void op_readlink(fuse_req_t req, fuse_ino_t ino)
{
    node *n;
    char *target = NULL;
    int err = 0;

    pthread_mutex_lock(&fs.lock);
    n = get(ino);
    if (!n)
        err = ENOENT;
    else if (!S_ISLNK(n->st.st_mode))
        err = EINVAL;
    else if (!(target = strdup(n->target)))
        err = ENOMEM;
    pthread_mutex_unlock(&fs.lock);
    if (err)
        fuse_reply_err(req, err);
    else
        fuse_reply_readlink(req, target);
    free(target);
}

static void op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
    dev_t rdev)
{
    (void)rdev;
    if (S_ISDIR(mode) || S_ISLNK(mode)) {
        fuse_reply_err(req, EINVAL);
        return;
    }
    make_node(req, parent, name, mode, NULL);
}

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
    make_node(req, parent, name, S_IFDIR | (mode & 07777), NULL);
}

static void op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
    make_node(req, parent, name, S_IFLNK | 0777, link);
}

static void remove_name(fuse_req_t req, fuse_ino_t parent, const char *name, bool dir)
{
    node *d, *c;
    int err;

    pthread_mutex_lock(&fs.lock);
    err = child_of(parent, name, &d, &c);
    if (!err && !c)
        err = ENOENT;
    if (!err && dir && !S_ISDIR(c->st.st_mode))
        err = ENOTDIR;
    if (!err && !dir && S_ISDIR(c->st.st_mode))
        err = EISDIR;
    if (!err && dir && c->nents)
        err = ENOTEMPTY;
    if (!err) {
        dir_remove(d, (size_t)dir_find(d, name));
        if (dir) {
            c->st.st_nlink = 0;
            d->st.st_nlink--;
        } else {
            c->st.st_nlink--;
        }
        now(&c->st.st_ctim);
        maybe_free(c);
    }
    pthread_mutex_unlock(&fs.lock);
    fuse_reply_err(req, err);
}

static void op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    remove_name(req, parent, name, false);
}

static void op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    remove_name(req, parent, name, true);
}

static void op_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
    const char *newname, unsigned int flags)
{
    node *d, *s, *nd, *t;
    int err;

    if (flags & ~(unsigned)RENAME_NOREPLACE) {
        /* RENAME_EXCHANGE and RENAME_WHITEOUT are not kept here. */
        fuse_reply_err(req, EINVAL);
        return;
    }
    pthread_mutex_lock(&fs.lock);
    err = child_of(parent, name, &d, &s);
    if (!err && !s)
        err = ENOENT;
    if (!err)
        err = child_of(newparent, newname, &nd, &t);
    if (err || (d == nd && strcmp(name, newname) == 0))
        goto out;
    if (S_ISDIR(s->st.st_mode)) {
        /* A directory cannot move below itself. */
        for (node *p = nd; p; p = p->st.st_ino == FUSE_ROOT_ID ? NULL : get(p->parent)) {
            if (p == s) {
                err = EINVAL;
                goto out;
            }
        }
    }
    if (t) {
        if (flags & RENAME_NOREPLACE)
            err = EEXIST;
        else if (S_ISDIR(s->st.st_mode) && !S_ISDIR(t->st.st_mode))
            err = ENOTDIR;
        else if (!S_ISDIR(s->st.st_mode) && S_ISDIR(t->st.st_mode))
            err = EISDIR;
        else if (S_ISDIR(t->st.st_mode) && t->nents)
            err = ENOTEMPTY;
        if (err)
            goto out;
        dir_remove(nd, (size_t)dir_find(nd, newname));
        if (S_ISDIR(t->st.st_mode)) {
            t->st.st_nlink = 0;
            nd->st.st_nlink--;
        } else {
            t->st.st_nlink--;
        }
        maybe_free(t);
    }
    err = dir_add(nd, newname, s->st.st_ino);
    if (err)
        goto out;
    dir_remove(d, (size_t)dir_find(d, name));
    if (S_ISDIR(s->st.st_mode) && d != nd) {
        d->st.st_nlink--;
        nd->st.st_nlink++;
        s->parent = newparent;
    }
    now(&s->st.st_ctim);
out:
    pthread_mutex_unlock(&fs.lock);
    fuse_reply_err(req, err);
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    node *n;
    int err = 0;

    pthread_mutex_lock(&fs.lock);
    n = get(ino);
    if (!n)
        err = ENOENT;
    else if (S_ISDIR(n->st.st_mode))
        err = EISDIR;
    else if (!S_ISREG(n->st.st_mode))
        err = EINVAL;
    else if ((fi->flags & O_TRUNC) && (fi->flags & O_ACCMODE) != O_RDONLY)
        err = resize(n, 0);
    if (!err) {
        n->opens++;
        fi->fh = ino;
        if (fuse_reply_open(req, fi) != 0) {
            n->opens--;
            maybe_free(n);
        }
    }
    pthread_mutex_unlock(&fs.lock);
    if (err)
        fuse_reply_err(req, err);
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
    struct fuse_file_info *fi)
{
    node *n;

    (void)fi;
    jitter();
    pthread_mutex_lock(&fs.lock);
    n = get(ino);
    if (!n) {
        pthread_mutex_unlock(&fs.lock);
        fuse_reply_err(req, EBADF);
        return;
    }
    if (off < 0 || off >= n->st.st_size)
        size = 0;
    else if (size > (size_t)(n->st.st_size - off))
        size = (size_t)(n->st.st_size - off);
    fuse_reply_buf(req, size ? n->data + off : NULL, size);
    pthread_mutex_unlock(&fs.lock);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
    struct fuse_file_info *fi)
{
    node *n;
    int err = 0;

    (void)fi;
    jitter();
    pthread_mutex_lock(&fs.lock);
    n = get(ino);
    if (!n)
        err = EBADF;
    else if (off < 0 || size > (size_t)INT64_MAX - (size_t)off)
        err = EFBIG;
    else if ((off_t)(off + (off_t)size) > n->st.st_size)
        err = resize(n, off + (off_t)size);
    if (!err) {
        memcpy(n->data + off, buf, size);
        now(&n->st.st_mtim);
        n->st.st_ctim = n->st.st_mtim;
    }
    pthread_mutex_unlock(&fs.lock);
    if (err)
        fuse_reply_err(req, err);
    else
        fuse_reply_write(req, size);
}

static void op_ok(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)ino;
    (void)fi;
    fuse_reply_err(req, 0);
}

static void op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
    (void)datasync;
    op_ok(req, ino, fi);
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    node *n;

    (void)fi;
    pthread_mutex_lock(&fs.lock);
    n = get(ino);
    if (n && n->opens > 0) {
        n->opens--;
        maybe_free(n);
    } else {
        fprintf(stderr, "peer_fs: RELEASE of inode %" PRIu64 " not open\n", (uint64_t)ino);
        fs.errors++;
    }
    pthread_mutex_unlock(&fs.lock);
    fuse_reply_err(req, 0);
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    node *n;
    int err = 0;

    pthread_mutex_lock(&fs.lock);
    n = get(ino);
    if (!n)
        err = ENOENT;
    else if (!S_ISDIR(n->st.st_mode))
        err = ENOTDIR;
    if (!err) {
        n->opens++;
        fi->fh = ino;
        if (fuse_reply_open(req, fi) != 0) {
            n->opens--;
            maybe_free(n);
        }
    }
    pthread_mutex_unlock(&fs.lock);
    if (err)
        fuse_reply_err(req, err);
}

static void list_dir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, bool plus)
{
    node *d;
    char *buf;
    size_t pos = 0;

    jitter();
    buf = malloc(size ? size : 1);
    if (!buf) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    pthread_mutex_lock(&fs.lock);
    d = get(ino);
    if (!d || !S_ISDIR(d->st.st_mode)) {
        pthread_mutex_unlock(&fs.lock);
        free(buf);
        fuse_reply_err(req, d ? ENOTDIR : ENOENT);
        return;
    }
    for (off_t dot = off + 1; dot <= 2; dot++) {
        node *self = dot == 1 ? d : get(d->parent ? d->parent : FUSE_ROOT_ID);
        struct fuse_entry_param e;
        size_t need;

        if (!self)
            self = d; /* a removed directory's parent may be gone too */

        memset(&e, 0, sizeof e);
        e.attr = self->st;
        /* No lookup is counted for "." and "..": nodeid 0 says so. */
        need = plus ? fuse_add_direntry_plus(req, buf + pos, size - pos, dot == 1 ? "." : "..",
                          &e, dot)
                    : fuse_add_direntry(req, buf + pos, size - pos, dot == 1 ? "." : "..",
                          &self->st, dot);
        if (need > size - pos)
            goto done;
        pos += need;
    }
    for (size_t i = dir_seek(d, off); i < d->nents; i++) {
        node *c = get(d->ents[i].ino);
        struct fuse_entry_param e;
        size_t need;

        fill_entry(c, &e);
        need = plus ? fuse_add_direntry_plus(req, buf + pos, size - pos, d->ents[i].name, &e,
                          d->ents[i].cookie)
                    : fuse_add_direntry(req, buf + pos, size - pos, d->ents[i].name, &c->st,
                          d->ents[i].cookie);
        if (need > size - pos)
            break;
        pos += need;
        if (plus) {
            c->nlookup++;
            fs.lookups++;
        }
    }
done:
    /* The counts above are only given if the reply is. */
    if (fuse_reply_buf(req, buf, pos) != 0 && plus) {
        fprintf(stderr, "peer_fs: a READDIRPLUS reply was not delivered\n");
        fs.errors++;
    }
    pthread_mutex_unlock(&fs.lock);
    free(buf);
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
    struct fuse_file_info *fi)
{
    (void)fi;
    list_dir(req, ino, size, off, false);
}

static void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
    struct fuse_file_info *fi)
{
    (void)fi;
    list_dir(req, ino, size, off, true);
}

static void op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
    (void)datasync;
    op_ok(req, ino, fi);
}

static void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
    struct statvfs sv;

    (void)ino;
    memset(&sv, 0, sizeof sv);
    pthread_mutex_lock(&fs.lock);
    sv.f_bsize = 4096;
    sv.f_frsize = 4096;
    sv.f_blocks = PEER_BLOCKS;
    sv.f_bfree = sv.f_bavail = PEER_BLOCKS - (fs.used_blocks < PEER_BLOCKS ? fs.used_blocks
                                                                           : PEER_BLOCKS);
    sv.f_files = PEER_INODES;
    sv.f_ffree = sv.f_favail = PEER_INODES - fs.nodes;
    sv.f_namemax = PEER_NAME_MAX;
    pthread_mutex_unlock(&fs.lock);
    fuse_reply_statfs(req, &sv);
}

static long xattr_find(node *n, const char *name)
{
    for (size_t i = 0; i < n->nxattrs; i++)
        if (strcmp(n->xattrs[i].name, name) == 0)
            return (long)i;
    return -1;
}

static void op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
    size_t size, int flags)
{
    node *n;
    long i;
    int err = 0;
    char *copy;

    pthread_mutex_lock(&fs.lock);
    n = get(ino);
    if (!n) {
        err = ENOENT;
        goto out;
    }
    i = xattr_find(n, name);
    if (i >= 0 && (flags & XATTR_CREATE)) {
        err = EEXIST;
        goto out;
    }
    if (i < 0 && (flags & XATTR_REPLACE)) {
        err = ENODATA;
        goto out;
    }
    copy = malloc(size ? size : 1);
    if (!copy) {
        err = ENOMEM;
        goto out;
    }
    memcpy(copy, value, size);
    if (i < 0) {
        xattr *p = realloc(n->xattrs, (n->nxattrs + 1) * sizeof *p);
        char *nm = strdup(name);
        if (!p || !nm) {
            if (p)
                n->xattrs = p;
            free(nm);
            free(copy);
            err = ENOMEM;
            goto out;
        }
        n->xattrs = p;
        i = (long)n->nxattrs++;
        n->xattrs[i].name = nm;
        n->xattrs[i].value = NULL;
    }
    free(n->xattrs[i].value);
    n->xattrs[i].value = copy;
    n->xattrs[i].size = size;
    now(&n->st.st_ctim);
out:
    pthread_mutex_unlock(&fs.lock);
    fuse_reply_err(req, err);
}

static void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
    node *n;
    long i;
    int err = 0;

    pthread_mutex_lock(&fs.lock);
    n = get(ino);
    if (!n)
        err = ENOENT;
    else if ((i = xattr_find(n, name)) < 0)
        err = ENODATA;
    else if (size == 0)
        fuse_reply_xattr(req, n->xattrs[i].size);
    else if (size < n->xattrs[i].size)
        err = ERANGE;
    else
        fuse_reply_buf(req, n->xattrs[i].value, n->xattrs[i].size);
    pthread_mutex_unlock(&fs.lock);
    if (err)
        fuse_reply_err(req, err);
}

static void op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
    node *n;
    size_t need = 0, pos = 0;
    char *buf = NULL;
    int err = 0;

    pthread_mutex_lock(&fs.lock);
    n = get(ino);
    if (!n) {
        err = ENOENT;
        goto out;
    }
    for (size_t i = 0; i < n->nxattrs; i++)
        need += strlen(n->xattrs[i].name) + 1;
    if (size == 0) {
        fuse_reply_xattr(req, need);
        goto out;
    }
    if (size < need) {
        err = ERANGE;
        goto out;
    }
    buf = malloc(need ? need : 1);
    if (!buf) {
        err = ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n->nxattrs; i++) {
        size_t len = strlen(n->xattrs[i].name) + 1;
        memcpy(buf + pos, n->xattrs[i].name, len);
        pos += len;
    }
    fuse_reply_buf(req, buf, pos);
out:
    pthread_mutex_unlock(&fs.lock);
    free(buf);
    if (err)
        fuse_reply_err(req, err);
}

static void op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
    node *n;
    long i = -1;
    int err = 0;

    pthread_mutex_lock(&fs.lock);
    n = get(ino);
    if (!n)
        err = ENOENT;
    else if ((i = xattr_find(n, name)) < 0)
        err = ENODATA;
    if (!err) {
        free(n->xattrs[i].name);
        free(n->xattrs[i].value);
        n->xattrs[i] = n->xattrs[--n->nxattrs];
        now(&n->st.st_ctim);
    }
    pthread_mutex_unlock(&fs.lock);
    fuse_reply_err(req, err);
}

static void op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
    struct fuse_file_info *fi)
{
    node *d, *c, *n = NULL;
    struct fuse_entry_param e;
    int err;

    pthread_mutex_lock(&fs.lock);
    err = child_of(parent, name, &d, &c);
    if (!err && c) {
        if (fi->flags & O_EXCL)
            err = EEXIST;
        else if (S_ISDIR(c->st.st_mode))
            err = EISDIR;
        else if (!S_ISREG(c->st.st_mode))
            err = EINVAL;
        else if ((fi->flags & O_TRUNC) && (fi->flags & O_ACCMODE) != O_RDONLY)
            err = resize(c, 0);
        n = c;
    } else if (!err) {
        n = node_new(S_IFREG | (mode & 07777), fuse_req_ctx(req));
        if (!n) {
            err = ENOMEM;
        } else if ((err = dir_add(d, name, n->st.st_ino)) != 0) {
            n->st.st_nlink = 0;
            maybe_free(n);
            n = NULL;
        }
    }
    if (!err) {
        fill_entry(n, &e);
        fi->fh = n->st.st_ino;
        n->nlookup++;
        n->opens++;
        fs.lookups++;
        if (fuse_reply_create(req, &e, fi) != 0) {
            n->nlookup--;
            n->opens--;
            fs.lookups--;
            maybe_free(n);
        }
    }
    pthread_mutex_unlock(&fs.lock);
    if (err)
        fuse_reply_err(req, err);
}

static const struct fuse_lowlevel_ops ops = {
    .init = op_init,
    .destroy = op_destroy,
    .lookup = op_lookup,
    .forget = op_forget,
    .forget_multi = op_forget_multi,
    .getattr = op_getattr,
    .setattr = op_setattr,
    .readlink = op_readlink,
    .mknod = op_mknod,
    .mkdir = op_mkdir,
    .unlink = op_unlink,
    .rmdir = op_rmdir,
    .symlink = op_symlink,
    .rename = op_rename,
    .open = op_open,
    .read = op_read,
    .write = op_write,
    .flush = op_ok,
    .release = op_release,
    .fsync = op_fsync,
    .opendir = op_opendir,
    .readdir = op_readdir,
    .readdirplus = op_readdirplus,
    .releasedir = op_release,
    .fsyncdir = op_fsyncdir,
    .statfs = op_statfs,
    .setxattr = op_setxattr,
    .getxattr = op_getxattr,
    .listxattr = op_listxattr,
    .removexattr = op_removexattr,
    .create = op_create,
};

/* libfuse says "short read" when the channel closes: that is how we are unmounted. */
static void peer_log(enum fuse_log_level level, const char *fmt, va_list ap)
{
    if (strncmp(fmt, "short read on fuse device", 25) == 0)
        return;
    (void)level;
    vfprintf(stderr, fmt, ap);
}

int main(int argc, char **argv)
{
    struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
    struct fuse_session *se;
    const char *mountpoint = NULL;
    bool mt = false;
    uint64_t live = 0;
    char line[256];
    node *root;
    int res;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--mt") == 0)
            mt = true;
        else if (strcmp(argv[i], "--jitter") == 0)
            fs.jitter = true;
        else if (strncmp(argv[i], "--timeout=", 10) == 0)
            fs.timeout = strtod(argv[i] + 10, NULL);
        else if (strncmp(argv[i], "--report-fd=", 12) == 0)
            fs.report_fd = atoi(argv[i] + 12);
        else if (argv[i][0] != '-' && !mountpoint)
            mountpoint = argv[i];
        else {
            fprintf(stderr, "usage: %s [--mt] [--jitter] [--timeout=SEC] [--report-fd=N] "
                "/dev/fd/N\n", argv[0]);
            return 2;
        }
    }
    if (!mountpoint) {
        fprintf(stderr, "peer_fs: no mount point\n");
        return 2;
    }
    /* The channel may go while a reply is being written: that is an error, not a death. */
    signal(SIGPIPE, SIG_IGN);
    fuse_set_log_func(peer_log);
    fs.rng = 0x9e3779b97f4a7c15ull;
    fs.next_ino = FUSE_ROOT_ID;
    root = node_new(S_IFDIR | 0755, NULL);
    if (!root)
        return 1;
    root->parent = FUSE_ROOT_ID;
    root->st.st_uid = getuid();
    root->st.st_gid = getgid();

    if (fuse_opt_add_arg(&args, argv[0]) != 0 ||
        (getenv("PEER_FS_DEBUG") && fuse_opt_add_arg(&args, "-d") != 0))
        return 1;
    se = fuse_session_new(&args, &ops, sizeof ops, NULL);
    fuse_opt_free_args(&args);
    if (!se)
        return 1;
    if (fuse_session_mount(se, mountpoint) != 0) {
        fuse_session_destroy(se);
        return 1;
    }
    if (mt) {
        struct fuse_loop_config config = {.clone_fd = 0, .max_idle_threads = 10};
        res = fuse_session_loop_mt(se, &config);
    } else {
        res = fuse_session_loop(se);
    }
    /* The loop ends with an error when the channel closes: that is our unmount. */
    fuse_session_unmount(se);
    fuse_session_destroy(se);

    for (size_t i = 0; i < fs.cap; i++)
        if (fs.table[i] && i != FUSE_ROOT_ID)
            live += fs.table[i]->nlookup;
    if (live != fs.lookups - fs.forgets) {
        fprintf(stderr, "peer_fs: %" PRIu64 " lookups live, but %" PRIu64 " given and %" PRIu64
            " forgotten\n", live, fs.lookups, fs.forgets);
        fs.errors++;
    }
    snprintf(line, sizeof line,
        "exit lookups=%" PRIu64 " forgets=%" PRIu64 " live=%" PRIu64 " nodes=%zu errors=%" PRIu64
        " loop=%d\n", fs.lookups, fs.forgets, live, fs.nodes, fs.errors, res);
    report(line);
    for (size_t i = 0; i < fs.cap; i++)
        if (fs.table[i])
            node_free(fs.table[i]);
    free(fs.table);
    return fs.errors ? 1 : 0;
}
