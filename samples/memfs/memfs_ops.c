/*
 * memfs_ops.c - a complete in-memory file system on the high-level fuse3 API.
 *
 * Files keep their data in 4 KiB pages hung off a radix tree indexed by page
 * number, so a sparse file costs memory only for the pages ever written (a
 * 1 TiB file made by truncate holds none). Invariant: every byte of a page at
 * or beyond the file size is zero, so growing a file never exposes old data.
 *
 * Locking: `ns` (a rwlock) guards the name space - directory contents and
 * the parent links of directories. Each inode's own rwlock guards its
 * attributes, data and extended attributes. Order: ns, then inodes; two
 * inodes are taken together only by copy_file_range, lowest inode number
 * first. Operations by open handle (libfuse passes no path: nullpath_ok) take
 * only the inode lock; the handle keeps the inode alive. An inode is freed
 * when its last name and its last handle are gone, by whoever drops the
 * second-to-last of those under the inode lock.
 */
#define FUSE_USE_VERSION 314

#include <fuse.h>

#include "memfs_ops.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif
#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 0x01
#endif
#ifndef FALLOC_FL_PUNCH_HOLE
#define FALLOC_FL_PUNCH_HOLE 0x02
#endif
#ifndef FALLOC_FL_ZERO_RANGE
#define FALLOC_FL_ZERO_RANGE 0x10
#endif
#ifndef SEEK_DATA
#define SEEK_DATA 3
#endif
#ifndef SEEK_HOLE
#define SEEK_HOLE 4
#endif

#define MEMFS_PAGE_SHIFT 12
#define MEMFS_PAGE ((size_t)1 << MEMFS_PAGE_SHIFT)
/* Largest file: 2^62 bytes keeps every offset sum far from overflow and the
   page index within 50 bits (a radix tree 9 levels high at most). */
#define MEMFS_MAX_FILE ((uint64_t)1 << 62)
#define MEMFS_NAME_MAX 255
#ifndef XATTR_NAME_MAX
#define XATTR_NAME_MAX 255
#endif
#define MEMFS_XATTR_SIZE_MAX 65536
#define MEMFS_XATTR_LIST_MAX 65536
/* What an inode is charged against the capacity besides its data. */
#define MEMFS_INODE_COST 256

/* ------------------------------------------------------------------ */
/* Radix tree of pages                                                 */
/* ------------------------------------------------------------------ */

#define RT_BITS 6
#define RT_FAN (1u << RT_BITS)

struct rt_node {
    void *slot[RT_FAN];
    unsigned count;
};

struct pagemap {
    struct rt_node *root;
    unsigned height;        /* 0: empty; h: covers indices < 2^(6h) */
    uint64_t npages;
};

static uint64_t rt_cover(unsigned height)
{
    return height * RT_BITS >= 64 ? UINT64_MAX : ((uint64_t)1 << (height * RT_BITS));
}

static void *rt_get(const struct pagemap *pm, uint64_t idx)
{
    if (pm->height == 0 || idx >= rt_cover(pm->height))
        return NULL;
    struct rt_node *n = pm->root;
    for (unsigned level = pm->height - 1;; level--) {
        void *p = n->slot[(idx >> (level * RT_BITS)) & (RT_FAN - 1)];
        if (level == 0 || p == NULL)
            return p;
        n = p;
    }
}

/* Returns the page at idx, allocating a zeroed one (and *created = true) if
   absent; NULL when out of memory. */
static void *rt_get_or_add(struct pagemap *pm, uint64_t idx, bool *created)
{
    *created = false;
    while (pm->height == 0 || idx >= rt_cover(pm->height)) {
        struct rt_node *n = calloc(1, sizeof(*n));
        if (n == NULL)
            return NULL;
        if (pm->root != NULL) {
            n->slot[0] = pm->root;
            n->count = 1;
        }
        pm->root = n;
        pm->height++;
    }
    struct rt_node *n = pm->root;
    for (unsigned level = pm->height - 1;; level--) {
        unsigned i = (idx >> (level * RT_BITS)) & (RT_FAN - 1);
        if (n->slot[i] == NULL) {
            void *p = level == 0 ? calloc(1, MEMFS_PAGE) : calloc(1, sizeof(struct rt_node));
            if (p == NULL)
                return NULL;
            n->slot[i] = p;
            n->count++;
            if (level == 0) {
                pm->npages++;
                *created = true;
            }
        }
        if (level == 0)
            return n->slot[i];
        n = n->slot[i];
    }
}

/* Smallest present index >= from within the subtree n (at level, first index
   base); false if none. */
static bool rt_next_in(const struct rt_node *n, unsigned level, uint64_t base,
                       uint64_t from, uint64_t *out)
{
    uint64_t span = (uint64_t)1 << (level * RT_BITS);
    unsigned i = from > base ? (unsigned)((from - base) / span) : 0;
    for (; i < RT_FAN; i++) {
        if (n->slot[i] == NULL)
            continue;
        uint64_t sbase = base + i * span;
        if (level == 0) {
            *out = sbase;
            return true;
        }
        if (rt_next_in(n->slot[i], level - 1, sbase, from > sbase ? from : sbase, out))
            return true;
    }
    return false;
}

static bool rt_next(const struct pagemap *pm, uint64_t from, uint64_t *out)
{
    if (pm->height == 0 || from >= rt_cover(pm->height))
        return false;
    return rt_next_in(pm->root, pm->height - 1, 0, from, out);
}

static uint64_t rt_free_subtree(struct rt_node *n, unsigned level)
{
    uint64_t freed = 0;
    for (unsigned i = 0; i < RT_FAN; i++) {
        if (n->slot[i] == NULL)
            continue;
        if (level == 0) {
            free(n->slot[i]);
            freed++;
        } else {
            freed += rt_free_subtree(n->slot[i], level - 1);
        }
    }
    free(n);
    return freed;
}

/* Frees the pages with index in [a, b]; returns how many. */
static uint64_t rt_trim_in(struct rt_node *n, unsigned level, uint64_t base,
                           uint64_t a, uint64_t b)
{
    uint64_t span = (uint64_t)1 << (level * RT_BITS);
    uint64_t freed = 0;
    unsigned first = a > base ? (unsigned)((a - base) / span) : 0;
    unsigned last = (b - base) / span >= RT_FAN ? RT_FAN - 1 : (unsigned)((b - base) / span);
    for (unsigned i = first; i <= last; i++) {
        if (n->slot[i] == NULL)
            continue;
        uint64_t sbase = base + i * span;
        uint64_t send = sbase + (span - 1);
        if (level == 0) {
            free(n->slot[i]);
            freed++;
        } else if (a <= sbase && send <= b) {
            freed += rt_free_subtree(n->slot[i], level - 1);
        } else {
            struct rt_node *c = n->slot[i];
            freed += rt_trim_in(c, level - 1, sbase, a, b);
            if (c->count != 0)
                continue;
            free(c);
        }
        n->slot[i] = NULL;
        n->count--;
    }
    return freed;
}

static uint64_t rt_trim(struct pagemap *pm, uint64_t a, uint64_t b)
{
    if (pm->height == 0 || a > b || a >= rt_cover(pm->height))
        return 0;
    uint64_t freed = rt_trim_in(pm->root, pm->height - 1, 0, a, b);
    pm->npages -= freed;
    /* Shrink: an empty tree goes, a root using only its first slot steps down. */
    while (pm->height > 0) {
        struct rt_node *r = pm->root;
        if (r->count == 0) {
            free(r);
            pm->root = NULL;
            pm->height = 0;
        } else if (pm->height > 1 && r->count == 1 && r->slot[0] != NULL) {
            pm->root = r->slot[0];
            pm->height--;
            free(r);
        } else {
            break;
        }
    }
    return freed;
}

static uint64_t rt_clear(struct pagemap *pm)
{
    uint64_t freed = 0;
    if (pm->root != NULL)
        freed = rt_free_subtree(pm->root, pm->height - 1);
    pm->root = NULL;
    pm->height = 0;
    pm->npages = 0;
    return freed;
}

/* ------------------------------------------------------------------ */
/* Inodes and directories                                              */
/* ------------------------------------------------------------------ */

struct mnode;

struct mdirent {
    struct mdirent *hnext;
    struct mnode *node;
    uint64_t cookie;        /* readdir offset; increasing in insertion order */
    size_t namelen;
    char name[];
};

struct mdir {
    struct mdirent **ents;  /* by cookie, ascending */
    size_t n, cap;
    struct mdirent **hash;
    size_t hsize;           /* power of two */
    uint64_t next_cookie;
};

struct xattr {
    struct xattr *next;
    char *name;
    size_t size;
    char value[];
};

struct mnode {
    pthread_rwlock_t lock;
    uint64_t ino;
    mode_t mode;
    nlink_t nlink;
    uid_t uid;
    gid_t gid;
    dev_t rdev;
    struct timespec atime, mtime, ctime;
    uint64_t size;
    unsigned open_count;
    struct pagemap pages;   /* regular files */
    struct mdir dir;        /* directories */
    struct mnode *parent;   /* directories: NULL once removed */
    char *target;           /* symbolic links */
    struct xattr *xattrs;
};

struct mhandle {
    struct mnode *node;
    int flags;
    struct mhandle *prev, *next;    /* fs->handles */
};

