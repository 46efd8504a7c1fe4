/*
 * cache.c - inodes the file system told us about, and the names that lead
 * to them.
 *
 * Every LOOKUP-class reply (LOOKUP, CREATE, MKDIR, MKNOD, SYMLINK, LINK)
 * raises an inode's lookup count in the file system; we must return each
 * one with FORGET, exactly once, when we no longer use the inode. A node
 * lives while something refers to it: a cache entry, an open file, a
 * request in progress. When the last reference goes, the node leaves the
 * table and waits on the forget list until a FORGET carries its count out.
 *
 * Entries map (parent, name) to a node, or to "no such name" (negative),
 * for as long as the file system's entry_valid allows. They are bounded in
 * number; the least recently used go first.
 *
 * Replies cross changes: a GETATTR or LOOKUP the file system answered
 * before a WRITE, SETATTR, RENAME or CREATE completed can reach us after
 * it. Every change we see complete takes the next e->change_seq, kept on
 * the node (its attributes) or the directory (its names); a reply to a
 * request sent before that number describes the past, so it answers its
 * own request but is not cached (Linux keeps attr_version for this).
 */
#include "engine/internal.h"

struct wf_entry {
    wf_entry *hash_next;
    wf_entry *lru_prev, *lru_next;
    UINT64 parent;
    wf_node *node;            /* NULL: a negative entry */
    UINT64 valid_until;
    UINT32 hash;
    UINT32 name_len;
    char name[];
};

#define WF_INITIAL_BUCKETS 1024u

static UINT32 mix64(UINT64 k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ull;
    k ^= k >> 33;
    return (UINT32)k;
}

static UINT32 entry_hash(UINT64 parent, const char *name, UINT32 len)
{
    UINT32 h = 2166136261u ^ mix64(parent);
    for (UINT32 i = 0; i < len; i++) {
        h ^= (UINT8)name[i];
        h *= 16777619u;
    }
    return h;
}

NTSTATUS wf_cache_init(wf_engine *e)
{
    e->nodes = wf_os_alloc(WF_INITIAL_BUCKETS * sizeof *e->nodes);
    e->entries = wf_os_alloc(WF_INITIAL_BUCKETS * sizeof *e->entries);
    e->root = wf_os_alloc(sizeof *e->root);
    if (!e->nodes || !e->entries || !e->root)
        return STATUS_INSUFFICIENT_RESOURCES;
    e->nodes_mask = e->entries_mask = WF_INITIAL_BUCKETS - 1;
    /* The root is known without a lookup and never forgotten. */
    e->root->nodeid = FUSE_ROOT_ID;
    e->root->refs = 1;
    e->root->attr.mode = LINUX_S_IFDIR | 0755;
    e->root->attr.ino = FUSE_ROOT_ID;
    e->nodes[mix64(FUSE_ROOT_ID) & e->nodes_mask] = e->root;
    e->node_count = 1;
    return STATUS_SUCCESS;
}

static void lru_unlink(wf_engine *e, wf_entry *en)
{
    if (en->lru_prev)
        en->lru_prev->lru_next = en->lru_next;
    else
        e->lru_head = en->lru_next;
    if (en->lru_next)
        en->lru_next->lru_prev = en->lru_prev;
    else
        e->lru_tail = en->lru_prev;
    en->lru_prev = en->lru_next = NULL;
}

static void lru_push_front(wf_engine *e, wf_entry *en)
{
    en->lru_prev = NULL;
    en->lru_next = e->lru_head;
    if (e->lru_head)
        e->lru_head->lru_prev = en;
    else
        e->lru_tail = en;
    e->lru_head = en;
}

static void entry_free(wf_engine *e, wf_entry *en)
{
    wf_entry **link = &e->entries[en->hash & e->entries_mask];

    while (*link != en)
        link = &(*link)->hash_next;
    *link = en->hash_next;
    lru_unlink(e, en);
    e->entry_count--;
    if (en->node)
        wf_node_unref(e, en->node);
    wf_os_free(en);
}

void wf_cache_fini(wf_engine *e)
{
    while (e->lru_head)
        entry_free(e, e->lru_head);
    if (e->nodes) {
        for (UINT32 b = 0; b <= e->nodes_mask; b++) {
            wf_node *n = e->nodes[b];
            while (n) {
                wf_node *next = n->hash_next;
                wf_ci_free(n->ci);
                wf_os_free(n);
                n = next;
            }
        }
    }
    while (e->forget_head) {
        wf_node *n = e->forget_head;
        e->forget_head = n->hash_next;
        wf_os_free(n);
    }
    wf_os_free(e->nodes);
    wf_os_free(e->entries);
    e->nodes = NULL;
    e->entries = NULL;
    e->root = NULL;
}

