/*
 * engine_harness.h - drive an engine from both sides in a unit test.
 *
 * The WinFsp side is a queue of requests the test builds and a list of the
 * responses the engine completes. The FUSE side is the test itself, as a
 * scripted peer: it takes each FUSE request the engine produces, checks
 * it, and answers it with exactly the bytes it wants, good or bad.
 */
#ifndef WINFUSE_TESTS_ENGINE_HARNESS_H
#define WINFUSE_TESTS_ENGINE_HARNESS_H

#include "wf_test.h"

#include <string.h>

#include "winfuse/engine.h"
#include "winfuse/fuse_proto.h"
#include "winfuse/linux_abi.h"

#define H_QUEUE 64
#define H_BUF (1024 * 1024 + 8192)

typedef struct harness {
    wf_engine *engine;
    FSP_FSCTL_TRANSACT_REQ *queue[H_QUEUE];
    int qhead, qtail;
    FSP_FSCTL_TRANSACT_RSP *done[H_QUEUE];
    int ndone;
    UINT8 *out;               /* the FUSE request buffer */
    size_t out_len;
    UINT8 reply[H_BUF];       /* the reply being built */
    size_t reply_len;
    bool have_reply;
    bool gone;                /* the provider's volume is unmounted */
    NTSTATUS last_transact;
} harness;

static inline NTSTATUS h_next_request(void *context, FSP_FSCTL_TRANSACT_REQ *req, size_t cap,
    int64_t timeout_ns)
{
    harness *h = context;
    (void)timeout_ns;
    if (h->gone && h->qhead == h->qtail)
        return STATUS_DEVICE_NOT_READY;
    if (h->qhead == h->qtail)
        return STATUS_TIMEOUT;
    assert_true(h->queue[h->qhead]->Size <= cap);
    memcpy(req, h->queue[h->qhead], h->queue[h->qhead]->Size);
    free(h->queue[h->qhead]);
    h->qhead = (h->qhead + 1) % H_QUEUE;
    return STATUS_SUCCESS;
}

static inline void h_complete(void *context, const FSP_FSCTL_TRANSACT_RSP *rsp)
{
    harness *h = context;
    FSP_FSCTL_TRANSACT_RSP *copy = calloc(1, FSP_FSCTL_TRANSACT_RSP_SIZEMAX);
    assert_non_null(copy);
    assert_true(rsp->Size >= sizeof *rsp && rsp->Size <= FSP_FSCTL_TRANSACT_RSP_SIZEMAX);
    memcpy(copy, rsp, rsp->Size);
    assert_true(h->ndone < H_QUEUE);
    h->done[h->ndone++] = copy;
}

static inline void h_wake(void *context)
{
    (void)context;
}

static inline void h_setup_config(harness *h, wf_engine_config *config)
{
    wf_provider provider = {h, h_next_request, h_complete, h_wake, NULL};
    config->transact_timeout_ns = 0;
    h->out = malloc(H_BUF);
    assert_non_null(h->out);
    assert_int_equal(wf_engine_create(config, &provider, &h->engine), STATUS_SUCCESS);
}

static inline void h_setup(harness *h)
{
    wf_engine_config config;
    memset(h, 0, sizeof *h);
    wf_engine_config_init(&config);
    h_setup_config(h, &config);
}

static inline void h_teardown(harness *h)
{
    wf_engine_delete(h->engine);
    while (h->qhead != h->qtail) {
        free(h->queue[h->qhead]);
        h->qhead = (h->qhead + 1) % H_QUEUE;
    }
    for (int i = 0; i < h->ndone; i++)
        free(h->done[i]);
    free(h->out);
}

/* ---- the FUSE side ---- */

/* Send the pending reply (if any) and return the next FUSE request, or NULL. */
static inline const struct fuse_in_header *h_transact(harness *h)
{
    h->last_transact = wf_transact(h->engine, h->have_reply ? h->reply : NULL,
        h->have_reply ? h->reply_len : 0, h->out, H_BUF, &h->out_len);
    h->have_reply = false;
    if (h->out_len == 0)
        return NULL;
    assert_true(h->out_len >= sizeof(struct fuse_in_header));
    return (const struct fuse_in_header *)h->out;
}

/* The next request must have this opcode. */
static inline const struct fuse_in_header *h_expect(harness *h, UINT32 opcode)
{
    const struct fuse_in_header *in = h_transact(h);
    if (!in)
        fail_msg("expected FUSE opcode %u, got no request (status 0x%08x)", opcode,
            (unsigned)h->last_transact);
    if (in->opcode != opcode)
        fail_msg("expected FUSE opcode %u, got %u", opcode, in->opcode);
    assert_int_equal(in->len, h->out_len);
    return in;
}

static inline const void *h_body(harness *h)
{
    return h->out + sizeof(struct fuse_in_header);
}

/* The first NUL-terminated name after a body of body_len bytes. */
static inline const char *h_name(harness *h, size_t body_len)
{
    return (const char *)h->out + sizeof(struct fuse_in_header) + body_len;
}

/* A reply to the request with this unique, sent with the next h_transact. */
static inline void h_reply_to(harness *h, UINT64 unique, INT32 error, const void *body, size_t len)
{
    struct fuse_out_header out;
    out.len = (UINT32)(sizeof out + len);
    out.error = error;
    out.unique = unique;
    memcpy(h->reply, &out, sizeof out);
    if (len)
        memcpy(h->reply + sizeof out, body, len);
    h->reply_len = sizeof out + len;
    h->have_reply = true;
}