struct memfs {
    pthread_rwlock_t ns;
    /* Every open handle, so that destroy() can free what was never
       released (a release still in flight at unmount). */
    pthread_mutex_t hlock;
    struct mhandle handles;
    struct mnode *root;
    uint64_t next_ino;
    uint64_t capacity;
    uint64_t used;          /* bytes charged; atomic */
    uint64_t ninodes;       /* atomic */
    uint64_t max_inodes;
    int hidden_unlink;
    int noperm;
};

static struct memfs *get_fs(void)
{
    return fuse_get_context()->private_data;
}

static struct mhandle *get_handle(const struct fuse_file_info *fi)
{
    return (struct mhandle *)(uintptr_t)fi->fh;
}

static struct timespec now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts;
}

static int charge(struct memfs *fs, uint64_t bytes)
{
    uint64_t used = __atomic_add_fetch(&fs->used, bytes, __ATOMIC_RELAXED);
    if (used > fs->capacity) {
        __atomic_sub_fetch(&fs->used, bytes, __ATOMIC_RELAXED);
        return -ENOSPC;
    }
    return 0;
}

static void uncharge(struct memfs *fs, uint64_t bytes)
{
    __atomic_sub_fetch(&fs->used, bytes, __ATOMIC_RELAXED);
}

static size_t name_hash(const char *name, size_t len)
{
    /* FNV-1a */
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)name[i];
        h *= 1099511628211ull;
    }
    return (size_t)h;
}

static struct mdirent *dir_lookup(const struct mdir *d, const char *name, size_t len)
{
    if (d->hsize == 0)
        return NULL;
    for (struct mdirent *e = d->hash[name_hash(name, len) & (d->hsize - 1)]; e; e = e->hnext)
        if (e->namelen == len && memcmp(e->name, name, len) == 0)
            return e;
    return NULL;
}

static int dir_grow_hash(struct mdir *d)
{
    size_t nsize = d->hsize ? d->hsize * 2 : 16;
    struct mdirent **nh = calloc(nsize, sizeof(*nh));
    if (nh == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < d->hsize; i++) {
        struct mdirent *e = d->hash[i];
        while (e != NULL) {
            struct mdirent *next = e->hnext;
            size_t b = name_hash(e->name, e->namelen) & (nsize - 1);
            e->hnext = nh[b];
            nh[b] = e;
            e = next;
        }
    }
    free(d->hash);
    d->hash = nh;
    d->hsize = nsize;
    return 0;
}

/* Appends a new entry; the caller has checked that the name is absent. */
static int dir_add(struct mdir *d, const char *name, size_t len, struct mnode *node)
{
    if (d->n + 1 > d->hsize && dir_grow_hash(d) != 0)
        return -ENOMEM;
    if (d->n == d->cap) {
        size_t ncap = d->cap ? d->cap * 2 : 8;
        struct mdirent **ne = realloc(d->ents, ncap * sizeof(*ne));
        if (ne == NULL)
            return -ENOMEM;
        d->ents = ne;
        d->cap = ncap;
    }
    struct mdirent *e = malloc(sizeof(*e) + len + 1);
    if (e == NULL)
        return -ENOMEM;
    memcpy(e->name, name, len);
    e->name[len] = '\0';
    e->namelen = len;
    e->node = node;
    /* Offsets 1 and 2 are "." and ".."; entries start at 3. */
    if (d->next_cookie < 3)
        d->next_cookie = 3;
    e->cookie = d->next_cookie++;
    size_t b = name_hash(name, len) & (d->hsize - 1);
    e->hnext = d->hash[b];
    d->hash[b] = e;
    d->ents[d->n++] = e;
    return 0;
}

