/*
 * handle.c - handles, file objects and file nodes.
 *
 * A handle is an index into the volume's handle table plus a generation,
 * so a closed or forged handle is recognised (STATUS_INVALID_HANDLE)
 * rather than reaching a recycled file object. A file node is WinFsp's
 * FileNode: one per file, found by its name (case-insensitively on a
 * case-insensitive volume), carrying what all opens of the file share:
 * share access, open and handle counts, delete-pending, byte-range locks
 * and the cached file information.
 */
#include <stdlib.h>

#include "engine/ucase.h"
#include "fsd/internal.h"

/* ---- handles ---- */

NTSTATUS fsd_handle_insert(wf_fsd_volume *v, fsd_fobj *f, nt_handle *handle)
{
    UINT32 idx;

    pthread_mutex_lock(&v->lock);
    if (v->free_count) {
        idx = v->free_slots[--v->free_count];
    } else {
        if (v->slot_count == v->slot_cap) {
            UINT32 cap = v->slot_cap ? v->slot_cap * 2 : 64;
            fsd_slot *slots = realloc(v->slots, cap * sizeof *slots);
            UINT32 *free_slots;
            if (!slots) {
                pthread_mutex_unlock(&v->lock);
                return STATUS_INSUFFICIENT_RESOURCES;
            }
            v->slots = slots;
            free_slots = realloc(v->free_slots, cap * sizeof *free_slots);
            if (!free_slots) {
                pthread_mutex_unlock(&v->lock);
                return STATUS_INSUFFICIENT_RESOURCES;
            }
            v->free_slots = free_slots;
            memset(v->slots + v->slot_cap, 0, (cap - v->slot_cap) * sizeof *slots);
            v->slot_cap = cap;
        }
        idx = v->slot_count++;
    }
    v->slots[idx].gen++;
    if (v->slots[idx].gen == 0)
        v->slots[idx].gen = 1;
    v->slots[idx].used = true;
    v->slots[idx].dismounted = false;
    v->slots[idx].fobj = f;
    *handle = ((UINT64)v->slots[idx].gen << 32) | (idx + 1);
    pthread_mutex_unlock(&v->lock);
    return STATUS_SUCCESS;
}

static fsd_slot *slot_of(wf_fsd_volume *v, nt_handle handle)
{
    UINT32 low = (UINT32)handle, gen = (UINT32)(handle >> 32);

    if (low == 0 || low > v->slot_count)
        return NULL;
    if (!v->slots[low - 1].used || v->slots[low - 1].gen != gen)
        return NULL;
    return &v->slots[low - 1];
}

NTSTATUS fsd_handle_ref(wf_fsd_volume *v, nt_handle handle, fsd_fobj **fobj)
{
    fsd_slot *s;
    NTSTATUS status = STATUS_SUCCESS;

    *fobj = NULL;
    pthread_mutex_lock(&v->lock);
    s = slot_of(v, handle);
    if (!s)
        status = STATUS_INVALID_HANDLE;
    else if (s->dismounted || !s->fobj)
        status = STATUS_VOLUME_DISMOUNTED;
    else if (s->fobj->cleanup_started)
        status = STATUS_INVALID_HANDLE;
    else {
        s->fobj->refs++;
        *fobj = s->fobj;
    }
    pthread_mutex_unlock(&v->lock);
    return status;
}

/*
 * Take a handle out of the table (NtClose). *fobj is the file object to
 * clean up, or NULL for a handle the unmount already closed.
 */
static NTSTATUS handle_remove(wf_fsd_volume *v, nt_handle handle, fsd_fobj **fobj)
{
    fsd_slot *s;

    *fobj = NULL;
    pthread_mutex_lock(&v->lock);
    s = slot_of(v, handle);
    if (!s) {
        pthread_mutex_unlock(&v->lock);
        return STATUS_INVALID_HANDLE;
    }
    *fobj = s->fobj;
    s->fobj = NULL;
    s->used = false;
    s->dismounted = false;
    v->free_slots[v->free_count++] = (UINT32)(s - v->slots);
    pthread_mutex_unlock(&v->lock);
    return STATUS_SUCCESS;
}