/* Double a table when it is full; if memory is short, chains just grow. */
static void nodes_grow(wf_engine *e)
{
    UINT32 buckets = (e->nodes_mask + 1) * 2;
    wf_node **table;

    if (e->node_count <= e->nodes_mask + 1 || buckets == 0)
        return;
    table = wf_os_alloc(buckets * sizeof *table);
    if (!table)
        return;
    for (UINT32 b = 0; b <= e->nodes_mask; b++) {
        wf_node *n = e->nodes[b];
        while (n) {
            wf_node *next = n->hash_next;
            UINT32 nb = mix64(n->nodeid) & (buckets - 1);
            n->hash_next = table[nb];
            table[nb] = n;
            n = next;
        }
    }
    wf_os_free(e->nodes);
    e->nodes = table;
    e->nodes_mask = buckets - 1;
}

static void entries_grow(wf_engine *e)
{
    UINT32 buckets = (e->entries_mask + 1) * 2;
    wf_entry **table;

    if (e->entry_count <= e->entries_mask + 1 || buckets == 0)
        return;
    table = wf_os_alloc(buckets * sizeof *table);
    if (!table)
        return;
    for (UINT32 b = 0; b <= e->entries_mask; b++) {
        wf_entry *en = e->entries[b];
        while (en) {
            wf_entry *next = en->hash_next;
            UINT32 nb = en->hash & (buckets - 1);
            en->hash_next = table[nb];
            table[nb] = en;
            en = next;
        }
    }
    wf_os_free(e->entries);
    e->entries = table;
    e->entries_mask = buckets - 1;
}

wf_node *wf_node_get(wf_engine *e, UINT64 nodeid)
{
    for (wf_node *n = e->nodes[mix64(nodeid) & e->nodes_mask]; n; n = n->hash_next)
        if (n->nodeid == nodeid)
            return n;
    return NULL;
}

void wf_node_ref(wf_node *node)
{
    node->refs++;
}

/* The last change of nodes let go, for one slot of node ids. */
static UINT64 *gone_slot(wf_engine *e, UINT64 nodeid)
{
    return &e->gone_attr_seq[mix64(nodeid) & (WF_GONE_SLOTS - 1)];
}

void wf_node_unref(wf_engine *e, wf_node *node)
{
    wf_node **link;

    if (--node->refs > 0 || node == e->root)
        return;
    /* Its history goes with it: a node made anew for the inode inherits the last change. */
    if (node->attr_seq > *gone_slot(e, node->nodeid))
        *gone_slot(e, node->nodeid) = node->attr_seq;
    wf_ci_drop(node);
    link = &e->nodes[mix64(node->nodeid) & e->nodes_mask];
    while (*link != node)
        link = &(*link)->hash_next;
    *link = node->hash_next;
    e->node_count--;
    if (node->nlookup == 0) {
        wf_os_free(node);
        return;
    }
    node->forgotten = true;
    node->hash_next = e->forget_head;
    e->forget_head = node;
    /* A thread waiting for work may carry the FORGET out. */
    wf_os_cond_signal(e->cond);
}

/*
 * Did parent's names change while c's request was out? A high-level file
 * system answers a LOOKUP in two steps (the path's attributes, then its
 * node for the name), so one overlapping a RENAME can pair the old file's
 * attributes with the new file's node, whichever reply we see first.
 */
static bool names_overlap(const wf_ctx *c, const wf_node *parent)
{
    /* The answer to a change of parent's own: only others' changes count. */
    if (parent == c->changed[0] || parent == c->changed[1])
        return !c->changed_alone;
    return parent->names_seq > c->sent_seq || parent->names_busy > 0;
}

static wf_node *node_from_entry(wf_ctx *c, wf_node *parent, const struct fuse_entry_out *entry)
{
    wf_engine *e = c->engine;
    wf_node *n = wf_node_get(e, entry->nodeid);
    bool fresh = !n;

    if (!n) {
        n = wf_os_alloc(sizeof *n);
        if (!n)
            return NULL;
        n->nodeid = entry->nodeid;
        /* A reply sent before a change of a node since forgotten may be this inode's. */
        n->attr_seq = *gone_slot(e, n->nodeid);
        n->hash_next = e->nodes[mix64(n->nodeid) & e->nodes_mask];
        e->nodes[mix64(n->nodeid) & e->nodes_mask] = n;
        e->node_count++;
        nodes_grow(e);
    }
    n->generation = entry->generation;
    n->nlookup++;
    n->refs++;
    if (!names_overlap(c, parent)) {
        wf_node_take_attr(c, n, &entry->attr, entry->attr_valid, entry->attr_valid_nsec, false);
    } else {
        /* The node is right for the name, its attributes may be another file's: ask. */
        if (fresh)
            n->attr = entry->attr;
        n->attr_valid_until = 0;
    }
    return n;
}