/* Index of the first entry whose cookie is > off. */
static size_t dir_seek(const struct mdir *d, uint64_t off)
{
    size_t lo = 0, hi = d->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->ents[mid]->cookie <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void dir_remove(struct mdir *d, struct mdirent *e)
{
    struct mdirent **pp = &d->hash[name_hash(e->name, e->namelen) & (d->hsize - 1)];
    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    size_t i = dir_seek(d, e->cookie - 1);
    memmove(&d->ents[i], &d->ents[i + 1], (d->n - i - 1) * sizeof(d->ents[0]));
    d->n--;
    free(e);
}

static struct mnode *node_new(struct memfs *fs, mode_t mode)
{
    if (__atomic_load_n(&fs->ninodes, __ATOMIC_RELAXED) >= fs->max_inodes)
        return NULL;
    if (charge(fs, MEMFS_INODE_COST) != 0)
        return NULL;
    struct mnode *n = calloc(1, sizeof(*n));
    if (n == NULL || pthread_rwlock_init(&n->lock, NULL) != 0) {
        free(n);
        uncharge(fs, MEMFS_INODE_COST);
        return NULL;
    }
    __atomic_add_fetch(&fs->ninodes, 1, __ATOMIC_RELAXED);
    struct fuse_context *ctx = fuse_get_context();
    n->ino = fs->next_ino++;
    n->mode = mode;
    n->uid = ctx->uid;
    n->gid = ctx->gid;
    n->atime = n->mtime = n->ctime = now();
    return n;
}

static void node_free(struct memfs *fs, struct mnode *n)
{
    uint64_t bytes = MEMFS_INODE_COST + rt_clear(&n->pages) * MEMFS_PAGE;
    for (size_t i = 0; i < n->dir.n; i++)
        free(n->dir.ents[i]);
    free(n->dir.ents);
    free(n->dir.hash);
    if (n->target != NULL) {
        bytes += strlen(n->target) + 1;
        free(n->target);
    }
    while (n->xattrs != NULL) {
        struct xattr *x = n->xattrs;
        n->xattrs = x->next;
        bytes += strlen(x->name) + 1 + x->size;
        free(x->name);
        free(x);
    }
    pthread_rwlock_destroy(&n->lock);
    free(n);
    uncharge(fs, bytes);
    __atomic_sub_fetch(&fs->ninodes, 1, __ATOMIC_RELAXED);
}

/* Drops one name of n (the caller holds ns for writing and has taken the
   entry out of its directory); frees n if nothing refers to it any more. */
static void node_unlinked(struct memfs *fs, struct mnode *n)
{
    pthread_rwlock_wrlock(&n->lock);
    if (S_ISDIR(n->mode)) {
        n->nlink = 0;
        n->parent = NULL;
    } else if (n->nlink > 0) {
        n->nlink--;
    }
    n->ctime = now();
    bool gone = n->nlink == 0 && n->open_count == 0;
    pthread_rwlock_unlock(&n->lock);
    if (gone)
        node_free(fs, n);
}

static void fill_stat(const struct mnode *n, struct stat *st)
{
    memset(st, 0, sizeof(*st));
    st->st_ino = n->ino;
    st->st_mode = n->mode;
    st->st_nlink = n->nlink;
    st->st_uid = n->uid;
    st->st_gid = n->gid;
    st->st_rdev = n->rdev;
    st->st_blksize = MEMFS_PAGE;
    st->st_atim = n->atime;
    st->st_mtim = n->mtime;
    st->st_ctim = n->ctime;
    if (S_ISREG(n->mode)) {
        st->st_size = (off_t)n->size;
        st->st_blocks = (blkcnt_t)(n->pages.npages * (MEMFS_PAGE / 512));
    } else if (S_ISDIR(n->mode)) {
        st->st_size = MEMFS_PAGE;
    } else if (S_ISLNK(n->mode)) {
        st->st_size = (off_t)strlen(n->target);
    }
}

/* ------------------------------------------------------------------ */
/* Permissions                                                         */
/* ------------------------------------------------------------------ */

static bool is_root(const struct memfs *fs)
{
    return fs->noperm || fuse_get_context()->uid == 0;
}

static bool in_group(gid_t gid)
{
    struct fuse_context *ctx = fuse_get_context();
    if (ctx->gid == gid)
        return true;
    gid_t groups[64];
    int n = fuse_getgroups(64, groups);
    for (int i = 0; i < n && i < 64; i++)
        if (groups[i] == gid)
            return true;
    return false;
}

/* mask: R_OK|W_OK|X_OK. The caller holds n's lock or ns. */
static int may(const struct memfs *fs, const struct mnode *n, int mask)
{
    mask &= R_OK | W_OK | X_OK;
    if (is_root(fs)) {
        /* root may execute only what someone may execute */
        if ((mask & X_OK) && !S_ISDIR(n->mode) && !(n->mode & 0111))
            return -EACCES;
        return 0;
    }
    uid_t uid = fuse_get_context()->uid;
    unsigned bits;
    if (uid == n->uid) {
        bits = (n->mode >> 6) & 7;
    } else {
        unsigned gbits = (n->mode >> 3) & 7, obits = n->mode & 7;
        /* Asking the groups costs a /proc read: only when they matter. */
        if ((gbits & mask) != (obits & mask) && in_group(n->gid))
            bits = gbits;
        else
            bits = obits;
    }
    return ((int)bits & mask) == mask ? 0 : -EACCES;
}

static bool is_owner(const struct memfs *fs, const struct mnode *n)
{
    return is_root(fs) || fuse_get_context()->uid == n->uid;
}

/* Sticky directories: only the owner of the entry or of the directory may
   remove or rename it. */
static int sticky_ok(const struct memfs *fs, const struct mnode *dir, const struct mnode *victim)
{
    if (!(dir->mode & S_ISVTX) || is_root(fs))
        return 0;
    uid_t uid = fuse_get_context()->uid;
    return uid == dir->uid || uid == victim->uid ? 0 : -EPERM;
}

/* ------------------------------------------------------------------ */
/* Path resolution (caller holds ns)                                   */
/* ------------------------------------------------------------------ */

static int walk(struct memfs *fs, const char *path, size_t pathlen, struct mnode **out)
{
    struct mnode *n = fs->root;
    size_t i = 0;
    while (i < pathlen) {
        while (i < pathlen && path[i] == '/')
            i++;
        if (i == pathlen)
            break;
        size_t start = i;
        while (i < pathlen && path[i] != '/')
            i++;
        size_t len = i - start;
        if (len > MEMFS_NAME_MAX)
            return -ENAMETOOLONG;
        if (!S_ISDIR(n->mode))
            return -ENOTDIR;
        int err = may(fs, n, X_OK);
        if (err)
            return err;
        if (len == 1 && path[start] == '.')
            continue;
        if (len == 2 && path[start] == '.' && path[start + 1] == '.') {
            if (n->parent != NULL)
                n = n->parent;
            continue;
        }
        struct mdirent *e = dir_lookup(&n->dir, path + start, len);
        if (e == NULL)
            return -ENOENT;
        n = e->node;
    }
    *out = n;
    return 0;
}

static int resolve(struct memfs *fs, const char *path, struct mnode **out)
{
    if (path == NULL)
        return -EINVAL;
    return walk(fs, path, strlen(path), out);
}

/* Splits path into its directory (resolved; must be a directory the caller
   may search) and its last component. */
static int resolve_parent(struct memfs *fs, const char *path, struct mnode **dir,
                          const char **name, size_t *namelen)
{
    if (path == NULL)
        return -EINVAL;
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    size_t slash = len;
    while (slash > 0 && path[slash - 1] != '/')
        slash--;
    *name = path + slash;
    *namelen = len - slash;
    if (*namelen == 0)
        return -EEXIST;     /* "/" itself */
    if (*namelen > MEMFS_NAME_MAX)
        return -ENAMETOOLONG;
    int err = walk(fs, path, slash, dir);
    if (err)
        return err;
    if (!S_ISDIR((*dir)->mode))
        return -ENOTDIR;
    return may(fs, *dir, X_OK);
}

static bool is_dot_name(const char *name, size_t len)
{
    return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

/* The node an operation is about: by handle if given, else by path. With a
   path, ns is read-locked on return (*ns_locked); the caller unlocks it. */
static int target(struct memfs *fs, const char *path, struct fuse_file_info *fi,
                  struct mnode **n, bool *ns_locked)
{
    *ns_locked = false;
    if (fi != NULL && fi->fh != 0) {
        *n = get_handle(fi)->node;
        return 0;
    }
    pthread_rwlock_rdlock(&fs->ns);
    int err = resolve(fs, path, n);
    if (err) {
        pthread_rwlock_unlock(&fs->ns);
        return err;
    }
    *ns_locked = true;
    return 0;
}

static void untarget(struct memfs *fs, bool ns_locked)
{
    if (ns_locked)
        pthread_rwlock_unlock(&fs->ns);
}

/* ------------------------------------------------------------------ */
/* File data (caller holds the inode lock; writers for writing)        */
/* ------------------------------------------------------------------ */

static size_t data_read(const struct mnode *n, char *buf, size_t size, uint64_t off)
{
    if (off >= n->size)
        return 0;
    if (size > n->size - off)
        size = (size_t)(n->size - off);
    size_t done = 0;
    while (done < size) {
        uint64_t pos = off + done;
        size_t in = (size_t)(pos & (MEMFS_PAGE - 1));
        size_t chunk = MEMFS_PAGE - in;
        if (chunk > size - done)
            chunk = size - done;
        const char *page = rt_get(&n->pages, pos >> MEMFS_PAGE_SHIFT);
        if (page != NULL)
            memcpy(buf + done, page + in, chunk);
        else
            memset(buf + done, 0, chunk);
        done += chunk;
    }
    return size;
}

static char *page_for_write(struct memfs *fs, struct mnode *n, uint64_t idx, int *err)
{
    char *page = rt_get(&n->pages, idx);
    if (page != NULL)
        return page;
    *err = charge(fs, MEMFS_PAGE);
    if (*err)
        return NULL;
    bool created;
    page = rt_get_or_add(&n->pages, idx, &created);
    if (page == NULL || !created) {
        uncharge(fs, MEMFS_PAGE);
        if (page == NULL)
            *err = -ENOMEM;
    }
    return page;
}

/* Writes src (or zeros when src is NULL) at off; returns bytes written or a
   negative errno when none could be. Does not change the size. */
static ssize_t data_write(struct memfs *fs, struct mnode *n, const char *src, size_t size,
                          uint64_t off)
{
    size_t done = 0;
    int err = 0;
    while (done < size) {
        uint64_t pos = off + done;
        size_t in = (size_t)(pos & (MEMFS_PAGE - 1));
        size_t chunk = MEMFS_PAGE - in;
        if (chunk > size - done)
            chunk = size - done;
        uint64_t idx = pos >> MEMFS_PAGE_SHIFT;
        if (src == NULL) {
            char *page = rt_get(&n->pages, idx);
            if (page != NULL)
                memset(page + in, 0, chunk);
        } else {
            char *page = page_for_write(fs, n, idx, &err);
            if (page == NULL)
                break;
            memcpy(page + in, src + done, chunk);
        }
        done += chunk;
    }
    if (done == 0 && size != 0)
        return err;
    return (ssize_t)done;
}

/* Makes [off, off+len) read as zeros, freeing the whole pages inside. */
static void data_punch(struct memfs *fs, struct mnode *n, uint64_t off, uint64_t len)
{
    if (len == 0)
        return;
    uint64_t end = off + len;
    uint64_t first_full = (off + MEMFS_PAGE - 1) >> MEMFS_PAGE_SHIFT;
    uint64_t end_full = end >> MEMFS_PAGE_SHIFT;    /* exclusive */
    if (first_full < end_full) {
        uncharge(fs, rt_trim(&n->pages, first_full, end_full - 1) * MEMFS_PAGE);
        if (off < first_full << MEMFS_PAGE_SHIFT)
            data_write(fs, n, NULL, (size_t)((first_full << MEMFS_PAGE_SHIFT) - off), off);
        if (end > end_full << MEMFS_PAGE_SHIFT)
            data_write(fs, n, NULL, (size_t)(end - (end_full << MEMFS_PAGE_SHIFT)),
                       end_full << MEMFS_PAGE_SHIFT);
    } else {
        /* within one page (or across one page boundary without a full page) */
        uint64_t pos = off;
        while (pos < end) {
            uint64_t pend = ((pos >> MEMFS_PAGE_SHIFT) + 1) << MEMFS_PAGE_SHIFT;
            if (pend > end)
                pend = end;
            data_write(fs, n, NULL, (size_t)(pend - pos), pos);
            pos = pend;
        }
    }
}

static void data_truncate(struct memfs *fs, struct mnode *n, uint64_t size)
{
    if (size < n->size) {
        /* Zero the tail of the last page kept; free every page after it,
           preallocated ones beyond the old size included. */
        size_t in = (size_t)(size & (MEMFS_PAGE - 1));
        char *page = in ? rt_get(&n->pages, size >> MEMFS_PAGE_SHIFT) : NULL;
        if (page != NULL)
            memset(page + in, 0, MEMFS_PAGE - in);
        uint64_t first = (size + MEMFS_PAGE - 1) >> MEMFS_PAGE_SHIFT;
        uncharge(fs, rt_trim(&n->pages, first, UINT64_MAX >> MEMFS_PAGE_SHIFT) * MEMFS_PAGE);
    }
    n->size = size;
}

/* Allocates zeroed pages over [off, off+len); all or nothing. */
static int data_allocate(struct memfs *fs, struct mnode *n, uint64_t off, uint64_t len)
{
    if (len == 0)
        return 0;
    uint64_t first = off >> MEMFS_PAGE_SHIFT;
    uint64_t last = (off + len - 1) >> MEMFS_PAGE_SHIFT;
    uint64_t present = 0, idx = first;
    while (rt_next(&n->pages, idx, &idx) && idx <= last) {
        present++;
        idx++;
    }
    uint64_t missing = last - first + 1 - present;
    if (missing > (UINT64_MAX >> MEMFS_PAGE_SHIFT))
        return -ENOSPC;
    int err = charge(fs, missing * MEMFS_PAGE);
    if (err)
        return err;
    uint64_t added = 0;
    for (idx = first; idx <= last; idx++) {
        bool created;
        if (rt_get_or_add(&n->pages, idx, &created) == NULL) {
            uncharge(fs, (missing - added) * MEMFS_PAGE);
            return -ENOMEM;
        }
        if (created)
            added++;
    }
    return 0;
}

/* Writing or truncating by anyone but root drops set-user-ID (and an
   effective set-group-ID). */
static void kill_suid(struct mnode *n)
{
    if (fuse_get_context()->uid == 0)
        return;
    n->mode &= ~(mode_t)S_ISUID;
    if (n->mode & S_IXGRP)
        n->mode &= ~(mode_t)S_ISGID;
}

/* ------------------------------------------------------------------ */
/* Operations                                                          */
/* ------------------------------------------------------------------ */

static void *memfs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
    (void)conn;
    const struct memfs_options *opts = fuse_get_context()->private_data;
    struct memfs_options defaults;
    if (opts == NULL) {
        memset(&defaults, 0, sizeof(defaults));
        opts = &defaults;
    }

    struct memfs *fs = calloc(1, sizeof(*fs));
    if (fs == NULL) {
        fprintf(stderr, "memfs: out of memory\n");
        abort();
    }
    pthread_rwlock_init(&fs->ns, NULL);
    pthread_mutex_init(&fs->hlock, NULL);
    fs->handles.next = fs->handles.prev = &fs->handles;
    fs->capacity = opts->capacity;
    if (fs->capacity == 0) {
        long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
        fs->capacity = pages > 0 && psize > 0 ? (uint64_t)pages * (uint64_t)psize / 2
                                              : (uint64_t)1 << 30;
    }
    fs->max_inodes = fs->capacity / MEMFS_INODE_COST;
    fs->hidden_unlink = opts->hidden_unlink;
    fs->noperm = opts->noperm;
    fs->next_ino = 1;   /* FUSE_ROOT_ID */

    /* The root belongs to whoever mounts. */
    fuse_get_context()->private_data = fs;
    fs->root = node_new(fs, S_IFDIR | 0755);
    if (fs->root == NULL) {
        fprintf(stderr, "memfs: capacity too small\n");
        abort();
    }
    fs->root->nlink = 2;
    fs->root->uid = getuid();
    fs->root->gid = getgid();

    /* Our own inode numbers make hard links look alike; handles serve
       every call on an open file, unlinked or not. */
    cfg->use_ino = 1;
    cfg->readdir_ino = 0;
    cfg->nullpath_ok = 1;
    cfg->hard_remove = fs->hidden_unlink ? 0 : 1;
    return fs;
}

static void free_tree(struct memfs *fs, struct mnode *dir)
{
    for (size_t i = 0; i < dir->dir.n; i++) {
        struct mnode *c = dir->dir.ents[i]->node;
        if (S_ISDIR(c->mode)) {
            free_tree(fs, c);
            node_free(fs, c);
        } else if (--c->nlink == 0 && c->open_count == 0) {
            node_free(fs, c);
        }
    }
}

static void memfs_destroy(void *data)
{
    struct memfs *fs = data;
    if (fs == NULL)
        return;
    /* Handles never released (their release was still on its way at
       unmount) go first, with the unlinked files only they kept. */
    while (fs->handles.next != &fs->handles) {
        struct mhandle *h = fs->handles.next;
        h->prev->next = h->next;
        h->next->prev = h->prev;
        if (--h->node->open_count == 0 && h->node->nlink == 0)
            node_free(fs, h->node);
        free(h);
    }
    free_tree(fs, fs->root);
    node_free(fs, fs->root);
    pthread_mutex_destroy(&fs->hlock);
    pthread_rwlock_destroy(&fs->ns);
    free(fs);
}

static int memfs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    struct memfs *fs = get_fs();
    struct mnode *n;
    bool locked;
    int err = target(fs, path, fi, &n, &locked);
    if (err)
        return err;
    pthread_rwlock_rdlock(&n->lock);
    fill_stat(n, st);
    pthread_rwlock_unlock(&n->lock);
    untarget(fs, locked);
    return 0;
}

