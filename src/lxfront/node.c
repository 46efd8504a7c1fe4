/*
 * node.c - the inode table: the kernel's nodeids and the Windows paths
 * behind them.
 *
 * A node is a name in a parent node (the root has none), so a path is
 * the chain of names up to the root and a directory rename moves its
 * whole subtree by changing one node. Nodes are found by nodeid (the
 * kernel's requests) and by (parent, name) (lookups, renames, unlinks).
 * Nodeids are never reused: a counter gives them out, so generation 0
 * always suffices. A node lives while the kernel holds lookups on it
 * (nlookup), or a child, an open file or a request refers to it (refs).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lxfront/internal.h"

static size_t hash_id(uint64_t id)
{
    id ^= id >> 33;
    id *= 0xff51afd7ed558ccdull;
    id ^= id >> 33;
    return (size_t)id;
}

static size_t hash_name(const lx_node *parent, const WCHAR *name, size_t len)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)(uintptr_t)parent;

    for (size_t i = 0; i < len; i++) {
        h ^= (uint64_t)name[i];
        h *= 1099511628211ull;
    }
    return hash_id(h);
}

int lx_nodes_init(wf_lx *lx)
{
    lx->id_buckets = lx->name_buckets = 1024;
    lx->by_id = calloc(lx->id_buckets, sizeof *lx->by_id);
    lx->by_name = calloc(lx->name_buckets, sizeof *lx->by_name);
    lx->root = calloc(1, sizeof *lx->root);
    if (!lx->by_id || !lx->by_name || !lx->root)
        return -ENOMEM;
    lx->root->nodeid = FUSE_ROOT_ID;
    lx->root->type = S_IFDIR;
    lx->root->nlookup = 1;
    lx->root->refs = 1; /* never goes */
    lx->next_nodeid = FUSE_ROOT_ID + 1;
    lx->by_id[hash_id(FUSE_ROOT_ID) & (lx->id_buckets - 1)] = lx->root;
    lx->node_count = 1;
    return 0;
}

void lx_nodes_destroy(wf_lx *lx)
{
    if (lx->by_id) {
        for (size_t b = 0; b < lx->id_buckets; b++) {
            lx_node *n = lx->by_id[b];
            while (n) {
                lx_node *next = n->id_next;
                lx_plock_discard(n);
                free(n->name);
                free(n);
                n = next;
            }
        }
    }
    free(lx->by_id);
    free(lx->by_name);
    lx->by_id = lx->by_name = NULL;
    lx->root = NULL;
}

/* Doubling both tables keeps chains short as the kernel's cache grows. */
static void grow_locked(wf_lx *lx)
{
    size_t nb = lx->id_buckets * 2;
    lx_node **ids, **names;

    if (lx->node_count < lx->id_buckets * 2)
        return;
    ids = calloc(nb, sizeof *ids);
    names = calloc(nb, sizeof *names);
    if (!ids || !names) {
        free(ids);
        free(names);
        return;
    }
    for (size_t b = 0; b < lx->id_buckets; b++) {
        for (lx_node *n = lx->by_id[b], *next; n; n = next) {
            size_t h = hash_id(n->nodeid) & (nb - 1);
            next = n->id_next;
            n->id_next = ids[h];
            ids[h] = n;
        }
    }
    for (size_t b = 0; b < lx->name_buckets; b++) {
        for (lx_node *n = lx->by_name[b], *next; n; n = next) {
            size_t h = hash_name(n->parent, n->name, n->name_len) & (nb - 1);
            next = n->name_next;
            n->name_next = names[h];
            names[h] = n;
        }
    }
    free(lx->by_id);
    free(lx->by_name);
    lx->by_id = ids;
    lx->by_name = names;
    lx->id_buckets = lx->name_buckets = nb;
}

static lx_node *find_id_locked(wf_lx *lx, uint64_t nodeid)
{
    for (lx_node *n = lx->by_id[hash_id(nodeid) & (lx->id_buckets - 1)]; n; n = n->id_next)
        if (n->nodeid == nodeid)
            return n;
    return NULL;
}