NTSTATUS nt_close(wf_fsd_volume *volume, nt_handle handle)
{
    wf_fsd_volume *v = volume;
    fsd_fobj *f;
    NTSTATUS status;

    if (!v)
        return STATUS_INVALID_PARAMETER;
    /* NtClose works in every state of the volume: it only gives back. */
    pthread_mutex_lock(&v->lock);
    v->active_calls++;
    pthread_mutex_unlock(&v->lock);
    status = handle_remove(v, handle, &f);
    if (f) {
        fsd_cleanup(v, f);
        fsd_fobj_release(v, f);
    }
    fsd_leave(v);
    return status;
}

/* Unmount: every handle is cleaned up and closed, and kept as dismounted. */
void fsd_close_all(wf_fsd_volume *v)
{
    for (UINT32 i = 0;; i++) {
        fsd_fobj *f = NULL;

        pthread_mutex_lock(&v->lock);
        if (i >= v->slot_count) {
            pthread_mutex_unlock(&v->lock);
            break;
        }
        if (v->slots[i].used && v->slots[i].fobj) {
            f = v->slots[i].fobj;
            v->slots[i].fobj = NULL;
            v->slots[i].dismounted = true;
        }
        pthread_mutex_unlock(&v->lock);
        if (f) {
            fsd_cleanup(v, f);
            fsd_fobj_release(v, f);
        }
    }
}

/* ---- file objects ---- */

fsd_fobj *fsd_fobj_new(void)
{
    fsd_fobj *f = calloc(1, sizeof *f);

    if (!f)
        return NULL;
    f->refs = 1;
    f->disposition_status = STATUS_SUCCESS;
    pthread_mutex_init(&f->dir_mutex, NULL);
    return f;
}

void fsd_fobj_free(fsd_fobj *f)
{
    if (!f)
        return;
    pthread_mutex_destroy(&f->dir_mutex);
    free(f->dir_pattern);
    free(f);
}

void fsd_fobj_release(wf_fsd_volume *v, fsd_fobj *f)
{
    bool last;

    pthread_mutex_lock(&v->lock);
    last = --f->refs == 0;
    pthread_mutex_unlock(&v->lock);
    if (last)
        fsd_close(v, f);
}

/* ---- names ---- */

static bool case_insensitive(const wf_fsd_volume *v)
{
    return !v->params.CaseSensitiveSearch;
}

UINT32 fsd_name_hash(const wf_fsd_volume *v, const WCHAR *name, size_t len)
{
    UINT32 h = 2166136261u;

    if (case_insensitive(v))
        return wf_ucase_hash(name, len);
    for (size_t i = 0; i < len; i++) {
        h = (h ^ (name[i] & 0xff)) * 16777619u;
        h = (h ^ (name[i] >> 8)) * 16777619u;
    }
    return h;
}

bool fsd_name_equal(const wf_fsd_volume *v, const WCHAR *a, size_t alen, const WCHAR *b,
    size_t blen)
{
    if (case_insensitive(v))
        return wf_ucase_equal(a, alen, b, blen);
    return alen == blen && 0 == memcmp(a, b, alen * sizeof(WCHAR));
}

bool fsd_name_is_prefix(const wf_fsd_volume *v, const WCHAR *prefix, size_t plen,
    const WCHAR *name, size_t len)
{
    if (plen == 1 && prefix[0] == '\\')
        return len >= 1 && name[0] == '\\';
    if (len < plen || !fsd_name_equal(v, prefix, plen, name, plen))
        return false;
    return len == plen || name[plen] == '\\';
}

/* ---- nodes ---- */

fsd_node *fsd_node_new(const WCHAR *name, size_t len)
{
    fsd_node *n = calloc(1, sizeof *n);

    if (!n)
        return NULL;
    n->name = malloc((len ? len : 1) * sizeof(WCHAR));
    if (!n->name) {
        free(n);
        return NULL;
    }
    memcpy(n->name, name, len * sizeof(WCHAR));
    n->name_len = len;
    n->is_root = len == 1 && name[0] == '\\';
    return n;
}

static void node_free(fsd_node *n)
{
    while (n->locks) {
        fsd_lock *l = n->locks;
        n->locks = l->next;
        free(l);
    }
    free(n->security);
    free(n->name);
    free(n);
}

fsd_node *fsd_node_lookup_locked(wf_fsd_volume *v, const WCHAR *name, size_t len)
{
    UINT32 h = fsd_name_hash(v, name, len);

    for (fsd_node *n = v->nodes[h & v->node_mask]; n; n = n->hash_next)
        if (n->hash == h && fsd_name_equal(v, n->name, n->name_len, name, len))
            return n;
    return NULL;
}