static int memfs_access(const char *path, int mask)
{
    struct memfs *fs = get_fs();
    struct mnode *n;
    pthread_rwlock_rdlock(&fs->ns);
    int err = resolve(fs, path, &n);
    if (!err && mask != F_OK) {
        pthread_rwlock_rdlock(&n->lock);
        err = may(fs, n, mask);
        pthread_rwlock_unlock(&n->lock);
    }
    pthread_rwlock_unlock(&fs->ns);
    return err;
}

static int memfs_readlink(const char *path, char *buf, size_t size)
{
    struct memfs *fs = get_fs();
    struct mnode *n;
    if (size == 0)
        return -EINVAL;
    pthread_rwlock_rdlock(&fs->ns);
    int err = resolve(fs, path, &n);
    if (!err) {
        if (!S_ISLNK(n->mode)) {
            err = -EINVAL;
        } else {
            size_t len = strlen(n->target);
            if (len > size - 1)
                len = size - 1;
            memcpy(buf, n->target, len);
            buf[len] = '\0';
        }
    }
    pthread_rwlock_unlock(&fs->ns);
    return err;
}

static void dir_touch(struct mnode *dir)
{
    pthread_rwlock_wrlock(&dir->lock);
    dir->mtime = dir->ctime = now();
    pthread_rwlock_unlock(&dir->lock);
}

/* Creates name in the directory of path (the caller holds ns for writing).
   mode carries the file type. */
static int make_node(struct memfs *fs, const char *path, mode_t mode, dev_t rdev,
                     const char *target, struct mnode **out)
{
    struct mnode *dir;
    const char *name;
    size_t len;
    int err = resolve_parent(fs, path, &dir, &name, &len);
    if (err)
        return err;
    if (is_dot_name(name, len) || dir_lookup(&dir->dir, name, len) != NULL)
        return -EEXIST;
    if (dir->nlink == 0)
        return -ENOENT;         /* removed directory */
    err = may(fs, dir, W_OK | X_OK);
    if (err)
        return err;
    size_t tlen = target ? strlen(target) + 1 : 0;
    if (tlen && charge(fs, tlen) != 0)
        return -ENOSPC;
    struct mnode *n = node_new(fs, mode);
    if (n == NULL) {
        uncharge(fs, tlen);
        return -ENOSPC;
    }
    if (target != NULL) {
        n->target = strdup(target);
        if (n->target == NULL) {
            uncharge(fs, tlen);
            node_free(fs, n);
            return -ENOMEM;
        }
    }
    n->rdev = rdev;
    /* set-group-ID directories hand down their group (and to directories,
       the bit itself) */
    if (dir->mode & S_ISGID) {
        n->gid = dir->gid;
        if (S_ISDIR(mode))
            n->mode |= S_ISGID;
    }
    if (S_ISDIR(mode)) {
        n->nlink = 2;
        n->parent = dir;
    } else {
        n->nlink = 1;
    }
    err = dir_add(&dir->dir, name, len, n);
    if (err) {
        node_free(fs, n);
        return err;
    }
    pthread_rwlock_wrlock(&dir->lock);
    if (S_ISDIR(mode))
        dir->nlink++;
    dir->mtime = dir->ctime = n->ctime;
    pthread_rwlock_unlock(&dir->lock);
    if (out)
        *out = n;
    return 0;
}

static int memfs_mknod(const char *path, mode_t mode, dev_t rdev)
{
    struct memfs *fs = get_fs();
    mode_t type = mode & S_IFMT;
    if (type == 0)
        type = S_IFREG;
    if (type != S_IFREG && type != S_IFIFO && type != S_IFCHR && type != S_IFBLK &&
        type != S_IFSOCK)
        return -EINVAL;
    if ((type == S_IFCHR || type == S_IFBLK) && !is_root(fs))
        return -EPERM;
    pthread_rwlock_wrlock(&fs->ns);
    int err = make_node(fs, path, type | (mode & 07777), rdev, NULL, NULL);
    pthread_rwlock_unlock(&fs->ns);
    return err;
}

static int memfs_mkdir(const char *path, mode_t mode)
{
    struct memfs *fs = get_fs();
    pthread_rwlock_wrlock(&fs->ns);
    int err = make_node(fs, path, S_IFDIR | (mode & 07777), 0, NULL, NULL);
    pthread_rwlock_unlock(&fs->ns);
    return err;
}

static int memfs_symlink(const char *target, const char *path)
{
    struct memfs *fs = get_fs();
    size_t tlen = strlen(target);
    if (tlen == 0)
        return -ENOENT;
    if (tlen >= PATH_MAX)
        return -ENAMETOOLONG;
    pthread_rwlock_wrlock(&fs->ns);
    int err = make_node(fs, path, S_IFLNK | 0777, 0, target, NULL);
    pthread_rwlock_unlock(&fs->ns);
    return err;
}

/* Looks up the entry named by path for removal or renaming. */
static int find_entry(struct memfs *fs, const char *path, struct mnode **dir,
                      struct mdirent **ent, const char **name, size_t *len)
{
    int err = resolve_parent(fs, path, dir, name, len);
    if (err)
        return err == -EEXIST ? -EBUSY : err;
    if (is_dot_name(*name, *len))
        return -EINVAL;
    *ent = dir_lookup(&(*dir)->dir, *name, *len);
    return *ent ? 0 : -ENOENT;
}

static int memfs_unlink(const char *path)
{
    struct memfs *fs = get_fs();
    struct mnode *dir;
    struct mdirent *e;
    const char *name;
    size_t len;
    pthread_rwlock_wrlock(&fs->ns);
    int err = find_entry(fs, path, &dir, &e, &name, &len);
    if (!err && S_ISDIR(e->node->mode))
        err = -EISDIR;
    if (!err)
        err = may(fs, dir, W_OK | X_OK);
    if (!err)
        err = sticky_ok(fs, dir, e->node);
    if (!err) {
        struct mnode *n = e->node;
        dir_remove(&dir->dir, e);
        dir_touch(dir);
        node_unlinked(fs, n);
    }
    pthread_rwlock_unlock(&fs->ns);
    return err;
}