static lx_node *find_name_locked(wf_lx *lx, lx_node *parent, const WCHAR *name, size_t len)
{
    size_t h = hash_name(parent, name, len) & (lx->name_buckets - 1);

    for (lx_node *n = lx->by_name[h]; n; n = n->name_next)
        if (n->parent == parent && n->name_len == len &&
            !memcmp(n->name, name, len * sizeof(WCHAR)))
            return n;
    return NULL;
}

static void name_insert_locked(wf_lx *lx, lx_node *n)
{
    size_t h = hash_name(n->parent, n->name, n->name_len) & (lx->name_buckets - 1);
    n->name_next = lx->by_name[h];
    lx->by_name[h] = n;
}

static void name_remove_locked(wf_lx *lx, lx_node *n)
{
    size_t h = hash_name(n->parent, n->name, n->name_len) & (lx->name_buckets - 1);

    for (lx_node **link = &lx->by_name[h]; *link; link = &(*link)->name_next) {
        if (*link == n) {
            *link = n->name_next;
            n->name_next = NULL;
            return;
        }
    }
}

static void id_remove_locked(wf_lx *lx, lx_node *n)
{
    size_t h = hash_id(n->nodeid) & (lx->id_buckets - 1);

    for (lx_node **link = &lx->by_id[h]; *link; link = &(*link)->id_next) {
        if (*link == n) {
            *link = n->id_next;
            return;
        }
    }
}

/* Free nodes nobody holds any more, up the parent chain. */
static void release_locked(wf_lx *lx, lx_node *n)
{
    while (n && n != lx->root && n->nlookup == 0 && n->refs == 0) {
        lx_node *parent = n->parent;
        if (parent)
            name_remove_locked(lx, n);
        id_remove_locked(lx, n);
        lx->node_count--;
        lx_plock_discard(n);
        free(n->name);
        free(n);
        if (!parent)
            break;
        parent->refs--;
        n = parent;
    }
}

/* Take the node off its name: it was deleted or replaced. */
static void unlink_locked(wf_lx *lx, lx_node *n)
{
    lx_node *parent = n->parent;

    if (!parent)
        return;
    name_remove_locked(lx, n);
    n->parent = NULL;
    n->unlinked = true;
    parent->refs--;
    release_locked(lx, parent);
    /* n itself may now be unreferenced too. */
    release_locked(lx, n);
}

lx_node *lx_node_get(wf_lx *lx, uint64_t nodeid)
{
    lx_node *n;

    pthread_mutex_lock(&lx->lock);
    n = find_id_locked(lx, nodeid);
    if (n)
        n->refs++;
    pthread_mutex_unlock(&lx->lock);
    return n;
}

void lx_node_put(wf_lx *lx, lx_node *n)
{
    if (!n)
        return;
    pthread_mutex_lock(&lx->lock);
    n->refs--;
    release_locked(lx, n);
    pthread_mutex_unlock(&lx->lock);
}

int lx_node_path(wf_lx *lx, lx_node *n, const WCHAR *child, size_t child_len, WCHAR **path,
    size_t *len)
{
    size_t total = 0, pos;
    WCHAR *p;

    *path = NULL;
    *len = 0;
    pthread_mutex_lock(&lx->lock);
    for (lx_node *m = n; m != lx->root; m = m->parent) {
        if (!m->parent) {
            pthread_mutex_unlock(&lx->lock);
            return -ENOENT;
        }
        total += 1 + m->name_len;
    }
    if (child_len)
        total += 1 + child_len;
    if (total == 0)
        total = 1; /* the root: "\" */
    if (total > LX_PATH_MAX) {
        pthread_mutex_unlock(&lx->lock);
        return -ENAMETOOLONG;
    }
    p = malloc(total * sizeof(WCHAR));
    if (!p) {
        pthread_mutex_unlock(&lx->lock);
        return -ENOMEM;
    }
    pos = total;
    if (child_len) {
        pos -= child_len;
        memcpy(p + pos, child, child_len * sizeof(WCHAR));
        p[--pos] = '\\';
    }
    for (lx_node *m = n; m != lx->root; m = m->parent) {
        pos -= m->name_len;
        memcpy(p + pos, m->name, m->name_len * sizeof(WCHAR));
        p[--pos] = '\\';
    }
    if (pos == 1)
        p[--pos] = '\\';
    pthread_mutex_unlock(&lx->lock);
    *path = p;
    *len = total;
    return 0;
}

