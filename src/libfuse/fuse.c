/*
 * fuse.c - the high-level, path-based fuse3 API on top of the low-level
 * session (fuse_lowlevel.h): what libfuse 3.14's lib/fuse.c offers, written
 * against the public low-level interface only.
 *
 * The kernel (or the engine) speaks in node ids; the file system wants
 * paths. Between them sits the node table: one node per name the kernel has
 * looked up, with its lookup count (nlookup), hashed twice - by id, and by
 * (parent id, name). A path is rebuilt for each call by walking parents up
 * to the root.
 *
 * Concurrency: one mutex (f->lock) guards the table. While a call runs with a
 * path, the nodes of that path are read-locked (treelock > 0) so nothing on
 * it is renamed or removed under the call's feet; unlink, rmdir and rename
 * write-lock the node they move or remove (treelock = -1). Locks of one call
 * are taken all at once or not at all, so waiting never holds anything and
 * cannot deadlock; a writer waiting on a node holds back new readers of it.
 * Every node a call has locked is also referenced, so it outlives the call
 * whatever the kernel forgets meanwhile.
 */
#ifndef FUSE_USE_VERSION
#define FUSE_USE_VERSION 314
#endif

#include <fuse.h>
#include <fuse_lowlevel.h>
#include <fuse_opt.h>
#include <fuse_log.h>
#if defined(__has_include)
#if __has_include(<winfuse.h>)
#include <winfuse.h>
#define WF_HAVE_WINFUSE_H 1
#endif
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

#define FUSE_DEFAULT_INTR_SIGNAL SIGUSR1
#define NODE_TABLE_MIN_SIZE 8192
#define OFFSET_MAX INT64_MAX
#define HIDDEN_TRIES 10
/* d_ino / st_ino of an entry whose inode number is not known */
#ifndef FUSE_UNKNOWN_INO
#define FUSE_UNKNOWN_INO 0xffffffff
#endif

/* The entry points that exist under several names and versions: the plain
   names (fuse_new, fuse_loop_mt) are the current behaviour; the suffixed
   ones are exported too, and compat.c binds the older symbol versions
   (fuse_new@FUSE_3.0 ...) to them. */
struct fuse *fuse_new_31(struct fuse_args *args, const struct fuse_operations *op,
                         size_t op_size, void *user_data);
struct fuse *fuse_new_30(struct fuse_args *args, const struct fuse_operations *op,
                         size_t op_size, void *user_data);
int fuse_loop_mt_312(struct fuse *f, struct fuse_loop_config *config);
int fuse_loop_mt_32(struct fuse *f, struct fuse_loop_config_v1 *config_v1);
int fuse_loop_mt_31(struct fuse *f, int clone_fd);

/* ------------------------------------------------------------------ */
/* Types                                                               */
/* ------------------------------------------------------------------ */

struct fuse_fs {
    struct fuse_operations op;
    void *user_data;
    int debug;
};

/* A POSIX lock some owner holds, as far as we know (see getlk). */
struct lock_range {
    struct lock_range *next;
    int type;
    off_t start;
    off_t end;      /* inclusive; OFFSET_MAX: to the end */
    pid_t pid;
    uint64_t owner;
};

/* An open handle of a node, kept (nullpath_ok only) so that calls the
   kernel makes without one - fstat, fchmod - still reach an unlinked file. */
struct open_handle {
    struct open_handle *next;
    struct fuse_file_info fi;
};

struct fuse_dh;

struct node {
    struct node *name_next;
    struct node *id_next;
    fuse_ino_t nodeid;
    uint64_t generation;
    int refctr;             /* nlookup > 0, hashed children, locks, temporaries */
    struct node *parent;    /* NULL when unhashed (unlinked, forgotten) */
    char *name;
    size_t namelen;
    uint64_t nlookup;
    int open_count;
    int treelock;           /* > 0: readers; -1: written */
    int wait_writers;       /* writers waiting for this node */
    bool is_hidden;
    bool cache_valid;
    bool in_lru;
    struct timespec stat_updated;   /* auto_cache */
    struct timespec mtime;
    off_t size;
    struct lock_range *locks;
    struct open_handle *handles;
    struct fuse_dh *dirs;   /* its open directory handles */
    struct node *lru_prev, *lru_next;
    struct timespec forget_time;
};

struct node_table {
    struct node **array;
    size_t size;            /* power of two */
    size_t use;
};

struct fuse {
    struct fuse_session *se;
    struct fuse_fs *fs;
    struct fuse_config conf;
    pthread_mutex_t lock;
    pthread_cond_t tree_cond;
    int tree_waiters;
    struct node_table id_table;
    struct node_table name_table;
    struct node *root;
    fuse_ino_t ctr;
    uint64_t generation;
    unsigned hidectr;
    struct node lru_head;   /* sentinel of the remember list, oldest first */
    int intr_installed;
    pthread_mutex_t intr_lock;
    /* cleanup thread (remember=T) */
    pthread_t prune_thread;
    bool prune_running;
    bool prune_stop;
    pthread_mutex_t prune_lock;
    pthread_cond_t prune_cond;
};

struct fuse_context_i {
    struct fuse_context ctx;
    fuse_req_t req;
};

/* A path handed to the file system, and the locks that keep it valid. */
struct pathlock {
    char *path;
    struct node **chain;    /* read-locked nodes (each referenced) */
    size_t depth;
    struct node *wnode;     /* write-locked node (referenced) or NULL */
};

/* Interrupt of a call in progress (intr option). */
struct intr_data {
    pthread_t thread;
    pthread_cond_t cond;
    bool finished;
};

/* An entry collected by a readdir that gives no offsets. */
struct dh_entry {
    char *name;
    struct stat st;
    bool plus;
};

struct fuse_dh {
    pthread_mutex_t lock;
    struct fuse_dh *node_next;  /* node->dirs */
    struct fuse *fuse;
    fuse_req_t req;
    uint64_t fh;
    fuse_ino_t nodeid;
    enum fuse_readdir_flags flags;
    /* offset-less listing, kept until the next rewind */
    struct dh_entry *ents;
    size_t nents, cap;
    bool filled;
    /* the reply being built */
    char *buf;
    size_t len, needlen;
    int error;
};

static _Thread_local struct fuse_context_i fuse_tls_context;

/* ------------------------------------------------------------------ */
/* Contexts                                                            */
/* ------------------------------------------------------------------ */

static struct fuse_context_i *context_for(struct fuse *f, fuse_req_t req)
{
    struct fuse_context_i *c = &fuse_tls_context;
    memset(c, 0, sizeof(*c));
    c->ctx.fuse = f;
    c->req = req;
    if (req != NULL) {
        const struct fuse_ctx *lc = fuse_req_ctx(req);
        c->ctx.uid = lc->uid;
        c->ctx.gid = lc->gid;
        c->ctx.pid = lc->pid;
        c->ctx.umask = lc->umask;
    }
    return c;
}

static struct fuse *req_fuse(fuse_req_t req)
{
    return fuse_req_userdata(req);
}

/* Every low-level handler starts here: the request's caller becomes the
   context fuse_get_context() reports. */
static struct fuse *req_fuse_prepare(fuse_req_t req)
{
    struct fuse *f = req_fuse(req);
    context_for(f, req);
    return f;
}

struct fuse_context *fuse_get_context(void)
{
    return &fuse_tls_context.ctx;
}

int fuse_getgroups(int size, gid_t list[])
{
    fuse_req_t req = fuse_tls_context.req;
    if (req == NULL)
        return -EINVAL;
    return fuse_req_getgroups(req, size, list);
}

int fuse_interrupted(void)
{
    fuse_req_t req = fuse_tls_context.req;
    return req != NULL ? fuse_req_interrupted(req) : 0;
}

/* ------------------------------------------------------------------ */
/* Time                                                                */
/* ------------------------------------------------------------------ */

static void curr_time(struct timespec *now)
{
    if (clock_gettime(CLOCK_MONOTONIC, now) != 0)
        clock_gettime(CLOCK_REALTIME, now);
}

static double diff_timespec(const struct timespec *a, const struct timespec *b)
{
    return (double)(a->tv_sec - b->tv_sec) + ((double)a->tv_nsec - (double)b->tv_nsec) / 1e9;
}

/* ------------------------------------------------------------------ */
/* The node table                                                      */
/* ------------------------------------------------------------------ */

static bool lru_enabled(const struct fuse *f)
{
    return f->conf.remember > 0;
}

static size_t id_hash(const struct node_table *t, fuse_ino_t id)
{
    uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ull;
    return (size_t)(h ^ (h >> 29)) & (t->size - 1);
}

static size_t name_hash(const struct node_table *t, fuse_ino_t parent, const char *name)
{
    uint64_t h = 14695981039346656037ull ^ ((uint64_t)parent * 0x9E3779B97F4A7C15ull);
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= 1099511628211ull;
    }
    return (size_t)(h ^ (h >> 31)) & (t->size - 1);
}

static int table_init(struct node_table *t)
{
    t->size = NODE_TABLE_MIN_SIZE;
    t->use = 0;
    t->array = calloc(t->size, sizeof(*t->array));
    if (t->array == NULL) {
        fuse_log(FUSE_LOG_ERR, "fuse: memory allocation failed\n");
        return -1;
    }
    return 0;
}

/* Doubles a table that has grown full; a failure only costs speed. */
static void table_grow(struct fuse *f, struct node_table *t, bool by_id)
{
    if (t->use < t->size)
        return;
    size_t nsize = t->size * 2;
    struct node **na = calloc(nsize, sizeof(*na));
    if (na == NULL)
        return;
    struct node_table nt = { na, nsize, t->use };
    for (size_t i = 0; i < t->size; i++) {
        struct node *n = t->array[i];
        while (n != NULL) {
            struct node *next;
            size_t b;
            if (by_id) {
                next = n->id_next;
                b = id_hash(&nt, n->nodeid);
                n->id_next = na[b];
            } else {
                next = n->name_next;
                b = name_hash(&nt, n->parent->nodeid, n->name);
                n->name_next = na[b];
            }
            na[b] = n;
            n = next;
        }
    }
    (void)f;
    free(t->array);
    *t = nt;
}

static struct node *get_node_nocheck(struct fuse *f, fuse_ino_t id)
{
    for (struct node *n = f->id_table.array[id_hash(&f->id_table, id)]; n; n = n->id_next)
        if (n->nodeid == id)
            return n;
    return NULL;
}

static struct node *get_node(struct fuse *f, fuse_ino_t id)
{
    struct node *n = get_node_nocheck(f, id);
    if (n == NULL)
        fuse_log(FUSE_LOG_ERR, "fuse: internal error: node %llu not found\n",
                 (unsigned long long)id);
    return n;
}

static void hash_id(struct fuse *f, struct node *node)
{
    size_t b = id_hash(&f->id_table, node->nodeid);
    node->id_next = f->id_table.array[b];
    f->id_table.array[b] = node;
    f->id_table.use++;
    table_grow(f, &f->id_table, true);
}

static void unhash_id(struct fuse *f, struct node *node)
{
    struct node **pp = &f->id_table.array[id_hash(&f->id_table, node->nodeid)];
    for (; *pp; pp = &(*pp)->id_next) {
        if (*pp == node) {
            *pp = node->id_next;
            f->id_table.use--;
            return;
        }
    }
}

static struct node *lookup_node(struct fuse *f, fuse_ino_t parent, const char *name)
{
    for (struct node *n = f->name_table.array[name_hash(&f->name_table, parent, name)]; n;
         n = n->name_next)
        if (n->parent->nodeid == parent && strcmp(n->name, name) == 0)
            return n;
    return NULL;
}

static void lru_remove(struct node *node)
{
    if (!node->in_lru)
        return;
    node->lru_prev->lru_next = node->lru_next;
    node->lru_next->lru_prev = node->lru_prev;
    node->in_lru = false;
}

static void lru_add(struct fuse *f, struct node *node)
{
    lru_remove(node);
    curr_time(&node->forget_time);
    node->lru_prev = f->lru_head.lru_prev;
    node->lru_next = &f->lru_head;
    f->lru_head.lru_prev->lru_next = node;
    f->lru_head.lru_prev = node;
    node->in_lru = true;
}

static void unref_node(struct fuse *f, struct node *node);

static void unhash_name(struct fuse *f, struct node *node)
{
    if (node->name == NULL)
        return;
    struct node **pp = &f->name_table.array[name_hash(&f->name_table, node->parent->nodeid,
                                                      node->name)];
    for (; *pp; pp = &(*pp)->name_next) {
        if (*pp == node) {
            *pp = node->name_next;
            f->name_table.use--;
            break;
        }
    }
    struct node *parent = node->parent;
    free(node->name);
    node->name = NULL;
    node->namelen = 0;
    node->parent = NULL;
    unref_node(f, parent);
}

static int hash_name(struct fuse *f, struct node *node, fuse_ino_t parentid, const char *name)
{
    struct node *parent = get_node(f, parentid);
    if (parent == NULL)
        return -ESTALE;
    char *copy = strdup(name);
    if (copy == NULL)
        return -ENOMEM;
    node->name = copy;
    node->namelen = strlen(copy);
    node->parent = parent;
    parent->refctr++;
    size_t b = name_hash(&f->name_table, parentid, copy);
    node->name_next = f->name_table.array[b];
    f->name_table.array[b] = node;
    f->name_table.use++;
    table_grow(f, &f->name_table, false);
    return 0;
}

static void free_node(struct node *node)
{
    while (node->locks != NULL) {
        struct lock_range *l = node->locks;
        node->locks = l->next;
        free(l);
    }
    while (node->handles != NULL) {
        struct open_handle *h = node->handles;
        node->handles = h->next;
        free(h);
    }
    free(node->name);
    free(node);
}

static void delete_node(struct fuse *f, struct node *node)
{
    if (f->conf.debug)
        fuse_log(FUSE_LOG_DEBUG, "DELETE: %llu\n", (unsigned long long)node->nodeid);
    unhash_name(f, node);
    lru_remove(node);
    unhash_id(f, node);
    free_node(node);
}

static void unref_node(struct fuse *f, struct node *node)
{
    if (--node->refctr == 0)
        delete_node(f, node);
}

static void inc_nlookup(struct node *node)
{
    if (node->nlookup++ == 0)
        node->refctr++;
}

static fuse_ino_t next_id(struct fuse *f)
{
    /* 32-bit ids (stat's st_ino for 32-bit programs); the generation tells
       a reused id from its predecessor. */
    do {
        f->ctr = (f->ctr + 1) & 0xffffffff;
        if (f->ctr == 0)
            f->generation++;
    } while (f->ctr == 0 || f->ctr == FUSE_ROOT_ID || f->ctr == FUSE_UNKNOWN_INO ||
             get_node_nocheck(f, f->ctr) != NULL);
    return f->ctr;
}

/* The node for parent/name (name NULL: parent itself), created if new, with
   one more lookup. */
static struct node *find_node(struct fuse *f, fuse_ino_t parent, const char *name)
{
    struct node *node;
    pthread_mutex_lock(&f->lock);
    if (name == NULL)
        node = get_node(f, parent);
    else
        node = lookup_node(f, parent, name);
    if (node == NULL && name != NULL) {
        node = calloc(1, sizeof(*node));
        if (node == NULL)
            goto out;
        node->nodeid = next_id(f);
        node->generation = f->generation;
        if (f->conf.remember)
            inc_nlookup(node);
        if (hash_name(f, node, parent, name) != 0) {
            free(node);
            node = NULL;
            goto out;
        }
        hash_id(f, node);
    } else if (node != NULL && lru_enabled(f) && node->nlookup == 1) {
        lru_remove(node);
    }
    if (node != NULL)
        inc_nlookup(node);
out:
    pthread_mutex_unlock(&f->lock);
    return node;
}