static int memfs_rmdir(const char *path)
{
    struct memfs *fs = get_fs();
    struct mnode *dir;
    struct mdirent *e;
    const char *name;
    size_t len;
    pthread_rwlock_wrlock(&fs->ns);
    int err = find_entry(fs, path, &dir, &e, &name, &len);
    if (!err && !S_ISDIR(e->node->mode))
        err = -ENOTDIR;
    if (!err && e->node->dir.n != 0)
        err = -ENOTEMPTY;
    if (!err)
        err = may(fs, dir, W_OK | X_OK);
    if (!err)
        err = sticky_ok(fs, dir, e->node);
    if (!err) {
        struct mnode *n = e->node;
        dir_remove(&dir->dir, e);
        pthread_rwlock_wrlock(&dir->lock);
        dir->nlink--;
        dir->mtime = dir->ctime = now();
        pthread_rwlock_unlock(&dir->lock);
        node_unlinked(fs, n);
    }
    pthread_rwlock_unlock(&fs->ns);
    return err;
}

/* true if a is d or one of d's ancestors */
static bool is_ancestor(const struct mnode *a, const struct mnode *d)
{
    for (; d != NULL; d = d->parent) {
        if (d == a)
            return true;
        if (d->parent == d)
            break;
    }
    return false;
}

static int memfs_rename(const char *from, const char *to, unsigned int flags)
{
    struct memfs *fs = get_fs();
    struct mnode *odir, *ndir;
    struct mdirent *oe, *ne;
    const char *oname, *nname;
    size_t olen, nlen;

    if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE))
        return -EINVAL;
    if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))
        return -EINVAL;

    pthread_rwlock_wrlock(&fs->ns);
    int err = find_entry(fs, from, &odir, &oe, &oname, &olen);
    if (err)
        goto out;
    err = resolve_parent(fs, to, &ndir, &nname, &nlen);
    if (err) {
        if (err == -EEXIST)
            err = -EBUSY;
        goto out;
    }
    if (is_dot_name(nname, nlen)) {
        err = -EINVAL;
        goto out;
    }
    ne = dir_lookup(&ndir->dir, nname, nlen);
    struct mnode *on = oe->node;
    struct mnode *nn = ne ? ne->node : NULL;

    if (flags & RENAME_EXCHANGE) {
        if (ne == NULL) {
            err = -ENOENT;
            goto out;
        }
    } else if (ne != NULL && (flags & RENAME_NOREPLACE)) {
        err = -EEXIST;
        goto out;
    }
    if (oe == ne)
        goto out;       /* the same name: nothing to do */
    if (nn != NULL && nn == on && !(flags & RENAME_EXCHANGE))
        goto out;       /* two links of one file: POSIX says do nothing */

    /* A directory cannot move below itself. */
    if (S_ISDIR(on->mode) && is_ancestor(on, ndir)) {
        err = -EINVAL;
        goto out;
    }
    if ((flags & RENAME_EXCHANGE) && S_ISDIR(nn->mode) && is_ancestor(nn, odir)) {
        err = -EINVAL;
        goto out;
    }
    if (nn != NULL && !(flags & RENAME_EXCHANGE)) {
        if (S_ISDIR(on->mode) && !S_ISDIR(nn->mode)) {
            err = -ENOTDIR;
            goto out;
        }
        if (!S_ISDIR(on->mode) && S_ISDIR(nn->mode)) {
            err = -EISDIR;
            goto out;
        }
        if (S_ISDIR(nn->mode) && nn->dir.n != 0) {
            err = -ENOTEMPTY;
            goto out;
        }
    }
    if (ndir->nlink == 0) {
        err = -ENOENT;
        goto out;
    }
    if ((err = may(fs, odir, W_OK | X_OK)) || (err = may(fs, ndir, W_OK | X_OK)) ||
        (err = sticky_ok(fs, odir, on)) || (nn && (err = sticky_ok(fs, ndir, nn))))
        goto out;
    /* A directory changing parents rewrites its "..". */
    if (odir != ndir && S_ISDIR(on->mode) && (err = may(fs, on, W_OK)))
        goto out;
    if (odir != ndir && (flags & RENAME_EXCHANGE) && S_ISDIR(nn->mode) &&
        (err = may(fs, nn, W_OK)))
        goto out;

    struct timespec t = now();
    if (flags & RENAME_EXCHANGE) {
        oe->node = nn;
        ne->node = on;
        if (odir != ndir) {
            if (S_ISDIR(on->mode)) {
                on->parent = ndir;
            }
            if (S_ISDIR(nn->mode)) {
                nn->parent = odir;
            }
            int delta = (S_ISDIR(on->mode) ? 1 : 0) - (S_ISDIR(nn->mode) ? 1 : 0);
            pthread_rwlock_wrlock(&odir->lock);
            odir->nlink -= delta;
            pthread_rwlock_unlock(&odir->lock);
            pthread_rwlock_wrlock(&ndir->lock);
            ndir->nlink += delta;
            pthread_rwlock_unlock(&ndir->lock);
        }
        pthread_rwlock_wrlock(&nn->lock);
        nn->ctime = t;
        pthread_rwlock_unlock(&nn->lock);
    } else {
        /* Make room first, so a failure leaves everything as it was. */
        if (ne == NULL) {
            err = dir_add(&ndir->dir, nname, nlen, on);
            if (err)
                goto out;
        } else {
            ne->node = on;
            if (S_ISDIR(nn->mode)) {
                pthread_rwlock_wrlock(&ndir->lock);
                ndir->nlink--;
                pthread_rwlock_unlock(&ndir->lock);
            }
            node_unlinked(fs, nn);
        }
        dir_remove(&odir->dir, oe);
        if (S_ISDIR(on->mode)) {
            on->parent = ndir;
            if (odir != ndir) {
                pthread_rwlock_wrlock(&odir->lock);
                odir->nlink--;
                pthread_rwlock_unlock(&odir->lock);
                pthread_rwlock_wrlock(&ndir->lock);
                ndir->nlink++;
                pthread_rwlock_unlock(&ndir->lock);
            }
        }
    }
    pthread_rwlock_wrlock(&on->lock);
    on->ctime = t;
    pthread_rwlock_unlock(&on->lock);
    dir_touch(odir);
    if (ndir != odir)
        dir_touch(ndir);
out:
    pthread_rwlock_unlock(&fs->ns);
    return err;
}

static int memfs_link(const char *from, const char *to)
{
    struct memfs *fs = get_fs();
    struct mnode *n, *dir;
    const char *name;
    size_t len;
    pthread_rwlock_wrlock(&fs->ns);
    int err = resolve(fs, from, &n);
    if (!err && S_ISDIR(n->mode))
        err = -EPERM;
    if (!err)
        err = resolve_parent(fs, to, &dir, &name, &len);
    if (!err && (is_dot_name(name, len) || dir_lookup(&dir->dir, name, len)))
        err = -EEXIST;
    if (!err && dir->nlink == 0)
        err = -ENOENT;
    if (!err)
        err = may(fs, dir, W_OK | X_OK);
    if (!err)
        err = dir_add(&dir->dir, name, len, n);
    if (!err) {
        pthread_rwlock_wrlock(&n->lock);
        n->nlink++;
        n->ctime = now();
        pthread_rwlock_unlock(&n->lock);
        dir_touch(dir);
    }
    pthread_rwlock_unlock(&fs->ns);
    return err;
}

static int memfs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    struct memfs *fs = get_fs();
    struct mnode *n;
    bool locked;
    int err = target(fs, path, fi, &n, &locked);
    if (err)
        return err;
    pthread_rwlock_wrlock(&n->lock);
    if (!is_owner(fs, n)) {
        err = -EPERM;
    } else {
        mode &= 07777;
        if (!S_ISDIR(n->mode) && (mode & S_ISGID) && !is_root(fs) && !in_group(n->gid))
            mode &= ~(mode_t)S_ISGID;
        n->mode = (n->mode & S_IFMT) | mode;
        n->ctime = now();
    }
    pthread_rwlock_unlock(&n->lock);
    untarget(fs, locked);
    return err;
}

static int memfs_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
    struct memfs *fs = get_fs();
    struct mnode *n;
    bool locked;
    int err = target(fs, path, fi, &n, &locked);
    if (err)
        return err;
    pthread_rwlock_wrlock(&n->lock);
    if (!is_root(fs)) {
        uid_t me = fuse_get_context()->uid;
        if (uid != (uid_t)-1 && uid != n->uid)
            err = -EPERM;
        else if (gid != (gid_t)-1 && gid != n->gid && (me != n->uid || !in_group(gid)))
            err = -EPERM;
        else if ((uid != (uid_t)-1 || gid != (gid_t)-1) && me != n->uid)
            err = -EPERM;
    }
    if (!err) {
        if (uid != (uid_t)-1)
            n->uid = uid;
        if (gid != (gid_t)-1)
            n->gid = gid;
        if ((uid != (uid_t)-1 || gid != (gid_t)-1) && !S_ISDIR(n->mode)) {
            n->mode &= ~(mode_t)S_ISUID;
            if (n->mode & S_IXGRP)
                n->mode &= ~(mode_t)S_ISGID;
        }
        n->ctime = now();
    }
    pthread_rwlock_unlock(&n->lock);
    untarget(fs, locked);
    return err;
}