lx_node *lx_node_found(wf_lx *lx, lx_node *parent, const WCHAR *name, size_t len,
    uint64_t file_id, uint32_t type)
{
    lx_node *n;

    pthread_mutex_lock(&lx->lock);
    n = find_name_locked(lx, parent, name, len);
    /* Another file took the name (changed behind our back): the old node is gone. */
    if (n && (n->file_id != file_id || n->type != type)) {
        n->refs++;
        unlink_locked(lx, n);
        n->refs--;
        release_locked(lx, n);
        n = NULL;
    }
    if (!n) {
        n = calloc(1, sizeof *n);
        if (n)
            n->name = malloc((len ? len : 1) * sizeof(WCHAR));
        if (!n || !n->name) {
            if (n)
                free(n);
            pthread_mutex_unlock(&lx->lock);
            return NULL;
        }
        memcpy(n->name, name, len * sizeof(WCHAR));
        n->name_len = len;
        n->nodeid = lx->next_nodeid++;
        n->file_id = file_id;
        n->type = type;
        n->parent = parent;
        parent->refs++;
        name_insert_locked(lx, n);
        {
            size_t h = hash_id(n->nodeid) & (lx->id_buckets - 1);
            n->id_next = lx->by_id[h];
            lx->by_id[h] = n;
        }
        lx->node_count++;
        grow_locked(lx);
    }
    n->nlookup++;
    pthread_mutex_unlock(&lx->lock);
    return n;
}

void lx_node_unlinked(wf_lx *lx, lx_node *parent, const WCHAR *name, size_t len)
{
    lx_node *n;

    pthread_mutex_lock(&lx->lock);
    n = find_name_locked(lx, parent, name, len);
    if (n) {
        n->refs++;
        unlink_locked(lx, n);
        n->refs--;
        release_locked(lx, n);
    }
    pthread_mutex_unlock(&lx->lock);
}

void lx_node_renamed(wf_lx *lx, lx_node *parent, const WCHAR *name, size_t len,
    lx_node *newparent, const WCHAR *newname, size_t newlen)
{
    lx_node *n, *old;
    WCHAR *copy = malloc((newlen ? newlen : 1) * sizeof(WCHAR));

    pthread_mutex_lock(&lx->lock);
    n = find_name_locked(lx, parent, name, len);
    old = find_name_locked(lx, newparent, newname, newlen);
    if (old && old != n) {
        old->refs++;
        unlink_locked(lx, old);
        old->refs--;
        release_locked(lx, old);
    }
    if (n && n != old) {
        if (!copy) {
            /* No memory for the new name: forget the node's name altogether. */
            n->refs++;
            unlink_locked(lx, n);
            n->refs--;
            release_locked(lx, n);
        } else {
            name_remove_locked(lx, n);
            memcpy(copy, newname, newlen * sizeof(WCHAR));
            free(n->name);
            n->name = copy;
            copy = NULL;
            n->name_len = newlen;
            newparent->refs++;
            n->parent = newparent;
            name_insert_locked(lx, n);
            parent->refs--;
            release_locked(lx, parent);
        }
    }
    pthread_mutex_unlock(&lx->lock);
    free(copy);
}

void lx_node_forget(wf_lx *lx, uint64_t nodeid, uint64_t nlookup)
{
    lx_node *n;

    pthread_mutex_lock(&lx->lock);
    n = find_id_locked(lx, nodeid);
    if (n && n != lx->root) {
        n->nlookup = nlookup > n->nlookup ? 0 : n->nlookup - nlookup;
        release_locked(lx, n);
    }
    pthread_mutex_unlock(&lx->lock);
}