static void table_grow_locked(wf_fsd_volume *v)
{
    UINT32 mask = v->node_mask * 2 + 1;
    fsd_node **nodes = calloc((size_t)mask + 1, sizeof *nodes);

    if (!nodes)
        return; /* longer chains, still correct */
    for (UINT32 b = 0; b <= v->node_mask; b++) {
        while (v->nodes[b]) {
            fsd_node *n = v->nodes[b];
            v->nodes[b] = n->hash_next;
            n->hash_next = nodes[n->hash & mask];
            nodes[n->hash & mask] = n;
        }
    }
    free(v->nodes);
    v->nodes = nodes;
    v->node_mask = mask;
}

static void table_insert_locked(wf_fsd_volume *v, fsd_node *n)
{
    if (v->node_count > v->node_mask)
        table_grow_locked(v);
    n->hash = fsd_name_hash(v, n->name, n->name_len);
    n->hash_next = v->nodes[n->hash & v->node_mask];
    v->nodes[n->hash & v->node_mask] = n;
    n->in_table = true;
    v->node_count++;
}

static UINT64 *gone_slot(wf_fsd_volume *v, UINT64 index_number)
{
    return &v->gone_changes[(index_number ^ (index_number >> 17)) & (FSD_GONE_SLOTS - 1)];
}

/* n's last change outlives it (out of the table, nobody finds it by name). */
static void note_gone_locked(wf_fsd_volume *v, const fsd_node *n)
{
    UINT64 *slot = gone_slot(v, n->index_number);

    if (n->changed_seq > *slot)
        *slot = n->changed_seq;
}

static void table_unlink_locked(wf_fsd_volume *v, fsd_node *n)
{
    fsd_node **link;

    for (link = &v->nodes[n->hash & v->node_mask]; *link; link = &(*link)->hash_next) {
        if (*link == n) {
            *link = n->hash_next;
            break;
        }
    }
    n->hash_next = NULL;
    n->in_table = false;
    v->node_count--;
}

void fsd_node_remove_locked(wf_fsd_volume *v, fsd_node *n)
{
    if (!n->in_table)
        return;
    note_gone_locked(v, n);
    table_unlink_locked(v, n);
    if (n->refs == 0)
        node_free(n);
}

void fsd_node_unref_locked(wf_fsd_volume *v, fsd_node *n)
{
    (void)v;
    if (--n->refs == 0 && !n->in_table)
        node_free(n);
}

/* ---- share access (IoCheckShareAccess, IoSetShareAccess, IoRemoveShareAccess) ---- */

static void share_bits(fsd_fobj *f, UINT32 granted, UINT32 share)
{
    f->read_access = (granted & (FILE_EXECUTE | FILE_READ_DATA)) != 0;
    f->write_access = (granted & (FILE_WRITE_DATA | FILE_APPEND_DATA)) != 0;
    f->delete_access = (granted & DELETE) != 0;
    f->shared_read = (share & FILE_SHARE_READ) != 0;
    f->shared_write = (share & FILE_SHARE_WRITE) != 0;
    f->shared_delete = (share & FILE_SHARE_DELETE) != 0;
}

static NTSTATUS share_check(const fsd_share *s, UINT32 granted, UINT32 share)
{
    bool r = (granted & (FILE_EXECUTE | FILE_READ_DATA)) != 0;
    bool w = (granted & (FILE_WRITE_DATA | FILE_APPEND_DATA)) != 0;
    bool d = (granted & DELETE) != 0;

    /* An open that neither reads, writes nor deletes never conflicts. */
    if (!r && !w && !d)
        return STATUS_SUCCESS;
    if ((r && s->shared_read < s->open_count) || (w && s->shared_write < s->open_count) ||
        (d && s->shared_delete < s->open_count) ||
        (s->readers && !(share & FILE_SHARE_READ)) ||
        (s->writers && !(share & FILE_SHARE_WRITE)) ||
        (s->deleters && !(share & FILE_SHARE_DELETE)))
        return STATUS_SHARING_VIOLATION;
    return STATUS_SUCCESS;
}

static void share_add(fsd_share *s, fsd_fobj *f, UINT32 granted, UINT32 share)
{
    share_bits(f, granted, share);
    if (!f->read_access && !f->write_access && !f->delete_access)
        return;
    s->open_count++;
    s->readers += f->read_access;
    s->writers += f->write_access;
    s->deleters += f->delete_access;
    s->shared_read += f->shared_read;
    s->shared_write += f->shared_write;
    s->shared_delete += f->shared_delete;
}