void wf_node_take_attr(wf_ctx *c, wf_node *node, const struct fuse_attr *attr, UINT64 valid,
    UINT32 valid_nsec, bool is_change)
{
    if (node->attr_seq > c->sent_seq) {
        /* Keep what the later change left, and ask again next time. */
        node->attr_valid_until = 0;
    } else {
        node->attr = *attr;
        node->attr_valid_until = wf_valid_until(valid, valid_nsec);
    }
    if (is_change)
        node->attr_seq = ++c->engine->change_seq;
}

void wf_node_changed(wf_engine *e, wf_node *node)
{
    node->attr_valid_until = 0;
    node->attr_seq = ++e->change_seq;
}

static void names_mark(wf_engine *e, wf_ctx *c, int slot, UINT64 nodeid)
{
    wf_node *dir = wf_node_get(e, nodeid);

    if (!dir || (slot == 1 && dir == c->changing[0]))
        return;
    wf_node_ref(dir);
    dir->names_busy++;
    dir->names_seq = ++e->change_seq;
    c->changing[slot] = dir;
    c->changing_seq[slot] = dir->names_seq;
}

void wf_names_begin(wf_ctx *c)
{
    wf_engine *e = c->engine;
    const wf_send *s = &c->send;

    switch (s->opcode) {
    case FUSE_RENAME:
    case FUSE_RENAME2: {
        UINT64 newdir;
        memcpy(&newdir, s->body.bytes, sizeof newdir); /* the first field of both */
        names_mark(e, c, 0, s->nodeid);
        names_mark(e, c, 1, newdir);
        break;
    }
    case FUSE_CREATE:
    case FUSE_MKNOD:
    case FUSE_MKDIR:
    case FUSE_SYMLINK:
    case FUSE_LINK:
    case FUSE_UNLINK:
    case FUSE_RMDIR:
        names_mark(e, c, 0, s->nodeid);
        break;
    default:
        break;
    }
}

void wf_names_end(wf_ctx *c)
{
    wf_engine *e = c->engine;

    c->changed_alone = true;
    for (int i = 0; i < 2; i++) {
        wf_node *dir = c->changing[i];
        c->changed[i] = dir;
        if (!dir)
            continue;
        c->changing[i] = NULL;
        dir->names_busy--;
        if (dir->names_seq != c->changing_seq[i] || dir->names_busy > 0)
            c->changed_alone = false;
        dir->names_seq = ++e->change_seq;
        wf_node_unref(e, dir);
    }
}

bool wf_node_attr_valid(const wf_node *node)
{
    return node->attr_valid_until > wf_now();
}

static wf_entry *entry_find(wf_engine *e, UINT64 parent, const char *name, UINT32 len,
    UINT32 hash)
{
    for (wf_entry *en = e->entries[hash & e->entries_mask]; en; en = en->hash_next)
        if (en->hash == hash && en->parent == parent && en->name_len == len &&
            memcmp(en->name, name, len) == 0)
            return en;
    return NULL;
}

wf_node *wf_cache_lookup(wf_engine *e, wf_node *parent, const char *name, UINT32 len,
    bool *negative)
{
    UINT32 hash = entry_hash(parent->nodeid, name, len);
    wf_entry *en = entry_find(e, parent->nodeid, name, len, hash);

    *negative = false;
    if (!en)
        return NULL;
    if (en->valid_until <= wf_now()) {
        entry_free(e, en);
        return NULL;
    }
    lru_unlink(e, en);
    lru_push_front(e, en);
    if (!en->node) {
        *negative = true;
        return NULL;
    }
    en->node->refs++;
    return en->node;
}

void wf_cache_enter(wf_ctx *c, wf_node *parent, const char *name, UINT32 len,
    wf_node *child, UINT64 valid, UINT32 valid_nsec)
{
    wf_engine *e = c->engine;
    UINT32 hash = entry_hash(parent->nodeid, name, len);
    wf_entry *en;

    if (names_overlap(c, parent))
        return; /* the directory changed meanwhile: this answer may be older than the change */
    en = entry_find(e, parent->nodeid, name, len, hash);

    if (en && (valid || valid_nsec)) {
        /* The same name again (a relisting, a second lookup): refresh it in place. */
        if (child)
            child->refs++;
        if (en->node)
            wf_node_unref(e, en->node);
        en->node = child;
        en->valid_until = wf_valid_until(valid, valid_nsec);
        lru_unlink(e, en);
        lru_push_front(e, en);
        return;
    }
    if (en)
        entry_free(e, en);
    if (valid == 0 && valid_nsec == 0)
        return;
    en = wf_os_alloc(sizeof *en + len);
    if (!en)
        return; /* a cache that cannot grow just forgets sooner */
    en->parent = parent->nodeid;
    en->node = child;
    if (child)
        child->refs++;
    en->valid_until = wf_valid_until(valid, valid_nsec);
    en->hash = hash;
    en->name_len = len;
    memcpy(en->name, name, len);
    en->hash_next = e->entries[hash & e->entries_mask];
    e->entries[hash & e->entries_mask] = en;
    lru_push_front(e, en);
    e->entry_count++;
    while (e->entry_count > e->config.cache_entries_max && e->lru_tail)
        entry_free(e, e->lru_tail);
    entries_grow(e);
}

