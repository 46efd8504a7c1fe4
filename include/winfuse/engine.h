/*
 * engine.h - the winfuse engine: WinFsp requests in, FUSE requests out.
 *
 * An engine instance sits between a provider of WinFsp requests (on Windows
 * the WinFsp FSD through FspFsextProviderTransact; on Linux the fsd stand-in)
 * and a FUSE file system. The file system's threads drive it with
 * wf_transact(), which has FUSE_FSCTL_TRANSACT semantics: hand in the reply
 * to an earlier FUSE request (optional), get back the next FUSE request
 * (optional). One WinFsp request may take several FUSE round trips; no
 * thread is parked per request.
 */
#ifndef WINFUSE_ENGINE_H
#define WINFUSE_ENGINE_H

#include "winfuse/fsctl.h"
#include "winfuse/ntdefs.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wf_engine wf_engine;

/*
 * The WinFsp side. All callbacks may be called from any file-system thread.
 */
typedef struct wf_provider {
    void *context;
    /*
     * Copy the next WinFsp request into req (cap bytes, at least
     * FSP_FSCTL_TRANSACT_REQ_SIZEMAX). Wait up to timeout_ns (< 0: for ever).
     * Returns STATUS_SUCCESS with a request, STATUS_TIMEOUT when there was
     * none in time (also when woken by wake()), or an error when the volume
     * is gone: the engine then sends the file system DESTROY, its last
     * request, and stops once that is answered.
     */
    NTSTATUS (*next_request)(void *context, FSP_FSCTL_TRANSACT_REQ *req, size_t cap,
        int64_t timeout_ns);
    /* Take the response to a request handed out earlier (matched by Hint). */
    void (*complete)(void *context, const FSP_FSCTL_TRANSACT_RSP *rsp);
    /*
     * Make threads blocked in next_request return early. It must be
     * sticky: a wake with nobody waiting makes the next next_request call
     * return STATUS_TIMEOUT at once, or a continuation queued between a
     * thread's last look at the engine and its wait could sit unserved.
     */
    void (*wake)(void *context);
    /*
     * Optional: the credentials behind a request's AccessToken. When absent
     * or failing, the engine's default uid and gid are used.
     */
    NTSTATUS (*credentials)(void *context, UINT64 access_token, UINT32 *uid, UINT32 *gid,
        UINT32 *pid);
} wf_provider;

typedef struct wf_engine_config {
    /* As the user asked for the volume; the engine adjusts what FUSE needs. */
    FSP_FSCTL_VOLUME_PARAMS volume_params;
    /* Credentials for requests that carry no access token. */
    UINT32 default_uid, default_gid;
    /* uid/gid <-> SID mapping (engine/security.h); NULL: the default map. */
    const struct wf_idmap *idmap;
    /* Report names beginning with '.' as FILE_ATTRIBUTE_HIDDEN. */
    bool hide_dot_files;
    /* How long wf_transact waits for work before returning empty; < 0 for ever. */
    int64_t transact_timeout_ns;
    /* Entries kept in the lookup cache before the least recently used go. */
    UINT32 cache_entries_max;
    /*
     * Optional: sees every FUSE message, each reply handed in (reply true)
     * and each request handed out, called outside the engine's lock from
     * the thread in wf_transact. For debugging (winfuse mount -d).
     */
    void (*trace)(void *context, bool reply, const void *msg, size_t len);
    void *trace_context;
} wf_engine_config;

/* Fill a configuration with the defaults. */
void wf_engine_config_init(wf_engine_config *config);

NTSTATUS wf_engine_create(const wf_engine_config *config, const wf_provider *provider,
    wf_engine **engine);

/*
 * The volume parameters the provider must create its volume with: the
 * user's, adjusted for what the engine relies on (directory markers as next
 * offsets, pattern and file name passing, reparse points, ...).
 */
const FSP_FSCTL_VOLUME_PARAMS *wf_engine_volume_params(const wf_engine *engine);

/*
 * The FUSE side (FUSE_FSCTL_TRANSACT). reply may be NULL (reply_len 0);
 * request may be NULL (cap 0). When request is given, cap must be at least
 * wf_engine_request_size_min(). On return *request_len is the length of the
 * FUSE request written, or 0 when there was none before the transact
 * timeout. Errors: STATUS_INVALID_PARAMETER for a malformed reply header or
 * an unknown unique (that reply is dropped); STATUS_BUFFER_TOO_SMALL;
 * STATUS_CANCELLED once the engine is stopped.
 */
NTSTATUS wf_transact(wf_engine *engine, const void *reply, size_t reply_len, void *request,
    size_t cap, size_t *request_len);

/*
 * A reply alone, in pieces (the header, then the data, as a FUSE program
 * writes it with writev): the data of a READ goes from its piece straight
 * to the WinFsp caller's buffer, with no gathering first. Results as
 * wf_transact's; no request is fetched.
 */
typedef struct wf_reply_piece {
    const void *base;
    size_t len;
} wf_reply_piece;
NTSTATUS wf_transact_reply(wf_engine *engine, const wf_reply_piece *pieces, size_t count);

/* The smallest request buffer wf_transact accepts (FUSE_MIN_READ_BUFFER or more). */
size_t wf_engine_request_size_min(const wf_engine *engine);

/* The WinFsp request with this Hint was cancelled: interrupt its FUSE request. */
void wf_engine_cancel(wf_engine *engine, UINT64 hint);

/*
 * The file system is gone (its channel closed, its process died): every
 * pending WinFsp request completes with STATUS_CANCELLED at once, every
 * thread in wf_transact returns, and later calls fail.
 */
void wf_engine_stop(wf_engine *engine);

/* After wf_engine_stop, and once no thread is inside wf_transact. */
void wf_engine_delete(wf_engine *engine);

/* Counters for tests, benchmarks and debugging. */
typedef struct wf_engine_stats {
    UINT64 fuse_requests;   /* FUSE requests produced */
    UINT64 fuse_replies;    /* replies accepted */
    UINT64 bad_replies;     /* replies rejected or malformed */
    UINT64 winfsp_requests; /* WinFsp requests taken */
    UINT64 forgets;         /* lookup counts returned with FORGET */
    UINT32 nodes;           /* inodes currently known (looked up, not forgotten) */
    UINT32 pending;         /* WinFsp requests in progress */
    UINT32 open_files;
    UINT32 proto_minor;     /* negotiated FUSE minor version; 0 before INIT */
    bool stopped;           /* stopped, or DESTROY answered: nothing more goes out */
} wf_engine_stats;

void wf_engine_get_stats(wf_engine *engine, wf_engine_stats *stats);

#ifdef __cplusplus
}
#endif

#endif
