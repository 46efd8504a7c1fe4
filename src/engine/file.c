/*
 * file.c - open files and the handles WinFsp holds for them.
 *
 * WinFsp hands back the UserContext2 we gave it with every request on an
 * open file. It carries a slot index and a generation, never a pointer, so
 * a stale or forged value is recognized and answered with
 * STATUS_INVALID_HANDLE instead of being followed.
 *
 * A file is counted: the handle table holds it while its handle is valid,
 * and every request working on it holds it too, so that a Close (or a
 * failed Overwrite) that ends the handle while another request on it is
 * still out cannot pull the file from under that request.
 */
#include "engine/internal.h"

#define WF_FILES_INITIAL 64u

static NTSTATUS files_grow(wf_engine *e)
{
    UINT32 cap = e->files_cap ? e->files_cap * 2 : WF_FILES_INITIAL;
    wf_file **files;
    UINT32 *free_slots;

    if (cap > (1u << 24))
        return STATUS_TOO_MANY_OPENED_FILES;
    files = wf_os_alloc(cap * sizeof *files);
    free_slots = wf_os_alloc(cap * sizeof *free_slots);
    if (!files || !free_slots) {
        wf_os_free(files);
        wf_os_free(free_slots);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (e->files_cap)
        memcpy(files, e->files, e->files_cap * sizeof *files);
    if (e->file_free_count)
        memcpy(free_slots, e->file_free, e->file_free_count * sizeof *free_slots);
    /* New slots go on the stack highest first, so low slots are used first. */
    for (UINT32 i = cap; i > e->files_cap; i--)
        free_slots[e->file_free_count++] = i - 1;
    wf_os_free(e->files);
    wf_os_free(e->file_free);
    e->files = files;
    e->file_free = free_slots;
    e->files_cap = cap;
    return STATUS_SUCCESS;
}

NTSTATUS wf_file_open(wf_engine *e, wf_ctx *c, wf_node *node, bool is_dir, UINT64 fh,
    UINT32 open_flags, UINT32 fopen_flags, bool no_fh, UINT64 *user_context2)
{
    wf_file *f;
    UINT32 slot;
    NTSTATUS status;

    if (e->file_free_count == 0) {
        status = files_grow(e);
        if (!NT_SUCCESS(status))
            return status;
    }
    f = wf_os_alloc(sizeof *f);
    if (!f)
        return STATUS_INSUFFICIENT_RESOURCES;
    slot = e->file_free[--e->file_free_count];
    /* Generation 0 is never used, so a zero context is always invalid. */
    if (++e->file_gen == 0)
        e->file_gen = 1;
    f->handle_gen = e->file_gen;
    f->slot = slot;
    f->refs = 1;
    f->attached = true;
    f->node = node;
    wf_node_ref(node);
    f->fh = fh;
    f->open_flags = open_flags;
    f->fopen_flags = fopen_flags;
    f->is_dir = is_dir;
    f->no_fh = no_fh;
    f->uid = c->uid;
    f->gid = c->gid;
    f->pid = c->pid;
    e->files[slot] = f;
    e->file_count++;
    *user_context2 = ((UINT64)f->handle_gen << 32) | slot;
    return STATUS_SUCCESS;
}

wf_file *wf_file_from_context(wf_engine *e, UINT64 user_context2)
{
    UINT32 slot = (UINT32)user_context2;
    UINT32 gen = (UINT32)(user_context2 >> 32);
    wf_file *f;

    if (slot >= e->files_cap)
        return NULL;
    f = e->files[slot];
    return f && f->handle_gen == gen ? f : NULL;
}

wf_file *wf_ctx_file(wf_ctx *c, UINT64 user_context2)
{
    wf_file *f = wf_file_from_context(c->engine, user_context2);

    if (!f) {
        wf_complete(c, STATUS_INVALID_HANDLE, 0);
        return NULL;
    }
    /* Requests on an open file go to the file system as its opener. */
    f->refs++;
    c->file = f;
    c->uid = f->uid;
    c->gid = f->gid;
    c->pid = f->pid;
    return f;
}

static void file_free(wf_engine *e, wf_file *f)
{
    wf_node_unref(e, f->node);
    wf_os_free(f);
}

void wf_file_unref(wf_engine *e, wf_file *f)
{
    if (--f->refs == 0)
        file_free(e, f);
}

void wf_file_detach(wf_engine *e, wf_file *f)
{
    if (!f->attached)
        return;
    f->attached = false;
    e->files[f->slot] = NULL;
    e->file_free[e->file_free_count++] = f->slot;
    e->file_count--;
    wf_file_unref(e, f);
}

void wf_file_fini_all(wf_engine *e)
{
    /* Every request is finished by now: the table's reference is the last. */
    for (UINT32 slot = 0; slot < e->files_cap; slot++)
        if (e->files[slot])
            file_free(e, e->files[slot]);
    wf_os_free(e->files);
    wf_os_free(e->file_free);
    e->files = NULL;
    e->file_free = NULL;
    e->files_cap = e->file_count = e->file_free_count = 0;
}