/*
 * A LOOKUP-class reply (it starts with fuse_entry_out) for name in parent:
 * counts the lookup and caches the entry. Returns the node with a reference,
 * or NULL with *status STATUS_OBJECT_NAME_NOT_FOUND for a negative entry
 * (cached for its entry_valid) or STATUS_INSUFFICIENT_RESOURCES.
 */
wf_node *wf_cache_reply(wf_ctx *c, wf_node *parent, const char *name, UINT32 len,
    const void *entry_out, NTSTATUS *status)
{
    wf_engine *e = c->engine;
    struct fuse_entry_out entry;
    wf_node *n;

    memcpy(&entry, entry_out, sizeof entry);
    if (entry.nodeid == 0) {
        wf_cache_enter(c, parent, name, len, NULL, entry.entry_valid, entry.entry_valid_nsec);
        *status = STATUS_OBJECT_NAME_NOT_FOUND;
        return NULL;
    }
    n = node_from_entry(c, parent, &entry);
    if (!n) {
        *status = STATUS_INSUFFICIENT_RESOURCES;
        return NULL;
    }
    wf_cache_enter(c, parent, name, len, n, entry.entry_valid, entry.entry_valid_nsec);
    e->ci_valid = entry.entry_valid;
    e->ci_valid_nsec = entry.entry_valid_nsec;
    wf_ci_note(parent, name, len);
    *status = STATUS_SUCCESS;
    return n;
}

void wf_cache_remove(wf_engine *e, wf_node *parent, const char *name, UINT32 len)
{
    UINT32 hash = entry_hash(parent->nodeid, name, len);
    wf_entry *en = entry_find(e, parent->nodeid, name, len, hash);

    if (en)
        entry_free(e, en);
    parent->names_seq = ++e->change_seq;
    wf_ci_drop(parent);
}

void wf_cache_invalidate_node(wf_engine *e, UINT64 nodeid)
{
    wf_node *n = wf_node_get(e, nodeid);
    if (n) {
        wf_node_changed(e, n);
        n->names_seq = e->change_seq;
        wf_ci_drop(n);
    }
}

/*
 * Write one FORGET, or a BATCH_FORGET of as many as fit, for nodes on the
 * forget list. Returns the request's length (0: nothing to forget).
 */
size_t wf_forget_emit(wf_engine *e, void *buf, size_t cap)
{
    struct fuse_in_header hdr;
    UINT8 *p = (UINT8 *)buf + sizeof hdr;
    size_t size;

    if (!e->forget_head || !e->init_done)
        return 0;
    memset(&hdr, 0, sizeof hdr);
    hdr.unique = e->next_unique;
    e->next_unique += 2;
    if (!e->forget_head->hash_next || e->proto_minor < 16) {
        struct fuse_forget_in in;
        wf_node *n = e->forget_head;

        e->forget_head = n->hash_next;
        in.nlookup = n->nlookup;
        hdr.opcode = FUSE_FORGET;
        hdr.nodeid = n->nodeid;
        memcpy(p, &in, sizeof in);
        size = sizeof hdr + sizeof in;
        e->stats.forgets += n->nlookup;
        wf_os_free(n);
    } else {
        struct fuse_batch_forget_in in;
        UINT8 *q = p + sizeof in;
        UINT32 count = 0;

        hdr.opcode = FUSE_BATCH_FORGET;
        while (e->forget_head &&
            (size_t)(q - (UINT8 *)buf) + sizeof(struct fuse_forget_one) <= cap) {
            struct fuse_forget_one one;
            wf_node *n = e->forget_head;

            e->forget_head = n->hash_next;
            one.nodeid = n->nodeid;
            one.nlookup = n->nlookup;
            memcpy(q, &one, sizeof one);
            q += sizeof one;
            count++;
            e->stats.forgets += n->nlookup;
            wf_os_free(n);
        }
        memset(&in, 0, sizeof in);
        in.count = count;
        memcpy(p, &in, sizeof in);
        size = (size_t)(q - (UINT8 *)buf);
    }
    hdr.len = (UINT32)size;
    memcpy(buf, &hdr, sizeof hdr);
    e->stats.fuse_requests++;
    return size;
}