static void forget_node(struct fuse *f, fuse_ino_t nodeid, uint64_t nlookup)
{
    if (nodeid == FUSE_ROOT_ID)
        return;
    pthread_mutex_lock(&f->lock);
    struct node *node = get_node_nocheck(f, nodeid);
    if (node != NULL && node->nlookup > 0) {
        if (nlookup > node->nlookup) {
            fuse_log(FUSE_LOG_ERR, "fuse: forgetting %llu lookups of node %llu with %llu\n",
                     (unsigned long long)nlookup, (unsigned long long)nodeid,
                     (unsigned long long)node->nlookup);
            nlookup = node->nlookup;
        }
        node->nlookup -= nlookup;
        if (node->nlookup == 0)
            unref_node(f, node);
        else if (lru_enabled(f) && node->nlookup == 1)
            lru_add(f, node);
    }
    pthread_mutex_unlock(&f->lock);
}

/* The name of node is gone from the file system. */
static void unlink_node(struct fuse *f, struct node *node)
{
    unhash_name(f, node);
    if (f->conf.remember && node->nlookup > 0) {
        /* the lookup we kept for remembering goes with the name */
        lru_remove(node);
        if (--node->nlookup == 0)
            unref_node(f, node);
    }
}

static void remove_node(struct fuse *f, fuse_ino_t dir, const char *name)
{
    pthread_mutex_lock(&f->lock);
    struct node *node = lookup_node(f, dir, name);
    if (node != NULL)
        unlink_node(f, node);
    pthread_mutex_unlock(&f->lock);
}

static int rename_node(struct fuse *f, fuse_ino_t olddir, const char *oldname,
                       fuse_ino_t newdir, const char *newname, bool hide)
{
    int err = 0;
    pthread_mutex_lock(&f->lock);
    struct node *node = lookup_node(f, olddir, oldname);
    struct node *newnode = lookup_node(f, newdir, newname);
    if (node == NULL)
        goto out;
    if (newnode != NULL) {
        if (hide) {
            fuse_log(FUSE_LOG_ERR, "fuse: hidden file got created during hiding\n");
            err = -EBUSY;
            goto out;
        }
        unlink_node(f, newnode);
    }
    /* keep node alive across the unhash (its name may be its only ref) */
    node->refctr++;
    unhash_name(f, node);
    err = hash_name(f, node, newdir, newname);
    if (!err && hide)
        node->is_hidden = true;
    unref_node(f, node);
out:
    pthread_mutex_unlock(&f->lock);
    return err;
}

static int exchange_node(struct fuse *f, fuse_ino_t olddir, const char *oldname,
                         fuse_ino_t newdir, const char *newname)
{
    int err = 0;
    pthread_mutex_lock(&f->lock);
    struct node *a = lookup_node(f, olddir, oldname);
    struct node *b = lookup_node(f, newdir, newname);
    if (a != NULL) {
        a->refctr++;
        unhash_name(f, a);
    }
    if (b != NULL) {
        b->refctr++;
        unhash_name(f, b);
    }
    if (a != NULL && (err = hash_name(f, a, newdir, newname)) != 0)
        goto out;
    if (b != NULL)
        err = hash_name(f, b, olddir, oldname);
out:
    if (a != NULL)
        unref_node(f, a);
    if (b != NULL)
        unref_node(f, b);
    pthread_mutex_unlock(&f->lock);
    return err;
}

static bool is_open(struct fuse *f, fuse_ino_t dir, const char *name)
{
    pthread_mutex_lock(&f->lock);
    struct node *node = lookup_node(f, dir, name);
    bool open = node != NULL && node->open_count > 0;
    pthread_mutex_unlock(&f->lock);
    return open;
}

/* ------------------------------------------------------------------ */
/* Paths and their locks                                               */
/* ------------------------------------------------------------------ */

/* Builds the path of node (with /name appended if name) under f->lock,
   without locking it. */
static int build_path(struct node *node, const char *name, char **out)
{
    size_t len = name ? 1 + strlen(name) : 0;
    struct node *n;
    for (n = node; n->nodeid != FUSE_ROOT_ID; n = n->parent) {
        if (n->name == NULL || n->parent == NULL)
            return -ESTALE;
        len += 1 + n->namelen;
    }
    char *buf = malloc(len ? len + 1 : 2);
    if (buf == NULL)
        return -ENOMEM;
    if (len == 0) {
        strcpy(buf, "/");
        *out = buf;
        return 0;
    }
    char *p = buf + len;
    *p = '\0';
    if (name != NULL) {
        size_t l = strlen(name);
        p -= l;
        memcpy(p, name, l);
        *--p = '/';
    }
    for (n = node; n->nodeid != FUSE_ROOT_ID; n = n->parent) {
        p -= n->namelen;
        memcpy(p, n->name, n->namelen);
        *--p = '/';
    }
    *out = buf;
    return 0;
}

static void unlock_path(struct fuse *f, struct pathlock *pl)
{
    for (size_t i = 0; i < pl->depth; i++) {
        pl->chain[i]->treelock--;
        unref_node(f, pl->chain[i]);
    }
    if (pl->wnode != NULL) {
        pl->wnode->treelock = 0;
        unref_node(f, pl->wnode);
    }
    free(pl->chain);
    pl->chain = NULL;
    pl->depth = 0;
    pl->wnode = NULL;
}

/* Under f->lock: the path of nodeid[/name], read-locking its nodes and,
   if wr, write-locking the node of name. -EAGAIN with *blocker (maybe NULL)
   when something is in the way. */
static int try_lock_path(struct fuse *f, fuse_ino_t nodeid, const char *name, bool wr,
                         struct pathlock *pl, struct node **blocker)
{
    memset(pl, 0, sizeof(*pl));
    *blocker = NULL;
    struct node *start = get_node(f, nodeid);
    if (start == NULL)
        return -ESTALE;
    struct node *wnode = NULL;
    if (wr && name != NULL) {
        wnode = lookup_node(f, nodeid, name);
        if (wnode != NULL && wnode->treelock != 0) {
            *blocker = wnode;
            return -EAGAIN;
        }
    }
    size_t depth = 0;
    for (struct node *n = start; n->nodeid != FUSE_ROOT_ID; n = n->parent) {
        if (n->name == NULL || n->parent == NULL)
            return -ESTALE;
        if (n->treelock < 0 || n->wait_writers > 0)
            return -EAGAIN;
        depth++;
    }
    int err = build_path(start, name, &pl->path);
    if (err)
        return err;
    if (depth > 0) {
        pl->chain = malloc(depth * sizeof(*pl->chain));
        if (pl->chain == NULL) {
            free(pl->path);
            pl->path = NULL;
            return -ENOMEM;
        }
    }
    for (struct node *n = start; n->nodeid != FUSE_ROOT_ID; n = n->parent) {
        n->treelock++;
        n->refctr++;
        pl->chain[pl->depth++] = n;
    }
    if (wnode != NULL) {
        wnode->treelock = -1;
        wnode->refctr++;
        pl->wnode = wnode;
    }
    return 0;
}

/* Waits (f->lock held) until something is unlocked; a blocking node gets a
   writer-waiting mark so new readers queue behind us. */
static void wait_tree(struct fuse *f, struct node *blocker)
{
    if (blocker != NULL) {
        blocker->wait_writers++;
        blocker->refctr++;
    }
    f->tree_waiters++;
    pthread_cond_wait(&f->tree_cond, &f->lock);
    f->tree_waiters--;
    if (blocker != NULL) {
        blocker->wait_writers--;
        unref_node(f, blocker);
    }
}

static int get_path_common(struct fuse *f, fuse_ino_t nodeid, const char *name, bool wr,
                           struct pathlock *pl)
{
    struct node *blocker;
    int err;
    pthread_mutex_lock(&f->lock);
    while ((err = try_lock_path(f, nodeid, name, wr, pl, &blocker)) == -EAGAIN)
        wait_tree(f, blocker);
    pthread_mutex_unlock(&f->lock);
    return err;
}

static int get_path(struct fuse *f, fuse_ino_t nodeid, struct pathlock *pl)
{
    return get_path_common(f, nodeid, NULL, false, pl);
}

static int get_path_name(struct fuse *f, fuse_ino_t nodeid, const char *name, struct pathlock *pl)
{
    return get_path_common(f, nodeid, name, false, pl);
}

static int get_path_wrlock(struct fuse *f, fuse_ino_t nodeid, const char *name,
                           struct pathlock *pl)
{
    return get_path_common(f, nodeid, name, true, pl);
}

/* For calls by open handle: no path at all with nullpath_ok; otherwise the
   path if the node still has one (an unlinked file gets NULL). */
static int get_path_nullok(struct fuse *f, fuse_ino_t nodeid, struct pathlock *pl)
{
    memset(pl, 0, sizeof(*pl));
    if (f->conf.nullpath_ok)
        return 0;
    int err = get_path(f, nodeid, pl);
    return err == -ESTALE ? 0 : err;
}

static void free_path(struct fuse *f, struct pathlock *pl)
{
    if (pl->path == NULL && pl->depth == 0 && pl->wnode == NULL)
        return;
    pthread_mutex_lock(&f->lock);
    unlock_path(f, pl);
    if (f->tree_waiters)
        pthread_cond_broadcast(&f->tree_cond);
    pthread_mutex_unlock(&f->lock);
    free(pl->path);
    pl->path = NULL;
}

static void free_path2(struct fuse *f, struct pathlock *a, struct pathlock *b)
{
    pthread_mutex_lock(&f->lock);
    unlock_path(f, a);
    unlock_path(f, b);
    if (f->tree_waiters)
        pthread_cond_broadcast(&f->tree_cond);
    pthread_mutex_unlock(&f->lock);
    free(a->path);
    free(b->path);
    a->path = b->path = NULL;
}

/* true if anc is node or one of its ancestors */
static bool is_ancestor(struct node *anc, struct node *node)
{
    for (struct node *n = node; n != NULL; n = n->parent) {
        if (n == anc)
            return true;
        if (n->nodeid == FUSE_ROOT_ID)
            break;
    }
    return false;
}

/* A rename that would move a directory below itself, or onto one of its
   own ancestors, is refused before locking (it could never be locked). */
static int check_dir_loop(struct fuse *f, fuse_ino_t id1, const char *name1, fuse_ino_t id2,
                          const char *name2)
{
    struct node *d1 = get_node(f, id1), *d2 = get_node(f, id2);
    if (d1 == NULL || d2 == NULL)
        return -ESTALE;
    struct node *n1 = lookup_node(f, id1, name1);
    struct node *n2 = lookup_node(f, id2, name2);
    if (n1 != NULL && n1 != n2 && is_ancestor(n1, d2))
        return -EINVAL;
    if (n2 != NULL && n1 != n2 && is_ancestor(n2, d1))
        return -ENOTEMPTY;
    return 0;
}

/* Two paths locked together (rename, link): all or nothing. */
static int get_path2(struct fuse *f, fuse_ino_t id1, const char *name1, fuse_ino_t id2,
                     const char *name2, bool wr, struct pathlock *p1, struct pathlock *p2)
{
    struct node *blocker;
    int err;
    pthread_mutex_lock(&f->lock);
    bool same = name1 != NULL && name2 != NULL && id1 == id2 && strcmp(name1, name2) == 0;
    if (wr && name1 != NULL && name2 != NULL && !same &&
        (err = check_dir_loop(f, id1, name1, id2, name2)) != 0)
        goto out;
    for (;;) {
        err = try_lock_path(f, id1, name1, wr, p1, &blocker);
        if (!err) {
            err = try_lock_path(f, id2, name2, wr && !same, p2, &blocker);
            if (err) {
                unlock_path(f, p1);
                free(p1->path);
                p1->path = NULL;
            }
        }
        if (err != -EAGAIN)
            break;
        wait_tree(f, blocker);
    }
out:
    pthread_mutex_unlock(&f->lock);
    return err;
}

/* ------------------------------------------------------------------ */
/* Interrupts                                                          */
/* ------------------------------------------------------------------ */

static void fuse_intr_sighandler(int sig)
{
    (void)sig;
    /* Its only job is to make the blocked system call return EINTR. */
}

static void fuse_interrupt(fuse_req_t req, void *data)
{
    struct intr_data *d = data;
    struct fuse *f = req_fuse(req);

    if (pthread_equal(d->thread, pthread_self()))
        return;
    pthread_mutex_lock(&f->intr_lock);
    while (!d->finished) {
        struct timespec ts;
        pthread_kill(d->thread, f->conf.intr_signal);
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&d->cond, &f->intr_lock, &ts);
    }
    pthread_mutex_unlock(&f->intr_lock);
}

static void prepare_interrupt(struct fuse *f, fuse_req_t req, struct intr_data *d)
{
    if (!f->conf.intr)
        return;
    d->thread = pthread_self();
    d->finished = false;
    pthread_cond_init(&d->cond, NULL);
    fuse_req_interrupt_func(req, fuse_interrupt, d);
}

static void finish_interrupt(struct fuse *f, fuse_req_t req, struct intr_data *d)
{
    if (!f->conf.intr)
        return;
    pthread_mutex_lock(&f->intr_lock);
    d->finished = true;
    pthread_cond_broadcast(&d->cond);
    pthread_mutex_unlock(&f->intr_lock);
    /* returns once no interrupt callback for req is running */
    fuse_req_interrupt_func(req, NULL, NULL);
    pthread_cond_destroy(&d->cond);
}

static int init_intr_signal(int signum, int *installed)
{
    struct sigaction old;
    if (sigaction(signum, NULL, &old) == -1) {
        perror("fuse: cannot get old signal handler");
        return -1;
    }
    if (old.sa_handler == SIG_DFL) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = fuse_intr_sighandler;
        sigemptyset(&sa.sa_mask);
        if (sigaction(signum, &sa, NULL) == -1) {
            perror("fuse: cannot set interrupt signal handler");
            return -1;
        }
        *installed = 1;
    }
    return 0;
}

static void restore_intr_signal(int signum)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_DFL;
    sigaction(signum, &sa, NULL);
}

/* ------------------------------------------------------------------ */
/* The stackable file system calls: fuse_fs_*                          */
/* ------------------------------------------------------------------ */

static void fs_enter(struct fuse_fs *fs)
{
    fuse_tls_context.ctx.private_data = fs->user_data;
}

static unsigned long long fh_of(const struct fuse_file_info *fi)
{
    return fi != NULL ? (unsigned long long)fi->fh : 0ull;
}

static const char *path_str(const char *path)
{
    return path != NULL ? path : "(null)";
}

int fuse_fs_getattr(struct fuse_fs *fs, const char *path, struct stat *buf,
                    struct fuse_file_info *fi)
{
    fs_enter(fs);
    if (fs->op.getattr == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "getattr[%llu] %s\n", fh_of(fi), path_str(path));
    return fs->op.getattr(path, buf, fi);
}

int fuse_fs_rename(struct fuse_fs *fs, const char *oldpath, const char *newpath,
                   unsigned int flags)
{
    fs_enter(fs);
    if (fs->op.rename == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "rename %s %s 0x%x\n", oldpath, newpath, flags);
    return fs->op.rename(oldpath, newpath, flags);
}

int fuse_fs_unlink(struct fuse_fs *fs, const char *path)
{
    fs_enter(fs);
    if (fs->op.unlink == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "unlink %s\n", path);
    return fs->op.unlink(path);
}

