/*
 * cleanup.c - Cleanup and Close: the end of a file object.
 *
 * As WinFsp's cleanup.c and close.c: when the last handle of a file
 * object goes, the fsd releases its byte-range locks, decides whether
 * the file is to be deleted now (delete-pending and this was the file's
 * last handle, or a POSIX delete through this handle) and which times
 * and attributes the file system must stamp, and sends Cleanup, unless
 * the volume only wants it when something changed
 * (PostCleanupWhenModifiedOnly) and nothing did. The share access of the
 * file object goes with it. When nothing refers to the file object any
 * more, Close is posted; a Close never waits and always comes after the
 * Cleanup.
 */
#include <stdlib.h>

#include "fsd/internal.h"

void fsd_cleanup(wf_fsd_volume *v, fsd_fobj *f)
{
    fsd_node *n = f->node;
    fsd_req *r = NULL;
    bool del = false, set_allocation, single, post;
    bool archive, atime, mtime, ctime;

    pthread_mutex_lock(&v->lock);
    if (f->cleanup_started) {
        pthread_mutex_unlock(&v->lock);
        return;
    }
    f->cleanup_started = true;
    if (!n) {
        f->cleaned_up = true;
        pthread_mutex_unlock(&v->lock);
        return;
    }
    fsd_unlock_all_locked(v, f);
    if (f->delete_on_close)
        n->delete_pending = true;
    single = n->handle_count == 1;
    set_allocation = single && !n->delete_pending && n->truncate_on_close;
    if (!n->posix_delete) {
        if (f->posix_delete) {
            n->posix_delete = true;
            del = true;
        } else if (single) {
            del = n->delete_pending;
        }
    }
    archive = (f->modified || f->did_set_security) && !f->did_set_attributes;
    atime = !f->did_set_atime;
    mtime = f->modified && !f->did_set_mtime;
    ctime = (f->modified || f->did_set_metadata) && !f->did_set_ctime;
    post = del || set_allocation || archive || mtime || ctime ||
        !v->params.PostCleanupWhenModifiedOnly;
    if (post) {
        r = fsd_req_new(FspFsctlTransactCleanupKind);
        if (r && del && !fsd_req_append_name(r, n->name, n->name_len, &r->req->FileName)) {
            fsd_req_free(v, r);
            r = NULL;
        }
        if (r) {
            r->req->Req.Cleanup.UserContext = f->user_context;
            r->req->Req.Cleanup.UserContext2 = f->user_context2;
            r->req->Req.Cleanup.Delete = del;
            r->req->Req.Cleanup.SetAllocationSize = set_allocation;
            r->req->Req.Cleanup.SetArchiveBit = archive;
            r->req->Req.Cleanup.SetLastAccessTime = atime;
            r->req->Req.Cleanup.SetLastWriteTime = mtime;
            r->req->Req.Cleanup.SetChangeTime = ctime;
        }
    }
    pthread_mutex_unlock(&v->lock);

    if (r) {
        /* Cleanup cannot fail: whatever the answer, the handle is gone. */
        fsd_send(v, &r);
        fsd_req_free(v, r);
    }

    pthread_mutex_lock(&v->lock);
    fsd_share_remove_locked(n, f);
    if (del) {
        /* The name is free for a new file at once; later opens get a new node. */
        n->open_count = 0;
        fsd_node_info_changed_locked(v, n);
        fsd_node_remove_locked(v, n);
    }
    if (n->handle_count > 0 && --n->handle_count == 0)
        n->truncate_on_close = false;
    if (mtime || ctime || archive || set_allocation)
        fsd_node_info_changed_locked(v, n);
    f->cleaned_up = true;
    pthread_mutex_unlock(&v->lock);
}

void fsd_close(wf_fsd_volume *v, fsd_fobj *f)
{
    fsd_node *n = f->node;

    pthread_mutex_lock(&v->lock);
    if (n) {
        if (n->open_count > 0 && --n->open_count == 0)
            fsd_node_remove_locked(v, n);
        fsd_node_unref_locked(v, n);
        f->node = NULL;
        /* The volume itself is not a file: nothing was opened in the file system. */
        fsd_post_close_locked(v, f->user_context, f->user_context2);
    }
    pthread_mutex_unlock(&v->lock);
    fsd_fobj_free(f);
}