/* A reply to the request h_transact returned last. */
static inline void h_reply_raw(harness *h, INT32 error, const void *body, size_t len)
{
    h_reply_to(h, ((const struct fuse_in_header *)h->out)->unique, error, body, len);
}

static inline void h_reply_err(harness *h, int err)
{
    h_reply_raw(h, -err, NULL, 0);
}

static inline void h_reply_ok(harness *h)
{
    h_reply_raw(h, 0, NULL, 0);
}

static inline struct fuse_attr h_attr(UINT64 ino, UINT32 mode, UINT64 size)
{
    struct fuse_attr a;
    memset(&a, 0, sizeof a);
    a.ino = ino;
    a.mode = mode;
    a.size = size;
    a.nlink = 1;
    a.mtime = 1700000000;
    a.ctime = 1700000000;
    a.atime = 1700000000;
    a.blksize = 4096;
    a.blocks = (size + 511) / 512;
    return a;
}

static inline void h_reply_entry(harness *h, UINT64 nodeid, UINT32 mode, UINT64 size, UINT64 valid)
{
    struct fuse_entry_out e;
    memset(&e, 0, sizeof e);
    e.nodeid = nodeid;
    e.entry_valid = valid;
    e.attr_valid = valid;
    e.attr = h_attr(nodeid, mode, size);
    h_reply_raw(h, 0, &e, sizeof e);
}

static inline void h_reply_attr(harness *h, UINT64 ino, UINT32 mode, UINT64 size, UINT64 valid)
{
    struct fuse_attr_out a;
    memset(&a, 0, sizeof a);
    a.attr_valid = valid;
    a.attr = h_attr(ino, mode, size);
    h_reply_raw(h, 0, &a, sizeof a);
}

static inline void h_reply_open(harness *h, UINT64 fh)
{
    struct fuse_open_out o;
    memset(&o, 0, sizeof o);
    o.fh = fh;
    h_reply_raw(h, 0, &o, sizeof o);
}

/* Complete the INIT handshake as a 7.31 peer with the given flags. */
static inline void h_init(harness *h, UINT32 flags, UINT32 max_write)
{
    struct fuse_init_out out;
    const struct fuse_init_in *in;

    h_expect(h, FUSE_INIT);
    in = h_body(h);
    assert_int_equal(in->major, 7);
    assert_true(in->minor >= 31);
    memset(&out, 0, sizeof out);
    out.major = 7;
    out.minor = 31;
    out.flags = flags;
    out.max_write = max_write;
    out.max_pages = 256;
    h_reply_raw(h, 0, &out, sizeof out);
    /* Hand the reply over now; with no WinFsp request queued nothing follows. */
    assert_null(h_transact(h));
    assert_int_equal(h->last_transact, STATUS_SUCCESS);
}

/* ---- the WinFsp side ---- */

static UINT64 h_hint = 100;

static inline FSP_FSCTL_TRANSACT_REQ *h_req(UINT32 kind)
{
    FSP_FSCTL_TRANSACT_REQ *req = calloc(1, FSP_FSCTL_TRANSACT_REQ_SIZEMAX);
    assert_non_null(req);
    req->Size = sizeof *req;
    req->Kind = kind;
    req->Hint = ++h_hint;
    return req;
}

/* Append an ASCII string as UTF-16 to the request's buffer. */
static inline FSP_FSCTL_TRANSACT_BUF h_req_wstr(FSP_FSCTL_TRANSACT_REQ *req, const char *s)
{
    FSP_FSCTL_TRANSACT_BUF b = {0, 0};
    WCHAR w[1024];
    size_t n = strlen(s);
    assert_true(n < 1024);
    for (size_t i = 0; i < n; i++)
        w[i] = (WCHAR)(UINT8)s[i];
    assert_true(wf_fsctl_req_append(req, FSP_FSCTL_TRANSACT_REQ_SIZEMAX, w, n * sizeof(WCHAR), &b));
    return b;
}

static inline FSP_FSCTL_TRANSACT_BUF h_req_bytes(FSP_FSCTL_TRANSACT_REQ *req, const void *p, size_t n)
{
    FSP_FSCTL_TRANSACT_BUF b = {0, 0};
    assert_true(wf_fsctl_req_append(req, FSP_FSCTL_TRANSACT_REQ_SIZEMAX, p, n, &b));
    return b;
}

static inline void h_submit(harness *h, FSP_FSCTL_TRANSACT_REQ *req)
{
    h->queue[h->qtail] = req;
    h->qtail = (h->qtail + 1) % H_QUEUE;
}

static inline FSP_FSCTL_TRANSACT_REQ *h_create_req(const char *path, UINT32 disposition,
    UINT32 options, UINT32 access)
{
    FSP_FSCTL_TRANSACT_REQ *req = h_req(FspFsctlTransactCreateKind);
    req->Req.Create.CreateOptions = (disposition << 24) | options;
    req->Req.Create.DesiredAccess = access;
    req->Req.Create.ShareAccess = FILE_SHARE_READ | FILE_SHARE_WRITE;
    req->FileName = h_req_wstr(req, path);
    return req;
}

/* The response the engine gave last; fails if there is none. */
static inline FSP_FSCTL_TRANSACT_RSP *h_done(harness *h)
{
    if (h->ndone == 0)
        fail_msg("the engine completed no WinFsp request");
    return h->done[h->ndone - 1];
}

static inline NTSTATUS h_status(harness *h)
{
    return (NTSTATUS)h_done(h)->IoStatus.Status;
}

/* Nothing more goes out, and the last request is complete. */
static inline void h_idle(harness *h)
{
    const struct fuse_in_header *in = h_transact(h);
    if (in)
        fail_msg("unexpected FUSE opcode %u", in->opcode);
}

#endif