int fuse_fs_rmdir(struct fuse_fs *fs, const char *path)
{
    fs_enter(fs);
    if (fs->op.rmdir == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "rmdir %s\n", path);
    return fs->op.rmdir(path);
}

int fuse_fs_symlink(struct fuse_fs *fs, const char *linkname, const char *path)
{
    fs_enter(fs);
    if (fs->op.symlink == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "symlink %s %s\n", linkname, path);
    return fs->op.symlink(linkname, path);
}

int fuse_fs_link(struct fuse_fs *fs, const char *oldpath, const char *newpath)
{
    fs_enter(fs);
    if (fs->op.link == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "link %s %s\n", oldpath, newpath);
    return fs->op.link(oldpath, newpath);
}

int fuse_fs_release(struct fuse_fs *fs, const char *path, struct fuse_file_info *fi)
{
    fs_enter(fs);
    if (fs->op.release == NULL)
        return 0;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "release%s[%llu] flags: 0x%x\n", fi->flush ? "+flush" : "",
                 fh_of(fi), fi->flags);
    return fs->op.release(path, fi);
}

int fuse_fs_opendir(struct fuse_fs *fs, const char *path, struct fuse_file_info *fi)
{
    fs_enter(fs);
    if (fs->op.opendir == NULL)
        return 0;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "opendir flags: 0x%x %s\n", fi->flags, path_str(path));
    int err = fs->op.opendir(path, fi);
    if (fs->debug && !err)
        fuse_log(FUSE_LOG_DEBUG, "   opendir[%llu] flags: 0x%x %s\n", fh_of(fi), fi->flags,
                 path_str(path));
    return err;
}

int fuse_fs_open(struct fuse_fs *fs, const char *path, struct fuse_file_info *fi)
{
    fs_enter(fs);
    if (fs->op.open == NULL)
        return 0;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "open flags: 0x%x %s\n", fi->flags, path_str(path));
    int err = fs->op.open(path, fi);
    if (fs->debug && !err)
        fuse_log(FUSE_LOG_DEBUG, "   open[%llu] flags: 0x%x %s\n", fh_of(fi), fi->flags,
                 path_str(path));
    return err;
}

static void free_bufvec(struct fuse_bufvec *buf)
{
    if (buf == NULL)
        return;
    for (size_t i = 0; i < buf->count; i++)
        if (!(buf->buf[i].flags & FUSE_BUF_IS_FD))
            free(buf->buf[i].mem);
    free(buf);
}

int fuse_fs_read_buf(struct fuse_fs *fs, const char *path, struct fuse_bufvec **bufp,
                     size_t size, off_t off, struct fuse_file_info *fi)
{
    fs_enter(fs);
    if (fs->op.read == NULL && fs->op.read_buf == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "read[%llu] %zu bytes from %llu flags: 0x%x\n", fh_of(fi),
                 size, (unsigned long long)off, fi->flags);
    int res;
    if (fs->op.read_buf != NULL) {
        res = fs->op.read_buf(path, bufp, size, off, fi);
    } else {
        struct fuse_bufvec *buf = malloc(sizeof(*buf));
        void *mem = malloc(size ? size : 1);
        if (buf == NULL || mem == NULL) {
            free(buf);
            free(mem);
            return -ENOMEM;
        }
        *buf = FUSE_BUFVEC_INIT(size);
        buf->buf[0].mem = mem;
        *bufp = buf;
        res = fs->op.read(path, mem, size, off, fi);
        if (res >= 0)
            buf->buf[0].size = (size_t)res;
    }
    if (res < 0)
        return res;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "   read[%llu] %zu bytes from %llu\n", fh_of(fi),
                 fuse_buf_size(*bufp), (unsigned long long)off);
    if (fuse_buf_size(*bufp) > size)
        fuse_log(FUSE_LOG_ERR, "fuse: read too many bytes\n");
    return 0;
}

int fuse_fs_read(struct fuse_fs *fs, const char *path, char *mem, size_t size, off_t off,
                 struct fuse_file_info *fi)
{
    fs_enter(fs);
    if (fs->op.read == NULL && fs->op.read_buf == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "read[%llu] %zu bytes from %llu flags: 0x%x\n", fh_of(fi),
                 size, (unsigned long long)off, fi->flags);
    int res;
    if (fs->op.read_buf != NULL) {
        struct fuse_bufvec *buf = NULL;
        res = fs->op.read_buf(path, &buf, size, off, fi);
        if (res == 0) {
            struct fuse_bufvec dst = FUSE_BUFVEC_INIT(size);
            dst.buf[0].mem = mem;
            res = (int)fuse_buf_copy(&dst, buf, 0);
        }
        free_bufvec(buf);
    } else {
        res = fs->op.read(path, mem, size, off, fi);
    }
    if (fs->debug && res >= 0)
        fuse_log(FUSE_LOG_DEBUG, "   read[%llu] %d bytes from %llu\n", fh_of(fi), res,
                 (unsigned long long)off);
    if (res > (int)size)
        fuse_log(FUSE_LOG_ERR, "fuse: read too many bytes\n");
    return res;
}

int fuse_fs_write_buf(struct fuse_fs *fs, const char *path, struct fuse_bufvec *buf, off_t off,
                      struct fuse_file_info *fi)
{
    fs_enter(fs);
    if (fs->op.write_buf == NULL && fs->op.write == NULL)
        return -ENOSYS;
    size_t size = fuse_buf_size(buf);
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "write%s[%llu] %zu bytes to %llu flags: 0x%x\n",
                 fi->writepage ? "page" : "", fh_of(fi), size, (unsigned long long)off,
                 fi->flags);
    int res;
    if (fs->op.write_buf != NULL) {
        res = fs->op.write_buf(path, buf, off, fi);
    } else if (buf->count == 1 && buf->idx == 0 && buf->off == 0 &&
               !(buf->buf[0].flags & FUSE_BUF_IS_FD)) {
        res = fs->op.write(path, buf->buf[0].mem, buf->buf[0].size, off, fi);
    } else {
        /* Flatten (several buffers, or a pipe/fd) into one. */
        void *mem = malloc(size ? size : 1);
        if (mem == NULL)
            return -ENOMEM;
        struct fuse_bufvec tmp = FUSE_BUFVEC_INIT(size);
        tmp.buf[0].mem = mem;
        ssize_t n = fuse_buf_copy(&tmp, buf, 0);
        if (n <= 0)
            res = (int)n;
        else
            res = fs->op.write(path, mem, (size_t)n, off, fi);
        free(mem);
    }
    if (fs->debug && res >= 0)
        fuse_log(FUSE_LOG_DEBUG, "   write%s[%llu] %d bytes to %llu\n",
                 fi->writepage ? "page" : "", fh_of(fi), res, (unsigned long long)off);
    if (res > (int)size)
        fuse_log(FUSE_LOG_ERR, "fuse: wrote too many bytes\n");
    return res;
}

int fuse_fs_write(struct fuse_fs *fs, const char *path, const char *mem, size_t size, off_t off,
                  struct fuse_file_info *fi)
{
    struct fuse_bufvec bufv = FUSE_BUFVEC_INIT(size);
    bufv.buf[0].mem = (void *)mem;
    return fuse_fs_write_buf(fs, path, &bufv, off, fi);
}

int fuse_fs_fsync(struct fuse_fs *fs, const char *path, int datasync, struct fuse_file_info *fi)
{
    fs_enter(fs);
    if (fs->op.fsync == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "fsync[%llu] datasync: %i\n", fh_of(fi), datasync);
    return fs->op.fsync(path, datasync, fi);
}

int fuse_fs_fsyncdir(struct fuse_fs *fs, const char *path, int datasync,
                     struct fuse_file_info *fi)
{
    fs_enter(fs);
    if (fs->op.fsyncdir == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "fsyncdir[%llu] datasync: %i\n", fh_of(fi), datasync);
    return fs->op.fsyncdir(path, datasync, fi);
}

int fuse_fs_flush(struct fuse_fs *fs, const char *path, struct fuse_file_info *fi)
{
    fs_enter(fs);
    if (fs->op.flush == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "flush[%llu]\n", fh_of(fi));
    return fs->op.flush(path, fi);
}

int fuse_fs_statfs(struct fuse_fs *fs, const char *path, struct statvfs *buf)
{
    fs_enter(fs);
    if (fs->op.statfs == NULL) {
        buf->f_namemax = 255;
        buf->f_bsize = 512;
        return 0;
    }
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "statfs %s\n", path_str(path));
    return fs->op.statfs(path, buf);
}

int fuse_fs_releasedir(struct fuse_fs *fs, const char *path, struct fuse_file_info *fi)
{
    fs_enter(fs);
    if (fs->op.releasedir == NULL)
        return 0;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "releasedir[%llu] flags: 0x%x\n", fh_of(fi), fi->flags);
    return fs->op.releasedir(path, fi);
}

int fuse_fs_readdir(struct fuse_fs *fs, const char *path, void *buf, fuse_fill_dir_t filler,
                    off_t off, struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    fs_enter(fs);
    if (fs->op.readdir == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "readdir%s[%llu] from %llu\n",
                 (flags & FUSE_READDIR_PLUS) ? "plus" : "", fh_of(fi), (unsigned long long)off);
    return fs->op.readdir(path, buf, filler, off, fi, flags);
}

int fuse_fs_create(struct fuse_fs *fs, const char *path, mode_t mode, struct fuse_file_info *fi)
{
    fs_enter(fs);
    if (fs->op.create == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "create flags: 0x%x %s 0%o umask=0%03o\n", fi->flags, path,
                 (unsigned)mode, (unsigned)fuse_get_context()->umask);
    int err = fs->op.create(path, mode, fi);
    if (fs->debug && !err)
        fuse_log(FUSE_LOG_DEBUG, "   create[%llu] flags: 0x%x %s\n", fh_of(fi), fi->flags, path);
    return err;
}

int fuse_fs_lock(struct fuse_fs *fs, const char *path, struct fuse_file_info *fi, int cmd,
                 struct flock *lock)
{
    fs_enter(fs);
    if (fs->op.lock == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "lock[%llu] %s %s start: %llu len: %llu pid: %llu\n",
                 fh_of(fi),
                 cmd == F_GETLK ? "F_GETLK" : cmd == F_SETLK ? "F_SETLK"
                                            : cmd == F_SETLKW ? "F_SETLKW" : "???",
                 lock->l_type == F_RDLCK ? "F_RDLCK" : lock->l_type == F_WRLCK ? "F_WRLCK"
                                         : lock->l_type == F_UNLCK ? "F_UNLCK" : "???",
                 (unsigned long long)lock->l_start, (unsigned long long)lock->l_len,
                 (unsigned long long)lock->l_pid);
    return fs->op.lock(path, fi, cmd, lock);
}

int fuse_fs_flock(struct fuse_fs *fs, const char *path, struct fuse_file_info *fi, int op)
{
    fs_enter(fs);
    if (fs->op.flock == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "flock[%llu] 0x%x\n", fh_of(fi), op);
    return fs->op.flock(path, fi, op);
}

int fuse_fs_chown(struct fuse_fs *fs, const char *path, uid_t uid, gid_t gid,
                  struct fuse_file_info *fi)
{
    fs_enter(fs);
    if (fs->op.chown == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "chown[%llu] %s %lu %lu\n", fh_of(fi), path_str(path),
                 (unsigned long)uid, (unsigned long)gid);
    return fs->op.chown(path, uid, gid, fi);
}

int fuse_fs_chmod(struct fuse_fs *fs, const char *path, mode_t mode, struct fuse_file_info *fi)
{
    fs_enter(fs);
    if (fs->op.chmod == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "chmod[%llu] %s %llo\n", fh_of(fi), path_str(path),
                 (unsigned long long)mode);
    return fs->op.chmod(path, mode, fi);
}

int fuse_fs_truncate(struct fuse_fs *fs, const char *path, off_t size, struct fuse_file_info *fi)
{
    fs_enter(fs);
    if (fs->op.truncate == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "truncate[%llu] %llu\n", fh_of(fi), (unsigned long long)size);
    return fs->op.truncate(path, size, fi);
}

int fuse_fs_utimens(struct fuse_fs *fs, const char *path, const struct timespec tv[2],
                    struct fuse_file_info *fi)
{
    fs_enter(fs);
    if (fs->op.utimens == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "utimens[%llu] %s %li.%09lu %li.%09lu\n", fh_of(fi),
                 path_str(path), (long)tv[0].tv_sec, (unsigned long)tv[0].tv_nsec,
                 (long)tv[1].tv_sec, (unsigned long)tv[1].tv_nsec);
    return fs->op.utimens(path, tv, fi);
}

int fuse_fs_access(struct fuse_fs *fs, const char *path, int mask)
{
    fs_enter(fs);
    if (fs->op.access == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "access %s 0%o\n", path, mask);
    return fs->op.access(path, mask);
}

int fuse_fs_readlink(struct fuse_fs *fs, const char *path, char *buf, size_t len)
{
    fs_enter(fs);
    if (fs->op.readlink == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "readlink %s %lu\n", path, (unsigned long)len);
    return fs->op.readlink(path, buf, len);
}

int fuse_fs_mknod(struct fuse_fs *fs, const char *path, mode_t mode, dev_t rdev)
{
    fs_enter(fs);
    if (fs->op.mknod == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "mknod %s 0%o 0x%llx umask=0%03o\n", path, (unsigned)mode,
                 (unsigned long long)rdev, (unsigned)fuse_get_context()->umask);
    return fs->op.mknod(path, mode, rdev);
}

int fuse_fs_mkdir(struct fuse_fs *fs, const char *path, mode_t mode)
{
    fs_enter(fs);
    if (fs->op.mkdir == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "mkdir %s 0%o umask=0%03o\n", path, (unsigned)mode,
                 (unsigned)fuse_get_context()->umask);
    return fs->op.mkdir(path, mode);
}

int fuse_fs_setxattr(struct fuse_fs *fs, const char *path, const char *name, const char *value,
                     size_t size, int flags)
{
    fs_enter(fs);
    if (fs->op.setxattr == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "setxattr %s %s %lu 0x%x\n", path, name, (unsigned long)size,
                 flags);
    return fs->op.setxattr(path, name, value, size, flags);
}

int fuse_fs_getxattr(struct fuse_fs *fs, const char *path, const char *name, char *value,
                     size_t size)
{
    fs_enter(fs);
    if (fs->op.getxattr == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "getxattr %s %s %lu\n", path, name, (unsigned long)size);
    return fs->op.getxattr(path, name, value, size);
}

int fuse_fs_listxattr(struct fuse_fs *fs, const char *path, char *list, size_t size)
{
    fs_enter(fs);
    if (fs->op.listxattr == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "listxattr %s %lu\n", path, (unsigned long)size);
    return fs->op.listxattr(path, list, size);
}

int fuse_fs_removexattr(struct fuse_fs *fs, const char *path, const char *name)
{
    fs_enter(fs);
    if (fs->op.removexattr == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "removexattr %s %s\n", path, name);
    return fs->op.removexattr(path, name);
}

int fuse_fs_bmap(struct fuse_fs *fs, const char *path, size_t blocksize, uint64_t *idx)
{
    fs_enter(fs);
    if (fs->op.bmap == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "bmap %s blocksize: %lu index: %llu\n", path,
                 (unsigned long)blocksize, (unsigned long long)*idx);
    return fs->op.bmap(path, blocksize, idx);
}