static int memfs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
    struct memfs *fs = get_fs();
    struct mnode *n;
    bool locked;
    if (size < 0)
        return -EINVAL;
    if ((uint64_t)size > MEMFS_MAX_FILE)
        return -EFBIG;
    int err = target(fs, path, fi, &n, &locked);
    if (err)
        return err;
    pthread_rwlock_wrlock(&n->lock);
    if (S_ISDIR(n->mode))
        err = -EISDIR;
    else if (!S_ISREG(n->mode))
        err = -EINVAL;
    else if (fi == NULL || fi->fh == 0)
        err = may(fs, n, W_OK);
    else if ((get_handle(fi)->flags & O_ACCMODE) == O_RDONLY)
        err = -EBADF;
    if (!err) {
        data_truncate(fs, n, (uint64_t)size);
        n->mtime = n->ctime = now();
        kill_suid(n);
    }
    pthread_rwlock_unlock(&n->lock);
    untarget(fs, locked);
    return err;
}

static int memfs_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
    struct memfs *fs = get_fs();
    struct mnode *n;
    bool locked;
    int err = target(fs, path, fi, &n, &locked);
    if (err)
        return err;
    struct timespec t = now();
    struct timespec a = tv ? tv[0] : t, m = tv ? tv[1] : t;
    bool a_now = !tv || a.tv_nsec == UTIME_NOW, m_now = !tv || m.tv_nsec == UTIME_NOW;
    bool a_omit = tv && a.tv_nsec == UTIME_OMIT, m_omit = tv && m.tv_nsec == UTIME_OMIT;
    pthread_rwlock_wrlock(&n->lock);
    if (!is_owner(fs, n)) {
        /* Others may only set "now", and only with write access. */
        if ((!a_omit && !a_now) || (!m_omit && !m_now))
            err = -EPERM;
        else
            err = may(fs, n, W_OK);
    }
    if (!err && !(a_omit && m_omit)) {
        if (!a_omit)
            n->atime = a_now ? t : a;
        if (!m_omit)
            n->mtime = m_now ? t : m;
        n->ctime = t;
    }
    pthread_rwlock_unlock(&n->lock);
    untarget(fs, locked);
    return err;
}

static int open_check(struct memfs *fs, struct mnode *n, int flags)
{
    int acc = flags & O_ACCMODE;
    int mask = 0;
    if (acc == O_RDONLY || acc == O_RDWR)
        mask |= R_OK;
    if (acc == O_WRONLY || acc == O_RDWR || (flags & O_TRUNC))
        mask |= W_OK;
    if (S_ISDIR(n->mode) && (mask & W_OK))
        return -EISDIR;
    if (S_ISLNK(n->mode))
        return -ELOOP;
    return may(fs, n, mask);
}

/* Opens n (its lock held for writing) into fi. */
static int open_node(struct memfs *fs, struct mnode *n, struct fuse_file_info *fi)
{
    struct mhandle *h = malloc(sizeof(*h));
    if (h == NULL)
        return -ENOMEM;
    if ((fi->flags & O_TRUNC) && S_ISREG(n->mode) && (fi->flags & O_ACCMODE) != O_RDONLY) {
        data_truncate(fs, n, 0);
        n->mtime = n->ctime = now();
        kill_suid(n);
    }
    h->node = n;
    h->flags = fi->flags;
    n->open_count++;
    pthread_mutex_lock(&fs->hlock);
    h->next = fs->handles.next;
    h->prev = &fs->handles;
    h->next->prev = h;
    fs->handles.next = h;
    pthread_mutex_unlock(&fs->hlock);
    fi->fh = (uintptr_t)h;
    return 0;
}

static int memfs_open(const char *path, struct fuse_file_info *fi)
{
    struct memfs *fs = get_fs();
    struct mnode *n;
    pthread_rwlock_rdlock(&fs->ns);
    int err = resolve(fs, path, &n);
    if (!err) {
        pthread_rwlock_wrlock(&n->lock);
        err = open_check(fs, n, fi->flags);
        if (!err)
            err = open_node(fs, n, fi);
        pthread_rwlock_unlock(&n->lock);
    }
    pthread_rwlock_unlock(&fs->ns);
    return err;
}

static int memfs_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    struct memfs *fs = get_fs();
    struct mnode *dir, *n;
    const char *name;
    size_t len;
    pthread_rwlock_wrlock(&fs->ns);
    int err = resolve_parent(fs, path, &dir, &name, &len);
    if (!err) {
        struct mdirent *e = dir_lookup(&dir->dir, name, len);
        if (e != NULL) {
            /* It appeared since the kernel looked: open it, unless exclusive. */
            n = e->node;
            if (fi->flags & O_EXCL) {
                err = -EEXIST;
            } else {
                pthread_rwlock_wrlock(&n->lock);
                err = open_check(fs, n, fi->flags);
                if (!err)
                    err = open_node(fs, n, fi);
                pthread_rwlock_unlock(&n->lock);
            }
        } else {
            err = make_node(fs, path, S_IFREG | (mode & 07777), 0, NULL, &n);
            if (!err) {
                pthread_rwlock_wrlock(&n->lock);
                err = open_node(fs, n, fi);
                pthread_rwlock_unlock(&n->lock);
                if (err) {
                    dir_remove(&dir->dir, dir_lookup(&dir->dir, name, len));
                    node_unlinked(fs, n);
                }
            }
        }
    }
    pthread_rwlock_unlock(&fs->ns);
    return err;
}

static void handle_close(struct memfs *fs, struct fuse_file_info *fi)
{
    struct mhandle *h = get_handle(fi);
    if (h == NULL)
        return;
    struct mnode *n = h->node;
    pthread_mutex_lock(&fs->hlock);
    h->prev->next = h->next;
    h->next->prev = h->prev;
    pthread_mutex_unlock(&fs->hlock);
    pthread_rwlock_wrlock(&n->lock);
    n->open_count--;
    bool gone = n->open_count == 0 && n->nlink == 0;
    pthread_rwlock_unlock(&n->lock);
    if (gone)
        node_free(fs, n);
    free(h);
    fi->fh = 0;
}

static int memfs_release(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    handle_close(get_fs(), fi);
    return 0;
}

static int memfs_read(const char *path, char *buf, size_t size, off_t off,
                      struct fuse_file_info *fi)
{
    struct memfs *fs = get_fs();
    struct mnode *n;
    bool locked;
    if (off < 0)
        return -EINVAL;
    if (size > INT_MAX)
        size = INT_MAX;
    int err = target(fs, path, fi, &n, &locked);
    if (err)
        return err;
    pthread_rwlock_rdlock(&n->lock);
    int res = S_ISDIR(n->mode) ? -EISDIR : (int)data_read(n, buf, size, (uint64_t)off);
    pthread_rwlock_unlock(&n->lock);
    untarget(fs, locked);
    return res;
}

static int memfs_write(const char *path, const char *buf, size_t size, off_t off,
                       struct fuse_file_info *fi)
{
    struct memfs *fs = get_fs();
    struct mnode *n;
    bool locked;
    if (off < 0)
        return -EINVAL;
    if (size > INT_MAX)
        size = INT_MAX;
    int err = target(fs, path, fi, &n, &locked);
    if (err)
        return err;
    pthread_rwlock_wrlock(&n->lock);
    uint64_t pos = (uint64_t)off;
    /* Page write-back may pick any writable handle: only real writes append. */
    if (fi != NULL && fi->fh != 0 && (get_handle(fi)->flags & O_APPEND) && !fi->writepage)
        pos = n->size;
    ssize_t res;
    if (!S_ISREG(n->mode))
        res = -EINVAL;
    else if (pos > MEMFS_MAX_FILE || size > MEMFS_MAX_FILE - pos)
        res = -EFBIG;
    else
        res = data_write(fs, n, buf, size, pos);
    if (res > 0) {
        if (pos + (uint64_t)res > n->size)
            n->size = pos + (uint64_t)res;
        n->mtime = n->ctime = now();
        kill_suid(n);
    }
    pthread_rwlock_unlock(&n->lock);
    untarget(fs, locked);
    return (int)res;
}

static int memfs_statfs(const char *path, struct statvfs *st)
{
    (void)path;
    struct memfs *fs = get_fs();
    uint64_t used = __atomic_load_n(&fs->used, __ATOMIC_RELAXED);
    uint64_t files = __atomic_load_n(&fs->ninodes, __ATOMIC_RELAXED);
    memset(st, 0, sizeof(*st));
    st->f_bsize = MEMFS_PAGE;
    st->f_frsize = MEMFS_PAGE;
    st->f_blocks = fs->capacity / MEMFS_PAGE;
    uint64_t used_blocks = (used + MEMFS_PAGE - 1) / MEMFS_PAGE;
    st->f_bfree = st->f_bavail = used_blocks < st->f_blocks ? st->f_blocks - used_blocks : 0;
    st->f_files = fs->max_inodes;
    st->f_ffree = st->f_favail = files < fs->max_inodes ? fs->max_inodes - files : 0;
    st->f_namemax = MEMFS_NAME_MAX;
    return 0;
}

static int memfs_flush(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    (void)fi;
    return 0;
}

static int memfs_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
    (void)path;
    (void)datasync;
    (void)fi;
    return 0;
}