void fsd_share_remove_locked(fsd_node *n, fsd_fobj *f)
{
    fsd_share *s = &n->share;

    if (!f->read_access && !f->write_access && !f->delete_access)
        return;
    s->open_count--;
    s->readers -= f->read_access;
    s->writers -= f->write_access;
    s->deleters -= f->delete_access;
    s->shared_read -= f->shared_read;
    s->shared_write -= f->shared_write;
    s->shared_delete -= f->shared_delete;
    f->read_access = f->write_access = f->delete_access = false;
}

NTSTATUS fsd_node_open(wf_fsd_volume *v, fsd_node *candidate, fsd_fobj *f, UINT32 granted,
    UINT32 additional, UINT32 share_access, fsd_node **opened)
{
    fsd_node *n;
    NTSTATUS status = STATUS_SUCCESS;

    *opened = NULL;
    pthread_mutex_lock(&v->lock);
    n = fsd_node_lookup_locked(v, candidate->name, candidate->name_len);
    if (!n) {
        n = candidate;
        table_insert_locked(v, n);
        share_add(&n->share, f, granted, share_access);
    } else {
        if (n->delete_pending) {
            status = STATUS_DELETE_PENDING;
            goto exit;
        }
        /* Overwrite and supersede are checked as the writes and deletes they are. */
        if (additional) {
            status = share_check(&n->share, granted | additional, share_access);
            if (!NT_SUCCESS(status))
                goto exit;
        }
        status = share_check(&n->share, granted, share_access);
        if (!NT_SUCCESS(status))
            goto exit;
        share_add(&n->share, f, granted, share_access);
    }
    n->refs++;
    n->open_count++;
    n->handle_count++;
    f->node = n;
    *opened = n;
exit:
    pthread_mutex_unlock(&v->lock);
    return status;
}

void fsd_node_unopen(wf_fsd_volume *v, fsd_node *n, fsd_fobj *f)
{
    pthread_mutex_lock(&v->lock);
    fsd_share_remove_locked(n, f);
    n->handle_count--;
    if (n->open_count > 0 && --n->open_count == 0)
        fsd_node_remove_locked(v, n);
    f->node = NULL;
    fsd_node_unref_locked(v, n);
    pthread_mutex_unlock(&v->lock);
}

/* ---- rename ---- */

NTSTATUS fsd_rename_check(wf_fsd_volume *v, fsd_node *n, const WCHAR *name, size_t len,
    bool checking_old_name, bool posix)
{
    NTSTATUS status = STATUS_SUCCESS;

    pthread_mutex_lock(&v->lock);
    if (checking_old_name && !n->is_dir && n->handle_count == 1)
        goto exit;
    for (UINT32 b = 0; b <= v->node_mask && NT_SUCCESS(status); b++) {
        for (fsd_node *d = v->nodes[b]; d; d = d->hash_next) {
            if (!fsd_name_is_prefix(v, name, len, d->name, d->name_len))
                continue;
            /* A replaced file cannot be a directory with anything open below it. */
            if (!checking_old_name && d->name_len > len) {
                status = STATUS_ACCESS_DENIED;
                break;
            }
            if (d == n || d->handle_count == 0)
                continue;
            /* POSIX semantics allow open handles that all share delete access. */
            if (posix && d->share.open_count == d->share.shared_delete)
                continue;
            status = posix ? STATUS_SHARING_VIOLATION : STATUS_ACCESS_DENIED;
            break;
        }
    }
exit:
    pthread_mutex_unlock(&v->lock);
    return status;
}