int fuse_fs_ioctl(struct fuse_fs *fs, const char *path, unsigned int cmd, void *arg,
                  struct fuse_file_info *fi, unsigned int flags, void *data)
{
    fs_enter(fs);
    if (fs->op.ioctl == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "ioctl[%llu] 0x%x flags: 0x%x\n", fh_of(fi), cmd, flags);
    return fs->op.ioctl(path, cmd, arg, fi, flags, data);
}

int fuse_fs_poll(struct fuse_fs *fs, const char *path, struct fuse_file_info *fi,
                 struct fuse_pollhandle *ph, unsigned *reventsp)
{
    fs_enter(fs);
    if (fs->op.poll == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "poll[%llu] ph: %p, events 0x%x\n", fh_of(fi), (void *)ph,
                 fi->poll_events);
    int res = fs->op.poll(path, fi, ph, reventsp);
    if (fs->debug && !res)
        fuse_log(FUSE_LOG_DEBUG, "   poll[%llu] revents: 0x%x\n", fh_of(fi), *reventsp);
    return res;
}

int fuse_fs_fallocate(struct fuse_fs *fs, const char *path, int mode, off_t offset,
                      off_t length, struct fuse_file_info *fi)
{
    fs_enter(fs);
    if (fs->op.fallocate == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "fallocate %s mode %x, offset: %llu, length: %llu\n",
                 path_str(path), mode, (unsigned long long)offset, (unsigned long long)length);
    return fs->op.fallocate(path, mode, offset, length, fi);
}

ssize_t fuse_fs_copy_file_range(struct fuse_fs *fs, const char *path_in,
                                struct fuse_file_info *fi_in, off_t off_in,
                                const char *path_out, struct fuse_file_info *fi_out,
                                off_t off_out, size_t len, int flags)
{
    fs_enter(fs);
    if (fs->op.copy_file_range == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "copy_file_range from %s:%llu to %s:%llu, length: %llu\n",
                 path_str(path_in), (unsigned long long)off_in, path_str(path_out),
                 (unsigned long long)off_out, (unsigned long long)len);
    return fs->op.copy_file_range(path_in, fi_in, off_in, path_out, fi_out, off_out, len, flags);
}

off_t fuse_fs_lseek(struct fuse_fs *fs, const char *path, off_t off, int whence,
                    struct fuse_file_info *fi)
{
    fs_enter(fs);
    if (fs->op.lseek == NULL)
        return -ENOSYS;
    if (fs->debug)
        fuse_log(FUSE_LOG_DEBUG, "lseek[%llu] %llu %d\n", fh_of(fi), (unsigned long long)off,
                 whence);
    return fs->op.lseek(path, off, whence, fi);
}

void fuse_fs_init(struct fuse_fs *fs, struct fuse_conn_info *conn, struct fuse_config *cfg)
{
    fs_enter(fs);
    /* Without the operation, the kernel does the work itself. */
    if (fs->op.write_buf == NULL)
        conn->want &= ~FUSE_CAP_SPLICE_READ;
    if (fs->op.lock == NULL)
        conn->want &= ~FUSE_CAP_POSIX_LOCKS;
    if (fs->op.flock == NULL)
        conn->want &= ~FUSE_CAP_FLOCK_LOCKS;
    if (fs->op.init != NULL)
        fs->user_data = fs->op.init(conn, cfg);
}

void fuse_fs_destroy(struct fuse_fs *fs)
{
    fs_enter(fs);
    if (fs->op.destroy != NULL)
        fs->op.destroy(fs->user_data);
    free(fs);
}

struct fuse_fs *fuse_fs_new(const struct fuse_operations *op, size_t op_size, void *user_data)
{
    if (op_size > sizeof(struct fuse_operations)) {
        fuse_log(FUSE_LOG_ERR, "fuse: warning: library too old, some operations may not work\n");
        op_size = sizeof(struct fuse_operations);
    }
    struct fuse_fs *fs = calloc(1, sizeof(*fs));
    if (fs == NULL) {
        fuse_log(FUSE_LOG_ERR, "fuse: failed to allocate fuse_fs object\n");
        return NULL;
    }
    fs->user_data = user_data;
    if (op != NULL)
        memcpy(&fs->op, op, op_size);
    return fs;
}

int fuse_notify_poll(struct fuse_pollhandle *ph)
{
    return fuse_lowlevel_notify_poll(ph);
}

/* ------------------------------------------------------------------ */
/* Attributes and entries                                              */
/* ------------------------------------------------------------------ */

static void set_stat(struct fuse *f, fuse_ino_t nodeid, struct stat *st)
{
    if (!f->conf.use_ino)
        st->st_ino = nodeid;
    if (f->conf.set_mode)
        st->st_mode = (st->st_mode & S_IFMT) | (0777 & ~f->conf.umask);
    if (f->conf.set_uid)
        st->st_uid = f->conf.uid;
    if (f->conf.set_gid)
        st->st_gid = f->conf.gid;
}

static bool mtime_eq(const struct stat *st, const struct timespec *ts)
{
    return st->st_mtim.tv_sec == ts->tv_sec && st->st_mtim.tv_nsec == ts->tv_nsec;
}

/* auto_cache: remember what the file looked like (f->lock held) */
static void update_stat(struct node *node, const struct stat *st)
{
    if (node->cache_valid && (!mtime_eq(st, &node->mtime) || st->st_size != node->size))
        node->cache_valid = false;
    node->mtime = st->st_mtim;
    node->size = st->st_size;
    curr_time(&node->stat_updated);
}

/* Fills e for the node of parent/name (name NULL: parent), one more lookup. */
static int do_lookup(struct fuse *f, fuse_ino_t parent, const char *name,
                     struct fuse_entry_param *e)
{
    struct node *node = find_node(f, parent, name);
    if (node == NULL)
        return -ENOMEM;
    e->ino = node->nodeid;
    e->generation = node->generation;
    e->entry_timeout = f->conf.entry_timeout;
    e->attr_timeout = f->conf.attr_timeout;
    if (f->conf.auto_cache) {
        pthread_mutex_lock(&f->lock);
        update_stat(node, &e->attr);
        pthread_mutex_unlock(&f->lock);
    }
    set_stat(f, e->ino, &e->attr);
    return 0;
}

static int lookup_path(struct fuse *f, fuse_ino_t parent, const char *name, const char *path,
                       struct fuse_entry_param *e, struct fuse_file_info *fi)
{
    memset(e, 0, sizeof(*e));
    int err = fuse_fs_getattr(f->fs, path, &e->attr, fi);
    if (err == 0) {
        err = do_lookup(f, parent, name, e);
        if (err == 0 && f->conf.debug)
            fuse_log(FUSE_LOG_DEBUG, "   NODEID: %llu\n", (unsigned long long)e->ino);
    }
    return err;
}

static void reply_err(fuse_req_t req, int err)
{
    /* the file system says -errno; the session wants errno */
    fuse_reply_err(req, -err);
}

static void reply_entry(fuse_req_t req, const struct fuse_entry_param *e, int err)
{
    if (err) {
        reply_err(req, err);
        return;
    }
    if (fuse_reply_entry(req, e) == -ENOENT && e->ino != 0) {
        /* the caller is gone (interrupted): nobody holds this lookup */
        forget_node(req_fuse(req), e->ino, 1);
    }
}

/* Open handles remembered for unlinked files (nullpath_ok). */
static void remember_handle(struct fuse *f, fuse_ino_t ino, const struct fuse_file_info *fi)
{
    if (!f->conf.nullpath_ok)
        return;
    struct open_handle *h = malloc(sizeof(*h));
    if (h == NULL)
        return;
    h->fi = *fi;
    pthread_mutex_lock(&f->lock);
    struct node *node = get_node(f, ino);
    if (node != NULL) {
        h->next = node->handles;
        node->handles = h;
        h = NULL;
    }
    pthread_mutex_unlock(&f->lock);
    free(h);
}

static void forget_handle(struct node *node, uint64_t fh)
{
    for (struct open_handle **pp = &node->handles; *pp; pp = &(*pp)->next) {
        if ((*pp)->fi.fh == fh) {
            struct open_handle *h = *pp;
            *pp = h->next;
            free(h);
            return;
        }
    }
}

/* The kernel asks for attributes by handle only for files; a peer such as
   the engine may do it for an open directory too, whose handle is ours
   (struct fuse_dh), not the file system's: such a call goes by path. */
static struct fuse_file_info *file_fi(struct fuse *f, fuse_ino_t ino, struct fuse_file_info *fi)
{
    if (fi == NULL)
        return NULL;
    bool dir = false;
    pthread_mutex_lock(&f->lock);
    struct node *node = get_node_nocheck(f, ino);
    for (struct fuse_dh *dh = node ? node->dirs : NULL; dh != NULL && !dir; dh = dh->node_next)
        dir = (uintptr_t)dh == fi->fh;
    pthread_mutex_unlock(&f->lock);
    return dir ? NULL : fi;
}

static void dir_opened(struct fuse *f, fuse_ino_t ino, struct fuse_dh *dh)
{
    pthread_mutex_lock(&f->lock);
    struct node *node = get_node_nocheck(f, ino);
    if (node != NULL) {
        dh->node_next = node->dirs;
        node->dirs = dh;
    }
    pthread_mutex_unlock(&f->lock);
}

static void dir_closed(struct fuse *f, fuse_ino_t ino, struct fuse_dh *dh)
{
    pthread_mutex_lock(&f->lock);
    struct node *node = get_node_nocheck(f, ino);
    for (struct fuse_dh **pp = node ? &node->dirs : NULL; pp && *pp; pp = &(*pp)->node_next) {
        if (*pp == dh) {
            *pp = dh->node_next;
            break;
        }
    }
    pthread_mutex_unlock(&f->lock);
}

/* The path of a node for a call that may also go by handle: if the node has
   lost its name (unlinked while open) and the file system takes calls
   without paths, one of its open handles is used instead (*fi set). */
static int get_path_or_handle(struct fuse *f, fuse_ino_t ino, struct pathlock *pl,
                              struct fuse_file_info **fi, struct fuse_file_info *fibuf)
{
    if (*fi != NULL)
        return get_path_nullok(f, ino, pl);
    int err = get_path(f, ino, pl);
    if (err != -ESTALE || !f->conf.nullpath_ok)
        return err;
    pthread_mutex_lock(&f->lock);
    struct node *node = get_node_nocheck(f, ino);
    if (node != NULL && node->handles != NULL) {
        *fibuf = node->handles->fi;
        *fi = fibuf;
        err = 0;
    }
    pthread_mutex_unlock(&f->lock);
    return err;
}

/* ------------------------------------------------------------------ */
/* Low-level handlers                                                  */
/* ------------------------------------------------------------------ */

static void fuse_lib_init(void *data, struct fuse_conn_info *conn)
{
    struct fuse *f = data;
    context_for(f, NULL);
    if (conn->capable & FUSE_CAP_EXPORT_SUPPORT)
        conn->want |= FUSE_CAP_EXPORT_SUPPORT;
    fuse_fs_init(f->fs, conn, &f->conf);
    /* init() may have asked for interruptible calls */
    if (f->conf.intr && !f->intr_installed)
        init_intr_signal(f->conf.intr_signal, &f->intr_installed);
    f->fs->debug = f->conf.debug;
}

static void fuse_lib_destroy(void *data)
{
    struct fuse *f = data;
    context_for(f, NULL);
    fuse_fs_destroy(f->fs);
    f->fs = NULL;
}

static void fuse_lib_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    struct fuse *f = req_fuse_prepare(req);
    struct fuse_entry_param e;
    struct pathlock pl;
    struct node *dot = NULL;
    int err;

    memset(&e, 0, sizeof(e));
    if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) {
        /* "." and "..": asked for by NFS export only */
        pthread_mutex_lock(&f->lock);
        struct node *p = get_node_nocheck(f, parent);
        if (p == NULL || (name[1] == '.' && p->nodeid != FUSE_ROOT_ID && p->parent == NULL)) {
            pthread_mutex_unlock(&f->lock);
            reply_err(req, -ESTALE);
            return;
        }
        if (name[1] == '\0') {
            dot = p;
            dot->refctr++;
        } else if (p->nodeid != FUSE_ROOT_ID) {
            parent = p->parent->nodeid;
        }
        pthread_mutex_unlock(&f->lock);
        name = NULL;
        if (f->conf.debug)
            fuse_log(FUSE_LOG_DEBUG, dot ? "LOOKUP-DOT\n" : "LOOKUP-DOTDOT\n");
    }

    err = get_path_name(f, parent, name, &pl);
    if (!err) {
        struct intr_data d;
        if (f->conf.debug)
            fuse_log(FUSE_LOG_DEBUG, "LOOKUP %s\n", pl.path);
        prepare_interrupt(f, req, &d);
        err = lookup_path(f, parent, name, pl.path, &e, NULL);
        if (err == -ENOENT && f->conf.negative_timeout != 0.0) {
            e.ino = 0;
            e.entry_timeout = f->conf.negative_timeout;
            err = 0;
        }
        finish_interrupt(f, req, &d);
        free_path(f, &pl);
    }
    if (dot != NULL) {
        pthread_mutex_lock(&f->lock);
        unref_node(f, dot);
        pthread_mutex_unlock(&f->lock);
    }
    reply_entry(req, &e, err);
}

static void do_forget(struct fuse *f, fuse_ino_t ino, uint64_t nlookup)
{
    if (f->conf.debug)
        fuse_log(FUSE_LOG_DEBUG, "FORGET %llu/%llu\n", (unsigned long long)ino,
                 (unsigned long long)nlookup);
    forget_node(f, ino, nlookup);
}

static void fuse_lib_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
    do_forget(req_fuse(req), ino, nlookup);
    fuse_reply_none(req);
}

static void fuse_lib_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
    struct fuse *f = req_fuse(req);
    for (size_t i = 0; i < count; i++)
        do_forget(f, forgets[i].ino, forgets[i].nlookup);
    fuse_reply_none(req);
}

/* GETATTR and SETATTR answer alike: a hidden (unlinked, open) file has one link less. */
static void reply_attr(struct fuse *f, fuse_req_t req, fuse_ino_t ino, struct stat *buf)
{
    struct node *node;

    pthread_mutex_lock(&f->lock);
    node = get_node_nocheck(f, ino);
    if (node != NULL) {
        if (node->is_hidden && buf->st_nlink > 0)
            buf->st_nlink--;
        if (f->conf.auto_cache)
            update_stat(node, buf);
    }
    pthread_mutex_unlock(&f->lock);
    set_stat(f, ino, buf);
    fuse_reply_attr(req, buf, f->conf.attr_timeout);
}

static void fuse_lib_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    struct fuse *f = req_fuse_prepare(req);
    struct fuse_file_info fibuf;
    struct pathlock pl;
    struct stat buf;

    memset(&buf, 0, sizeof(buf));
    fi = file_fi(f, ino, fi);
    int err = get_path_or_handle(f, ino, &pl, &fi, &fibuf);
    if (!err) {
        struct intr_data d;
        prepare_interrupt(f, req, &d);
        err = fuse_fs_getattr(f->fs, pl.path, &buf, fi);
        finish_interrupt(f, req, &d);
        free_path(f, &pl);
    }
    if (err) {
        reply_err(req, err);
        return;
    }
    reply_attr(f, req, ino, &buf);
}

static void fuse_lib_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int valid,
                             struct fuse_file_info *fi)
{
    struct fuse *f = req_fuse_prepare(req);
    struct fuse_file_info fibuf;
    struct pathlock pl;
    struct stat buf;