/* Extended attributes. The "trusted." space is root's; "user." follows the
   file's permissions; the rest belongs to the owner. */
static int xattr_may(struct memfs *fs, const struct mnode *n, const char *name, bool write)
{
    if (strncmp(name, "trusted.", 8) == 0)
        return is_root(fs) ? 0 : -EPERM;
    if (strncmp(name, "user.", 5) == 0) {
        if (!S_ISREG(n->mode) && !S_ISDIR(n->mode))
            return write ? -EPERM : -ENODATA;
        return may(fs, n, write ? W_OK : R_OK);
    }
    if (write && !is_owner(fs, n))
        return -EPERM;
    return 0;
}

static struct xattr **xattr_find(struct mnode *n, const char *name)
{
    struct xattr **pp = &n->xattrs;
    while (*pp != NULL && strcmp((*pp)->name, name) != 0)
        pp = &(*pp)->next;
    return pp;
}

static int memfs_setxattr(const char *path, const char *name, const char *value, size_t size,
                          int flags)
{
    struct memfs *fs = get_fs();
    struct mnode *n;
    size_t nlen = strlen(name);
    if (nlen == 0 || nlen > XATTR_NAME_MAX)
        return -ERANGE;
    if (size > MEMFS_XATTR_SIZE_MAX)
        return -E2BIG;
    pthread_rwlock_rdlock(&fs->ns);
    int err = resolve(fs, path, &n);
    if (err)
        goto out;
    pthread_rwlock_wrlock(&n->lock);
    err = xattr_may(fs, n, name, true);
    struct xattr **pp = err ? NULL : xattr_find(n, name);
    if (err) {
    } else if (*pp != NULL && (flags & XATTR_CREATE)) {
        err = -EEXIST;
    } else if (*pp == NULL && (flags & XATTR_REPLACE)) {
        err = -ENODATA;
    } else if ((err = charge(fs, nlen + 1 + size)) == 0) {
        struct xattr *x = malloc(sizeof(*x) + size);
        char *xname = strdup(name);
        if (x == NULL || xname == NULL) {
            free(x);
            free(xname);
            uncharge(fs, nlen + 1 + size);
            err = -ENOMEM;
        } else {
            x->name = xname;
            x->size = size;
            memcpy(x->value, value, size);
            if (*pp != NULL) {
                struct xattr *old = *pp;
                x->next = old->next;
                uncharge(fs, nlen + 1 + old->size);
                free(old->name);
                free(old);
            } else {
                x->next = NULL;
            }
            *pp = x;
            n->ctime = now();
        }
    }
    pthread_rwlock_unlock(&n->lock);
out:
    pthread_rwlock_unlock(&fs->ns);
    return err;
}

static int memfs_getxattr(const char *path, const char *name, char *value, size_t size)
{
    struct memfs *fs = get_fs();
    struct mnode *n;
    pthread_rwlock_rdlock(&fs->ns);
    int err = resolve(fs, path, &n);
    if (err)
        goto out;
    pthread_rwlock_rdlock(&n->lock);
    err = xattr_may(fs, n, name, false);
    if (!err) {
        struct xattr *x = *xattr_find(n, name);
        if (x == NULL) {
            err = -ENODATA;
        } else if (size == 0) {
            err = (int)x->size;
        } else if (size < x->size) {
            err = -ERANGE;
        } else {
            memcpy(value, x->value, x->size);
            err = (int)x->size;
        }
    }
    pthread_rwlock_unlock(&n->lock);
out:
    pthread_rwlock_unlock(&fs->ns);
    return err;
}

static int memfs_listxattr(const char *path, char *list, size_t size)
{
    struct memfs *fs = get_fs();
    struct mnode *n;
    pthread_rwlock_rdlock(&fs->ns);
    int err = resolve(fs, path, &n);
    if (err)
        goto out;
    pthread_rwlock_rdlock(&n->lock);
    size_t total = 0;
    for (struct xattr *x = n->xattrs; x; x = x->next) {
        if (strncmp(x->name, "trusted.", 8) == 0 && !is_root(fs))
            continue;
        size_t len = strlen(x->name) + 1;
        if (size != 0) {
            if (total + len > size) {
                total = 0;
                err = -ERANGE;
                break;
            }
            memcpy(list + total, x->name, len);
        }
        total += len;
    }
    pthread_rwlock_unlock(&n->lock);
    if (!err)
        err = total > MEMFS_XATTR_LIST_MAX ? -E2BIG : (int)total;
out:
    pthread_rwlock_unlock(&fs->ns);
    return err;
}

static int memfs_removexattr(const char *path, const char *name)
{
    struct memfs *fs = get_fs();
    struct mnode *n;
    pthread_rwlock_rdlock(&fs->ns);
    int err = resolve(fs, path, &n);
    if (err)
        goto out;
    pthread_rwlock_wrlock(&n->lock);
    err = xattr_may(fs, n, name, true);
    if (!err) {
        struct xattr **pp = xattr_find(n, name);
        if (*pp == NULL) {
            err = -ENODATA;
        } else {
            struct xattr *x = *pp;
            *pp = x->next;
            uncharge(fs, strlen(x->name) + 1 + x->size);
            free(x->name);
            free(x);
            n->ctime = now();
        }
    }
    pthread_rwlock_unlock(&n->lock);
out:
    pthread_rwlock_unlock(&fs->ns);
    return err;
}

static int memfs_opendir(const char *path, struct fuse_file_info *fi)
{
    struct memfs *fs = get_fs();
    struct mnode *n;
    pthread_rwlock_rdlock(&fs->ns);
    int err = resolve(fs, path, &n);
    if (!err) {
        pthread_rwlock_wrlock(&n->lock);
        if (!S_ISDIR(n->mode))
            err = -ENOTDIR;
        else
            err = may(fs, n, R_OK);
        if (!err) {
            int flags = fi->flags;
            fi->flags = O_RDONLY;
            err = open_node(fs, n, fi);
            fi->flags = flags;
        }
        pthread_rwlock_unlock(&n->lock);
    }
    pthread_rwlock_unlock(&fs->ns);
    return err;
}

static int memfs_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
                         struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    struct memfs *fs = get_fs();
    struct mnode *n;
    enum fuse_fill_dir_flags fill = (flags & FUSE_READDIR_PLUS) ? FUSE_FILL_DIR_PLUS : 0;
    struct stat st;
    int err = 0;

    pthread_rwlock_rdlock(&fs->ns);
    if (fi != NULL && fi->fh != 0)
        n = get_handle(fi)->node;
    else
        err = resolve(fs, path, &n);
    if (!err && !S_ISDIR(n->mode))
        err = -ENOTDIR;
    if (err)
        goto out;
    if (off < 1) {
        pthread_rwlock_rdlock(&n->lock);
        fill_stat(n, &st);
        pthread_rwlock_unlock(&n->lock);
        if (filler(buf, ".", &st, 1, fill))
            goto out;
    }
    if (off < 2) {
        struct mnode *p = n->parent ? n->parent : n;
        pthread_rwlock_rdlock(&p->lock);
        fill_stat(p, &st);
        pthread_rwlock_unlock(&p->lock);
        if (filler(buf, "..", &st, 2, fill))
            goto out;
    }
    for (size_t i = dir_seek(&n->dir, off < 2 ? 2 : (uint64_t)off); i < n->dir.n; i++) {
        struct mdirent *e = n->dir.ents[i];
        pthread_rwlock_rdlock(&e->node->lock);
        fill_stat(e->node, &st);
        pthread_rwlock_unlock(&e->node->lock);
        if (filler(buf, e->name, &st, (off_t)e->cookie, fill))
            break;
    }
out:
    pthread_rwlock_unlock(&fs->ns);
    return err;
}

static int memfs_releasedir(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    handle_close(get_fs(), fi);
    return 0;
}

static int memfs_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi)
{
    (void)path;
    (void)datasync;
    (void)fi;
    return 0;
}

static int memfs_fallocate(const char *path, int mode, off_t off, off_t len,
                           struct fuse_file_info *fi)
{
    struct memfs *fs = get_fs();
    struct mnode *n;
    bool locked;
    if (off < 0 || len <= 0)
        return -EINVAL;
    if ((uint64_t)off > MEMFS_MAX_FILE || (uint64_t)len > MEMFS_MAX_FILE - (uint64_t)off)
        return -EFBIG;
    if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE))
        return -EOPNOTSUPP;
    if ((mode & FALLOC_FL_PUNCH_HOLE) &&
        (!(mode & FALLOC_FL_KEEP_SIZE) || (mode & FALLOC_FL_ZERO_RANGE)))
        return -EOPNOTSUPP;
    int err = target(fs, path, fi, &n, &locked);
    if (err)
        return err;
    pthread_rwlock_wrlock(&n->lock);
    if (S_ISDIR(n->mode)) {
        err = -EISDIR;
    } else if (!S_ISREG(n->mode)) {
        err = -ENODEV;
    } else if (fi != NULL && fi->fh != 0 && (get_handle(fi)->flags & O_ACCMODE) == O_RDONLY) {
        err = -EBADF;
    } else {
        uint64_t o = (uint64_t)off, l = (uint64_t)len;
        bool changed = false;
        if (mode & FALLOC_FL_PUNCH_HOLE) {
            /* never beyond the size: the tail stays zero anyway */
            if (o < n->size)
                data_punch(fs, n, o, o + l > n->size ? n->size - o : l);
            changed = true;
        } else {
            if (mode & FALLOC_FL_ZERO_RANGE) {
                data_punch(fs, n, o, l);
                changed = true;
            }
            err = data_allocate(fs, n, o, l);
            if (!err && !(mode & FALLOC_FL_KEEP_SIZE) && o + l > n->size) {
                n->size = o + l;
                changed = true;
            }
        }
        if (!err && changed)
            n->mtime = n->ctime = now();
    }
    pthread_rwlock_unlock(&n->lock);
    untarget(fs, locked);
    return err;
}