void fsd_node_rename(wf_fsd_volume *v, fsd_node *n, const WCHAR *name, size_t len)
{
    fsd_node **list = NULL;
    UINT32 count = 0, cap = 0;
    WCHAR *old;
    size_t old_len;

    pthread_mutex_lock(&v->lock);
    old_len = n->name_len;
    old = malloc(old_len * sizeof(WCHAR));
    if (!old) {
        pthread_mutex_unlock(&v->lock);
        return;
    }
    memcpy(old, n->name, old_len * sizeof(WCHAR));
    /* A closed-but-cleaned-up node by the new name is replaced by this one. */
    {
        fsd_node *t = fsd_node_lookup_locked(v, name, len);
        if (t && t != n)
            fsd_node_remove_locked(v, t);
    }
    for (UINT32 b = 0; b <= v->node_mask; b++) {
        for (fsd_node *d = v->nodes[b]; d; d = d->hash_next) {
            if (d != n && !fsd_name_is_prefix(v, old, old_len, d->name, d->name_len))
                continue;
            if (count == cap) {
                UINT32 c = cap ? cap * 2 : 16;
                fsd_node **l = realloc(list, c * sizeof *l);
                if (!l)
                    continue;
                list = l;
                cap = c;
            }
            list[count++] = d;
        }
    }
    for (UINT32 i = 0; i < count; i++) {
        fsd_node *d = list[i];
        size_t tail = d->name_len - old_len;
        WCHAR *renamed = malloc((len + tail) * sizeof(WCHAR));
        bool was_in_table = d->in_table;

        if (!renamed)
            continue;
        memcpy(renamed, name, len * sizeof(WCHAR));
        memcpy(renamed + len, d->name + old_len, tail * sizeof(WCHAR));
        /* A move, not a departure: out of the table only to be hashed by its new name. */
        if (was_in_table)
            table_unlink_locked(v, d);
        free(d->name);
        d->name = renamed;
        d->name_len = len + tail;
        d->is_root = false;
        if (was_in_table)
            table_insert_locked(v, d);
    }
    pthread_mutex_unlock(&v->lock);
    free(list);
    free(old);
}

/* ---- the file info cache ---- */

bool fsd_node_get_info(wf_fsd_volume *v, fsd_node *n, FSP_FSCTL_FILE_INFO *info)
{
    bool valid;

    pthread_mutex_lock(&v->lock);
    valid = n->info_known && fsd_now() < n->info_expiry;
    if (valid)
        *info = n->info;
    pthread_mutex_unlock(&v->lock);
    return valid;
}

static void set_info_locked(wf_fsd_volume *v, fsd_node *n, const FSP_FSCTL_FILE_INFO *info)
{
    n->info = *info;
    n->info_known = true;
    n->info_expiry = fsd_expiry(v->file_info_timeout_ns);
    n->info_change++;
}

static void node_changed_locked(wf_fsd_volume *v, fsd_node *n)
{
    n->changed_seq = ++v->change_seq;
    if (!n->in_table)
        note_gone_locked(v, n);
}

void fsd_node_info_changed_locked(wf_fsd_volume *v, fsd_node *n)
{
    n->info_expiry = 0;
    n->info_change++;
    node_changed_locked(v, n);
}

void fsd_node_open_info(wf_fsd_volume *v, fsd_node *n, const fsd_req *r,
    const FSP_FSCTL_FILE_INFO *info)
{
    pthread_mutex_lock(&v->lock);
    set_info_locked(v, n, info);
    /* Kept as the best guess (an append's lock check), but asked again at the first query. */
    if (n->changed_seq > r->change_seq || *gone_slot(v, info->IndexNumber) > r->change_seq)
        n->info_expiry = 0;
    pthread_mutex_unlock(&v->lock);
}

void fsd_node_try_set_info(wf_fsd_volume *v, const fsd_req *r, const FSP_FSCTL_FILE_INFO *info)
{
    fsd_node *n = r->info_node;

    pthread_mutex_lock(&v->lock);
    /* An answer older than a change made meanwhile must not overwrite it. */
    if (n->info_change == r->info_change)
        set_info_locked(v, n, info);
    pthread_mutex_unlock(&v->lock);
}

void fsd_node_change_info(wf_fsd_volume *v, const fsd_req *r, const FSP_FSCTL_FILE_INFO *info,
    bool truncate_on_close)
{
    fsd_node *n = r->info_node;

    pthread_mutex_lock(&v->lock);
    if (n->info_change == r->info_change) {
        set_info_locked(v, n, info);
        node_changed_locked(v, n);
    } else {
        fsd_node_info_changed_locked(v, n);
    }
    if (truncate_on_close)
        n->truncate_on_close = true;
    pthread_mutex_unlock(&v->lock);
}

void fsd_node_invalidate_info(wf_fsd_volume *v, fsd_node *n)
{
    pthread_mutex_lock(&v->lock);
    fsd_node_info_changed_locked(v, n);
    n->security_expiry = 0;
    n->security_change++;
    pthread_mutex_unlock(&v->lock);
}