    memset(&buf, 0, sizeof(buf));
    fi = file_fi(f, ino, fi);
    int err = get_path_or_handle(f, ino, &pl, &fi, &fibuf);
    if (!err) {
        struct intr_data d;
        prepare_interrupt(f, req, &d);
        if (valid & FUSE_SET_ATTR_MODE)
            err = fuse_fs_chmod(f->fs, pl.path, attr->st_mode, fi);
        if (!err && (valid & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID))) {
            uid_t uid = (valid & FUSE_SET_ATTR_UID) ? attr->st_uid : (uid_t)-1;
            gid_t gid = (valid & FUSE_SET_ATTR_GID) ? attr->st_gid : (gid_t)-1;
            err = fuse_fs_chown(f->fs, pl.path, uid, gid, fi);
        }
        if (!err && (valid & FUSE_SET_ATTR_SIZE))
            err = fuse_fs_truncate(f->fs, pl.path, attr->st_size, fi);
        if (!err && (valid & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME))) {
            struct timespec tv[2];
            tv[0].tv_sec = tv[1].tv_sec = 0;
            tv[0].tv_nsec = tv[1].tv_nsec = UTIME_OMIT;
            if (valid & FUSE_SET_ATTR_ATIME_NOW)
                tv[0].tv_nsec = UTIME_NOW;
            else if (valid & FUSE_SET_ATTR_ATIME)
                tv[0] = attr->st_atim;
            if (valid & FUSE_SET_ATTR_MTIME_NOW)
                tv[1].tv_nsec = UTIME_NOW;
            else if (valid & FUSE_SET_ATTR_MTIME)
                tv[1] = attr->st_mtim;
            err = fuse_fs_utimens(f->fs, pl.path, tv, fi);
        }
        if (!err)
            err = fuse_fs_getattr(f->fs, pl.path, &buf, fi);
        finish_interrupt(f, req, &d);
        free_path(f, &pl);
    }
    if (err) {
        reply_err(req, err);
        return;
    }
    reply_attr(f, req, ino, &buf);
}

static void fuse_lib_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
    struct fuse *f = req_fuse_prepare(req);
    struct pathlock pl;
    int err = get_path(f, ino, &pl);
    if (!err) {
        struct intr_data d;
        prepare_interrupt(f, req, &d);
        err = fuse_fs_access(f->fs, pl.path, mask);
        finish_interrupt(f, req, &d);
        free_path(f, &pl);
    }
    reply_err(req, err);
}

static void fuse_lib_readlink(fuse_req_t req, fuse_ino_t ino)
{
    struct fuse *f = req_fuse_prepare(req);
    char linkname[PATH_MAX + 1];
    struct pathlock pl;
    int err = get_path(f, ino, &pl);
    if (!err) {
        struct intr_data d;
        prepare_interrupt(f, req, &d);
        err = fuse_fs_readlink(f->fs, pl.path, linkname, sizeof(linkname));
        finish_interrupt(f, req, &d);
        free_path(f, &pl);
    }
    if (err) {
        reply_err(req, err);
        return;
    }
    linkname[PATH_MAX] = '\0';
    fuse_reply_readlink(req, linkname);
}

static void fuse_lib_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
                           dev_t rdev)
{
    struct fuse *f = req_fuse_prepare(req);
    struct fuse_entry_param e;
    struct pathlock pl;
    memset(&e, 0, sizeof(e));
    int err = get_path_name(f, parent, name, &pl);
    if (!err) {
        struct intr_data d;
        prepare_interrupt(f, req, &d);
        err = -ENOSYS;
        if (S_ISREG(mode)) {
            /* a file system with create() but no mknod() still makes files */
            struct fuse_file_info fi;
            memset(&fi, 0, sizeof(fi));
            fi.flags = O_CREAT | O_EXCL | O_WRONLY;
            err = fuse_fs_create(f->fs, pl.path, mode, &fi);
            if (!err) {
                err = lookup_path(f, parent, name, pl.path, &e, &fi);
                fuse_fs_release(f->fs, pl.path, &fi);
            }
        }
        if (err == -ENOSYS) {
            err = fuse_fs_mknod(f->fs, pl.path, mode, rdev);
            if (!err)
                err = lookup_path(f, parent, name, pl.path, &e, NULL);
        }
        finish_interrupt(f, req, &d);
        free_path(f, &pl);
    }
    reply_entry(req, &e, err);
}

static void fuse_lib_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
    struct fuse *f = req_fuse_prepare(req);
    struct fuse_entry_param e;
    struct pathlock pl;
    memset(&e, 0, sizeof(e));
    int err = get_path_name(f, parent, name, &pl);
    if (!err) {
        struct intr_data d;
        prepare_interrupt(f, req, &d);
        err = fuse_fs_mkdir(f->fs, pl.path, mode);
        if (!err)
            err = lookup_path(f, parent, name, pl.path, &e, NULL);
        finish_interrupt(f, req, &d);
        free_path(f, &pl);
    }
    reply_entry(req, &e, err);
}

/* A name for an open file being unlinked or replaced: .fuse_hidden<id><n>,
   free both in our table and in the file system. Returns its path. */
static char *hidden_name(struct fuse *f, fuse_ino_t dir, const char *oldname, char *newname,
                         size_t size)
{
    char *newpath = NULL;
    for (int tries = 0; tries < HIDDEN_TRIES; tries++) {
        pthread_mutex_lock(&f->lock);
        struct node *node = lookup_node(f, dir, oldname);
        struct node *dnode = get_node_nocheck(f, dir);
        if (node == NULL || dnode == NULL) {
            pthread_mutex_unlock(&f->lock);
            return NULL;
        }
        do {
            f->hidectr++;
            snprintf(newname, size, ".fuse_hidden%08x%08x", (unsigned)node->nodeid, f->hidectr);
        } while (lookup_node(f, dir, newname) != NULL);
        int err = build_path(dnode, newname, &newpath);
        pthread_mutex_unlock(&f->lock);
        if (err)
            return NULL;
        struct stat st;
        memset(&st, 0, sizeof(st));
        err = fuse_fs_getattr(f->fs, newpath, &st, NULL);
        if (err == -ENOENT)
            return newpath;
        free(newpath);
        newpath = NULL;
        if (err != 0)
            break;
    }
    return NULL;
}

static int hide_node(struct fuse *f, const char *oldpath, fuse_ino_t dir, const char *oldname)
{
    char newname[64];
    char *newpath = hidden_name(f, dir, oldname, newname, sizeof(newname));
    if (newpath == NULL)
        return -EBUSY;
    int err = fuse_fs_rename(f->fs, oldpath, newpath, 0);
    if (!err)
        err = rename_node(f, dir, oldname, dir, newname, true);
    free(newpath);
    return err;
}

static void fuse_lib_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    struct fuse *f = req_fuse_prepare(req);
    struct pathlock pl;
    int err = get_path_wrlock(f, parent, name, &pl);
    if (!err) {
        struct intr_data d;
        prepare_interrupt(f, req, &d);
        if (!f->conf.hard_remove && is_open(f, parent, name)) {
            err = hide_node(f, pl.path, parent, name);
        } else {
            err = fuse_fs_unlink(f->fs, pl.path);
            if (!err)
                remove_node(f, parent, name);
        }
        finish_interrupt(f, req, &d);
        free_path(f, &pl);
    }
    reply_err(req, err);
}

static void fuse_lib_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    struct fuse *f = req_fuse_prepare(req);
    struct pathlock pl;
    int err = get_path_wrlock(f, parent, name, &pl);
    if (!err) {
        struct intr_data d;
        prepare_interrupt(f, req, &d);
        err = fuse_fs_rmdir(f->fs, pl.path);
        finish_interrupt(f, req, &d);
        if (!err)
            remove_node(f, parent, name);
        free_path(f, &pl);
    }
    reply_err(req, err);
}

static void fuse_lib_symlink(fuse_req_t req, const char *linkname, fuse_ino_t parent,
                             const char *name)
{
    struct fuse *f = req_fuse_prepare(req);
    struct fuse_entry_param e;
    struct pathlock pl;
    memset(&e, 0, sizeof(e));
    int err = get_path_name(f, parent, name, &pl);
    if (!err) {
        struct intr_data d;
        prepare_interrupt(f, req, &d);
        err = fuse_fs_symlink(f->fs, linkname, pl.path);
        if (!err)
            err = lookup_path(f, parent, name, pl.path, &e, NULL);
        finish_interrupt(f, req, &d);
        free_path(f, &pl);
    }
    reply_entry(req, &e, err);
}

static void fuse_lib_rename(fuse_req_t req, fuse_ino_t olddir, const char *oldname,
                            fuse_ino_t newdir, const char *newname, unsigned int flags)
{
    struct fuse *f = req_fuse_prepare(req);
    struct pathlock p1, p2;
    int err = get_path2(f, olddir, oldname, newdir, newname, true, &p1, &p2);
    if (!err) {
        struct intr_data d;
        prepare_interrupt(f, req, &d);
        if (!f->conf.hard_remove && !(flags & RENAME_EXCHANGE) && is_open(f, newdir, newname) &&
            !(olddir == newdir && strcmp(oldname, newname) == 0))
            err = hide_node(f, p2.path, newdir, newname);
        if (!err) {
            err = fuse_fs_rename(f->fs, p1.path, p2.path, flags);
            if (!err) {
                if (flags & RENAME_EXCHANGE)
                    err = exchange_node(f, olddir, oldname, newdir, newname);
                else if (!(olddir == newdir && strcmp(oldname, newname) == 0))
                    err = rename_node(f, olddir, oldname, newdir, newname, false);
            }
        }
        finish_interrupt(f, req, &d);
        free_path2(f, &p1, &p2);
    }
    reply_err(req, err);
}

static void fuse_lib_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
                          const char *newname)
{
    struct fuse *f = req_fuse_prepare(req);
    struct fuse_entry_param e;
    struct pathlock p1, p2;
    memset(&e, 0, sizeof(e));
    int err = get_path2(f, ino, NULL, newparent, newname, false, &p1, &p2);
    if (!err) {
        struct intr_data d;
        prepare_interrupt(f, req, &d);
        err = fuse_fs_link(f->fs, p1.path, p2.path);
        if (!err)
            err = lookup_path(f, newparent, newname, p2.path, &e, NULL);
        finish_interrupt(f, req, &d);
        free_path2(f, &p1, &p2);
    }
    reply_entry(req, &e, err);
}

/* Release by the file system, then the bookkeeping: the last close of a
   hidden file removes it. */
static void do_release(struct fuse *f, fuse_ino_t ino, const char *path,
                       struct fuse_file_info *fi)
{
    bool unlink_hidden = false;
    fuse_fs_release(f->fs, path, fi);

    pthread_mutex_lock(&f->lock);
    struct node *node = get_node_nocheck(f, ino);
    if (node != NULL) {
        forget_handle(node, fi->fh);
        if (node->open_count > 0)
            node->open_count--;
        if (node->is_hidden && node->open_count == 0) {
            unlink_hidden = true;
            node->is_hidden = false;
        }
    }
    pthread_mutex_unlock(&f->lock);

    if (!unlink_hidden)
        return;
    if (path != NULL) {
        fuse_fs_unlink(f->fs, path);
    } else {
        struct pathlock pl;
        if (get_path(f, ino, &pl) == 0) {
            fuse_fs_unlink(f->fs, pl.path);
            free_path(f, &pl);
        }
    }
}

static void opened(struct fuse *f, fuse_ino_t ino, const struct fuse_file_info *fi)
{
    pthread_mutex_lock(&f->lock);
    struct node *node = get_node_nocheck(f, ino);
    if (node != NULL)
        node->open_count++;
    pthread_mutex_unlock(&f->lock);
    remember_handle(f, ino, fi);
}

static void fuse_lib_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
                            struct fuse_file_info *fi)
{
    struct fuse *f = req_fuse_prepare(req);
    struct fuse_entry_param e;
    struct pathlock pl;
    memset(&e, 0, sizeof(e));
    int err = get_path_name(f, parent, name, &pl);
    if (!err) {
        struct intr_data d;
        prepare_interrupt(f, req, &d);
        err = fuse_fs_create(f->fs, pl.path, mode, fi);
        if (!err) {
            err = lookup_path(f, parent, name, pl.path, &e, fi);
            if (err) {
                fuse_fs_release(f->fs, pl.path, fi);
            } else if (!S_ISREG(e.attr.st_mode)) {
                err = -EIO;
                fuse_fs_release(f->fs, pl.path, fi);
                forget_node(f, e.ino, 1);
            } else {
                if (f->conf.direct_io)
                    fi->direct_io = 1;
                if (f->conf.kernel_cache)
                    fi->keep_cache = 1;
            }
        }
        finish_interrupt(f, req, &d);
    }
    if (!err) {
        opened(f, e.ino, fi);
        if (fuse_reply_create(req, &e, fi) == -ENOENT) {
            /* the open was interrupted: undo it */
            do_release(f, e.ino, pl.path, fi);
            forget_node(f, e.ino, 1);
        }
    } else {
        reply_err(req, err);
    }
    free_path(f, &pl);
}

static void open_auto_cache(struct fuse *f, fuse_ino_t ino, const char *path,
                            struct fuse_file_info *fi)
{
    pthread_mutex_lock(&f->lock);
    struct node *node = get_node_nocheck(f, ino);
    if (node == NULL) {
        pthread_mutex_unlock(&f->lock);
        return;
    }
    if (node->cache_valid) {
        struct timespec now;
        curr_time(&now);
        if (diff_timespec(&now, &node->stat_updated) > f->conf.ac_attr_timeout) {
            /* the caller's path lock keeps node alive meanwhile */
            struct stat st;
            pthread_mutex_unlock(&f->lock);
            int err = fuse_fs_getattr(f->fs, path, &st, fi);
            pthread_mutex_lock(&f->lock);
            if (!err)
                update_stat(node, &st);
            else
                node->cache_valid = false;
        }
    }
    if (node->cache_valid)
        fi->keep_cache = 1;
    node->cache_valid = true;
    pthread_mutex_unlock(&f->lock);
}

static void fuse_lib_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    struct fuse *f = req_fuse_prepare(req);
    struct pathlock pl;
    int err = get_path(f, ino, &pl);
    if (!err) {
        struct intr_data d;
        prepare_interrupt(f, req, &d);
        err = fuse_fs_open(f->fs, pl.path, fi);
        if (!err) {
            if (f->conf.direct_io)
                fi->direct_io = 1;
            if (f->conf.kernel_cache)
                fi->keep_cache = 1;
            if (f->conf.auto_cache)
                open_auto_cache(f, ino, pl.path, fi);
            if (f->conf.no_rofd_flush && (fi->flags & O_ACCMODE) == O_RDONLY)
                fi->noflush = 1;
        }
        finish_interrupt(f, req, &d);
    }
    if (!err) {
        opened(f, ino, fi);
        if (fuse_reply_open(req, fi) == -ENOENT)
            do_release(f, ino, pl.path, fi);
    } else {
        reply_err(req, err);
    }
    free_path(f, &pl);
}

static void fuse_lib_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                          struct fuse_file_info *fi)
{
    struct fuse *f = req_fuse_prepare(req);
    struct fuse_bufvec *buf = NULL;
    struct pathlock pl;
    int res = get_path_nullok(f, ino, &pl);
    if (!res) {
        struct intr_data d;
        prepare_interrupt(f, req, &d);
        res = fuse_fs_read_buf(f->fs, pl.path, &buf, size, off, fi);
        finish_interrupt(f, req, &d);
        free_path(f, &pl);
    }
    if (res == 0)
        fuse_reply_data(req, buf, FUSE_BUF_SPLICE_MOVE);
    else
        reply_err(req, res);
    free_bufvec(buf);
}

