/*
 * ci_index.c - what a directory's names fold to, for case-insensitive
 * volumes.
 *
 * FUSE has no case-insensitive LOOKUP: a name missing in the case asked
 * may exist in another, and only a listing can tell (wf_find_name_ci).
 * Listing on every miss makes creating n files in a directory cost n
 * listings. So the first listing also records every name of the
 * directory by its folded hash, and later misses are answered from that
 * record while it is valid: for as long as the file system lets names be
 * cached (the entry_valid of its replies), and only while the engine saw
 * no name go. Names the engine sees come into being (a LOOKUP, a CREATE,
 * a MKDIR, READDIRPLUS) are added; a name that goes (unlink, rename,
 * NOTIFY_DELETE) or an invalidated directory drops the whole record,
 * so the record never says a name is absent when the engine knows
 * otherwise. A name the record gives that the file system no longer has
 * is found out by its LOOKUP (lookup.c), which drops the record too.
 */
#include "engine/internal.h"
#include "engine/ucase.h"

/*
 * Larger directories are listed on each miss, as before: the record would
 * cost too much. All records of an engine together hold at most
 * WF_CI_NAMES_TOTAL_MAX names (kernel memory, on Windows).
 */
#define WF_CI_NAMES_MAX 65536u
#define WF_CI_NAMES_TOTAL_MAX 262144u

typedef struct ci_slot {
    UINT32 hash;
    UINT32 len;              /* 0: empty */
    char *name;
} ci_slot;

struct wf_ci_index {
    wf_engine *engine;       /* whose ci_names counts these */
    UINT64 valid_until;      /* monotonic ns */
    UINT32 count, mask;      /* mask + 1 slots, a power of two */
    ci_slot *slots;
};

wf_ci_index *wf_ci_new(wf_engine *e, UINT64 valid_until)
{
    wf_ci_index *ix = wf_os_alloc(sizeof *ix);

    if (!ix)
        return NULL;
    ix->engine = e;
    ix->mask = 63;
    ix->slots = wf_os_alloc((ix->mask + 1) * sizeof *ix->slots);
    if (!ix->slots) {
        wf_os_free(ix);
        return NULL;
    }
    ix->valid_until = valid_until;
    return ix;
}

void wf_ci_free(wf_ci_index *ix)
{
    if (!ix)
        return;
    ix->engine->ci_names -= ix->count;
    for (UINT32 i = 0; i <= ix->mask; i++)
        wf_os_free(ix->slots[i].name);
    wf_os_free(ix->slots);
    wf_os_free(ix);
}

static ci_slot *find_slot(const wf_ci_index *ix, const char *name, UINT32 len, UINT32 hash)
{
    for (UINT32 i = hash & ix->mask;; i = (i + 1) & ix->mask) {
        ci_slot *s = &ix->slots[i];
        if (s->len == 0 ||
            (s->hash == hash && wf_ucase_equal_utf8(s->name, s->len, name, len)))
            return s;
    }
}

static bool grow(wf_ci_index *ix)
{
    UINT32 mask = ix->mask * 2 + 1;
    ci_slot *old = ix->slots;
    UINT32 old_mask = ix->mask;
    ci_slot *slots = wf_os_alloc(((size_t)mask + 1) * sizeof *slots);

    if (!slots)
        return false;
    ix->slots = slots;
    ix->mask = mask;
    for (UINT32 i = 0; i <= old_mask; i++)
        if (old[i].len)
            *find_slot(ix, old[i].name, old[i].len, old[i].hash) = old[i];
    wf_os_free(old);
    return true;
}

bool wf_ci_add(wf_ci_index *ix, const char *name, UINT32 len)
{
    UINT32 hash;
    ci_slot *s;

    if (len == 0 || (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
        return true;
    hash = wf_ucase_hash_utf8(name, len);
    s = find_slot(ix, name, len, hash);
    if (s->len)
        return true; /* a name folding to it is known already: lookups find either */
    if (ix->count >= WF_CI_NAMES_MAX || ix->engine->ci_names >= WF_CI_NAMES_TOTAL_MAX)
        return false;
    if ((ix->count + 1) * 4 > (ix->mask + 1) * 3) {
        if (!grow(ix))
            return false;
        s = find_slot(ix, name, len, hash);
    }
    s->name = wf_os_alloc(len);
    if (!s->name)
        return false;
    memcpy(s->name, name, len);
    s->len = len;
    s->hash = hash;
    ix->count++;
    ix->engine->ci_names++;
    return true;
}

bool wf_ci_valid(const wf_ci_index *ix)
{
    return ix && ix->valid_until > wf_now();
}

const char *wf_ci_find(const wf_ci_index *ix, const char *name, UINT32 len, UINT32 *found_len)
{
    ci_slot *s = find_slot(ix, name, len, wf_ucase_hash_utf8(name, len));

    *found_len = s->len;
    return s->len ? s->name : NULL;
}

void wf_ci_drop(wf_node *dir)
{
    wf_ci_free(dir->ci);
    dir->ci = NULL;
    dir->ci_gen++;
}

void wf_ci_install(wf_node *dir, wf_ci_index *ix, UINT64 valid_until)
{
    wf_ci_drop(dir);
    ix->valid_until = valid_until;
    dir->ci = ix;
}

void wf_ci_note(wf_node *dir, const char *name, UINT32 len)
{
    if (dir->ci && !wf_ci_add(dir->ci, name, len))
        wf_ci_drop(dir); /* incomplete, it could tell of an absence wrongly */
}