static ssize_t memfs_copy_file_range(const char *path_in, struct fuse_file_info *fi_in,
                                     off_t off_in, const char *path_out,
                                     struct fuse_file_info *fi_out, off_t off_out,
                                     size_t len, int flags)
{
    struct memfs *fs = get_fs();
    struct mnode *in = NULL, *out = NULL;
    bool by_in = fi_in != NULL && fi_in->fh != 0, by_out = fi_out != NULL && fi_out->fh != 0;
    bool ns_locked = !by_in || !by_out;
    if (flags != 0 || off_in < 0 || off_out < 0)
        return -EINVAL;
    int err = 0;
    /* A path on either side: ns once, for both. */
    if (ns_locked)
        pthread_rwlock_rdlock(&fs->ns);
    if (by_in)
        in = get_handle(fi_in)->node;
    else
        err = resolve(fs, path_in, &in);
    if (!err && by_out)
        out = get_handle(fi_out)->node;
    else if (!err)
        err = resolve(fs, path_out, &out);
    if (err) {
        if (ns_locked)
            pthread_rwlock_unlock(&fs->ns);
        return err;
    }

    struct mnode *first = in->ino <= out->ino ? in : out;
    struct mnode *second = first == in ? out : in;
    if (first == second) {
        pthread_rwlock_wrlock(&first->lock);
    } else {
        pthread_rwlock_wrlock(&first->lock);
        pthread_rwlock_wrlock(&second->lock);
    }
    ssize_t res = 0;
    uint64_t oi = (uint64_t)off_in, oo = (uint64_t)off_out;
    if (!S_ISREG(in->mode) || !S_ISREG(out->mode)) {
        res = S_ISDIR(in->mode) || S_ISDIR(out->mode) ? -EISDIR : -EINVAL;
        goto unlock;
    }
    if (oi >= in->size || len == 0)
        goto unlock;
    uint64_t n = in->size - oi < len ? in->size - oi : len;
    if (n > (uint64_t)SSIZE_MAX / 2)
        n = (uint64_t)SSIZE_MAX / 2;
    if (oo > MEMFS_MAX_FILE || n > MEMFS_MAX_FILE - oo) {
        res = -EFBIG;
        goto unlock;
    }
    if (in == out && oi < oo + n && oo < oi + n) {
        res = -EINVAL;
        goto unlock;
    }
    uint64_t done = 0;
    while (done < n) {
        uint64_t src = oi + done, dst = oo + done;
        size_t sin = (size_t)(src & (MEMFS_PAGE - 1)), din = (size_t)(dst & (MEMFS_PAGE - 1));
        size_t chunk = MEMFS_PAGE - (sin > din ? sin : din);
        if (chunk > n - done)
            chunk = (size_t)(n - done);
        const char *spage = rt_get(&in->pages, src >> MEMFS_PAGE_SHIFT);
        ssize_t w;
        if (spage == NULL) {
            /* holes stay holes where the target has none */
            data_write(fs, out, NULL, chunk, dst);
            w = (ssize_t)chunk;
        } else {
            w = data_write(fs, out, spage + sin, chunk, dst);
        }
        if (w <= 0) {
            if (done == 0)
                res = w < 0 ? w : -ENOSPC;
            break;
        }
        done += (uint64_t)w;
    }
    if (done > 0) {
        if (oo + done > out->size)
            out->size = oo + done;
        out->mtime = out->ctime = now();
        res = (ssize_t)done;
    }
unlock:
    if (first != second)
        pthread_rwlock_unlock(&second->lock);
    pthread_rwlock_unlock(&first->lock);
    if (ns_locked)
        pthread_rwlock_unlock(&fs->ns);
    return res;
}

static off_t memfs_lseek(const char *path, off_t off, int whence, struct fuse_file_info *fi)
{
    struct memfs *fs = get_fs();
    struct mnode *n;
    bool locked;
    if (whence != SEEK_DATA && whence != SEEK_HOLE)
        return -EINVAL;
    if (off < 0)
        return -ENXIO;
    int err = target(fs, path, fi, &n, &locked);
    if (err)
        return err;
    pthread_rwlock_rdlock(&n->lock);
    off_t res;
    uint64_t o = (uint64_t)off;
    if (!S_ISREG(n->mode)) {
        res = -EINVAL;
    } else if (o >= n->size) {
        res = -ENXIO;
    } else if (whence == SEEK_DATA) {
        uint64_t idx;
        if (!rt_next(&n->pages, o >> MEMFS_PAGE_SHIFT, &idx) || (idx << MEMFS_PAGE_SHIFT) >= n->size)
            res = -ENXIO;
        else
            res = (off_t)((idx << MEMFS_PAGE_SHIFT) > o ? idx << MEMFS_PAGE_SHIFT : o);
    } else {
        uint64_t idx = o >> MEMFS_PAGE_SHIFT, next;
        while (rt_next(&n->pages, idx, &next) && next == idx)
            idx++;
        uint64_t hole = idx << MEMFS_PAGE_SHIFT;
        if (hole < o)
            hole = o;
        res = (off_t)(hole > n->size ? n->size : hole);
    }
    pthread_rwlock_unlock(&n->lock);
    untarget(fs, locked);
    return res;
}

static const struct fuse_operations memfs_ops = {
    .getattr = memfs_getattr,
    .readlink = memfs_readlink,
    .mknod = memfs_mknod,
    .mkdir = memfs_mkdir,
    .unlink = memfs_unlink,
    .rmdir = memfs_rmdir,
    .symlink = memfs_symlink,
    .rename = memfs_rename,
    .link = memfs_link,
    .chmod = memfs_chmod,
    .chown = memfs_chown,
    .truncate = memfs_truncate,
    .open = memfs_open,
    .read = memfs_read,
    .write = memfs_write,
    .statfs = memfs_statfs,
    .flush = memfs_flush,
    .release = memfs_release,
    .fsync = memfs_fsync,
    .setxattr = memfs_setxattr,
    .getxattr = memfs_getxattr,
    .listxattr = memfs_listxattr,
    .removexattr = memfs_removexattr,
    .opendir = memfs_opendir,
    .readdir = memfs_readdir,
    .releasedir = memfs_releasedir,
    .fsyncdir = memfs_fsyncdir,
    .init = memfs_init,
    .destroy = memfs_destroy,
    .access = memfs_access,
    .create = memfs_create,
    .utimens = memfs_utimens,
    .fallocate = memfs_fallocate,
    .copy_file_range = memfs_copy_file_range,
    .lseek = memfs_lseek,
};

const struct fuse_operations *memfs_operations(void)
{
    return &memfs_ops;
}

/* ------------------------------------------------------------------ */
/* Options                                                             */
/* ------------------------------------------------------------------ */

enum { KEY_CAPACITY, KEY_HIDDEN, KEY_NOPERM, KEY_HELP };

static const struct fuse_opt memfs_opts[] = {
    FUSE_OPT_KEY("capacity=", KEY_CAPACITY),
    FUSE_OPT_KEY("hidden_unlink", KEY_HIDDEN),
    FUSE_OPT_KEY("noperm", KEY_NOPERM),
    FUSE_OPT_KEY("-h", KEY_HELP),
    FUSE_OPT_KEY("--help", KEY_HELP),
    FUSE_OPT_END
};

static int parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || s[0] == '-')
        return -1;
    unsigned shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    case 't': case 'T': shift = 40; end++; break;
    default: break;
    }
    if (*end != '\0' || (shift && v > (UINT64_MAX >> shift)))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

static int memfs_opt_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
    struct memfs_options *opts = data;
    (void)outargs;
    switch (key) {
    case KEY_CAPACITY:
        if (parse_size(arg + strlen("capacity="), &opts->capacity) != 0 ||
            opts->capacity < 64 * 1024) {
            fprintf(stderr, "memfs: bad capacity '%s' (a size of at least 64K, like 512M or 2G)\n",
                    arg + strlen("capacity="));
            return -1;
        }
        return 0;
    case KEY_HIDDEN:
        opts->hidden_unlink = 1;
        return 0;
    case KEY_NOPERM:
        opts->noperm = 1;
        return 0;
    case KEY_HELP:
        printf("memfs options:\n"
               "    -o capacity=SIZE       volume size (K, M, G, T suffixes; default: half the RAM)\n"
               "    -o hidden_unlink       unlinked open files become .fuse_hidden* (libfuse)\n"
               "    -o noperm              no permission checks\n"
               "\n");
        return 1;
    default:
        return 1;
    }
}

int memfs_opt_parse(struct fuse_args *args, struct memfs_options *opts)
{
    memset(opts, 0, sizeof(*opts));
    return fuse_opt_parse(args, opts, memfs_opts, memfs_opt_proc);
}