static void fuse_lib_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *buf,
                               off_t off, struct fuse_file_info *fi)
{
    struct fuse *f = req_fuse_prepare(req);
    struct pathlock pl;
    int res = get_path_nullok(f, ino, &pl);
    if (!res) {
        struct intr_data d;
        prepare_interrupt(f, req, &d);
        res = fuse_fs_write_buf(f->fs, pl.path, buf, off, fi);
        finish_interrupt(f, req, &d);
        free_path(f, &pl);
    }
    if (res >= 0)
        fuse_reply_write(req, (size_t)res);
    else
        reply_err(req, res);
}

static void fuse_lib_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
                           struct fuse_file_info *fi)
{
    struct fuse *f = req_fuse_prepare(req);
    struct pathlock pl;
    int err = get_path_nullok(f, ino, &pl);
    if (!err) {
        struct intr_data d;
        prepare_interrupt(f, req, &d);
        err = fuse_fs_fsync(f->fs, pl.path, datasync, fi);
        finish_interrupt(f, req, &d);
        free_path(f, &pl);
    }
    reply_err(req, err);
}

/* ------------------------------------------------------------------ */
/* Directories                                                         */
/* ------------------------------------------------------------------ */

static struct fuse_dh *get_dirhandle(const struct fuse_file_info *llfi, struct fuse_file_info *fi)
{
    struct fuse_dh *dh = (struct fuse_dh *)(uintptr_t)llfi->fh;
    memset(fi, 0, sizeof(*fi));
    fi->fh = dh->fh;
    fi->flags = llfi->flags;
    return dh;
}

static void dh_clear(struct fuse_dh *dh)
{
    for (size_t i = 0; i < dh->nents; i++)
        free(dh->ents[i].name);
    dh->nents = 0;
    dh->filled = false;
}

static void fuse_lib_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *llfi)
{
    struct fuse *f = req_fuse_prepare(req);
    struct fuse_file_info fi;
    struct pathlock pl;
    struct fuse_dh *dh = calloc(1, sizeof(*dh));
    if (dh == NULL) {
        reply_err(req, -ENOMEM);
        return;
    }
    dh->fuse = f;
    dh->nodeid = ino;
    pthread_mutex_init(&dh->lock, NULL);
    llfi->fh = (uintptr_t)dh;

    memset(&fi, 0, sizeof(fi));
    fi.flags = llfi->flags;
    int err = get_path(f, ino, &pl);
    if (!err) {
        struct intr_data d;
        prepare_interrupt(f, req, &d);
        err = fuse_fs_opendir(f->fs, pl.path, &fi);
        finish_interrupt(f, req, &d);
        dh->fh = fi.fh;
        llfi->keep_cache = fi.keep_cache;
        llfi->cache_readdir = fi.cache_readdir;
    }
    if (!err) {
        dir_opened(f, ino, dh);
        if (fuse_reply_open(req, llfi) == -ENOENT) {
            /* opendir was interrupted: undo it */
            dir_closed(f, ino, dh);
            fuse_fs_releasedir(f->fs, pl.path, &fi);
            pthread_mutex_destroy(&dh->lock);
            free(dh);
        }
    } else {
        reply_err(req, err);
        pthread_mutex_destroy(&dh->lock);
        free(dh);
    }
    free_path(f, &pl);
}

static int dh_reserve(struct fuse_dh *dh)
{
    char *nb = realloc(dh->buf, dh->needlen ? dh->needlen : 1);
    if (nb == NULL)
        return -1;
    dh->buf = nb;
    return 0;
}

static bool is_dot_or_dotdot(const char *name)
{
    return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

static fuse_ino_t lookup_nodeid(struct fuse *f, fuse_ino_t parent, const char *name)
{
    fuse_ino_t res = FUSE_UNKNOWN_INO;
    pthread_mutex_lock(&f->lock);
    struct node *node = lookup_node(f, parent, name);
    if (node != NULL)
        res = node->nodeid;
    pthread_mutex_unlock(&f->lock);
    return res;
}

/* The inode number readdir shows for an entry without readdirplus. */
static void dir_ino(struct fuse *f, struct fuse_dh *dh, const char *name, struct stat *st)
{
    if (f->conf.use_ino)
        return;
    st->st_ino = FUSE_UNKNOWN_INO;
    if (f->conf.readdir_ino)
        st->st_ino = (ino_t)lookup_nodeid(f, dh->nodeid, name);
}

/* Appends one entry to the reply; 1 when it does not fit. In readdirplus,
   an entry with attributes becomes a lookup (only once it is known to fit,
   so no lookup is counted for an entry the kernel never sees). */
static int dh_add(struct fuse_dh *dh, const char *name, const struct stat *st, bool plus,
                  off_t off)
{
    struct fuse *f = dh->fuse;
    size_t room = dh->needlen - dh->len;
    if (dh->flags & FUSE_READDIR_PLUS) {
        struct fuse_entry_param e;
        memset(&e, 0, sizeof(e));
        size_t need = fuse_add_direntry_plus(dh->req, NULL, 0, name, &e, 0);
        if (need > room)
            return 1;
        if (st != NULL)
            e.attr = *st;
        else
            e.attr.st_ino = FUSE_UNKNOWN_INO;
        if (st != NULL && plus && !is_dot_or_dotdot(name)) {
            int err = do_lookup(f, dh->nodeid, name, &e);
            if (err) {
                dh->error = err;
                return 1;
            }
        } else {
            /* ino 0: the kernel takes the name and type only */
            struct stat only;
            memset(&only, 0, sizeof(only));
            only.st_mode = e.attr.st_mode;
            only.st_ino = e.attr.st_ino;
            dir_ino(f, dh, name, &only);
            e.attr = only;
            e.ino = 0;
        }
        dh->len += fuse_add_direntry_plus(dh->req, dh->buf + dh->len, room, name, &e, off);
    } else {
        struct stat s;
        if (st != NULL)
            s = *st;
        else {
            memset(&s, 0, sizeof(s));
            s.st_ino = FUSE_UNKNOWN_INO;
        }
        dir_ino(f, dh, name, &s);
        size_t need = fuse_add_direntry(dh->req, NULL, 0, name, &s, 0);
        if (need > room)
            return 1;
        dh->len += fuse_add_direntry(dh->req, dh->buf + dh->len, room, name, &s, off);
    }
    return 0;
}

/* The filler handed to the file system's readdir. With offsets, entries go
   straight into the reply; without, they are collected for the whole
   listing and served from there. */
static int fill_dir(void *data, const char *name, const struct stat *st, off_t off,
                    enum fuse_fill_dir_flags flags)
{
    struct fuse_dh *dh = data;
    if ((flags & ~FUSE_FILL_DIR_PLUS) != 0 || name == NULL) {
        dh->error = -EIO;
        return 1;
    }
    bool plus = (flags & FUSE_FILL_DIR_PLUS) != 0;
    if (off != 0) {
        if (dh->filled || dh->nents != 0) {
            /* mixing the two ways within one listing */
            dh->error = -EIO;
            return 1;
        }
        return dh_add(dh, name, st, plus, off);
    }
    if (dh->len != 0) {
        dh->error = -EIO;
        return 1;
    }
    if (dh->nents == dh->cap) {
        size_t ncap = dh->cap ? dh->cap * 2 : 64;
        struct dh_entry *ne = realloc(dh->ents, ncap * sizeof(*ne));
        if (ne == NULL) {
            dh->error = -ENOMEM;
            return 1;
        }
        dh->ents = ne;
        dh->cap = ncap;
    }
    struct dh_entry *de = &dh->ents[dh->nents];
    de->name = strdup(name);
    if (de->name == NULL) {
        dh->error = -ENOMEM;
        return 1;
    }
    if (st != NULL) {
        de->st = *st;
    } else {
        memset(&de->st, 0, sizeof(de->st));
        de->st.st_ino = FUSE_UNKNOWN_INO;
    }
    de->plus = plus && st != NULL;
    dh->nents++;
    dh->filled = true;
    return 0;
}

static int readdir_fill(struct fuse *f, fuse_req_t req, fuse_ino_t ino, off_t off,
                        struct fuse_dh *dh, struct fuse_file_info *fi)
{
    struct pathlock pl;
    int err = f->fs->op.readdir ? get_path_nullok(f, ino, &pl) : get_path(f, ino, &pl);
    if (err)
        return err;
    dh_clear(dh);
    dh->len = 0;
    dh->error = 0;
    struct intr_data d;
    prepare_interrupt(f, req, &d);
    err = fuse_fs_readdir(f->fs, pl.path, dh, fill_dir, off, fi, dh->flags);
    finish_interrupt(f, req, &d);
    if (!err)
        err = dh->error;
    if (err)
        dh_clear(dh);
    else if (dh->len == 0 && dh->nents == 0)
        dh->filled = true;      /* an empty listing */
    free_path(f, &pl);
    return err;
}

static int readdir_from_list(struct fuse_dh *dh, off_t off)
{
    dh->len = 0;
    for (size_t i = off > 0 ? (size_t)off : 0; i < dh->nents; i++) {
        struct dh_entry *de = &dh->ents[i];
        if (dh_add(dh, de->name, &de->st, de->plus, (off_t)(i + 1)))
            break;
    }
    if (dh->error && dh->len == 0)
        return dh->error;
    dh->error = 0;
    return 0;
}

static void readdir_common(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                           struct fuse_file_info *llfi, enum fuse_readdir_flags flags)
{
    struct fuse *f = req_fuse_prepare(req);
    struct fuse_file_info fi;
    struct fuse_dh *dh = get_dirhandle(llfi, &fi);
    int err = 0;

    pthread_mutex_lock(&dh->lock);
    dh->req = req;
    dh->flags = flags;
    dh->needlen = size;
    if (dh_reserve(dh) != 0) {
        err = -ENOMEM;
        goto out;
    }
    /* rewinddir() must show changes (SUS) */
    if (off == 0)
        dh_clear(dh);
    if (!dh->filled) {
        err = readdir_fill(f, req, ino, off, dh, &fi);
        if (err)
            goto out;
    }
    if (dh->filled && dh->nents != 0) {
        err = readdir_from_list(dh, off);
        if (err)
            goto out;
    } else if (dh->filled) {
        dh->len = 0;
    }
    fuse_reply_buf(req, dh->buf, dh->len);
out:
    if (err)
        reply_err(req, err);
    /* offset-mode results are not kept: the next call asks again */
    if (!dh->filled || dh->nents == 0)
        dh->filled = false;
    dh->req = NULL;
    pthread_mutex_unlock(&dh->lock);
}

static void fuse_lib_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                             struct fuse_file_info *llfi)
{
    readdir_common(req, ino, size, off, llfi, 0);
}

static void fuse_lib_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                                 struct fuse_file_info *llfi)
{
    readdir_common(req, ino, size, off, llfi, FUSE_READDIR_PLUS);
}

static void fuse_lib_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *llfi)
{
    struct fuse *f = req_fuse_prepare(req);
    struct fuse_file_info fi;
    struct fuse_dh *dh = get_dirhandle(llfi, &fi);
    struct pathlock pl;
    struct intr_data d;

    dir_closed(f, ino, dh);
    get_path_nullok(f, ino, &pl);
    prepare_interrupt(f, req, &d);
    fuse_fs_releasedir(f->fs, pl.path, &fi);
    finish_interrupt(f, req, &d);
    free_path(f, &pl);

    /* a readdir still running on it finishes first */
    pthread_mutex_lock(&dh->lock);
    pthread_mutex_unlock(&dh->lock);
    pthread_mutex_destroy(&dh->lock);
    dh_clear(dh);
    free(dh->ents);
    free(dh->buf);
    free(dh);
    reply_err(req, 0);
}

static void fuse_lib_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync,
                              struct fuse_file_info *llfi)
{
    struct fuse *f = req_fuse_prepare(req);
    struct fuse_file_info fi;
    struct pathlock pl;
    get_dirhandle(llfi, &fi);
    int err = get_path_nullok(f, ino, &pl);
    if (!err) {
        struct intr_data d;
        prepare_interrupt(f, req, &d);
        err = fuse_fs_fsyncdir(f->fs, pl.path, datasync, &fi);
        finish_interrupt(f, req, &d);
        free_path(f, &pl);
    }
    reply_err(req, err);
}

static void fuse_lib_statfs(fuse_req_t req, fuse_ino_t ino)
{
    struct fuse *f = req_fuse_prepare(req);
    struct statvfs buf;
    struct pathlock pl;
    int err = 0;

    memset(&buf, 0, sizeof(buf));
    memset(&pl, 0, sizeof(pl));
    if (ino)
        err = get_path(f, ino, &pl);
    if (!err) {
        struct intr_data d;
        prepare_interrupt(f, req, &d);
        err = fuse_fs_statfs(f->fs, pl.path ? pl.path : "/", &buf);
        finish_interrupt(f, req, &d);
        free_path(f, &pl);
    }
    if (!err)
        fuse_reply_statfs(req, &buf);
    else
        reply_err(req, err);
}

/* ------------------------------------------------------------------ */
/* Extended attributes                                                 */
/* ------------------------------------------------------------------ */

static void fuse_lib_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
                              const char *value, size_t size, int flags)
{
    struct fuse *f = req_fuse_prepare(req);
    struct pathlock pl;
    int err = get_path(f, ino, &pl);
    if (!err) {
        struct intr_data d;
        prepare_interrupt(f, req, &d);
        err = fuse_fs_setxattr(f->fs, pl.path, name, value, size, flags);
        finish_interrupt(f, req, &d);
        free_path(f, &pl);
    }
    reply_err(req, err);
}

static int common_getxattr(struct fuse *f, fuse_req_t req, fuse_ino_t ino, const char *name,
                           char *value, size_t size)
{
    struct pathlock pl;
    int err = get_path(f, ino, &pl);
    if (!err) {
        struct intr_data d;
        prepare_interrupt(f, req, &d);
        err = fuse_fs_getxattr(f->fs, pl.path, name, value, size);
        finish_interrupt(f, req, &d);
        free_path(f, &pl);
    }
    return err;
}

static void fuse_lib_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
    struct fuse *f = req_fuse_prepare(req);
    int res;
    if (size) {
        char *value = malloc(size);
        if (value == NULL) {
            reply_err(req, -ENOMEM);
            return;
        }
        res = common_getxattr(f, req, ino, name, value, size);
        if (res > 0)
            fuse_reply_buf(req, value, (size_t)res);
        else
            reply_err(req, res);
        free(value);
    } else {
        res = common_getxattr(f, req, ino, name, NULL, 0);
        if (res >= 0)
            fuse_reply_xattr(req, (size_t)res);
        else
            reply_err(req, res);
    }
}

static int common_listxattr(struct fuse *f, fuse_req_t req, fuse_ino_t ino, char *list,
                            size_t size)
{
    struct pathlock pl;
    int err = get_path(f, ino, &pl);
    if (!err) {
        struct intr_data d;
        prepare_interrupt(f, req, &d);
        err = fuse_fs_listxattr(f->fs, pl.path, list, size);
        finish_interrupt(f, req, &d);
        free_path(f, &pl);
    }
    return err;
}

static void fuse_lib_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
    struct fuse *f = req_fuse_prepare(req);
    int res;
    if (size) {
        char *list = malloc(size);
        if (list == NULL) {
            reply_err(req, -ENOMEM);
            return;
        }
        res = common_listxattr(f, req, ino, list, size);
        if (res > 0)
            fuse_reply_buf(req, list, (size_t)res);
        else
            reply_err(req, res);
        free(list);
    } else {
        res = common_listxattr(f, req, ino, NULL, 0);
        if (res >= 0)
            fuse_reply_xattr(req, (size_t)res);
        else
            reply_err(req, res);
    }
}

static void fuse_lib_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
    struct fuse *f = req_fuse_prepare(req);
    struct pathlock pl;
    int err = get_path(f, ino, &pl);
    if (!err) {
        struct intr_data d;
        prepare_interrupt(f, req, &d);
        err = fuse_fs_removexattr(f->fs, pl.path, name);
        finish_interrupt(f, req, &d);
        free_path(f, &pl);
    }
    reply_err(req, err);
}

/* ------------------------------------------------------------------ */
/* Locks                                                               */
/* ------------------------------------------------------------------ */

/* A lock another owner holds that conflicts with l, from what we saw
   granted (f->lock held). */
static struct lock_range *locks_conflict(struct node *node, const struct lock_range *l)
{
    for (struct lock_range *x = node->locks; x; x = x->next)
        if (x->owner != l->owner && l->start <= x->end && x->start <= l->end &&
            (x->type == F_WRLCK || l->type == F_WRLCK))
            return x;
    return NULL;
}

/* Records what a successful F_SETLK did for l->owner: the range is first
   cut out of that owner's locks, then (unless unlocking) added, merged with
   neighbours of the same type. */
static int locks_insert(struct node *node, const struct lock_range *l)
{
    struct lock_range *spare = malloc(sizeof(*spare));
    struct lock_range *add = l->type != F_UNLCK ? malloc(sizeof(*add)) : NULL;
    if (spare == NULL || (l->type != F_UNLCK && add == NULL)) {
        free(spare);
        free(add);
        return -ENOLCK;
    }
    struct lock_range nl = *l;
    for (struct lock_range **pp = &node->locks; *pp;) {
        struct lock_range *x = *pp;
        if (x->owner != nl.owner) {
            pp = &x->next;
            continue;
        }
        /* merge same-type locks that touch or overlap */
        if (nl.type != F_UNLCK && x->type == nl.type &&
            (x->end == OFFSET_MAX || x->end + 1 >= nl.start) &&
            (nl.end == OFFSET_MAX || nl.end + 1 >= x->start)) {
            if (x->start < nl.start)
                nl.start = x->start;
            if (x->end > nl.end)
                nl.end = x->end;
            *pp = x->next;
            free(x);
            continue;
        }
        if (x->end < nl.start || nl.end < x->start) {
            pp = &x->next;
            continue;
        }
        /* overlap: cut the new range out of x */
        if (x->start < nl.start && x->end > nl.end) {
            *spare = *x;
            spare->start = nl.end + 1;
            x->end = nl.start - 1;
            spare->next = x->next;
            x->next = spare;
            spare = NULL;
            pp = &x->next->next;
        } else if (x->start < nl.start) {
            x->end = nl.start - 1;
            pp = &x->next;
        } else if (x->end > nl.end) {
            x->start = nl.end + 1;
            pp = &x->next;
        } else {
            *pp = x->next;
            free(x);
        }
    }
    if (add != NULL) {
        *add = nl;
        add->next = node->locks;
        node->locks = add;
    }
    free(spare);
    return 0;
}

static void flock_to_lock(const struct flock *fl, struct lock_range *l)
{
    memset(l, 0, sizeof(*l));
    l->type = fl->l_type;
    l->start = fl->l_start;
    l->end = fl->l_len ? fl->l_start + fl->l_len - 1 : OFFSET_MAX;
    l->pid = fl->l_pid;
}

static void lock_to_flock(const struct lock_range *l, struct flock *fl)
{
    fl->l_type = (short)l->type;
    fl->l_start = l->start;
    fl->l_len = l->end == OFFSET_MAX ? 0 : l->end - l->start + 1;
    fl->l_pid = l->pid;
}

static int flush_common(struct fuse *f, fuse_req_t req, fuse_ino_t ino, const char *path,
                        struct fuse_file_info *fi)
{
    struct intr_data d;
    struct flock lock;
    memset(&lock, 0, sizeof(lock));
    lock.l_type = F_UNLCK;
    lock.l_whence = SEEK_SET;

    prepare_interrupt(f, req, &d);
    int err = fuse_fs_flush(f->fs, path, fi);
    /* closing a descriptor drops its owner's POSIX locks */
    int errlock = fuse_fs_lock(f->fs, path, fi, F_SETLK, &lock);
    finish_interrupt(f, req, &d);

    if (errlock != -ENOSYS) {
        struct lock_range l;
        flock_to_lock(&lock, &l);
        l.owner = fi->lock_owner;
        pthread_mutex_lock(&f->lock);
        struct node *node = get_node_nocheck(f, ino);
        if (node != NULL)
            locks_insert(node, &l);
        pthread_mutex_unlock(&f->lock);
        /* with lock(), FLUSH is needed even without flush() */
        if (err == -ENOSYS)
            err = 0;
    }
    return err;
}

static void fuse_lib_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    struct fuse *f = req_fuse_prepare(req);
    struct pathlock pl;
    struct intr_data d;
    int err = 0;

    get_path_nullok(f, ino, &pl);
    if (fi->flush) {
        err = flush_common(f, req, ino, pl.path, fi);
        if (err == -ENOSYS)
            err = 0;
    }
    prepare_interrupt(f, req, &d);
    do_release(f, ino, pl.path, fi);
    finish_interrupt(f, req, &d);
    free_path(f, &pl);
    reply_err(req, err);
}

static void fuse_lib_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    struct fuse *f = req_fuse_prepare(req);
    struct pathlock pl;
    get_path_nullok(f, ino, &pl);
    int err = flush_common(f, req, ino, pl.path, fi);
    free_path(f, &pl);
    reply_err(req, err);
}

static int lock_common(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
                       struct flock *lock, int cmd)
{
    struct fuse *f = req_fuse_prepare(req);
    struct pathlock pl;
    int err = get_path_nullok(f, ino, &pl);
    if (!err) {
        struct intr_data d;
        prepare_interrupt(f, req, &d);
        err = fuse_fs_lock(f->fs, pl.path, fi, cmd, lock);
        finish_interrupt(f, req, &d);
        free_path(f, &pl);
    }
    return err;
}

static void fuse_lib_getlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
                           struct flock *lock)
{
    struct fuse *f = req_fuse(req);
    struct lock_range l;
    int err = 0;
    flock_to_lock(lock, &l);
    l.owner = fi->lock_owner;
    pthread_mutex_lock(&f->lock);
    struct node *node = get_node_nocheck(f, ino);
    struct lock_range *conflict = node != NULL ? locks_conflict(node, &l) : NULL;
    if (conflict != NULL)
        lock_to_flock(conflict, lock);
    pthread_mutex_unlock(&f->lock);
    if (conflict == NULL)
        err = lock_common(req, ino, fi, lock, F_GETLK);
    if (!err)
        fuse_reply_lock(req, lock);
    else
        reply_err(req, err);
}

static void fuse_lib_setlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
                           struct flock *lock, int sleep)
{
    int err = lock_common(req, ino, fi, lock, sleep ? F_SETLKW : F_SETLK);
    if (!err) {
        struct fuse *f = req_fuse(req);
        struct lock_range l;
        flock_to_lock(lock, &l);
        l.owner = fi->lock_owner;
        pthread_mutex_lock(&f->lock);
        struct node *node = get_node_nocheck(f, ino);
        if (node != NULL)
            locks_insert(node, &l);
        pthread_mutex_unlock(&f->lock);
    }
    reply_err(req, err);
}

static void fuse_lib_flock(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, int op)
{
    struct fuse *f = req_fuse_prepare(req);
    struct pathlock pl;
    int err = get_path_nullok(f, ino, &pl);
    if (!err) {
        struct intr_data d;
        prepare_interrupt(f, req, &d);
        err = fuse_fs_flock(f->fs, pl.path, fi, op);
        finish_interrupt(f, req, &d);
        free_path(f, &pl);
    }
    reply_err(req, err);
}

/* ------------------------------------------------------------------ */
/* The rest                                                            */
/* ------------------------------------------------------------------ */

static void fuse_lib_bmap(fuse_req_t req, fuse_ino_t ino, size_t blocksize, uint64_t idx)
{
    struct fuse *f = req_fuse_prepare(req);
    struct pathlock pl;
    int err = get_path(f, ino, &pl);
    if (!err) {
        struct intr_data d;
        prepare_interrupt(f, req, &d);
        err = fuse_fs_bmap(f->fs, pl.path, blocksize, &idx);
        finish_interrupt(f, req, &d);
        free_path(f, &pl);
    }
    if (!err)
        fuse_reply_bmap(req, idx);
    else
        reply_err(req, err);
}

static void fuse_lib_ioctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd, void *arg,
                           struct fuse_file_info *llfi, unsigned int flags, const void *in_buf,
                           size_t in_bufsz, size_t out_bufsz)
{
    struct fuse *f = req_fuse_prepare(req);
    struct fuse_file_info fi;
    struct pathlock pl;
    char *out_buf = NULL;
    int err = -EPERM;

    if (flags & FUSE_IOCTL_UNRESTRICTED)
        goto err;
    if (flags & FUSE_IOCTL_DIR)
        get_dirhandle(llfi, &fi);
    else
        fi = *llfi;
    if (out_bufsz) {
        err = -ENOMEM;
        out_buf = malloc(out_bufsz);
        if (out_buf == NULL)
            goto err;
        /* in and out share one buffer, as the ioctl sees it */
        memset(out_buf, 0, out_bufsz);
        if (in_bufsz)
            memcpy(out_buf, in_buf, in_bufsz < out_bufsz ? in_bufsz : out_bufsz);
    }
    err = get_path_nullok(f, ino, &pl);
    if (err)
        goto err;
    struct intr_data d;
    prepare_interrupt(f, req, &d);
    err = fuse_fs_ioctl(f->fs, pl.path, cmd, arg, &fi, flags,
                        out_buf ? (void *)out_buf : (void *)in_buf);
    finish_interrupt(f, req, &d);
    free_path(f, &pl);
    if (err < 0)
        goto err;
    fuse_reply_ioctl(req, err, out_buf, out_bufsz);
    free(out_buf);
    return;
err:
    reply_err(req, err);
    free(out_buf);
}

static void fuse_lib_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
                          struct fuse_pollhandle *ph)
{
    struct fuse *f = req_fuse_prepare(req);
    struct pathlock pl;
    unsigned revents = 0;
    int err = get_path_nullok(f, ino, &pl);
    if (!err) {
        struct intr_data d;
        prepare_interrupt(f, req, &d);
        err = fuse_fs_poll(f->fs, pl.path, fi, ph, &revents);
        finish_interrupt(f, req, &d);
        free_path(f, &pl);
    }
    if (!err)
        fuse_reply_poll(req, revents);
    else
        reply_err(req, err);
}

static void fuse_lib_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset,
                               off_t length, struct fuse_file_info *fi)
{
    struct fuse *f = req_fuse_prepare(req);
    struct pathlock pl;
    int err = get_path_nullok(f, ino, &pl);
    if (!err) {
        struct intr_data d;
        prepare_interrupt(f, req, &d);
        err = fuse_fs_fallocate(f->fs, pl.path, mode, offset, length, fi);
        finish_interrupt(f, req, &d);
        free_path(f, &pl);
    }
    reply_err(req, err);
}

static void fuse_lib_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
                                     struct fuse_file_info *fi_in, fuse_ino_t ino_out,
                                     off_t off_out, struct fuse_file_info *fi_out, size_t len,
                                     int flags)
{
    struct fuse *f = req_fuse_prepare(req);
    struct pathlock pin, pout;
    int err = get_path_nullok(f, ino_in, &pin);
    if (err) {
        reply_err(req, err);
        return;
    }
    err = get_path_nullok(f, ino_out, &pout);
    if (err) {
        free_path(f, &pin);
        reply_err(req, err);
        return;
    }
    struct intr_data d;
    prepare_interrupt(f, req, &d);
    ssize_t res = fuse_fs_copy_file_range(f->fs, pin.path, fi_in, off_in, pout.path, fi_out,
                                          off_out, len, flags);
    finish_interrupt(f, req, &d);
    if (res >= 0)
        fuse_reply_write(req, (size_t)res);
    else
        reply_err(req, (int)res);
    free_path(f, &pin);
    free_path(f, &pout);
}

static void fuse_lib_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
                           struct fuse_file_info *fi)
{
    struct fuse *f = req_fuse_prepare(req);
    struct pathlock pl;
    /* lseek has its path when the node has one (it is not among the calls
       nullpath_ok strips), but an unlinked file still seeks by handle */
    int err = get_path(f, ino, &pl);
    if (err == -ESTALE && f->conf.nullpath_ok) {
        memset(&pl, 0, sizeof(pl));
        err = 0;
    }
    if (err) {
        reply_err(req, err);
        return;
    }
    struct intr_data d;
    prepare_interrupt(f, req, &d);
    off_t res = fuse_fs_lseek(f->fs, pl.path, off, whence, fi);
    finish_interrupt(f, req, &d);
    free_path(f, &pl);
    if (res >= 0)
        fuse_reply_lseek(req, res);
    else
        reply_err(req, (int)res);
}

static const struct fuse_lowlevel_ops fuse_path_ops = {
    .init = fuse_lib_init,
    .destroy = fuse_lib_destroy,
    .lookup = fuse_lib_lookup,
    .forget = fuse_lib_forget,
    .forget_multi = fuse_lib_forget_multi,
    .getattr = fuse_lib_getattr,
    .setattr = fuse_lib_setattr,
    .access = fuse_lib_access,
    .readlink = fuse_lib_readlink,
    .mknod = fuse_lib_mknod,
    .mkdir = fuse_lib_mkdir,
    .unlink = fuse_lib_unlink,
    .rmdir = fuse_lib_rmdir,
    .symlink = fuse_lib_symlink,
    .rename = fuse_lib_rename,
    .link = fuse_lib_link,
    .create = fuse_lib_create,
    .open = fuse_lib_open,
    .read = fuse_lib_read,
    .write_buf = fuse_lib_write_buf,
    .flush = fuse_lib_flush,
    .release = fuse_lib_release,
    .fsync = fuse_lib_fsync,
    .opendir = fuse_lib_opendir,
    .readdir = fuse_lib_readdir,
    .readdirplus = fuse_lib_readdirplus,
    .releasedir = fuse_lib_releasedir,
    .fsyncdir = fuse_lib_fsyncdir,
    .statfs = fuse_lib_statfs,
    .setxattr = fuse_lib_setxattr,
    .getxattr = fuse_lib_getxattr,
    .listxattr = fuse_lib_listxattr,
    .removexattr = fuse_lib_removexattr,
    .getlk = fuse_lib_getlk,
    .setlk = fuse_lib_setlk,
    .flock = fuse_lib_flock,
    .bmap = fuse_lib_bmap,
    .ioctl = fuse_lib_ioctl,
    .poll = fuse_lib_poll,
    .fallocate = fuse_lib_fallocate,
    .copy_file_range = fuse_lib_copy_file_range,
    .lseek = fuse_lib_lseek,
};

/* ------------------------------------------------------------------ */
/* remember=T: forgetting what the kernel forgot long ago              */
/* ------------------------------------------------------------------ */

static int clean_delay(const struct fuse *f)
{
    /* ten cleaning rounds per remember period, within [1 min, 1 h] */
    int t = f->conf.remember / 10;
    if (t > 3600)
        return 3600;
    if (t < 60)
        return 60;
    return t;
}

int fuse_clean_cache(struct fuse *f)
{
    struct timespec now;
    pthread_mutex_lock(&f->lock);
    curr_time(&now);
    struct node *next;
    for (struct node *node = f->lru_head.lru_next; node != &f->lru_head; node = next) {
        next = node->lru_next;
        if (diff_timespec(&now, &node->forget_time) <= f->conf.remember)
            break;
        /* busy nodes (children, calls in progress) stay */
        if (node->refctr > 1 || node->nlookup != 1)
            continue;
        lru_remove(node);
        node->nlookup = 0;
        unhash_name(f, node);
        unref_node(f, node);
    }
    pthread_mutex_unlock(&f->lock);
    return clean_delay(f);
}

static void *prune_main(void *arg)
{
    struct fuse *f = arg;
    pthread_mutex_lock(&f->prune_lock);
    while (!f->prune_stop) {
        pthread_mutex_unlock(&f->prune_lock);
        int delay = fuse_clean_cache(f);
        pthread_mutex_lock(&f->prune_lock);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += delay;
        while (!f->prune_stop &&
               pthread_cond_timedwait(&f->prune_cond, &f->prune_lock, &ts) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&f->prune_lock);
    return NULL;
}

int fuse_start_cleanup_thread(struct fuse *f)
{
    if (!lru_enabled(f) || f->prune_running)
        return 0;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);     /* signals belong to the loop */
    f->prune_stop = false;
    int err = pthread_create(&f->prune_thread, NULL, prune_main, f);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err) {
        fuse_log(FUSE_LOG_ERR, "fuse: error creating thread: %s\n", strerror(err));
        return -1;
    }
    f->prune_running = true;
    return 0;
}

void fuse_stop_cleanup_thread(struct fuse *f)
{
    if (!f->prune_running)
        return;
    pthread_mutex_lock(&f->prune_lock);
    f->prune_stop = true;
    pthread_cond_broadcast(&f->prune_cond);
    pthread_mutex_unlock(&f->prune_lock);
    pthread_join(f->prune_thread, NULL);
    f->prune_running = false;
}

/* ------------------------------------------------------------------ */
/* Loops and the rest of the public API                                */
/* ------------------------------------------------------------------ */

struct fuse_session *fuse_get_session(struct fuse *f)
{
    return f->se;
}

int fuse_loop(struct fuse *f)
{
    if (f == NULL)
        return -1;
    if (fuse_start_cleanup_thread(f) != 0)
        return -1;
    int res = fuse_session_loop(f->se);
    fuse_stop_cleanup_thread(f);
    return res;
}

int fuse_loop_mt_312(struct fuse *f, struct fuse_loop_config *config)
{
    if (f == NULL)
        return -1;
    if (fuse_start_cleanup_thread(f) != 0)
        return -1;
    int res = fuse_session_loop_mt(f->se, config);
    fuse_stop_cleanup_thread(f);
    return res;
}

int fuse_loop_mt(struct fuse *f, struct fuse_loop_config *config)
{
    return fuse_loop_mt_312(f, config);
}

int fuse_loop_mt_32(struct fuse *f, struct fuse_loop_config_v1 *config_v1)
{
    struct fuse_loop_config *config = fuse_loop_cfg_create();
    if (config == NULL)
        return ENOMEM;
    if (config_v1 != NULL)
        fuse_loop_cfg_convert(config, config_v1);
    int res = fuse_loop_mt_312(f, config);
    fuse_loop_cfg_destroy(config);
    return res;
}

int fuse_loop_mt_31(struct fuse *f, int clone_fd)
{
    struct fuse_loop_config *config = fuse_loop_cfg_create();
    if (config == NULL)
        return ENOMEM;
    fuse_loop_cfg_set_clone_fd(config, (unsigned)clone_fd);
    int res = fuse_loop_mt_312(f, config);
    fuse_loop_cfg_destroy(config);
    return res;
}

void fuse_exit(struct fuse *f)
{
    fuse_session_exit(f->se);
}

int fuse_invalidate_path(struct fuse *f, const char *path)
{
    fuse_ino_t ino = FUSE_ROOT_ID;
    int err = 0;
    pthread_mutex_lock(&f->lock);
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        if (*p == '\0')
            break;
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char name[NAME_MAX + 1];
        if (len > NAME_MAX) {
            err = -ENOENT;
            break;
        }
        memcpy(name, p, len);
        name[len] = '\0';
        struct node *node = lookup_node(f, ino, name);
        if (node == NULL) {
            err = -ENOENT;
            break;
        }
        ino = node->nodeid;
        p += len;
    }
    pthread_mutex_unlock(&f->lock);
    if (err)
        return err;
    return fuse_lowlevel_notify_inval_inode(f->se, ino, 0, 0);
}

int fuse_mount(struct fuse *f, const char *mountpoint)
{
    return fuse_session_mount(fuse_get_session(f), mountpoint);
}

void fuse_unmount(struct fuse *f)
{
    fuse_session_unmount(fuse_get_session(f));
}

#ifdef WF_HAVE_WINFUSE_H
int fuse_mount_engine(struct fuse *f, struct wf_engine *engine)
{
    return fuse_session_mount_engine(fuse_get_session(f), engine);
}
#endif

/* ------------------------------------------------------------------ */
/* Options, creation, destruction                                      */
/* ------------------------------------------------------------------ */

#define LIB_OPT(t, field, v) { t, offsetof(struct fuse_config, field), v }

static const struct fuse_opt fuse_lib_opts[] = {
    FUSE_OPT_KEY("debug", FUSE_OPT_KEY_KEEP),
    FUSE_OPT_KEY("-d", FUSE_OPT_KEY_KEEP),
    LIB_OPT("debug", debug, 1),
    LIB_OPT("-d", debug, 1),
    LIB_OPT("kernel_cache", kernel_cache, 1),
    LIB_OPT("auto_cache", auto_cache, 1),
    LIB_OPT("noauto_cache", auto_cache, 0),
    LIB_OPT("no_rofd_flush", no_rofd_flush, 1),
    LIB_OPT("umask=", set_mode, 1),
    LIB_OPT("umask=%o", umask, 0),
    LIB_OPT("uid=", set_uid, 1),
    LIB_OPT("uid=%d", uid, 0),
    LIB_OPT("gid=", set_gid, 1),
    LIB_OPT("gid=%d", gid, 0),
    LIB_OPT("entry_timeout=%lf", entry_timeout, 0),
    LIB_OPT("attr_timeout=%lf", attr_timeout, 0),
    LIB_OPT("ac_attr_timeout=%lf", ac_attr_timeout, 0),
    LIB_OPT("ac_attr_timeout=", ac_attr_timeout_set, 1),
    LIB_OPT("negative_timeout=%lf", negative_timeout, 0),
    LIB_OPT("noforget", remember, -1),
    LIB_OPT("remember=%u", remember, 0),
    LIB_OPT("modules=%s", modules, 0),
    /* libfuse 2 had these on the command line; 3.x leaves them to init(),
       which still may override them */
    LIB_OPT("hard_remove", hard_remove, 1),
    LIB_OPT("use_ino", use_ino, 1),
    LIB_OPT("readdir_ino", readdir_ino, 1),
    LIB_OPT("direct_io", direct_io, 1),
    LIB_OPT("nullpath_ok", nullpath_ok, 1),
    LIB_OPT("intr", intr, 1),
    LIB_OPT("intr_signal=%d", intr_signal, 0),
    FUSE_OPT_END
};

static int fuse_lib_opt_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
    (void)data;
    (void)arg;
    (void)key;
    (void)outargs;
    return 1;   /* not ours: leave it for the session */
}

void fuse_lib_help(struct fuse_args *args)
{
    (void)args;
    printf("    -o kernel_cache        cache files in kernel\n"
           "    -o [no]auto_cache      enable caching based on modification times (off)\n"
           "    -o no_rofd_flush       disable flushing of read-only fd on close (off)\n"
           "    -o umask=M             set file permissions (octal)\n"
           "    -o uid=N               set file owner\n"
           "    -o gid=N               set file group\n"
           "    -o entry_timeout=T     cache timeout for names (1.0s)\n"
           "    -o negative_timeout=T  cache timeout for deleted names (0.0s)\n"
           "    -o attr_timeout=T      cache timeout for attributes (1.0s)\n"
           "    -o ac_attr_timeout=T   auto cache timeout for attributes (attr_timeout)\n"
           "    -o noforget            never forget cached inodes\n"
           "    -o remember=T          remember cached inodes for T seconds (0s)\n"
           "    -o hard_remove         remove unlinked open files at once (no .fuse_hidden)\n"
           "    -o use_ino             let the file system set inode numbers\n"
           "    -o readdir_ino         try to fill in d_ino in readdir\n"
           "    -o direct_io           use direct I/O (no page cache)\n"
           "    -o nullpath_ok         calls on open files get no path\n"
           "    -o intr                allow requests to be interrupted\n"
           "    -o intr_signal=NUM     signal to send on interrupt (%d)\n"
           "    -o modules=M1[:M2...]  (file system modules are not supported)\n",
           FUSE_DEFAULT_INTR_SIGNAL);
    fuse_lowlevel_help();
}

struct fuse *fuse_new_31(struct fuse_args *args, const struct fuse_operations *op,
                         size_t op_size, void *user_data)
{
    struct fuse *f = calloc(1, sizeof(*f));
    if (f == NULL) {
        fuse_log(FUSE_LOG_ERR, "fuse: failed to allocate fuse object\n");
        return NULL;
    }
    f->conf.entry_timeout = 1.0;
    f->conf.attr_timeout = 1.0;
    f->conf.negative_timeout = 0.0;
    f->conf.intr_signal = FUSE_DEFAULT_INTR_SIGNAL;

    if (fuse_opt_parse(args, &f->conf, fuse_lib_opts, fuse_lib_opt_proc) == -1)
        goto out_free;
    if (f->conf.modules != NULL && f->conf.modules[0] != '\0') {
        fuse_log(FUSE_LOG_ERR, "fuse: -o modules=%s: file system modules are not supported\n",
                 f->conf.modules);
        goto out_free;
    }
    if (f->conf.intr_signal <= 0 || f->conf.intr_signal >= NSIG) {
        fuse_log(FUSE_LOG_ERR, "fuse: invalid intr_signal %d\n", f->conf.intr_signal);
        goto out_free;
    }
    if (!f->conf.ac_attr_timeout_set)
        f->conf.ac_attr_timeout = f->conf.attr_timeout;

    f->fs = fuse_fs_new(op, op_size, user_data);
    if (f->fs == NULL)
        goto out_free;

    struct fuse_lowlevel_ops llop = fuse_path_ops;
    if (f->fs->op.lock == NULL) {
        /* no POSIX locks: the kernel keeps them locally */
        llop.getlk = NULL;
        llop.setlk = NULL;
    }

    pthread_mutex_init(&f->lock, NULL);
    pthread_mutex_init(&f->intr_lock, NULL);
    pthread_mutex_init(&f->prune_lock, NULL);
    pthread_cond_init(&f->tree_cond, NULL);
    pthread_cond_init(&f->prune_cond, NULL);
    f->lru_head.lru_next = f->lru_head.lru_prev = &f->lru_head;

    if (table_init(&f->name_table) != 0)
        goto out_free_sync;
    if (table_init(&f->id_table) != 0)
        goto out_free_name;

    struct node *root = calloc(1, sizeof(*root));
    if (root == NULL) {
        fuse_log(FUSE_LOG_ERR, "fuse: memory allocation failed\n");
        goto out_free_id;
    }
    root->nodeid = FUSE_ROOT_ID;
    root->name = strdup("/");
    if (root->name == NULL) {
        free(root);
        goto out_free_id;
    }
    root->namelen = 1;
    inc_nlookup(root);
    hash_id(f, root);
    f->root = root;

    f->se = fuse_session_new(args, &llop, sizeof(llop), f);
    if (f->se == NULL)
        goto out_free_root;
    if (f->conf.debug)
        fuse_log(FUSE_LOG_DEBUG, "nullpath_ok: %i\n", f->conf.nullpath_ok);
    f->fs->debug = f->conf.debug;

    if (f->conf.intr && init_intr_signal(f->conf.intr_signal, &f->intr_installed) == -1)
        goto out_free_session;
    return f;

out_free_session:
    fuse_session_destroy(f->se);
out_free_root:
    unhash_id(f, root);
    free(root->name);
    free(root);
out_free_id:
    free(f->id_table.array);
out_free_name:
    free(f->name_table.array);
out_free_sync:
    pthread_cond_destroy(&f->prune_cond);
    pthread_cond_destroy(&f->tree_cond);
    pthread_mutex_destroy(&f->prune_lock);
    pthread_mutex_destroy(&f->intr_lock);
    pthread_mutex_destroy(&f->lock);
    free(f->fs);
out_free:
    free(f->conf.modules);
    free(f);
    return NULL;
}

struct fuse *fuse_new(struct fuse_args *args, const struct fuse_operations *op, size_t op_size,
                      void *user_data)
{
    return fuse_new_31(args, op, op_size, user_data);
}

/* 3.0's fuse_new() also handled --help. */
struct fuse *fuse_new_30(struct fuse_args *args, const struct fuse_operations *op,
                         size_t op_size, void *user_data)
{
    struct fuse_config conf;
    memset(&conf, 0, sizeof(conf));
    const struct fuse_opt opts[] = {
        LIB_OPT("-h", show_help, 1),
        LIB_OPT("--help", show_help, 1),
        FUSE_OPT_END
    };
    if (fuse_opt_parse(args, &conf, opts, fuse_lib_opt_proc) == -1)
        return NULL;
    if (conf.show_help) {
        fuse_lib_help(args);
        return NULL;
    }
    return fuse_new_31(args, op, op_size, user_data);
}

void fuse_destroy(struct fuse *f)
{
    if (f == NULL)
        return;
    if (f->conf.intr && f->intr_installed)
        restore_intr_signal(f->conf.intr_signal);
    fuse_stop_cleanup_thread(f);

    /* Hidden files still around (the kernel let go without releasing them)
       are unlinked while the file system still runs. */
    if (f->fs != NULL) {
        context_for(f, NULL);
        for (size_t i = 0; i < f->id_table.size; i++) {
            for (struct node *n = f->id_table.array[i]; n; n = n->id_next) {
                if (!n->is_hidden)
                    continue;
                char *path;
                pthread_mutex_lock(&f->lock);
                int err = build_path(n, NULL, &path);
                pthread_mutex_unlock(&f->lock);
                if (!err) {
                    fuse_fs_unlink(f->fs, path);
                    free(path);
                }
            }
        }
    }

    /* destroy() of the file system, if init() ran */
    fuse_session_destroy(f->se);
    if (f->fs != NULL) {
        free(f->fs);
        f->fs = NULL;
    }

    for (size_t i = 0; i < f->id_table.size; i++) {
        struct node *n = f->id_table.array[i];
        while (n != NULL) {
            struct node *next = n->id_next;
            free_node(n);
            n = next;
        }
    }
    free(f->id_table.array);
    free(f->name_table.array);
    pthread_cond_destroy(&f->prune_cond);
    pthread_cond_destroy(&f->tree_cond);
    pthread_mutex_destroy(&f->prune_lock);
    pthread_mutex_destroy(&f->intr_lock);
    pthread_mutex_destroy(&f->lock);
    free(f->conf.modules);
    if (fuse_tls_context.ctx.fuse == f)
        memset(&fuse_tls_context, 0, sizeof(fuse_tls_context));
    free(f);
}
